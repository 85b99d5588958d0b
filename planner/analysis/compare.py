"""The baseline against every intervention, with the reason in plain words where it is structural."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from planner.explain import explain_change
from planner.pipeline.arguments import check_callback, check_interventions, check_plan, check_solve_options
from planner.pipeline.refine import unproven_words, unsettled_words
from planner.pipeline.session import Model
from planner.plan.schema import Plan
from planner.result import Comparison, InterventionResult, Result


def compare(
    plan: Plan,
    *,
    solver: str = "highs",
    interventions: list[str] | None = None,
    on_result: Callable[[Result], object] | None = None,
    **options: Any,
) -> Comparison:
    """Solve the baseline, then each intervention, each in a fresh solver, and say why they differ.

    `plan`: a loaded Plan. `solver`: a backend name ("highs", "scip", "pyomo:NAME", "race").
    `interventions`: the names to compare (default: all of the plan's, in order).
    `on_result(result)` is called as each solve finishes, so a caller can show or keep progress.
    `options`: `Model.solve`'s (time_limit, gap, threads, cross_check, refine, ...).

    Returns a Comparison: `baseline` (a Result), `interventions` (each with its Result, `delta`
    against the baseline and the `reason` in words), `to_frame()` one row per variant, `to_dict()`.
    Ctrl-C stops the run cleanly: what finished is kept, the solve under way keeps its best plan
    (status "interrupted"), and the interventions not reached are listed in `not_run`.
    A wrong argument raises UsageError before any solve.
    """
    plan = check_plan(plan)
    chosen = check_interventions(plan, interventions)
    check_callback(on_result, "on_result")
    check_solve_options(**options)  # a bad option fails here, not after the baseline is solved
    baseline: Result | None = None
    rows: list[InterventionResult] = []
    try:
        model = Model(plan, solver=solver)
        baseline = model.solve(**options)
        if on_result:
            on_result(baseline)
        for iv in chosen:
            if baseline.interrupted or (rows and rows[-1].result.interrupted):
                break
            model.update(iv)
            res = model.solve(**options)
            if on_result:
                on_result(res)
            delta = (
                res.objective - baseline.objective
                if res.objective is not None and baseline.objective is not None
                else None
            )
            units = res.chosen_units if res.chosen_units is not None else iv.units
            reason = explain_change(baseline, res, iv.deadline_shift * units)
            unproven = unproven_words(baseline, res) if delta is not None else ""
            unsettled = unsettled_words(baseline, res) if delta is not None and not unproven else ""
            if unsettled:
                reason = f"{reason}; {unsettled}" if reason else unsettled
            if unproven:  # first: what the change may still be matters more than why it is what it is
                reason = f"{unproven}; {reason}" if reason else unproven
            rows.append(InterventionResult(iv.name, res, delta, reason))
    except KeyboardInterrupt:
        pass
    done = {r.name for r in rows}
    not_run = [iv.name for iv in chosen if iv.name not in done]
    if baseline is None:
        return Comparison(None, [], "", not_run or ["baseline"])
    return Comparison(baseline, rows, baseline.explanation, not_run)
