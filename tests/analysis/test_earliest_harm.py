"""For `earliest` the effect is the change in the goal's time: a positive effect (a later goal) is
harm. Break-even, P(harm) and the Monte Carlo chart count it so; worked by hand: 100 effective
person-years with 10 researchers take 10 years, with 10 m researchers 10 / m."""
from __future__ import annotations

import numpy as np
import pytest

import planner
from planner.analysis.breakeven import breakeven
from planner.analysis.montecarlo import montecarlo

PLAN = {"plan": {"name": "sooner or later", "horizon": 60, "objective": "earliest"},
        "pools": [{"name": "researchers", "supply": 10}],
        "streams": [{"name": "work", "pool": "researchers", "effort": 100}],
        "interventions": [{"name": "fewer people", "supply": [{"pool": "researchers", "multiply": 0.5}]}]}
PATH = 'interventions."fewer people".supply.0.multiply'


def test_a_later_goal_is_what_loses_in_break_even():
    plan = planner.from_dict(PLAN)
    flip = breakeven(plan, "fewer people", PATH, low=0.2, high=3)
    assert flip.value == pytest.approx(1.0, abs=1e-3)     # 10 / m >= 10 iff m <= 1
    assert flip.interval[0] < 1.0 < flip.interval[1] + 1e-9 or flip.interval[1] == pytest.approx(1.0, abs=1e-3)
    more = breakeven(plan, "fewer people", PATH, low=1.5, high=3)
    assert more.kind == "always"   # every multiplier above 1 finishes sooner: it never loses there
    fewer = breakeven(plan, "fewer people", PATH, low=0.2, high=0.8)
    assert fewer.kind == "none"


def test_p_harm_of_an_earliest_plan_counts_later_goals():
    doc = dict(PLAN, uncertainty={"seed": 3, PATH: {"kind": "uniform", "low": 0.5, "high": 3.0}})
    mc = montecarlo(planner.from_dict(doc), n=40, workers=1)
    drawn = np.array([s[PATH] for s in mc.samples])
    summary = mc.summary().set_index("intervention").loc["fewer people"]
    assert summary["p_harm"] == pytest.approx(float((drawn < 1).mean()))
    frame = mc.to_frame()
    effects = frame.loc[frame.variant == "fewer people", "delta"].to_numpy()
    assert effects == pytest.approx(10 / drawn - 10, abs=1e-6)
