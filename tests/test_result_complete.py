"""A result is complete when it is returned: every export (DataFrame, CSV, dict) has FTE by pool
and the deadline scenarios with no other import or call, and the reports only read results.

PLAN, by hand (MODEL.md): one stream of effort 6 with min_duration 3 (rate cap 2 effective
person-years a year), productivity 1, so 2 crew units a year in periods 0, 1 and 2 (2030-2032),
done by the start of 2033. A crew unit is 2 FTE of pool "a" and 1 FTE of pool "b", so the stream
takes 4 FTE of a and 2 FTE of b in each of those years, 0 after. Deadline: 4 years; "late" moves it
2 years earlier. "b" gives 30 FTE, of which 2 is under a tenth: the stream is serial (calendar time,
not people, limits it); "w", outside the goal, waits for "s" with 1 year of lag.
"""
from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import planner

from plans import ROOT

PLAN = """
[plan]
name = "hand"
start_year = 2030
horizon = 5
objective = "probability"

[[pools]]
name = "a"
supply = 50

[[pools]]
name = "b"
supply = 30

[[streams]]
name = "s"
crew = { a = 2, b = 1 }
effort = 6
min_duration = 3

[[streams]]
name = "w"
pool = "a"
effort = 0.5
after = [{ stream = "s", lag = 1 }]

[goal]
required = ["s"]

[deadline]
years = 4

[[interventions]]
name = "late"
deadline_shift = -2
"""

FTE_A = [4, 4, 4, 0, 0]
FTE_B = [2, 2, 2, 0, 0]


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("plan") / "hand.toml"
    path.write_text(PLAN, encoding="utf-8")
    return path


EXPORTS = """
import json, sys
import planner
plan = planner.load(sys.argv[1])
r = planner.solve(plan)
c = planner.compare(plan)
df = r.to_frame()
s = df[df.stream == "s"]
out = {
    "frame_a": s[s.pool == "a"].fte.tolist(), "frame_b": s[s.pool == "b"].fte.tolist(),
    "frame_nan": bool(df.fte.isna().any()), "frame_pools": sorted(set(df.pool)),
    "csv": r.to_csv(), "dict_fte": r.to_dict()["fte"],
    "comparison_csv": c.to_csv(), "comparison_dict": c.to_dict(),
    "comparison_frame": c.to_frame()[["variant", "deadline_year"]].values.tolist(),
    "report_imported": "planner.report" in sys.modules,
}
print(json.dumps(out))
"""


def test_every_export_has_fte_by_pool_with_nothing_else_imported(plan_file):
    proc = subprocess.run([sys.executable, "-c", EXPORTS, str(plan_file)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert not out["report_imported"]
    assert out["frame_a"] == pytest.approx(FTE_A, abs=1e-6) and out["frame_b"] == pytest.approx(FTE_B, abs=1e-6)
    assert not out["frame_nan"] and out["frame_pools"] == ["a", "b"]
    assert out["dict_fte"]["s"]["a"] == pytest.approx(FTE_A, abs=1e-6)
    assert out["dict_fte"]["s"]["b"] == pytest.approx(FTE_B, abs=1e-6)
    for text in (out["csv"], out["comparison_csv"]):
        rows = [line.split(",") for line in text.splitlines()[1:]]
        assert rows and all(row[5] in ("a", "b") and row[6] != "" for row in rows), text
        b = [float(row[6]) for row in rows if row[:2] == ["baseline", "s"] and row[5] == "b"]
        assert b == pytest.approx(FTE_B, abs=1e-6)
    variants = [out["comparison_dict"]["baseline"]] + [iv["result"] for iv in out["comparison_dict"]["interventions"]]
    assert [v["variant"] for v in variants] == ["baseline", "late"]
    for v in variants:
        assert v["fte"]["s"]["b"] == pytest.approx(FTE_B, abs=1e-6)
    assert out["comparison_frame"] == [["baseline", 2034], ["late", 2032]]


def test_result_carries_what_charts_read(plan_file):
    plan = planner.load(plan_file)
    c = planner.compare(plan)
    b, late = c.baseline, c.interventions[0].result
    assert b.deadline_years.tolist() == [4] and late.deadline_years.tolist() == [2]
    assert b.deadline_probs.tolist() == [1] and not b.deadline_discretised
    assert b.crew.tolist() == [[2, 1], [1, 0]]
    assert b.precedences == [("s", "w", 1)]
    assert b.serial.tolist() == [True, False] and b.min_duration.tolist() == [3, 0]


def test_no_deadline_leaves_no_scenarios(tmp_path):
    path = tmp_path / "nodeadline.toml"
    path.write_text(PLAN.replace('objective = "probability"', 'objective = "earliest"')
                    .split("[deadline]")[0], encoding="utf-8")
    r = planner.solve(planner.load(path))
    assert r.deadline_years is None and r.deadline_probs is None
    assert r.to_frame().fte.notna().all()


def test_reports_write_nothing_into_results(plan_file):
    """Printing and drawing read a result: every field is as it was before."""
    from rich.console import Console

    from planner.report import print_comparison, print_result
    from planner.report import schedule_charts

    plan = planner.load(plan_file)
    c = planner.compare(plan)
    before = [copy.deepcopy(vars(r)) for r in c.results()]
    console = Console(file=open("/dev/null", "w"), width=120)  # noqa: SIM115
    print_result(c.baseline, console, schedule=True)
    print_comparison(c, console, schedule=True)
    for r in c.results():
        schedule_charts.schedule_chart(r)
        schedule_charts.staffing_chart(r)
    schedule_charts.plt.close("all")
    for old, r in zip(before, c.results()):
        assert old.keys() == vars(r).keys()
        for k, v in old.items():
            new = vars(r)[k]
            assert (np.array_equal(v, new) if isinstance(v, np.ndarray) else v == new), k
    assert not hasattr(planner.report, "attach")


TOY_FRAME = """
import json
import planner
df = planner.solve(planner.load("models/serial_parallel_toy.toml")).to_frame()
print(json.dumps({"columns": list(df.columns), "rows": len(df), "nan": df.isna().sum().to_dict(),
                  "pools": sorted(set(df.pool)), "fte": float(df.fte.sum())}))
"""


def test_the_toy_frame_has_fte_by_pool_and_no_nan_from_solve_alone():
    """`import planner; planner.solve(planner.load(...)).to_frame()` and nothing else: FTE by pool in
    every row, no column with a missing value (a field filled in later would be NaN here)."""
    proc = subprocess.run([sys.executable, "-c", TOY_FRAME], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert "fte" in out["columns"] and "pool" in out["columns"]
    assert out["rows"] > 0 and out["pools"]
    assert all(n == 0 for n in out["nan"].values()), out["nan"]
    assert out["fte"] > 0


def test_status_is_a_solve_status_equal_to_its_string():
    """Typed status, same JSON: SolveStatus members are their strings."""
    r = planner.solve(planner.load(ROOT / "models/serial_parallel_toy.toml"))
    assert isinstance(r.status, planner.SolveStatus) and r.status == "optimal"
    assert r.status is planner.SolveStatus.OPTIMAL and r.solved
    assert json.loads(r.to_json(allocation=False))["status"] == "optimal"
    assert f"{r.status}" == "optimal"


def test_a_result_is_frozen():
    """Complete when returned: a changed copy is dataclasses.replace, the result itself never changes."""
    import dataclasses

    r = planner.solve(planner.load(ROOT / "models/serial_parallel_toy.toml"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.explanation = "changed"
    copy_ = dataclasses.replace(r, status="time_limit")
    assert copy_.status is planner.SolveStatus.TIME_LIMIT and r.status is planner.SolveStatus.OPTIMAL


def test_replaced_is_dataclasses_replace():
    """Result.replaced (the quick copy a solve makes) gives what dataclasses.replace gives: every
    field the same object but the ones changed, the status coerced to its member, the original
    untouched, and an unknown field refused."""
    import dataclasses

    r = planner.solve(planner.load(ROOT / "models/serial_parallel_toy.toml"))
    for changes in ({"status": "time_limit", "explanation": "x"}, {"objective": 0.25}, {}):
        quick, slow = r.replaced(**changes), dataclasses.replace(r, **changes)
        for f in dataclasses.fields(r):  # a status is its member, one object
            assert getattr(quick, f.name) is getattr(slow, f.name), f.name
    assert r.status is planner.SolveStatus.OPTIMAL and r.explanation != "x"
    assert r.replaced(status="time_limit").status is planner.SolveStatus.TIME_LIMIT
    with pytest.raises(TypeError):
        r.replaced(no_such_field=1)
