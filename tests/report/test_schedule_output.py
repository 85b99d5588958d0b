"""The year-by-year allocation in the terminal, JSON, CSV and DataFrames, with units and words.

Expected numbers by hand (MODEL.md). PLAN: one stream of effort 6 with min_duration 3, so its rate
cap is 2 effective person-years a year; productivity 1, so 2 crew units a year; each crew unit is
2 FTE of pool "a", so 4 FTE a year. The schedule that finishes as early as possible works in
periods 0, 1, 2 (2030-2032) and is done at the end of period 2: by the start of 2033, 3 years in.
Baseline deadline 4 years (the start of 2034): met, probability 1. "late" moves the deadline 2
years earlier (the start of 2032): not met (0), and the goal is still done by the start of 2033,
1 year after that deadline.
"""
from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

import planner

from plans import ROOT

CLI = [sys.executable, "-m", "planner.cli"]

PLAN = """
[plan]
name = "hand"
start_year = 2030
horizon = 5

[[pools]]
name = "a"
supply = 10

[[streams]]
name = "s"
crew = { a = 2 }
effort = 6
min_duration = 3

[deadline]
years = 4

[[interventions]]
name = "late"
deadline_shift = -2
"""


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("plan") / "hand.toml"
    path.write_text(PLAN, encoding="utf-8")
    return path


def run(*args):
    return subprocess.run(CLI + [str(a) for a in args], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_result_to_frame_long_form_with_fte_by_pool(plan_file):
    plan = planner.load(plan_file)
    result = planner.solve(plan)
    df = result.to_frame()
    assert list(df.columns) == ["variant", "stream", "pool", "year", "period_start_years", "crew_units", "fte"]
    assert len(df) == 5                                   # 1 stream x 1 pool x 5 periods
    assert df["year"].tolist() == [2030, 2031, 2032, 2033, 2034]
    assert df["period_start_years"].tolist() == [0, 1, 2, 3, 4]
    assert df["crew_units"].tolist() == pytest.approx([2, 2, 2, 0, 0], abs=1e-6)
    assert df["fte"].tolist() == pytest.approx([4, 4, 4, 0, 0], abs=1e-6)
    assert set(df["pool"]) == {"a"} and set(df["stream"]) == {"s"}


def test_comparison_to_frame_one_row_per_variant(plan_file):
    plan = planner.load(plan_file)
    df = planner.compare(plan).to_frame()
    assert df["variant"].tolist() == ["baseline", "late"]
    assert df["status"].tolist() == ["optimal", "optimal"]
    assert df["objective"].tolist() == pytest.approx([1.0, 0.0])
    assert math.isnan(df["delta"][0]) and df["delta"][1] == pytest.approx(-1.0)
    assert df["goal_year"].tolist() == [2033, 2033]
    assert df["deadline_year"].tolist() == [2034, 2032]
    assert math.isnan(df["late_years"][0]) and df["late_years"][1] == 1


def test_solve_json_has_the_allocation_in_fte_by_stream_pool_and_period(plan_file):
    proc = run("solve", plan_file, "--json")
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout)
    assert obj["years"] == [2030, 2031, 2032, 2033, 2034]
    assert obj["allocation"]["s"] == pytest.approx([2, 2, 2, 0, 0], abs=1e-6)
    assert obj["fte"]["s"]["a"] == pytest.approx([4, 4, 4, 0, 0], abs=1e-6)
    assert obj["pools"][0]["used"] == pytest.approx([4, 4, 4, 0, 0], abs=1e-6)


def test_solve_schedule_prints_years_fte_and_the_deadline(plan_file):
    proc = run("solve", plan_file, "--schedule")
    assert proc.returncode == 0, proc.stderr
    rows = {line.split()[1]: line for line in proc.stdout.splitlines()
            if line.startswith("│ 20") and len(line.split()) > 1}
    assert set(rows) == {"2030", "2031", "2032", "2033", "2034"}
    assert "deadline" in rows["2034"] and not any("deadline" in rows[y] for y in ("2030", "2033"))
    cells = [c.strip() for c in rows["2030"].split("│")[1:-1]]
    assert cells == ["2030", "4", "4", "10"]              # year, s (FTE), a used, a supply
    assert [c.strip() for c in rows["2033"].split("│")[1:-1]] == ["2033", "", "0", "10"]
    assert "FTE" in proc.stdout
    assert "done by the start of 2033" in proc.stdout


def test_a_late_goal_says_how_late_not_never(plan_file):
    proc = run("solve", plan_file, "--intervention", "late")
    assert proc.returncode == 0, proc.stderr
    text = " ".join(proc.stdout.split())
    assert "done by the start of 2033" in text
    assert "1 year after the deadline (the start of 2032)" in text
    cmp = run("compare", plan_file)
    assert cmp.returncode == 0, cmp.stderr
    assert "never" not in cmp.stdout
    late_row = next(line for line in cmp.stdout.splitlines() if line.startswith("│ late"))
    assert "2033 (1 year late)" in late_row and "2032" in late_row
    assert "-100.0 pp" in cmp.stdout                      # a change in probability, in percentage points


def test_csv_has_pool_fte_and_a_summary_file_beside_it(plan_file, tmp_path):
    out = tmp_path / "hand.csv"
    proc = run("compare", plan_file, "-o", out)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 2 * 5
    base = [r for r in rows if r["variant"] == "baseline"]
    assert [r["pool"] for r in base] == ["a"] * 5
    assert [float(r["fte"]) for r in base] == pytest.approx([4, 4, 4, 0, 0], abs=1e-6)
    summary = list(csv.DictReader(io.StringIO((tmp_path / "hand.summary.csv").read_text(encoding="utf-8"))))
    assert [r["variant"] for r in summary] == ["baseline", "late"]
    assert [r["status"] for r in summary] == ["optimal", "optimal"]
    assert [float(r["objective"]) for r in summary] == [1.0, 0.0]
    assert [float(r["goal_year"]) for r in summary] == [2033, 2033]


def test_check_words_have_units_and_plurals(plan_file):
    proc = run("check", plan_file)
    assert proc.returncode == 0, proc.stderr
    text = " ".join(proc.stdout.split())
    assert "1 stream, 1 pool, 1 intervention" in text
    assert "5 periods of 1 year" in text
    assert "deadline scenarios" not in text
    assert "the start of 2034 (4 years from the start)" in text


def test_version():
    proc = run("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"planner {planner.__version__}"


@pytest.mark.parametrize("example", ["toy", "field"])
def test_init_writes_a_commented_plan_that_checks(tmp_path, example):
    path = tmp_path / "plan.toml"
    proc = run("init", path, "--example", example)
    assert proc.returncode == 0, proc.stderr
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#") and "years from the start" in text.lower()
    check = run("check", path)
    assert check.returncode == 0 and check.stderr == "", check.stderr
    again = run("init", path)
    assert again.returncode == 2 and "exists" in again.stderr
