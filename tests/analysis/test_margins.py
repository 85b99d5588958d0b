"""Margins: exact finite differences, checked against hand calculations."""
from __future__ import annotations

import json

import pytest

import planner
from planner.analysis.margins import margins
from planner.cli.main import main
from plans import LOGNORMAL, lognormal_cdf, make_plan



def test_lognormal_toy_year_is_worth_something_researchers_nothing():
    m = margins(planner.load(LOGNORMAL))
    # the chain needs 25 years: P = 1 - F(25); one year later: 1 - F(24)
    assert m.objective == pytest.approx(1 - lognormal_cdf(25, 26, 0.5), abs=1e-9)
    assert m.year == pytest.approx(lognormal_cdf(25, 26, 0.5) - lognormal_cdf(24, 26, 0.5), abs=1e-9)
    assert m.year > 0
    assert m.pools == {"researchers": 0.0}
    assert m.years_per_researcher_year == {"researchers": 0.0}
    assert m.researcher_years_per_year == {"researchers": None}
    assert "infinite" in m.sentences()[1]


def test_intervention_margins_are_at_its_own_optimum():
    # capabilities work shifts 2 years earlier: P = 1 - F(27); a year later: 1 - F(26)
    m = margins(planner.load(LOGNORMAL), "capabilities work")
    assert m.year == pytest.approx(lognormal_cdf(27, 26, 0.5) - lognormal_cdf(26, 26, 0.5), abs=1e-9)


def test_labour_bound_plan_has_a_positive_pool_margin():
    # effort 100 on 10 FTE: 10 years; 10 more FTE: 100 / 20 = 5 years, so the 10 FTE added are used
    # for 5 years (50 researcher-years, not 10 x the 20-year horizon): 50 buy 5 years, 10 a year,
    # or 10 / 10 = 1 more FTE every year from the start until the goal.
    plan = make_plan([{"name": "a", "effort": 100}], supply=10, horizon=20, objective="earliest")
    m = margins(plan, fte_step=10)
    assert m.objective == 10 and m.fte_years == {"p": pytest.approx(50)}
    assert m.pools["p"] == pytest.approx(5 / 50)
    assert m.year == 0   # `earliest` has no deadline to move
    assert m.researcher_years_per_year["p"] == pytest.approx(10)
    assert m.fte_per_year_per_year["p"] == pytest.approx(1)
    assert m.kinds == {"p": "smooth"}


def test_probability_plan_with_both_margins_gives_the_ratio():
    # effort 100, 10 FTE: done in 10 years; deadline scenarios 9 (0.5) and 12 (0.5): P = 0.5.
    # A deadline 1 year later: 10 and 13, both met: +0.5 per year. 2 more FTE: done at 100 / 12 =
    # 8.333 years (continuous; the grid counts 9), 1.667 years sooner, using 2 x 8.333 = 16.67
    # researcher-years: one year is worth 16.67 / 1.667 = 10 researcher-years (the pool's supply).
    plan = make_plan([{"name": "a", "effort": 100}], supply=10, horizon=20, objective="probability",
                     deadline={"scenarios": [[9, 0.5], [12, 0.5]]})
    m = margins(plan, fte_step=2)
    assert m.year == pytest.approx(0.5)
    assert m.finish_years["p"] == pytest.approx(100 / 12)
    assert m.researcher_years_per_year["p"] == pytest.approx(10)
    assert m.years_per_researcher_year["p"] == pytest.approx(1 / 10)
    assert "one year is worth 10 researcher-years of p" in m.sentences()[1]


def test_cli_json(capsys):
    assert main(["margins", str(LOGNORMAL), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["year"] > 0 and out["pools"] == {"researchers": 0.0}
    assert out["years_per_researcher_year"] == {"researchers": 0.0}
    assert main(["margins", str(LOGNORMAL), "--intervention", "nope"]) == 2
