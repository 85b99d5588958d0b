"""Plan in, verified result out: resolve the numbers, build the MIP, solve it, re-check the schedule.

`Model` keeps a built model so that a change of numbers (another intervention, deadline or supply)
is pushed into the solver in place and re-solved, instead of rebuilt; `solve()` is the one-shot.
"""
from __future__ import annotations

import time

import numpy as np

from . import heuristic, verify
from . import model as mip
from .instance import Instance, resolve
from .plan import Intervention, Plan
from .result import Result, StreamResult, Structure
from .solvers import SolveOptions, get_backend
from .structure import NEVER, critical_path, objective_bound, structural_bound


class Model:
    """One plan variant built for a solver; `update()` swaps in another variant's numbers."""

    def __init__(self, plan: Plan, intervention: Intervention | str | None = None, *, solver: str = "highs"):
        self.plan = plan
        self.backend = get_backend(solver)
        self.instance: Instance | None = None
        self.rebuilds = 0
        self._set(intervention, first=True)

    def update(self, intervention: Intervention | str | None = None, plan: Plan | None = None) -> bool:
        """Switch to another variant (or plan with the same structure); True if done in place."""
        if plan is not None:
            self.plan = plan
        return self._set(intervention, first=False)

    def _set(self, intervention, *, first: bool) -> bool:
        start = time.perf_counter()
        inst = resolve(self.plan, intervention)
        self.critical_path = critical_path(inst)
        self.linear_model = mip.build(inst, self.critical_path)
        in_place = not first and self.backend.update(self.linear_model)
        if not in_place:
            self.backend.load(self.linear_model)
            self.rebuilds += 1
        self.instance = inst
        self.build_time = time.perf_counter() - start
        return in_place

    def solve(self, *, time_limit: float | None = None, gap: float = 1e-6, threads: int | None = None,
              solver_options: dict | None = None, verbose: bool = False, tie_break: bool = True) -> Result:
        """Solve the current variant. `tie_break` re-solves a proven optimum for the plan that meets
        the goal and finishes every stream as early as possible among the optimal ones (costs a
        second, warm-started solve; turn it off for sweeps that only need objectives)."""
        options = SolveOptions(time_limit=time_limit, gap=gap, threads=threads,
                               solver_options=dict(solver_options or {}), verbose=verbose)
        raw = self.backend.solve(options, self.linear_model.tie_break if tie_break else None)
        inst, lm = self.instance, self.linear_model
        if raw.x is None and raw.status in ("time_limit", "interrupted", "no_solution"):
            _fall_back_on_greedy(raw, lm, heuristic.start_solution(inst, self.critical_path, lm))
        u = lm.values(raw.x, "u") if raw.x is not None else None
        why = _why_infeasible(inst, self.critical_path, self.backend, lm) \
            if raw.status == "infeasible" and inst.objective == "earliest" else None
        return _result(self.plan, inst, self.critical_path, raw, u, self.backend.name, self.build_time, why)


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
    return Structure(critical_path=cp.chain, earliest_goal_years=cp.years(cp.goal_finish, inst.step),
                     bound=structural_bound(inst, cp), horizon_years=inst.periods * inst.step,
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
    needed = heuristic.needed_streams(inst)
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
