"""Schedules built without a solver: feasible by construction, and checked like any other.

- `least_slack`: the plan that tries to reach the critical-path bound (the structured solve's first step,
  pipeline/search.py):
  least-laxity-first list scheduling towards each stream's due period. When it meets them all, it
  is optimal and no MIP is needed.
- `greedy` / `start_solution`: the plan reported when a solve is stopped before the solver has any.
  Period by period, streams whose predecessors (and lags) are done get as much work as their caps
  and the pools' remaining supply allow, most urgent first (required by the goal, then earliest
  possible start, then longest minimum duration).

Project scheduling's own start schedule (every stream rigid) is planner/rcpsp/genetic.py.
Neither is handed to HiGHS as a start solution (docs/solver-notes.md).
"""

from __future__ import annotations

import bisect
import math
from typing import TYPE_CHECKING

import numpy as np

from planner.mip.linear import LinearModel
from planner.structure import CriticalPath, last_useful_period, needed_streams

if TYPE_CHECKING:  # annotations only: importing it at run time would load the plan schema (pydantic)
    from planner.instance.instance import Instance


def greedy(inst: Instance, cp: CriticalPath, bound: np.ndarray | None = None) -> np.ndarray:
    """(S, H) crew units of a feasible schedule, within `bound` crew units per stream and period
    (default: each stream's own caps up to the last period a deadline counts)."""
    S, H = len(inst.streams), inst.periods
    if bound is None:
        bound = inst.staff_bound.copy()
        bound[:, last_useful_period(inst) + 1 :] = 0.0
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


def least_slack(inst: Instance, cp: CriticalPath, bound: np.ndarray, due: np.ndarray) -> np.ndarray:
    """(S, H) crew units of a feasible schedule that tries to finish every stream by its due period
    (structure.bound_due_periods; NO_DUE where it does not matter).

    Period by period, the streams that may work (released, inside `bound`, predecessors and lags
    done) get as much work as their caps and the pools' remaining supply allow, in order of
    slack: the one whose latest start (the last period from which it still finishes by its due
    period, working at its caps) comes first goes first; streams without a due period come after,
    by earliest start. This is least-laxity-first list scheduling, the rule that keeps the most
    streams on time when they compete for pools.

    Plain Python on lists: the loop visits each ready stream once a period, and numpy's per-call
    cost is more than that work on plans of a few streams (where it runs thousands of times)."""
    S, H = len(inst.streams), inst.periods
    rate = inst.step * inst.productivity  # effective person-years per crew unit
    most = np.add.accumulate(rate * bound, axis=1)  # cumsum: the most progress by the end of each period
    end = [int(min(d, H - 1)) + 1 if d < H else -1 for d in due.tolist()]  # reach[i][end] = by the due period
    # reach[i][s]: the most progress before period s, up to end[i] (made when stream i is first sorted)
    reach: dict[int, list[float]] = {}
    # (pool, FTE per crew unit) of each stream's crew
    pools = [[(r, units) for r, units in enumerate(row) if units > 0] for row in inst.crew.tolist()]
    multi = [len(p) > 1 for p in pools]
    succ: list[list] = [[] for _ in range(S)]
    for p in inst.precedences:
        succ[p.pred].append((p.succ, p.gap))
    waiting = [len(inst.predecessors[i]) for i in range(S)]  # predecessors not yet done
    ready_from = inst.release_period.astype(int).tolist()
    es = cp.earliest_start.tolist()
    # one period's row at a time, as a list: the loop stops once every stream is done
    bound_t, rate_t, supply_t = bound.T, rate.T, inst.supply.T
    effort = inst.effort.astype(float).tolist()
    left = list(effort)
    u = np.zeros((S, H))
    todo = S  # streams not yet done
    free = [i for i in range(S) if waiting[i] == 0]  # not done, every predecessor done
    for t in range(H):
        if not todo:
            break
        if not free:
            continue
        bt, rt = bound_t[t].tolist(), rate_t[t].tolist()
        ready = [i for i in free if ready_from[i] <= t and bt[i] > 0 and rt[i] > 0]
        if not ready:
            continue
        if len(ready) > 1:  # by latest start (the last s with reach[i][end] - reach[i][s] >= left[i];
            # inf without a due period), then earliest start
            keys = []
            for i in ready:
                e = end[i]
                if e < 0:
                    keys.append((math.inf, es[i], i))
                    continue
                if i not in reach:
                    reach[i] = [0.0] + most[i, :e].tolist()
                keys.append((bisect.bisect_right(reach[i], reach[i][e] - left[i] * (1 - 1e-9), 0, e + 1) - 1, es[i], i))
            keys.sort()
            ready = [key[2] for key in keys]
        supply = supply_t[t].tolist()
        for i in ready:
            crew = pools[i]
            room = supply[crew[0][0]] / crew[0][1]
            if multi[i]:  # the least any pool leaves, as min() picks it
                for r, units in crew[1:]:
                    x = supply[r] / units
                    if x < room:
                        room = x
            work = bt[i]  # min(bt[i], room, left[i] / rt[i]), as min() picks it
            if room < work:
                work = room
            x = left[i] / rt[i]
            if x < work:
                work = x
            if work <= 0:
                continue
            u[i, t] = work
            if multi[i]:
                for r, units in crew:
                    supply[r] -= units * work
            else:
                supply[crew[0][0]] -= crew[0][1] * work
            left[i] -= work * rt[i]
            if left[i] <= 1e-9 * effort[i]:
                left[i] = 0.0
                todo -= 1
                free.remove(i)
                for j, gap in succ[i]:  # its successors may start once the lag has passed
                    waiting[j] -= 1
                    ready_from[j] = max(ready_from[j], t + 1 + gap)
                    if waiting[j] == 0:
                        free.append(j)
    return u
