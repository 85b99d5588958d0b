"""SCIP through pyscipopt: a second, independent MIP solver for the same `LinearModel`.

The model reaches SCIP as a free-format MPS file that SCIP's own (C) reader parses. Loading the
80-stream x 80-period synthetic plan (14k columns, 20k rows, 48k nonzeros) takes ~0.3 s this way,
against ~0.35-0.45 s for pyscipopt's fastest API route (`addVar`, empty rows, `addCoefLinear`) and
~0.45-0.5 s for `addCons` with expressions or the matrix API (`addMatrixVar` is a Python loop over
`addVar`; every row is an `addCons` call either way); at 150 x 120 it is ~0.7-1.1 s against
~1.1-1.4 s. Numbers are written with `repr`, which reads back as the same double, so SCIP sees
exactly the arrays HiGHS sees. Integer columns with 0/1 bounds are declared binary (`BV`), as
`addVar` makes them, so that SCIP sees the same variable types either way. (SCIP's solve time on
one model moves by up to 20x with nothing but the order of its columns, so compare the two routes'
solve times only over many plans.)

One backend object serves one load and one solve; nothing is kept between solves.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from planner.errors import UsageError
from planner.solvers.status import RawSolution, SolveOptions, SolveStatus

if TYPE_CHECKING:
    from planner.mip.linear import LinearModel


class ScipBackend:
    name = "scip"

    def __init__(self) -> None:
        import pyscipopt

        self._scip = pyscipopt
        self.model: Any = None  # a pyscipopt.Model once loaded (pyscipopt is read as Any)
        self._vars: list[Any] = []

    def load(self, lm: LinearModel) -> None:
        col = lm.arrays()
        starts, index, values, lower, upper = lm.csr()
        text = mps_text(col["lb"], col["ub"], col["integer"], col["cost"], starts, index, values, lower, upper)
        m = self._scip.Model()
        m.hideOutput()  # until solve() knows whether the log is wanted
        m.setParam("reading/dynamicconss", False)  # rows as addCons makes them (the reader's default ages them)
        with tempfile.TemporaryDirectory(prefix="planner-scip-") as folder:
            path = os.path.join(folder, "model.mps")
            with open(path, "w", encoding="ascii") as f:
                f.write(text)
            m.readProblem(path)
        # SCIP keeps its variables grouped by type, not in file order: map them back by name.
        by_column = {int(v.name[1:]): v for v in m.getVars()}
        self._vars = [by_column[j] for j in range(lm.n)]
        if lm.sense == "max":
            m.setMaximize()
        else:
            m.setMinimize()
        if lm.offset:
            m.addObjoffset(float(lm.offset))
        self.model = m

    def solve(self, options: SolveOptions) -> RawSolution:
        """Solve once. SCIP catches Ctrl-C itself during the search and returns its best plan with
        status `userinterrupt`, reported here as `interrupted`."""
        self._options(options)
        start = time.perf_counter()
        # SCIP's log is off unless verbose, but its Ctrl-C handler printf()s "pressed CTRL-C 1 times"
        # whatever the settings, which would corrupt `--json` output. No Python code writes while
        # optimize() runs: it holds the GIL.
        with contextlib.nullcontext() if options.verbose else fd_to(1, os.devnull):
            self.model.optimize()
        runtime = time.perf_counter() - start
        return replace(self._read(options), runtime=runtime)

    def _options(self, options: SolveOptions) -> None:
        m = self.model
        m.hideOutput(quiet=not options.verbose)
        m.setParam("limits/gap", float(options.gap))
        if options.time_limit is not None:
            m.setParam("limits/time", float(max(options.time_limit, 0.0)))
        # options.threads is ignored: SCIP searches its tree on one thread.
        known = m.getParams()
        for key, value in options.solver_options.items():
            if key not in known:
                raise UsageError(f"SCIP has no parameter '{key}' (SCIP's names look like 'limits/nodes')")
            _set_param(m, key, value)

    def _read(self, options: SolveOptions) -> RawSolution:
        m = self.model
        status = m.getStatus()
        interrupted = status == "userinterrupt"
        if status in ("infeasible", "inforunbd"):
            return RawSolution(SolveStatus.INFEASIBLE, None, None, None, None, 0.0, "the model is infeasible")
        has_plan = m.getNSols() > 0
        bound = _finite(m.getDualbound(), m.infinity())
        if status in ("optimal", "gaplimit"):
            ours = SolveStatus.OPTIMAL
        elif status == "timelimit" and (options.time_limit is not None or "limits/time" in options.solver_options):
            ours = SolveStatus.TIME_LIMIT  # SCIP stopped on a clock the user set
        elif interrupted:
            ours = SolveStatus.INTERRUPTED
        elif not has_plan and status in LIMITS:
            ours = SolveStatus.NO_SOLUTION
        else:
            return RawSolution(SolveStatus.ERROR, None, None, None, None, 0.0, f"SCIP stopped with status '{status}'")
        if not has_plan:
            return RawSolution(
                SolveStatus.NO_SOLUTION, None, None, bound, None, 0.0, f"SCIP: {status}", interrupted=interrupted
            )
        sol = m.getBestSol()
        x = np.array([m.getSolVal(sol, v) for v in self._vars], dtype=float)
        objective = float(m.getSolObjVal(sol))
        gap: float | None
        if status == "optimal":
            bound, gap = objective, 0.0
        else:
            gap = _finite(m.getGap(), m.infinity())
        return RawSolution(ours, x, objective, bound, gap, 0.0, f"SCIP: {status}", interrupted=interrupted)


# Statuses where SCIP stopped on a limit (or the user) rather than failing.
LIMITS = {
    "timelimit",
    "userinterrupt",
    "nodelimit",
    "totalnodelimit",
    "stallnodelimit",
    "memlimit",
    "sollimit",
    "bestsollimit",
    "restartlimit",
    "primallimit",
    "duallimit",
}


@contextlib.contextmanager
def fd_to(fd: int, path: str) -> Iterator[None]:
    """Point file descriptor `fd` (1 or 2) at `path` until the block ends, C-level writes included."""
    (sys.stdout if fd == 1 else sys.stderr).flush()
    _flush_c_stdio()
    saved, target = os.dup(fd), os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        os.dup2(target, fd)
        yield
    finally:
        _flush_c_stdio()  # into `path`, not into the restored descriptor
        os.dup2(saved, fd)
        os.close(saved)
        os.close(target)


def _flush_c_stdio() -> None:
    try:
        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError, TypeError):  # no C runtime reachable this way (Windows)
        pass


def _set_param(m: Any, key: str, value: Any) -> None:
    """setParam, or a UsageError that gives SCIP's own reason (SCIP prints it, with a trace of C
    calls, on stderr: it is caught there and only its first line kept)."""
    with tempfile.TemporaryDirectory(prefix="planner-scip-") as folder:
        log = os.path.join(folder, "stderr")
        try:
            with fd_to(2, log):
                m.setParam(key, value)
            return
        except (ValueError, TypeError, LookupError) as e:
            with open(log, encoding="utf-8", errors="replace") as f:
                said = [line.split("ERROR:", 1)[1].strip() for line in f if "ERROR:" in line]
            why = said[0] if said else str(e)
    raise UsageError(f"SCIP does not accept parameter {key} = {value!r}: {why}")


def _finite(v: float, infinity: float) -> float | None:
    v = float(v)
    return v if np.isfinite(v) and abs(v) < infinity else None


def mps_text(
    lb: np.ndarray,
    ub: np.ndarray,
    integer: np.ndarray,
    cost: np.ndarray,
    starts: np.ndarray,
    index: np.ndarray,
    values: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
) -> str:
    """Free-format MPS of `lower <= A x <= upper` (A in CSR), columns `x<j>` and rows `r<k>`.

    Every column gets an objective entry (zero or not) so that SCIP creates all of them, in
    order; rows free on both sides are left out; every column's bounds are written explicitly.
    """
    n = len(lb)
    keep = np.isfinite(lower) | np.isfinite(upper)
    kind = np.where(lower == upper, "E", np.where(np.isfinite(lower), "G", "L"))
    row_of = np.repeat(np.arange(len(lower)), np.diff(starts))
    cols = np.concatenate([np.arange(n), index])
    rows = np.concatenate([np.full(n, -1), row_of])  # -1: the objective
    vals = np.concatenate([cost, values])
    on = (rows < 0) | keep[np.maximum(rows, 0)]
    order = np.lexsort((rows[on], cols[on]))
    cols, rows, vals = cols[on][order], rows[on][order], vals[on][order]

    out = ["NAME planner", "ROWS", " N obj"]
    out += [f" {t} r{k}" for k, t in zip(np.flatnonzero(keep).tolist(), kind[keep].tolist())]
    out.append("COLUMNS")
    entries = [
        f" x{c} {f'r{r}' if r >= 0 else 'obj'} {v!r}" for c, r, v in zip(cols.tolist(), rows.tolist(), vals.tolist())
    ]
    first = np.searchsorted(cols, np.arange(n + 1))  # first entry of each column
    edges = np.flatnonzero(np.diff(np.concatenate([[0], np.asarray(integer, int), [0]])))
    done = 0
    for k, j in enumerate(edges.tolist()):  # integer columns sit between INTORG and INTEND markers
        out += entries[done : first[j]]
        done = first[j]
        out.append(f" M{k} 'MARKER' '{'INTEND' if k % 2 else 'INTORG'}'")
    out += entries[done:]

    out.append("RHS")
    rhs = np.where(kind == "G", lower, upper)
    sel = np.flatnonzero(keep & (rhs != 0))
    out += [f" rhs r{k} {v!r}" for k, v in zip(sel.tolist(), rhs[sel].tolist())]
    ranged = np.flatnonzero(keep & np.isfinite(lower) & np.isfinite(upper) & (lower != upper))
    if ranged.size:
        out.append("RANGES")
        out += [f" rng r{k} {v!r}" for k, v in zip(ranged.tolist(), (upper[ranged] - lower[ranged]).tolist())]

    out.append("BOUNDS")
    for j, (a, b, i) in enumerate(zip(lb.tolist(), ub.tolist(), integer.tolist())):
        if i and 0 <= a <= b <= 1:  # binary (see the module docstring)
            out.append(f" BV bnd x{j}")
            out += [f" UP bnd x{j} 0.0"] if b == 0 else [f" LO bnd x{j} 1.0"] if a == 1 else []
        elif a == b:
            out.append(f" FX bnd x{j} {a!r}")
        else:
            out.append(f" LO bnd x{j} {a!r}" if a > -np.inf else f" MI bnd x{j}")
            out.append(f" UP bnd x{j} {b!r}" if b < np.inf else f" PL bnd x{j}")
    out.append("ENDATA\n")
    return "\n".join(out)
