"""Re-check a schedule against docs/model.md's rules with plain numpy, independently of the MIP.

Only the allocation u[i,t] is taken from the solver; completion times, the goal and the objective
are recomputed here from progress sums and compared in years (not in the model's period indices).
A broken rule is a `VerificationError`: the planner never reports a schedule that fails here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from planner.errors import VerificationError
from planner.instance.deadlines import cdf
from planner.instance.instance import Instance

REL, ABS = 1e-6, 1e-6  # tolerances: solver feasibility tolerances are ~1e-7

# names the (i, t) or (t,) cells where a rule breaks
Format = Callable[..., str]
# records a broken rule: the cells that break it, what it is, how to name a cell
Report = Callable[[np.ndarray, str, Format], None]


@dataclass(frozen=True)
class Verified:
    finish_years: np.ndarray  # (S,) completion time in years (end of period), nan if never
    effort_done: np.ndarray  # (S,) effective person-years done inside the horizon
    goal_years: float | None  # when every required stream is complete, None if never
    success_probability: float | None
    objective: float | None  # the plan's objective recomputed from the schedule
    start_years: np.ndarray  # (S,) start of the first period with work, nan if none
    supply: np.ndarray | None = None  # (R, H) each pool's supply, with the FTE the plan trained


def reporter(problems: list[str]) -> Report:
    """A Report that adds each broken rule, with its first three cells, to `problems`."""

    def report(mask: np.ndarray, what: str, fmt: Format) -> None:
        if mask.any():
            problems.append(what + ": " + "; ".join(fmt(*ix) for ix in np.argwhere(mask)[:3]))

    return report


def _over(lhs: np.ndarray, rhs: np.ndarray, scale: np.ndarray | None = None) -> np.ndarray:
    """Where `lhs` exceeds `rhs` beyond the tolerances (the caller ignores numpy's "invalid")."""
    scale = np.maximum(1.0, np.abs(rhs) if scale is None else scale)
    return lhs > rhs + REL * scale + ABS


def check(inst: Instance, u: np.ndarray) -> Verified:
    """Every rule for allocation `u` (S x H crew units); raises VerificationError on the first breach."""
    with np.errstate(invalid="ignore"):  # once for every comparison below (each costs microseconds)
        return _check(inst, u)


def _check(inst: Instance, u: np.ndarray) -> Verified:
    S, H = u.shape
    problems: list[str] = []
    report = reporter(problems)
    report(u < -ABS, "negative crew units", lambda i, t: f"{inst.streams[i]} period {t}: {u[i, t]:g}")
    effective, progress = progress_of(inst, u)
    supply = _pool_supply(inst, u, progress, report)
    rate = inst.productivity * effective
    report(
        _over(rate, inst.rate_cap),
        "rate cap exceeded",
        lambda i, t: f"{inst.streams[i]} period {t}: {rate[i, t]:g} > {inst.rate_cap[i, t]:g}/year",
    )
    report(
        _over(u, inst.max_staff[:, None]),  # each stream's cap, for every period
        "max_staff exceeded",
        lambda i, t: f"{inst.streams[i]} period {t}: {u[i, t]:g} > {inst.max_staff[i]:g}",
    )
    before_release = inst.starts[None, :] < inst.release[:, None] - 1e-9
    report(
        before_release & (u > ABS),
        "work before release",
        lambda i, t: f"{inst.streams[i]} at year {inst.starts[t]:g} < release {inst.release[i]:g}",
    )

    done = progress >= inst.effort[:, None] * (1 - REL) - ABS
    finished = np.asarray(done.any(axis=1))  # (S,) an array, also to the type checker
    finish_years = np.where(finished, (done.argmax(axis=1) + 1) * inst.step, np.nan)

    working = is_working(inst, u)
    if inst.has_dynamics:
        staffing(inst, u, working, done, report)
    if inst.precedences:
        # j may work in a period starting at year y only if i finished by y - lag (rounded up to
        # periods); every precedence at once (a predecessor never complete has ready = nan, which
        # no start reaches: then any work of j is early)
        pred = np.array([p.pred for p in inst.precedences])
        ready = finish_years[pred] + np.array([p.gap for p in inst.precedences]) * inst.step
        early = working[[p.succ for p in inst.precedences]] & ~(inst.starts[None, :] >= ready[:, None] - 1e-9)
        for row in np.flatnonzero(early.any(axis=1)).tolist():
            p = inst.precedences[row]
            report(
                early[row][None, :],
                f"{inst.streams[p.succ]} works before {inst.streams[p.pred]} is complete (lag {p.lag:g})",
                lambda _, t: f"period {t} (year {inst.starts[t]:g})",
            )
    if problems:
        raise VerificationError("the schedule breaks the model's rules: " + " | ".join(problems))

    req = inst.required
    goal_years = float(finish_years[req].max()) if finished[req].all() else None
    horizon_end = H * inst.step
    success = objective = None
    if inst.has_deadline:
        reach = np.minimum(inst.deadline_years, horizon_end) + 1e-9  # deadlines past the horizon
        success = float(inst.deadline_probs[goal_years <= reach].sum()) if goal_years is not None else 0.0
        if inst.objective == "value":
            met = finish_years[:, None] <= reach[None, :]  # nan compares False: never complete
            objective = float((inst.value[:, None] * met * inst.deadline_probs[None, :]).sum())
            for k, needs in enumerate(inst.milestone_streams):  # [[goals]]: all its streams in time
                all_met = met[needs].all(axis=0) if needs.any() else np.ones(len(reach), bool)
                objective += float(inst.milestone_value[k] * (all_met * inst.deadline_probs).sum())
    if inst.objective == "probability":
        objective = success
    elif inst.objective == "earliest":
        objective = goal_years
    effort_done = np.minimum(progress[:, -1], inst.effort) if H else np.zeros(S)
    starts = np.where(working.any(axis=1), inst.starts[working.argmax(axis=1)], np.nan)
    return Verified(finish_years, effort_done, goal_years, success, objective, starts, supply)


def progress_of(inst: Instance, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(effective crew units, cumulative progress), each (S, H): a period's progress is step *
    productivity * u ** parallelization (exactly, not the MIP's piecewise-linear bound)."""
    a = inst.parallelization[:, None]
    if not (a < 1).any():  # progress linear in every stream: u itself (what np.where would pick)
        effective = u.copy()
    else:
        with np.errstate(invalid="ignore"):
            effective = np.where(a < 1, np.power(np.clip(u, 0.0, None), a), u)
    return effective, np.cumsum(inst.step * inst.productivity * effective, axis=1)


def pool_supply(inst: Instance, u: np.ndarray, progress: np.ndarray, report: Report) -> np.ndarray:
    """Each pool's use within its supply, with the FTE the plan's own progress trained; the supply."""
    with np.errstate(invalid="ignore"):
        return _pool_supply(inst, u, progress, report)


def _pool_supply(inst: Instance, u: np.ndarray, progress: np.ndarray, report: Report) -> np.ndarray:
    supply = trained_supply(inst, progress)
    used = inst.crew.T @ u
    report(
        _over(used, supply),
        "pool supply exceeded",
        lambda r, t: f"{inst.pools[r]} period {t}: {used[r, t]:g} > {supply[r, t]:g}",
    )
    return supply


def trained_supply(inst: Instance, progress: np.ndarray) -> np.ndarray:
    """(R, H) each pool's supply with the FTE training streams add (`train`): the progress made in
    period tau, counted up to the stream's effort, times per_effort, joins ceil(delay / step)
    periods later (at least 1) and keeps (1 - attrition) ** (step * k) of itself k periods after."""
    supply = inst.supply.astype(float)  # a copy
    H = progress.shape[1]
    for i in np.flatnonzero(inst.train_pool >= 0):
        counted = np.minimum(progress[i], inst.effort[i])
        made = np.diff(np.concatenate([[0.0], counted]))
        lag = max(1, int(np.ceil(inst.train_delay[i] / inst.step - 1e-9)))
        keep = (1.0 - inst.train_attrition[i]) ** inst.step
        for tau in np.flatnonzero(made > 0):
            if tau + lag < H:
                k = np.arange(H - tau - lag)
                supply[inst.train_pool[i], tau + lag :] += inst.train_per_effort[i] * made[tau] * keep**k
    return supply


def staffing(inst: Instance, u: np.ndarray, working: np.ndarray, done: np.ndarray, report: Report) -> None:
    """The discrete staffing keys (docs/plan-file.md), from the allocation alone."""
    S, H = u.shape
    finish = np.where(done.any(axis=1), done.argmax(axis=1), H)
    after = np.arange(H)[None, :] > finish[:, None]
    report(
        inst.discrete[:, None] & after & working,
        "work after completion",
        lambda i, t: f"{inst.streams[i]} period {t}: {u[i, t]:g} crew units",
    )
    floor = inst.min_staff[:, None] * np.ones((1, H))
    report(
        working & (u < floor * (1 - REL) - ABS),
        "below min_staff",
        lambda i, t: f"{inst.streams[i]} period {t}: {u[i, t]:g} < {inst.min_staff[i]:g}",
    )
    own = inst.own_cap
    off = np.abs(u - np.where(np.isfinite(own), own, 0.0)) > REL * np.maximum(1.0, np.abs(own)) + ABS
    report(
        inst.fixed_crew[:, None] & working & off,
        "fixed crew not at its cap",
        lambda i, t: f"{inst.streams[i]} period {t}: {u[i, t]:g} crew units, not {own[i, t]:g}",
    )
    for i in np.flatnonzero(inst.contiguous):
        worked = np.flatnonzero(working[i])
        if worked.size == 0:
            continue
        run = np.zeros(H, bool)
        run[worked[0] : worked[-1] + 1] = True
        report(
            run & ~working[i],
            "contiguous stream interrupted",
            lambda t, i=i: f"{inst.streams[i]} idle in period {t} between periods it is worked",
        )
        before_last = run & (np.arange(H) < finish[i])  # every period of the run but the one it completes in
        report(
            before_last & (u[i] < inst.floor[i] * (1 - REL) - ABS),
            "contiguous stream below its floor",
            lambda t, i=i: f"{inst.streams[i]} period {t}: {u[i, t]:g} < {inst.floor[i]:g} crew units",
        )
    for r in np.flatnonzero(inst.integer_pools):
        fte = inst.crew[:, r : r + 1] * u
        frac = np.abs(fte - np.round(fte)) > REL * np.maximum(1.0, fte) + ABS
        report(
            inst.integer_staff[:, r : r + 1] & frac,
            f"not whole people from pool {inst.pools[r]}",
            lambda i, t, fte=fte: f"{inst.streams[i]} period {t}: {fte[i, t]:g} FTE",
        )


def is_working(inst: Instance, u: np.ndarray) -> np.ndarray:
    """(S, H) crew units above the solver's tolerance, scaled like the solver's (to u's own bound)."""
    bound = inst.staff_bound
    return u > ABS + REL * np.where(np.isfinite(bound), np.maximum(bound, 1.0), 1.0)


def continuous_objective(inst: Instance, u: np.ndarray) -> float | None:
    """The objective of allocation `u` in continuous time, recomputed here on its own (the planner's
    is planner/pipeline/continuous.py): each stream's finish is the moment its summed progress reaches the
    effort, walking period by period at each period's rate; the goal is in time for a deadline D
    (shifted, read in years, past the horizon counting at its end) when it is met by min(D, H*step)."""
    ends = [np.nan] * len(inst.streams)
    # plain floats (the same arithmetic as numpy's scalars, at a fraction of the cost per step)
    a, productivity, effort = inst.parallelization.tolist(), inst.productivity.tolist(), inst.effort.tolist()
    starts, step = inst.starts.tolist(), float(inst.step)
    worked = u > 0
    first = np.where(worked.any(axis=1), worked.argmax(axis=1), u.shape[1]).tolist()  # before: no progress
    for i, row in enumerate(u.tolist()):
        done, power, of_t = 0.0, a[i], productivity[i]
        enough = effort[i] * (1 - REL) - ABS
        for t in range(first[i], len(row)):
            units = max(row[t], 0.0)
            rate = of_t[t] * (units**power if power < 1 else units)  # per year
            made = rate * step
            if rate > 0 and done + made >= enough:
                ends[i] = starts[t] + min(step, max(0.0, (effort[i] - done) / rate))
                break
            done += made
    finish = np.array(ends, dtype=float)
    horizon = inst.periods * inst.step
    req = inst.required
    goal = float(finish[req].max()) if req.any() else 0.0
    if inst.objective == "earliest":
        return None if np.isnan(goal) else goal
    d = inst.deadline
    if d is None:
        return None

    def chance(when: float) -> float:
        if not math.isfinite(when) or when > horizon + 1e-9:
            return 0.0
        if d.distribution is None:
            years = np.minimum(inst.deadline_years, horizon)  # points: fixed, scenarios, p_never
            return float(inst.deadline_probs[years + 1e-9 >= when].sum())
        return 1.0 - (1.0 - (d.p_never or 0.0)) * float(cdf(d.distribution, np.array([when - inst.deadline_shift]))[0])

    if inst.objective == "probability":
        return chance(goal)
    total = sum(float(inst.value[i]) * chance(float(finish[i])) for i in range(len(inst.streams)) if inst.value[i])
    for k, needs in enumerate(inst.milestone_streams):
        total += float(inst.milestone_value[k]) * chance(float(finish[needs].max()) if needs.any() else 0.0)
    return total
