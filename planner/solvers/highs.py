"""HiGHS through highspy, fed the model's arrays directly; numbers can be changed in place."""
from __future__ import annotations

import contextlib
import os
import sys

import numpy as np

from ..errors import PlannerError
from . import RawSolution, SolveOptions

_INCUMBENT_STOPS = {"kTimeLimit": "time_limit", "kIterationLimit": "time_limit",
                    "kSolutionLimit": "time_limit", "kObjectiveBound": "time_limit",
                    "kObjectiveTarget": "time_limit", "kMemoryLimit": "time_limit",
                    "kInterrupt": "interrupted", "kHighsInterrupt": "interrupted"}


class HighsBackend:
    name = "highs"

    def __init__(self):
        import highspy
        self._hs = highspy
        with _stdout_to_devnull():  # HiGHS prints a banner from C++ before any option can stop it
            self.h = highspy.Highs()
        self.h.silent()
        self._pattern = None   # (starts, index) of the loaded matrix, to recognise number-only updates
        self._values = None
        self._cols = None

    def load(self, lm) -> None:
        hs = self._hs
        col = lm.arrays()
        starts, index, values, lower, upper = lm.csr()
        self.h.clearModel()
        sense = hs.ObjSense.kMaximize if lm.sense == "max" else hs.ObjSense.kMinimize
        status = self.h.passModel(
            lm.n, len(lower), len(values), hs.MatrixFormat.kRowwise.value, sense.value, lm.offset,
            col["cost"], col["lb"], col["ub"], lower, upper,
            starts[:-1].astype(np.int32), index.astype(np.int32), values,
            col["integer"].astype(np.int32))
        if status == hs.HighsStatus.kError:
            raise PlannerError("HiGHS refused the model (passModel returned an error)")
        self._pattern, self._values, self._cols, self._rows = (starts, index), values, col, (lower, upper)

    def update(self, lm) -> bool:
        """Change bounds, costs and coefficients in place; False if the sparsity pattern differs."""
        if self._pattern is None:
            return False
        starts, index, values, lower, upper = lm.csr()
        if not (np.array_equal(starts, self._pattern[0]) and np.array_equal(index, self._pattern[1])):
            return False
        col, h = lm.arrays(), self.h
        ix = np.flatnonzero(col["cost"] != self._cols["cost"]).astype(np.int32)
        if ix.size:
            h.changeColsCost(len(ix), ix, col["cost"][ix])
        ix = np.flatnonzero((col["lb"] != self._cols["lb"]) | (col["ub"] != self._cols["ub"])).astype(np.int32)
        if ix.size:
            h.changeColsBounds(len(ix), ix, col["lb"][ix], col["ub"][ix])
        ix = np.flatnonzero((lower != self._rows[0]) | (upper != self._rows[1])).astype(np.int32)
        if ix.size:
            h.changeRowsBounds(len(ix), ix, lower[ix], upper[ix])
        changed = np.flatnonzero(values != self._values)
        if changed.size:
            row_of = np.repeat(np.arange(len(starts) - 1), np.diff(starts))
            for k in changed:
                h.changeCoeff(int(row_of[k]), int(index[k]), float(values[k]))
        h.changeObjectiveOffset(lm.offset)
        h.changeObjectiveSense(self._hs.ObjSense.kMaximize if lm.sense == "max" else self._hs.ObjSense.kMinimize)
        self._values, self._cols, self._rows = values, col, (lower, upper)
        return True

    def solve(self, options: SolveOptions) -> RawSolution:
        h, hs = self.h, self._hs
        h.resetOptions()
        h.setOptionValue("output_flag", bool(options.verbose))
        h.setOptionValue("mip_rel_gap", float(options.gap))
        if options.time_limit is not None:
            h.setOptionValue("time_limit", float(options.time_limit))
        if options.threads is not None:
            h.setOptionValue("threads", int(options.threads))
        for key, value in options.solver_options.items():
            if h.setOptionValue(key, value) == hs.HighsStatus.kError:
                raise PlannerError(f"HiGHS does not accept option {key} = {value!r}")
        h.clearSolver()
        h.run()
        model_status = h.getModelStatus()
        name = model_status.name
        info = h.getInfo()
        runtime = h.getRunTime()
        has_plan = info.primal_solution_status == 2  # kSolutionStatusFeasible
        if name == "kOptimal":
            status = "optimal"
        elif name in ("kInfeasible", "kUnboundedOrInfeasible"):
            return RawSolution("infeasible", None, None, None, None, runtime, "the model is infeasible")
        elif name in _INCUMBENT_STOPS:
            status = _INCUMBENT_STOPS[name] if has_plan else "no_solution"
        else:
            return RawSolution("error", None, None, None, None, runtime, h.modelStatusToString(model_status))
        if not has_plan:
            return RawSolution(status, None, None, _finite(info.mip_dual_bound), None, runtime,
                               h.modelStatusToString(model_status))
        x = np.asarray(h.getSolution().col_value, dtype=float)
        objective = float(info.objective_function_value)
        bound = _finite(info.mip_dual_bound)
        bound = objective if bound is None and status == "optimal" else bound
        gap = _finite(info.mip_gap)
        gap = 0.0 if gap is None and status == "optimal" else gap
        return RawSolution(status, x, objective, bound, gap, runtime, h.modelStatusToString(model_status))


def _finite(v) -> float | None:
    v = float(v)
    return v if np.isfinite(v) and abs(v) < 1e30 else None


@contextlib.contextmanager
def _stdout_to_devnull():
    """Silence file descriptor 1 (C++ writes), keeping `--json` output clean."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
