"""`planner.verify.check`: an independent re-check of a schedule against MODEL.md's rules.

The small plan used here (hand-solved, step 1, horizon 10, pool supply 10):
- a: effort 6, min_duration 3 -> rate cap 2 per year; at best 2 units in periods 0..2, complete after 3 years
- b: after a, effort 3, max_staff 1.5 -> may work from period 3; 1.5 per period -> complete after 5 years
- c: release 2, effort 2 -> may work from period 2
- d: after a with lag 2, effort 1 -> may work from period 3 + 2 = 5 -> complete after 6 years at best
So the earliest goal (all four streams) is after 6 years.
"""
from __future__ import annotations

import copy

import numpy as np
import pytest

import planner
from planner import VerificationError
from planner.verify import check

A, B, C, D = range(4)


def plan_dict(objective="earliest", deadline=None, values=(0, 0, 0, 0), lag=2.0, release=2.0, step=1.0,
              horizon=10.0, productivity_a=1.0):
    d = {
        "plan": {"name": "verify", "horizon": horizon, "step": step, "objective": objective},
        "pools": [{"name": "staff", "supply": 10}],
        "streams": [
            {"name": "a", "pool": "staff", "effort": 6, "min_duration": 3, "value": values[0],
             "productivity": productivity_a},
            {"name": "b", "pool": "staff", "effort": 3, "max_staff": 1.5, "after": ["a"], "value": values[1]},
            {"name": "c", "pool": "staff", "effort": 2, "release": release, "value": values[2]},
            {"name": "d", "pool": "staff", "effort": 1, "after": [{"stream": "a", "lag": lag}], "value": values[3]},
        ],
    }
    if deadline is not None:
        d["deadline"] = deadline
    return d


def instance(**kw):
    return planner.resolve(planner.from_dict(plan_dict(**kw)))


def hand_allocation() -> np.ndarray:
    """a: 2 in periods 0-2 (done after 3); b: 1 in 3-5 (done after 6); c: 0.5 in 2-9 (done after 6);
    d: 0.25 in 5-9 (cumulative 1.0 at the end of period 8: done after 9)."""
    u = np.zeros((4, 10))
    u[A, 0:3] = 2.0
    u[B, 3:6] = 1.0
    u[C, 2:10] = 0.5
    u[D, 5:10] = 0.25
    return u


@pytest.fixture(scope="module")
def solved_once():
    plan = planner.from_dict(plan_dict())
    result = planner.solve(plan)
    inst = planner.resolve(plan)
    return inst, result, result.allocation.copy()


@pytest.fixture
def solved(solved_once):
    """The solver's schedule, each test with its own copy: a test that corrupts it in place cannot
    change what a later test sees (the module-level solve is shared, its allocation is not)."""
    inst, result, allocation = solved_once
    assert np.array_equal(result.allocation, allocation), "an earlier test changed the shared schedule"
    return inst, copy.deepcopy(result)


def breaks(inst, u, *fragments):
    with pytest.raises(VerificationError) as info:
        check(inst, u)
    msg = str(info.value)
    for f in fragments:
        assert f in msg, (f, msg)
    return msg


# --- the solver's schedule ------------------------------------------------------------------------------

def test_solved_schedule_passes_and_is_optimal_by_hand(solved):
    inst, result = solved
    assert result.status == "optimal"
    # in continuous time: a at 3; b (1.5 a year) 3 -> 5; c (10 people) 2 -> 2.2; d from 3 + 2 with
    # 10 people takes 0.1 years: the goal at 5.1. On the grid (verify's periods) d ends with year 6.
    assert result.objective == pytest.approx(5.1)
    assert result.grid_objective == pytest.approx(6.0)
    v = check(inst, result.allocation)
    assert v.objective == pytest.approx(6.0)
    assert v.goal_years == pytest.approx(6.0)
    assert v.finish_years[A] == pytest.approx(3.0)       # d can only finish by 6 if a is done by 3
    assert v.finish_years[B] <= 6.0 + 1e-9
    assert v.finish_years[C] <= 6.0 + 1e-9
    assert v.finish_years[D] == pytest.approx(6.0)
    assert list(v.effort_done) == pytest.approx([6, 3, 2, 1])


def test_a_schedule_that_fails_verification_ends_the_command_with_exit_code_4(monkeypatch):
    """Not the class constant but what a user sees: a solve whose schedule the re-check refuses
    ends `planner solve` with exit code 4 and one error line, no traceback and no result."""
    from plans import TOY, run_cli

    def refuse(inst, u):
        raise VerificationError("the schedule breaks the model's rules: planted by the test")

    monkeypatch.setattr(planner.verify, "check", refuse)
    ran = run_cli("solve", TOY, "--json")
    assert ran.returncode == 4, (ran.returncode, ran.stderr)
    assert ran.stderr.startswith("planner: error:") and "planted by the test" in ran.stderr
    assert "Traceback" not in ran.stderr and ran.stdout.strip() == ""
    with pytest.raises(planner.PlannerError, match="planted"):  # a library caller can catch it as one
        planner.solve(planner.load(TOY))


# --- corruptions of the solver's schedule ----------------------------------------------------------------

def test_negative_units(solved):
    inst, result = solved
    u = result.allocation.copy()
    u[C, 7] = -0.5
    breaks(inst, u, "negative crew units", "c", "period 7")


def test_exceeds_pool_supply(solved):
    inst, result = solved
    u = result.allocation.copy()
    u[C, 7] = 11.0                                         # c has no rate cap or max_staff: only supply binds
    msg = breaks(inst, u, "pool supply exceeded", "staff", "period 7")
    assert "rate cap" not in msg and "max_staff" not in msg


def test_exceeds_rate_cap(solved):
    inst, result = solved
    u = result.allocation.copy()
    u[A, 0] = 3.0                                          # cap 6/3 = 2 per year
    msg = breaks(inst, u, "rate cap exceeded", "a", "period 0")
    assert "pool supply" not in msg


def test_exceeds_max_staff(solved):
    inst, result = solved
    u = result.allocation.copy()
    u[B, 4] = 2.0                                          # max_staff 1.5
    msg = breaks(inst, u, "max_staff exceeded", "b", "period 4")
    assert "rate cap" not in msg


def test_work_before_release(solved):
    inst, result = solved
    u = result.allocation.copy()
    u[C, 1] = 0.5                                          # release 2
    breaks(inst, u, "work before release", "c")


def test_successor_before_predecessor_complete(solved):
    inst, result = solved
    u = result.allocation.copy()
    u[B, 1] = 0.5                                          # a is complete only at the end of period 2
    breaks(inst, u, "b works before a is complete", "period 1")


def test_successor_inside_the_lag(solved):
    inst, result = solved
    u = result.allocation.copy()
    u[D, 4] = 0.5                                          # a done after 3 years, lag 2: d from year 5
    breaks(inst, u, "d works before a is complete", "lag 2", "period 4")


def test_successor_when_predecessor_never_completes(solved):
    inst, result = solved
    u = result.allocation.copy()
    u[A, :] = 0.0
    breaks(inst, u, "works before a is complete")


def test_check_leaves_the_schedule_it_refuses_unchanged(solved):
    """A corrupted schedule is refused and left as it was, and the solver's schedule still passes:
    checked in this test on its own, not by relying on the corruptions above having run first."""
    inst, result = solved
    u = result.allocation.copy()
    u[A, :] = 0.0
    u[C, 7] = -0.5
    before = u.copy()
    breaks(inst, u, "negative crew units")
    assert np.array_equal(u, before)
    assert check(inst, result.allocation).objective == pytest.approx(6.0)


# --- a hand-made schedule: finish times and objectives recomputed ---------------------------------------------

def test_hand_schedule_earliest():
    v = check(instance(), hand_allocation())
    assert list(v.finish_years) == pytest.approx([3, 6, 6, 9])
    assert list(v.effort_done) == pytest.approx([6, 3, 2, 1])   # capped at the effort
    assert v.goal_years == pytest.approx(9.0)
    assert v.objective == pytest.approx(9.0)
    assert v.success_probability is None


def test_hand_schedule_with_goal_subset():
    d = plan_dict()
    d["goal"] = {"required": ["a", "b"]}
    v = check(planner.resolve(planner.from_dict(d)), hand_allocation())
    assert v.goal_years == pytest.approx(6.0)
    assert v.objective == pytest.approx(6.0)


def test_hand_schedule_never_complete():
    u = hand_allocation()
    u[D, :] = 0.0
    v = check(instance(), u)
    assert np.isnan(v.finish_years[D])
    assert v.effort_done[D] == 0
    assert v.goal_years is None
    assert v.objective is None


def test_hand_schedule_probability():
    # goal after 9 years. D=5, D=8: missed. D=9: end of period floor(9)-1 = 8, i.e. year 9: met.
    # D=12 is past the 10-year horizon and counts as its end: met. P = 0.1 + 0.2
    deadline = {"scenarios": [[5, 0.3], [8, 0.4], [9, 0.1], [12, 0.2]]}
    v = check(instance(objective="probability", deadline=deadline), hand_allocation())
    assert v.success_probability == pytest.approx(0.3)
    assert v.objective == pytest.approx(0.3)


def test_hand_schedule_probability_with_fixed_year():
    inst = instance(objective="probability", deadline={"year": 2026 + 9})
    assert check(inst, hand_allocation()).objective == pytest.approx(1.0)
    inst = instance(objective="probability", deadline={"years": 8.9})   # floor(8.9) - 1 = 7: year 8
    assert check(inst, hand_allocation()).objective == pytest.approx(0.0)


def test_hand_schedule_value():
    # a (3 years): every scenario; b, c (6): D in {8, 9, 12} = 0.7; d (9): D in {9, 12} = 0.3
    deadline = {"scenarios": [[5, 0.3], [8, 0.4], [9, 0.1], [12, 0.2]]}
    inst = instance(objective="value", deadline=deadline, values=(1, 2, 4, 8))
    v = check(inst, hand_allocation())
    assert v.objective == pytest.approx(1 * 1.0 + 2 * 0.7 + 4 * 0.7 + 8 * 0.3)
    assert v.success_probability == pytest.approx(0.3)


def test_hand_schedule_half_year_step():
    # step 0.5, 20 periods; a at 2 units: 1 effective person-year per period -> 6 periods -> 3 years
    inst = instance(step=0.5)
    u = np.zeros((4, 20))
    u[A, 0:6] = 2.0
    u[B, 6:10] = 1.5                   # 0.75 per period: 3 after 4 periods (6..9) -> end of period 9 = 5 years
    u[C, 4:8] = 1.0                    # release 2 = period 4; 0.5 per period -> 2 after 4 periods -> 4 years
    u[D, 10:12] = 1.0                  # lag 2 = 4 periods: from period 6 + 4 = 10; 1 after 2 periods -> 6 years
    v = check(inst, u)
    assert list(v.finish_years) == pytest.approx([3.0, 5.0, 4.0, 6.0])
    assert v.objective == pytest.approx(6.0)


def test_productivity_scales_the_rate_cap():
    # productivity 0.5: the cap of 2 effective per year allows 4 crew units, not 4.5
    inst = instance(productivity_a=0.5)
    u = hand_allocation()
    u[A, 0:3] = 4.0
    v = check(inst, u)
    assert v.finish_years[A] == pytest.approx(3.0)          # 0.5 * 4 = 2 per period
    u[A, 0] = 4.5
    breaks(inst, u, "rate cap exceeded", "a")


# --- boundaries of the rules ----------------------------------------------------------------------------------

def test_lag_boundary_is_allowed():
    """d may start exactly when a is complete plus the lag (period 5)."""
    u = hand_allocation()
    u[D, :] = 0.0
    u[D, 5] = 1.0
    v = check(instance(), u)
    assert v.finish_years[D] == pytest.approx(6.0)


def test_fractional_lag_rounds_up_to_a_whole_period():
    # lag 0.5 with step 1: ceil(0.5) = 1 period; a complete at the end of period 2 -> d from period 4
    inst = instance(lag=0.5)
    u = hand_allocation()
    u[D, :] = 0.0
    u[D, 4] = 1.0
    assert check(inst, u).finish_years[D] == pytest.approx(5.0)
    u[D, 3] = 0.1
    breaks(inst, u, "d works before a is complete", "period 3")


def test_predecessor_boundary_no_lag():
    """b may work in period 3 (a complete at the end of period 2), not in period 2."""
    inst = instance()
    u = hand_allocation()
    check(inst, u)
    u[B, 2] = 0.5
    breaks(inst, u, "b works before a is complete", "period 2")


def test_fractional_release():
    # release 1.2: period 1 starts at 1 < 1.2 (forbidden), period 2 starts at 2 (allowed)
    inst = instance(release=1.2)
    u = hand_allocation()
    check(inst, u)                                          # c works from period 2
    u[C, 1] = 0.5
    breaks(inst, u, "work before release", "c")


def test_supply_boundary_with_crew():
    """A crew of 2 staff and 1 engineer per unit: supply 10 staff and 3 engineers allow 3 units."""
    d = {
        "plan": {"horizon": 4, "objective": "earliest"},
        "pools": [{"name": "staff", "supply": 10}, {"name": "eng", "supply": [3, 3, 2]}],
        "streams": [{"name": "x", "crew": {"staff": 2, "eng": 1}, "effort": 8}],
    }
    inst = planner.resolve(planner.from_dict(d))
    u = np.array([[3.0, 3.0, 2.0, 0.0]])
    v = check(inst, u)
    assert v.finish_years[0] == pytest.approx(3.0)          # 3 + 3 + 2 = 8 at the end of period 2
    u[0, 2] = 2.5                                            # eng supply is 2 from period 2 on
    msg = breaks(inst, u, "pool supply exceeded", "eng", "period 2")
    assert "staff" not in msg.split("pool supply exceeded", 1)[1]
