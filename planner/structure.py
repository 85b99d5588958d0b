"""What the plan's structure alone allows: earliest finishes along the critical path.

Each stream is scheduled as if it had its pools to itself, starting as early as its release and
its predecessors allow and working at its own caps (rate cap, max_staff, and, unless labour is
taken as unlimited, its pools' supply). This gives a lower bound on every finish time. The model
uses it to fix variables outside each stream's window; comparisons use the labour-unlimited
version to say when an answer is structural ("no number of researchers finishes it sooner").
"""
from __future__ import annotations

from dataclasses import dataclass
from graphlib import TopologicalSorter

import numpy as np

from .instance import Instance

NEVER = -1  # finish period of a stream that cannot complete inside the horizon


@dataclass(frozen=True)
class CriticalPath:
    earliest_start: np.ndarray   # (S,) first period a stream may work (H if never)
    earliest_finish: np.ndarray  # (S,) first period by whose end it can be complete, NEVER if none
    goal_finish: int             # first period by whose end the goal can be met, NEVER if none
    chain: list[str]             # the streams on the path that sets goal_finish, first to last

    def years(self, period: int, step: float) -> float | None:
        """Completion time in years of a finish period (end of the period)."""
        return None if period == NEVER else (period + 1) * step


def critical_path(inst: Instance, *, unlimited_labour: bool = False) -> CriticalPath:
    """Earliest start/finish of every stream, ignoring competition between streams for pools."""
    S, H = len(inst.streams), inst.periods
    if unlimited_labour:  # effective progress per period
        per_period = np.where(inst.productivity > 0, inst.step * inst.rate_cap[:, None], 0.0)
    else:
        per_period = inst.step * inst.productivity * inst.staff_bound
    es = np.full(S, H)
    ef = np.full(S, NEVER)
    via: dict[int, int | None] = {}
    order = TopologicalSorter({i: [p.pred for p in inst.predecessors[i]] for i in range(S)}).static_order()
    for i in order:
        start, via[i] = int(inst.release_period[i]), None
        for p in inst.predecessors[i]:
            ready = H if ef[p.pred] == NEVER else ef[p.pred] + 1 + p.gap
            if ready > start:
                start, via[i] = ready, p.pred
        es[i] = min(start, H)
        if start < H:
            cum = np.cumsum(per_period[i, start:])
            hit = np.flatnonzero(cum >= inst.effort[i] * (1 - 1e-9))
            ef[i] = start + int(hit[0]) if hit.size else NEVER
    req = np.flatnonzero(inst.required)
    if np.any(ef[req] == NEVER):
        last = int(req[ef[req] == NEVER][0])
        goal = NEVER
    else:
        last = int(req[np.argmax(ef[req])])
        goal = int(ef[last])
    chain = [last]
    while via.get(chain[-1]) is not None:
        chain.append(via[chain[-1]])
    return CriticalPath(es, ef, goal, [inst.streams[i] for i in reversed(chain)])


def structural_bound(inst: Instance, cp: CriticalPath) -> float | None:
    """The best `probability` reachable given these earliest finishes: P(deadline allows goal_finish).
    With the labour-unlimited path it is what no amount of labour can beat."""
    if inst.objective != "probability" or not inst.has_deadline:
        return None
    return 0.0 if cp.goal_finish == NEVER else float(inst.weights[cp.goal_finish:].sum())


def objective_bound(inst: Instance, cp: CriticalPath) -> float | None:
    """A bound on the objective from earliest finishes alone, for when the solver stops before it
    has one: no plan does better than every stream finishing at its own earliest."""
    if inst.objective == "earliest":
        return cp.years(cp.goal_finish, inst.step)
    if not inst.has_deadline:
        return None
    if inst.objective == "probability":
        return structural_bound(inst, cp)
    tail = np.concatenate([np.cumsum(inst.weights[::-1])[::-1], [0.0]])  # P(deadline allows t)
    reach = np.where(cp.earliest_finish == NEVER, inst.periods, cp.earliest_finish)
    return float((np.maximum(inst.value, 0.0) * tail[reach]).sum())
