"""Growth dynamics: diminishing returns to parallel staff (`parallelization`) and field-building
(`train`), each on plans small enough to solve by hand.

Every expected number is worked out in the comment above it from the plan alone. Answers are read
in continuous time (docs/model.md, "Continuous time": a stream finishes the moment its progress
reaches its effort, at its period's rate); where the MIP's optimum on the plan's grid differs, it
is checked too (refine=False, `grid_objective`). A plan that trains people is read on its own step
(its cohorts join per period), never on a finer grid."""
from __future__ import annotations

import json

import numpy as np
import pytest

import planner
from planner import Plan
from planner import verify
from planner.errors import PlanError, VerificationError
from planner.instance.resolve import resolve
from planner.mip.formulation import build
from planner.mip.growth import breakpoints
from planner.structure import critical_path

from plans import ROOT


def one_stream(supply, *, horizon=None, **stream) -> Plan:
    """One pool, one stream `a`, objective `earliest` from year 0: the objective is its finish year."""
    stream = {"name": "a", "pool": "r", "effort": 2.0, **stream}
    return Plan.model_validate({
        "plan": {"horizon": horizon or len(supply), "objective": "earliest", "start_year": 0},
        "pools": [{"name": "r", "supply": supply}],
        "streams": [stream]})


def solved(plan: Plan, intervention=None):
    r = planner.solve(plan, intervention)
    assert r.status == "optimal", (r.status, r.message)
    return r


# --- parallelization: progress ~ u ** a -----------------------------------------------------------

def test_four_staff_at_parallelization_half_do_twice_not_four_times_the_work_of_one():
    # a = 0.5: one crew unit makes 1 ** 0.5 = 1 a year, four make 4 ** 0.5 = 2 (not 4).
    inst = resolve(one_stream([4] * 4, effort=100.0, parallelization=0.5))
    one = verify.check(inst, np.array([[1.0, 0, 0, 0]])).effort_done[0]
    four = verify.check(inst, np.array([[4.0, 0, 0, 0]])).effort_done[0]
    assert one == pytest.approx(1.0) and four == pytest.approx(2.0)


@pytest.mark.parametrize("supply, years, grid", [(4, 1.0, 1.0), (1, 2.0, 2.0), (2.25, 2 / 1.5, 2.0)])
def test_parallelization_half_by_hand(supply, years, grid):
    # effort 2: supply 4 makes 4 ** 0.5 = 2 in one year; supply 1 makes 1 a year: 2 years;
    # supply 2.25 makes 1.5 a year: 2 / 1.5 = 1.33 years (1.5 + 1.5 -> 2 years on the grid).
    # The linear model does 2 / supply years (2.25 > 2: within the first year).
    r = solved(one_stream([supply] * 4, parallelization=0.5))
    assert r.objective == pytest.approx(years)
    assert r.streams[0].effort_done == pytest.approx(2.0)
    assert planner.solve(one_stream([supply] * 4, parallelization=0.5), refine=False).grid_objective \
        == pytest.approx(grid)
    linear = solved(one_stream([supply] * 4))
    assert linear.objective == pytest.approx(2.0 / supply)


def test_the_rate_cap_limits_progress_not_crew_units():
    # effort 4, min_duration 2: at most 2 effective person-years a year. With a = 0.5 that is
    # u ** 0.5 <= 2, u <= 4 crew units: supply 10, so 4 units a year for 2 years.
    r = solved(one_stream([10] * 4, effort=4.0, min_duration=2, parallelization=0.5))
    assert r.objective == pytest.approx(2.0)
    np.testing.assert_allclose(r.allocation[0], [4, 4, 0, 0], atol=1e-6)
    inst = resolve(one_stream([10] * 4, effort=4.0, min_duration=2, parallelization=0.5))
    np.testing.assert_allclose(inst.staff_bound[0], 4.0)
    with pytest.raises(VerificationError, match="rate cap exceeded"):
        verify.check(inst, np.array([[5.0, 4.0, 0, 0]]))   # 5 ** 0.5 = 2.24 > 2 a year


def test_thin_crews_are_not_cut_off_by_the_windows():
    # With a = 0.5 a crew below one unit does more than its size: max_staff 0.25 makes 0.5 a year,
    # so effort 1 takes 2 years, not the 4 that progress = u would give. `b` (effort 2, supply
    # 2) follows: the goal is met by the end of year 3, inside a 3-year deadline. Windows computed
    # with linear progress would have put it out of reach.
    plan = Plan.model_validate({
        "plan": {"horizon": 8, "objective": "probability", "start_year": 0},
        "pools": [{"name": "r", "supply": 2}],
        "streams": [{"name": "a", "pool": "r", "effort": 1.0, "max_staff": 0.25, "parallelization": 0.5},
                    {"name": "b", "pool": "r", "effort": 2.0, "after": ["a"]}],
        "deadline": {"years": 3}})
    inst = resolve(plan)
    cp = critical_path(inst)
    assert list(cp.earliest_finish) == [1, 2]
    r = solved(plan)
    assert r.objective == pytest.approx(1.0) and r.goal_completion_years == pytest.approx(3.0)
    np.testing.assert_allclose(r.allocation[0][:2], [0.25, 0.25], atol=1e-6)


def test_a_stream_with_parallelization_goes_to_the_whole_mip():
    inst = resolve(one_stream([4] * 4, parallelization=0.7))
    assert inst.has_dynamics and not inst.discrete.any()
    assert not resolve(one_stream([4] * 4)).has_dynamics


def test_the_interpolation_never_over_states_and_its_worst_error():
    # The breakpoints: 0, sqrt(2) ** k for k >= -8 (1/16, ..., 1, sqrt(2), 2, ...) below the
    # bound, and the bound. Between two of them the chord of the concave u ** a lies below it;
    # the worst relative error over [1/16, bound] is max over x in [1, sqrt 2] of
    # 1 - chord(x) / x ** a, largest at a = 0.5: 0.374% (docs/model.md).
    b = breakpoints(1800.0)
    assert b[0] == 0 and b[-1] == 1800 and 1.0 in b and 2.0 ** -4 in b and b.size == 32
    assert np.allclose(b[2:-1] / b[1:-2], np.sqrt(2))
    worst = 0.0
    for a in np.linspace(0.05, 0.95, 19):
        for bound in (0.3, 1.0, 4.0, 1800.0):
            pts = breakpoints(bound)
            u = np.linspace(2.0 ** -4 if bound > 2.0 ** -4 else 0.0, bound, 20001)[1:]
            chord = np.interp(u, pts, pts ** a)
            assert np.all(chord <= u ** a * (1 + 1e-12))
            worst = max(worst, float(np.max(1 - chord / u ** a)))
            np.testing.assert_allclose(np.interp(pts, pts, pts ** a), pts ** a)  # exact at breakpoints
    assert 0.0036 < worst < 0.00375


def test_the_mip_progress_is_the_interpolation_and_the_report_is_exact():
    # supply 3 (not a breakpoint of the grid, but the bound is one): effort 5 at a = 0.5 makes
    # sqrt(3) = 1.732 a year at full supply: 3 years on the grid (1.732 * 2 = 3.46 < 5 <= 5.20);
    # in continuous time 5 / sqrt(3) = 2.887 years.
    plan = one_stream([3] * 5, effort=5.0, parallelization=0.5)
    r = solved(plan)
    assert r.objective == pytest.approx(5 / np.sqrt(3))
    assert planner.solve(plan, refine=False).grid_objective == pytest.approx(3.0)
    inst = resolve(plan)
    lm = build(inst, critical_path(inst))
    assert "p" in lm.blocks and any(f.name == "parallelization" for f in lm.families)
    # the reported crew units make exactly the progress the plan says (u ** a, recomputed)
    v = verify.check(inst, r.allocation)
    assert v.effort_done[0] == pytest.approx(5.0) and v.finish_years[0] == pytest.approx(3.0)


@pytest.mark.parametrize("solver, tie_break", [("highs", True), ("highs", False), ("scip", True)])
def test_shared_supply_off_the_breakpoints_solves_and_verifies(solver, tie_break):
    # `a` (a = 0.5, effort 3) and `b` (linear, effort 5) share 3.3 FTE a year for 4 years, deadline
    # 3 years: the optimum splits periods at crew units that are not breakpoints. Whatever the
    # solver and tie-break, the reported crew units make exactly the progress the MIP counted
    # (run.py checks the recomputed objective against the solver's and its bound).
    plan = Plan.model_validate({
        "plan": {"horizon": 4, "objective": "value", "start_year": 0},
        "pools": [{"name": "r", "supply": 3.3}],
        "streams": [{"name": "a", "pool": "r", "effort": 3.0, "parallelization": 0.5, "value": 2},
                    {"name": "b", "pool": "r", "effort": 5.0, "value": 1}],
        "deadline": {"scenarios": [[2, 0.5], [3, 0.5]]}})
    r = planner.solve(plan, solver=solver, tie_break=tie_break)
    assert r.status == "optimal"
    # by hand: the most is 2.5, `a` by year 2 (worth 2) and `b` by year 3 (worth 0.5). `a` by 2
    # needs crew units whose square roots sum to 3 in two periods of at most 3.3 (e.g. 1.41 and
    # 3.28, or 2.25 and 2.25: 4.5 FTE-years), leaving 9.9 - 4.5 >= 5 for b in three years. Both by
    # year 2 is impossible: b's 5 leave 1.6 FTE-years, and a makes at most 2 sqrt(0.8) = 1.79 < 3.
    assert r.objective == pytest.approx(2.5)
    v = verify.check(resolve(plan), r.allocation)
    assert v.objective == pytest.approx(r.objective)
    assert v.finish_years[0] == pytest.approx(2.0)


def test_a_fixed_crew_with_parallelization_is_exact_at_its_size():
    # fixed crew of 3 (max_staff 3), a = 0.5: 1.732 a year, effort 3 -> 2 years on the grid, u = 3
    # or 0; in continuous time 3 / sqrt(3) = sqrt(3) = 1.732 years.
    plan = one_stream([5] * 4, effort=3.0, max_staff=3.0, fixed_crew=True, parallelization=0.5)
    r = solved(plan)
    assert r.objective == pytest.approx(np.sqrt(3))
    assert planner.solve(plan, refine=False).grid_objective == pytest.approx(2.0)
    u = r.allocation[0]
    assert np.all((np.abs(u) < 1e-6) | (np.abs(u - 3) < 1e-6)), u


# --- field-building ---------------------------------------------------------------------------------

def training_plan(work: float, delay: float = 3.0, attrition: float = 0.0, train: bool = True) -> Plan:
    """Pool r of 1 FTE; `teach` (effort 1) trains 2 FTE per person-year for r, joining `delay`
    years later; `work` (effort `work`) is the goal. Objective `earliest`, horizon 12."""
    teach = {"name": "teach", "pool": "r", "effort": 1.0}
    if train:
        teach["train"] = {"pool": "r", "per_effort": 2.0, "delay": delay, "attrition": attrition}
    return Plan.model_validate({
        "plan": {"horizon": 12, "objective": "earliest", "start_year": 0},
        "pools": [{"name": "r", "supply": 1}],
        "streams": [{"name": "work", "pool": "r", "effort": work}, teach],
        "goal": {"required": ["work"]}})


def test_a_training_stream_pays_off_only_after_its_delay():
    # Teaching in period 0 adds 2 FTE from period 0 + 3 on (delay 3 years = 3 periods): supply
    # 1, 1, 1, 3, 3, ... Work of 8: without training 8 years; with it 1 + 1 (periods 1, 2) + 3 + 3
    # -> done by the end of year 5.
    r = solved(training_plan(8.0))
    assert r.objective == pytest.approx(5.0)
    np.testing.assert_allclose(r.allocation[1][:1], [1.0], atol=1e-6)     # teach first
    np.testing.assert_allclose(r.pool_supply[0][:6], [1, 1, 1, 3, 3, 3], atol=1e-6)
    assert solved(training_plan(8.0, train=False)).objective == pytest.approx(8.0)


def test_training_that_cannot_pay_off_before_the_goal_is_not_done():
    # Work of 3: directly, 3 years. Teaching first would cost a year and its FTE join in period
    # 3: 0 + 1 + 1 + 3 -> year 4. So the optimum does not train: year 3.
    r = solved(training_plan(3.0))
    assert r.objective == pytest.approx(3.0)
    np.testing.assert_allclose(r.allocation[0][:3], [1, 1, 1], atol=1e-6)


def test_delay_rounds_up_to_whole_periods_and_attrition_compounds():
    # delay 2.5 years with step 1: ceil(2.5) = 3 periods. Attrition 0.5 a year: the 2 trained FTE
    # are 2, 1, 0.5, ... from period 3 on. Work 7.5: periods 1, 2 at 1, then 3, 2, 1.5 -> 8.5 by
    # the end of year 6 on the grid; in continuous time 1 + 1 + 3 + 2 = 7 by year 5, the last 0.5
    # at 1.5 a year -> 5 + 1/3. Without attrition 1 + 1 + 3 = 5 by year 4, the last 2.5 at 3 a
    # year -> 4 + 5/6 (year 5 on the grid); without training, 7.5 years (8 on the grid).
    r = solved(training_plan(7.5, delay=2.5, attrition=0.5))
    assert r.objective == pytest.approx(5 + 1 / 3)
    assert r.grid_objective == pytest.approx(6.0)
    np.testing.assert_allclose(r.pool_supply[0][:7], [1, 1, 1, 3, 2, 1.5, 1.25], atol=1e-6)
    no_attrition = solved(training_plan(7.5, delay=2.5))
    assert no_attrition.objective == pytest.approx(4 + 5 / 6) and no_attrition.grid_objective == pytest.approx(5.0)
    assert solved(training_plan(7.5, train=False)).objective == pytest.approx(7.5)


def test_supply_bound_includes_all_possible_training():
    # the bound: base 1 plus per_effort 2 x effort 1 from period 0 + 3 on
    inst = resolve(training_plan(8.0))
    np.testing.assert_allclose(inst.supply_bound[0][:5], [1, 1, 1, 3, 3])
    np.testing.assert_allclose(inst.staff_bound[0][:5], [1, 1, 1, 3, 3])
    assert inst.has_dynamics
    # the critical path uses it: work alone, 1 + 1 + 1 + 3 + 3 >= 8 by the end of period 4
    assert critical_path(inst).earliest_finish[0] == 4


def test_field_building_model_invests_early_and_beats_no_training():
    path = ROOT / "models" / "field_building.toml"
    plan = planner.load(path)
    r = solved(plan)
    mentoring = [s.name for s in plan.streams].index("mentoring")
    # the MIP invests in training early: mentoring at its cap (200 a year) in the first 3 years
    np.testing.assert_allclose(r.allocation[mentoring][:3], [200, 200, 200], atol=1e-4)
    # the same plan with training disabled (no `train` key)
    data = plan.model_dump(mode="json", exclude_defaults=True)
    for s in data["streams"]:
        s.pop("train", None)
    without = solved(planner.from_dict(data))
    assert r.objective > without.objective + 0.2
    # by hand, on the grid: goal by year 19 vs 27 (lognormal median 20, sigma 0.5): 0.541 vs 0.274
    assert r.grid_objective == pytest.approx(0.5409, abs=1e-4) and without.grid_objective == pytest.approx(0.2742, abs=1e-4)
    # in continuous time each goal is met inside its last year, and the answer is the chance the
    # deadline comes at or after that moment
    from oracles.test_independent_formulation import lognormal_cdf
    assert 18 < r.goal_completion_years <= 19 + 1e-9 and 26 < without.goal_completion_years <= 27 + 1e-9
    for res in (r, without):
        assert res.objective == pytest.approx(1 - lognormal_cdf(res.goal_completion_years, 20, 0.5), abs=1e-6)
    # the intervention that switches it off in the file agrees, on the grid (in continuous time
    # the plan without `train` keys reports alignment at 27.0, as its mentoring, done early by the
    # tie-break, holds the supply alignment's last year would need to finish at 26.67)
    assert solved(plan, "no field-building").grid_objective == pytest.approx(without.grid_objective)


def test_diminishing_returns_model_by_hand():
    # models/diminishing_returns.toml: see its comments. On the grid 1796 ** 0.85 * 0.05 = 29.18 a
    # year -> 31 years: 1 - F(31). In continuous time: 25 years at 29.18 (729.58 of 900), then the
    # 4 serial researchers join too, 0.05 * 1800 ** 0.85 = 29.24 a year for the last 170.42:
    # T = 25 + 170.42 / 29.24 = 30.829. The planner's answer is a plan's, within the tolerance of
    # this optimum (2.5e-4 of probability, docs/model.md) and never above it.
    # Capabilities work: goal at 25 years, deadline 2 earlier: 1 - F(27).
    from oracles.test_independent_formulation import lognormal_cdf
    path = ROOT / "models" / "diminishing_returns.toml"
    c = planner.compare(planner.load(path))
    T = 25 + (900 - 25 * 0.05 * 1796 ** 0.85) / (0.05 * 1800 ** 0.85)
    best = 1 - lognormal_cdf(T, 26, 0.5)
    assert best - 2.5e-4 <= c.baseline.objective <= best + 1e-9
    assert c.baseline.goal_completion_years == pytest.approx(T, abs=0.01)
    assert planner.solve(planner.load(path), refine=False).grid_objective == \
        pytest.approx(1 - lognormal_cdf(31, 26, 0.5), abs=1e-6)
    cap = c.interventions[0].result
    assert cap.objective == pytest.approx(1 - lognormal_cdf(27, 26, 0.5), abs=1e-6)


# --- verify -------------------------------------------------------------------------------------------

def test_verify_refuses_using_trained_people_before_they_join():
    inst = resolve(training_plan(8.0))
    ok = np.zeros((2, 12))
    ok[1, 0] = 1.0                      # teach in period 0
    ok[0, 1:3] = 1.0
    ok[0, 3:5] = 3.0                    # 3 FTE from period 3: fine
    assert verify.check(inst, ok).goal_years == pytest.approx(5.0)
    early = ok.copy()
    early[0, 2] = 3.0                   # 3 FTE in period 2, before the delay
    with pytest.raises(VerificationError, match="pool supply exceeded"):
        verify.check(inst, early)
    untaught = ok.copy()
    untaught[1, 0] = 0.5                # half the teaching: only 1 FTE more from period 3
    with pytest.raises(VerificationError, match="pool supply exceeded"):
        verify.check(inst, untaught)


def test_verify_counts_training_only_up_to_the_effort():
    # teach has effort 1: working it 1 in period 0 and 1 more in period 1 trains 2 FTE, not 4
    inst = resolve(training_plan(8.0))
    u = np.zeros((2, 12))
    u[1, 0] = 1.0
    u[0, 4] = 3.0
    verify.check(inst, u)
    u[0, 4] = 5.0
    with pytest.raises(VerificationError, match="pool supply exceeded"):
        verify.check(inst, u)


def test_verify_recomputes_progress_with_the_exponent():
    # a = 0.5, effort 2: 1 + 1 is done in 2 years, 0.25 + 0.25 + ... does 0.5 a year
    inst = resolve(one_stream([4] * 4, parallelization=0.5))
    assert verify.check(inst, np.array([[1.0, 1.0, 0, 0]])).finish_years[0] == pytest.approx(2.0)
    v = verify.check(inst, np.array([[0.25, 0.25, 0.25, 0.25]]))
    assert v.finish_years[0] == pytest.approx(4.0)


# --- schema --------------------------------------------------------------------------------------

@pytest.mark.parametrize("stream, key, words", [
    ({"parallelization": 0.0}, "parallelization", "greater than 0"),
    ({"parallelization": 1.5}, "parallelization", "less than or equal to 1"),
    ({"train": {"pool": "researcher", "per_effort": 0.5}}, "train.pool", "did you mean 'researchers'"),
    ({"train": {"pool": "researchers", "per_effort": 0.5, "delay": -1}}, "train.delay", "greater than or equal to 0"),
    ({"train": {"pool": "researchers", "per_effort": 0.5, "attrition": 1.0}}, "train.attrition", "less than 1"),
    ({"train": {"pool": "researchers", "per_effort": 0.5, "attrition": -0.1}}, "train.attrition", "greater than"),
    ({"train": {"pool": "researchers", "per_effort": -1}}, "train.per_effort", "greater than"),
    ({"train": {"pool": "researchers", "per_effort": 0.5, "dealy": 2}}, "train.dealy", "did you mean 'delay'"),
])
def test_bad_growth_keys_are_refused_with_table_and_key(stream, key, words, tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({
        "plan": {"horizon": 4, "objective": "earliest"},
        "pools": [{"name": "researchers", "supply": 1}],
        "streams": [{"name": "a", "pool": "researchers", "effort": 3.0, **stream}]}))
    with pytest.raises(PlanError) as e:
        planner.load(path)
    msg = str(e.value)
    assert words in msg and "plan.json" in msg and '[[streams]] #1 "a"' in msg and key in msg, msg
