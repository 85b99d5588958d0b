"""HiGHS through highspy, fed the model's arrays directly; numbers can be changed in place."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from planner import progress
from planner.errors import PlannerError, UsageError
from planner.progress import Reporter
from planner.solvers.status import RawSolution, SolveOptions, SolveStatus

if TYPE_CHECKING:
    from planner.mip.linear import LinearModel

_INCUMBENT_STOPS = {
    "kTimeLimit": SolveStatus.TIME_LIMIT,
    "kIterationLimit": SolveStatus.TIME_LIMIT,
    "kSolutionLimit": SolveStatus.TIME_LIMIT,
    "kObjectiveBound": SolveStatus.TIME_LIMIT,
    "kObjectiveTarget": SolveStatus.TIME_LIMIT,
    "kInterrupt": SolveStatus.INTERRUPTED,
    "kHighsInterrupt": SolveStatus.INTERRUPTED,
}

# HiGHS's presolve probes every binary, and on long time-indexed models (a 10,000-period plan, long
# chains) that alone runs for minutes without checking the clock, while the MIP itself is solved
# at the root. Above this many binaries probing is switched off (`--option presolve_rule_off=0`
# turns it back on); benchmarks/chains.py and docs/solver-notes.md have the measurements.
PROBING_BINARIES = 4000

# LPs up to this many nonzeros (the tie-break's, for instance) run in the calling thread: see
# HighsBackend._run_inline. Above it, and for every MIP, HiGHS runs in a thread of its own.
INLINE_LP_NONZEROS = 200_000

# Once a rival (solvers/cumulative.Rival) has answered, or the time limit has passed on a question
# a rival races, HiGHS is asked to stop, but it looks at that request only between its own steps,
# and a round of root cuts on a project-scheduling target can take several seconds
# (docs/solver-notes.md). After this many seconds the solve returns without it: its thread
# finishes on its own at HiGHS's next look (the object it solves is used by no one else), rather
# than hold up the next question or the result. A feasibility question has no plan to lose that
# way. Ctrl-C, and any solve without a rival, still wait for HiGHS.
PREEMPTED_WAIT = 0.2

_BANNER_SHOWN = False  # HiGHS prints its banner when the process makes its first Highs()


class HighsBackend:
    """One HiGHS object for one load and one solve. Nothing carries over between solves: HiGHS
    keeps an interrupt (`cancelSolve`) in the object, so a reused object can stop the next solve at
    its first check. A fresh object costs well under a millisecond next to any solve."""

    name = "highs"

    def __init__(self) -> None:
        import highspy

        self._hs = highspy
        self._h: Any = None  # a highspy.Highs once made (highspy has no stubs)
        self._sense, self._binaries, self._inline = "max", 0, False
        self._threads: int | None = None
        # a rival solving the same question beside HiGHS (solvers/cumulative.Rival), asked at every
        # poll with the seconds HiGHS has run; True stops HiGHS, whose answer is then not needed
        self.watch: Callable[[float], bool] | None = None
        self._preempted = self._left_running = False

    @property
    def h(self) -> Any:
        """The HiGHS object, made on first use: `get_backend` is also called only to check that the
        solver is there, and a Highs() costs more than a small model's whole solve."""
        global _BANNER_SHOWN
        if self._h is None:
            if _BANNER_SHOWN:
                self._h = self._hs.Highs()
            else:
                with stdout_to_devnull():  # HiGHS prints a banner from C++, once per process, before
                    self._h = self._hs.Highs()  # any option can stop it
                _BANNER_SHOWN = True
            self._h.silent()
            self._h.HandleUserInterrupt = True  # lets Ctrl-C stop a solve and keep its best plan
        return self._h

    def load(self, lm: LinearModel) -> None:
        hs = self._hs
        col = lm.arrays()
        starts, index, values, lower, upper = lm.csr()
        sense = hs.ObjSense.kMaximize if lm.sense == "max" else hs.ObjSense.kMinimize
        status = self.h.passModel(
            lm.n,
            len(lower),
            len(values),
            hs.MatrixFormat.kRowwise.value,
            sense.value,
            lm.offset,
            col["cost"],
            col["lb"],
            col["ub"],
            lower,
            upper,
            starts[:-1].astype(np.int32),
            index.astype(np.int32),
            values,
            col["integer"].astype(np.int32),
        )
        if status == hs.HighsStatus.kError:
            raise PlannerError("HiGHS refused the model (passModel returned an error)")
        self._sense, self._offset = lm.sense, lm.offset
        self._binaries = int(col["integer"].sum())
        self._inline = self._binaries == 0 and len(values) <= INLINE_LP_NONZEROS
        self._empty_rows_violated = bool(np.any(lower > 0) or np.any(upper < 0)) if lm.n == 0 else False
        self._fixed = col["lb"].copy() if lm.n and np.array_equal(col["lb"], col["ub"]) else None
        self._cost = col["cost"]

    def solve(self, options: SolveOptions) -> RawSolution:
        start = time.perf_counter()
        self._options(options)
        # No start solution here: HiGHS 1.16 presolve can mis-map one and claim a wrong optimum
        # (docs/solver-notes.md); the caller falls back on its own greedy plan if HiGHS finds none.
        raw = self._check_fixed(self._fixed) if self._fixed is not None else None
        if raw is None:
            interrupted = self._run(options.time_limit)
            if self._left_running:  # the rival answered; HiGHS is still stopping in its thread
                why = "stopped: the rival answered first" if self._preempted else "time limit reached"
                raw = RawSolution(SolveStatus.NO_SOLUTION, None, None, None, None, 0.0, why)
            else:
                raw = self._read()
            raw = replace(raw, interrupted=interrupted)
        return replace(raw, runtime=time.perf_counter() - start)

    def _check_fixed(self, fixed: np.ndarray) -> RawSolution | None:
        """A model whose every column is fixed (a plan handed over to be checked) needs no simplex:
        presolve alone checks every row against the fixed values, and finds the model empty (every
        row holds) or infeasible. It is a fraction of a full run, which after presolve solves the
        original LP again from the postsolved point. None (run as usual) for any other outcome."""
        status = self.h.presolve()
        kind = self.h.getModelPresolveStatus().name
        if status == self._hs.HighsStatus.kError or kind not in ("kReducedToEmpty", "kInfeasible"):
            return None
        if kind == "kInfeasible":
            return RawSolution(SolveStatus.INFEASIBLE, None, None, None, None, 0.0, "the model is infeasible")
        objective = float(self._cost @ fixed + self._offset)
        return RawSolution(
            SolveStatus.OPTIMAL,
            fixed.copy(),
            objective,
            objective,
            0.0,
            0.0,
            "every column fixed: presolve found every row satisfied",
        )

    def infeasible_set(self, lm: LinearModel) -> list[str]:
        """Names of the rows in HiGHS's irreducible infeasible set (of the LP relaxation, when it
        has one), as `family[k]`; empty if HiGHS finds none."""
        try:
            status, iis = self.h.getIis()
        except Exception:  # an older highspy without IIS support
            return []
        if not getattr(iis, "valid_", False):
            return []
        offsets = np.cumsum([0] + [len(f.lower) for f in lm.families])
        names: list[str] = []
        for row in list(iis.row_index_)[:8]:
            k = int(np.searchsorted(offsets, row, side="right") - 1)
            names.append(lm.families[k].row_name(int(row - offsets[k])))
        return names

    def _run(self, time_limit: float | None = None) -> bool:
        """Run HiGHS in a thread of our own so that Ctrl-C stops it cleanly (HiGHS then returns the
        best plan found so far); True if the user interrupted. Past `time_limit` the run is
        cancelled too, for the phases where HiGHS does not check its own clock as often.
        (highspy's own startSolve/wait keep their locks on the class, shared by every Highs object,
        so two solves in two threads of one process collide there.)"""
        self._timed_out = self._interrupted = self._preempted = self._left_running = False
        left_at: float | None = None
        if self._inline and self._threads is None:
            return self._run_inline()
        began = time.perf_counter()
        deadline = None if time_limit is None else began + time_limit
        done = threading.Event()
        reporter = Reporter(progress.current())
        latest: list[float | None] = [None, None, None]  # incumbent, bound, gap: written by HiGHS's thread

        def on_mip(event: Any) -> None:
            out = event.data_out
            latest[:] = out.mip_primal_bound, out.mip_dual_bound, out.mip_gap

        if reporter.callback is not None and self._binaries and np.any(self._cost):
            self.h.cbMipInterrupt.subscribe(on_mip)  # a feasibility MIP (no costs) shows time only

        def run() -> None:
            try:
                self._hs.highs._Highs.run(self.h)  # the C++ run, without highspy's shared locks
            finally:
                done.set()

        threading.Thread(target=run, daemon=True).start()
        while True:
            try:
                if done.wait(0.05):
                    reporter.finish()
                    return self._interrupted
                reporter.tick(*latest)
                if deadline is not None and time.perf_counter() > deadline and not self._interrupted:
                    if not self._timed_out:
                        left_at = deadline + PREEMPTED_WAIT if self.watch is not None else None
                    self._timed_out = True
                    self._stop()
                if (
                    self.watch is not None
                    and not (self._interrupted or self._preempted)
                    and self.watch(time.perf_counter() - began)
                ):
                    self._preempted = True
                    self._stop()
                    left_at = time.perf_counter() + PREEMPTED_WAIT
                if left_at is not None and not self._interrupted and time.perf_counter() > left_at:
                    self._left_running = True  # see PREEMPTED_WAIT; `solve` no longer touches it
                    reporter.finish()
                    return False
            except KeyboardInterrupt:
                self._interrupted = True
                self._stop()

    def _run_inline(self) -> bool:
        """A small LP runs in the calling thread: starting a thread and waiting for it costs more
        than such an LP (a few ms on a loaded machine), and the simplex checks HiGHS's own clock.
        A Ctrl-C during it is raised by Python as soon as the run returns, moments later: the
        result is then reported as interrupted, like a threaded run's. Only without a `threads`
        option: HiGHS keeps one task scheduler per calling thread, sized by the first run in that
        thread, and refuses a later run that asks for another size; a fresh thread always has a
        fresh scheduler, and the automatic size (0) is accepted by any."""
        try:
            self._hs.highs._Highs.run(self.h)
        except KeyboardInterrupt:
            self._interrupted = True
        return self._interrupted

    def _stop(self) -> None:
        """Ask a running solve to stop. The interrupt callback is not polled everywhere (MIP
        presolve's probing can run for many seconds without it), but the clock is, so the time
        limit is pulled in to now as well. The object is not solved again afterwards."""
        self.h.cancelSolve()
        self.h.setOptionValue("time_limit", 1e-3)

    def _options(self, options: SolveOptions) -> None:
        h, hs = self.h, self._hs
        h.setOptionValue("output_flag", bool(options.verbose))
        h.setOptionValue("mip_rel_gap", float(options.gap))
        if options.time_limit is not None:
            h.setOptionValue("time_limit", float(max(options.time_limit, 0.0)))
        self._threads = options.threads
        if options.threads is not None:
            h.setOptionValue("threads", int(options.threads))
        if self._binaries > PROBING_BINARIES:
            h.setOptionValue("presolve_rule_off", 32768)  # probing: see PROBING_BINARIES
        for key, value in options.solver_options.items():
            if h.setOptionValue(key, value) == hs.HighsStatus.kError:
                raise UsageError(f"HiGHS does not accept option {key} = {value!r}")

    def _read(self) -> RawSolution:
        h = self.h
        model_status = h.getModelStatus()
        name, text = model_status.name, h.modelStatusToString(model_status)
        info = h.getInfo()
        has_plan = info.primal_solution_status == 2  # kSolutionStatusFeasible
        if name == "kModelEmpty":  # every variable fixed by its window: nothing to decide
            if self._empty_rows_violated:
                return RawSolution(SolveStatus.INFEASIBLE, None, None, None, None, 0.0, "the model is infeasible")
            objective = self._offset
            return RawSolution(SolveStatus.OPTIMAL, np.zeros(h.getNumCol()), objective, objective, 0.0, 0.0, text)
        if name == "kOptimal":
            status = SolveStatus.OPTIMAL
        elif name in ("kInfeasible", "kUnboundedOrInfeasible"):
            return RawSolution(SolveStatus.INFEASIBLE, None, None, None, None, 0.0, "the model is infeasible")
        elif name in _INCUMBENT_STOPS:
            ours = self._timed_out or self._preempted
            status = (
                SolveStatus.INTERRUPTED
                if self._interrupted
                else SolveStatus.TIME_LIMIT
                if ours
                else _INCUMBENT_STOPS[name]
            )
            if ours and not self._interrupted:  # our own stop, not the user's
                text = "stopped: the rival answered first" if self._preempted else "time limit reached"
            status = status if has_plan else SolveStatus.NO_SOLUTION
        else:
            return RawSolution(SolveStatus.ERROR, None, None, None, None, 0.0, text)
        if not has_plan:
            return RawSolution(status, None, None, _finite(info.mip_dual_bound), None, 0.0, text)
        x = np.asarray(h.getSolution().col_value, dtype=float)
        objective = float(info.objective_function_value)
        bound = _finite(info.mip_dual_bound)
        bound = objective if bound is None and status == SolveStatus.OPTIMAL else bound
        if bound is not None and (bound < objective - 1e-9 if self._sense == "max" else bound > objective + 1e-9):
            bound = None  # not a bound at all (HiGHS stopped before it had one)
        gap = _finite(info.mip_gap)
        gap = 0.0 if gap is None and status == SolveStatus.OPTIMAL else gap
        return RawSolution(status, x, objective, bound, gap, 0.0, text)


def _finite(v: float) -> float | None:
    v = float(v)
    return v if np.isfinite(v) and abs(v) < 1e30 else None


@contextlib.contextmanager
def stdout_to_devnull() -> Iterator[None]:
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
