"""Every analysis works on a plan with research bets, and `success` is a number like any other.
Expected values are derived by hand for the one-bet plan of tests/pipeline/test_bets.py: one
approach, effort 6, min_duration 3 (attempts end at 3 and 6), success p, two attempts."""

from __future__ import annotations

import pytest

import planner
from planner.analysis.breakeven import breakeven
from planner.analysis.montecarlo import montecarlo
from planner.analysis.sweep import sweep


def retry_plan(**extra):
    d = {
        "plan": {"horizon": 12},
        "pools": [{"name": "r", "supply": 10}],
        "streams": [{"name": "A", "pool": "r", "effort": 6, "min_duration": 3, "success": 0.6, "attempts": 2}],
        "deadline": {"years": 7},
        "interventions": [{"name": "capabilities work", "deadline_shift": -2}],
        **extra,
    }
    return planner.from_dict(d)


def test_sweep_over_success():
    # deadline 7, both attempts fit: 1 - (1 - p)^2; with the shift only one: p
    res = sweep(retry_plan(), {"streams.A.success": [0.2, 0.5, 0.9]}, interventions=["capabilities work"])
    frame = res.to_frame()
    base = frame[frame["variant"] == "baseline"].sort_values("streams.A.success")["objective"].tolist()
    shifted = frame[frame["variant"] == "capabilities work"].sort_values("streams.A.success")["objective"].tolist()
    assert base == pytest.approx([1 - 0.8**2, 1 - 0.5**2, 1 - 0.1**2], abs=1e-9)
    assert shifted == pytest.approx([0.2, 0.5, 0.9], abs=1e-9)


def test_breakeven_over_the_deadline_shift_with_retries():
    # losing the second attempt costs p (1 - p) = 0.24 whenever the shift pushes the deadline below 6:
    # from deadline 7 that is any shift below -1: the effect is 0 at shift -1 and -0.24 at -1.01
    res = breakeven(retry_plan(), "capabilities work", "interventions.\"capabilities work\".deadline_shift", low=-3, high=0)
    assert res.value == pytest.approx(-1.0, abs=0.05)


def test_montecarlo_over_success():
    # success uniform on [0.4, 0.8]: each sample's baseline is 1 - (1 - p)^2 and the shifted one p,
    # so the effect is p^2 - p, negative for every p in (0, 1): P(harm) = 1
    p = retry_plan(uncertainty={"seed": 3, "streams.A.success": {"kind": "uniform", "low": 0.4, "high": 0.8}})
    mc = montecarlo(p, 12, workers=1)
    frame = mc.to_frame()
    for _, row in frame[frame["variant"] == "baseline"].iterrows():
        s = row["streams.A.success"]
        assert row["objective"] == pytest.approx(1 - (1 - s) ** 2, abs=1e-9)
    summary = mc.summary().set_index("intervention")
    assert summary.loc["capabilities work", "p_harm"] == pytest.approx(1.0)


def test_choose_a_level_with_bets():
    # levels of a deadline shift of -1 year each: 0 keeps both attempts (0.84), 1 keeps them
    # (deadline 6: the second attempt ends at 6), 2 loses one (0.6). The best is 0 (ties with 1:
    # the smallest level that does as well).
    p = planner.from_dict(
        {
            "plan": {"horizon": 12},
            "pools": [{"name": "r", "supply": 10}],
            "streams": [{"name": "A", "pool": "r", "effort": 6, "min_duration": 3, "success": 0.6, "attempts": 2}],
            "deadline": {"years": 7},
            "interventions": [{"name": "x", "deadline_shift": -1, "levels": [0, 1, 2], "choose": True}],
        }
    )
    r = planner.solve(p, "x")
    assert r.chosen_units == 0
    assert [lv["objective"] for lv in r.levels] == pytest.approx([0.84, 0.84, 0.6])


def test_milestones_with_bets():
    # value objective, milestone "both" = A and C (value 5); A is the retry bet (0.84 by 7), C a
    # certain stream (effort 1): expected 5 * 0.84 = 4.2
    p = planner.from_dict(
        {
            "plan": {"horizon": 12, "objective": "value"},
            "pools": [{"name": "r", "supply": 10}],
            "streams": [
                {"name": "A", "pool": "r", "effort": 6, "min_duration": 3, "success": 0.6, "attempts": 2},
                {"name": "C", "pool": "r", "effort": 1},
            ],
            "goals": [{"name": "both", "streams": ["A", "C"], "value": 5}],
            "deadline": {"years": 7},
        }
    )
    assert planner.solve(p).objective == pytest.approx(4.2, abs=1e-9)


def test_a_cut_time_budget_returns_cleanly():
    # a tiny time limit: the result is a status, never a traceback; a plan found is verified
    r = planner.solve(retry_plan(), time_limit=1e-3)
    assert r.status in ("optimal", "time_limit", "no_solution")
    if r.objective is not None:
        assert 0 <= r.objective <= 0.84 + 1e-9
