"""The live progress indicator: reports only for solves past 2 s, each solve to its own watcher,
and on the command line only when stderr is a terminal."""
from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
import threading

import pytest

import planner
from planner import progress
from planner.plan import synthetic

HARD = dict(streams=120, periods=200, scenarios=20, seed=0, objective="value", tightness=0.3)
# past the root in well under 2 s, and not proven in 8 s: the reports carry an incumbent and a bound
BRANCHING = dict(streams=25, periods=60, scenarios=10, seed=1, objective="value", tightness=0.3)


@pytest.mark.slow
def test_a_long_solve_reports_elapsed_incumbent_bound_and_gap_then_clears():
    seen: list[progress.Progress] = []
    with progress.watch(seen.append):
        result = planner.solve(synthetic.plan(**BRANCHING), time_limit=8)
    assert result.status == "time_limit"
    assert seen, "an 8 s solve reported nothing"
    assert seen[0].elapsed >= progress.AFTER
    assert seen[-1].done and not any(p.done for p in seen[:-1])
    elapsed = [p.elapsed for p in seen]
    assert elapsed == sorted(elapsed)
    full = [p for p in seen if p.incumbent is not None and p.bound is not None]
    assert full, "no report carried the incumbent and the bound"
    for p in full:  # a maximisation: the bound is above every plan found
        assert p.bound >= p.incumbent - 1e-6 * max(1.0, abs(p.incumbent))
        assert p.gap is not None and p.gap >= 0
    # the incumbents only improve, and the plan reported is at least as good as the last one shown
    incumbents = [p.incumbent for p in full]
    assert incumbents == sorted(incumbents)
    assert result.objective >= incumbents[-1] - 1e-6 * max(1.0, abs(incumbents[-1]))


def test_a_short_solve_reports_nothing():
    seen = []
    with progress.watch(seen.append):
        result = planner.solve(planner.load("models/serial_parallel_toy.toml"))
    assert result.status == "optimal" and seen == []


def test_no_watcher_no_reports_and_the_watcher_is_removed_after_the_block():
    seen = []
    with progress.watch(seen.append):
        planner.solve(synthetic.plan(**HARD), time_limit=2.5)
    assert progress.current() is None
    assert seen and seen[-1].done, "the same solve under the watcher reported nothing"
    while_on = len(seen)
    planner.solve(synthetic.plan(**HARD), time_limit=2.5)
    assert len(seen) == while_on, "a report reached the watcher after its block ended"


@pytest.mark.slow
def test_two_threads_each_report_to_their_own_watcher():
    seen = {0: [], 1: []}
    errors = []

    def run(k):
        try:
            with progress.watch(seen[k].append):
                planner.solve(synthetic.plan(**{**HARD, "seed": k}), time_limit=4)
        except Exception as e:  # pragma: no cover - shown by the assert below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for k in (0, 1):
        assert seen[k] and seen[k][-1].done
        assert sum(p.done for p in seen[k]) == 1  # one solve each: the other thread's end is not here


def test_the_stderr_line_is_rewritten_in_place_and_cleared():
    out = io.StringIO()
    line = progress.StderrLine(out)
    line(progress.Progress(2.5, 10.0, 20.0, 0.5))
    line(progress.Progress(3.0))
    line(progress.Progress(3.2, done=True))
    text = out.getvalue()
    assert "\n" not in text
    first, second, last = text.split("\r")[1:4]
    assert "2.5 s" in first and "best plan 10" in first and "bound 20" in first and "gap 50.00%" in first
    assert "none yet" in second and len(second) == len(first)  # padded over the longer line
    assert last.strip() == ""


def _cli(plan_file, stderr):
    return subprocess.run([sys.executable, "-m", "planner.cli", "solve", str(plan_file), "--time-limit", "4",
                           "--json"], stdout=subprocess.PIPE, stderr=stderr, timeout=120)


@pytest.mark.slow
def test_the_command_line_shows_progress_on_a_terminal_only(tmp_path):
    plan_file = tmp_path / "hard.json"
    plan_file.write_text(json.dumps(synthetic.plan_dict(**HARD)))
    master, slave = pty.openpty()
    try:
        proc = _cli(plan_file, slave)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # the terminal closed
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
    terminal = b"".join(chunks).decode(errors="replace")
    assert proc.returncode == 0
    assert "solving:" in terminal and "best plan" in terminal   # the fields are checked above
    assert terminal.endswith("\r") and terminal.split("\r")[-2].strip() == ""  # and the line is cleared
    assert json.loads(proc.stdout)["status"] == "time_limit"  # stdout carries only the JSON
    piped = _cli(plan_file, subprocess.PIPE)
    assert piped.returncode == 0 and b"solving:" not in piped.stderr
