"""Start windows for project-scheduling targets, narrowed before any MIP is built (issue 11).

When every stream the goal waits on is rigid (model.rigid_periods: contiguous, a fixed crew, a
run of d periods), "can the goal be met by the end of period T" is the decision version of the
resource-constrained project scheduling problem. Each such stream starts in a window
[est, lst]: from the critical path's earliest start to its due period less d - 1. Three classic
rules, applied until nothing changes, remove starts that no plan can use:

- precedences: a successor starts at least d + gap periods after its predecessor;
- disjunctive pairs: two streams whose crews together exceed a pool's supply in every period can
  never overlap, so when one of them cannot go first, the other must;
- energetic reasoning (Baptiste, Le Pape and Nuijten, 1999): over any interval [a, b), the work
  each stream must do inside it whatever its start (the smaller overlap of its earliest and
  latest run) cannot exceed the pools' supply there; and a stream whose own overlap would break
  that bound moves its start out of the interval.

Every rule only removes starts that no plan has, so an empty window proves that the goal cannot
be met by T (a destructive lower bound, no solver needed), and the MIP built on the narrowed
windows has exactly the plans of the one built on the wide windows: fewer columns and a tighter
relaxation. Other plans (any stream the goal waits on not rigid, or training) are left as they
are.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from planner.instance.instance import Instance
from planner.mip.rigid import clashes, rigid_crews, rigid_periods
from planner.structure import NEVER, CriticalPath, due_by

MAX_ROUNDS = 100  # fixpoint rounds; each removes at least one start, so this only caps the work


@dataclasses.dataclass
class Jobs:
    """The rigid target as project-scheduling jobs (local indices 0..m-1): the streams they are,
    run lengths d, need (m, R) pool FTE while running, the pools' supply (R, H), precedence edges
    (k, 3) of (pred, succ, gap), and the narrowed start windows [est, lst]. What SCIP's cumulative
    constraints are built from (planner/rcpsp/cumulative.py)."""

    streams: np.ndarray
    d: np.ndarray
    need: np.ndarray
    supply: np.ndarray
    edges: np.ndarray
    est: np.ndarray
    lst: np.ndarray


@dataclasses.dataclass
class Windows:
    """The narrowed target: a critical path whose earliest starts and finishes are the windows'
    (for model.build_target), the due periods (each stream's latest finish), and, when the rules
    applied (every stream the goal waits on rigid), those streams as `Jobs`."""

    cp: CriticalPath
    due: np.ndarray
    jobs: Jobs | None = None


def narrow(inst: Instance, cp: CriticalPath, due: np.ndarray) -> Windows | None:
    """The target "every stream with a due period is complete by it" with narrowed windows, or
    None when the rules prove that no plan meets it. Plans the rules do not cover come back
    unchanged."""
    H = inst.periods
    has = due < H
    idx = np.flatnonzero(has)
    unchanged = Windows(cp, due)
    if idx.size == 0 or inst.trains.any():
        return unchanged
    if np.any(cp.earliest_finish[idx] == NEVER):
        return None  # a stream the goal waits on cannot finish inside the horizon at all
    first = np.where(has, cp.earliest_start, H)
    last = np.where(has, np.minimum(due, H - 1), -1)
    d = rigid_periods(inst, (first, last))[idx]
    if np.any(d <= 0):
        return unchanged
    local = -np.ones(len(inst.streams), int)
    local[idx] = np.arange(idx.size)
    edges = np.array(
        [(local[p.pred], local[p.succ], p.gap) for p in inst.precedences if has[p.succ] and has[p.pred]], dtype=int
    ).reshape(-1, 3)
    _, need = rigid_crews(inst, (first, last), idx)  # (m, R) pool FTE while running
    est = first[idx].astype(int)
    lst = (np.minimum(due[idx], H - 1) - d + 1).astype(int)
    supply = np.asarray(inst.supply, float)
    if not _Rules(d, need, supply, edges).fixpoint(est, lst):
        return None
    start = cp.earliest_start.copy()
    start[idx] = est
    finish = cp.earliest_finish.copy()
    finish[idx] = np.maximum(finish[idx], est + d - 1)
    out_due = due.copy()
    out_due[idx] = lst + d - 1
    return Windows(
        dataclasses.replace(cp, earliest_start=start, earliest_finish=finish),
        out_due,
        Jobs(idx, d, need, supply, edges, est, lst),
    )


def first_open(inst: Instance, cp: CriticalPath, periods: np.ndarray, lo: int = 0, hi: int | None = None) -> int:
    """The index of the first goal period in `periods[lo:hi]` that the rules do not rule out
    (`hi` if all are): a destructive lower bound that costs no solver. Ruling out is monotone (a
    later period only widens every window), so it halves. A plan without discrete staffing has
    no rigid streams, and the answer is `lo` at once."""
    hi = len(periods) if hi is None else hi
    if not inst.has_dynamics:
        return lo
    while lo < hi:
        k = (lo + hi) // 2
        if narrow(inst, cp, due_by(inst, int(periods[k]))) is None:
            lo = k + 1
        else:
            hi = k
    return lo


class _Rules:
    """The three rules over m rigid streams (local indices): d (m,) run lengths, need (m, R),
    supply (R, H), edges (k, 3) of (pred, succ, gap)."""

    def __init__(self, d: np.ndarray, need: np.ndarray, supply: np.ndarray, edges: np.ndarray) -> None:
        self.d, self.need, self.edges = d, need, edges
        self.cum = np.concatenate([np.zeros((supply.shape[0], 1)), np.cumsum(supply, axis=1)], axis=1)
        i, j = np.nonzero(np.triu(clashes(need, supply)))
        self.pairs = (i, j)
        self.uses = need > 0

    def fixpoint(self, est: np.ndarray, lst: np.ndarray) -> bool:
        """Narrow est/lst in place until no rule changes them; False if a window empties."""
        for _ in range(MAX_ROUNDS):
            before = (est.copy(), lst.copy())
            if not (self._precedences(est, lst) and self._disjunctive(est, lst) and self._energy(est, lst)):
                return False
            if np.array_equal(before[0], est) and np.array_equal(before[1], lst):
                return True
        return bool(np.all(est <= lst))

    def _precedences(self, est: np.ndarray, lst: np.ndarray) -> bool:
        if len(self.edges):
            p, s, gap = self.edges.T
            for _ in range(self.d.size):
                old = (est.copy(), lst.copy())
                np.maximum.at(est, s, est[p] + self.d[p] + gap)
                np.minimum.at(lst, p, lst[s] - self.d[p] - gap)
                if np.array_equal(old[0], est) and np.array_equal(old[1], lst):
                    break
        return bool(np.all(est <= lst))

    def _disjunctive(self, est: np.ndarray, lst: np.ndarray) -> bool:
        i, j = self.pairs
        if i.size == 0:
            return True
        i_first = est[i] + self.d[i] <= lst[j]  # i can run wholly before j
        j_first = est[j] + self.d[j] <= lst[i]
        if np.any(~i_first & ~j_first):
            return False
        k = ~i_first  # j must go first
        np.maximum.at(est, i[k], est[j[k]] + self.d[j[k]])
        np.minimum.at(lst, j[k], lst[i[k]] - self.d[j[k]])
        k = ~j_first  # i must go first
        np.maximum.at(est, j[k], est[i[k]] + self.d[i[k]])
        np.minimum.at(lst, i[k], lst[j[k]] - self.d[i[k]])
        return bool(np.all(est <= lst))

    def _energy(self, est: np.ndarray, lst: np.ndarray) -> bool:
        """Energetic reasoning over the intervals [a, b) with a among the windows' starts and b
        among their ends (the points where a stream's least overlap changes slope)."""
        d, need = self.d, self.need
        H = self.cum.shape[1] - 1
        ect, lct = est + d, lst + d
        starts = np.unique(np.concatenate([est, lst, ect]))
        ends = np.unique(np.concatenate([lct, ect, lst]))
        starts = starts[(starts >= 0) & (starts < H)]
        ends = ends[(ends > 0) & (ends <= H)]
        new_est, new_lst = est.copy(), lst.copy()
        for a in starts:
            b = ends[ends > a][:, None]  # (q, 1)
            if b.size == 0:
                continue
            width = b - a
            early = np.clip(np.minimum(b, ect) - np.maximum(a, est), 0, None)  # (q, m)
            late = np.clip(np.minimum(b, lct) - np.maximum(a, lst), 0, None)
            least = np.minimum(early, late)  # (q, m) periods inside
            energy = least @ need  # (q, R)
            capacity = (self.cum[:, b[:, 0]] - self.cum[:, [a]]).T  # (q, R)
            if np.any(energy > capacity * (1 + 1e-9) + 1e-9):
                return False
            # the most periods stream i can spend inside [a, b) given the others' least work
            room = capacity[:, None, :] - (energy[:, None, :] - least[:, :, None] * need[None, :, :])
            with np.errstate(divide="ignore", invalid="ignore"):
                fit = np.where(self.uses[None], np.floor(room / np.where(self.uses, need, 1.0)[None] + 1e-9), np.inf)
            q = fit.min(axis=2)  # (q, m)
            tight = q < np.minimum(d[None, :], width)
            # starts s in [a - d + q + 1, b - q - 1] put more than q periods inside
            lo_bad, hi_bad = a - d[None, :] + q + 1, b - q - 1
            hit = tight & (est[None, :] >= lo_bad) & (est[None, :] <= hi_bad)
            if hit.any():
                new_est = np.maximum(new_est, np.where(hit, b - q, -np.inf).max(axis=0)).astype(int)
            hit = tight & (lst[None, :] >= lo_bad) & (lst[None, :] <= hi_bad)
            if hit.any():
                new_lst = np.minimum(new_lst, np.where(hit, a - d[None, :] + q, np.inf).min(axis=0)).astype(int)
        est[:], lst[:] = new_est, new_lst
        return bool(np.all(est <= lst))
