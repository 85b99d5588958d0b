"""Interventions: deadline shifts, supply and productivity changes with windows, `compare`, and
re-solving a built `Model` after `update()`. Expected values are hand arithmetic."""
from __future__ import annotations

import functools

import math

import numpy as np
import pytest

import planner
import plans
from planner.instance import deadlines

TOL = 1e-6


make_plan = functools.partial(plans.make_plan, objective="probability")
solved, lognormal_cdf = plans.solved, plans.lognormal_cdf


def fixed_time_plan(T, deadline, interventions, *, horizon=40, step=1.0, **kw):
    """One stream that completes at exactly T years: effort 10*T, min_duration T, ample supply."""
    return make_plan([{"name": "work", "effort": 10 * T, "min_duration": T}], supply=1e4,
                     horizon=horizon, step=step, deadline=deadline, interventions=interventions, **kw)


def essay_toy():
    """MODEL.md's reference case, built here: 900 parallel person-years (5-year chunks at 5%
    productivity, up to 1800 people) and four 25-year serial streams of effort 25; deadline 26;
    capabilities work moves it 2 years earlier and triples the researchers."""
    serial = [{"name": f"serial-{c}", "effort": 25, "min_duration": 25} for c in "abcd"]
    return make_plan([{"name": "parallel", "effort": 900, "min_duration": 5, "productivity": 0.05}] + serial,
                     supply=1800, horizon=40, deadline={"years": 26},
                     interventions=[{"name": "capabilities work", "deadline_shift": -2,
                                     "supply": [{"pool": "p", "multiply": 3.0}]}])


# --- deadline_shift -----------------------------------------------------------------------------

def test_deadline_shift_negative_fixed():
    # Work done at 10; deadline 10 -> 1. Shifted by -1 -> 9 -> 0. Shifted by -0.5 -> 9.5 -> floor 9 -> 0.
    plan = fixed_time_plan(10, {"years": 10}, [{"name": "earlier", "deadline_shift": -1},
                                               {"name": "half", "deadline_shift": -0.5}])
    assert solved(plan).objective == pytest.approx(1.0, abs=TOL)
    assert solved(plan, "earlier").objective == pytest.approx(0.0, abs=TOL)
    assert solved(plan, "half").objective == pytest.approx(0.0, abs=TOL)


def test_deadline_shift_positive_fixed():
    # Work done at 10; deadline 9 -> 0; shifted +1 -> 10 -> 1.
    plan = fixed_time_plan(10, {"years": 9}, [{"name": "later", "deadline_shift": 1}])
    assert solved(plan).objective == pytest.approx(0.0, abs=TOL)
    assert solved(plan, "later").objective == pytest.approx(1.0, abs=TOL)


def test_deadline_shift_calendar_year():
    # start 2030, deadline year 2040 -> 10 years; shift -3 -> 7: done at 8 misses, done at 7 meets.
    iv = [{"name": "earlier", "deadline_shift": -3}]
    assert solved(fixed_time_plan(8, {"year": 2040}, iv, start_year=2030)).objective == pytest.approx(1.0)
    assert solved(fixed_time_plan(8, {"year": 2040}, iv, start_year=2030), "earlier").objective == \
        pytest.approx(0.0, abs=TOL)
    assert solved(fixed_time_plan(7, {"year": 2040}, iv, start_year=2030), "earlier").objective == \
        pytest.approx(1.0, abs=TOL)


def test_deadline_shift_scenarios():
    # Work done at 10; scenarios 8 (0.5), 12 (0.5) -> 0.5.
    # +2 -> 10, 14 -> 1.0; -3 -> 5, 9 -> 0.0; -2 -> 6, 10 -> 0.5.
    plan = fixed_time_plan(10, {"scenarios": [[8, 0.5], [12, 0.5]]},
                           [{"name": "plus2", "deadline_shift": 2}, {"name": "minus3", "deadline_shift": -3},
                            {"name": "minus2", "deadline_shift": -2}])
    assert solved(plan).objective == pytest.approx(0.5, abs=TOL)
    assert solved(plan, "plus2").objective == pytest.approx(1.0, abs=TOL)
    assert solved(plan, "minus3").objective == pytest.approx(0.0, abs=TOL)
    assert solved(plan, "minus2").objective == pytest.approx(0.5, abs=TOL)


def test_deadline_shift_percentiles_shifted_before_discretising():
    # Uniform deadline on (0, 20] (one point (20, 1)). Work done at 10: P(D >= 10) = 0.5.
    # Shift -4: D' = D - 4, P(D' >= 10) = P(D >= 14) = 0.3.  Shift +5: P(D >= 5) = 0.75.
    dist = {"kind": "percentiles", "points": [[20, 1.0]]}
    plan = fixed_time_plan(10, {"distribution": dist}, [{"name": "m4", "deadline_shift": -4},
                                                         {"name": "p5", "deadline_shift": 5}],
                           horizon=30)
    assert solved(plan).objective == pytest.approx(0.5, abs=TOL)
    assert solved(plan, "m4").objective == pytest.approx(0.3, abs=TOL)
    assert solved(plan, "p5").objective == pytest.approx(0.75, abs=TOL)
    # The shifted discretisation: scenario k carries F(k+1 - s) - F(k - s); with s = -4 the CDF of
    # D' is (x + 4)/20 up to 16, so every scenario k = 1..15 carries 1/20 and k >= 16 nothing.
    years, probs = deadlines.scenarios(plan.deadline, start_year=2026, periods=30, step=1.0, shift=-4)
    assert probs.sum() == pytest.approx(1.0)
    for k in range(1, 30):
        assert probs[np.isclose(years, k)].sum() == pytest.approx(0.05 if k <= 15 else 0.0, abs=1e-12)


def test_deadline_shift_lognormal():
    # Work done at 12, lognormal median 15 sigma 0.5; shift +3: P(D + 3 >= 12) = 1 - F(9);
    # shift -3: 1 - F(15) = 0.5.
    dist = {"kind": "lognormal", "median": 15, "sigma": 0.5}
    plan = fixed_time_plan(12, {"distribution": dist}, [{"name": "p3", "deadline_shift": 3},
                                                         {"name": "m3", "deadline_shift": -3}],
                           horizon=40)
    assert solved(plan).objective == pytest.approx(1 - lognormal_cdf(12, 15, 0.5), abs=TOL)
    assert solved(plan, "p3").objective == pytest.approx(1 - lognormal_cdf(9, 15, 0.5), abs=TOL)
    assert solved(plan, "m3").objective == pytest.approx(0.5, abs=TOL)


# --- supply changes -----------------------------------------------------------------------------

def _supply_plan(interventions, effort=100, horizon=20, step=1.0):
    return make_plan([{"name": "a", "effort": effort}], supply=10, horizon=horizon, step=step,
                     objective="earliest", interventions=interventions)


@pytest.mark.parametrize("change, supply, goal", [
    ({"multiply": 2.0}, 20, 5.0),                # 100 / 20 = 5
    ({"add": 5.0}, 15, 100 / 15),                # 100 / 15 = 6.67 years, read in continuous time
    ({"multiply": 2.0, "add": 5.0}, 25, 4.0),    # 10*2 + 5 = 25 -> 100/25 = 4
    ({"multiply": 0.5}, 5, 20.0),                # 100 / 5 = 20, exactly the horizon
])
def test_supply_multiply_and_add(change, supply, goal):
    plan = _supply_plan([{"name": "iv", "supply": [dict(pool="p", **change)]}])
    np.testing.assert_allclose(planner.resolve(plan, "iv").supply[0], supply)
    np.testing.assert_allclose(planner.resolve(plan).supply[0], 10)   # baseline untouched
    assert solved(plan).objective == pytest.approx(10.0, abs=TOL)
    assert solved(plan, "iv").objective == pytest.approx(goal, abs=TOL)


def test_supply_window():
    # multiply 3 for periods starting in [2, 5): supply 10, 10, 30, 30, 30, 10, ...
    # effort 100: cumulative 10, 20, 50, 80 by year 4, the last 20 at 30/yr -> 4 + 2/3 years
    # (continuous time: done the moment progress reaches the effort; baseline 10).
    plan = _supply_plan([{"name": "iv", "supply": [{"pool": "p", "multiply": 3, "from_year": 2,
                                                    "until_year": 5}]}], horizon=12)
    np.testing.assert_allclose(planner.resolve(plan, "iv").supply[0],
                               [10, 10, 30, 30, 30, 10, 10, 10, 10, 10, 10, 10])
    assert solved(plan, "iv").objective == pytest.approx(4 + 2 / 3, abs=TOL)


def test_supply_window_from_year_only():
    # add 10 from year 6 on: 10 x 6 periods, then 20; effort 100: 60 by year 6, then 80, 100 -> year 8.
    plan = _supply_plan([{"name": "iv", "supply": [{"pool": "p", "add": 10, "from_year": 6}]}],
                        horizon=12)
    np.testing.assert_allclose(planner.resolve(plan, "iv").supply[0], [10] * 6 + [20] * 6)
    assert solved(plan, "iv").objective == pytest.approx(8.0, abs=TOL)


def test_supply_window_off_grid_with_half_step():
    # step 0.5: period starts 0, 0.5, 1.0, 1.5, 2.0, ...; window [1.2, 2.0) holds only 1.5 (t = 3).
    plan = _supply_plan([{"name": "iv", "supply": [{"pool": "p", "multiply": 4, "from_year": 1.2,
                                                    "until_year": 2.0}]}], horizon=5, step=0.5)
    expected = np.full(10, 10.0)
    expected[3] = 40.0
    np.testing.assert_allclose(planner.resolve(plan, "iv").supply[0], expected)
    # effort 35: 5 per period, 20 in period 3 -> 5, 10, 15, 35 -> end of period 3 = year 2.0
    # (baseline: 35/5 = 7 periods = 3.5 years).
    plan = _supply_plan([{"name": "iv", "supply": [{"pool": "p", "multiply": 4, "from_year": 1.2,
                                                    "until_year": 2.0}]}], effort=35, horizon=5, step=0.5)
    assert solved(plan).objective == pytest.approx(3.5, abs=TOL)
    assert solved(plan, "iv").objective == pytest.approx(2.0, abs=TOL)


def test_supply_changes_compose_in_order():
    # Two changes on the same pool: x2 everywhere, then +5 in [0, 3): 25, 25, 25, 20, 20, ...
    # effort 100: 25, 50, 75 by year 3, the last 25 at 20/yr -> 3 + 25/20 = 4.25 years
    # (+5 applied before x2 would give 30, 30, 30: done at 100/30 = 3.33).
    plan = _supply_plan([{"name": "iv", "supply": [{"pool": "p", "multiply": 2},
                                                   {"pool": "p", "add": 5, "until_year": 3}]}],
                        horizon=8)
    np.testing.assert_allclose(planner.resolve(plan, "iv").supply[0], [25, 25, 25, 20, 20, 20, 20, 20])
    assert solved(plan, "iv").objective == pytest.approx(4.25, abs=TOL)


def test_supply_change_only_named_pool():
    # Two pools; the intervention doubles "b" only. a on pool a (effort 50, supply 10 -> 5 years);
    # b on pool b (effort 80, supply 10 -> 8 years; doubled -> 4). Goal: max -> 8 then 5.
    pools = [{"name": "a", "supply": 10}, {"name": "b", "supply": 10}]
    plan = make_plan([{"name": "a", "pool": "a", "effort": 50}, {"name": "b", "pool": "b", "effort": 80}],
                     pools=pools, horizon=12, objective="earliest",
                     interventions=[{"name": "iv", "supply": [{"pool": "b", "multiply": 2}]}])
    inst = planner.resolve(plan, "iv")
    np.testing.assert_allclose(inst.supply, [[10] * 12, [20] * 12])
    assert solved(plan).objective == pytest.approx(8.0, abs=TOL)
    assert solved(plan, "iv").objective == pytest.approx(5.0, abs=TOL)


# --- productivity changes -----------------------------------------------------------------------

def test_productivity_change_named_stream_with_window():
    # a (pool pa, effort 50) and b (pool pb, effort 20), each pool 10/yr. Baseline: a 5 years, b 2.
    # Intervention doubles a's productivity from year 3: a progresses 10, 20, 30, 50 -> year 4.
    pools = [{"name": "pa", "supply": 10}, {"name": "pb", "supply": 10}]
    plan = make_plan([{"name": "a", "pool": "pa", "effort": 50}, {"name": "b", "pool": "pb", "effort": 20}],
                     pools=pools, horizon=8, objective="earliest",
                     interventions=[{"name": "iv", "productivity": [
                         {"streams": ["a"], "multiply": 2.0, "from_year": 3}]}])
    inst = planner.resolve(plan, "iv")
    np.testing.assert_allclose(inst.productivity, [[1, 1, 1, 2, 2, 2, 2, 2], [1] * 8])
    assert solved(plan).objective == pytest.approx(5.0, abs=TOL)
    res = solved(plan, "iv")
    assert res.objective == pytest.approx(4.0, abs=TOL)
    assert res.streams[1].finish_years == pytest.approx(2.0)


def test_productivity_change_until_year_and_add():
    # Productivity list [0.5] (0.5 throughout); +0.5 in [0, 2) -> 1, 1, 0.5, 0.5, ...
    # supply 10, effort 40: 10, 20, 25, 30, 35, 40 -> year 6 (baseline 40/5 = 8).
    plan = make_plan([{"name": "a", "effort": 40, "productivity": [0.5]}], supply=10, horizon=10,
                     objective="earliest",
                     interventions=[{"name": "iv", "productivity": [
                         {"streams": ["a"], "add": 0.5, "until_year": 2}]}])
    np.testing.assert_allclose(planner.resolve(plan, "iv").productivity[0], [1, 1] + [0.5] * 8)
    assert solved(plan).objective == pytest.approx(8.0, abs=TOL)
    assert solved(plan, "iv").objective == pytest.approx(6.0, abs=TOL)


def test_productivity_change_does_not_lift_rate_cap():
    # The rate cap is in effective units (effort / min_duration): doubling productivity halves the
    # crew needed but cannot beat min_duration. effort 30, min_duration 3, supply 1000: 3 years both.
    plan = make_plan([{"name": "a", "effort": 30, "min_duration": 3}], supply=1000, horizon=6,
                     objective="earliest",
                     interventions=[{"name": "iv", "productivity": [{"streams": ["a"], "multiply": 2}]}])
    assert solved(plan).objective == pytest.approx(3.0, abs=TOL)
    res = solved(plan, "iv")
    assert res.objective == pytest.approx(3.0, abs=TOL)
    np.testing.assert_allclose(res.allocation[0, :3], 5.0, atol=1e-6)  # 10 effective / 2


# --- compare ------------------------------------------------------------------------------------

def test_compare_baseline_interventions_and_delta():
    # effort 100 at 10/yr -> done at 10 (baseline, labour-bound). Scenarios 8 (0.3), 12 (0.7) -> 0.7.
    #   "double": supply 20 -> done at 5 -> 1.0 (delta +0.3)
    #   "earlier": shift -3 -> deadlines 5, 9 -> done at 10 -> 0.0 (delta -0.7)
    #   "both": supply 20 and shift -3 -> done at 5 meets both -> 1.0 (delta +0.3)
    #   "slower": productivity x0.5 -> 5/yr -> done at 20 > horizon 15 -> 0 (delta -0.7)
    plan = make_plan([{"name": "a", "effort": 100}], supply=10, horizon=15,
                     deadline={"scenarios": [[8, 0.3], [12, 0.7]]},
                     interventions=[{"name": "double", "supply": [{"pool": "p", "multiply": 2}]},
                                    {"name": "earlier", "deadline_shift": -3},
                                    {"name": "both", "deadline_shift": -3,
                                     "supply": [{"pool": "p", "multiply": 2}]},
                                    {"name": "slower", "productivity": [{"streams": ["a"], "multiply": 0.5}]}])
    cmp = planner.compare(plan)
    assert cmp.baseline.objective == pytest.approx(0.7, abs=TOL)
    expected = {"double": 1.0, "earlier": 0.0, "both": 1.0, "slower": 0.0}
    assert [iv.name for iv in cmp.interventions] == list(expected)
    for iv in cmp.interventions:
        assert iv.result.status == "optimal"
        assert iv.result.variant == iv.name
        assert iv.result.objective == pytest.approx(expected[iv.name], abs=TOL)
        assert iv.delta == pytest.approx(expected[iv.name] - 0.7, abs=TOL)
    # compare() agrees with one-shot solves of each variant
    for name, value in expected.items():
        assert solved(plan, name).objective == pytest.approx(value, abs=TOL)


def test_compare_subset_of_interventions():
    plan = make_plan([{"name": "a", "effort": 100}], supply=10, horizon=15, objective="earliest",
                     interventions=[{"name": "double", "supply": [{"pool": "p", "multiply": 2}]},
                                    {"name": "plus", "supply": [{"pool": "p", "add": 15}]}])
    cmp = planner.compare(plan, interventions=["plus"])
    assert [iv.name for iv in cmp.interventions] == ["plus"]
    # earliest: baseline 10; supply 25 -> 4; delta = 4 - 10 = -6.
    assert cmp.baseline.objective == pytest.approx(10.0, abs=TOL)
    assert cmp.interventions[0].result.objective == pytest.approx(4.0, abs=TOL)
    assert cmp.interventions[0].delta == pytest.approx(-6.0, abs=TOL)


def test_compare_essay_toy():
    # Baseline: each serial stream is capped at 25/25 = 1 effective person-year a year -> 25 years
    # whatever the supply. parallel is capped at 900/5 = 180 effective/yr = 3600 crew at 0.05, so the
    # pool binds: with 1800 - 4 = 1796 crew it does 89.8/yr -> 900/89.8 = 10.02 -> 11 years <= 25.
    # The goal is met at 25 <= 26 -> 1.0. Shift -2 -> deadline 24: met only by the end of period 23
    # (year 24) < 25 -> 0.0, however many researchers the 3x supply brings.
    plan = essay_toy()
    cmp = planner.compare(plan)
    assert cmp.baseline.objective == pytest.approx(1.0, abs=TOL)
    assert cmp.baseline.goal_completion_years <= 26 + TOL
    (iv,) = cmp.interventions
    assert iv.name == "capabilities work"
    assert iv.result.objective == pytest.approx(0.0, abs=TOL)
    assert iv.delta == pytest.approx(-1.0, abs=TOL)
    assert iv.result.structure.earliest_goal_years == pytest.approx(25.0, abs=TOL)
    assert iv.result.structure.bound == pytest.approx(0.0, abs=TOL)
    # The reason is structural and names a serial stream (the binding one) and the moved deadline.
    assert any(f"serial-{c}" in iv.reason for c in "abcd"), iv.reason
    assert "parallel" not in iv.reason.replace("serial-", "")
    assert "structural" in iv.reason
    assert "2 years earlier" in iv.reason
    assert "24" in iv.reason
    assert "25" in iv.reason


def test_compare_reason_names_serial_chain():
    # a -> b, each 10 years by rate cap (effort 100, min_duration 10), big supply: goal at 20.
    # Deadline 21 -> 1.0; shift -2 -> 19 < 20 -> 0.0, and no supply multiplier helps.
    plan = make_plan([{"name": "a", "effort": 100, "min_duration": 10},
                      {"name": "b", "effort": 100, "min_duration": 10, "after": ["a"]},
                      {"name": "side", "effort": 10}],
                     supply=1000, horizon=30, deadline={"years": 21},
                     interventions=[{"name": "caps", "deadline_shift": -2,
                                     "supply": [{"pool": "p", "multiply": 5}]}])
    cmp = planner.compare(plan)
    assert cmp.baseline.objective == pytest.approx(1.0, abs=TOL)
    (iv,) = cmp.interventions
    assert iv.result.objective == pytest.approx(0.0, abs=TOL)
    assert iv.delta == pytest.approx(-1.0, abs=TOL)
    assert iv.result.structure.critical_path == ["a", "b"]
    assert "a -> b" in iv.reason, iv.reason
    assert "20" in iv.reason and "19" in iv.reason
    assert "side" not in iv.reason


# --- Model.update -------------------------------------------------------------------------------

def test_model_update_matches_fresh_solve():
    # Scenario plan of test_compare_baseline_interventions_and_delta: re-solving the built model
    # after update() gives the same objective as a fresh solve of each variant (and the hand value).
    plan = make_plan([{"name": "a", "effort": 100}], supply=10, horizon=15,
                     deadline={"scenarios": [[8, 0.3], [12, 0.7]]},
                     interventions=[{"name": "double", "supply": [{"pool": "p", "multiply": 2}]},
                                    {"name": "earlier", "deadline_shift": -3},
                                    {"name": "slower", "productivity": [{"streams": ["a"], "multiply": 0.5}]}])
    expected = {"double": 1.0, "earlier": 0.0, "slower": 0.0}
    model = planner.Model(plan)
    assert model.solve().objective == pytest.approx(0.7, abs=TOL)
    for name in ["double", "earlier", "slower", "double"]:
        model.update(name)
        got = model.solve()
        fresh = planner.solve(plan, name)
        assert got.variant == name
        assert got.objective == pytest.approx(fresh.objective, abs=TOL)
        assert got.objective == pytest.approx(expected[name], abs=TOL)
    model.update(None)  # back to the baseline
    assert model.solve().objective == pytest.approx(0.7, abs=TOL)


def test_model_update_essay_toy():
    plan = essay_toy()
    model = planner.Model(plan)
    assert model.solve().objective == pytest.approx(1.0, abs=TOL)
    model.update("capabilities work")
    got = model.solve()
    assert got.objective == pytest.approx(planner.solve(plan, "capabilities work").objective, abs=TOL)
    assert got.objective == pytest.approx(0.0, abs=TOL)


def test_model_update_earliest_objective():
    # earliest: baseline 100/10 = 10; "window" (x3 in [2, 5): 10, 20, 50, 80 by year 4, then 20
    # at 30/yr) -> 4 + 2/3; "more" (+15) -> 100/25 = 4.
    plan = _supply_plan([{"name": "window", "supply": [{"pool": "p", "multiply": 3, "from_year": 2,
                                                        "until_year": 5}]},
                         {"name": "more", "supply": [{"pool": "p", "add": 15}]}], horizon=12)
    model = planner.Model(plan)
    assert model.solve().objective == pytest.approx(10.0, abs=TOL)
    for name, value in (("window", 4 + 2 / 3), ("more", 4.0), ("window", 4 + 2 / 3)):
        model.update(name)
        got = model.solve().objective
        assert got == pytest.approx(planner.solve(plan, name).objective, abs=TOL)
        assert got == pytest.approx(value, abs=TOL)
