"""Checks of the analyses' arguments, shared by the library and the command line.

Each check takes a value and the name it goes by, returns the value, and raises `UsageError` (the
one documented type for a bad argument) saying what is allowed. The library calls them at its
boundary (`sweep`, `breakeven`, `margins`, `montecarlo`, `evpi`, `parallel.run`); the CLI's
argument types call the same functions (`cli_type`), so both refuse the same values.
"""
from __future__ import annotations

import argparse
import math
import numbers
from typing import Any, Callable

from ..errors import UsageError

MAX_SAMPLES = 1_000_000
"""Monte Carlo samples per run: all are drawn, and their plans built, before any solve."""


def whole(value: Any, name: str, lo: int = 1, hi: int | None = None) -> int:
    """A whole number in [lo, hi] (not a bool, not 2.0)."""
    if not (isinstance(value, numbers.Integral) and not isinstance(value, bool)
            and lo <= value and (hi is None or value <= hi)):
        span = f"from {lo:,} to {hi:,}" if hi is not None else f">= {lo:,}"
        raise UsageError(f"{name} must be a whole number {span}, got {value!r}".lstrip())
    return int(value)


def number(value: Any, name: str, *, above: float | None = None, at_least: float | None = None,
           at_most: float | None = None) -> float:
    """A finite real number, optionally > `above`, >= `at_least`, <= `at_most`."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    ok = ok and (above is None or value > above) and (at_least is None or value >= at_least) \
        and (at_most is None or value <= at_most)
    if not ok:
        bounds = [f"> {above:g}" if above is not None else "", f">= {at_least:g}" if at_least is not None else "",
                  f"<= {at_most:g}" if at_most is not None else ""]
        span = " and ".join(b for b in bounds if b)
        raise UsageError(f"{name} must be a finite number{' ' + span if span else ''}, got {value!r}".lstrip())
    return float(value)


def optional(check: Callable, value: Any, name: str, **bounds):
    """None (the default) or a value that passes `check`."""
    return None if value is None else check(value, name, **bounds)


def cli_type(check: Callable, parse: Callable[[str], Any], **bounds) -> Callable[[str], Any]:
    """An argparse `type=` that parses the text and applies the library's own check."""
    def convert(text: str):
        try:
            value = parse(text)
        except ValueError:
            value = text
        try:
            return check(value, "", **bounds)
        except UsageError as e:
            raise argparse.ArgumentTypeError(str(e)) from None
    return convert
