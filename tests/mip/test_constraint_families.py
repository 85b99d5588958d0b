"""One small plan per constraint family of MODEL.md's MIP, each with an optimum worked out by hand.

Most plans use objective "earliest", whose optimum is the goal's completion time in years. The
answer is read in continuous time (docs/model.md, "Continuous time"): a stream finishes at the
moment its progress reaches its effort, and releases and lags are read in years. Where that differs
from the MIP's own optimum on the plan's grid (the end of the first period by which every required
stream's cumulative progress reaches its effort, lags and releases rounded up to whole periods),
both are worked out by hand: `on_grid` checks the MIP's (`refine=False`, `grid_objective`).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import planner
from plans import make_plan

TOL = 1e-6


def finish(result, name):
    return next(s for s in result.streams if s.name == name).finish_years


def start(result, name):
    return next(s for s in result.streams if s.name == name).start_years


def earliest(plan, intervention=None):
    res = planner.solve(plan, intervention) if intervention else planner.solve(plan)
    assert res.status == "optimal", res.message
    return res


def on_grid(plan) -> float:
    """The MIP's optimum on the plan's own grid (no finer grids)."""
    res = planner.solve(plan, refine=False)
    assert res.status == "optimal", res.message
    return res.grid_objective


# --- pool supply --------------------------------------------------------------------------------

def test_pool_supply_binds():
    # effort 100 at supply 10/yr, step 1: 10 effective person-years per period -> 100/10 = 10 periods,
    # complete at the end of period 9 = year 10. Finishing at 10 forces exactly 10 in each period 0..9.
    plan = make_plan([{"name": "a", "effort": 100}], supply=10, horizon=20)
    res = earliest(plan)
    assert res.objective == pytest.approx(10.0, abs=TOL)
    assert res.goal_completion_years == pytest.approx(10.0, abs=TOL)
    assert finish(res, "a") == pytest.approx(10.0, abs=TOL)
    np.testing.assert_allclose(res.allocation[0, :10], np.full(10, 10.0), atol=1e-6)
    np.testing.assert_allclose(res.pool_use[0, :10], np.full(10, 10.0), atol=1e-6)
    assert res.streams[0].effort_done == pytest.approx(100.0, abs=1e-6)


def test_pool_supply_not_a_whole_number_of_periods():
    # effort 95 at 10/yr: done at 95/10 = 9.5 years. On the grid, 9 periods give 90 < 95, the 10th
    # reaches 100 >= 95 -> complete at year 10.
    plan = make_plan([{"name": "a", "effort": 95}], supply=10, horizon=20)
    assert earliest(plan).objective == pytest.approx(9.5, abs=TOL)
    assert on_grid(plan) == pytest.approx(10.0, abs=TOL)


def test_supply_list_repeats_last_value():
    # supply [5, 10] -> 5, 10, 10, 10, ...; effort 25: cumulative 5, 15, 25 -> year 3.
    # (If the last value did not repeat, nothing could be done after period 1.)
    plan = make_plan([{"name": "a", "effort": 25}], supply=[5, 10], horizon=10)
    np.testing.assert_allclose(planner.resolve(plan).supply[0], [5] + [10] * 9)
    assert earliest(plan).objective == pytest.approx(3.0, abs=TOL)


def test_supply_growth_capped():
    # { start 10, growth 1.0, cap 35 }: 10*2^t capped -> 10, 20, 35, 35, ...
    # effort 60: cumulative 10, 30 by year 2, the last 30 at 35/yr -> 2 + 30/35 = 2.857 years
    # (on the grid: cumulative 10, 30, 65 -> year 3).
    plan = make_plan([{"name": "a", "effort": 60}], supply={"start": 10, "growth": 1.0, "cap": 35},
                     horizon=6)
    np.testing.assert_allclose(planner.resolve(plan).supply[0], [10, 20, 35, 35, 35, 35])
    assert earliest(plan).objective == pytest.approx(2 + 30 / 35, abs=TOL)
    assert on_grid(plan) == pytest.approx(3.0, abs=TOL)


# --- rate cap (min_duration) --------------------------------------------------------------------

def test_rate_cap_min_duration():
    # effort 30, min_duration 3 -> at most 30/3 = 10 effective person-years per year; supply 1000 is
    # irrelevant: 10 per period -> 3 periods -> year 3.
    plan = make_plan([{"name": "a", "effort": 30, "min_duration": 3}], supply=1000, horizon=10)
    res = earliest(plan)
    assert res.objective == pytest.approx(3.0, abs=TOL)
    assert res.allocation.max() <= 10.0 + 1e-6


def test_rate_cap_min_duration_not_a_multiple_of_step():
    # effort 30, min_duration 2.5 -> 12/yr -> done at 30/12 = 2.5 years, the minimum duration.
    # On the grid (step 1): cumulative 12, 24, 36 -> 3 periods -> year 3 (whole periods).
    plan = make_plan([{"name": "a", "effort": 30, "min_duration": 2.5}], supply=1000, horizon=10)
    res = earliest(plan)
    assert res.objective == pytest.approx(2.5, abs=TOL)
    assert on_grid(plan) == pytest.approx(3.0, abs=TOL)
    assert res.allocation.max() <= 12.0 + 1e-6
    assert planner.resolve(plan).rate_cap[0] == pytest.approx(12.0)


def test_rate_cap_is_in_effective_units():
    # effort 30, min_duration 3 -> 10 effective/yr; productivity 0.5 -> up to 20 crew units a year.
    # supply 1000 -> still 10 effective per period -> year 3, using 20 crew units per period.
    plan = make_plan([{"name": "a", "effort": 30, "min_duration": 3, "productivity": 0.5}],
                     supply=1000, horizon=10)
    res = earliest(plan)
    assert res.objective == pytest.approx(3.0, abs=TOL)
    np.testing.assert_allclose(res.allocation[0, :3], [20, 20, 20], atol=1e-6)


# --- productivity -------------------------------------------------------------------------------

def test_productivity_number():
    # productivity 0.5, supply 10 -> 5 effective per period; effort 30 -> 6 periods -> year 6.
    plan = make_plan([{"name": "a", "effort": 30, "productivity": 0.5}], supply=10, horizon=10)
    assert earliest(plan).objective == pytest.approx(6.0, abs=TOL)


def test_productivity_per_period_list_last_value_repeated():
    # productivity [0.5, 1, 2] -> 0.5, 1, 2, 2, 2...; supply 10 -> 5, 10, 20, 20, ...
    # effort 50: cumulative 5, 15 by year 2, the last 35 at 20/yr -> 2 + 35/20 = 3.75 years (on the
    # grid: 5, 15, 35, 55 -> year 4). Were the list padded with 1 it would be 2 + 35/10 = 5.5;
    # padded with 0 it could never finish.
    plan = make_plan([{"name": "a", "effort": 50, "productivity": [0.5, 1, 2]}], supply=10, horizon=8)
    np.testing.assert_allclose(planner.resolve(plan).productivity[0], [0.5, 1, 2, 2, 2, 2, 2, 2])
    assert earliest(plan).objective == pytest.approx(3.75, abs=TOL)
    assert on_grid(plan) == pytest.approx(4.0, abs=TOL)


def test_productivity_zero_period_does_no_work():
    # productivity [0, 0, 1]: nothing counts in periods 0-1; supply 10, effort 20 -> periods 2, 3 -> year 4.
    plan = make_plan([{"name": "a", "effort": 20, "productivity": [0, 0, 1]}], supply=10, horizon=8)
    assert earliest(plan).objective == pytest.approx(4.0, abs=TOL)


# --- max_staff ----------------------------------------------------------------------------------

def test_max_staff():
    # supply 100 but at most 4 crew units at once: effort 20 -> 20/4 = 5 periods -> year 5.
    plan = make_plan([{"name": "a", "effort": 20, "max_staff": 4}], supply=100, horizon=10)
    res = earliest(plan)
    assert res.objective == pytest.approx(5.0, abs=TOL)
    assert res.allocation.max() <= 4.0 + 1e-6


def test_max_staff_and_rate_cap_tighter_wins():
    # rate cap 40/3 ~ 13.3/yr, max_staff 6 -> 6 per period binds; effort 40 -> 40/6 = 6.67 years
    # (on the grid: year 7).
    plan = make_plan([{"name": "a", "effort": 40, "min_duration": 3, "max_staff": 6}],
                     supply=100, horizon=10)
    assert earliest(plan).objective == pytest.approx(40 / 6, abs=TOL)
    assert on_grid(plan) == pytest.approx(7.0, abs=TOL)


# --- release ------------------------------------------------------------------------------------

def test_release_on_period_boundary():
    # release 3: periods 0-2 empty; effort 20 at supply 10 -> periods 3, 4 -> year 5.
    plan = make_plan([{"name": "a", "effort": 20, "release": 3}], supply=10, horizon=10)
    res = earliest(plan)
    assert res.objective == pytest.approx(5.0, abs=TOL)
    np.testing.assert_allclose(res.allocation[0, :3], 0.0, atol=1e-9)
    assert start(res, "a") == pytest.approx(3.0)


def test_release_not_on_period_boundary():
    # release 1.5 read in years: effort 20 at 10/yr from 1.5 -> done at 3.5. On the grid (step 1)
    # the first period whose start t*1 >= 1.5 is t = 2 (start year 2): periods 2, 3 -> year 4.
    plan = make_plan([{"name": "a", "effort": 20, "release": 1.5}], supply=10, horizon=10)
    res = earliest(plan)
    assert res.objective == pytest.approx(3.5, abs=TOL)
    assert start(res, "a") == pytest.approx(1.5)
    grid = planner.solve(plan, refine=False)
    assert grid.grid_objective == pytest.approx(4.0, abs=TOL)
    np.testing.assert_allclose(grid.allocation[0, :2], 0.0, atol=1e-9)
    assert start(grid, "a") == pytest.approx(2.0)


def test_release_frees_supply_for_other_stream():
    # b is released at 2; a (effort 20) and b (effort 20) share supply 10.
    # Best: a in periods 0-1 (done at 2), b in periods 2-3 -> goal at year 4 = 40/10, no idle supply.
    plan = make_plan([{"name": "a", "effort": 20}, {"name": "b", "effort": 20, "release": 2}],
                     supply=10, horizon=10)
    res = earliest(plan)
    assert res.objective == pytest.approx(4.0, abs=TOL)
    assert finish(res, "a") == pytest.approx(2.0)


# --- precedence ---------------------------------------------------------------------------------

def _chain_plan(lag=None, step=1.0, horizon=12):
    # a: effort 20, min_duration 2 -> 10/yr -> 2 years; b: effort 10, min_duration 1 -> 1 year.
    after = ["a"] if lag is None else [{"stream": "a", "lag": lag}]
    return make_plan([{"name": "a", "effort": 20, "min_duration": 2},
                      {"name": "b", "effort": 10, "min_duration": 1, "after": after}],
                     supply=1000, horizon=horizon, step=step)


def test_no_precedence_runs_in_parallel():
    # Without `after` both run at once: max(2, 1) = year 2.
    plan = make_plan([{"name": "a", "effort": 20, "min_duration": 2},
                      {"name": "b", "effort": 10, "min_duration": 1}], supply=1000, horizon=12)
    assert earliest(plan).objective == pytest.approx(2.0, abs=TOL)


def test_precedence_without_lag():
    # a complete by end of period 1 (year 2); b may work in t only if c[a, t-1] = 1 -> t >= 2;
    # b takes one period -> complete at year 3.
    res = earliest(_chain_plan())
    assert res.objective == pytest.approx(3.0, abs=TOL)
    assert finish(res, "a") == pytest.approx(2.0)
    assert start(res, "b") == pytest.approx(2.0)
    np.testing.assert_allclose(res.allocation[1, :2], 0.0, atol=1e-9)


@pytest.mark.parametrize("lag, gap, goal", [
    (0.0, 0, 3.0),   # as above
    (0.5, 1, 4.0),   # ceil(0.5) = 1: b needs c[a, t-2] -> t >= 3 -> b done at 4
    (1.0, 1, 4.0),
    (1.5, 2, 5.0),   # ceil(1.5) = 2: b needs c[a, t-3] -> t >= 4 -> b done at 5
    (2.0, 2, 5.0),
])
def test_precedence_lag_rounds_up_to_whole_periods(lag, gap, goal):
    """On the grid a lag rounds up to whole periods; in continuous time it is read in years: a is
    done at 2, b starts at 2 + lag and takes a year."""
    plan = _chain_plan(lag)
    assert planner.resolve(plan).precedences[0].gap == gap
    grid = planner.solve(plan, refine=False)
    assert grid.grid_objective == pytest.approx(goal, abs=TOL)
    assert start(grid, "b") == pytest.approx(goal - 1.0)
    res = earliest(plan)
    assert res.objective == pytest.approx(2 + lag + 1, abs=TOL)
    assert start(res, "b") == pytest.approx(2 + lag)


def test_precedence_lag_with_half_year_step():
    # step 0.5: a runs at 10/yr -> 5 per period -> 4 periods -> complete at end of period 3 (year 2).
    # lag 0.75 -> ceil(0.75/0.5) = 2 periods: b needs c[a, t-3] -> t >= 6 (year 3.0, not 2.75).
    # b: 10/yr -> 5 per period, effort 10 -> periods 6, 7 -> complete at end of period 7 = year 4.
    # In continuous time the lag is 0.75 years: b starts at 2.75 and is done at 3.75.
    plan = _chain_plan(0.75, step=0.5, horizon=6)
    grid = planner.solve(plan, refine=False)
    assert grid.grid_objective == pytest.approx(4.0, abs=TOL)
    assert start(grid, "b") == pytest.approx(3.0)
    res = earliest(plan)
    assert res.objective == pytest.approx(3.75, abs=TOL)
    assert start(res, "b") == pytest.approx(2.75)


def test_precedence_chain_of_three():
    # a -> b -> c, each effort 10 with min_duration 1 (one period each), supply large:
    # a done at 1, b works period 1 done at 2, c works period 2 done at 3.
    plan = make_plan([{"name": "a", "effort": 10, "min_duration": 1},
                      {"name": "b", "effort": 10, "min_duration": 1, "after": ["a"]},
                      {"name": "c", "effort": 10, "min_duration": 1, "after": ["b"]}],
                     supply=1000, horizon=10)
    res = earliest(plan)
    assert res.objective == pytest.approx(3.0, abs=TOL)
    assert [finish(res, n) for n in "abc"] == pytest.approx([1.0, 2.0, 3.0])


def test_precedence_cannot_fit_in_horizon_is_infeasible():
    # a takes 2 years, lag 2 -> b may start at period 4, done at 5 > horizon 4.
    res = planner.solve(_chain_plan(2.0, horizon=4))
    assert res.status == "infeasible"
    assert res.objective is None


# --- crews drawing on two pools -----------------------------------------------------------------

def test_crew_two_pools_scarcer_binds():
    # crew {theory 1, eng 2}: u <= 10/1 (theory) and u <= 10/2 = 5 (eng) -> 5 crew units per period;
    # effort 30 -> 6 periods -> year 6. Pool use: theory 5, eng 10 in each working period.
    pools = [{"name": "theory", "supply": 10}, {"name": "eng", "supply": 10}]
    plan = make_plan([{"name": "a", "crew": {"theory": 1, "eng": 2}, "effort": 30}],
                     pools=pools, horizon=10)
    res = earliest(plan)
    assert res.objective == pytest.approx(6.0, abs=TOL)
    np.testing.assert_allclose(res.allocation[0, :6], 5.0, atol=1e-6)
    np.testing.assert_allclose(res.pool_use[:, :6], [[5] * 6, [10] * 6], atol=1e-6)


def test_crew_two_pools_other_pool_scarcer():
    # Same crew, theory supply 3 now: u <= min(3/1, 10/2) = 3; effort 30 -> 10 periods -> year 10.
    pools = [{"name": "theory", "supply": 3}, {"name": "eng", "supply": 10}]
    plan = make_plan([{"name": "a", "crew": {"theory": 1, "eng": 2}, "effort": 30}],
                     pools=pools, horizon=12)
    assert earliest(plan).objective == pytest.approx(10.0, abs=TOL)


def test_crew_and_single_pool_stream_share_a_pool():
    # x needs crew {theory 1, eng 1}, effort 20; y uses theory only, effort 20; theory 10, eng 10.
    # Theory is shared: total theory work 20 + 20 = 40 at 10/yr -> at least 4 years, and 4 is
    # reachable (any split of 10 theory per period). Goal at year 4.
    pools = [{"name": "theory", "supply": 10}, {"name": "eng", "supply": 10}]
    plan = make_plan([{"name": "x", "crew": {"theory": 1, "eng": 1}, "effort": 20},
                      {"name": "y", "pool": "theory", "effort": 20}], pools=pools, horizon=10)
    assert earliest(plan).objective == pytest.approx(4.0, abs=TOL)


# --- streams competing for one pool -------------------------------------------------------------

def test_two_streams_compete_for_one_pool():
    # a effort 30, b effort 30, one pool of 10/yr: 60/10 = 6 years for both.
    plan = make_plan([{"name": "a", "effort": 30}, {"name": "b", "effort": 30}], supply=10, horizon=10)
    res = earliest(plan)
    assert res.objective == pytest.approx(6.0, abs=TOL)
    np.testing.assert_allclose(res.pool_use[0, :6], 10.0, atol=1e-6)


def test_competition_decides_probability():
    # a effort 30, b effort 30, supply 10; deadline 4 years. Both by 4 needs 60 > 40: impossible;
    # probability 0. Deadline 6: both fit exactly -> 1.
    streams = [{"name": "a", "effort": 30}, {"name": "b", "effort": 30}]
    for deadline, expected in ((4, 0.0), (6, 1.0)):
        plan = make_plan(streams, supply=10, horizon=10, objective="probability",
                         deadline={"years": deadline})
        res = planner.solve(plan)
        assert res.status == "optimal"
        assert res.objective == pytest.approx(expected, abs=TOL)


# --- goal ---------------------------------------------------------------------------------------

def test_goal_required_subset_ignores_unfinishable_stream():
    # b needs 1000 at 10/yr = 100 years > horizon 20: it can never finish. Only a is required:
    # a alone at 10/yr, effort 10 -> year 1.
    streams = [{"name": "a", "effort": 10}, {"name": "b", "effort": 1000}]
    plan = make_plan(streams, supply=10, horizon=20, goal=["a"])
    res = earliest(plan)
    assert res.objective == pytest.approx(1.0, abs=TOL)
    assert finish(res, "b") is None
    # With the default goal (every stream) the same plan cannot be met inside the horizon.
    assert planner.solve(make_plan(streams, supply=10, horizon=20)).status == "infeasible"


def test_goal_required_subset_probability():
    # Same streams, probability objective, deadline 5: a finishes at 1 <= 5 -> 1.0.
    streams = [{"name": "a", "effort": 10}, {"name": "b", "effort": 1000}]
    plan = make_plan(streams, supply=10, horizon=20, goal=["a"], objective="probability",
                     deadline={"years": 5})
    res = planner.solve(plan)
    assert res.objective == pytest.approx(1.0, abs=TOL)
    assert res.success_probability == pytest.approx(1.0, abs=TOL)


def test_goal_required_is_the_later_of_the_required():
    # a effort 10, b effort 40 (both required), c effort 50 not required; supply 10 -> a and b
    # together need 50/10 = 5 years; c is ignored.
    streams = [{"name": "a", "effort": 10}, {"name": "b", "effort": 40}, {"name": "c", "effort": 50}]
    plan = make_plan(streams, supply=10, horizon=20, goal=["a", "b"])
    assert earliest(plan).objective == pytest.approx(5.0, abs=TOL)


# --- step and horizon ---------------------------------------------------------------------------

def test_step_half_year():
    # step 0.5, horizon 10 -> H = 20 periods starting 0, 0.5, ..., 9.5.
    # supply 10/yr -> 10 * 0.5 = 5 per period; effort 23 -> ceil(23/5) = 5 periods -> year 2.5 on
    # the grid; in continuous time 23/10 = 2.3 years.
    plan = make_plan([{"name": "a", "effort": 23}], supply=10, horizon=10, step=0.5)
    inst = planner.resolve(plan)
    assert inst.periods == 20
    np.testing.assert_allclose(inst.starts, np.arange(20) * 0.5)
    res = earliest(plan)
    assert res.objective == pytest.approx(2.3, abs=TOL)
    assert on_grid(plan) == pytest.approx(2.5, abs=TOL)
    assert res.allocation.shape == (1, 20)


def test_step_two_years_completion_is_multiple_of_step():
    """On the grid a completion is a multiple of the step; the answer is not."""
    # step 2, supply 10/yr -> 20 per period; effort 25 -> 2 periods -> year 4 on the grid (not 2.5);
    # in continuous time 25/10 = 2.5 years.
    plan = make_plan([{"name": "a", "effort": 25}], supply=10, horizon=10, step=2)
    assert planner.resolve(plan).periods == 5
    grid = on_grid(plan)
    assert grid == pytest.approx(4.0, abs=TOL)
    assert math.isclose(grid / 2, round(grid / 2), abs_tol=1e-9)
    assert earliest(plan).objective == pytest.approx(2.5, abs=TOL)


def test_step_two_years_rate_cap():
    # step 2, effort 30, min_duration 3 -> 10/yr -> 20 per period -> 2 periods -> year 4 on the
    # grid; in continuous time 30/10 = 3 years, the minimum duration.
    plan = make_plan([{"name": "a", "effort": 30, "min_duration": 3}], supply=1000, horizon=10, step=2)
    assert earliest(plan).objective == pytest.approx(3.0, abs=TOL)
    assert on_grid(plan) == pytest.approx(4.0, abs=TOL)


def test_horizon_not_a_multiple_of_step():
    # horizon 9, step 2 -> H = ceil(4.5) = 5 periods, the last one ending at year 10.
    # supply 10/yr -> 20 per period; effort 90 -> 5 periods (90/20 = 4.5) -> year 10 on the grid,
    # feasible; in continuous time 90/10 = 9 years.
    plan = make_plan([{"name": "a", "effort": 90}], supply=10, horizon=9, step=2)
    inst = planner.resolve(plan)
    assert inst.periods == 5
    np.testing.assert_allclose(inst.starts, [0, 2, 4, 6, 8])
    assert earliest(plan).objective == pytest.approx(9.0, abs=TOL)
    assert on_grid(plan) == pytest.approx(10.0, abs=TOL)
    # effort 110 needs 5.5 periods > H = 5 (11 years > 10): infeasible.
    assert planner.solve(make_plan([{"name": "a", "effort": 110}], supply=10, horizon=9, step=2)
                         ).status == "infeasible"


def test_horizon_not_a_multiple_of_step_three():
    # horizon 10, step 3 -> H = ceil(10/3) = 4 periods (starts 0, 3, 6, 9).
    plan = make_plan([{"name": "a", "effort": 5}], supply=1, horizon=10, step=3)
    inst = planner.resolve(plan)
    assert inst.periods == 4
    # 3 per period, effort 5 -> 2 periods -> year 6 on the grid; 5/1 = 5 years in continuous time.
    assert earliest(plan).objective == pytest.approx(5.0, abs=TOL)
    assert on_grid(plan) == pytest.approx(6.0, abs=TOL)


def test_supply_from_csv_file(tmp_path):
    # A CSV of calendar years; each period takes the latest row at or before its start (2026 + t):
    # rows 2026: 5, 2027.5: 15, 2029: 20 -> periods 2026: 5, 2027: 5, 2028: 15, 2029: 20, 2030: 20...
    # effort 45: cumulative 5, 10, 25, 45 -> year 4.
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "fte.csv").write_text("year,fte\n2026,5\n2027.5,15\n2029,20\n")
    (tmp_path / "plan.toml").write_text(
        '[plan]\nhorizon = 6\nobjective = "earliest"\n\n'
        '[[pools]]\nname = "p"\nsupply = { file = "data/fte.csv", column = "fte" }\n\n'
        '[[streams]]\nname = "a"\npool = "p"\neffort = 45\n')
    plan = planner.load(tmp_path / "plan.toml")
    np.testing.assert_allclose(planner.resolve(plan).supply[0], [5, 5, 15, 20, 20, 20])
    assert earliest(plan).objective == pytest.approx(4.0, abs=TOL)


def test_fine_step_release_and_lag():
    # step 0.1 (float noise in t*step): supply 10/yr -> 1 per period; a (effort 1) done at 0.1;
    # b after a with lag 0.3 -> ceil(0.3/0.1) = 3 periods: b needs c[a, t-4] -> t >= 4 (year 0.4),
    # effort 1 -> done at 0.5. c (own pool) released at 0.3 -> first period t = 3; effort 2 needs
    # periods 3 and 4 in full to be done by 0.5, so it starts at 0.3 exactly.
    plan = make_plan([{"name": "a", "effort": 1},
                      {"name": "b", "effort": 1, "after": [{"stream": "a", "lag": 0.3}]},
                      {"name": "c", "effort": 2, "release": 0.3, "pool": "q"}],
                     pools=[{"name": "p", "supply": 10}, {"name": "q", "supply": 10}],
                     horizon=3, step=0.1)
    res = earliest(plan)
    assert res.objective == pytest.approx(0.5, abs=TOL)
    assert start(res, "b") == pytest.approx(0.4, abs=1e-9)
    assert start(res, "c") == pytest.approx(0.3, abs=1e-9)
    assert finish(res, "c") == pytest.approx(0.5, abs=1e-9)
    np.testing.assert_allclose(res.allocation[2, :3], 0.0, atol=1e-9)
