"""The exchange rate of years for researchers (issue 19, part 2): `planner margins` counts the
researcher-years that can be used (up to the goal's finish) and `planner breakeven --add-fte`
asks how many more FTE a year make an intervention break even. Every expected value is derived by
hand in the test from the labour-bound example: 500 researchers, effort 1200 at productivity 0.2
(6000 researcher-years of work), so the goal takes 6000 / 500 = 12 years."""
from __future__ import annotations

import json
import math

import pytest

import planner
from planner.analysis.margins import margins
from planner.cli import main

EXAMPLE = """
[plan]
name = "labour-bound example"
horizon = 40
objective = "probability"

[[pools]]
name = "researchers"
supply = SUPPLY

[[streams]]
name = "work"
pool = "researchers"
effort = 1200
productivity = 0.2

[deadline]
distribution = { kind = "lognormal", median = 14, sigma = 0.5 }

[[interventions]]
name = "deadline one year earlier"
deadline_shift = -1
supply = [{ pool = "researchers", multiply = 1.0 }]
"""
WORK = 1200 / 0.2   # researcher-years: 6000


def example(tmp_path, supply="500"):
    path = tmp_path / "example.toml"
    path.write_text(EXAMPLE.replace("SUPPLY", supply))
    return path


def growing_finish(extra: float) -> float:
    """When 400 * 1.05 ** t (per period, t = 0, 1, ...) plus `extra` FTE have done 6000
    researcher-years: whole periods until the next would pass it, then that period's share."""
    done, t = 0.0, 0
    while done + 400 * 1.05 ** t + extra < WORK:
        done += 400 * 1.05 ** t + extra
        t += 1
    return t + (WORK - done) / (400 * 1.05 ** t + extra)


def test_one_year_is_worth_the_fields_yearly_labour(tmp_path):
    # d more FTE: the goal finishes at 6000 / (500 + d), d * 6000 / (500 + d) researcher-years are
    # used until then, and it is 12 - 6000 / (500 + d) = 12 d / (500 + d) years sooner: the ratio is
    # 6000 / 12 = 500 researcher-years a year whatever d, or 500 / 12 = 41.67 FTE a year from the start.
    m = margins(planner.load(example(tmp_path)))
    assert m.goal_years == pytest.approx(12)
    assert m.fte_steps == {"researchers": 50}
    assert m.finish_years["researchers"] == pytest.approx(6000 / 550, rel=1e-6)
    assert m.fte_years["researchers"] == pytest.approx(50 * 6000 / 550, rel=1e-6)
    assert m.researcher_years_per_year["researchers"] == pytest.approx(500, rel=0.10)
    assert m.researcher_years_per_year["researchers"] == pytest.approx(500, rel=1e-6)
    assert m.fte_per_year_per_year["researchers"] == pytest.approx(500 / 12, rel=1e-6)
    assert m.kinds == {"researchers": "smooth"}
    assert "one year is worth 500 researcher-years of researchers, or 41.67 more FTE every year " \
           "from the start until the goal" in m.sentences()[1]


@pytest.mark.parametrize("step", [25, 100])
def test_the_rate_hardly_moves_with_the_fte_step(tmp_path, step):
    # the old count (step x the 40-year horizon) moved 2.5x with the step; the used researcher-years do not
    plan = planner.load(example(tmp_path))
    at_50 = margins(plan).researcher_years_per_year["researchers"]
    other = margins(plan, fte_step=step).researcher_years_per_year["researchers"]
    assert other == pytest.approx(at_50, rel=0.10)


def test_growing_pool_is_worth_its_supply_at_the_finish(tmp_path):
    # supply 400 * 1.05 ** t: the goal finishes in period 11 (growing_finish(0) = 11.46); near the
    # margin a year is worth what the pool gives in that year, 400 * 1.05 ** 11 = 684 FTE-years.
    m = margins(planner.load(example(tmp_path, "{ start = 400, growth = 0.05 }")), fte_step=25)
    t0, t1 = growing_finish(0), growing_finish(25)
    assert m.goal_years == pytest.approx(t0, rel=1e-6)
    assert m.finish_years["researchers"] == pytest.approx(t1, rel=1e-6)
    assert m.researcher_years_per_year["researchers"] == pytest.approx(25 * t1 / (t0 - t1), rel=1e-6)
    assert m.researcher_years_per_year["researchers"] == pytest.approx(400 * 1.05 ** 11, rel=0.05)
    assert m.kinds == {"researchers": "smooth"}


def test_a_step_optimum_is_said_to_be_one():
    # whole people only: 10 FTE do effort 100 in 10 years. 1 more: 100 / 11 = 9.09 years, so
    # 1 x 9.09 researcher-years buy 0.909 years: 10 a year. Half a person more is no one: infinite.
    plan = planner.from_dict({
        "plan": {"name": "whole people", "horizon": 20, "objective": "earliest"},
        "pools": [{"name": "p", "supply": 10, "integer_staff": True}],
        "streams": [{"name": "a", "pool": "p", "effort": 100}]})
    m = margins(plan, fte_step=1)
    # within 5%: whole people on a refined grid finish at 9.125, not at 100 / 11 = 9.09 (10.4 a year)
    assert m.researcher_years_per_year["p"] == pytest.approx(10, rel=0.05)
    assert m.half_step["p"] is None
    assert m.kinds == {"p": "step"}
    assert "the optimum moves in steps here: at half the step (0.5 FTE) the figure is infinite" \
        in m.sentences()[1]


def test_the_words_name_the_step_they_took(tmp_path):
    m = margins(planner.load(example(tmp_path)), year_step=0.25)
    assert m.sentences()[0].startswith("a deadline 0.25 years later changes the optimum by ")
    assert m.sentences()[0].endswith(f"{m.year:+.6g} per year")
    assert not any("one more year of deadline" in line for line in m.sentences())


def test_margins_json_gives_both_forms(tmp_path, capsys):
    assert main(["margins", str(example(tmp_path)), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["researcher_years_per_year"]["researchers"] == pytest.approx(500, rel=1e-6)
    assert out["fte_per_year_per_year"]["researchers"] == pytest.approx(500 / 12, rel=1e-6)
    assert out["kind"] == {"researchers": "smooth"}
