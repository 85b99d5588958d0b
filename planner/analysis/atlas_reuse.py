"""The atlas's deadline reuse: one solve per parallelization preset, sample and variant, re-scored
for every deadline preset (planner/analysis/atlas.py, docs/analysis.md "The atlas").

For `objective = "probability"` with one goal (no milestones, no research bets) and an intervention
that does not `choose`, a plan's objective is P(deadline >= T) for the goal's completion time T,
which only falls as T grows: the plan that meets the goal earliest is optimal under every deadline
distribution and every shift. So each variant is solved once with `objective = "earliest"` (the
deadline plays no part in that solve) and its verified schedule is read under each deadline
preset by the planner's own continuous-time code (planner/pipeline/continuous.py), re-checked by
verify.check and verify.continuous_objective (its own walk through the periods) on that
deadline's instance.

The number reported is the one the plain path (the cell's plan solved on its own) reports: that
path settles its answer against the bound with a tolerance in probability (refine.settle), which
may stop on the plan's own grid where the `earliest` solve went on to a finer one, or the other
way round. So each deadline's answer goes through refine.settle itself, fed the `earliest` solve's
goal time on each grid it solved (`Result.grid_steps`) read as that deadline's probability: where
that settles on the schedule in hand, its value is reported; where it would need a grid the
`earliest` solve did not solve, or would keep another grid's plan worth a different probability,
that (deadline, variant) is solved the plain way instead (counted in the records as not reused).
A goal no plan meets inside the horizon (the `earliest` solve proves it infeasible) is worth 0
under every deadline.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from planner import verify
from planner.instance.instance import Instance
from planner.instance.resolve import resolve
from planner.pipeline import refine
from planner.pipeline.continuous import finish_times, goal_time, in_time, objective
from planner.solvers.status import SolveStatus

if TYPE_CHECKING:
    from planner.analysis.runner import Point, Record
    from planner.plan.schema import Plan
    from planner.result import Result

SAME = 1e-12  # two probabilities of the same goal time: equal up to float rounding


def applies(plan: Plan, intervention: str) -> bool:
    """Whether one `earliest` solve per variant answers every deadline preset: `probability`, no
    milestones, no research bets, an intervention that does not choose its level."""
    return (
        plan.plan.objective == "probability"
        and not plan.goals
        and not plan.has_bets
        and not plan.intervention(intervention).choose
    )


class _FinerGridUnknown(Exception):
    """The plain path would solve a grid the `earliest` solve did not."""


def rescore(early: Result, inst: Instance) -> float | None:
    """The objective the plain path reports for the variant `inst` (one deadline preset), from the
    same variant's `earliest` Result `early`; None when it cannot be told without the plain solve."""
    if early.status == SolveStatus.INFEASIBLE and early.allocation is None:
        return 0.0  # proven: no plan meets the goal inside the horizon, so no deadline is met
    if early.status != SolveStatus.OPTIMAL or early.allocation is None or early.objective is None:
        return None
    if early.grid_step is None or not early.grid_steps:
        return None
    k = round(inst.step / early.grid_step)
    grid = inst if k == 1 else refine.refine(inst, k)
    u = early.allocation
    verify.check(grid, u)  # raises VerificationError on any breach
    finish = finish_times(grid, u)
    value = objective(grid, finish)
    again = verify.continuous_objective(grid, u)
    goal = goal_time(grid, finish)
    if value is None or again is None or abs(value - again) > 1e-9:
        raise verify.VerificationError(
            f"{inst.name}: the re-scored objective {value} is not what verification recomputes ({again})"
        )
    if goal is None or abs(goal - early.objective) > 1e-9:
        return None  # not the goal time the `earliest` solve reported: leave it to the plain path
    chance = lambda when: float(in_time(inst, when)[0])  # noqa: E731
    steps = dict(early.grid_steps)
    first = dataclasses.replace(early, objective=chance(steps[inst.step]) if inst.step in steps else None)
    if first.objective is None:
        return None

    def on_grid(k: int, seconds: float) -> Result:
        when = steps.get(inst.step / k)
        if when is None:
            raise _FinerGridUnknown
        return dataclasses.replace(early, objective=chance(when))

    try:
        settled = refine.settle(first, inst, on_grid)
    except _FinerGridUnknown:
        return None
    if settled.objective is None or abs(settled.objective - value) > SAME:
        return None  # the plain path keeps a plan worth another probability than the one in hand
    return value


def across_deadlines(point: Point, options: dict[str, Any], *, cells: dict[str, Plan]) -> list[Record]:
    """Records of one (parallelization preset, sample) point for every deadline preset: `cells`
    maps each deadline preset to its cell's plan; `point.changes` is the sample. Each variant is
    solved once as `earliest` and re-scored per deadline (`rescore`); a (deadline, variant) that
    cannot be re-scored is solved on its own. One record per deadline and variant: `deadline`,
    `variant`, `objective`, `delta` (to the baseline), `reused`."""
    from planner.pipeline.session import Model

    solver = options.get("solver", "highs")
    solve_options = {k: v for k, v in options.items() if k != "solver"}
    variants: list[str | None] = [None, *(point.interventions or [])]
    sample = point.changes or {}
    plans = {d: plan.with_changes(sample) if sample else plan for d, plan in cells.items()}
    first = next(iter(plans.values()))
    model = Model(first.with_changes({"plan.objective": "earliest"}), solver=solver)
    early = {}
    for v in variants:
        model.update(v)
        early[v] = model.solve(**solve_options)
    records: list[Record] = []
    for d, plan in plans.items():
        values: dict[str | None, float | None] = {}
        reused: dict[str | None, bool] = {}
        for v in variants:
            values[v] = rescore(early[v], resolve(plan, v))
            reused[v] = values[v] is not None
            if values[v] is None:
                values[v] = Model(plan, v, solver=solver).solve(**solve_options).objective
        base = values[None]
        for v in variants:
            x = values[v]
            delta = None if v is None or x is None or base is None else x - base
            records.append(
                {"deadline": d, "variant": v or "baseline", "objective": x, "delta": delta, "reused": reused[v]}
            )
    return records
