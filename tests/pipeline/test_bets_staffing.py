"""Research bets with the staffing keys and training (`min_staff`, `fixed_crew`, `contiguous`,
`integer_staff`, `train`): the policy's optimum against values derived by hand, each in a plan
where the key changes the answer. These plans failed their own verification before (the
policy MIP let a discrete attempt's crew run on into the period after it was done).

Common: bet A, success 0.6, two attempts; P = 0.84 when both attempts end by the deadline, 0.6
when only the first does."""

from __future__ import annotations

import pytest

import planner


def solve(streams, deadline, pools=None, goal=None):
    plan = planner.from_dict(
        {
            "plan": {"horizon": 12},
            "pools": pools or [{"name": "r", "supply": 10}],
            "streams": streams,
            "goal": {"required": goal or ["A"]},
            "deadline": {"years": deadline},
        }
    )
    r = planner.solve(plan)
    assert r.status == "optimal"
    return r.objective


def bet(**keys):
    return {"name": "A", "pool": "r", "effort": 6, "success": 0.6, "attempts": 2, **keys}


@pytest.mark.parametrize(
    "min_staff, deadline, expected",
    [
        # B (certain, effort 8, at most 4 a year) and A share 10 people. A at 6 people finishes an
        # attempt in a year beside B at 4: both attempts by year 2, B too: 0.84
        (6, 2, 0.84),
        # A needs 7 when worked: B gets 3 beside it. By year 2 B needs its 4 in both years, which
        # leaves A no year: 0. By year 3: A in years 1 and 2 beside B (3, 3), B's last 2 in year 3
        (7, 2, 0.0),
        (7, 3, 0.84),
    ],
)
def test_min_staff(min_staff, deadline, expected):
    b = {"name": "B", "pool": "r", "effort": 8, "min_duration": 2}
    got = solve([bet(min_staff=min_staff), b], deadline, goal=["A", "B"])
    assert got == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("deadline, expected", [(6, 0.84), (5, 0.6)])
def test_fixed_crew(deadline, expected):
    # exactly 2.5 people when worked: 3 years an attempt (2.5, 2.5, 2.5 >= 6); attempts end at 3
    # and 6
    assert solve([bet(fixed_crew=True, max_staff=2.5)], deadline) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("deadline, expected", [(6, 0.84), (5, 0.6)])
def test_contiguous(deadline, expected):
    # at most 2.4 a year (min_duration 2.5): 3 unbroken years an attempt; they end at 3 and 6
    assert solve([bet(contiguous=True, min_duration=2.5)], deadline) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("whole, expected", [(False, 0.84), (True, 0.6)])
def test_whole_people(whole, expected):
    # effort 4.8 at most 2.4 a year (min_duration 2): 2 years an attempt, ending at 2 and 4 (0.84
    # with deadline 4); in whole people 2 a year, 3 years an attempt, ending at 3 and 6: 0.6
    pools = [{"name": "r", "supply": 10, "integer_staff": whole}]
    got = solve([bet(effort=4.8, min_duration=2)], 4, pools=pools)
    assert got == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("deadline, expected", [(5, 0.84), (4, 0.6)])
def test_training(deadline, expected):
    # pool s starts empty; T (effort 4, on r) trains 1 FTE of s per unit of progress, a year later:
    # at most 4 people on s from year 1. A (on s) at 4 a year: 2 years an attempt (4 + 2), the
    # first in years 1-2 (ends at 3), the retry in years 3-4 (ends at 5)
    pools = [{"name": "r", "supply": 10}, {"name": "s", "supply": 0}]
    t = {"name": "T", "pool": "r", "effort": 4, "train": {"pool": "s", "per_effort": 1, "delay": 1}}
    assert solve([bet(pool="s"), t], deadline, pools=pools) == pytest.approx(expected, abs=1e-9)


def _with_keys(seed: int) -> dict:
    """The bets campaign's random plan of `seed` (tests/oracles/bets_campaign.py) with staffing
    keys and diminishing returns added at random."""
    import random
    import sys
    import tomllib
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from oracles.bets_campaign import random_bet_plan

    rng = random.Random(seed)
    doc = tomllib.loads(random_bet_plan(seed, 12))
    for s in doc["streams"]:
        k = rng.random()
        if k < 0.15:
            s["min_staff"] = rng.choice([1, 2])
            s.pop("max_staff", None)
        elif k < 0.3:
            s["contiguous"] = True
        elif k < 0.4:
            s["fixed_crew"] = True
            s.setdefault("max_staff", rng.choice([1.5, 2, 3]))
        elif k < 0.55:
            s["parallelization"] = rng.choice([0.5, 0.7])
    if rng.random() < 0.3:
        doc["pools"][0]["integer_staff"] = True
    return doc


@pytest.mark.parametrize("seed", [pytest.param(s, marks=() if s < 8 else (pytest.mark.slow,)) for s in range(60)])
def test_random_plans_with_staffing_keys_solve_and_pass_their_check(seed):
    # every policy is played forward by verify_policy (staffing and training per attempt
    # included) before it is reported: a broken rule raises VerificationError here
    r = planner.solve(planner.from_dict(_with_keys(seed)))
    assert r.status == "optimal"
    assert r.bound is not None and -1e-9 <= r.objective <= r.bound + 1e-6 * max(1.0, abs(r.bound))
    assert sum(b.probability for b in r.policy) == pytest.approx(1.0)
