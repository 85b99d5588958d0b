"""A race: one model solved by several solver set-ups at once, each in a process of its own; the
first proven answer wins and the others are stopped.

HiGHS runs a MIP's search on one thread, so a second core sits idle; and the time a MIP takes
moves a lot with things that do not change its answer (the random seed, which solver), so the
first of two different runs to finish is often much earlier than either one alone. Each entrant
is a separate process (SCIP holds the GIL while it solves, and a process can always be stopped
and its memory returned, whatever the solver is doing), made fresh for every solve: nothing one
race leaves behind reaches the next, as with every other solve (run.py).

- The first entrant to prove its answer (optimal, or infeasible) wins; the others are sent SIGTERM
  and, if still there after a moment, SIGKILL, and every process is waited for (no zombies).
- When none proves its answer (a time limit), the best plan any of them found is kept, with the
  tightest bound any of them proved.
- Ctrl-C (KeyboardInterrupt in this process) is passed on to the entrants as SIGINT, so each
  stops and reports its best plan so far, as a solve in this process would; the race then
  returns the best of those, marked interrupted.
- A time limit is each entrant's own; past it (and a grace period) the race stops them itself.

Processes come from a fork server (Linux, macOS) that has the solver stack imported already, so
an entrant starts in tens of milliseconds, not the half second a new interpreter takes. As with
any multiprocessing start method but fork, a script that races must guard its top level with
`if __name__ == "__main__":` (the `planner` command and `python -m` do).
`RaceBackend` has the backend interface (load, solve), so `get_backend("race")` plugs it in
wherever a solver goes; its default entrants are two HiGHS set-ups with different random seeds.

It is opt-in (`solver="race"`, `race:highs+scip`), not the default: on this project's 2 shared
cores it lost to one HiGHS run on the plans that need MIPs (value plans, long goal-period
searches: 16-20 s against 10-13 s, and a time limit against 48 s), because each entrant gets
half the machine and HiGHS already uses a second thread for parts of its search.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from multiprocessing.context import ForkServerContext, SpawnContext
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any, cast

from planner.errors import PlannerError
from planner.solvers.status import DECISIVE, RawSolution, SolveOptions, SolveStatus

if TYPE_CHECKING:
    from planner.mip.linear import LinearModel

GRACE = 2.0  # seconds past the time limit before the race stops entrants itself
REAP = 1.0  # seconds an entrant has to exit after SIGTERM before SIGKILL
PRELOAD = [
    "planner.solvers.race",
    "planner.solvers.highs",
    "planner.mip.formulation",
    "numpy",
    "highspy",
    "pyscipopt",
]  # a name that fails to import is skipped


@dataclass(frozen=True)
class Entrant:
    """One solver set-up: a backend name and options of its own (added to the solve's)."""

    solver: str = "highs"
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        extra = ", ".join(f"{k}={v}" for k, v in self.options.items())
        return f"{self.solver}({extra})" if extra else self.solver


DEFAULT_ENTRANTS = (Entrant("highs"), Entrant("highs", {"random_seed": 7}))


class RaceBackend:
    """The backend interface over a race of `entrants` (default: two HiGHS seeds)."""

    name = "race"

    def __init__(self, entrants: tuple[Entrant, ...] | list[Entrant] = DEFAULT_ENTRANTS) -> None:
        self.entrants = tuple(entrants)
        self.lm: LinearModel | None = None
        self.winner: Entrant | None = None
        self.pids: list[int] = []  # the entrants' process ids, for tests that check they are gone

    def load(self, lm: LinearModel) -> None:
        self.lm = lm

    def solve(self, options: SolveOptions) -> RawSolution:
        if self.lm is None:
            raise PlannerError("the race has no model: load one before solve")
        raw, self.winner, self.pids = race(self.lm, options, self.entrants)
        return raw


def race(
    lm: LinearModel, options: SolveOptions, entrants: Sequence[Entrant]
) -> tuple[RawSolution, Entrant | None, list[int]]:
    """(the answer, the entrant that gave it, every entrant's process id) — see the module text."""
    start = time.perf_counter()
    ctx = _context()
    procs: list[BaseProcess] = []
    conns: list[Connection] = []
    try:
        try:
            for k, entrant in enumerate(entrants):
                receive, send = ctx.Pipe(duplex=False)
                p = ctx.Process(
                    target=_entrant_main, args=(send, lm, options, entrant), daemon=True, name=f"planner-race-{k}"
                )
                conns.append(receive)
                p.start()
                procs.append(p)
                send.close()  # the entrant holds the only writing end: EOF once it has gone
        except KeyboardInterrupt:  # Ctrl-C before the race is under way: nothing to report
            results = {
                -1: RawSolution(
                    SolveStatus.NO_SOLUTION,
                    None,
                    None,
                    None,
                    None,
                    0.0,
                    "interrupted before the race started",
                    interrupted=True,
                )
            }
        else:
            results = _collect(procs, conns, options, entrants)
    finally:
        _stop_all(procs)
        for c in conns:
            c.close()
    raw, winner = _pick(results, lm.sense, entrants)
    pids = [p.pid for p in procs if p.pid is not None]  # every one was started: none is left out
    return replace(raw, runtime=time.perf_counter() - start), winner, pids


def _collect(
    procs: list[BaseProcess], conns: list[Connection], options: SolveOptions, entrants: Sequence[Entrant]
) -> dict[int, RawSolution]:
    """Results as they come, until one is conclusive, all are in, or the clock runs out."""
    results: dict[int, RawSolution] = {}
    pending = dict(zip(conns, range(len(procs))))
    deadline = None if options.time_limit is None else time.perf_counter() + options.time_limit + GRACE
    interrupted = False
    while pending:
        try:
            left = None if deadline is None else max(0.0, deadline - time.perf_counter())
            # wait hands back some of the objects it was given: here, always Connections
            ready = cast(list[Connection], wait(list(pending), timeout=0.05 if left is None else min(0.05, left)))
            for conn in ready:
                k = pending.pop(conn)
                results[k] = _receive(conn, entrants[k])
                if interrupted:
                    results[k] = replace(results[k], interrupted=True)
                if results[k].status in DECISIVE and not interrupted:
                    return results
            if deadline is not None and time.perf_counter() >= deadline:
                break
        except KeyboardInterrupt:
            if interrupted:  # a second Ctrl-C: stop waiting for their best plans
                break
            interrupted = True
            for k in pending.values():
                _signal(procs[k], signal.SIGINT)
            deadline = time.perf_counter() + GRACE
    if interrupted:
        results = {k: replace(raw, interrupted=True) for k, raw in results.items()}
        results.setdefault(
            -1,
            RawSolution(
                SolveStatus.NO_SOLUTION,
                None,
                None,
                None,
                None,
                0.0,
                "interrupted before any entrant reported",
                interrupted=True,
            ),
        )
    return results


def _receive(conn: Connection, entrant: Entrant) -> RawSolution:
    try:
        raw = conn.recv()
    except (EOFError, OSError):
        return RawSolution(SolveStatus.ERROR, None, None, None, None, 0.0, f"{entrant.label} ended without an answer")
    return replace(raw, message=f"{entrant.label}: {raw.message}")


def _pick(
    results: dict[int, RawSolution], sense: str, entrants: Sequence[Entrant]
) -> tuple[RawSolution, Entrant | None]:
    """The conclusive answer if there is one; else the best plan with the tightest proven bound."""
    better = (lambda a, b: a > b) if sense == "max" else (lambda a, b: a < b)
    for k, raw in results.items():
        if raw.status in DECISIVE and not raw.interrupted:
            return raw, entrants[k] if k >= 0 else None
    with_plan = [(k, r, r.objective) for k, r in results.items() if r.x is not None and r.objective is not None]
    if not with_plan:
        errors = [r for r in results.values() if r.status == SolveStatus.ERROR]
        stopped = [r for r in results.values() if r.status != SolveStatus.ERROR]
        raw = (stopped or errors or [RawSolution(SolveStatus.ERROR, None, None, None, None, 0.0, "no entrant ran")])[0]
        return raw, None
    k, best, objective = with_plan[0]
    for j, r, value in with_plan[1:]:
        if better(value, objective):
            k, best, objective = j, r, value
    bounds = [r.bound for r in results.values() if r.bound is not None]
    if bounds:
        bound = min(bounds) if sense == "max" else max(bounds)
        best = replace(best, bound=bound, gap=abs(bound - objective) / max(abs(bound), abs(objective), 1e-10))
    if any(r.interrupted for r in results.values()):
        best = replace(best, status=SolveStatus.INTERRUPTED, interrupted=True)
    else:
        best = replace(best, interrupted=False)
    return best, entrants[k]


def _stop_all(procs: list[BaseProcess]) -> None:
    """SIGTERM every entrant still running, SIGKILL any still there a moment later, and wait for
    each one, so that none is left behind as a zombie."""
    for p in procs:
        if p.is_alive():
            _signal(p, signal.SIGTERM)
    end = time.perf_counter() + REAP
    for p in procs:
        p.join(max(0.0, end - time.perf_counter()))
        if p.exitcode is None:
            p.kill()
            p.join()


def _signal(p: BaseProcess, sig: signal.Signals) -> None:
    if p.pid is None:  # never started: nothing to signal
        return
    try:
        os.kill(p.pid, sig)
    except (ProcessLookupError, TypeError):
        pass


def _entrant_main(conn: Connection, lm: LinearModel, options: SolveOptions, entrant: Entrant) -> None:
    """In the entrant's own process: a fresh backend, one solve, the answer sent back."""
    try:
        from planner.solvers import get_backend

        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        backend = get_backend(entrant.solver)
        backend.load(lm)
        merged = replace(options, solver_options={**options.solver_options, **entrant.options})
        raw = backend.solve(merged)
    except KeyboardInterrupt:
        raw = RawSolution(SolveStatus.NO_SOLUTION, None, None, None, None, 0.0, "interrupted", interrupted=True)
    except BaseException as e:  # noqa: BLE001 - reported to the race, never a traceback here
        raw = RawSolution(SolveStatus.ERROR, None, None, None, None, 0.0, f"{type(e).__name__}: {e}")
    try:
        conn.send(raw)
    except (BrokenPipeError, OSError):
        pass
    finally:
        conn.close()


_CONTEXT: ForkServerContext | SpawnContext | None = None


def _context() -> ForkServerContext | SpawnContext:
    """The fork server when the platform has one (preloaded with the solver stack), else spawn."""
    global _CONTEXT
    if _CONTEXT is None:
        try:
            ctx: ForkServerContext | SpawnContext = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(PRELOAD)
        except ValueError:
            ctx = multiprocessing.get_context("spawn")
        _CONTEXT = ctx
    return _CONTEXT
