"""HiGHS through highspy, fed the model's arrays directly; numbers can be changed in place."""
from __future__ import annotations

import contextlib
import os
import sys
import time

import numpy as np

from ..errors import PlannerError, UsageError
from . import RawSolution, SolveOptions

_INCUMBENT_STOPS = {"kTimeLimit": "time_limit", "kIterationLimit": "time_limit",
                    "kSolutionLimit": "time_limit", "kObjectiveBound": "time_limit",
                    "kObjectiveTarget": "time_limit",
                    "kInterrupt": "interrupted", "kHighsInterrupt": "interrupted"}


class HighsBackend:
    name = "highs"

    def __init__(self):
        import highspy
        self._hs = highspy
        with stdout_to_devnull():  # HiGHS prints a banner from C++ before any option can stop it
            self.h = highspy.Highs()
        self.h.silent()
        self.h.HandleUserInterrupt = True  # lets Ctrl-C stop a solve and keep its best plan
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
        self._sense, self._offset = lm.sense, lm.offset

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
        self._sense, self._offset = lm.sense, lm.offset
        return True

    def solve(self, options: SolveOptions, tie_break: np.ndarray | None = None) -> RawSolution:
        """Solve; with `tie_break`, a proven optimum is then re-solved for the plan that maximises
        `tie_break` among the optimal ones (e.g. the goal and every stream as early as possible)."""
        start = time.perf_counter()
        self._options(options)
        self.h.clearSolver()
        # No start solution here: HiGHS 1.16 presolve can mis-map one and claim a wrong optimum
        # (docs/solver-notes.md); the caller falls back on its own start if the solver finds none.
        interrupted = self._run(options.time_limit)
        raw = self._read()
        if tie_break is not None and raw.status == "optimal" and not interrupted:
            interrupted = self._tie_break(raw, tie_break, options, start)
        raw.runtime = time.perf_counter() - start
        raw.interrupted = interrupted
        return raw

    def infeasible_set(self, lm) -> list[str]:
        """Names of the rows in HiGHS's irreducible infeasible set (of the LP relaxation, when it
        has one), as `family[k]`; empty if HiGHS finds none."""
        try:
            status, iis = self.h.getIis()
        except Exception:  # an older highspy without IIS support
            return []
        if not getattr(iis, "valid_", False):
            return []
        offsets = np.cumsum([0] + [len(f.lower) for f in lm.families])
        names = []
        for row in list(iis.row_index_)[:8]:
            k = int(np.searchsorted(offsets, row, side="right") - 1)
            names.append(f"{lm.families[k].name}[{row - offsets[k]}]")
        return names

    def _run(self, time_limit: float | None = None) -> bool:
        """Run HiGHS in its own thread so that Ctrl-C stops it cleanly (HiGHS then returns the best
        plan found so far); True if the user interrupted. Past `time_limit` the run is cancelled
        too, for the phases where HiGHS does not check its own clock as often."""
        h, interrupted, self._timed_out, self._interrupted = self.h, False, False, False
        deadline = None if time_limit is None else time.perf_counter() + time_limit
        h.startSolve()
        while True:
            try:
                if h.wait(0.05)[0]:
                    return interrupted
                if deadline is not None and time.perf_counter() > deadline and not interrupted:
                    self._timed_out = True
                    self._stop()
            except KeyboardInterrupt:
                interrupted = self._interrupted = True
                self._stop()

    def _stop(self) -> None:
        """Ask a running solve to stop. The interrupt callback is not polled everywhere (MIP
        presolve's probing can run for many seconds without it), but the clock is, so the time
        limit is pulled in to now as well."""
        self.h.cancelSolve()
        self.h.setOptionValue("time_limit", 1e-3)

    def _options(self, options: SolveOptions, time_limit: float | None = None) -> None:
        h, hs = self.h, self._hs
        h.resetOptions()
        h.setOptionValue("output_flag", bool(options.verbose))
        h.setOptionValue("mip_rel_gap", float(options.gap))
        limit = time_limit if time_limit is not None else options.time_limit
        if limit is not None:
            h.setOptionValue("time_limit", float(max(limit, 0.0)))
        if options.threads is not None:
            h.setOptionValue("threads", int(options.threads))
        for key, value in options.solver_options.items():
            if h.setOptionValue(key, value) == hs.HighsStatus.kError:
                raise UsageError(f"HiGHS does not accept option {key} = {value!r}")

    def _read(self) -> RawSolution:
        h = self.h
        model_status = h.getModelStatus()
        name, text = model_status.name, h.modelStatusToString(model_status)
        info = h.getInfo()
        has_plan = info.primal_solution_status == 2  # kSolutionStatusFeasible
        if name == "kOptimal":
            status = "optimal"
        elif name in ("kInfeasible", "kUnboundedOrInfeasible"):
            return RawSolution("infeasible", None, None, None, None, 0.0, "the model is infeasible")
        elif name in _INCUMBENT_STOPS:
            status = "interrupted" if self._interrupted else "time_limit" if self._timed_out else _INCUMBENT_STOPS[name]
            status = status if has_plan else "no_solution"
        else:
            return RawSolution("error", None, None, None, None, 0.0, text)
        if not has_plan:
            return RawSolution(status, None, None, _finite(info.mip_dual_bound), None, 0.0, text)
        x = np.asarray(h.getSolution().col_value, dtype=float)
        objective = float(info.objective_function_value)
        bound = _finite(info.mip_dual_bound)
        bound = objective if bound is None and status == "optimal" else bound
        if bound is not None and (bound < objective - 1e-9 if self._sense == "max" else bound > objective + 1e-9):
            bound = None  # not a bound at all (HiGHS stopped before it had one)
        gap = _finite(info.mip_gap)
        gap = 0.0 if gap is None and status == "optimal" else gap
        return RawSolution(status, x, objective, bound, gap, 0.0, text)

    def _tie_break(self, raw: RawSolution, secondary: np.ndarray, options: SolveOptions, start: float) -> bool:
        """Keep the primary objective within 1e-9 (relative) of its optimum as a row, maximise
        `secondary` from the optimal plan as a start, then restore the model as it was."""
        h, hs = self.h, self._hs
        if secondary @ raw.x >= secondary @ np.minimum(self._cols["ub"], 1e30) - 1e-6:
            return False  # already as early as the windows allow: nothing to polish
        cost, n = self._cols["cost"], len(secondary)
        target = raw.objective - self._offset
        tol = 1e-9 * max(1.0, abs(raw.objective))
        nz = np.flatnonzero(cost).astype(np.int32)
        lo, hi = (target - tol, np.inf) if self._sense == "max" else (-np.inf, target + tol)
        row = h.getNumRow()
        h.addRow(lo, hi, len(nz), nz, cost[nz])
        every = np.arange(n, dtype=np.int32)
        h.changeColsCost(n, every, secondary)
        h.changeObjectiveSense(hs.ObjSense.kMaximize)
        h.changeObjectiveOffset(0.0)
        h.setSolution(n, every, raw.x)
        # The tie-break only polishes a proven optimum: it gets half the time the optimum took (at
        # least 0.2 s) and keeps the earliest plan found by then, proven or not.
        spent = time.perf_counter() - start
        left = max(0.2, 0.5 * spent)
        if options.time_limit is not None:
            left = min(left, options.time_limit - spent)
        interrupted = False
        try:
            if left > 0:
                self._options(options, time_limit=left)
                interrupted = self._run(left)
                if h.getInfo().primal_solution_status == 2:
                    x = np.asarray(h.getSolution().col_value, dtype=float)
                    kept = cost @ x  # trust only what we recompute (see the note in solve)
                    if (kept >= target - 10 * tol) if self._sense == "max" else (kept <= target + 10 * tol):
                        raw.x = x
        finally:
            h.deleteRows(1, np.array([row], dtype=np.int32))
            h.changeColsCost(n, every, cost)
            h.changeObjectiveSense(hs.ObjSense.kMaximize if self._sense == "max" else hs.ObjSense.kMinimize)
            h.changeObjectiveOffset(self._offset)
        return interrupted


def _finite(v) -> float | None:
    v = float(v)
    return v if np.isfinite(v) and abs(v) < 1e30 else None


@contextlib.contextmanager
def stdout_to_devnull():
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
