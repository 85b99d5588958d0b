"""Every deadline form and every objective, against hand arithmetic and an independent CDF.

Most plans use one stream whose completion time T is fixed by its rate cap alone
(effort 10*T, min_duration T, ample supply -> 10 per year -> exactly T years, never sooner), so the
best success probability is P(deadline allows completion at T) and can be worked out directly.
"""
from __future__ import annotations

import functools

import itertools
import math

import numpy as np
import pytest

import planner
import plans
from planner.instance import deadlines

TOL = 1e-6


make_plan = functools.partial(plans.make_plan, objective="probability")
solved, lognormal_cdf = plans.solved, plans.lognormal_cdf


def fixed_time_plan(T, deadline, *, horizon=40, step=1.0, **kw):
    """One stream that completes at exactly T years (T a multiple of step): rate cap 10/yr."""
    return make_plan([{"name": "work", "effort": 10 * T, "min_duration": T}], supply=1e4,
                     horizon=horizon, step=step, deadline=deadline, **kw)


def percentile_cdf(x, points):
    """My own piecewise-linear CDF from (0, 0) through the points, flat after the last one."""
    pts = [(0.0, 0.0)] + [tuple(p) for p in points]
    if x <= 0:
        return 0.0
    for (x0, p0), (x1, p1) in zip(pts, pts[1:]):
        if x <= x1:
            return p0 + (p1 - p0) * (x - x0) / (x1 - x0)
    return pts[-1][1]


# --- fixed deadlines ----------------------------------------------------------------------------

@pytest.mark.parametrize("years, expected", [
    (15, 1.0),     # done at 15, deadline 15: 15 <= 15, met
    (15.5, 1.0),   # 15 <= 15.5
    (14.9, 0.0),   # work done at 15 misses a deadline at 14.9
    (14, 0.0),
])
def test_deadline_years(years, expected):
    res = solved(fixed_time_plan(15, {"years": years}))
    assert res.objective == pytest.approx(expected, abs=TOL)
    assert res.success_probability == pytest.approx(expected, abs=TOL)


@pytest.mark.parametrize("start_year, year, expected", [
    (2030, 2045, 1.0),    # 2045 - 2030 = 15 years -> done at 15 counts
    (2030, 2044, 0.0),    # 14 years -> misses
    (2030, 2044.5, 0.0),  # 14.5 years < 15 -> misses
    (None, 2041, 1.0),    # default start_year 2026: 15 years
    (None, 2040, 0.0),    # 14 years
])
def test_deadline_calendar_year(start_year, year, expected):
    plan = fixed_time_plan(15, {"year": year}, start_year=start_year)
    res = solved(plan)
    assert res.objective == pytest.approx(expected, abs=TOL)


def test_deadline_years_step_two():
    # step 2, deadline 3 years: T = 2 (effort 20 at 10/yr, done at 2.0 <= 3) -> 1; T = 4 -> 0.
    assert solved(fixed_time_plan(2, {"years": 3}, step=2, horizon=10)).objective == pytest.approx(1.0)
    assert solved(fixed_time_plan(4, {"years": 3}, step=2, horizon=10)).objective == pytest.approx(0.0)


# --- scenarios ----------------------------------------------------------------------------------

def test_deadline_scenarios():
    # Goal needs 15 years: met when D = 20 (0.5) or D = 30 (0.3), not when D = 10 -> 0.8.
    sc = [[10, 0.2], [20, 0.5], [30, 0.3]]
    res = solved(fixed_time_plan(15, {"scenarios": sc}))
    assert res.objective == pytest.approx(0.5 + 0.3, abs=TOL)
    # Goal needing 10 years meets all three -> 1.0; needing 25 -> only D = 30 -> 0.3.
    assert solved(fixed_time_plan(10, {"scenarios": sc})).objective == pytest.approx(1.0, abs=TOL)
    assert solved(fixed_time_plan(25, {"scenarios": sc})).objective == pytest.approx(0.3, abs=TOL)


def test_deadline_scenarios_labour_binds():
    # Not a fixed time: effort 150 at supply 10/yr -> 15 years at best -> 0.8 again.
    sc = [[10, 0.2], [20, 0.5], [30, 0.3]]
    plan = make_plan([{"name": "a", "effort": 150}], supply=10, horizon=40, deadline={"scenarios": sc})
    assert solved(plan).objective == pytest.approx(0.8, abs=TOL)


def test_deadline_scenarios_past_horizon_count_as_horizon_end():
    # Horizon 20. D = 25 and D = 100 count as 20: work done at 20 meets them (0.5 + 0.3 = 0.8);
    # D = 10 is missed.
    sc = [[10, 0.2], [25, 0.5], [100, 0.3]]
    assert solved(fixed_time_plan(20, {"scenarios": sc}, horizon=20)).objective == pytest.approx(0.8)
    # Work that would need 21 years (beyond the 20-year horizon) meets none of them.
    assert solved(fixed_time_plan(21, {"scenarios": sc}, horizon=20)).objective == pytest.approx(0.0)


def test_deadline_scenario_shorter_than_one_step_never_met():
    # D = 0.5: work that takes one year (rate cap 10/yr) is done at 1.0 > 0.5 -> only D = 5 (0.6).
    sc = [[0.5, 0.4], [5, 0.6]]
    assert solved(fixed_time_plan(1, {"scenarios": sc}, horizon=10)).objective == pytest.approx(0.6)


# --- distributions ------------------------------------------------------------------------------

@pytest.mark.parametrize("T", [1, 8, 15, 20, 33])
def test_lognormal(T):
    # Completion at T (a whole number of steps): P = sum_{k >= T} scenarios = 1 - F(T).
    dist = {"kind": "lognormal", "median": 20, "sigma": 0.8}
    res = solved(fixed_time_plan(T, {"distribution": dist}, horizon=40))
    assert res.objective == pytest.approx(1 - lognormal_cdf(T, 20, 0.8), abs=TOL)


def test_lognormal_step_two():
    # step 2, T = 16 -> 1 - F(16).
    dist = {"kind": "lognormal", "median": 12, "sigma": 0.5}
    res = solved(fixed_time_plan(16, {"distribution": dist}, horizon=30, step=2))
    assert res.objective == pytest.approx(1 - lognormal_cdf(16, 12, 0.5), abs=TOL)


def test_lognormal_discretisation_matches_own():
    # Scenario k*step carries F((k+1)step) - F(k step) for k = 1..H-1; tail 1 - F(H step) at H step;
    # the mass below one step (F(step)) can never be met.
    dist_d = {"kind": "lognormal", "median": 7, "sigma": 0.6}
    plan = fixed_time_plan(3, {"distribution": dist_d}, horizon=15, step=1.5)
    H = 10
    years, probs = deadlines.scenarios(plan.deadline, start_year=2026, periods=H, step=1.5)
    F = [lognormal_cdf(k * 1.5, 7, 0.6) for k in range(H + 1)]
    assert probs.sum() == pytest.approx(1.0, abs=1e-12)
    for k in range(1, H):
        mask = np.isclose(years, k * 1.5)
        assert probs[mask].sum() == pytest.approx(F[k + 1] - F[k], abs=1e-12)
    assert probs[np.isclose(years, H * 1.5)].sum() == pytest.approx(1 - F[H], abs=1e-12)
    # The weight of period t (P(goal must be met by its end)) at index 0 is scenario k = 1's mass.
    w = planner.resolve(plan).weights
    np.testing.assert_allclose(w[:-1], [F[k + 1] - F[k] for k in range(1, H)], atol=1e-12)
    assert w[-1] == pytest.approx(1 - F[H], abs=1e-12)
    # Planner's own cdf agrees with mine.
    xs = np.array([0.5, 3.0, 7.0, 20.0])
    np.testing.assert_allclose(deadlines.cdf(plan.deadline.distribution, xs),
                               [lognormal_cdf(x, 7, 0.6) for x in xs], atol=1e-12)
    # T = 3 (two periods of 1.5): 1 - F(3).
    assert solved(plan).objective == pytest.approx(1 - F[2], abs=TOL)


def test_lognormal_mass_below_one_step_never_met():
    # median 0.5 years: most deadlines fall inside the first year. Work done at 1 year meets only
    # D >= 1: P = 1 - F(1) = 1 - Phi(ln 2 / 0.5).
    dist = {"kind": "lognormal", "median": 0.5, "sigma": 0.5}
    expected = 1 - 0.5 * (1 + math.erf(math.log(2) / 0.5 / math.sqrt(2)))
    res = solved(fixed_time_plan(1, {"distribution": dist}, horizon=10))
    assert res.objective == pytest.approx(expected, abs=TOL)


POINTS = [[5, 0.1], [20, 0.5], [30, 0.6]]


@pytest.mark.parametrize("T, expected", [
    (3, 1 - 0.1 * 3 / 5),                  # F(3) = 0.06
    (10, 1 - (0.1 + 0.4 * 5 / 15)),        # F(10) = 0.1 + 0.4*(10-5)/(20-5) = 0.2333
    (25, 1 - (0.5 + 0.1 * 5 / 10)),        # F(25) = 0.55
    (30, 1 - 0.6),
    (35, 0.4),                             # flat after 30: the remaining 0.4 is "no deadline"
    (40, 0.4),                             # ...which counts as the horizon's end: done at 40 counts
])
def test_percentiles(T, expected):
    assert expected == pytest.approx(1 - percentile_cdf(T, POINTS))  # my two routes agree
    res = solved(fixed_time_plan(T, {"distribution": {"kind": "percentiles", "points": POINTS}},
                                 horizon=40))
    assert res.objective == pytest.approx(expected, abs=TOL)


def test_percentiles_cdf_shape():
    dist = planner.from_dict({"plan": {"horizon": 5}, "pools": [{"name": "p", "supply": 1}],
                              "streams": [{"name": "s", "pool": "p", "effort": 1}],
                              "deadline": {"distribution": {"kind": "percentiles", "points": POINTS}}}
                             ).deadline.distribution
    xs = np.array([0.0, 2.5, 5.0, 12.5, 20.0, 30.0, 31.0, 1000.0])
    np.testing.assert_allclose(deadlines.cdf(dist, xs), [0, 0.05, 0.1, 0.3, 0.5, 0.6, 0.6, 0.6])


def test_p_never_percentiles():
    # G = (1 - p_never) F. points (10, 0.5), (20, 1.0), p_never 0.2; T = 15:
    # F(15) = 0.75, G(15) = 0.6 -> P = 0.4.
    d = {"distribution": {"kind": "percentiles", "points": [[10, 0.5], [20, 1.0]]}, "p_never": 0.2}
    res = solved(fixed_time_plan(15, d, horizon=30))
    assert res.objective == pytest.approx(1 - 0.8 * 0.75, abs=TOL)


def test_p_never_in_tail():
    # Horizon 20, percentiles (10, 0.5), (40, 1.0), p_never 0.1.
    # G(20) = 0.9 * (0.5 + 0.5 * 10/30) = 0.6; tail at 20 = 1 - G(20) = 0.4, which includes p_never.
    d = {"distribution": {"kind": "percentiles", "points": [[10, 0.5], [40, 1.0]]}, "p_never": 0.1}
    plan = fixed_time_plan(20, d, horizon=20)
    years, probs = deadlines.scenarios(plan.deadline, start_year=2026, periods=20, step=1.0)
    assert probs.sum() == pytest.approx(1.0, abs=1e-12)
    assert probs[np.isclose(years, 20.0)].sum() == pytest.approx(0.4, abs=1e-12)
    # Work done at exactly the horizon's end meets only the tail.
    assert solved(plan).objective == pytest.approx(0.4, abs=TOL)
    # Work done at 12: 1 - G(12) = 1 - 0.9 * (0.5 + 0.5 * 2/30) = 0.52.
    assert solved(fixed_time_plan(12, d, horizon=20)).objective == pytest.approx(
        1 - 0.9 * (0.5 + 0.5 * 2 / 30), abs=TOL)


def test_p_never_lognormal():
    # G = 0.9 F: T = 15 -> 1 - 0.9 F(15); horizon 20: the tail is 1 - 0.9 F(20) (p_never included).
    d = {"distribution": {"kind": "lognormal", "median": 20, "sigma": 0.8}, "p_never": 0.1}
    res = solved(fixed_time_plan(15, d, horizon=20))
    assert res.objective == pytest.approx(1 - 0.9 * lognormal_cdf(15, 20, 0.8), abs=TOL)
    res = solved(fixed_time_plan(20, d, horizon=20))
    assert res.objective == pytest.approx(1 - 0.9 * lognormal_cdf(20, 20, 0.8), abs=TOL)
    assert res.objective == pytest.approx(0.1 + 0.9 * 0.5, abs=TOL)  # F(median) = 1/2


def test_p_never_one_is_always_success_inside_horizon():
    d = {"distribution": {"kind": "lognormal", "median": 2, "sigma": 0.3}, "p_never": 1.0}
    assert solved(fixed_time_plan(10, d, horizon=10)).objective == pytest.approx(1.0, abs=TOL)
    # ...but work that cannot finish inside the horizon still fails.
    assert solved(fixed_time_plan(11, d, horizon=10)).objective == pytest.approx(0.0, abs=TOL)


# --- deadlines past the horizon, and shorter than one step --------------------------------------

def test_fixed_deadline_past_horizon():
    # D = 100 counts as the horizon's end (20): done at 20 -> 1; needing 21 years -> 0.
    assert solved(fixed_time_plan(20, {"years": 100}, horizon=20)).objective == pytest.approx(1.0)
    res = solved(fixed_time_plan(21, {"years": 100}, horizon=20))
    assert res.objective == pytest.approx(0.0, abs=TOL)
    assert res.goal_completion_years is None


def test_fixed_deadline_past_horizon_labour_bound():
    # effort 250 at 10/yr needs 25 years > horizon 20: 0 whatever the far deadline.
    plan = make_plan([{"name": "a", "effort": 250}], supply=10, horizon=20, deadline={"years": 30})
    assert solved(plan).objective == pytest.approx(0.0, abs=TOL)


def test_deadline_past_horizon_not_a_multiple_of_step():
    """The horizon ends at H * step, not at `horizon`, and a far deadline counts as that end.

    Read in continuous time (docs/model.md, "Continuous time"): the goal is met at the moment the
    work is done, and it is in time if that moment is at or before the deadline."""
    # horizon 9, step 2 -> H = 5 periods ending at year 10 (= H * step, the horizon's end).
    # effort 95 at 10/yr -> done at 95 / 10 = 9.5 years: past `horizon` (9), inside H * step (10).
    # D = 100 counts as 10 -> 9.5 <= 10 -> met: 1.0. D = 9.5 -> 9.5 <= 9.5 -> 1.0.
    # D = 9.4 -> 9.5 > 9.4 -> 0.0.
    def plan(years):
        return make_plan([{"name": "a", "effort": 95}], supply=10, horizon=9, step=2, deadline={"years": years})
    far = solved(plan(100))
    assert far.goal_completion_years == pytest.approx(9.5, abs=TOL)
    assert far.objective == pytest.approx(1.0, abs=TOL)
    assert solved(plan(9.5)).objective == pytest.approx(1.0, abs=TOL)
    assert solved(plan(9.4)).objective == pytest.approx(0.0, abs=TOL)


@pytest.mark.parametrize("step, years", [(1.0, 0.5), (2.0, 1.5), (0.5, 0.25)])
def test_deadline_shorter_than_one_step(step, years):
    """On the grid a deadline shorter than one step is never met (the first period ends after
    it); in continuous time (docs/model.md, "Continuous time") work done before it meets it."""
    def plan(takes):  # rate cap 10/yr: done at exactly `takes` years
        return make_plan([{"name": "a", "effort": 10 * takes, "min_duration": takes}], supply=1e4,
                         horizon=10, step=step, deadline={"years": years})
    # work taking the whole first period is done at `step` > `years`: missed
    assert solved(plan(step)).objective == pytest.approx(0.0, abs=TOL)
    # work taking half the deadline is done at years / 2 <= years: met, though not on the grid
    quick = planner.solve(plan(years / 2), refine=False)
    assert quick.goal_completion_years == pytest.approx(years / 2, abs=TOL)
    assert quick.objective == pytest.approx(1.0, abs=TOL)
    assert quick.grid_objective == pytest.approx(0.0, abs=TOL)


# --- objectives ---------------------------------------------------------------------------------

def test_earliest_objective():
    # effort 70 at 10/yr -> 7 years; the deadline is irrelevant to "earliest".
    plan = make_plan([{"name": "a", "effort": 70}], supply=10, horizon=10, objective="earliest",
                     deadline={"years": 3})
    res = solved(plan)
    assert res.objective_kind == "earliest"
    assert res.objective == pytest.approx(7.0, abs=TOL)
    assert res.goal_completion_years == pytest.approx(7.0, abs=TOL)
    assert res.success_probability == pytest.approx(0.0, abs=TOL)  # 7 > 3


def test_earliest_without_deadline():
    plan = make_plan([{"name": "a", "effort": 70}], supply=10, horizon=10, objective="earliest")
    assert solved(plan).objective == pytest.approx(7.0, abs=TOL)


def test_earliest_infeasible_by_labour():
    # effort 1000 at 10/yr needs 100 years > horizon 20.
    plan = make_plan([{"name": "a", "effort": 1000}], supply=10, horizon=20, objective="earliest")
    res = planner.solve(plan)
    assert res.status == "infeasible"
    assert res.objective is None
    assert "horizon" in res.message


def test_earliest_infeasible_by_structure():
    # min_duration 30 > horizon 20: no labour helps.
    plan = make_plan([{"name": "a", "effort": 30, "min_duration": 30}], supply=1e4, horizon=20,
                     objective="earliest")
    res = planner.solve(plan)
    assert res.status == "infeasible"
    assert "horizon" in res.message


def test_earliest_infeasible_by_competition():
    # a and b each fit alone (60 at 10/yr = 6 years <= 10) but together need 12 > 10.
    plan = make_plan([{"name": "a", "effort": 60}, {"name": "b", "effort": 60}], supply=10,
                     horizon=10, objective="earliest")
    assert planner.solve(plan).status == "infeasible"


def test_probability_objective_two_streams_scenarios():
    # a effort 30 and b effort 30 on one pool of 10/yr: both done by 6 at best.
    # Scenarios D = 4 (0.3), 6 (0.5), 9 (0.2) -> 0.5 + 0.2 = 0.7.
    plan = make_plan([{"name": "a", "effort": 30}, {"name": "b", "effort": 30}], supply=10,
                     horizon=12, deadline={"scenarios": [[4, 0.3], [6, 0.5], [9, 0.2]]})
    assert solved(plan).objective == pytest.approx(0.7, abs=TOL)


def _best_value_single_pool(efforts, values, supply, scenarios):
    """Independent route: on one pool without caps, doing streams one after another at full supply in
    some order is optimal (any schedule's completion order, done serially, finishes each no later).
    Enumerate every ordered subset; completion at the end of the period the running total is reached."""
    names = list(efforts)
    best = 0.0
    for r in range(len(names) + 1):
        for order in itertools.permutations(names, r):
            total, done = 0.0, {}
            for n in order:
                total += efforts[n]
                done[n] = math.ceil(total / supply - 1e-9)
            v = sum(p * sum(values[n] for n in done if done[n] <= D) for D, p in scenarios)
            best = max(best, v)
    return best


def test_value_objective_ordering_trade_off():
    # One pool of 10/yr. A: effort 50, value 10; B: 30, value 6; C: 40, value 9.
    # Deadlines: 3 (0.3), 5 (0.3), 9 (0.4).
    #   B first (done 3), then A (done 8): 0.3*6 + 0.3*6 + 0.4*16 = 10.0
    #   C first (done 4), then A (done 9): 0.3*9 + 0.4*19 = 10.3
    #   A first (done 5), then C (done 9): 0.3*10 + 0.4*19 = 10.6   <- best
    # So the optimum is neither "quickest first" (B) nor the value-per-effort order.
    efforts, values = {"A": 50, "B": 30, "C": 40}, {"A": 10, "B": 6, "C": 9}
    sc = [[3, 0.3], [5, 0.3], [9, 0.4]]
    assert _best_value_single_pool(efforts, values, 10, sc) == pytest.approx(10.6)
    plan = make_plan([{"name": n, "effort": efforts[n], "value": values[n]} for n in "ABC"],
                     supply=10, horizon=12, objective="value", deadline={"scenarios": sc})
    res = solved(plan)
    assert res.objective_kind == "value"
    assert res.objective == pytest.approx(10.6, abs=TOL)
    assert res.streams[0].finish_years == pytest.approx(5.0)   # A done at 5
    assert res.streams[2].finish_years == pytest.approx(9.0)   # C done at 9


def test_value_objective_knapsack():
    # Deadline 5, one pool of 10/yr -> 50 effective person-years before the deadline.
    # A (50, value 10) alone -> 10; B (20, value 3) + C (30, value 8) -> 11 <- best.
    efforts, values = {"A": 50, "B": 20, "C": 30}, {"A": 10, "B": 3, "C": 8}
    assert _best_value_single_pool(efforts, values, 10, [[5, 1.0]]) == pytest.approx(11.0)
    plan = make_plan([{"name": n, "effort": efforts[n], "value": values[n]} for n in "ABC"],
                     supply=10, horizon=10, objective="value", deadline={"years": 5})
    assert solved(plan).objective == pytest.approx(11.0, abs=TOL)


def test_value_objective_two_streams_different_deadlines_weights():
    # Two streams compete for 10/yr. X: effort 40, value 3. Y: effort 60, value 5.
    # Deadlines 4 (0.5) and 10 (0.5).
    #   X first: X at 4, Y at 10 -> 0.5*3 + 0.5*8 = 5.5   <- best
    #   Y first: Y at 6, X at 10 -> 0 + 0.5*8 = 4.0
    # (Y alone is worth more, but X first catches the early deadline.)
    efforts, values = {"X": 40, "Y": 60}, {"X": 3, "Y": 5}
    sc = [[4, 0.5], [10, 0.5]]
    assert _best_value_single_pool(efforts, values, 10, sc) == pytest.approx(5.5)
    plan = make_plan([{"name": n, "effort": efforts[n], "value": values[n]} for n in "XY"],
                     supply=10, horizon=12, objective="value", deadline={"scenarios": sc})
    assert solved(plan).objective == pytest.approx(5.5, abs=TOL)


def test_value_objective_with_distribution():
    # One stream done at T = 10, value 4; lognormal deadlines: value = 4 * (1 - F(10)).
    dist = {"kind": "lognormal", "median": 12, "sigma": 0.4}
    plan = make_plan([{"name": "a", "effort": 100, "min_duration": 10, "value": 4}], supply=1e4,
                     horizon=30, objective="value", deadline={"distribution": dist})
    assert solved(plan).objective == pytest.approx(4 * (1 - lognormal_cdf(10, 12, 0.4)), abs=TOL)


def test_value_objective_counts_non_required_streams():
    # The goal names only A, but value counts every stream: B (value 2) done by the deadline counts.
    # supply 10: A (10) and B (10) both fit by deadline 2 -> 1 + 2 = 3.
    plan = make_plan([{"name": "A", "effort": 10, "value": 1}, {"name": "B", "effort": 10, "value": 2}],
                     supply=10, horizon=5, objective="value", deadline={"years": 2}, goal=["A"])
    assert solved(plan).objective == pytest.approx(3.0, abs=TOL)
