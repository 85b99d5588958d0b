"""Break-even on the essay's toy model: the serial chain needs 25 years and the deadline is 26, so
capabilities work breaks even iff its shift is >= -1, and no supply multiplier helps at shift -2."""
from __future__ import annotations

import json

import pytest

import planner
from planner import PlanError
from planner.analysis.breakeven import breakeven
from planner.cli.main import main

from plans import TOY

IV = "capabilities work"
SHIFT = 'interventions."capabilities work".deadline_shift'
MULTIPLY = 'interventions."capabilities work".supply.0.multiply'


def test_no_supply_multiplier_breaks_even(toy):
    r = breakeven(toy, IV, MULTIPLY, low=1, high=100)
    assert r.value is None and r.kind == "none"
    assert "serial-a needs 25 years" in r.reason and "the deadline is 24 years away" in r.reason
    # independently: even 100x researchers leave the intervention at 0 against 1
    assert planner.solve(toy.with_changes({MULTIPLY: 100}), IV).objective == 0.0


def test_deadline_shift_flips_between_minus_two_and_minus_one(toy):
    r = breakeven(toy, IV, SHIFT, low=-5, high=0)
    assert r.kind == "step"
    lo, hi = sorted(r.interval)
    assert -2 <= lo < hi <= -1 + 1e-12 and hi - lo <= r.tolerance * 1.0001
    assert r.value == -1
    # the two ends, solved independently
    assert planner.solve(toy.with_changes({SHIFT: r.value}), IV).objective == 1.0
    assert planner.solve(toy.with_changes({SHIFT: lo}), IV).objective == 0.0


def test_default_range_finds_the_flip(toy):
    r = breakeven(toy, IV, SHIFT)          # -2 +- 10
    assert r.value == -1 and (r.low, r.high) == (-12, 8)


def test_never_loses_says_so(toy):
    r = breakeven(toy, IV, SHIFT, low=0, high=5)
    assert r.value is None and r.kind == "always" and "breaks even or gains" in r.reason


def test_bad_inputs(toy):
    with pytest.raises(PlanError, match="did you mean 'capabilities work'"):
        breakeven(toy, "capabilities", SHIFT)
    with pytest.raises(PlanError, match="holds"):
        breakeven(toy, IV, "plan.objective")
    with pytest.raises(PlanError, match="LO < HI"):
        breakeven(toy, IV, SHIFT, low=2, high=1)
    with pytest.raises(PlanError, match="--range"):
        breakeven(toy, IV, MULTIPLY, low=-5, high=1)   # a negative multiplier is not a plan


def test_cli_json(capsys):
    assert main(["breakeven", str(TOY), "--intervention", IV, "--vary", SHIFT, "--range=-5:0", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["value"] == -1 and "flips" in out["reason"]
    assert main(["breakeven", str(TOY), "--intervention", IV, "--vary", MULTIPLY, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["value"] is None and "serial-a" in out["reason"]
    assert main(["breakeven", str(TOY), "--intervention", IV, "--vary", "streams.nope.effort"]) == 2
    assert "no stream named 'nope'" in capsys.readouterr().err


def test_default_range_keeps_a_probability_inside_0_1():
    # A: a bet (success p, two 3-year attempts) on pool r; B: a bet of success 0.5, 40 of effort
    # on pool s (4 a year: 10 years). Goal: either. Baseline, deadline 7: both of A's attempts
    # (ending at 3 and 6), B too late: 1 - (1-p)^2. Capabilities work: deadline 5 (one attempt of
    # A), s doubled (B in 5 years): 1 - (1-p) * 0.5. Equal where 1 - p = 0.5: the flip is at
    # p = 0.5 (the intervention gains below it, loses above). Without a range, 0 to 10 x p
    # would ask for p = 0 and p > 1, which no plan may hold: the search stays inside (0, 1].
    plan = planner.from_dict(
        {
            "plan": {"horizon": 12},
            "pools": [{"name": "r", "supply": 10}, {"name": "s", "supply": 4}],
            "streams": [
                {"name": "A", "pool": "r", "effort": 6, "min_duration": 3, "success": 0.7, "attempts": 2},
                {"name": "B", "pool": "s", "effort": 40, "success": 0.5},
            ],
            "goal": {"required": [{"any": ["A", "B"]}]},
            "deadline": {"years": 7},
            "interventions": [
                {"name": IV, "deadline_shift": -2, "supply": [{"pool": "s", "multiply": 2}]},
            ],
        }
    )
    r = breakeven(plan, IV, "streams.A.success")
    assert 0 < r.low < 1e-3 and 1 - 1e-3 < r.high <= 1
    assert r.value == pytest.approx(0.5, abs=2 * r.tolerance)
