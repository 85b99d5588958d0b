"""What the plan's structure alone allows: earliest finishes along the critical path.

Each stream is scheduled as if it had its pools to itself, starting as early as its release and
its predecessors allow and working at its own caps (rate cap, max_staff, and, unless labour is
taken as unlimited, its pools' supply, with all the training any plan could do: `supply_bound`),
making the most progress those crew units allow (`max_progress`: u ** parallelization of them).
This gives a lower bound on every finish time. The model
uses it to fix variables outside each stream's window; comparisons use the labour-unlimited
version to say when an answer is structural ("no number of researchers finishes it sooner").

A stream's window (`windows`) runs from its earliest start to the latest finish that still lets
the goal count (`latest_finish`, `last_useful_period`); the MIP gives it columns there alone, and
bounds its crew units (`crew_unit_bounds`) and its progress (`progress_cap`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # annotations only: importing it at run time would load the plan schema (pydantic)
    from planner.instance.instance import Instance


NEVER = -1  # finish period of a stream that cannot complete inside the horizon


@dataclass(frozen=True)
class CriticalPath:
    earliest_start: np.ndarray  # (S,) first period a stream may work (H if never)
    earliest_finish: np.ndarray  # (S,) first period by whose end it can be complete, NEVER if none
    goal_finish: int  # first period by whose end the goal can be met, NEVER if none
    chain: list[str]  # the streams on the path that sets goal_finish, first to last

    def years(self, period: int, step: float) -> float | None:
        """Completion time in years of a finish period (end of the period)."""
        return None if period == NEVER else (period + 1) * step


def critical_path(inst: Instance, *, unlimited_labour: bool = False) -> CriticalPath:
    """Earliest start/finish of every stream, ignoring competition between streams for pools."""
    S, H = len(inst.streams), inst.periods
    if unlimited_labour:  # effective progress per period with every pool unlimited: own caps only
        with np.errstate(invalid="ignore"):
            staff = inst.progress_per_unit(np.broadcast_to(inst.max_staff[:, None], inst.productivity.shape))
            own = np.minimum(inst.rate_cap, inst.productivity * staff)
        per_period = np.where(inst.productivity > 0, inst.step * own, 0.0)
        per_period[np.arange(inst.periods)[None, :] < inst.release_period[:, None]] = 0.0
        rows = per_period.tolist()  # plain floats: a loop stops at the first hit, numpy sums every period
    else:  # at the staff bound (with all possible training), the most progress u ** a gives
        rows = _rows(inst)
    # plain ints and floats: this runs for every variant, and a numpy element costs more than its value
    release, effort = inst.release_period.tolist(), inst.effort.tolist()
    es, ef = [H] * S, [NEVER] * S
    via: dict[int, int | None] = {}
    for i in inst.order:
        start, via[i] = int(release[i]), None
        for p in inst.predecessors[i]:
            ready = H if ef[p.pred] == NEVER else ef[p.pred] + 1 + p.gap
            if ready > start:
                start, via[i] = ready, p.pred
        for a in inst.any_after:  # an `any` group waits for its first member
            if a.succ == i:
                first = min(a.members, key=lambda m: H if ef[m] == NEVER else ef[m])
                ready = H if ef[first] == NEVER else ef[first] + 1 + a.gap
                if ready > start:
                    start, via[i] = ready, first
        es[i] = min(start, H)
        if start < H:
            ef[i] = _first_reach(rows[i], start, float(effort[i]))
    # each goal `any` group counts as its earliest member
    req = [i for i, needed in enumerate(inst.required.tolist()) if needed]
    req += [min(g, key=lambda m: H if ef[m] == NEVER else ef[m]) for g in inst.any_required]
    never = [i for i in req if ef[i] == NEVER]
    if never:
        last, goal = never[0], NEVER
    else:
        last = max(req, key=ef.__getitem__)  # the first of the latest, as argmax
        goal = ef[last]
    chain = [last]
    while (before := via.get(chain[-1])) is not None:
        chain.append(before)
    finish = np.array(ef, dtype=int)
    return CriticalPath(np.array(es, dtype=int), finish, goal, [inst.streams[i] for i in reversed(chain)])


def _rows(inst: Instance) -> list[list[float]]:
    """`max_progress` as plain floats, a list per stream, once per variant (`Instance.memo`): the
    critical path and the latest finishes walk it period by period, and a numpy element costs
    more than its float."""
    if "rows" not in inst.memo:
        inst.memo["rows"] = inst.max_progress.tolist()
    return inst.memo["rows"]


def _first_reach(row: list[float], start: int, effort: float) -> int:
    """The first period from `start` by whose end the progress in `row` summed from `start` reaches
    `effort` (NEVER if none): the same sums, in the same order, as numpy's cumsum."""
    need, total = effort * (1 - 1e-9), 0.0
    for t in range(start, len(row)):
        total += row[t]
        if total >= need:
            return t
    return NEVER


def unlimited_key(inst: Instance) -> tuple:
    """Every number what unlimited labour allows reads (`critical_path(unlimited_labour=True)`, and
    continuous.goal_bound's): a key under which a result computed once holds for every variant
    that differs only in supply or deadline, which is what sweeps and Monte Carlo vary most.
    Computed once per variant (`Instance.memo`)."""
    if "unlimited_key" not in inst.memo:
        inst.memo["unlimited_key"] = _unlimited_key(inst)
    return inst.memo["unlimited_key"]


def _unlimited_key(inst: Instance) -> tuple:
    arrays = (
        inst.productivity,
        inst.rate_cap,
        inst.max_staff,
        inst.release,
        inst.effort,
        inst.required,
        inst.parallelization,
    )
    return (
        inst.periods,
        inst.step,
        tuple(inst.streams),
        tuple((p.pred, p.succ, p.lag, p.gap) for p in inst.precedences),
        tuple((a.succ, tuple(a.members), a.gap) for a in inst.any_after),
        tuple(tuple(g) for g in inst.any_required),
        tuple((a.dtype.str, a.shape, a.tobytes()) for a in arrays),
    )


def latest_finish(inst: Instance, last: int) -> np.ndarray:
    """(S,) the last period by whose end each stream must be complete for the goal to be met by the
    end of period `last` (H - 1 for streams the goal does not wait on). A stream the goal waits on
    must finish before each successor's latest start, where the latest start is the last period
    from which the successor, working at its own caps alone, still finishes in time. Work after
    these periods cannot help a `probability` or `earliest` objective, so the model fixes it to 0."""
    S, H = len(inst.streams), inst.periods
    if inst.objective == "value" or inst.any_required or inst.any_after:
        return np.full(S, H - 1)  # `any` groups: no stream's lateness alone rules the goal out
    needed = _needed(inst)
    lf = [int(last) if n else H - 1 for n in needed]
    per_period, effort = _rows(inst), inst.effort.tolist()
    succ: dict[int, list] = {i: [] for i in range(S)}
    for p in inst.precedences:
        succ[p.pred].append(p)
    start: dict[int, int] = {}  # latest start of each successor, final once reached (reverse order)
    for i in reversed(inst.order):
        if not needed[i]:
            continue
        for p in succ[i]:
            if needed[j := p.succ]:
                if j not in start:
                    start[j] = _latest_start(per_period[j], effort[j], lf[j])
                lf[i] = min(lf[i], start[j] - 1 - p.gap)
    return np.array(lf, dtype=int)


def last_useful_period(inst: Instance) -> int:
    """Work after the last period any deadline scenario counts cannot raise a `probability` or
    `value` objective, so it is not modelled (-1 if no scenario can be met at all)."""
    if inst.objective == "earliest":
        return inst.periods - 1
    useful = np.flatnonzero(inst.weights > 0)
    return int(useful[-1]) if useful.size else -1


def windows(inst: Instance, cp: CriticalPath) -> tuple[np.ndarray, np.ndarray]:
    """(first, last) period in which each stream can usefully work: its earliest start, and the
    latest finish that lets the goal (or, for `value`, any deadline) count."""
    last = last_useful_period(inst)
    return cp.earliest_start, np.minimum(latest_finish(inst, last), last)


def crew_unit_bounds(inst: Instance, cp: CriticalPath) -> np.ndarray:
    """(S, H) the upper bounds the MIP (mip/formulation.build) gives u: the stream's own caps
    inside its window, 0 outside (what a heuristic plan must keep
    to, to be a plan of this model), without building it."""
    first, last = windows(inst, cp)
    t = np.arange(inst.periods)[None, :]
    return np.where((t >= first[:, None]) & (t <= last[:, None]), inst.staff_bound, 0.0)


def progress_cap(inst: Instance) -> np.ndarray:
    """(S,) the most progress w may hold: the effort, and for a discrete stream (instance.discrete)
    one period's work more, since a whole crew works its last period through."""
    extra = inst.max_progress.max(axis=1) if inst.periods else np.zeros(len(inst.streams))
    return np.where(inst.discrete, inst.effort + extra, inst.effort)


def _latest_start(per_period: list[float], effort: float, finish: int) -> int:
    """The last period from which `per_period` progress reaches `effort` by the end of `finish`
    (-1 if none does). Plain floats, summed backwards from `finish` in order (as a cumsum of the
    reversed row would), stopping at the first hit: it runs dozens of times per variant."""
    if finish < 0:
        return -1
    need, back, top = effort * (1 - 1e-9), 0.0, min(finish, len(per_period) - 1)
    for t in range(top, -1, -1):  # progress from finish - k to finish, k = top - t
        back += per_period[t]
        if back >= need:
            return finish - (top - t)
    return -1


def needed_streams(inst: Instance) -> np.ndarray:
    """(S,) bool: the streams the goal waits on, the required ones and everything they come after."""
    return np.array(_needed(inst), dtype=inst.required.dtype)


def _needed(inst: Instance) -> list[bool]:
    """`needed_streams` as a list of plain bools, for the loops that read it stream by stream
    (computed once per variant, `Instance.memo`; not to be written to)."""
    if "needed" not in inst.memo:
        inst.memo["needed"] = _needed_now(inst)
    return inst.memo["needed"]


def _needed_now(inst: Instance) -> list[bool]:
    needed = inst.required.tolist()
    for group in inst.any_required:
        for m in group:
            needed[m] = True
    for i in reversed(inst.order):
        if needed[i]:
            for p in inst.predecessors[i]:
                needed[p.pred] = True
            for a in inst.any_after:
                if a.succ == i:
                    for m in a.members:
                        needed[m] = True
    return needed


def structural_bound(inst: Instance, cp: CriticalPath) -> float | None:
    """The best `probability` reachable given these earliest finishes: P(deadline allows goal_finish).
    With the labour-unlimited path it is what no amount of labour can beat."""
    if inst.objective != "probability" or not inst.has_deadline:
        return None
    return 0.0 if cp.goal_finish == NEVER else float(inst.weights[cp.goal_finish :].sum())


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
    bound = float((np.maximum(inst.value, 0.0) * tail[reach]).sum())
    assert (
        inst.milestone_streams is not None and inst.milestone_value is not None
    )  # Instance.__post_init__ fills these in
    for needs, value in zip(inst.milestone_streams, inst.milestone_value):  # [[goals]]: at their last stream
        bound += float(value * tail[reach[needs].max()]) if needs.any() else float(value * tail[0])
    return bound


NO_DUE = np.iinfo(np.int64).max  # due period of a stream the bound does not need finished


def bound_due_periods(inst: Instance, cp: CriticalPath) -> np.ndarray | None:
    """(S,) the period by whose end each stream must be complete for a plan to reach
    `objective_bound` (NO_DUE where it does not matter); None if there is no bound to reach.

    The bound is each stream finishing at its own earliest, but it only counts at the periods a
    deadline scenario ends: the goal (or, for `value`, a stream) need only be complete by the end
    of the first such period at or after its earliest finish. Predecessors then have latest finishes
    of their own (`_propagate_due`). A plan that meets every due period reaches the bound, so it is
    optimal: no solver can do better, whatever the competition for labour."""
    if inst.objective == "earliest":
        return None if cp.goal_finish == NEVER else due_by(inst, cp.goal_finish)
    if not inst.has_deadline:
        return None
    due = np.full(len(inst.streams), NO_DUE)
    counted = np.flatnonzero(inst.weights > 0)  # periods at whose end some deadline falls, in order
    if inst.objective == "probability":
        if cp.goal_finish == NEVER or not (counted.size and counted[-1] >= cp.goal_finish):
            return due  # the bound is 0: every plan reaches it
        return due_by(inst, int(counted[np.searchsorted(counted, cp.goal_finish)]))
    for i in np.flatnonzero((inst.value > 0) & (cp.earliest_finish != NEVER)):
        k = np.searchsorted(counted, cp.earliest_finish[i])
        if k < counted.size:
            due[i] = counted[k]
    return _propagate_due(inst, due)


def due_by(inst: Instance, period: int) -> np.ndarray:
    """(S,) the period by whose end each stream the goal waits on must be complete for the goal to
    be met by the end of `period` (NO_DUE for the others). Computed once per variant and period
    (`Instance.memo`): the bound and the search ask for the same one."""
    period = int(period)
    key = ("due_by", period)
    if key not in inst.memo:
        inst.memo[key] = np.array(_propagate(inst, [period if n else NO_DUE for n in _needed(inst)]), dtype=np.int64)
    return inst.memo[key].copy()


def goal_periods(inst: Instance, cp: CriticalPath) -> np.ndarray:
    """The periods at whose end meeting the goal can change a `probability` or `earliest`
    objective, in order: for `probability`, those where a deadline scenario falls, from the goal's
    earliest finish on; for `earliest`, every period from there to the horizon's end."""
    if cp.goal_finish == NEVER:
        return np.zeros(0, int)
    if inst.objective == "earliest":
        return np.arange(cp.goal_finish, inst.periods)
    counted = np.flatnonzero(inst.weights > 0)
    return counted[counted >= cp.goal_finish]


def _propagate_due(inst: Instance, due: np.ndarray) -> np.ndarray:
    """Latest finishes backwards along the precedences, as `latest_finish` does for the goal: a
    predecessor of a stream with a due period must be complete before that stream's latest start
    (at its own caps, alone), less the lag."""
    return np.array(_propagate(inst, due.tolist()), dtype=due.dtype)


def _propagate(inst: Instance, due: list[int]) -> list[int]:
    """`_propagate_due` on a list of plain ints, in place; returns it."""
    per_period, effort, last = _rows(inst), inst.effort.tolist(), inst.periods - 1
    for j in reversed(inst.order):
        if due[j] == NO_DUE:
            continue
        start = _latest_start(per_period[j], effort[j], int(min(due[j], last)))
        for p in inst.predecessors[j]:
            due[p.pred] = min(due[p.pred], start - 1 - p.gap)
    return due
