"""The `planner` command run as a user runs it: exit codes, JSON contract, output files, errors.

Expected numbers follow from MODEL.md by hand:
- the toy model: four serial streams of effort 25 and min_duration 25 (rate cap 1/year) need 25
  years; the deadline of 26 years is met (objective 1.0), the intervention moves it to 24 years,
  so no schedule meets it (objective 0.0, delta -1.0).
- ONE_STREAM: effort 3, min_duration 3 (cap 1 effective person-year per year), supply 5,
  objective earliest: one crew unit in each of periods 0, 1, 2; complete at the end of period 2,
  i.e. after 3 years.
"""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from plans import ROOT, TOY, run_cli
from plans import ONE_STREAM, TOO_SHORT
from plans import assert_clean_error, write

IV = "capabilities work"



BAD = """
[plan]
horizon = 10
objective = "earliest"

[[pools]]
name = "staff"
supply = 5

[[streams]]
name = "a"
pool = "staff"
effort = -1
"""


def run(*args, cwd=None):
    """The command in this process (planner.cli.main): the same exit code, stdout and stderr as
    the console script, without a Python start-up and import per test."""
    return run_cli(*args, cwd=cwd)


def run_process(*args, cwd=None, exe=None) -> subprocess.CompletedProcess:
    """The command as a real process, for what only a process shows: the console script itself,
    and output a solver writes to file descriptor 1 beneath Python's sys.stdout."""
    cmd = (exe or [sys.executable, "-m", "planner.cli"]) + [str(a) for a in args]
    env = dict(os.environ, COLUMNS="200")
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd or ROOT, env=env, timeout=60)






def assert_solve_object(obj: dict) -> None:
    """The JSON contract of one solve."""
    for key in ("status", "objective", "objective_kind", "bound", "gap", "goal_completion_years", "streams"):
        assert key in obj, key
    assert obj["objective"] is None or isinstance(obj["objective"], (int, float))
    assert obj["objective_kind"] in ("probability", "earliest", "value")
    assert isinstance(obj["streams"], list) and obj["streams"]
    for s in obj["streams"]:
        for key in ("name", "start_years", "finish_years"):
            assert key in s, key


# --- check ------------------------------------------------------------------------------------------

def test_check_toy():
    proc = run("check", TOY)
    assert proc.returncode == 0, proc.stderr
    assert "valid" in proc.stdout
    assert proc.stderr == ""


def test_check_json_toy():
    proc = run("check", TOY, "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["valid"] is True
    assert summary["streams"] == 5 and summary["pools"] == 1
    assert summary["periods"] == 40                      # ceil(40 / 1)
    assert summary["interventions"] == [IV]
    assert summary["objective"] == "probability"


def test_check_json_small_plan_with_step(tmp_path):
    path = write(tmp_path, ONE_STREAM.replace("horizon = 4", "horizon = 4\nstep = 0.5"))
    proc = run("check", path, "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["valid"] is True
    assert summary["periods"] == 8                      # ceil(4 / 0.5)
    assert summary["step"] == 0.5


def test_check_bad_plan_exits_2(tmp_path):
    path = write(tmp_path, BAD)
    proc = run("check", path)
    assert_clean_error(proc, 2, str(path), '[[streams]] #1 "a"', "effort")


def test_check_json_bad_plan_prints_no_json(tmp_path):
    path = write(tmp_path, BAD)
    proc = run("check", path, "--json")
    assert_clean_error(proc, 2, "effort")
    assert proc.stdout.strip() == ""


def test_missing_plan_file_exits_2(tmp_path):
    proc = run("solve", tmp_path / "nope.toml", "--json")
    assert_clean_error(proc, 2, "nope.toml", "no such file")
    assert proc.stdout.strip() == ""


def test_invalid_toml_exits_2(tmp_path):
    path = write(tmp_path, "[plan\nhorizon = 3\n")
    assert_clean_error(run("solve", path), 2, str(path), "TOML")


def test_invalid_json_plan_exits_2(tmp_path):
    path = write(tmp_path, '{"plan": ', name="plan.json")
    assert_clean_error(run("check", path), 2, str(path), "JSON")


# --- solve --------------------------------------------------------------------------------------------

def test_solve_json_toy():
    proc = run("solve", TOY, "--json")
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout)
    assert_solve_object(obj)
    assert obj["status"] == "optimal"
    assert obj["objective_kind"] == "probability"
    assert obj["objective"] == pytest.approx(1.0)
    assert obj["bound"] == pytest.approx(1.0)
    assert obj["gap"] == pytest.approx(0.0, abs=1e-6)
    # the serial streams need 25 years and must end by the deadline at 26
    assert 25 <= obj["goal_completion_years"] <= 26
    streams = {s["name"]: s for s in obj["streams"]}
    assert set(streams) == {"parallel", "serial-a", "serial-b", "serial-c", "serial-d"}
    for name in ("serial-a", "serial-b", "serial-c", "serial-d"):
        s = streams[name]
        assert 25 <= s["finish_years"] <= 26
        assert s["finish_years"] == int(s["finish_years"])       # end of a 1-year period
        assert 0 <= s["start_years"] <= 1                        # 25 years of work in 26
    assert streams["parallel"]["finish_years"] <= 26


def test_solve_json_small_plan_by_hand(tmp_path):
    proc = run("solve", write(tmp_path, ONE_STREAM), "--json")
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout)
    assert_solve_object(obj)
    assert obj["status"] == "optimal"
    assert obj["objective_kind"] == "earliest"
    assert obj["objective"] == pytest.approx(3.0)
    assert obj["goal_completion_years"] == pytest.approx(3.0)
    (s,) = obj["streams"]
    assert s["name"] == "only"
    assert s["start_years"] == pytest.approx(0.0)
    assert s["finish_years"] == pytest.approx(3.0)


def test_solve_json_with_half_year_step(tmp_path):
    # step 0.5: the cap is 1 per year, 0.5 per period; effort 3 needs 6 periods = 3 years
    proc = run("solve", write(tmp_path, ONE_STREAM.replace("horizon = 4", "horizon = 4\nstep = 0.5")), "--json")
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout)
    assert obj["objective"] == pytest.approx(3.0)
    assert obj["streams"][0]["finish_years"] == pytest.approx(3.0)


def test_solve_human_output_names_the_variant():
    proc = run("solve", TOY)
    assert proc.returncode == 0, proc.stderr
    assert "baseline" in proc.stdout
    for name in ("serial-a", "parallel", "researchers"):
        assert name in proc.stdout


def test_solve_intervention_json():
    proc = run("solve", TOY, "--intervention", IV, "--json")
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout)
    assert_solve_object(obj)
    assert obj["status"] == "optimal"
    assert obj["objective"] == pytest.approx(0.0, abs=1e-9)
    assert obj.get("variant") == IV


def test_solve_intervention_human():
    proc = run("solve", TOY, "--intervention", IV)
    assert proc.returncode == 0, proc.stderr
    assert IV in proc.stdout


def test_solve_unknown_intervention_exits_2():
    proc = run("solve", TOY, "--intervention", "no such thing", "--json")
    assert_clean_error(proc, 2, "no such thing")
    assert proc.stdout.strip() == ""


def test_solver_options_accepted():
    proc = run("solve", TOY, "--json", "--time-limit", "20", "--gap", "0.01",
               "--option", "mip_heuristic_effort=0.1", "--threads", "1")
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout)
    assert obj["status"] == "optimal"
    assert obj["objective"] == pytest.approx(1.0)


def test_unknown_solver_option_is_a_clean_error():
    proc = run("solve", TOY, "--json", "--option", "not_an_option=1")
    assert_clean_error(proc, 2, "not_an_option")
    assert proc.stdout.strip() == ""


def test_malformed_option_is_a_clean_error():
    proc = run("solve", TOY, "--option", "mip_heuristic_effort")
    assert_clean_error(proc, 2, "mip_heuristic_effort")


def test_infeasible_earliest_exits_3_and_mentions_the_horizon(tmp_path):
    proc = run("solve", write(tmp_path, TOO_SHORT))
    line = assert_clean_error(proc, 3)
    assert "horizon" in line
    assert "10" in line


def test_infeasible_earliest_json_exits_3_with_parsable_stdout(tmp_path):
    proc = run("solve", write(tmp_path, TOO_SHORT), "--json")
    line = assert_clean_error(proc, 3)
    assert "horizon" in line
    obj = json.loads(proc.stdout)
    assert obj["status"] == "infeasible"
    assert obj["objective"] is None
    assert obj["goal_completion_years"] is None


def test_compare_infeasible_exits_3(tmp_path):
    proc = run("compare", write(tmp_path, TOO_SHORT), "--json")
    line = assert_clean_error(proc, 3)
    assert "horizon" in line
    json.loads(proc.stdout)


def test_json_stdout_is_pure_json_even_when_verbose():
    """`--json` output is for machines: nothing else may share stdout (the solver log goes elsewhere).
    A real process: the solver's log is written beneath Python, to file descriptor 1."""
    proc = run_process("solve", TOY, "--json", "--verbose")
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout)
    assert obj["objective"] == pytest.approx(1.0)


# --- compare ---------------------------------------------------------------------------------------------

def test_compare_json_toy():
    proc = run("compare", TOY, "--json")
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout)
    assert set(obj) >= {"baseline", "interventions"}
    assert_solve_object(obj["baseline"])
    assert obj["baseline"]["status"] == "optimal"
    assert obj["baseline"]["objective"] == pytest.approx(1.0)
    (iv,) = obj["interventions"]
    assert iv["name"] == IV
    assert_solve_object(iv["result"])
    assert iv["result"]["status"] == "optimal"
    assert iv["result"]["objective"] == pytest.approx(0.0, abs=1e-9)
    assert iv["delta"] == pytest.approx(-1.0)


def test_compare_human_output_names_the_variants():
    proc = run("compare", TOY)
    assert proc.returncode == 0, proc.stderr
    assert "baseline" in proc.stdout
    assert IV in proc.stdout


def test_compare_only(tmp_path):
    text = TOY.read_text(encoding="utf-8") + '\n[[interventions]]\nname = "later"\ndeadline_shift = 5\n'
    path = write(tmp_path, text)
    proc = run("compare", path, "--json", "--only", "later")
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout)
    assert [iv["name"] for iv in obj["interventions"]] == ["later"]
    assert obj["interventions"][0]["delta"] == pytest.approx(0.0, abs=1e-9)


def test_compare_only_unknown_exits_2():
    proc = run("compare", TOY, "--only", "nothing like it")
    assert_clean_error(proc, 2, "nothing like it")


# --- output files ------------------------------------------------------------------------------------------

def test_output_json_file(tmp_path):
    out = tmp_path / "out.json"
    proc = run("solve", write(tmp_path, ONE_STREAM), "-o", out)
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(out.read_text(encoding="utf-8"))
    assert_solve_object(obj)
    assert obj["objective"] == pytest.approx(3.0)


def test_output_csv_file_by_hand(tmp_path):
    out = tmp_path / "out.csv"
    proc = run("solve", write(tmp_path, ONE_STREAM), "-o", out, "--json")
    assert proc.returncode == 0, proc.stderr
    json.loads(proc.stdout)
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "variant,stream,period_start_years,year,crew_units,pool,fte"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 4                                   # one stream, 4 periods
    assert [r["variant"] for r in rows] == ["baseline"] * 4
    assert [r["stream"] for r in rows] == ["only"] * 4
    assert [float(r["period_start_years"]) for r in rows] == [0, 1, 2, 3]
    assert [float(r["year"]) for r in rows] == [2030, 2031, 2032, 2033]
    # finishing after 3 years at a cap of 1 per year: exactly one unit in each of the first 3 periods
    assert [float(r["crew_units"]) for r in rows[:3]] == pytest.approx([1.0, 1.0, 1.0])


def test_compare_output_csv_has_every_variant(tmp_path):
    out = tmp_path / "cmp.csv"
    proc = run("compare", TOY, "-o", out)
    assert proc.returncode == 0, proc.stderr
    text = out.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "variant,stream,period_start_years,year,crew_units,pool,fte"
    assert lines.count(lines[0]) == 1
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2 * 5 * 40                          # 2 variants x 5 streams x 40 periods
    assert {r["variant"] for r in rows} == {"baseline", IV}


def test_compare_output_json_file(tmp_path):
    out = tmp_path / "cmp.json"
    proc = run("compare", TOY, "-o", out)
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(out.read_text(encoding="utf-8"))
    assert obj["baseline"]["objective"] == pytest.approx(1.0)
    assert obj["interventions"][0]["delta"] == pytest.approx(-1.0)


def test_output_txt_is_refused(tmp_path):
    out = tmp_path / "out.txt"
    proc = run("solve", write(tmp_path, ONE_STREAM), "-o", out)
    assert_clean_error(proc, 2, "out.txt")
    assert not out.exists()


# --- the console script ---------------------------------------------------------------------------------------

@pytest.mark.slow
def test_console_script():
    exe = Path(sys.executable).parent / "planner"
    assert exe.exists(), exe
    proc = run_process("compare", TOY, "--json", exe=[str(exe)])
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout)
    assert obj["interventions"][0]["delta"] == pytest.approx(-1.0)


def test_console_script_bad_plan(tmp_path):
    exe = Path(sys.executable).parent / "planner"
    assert_clean_error(run_process("solve", write(tmp_path, BAD), exe=[str(exe)]), 2, "effort")


# --- valid but extreme numbers: an answer or a clean error, never a traceback -------------------------------

EASY = """
[plan]
horizon = 10
objective = "probability"

[[pools]]
name = "staff"
supply = 5

[[streams]]
name = "a"
pool = "staff"
effort = 3
"""


def test_deadline_far_past_the_horizon(tmp_path):
    # MODEL.md: deadlines past the horizon count as the horizon's end; a needs 1 period -> met
    proc = run("solve", write(tmp_path, EASY + "\n[deadline]\nyears = 1e300\n"), "--json")
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["objective"] == pytest.approx(1.0)


def test_deadline_shifted_far_before_the_start(tmp_path):
    # a deadline before the start can never be met: objective 0 (or the plan is refused, exit 2)
    text = EASY + '\n[deadline]\nyears = 5\n\n[[interventions]]\nname = "x"\ndeadline_shift = -1e300\n'
    proc = run("compare", write(tmp_path, text), "--json")
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 2), proc.stderr
    if proc.returncode == 0:
        obj = json.loads(proc.stdout)
        assert obj["baseline"]["objective"] == pytest.approx(1.0)
        assert obj["interventions"][0]["result"]["objective"] == pytest.approx(0.0, abs=1e-9)
    else:
        assert_clean_error(proc, 2, "deadline_shift")


def test_check_resolves_every_intervention(tmp_path):
    # `check` validates the numbers of every variant: productivity 1 - 2 < 0 in the intervention
    text = EASY.replace('"probability"', '"earliest"') + (
        '\n[[interventions]]\nname = "x"\nproductivity = [{ streams = ["a"], add = -2 }]\n')
    path = write(tmp_path, text)
    assert_clean_error(run("check", path), 2, str(path), '"x"', "productivity[1]", "negative")
