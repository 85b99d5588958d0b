"""Plan pitfalls (planner/plan/lint.py): times that look like calendar years or lie beyond the horizon.

`release`, `lag`, `from_year`, `until_year` and `[deadline] years` count years from the start;
`[deadline] year` is a calendar year. Writing one for the other passes the schema and silently
changes the answer (a stream released at year 2028 of a 40-year plan never starts), so `check`,
`solve` and `compare` warn, naming the table and the key, and `check --strict` refuses.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import planner
from planner.plan.lint import lint

from plans import ROOT
from plans import write

CLI = [sys.executable, "-m", "planner.cli"]


def plan_text(stream_extra: str = "", deadline: str = "years = 26", intervention: str = "") -> str:
    return f"""
[plan]
name = "pitfalls"
start_year = 2026
horizon = 40

[[pools]]
name = "staff"
supply = 10

[[streams]]
name = "first"
pool = "staff"
effort = 5
min_duration = 5

[[streams]]
name = "second"
pool = "staff"
effort = 5
min_duration = 5
{stream_extra}

[deadline]
{deadline}

[[interventions]]
name = "more staff"
supply = [{{ pool = "staff", multiply = 2 {intervention} }}]
"""




def run(*args):
    return subprocess.run(CLI + [str(a) for a in args], capture_output=True, text=True, cwd=ROOT, timeout=120)


def keys(text: str) -> list[str]:
    return [w.key for w in lint(planner.from_dict(__import__("tomllib").loads(text)))]


def test_clean_plan_and_shipped_models_have_no_warnings():
    assert keys(plan_text()) == []
    for model in (ROOT / "models").glob("*.toml"):
        assert lint(planner.load(model)) == [], model


def test_release_2028_in_a_40_year_plan_warns_in_check_and_names_the_key(tmp_path):
    path = write(tmp_path, plan_text("release = 2028"))
    proc = run("check", path)
    assert proc.returncode == 0, proc.stderr
    assert "warning" in proc.stderr
    assert "key 'release'" in proc.stderr and '"second"' in proc.stderr
    assert "release = 2" in proc.stderr          # the suggestion: 2028 - 2026
    strict = run("check", path, "--strict")
    assert strict.returncode == 2
    assert "key 'release'" in strict.stderr


def test_release_2028_warns_in_solve_too(tmp_path):
    proc = run("solve", write(tmp_path, plan_text("release = 2028")), "--json")
    assert proc.returncode == 0, proc.stderr
    assert "key 'release'" in proc.stderr
    # and the warning is right to worry: the stream never starts, so the goal is never met
    import json
    assert json.loads(proc.stdout)["objective"] == 0.0


def test_release_beyond_the_horizon_warns():
    assert keys(plan_text("release = 45")) == ["release"]
    assert keys(plan_text("release = 39")) == []       # inside the horizon: fine


def test_min_duration_calendar_warns_but_a_long_one_is_left_to_the_solver():
    assert keys(plan_text().replace("min_duration = 5", "min_duration = 2030", 1)) \
        == ["min_duration"]
    # longer than the horizon: infeasible, and the solve itself explains it (no second message)
    assert keys(plan_text().replace("min_duration = 5", "min_duration = 50", 1)) == []


def test_lag_that_looks_like_a_calendar_year_warns():
    assert keys(plan_text('after = [{ stream = "first", lag = 2030 }]')) == ["after[1].lag"]


def test_intervention_from_year_calendar_warns_and_until_year_calendar_warns():
    assert keys(plan_text(intervention=", from_year = 2030")) == ["supply[1].from_year"]
    assert keys(plan_text(intervention=", until_year = 2040")) == ["supply[1].until_year"]
    # until_year past the horizon is a normal way to say "to the end": no warning
    assert keys(plan_text(intervention=", from_year = 5, until_year = 100")) == []


def test_deadline_years_that_look_like_a_calendar_year_warn():
    assert keys(plan_text(deadline="years = 2050")) == ["years"]


def test_deadline_year_that_looks_like_years_from_start_is_refused(tmp_path):
    # the schema already refuses a calendar year before start_year: an error, naming the key
    proc = run("check", write(tmp_path, plan_text(deadline="year = 26")))
    assert proc.returncode == 2
    assert "key 'year'" in proc.stderr
    assert keys(plan_text(deadline="year = 2052")) == []


def test_check_json_lists_warnings(tmp_path):
    import json
    proc = run("check", write(tmp_path, plan_text("release = 2028")), "--json")
    assert proc.returncode == 0, proc.stderr
    warnings = json.loads(proc.stdout)["warnings"]
    assert len(warnings) == 1 and "release" in warnings[0]


def _discrete_plan(streams: int, horizon: int, **extra) -> dict:
    return {"plan": {"name": "many whole crews", "horizon": horizon},
            "pools": [{"name": "p", "supply": 20, "integer_staff": extra.pop("integer", False)}],
            "streams": [{"name": f"s{i}", "pool": "p", "effort": 5, **extra} for i in range(streams)],
            "deadline": {"years": horizon}}


def test_a_plan_too_large_to_prove_is_named_by_check():
    # 151 contiguous streams over 200 periods: 30,200 stream-periods of integer decisions
    big = lint(planner.from_dict(_discrete_plan(151, 200, contiguous=True)))
    assert [w.key for w in big] == ["horizon"] and "30,200 stream-periods" in big[0].message
    # whole people count too; 50 streams over 200 periods (10,000) is at the limit, not over it
    assert lint(planner.from_dict(_discrete_plan(60, 200, integer=True)))
    assert not lint(planner.from_dict(_discrete_plan(50, 200, min_staff=1)))
    # fluid streams branch on nothing of the kind
    assert not lint(planner.from_dict(_discrete_plan(151, 200)))
