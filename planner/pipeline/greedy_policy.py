"""A policy for a plan with research bets from priority rules, for when the policy MIP is not
proven in the time limit (docs/model.md, "Research bets": "When the time limit cuts the solve").

The rule is played forward through the outcome scenarios as a tree: scenarios that know the same
outcomes share one state, and the rule sees nothing else, so the policy cannot peek. Each period,
the streams that are still of use (the goal, a milestone or a valued stream waits on them, and
none of that is already met or lost) and may work (released, predecessors done, the current
attempt within reach) get crew units in priority order, as many as their caps, what is left of
their pools, and the work left allow. A few orders are tried (the longest chain first, bets
first, certain work first, each also with the most serial work (the longest min_duration) first,
which more people cannot speed up; the members of an `any` group side by side or one at a time)
and the best is improved by swapping two streams in its order while a swap helps and the
budget lasts; the best by its own score that passes the policy check is kept.

It covers plans without training, fixed crews, minimum staff, contiguous work or whole-person
pools; for those `greedy_policy` returns None and the solver's answer stands alone.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import numpy as np

from planner.errors import VerificationError
from planner.instance.instance import Instance
from planner.mip.outcomes import Bets, Key
from planner.structure import NEVER, CriticalPath, critical_path, objective_bound
from planner.verify_policy import ABS, REL, VerifiedPolicy, check_policy

Allocation = dict[Key, np.ndarray]


@dataclass(frozen=True)
class GreedyPolicy:
    """The best rule's allocation per outcome scenario (in `Bets.outcomes` order), verified."""

    allocations: list[Allocation]
    checked: VerifiedPolicy
    rule: str


def covered(inst: Instance) -> bool:
    """Whether the rules can build a policy for this plan (see the module's docstring)."""
    return not (
        inst.trains.any()
        or inst.fixed_crew.any()
        or (inst.min_staff > 0).any()
        or inst.contiguous.any()
        or inst.integer_pools.any()
    )


def greedy_policy(inst: Instance, bets: Bets, budget: float = 0.0) -> GreedyPolicy | None:
    """The best verified policy of the priority rules, or None for a plan they do not cover.
    `budget`: seconds for improving the best order by swapping two streams in it, as long as a
    swap raises the expected objective (0: the fixed orders alone)."""
    if not covered(inst):
        return None
    start = time.perf_counter()
    names = bets.names(inst)
    outcomes = [(o.works_at, o.probability) for o in bets.outcomes]
    played: list[tuple[float, int, str, list[int], bool]] = []
    for rule, order in _orders(inst, bets).items():
        for side_by_side in (True, False):
            _, score = _play(inst, bets, order, side_by_side)
            mode = "side by side" if side_by_side else "one at a time"
            played.append((score, -len(played), f"{rule}, approaches {mode}", order, side_by_side))
    best = max(played, key=lambda p: p[:2])
    if budget > 0:
        improved = _swaps(inst, bets, best[0], best[3], best[4], start + budget)
        if improved is not None:
            played.append((improved[0], 1, f"{best[2]}, improved by swaps", improved[1], best[4]))
    # the check replays each scenario (slow for a thousand): the rules in order of their own score
    # until one passes (a rule the check refuses would be a bug here, and is never reported)
    for _, _, rule, order, side_by_side in sorted(played, key=lambda p: p[:2], reverse=True):
        allocations, _ = _play(inst, bets, order, side_by_side, keep=True)
        try:
            return GreedyPolicy(allocations, check_policy(inst, names, outcomes, allocations), rule)
        except VerificationError:
            continue
    return None


def _swaps(
    inst: Instance, bets: Bets, score: float, order: list[int], side_by_side: bool, until: float
) -> tuple[float, list[int]] | None:
    """Hill climbing over priority orders: swap two streams, keep the first swap that scores
    higher, until none does or the clock reaches `until`; None if nothing improved."""
    found = None
    improved = True
    while improved:
        improved = False
        for i, j in itertools.combinations(range(len(order)), 2):
            if time.perf_counter() >= until:
                return found
            trial = list(order)
            trial[i], trial[j] = trial[j], trial[i]
            _, got = _play(inst, bets, trial, side_by_side)
            if got > score + 1e-9:
                score, order, improved = got, trial, True
                found = (score, order)
                break
    return found


def _orders(inst: Instance, bets: Bets) -> dict[str, list[int]]:
    """Priority orders of the streams: by the longest chain from each to the goal (its own
    duration at its caps plus its successors'), then bets first, then certain work first."""
    cp = critical_path(inst)
    H = inst.periods
    duration = np.where(cp.earliest_finish == NEVER, H, cp.earliest_finish - cp.earliest_start + 1)
    successors: list[list[int]] = [[] for _ in inst.streams]
    for p in inst.precedences:
        successors[p.pred].append(p.succ)
    for g in inst.any_after:
        for m in g.members:
            successors[m].append(g.succ)
    tail = np.zeros(len(inst.streams))
    for i in reversed(inst.order):
        tail[i] = duration[i] + max((tail[j] for j in successors[i]), default=0.0)
    chain = sorted(range(len(inst.streams)), key=lambda i: (-tail[i], i))
    is_bet = set(bets.streams)
    serial = sorted(chain, key=lambda i: -inst.min_duration[i])
    return {
        "longest chain first": chain,
        "most serial first": serial,
        "bets first": sorted(chain, key=lambda i: i not in is_bet),
        "serial bets first": sorted(serial, key=lambda i: i not in is_bet),
        "certain work first": sorted(chain, key=lambda i: i in is_bet),
        "certain, then serial work first": sorted(serial, key=lambda i: i in is_bet),
    }


@dataclass
class _State:
    """What one group of scenarios (the same outcomes known) has done by the start of a period."""

    scenarios: np.ndarray  # indices into Bets.outcomes
    progress: np.ndarray  # (S,) of the current attempt
    attempt: np.ndarray  # (S,) the current attempt's number
    done: np.ndarray  # (S,) period by whose end the stream succeeded, -1 if not (yet)
    lost: np.ndarray  # (S,) bool: every attempt within reach failed

    def split(self, mask: np.ndarray) -> _State:
        return _State(
            self.scenarios[mask], self.progress.copy(), self.attempt.copy(), self.done.copy(), self.lost.copy()
        )


def _play(
    inst: Instance, bets: Bets, order: list[int], side_by_side: bool, keep: bool = False
) -> tuple[list[Allocation], float]:
    """The rule's expected objective as it plays it, and (with `keep`) each scenario's allocation:
    one state per group of scenarios that know the same outcomes, split when an attempt's outcome
    tells them apart. The search scores orders without keeping them (the allocations of a
    thousand scenarios cost more than the play)."""
    S, H, step = len(inst.streams), inst.periods, inst.step
    works_at = np.array([o.works_at for o in bets.outcomes], int).reshape(len(bets.outcomes), len(bets.streams))
    bet_of = {b: j for j, b in enumerate(bets.streams)}
    reach = np.array([bets.reach[bet_of[i]] if i in bet_of else 1 for i in range(S)])
    cap = inst.own_cap
    a_exp = inst.parallelization
    units = np.zeros((len(bets.outcomes), S, int(reach.max()), H) if keep else (0, 0, 0, 0))
    groups = [_State(np.arange(len(bets.outcomes)), np.zeros(S), np.ones(S, int), np.full(S, -1), np.zeros(S, bool))]
    for t in range(H):
        for g in groups:
            u = _allocate(inst, g, t, order, side_by_side, cap, reach)
            for i in np.flatnonzero(u > 0):
                if keep:
                    units[g.scenarios, i, g.attempt[i] - 1, t] = u[i]
                eff = u[i] ** a_exp[i] if a_exp[i] < 1 else u[i]
                g.progress[i] += step * inst.productivity[i, t] * eff
        groups = [part for g in groups for part in _reveal(inst, g, t, works_at, bet_of, reach)]
    probability = np.array([o.probability for o in bets.outcomes])
    score = sum(float(probability[g.scenarios].sum()) * _score(inst, g.done) for g in groups)
    out: list[Allocation] = []
    for w in range(len(bets.outcomes) if keep else 0):
        alloc: Allocation = {}
        for i, a in zip(*np.nonzero(units[w].any(axis=2))):
            alloc[(inst.streams[i], int(a) + 1)] = units[w, i, a].copy()
        out.append(alloc)
    return out, score


def _score(inst: Instance, done: np.ndarray) -> float:
    """The objective of one scenario whose streams succeed by the end of the periods `done` (-1:
    never): the structure's bound (structure.objective_bound) with these as the earliest finishes."""
    H = inst.periods
    finish = np.where(done >= 0, done, NEVER)
    at = np.where(finish == NEVER, H, finish)
    need = [at[inst.required].max(initial=0)] + [at[list(grp)].min() for grp in inst.any_required]
    goal = int(max(need))
    path = CriticalPath(finish, finish, NEVER if goal >= H else goal, [])
    bound = objective_bound(inst, path)
    return -np.inf if bound is None else float(bound)


def _reveal(
    inst: Instance, g: _State, t: int, works_at: np.ndarray, bet_of: dict[int, int], reach: np.ndarray
) -> list[_State]:
    """The group after the end of period t: attempts that finish succeed, or fail and the next is
    current; a bet's outcome splits the group into those for whom it worked and the rest."""
    parts = [g]
    for i in range(len(inst.streams)):
        if g.done[i] >= 0 or g.lost[i] or g.progress[i] < inst.effort[i] * (1 - REL) - ABS:  # as the check reads it
            continue
        if i not in bet_of:
            g.done[i] = t
            continue
        a = int(g.attempt[i])
        split = []
        for part in parts:
            worked = works_at[part.scenarios, bet_of[i]] == a
            for mask, ok in ((worked, True), (~worked, False)):
                if not mask.any():
                    continue
                child = part.split(mask) if not mask.all() else part
                if ok:
                    child.done[i] = t
                else:
                    child.progress[i] = 0.0
                    child.attempt[i] = a + 1
                    child.lost[i] = a >= reach[i]
                split.append(child)
        parts = split
    return parts


def _useful(inst: Instance, g: _State) -> np.ndarray:
    """(S,) the streams whose success can still raise the objective: those the goal (while it can
    still be met), a milestone or a stream's own value waits on, not yet done, and what they wait on."""
    S = len(inst.streams)
    dead = g.lost.copy()
    for i in inst.order:  # a stream whose predecessor is lost can never start
        if any(dead[p.pred] for p in inst.predecessors[i]) or any(
            all(dead[m] for m in a.members) for a in inst.any_after if a.succ == i
        ):
            dead[i] = True
    seed = np.zeros(S, bool)
    goal_alive = not dead[inst.required].any() and all(not dead[list(grp)].all() for grp in inst.any_required)
    if goal_alive and inst.objective == "probability":
        seed |= inst.required
        for grp in inst.any_required:
            if not (g.done[list(grp)] >= 0).any():
                seed[list(grp)] = True
    if inst.objective == "value":
        seed |= inst.value > 0
        assert inst.milestone_streams is not None
        for needs in inst.milestone_streams:
            if not dead[needs].any():
                seed |= needs
    need = seed & (g.done < 0) & ~dead
    for i in reversed(inst.order):
        if need[i]:
            for p in inst.predecessors[i]:
                if g.done[p.pred] < 0:
                    need[p.pred] = True
            for a in inst.any_after:
                if a.succ == i and not (g.done[list(a.members)] >= 0).any():
                    need[[m for m in a.members if not dead[m]]] = True
    return need & ~dead


def _allocate(
    inst: Instance,
    g: _State,
    t: int,
    order: list[int],
    side_by_side: bool,
    cap: np.ndarray,
    reach: np.ndarray,
) -> np.ndarray:
    """(S,) crew units per stream in period t for the group's state."""
    S = len(inst.streams)
    u = np.zeros(S)
    left = inst.supply[:, t].astype(float).copy()
    useful = _useful(inst, g)
    taken: set[int] = set()  # `any` groups (by position) already given a member this period
    members_of = [(k, set(grp)) for k, grp in enumerate(inst.any_required)] + [
        (len(inst.any_required) + k, set(a.members)) for k, a in enumerate(inst.any_after)
    ]
    for i in order:
        if not useful[i] or g.attempt[i] > reach[i] or t < inst.release_period[i]:
            continue
        if any(g.done[p.pred] < 0 or t < g.done[p.pred] + 1 + p.gap for p in inst.predecessors[i]):
            continue
        if any(
            a.succ == i and not any(g.done[m] >= 0 and t >= g.done[m] + 1 + a.gap for m in a.members)
            for a in inst.any_after
        ):
            continue
        mine = [k for k, grp in members_of if i in grp]
        if not side_by_side and any(k in taken for k in mine):
            continue
        prod = float(inst.productivity[i, t])
        if prod <= 0:
            continue
        need = (inst.effort[i] - g.progress[i]) / (inst.step * prod)
        a = float(inst.parallelization[i])
        if a < 1:
            need = need ** (1 / a)
        crew = inst.crew[i]
        room = min((left[r] / crew[r] for r in np.flatnonzero(crew > 0)), default=np.inf)
        units = max(0.0, min(float(cap[i, t]), need, room))
        if units <= 1e-12:
            continue
        u[i] = units
        left = np.maximum(left - crew * units, 0.0)
        taken.update(mine)
    return u
