"""Where a command's output goes: rich's console on stdout (a closed pipe ends like print()'s), the
solver's own log kept off a --json stdout, the live progress line, and one line per finished
variant on a terminal. Only the standard library at the top (see main.py)."""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from planner.progress import Progress
    from planner.result import Result


def variant_done(total: int) -> Callable[[Result], None]:
    """One line on stderr as each variant finishes, so a long comparison shows where it is."""
    done = [0]

    def report(result: Result) -> None:
        done[0] += 1
        if sys.stderr.isatty():
            print(
                f"[{done[0]}/{total}] {result.variant}: {result.status} in {result.runtime:.1f} s",
                file=sys.stderr,
                flush=True,
            )

    return report


def console() -> Console:
    """rich's console on stdout, except that a closed pipe raises BrokenPipeError for main to
    handle like print()'s (rich's own handler exits with code 1)."""
    from rich.console import Console

    class StdoutConsole(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError(errno.EPIPE, "stdout is closed")

    # emoji=False: a stream named ':x:' stays as written, and rich's emoji table (13 ms) is not loaded
    return StdoutConsole(emoji=False)


@contextlib.contextmanager
def solver_log(args: argparse.Namespace) -> Iterator[None]:
    """With --json, stdout carries only the JSON: whatever the solver prints (its --verbose log, or
    one turned on by a raw --option such as output_flag=true) goes to stderr instead."""
    if not args.json:
        yield
        return
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def live(args: argparse.Namespace) -> contextlib.AbstractContextManager[Callable[[Progress], None] | None]:
    """The live progress line on stderr (a terminal only, and not under the solver's own log)."""
    from planner import progress

    return contextlib.nullcontext() if args.verbose else progress.on_terminal()
