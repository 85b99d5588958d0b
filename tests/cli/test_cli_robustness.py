"""The `planner` command on hostile input and options: a clean one-line error and the right exit
code, never a traceback, a hang, or a solver log mixed into `--json` output.

Every test runs the command as a user does (a subprocess), with a timeout, so a hang fails the
test instead of stopping the suite.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from plans import ROOT, TOY, fast_first

CLI = [sys.executable, "-m", "planner.cli"]

from plans import ONE_STREAM  # noqa: E402  (the same one-stream plan)
from plans import assert_clean_error, write

TOO_SHORT = ONE_STREAM.replace("effort = 3\nmin_duration = 3", "effort = 20\nmin_duration = 20")


def run(*args, timeout: float = 60, **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS="200")
    return subprocess.run(CLI + [str(a) for a in args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=timeout, **kw)






# --- -o: checked before the solve ------------------------------------------------------------------

def test_output_that_is_a_directory_is_refused_before_solving(tmp_path):
    # TOO_SHORT is infeasible (exit 3 once solved): exit 2 shows -o was refused before solving.
    out = tmp_path / "result.json"
    out.mkdir()
    proc = run("solve", write(tmp_path, TOO_SHORT), "-o", out, "--json")
    assert_clean_error(proc, 2, str(out), "directory")
    assert proc.stdout == ""
    assert os.listdir(out) == []


@pytest.mark.parametrize("out", fast_first(["/proc/x.json", "/proc/no/such/folder/x.csv"], 1, ids=str))
def test_output_in_an_unwritable_folder_is_refused_before_solving(tmp_path, out):
    proc = run("solve", write(tmp_path, TOO_SHORT), "-o", out)
    assert_clean_error(proc, 2, out, "cannot write")


def test_output_under_a_file_is_refused(tmp_path):
    plan = write(tmp_path, TOO_SHORT)
    out = plan / "x.json"                                    # a "folder" that is a file
    assert_clean_error(run("compare", plan, "-o", out), 2, str(out))


def test_output_in_a_missing_folder_is_refused_with_its_path(tmp_path):
    out = tmp_path / "a" / "b" / "out.json"
    proc = run("solve", write(tmp_path, ONE_STREAM), "-o", out)
    assert_clean_error(proc, 2, str(out), f"the folder {out.parent} does not exist")
    assert sorted(os.listdir(tmp_path)) == ["plan.toml"]     # no folder made, no probe left behind


def test_output_is_written_and_the_probe_leaves_nothing(tmp_path):
    out = tmp_path / "out.json"
    proc = run("solve", write(tmp_path, ONE_STREAM), "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["objective"] == pytest.approx(3.0)
    assert sorted(os.listdir(tmp_path)) == ["out.json", "plan.toml"]


def test_output_onto_the_plan_itself_is_refused(tmp_path):
    plan = write(tmp_path, json.dumps({"plan": {"horizon": 4, "objective": "earliest"},
                                       "pools": [{"name": "staff", "supply": 5}],
                                       "streams": [{"name": "only", "pool": "staff", "effort": 3}]}), "plan.json")
    before = plan.read_text(encoding="utf-8")
    assert_clean_error(run("solve", plan, "-o", plan), 2, str(plan), "plan file")
    assert plan.read_text(encoding="utf-8") == before


# --- files that are not regular files: refused, never waited on -----------------------------------

def test_plan_that_is_a_fifo_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "plan.toml"
    os.mkfifo(fifo)
    assert_clean_error(run("check", fifo, timeout=20), 2, str(fifo), "FIFO")


def test_plan_on_an_open_empty_stdin_pipe_does_not_hang(tmp_path):
    """`planner check /dev/stdin` with a writer that never writes: refused, not waited on."""
    r, w = os.pipe()
    try:
        proc = subprocess.Popen(CLI + ["check", "/dev/stdin"], stdin=r, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=ROOT)
        os.close(r)
        try:
            stdout, stderr = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            pytest.fail("planner check /dev/stdin waited for input")
    finally:
        os.close(w)
    assert proc.returncode == 2, stderr
    assert "Traceback" not in stderr and "/dev/stdin" in stderr and "FIFO" in stderr, stderr


def test_plan_that_is_a_directory_is_refused(tmp_path):
    folder = tmp_path / "plan.toml"
    folder.mkdir()
    assert_clean_error(run("check", folder), 2, str(folder), "directory")


def test_csv_data_file_that_is_a_fifo_is_refused_not_waited_on(tmp_path):
    os.mkfifo(tmp_path / "s.csv")
    plan = write(tmp_path, ONE_STREAM.replace("supply = 5", 'supply = { file = "s.csv", column = "fte" }'))
    assert_clean_error(run("check", plan, timeout=20), 2, str(plan), '[[pools]] #1 "staff"',
                       "key 'supply.file'", "FIFO")


# --- solver options: ranges checked by argparse ----------------------------------------------------

@pytest.mark.parametrize("option, value, rng", [
    ("--gap", "nan", "0 <= gap < 1"), ("--gap", "-1", "0 <= gap < 1"), ("--gap", "5", "0 <= gap < 1"),
    ("--gap", "1", "0 <= gap < 1"), ("--gap", "inf", "0 <= gap < 1"), ("--gap", "x", "0 <= gap < 1"),
    ("--time-limit", "nan", "finite number > 0"), ("--time-limit", "-1", "finite number > 0"),
    ("--time-limit", "0", "finite number > 0"), ("--time-limit", "inf", "finite number > 0"),
    ("--threads", "-3", "whole number >= 1"), ("--threads", "0", "whole number >= 1"),
    ("--threads", "2.5", "whole number >= 1"),
])
@pytest.mark.parametrize("command", ["solve", "compare"])
def test_solver_option_out_of_range_is_a_usage_error(command, option, value, rng):
    proc = run(command, TOY, option, value, "--json")
    line = assert_clean_error(proc, 2, option, rng)
    assert repr(value) in line or value in line
    assert proc.stdout == ""


def test_solver_options_at_the_edges_of_their_ranges_are_accepted(tmp_path):
    proc = run("solve", write(tmp_path, ONE_STREAM), "--gap", "0", "--time-limit", "1e-3", "--threads", "1",
               "--json")
    assert proc.returncode in (0, 3), proc.stderr                 # 1 ms may find no plan: exit 3
    assert "Traceback" not in proc.stderr
    json.loads(proc.stdout)


@pytest.mark.parametrize("option", fast_first(["mip_rel_gap=nan", "time_limit=nan", "time_limit=-inf"], 1, ids=str))
def test_raw_option_that_is_not_a_finite_number_is_refused(option):
    """HiGHS itself accepts a NaN gap or time limit (its range checks compare false)."""
    proc = run("solve", TOY, "--option", option, "--json")
    assert_clean_error(proc, 2, option.split("=")[0])
    assert proc.stdout == ""


# --- --json keeps stdout pure even when a raw option turns the solver log on ------------------------

@pytest.mark.parametrize("option", fast_first(["output_flag=true", "log_to_console=true"], 1, ids=str))
@pytest.mark.parametrize("command", ["solve", "compare"])
def test_json_stays_parsable_when_a_raw_option_turns_the_solver_log_on(command, option):
    proc = run(command, "models/serial_parallel_toy.toml", "--json", "--option", option)
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout)
    assert (obj if command == "solve" else obj["baseline"])["objective"] == pytest.approx(1.0)
    if option == "output_flag=true":
        assert "rows" in proc.stderr and "Presolv" in proc.stderr  # the solver's log went to stderr instead


# --- Ctrl-C during start-up -----------------------------------------------------------------------------

INTERRUPT_ON_IMPORT = textwrap.dedent("""
    import os, signal, sys

    class Interrupt:
        '''A real SIGINT, delivered while `{module}` is being imported (a lazy import inside main).'''
        def find_spec(self, name, path=None, target=None):
            if name == {module!r}:
                sys.meta_path.remove(self)
                os.kill(os.getpid(), signal.SIGINT)
            return None

    sys.meta_path.insert(0, Interrupt())
    from planner.cli import main
    sys.exit(main({argv!r}))
""")


@pytest.mark.parametrize("module, argv", [
    ("numpy", ["check", "models/serial_parallel_toy.toml"]),
    ("planner.structure", ["check", "models/serial_parallel_toy.toml"]),
    ("planner.pipeline.session", ["solve", "models/serial_parallel_toy.toml", "--json"]),
    ("planner.analysis", ["compare", "models/serial_parallel_toy.toml"]),
])
def test_ctrl_c_while_imports_run_exits_130_without_a_traceback(module, argv):
    code = INTERRUPT_ON_IMPORT.format(module=module, argv=argv)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 130, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.strip() == "planner: error: interrupted"
    assert proc.stdout == ""


INTERRUPT_WHILE_PARSING = textwrap.dedent("""
    import argparse, os, signal, sys
    parse = argparse.ArgumentParser.parse_args

    def interrupted(self, *args, **kw):
        os.kill(os.getpid(), signal.SIGINT)  # a real SIGINT while the command line is read
        return parse(self, *args, **kw)

    argparse.ArgumentParser.parse_args = interrupted
    from planner.cli import main
    sys.exit(main(["check", "models/serial_parallel_toy.toml"]))
""")


def test_ctrl_c_while_the_command_line_is_parsed_exits_130_without_a_traceback():
    proc = subprocess.run([sys.executable, "-c", INTERRUPT_WHILE_PARSING], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert proc.returncode == 130, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.strip() == "planner: error: interrupted"


def test_cli_module_imports_only_the_standard_library_at_the_top():
    """What `import planner.cli` runs cannot be guarded by main's try: beyond the package itself,
    it may load only the standard library."""
    code = ("import sys; import planner; before = set(sys.modules); import planner.cli; "
            "print('\\n'.join(sorted(set(sys.modules) - before)))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0, proc.stderr
    loaded = {name.split(".")[0] for name in proc.stdout.split() if not name.startswith("planner.")}
    assert loaded <= set(sys.stdlib_module_names), loaded - set(sys.stdlib_module_names)
    planner_modules = {name for name in proc.stdout.split() if name.startswith("planner.")}
    assert {name for name in planner_modules if not name.startswith("planner.cli")} <= {"planner.errors"}


def test_importing_the_cli_loads_no_third_party_module():
    # A Ctrl-C while `import planner.cli` runs would print a traceback before main's try: keep that
    # window to the standard library (pydantic alone took 0.2-0.5 s).
    code = "import sys; before = set(sys.modules); import planner.cli; print('\\n'.join(set(sys.modules) - before))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0, proc.stderr
    third_party = {name.split(".")[0] for name in proc.stdout.split()
                   if not name.startswith("_sysconfigdata")} - set(sys.stdlib_module_names) - {"planner"}
    assert not third_party, sorted(third_party)


# --- a reader that stops reading (`planner ... | head -1`) -------------------------------------------------

@pytest.mark.parametrize("buffered", fast_first([True, False], 1, ids=lambda b: "buffered" if b else "unbuffered"))
@pytest.mark.parametrize("argv", fast_first([  # check and solve --json by default, all six with -m slow
    ["check", "models/serial_parallel_toy.toml"],
    ["solve", "models/serial_parallel_toy.toml", "--json"],
    ["check", "models/serial_parallel_toy.toml", "--json"],
    ["solve", "models/serial_parallel_toy.toml"],
    ["compare", "models/serial_parallel_toy.toml"],
    ["compare", "models/serial_parallel_toy.toml", "--json"],
], 2, ids=" ".join))
def test_closed_stdout_pipe_exits_0_quietly(argv, buffered):
    """The reader is gone before the first write: the worst case of `| head -1`. Buffered (the
    default for a pipe), the write fails only when stdout is flushed, at exit if nothing else."""
    env = dict(os.environ)
    env.pop("PYTHONUNBUFFERED", None)
    if not buffered:
        env["PYTHONUNBUFFERED"] = "1"
    r, w = os.pipe()
    os.close(r)
    try:
        proc = subprocess.run(CLI + argv, stdout=w, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env,
                              timeout=60)
    finally:
        os.close(w)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "", proc.stderr


@pytest.mark.slow
def test_head_1_in_a_shell_pipeline_exits_0_quietly():
    proc = subprocess.run(f"set -o pipefail; {' '.join(CLI)} compare models/serial_parallel_toy.toml --json | head -1",
                          shell=True, executable="/bin/bash", capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "{"
    assert proc.stderr == "", proc.stderr


# --- model size ----------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_check_of_20000_streams_by_20_periods_is_refused_quickly(tmp_path):
    """Past MAX_STREAM_PERIODS (planner/plan/schema.py) `check` says so, naming streams and horizon,
    instead of passing a plan that `solve` would then work on for a minute or more."""
    import time

    text = ['[plan]\nhorizon = 20\nobjective = "earliest"\n\n[[pools]]\nname = "p"\nsupply = 20000\n']
    text += [f'\n[[streams]]\nname = "s{i}"\npool = "p"\neffort = 1\n' for i in range(20_000)]
    plan = write(tmp_path, "".join(text))
    start = time.perf_counter()
    proc = run("check", plan)
    assert_clean_error(proc, 2, str(plan), "[plan]", "key 'horizon'", "20,000 streams x 20 periods",
                       "[[streams]]")
    assert time.perf_counter() - start < 10


