"""Sweeps: every point equals an independent single solve with the same changes; the worker pool
gives the same rows whatever the worker count, under load, when cancelled, with a cut time budget,
and when two sweeps run at once."""
from __future__ import annotations

import threading

import pandas as pd
import pytest

import planner
from planner import PlanError
from planner.analysis.sweep import parse_values, sweep
from planner.cli.main import main

from plans import LOGNORMAL, ROOT, TOY

SHIFT = 'interventions."capabilities work".deadline_shift'


def test_parse_values():
    assert parse_values("1,2,5") == [1, 2, 5]
    assert parse_values("0:1:0.25") == [0, 0.25, 0.5, 0.75, 1]
    assert parse_values("20:26:3") == [20, 23, 26]
    assert parse_values("[1, 2]") == [[1, 2]]
    with pytest.raises(PlanError):
        parse_values("5:1:1")
    with pytest.raises(PlanError):
        parse_values("1:x:1")


def _independent(plan, changes, variant=None):
    res = planner.solve(plan.with_changes(changes), variant)
    return res.objective, res.status, res.goal_completion_year


@pytest.mark.parametrize("workers", [1, 2])
def test_sweep_points_equal_single_solves(toy, workers):
    grid = {"deadline.years": [20, 25, 26, 30], SHIFT: [-2, -1]}
    frame = sweep(toy, grid, workers=workers).to_frame()
    assert len(frame) == 8 * 2 and set(frame.columns) >= {"deadline.years", SHIFT, "variant", "objective",
                                                           "status", "goal_year"}
    for row in frame.itertuples(index=False):
        changes = {"deadline.years": row[0], SHIFT: row[1]}
        variant = None if row.variant == "baseline" else row.variant
        assert (row.objective, row.status, row.goal_year) == _independent(toy, changes, variant)
    # and the hand calculation: the plan needs 25 years, so success iff deadline + shift >= 25
    iv = frame[frame.variant == "capabilities work"]
    expected = [1.0 if d + s >= 25 else 0.0 for d, s in zip(iv["deadline.years"], iv[SHIFT])]
    assert iv.objective.tolist() == expected


def test_sweep_on_an_uncertain_deadline_matches_single_solves():
    plan = planner.load(LOGNORMAL)
    frame = sweep(plan, {"deadline.distribution.median": [20, 26, 32]}, workers=2).to_frame()
    for row in frame.itertuples(index=False):
        variant = None if row.variant == "baseline" else row.variant
        assert row.objective == pytest.approx(
            _independent(plan, {"deadline.distribution.median": row[0]}, variant)[0], abs=1e-9)


@pytest.mark.slow
def test_same_rows_whatever_the_worker_count_under_load(toy):
    grid = {"deadline.years": list(range(15, 35)), SHIFT: [-3, -2, -1, 0]}   # 80 points, 160 solves
    one = sweep(toy, grid, workers=1).to_frame().drop(columns="reason")
    two = sweep(toy, grid, workers=2).to_frame().drop(columns="reason")
    pd.testing.assert_frame_equal(one, two)


def test_cancelled_sweep_stops_and_the_next_one_runs(toy):
    cancel = threading.Event()
    seen = []

    def on_point(k, records):
        seen.append(k)
        if len(seen) >= 3:
            cancel.set()

    grid = {"deadline.years": list(range(10, 50))}
    result = sweep(toy, grid, workers=2, on_point=on_point, cancel=cancel)
    assert result.interrupted and result.outcome.not_run > 0
    done = result.to_frame()
    assert len(done) == 2 * (len(grid["deadline.years"]) - result.outcome.not_run)
    again = sweep(toy, {"deadline.years": [24, 25]}, workers=2).to_frame()
    assert again[again.variant == "baseline"].objective.tolist() == [0.0, 1.0]


def test_cut_time_budget_is_reported_not_hidden():
    plan = planner.load(ROOT / "models" / "field_realistic.toml")
    frame = sweep(plan, {"pools.technical.supply.growth": [0.20, 0.21]}, interventions=[], workers=2,
                  time_limit=1e-6).to_frame()
    assert len(frame) == 2
    # a microsecond is below any solve: each point keeps its best plan (the greedy one), marked
    assert frame.status.tolist() == ["time_limit", "time_limit"]
    assert frame.objective.notna().all()
    optimum = planner.solve(plan.with_changes({"pools.technical.supply.growth": 0.20})).objective
    assert frame.objective.iloc[0] <= optimum + 1e-9


def test_two_sweeps_at_once_give_their_own_answers(toy):
    out = {}

    def run(name, years):
        out[name] = sweep(toy, {"deadline.years": years}, workers=2).to_frame()

    threads = [threading.Thread(target=run, args=("short", [20, 21, 22])),
               threading.Thread(target=run, args=("long", [25, 30, 35]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out["short"][out["short"].variant == "baseline"].objective.tolist() == [0, 0, 0]
    assert out["long"][out["long"].variant == "baseline"].objective.tolist() == [1, 1, 1]


def test_bad_sweep_path_is_a_clear_error(toy):
    with pytest.raises(PlanError, match="did you mean 'years'"):
        sweep(toy, {"deadline.yaers": [1, 2]}, workers=1)


def test_cli_sweep_writes_csv_and_parquet(tmp_path, capsys):
    for suffix in (".csv", ".parquet"):
        out = tmp_path / f"sweep{suffix}"
        code = main(["sweep", str(TOY), "--set", f"{SHIFT}=-2,-1", "--set", "deadline.years=25:26:1",
                     "--workers", "1", "-o", str(out)])
        assert code == 0
        frame = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
        assert len(frame) == 8
        # deadline 25 with shift -1 is 24 < 25: fails; deadline 26, shift -1: 25, succeeds
        iv = frame[frame.variant == "capabilities work"].set_index([SHIFT, "deadline.years"]).objective
        assert iv[(-1, 26)] == 1.0 and iv[(-1, 25)] == 0.0 and iv[(-2, 26)] == 0.0
    assert "sweep over" in capsys.readouterr().out
    assert main(["sweep", str(TOY), "--set", "deadline.years=26"]) == 2
    assert main(["sweep", str(TOY), "--set", "deadline.years=1,2", "-o", str(tmp_path / "x.txt")]) == 2


def test_a_worker_error_stops_the_run_and_is_raised(toy):
    from planner.analysis.runner import Point, run
    points = [Point(toy.with_changes({"deadline.years": y})) for y in range(20, 30)]
    points[3] = Point(toy, ["no such intervention"])
    with pytest.raises(PlanError, match="no such intervention"):
        run(points, workers=2, chunk_size=1)
    assert run(points[:2], workers=2).records[1][0]["objective"] == 0.0


@pytest.mark.slow
def test_ctrl_c_stops_the_cli_sweep_cleanly(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "never.csv"
    proc = subprocess.Popen([sys.executable, "-m", "planner.cli", "sweep", str(TOY), "--set",
                             "deadline.years=10:60:0.005", "--workers", "2", "-o", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    time.sleep(6)   # past start-up, into the solves
    os.killpg(proc.pid, signal.SIGINT)   # as a terminal's Ctrl-C: the whole process group
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "not run" in stderr
    assert not out.exists()
    for _ in range(50):   # multiprocessing's resource tracker exits once its parent has gone
        leftover = subprocess.run(["pgrep", "-s", str(proc.pid)], capture_output=True, text=True).stdout.split()
        if not leftover:
            break
        time.sleep(0.2)
    assert leftover == [], subprocess.run(["ps", "-o", "pid,args", "-p", ",".join(leftover)],
                                          capture_output=True, text=True).stdout
