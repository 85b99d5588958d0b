"""Copies of a plan's streams: an Instance whose stream k is stream source[k] of another, in every
per-stream array. Research bets need them twice: the policy MIP gives each failed attempt its own
stream (mip/outcomes.py), and the policy check re-checks each attempt's staffing and training as a
stream of its own (verify_policy.py)."""

from __future__ import annotations

import dataclasses

import numpy as np

from planner.instance.instance import Instance

PER_STREAM = (
    "crew",
    "productivity",
    "effort",
    "min_duration",
    "max_staff",
    "release",
    "value",
    "required",
    "contiguous",
    "min_staff",
    "fixed_crew",
    "speedup",
    "parallelization",
    "train_pool",
    "train_per_effort",
    "train_delay",
    "train_attrition",
    "success",
    "attempts",
)
"""The Instance fields with one entry (or row) per stream, which a copy takes from its source."""


def copy_streams(inst: Instance, source: np.ndarray, names: list[str], counted: np.ndarray | None = None) -> Instance:
    """`inst` with stream k a copy of stream source[k] in every per-stream array, milestones'
    stream masks too; `counted` (bool per copy): the copies the goal and milestones may count
    (the others are neither required nor in a milestone). Precedences and `any` groups still name
    the plan's own streams: a caller that needs them renumbers them."""
    changes: dict = {"streams": names}
    for name in PER_STREAM:
        changes[name] = getattr(inst, name)[source].copy()
    assert inst.milestone_streams is not None  # Instance.__post_init__ fills it in
    changes["milestone_streams"] = inst.milestone_streams[:, source].copy()
    if counted is not None:
        changes["required"] &= counted
        changes["milestone_streams"] &= counted[None, :]
    return dataclasses.replace(inst, **changes)
