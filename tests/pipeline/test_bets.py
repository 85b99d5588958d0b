"""Research bets (`success`, `attempts`, `{ any = [...] }`): the policy's optimum against values
derived by hand, one rule at a time. Each expected number is worked out in the comment above it."""

from __future__ import annotations

import json

import numpy as np
import pytest

import planner
from planner.errors import PlanError, VerificationError
from planner.instance.resolve import resolve
from planner.mip.outcomes import bets_of
from planner.verify_policy import check_policy


def plan(streams, deadline, supply=10.0, horizon=12, goal=None, objective="probability", **extra):
    d = {
        "plan": {"horizon": horizon, "objective": objective},
        "pools": [{"name": "r", "supply": supply}],
        "streams": [{"pool": "r", **s} for s in streams],
        "deadline": deadline if isinstance(deadline, dict) else {"years": deadline},
        **extra,
    }
    if goal is not None:
        d["goal"] = {"required": goal}
    return planner.from_dict(d)


RETRY = {"name": "A", "effort": 6, "min_duration": 3, "success": 0.6, "attempts": 2}


def test_one_approach_with_retries():
    # attempts need 3 years each: they end at 3 and 6 (the second starts once the first is known
    # to have failed). Deadline 7: both fit, P = 1 - 0.4^2 = 0.84. Deadline 5: one, P = 0.6.
    assert planner.solve(plan([RETRY], 7)).objective == pytest.approx(0.84, abs=1e-9)
    assert planner.solve(plan([RETRY], 5)).objective == pytest.approx(0.6, abs=1e-9)
    # deadline 6: the second attempt ends at the end of year 6, in time: 0.84 again
    assert planner.solve(plan([RETRY], 6)).objective == pytest.approx(0.84, abs=1e-9)


def test_retry_waits_for_the_failure_to_be_known():
    r = planner.solve(plan([RETRY], 7))
    failed_then_works = next(b for b in r.policy if b.outcomes == {"A": 2})
    first, second = failed_then_works.attempts
    assert (first["attempt"], first["works"], second["attempt"], second["works"]) == (1, False, 2, True)
    assert second["start_years"] >= first["finish_years"] - 1e-9
    assert failed_then_works.probability == pytest.approx(0.4 * 0.6)


TWO = [
    {"name": "A", "effort": 10, "min_duration": 2, "success": 0.5},
    {"name": "B", "effort": 10, "min_duration": 2, "success": 0.5},
]


@pytest.mark.parametrize(
    "supply, deadline, expected",
    [
        # each approach needs 5 FTE for 2 years. Supply 5: one at a time. Deadline 3: only one
        # run fits (the second would end at 4): P = 0.5.
        (5, 3, 0.5),
        # supply 10: both at once, done at 2: P(either works) = 1 - 0.5^2 = 0.75
        (10, 3, 0.75),
        # supply 5, deadline 4: A by 2, and if it fails B by 4: 0.5 + 0.5 * 0.5 = 0.75
        (5, 4, 0.75),
    ],
)
def test_either_approach_will_do(supply, deadline, expected):
    r = planner.solve(plan(TWO, deadline, supply=supply, goal=[{"any": ["A", "B"]}]))
    assert r.objective == pytest.approx(expected, abs=1e-9)


def test_the_policy_may_not_peek():
    # supply 5, deadline 3: with foresight one would run the approach that is going to work and
    # score P(at least one works) = 0.75; without it the first run decides: 0.5.
    p = plan(TWO, 3, supply=5, goal=[{"any": ["A", "B"]}])
    r = planner.solve(p)
    assert r.objective == pytest.approx(0.5, abs=1e-9)
    # every branch that has seen nothing yet runs the same first approach
    first = {b.attempts[0]["stream"] for b in r.policy}
    assert len(first) == 1


def test_a_bet_and_a_certain_stream_sharing_a_pool():
    # the bet A (effort 6, 3 years at 2 FTE, success 0.5, 1 attempt) and the certain S (effort
    # 24, no cap) share 8 FTE; deadline 4 (the end of year 4). A takes 2 FTE in years 1-3, S the
    # other 6, then all 8 in year 4: 18 + 8 = 26 >= 24, both in time. P = 0.5.
    streams = [{"name": "A", "effort": 6, "min_duration": 3, "success": 0.5}, {"name": "S", "effort": 24}]
    assert planner.solve(plan(streams, 4, supply=8)).objective == pytest.approx(0.5, abs=1e-9)
    # 7 FTE: 5 x 3 + 7 = 22 < 24, S cannot also finish by 4 (and the goal needs both): P = 0
    assert planner.solve(plan(streams, 4, supply=7)).objective == pytest.approx(0.0, abs=1e-9)


def test_a_bet_behind_a_precedence_lag():
    # P (effort 2, 1 year) then a 2-year lag, then the bet B (effort 3, 1 year, success 0.5,
    # 2 attempts). P ends at 1, B can start at 3: attempts end at 4 and 5. Deadline 5: 0.75;
    # deadline 4: 0.5.
    streams = [
        {"name": "P", "effort": 2, "min_duration": 1},
        {"name": "B", "effort": 3, "min_duration": 1, "success": 0.5, "attempts": 2, "after": [{"stream": "P", "lag": 2}]},
    ]
    assert planner.solve(plan(streams, 5)).objective == pytest.approx(0.75, abs=1e-9)
    assert planner.solve(plan(streams, 4)).objective == pytest.approx(0.5, abs=1e-9)


def test_a_half_year_lag_after_a_bet_costs_a_whole_period():
    # A (2 years at 5 FTE, success 0.5) ends at 2; B waits for A to work plus half a year, which
    # on a one-year grid is the whole of year 3; B (2 years) ends at 5. Deadline 5: 0.5 * 0.5;
    # deadline 4: 0 (B would have to start right after A).
    streams = [
        {"name": "A", "effort": 10, "min_duration": 2, "success": 0.5},
        {"name": "B", "effort": 10, "min_duration": 2, "success": 0.5, "after": [{"stream": "A", "lag": 0.5}]},
    ]
    assert planner.solve(plan(streams, 5, supply=5, goal=["B"])).objective == pytest.approx(0.25, abs=1e-9)
    assert planner.solve(plan(streams, 4, supply=5, goal=["B"])).objective == pytest.approx(0.0, abs=1e-9)


def test_value_of_a_bet_under_deadline_scenarios():
    # the bet V (value 10, effort 4, 2 years, success 0.5, 2 attempts: ends at 2 and 4) and a
    # certain C (value 1, effort 1). Deadline 3 or 5, each 0.5. V: works at 1 (0.5) counts in both
    # scenarios; works at 2 (0.25) only in the later one: 10 * (0.5 + 0.25 * 0.5) = 6.25; C: 1.
    streams = [
        {"name": "V", "effort": 4, "min_duration": 2, "success": 0.5, "attempts": 2, "value": 10},
        {"name": "C", "effort": 1, "value": 1},
    ]
    r = planner.solve(plan(streams, {"scenarios": [[3, 0.5], [5, 0.5]]}, objective="value"))
    assert r.objective == pytest.approx(7.25, abs=1e-9)


def test_any_group_in_after():
    # F waits for either A (2 years, success 0.5) or B (certain, 4 years), then takes 1 year;
    # both can run at once. If A works F ends at 3, else at 5. Deadline 4: 0.5; deadline 5: 1.
    streams = [
        {"name": "A", "effort": 2, "min_duration": 2, "success": 0.5},
        {"name": "B", "effort": 4, "min_duration": 4},
        {"name": "F", "effort": 1, "min_duration": 1, "after": [{"any": ["A", "B"]}]},
    ]
    assert planner.solve(plan(streams, 4, goal=["F"])).objective == pytest.approx(0.5, abs=1e-9)
    assert planner.solve(plan(streams, 5, goal=["F"])).objective == pytest.approx(1.0, abs=1e-9)


def test_intervention_moving_the_deadline_costs_retries():
    # the toy of this file: deadline 7 gives 0.84; two years earlier only one attempt fits: 0.6
    p = plan([RETRY], 7, interventions=[{"name": "capabilities work", "deadline_shift": -2}])
    c = planner.compare(p)
    assert c.baseline.objective == pytest.approx(0.84)
    assert c.interventions[0].result.objective == pytest.approx(0.6)
    assert c.interventions[0].delta == pytest.approx(-0.24)


def test_json_and_frame_carry_the_policy():
    r = planner.solve(plan([RETRY], 7))
    d = json.loads(r.to_json())
    assert sorted(round(b["probability"], 6) for b in d["policy"]) == [0.16, 0.24, 0.6]
    assert sum(b["probability"] for b in d["policy"]) == pytest.approx(1.0)
    frame = r.to_frame()
    assert {"branch", "branch_probability", "attempt"} <= set(frame.columns)
    assert frame["branch"].nunique() == 3
    assert "fails" in r.explanation and "0.240" in r.explanation


def test_reach_cuts_attempts_that_cannot_finish():
    # 5 attempts allowed, only 2 fit before deadline 7: outcomes works at 1, at 2, or not in time
    inst = resolve(plan([{**RETRY, "attempts": 5}], 7))
    bets = bets_of(inst)
    assert bets.reach == (2,)
    assert sorted(o.probability for o in bets.outcomes) == pytest.approx(sorted([0.6, 0.24, 0.16]))


def test_earliest_is_refused_with_bets():
    with pytest.raises(PlanError, match="earliest"):
        planner.solve(plan([RETRY], 7, objective="earliest"))


@pytest.mark.parametrize(
    "stream, key",
    [({**RETRY, "success": 0}, "success"), ({**RETRY, "success": 1.5}, "success"), ({**RETRY, "attempts": 0}, "attempts")],
)
def test_bad_bet_keys_are_plan_errors(stream, key):
    with pytest.raises(PlanError) as e:
        plan([stream], 7)
    assert key in str(e.value)


def test_unknown_name_in_any_group():
    with pytest.raises(PlanError, match="unknown stream 'Z'"):
        plan(TWO, 3, goal=[{"any": ["A", "Z"]}])


def test_verify_catches_peeking_and_late_retries():
    inst = resolve(plan(TWO, 3, supply=5, goal=[{"any": ["A", "B"]}]))
    H = inst.periods
    run = lambda t0: np.array([5.0 if t0 <= t < t0 + 2 else 0.0 for t in range(H)])  # noqa: E731
    outcomes = [((1, 1), 0.25), ((1, 0), 0.25), ((0, 1), 0.25), ((0, 0), 0.25)]
    # the clairvoyant plan: run B first exactly where A is going to fail
    peek = [{("A", 1): run(0)}, {("A", 1): run(0)}, {("B", 1): run(0)}, {("A", 1): run(0)}]
    with pytest.raises(VerificationError, match="peeks"):
        check_policy(inst, ["A", "B"], outcomes, peek)
    honest = [{("A", 1): run(0)}] * 4
    assert check_policy(inst, ["A", "B"], outcomes, honest).objective == pytest.approx(0.5)
    # a second attempt that does not exist
    with pytest.raises(VerificationError, match="does not exist"):
        check_policy(inst, ["A", "B"], outcomes, [{("A", 2): run(0)}] * 4)


def test_simulated_policy_matches_its_objective():
    # play the reported policy over random outcomes drawn with the bets' own probabilities: the
    # mean of the branch objectives converges on the expected objective
    r = planner.solve(plan([RETRY, {**RETRY, "name": "B", "success": 0.3}], 7, goal=[{"any": ["A", "B"]}]))
    rng = np.random.default_rng(1)
    by_outcome = {tuple(sorted(b.outcomes.items())): b.objective for b in r.policy}
    draws = []
    for _ in range(20_000):
        out = {}
        for name, p in (("A", 0.6), ("B", 0.3)):
            k = next((a for a in (1, 2) if rng.random() < p), 0)
            out[name] = k
        draws.append(by_outcome[tuple(sorted(out.items()))])
    assert np.mean(draws) == pytest.approx(r.objective, abs=0.01)


def test_value_of_knowing_outcomes():
    # supply 5 (one approach at a time), deadline 3 or 4 (0.5 each). The policy: A first, then B if
    # A fails: deadline 3 only A counts (0.5), deadline 4 both (0.75): 0.625. With every outcome
    # known, run the one that works: 0.75 for either deadline. Value of knowing: 0.125.
    from planner.analysis.outcome_value import outcome_value

    p = plan(TWO, {"scenarios": [[3, 0.5], [4, 0.5]]}, supply=5, goal=[{"any": ["A", "B"]}])
    v = outcome_value(p)
    assert (v.policy, v.clairvoyant, v.value) == pytest.approx((0.625, 0.75, 0.125), abs=1e-9)
