"""Many independent plan points solved on local worker processes or a Dask cluster.

A *point* is one plan (a sweep's grid point, a Monte Carlo sample): its baseline and chosen
interventions are solved together in one worker, because an intervention's effect and its reason
need the baseline of the same plan. Every solve builds a fresh solver (planner/pipeline/session.py), so a worker
keeps no state between points (beyond memos of numbers that depend only on their keys) and any
worker may take any point: results depend only on the points, never on the worker count or the
order in which workers finish.

Points travel in chunks (a few per worker) so that a cheap solve is not dominated by the cost of
sending it. Ctrl-C or a `cancel` event stops the run: queued chunks are cancelled, the local
pool is shut down, and what finished is returned with `interrupted=True`.
"""

from __future__ import annotations

import io
import math
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import TYPE_CHECKING, Any

from planner.errors import PlanError, UsageError
from planner.pipeline.arguments import whole

if TYPE_CHECKING:
    from planner.result import Result

Record = dict[str, Any]
"""One solved variant of a point: variant, objective, status, goal_year, delta, reason, structural, runtime."""
OnPoint = Callable[[int, list[Record]], None]
"""Told each point's records (its index, then one record per variant) as the point finishes."""

WORKERS_PER_CORE = 4
"""At most this many local workers per core: each solve is single-threaded, so more workers than
cores only share them, and every worker holds its own copy of the solver stack (~100 MB)."""
CONNECT_TIMEOUT = 5.0
"""Seconds to reach a Dask scheduler and complete its handshake (a silent or non-Dask peer fails)."""
NO_WORKERS_TIMEOUT = 30.0
"""Seconds a Dask run waits while the scheduler has no worker (none yet, or its last one died)."""
DASK_PROTOCOLS = ("tcp", "tls", "ws", "wss", "ucx")


@dataclass
class Point:
    """One plan to solve: its baseline and `interventions` (names; None = all of the plan's).
    `changes` ({path: value}) are applied where the point is solved, so that a large sweep does
    not build every plan in the calling process first. `task(point, options)`, a picklable
    function, solves the point instead of `solve_point` (the atlas's several deadlines at once)."""

    plan: Any
    interventions: list[str] | None = None
    changes: dict[str, Any] | None = None
    task: Callable[[Point, dict[str, Any]], list[Record]] | None = None  # solves it instead of solve_point


@dataclass(frozen=True)
class Outcome:
    """The solved points, in the order given (None where a point was not reached)."""

    records: list[list[Record] | None]
    interrupted: bool = False
    workers: int = 1
    where: str = "local"
    not_run: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        object.__setattr__(self, "not_run", sum(r is None for r in self.records))


def solve_point(point: Point, options: dict[str, Any], base: Result | None = None) -> list[Record]:
    """Baseline then each intervention of one plan: a record per variant with its objective,
    status, goal year, delta to the baseline and the plain-words reason (planner/explain.py).
    `base`, the baseline's Result when the caller knows the changes cannot move it (they set only
    an intervention's numbers), is used instead of solving it again."""
    from planner.explain import explain_change
    from planner.pipeline.session import Model

    if point.task is not None:
        return point.task(point, options)
    plan = point.plan
    if point.changes:
        try:
            plan = plan.with_changes(point.changes)
        except PlanError as e:
            at = ", ".join(f"{p} = {v!r}" for p, v in point.changes.items())
            raise PlanError(f"at {at}: {e.detail}", file=e.file, table=e.table, key=e.key) from None
    chosen = (
        [plan.intervention(n) for n in point.interventions]
        if point.interventions is not None
        else list(plan.interventions)
    )
    model = Model(plan, solver=options.get("solver", "highs"))
    solve_options = {k: v for k, v in options.items() if k != "solver"}
    base = model.solve(**solve_options) if base is None else base
    records = [_record(base, None, "")]
    for iv in chosen:
        model.update(iv)
        res = model.solve(**solve_options)
        delta = res.objective - base.objective if res.objective is not None and base.objective is not None else None
        records.append(_record(res, delta, explain_change(base, res, iv.deadline_shift)))
    return records


def _record(res: Result, delta: float | None, reason: str) -> Record:
    return {
        "variant": res.variant,
        "objective": res.objective,
        "status": res.status,
        "goal_year": res.goal_completion_year,
        "delta": delta,
        "reason": reason,
        "structural": "structural" in reason,
        "runtime": res.runtime,
    }


def _solve_chunk(chunk: list[tuple[int, Point]], options: dict[str, Any]) -> list[tuple[int, list[Record]]]:
    return [(k, solve_point(point, options)) for k, point in chunk]


def default_workers() -> int:
    """One worker per core this process may use (HiGHS solves these small MIPs single-threaded)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def max_workers() -> int:
    return WORKERS_PER_CORE * default_workers()


def check_workers(workers: Any, name: str = "workers") -> int | None:
    """None (one per core) or a whole number from 1 to `max_workers()`."""
    return None if workers is None else whole(workers, name, 1, max_workers())


def run(
    points: list[Point],
    options: dict[str, Any] | None = None,
    *,
    workers: int | None = None,
    scheduler: Any = None,  # an address, or a distributed Client or cluster (Dask has no stubs)
    on_point: OnPoint | None = None,
    cancel: threading.Event | None = None,
    chunk_size: int | None = None,
) -> Outcome:
    """Solve every point; `workers=1` solves here, in this process (no pool to start).

    `scheduler` is a Dask scheduler address (or a `distributed.Client`/`LocalCluster`); `on_point(k,
    records)` is called in this process as each point finishes; setting `cancel` stops the run as
    Ctrl-C does."""
    options = dict(options or {})
    if options.get("threads") is None:
        options["threads"] = 1  # workers are the parallelism; threads inside them would fight
    workers = check_workers(workers) or default_workers()
    if scheduler is not None and isinstance(scheduler, str):
        scheduler = check_scheduler(scheduler)
    records: list[list[Record] | None] = [None] * len(points)
    indexed = list(enumerate(points))
    if scheduler is not None:
        return _run_dask(indexed, options, scheduler, records, on_point, cancel, chunk_size)
    if workers == 1 or len(points) <= 1:
        return _run_here(indexed, options, records, on_point, cancel)
    size = chunk_size or max(1, math.ceil(len(points) / (workers * 4)))
    chunks = [indexed[i : i + size] for i in range(0, len(indexed), size)]
    interrupted = failed = False
    pool = ProcessPoolExecutor(max_workers=min(workers, len(chunks)), mp_context=_context(), initializer=_ignore_sigint)
    try:
        with _sigint_held():  # the workers and the forkserver start with Ctrl-C held, then ignore it
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
    except BaseException:  # a worker's error: stop the rest, then raise it here
        failed = True
        raise
    finally:
        if interrupted or failed:  # stop the chunks under way too: nobody will read them
            processes = list((pool._processes or {}).values())
            for proc in processes:  # first: a worker still starting needs the pool's queue to exist
                proc.terminate()
            for proc in processes:
                proc.join(timeout=5)
            pool.shutdown(wait=False, cancel_futures=True)
        else:
            pool.shutdown(wait=True)
    return Outcome(records, interrupted, workers, "local")


def _context():
    """Workers fork from a server process that has imported the solver stack once (the first run
    starts it; later runs reuse it), so starting a pool costs milliseconds, not an import of numpy
    and HiGHS per worker. Never a plain fork of this process: it may hold threads (a progress bar,
    a Dask client, a notebook kernel's) whose locks a forked child would inherit held.

    The workers do not import the caller's `__main__`, as multiprocessing's do: everything they run
    lives in this package, and a script without `if __name__ == "__main__":` (or a notebook) would
    otherwise run again in every worker and start pools of its own (BrokenProcessPool)."""
    try:
        ctx = get_context("forkserver")
    except ValueError:  # not on this platform (Windows): spawn, which needs the guard
        return get_context("spawn")
    ctx.set_forkserver_preload(["planner.analysis.runner", "planner.pipeline.session", "planner.explain"])
    return _WorkerContext()


try:
    from multiprocessing import (
        forkserver as _forkserver,
    )
    from multiprocessing import (
        popen_forkserver as _popen_forkserver,
    )
    from multiprocessing import (
        reduction as _reduction,
    )
    from multiprocessing import (
        spawn as _spawn,
    )
    from multiprocessing.context import ForkServerContext, ForkServerProcess, set_spawning_popen

    class _WorkerPopen(_popen_forkserver.Popen):
        """forkserver's own launch (Python 3.11-3.13), less the two keys that import `__main__`."""

        def _launch(self, process_obj):
            prep_data = {
                k: v
                for k, v in _spawn.get_preparation_data(process_obj._name).items()
                if k not in ("init_main_from_name", "init_main_from_path")
            }
            buf = io.BytesIO()
            set_spawning_popen(self)
            try:
                _reduction.dump(prep_data, buf)
                _reduction.dump(process_obj, buf)
            finally:
                set_spawning_popen(None)
            self.sentinel, w = _forkserver.connect_to_new_process(self._fds)
            _parent_w = os.dup(w)
            self.finalizer = _popen_forkserver.util.Finalize(
                self, _popen_forkserver.util.close_fds, (_parent_w, self.sentinel)
            )
            with open(w, "wb", closefd=True) as f:
                f.write(buf.getbuffer())
            self.pid = _forkserver.read_signed(self.sentinel)

    class _WorkerProcess(ForkServerProcess):
        @staticmethod
        def _Popen(process_obj):
            return _WorkerPopen(process_obj)

    class _WorkerContext(ForkServerContext):
        Process = _WorkerProcess
except ImportError:  # no forkserver here (Windows)
    pass


class _sigint_held:
    """Hold Ctrl-C while worker processes start. A Ctrl-C in the middle of a launch would leave a
    worker that is not yet the pool's, which then fails to read its task after the pool is gone
    (a forkserver traceback): here it is noted and raised on leaving, once every worker is the
    pool's. The workers (and the forkserver, while it imports the solver stack) start with the
    signal blocked, inherited from this thread, so they cannot die of it before `_ignore_sigint`."""

    def __enter__(self):
        self.pressed = False
        self.held = threading.current_thread() is threading.main_thread()
        if self.held:
            self.handler = signal.signal(signal.SIGINT, lambda *_: setattr(self, "pressed", True))
            if hasattr(signal, "pthread_sigmask"):
                signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        return self

    def __exit__(self, *exc):
        if self.held:
            if hasattr(signal, "pthread_sigmask"):
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
            signal.signal(signal.SIGINT, self.handler)
            if self.pressed and exc[0] is None:
                raise KeyboardInterrupt
        return False


def _ignore_sigint() -> None:
    """Workers leave Ctrl-C to the parent, which cancels the run and stops them (no tracebacks)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_here(
    indexed: list[tuple[int, Point]],
    options: dict[str, Any],
    records: list[list[Record] | None],
    on_point: OnPoint | None,
    cancel: threading.Event | None,
) -> Outcome:
    interrupted = False
    try:
        for k, point in indexed:
            if cancel is not None and cancel.is_set():
                interrupted = True
                break
            recs = records[k] = solve_point(point, options)
            if on_point:
                on_point(k, recs)
    except KeyboardInterrupt:
        interrupted = True
    return Outcome(records, interrupted, 1, "local")


def check_scheduler(address: str) -> str:
    """A Dask scheduler address PROTOCOL://HOST:PORT (or HOST:PORT, meaning tcp), checked before
    any connection: a typo is an error that says what the form is, not a traceback from Dask."""
    text = address.strip() if isinstance(address, str) else ""
    protocol, sep, rest = text.rpartition("://")
    protocol = protocol if sep else "tcp"
    host, colon, port = rest.rpartition(":")
    form = f"give PROTOCOL://HOST:PORT with PROTOCOL one of {', '.join(DASK_PROTOCOLS)}, e.g. tcp://127.0.0.1:8786"
    if protocol not in DASK_PROTOCOLS:
        hint = " (http is the dashboard's, not the scheduler's)" if protocol.startswith("http") else ""
        raise UsageError(f"--scheduler {address!r}: '{protocol}://' is not a Dask scheduler protocol{hint}; {form}")
    if not (colon and host.strip("[]") and port.isdigit() and 0 < int(port) < 65536):
        raise UsageError(f"--scheduler {address!r}: no HOST:PORT; {form}")
    return f"{protocol}://{rest}"


def _connect(address: str) -> Any:
    """A distributed.Client for `address`, or a one-line UsageError within CONNECT_TIMEOUT (plus
    a margin): Dask's own timeout covers the TCP connect but not a peer that accepts and then says
    nothing, and a peer that is not Dask makes it read a garbage frame length."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor
    from concurrent.futures import TimeoutError as FuturesTimeout

    from distributed import Client
    from distributed.comm import connect

    async def handshake() -> None:
        comm = await asyncio.wait_for(connect(address, timeout=CONNECT_TIMEOUT), CONNECT_TIMEOUT)
        await comm.close()

    probe = ThreadPoolExecutor(1)  # its own event loop: the caller may be running one (a notebook)
    try:
        probe.submit(asyncio.run, handshake()).result(timeout=CONNECT_TIMEOUT + 2)
    except (OSError, TimeoutError, FuturesTimeout):
        raise UsageError(
            f"--scheduler {address}: cannot connect: no Dask scheduler answered within {CONNECT_TIMEOUT:g} s "
            "(is it running, and is this its address?)"
        ) from None
    except Exception as e:  # MemoryError, a protocol error ...: whatever answered is not Dask
        raise UsageError(
            f"--scheduler {address}: what answers there is not a Dask scheduler ({type(e).__name__})"
        ) from None
    finally:
        probe.shutdown(wait=False)
    try:
        return Client(address, timeout=f"{CONNECT_TIMEOUT:g}s")
    except Exception as e:
        raise UsageError(f"--scheduler {address}: cannot connect: {e}".splitlines()[0]) from None


def _wait_for_workers(client: Any, address: str, since: float) -> int:
    """The number of workers, once there is one; a UsageError once there has been none for
    NO_WORKERS_TIMEOUT seconds since `since`."""
    while True:
        n = len(client.scheduler_info().get("workers", {}))
        if n:
            return n
        if time.monotonic() - since >= NO_WORKERS_TIMEOUT:
            raise UsageError(
                f"--scheduler {address}: the scheduler has had no worker for "
                f"{NO_WORKERS_TIMEOUT:g} s; start one with: dask worker {address} --nthreads 1"
            )
        time.sleep(0.5)


def _run_dask(
    indexed: list[tuple[int, Point]],
    options: dict[str, Any],
    scheduler: Any,  # an address, or a distributed Client or cluster (Dask has no stubs)
    records: list[list[Record] | None],
    on_point: OnPoint | None,
    cancel: threading.Event | None,
    chunk_size: int | None,
) -> Outcome:
    """The same chunks as tasks on a Dask cluster: the workers need this planner installed.

    A run with no worker to go to (none started, or the last one died) ends after
    NO_WORKERS_TIMEOUT with an error, instead of waiting forever."""
    try:
        from distributed import Client, KilledWorker
        from distributed import wait as dask_wait
    except ImportError:
        raise UsageError("--scheduler needs Dask: pip install -e '.[dask]'") from None
    own = isinstance(scheduler, str)
    client = _connect(scheduler) if own else (scheduler if isinstance(scheduler, Client) else Client(scheduler))
    interrupted = False
    try:
        address = client.scheduler.address if hasattr(client, "scheduler") else str(scheduler)
        n_workers = _wait_for_workers(client, address, time.monotonic())
        size = chunk_size or max(1, math.ceil(len(indexed) / (n_workers * 4)))
        chunks = [indexed[i : i + size] for i in range(0, len(indexed), size)]
        pending = set(client.map(_solve_chunk, chunks, options=options, pure=False))
        try:
            idle_since = None
            while pending:
                if cancel is not None and cancel.is_set():
                    interrupted = True
                    break
                try:
                    done, pending = dask_wait(list(pending), timeout=1.0, return_when="FIRST_COMPLETED")
                except TimeoutError:
                    done = set()
                for fut in done:
                    try:
                        chunk = fut.result()
                    except KilledWorker as e:
                        raise UsageError(
                            f"--scheduler {address}: the workers died solving a chunk ({e}); see their logs"
                        ) from None
                    for k, recs in chunk:
                        records[k] = recs
                        if on_point:
                            on_point(k, recs)
                if done or client.scheduler_info().get("workers"):
                    idle_since = None
                else:  # nothing finished and no worker to finish it: wait for one, but not forever
                    idle_since = idle_since or time.monotonic()
                    _wait_for_workers(client, address, idle_since)
        except KeyboardInterrupt:
            interrupted = True
        if pending:
            client.cancel(list(pending))
    finally:
        if own or not isinstance(scheduler, Client):
            client.close()
    return Outcome(records, interrupted, n_workers, f"dask {address}")
