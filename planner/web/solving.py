"""The solves behind the page: each in a worker thread (the event loop keeps answering), each with
a time limit, and each answer kept in a small cache keyed by the state (the changes), so the
charts and downloads of a view reuse the comparison its verdict came from, and two tabs asking the
same question share one solve.

Limits (docs/web.md): every solve stops after SOLVE_SECONDS (the best plan found by then is kept
and marked `time_limit`); a request waits for its answer at most WAIT_SECONDS, then says so (the
solve finishes in the background and its answer is cached); WORKERS solves run at once.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

SOLVE_SECONDS = 10.0
WAIT_SECONDS = 30.0
WORKERS = 2
CACHED = 64
"""Answers kept (least recently used dropped first)."""

T = TypeVar("T")


class TooSlow(Exception):
    """A request's answer did not come within WAIT_SECONDS."""


class Solver:
    """Thread pools and a cache of answers by key. `run(key, fn)` is the answer of `fn()`:
    cached, or shared with a request already computing it, or computed in a worker thread (solves
    in `pool`; with `draw=True` charts in `draw_pool`, one at a time, since matplotlib's pyplot is
    not thread-safe, so a chart never holds up a solve)."""

    def __init__(self, workers: int = WORKERS) -> None:
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="planner-solve")
        self.draw_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="planner-draw")
        self.cache: OrderedDict[Hashable, Any] = OrderedDict()
        self.running: dict[Hashable, asyncio.Future[Any]] = {}

    async def run(self, key: Hashable, fn: Callable[[], T], *, draw: bool = False, wait: float = WAIT_SECONDS) -> T:
        if key in self.cache:
            self.cache.move_to_end(key)
            return self.cache[key]
        future = self.running.get(key)
        if future is None:
            future = asyncio.get_running_loop().run_in_executor(self.draw_pool if draw else self.pool, fn)
            self.running[key] = future
            future.add_done_callback(lambda f: self._done(key, f))
        try:
            return await asyncio.wait_for(asyncio.shield(future), wait)
        except TimeoutError:
            raise TooSlow(f"no answer within {wait:g} s; it is still being worked out (try again shortly)") from None

    def _done(self, key: Hashable, future: asyncio.Future[Any]) -> None:
        self.running.pop(key, None)
        if future.cancelled() or future.exception() is not None:
            return
        self.cache[key] = future.result()
        while len(self.cache) > CACHED:
            self.cache.popitem(last=False)

    async def draw(self, fn: Callable[[], T]) -> T:
        """`fn()` (a chart, not cached) in the drawing thread."""
        return await asyncio.get_running_loop().run_in_executor(self.draw_pool, fn)

    def close(self) -> None:
        """Stop taking work; solves under way end at their time limit."""
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.draw_pool.shutdown(wait=False, cancel_futures=True)
