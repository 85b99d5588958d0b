"""The policy check (planner/verify_policy.py) on policies written by hand: the staffing keys and
training hold per attempt in every outcome scenario, as they do for a plan without bets
(planner/verify.py). Each policy below breaks one rule, next to one that keeps it.

The plan: one pool of 10, bet A (effort 6, success 0.6, two attempts), deadline 7. Its outcome
scenarios: works at attempt 1 (0.6), at 2 (0.24), never (0.16)."""

from __future__ import annotations

import numpy as np
import pytest

import planner
from planner.errors import VerificationError
from planner.instance.resolve import resolve
from planner.verify_policy import check_policy

OUTCOMES = [((1,), 0.6), ((2,), 0.24), ((0,), 0.16)]
H = 12


def instance(stream: dict, pools: list[dict] | None = None, extra: list[dict] | None = None):
    return resolve(
        planner.from_dict(
            {
                "plan": {"horizon": H},
                "pools": pools or [{"name": "r", "supply": 10}],
                "streams": [
                    {"name": "A", "pool": "r", "effort": 6, "success": 0.6, "attempts": 2, **stream},
                    *(extra or []),
                ],
                "goal": {"required": ["A"]},
                "deadline": {"years": 7},
            }
        )
    )


def policy(first: list[float], second: list[float], start_second: int) -> list[dict]:
    """Attempt 1 worked `first` from year 0; if it fails, attempt 2 worked `second` from
    `start_second`: the same in every scenario until attempt 1's outcome is known."""
    one = np.zeros(H)
    one[: len(first)] = first
    two = np.zeros(H)
    two[start_second : start_second + len(second)] = second
    return [{("A", 1): one}, {("A", 1): one, ("A", 2): two}, {("A", 1): one, ("A", 2): two}]


def check(inst, allocations):
    return check_policy(inst, ["A"], OUTCOMES, allocations)


def test_min_staff_holds_in_every_attempt():
    inst = instance({"min_staff": 3})
    assert check(inst, policy([3, 3], [3, 3], 2)).objective == pytest.approx(0.84)
    with pytest.raises(VerificationError, match="min_staff"):
        check(inst, policy([3, 3], [2, 2, 2], 2))  # the retry below its minimum


def test_a_fixed_crew_works_at_its_cap():
    inst = instance({"fixed_crew": True, "max_staff": 3})
    assert check(inst, policy([3, 3], [3, 3], 2)).objective == pytest.approx(0.84)
    with pytest.raises(VerificationError, match="fixed crew"):
        check(inst, policy([2, 2, 2], [3, 3], 3))


def test_a_contiguous_attempt_is_not_split():
    inst = instance({"contiguous": True})
    # each attempt one unbroken run (years 0-2, then 4-6, done by 7); the pause between a failure
    # and the retry is allowed
    assert check(inst, policy([2, 2, 2], [2, 2, 2], 4)).objective == pytest.approx(0.84)
    with pytest.raises(VerificationError, match="contiguous"):
        check(inst, policy([2, 0, 2, 2], [2, 2, 2], 4))


def test_whole_people():
    inst = instance({}, pools=[{"name": "r", "supply": 10, "integer_staff": True}])
    assert check(inst, policy([3, 3], [3, 3], 2)).objective == pytest.approx(0.84)
    with pytest.raises(VerificationError, match="whole people"):
        check(inst, policy([2.5, 2.5, 1], [3, 3], 3))


def test_training_counts_only_the_people_trained():
    # pool s starts empty; T (certain, on pool r) trains 1 FTE of s per unit of its progress, a
    # year later. T works 2 a year in years 0-1 (effort 4): s has 2 people from year 1 and 4
    # from year 2. A (on s) may use 2 in year 1, 4 from year 2; 4 in year 1 is more than trained.
    pools = [{"name": "r", "supply": 10}, {"name": "s", "supply": 0}]
    t = {"name": "T", "pool": "r", "effort": 4, "train": {"pool": "s", "per_effort": 1, "delay": 1}}
    inst = instance({"pool": "s"}, pools=pools, extra=[t])
    train = np.zeros(H)
    train[:2] = 2

    def with_t(allocations):
        return [{**a, ("T", 1): train} for a in allocations]

    ok = with_t(policy([0, 2, 4], [4, 2], 3))
    assert check_policy(inst, ["A"], OUTCOMES, ok).objective == pytest.approx(0.84)
    with pytest.raises(VerificationError, match="supply"):
        check_policy(inst, ["A"], OUTCOMES, with_t(policy([0, 4, 2], [4, 2], 3)))
