"""Many independent plan points solved on local worker processes or a Dask cluster.

A *point* is one plan (a sweep's grid point, a Monte Carlo sample): its baseline and chosen
interventions are solved together in one worker, because an intervention's effect and its reason
need the baseline of the same plan. Every solve builds a fresh solver (planner/run.py), so a worker
keeps no state between points and any worker may take any point: results depend only on the
points, never on the worker count or the order in which workers finish.

Points travel in chunks (a few per worker) so that a cheap solve is not dominated by the cost of
sending it. Ctrl-C or a `cancel` event stops the run: queued chunks are cancelled, the local
pool is shut down, and what finished is returned with `interrupted=True`.
"""
from __future__ import annotations

import math
import os
import threading
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Any, Callable

from .errors import UsageError


@dataclass
class Point:
    """One plan to solve: its baseline and `interventions` (names; None = all of the plan's)."""

    plan: Any
    interventions: list[str] | None = None


@dataclass
class Outcome:
    """The solved points, in the order given (None where a point was not reached)."""

    records: list[list[dict] | None]
    interrupted: bool = False
    workers: int = 1
    where: str = "local"
    not_run: int = field(init=False, default=0)

    def __post_init__(self):
        self.not_run = sum(r is None for r in self.records)


def solve_point(point: Point, options: dict) -> list[dict]:
    """Baseline then each intervention of one plan: a record per variant with its objective,
    status, goal year, delta to the baseline and the plain-words reason (planner/explain.py)."""
    from .explain import explain_change
    from .run import Model

    plan = point.plan
    chosen = [plan.intervention(n) for n in point.interventions] if point.interventions is not None \
        else list(plan.interventions)
    model = Model(plan, solver=options.get("solver", "highs"))
    solve_options = {k: v for k, v in options.items() if k != "solver"}
    base = model.solve(**solve_options)
    records = [_record(base, None, "")]
    for iv in chosen:
        model.update(iv)
        res = model.solve(**solve_options)
        delta = res.objective - base.objective if res.objective is not None and base.objective is not None \
            else None
        records.append(_record(res, delta, explain_change(base, res, iv.deadline_shift)))
    return records


def _record(res, delta, reason: str) -> dict:
    return {"variant": res.variant, "objective": res.objective, "status": res.status,
            "goal_year": res.goal_completion_year, "delta": delta, "reason": reason,
            "structural": "structural" in reason, "runtime": res.runtime}


def _solve_chunk(chunk: list[tuple[int, Point]], options: dict) -> list[tuple[int, list[dict]]]:
    return [(k, solve_point(point, options)) for k, point in chunk]


def default_workers() -> int:
    """One worker per core this process may use (HiGHS solves these small MIPs single-threaded)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def run(points: list[Point], options: dict | None = None, *, workers: int | None = None,
        scheduler: str | None = None, on_point: Callable[[int, list[dict]], None] | None = None,
        cancel: threading.Event | None = None, chunk_size: int | None = None) -> Outcome:
    """Solve every point; `workers=1` solves here, in this process (no pool to start).

    `scheduler` is a Dask scheduler address (or a `distributed.Client`/`LocalCluster`); `on_point(k,
    records)` is called in this process as each point finishes; setting `cancel` stops the run as
    Ctrl-C does."""
    options = dict(options or {})
    if options.get("threads") is None:
        options["threads"] = 1  # workers are the parallelism; threads inside them would fight
    workers = workers or default_workers()
    if workers < 1:
        raise UsageError(f"--workers must be at least 1, got {workers}")
    records: list = [None] * len(points)
    indexed = list(enumerate(points))
    if scheduler is not None:
        return _run_dask(indexed, options, scheduler, records, on_point, cancel, chunk_size)
    if workers == 1 or len(points) <= 1:
        return _run_here(indexed, options, records, on_point, cancel)
    size = chunk_size or max(1, math.ceil(len(points) / (workers * 4)))
    chunks = [indexed[i:i + size] for i in range(0, len(indexed), size)]
    interrupted = failed = False
    pool = ProcessPoolExecutor(max_workers=min(workers, len(chunks)), mp_context=_context(),
                               initializer=_ignore_sigint)
    try:
        pending = {pool.submit(_solve_chunk, c, options) for c in chunks}
        while pending:
            if cancel is not None and cancel.is_set():
                interrupted = True
                break
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for fut in done:
                for k, recs in fut.result():
                    records[k] = recs
                    if on_point:
                        on_point(k, recs)
    except KeyboardInterrupt:
        interrupted = True
    except BaseException:   # a worker's error: stop the rest, then raise it here
        failed = True
        raise
    finally:
        if interrupted or failed:  # stop the chunks under way too: nobody will read them
            processes = list((pool._processes or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for proc in processes:
                proc.terminate()
            for proc in processes:
                proc.join(timeout=5)
        else:
            pool.shutdown(wait=True)
    return Outcome(records, interrupted, workers, "local")


def _context():
    """Workers fork from a server process that has imported the solver stack once (the first run
    starts it; later runs reuse it), so starting a pool costs milliseconds, not an import of numpy
    and HiGHS per worker. Never a plain fork of this process: it may hold threads (a progress bar,
    a Dask client) whose locks a forked child would inherit held."""
    try:
        ctx = get_context("forkserver")
    except ValueError:   # not on this platform (Windows): spawn
        return get_context("spawn")
    ctx.set_forkserver_preload(["planner.parallel", "planner.run", "planner.explain"])
    return ctx


def _ignore_sigint() -> None:
    """Workers leave Ctrl-C to the parent, which cancels the run and stops them (no tracebacks)."""
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_here(indexed, options, records, on_point, cancel) -> Outcome:
    interrupted = False
    try:
        for k, point in indexed:
            if cancel is not None and cancel.is_set():
                interrupted = True
                break
            records[k] = solve_point(point, options)
            if on_point:
                on_point(k, records[k])
    except KeyboardInterrupt:
        interrupted = True
    return Outcome(records, interrupted, 1, "local")


def _run_dask(indexed, options, scheduler, records, on_point, cancel, chunk_size) -> Outcome:
    """The same chunks as tasks on a Dask cluster: the workers need this planner installed."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise UsageError("--scheduler needs Dask: pip install -e '.[dask]'") from None
    own = isinstance(scheduler, str)
    try:
        client = Client(scheduler, timeout="5s") if own else (
            scheduler if isinstance(scheduler, Client) else Client(scheduler))
    except (OSError, TimeoutError) as e:
        raise UsageError(f"--scheduler {scheduler}: cannot connect: {e}") from None
    interrupted = False
    try:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        size = chunk_size or max(1, math.ceil(len(indexed) / (n_workers * 4)))
        chunks = [indexed[i:i + size] for i in range(0, len(indexed), size)]
        futures = client.map(_solve_chunk, chunks, options=options, pure=False)
        try:
            for fut in as_completed(futures):
                if cancel is not None and cancel.is_set():
                    interrupted = True
                    break
                for k, recs in fut.result():
                    records[k] = recs
                    if on_point:
                        on_point(k, recs)
        except KeyboardInterrupt:
            interrupted = True
        if interrupted:
            client.cancel(futures)
        address = client.scheduler.address if hasattr(client, "scheduler") else str(scheduler)
    finally:
        if own or not isinstance(scheduler, Client):
            client.close()
    return Outcome(records, interrupted, n_workers, f"dask {address}")
