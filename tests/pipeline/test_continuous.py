"""Continuous-time answers (docs/model.md, "Continuous time"): the step is the resolution of the
schedule, not of the answer. Expected values are worked out by hand here, with this file's own
lognormal CDF (math.erf) and its own arithmetic of finish moments."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

import planner

LABOUR_BOUND = """
[plan]
name = "half a year for 4% more researchers"
start_year = 2026
horizon = 40
objective = "probability"
step = {step}
[[pools]]
name = "researchers"
supply = 500
[[streams]]
name = "empirical"
pool = "researchers"
effort = 1210
min_duration = 4
productivity = 0.2
[deadline]
distribution = {{ kind = "lognormal", median = 14, sigma = 0.5 }}
[[interventions]]
name = "capabilities work"
deadline_shift = -0.5
supply = [{{ pool = "researchers", multiply = 1.04 }}]
"""


def F(x: float, median: float, sigma: float) -> float:
    """The lognormal CDF, written out here."""
    return 0.5 * (1 + math.erf((math.log(x) - math.log(median)) / (sigma * math.sqrt(2)))) if x > 0 else 0.0


def plan_of(text: str, tmp_path, name="plan.toml"):
    path = tmp_path / name
    path.write_text(text)
    return planner.load(path)


def test_the_labour_bound_example_loses_0_22_pp_at_the_default_step(tmp_path):
    # 1210 effective person-years at 0.2 per FTE-year = 6050 FTE-years; 500 FTE take 12.1 years,
    # 520 FTE take 11.6346; the deadline comes half a year sooner with capabilities work
    base_t, cap_t = 6050 / 500, 6050 / 520
    want_base = 1 - F(base_t, 14, 0.5)
    want_cap = 1 - F(cap_t + 0.5, 14, 0.5)
    c = planner.compare(plan_of(LABOUR_BOUND.format(step=1), tmp_path))
    assert c.baseline.objective == pytest.approx(want_base, abs=1e-6)
    assert c.baseline.goal_completion_years == pytest.approx(base_t, abs=1e-6)
    row = c.interventions[0]
    assert row.result.objective == pytest.approx(want_cap, abs=1e-6)
    assert row.delta < 0
    assert row.delta * 100 == pytest.approx((want_cap - want_base) * 100, abs=0.1)
    assert abs(row.delta * 100 - (-0.2186)) < 0.01
    assert c.baseline.exactness == "exact" and row.result.exactness == "exact"


@pytest.mark.parametrize("step", [1, 0.5, 0.25, 0.1])
def test_the_step_does_not_decide_the_verdict(tmp_path, step):
    want = (1 - F(6050 / 520 + 0.5, 14, 0.5)) - (1 - F(6050 / 500, 14, 0.5))
    c = planner.compare(plan_of(LABOUR_BOUND.format(step=step), tmp_path))
    delta = c.interventions[0].delta
    assert delta < 0
    assert abs(delta - want) * 100 < 0.1


CHAIN = """
[plan]
name = "a chain of one-and-a-half-year steps"
horizon = 12
[[pools]]
name = "p"
supply = 10
[[streams]]
name = "a"
pool = "p"
effort = 1.5
min_duration = 1.5
[[streams]]
name = "b"
pool = "p"
effort = 1.5
min_duration = 1.5
after = ["a"]
[deadline]
distribution = { kind = "lognormal", median = 4, sigma = 0.3 }
"""


def test_a_chain_of_half_year_steps_is_read_on_a_finer_grid(tmp_path):
    # on whole years a finishes during year 2 and b cannot start before year 2: done at 3.5;
    # in continuous time b starts at 1.5 and the goal is met at 3.0
    r = planner.solve(plan_of(CHAIN, tmp_path))
    assert r.goal_completion_years == pytest.approx(3.0, abs=1e-6)
    assert r.objective == pytest.approx(1 - F(3.0, 4, 0.3), abs=1e-6)
    assert r.exactness == "exact"
    assert r.grid_step == pytest.approx(0.5)
    finish = {s.name: s.finish_years for s in r.streams}
    assert finish["a"] == pytest.approx(1.5) and finish["b"] == pytest.approx(3.0)


def test_without_refining_the_plan_step_answer_is_a_lower_bound(tmp_path):
    model = planner.Model(plan_of(CHAIN, tmp_path))
    r = model.solve(refine=False)
    assert r.goal_completion_years == pytest.approx(3.5, abs=1e-6)
    assert r.objective == pytest.approx(1 - F(3.5, 4, 0.3), abs=1e-6)
    assert r.exactness == "unrefined"
    low, high = r.objective_range
    assert low == pytest.approx(1 - F(3.5, 4, 0.3), abs=1e-6)
    assert high == pytest.approx(1 - F(3.0, 4, 0.3), abs=1e-6)
    assert (f"not refined: the continuous-time optimum lies between {1 - F(3.5, 4, 0.3):.4f} and "
            f"{1 - F(3.0, 4, 0.3):.4f}") in r.explanation


FIXED = """
[plan]
name = "fixed"
horizon = 20
[[pools]]
name = "p"
supply = 3
[[streams]]
name = "w"
pool = "p"
effort = 10
[deadline]
{deadline}
"""


@pytest.mark.parametrize("deadline, want", [
    ("years = 3.4", 1.0),                       # 10 / 3 = 3.333 years <= 3.4
    ("years = 3.3", 0.0),                       # too late by a thirtieth of a year
    ("scenarios = [[3, 0.25], [3.5, 0.5], [30, 0.25]]", 0.75),   # the one at 30 counts at 20
    ("scenarios = [[3, 0.5], [4, 0.5]]\np_never = 0.2", 1 - 0.5 * 0.8),
    ('distribution = { kind = "percentiles", points = [[2, 0.2], [5, 0.8]] }',
     1 - (0.2 + (10 / 3 - 2) / 3 * 0.6)),
])
def test_deadlines_are_read_in_continuous_years(tmp_path, deadline, want):
    r = planner.solve(plan_of(FIXED.format(deadline=deadline), tmp_path))
    assert r.goal_completion_years == pytest.approx(10 / 3, abs=1e-6)
    assert r.objective == pytest.approx(want, abs=1e-6)


def test_a_shift_that_is_not_a_multiple_of_the_step_is_not_rounded(tmp_path):
    text = FIXED.format(deadline="years = 3.6") + """
[[interventions]]
name = "a quarter year sooner"
deadline_shift = -0.25
[[interventions]]
name = "a third of a year sooner"
deadline_shift = -0.3
"""
    c = planner.compare(plan_of(text, tmp_path))
    got = {row.name: row.result.objective for row in c.interventions}
    assert c.baseline.objective == 1.0
    assert got["a quarter year sooner"] == 1.0   # 3.35 >= 3.333
    assert got["a third of a year sooner"] == 0.0  # 3.3 < 3.333


def test_earliest_reports_the_moment_the_goal_is_met(tmp_path):
    text = FIXED.format(deadline="years = 10").replace('name = "fixed"', 'name = "fixed"\nobjective = "earliest"')
    r = planner.solve(plan_of(text, tmp_path))
    assert r.objective == pytest.approx(10 / 3, abs=1e-6)


def test_the_toy_keeps_its_whole_year_answers():
    r = planner.compare(planner.load("models/serial_parallel_toy.toml"))
    assert r.baseline.objective == 1.0 and r.baseline.goal_completion_years == pytest.approx(25.0)
    assert r.interventions[0].result.objective == 0.0
    assert r.baseline.exactness == "exact"


def test_the_grid_objective_is_kept_beside_the_answer(tmp_path):
    r = planner.solve(plan_of(LABOUR_BOUND.format(step=1), tmp_path))
    # on whole years the goal counts as met at the end of year 13
    assert r.grid_objective == pytest.approx(1 - F(13, 14, 0.5), abs=1e-6)
    assert r.objective > r.grid_objective
    d = r.to_dict()
    assert d["exactness"] == "exact" and d["grid_objective"] == pytest.approx(r.grid_objective)
    assert np.isfinite(d["objective_range"][1])


def test_an_unsettled_delta_is_given_with_its_range_in_words(tmp_path):
    text = CHAIN + """
[[interventions]]
name = "half a year sooner"
deadline_shift = -0.5
"""
    c = planner.compare(plan_of(text, tmp_path), refine=False)
    row = c.interventions[0]
    # on whole years: the baseline is met at 3.5 (bound 3.0); half a year sooner it needs D >= 4
    lo = (1 - F(4.0, 4, 0.3)) - (1 - F(3.0, 4, 0.3))
    hi = (1 - F(3.5, 4, 0.3)) - (1 - F(3.5, 4, 0.3))
    assert f"not refined: between {lo * 100:+.2f} and {hi * 100:+.2f} pp" in row.reason
    settled = planner.compare(plan_of(text, tmp_path))
    assert "between" not in settled.interventions[0].reason
    assert settled.interventions[0].delta == pytest.approx((1 - F(3.5, 4, 0.3)) - (1 - F(3.0, 4, 0.3)), abs=1e-6)


MEANS_NOT_GOAL = """
[plan]
name = "mentoring without its training"
horizon = 30
[[pools]]
name = "researchers"
supply = 300
[[streams]]
name = "mentoring"
pool = "researchers"
effort = 600
min_duration = 3
[[streams]]
name = "alignment"
pool = "researchers"
effort = 8000
min_duration = 10
[goal]
required = ["alignment"]
[deadline]
distribution = { kind = "lognormal", median = 20, sigma = 0.5 }
"""


def test_work_the_goal_does_not_need_yields_its_crew_in_the_goals_last_year(tmp_path):
    # alignment alone: 8000 / 300 = 26.667 years (its rate cap, 800 a year, never binds). The
    # mentoring the earliest-start pass puts first must not take the people alignment needs in
    # its last year (it read 27.0 and 1 - F(27) before)
    r = planner.solve(plan_of(MEANS_NOT_GOAL, tmp_path))
    assert r.goal_completion_years == pytest.approx(8000 / 300, abs=1e-6)
    assert r.objective == pytest.approx(1 - F(8000 / 300, 20, 0.5), abs=1e-6)
    assert r.exactness == "exact"


def test_spare_work_moved_out_of_the_goals_way_is_still_done(tmp_path):
    text = """
[plan]
name = "side work"
horizon = 10
[[pools]]
name = "p"
supply = 10
[[streams]]
name = "goal work"
pool = "p"
effort = 25
[[streams]]
name = "side"
pool = "p"
effort = 5
[goal]
required = ["goal work"]
[deadline]
distribution = { kind = "lognormal", median = 3, sigma = 0.3 }
"""
    r = planner.solve(plan_of(text, tmp_path))
    finish = {s.name: s.finish_years for s in r.streams}
    assert finish["goal work"] == pytest.approx(2.5, abs=1e-6)   # 25 at 10 a year
    # the side work gets the pool once the goal work is done: 5 at 10 a year from 2.5 is 3.0 in
    # continuous time; on whole years it can start only in year 3, and takes half of it
    assert finish["side"] is not None and finish["side"] <= 3.5 + 1e-6


def test_the_structural_limit_is_read_in_continuous_time_too(tmp_path):
    # unlimited labour: the labour-bound stream is held only by min_duration = 4 years, and the
    # chain by its two 1.5-year steps: 3.0 years (4 on whole years: b starts with year 2)
    r = planner.solve(plan_of(LABOUR_BOUND.format(step=1), tmp_path))
    assert r.structure.earliest_goal_years == pytest.approx(4.0)
    assert r.structure.bound == pytest.approx(1 - F(4.0, 14, 0.5), abs=1e-6)
    assert "labour binds" in r.explanation
    chain = planner.solve(plan_of(CHAIN, tmp_path))
    assert chain.structure.earliest_goal_years == pytest.approx(3.0)
    assert chain.structure.bound == pytest.approx(chain.objective, abs=1e-6)
    assert chain.explanation.startswith("structural")


def test_whole_people_left_idle_early_are_put_to_work():
    # 11 whole people, 100 person-years: 100 / 11 = 9.09 years. The MIP may leave one person on
    # the stream in some year while ten sit idle (on the grid it ties at 10 years); read in
    # continuous time the plan must use them
    plan = planner.from_dict({"plan": {"name": "whole people", "horizon": 20, "objective": "earliest"},
                              "pools": [{"name": "p", "supply": 11, "integer_staff": True}],
                              "streams": [{"name": "a", "pool": "p", "effort": 100}]})
    r = planner.solve(plan, refine=False)
    assert r.objective == pytest.approx(100 / 11, abs=1e-6)
    fte = r.allocation[0]
    assert np.all(np.abs(fte - np.round(fte)) < 1e-6)   # still whole people


def test_verification_recomputes_the_continuous_answer_on_its_own(tmp_path, monkeypatch):
    from planner.pipeline import refine
    from planner import verify

    plan = plan_of(CHAIN, tmp_path)
    r = planner.solve(plan, refine=False)
    inst = planner.resolve(plan)
    assert verify.continuous_objective(inst, r.allocation) == pytest.approx(1 - F(3.5, 4, 0.3), abs=1e-6)
    real = refine.objective
    monkeypatch.setattr(refine, "objective", lambda inst, finish: real(inst, finish) + 0.01)
    with pytest.raises(planner.VerificationError, match="continuous-time objective"):
        planner.solve(plan, refine=False)


def test_ctrl_c_during_a_finer_grid_ends_the_solve_as_interrupted(tmp_path, monkeypatch):
    """A forced fault: the finer grid's solve is stopped by Ctrl-C (its result says interrupted).
    The answer is the plan's own grid read in continuous time, marked interrupted, so that compare
    stops instead of going on to the next variant."""
    from planner.pipeline import refine

    real = refine.settle

    def stopped(result, inst, solve_on_grid, **kw):
        def cut(k, seconds):
            return dataclasses.replace(solve_on_grid(k, seconds), status="interrupted", interrupted=True)
        return real(result, inst, cut, **kw)

    monkeypatch.setattr(refine, "settle", stopped)
    r = planner.solve(plan_of(CHAIN, tmp_path))
    assert r.interrupted and r.status == "interrupted"
    assert r.goal_completion_years == pytest.approx(3.5)     # the whole-year plan, as far as it got
    text = CHAIN + '\n[[interventions]]\nname = "later"\ndeadline_shift = 1\n'
    c = planner.compare(plan_of(text, tmp_path, "two.toml"))
    assert c.baseline.interrupted and c.interventions == [] and c.not_run == ["later"]
