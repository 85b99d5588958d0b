"""Live progress of a long solve: elapsed time, the best plan's objective, the bound and the gap.

A solver backend reports to whatever `watch()` has installed in the current context (a context
variable, so two threads solving at once each report to their own watcher, and a worker process
reports to none). The command line installs `StderrLine` when stderr is a terminal; a notebook
can install any callable, for instance to draw its own bar. Reports start once a solve has run
for `AFTER` seconds, so short solves print nothing.
"""

from __future__ import annotations

import contextlib
import contextvars
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import SupportsFloat, TextIO

AFTER = 2.0  # seconds a solve runs before its progress is shown
EVERY = 0.25  # seconds between two reports


@dataclass(frozen=True)
class Progress:
    """One report. `incumbent`, `bound` and `gap` are None until the solver has them (and stay
    None for the solver's phases that have no MIP yet, such as presolve)."""

    elapsed: float
    incumbent: float | None = None
    bound: float | None = None
    gap: float | None = None
    done: bool = False  # the solve ended: a display clears its line


_watcher: contextvars.ContextVar[Callable[[Progress], None] | None] = contextvars.ContextVar(
    "planner_progress", default=None
)


def current() -> Callable[[Progress], None] | None:
    return _watcher.get()


@contextlib.contextmanager
def watch(callback: Callable[[Progress], None]) -> Iterator[Callable[[Progress], None]]:
    """Send every solve's progress inside the block to `callback`."""
    token = _watcher.set(callback)
    try:
        yield callback
    finally:
        _watcher.reset(token)


class Reporter:
    """Throttles one solve's reports to a watcher: the first after AFTER seconds, then one every
    EVERY seconds, and a final `done` report only if anything was shown."""

    def __init__(self, callback: Callable[[Progress], None] | None) -> None:
        self.callback, self.start, self.last, self.shown = callback, time.perf_counter(), 0.0, False

    def tick(
        self,
        incumbent: SupportsFloat | None = None,
        bound: SupportsFloat | None = None,
        gap: SupportsFloat | None = None,
    ) -> None:
        if self.callback is None:
            return
        now = time.perf_counter()
        elapsed = now - self.start
        if elapsed < AFTER or now - self.last < EVERY:
            return
        self.last, self.shown = now, True
        self.callback(Progress(elapsed, _finite(incumbent), _finite(bound), _finite(gap)))

    def finish(self) -> None:
        if self.callback is not None and self.shown:
            self.callback(Progress(time.perf_counter() - self.start, done=True))


def _finite(v: SupportsFloat | None) -> float | None:
    if v is None:
        return None
    x = float(v)
    return x if abs(x) < 1e30 else None


class StderrLine:
    """The command line's display: one line on stderr, rewritten in place and cleared at the end,
    so it never mixes with the results on stdout (or with `--json`)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.width = 0

    def __call__(self, p: Progress) -> None:
        if p.done:
            text = ""
        else:
            parts = [f"solving: {p.elapsed:6.1f} s"]
            parts.append("best plan " + ("none yet" if p.incumbent is None else f"{p.incumbent:.6g}"))
            if p.bound is not None:
                parts.append(f"bound {p.bound:.6g}")
            if p.gap is not None:
                parts.append(f"gap {100 * p.gap:.2f}%")
            text = "  ".join(parts)
        pad = max(0, self.width - len(text))
        self.stream.write("\r" + text + " " * pad + ("\r" if p.done else ""))
        self.stream.flush()
        self.width = len(text)


def on_terminal() -> contextlib.AbstractContextManager[Callable[[Progress], None] | None]:
    """A StderrLine if stderr is a terminal, else nothing (a log file gets no carriage returns)."""
    try:
        tty = sys.stderr.isatty()
    except (AttributeError, ValueError):
        tty = False
    return watch(StderrLine()) if tty else contextlib.nullcontext()
