"""The baseline against every intervention, with the reason in plain words where it is structural."""
from __future__ import annotations

from .plan import Plan
from .result import Comparison, InterventionResult, Result
from .run import Model

TOL = 1e-6


def compare(plan: Plan, *, solver: str = "highs", interventions: list[str] | None = None,
            on_result=None, **options) -> Comparison:
    """Solve the baseline, then each intervention on the same built model (numbers changed in place).

    `on_result(result)` is called as each solve finishes, so a caller can show or keep progress.
    Ctrl-C stops the run cleanly: what finished is kept, the solve under way keeps its best plan
    (status "interrupted"), and the interventions not reached are listed in `not_run`.
    """
    chosen = [plan.intervention(n) for n in interventions] if interventions else list(plan.interventions)
    baseline, rows = None, []
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
            delta = (res.objective - baseline.objective
                     if res.objective is not None and baseline.objective is not None else None)
            rows.append(InterventionResult(iv.name, res, delta,
                                           explain_change(baseline, res, iv.deadline_shift)))
    except KeyboardInterrupt:
        pass
    done = {r.name for r in rows}
    not_run = [iv.name for iv in chosen if iv.name not in done]
    if baseline is None:
        return Comparison(None, [], "", not_run or ["baseline"])
    return Comparison(baseline, rows, explain(baseline), not_run)


def _chain(names: list[str]) -> str:
    return f"stream {names[0]}" if len(names) == 1 else "the chain " + " -> ".join(names)


def explain(res: Result) -> str:
    """Why a result is what it is, when the plan's structure (not labour) decides it."""
    s = res.structure
    if not res.solved:
        return res.message
    if s.earliest_goal_years is None:
        return (f"{_chain(s.critical_path)} cannot finish inside the {s.horizon_years:g}-year "
                "horizon with any amount of labour")
    needs = f"{_chain(s.critical_path)} needs {s.earliest_goal_years:g} years"
    if res.objective_kind == "earliest":
        if res.objective is not None and abs(res.objective - s.earliest_goal_years) < TOL:
            return f"structural: {needs}, and the plan finishes then; more labour cannot finish it sooner"
        return f"labour binds: {needs} with unlimited labour, the supply given finishes at {res.objective:g}"
    if res.objective_kind != "probability" or s.bound is None:
        return ""
    deadline = s.fixed_deadline
    if abs(res.objective - s.bound) < TOL:
        if deadline is not None and s.bound == 0:
            return f"structural: {needs}; the deadline is {deadline:g} years away"
        if deadline is not None:
            return f"structural: {needs}, inside the deadline of {deadline:g} years"
        return (f"structural: {needs}; P(deadline at or after {s.earliest_goal_years:g} years) = "
                f"{s.bound:.4f}, and no amount of labour raises it")
    return (f"labour binds: with unlimited labour the chance would be {s.bound:.4f} "
            f"({needs}); the supply given reaches {res.objective:.4f}")


def explain_change(base: Result, res: Result, shift: float) -> str:
    """Why an intervention's optimum differs from the baseline's."""
    own = explain(res)
    if not (base.solved and res.solved) or res.objective_kind != "probability":
        return own
    years = f"{abs(shift):g} year" + ("" if abs(shift) == 1 else "s")
    moved = f"the deadline moves {years} {'earlier' if shift < 0 else 'later'}; " if shift else ""
    if res.structure.bound is not None and res.structure.bound < base.objective - TOL:
        return (f"{moved}{own}. The structural limit ({res.structure.bound:.4f}) is below the baseline's "
                f"optimum ({base.objective:.4f}): no amount of added labour recovers it")
    return moved + own

