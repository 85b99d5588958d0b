"""Answers settled on finer grids (docs/model.md, "Continuous time").

A grid schedule read in continuous time (planner/pipeline/continuous.py) is a lower bound on the
continuous optimum; when it and the bound from the other side (`best_possible`) differ by more than
`tolerance`, the variant is solved again on periods of step / 2 (`refine`), and `settle` says how
the answer ended: exact, converged, step-sensitive or unrefined. `delta_range` and
`unsettled_words` say what a change between two such answers could still be.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable

import numpy as np

from planner import verify
from planner.instance import deadlines
from planner.instance.instance import Instance, Precedence
from planner.pipeline.continuous import (
    best_possible,
    finish_times,
    front_load,
    goal_time,
    hasten,
    in_time,
    objective,
    structure,
)
from planner.result import Result, StreamResult
from planner.solvers.status import SolveStatus


def refine(inst: Instance, k: int) -> Instance:
    """The same variant on periods of `step / k` years: every period's numbers (supply,
    productivity, speed-ups) hold for each of its k parts, while lags, releases, minimum
    durations, delays and the deadline are read again in years on the finer grid."""
    step = inst.step / k
    periods = inst.periods * k
    if inst.deadline is not None:
        years, probs = deadlines.scenarios(
            inst.deadline, start_year=inst.start_year, periods=periods, step=step, shift=inst.deadline_shift
        )
    else:
        years, probs = inst.deadline_years, inst.deadline_probs
    return dataclasses.replace(
        inst,
        step=step,
        starts=np.arange(periods) * step,
        supply=np.repeat(inst.supply, k, axis=1),
        productivity=np.repeat(inst.productivity, k, axis=1),
        speedup=np.repeat(inst.speedup, k, axis=1),
        precedences=[Precedence(p.pred, p.succ, p.lag, math.ceil(p.lag / step - 1e-9)) for p in inst.precedences],
        deadline_years=years,
        deadline_probs=probs,
    )


def tolerance(inst: Instance) -> float:
    """How close two answers must be to count as the same: 0.025 percentage points of probability
    for each variant (so a delta is good to 0.05 pp), the same share of the plan's total value, and
    a hundredth of a year for `earliest`."""
    if inst.objective == "earliest":
        return 0.01
    if inst.objective == "value":
        total = float(inst.value.sum() + inst.milestone_value.sum())
        return 2.5e-4 * max(total, 1e-9)
    return 2.5e-4


# Finer grids tried when the bound does not settle the answer: step / 2 up to step / MAX_REFINE
# (one halving by default: a deterministic amount of work, the same answer on a busy machine or an
# idle one), and no more than MAX_STREAM_PERIODS (plan.py) stream-periods. REFINE_SECONDS, or
# REFINE_FACTOR times the first solve if that is more, is only a safety net against a finer grid
# that turns out hard to solve: a grid cut by it ends the refining, as step-sensitive.
MAX_REFINE = 2
REFINE_SECONDS = 3.0
REFINE_FACTOR = 4.0


def as_continuous(result: Result, inst: Instance) -> Result:
    """`result` (a verified grid schedule of variant `inst`) with its objective, finish times, goal
    time and success probability read in continuous time, its last periods hastened (`hasten`),
    and the schedule verified again. A result without a plan is returned as it is."""
    if result.allocation is None:
        return dataclasses.replace(
            result, grid_objective=result.objective, grid_step=inst.step, structure=structure(inst, result.structure)
        )
    u = hasten(inst, front_load(inst, result.allocation, result.pool_supply), result.pool_supply)
    checked = verify.check(inst, u)
    finish = finish_times(inst, u)
    value = objective(inst, finish)
    again = verify.continuous_objective(inst, u)  # its own walk through the periods
    if (value is None) != (again is None) or (
        value is not None and again is not None and abs(value - again) > 1e-6 * max(1.0, abs(value))
    ):
        raise verify.VerificationError(
            f"{inst.name}: the continuous-time objective {value} is not what "
            f"verification recomputes from the schedule ({again})"
        )
    streams = [  # built directly: dataclasses.replace reads the fields anew for each of them
        StreamResult(
            s.name, s.effort, s.effort_done, s.start_years, None if math.isnan(f) else f, s.start_year, s.required
        )
        for s, f in zip(result.streams, finish.tolist())
    ]
    goal = goal_time(inst, finish)
    if not inst.has_deadline:
        success = None
    elif inst.objective == "probability" and value is not None:
        success = value  # objective() is this very number: the chance the goal is met in time
    else:
        success = float(in_time(inst, goal if goal is not None else math.nan)[0])
    return result.replaced(
        objective=value,
        goal_completion_years=goal,
        success_probability=success,
        streams=streams,
        allocation=u,
        pool_use=inst.crew.T @ u,
        pool_supply=checked.supply if checked.supply is not None else result.pool_supply,
        grid_objective=result.objective,
        grid_step=inst.step,
        structure=structure(inst, result.structure),
    )


def better(kind: str, a: float | None, b: float | None) -> bool:
    """Whether objective `a` beats `b` (a missing objective never does)."""
    if a is None:
        return False
    if b is None:
        return True
    return a < b if kind == "earliest" else a > b


def settle(
    result: Result,
    inst: Instance,
    solve_on_grid: Callable[[int, float], Result] | None,
    *,
    refine: bool = True,
    time_left: float | None = None,
    max_stream_periods: int = 200_000,
) -> Result:
    """The continuous-time answer, from `result` (the plan's own grid, already `as_continuous`)
    and, where the bound (`best_possible`) does not settle it, finer grids (`solve_on_grid(k,
    seconds)` returns the variant solved on periods of step / k, as a continuous result; None:
    no finer grids).

    Returns the best result found, with `exactness`: "exact" (within `tolerance` of the bound: no
    continuous plan does better), "converged" (two successive grids agree within `tolerance`;
    the bound is not met, so a still finer grid might do better), "step-sensitive" (neither, within
    the time and size allowed), or "unrefined" (not optimal on its own grid, or refining was not
    asked for or possible, or the plan trains people: their joining is counted per period of the
    plan's own step, so a finer grid is another plan). `objective_range` is (the answer, the
    bound): the continuous optimum lies inside."""
    kind = inst.objective
    bound = best_possible(inst)
    tol = tolerance(inst)
    steps = [(inst.step, result.objective)]

    def close(a: float | None, b: float | None) -> bool:
        return a is not None and b is not None and abs(a - b) <= tol

    def done(best: Result, status: str) -> Result:
        # the bound and gap a user reads are the continuous ones; the MIP's stay as grid_bound
        gap = (
            None
            if best.objective is None or bound is None
            else abs(bound - best.objective) / max(abs(bound), abs(best.objective), 1e-10)
        )
        return best.replaced(
            exactness=status,
            objective_range=(best.objective, bound),
            grid_steps=tuple(steps),
            grid_bound=best.bound,
            grid_gap=best.gap,
            bound=bound,
            gap=gap,
        )

    if result.objective is None or close(result.objective, bound):
        return done(result, "exact" if result.objective is not None else "unrefined")
    if not refine or solve_on_grid is None or result.status != SolveStatus.OPTIMAL or inst.trains.any():
        # training is counted per period of the plan's step (people trained during a period join
        # at the start of the period `delay` later), which a finer grid would change
        return done(result, "unrefined")
    budget = max(REFINE_SECONDS, REFINE_FACTOR * (result.runtime + result.build_time))
    if time_left is not None:
        budget = min(budget, time_left)
    start = time.perf_counter()
    best, previous, k = result, result.objective, 2
    while k <= MAX_REFINE and len(inst.streams) * inst.periods * k <= max_stream_periods:
        left = budget - (time.perf_counter() - start)
        if left <= 0:
            break
        finer = solve_on_grid(k, left)
        if finer.interrupted:  # Ctrl-C: the best plan so far, marked so that the caller stops too
            return dataclasses.replace(done(best, "step-sensitive"), status=SolveStatus.INTERRUPTED, interrupted=True)
        if finer.status != SolveStatus.OPTIMAL or finer.objective is None:
            break
        steps.append((inst.step / k, finer.objective))
        if better(kind, finer.objective, best.objective):
            best = finer
        if close(best.objective, bound):
            return done(best, "exact")
        if close(finer.objective, previous):
            return done(best, "converged")
        previous, k = finer.objective, k * 2
    return done(best, "step-sensitive")


def delta_range(base: Result, res: Result) -> tuple[float, float] | None:
    """The range in which the continuous-time change from `base` to `res` lies, from each result's
    `objective_range` (None if either has no answer or no bound)."""
    (b, b_bound), (r, r_bound) = base.objective_range, res.objective_range
    if None in (b, b_bound, r, r_bound):
        return None
    if res.objective_kind == "earliest":  # the optimum lies in [bound, answer]
        return r_bound - b, r - b_bound
    return r - b_bound, r_bound - b


def unsettled_words(base: Result, res: Result) -> str:
    """'step-sensitive: between -0.4 and -0.1 pp' when either answer is not settled (empty if both
    are exact or converged): what the delta could still be."""
    loose = [x for x in (base, res) if x.exactness in ("step-sensitive", "unrefined")]
    span = delta_range(base, res)
    if not loose or span is None:
        return ""
    status = "step-sensitive" if any(x.exactness == "step-sensitive" for x in loose) else "not refined"
    return f"{status}: {_between(res.objective_kind, *span)}"


def unproven_words(base: Result, res: Result) -> str:
    """'not proven: between -5.10 and +0.30 pp, so its sign is not settled' when either solve
    stopped before proving its optimum (a time limit): each answer's true value lies in its
    `objective_range` (the plan found, the bound), so the change lies in `delta_range`. Empty when
    both are proven."""
    if base.status == SolveStatus.OPTIMAL and res.status == SolveStatus.OPTIMAL:
        return ""
    span = delta_range(base, res)
    if span is None:
        return "not proven, and without a bound: its sign is not settled"
    lo, hi = span
    open_sign = ", so its sign is not settled" if lo < 0 < hi else ""
    return f"not proven: {_between(res.objective_kind, lo, hi)}{open_sign}"


def _between(kind: str, lo: float, hi: float) -> str:
    """A change's range in compare's units: pp for probabilities, years for `earliest`."""
    if kind == "probability":
        return f"between {lo * 100:+.2f} and {hi * 100:+.2f} pp"
    if kind == "earliest":
        return f"between {lo:+.2f} and {hi:+.2f} years"
    return f"between {lo:+.4g} and {hi:+.4g}"
