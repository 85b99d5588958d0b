"""Any Pyomo solver: the `LinearModel` transcribed into a Pyomo ConcreteModel, one component per
variable block and per constraint family, so the model reads as in docs/model.md (u, w, c, g; progress,
completion, pool_supply[...], precedence[...], goal[...])."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import numpy as np

from planner.errors import PlannerError
from planner.solvers.status import RawSolution, SolveOptions, SolveStatus

if TYPE_CHECKING:
    from planner.mip.linear import LinearModel


def to_pyomo(lm: LinearModel) -> Any:
    """A Pyomo ConcreteModel equal to `lm` (the same columns, rows and objective)."""
    import pyomo.environ as pyo
    from pyomo.core.expr.numeric_expr import LinearExpression

    m = pyo.ConcreteModel()
    col = lm.arrays()
    var_of = np.empty(lm.n, dtype=object)
    for block in lm.blocks.values():  # one Var per block, indexed by the block's own columns
        cols = block.columns
        v = pyo.Var(range(len(cols)), domain=pyo.Reals)
        m.add_component(block.name, v)
        for k, j in enumerate(cols):
            var = v[k]
            var.setlb(col["lb"][j] if np.isfinite(col["lb"][j]) else None)
            var.setub(col["ub"][j] if np.isfinite(col["ub"][j]) else None)
            if col["integer"][j]:
                var.domain = pyo.Integers
            var_of[j] = var
    for f in lm.families:
        order = np.argsort(f.rows, kind="stable")
        starts = np.searchsorted(f.rows[order], np.arange(len(f.lower) + 1))
        cols, vals = f.cols[order], f.vals[order]

        def rule(_, k, starts=starts, cols=cols, vals=vals, f=f):
            s, e = starts[k], starts[k + 1]
            expr = LinearExpression(constant=0.0, linear_coefs=list(vals[s:e]), linear_vars=list(var_of[cols[s:e]]))
            lo = f.lower[k] if np.isfinite(f.lower[k]) else None
            hi = f.upper[k] if np.isfinite(f.upper[k]) else None
            return (lo, expr, hi) if lo != hi else expr == lo

        m.add_component(f.name, pyo.Constraint(range(len(f.lower)), rule=rule))
    nz = np.flatnonzero(col["cost"])
    m.objective = pyo.Objective(
        expr=LinearExpression(constant=lm.offset, linear_coefs=list(col["cost"][nz]), linear_vars=list(var_of[nz])),
        sense=pyo.maximize if lm.sense == "max" else pyo.minimize,
    )
    m._planner_vars = var_of
    return m


class PyomoBackend:
    def __init__(self, solver: str) -> None:
        self.name = f"pyomo:{solver}"
        self.solver = solver
        self.model: Any = None  # a Pyomo ConcreteModel once loaded (Pyomo has no stubs)

    def load(self, lm: LinearModel) -> None:
        self.model = to_pyomo(lm)
        self._sense = lm.sense

    def solve(self, options: SolveOptions) -> RawSolution:
        """Solve through Pyomo's own interface to the named solver."""
        from pyomo.contrib.solver.common.factory import SolverFactory as ContribFactory
        from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition

        try:
            opt = ContribFactory(self.solver)
        except Exception:
            return self._solve_legacy(options)
        raw = dict(options.solver_options)
        if self.solver in ("highs", "appsi_highs"):
            raw.setdefault("mip_rel_gap", options.gap)
        start = time.perf_counter()
        res = opt.solve(
            self.model,
            tee=options.verbose,
            time_limit=options.time_limit,
            threads=options.threads,
            solver_options=raw,
            load_solutions=False,
            raise_exception_on_nonoptimal_result=False,
        )
        runtime = time.perf_counter() - start
        tc = res.termination_condition
        has_plan = res.solution_status in (SolutionStatus.feasible, SolutionStatus.optimal)
        if tc in (TerminationCondition.provenInfeasible, TerminationCondition.infeasibleOrUnbounded):
            return RawSolution(SolveStatus.INFEASIBLE, None, None, None, None, runtime, str(tc))
        if tc == TerminationCondition.convergenceCriteriaSatisfied and has_plan:
            status = SolveStatus.OPTIMAL
        elif tc == TerminationCondition.interrupted:
            status = SolveStatus.INTERRUPTED if has_plan else SolveStatus.NO_SOLUTION
        elif tc in (TerminationCondition.maxTimeLimit, TerminationCondition.iterationLimit):
            status = SolveStatus.TIME_LIMIT if has_plan else SolveStatus.NO_SOLUTION
        else:
            return RawSolution(SolveStatus.ERROR, None, None, None, None, runtime, str(tc))
        if not has_plan:
            return RawSolution(status, None, None, None, None, runtime, str(tc))
        res.solution_loader.load_vars()
        return self._raw(status, res.incumbent_objective, res.objective_bound, runtime, str(tc))

    def _solve_legacy(self, options: SolveOptions) -> RawSolution:
        import pyomo.environ as pyo
        from pyomo.opt import SolverStatus
        from pyomo.opt import TerminationCondition as TC

        opt = pyo.SolverFactory(self.solver)
        if opt is None or not opt.available(exception_flag=False):
            raise PlannerError(f"solver '{self.solver}' is not available to Pyomo on this machine")
        start = time.perf_counter()
        res = opt.solve(self.model, tee=options.verbose, load_solutions=False, options=dict(options.solver_options))
        runtime = time.perf_counter() - start
        tc = res.solver.termination_condition
        if tc in (TC.infeasible, TC.infeasibleOrUnbounded):
            return RawSolution(SolveStatus.INFEASIBLE, None, None, None, None, runtime, str(tc))
        if len(res.solution) == 0:
            status = SolveStatus.ERROR if res.solver.status == SolverStatus.error else SolveStatus.NO_SOLUTION
            return RawSolution(status, None, None, None, None, runtime, str(tc))
        self.model.solutions.load_from(res)
        status = SolveStatus.OPTIMAL if tc == TC.optimal else SolveStatus.TIME_LIMIT
        return self._raw(status, pyo.value(self.model.objective), None, runtime, str(tc))

    def _raw(
        self, status: SolveStatus, objective: float | None, bound: float | None, runtime: float, message: str
    ) -> RawSolution:
        x = np.array([v.value if v.value is not None else 0.0 for v in self.model._planner_vars], dtype=float)
        objective = float(objective) if objective is not None else None
        if bound is not None and np.isfinite(bound):
            bound = float(bound)
        else:
            bound = objective if status == SolveStatus.OPTIMAL else None
        gap = None
        if objective is not None and bound is not None:
            gap = abs(bound - objective) / max(abs(objective), 1e-10) if bound != objective else 0.0
        return RawSolution(status, x, objective, bound, gap, runtime, message)
