"""Plan in, verified result out: resolve the numbers, build the MIP, solve it, re-check the schedule.

Every solve loads the model into a fresh solver object: nothing one solve leaves behind (an
interrupt, a cut time budget, a half-finished search) can reach the next, which is what sweeps and
comparisons running thousands of variants rely on. Building the arrays costs well under a
millisecond per small variant, so there is no state worth the risk of keeping.
"""
from __future__ import annotations

import time

import numpy as np

from . import heuristic, polish, verify
from . import model as mip
from .errors import VerificationError
from .explain import explain
from .instance import Instance, resolve
from .plan import Intervention, Plan
from .result import Result, StreamResult, Structure
from .solvers import RawSolution, SolveOptions, get_backend
from .structure import NEVER, critical_path, needed_streams, objective_bound, structural_bound


class Model:
    """One plan variant resolved to arrays and built as a MIP; `update()` swaps in another variant."""

    def __init__(self, plan: Plan, intervention: Intervention | str | None = None, *, solver: str = "highs"):
        self.plan = plan
        self.solver = solver
        get_backend(solver)  # an unknown or missing solver fails here, before any work
        self.update(intervention)

    def update(self, intervention: Intervention | str | None = None, plan: Plan | None = None) -> None:
        """Switch to another variant (an intervention, None for the baseline) or another plan."""
        if plan is not None:
            self.plan = plan
        start = time.perf_counter()
        self.instance = resolve(self.plan, intervention)
        self.critical_path = critical_path(self.instance)
        self.linear_model = mip.build(self.instance, self.critical_path)
        self.build_time = time.perf_counter() - start

    def solve(self, *, time_limit: float | None = None, gap: float = 1e-6, threads: int | None = None,
              solver_options: dict | None = None, verbose: bool = False, tie_break: bool = True,
              cross_check: bool | str = False) -> Result:
        """Solve the current variant in a fresh solver and verify the schedule.

        `tie_break` reports the optimum as the schedule that does every stream's work as early as
        the plan allows (planner/polish.py; the objective never changes). `cross_check` solves the
        same model with a second solver (`True`: SCIP, or HiGHS when SCIP is the first) and raises
        VerificationError if the two proven optima differ."""
        options = SolveOptions(time_limit=time_limit, gap=gap, threads=threads,
                               solver_options=dict(solver_options or {}), verbose=verbose)
        inst, lm = self.instance, self.linear_model
        backend = get_backend(self.solver)
        backend.load(lm)
        raw = _only_asked_stops(backend.solve(options), options)
        if raw.x is None and raw.status in ("time_limit", "interrupted", "no_solution"):
            _fall_back_on_greedy(raw, lm, heuristic.start_solution(inst, self.critical_path, lm))
        u = lm.values(raw.x, "u") if raw.x is not None else None
        if u is not None and tie_break:
            u = polish.earliest(inst, lm, np.where(np.abs(u) < 1e-12, 0.0, u))
        why = _why_infeasible(inst, self.critical_path, backend, lm) \
            if raw.status == "infeasible" and inst.objective == "earliest" else None
        result = _result(self.plan, inst, self.critical_path, raw, u, backend.name, self.build_time, why)
        result.explanation = explain(result)
        if cross_check and not raw.interrupted:
            second = ("highs" if self.solver == "scip" else "scip") if cross_check is True else cross_check
            result.cross_check = _cross_check(result, second, lm, options)
        return result


def _only_asked_stops(raw: RawSolution, options: SolveOptions) -> RawSolution:
    """A plan is `time_limit` only when the user set a limit (a time limit, or a raw solver option
    that may hold one). Any other unproven stop is an error, never a result that looks finished."""
    asked = options.time_limit is not None or bool(options.solver_options)
    if raw.status in ("time_limit", "no_solution", "interrupted") and not raw.interrupted and not asked:
        return RawSolution("error", None, None, None, None, raw.runtime,
                           f"the solver stopped without proving an optimum though no limit was set "
                           f"({raw.message}); please report this")
    return raw


def _cross_check(result: Result, solver: str, lm: mip.LinearModel, options: SolveOptions) -> dict:
    """Solve the same arrays with `solver`; two proven optima that differ beyond the gap are a bug."""
    backend = get_backend(solver)
    backend.load(lm)
    raw = _only_asked_stops(backend.solve(options), options)
    record = {"solver": backend.name, "status": raw.status, "objective": raw.objective,
              "runtime": raw.runtime}
    if raw.interrupted:
        raise KeyboardInterrupt
    first, second = result.status, raw.status
    tol = max(1e-6, 2 * options.gap) * max(1.0, abs(result.objective or 0.0), abs(raw.objective or 0.0))
    differ = ((first == "optimal" and second == "optimal" and abs(result.objective - raw.objective) > tol)
              or {first, second} == {"optimal", "infeasible"})
    if differ:
        raise VerificationError(
            f"{result.variant}: the solvers disagree: {result.solver} says {first} "
            f"{result.objective}, {backend.name} says {second} {raw.objective}")
    record["agrees"] = first == second == "optimal" or first == second == "infeasible"
    return record


def _fall_back_on_greedy(raw, lm: mip.LinearModel, x) -> None:
    """A solve stopped before the solver found any plan reports the greedy plan `x` instead
    (feasible by construction, and verified like any other), with the solver's bound if it has one."""
    if lm.sense == "min" and lm.values(x, "g")[-1] < 1:  # `earliest` needs the goal met
        return
    raw.x = x
    raw.objective = float(lm.arrays()["cost"] @ x + lm.offset)
    raw.status = "interrupted" if raw.interrupted else "time_limit"
    raw.message = "stopped before the solver found a plan: reporting the greedy plan (planner/heuristic.py)"


def solve(plan: Plan, intervention: Intervention | str | None = None, *, solver: str = "highs",
          **options) -> Result:
    """Solve the baseline (or one intervention) of a plan; see `Model.solve` for the options."""
    return Model(plan, intervention, solver=solver).solve(**options)


def _structure(inst: Instance) -> Structure:
    cp = critical_path(inst, unlimited_labour=True)
    fixed = float(inst.deadline_years[0]) if len(inst.deadline_years) == 1 else None
    bound = structural_bound(inst, cp) if inst.objective == "probability" else \
        objective_bound(inst, cp) if inst.objective == "value" else None
    return Structure(critical_path=cp.chain, earliest_goal_years=cp.years(cp.goal_finish, inst.step),
                     bound=bound, horizon_years=inst.periods * inst.step,
                     fixed_deadline=fixed)


def _result(plan: Plan, inst: Instance, cp, raw, u, solver: str, build_time: float,
            why: str | None = None) -> Result:
    structure = _structure(inst)
    if raw.x is not None and raw.bound is None:  # stopped before the solver had a bound of its own
        raw.bound = objective_bound(inst, cp)
        if raw.bound is not None:
            raw.gap = abs(raw.bound - raw.objective) / max(abs(raw.bound), abs(raw.objective), 1e-10)
    common = dict(plan=plan.plan.name, variant=inst.name, objective_kind=inst.objective,
                  interrupted=raw.interrupted,
                  bound=raw.bound, gap=raw.gap, runtime=raw.runtime, build_time=build_time,
                  solver=solver, start_year=inst.start_year, structure=structure,
                  period_starts=inst.starts, pool_names=inst.pools)
    if u is None:
        message = why or raw.message
        streams = [StreamResult(n, float(e), 0.0, None, None, inst.start_year, bool(r))
                   for n, e, r in zip(inst.streams, inst.effort, inst.required)]
        return Result(status=raw.status, objective=None, goal_completion_years=None,
                      success_probability=None, streams=streams, allocation=None, message=message, **common)
    u = np.where(np.abs(u) < 1e-12, 0.0, u)
    checked = verify.check(inst, u)
    _agrees_with_solver(inst, raw, checked)
    starts = checked.start_years
    streams = [StreamResult(n, float(inst.effort[i]), float(checked.effort_done[i]),
                            None if np.isnan(starts[i]) else float(starts[i]),
                            None if np.isnan(checked.finish_years[i]) else float(checked.finish_years[i]),
                            inst.start_year, bool(inst.required[i]))
               for i, n in enumerate(inst.streams)]
    if raw.status != "optimal" and raw.bound is not None and checked.objective is not None:
        # the earliest-start pass may have improved an unproven plan: its gap is to what we report
        common["gap"] = abs(raw.bound - checked.objective) / max(abs(raw.bound), abs(checked.objective), 1e-10)
    return Result(status=raw.status, objective=checked.objective,
                  goal_completion_years=checked.goal_years, success_probability=checked.success_probability,
                  streams=streams, allocation=u, pool_use=inst.crew.T @ u, pool_supply=inst.supply,
                  message=raw.message, **common)


def _agrees_with_solver(inst: Instance, raw, checked: verify.Verified) -> None:
    """The objective recomputed from the schedule must be at least what the solver claims (it may be
    better: the solver need not mark a finished stream complete) and never beyond its proven bound."""
    claimed, ours = raw.objective, checked.objective
    if claimed is None or ours is None:
        if (claimed is None) != (ours is None):
            raise verify.VerificationError(f"the solver reports objective {claimed}, the schedule gives {ours}")
        return
    tol = 1e-6 * max(1.0, abs(claimed))
    worse = ours < claimed - tol if inst.objective != "earliest" else ours > claimed + tol
    beyond = raw.bound is not None and (ours > raw.bound + tol if inst.objective != "earliest"
                                        else ours < raw.bound - tol)
    if worse or beyond:
        raise verify.VerificationError(
            f"objective recomputed from the schedule ({ours:.9g}) disagrees with the solver's "
            f"({claimed:.9g}, bound {raw.bound})")


def _why_infeasible(inst: Instance, cp, backend=None, lm=None) -> str:
    """Why no plan meets the goal inside the horizon, in the plan's terms: first the critical path
    (durations, releases and lags), then a pool whose whole supply is below the work it must do,
    then the solver's irreducible infeasible set."""
    horizon = inst.periods * inst.step
    head = f"the goal cannot be met within the horizon of {horizon:g} years: "
    unlimited = critical_path(inst, unlimited_labour=True)
    if unlimited.goal_finish == NEVER:
        return head + (f"the chain {' -> '.join(unlimited.chain)} cannot finish inside it even with "
                       "unlimited labour (minimum durations, releases and lags)")
    short = _short_pools(inst)
    if short:
        return head + "; ".join(short)
    if cp.goal_finish == NEVER:
        return head + (f"the chain {' -> '.join(cp.chain)} cannot finish inside it with the supply "
                       "and staff limits it has")
    iis = backend.infeasible_set(lm) if backend is not None and hasattr(backend, "infeasible_set") else []
    tail = f" (the solver's irreducible infeasible set: {', '.join(iis)})" if iis else ""
    return head + "the streams compete for too little supply at the times they can work" + tail


def _short_pools(inst: Instance) -> list[str]:
    """Pools whose supply over the horizon is below the crew-years the goal's streams need at the
    best productivity each stream ever has."""
    needed = needed_streams(inst)
    best = inst.productivity.max(axis=1)
    with np.errstate(divide="ignore"):
        crew_years = np.where(best > 0, inst.effort / best, np.inf)
    out = []
    for r, pool in enumerate(inst.pools):
        need = float((inst.crew[needed, r] * crew_years[needed]).sum())
        have = float(inst.supply[r].sum() * inst.step)
        if need > have * (1 + 1e-9):
            out.append(f"pool {pool} supplies {have:,.4g} FTE-years over the horizon, and the streams "
                       f"the goal needs take at least {need:,.4g}")
    return out
