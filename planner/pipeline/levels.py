"""An intervention that chooses its own amount: `levels = [0, 1, 2, 3]` and `choose = true`.

One MIP holds a copy of the variant's model per level (model.either): binaries pick exactly one,
so its optimum is the best level's, found in one solve, each level with its own deadline, supply
and windows. Every level is then solved on its own (`levels` in the result: what the others would
give), which also checks the choice: the MIP's optimum must be the best of them. The level
reported (`chosen_units`) is the MIP's, or on a tie the smallest level that gives the same
optimum (the least of the intervention that does as well), with that level's own plan.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from planner.errors import VerificationError
from planner.explain import explain
from planner.instance.instance import Instance
from planner.instance.resolve import resolve
from planner.mip.formulation import build
from planner.mip.levels import either
from planner.pipeline import polish
from planner.pipeline.assemble import assemble, only_asked_stops
from planner.pipeline.refine import as_continuous, settle
from planner.plan.schema import Intervention, Plan
from planner.result import Result
from planner.solvers import get_backend
from planner.solvers.status import RawSolution, SolveOptions, SolveStatus
from planner.structure import CriticalPath, critical_path


def solve_choice(
    plan: Plan,
    iv: Intervention,
    solver: str,
    options: SolveOptions,
    solve_level: Callable[..., Result],
    *,
    tie_break: bool = True,
    cross_check: bool | str = False,
    refine: bool = True,
) -> tuple[Result, Instance, CriticalPath]:
    """The best level of intervention `iv` of `plan`, with every level's own optimum alongside.

    `solver` solves the joint MIP; `solve_level(units, **solve options)` solves one level on its
    own (the session's Model.solve of that variant). Returns (the Result, the Instance and the
    critical path of the level it describes).

    The joint MIP chooses on its grid; the check compares that with each level's own grid optimum
    (`grid_objective`), and the level reported is the one whose plan is best in continuous time
    (planner/pipeline/continuous.py), settled on finer grids (refine.py) like any other result when
    `refine`."""
    if iv.levels is None:  # the schema refuses `choose` without `levels`
        raise ValueError(f"intervention '{iv.name}' chooses its level but has no levels")
    levels = list(iv.levels)
    start = time.perf_counter()
    insts = [resolve(plan, iv, units) for units in levels]
    paths = [critical_path(inst) for inst in insts]
    models = [build(inst, cp) for inst, cp in zip(insts, paths)]
    model, y, first = either(models)
    build_time = time.perf_counter() - start
    backend = get_backend(solver)
    backend.load(model)
    limit = options.time_limit
    # the joint MIP gets half the limit: the levels on their own need the rest (_solo_share)
    raw = only_asked_stops(
        backend.solve(options if limit is None else dataclasses.replace(options, time_limit=limit / 2)), options
    )
    k = int(np.argmax(raw.x[y])) if raw.x is not None else 0
    inst, cp, lm = insts[k], paths[k], models[k]
    u = None
    if raw.x is not None:
        x = raw.x[first[k] : first[k] + lm.n]
        raw = RawSolution(raw.status, x, raw.objective, raw.bound, raw.gap, raw.runtime, raw.message, raw.interrupted)
        u = lm.values(x, "u")
        if inst.has_dynamics:
            u = polish.idle_once_complete(
                inst, polish.earliest_discrete(inst, lm, x) if tie_break else polish.crew_units(inst, lm, x)
            )
        elif tie_break:
            u, _ = polish.earliest(inst, lm, np.where(np.abs(u) < 1e-12, 0.0, u), cp.earliest_finish)
    joint = assemble(plan, inst, cp, raw, u, backend.name, build_time)  # verified at level k
    joint = dataclasses.replace(joint, chosen_units=levels[k] if u is not None else None)
    if raw.interrupted or (joint.status != SolveStatus.OPTIMAL and limit is None):
        joint = settle(as_continuous(joint, inst), inst, None, refine=False)
        return dataclasses.replace(joint, explanation=explain(joint)), inst, cp
    solo = dict(
        time_limit=options.time_limit,
        gap=options.gap,
        threads=options.threads,
        solver_options=options.solver_options,
        tie_break=tie_break,
        cross_check=cross_check,
    )
    each = []
    for n, units in enumerate(levels):
        solo["time_limit"] = _solo_share(limit, start, len(levels) - n)
        each.append(solve_level(units, **solo, refine=False))
    proven = joint.status == SolveStatus.OPTIMAL
    if proven:
        _check_choice(joint, each, iv.name)
    else:  # the joint MIP stopped: the best verified plan among the levels, proven only if every level is
        proven = all(r.status == SolveStatus.OPTIMAL for r in each)
        planned = {j: r.objective for j, r in enumerate(each) if r.objective is not None and r.allocation is not None}
        if not planned:
            return dataclasses.replace(joint, explanation=explain(joint)), inst, cp
        k = min(planned, key=lambda j: planned[j] if joint.objective_kind == "earliest" else -planned[j])
    # the level reported: the best in continuous time, or the smallest level that ties with it
    solved = (
        {j: r.objective for j, r in enumerate(each) if r.status == SolveStatus.OPTIMAL and r.objective is not None}
        if proven
        else {}
    )
    pick = k
    if solved:
        top = min(solved, key=lambda j: solved[j] if joint.objective_kind == "earliest" else -solved[j])
        tol = 1e-6 * max(1.0, abs(solved[top]))
        pick = min((j for j in solved if abs(solved[j] - solved[top]) <= tol), key=lambda j: levels[j])
    result = each[pick]
    if not proven:  # its level may be proven; the choice between levels is not (nor its row in `levels`)
        result = each[pick] = dataclasses.replace(result, status=SolveStatus.TIME_LIMIT)
    if refine and result.exactness != "exact" and (limit is None or time.perf_counter() - start < limit):
        solo["time_limit"] = _solo_share(limit, start, 1)
        result = solve_level(levels[pick], **solo)
    rows = [{"units": units, "status": r.status, "objective": r.objective} for units, r in zip(levels, each)]
    result = dataclasses.replace(result, chosen_units=levels[pick], runtime=result.runtime + joint.runtime, levels=rows)
    base = explain(result)
    words = (
        base + (". " if base and not base.endswith(".") else " " if base else "") + _words(rows, levels[pick], iv.name)
    )
    return dataclasses.replace(result, explanation=words), insts[pick], paths[pick]


def _solo_share(limit: float | None, start: float, left: int) -> float | None:
    """Seconds one of the `left` remaining solves may take so that the whole choice keeps to `limit`."""
    if limit is None:
        return None
    return max(1e-3, (limit - (time.perf_counter() - start)) / left)


def _check_choice(joint: Result, each: list[Result], name: str) -> None:
    """With every level proven on its own, the joint MIP's optimum must be the best of them."""
    if any(r.status not in (SolveStatus.OPTIMAL, SolveStatus.INFEASIBLE) for r in each):
        return
    values = [r.grid_objective for r in each if r.status == SolveStatus.OPTIMAL and r.grid_objective is not None]
    if not values:
        return
    best = min(values) if joint.objective_kind == "earliest" else max(values)
    tol = 1e-6 * max(1.0, abs(best))
    if joint.objective is None or abs(joint.objective - best) > tol:
        raise VerificationError(
            f"choosing the level of '{name}': the MIP chose {joint.chosen_units:g} units "
            f"with objective {joint.objective}, but the best level on its own gives {best}"
        )


def _words(rows: list[dict[str, Any]], chosen: float, name: str) -> str:
    """The choice in words: the level chosen and each level's own optimum (`rows`, as in `levels`)."""

    def amount(units: float) -> str:
        return f"{units:g} unit" + ("" if units == 1 else "s")

    others = ", ".join(
        f"{amount(row['units'])}: " + ("no plan" if row["objective"] is None else f"{row['objective']:.6g}")
        for row in rows
    )
    return f"Of the levels of {name}, the plan chose {amount(chosen)}; each level's own optimum: {others}."
