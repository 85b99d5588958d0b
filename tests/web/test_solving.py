"""The server's solves: a request that waits too long is told so (and the answer, when it comes, is
kept for the next request); requests for one state share one solve; errors are not cached."""
from __future__ import annotations

import asyncio
import threading
import time

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed (pip install -e '.[web]')")

from planner.errors import PlanError  # noqa: E402
from planner.web.solving import Solver, TooSlow  # noqa: E402


def run(coro) -> None:
    """Run a coroutine in a thread of its own (Playwright's sync API may hold this thread's loop)."""
    errors = []

    def target():
        try:
            asyncio.run(coro)
        except BaseException as e:  # re-raised in the test's thread
            errors.append(e)

    t = threading.Thread(target=target)
    t.start()
    t.join(60)
    if errors:
        raise errors[0]


def test_a_request_that_waits_too_long_is_told_and_the_answer_is_kept():
    solver = Solver()
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.5)
        return 42

    async def scenario():
        with pytest.raises(TooSlow, match="no answer within 0.1 s"):
            await solver.run("k", slow, wait=0.1)
        assert await solver.run("k", slow) == 42  # the same solve, still running, is awaited again
        assert await solver.run("k", slow) == 42  # and then comes from the cache

    run(scenario())
    assert calls == [1]
    solver.close()


def test_requests_for_one_state_share_one_solve_and_errors_are_not_kept():
    solver = Solver()
    started, release = [], threading.Event()

    def work():
        started.append(1)
        release.wait(5)
        return "answer"

    def broken():
        raise PlanError("no")

    async def scenario():
        first = asyncio.ensure_future(solver.run("s", work))
        second = asyncio.ensure_future(solver.run("s", work))
        await asyncio.sleep(0.1)
        release.set()
        assert await first == await second == "answer"
        for _ in range(2):
            with pytest.raises(PlanError):
                await solver.run("bad", broken)
        assert "bad" not in solver.cache

    run(scenario())
    assert started == [1]
    solver.close()
