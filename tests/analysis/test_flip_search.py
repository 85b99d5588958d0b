"""The verdict's flip search (robustness._flip -> breakeven(nearest=True)) against a brute-force
scan of its own: a fine grid of solves through the public API (`planner.Model`, with the same
`refine=False` the robustness run uses), the bracket where the verdict changes nearest the plan's
value, and the flip derived by hand from the plan's numbers. The search's answer must lie in the
brute force's bracket, match the hand value within its tolerance, and be a real flip: solved
again here, its value breaks even and a tolerance past it loses."""
from __future__ import annotations

import tomllib

import numpy as np
import pytest
from plans import LABOUR, TOY

import planner
from planner import Model, compare, from_dict, load
from planner.analysis.robustness import verdict_robustness

IV = "capabilities work"
SHIFT = 'interventions."capabilities work".deadline_shift'
MULTIPLY = 'interventions."capabilities work".supply.0.multiply'
EVEN = 1e-7



def gain(plan: planner.Plan, path: str, value: float) -> float:
    """The intervention's effect at `path` = value: two solves of our own (`probability`: higher wins)."""
    changed = plan.with_changes({path: value})
    base = Model(changed).solve(refine=False).objective
    return Model(changed, IV).solve(refine=False).objective - base


def brute_force(plan: planner.Plan, path: str, grid: np.ndarray, current: float) -> tuple[float, float] | None:
    """The grid bracket where the verdict changes whose middle is nearest `current` (None: it never changes)."""
    even = [gain(plan, path, float(v)) >= -EVEN for v in grid]
    flips = [(grid[k], grid[k + 1]) for k in range(len(grid) - 1) if even[k] != even[k + 1]]
    return min(flips, key=lambda ab: abs((ab[0] + ab[1]) / 2 - current), default=None)


def check(plan: planner.Plan, path: str, flip, grid: np.ndarray, by_hand: float) -> None:
    bracket = brute_force(plan, path, grid, flip.current)
    assert bracket is not None and flip.value is not None
    tol = flip.search.tolerance
    assert bracket[0] - tol <= flip.value <= bracket[1] + tol
    assert flip.value == pytest.approx(by_hand, abs=tol)
    # a real flip: the value breaks even, and a tolerance on the losing side loses
    bad = flip.search.interval[0]
    past = flip.value + 2 * tol * np.sign(bad - flip.value)
    assert gain(plan, path, flip.value) >= -EVEN
    assert gain(plan, path, float(past)) < -EVEN


def test_toy_flips_at_a_shift_of_minus_one_and_no_multiplier_flips_it():
    # the serial chain needs 25 years: the goal is met iff 26 + shift >= 25, so the step is at -1
    plan = load(TOY)
    r = verdict_robustness(plan, compare(plan), samples=0)[IV]
    check(plan, SHIFT, r.shift, np.arange(-12.0, 8.01, 0.25), by_hand=-1.0)
    assert r.shift.kind == "step"
    # the deadline 24 years away, below the chain's 25: no multiplier on [0, 30] helps
    (supply,) = r.supply
    assert supply.value is None and supply.search.kind == "none"
    assert brute_force(plan, MULTIPLY, np.linspace(0.0, 30.0, 31), 3.0) is None
    assert all(gain(plan, MULTIPLY, m) == -1.0 for m in (0.0, 3.0, 30.0))


def test_labour_bound_flips_where_the_finish_meets_the_baselines():
    plan = from_dict(tomllib.loads(LABOUR))
    r = verdict_robustness(plan, compare(plan), samples=0)[IV]
    # shift s: the intervention finishes at 6050 / 520 years against a deadline s years earlier, so it
    # keeps the baseline's chance when 6050 / 520 - s = 12.1
    check(plan, SHIFT, r.shift, np.arange(-10.5, 9.51, 0.25), by_hand=6050 / 520 - 12.1)
    # multiplier m at shift -0.5: 6050 / (500 m) + 0.5 = 12.1
    check(plan, MULTIPLY, r.supply[0], np.arange(0.0, 10.41, 0.1), by_hand=6050 / (500 * 11.6))
    assert r.shift.kind == r.supply[0].kind == "continuous"


def test_the_nearest_search_reports_the_whole_scans_flip_with_fewer_solves():
    from planner.analysis.breakeven import breakeven

    plan = load(TOY)
    for low, high in ((-5.0, 0.0), (-1.7, 6.3)):  # the plan's value -2 inside, and just outside
        full = breakeven(plan, IV, SHIFT, low=low, high=high, tolerance=1e-3, refine=False)
        near = breakeven(plan, IV, SHIFT, low=low, high=high, tolerance=1e-3, refine=False, nearest=True)
        assert near.kind == full.kind == "step"
        assert near.value == pytest.approx(full.value, abs=1e-3) and near.value == pytest.approx(-1, abs=1e-3)
        assert len(near.evaluations) < len(full.evaluations)
