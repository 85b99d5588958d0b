"""The policy in words: every attempt a history staffs is named, including one that never
completes in the horizon (people the policy spends must not disappear from the story)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from planner.explain import policy_words
from planner.result import PolicyBranch


def branch(probability, works_at, attempts, allocation, goal_years=None):
    return PolicyBranch(
        outcomes=works_at,
        probability=probability,
        objective=0.0,
        goal_years=goal_years,
        attempts=attempts,
        allocation={k: np.asarray(v, dtype=float) for k, v in allocation.items()},
    )


def test_an_unfinished_attempt_is_named_with_its_first_year():
    # periods of 2 years from 2030; the bet "deep" fails its one attempt (2030-2034), and the
    # certain stream "wide" is staffed from its third period (2034) but never completes
    fail = {"stream": "deep", "attempt": 1, "start_years": 0.0, "finish_years": 4.0, "works": False}
    res = SimpleNamespace(
        start_year=2030,
        period_starts=np.array([0.0, 2.0, 4.0, 6.0]),
        policy=[
            branch(0.7, {"deep": 0}, [fail], {"deep #1": [3, 3, 0, 0], "wide #1": [0, 0, 5, 5]}),
            branch(
                0.3,
                {"deep": 1},
                [{**fail, "works": True}],
                {"deep #1": [3, 3, 0, 0]},
                goal_years=4.0,
            ),
        ],
    )
    lines = policy_words(res).splitlines()
    assert lines[0].startswith("a policy over 2 outcome scenarios, 2 histories")
    assert lines[1] == "  0.700: deep #1 2030-2034 fails, wide from 2034, unfinished; goal not met"
    assert lines[2] == "  0.300: deep 2030-2034 works; goal met 2034"


def test_an_unfinished_retry_of_a_bet_keeps_its_attempt_number():
    # the first attempt fails (2026-2028), the second is started in 2028 and runs out of horizon
    fail = {"stream": "b", "attempt": 1, "start_years": 0.0, "finish_years": 2.0, "works": False}
    res = SimpleNamespace(
        start_year=2026,
        period_starts=np.array([0.0, 1.0, 2.0, 3.0]),
        policy=[branch(1.0, {"b": 0}, [fail], {"b #1": [1, 1, 0, 0], "b #2": [0, 0, 1, 1]})],
    )
    assert policy_words(res).splitlines()[1] == "  1.000: b #1 2026-2028 fails, b #2 from 2028, unfinished; goal not met"
