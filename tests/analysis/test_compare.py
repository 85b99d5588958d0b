"""analysis.compare: the baseline against each intervention on a tiny plan, every objective worked
by hand. One stream of 12 effective person-years, one pool of 3 FTE: 12 / 3 = 4 years."""
from __future__ import annotations

import planner
import pytest
from plans import TOY, make_plan

INTERVENTIONS = [
    {"name": "double", "supply": [{"pool": "p", "multiply": 2.0}]},  # 6 FTE: 12 / 6 = 2 years
    {"name": "half productivity", "productivity": [{"streams": ["a"], "multiply": 0.5}]},  # 12 / 1.5 = 8
    # 3 FTE in years 0-1 (6 done), then 6 FTE: the other 6 in 1 year -> 3 years
    {"name": "more later", "supply": [{"pool": "p", "add": 3.0, "from_year": 2}]},
]


def _plan():
    return make_plan([{"name": "a", "effort": 12}], supply=3, horizon=10, objective="earliest",
                     start_year=2026, interventions=INTERVENTIONS)


@pytest.fixture(scope="module")
def comparison():
    return planner.compare(_plan())


def test_baseline_and_each_intervention(comparison):
    c = comparison
    assert c.baseline.objective == 4.0
    assert c.baseline.goal_completion_year == 2030
    got = [(iv.name, iv.result.objective, iv.delta) for iv in c.interventions]
    # deltas: 2 - 4, 8 - 4, 3 - 4
    assert got == [("double", 2.0, -2.0), ("half productivity", 8.0, 4.0), ("more later", 3.0, -1.0)]
    assert [r.variant for r in c.results()] == ["baseline", "double", "half productivity", "more later"]
    assert not c.interrupted and c.not_run == []


def test_frame_rows(comparison):
    df = comparison.to_frame()
    assert list(df["variant"]) == ["baseline", "double", "half productivity", "more later"]
    assert list(df["goal_year"]) == [2030.0, 2028.0, 2034.0, 2029.0]  # 2026 + 4, 2, 8, 3


def test_chosen_interventions_and_the_callback():
    seen = []
    c = planner.compare(_plan(), interventions=["more later"], on_result=lambda r: seen.append(r.variant))
    assert [(iv.name, iv.delta) for iv in c.interventions] == [("more later", -1.0)]
    assert seen == ["baseline", "more later"]


def test_an_unknown_intervention_is_refused_before_any_solve():
    seen = []
    with pytest.raises(planner.UsageError, match="nope"):
        planner.compare(_plan(), interventions=["nope"], on_result=lambda r: seen.append(r))
    assert seen == []


def test_the_toy_capabilities_work_makes_success_impossible():
    # four serial streams of 25 years each (one researcher each): done at 25 < deadline 26 -> P = 1;
    # capabilities work brings the deadline to 24 < 25 -> P = 0, however many researchers it adds
    c = planner.compare(planner.load(TOY))
    assert c.baseline.objective == 1.0
    (iv,) = c.interventions
    assert (iv.name, iv.result.objective, iv.delta) == ("capabilities work", 0.0, -1.0)
