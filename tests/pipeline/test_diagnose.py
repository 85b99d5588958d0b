"""pipeline.diagnose: why an `earliest` plan has no schedule inside its horizon, each reason on a
plan built to have exactly that reason (the arithmetic in the comments)."""
from __future__ import annotations

import planner
from plans import make_plan
from planner.mip.formulation import build
from planner.pipeline.diagnose import short_pools, why_infeasible
from planner.solvers import get_backend
from planner.solvers.status import SolveOptions, SolveStatus
from planner.structure import critical_path


def _why(plan, backend=None, lm=None):
    inst = planner.resolve(plan)
    return why_infeasible(inst, critical_path(inst), backend, lm)


def test_chain_too_long_even_with_unlimited_labour():
    # a and b take 6 years each at any staffing (min_duration 6), b after a: 12 years > horizon 10
    plan = make_plan([{"name": "a", "effort": 6, "min_duration": 6},
                      {"name": "b", "effort": 6, "min_duration": 6, "after": ["a"]}],
                     horizon=10, objective="earliest")
    assert _why(plan) == (
        "the goal cannot be met within the horizon of 10 years: the chain a -> b cannot finish "
        "inside it even with unlimited labour (minimum durations, releases and lags)")
    inst = planner.resolve(plan)
    assert short_pools(inst) == []  # 12 crew-years of work, 100 FTE-years of supply


def test_pool_too_small_for_the_work():
    # 5 FTE x 10 years = 50 FTE-years; the stream needs 100 / productivity 1 = 100 crew-years
    plan = make_plan([{"name": "a", "effort": 100}], supply=5, horizon=10, objective="earliest")
    line = "pool p supplies 50 FTE-years over the horizon, and the streams the goal needs take at least 100"
    assert short_pools(planner.resolve(plan)) == [line]
    assert _why(plan) == "the goal cannot be met within the horizon of 10 years: " + line


def test_short_pool_counts_crew_size_and_best_productivity():
    # crew 2 FTE per unit, effort 30 at best productivity 0.5 -> 60 crew units -> 120 FTE-years;
    # supply 10 x 10 years = 100 FTE-years < 120
    plan = make_plan([{"name": "a", "crew": {"p": 2}, "effort": 30, "productivity": [0.25, 0.5]}],
                     supply=10, horizon=10, objective="earliest")
    assert short_pools(planner.resolve(plan)) == [
        "pool p supplies 100 FTE-years over the horizon, and the streams the goal needs take at least 120"]


def test_short_pool_ignores_streams_with_diminishing_returns():
    # with parallelization < 1 a thin crew does more per crew-year: no crew-year bound is claimed
    plan = make_plan([{"name": "a", "effort": 100, "parallelization": 0.5}], supply=5, horizon=10,
                     objective="earliest")
    assert short_pools(planner.resolve(plan)) == []


def test_chain_too_long_with_the_supply_it_has():
    # unlimited labour: a and b finish in one period each. With 2.2 FTE: a (10) needs 5 periods
    # (0-4, 11 >= 10), the lag of 1 skips period 5, b (11) has periods 6-9: 4 x 2.2 = 8.8 < 11.
    # The pool is not short: 22 FTE-years >= 10 + 11 = 21.
    plan = make_plan([{"name": "a", "effort": 10},
                      {"name": "b", "effort": 11, "after": [{"stream": "a", "lag": 1}]}],
                     supply=2.2, horizon=10, objective="earliest")
    assert short_pools(planner.resolve(plan)) == []
    assert _why(plan) == (
        "the goal cannot be met within the horizon of 10 years: the chain a -> b cannot finish "
        "inside it with the supply and staff limits it has")


def _competing():
    # each stream alone: 8 effort at 4 FTE in periods 0-1 (productivity 0 after) -> done; together
    # they need 16 in periods 0-1 where the pool has 2 x 4 = 8. Over the horizon: 4 x 4 = 16 >= 16.
    return make_plan([{"name": "a", "effort": 8, "productivity": [1, 1, 0]},
                      {"name": "b", "effort": 8, "productivity": [1, 1, 0]}],
                     supply=4, horizon=4, objective="earliest")


def test_streams_compete_at_the_times_they_can_work():
    plan = _competing()
    assert short_pools(planner.resolve(plan)) == []
    assert _why(plan) == ("the goal cannot be met within the horizon of 4 years: the streams "
                          "compete for too little supply at the times they can work")


def test_infeasible_set_named_when_the_backend_gives_one():
    class Named:  # a backend that reports these rows as its irreducible infeasible set
        def infeasible_set(self, lm):
            return ["supply[0]", "goal[1]"]

    assert _why(_competing(), Named(), object()).endswith(
        "at the times they can work (the solver's irreducible infeasible set: supply[0], goal[1])")


def test_highs_agrees_the_competing_plan_is_infeasible_and_solve_says_why():
    plan = _competing()
    inst = planner.resolve(plan)
    lm = build(inst, critical_path(inst))
    backend = get_backend("highs")
    backend.load(lm)
    assert backend.solve(SolveOptions()).status == SolveStatus.INFEASIBLE
    assert "compete for too little supply" in _why(plan, backend, lm)
    res = planner.solve(plan)
    assert res.status == "infeasible"
    assert "compete for too little supply" in res.message
