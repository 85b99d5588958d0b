"""A greedy schedule: the plan reported when a solve is stopped before the solver has any.

Period by period, streams whose predecessors (and lags) are done get as much work as their caps
and the pools' remaining supply allow, most urgent first (required by the goal, then earliest
possible start, then longest minimum duration). It is feasible by construction, so a solve stopped
early always has a plan to report. (It is not handed to HiGHS as a start: docs/solver-notes.md.)
"""
from __future__ import annotations

import numpy as np

from .instance import Instance
from .model import LinearModel, last_useful_period
from .structure import CriticalPath, needed_streams


def greedy(inst: Instance, cp: CriticalPath, bound: np.ndarray | None = None) -> np.ndarray:
    """(S, H) crew units of a feasible schedule, within `bound` crew units per stream and period
    (default: each stream's own caps up to the last period a deadline counts)."""
    S, H = len(inst.streams), inst.periods
    if bound is None:
        bound = inst.staff_bound.copy()
        bound[:, last_useful_period(inst) + 1:] = 0.0
    needed = needed_streams(inst)
    order = sorted(range(S), key=lambda i: (not needed[i], cp.earliest_start[i], -inst.min_duration[i], i))
    u = np.zeros((S, H))
    left = inst.effort.astype(float).copy()
    finish = np.full(S, H)  # period by whose end each stream completed (H: not yet)
    for t in range(H):
        supply = inst.supply[:, t].astype(float).copy()
        for i in order:
            rate = inst.step * inst.productivity[i, t]
            if left[i] <= 0 or rate <= 0 or bound[i, t] <= 0 or t < cp.earliest_start[i]:
                continue
            if any(finish[p.pred] > t - 1 - p.gap for p in inst.predecessors[i]):
                continue
            crew = inst.crew[i]
            room = min(supply[r] / crew[r] for r in np.flatnonzero(crew > 0))
            units = min(bound[i, t], room, left[i] / rate)
            if units <= 0:
                continue
            u[i, t] = units
            supply -= crew * units
            left[i] -= units * rate
            if left[i] <= 1e-9 * inst.effort[i]:
                left[i] = 0.0
                finish[i] = t
    return u


def start_solution(inst: Instance, cp: CriticalPath, lm: LinearModel) -> np.ndarray:
    """The greedy schedule, kept inside the model's bounds, as a full column vector (u, w, c, g)."""
    col = lm.arrays()
    u = greedy(inst, cp, lm.values(col["ub"], "u"))
    progress = np.minimum(np.cumsum(inst.step * inst.productivity * u, axis=1), inst.effort[:, None])
    complete = progress >= inst.effort[:, None] * (1 - 1e-9)
    progress = np.where(complete, inst.effort[:, None], progress)
    goal = complete[inst.required].all(axis=0) if inst.required.any() else np.ones(inst.periods, bool)
    x = np.zeros(lm.n)
    lm.assign(x, "u", u)
    lm.assign(x, "w", progress)
    lm.assign(x, "c", complete)
    lm.assign(x, "g", goal)
    return np.minimum(x, col["ub"])
