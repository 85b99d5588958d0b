"""A solver's answer read back into a verified Result, and the checks on the way.

`assemble` re-checks the schedule on its own (planner/verify.py) and refuses one whose objective
disagrees with what the solver claimed; `unlimited_structure` is what unlimited labour allows,
reported with every result; `only_asked_stops` keeps an unproven stop nobody asked for from looking
like a finished plan; `cross_check` solves the same model with a second solver; and
`fall_back_on_greedy` reports the greedy plan when the solver stopped before it had one.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from planner import verify
from planner.errors import VerificationError
from planner.instance.instance import Instance
from planner.mip.linear import LinearModel
from planner.plan.schema import Plan
from planner.result import Result, StreamResult, Structure, variant_fields
from planner.solvers import get_backend
from planner.solvers.status import RawSolution, SolveOptions, SolveStatus
from planner.structure import CriticalPath, critical_path, objective_bound, structural_bound, unlimited_key

# stops that leave a plan unproven: a result only when the user set a limit (only_asked_stops)
UNPROVEN = (SolveStatus.TIME_LIMIT, SolveStatus.NO_SOLUTION, SolveStatus.INTERRUPTED)


def assemble(
    plan: Plan,
    inst: Instance,
    cp: CriticalPath,
    raw: RawSolution,
    u: np.ndarray | None,
    solver: str,
    build_time: float,
    why: str | None = None,
    structure: Structure | None = None,
) -> Result:
    """The Result of the solver's answer `raw` with crew units `u` (None: no plan), verified.

    `cp` is the variant's critical path (the bound of a plan the solver stopped on before it had
    one), `why` the message of a plan with no schedule (diagnose.why_infeasible), `structure` the
    labour-unlimited structure if already known. Raises VerificationError if the schedule's own
    objective disagrees with the solver's."""
    structure = structure or unlimited_structure(inst)
    bound, gap = raw.bound, raw.gap
    if raw.x is not None and bound is None:  # stopped before the solver had a bound of its own
        bound = objective_bound(inst, cp)
        if bound is not None and raw.objective is not None:
            gap = abs(bound - raw.objective) / max(abs(bound), abs(raw.objective), 1e-10)
    common = dict(
        plan=plan.plan.name,
        variant=inst.name,
        objective_kind=inst.objective,
        interrupted=raw.interrupted,
        **variant_fields(plan, inst),
        bound=bound,
        gap=gap,
        runtime=raw.runtime,
        build_time=build_time,
        solver=solver,
        start_year=inst.start_year,
        structure=structure,
        period_starts=inst.starts,
        pool_names=inst.pools,
    )
    if u is None:
        message = why or raw.message
        streams = [
            StreamResult(n, float(e), 0.0, None, None, inst.start_year, bool(r))
            for n, e, r in zip(inst.streams, inst.effort, inst.required)
        ]
        return Result(
            status=raw.status,
            objective=None,
            goal_completion_years=None,
            success_probability=None,
            streams=streams,
            allocation=None,
            message=message,
            **common,
        )
    u = np.where(np.abs(u) < 1e-12, 0.0, u)
    checked = verify.check(inst, u)
    _agrees_with_solver(inst, raw.objective, bound, checked)
    # plain Python numbers from each array at once (numpy's scalars cost more per read than this)
    effort, done = inst.effort.astype(float).tolist(), checked.effort_done.astype(float).tolist()
    starts, finish = checked.start_years.astype(float).tolist(), checked.finish_years.astype(float).tolist()
    required = inst.required.astype(bool).tolist()
    streams = [
        StreamResult(
            n,
            effort[i],
            done[i],
            None if math.isnan(starts[i]) else starts[i],
            None if math.isnan(finish[i]) else finish[i],
            inst.start_year,
            required[i],
        )
        for i, n in enumerate(inst.streams)
    ]
    if raw.status != SolveStatus.OPTIMAL and bound is not None and checked.objective is not None:
        # the earliest-start pass may have improved an unproven plan: its gap is to what we report
        common["gap"] = abs(bound - checked.objective) / max(abs(bound), abs(checked.objective), 1e-10)
    return Result(
        status=raw.status,
        objective=checked.objective,
        goal_completion_years=checked.goal_years,
        success_probability=checked.success_probability,
        streams=streams,
        allocation=u,
        pool_use=inst.crew.T @ u,
        pool_supply=checked.supply if checked.supply is not None else inst.supply,
        message=raw.message,
        **common,
    )


def _agrees_with_solver(inst: Instance, claimed: float | None, bound: float | None, checked: verify.Verified) -> None:
    """The objective recomputed from the schedule must be at least what the solver claims (it may be
    better: the solver need not mark a finished stream complete) and never beyond its proven bound."""
    ours = checked.objective
    if claimed is None or ours is None:
        if (claimed is None) != (ours is None):
            raise verify.VerificationError(f"the solver reports objective {claimed}, the schedule gives {ours}")
        return
    tol = 1e-6 * max(1.0, abs(claimed))
    worse = ours < claimed - tol if inst.objective != "earliest" else ours > claimed + tol
    # whole people with diminishing returns keep the solver's crew units (polish.crew_units), whose
    # exact progress u ** a may beat the model's piecewise-linear bound: the proven bound is the
    # model's, and the schedule may do better than it
    exact = not np.any(inst.diminishing & inst.integer_staff.any(axis=1))
    beyond = (
        exact and bound is not None and (ours > bound + tol if inst.objective != "earliest" else ours < bound - tol)
    )
    if worse or beyond:
        raise verify.VerificationError(
            f"objective recomputed from the schedule ({ours:.9g}) disagrees with the solver's "
            f"({claimed:.9g}, bound {bound})"
        )


def unlimited_structure(inst: Instance, cache: dict[tuple, CriticalPath] | None = None) -> Structure:
    """What unlimited labour allows. Its critical path depends on neither the supply nor the
    deadline, which is what sweeps and comparisons vary most: `cache` keeps it across variants,
    keyed by every number it reads."""
    key, cp = (), None
    if cache is not None:
        key = unlimited_key(inst)
        cp = cache.get(key)
    if cp is None:
        cp = critical_path(inst, unlimited_labour=True)
        if cache is not None:
            if len(cache) >= 16:
                cache.clear()
            cache[key] = cp
    fixed = float(inst.deadline_years[0]) if len(inst.deadline_years) == 1 else None
    bound = (
        structural_bound(inst, cp)
        if inst.objective == "probability"
        else objective_bound(inst, cp)
        if inst.objective == "value"
        else None
    )
    return Structure(
        critical_path=cp.chain,
        earliest_goal_years=cp.years(cp.goal_finish, inst.step),
        bound=bound,
        horizon_years=inst.periods * inst.step,
        fixed_deadline=fixed,
    )


def only_asked_stops(raw: RawSolution, options: SolveOptions) -> RawSolution:
    """A plan is `time_limit` only when the user set a limit (a time limit, or a raw solver option
    that may hold one). Any other unproven stop is an error, never a result that looks finished."""
    asked = options.time_limit is not None or bool(options.solver_options)
    if raw.status in UNPROVEN and not raw.interrupted and not asked:
        return RawSolution(
            SolveStatus.ERROR,
            None,
            None,
            None,
            None,
            raw.runtime,
            f"the solver stopped without proving an optimum though no limit was set "
            f"({raw.message}); please report this",
        )
    return raw


def cross_check(result: Result, solver: str, lm: LinearModel, options: SolveOptions) -> dict:
    """Solve the same arrays `lm` with `solver`; returns its verdict (solver, status, objective,
    runtime, agrees). Two proven optima that differ beyond the gap are a bug: VerificationError."""
    backend = get_backend(solver)
    backend.load(lm)
    raw = only_asked_stops(backend.solve(options), options)
    record = {"solver": backend.name, "status": raw.status, "objective": raw.objective, "runtime": raw.runtime}
    if raw.interrupted:
        raise KeyboardInterrupt
    first, second = result.status, raw.status
    optimal, infeasible = SolveStatus.OPTIMAL, SolveStatus.INFEASIBLE
    tol = max(1e-6, 2 * options.gap) * max(1.0, abs(result.objective or 0.0), abs(raw.objective or 0.0))
    ours, theirs = result.objective, raw.objective
    apart = ours is not None and theirs is not None and abs(ours - theirs) > tol
    differ = (first == optimal and second == optimal and apart) or {first, second} == {optimal, infeasible}
    if differ:
        raise VerificationError(
            f"{result.variant}: the solvers disagree: {result.solver} says {first} "
            f"{result.objective}, {backend.name} says {second} {raw.objective}"
        )
    record["agrees"] = first == second == optimal or first == second == infeasible
    return record


def fall_back_on_greedy(raw: RawSolution, lm: LinearModel, x: np.ndarray) -> RawSolution:
    """A solve stopped before the solver found any plan reports the greedy plan `x` instead
    (feasible by construction, and verified like any other), with the solver's bound if it has one.
    Returns `raw` itself when the greedy plan is no answer (`earliest` needs the goal met)."""
    if lm.sense == "min" and lm.values(x, "g")[-1] < 1:
        return raw
    return dataclasses.replace(
        raw,
        x=x,
        objective=float(lm.arrays()["cost"] @ x + lm.offset),
        status=SolveStatus.INTERRUPTED if raw.interrupted else SolveStatus.TIME_LIMIT,
        message="stopped before the solver found a plan: reporting the greedy plan (planner/pipeline/heuristic.py)",
    )
