"""Continuous-time answers from a schedule on the grid (docs/model.md, "Continuous time").

The MIP schedules on periods of `step` years, but the answer a user reads is the continuous-time
plan's: work progresses through each period at that period's rate, a stream finishes at the
moment its progress reaches its effort, and deadlines (with their shifts) are read in continuous
years. Any grid schedule is a continuous-time plan (the grid's rules are stricter: lags and
releases are rounded up to whole periods, a successor waits for the period after its
predecessor's), so its value in continuous time is a lower bound on the continuous optimum
(an upper bound for `earliest`). This module gives that value, a bound from the other side that
no continuous plan beats (each stream alone at its own caps, and each pool's whole supply); when
the two differ, planner/pipeline/refine.py solves the variant on finer grids.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
from typing import TYPE_CHECKING

import numpy as np

from planner.instance import deadlines
from planner.result import Structure
from planner.structure import unlimited_key

if TYPE_CHECKING:
    from planner.instance.instance import Instance

DONE = 1e-6  # relative and absolute tolerance on "progress reached the effort", as verify's


def progress_made(inst: Instance, u: np.ndarray) -> np.ndarray:
    """(S, H) effective progress made in each period: step * productivity * u ** parallelization."""
    return inst.step * inst.productivity * inst.progress_per_unit(u)


def finish_times(inst: Instance, u: np.ndarray) -> np.ndarray:
    """(S,) the moment, in years from start, at which each stream's progress reaches its effort
    (nan if never inside the horizon): the start of the period it completes in, plus the share of
    that period its remaining effort takes at that period's rate."""
    made = progress_made(inst, u)
    cum = np.cumsum(made, axis=1)
    done = cum >= inst.effort[:, None] * (1 - DONE) - DONE
    out = [math.nan] * len(done)
    # plain floats (the same arithmetic as numpy's scalars, without their cost)
    last = done.argmax(axis=1)
    rates, befores = _at_completion(made, cum, last)
    effort, starts, step, last_of = inst.effort.tolist(), inst.starts.tolist(), inst.step, last.tolist()
    for i in np.flatnonzero(done.any(axis=1)).tolist():
        t, before, rate = last_of[i], befores[i], rates[i]
        share = (effort[i] - before) / rate if rate > 0 else 0.0
        out[i] = starts[t] + step * min(1.0, max(0.0, share))
    return np.array(out, dtype=float)


def _at_completion(made: np.ndarray, cum: np.ndarray, last: np.ndarray) -> tuple[list[float], list[float]]:
    """(S,) each stream's progress in period `last[i]` and its progress before that period, as plain
    floats: the two cells each stream needs, read at once, not the whole (S, H) arrays."""
    rows = np.arange(len(last))
    return made[rows, last].tolist(), np.where(last > 0, cum[rows, last - 1], 0.0).tolist()


def hasten(inst: Instance, u: np.ndarray, supply: np.ndarray | None = None, *, lend: bool = True) -> np.ndarray:
    """The schedule with each stream's crew, in the period it completes in, raised to the most its
    own caps and the supply the other streams leave free allow (whole people from `integer_staff`
    pools), so that it works at that period's full rate until its effort is done and finishes as
    early in the period as it can. The MIP stops at the effort (a last period with 50 of 500 FTE
    finishes at the period's end); in continuous time the crew is free once the work is done.
    The streams the objective needs go first, and may take the crew of `spare` streams (work
    that cannot change the objective) in that period; nothing else moves, and every stream
    completes in the same period as before. `supply` is each pool's supply with the FTE training
    added (verify.trained_supply)."""
    u = u.copy()
    made = progress_made(inst, u)
    cum = np.cumsum(made, axis=1)
    done = cum >= inst.effort[:, None] * (1 - DONE) - DONE
    supply = inst.supply if supply is None else supply
    spare = spare_streams(inst) if lend else np.zeros(len(inst.streams), bool)
    lent = False
    order = []
    last = done.argmax(axis=1)
    rates, befores = _at_completion(made, cum, last)  # plain floats: the same sums
    effort, last_of = inst.effort.tolist(), last.tolist()
    for i in np.flatnonzero(done.any(axis=1) & ~inst.fixed_crew).tolist():
        t, before, rate = last_of[i], befores[i], rates[i]
        if rate > 0 and effort[i] - before < rate * (1 - 1e-9) or rate <= 0:
            continue  # already at a rate that takes the whole period (or it finished before)
        order.append((bool(spare[i]), -(effort[i] - before) / rate, i, t))
    if not spare.any():  # nobody lends: each stream takes what the pools leave free, on plain floats
        _take_free(inst, u, supply, sorted(order))
        return u
    for is_spare, _, i, t in sorted(order):  # needed streams first, the one that needs most of its period first
        pools = inst.pools_of[i]
        if not pools.size:
            continue
        donors = spare & (u[:, t] > 0)
        donors[i] = False
        if is_spare:
            donors[:] = False
        used = inst.crew[:, pools].T @ u[:, t]
        lendable = inst.crew[donors][:, pools].T @ u[donors, t]
        free = (supply[pools, t] - used + lendable) / inst.crew[i, pools]
        cap = inst.own_cap[i, t]
        target = u[i, t] + max(0.0, float(free.min()))
        target = min(target, cap) if np.isfinite(cap) else target
        for r in pools[inst.integer_pools[pools]]:  # whole people stay whole
            target = min(target, math.floor(inst.crew[i, r] * target + 1e-9) / inst.crew[i, r])
        target *= 1 - 1e-9  # a hair inside the caps, for the verifier's tolerance
        if target <= u[i, t] * (1 + 1e-9):
            continue
        u[i, t] = target
        for r in pools:  # what the pool now lacks comes from the spare streams' crews
            short = float(inst.crew[:, r] @ u[:, t] - supply[r, t])
            for j in np.flatnonzero(donors & (inst.crew[:, r] > 0)):
                if short <= 0:
                    break
                cut = min(u[j, t], short / inst.crew[j, r])
                u[j, t] -= cut
                short -= cut * inst.crew[j, r]
                _later(inst, u, supply, int(j), t, inst.step * inst.productivity[j, t] * cut)
                lent = True
    # a spare stream whose work moved later finishes in another period: hasten that one too
    return hasten(inst, u, supply, lend=False) if lent else u


def _take_free(inst: Instance, u: np.ndarray, supply: np.ndarray, order: list[tuple[bool, float, int, int]]) -> None:
    """hasten's loop where no stream lends its crew (in place): in that order, each stream's crew
    in period t raised to its own cap and the supply its pools have left, a hair inside both."""
    left = (supply - inst.crew.T @ u).tolist()  # what each pool has free in each period, kept up to date
    crew, integer = inst.crew.tolist(), inst.integer_pools.tolist()
    cells = ([i for _, _, i, _ in order], [t for _, _, _, t in order])  # each stream once: read them all now
    haves, caps = u[cells].tolist(), inst.own_cap[cells].tolist()
    for (_, _, i, t), have, cap in zip(order, haves, caps):
        pools = inst.pools_of[i].tolist()
        if not pools:
            continue
        target = have + max(0.0, min(left[r][t] / crew[i][r] for r in pools))
        target = min(target, cap) if math.isfinite(cap) else target
        for r in pools:
            if integer[r]:  # whole people stay whole
                target = min(target, math.floor(crew[i][r] * target + 1e-9) / crew[i][r])
        target *= 1 - 1e-9  # a hair inside the caps, for the verifier's tolerance
        if target <= have * (1 + 1e-9):
            continue
        u[i, t] = target
        for r in pools:
            left[r][t] -= crew[i][r] * (target - have)


def _later(inst: Instance, u: np.ndarray, supply: np.ndarray, j: int, t: int, lost: float) -> None:
    """Give spare stream `j` back the progress `lost` in period `t`, in the first later periods with
    supply free and room under its own caps (in place)."""
    pools = inst.pools_of[j]
    for tau in range(t + 1, inst.periods):
        if lost <= 1e-12:
            return
        per_unit = inst.step * inst.productivity[j, tau]
        if per_unit <= 0:
            continue
        free = (supply[pools, tau] - inst.crew[:, pools].T @ u[:, tau]) / inst.crew[j, pools]
        room = min(float(free.min()), inst.own_cap[j, tau] - u[j, tau]) * (1 - 1e-9)
        add = min(max(0.0, room), lost / per_unit)
        u[j, tau] += add
        lost -= add * per_unit


def front_load(inst: Instance, u: np.ndarray, supply: np.ndarray | None = None) -> np.ndarray:
    """The schedule with each stream whose staffing has no run or crew-size rule (not contiguous, no
    min_staff or fixed crew, progress linear, training nobody) given, from its first worked period
    on, the people the others leave free (whole people from `integer_staff` pools), so that its
    work comes as early as it can; periods after it is then complete lose their crew. A MIP whose
    integer columns the tie-break fixed may leave one person on a stream in its second year while
    ten sit idle: on the grid that plan ties, in continuous time it finishes later."""
    u = u.copy()
    supply = inst.supply if supply is None else supply
    free_rules = ~inst.contiguous & (inst.min_staff <= 0) & ~inst.fixed_crew & ~inst.trains & ~inst.diminishing
    finish = np.full(len(inst.streams), inst.periods)
    cum = np.cumsum(progress_made(inst, u), axis=1)
    done = cum >= inst.effort[:, None] * (1 - DONE) - DONE
    completes = done.any(axis=1)
    finish[completes] = done.argmax(axis=1)[completes]
    finish_of = finish.tolist()
    movable = sorted(np.flatnonzero(free_rules & completes).tolist(), key=finish_of.__getitem__)
    if not movable:
        return u
    # plain floats from here (numpy's per-call cost is more than this work): what each pool has
    # free in each period, kept up to date as crews change, and a stream's own rows once it moves;
    # a numpy copy of the former (synced after each change) tells, for every stream at once, which
    # have no room to move
    free_now = supply - inst.crew.T @ u
    spare = free_now.tolist()
    per_unit_np = inst.step * inst.productivity
    effort_of, crew_of = inst.effort.tolist(), inst.crew.tolist()
    worked = u > 0
    first_worked = np.where(worked.any(axis=1), worked.argmax(axis=1), -1)
    first_of = first_worked.tolist()
    window: tuple[np.ndarray, ...] = ()  # for _stuck, made when first needed: the periods each stream counts
    integer = inst.integer_pools.tolist()
    stuck: list[bool] | None = None  # per stream: the loop below would change nothing (recomputed after a change)
    for i in movable:
        crew_i = crew_of[i]
        pools = [(r, crew_i[r]) for r in inst.pools_of[i].tolist()]
        first = first_of[i]
        if first < 0 or not pools:
            continue
        whole = [units for r, units in pools if integer[r]]
        last = finish_of[i]
        if not whole:  # no period with both room and work left (the loop below would change nothing): skip
            if stuck is None:
                if not window:
                    periods = np.arange(u.shape[1])[None, :]
                    counted = periods >= first_worked[:, None]  # progress counts from the first worked period
                    window = (counted, counted & (periods <= finish[:, None]), periods > finish[:, None])
                stuck = _stuck(inst, u, free_now, per_unit_np, *window)
            if stuck[i]:
                continue
        row, per_unit_t, cap_t = u[i].tolist(), per_unit_np[i].tolist(), inst.own_cap[i].tolist()
        effort, progress = effort_of[i], 0.0
        for t in range(first, last + 1):
            have, per_unit = row[t], per_unit_t[t]
            room_t = min(min(spare[r][t] / units for r, units in pools), cap_t[t] - have)
            need = (effort - progress) / per_unit - have if per_unit > 0 else 0.0
            add = max(0.0, min(room_t, need))
            target = have + (add if whole else add * (1 - 1e-9))  # a hair inside the caps
            for units in whole:  # whole people stay whole
                target = max(have, math.floor(units * target + 1e-7) / units)
            row[t] = target
            for r, units in pools:
                spare[r][t] -= units * (target - have)
            progress += per_unit * target
            if progress >= effort * (1 - DONE) - DONE:
                for later in range(t + 1, len(row)):  # complete: nothing after
                    for r, units in pools:
                        spare[r][later] += units * row[later]
                    row[later] = 0.0
                break
        u[i] = row
        for r, _ in pools:
            free_now[r] = spare[r]
        stuck = None  # the pools' free supply changed
    return u


def _stuck(
    inst: Instance,
    u: np.ndarray,
    free_now: np.ndarray,
    per_unit: np.ndarray,
    counted: np.ndarray,
    span: np.ndarray,
    after_finish: np.ndarray,
) -> list[bool]:
    """Per stream: whether front_load's loop would leave it as it is, because no period of its
    `span` (its first worked one to the one it completes in) has both room (its pools' free supply
    and its own cap) and work left, and it has no crew `after_finish`. The loop's own arithmetic,
    for every stream at once: the same divisions, and progress summed in the same order from its
    first worked period (`counted`)."""
    crew = inst.crew[:, :, None]
    # divisions only where they are defined (np.where would divide everywhere, then pick)
    per_pool = np.full((len(u),) + free_now.shape, np.inf)
    np.divide(free_now[None, :, :], crew, out=per_pool, where=crew > 0)
    free = per_pool.min(axis=1)
    room = np.minimum(free, inst.own_cap - u)
    made = np.where(counted, per_unit * u, 0.0)
    before = np.zeros(u.shape)  # progress before each period: the running sum of the ones before it
    np.cumsum(made[:, :-1], axis=1, out=before[:, 1:])
    left = np.zeros(u.shape)
    working = per_unit > 0
    np.divide(inst.effort[:, None] - before, per_unit, out=left, where=working)
    np.subtract(left, u, out=left, where=working)
    after = after_finish & (u != 0)
    return (~(((room > 0) & (left > 0) & span).any(axis=1) | after.any(axis=1))).tolist()


def spare_streams(inst: Instance) -> np.ndarray:
    """(S,) streams whose work cannot change the objective and may move later: nothing waits on
    them and the objective does not count them (not required, no value, in no milestone), they
    train nobody, their progress is linear in crew units, and their staffing has no rule
    (contiguous, min_staff, fixed crew, whole people) that moving some of their crew could break."""
    counts = inst.required.copy() if inst.objective != "value" else inst.value > 0
    if inst.objective == "value" and len(inst.milestones):
        counts |= inst.milestone_streams.any(axis=0)
    needed = counts.tolist()  # plain bools: numpy's per-element reads cost more than this walk
    predecessors = inst.predecessors
    for i in reversed(inst.order):
        if needed[i]:
            for p in predecessors[i]:
                needed[p.pred] = True
    free = [True] * len(needed)  # nothing waits on it, so its work may move later
    for p in inst.precedences:
        free[p.pred] = False
    movable = ~inst.trains & ~inst.discrete & ~inst.diminishing
    return np.array([f and not n for f, n in zip(free, needed)], dtype=bool) & movable


def in_time(inst: Instance, when: np.ndarray | float) -> np.ndarray:
    """P(the deadline is at or after `when`), for goals met at `when` years (nan: never met).

    The deadline is read in continuous years, after the variant's shift; a deadline past the
    horizon counts as the horizon's end (work must finish inside it), and `p_never` is the mass on
    "no deadline in the horizon"."""
    d = inst.deadline
    if isinstance(when, float) and d is not None and d.distribution is not None:  # one goal: plain floats
        out = np.zeros(1)
        if math.isfinite(when) and when <= inst.periods * inst.step + 1e-9:
            keep = 1.0 - (d.p_never or 0.0)
            out[0] = 1.0 - keep * float(deadlines.cdf(d.distribution, np.array([when - inst.deadline_shift]))[0])
        return out
    when = np.atleast_1d(np.asarray(when, dtype=float))
    out = np.zeros(when.shape)
    ok = np.isfinite(when)
    horizon = inst.periods * inst.step
    ok[ok] = when[ok] <= horizon + 1e-9
    if d is None or not ok.any():
        return out
    if d.distribution is None:  # points: a fixed deadline or scenarios (with p_never at the horizon)
        years, probs = deadlines.scenarios(
            d, start_year=inst.start_year, periods=inst.periods, step=inst.step, shift=inst.deadline_shift
        )
        reach = np.minimum(years, horizon) + 1e-9
        out[ok] = (probs[None, :] * (when[ok, None] <= reach[None, :])).sum(axis=1)
        return out
    keep = 1.0 - (d.p_never or 0.0)
    out[ok] = 1.0 - keep * deadlines.cdf(d.distribution, when[ok] - inst.deadline_shift)
    return out


def objective(inst: Instance, finish: np.ndarray) -> float | None:
    """The plan's objective in continuous time, from each stream's finish time (`finish_times`;
    nan where it never finishes)."""
    goal = goal_time(inst, finish)
    if inst.objective == "earliest":
        return goal
    if inst.deadline is None:
        return None
    if inst.objective == "probability":
        return float(in_time(inst, math.nan if goal is None else goal)[0])
    total = float((inst.value * in_time(inst, finish)).sum())
    for k, needs in enumerate(inst.milestone_streams):
        when = float(np.max(finish[needs])) if needs.any() else 0.0
        total += float(inst.milestone_value[k] * in_time(inst, when)[0])
    return total


def goal_time(inst: Instance, finish: np.ndarray) -> float | None:
    """When every required stream is complete, in years (None if never)."""
    req = inst.required
    if not req.any():
        return 0.0
    needed = finish[req]
    return float(needed.max()) if np.isfinite(needed).all() else None


def earliest_finishes(inst: Instance, *, unlimited_labour: bool = False) -> np.ndarray:
    """(S,) a time before which no continuous-time plan completes each stream (inf if none does
    inside the horizon): the stream alone, from its release (in years) and its predecessors'
    bounds plus their lags, at the most progress its own caps and its pools' whole supply (with
    all the training any plan could do) allow in each period; with `unlimited_labour`, its own
    caps alone (a stream with none is done the moment it may start)."""
    step, H = inst.step, inst.periods
    if unlimited_labour:
        staff = inst.own_cap
    else:
        crew = inst.crew[:, :, None]
        per_pool = np.full(crew.shape[:2] + (H,), np.inf)  # inf: a pool the crew does not use
        np.divide(inst.supply_bound[None, :, :], crew, out=per_pool, where=crew > 0)
        staff = np.minimum(inst.own_cap, per_pool.min(axis=1))
    made = np.zeros(staff.shape)  # 0 where there is no productivity (not 0 * inf)
    positive = inst.productivity > 0
    with np.errstate(over="ignore"):
        np.multiply(inst.productivity, inst.progress_per_unit(staff), out=made, where=positive)
    rate = np.minimum(np.where(np.isnan(made), np.inf, made), inst.rate_cap)  # effective person-years a year
    rate = np.where(np.isinf(rate), 1e15, rate)  # no cap at all: done at once (efforts are at most 1e9)
    rows: list[list[float]] = np.cumsum(rate * step, axis=1).tolist()
    bounds_of = [[0.0, *row] for row in rows]
    rate_of, starts, effort, release = rate.tolist(), inst.starts.tolist(), inst.effort.tolist(), inst.release.tolist()
    finish = [math.inf] * len(inst.streams)  # plain floats: the same arithmetic, without numpy's per-call cost
    for i in inst.order:
        start = float(release[i])
        for p in inst.predecessors[i]:
            start = max(start, finish[p.pred] + p.lag)
        if not start < H * step:
            continue
        bounds, rates = bounds_of[i], rate_of[i]
        t0 = min(H - 1, int(math.floor(start / step + 1e-12)))
        target = bounds[t0] + (start - starts[t0]) * rates[t0] + effort[i]
        k = bisect.bisect_left(bounds, target)  # numpy's searchsorted, side "left"
        if k > H:
            continue
        t = max(k - 1, t0)
        finish[i] = max(starts[t] + (target - bounds[t]) / rates[t] if rates[t] > 0 else starts[t], start)
    return np.array(finish, dtype=float)


def goal_bound(inst: Instance, *, unlimited_labour: bool = False) -> float:
    """A time before which no continuous-time plan meets the goal: the latest of the required
    streams' `earliest_finishes`, and for each pool the moment its whole supply could first have
    done the work its streams need (streams with diminishing returns, whose crew-years per unit of
    progress have no floor, are left out of that count)."""
    finish = earliest_finishes(inst, unlimited_labour=unlimited_labour)
    req = inst.required
    if not req.any():
        return 0.0
    bound = float(np.max(finish[req]))
    if unlimited_labour:
        return bound
    needed_of = req.tolist()  # the required streams and everything before them (plain bools)
    predecessors = inst.predecessors
    for i in reversed(inst.order):
        if needed_of[i]:
            for p in predecessors[i]:
                needed_of[p.pred] = True
    needed = np.array(needed_of, dtype=bool)
    best = inst.productivity.max(axis=1) if inst.periods else np.zeros(len(inst.streams))
    linear = needed & ~inst.diminishing & (best > 0)
    if linear.any():
        crew_years = np.where(linear, inst.effort / np.where(best > 0, best, 1.0), 0.0)
        fte_years = inst.crew.T @ crew_years  # (R,) what each pool must give
        capacity = np.cumsum(inst.supply_bound * inst.step, axis=1).tolist()
        supply, starts = inst.supply_bound.tolist(), inst.starts.tolist()
        for r in np.flatnonzero(fte_years > 0).tolist():
            target = float(fte_years[r])
            cap = [0.0, *capacity[r]]
            k = bisect.bisect_left(cap, target)  # numpy's searchsorted, side "left"
            if k > inst.periods:
                return math.inf
            t = max(k - 1, 0)
            s = supply[r][t]
            at = np.float64(starts[t] + ((target - cap[t]) / s if s > 0 else 0.0))  # numpy's scalar, as before
            bound = max(bound, at)
    return bound


def best_possible(inst: Instance, *, unlimited_labour: bool = False) -> float | None:
    """An objective no continuous-time plan beats (a lower bound on the goal time for `earliest`),
    from `goal_bound` and `earliest_finishes`; with `unlimited_labour`, what no amount of labour
    beats (the structural limit)."""
    if inst.objective == "earliest" or (inst.objective == "probability" and inst.deadline is not None):
        return _best_at(inst, goal_bound(inst, unlimited_labour=unlimited_labour))
    if inst.deadline is None:
        return None
    finish = earliest_finishes(inst, unlimited_labour=unlimited_labour)
    return objective(inst, np.where(np.isfinite(finish), finish, np.nan))  # every stream at its earliest


def _best_at(inst: Instance, goal: float) -> float | None:
    """The best `earliest` or `probability` objective of a goal met no sooner than `goal`."""
    if inst.objective == "earliest":
        return None if math.isinf(goal) else goal
    if inst.deadline is None:
        return None
    return float(in_time(inst, goal)[0]) if math.isfinite(goal) else 0.0


_UNLIMITED_GOALS: dict[tuple, float] = {}
"""goal_bound with unlimited labour by `structure.unlimited_key`: it reads neither the supply nor
the deadline, so a sweep's or a Monte Carlo's variants share it (a memo: the same number either way)."""


def unlimited_goal(inst: Instance) -> float:
    """`goal_bound(inst, unlimited_labour=True)`, computed once per `unlimited_key` in a process."""
    key = unlimited_key(inst)
    goal = _UNLIMITED_GOALS.get(key)
    if goal is None:
        goal = goal_bound(inst, unlimited_labour=True)
        if len(_UNLIMITED_GOALS) >= 64:
            _UNLIMITED_GOALS.clear()
        _UNLIMITED_GOALS[key] = goal
    return goal


def structure(inst: Instance, grid: Structure) -> Structure:
    """The result's `Structure` (what unlimited labour allows) read in continuous time: the
    goal's earliest moment and the best objective with every pool unlimited."""
    goal = unlimited_goal(inst)
    if inst.objective == "earliest":
        bound = None
    elif inst.objective == "probability":
        bound = _best_at(inst, goal)  # best_possible(inst, unlimited_labour=True), from the same goal
    else:
        bound = best_possible(inst, unlimited_labour=True)
    goal = round(goal, 9) if math.isfinite(goal) else goal  # 33, not 32.99999999999999
    return dataclasses.replace(
        grid, earliest_goal_years=None if math.isinf(goal) else goal, bound=bound if grid.bound is not None else None
    )
