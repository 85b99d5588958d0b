"""SCIP's cumulative constraints: the second way the goal-period search asks a project-scheduling
target (issue 11).

The time-indexed target MIP (model.build_target) gives HiGHS a strong relaxation, but on the
hardest RCPSP instances neither HiGHS nor SCIP proves "no schedule of makespan T" from it within a
minute, nor finds a schedule near the optimum: the relaxation is the same at every node, and there
is no reasoning about which jobs overlap. SCIP's cumulative constraint handler does that reasoning
(time-tabling, edge-finding, energetic reasoning and conflict analysis on the start times), so the
same question put as start-time integers often settles in seconds what the time-indexed model
leaves open, and the reverse on other instances. The goal-period search asks both at once
(planner/rcpsp/rival.py, pipeline/search.GoalSearch.ask): HiGHS alone for its first half second,
then SCIP beside it in a thread of its own (`Rival`).

The model here, on the jobs propagate.narrow returns (every stream the goal waits on rigid):

- one integer start per job, in its narrowed window [est, lst];
- per precedence, start[succ] >= start[pred] + d[pred] + gap;
- per pool, one cumulative constraint: each job draws its crew's FTE for d periods from a
  capacity equal to the pool's largest supply; in periods where the supply is lower, fixed
  "blocking" jobs take up the difference, so the capacity each period is exactly the supply.

Cumulative constraints take integer demands, so FTE and supply are scaled by the smallest integer
(up to MAX_SCALE) that makes them all whole; a plan that needs more (an FTE of 1/3 does not, but
one of 0.123457 does) is not put to SCIP this way (`build` returns None) and HiGHS alone answers.
A schedule SCIP finds is not trusted as it stands: rival.pinned_target pins every job to it in the time-indexed
target and has HiGHS solve that, so the plan reported is a solution of the planner's own model.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from planner.solvers.status import RawSolution, SolveOptions, SolveStatus

if TYPE_CHECKING:  # annotations only
    from planner.rcpsp.propagate import Jobs

MAX_SCALE = 1000


@dataclass
class Cumulative:
    """A target as start-time integers (see the module docstring); `scale` multiplies FTE."""

    jobs: Jobs
    demand: np.ndarray  # (m, R) integer demands
    capacity: np.ndarray  # (R,) integer capacities
    blocks: list[list[tuple[int, int, int]]]  # per pool, (start, length, demand) of the fixed blocking jobs
    scale: int


def threadable() -> bool:
    """Whether this pyscipopt can solve with the GIL released (`optimizeNogil`, which `Rival`
    needs: with the GIL held, HiGHS's watcher thread would stall for the whole SCIP solve)."""
    import pyscipopt

    return hasattr(pyscipopt.Model, "optimizeNogil")


def build(jobs: Jobs) -> Cumulative | None:
    """The cumulative form of `jobs` (propagate.Jobs), or None when the FTE and supply have no
    common integer scale up to MAX_SCALE."""
    end = int(np.max(jobs.lst + jobs.d)) if jobs.d.size else 0
    supply = jobs.supply[:, :end]
    scale = _scale(np.concatenate([jobs.need.ravel(), supply.ravel()]))
    if scale is None:
        return None
    demand = np.rint(jobs.need * scale).astype(int)
    level = np.rint(supply * scale).astype(int)
    capacity = level.max(axis=1) if end else np.zeros(len(supply), int)
    blocks = []
    for r in range(len(level)):
        deficit = capacity[r] - level[r]
        runs, t = [], 0
        while t < end:  # maximal runs of one deficit: one blocking job each
            u = t
            while u + 1 < end and deficit[u + 1] == deficit[t]:
                u += 1
            if deficit[t] > 0:
                runs.append((t, u - t + 1, int(deficit[t])))
            t = u + 1
        blocks.append(runs)
    return Cumulative(jobs, demand, capacity, blocks, scale)


def _scale(values: np.ndarray) -> int | None:
    """The smallest integer s <= MAX_SCALE with s * v whole (to 1e-9) for every v."""
    s = 1
    for v in np.unique(np.abs(values[values != 0])):
        q = Fraction(float(v)).limit_denominator(MAX_SCALE)
        if abs(float(q) - v) > 1e-9 * max(1.0, v):
            return None
        s = math.lcm(s, q.denominator)
        if s > MAX_SCALE:
            return None
    return s


class CumulativeBackend:
    """One `Cumulative` target, loaded once and solved once (the Backend protocol's shape): the
    solution's x holds each job's start period."""

    name = "scip-cumulative"

    def __init__(self) -> None:
        import pyscipopt

        self._scip = pyscipopt
        self.model: Any = None  # a pyscipopt.Model once loaded
        self._starts: list[Any] = []

    def load(self, target: Cumulative) -> None:
        jobs = target.jobs
        m = self._scip.Model()
        m.hideOutput()
        starts = [
            m.addVar(f"start{i}", vtype="I", lb=int(jobs.est[i]), ub=int(jobs.lst[i])) for i in range(jobs.d.size)
        ]
        for p, s, gap in jobs.edges:
            m.addCons(starts[s] - starts[p] >= int(jobs.d[p] + gap))
        for r, cap in enumerate(target.capacity):
            users = np.flatnonzero(target.demand[:, r] > 0)
            if users.size == 0:
                continue
            fixed = [m.addVar(f"block{r}_{k}", vtype="I", lb=t, ub=t) for k, (t, _, _) in enumerate(target.blocks[r])]
            m.addConsCumulative(
                [starts[i] for i in users] + fixed,
                [int(jobs.d[i]) for i in users] + [n for _, n, _ in target.blocks[r]],
                [int(target.demand[i, r]) for i in users] + [q for _, _, q in target.blocks[r]],
                int(cap),
                name=f"pool{r}",
            )
        self.model, self._starts, self.target = m, starts, target

    def solve(self, options: SolveOptions) -> RawSolution:
        """Solve in this thread. SCIP catches Ctrl-C during its search and stops with
        `userinterrupt` (`interrupted`)."""
        from planner.solvers.scip import fd_to

        m = self.model
        m.hideOutput(quiet=not options.verbose)
        if options.time_limit is not None:
            m.setParam("limits/time", float(max(options.time_limit, 0.0)))
        start = time.perf_counter()
        with contextlib.nullcontext() if options.verbose else fd_to(1, os.devnull):
            m.optimize()
        return self.read(time.perf_counter() - start)

    def read(self, runtime: float) -> RawSolution:
        """Feasibility: a schedule (x = starts), `infeasible`, or the limit that stopped SCIP."""
        from planner.solvers.scip import LIMITS

        m = self.model
        status = m.getStatus()
        if status in ("infeasible", "inforunbd"):
            return RawSolution(SolveStatus.INFEASIBLE, None, None, None, None, runtime, "no schedule")
        if m.getNSols() > 0:
            sol = m.getBestSol()
            x = np.array([round(m.getSolVal(sol, v)) for v in self._starts], dtype=float)
            return RawSolution(SolveStatus.OPTIMAL, x, 0.0, 0.0, 0.0, runtime, "a schedule")
        if status == "userinterrupt":
            return RawSolution(
                SolveStatus.INTERRUPTED, None, None, None, None, runtime, "interrupted", interrupted=True
            )
        if status in LIMITS:
            return RawSolution(SolveStatus.TIME_LIMIT, None, None, None, None, runtime, f"SCIP: {status}")
        return RawSolution(SolveStatus.ERROR, None, None, None, None, runtime, f"SCIP stopped with status '{status}'")


class Rival:
    """SCIP on a `Cumulative` target in a thread of its own, beside a HiGHS solve of the same
    question: HiGHS's `watch` (solvers/highs.py) calls it at every poll with the seconds HiGHS has
    run. It starts SCIP once HiGHS has run `grace` seconds without an answer (the questions
    HiGHS settles at once, nearly all of them, never pay for SCIP, and their answers stay
    HiGHS's), and tells HiGHS to stop once SCIP has a schedule or a proof. `stop` ends SCIP and
    waits for its thread; call it whatever happened (Ctrl-C included).

    SCIP runs with the GIL released (`optimizeNogil`) and without its own Ctrl-C handler, so a
    Ctrl-C reaches Python's, which stops HiGHS and then, through `stop`, SCIP."""

    def __init__(self, target: Cumulative, options: SolveOptions, grace: float) -> None:
        self.target, self.grace = target, grace
        self.options = options
        self.answer: RawSolution | None = None
        self._backend: CumulativeBackend | None = None
        self._thread: threading.Thread | None = None
        self._deadline = None if options.time_limit is None else time.perf_counter() + options.time_limit

    def __call__(self, elapsed: float) -> bool:
        if self._thread is None and elapsed >= self.grace:
            self._start()
        answer = self.answer
        return answer is not None and answer.status in (SolveStatus.OPTIMAL, SolveStatus.INFEASIBLE)

    def _start(self) -> None:
        backend = CumulativeBackend()
        backend.load(self.target)
        m = backend.model
        m.setParam("misc/catchctrlc", False)
        if self._deadline is not None:
            m.setParam("limits/time", max(self._deadline - time.perf_counter(), 1e-3))

        def run() -> None:
            began = time.perf_counter()
            try:
                m.optimizeNogil()
                self.answer = backend.read(time.perf_counter() - began)
            except Exception as e:  # reported as the rival's error: HiGHS's answer stands
                self.answer = RawSolution(SolveStatus.ERROR, None, None, None, None, 0.0, f"SCIP: {e}")

        self._backend = backend
        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def stop(self) -> RawSolution | None:
        """End SCIP's solve if it still runs (it checks for the interrupt at every node), wait for
        its thread, and return its answer (None if it never started)."""
        thread, backend = self._thread, self._backend  # `_start` sets both
        if thread is None or backend is None:
            return None
        while thread.is_alive():
            try:
                backend.model.interruptSolve()
            except Exception:  # not yet (or no longer) solving: try again in a moment
                pass
            thread.join(0.02)
        return self.answer
