"""report.terminal and report.sections: what the terminal and the reports say for a tiny plan and
the essay's toy, the numbers worked by hand. Tiny plan: one stream of 12 effective person-years on
one pool of 3 FTE (12 / 3 = 4 years, done by 2030); "double" gives 6 FTE (2 years, -2)."""
from __future__ import annotations

import io

import planner
import pytest
from plans import TOY, make_plan
from planner.report.sections import (
    comparison_charts,
    comparison_rows,
    robustness_answer,
    robustness_sections,
    stream_rows,
)
from planner.report.terminal import print_comparison, print_result
from rich.console import Console


def _tiny():
    return make_plan([{"name": "a", "effort": 12}], supply=3, horizon=10, objective="earliest", start_year=2026,
                     interventions=[{"name": "double", "supply": [{"pool": "p", "multiply": 2.0}]}])


@pytest.fixture(scope="module")
def tiny():
    return planner.compare(_tiny())


@pytest.fixture(scope="module")
def toy():
    return planner.compare(planner.load(TOY))


def text(fn, *args, **kw):
    console = Console(file=io.StringIO(), width=200, record=True, color_system=None)
    fn(*args, console=console, **kw)
    return console.export_text()


def test_print_result_headline_for_the_tiny_plan(tiny):
    out = text(print_result, tiny.baseline)
    assert "test / baseline: goal done after 4 years (done by the start of 2030)" in out
    assert "proven optimal" in out
    assert "goal done by the start of 2030 (4 years from the start)." in out
    assert "Streams (baseline)" in out


def test_print_result_schedule_has_every_year(tiny):
    out = text(print_result, tiny.baseline, schedule=True)
    for year in ("2026", "2027", "2028", "2029"):  # the four years the 3 FTE work
        assert year in out


def test_print_comparison_for_the_tiny_plan(tiny):
    out = text(print_comparison, tiny)
    assert "test: baseline against interventions" in out
    line = next(s for s in out.splitlines() if "double" in s and "years" in s)
    # 2 years, change 2 - 4 = -2, done by 2026 + 2 = 2028
    assert "2 years" in line and "-2 years" in line and "2028" in line and "optimal" in line


def test_print_comparison_for_the_toy_has_the_verdict(toy):
    out = text(print_comparison, toy)
    rows = [s.strip("│ ") for s in out.splitlines()]
    base = next(s for s in rows if s.startswith("baseline") and "optimal" in s)
    # done by 2026 + 25 = 2051, before the deadline 2026 + 26 = 2052: P = 1
    assert "1.0000" in base and "2051" in base and "2052" in base
    cap = next(s for s in rows if s.startswith("capabilities work") and "pp" in s)
    # deadline 2 years earlier: 2050 < 2051 (1 year late), P = 0, change -100 percentage points
    assert "0.0000" in cap and "-100.0 pp" in cap and "2051 (1 year late)" in cap and "2050" in cap
    assert "no amount of added labour recovers it" in " ".join(out.split())


def test_print_result_for_the_toy_says_the_chance(toy):
    out = text(print_result, toy.baseline)
    assert "chance of finishing before the deadline = 1.0000" in out
    assert "Deadline: the start of 2052." in out
    out = text(print_result, toy.interventions[0].result)
    assert "chance of finishing before the deadline = 0.0000" in out
    assert "Deadline: the start of 2050." in out


def test_comparison_rows(tiny, toy):
    assert comparison_rows(tiny) == [
        ["baseline", "4 years", "", "2030", "none", "optimal"],
        ["double", "2 years", "-2 years", "2028", "none", "optimal"],
    ]
    rows = comparison_rows(toy)
    assert [r[:3] for r in rows] == [["baseline", "1.0000", ""], ["capabilities work", "0.0000", "-100.0 pp"]]
    assert [r[4] for r in rows] == ["the start of 2052", "the start of 2050"]


def test_stream_rows(tiny, toy):
    assert stream_rows(tiny.baseline) == [["a", "12", "12", "2026", "by the start of 2030", "yes"]]
    rows = {r[0]: r for r in stream_rows(toy.baseline)}
    # each serial stream: 25 years from 2026 -> by the start of 2051
    assert rows["serial-a"] == ["serial-a", "25", "25", "2026", "by the start of 2051", "yes"]
    assert rows["parallel"][1:3] == ["900", "900"]


def test_without_robustness_there_is_nothing_to_add(tiny):
    assert robustness_answer(tiny, None) == ""
    assert robustness_sections(_tiny(), tiny, None) == []


def test_comparison_charts_kinds_and_slugs(tiny, toy):
    # no deadline in the tiny plan: comparison, a schedule per variant, the baseline's staffing
    assert [(c.kind, c.slug) for c in comparison_charts(tiny)] == [
        ("comparison", "comparison"), ("schedule", "schedule-0"), ("schedule", "schedule-1"),
        ("staffing", "staffing")]
    # the toy has a deadline: its CDF chart comes second
    assert [c.slug for c in comparison_charts(toy)][:2] == ["comparison", "deadline"]
