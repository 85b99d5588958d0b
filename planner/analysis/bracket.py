"""The bracket arithmetic of a break-even search (planner/analysis/breakeven.py): what counts as
breaking even, when a bracket is closed, its midpoint (in value, or in the floats when its ends
differ by orders of magnitude), the roundest number inside it, and the nearest-flip search's memo
of verdicts (`NearestFlip`), which the verdict's robustness uses."""

from __future__ import annotations

import math
import struct
from collections.abc import Callable
from typing import Any

EVEN = 1e-7
"""An effect at or above -EVEN breaks even: differences below this are solver tolerance."""
RELATIVE = 1e-4
"""Without a tolerance, the bracket closes to this fraction of the value (four significant digits)."""
SETTLED = 1e-6
"""A value whose structural limit alone loses by more than this is not solved (NearestFlip): a
margin of ten times EVEN over the limit's own rounding."""
MISSES = 2
"""Guesses of the crossing that did not halve the bracket before NearestFlip only halves it."""


def closed(a: float, b: float, tolerance: float | None) -> bool:
    """Narrower than the tolerance, or (without one) than RELATIVE of the larger end."""
    return abs(b - a) <= (tolerance if tolerance else RELATIVE * max(abs(a), abs(b)))


def midpoint(a: float, b: float) -> float:
    """The halfway point of the bracket, or, where its ends differ by orders of magnitude (or in
    sign), the halfway float: over a range such as -1e300:1e300 plain halving would take a
    thousand solves to come near -1, and halving the floats takes at most 64."""
    lo, hi = sorted((a, b))
    if lo > 0 and hi <= 2 * lo or hi < 0 and lo >= 2 * hi:
        return (a + b) / 2
    return _from_order((_order(lo) + _order(hi)) // 2)


def _order(x: float) -> int:
    """Floats as integers in the same order (neighbouring floats are neighbouring integers)."""
    i = struct.unpack("<q", struct.pack("<d", x))[0]
    return i if i >= 0 else -(i & 0x7FFFFFFFFFFFFFFF)


def _from_order(i: int) -> float:
    return struct.unpack("<d", struct.pack("<q", i if i >= 0 else (-i) | -0x8000000000000000))[0]


class NearestFlip:
    """The nearest-flip search's memo of verdicts: a value solved once (`row`), and a value whose
    structural limit alone loses by more than SETTLED (`settled`) not solved for its verdict."""

    def __init__(
        self,
        effect: Callable[[float], dict[str, Any]],
        limit: Callable[[float], float | None] | None,
        tolerance: float | None,
    ) -> None:
        self.effect, self.limit, self.tolerance = effect, limit, tolerance
        self.solved: dict[float, dict[str, Any]] = {}
        self.settled: dict[float, float] = {}

    def row(self, v: float) -> dict[str, Any]:
        if v not in self.solved:
            self.solved[v] = self.effect(v)
        return self.solved[v]

    def even(self, v: float) -> bool:
        if v in self.solved:
            return bool(self.solved[v]["gain"] >= -EVEN)
        if v in self.settled:
            return False
        if self.limit is not None:
            gain = self.limit(v)
            if gain is not None and gain < -SETTLED:
                self.settled[v] = gain
                return False
        return bool(self.row(v)["gain"] >= -EVEN)

    def close(self, a: float, b: float) -> tuple[dict[str, Any], dict[str, Any]]:
        """Narrow the bracket [a, b] (verdicts differ) until closed, and return its (breaking-even,
        losing) rows. Guesses come before halving, each followed by the value one tolerance from it
        towards the other verdict, so that a right guess closes the bracket in two solves: first
        the roundest number inside (a step on a round number, such as a deadline in whole years),
        then, while the effect is solved at both ends, where the line between them crosses zero (a
        continuous effect); after MISSES guesses that did not halve the bracket, halving alone, so
        the solves are never more than halving's and a few."""
        ends = {self.even(a): a, self.even(b): b}
        step = self.tolerance or RELATIVE * max(abs(a), abs(b))
        c, misses, first = roundest(a, b), 0, True
        while not closed(ends[True], ends[False], self.tolerance):
            if c is not None:
                width = abs(ends[True] - ends[False])
                self._probe(ends, c, step, first)
                halved = abs(ends[True] - ends[False]) <= width / 2 or closed(ends[True], ends[False], self.tolerance)
                misses += not (halved or first)
            else:
                lo, hi = ends[True], ends[False]
                mid = (lo + hi) / 2 if self.tolerance and abs(hi - lo) < 2**40 * self.tolerance else midpoint(lo, hi)
                if mid in (lo, hi):  # neighbouring floats: nothing lies between them
                    break
                ends[self.even(mid)] = mid
            first = False
            c = self._crossing(ends[True], ends[False], step) if misses < MISSES else None
        return self.row(ends[True]), self.row(ends[False])

    def _probe(self, ends: dict[bool, float], c: float, step: float, round_guess: bool) -> None:
        """Try guess `c` and, if it is the round guess or its effect is near zero (within a quarter
        of the smaller end's: not a step's plateau), the value `step` from it towards the other
        verdict; each moves the end of its verdict."""
        span = min(abs(self.solved[v]["gain"]) if v in self.solved else math.inf for v in ends.values())
        ends[self.even(c)] = c
        gain = self.solved[c]["gain"] if c in self.solved else -math.inf
        near = round_guess or abs(gain) <= span / 4
        other = ends[not self.even(c)]
        p = c + step if other > c else c - step
        while not closed(p, c, self.tolerance):  # rounding: a step just inside the tolerance
            p = math.nextafter(p, c)
        if near and min(c, other) < p < max(c, other):
            ends[self.even(p)] = p

    def _crossing(self, good: float, bad: float, step: float) -> float | None:
        """Where the line through the effects solved at `good` and `bad` crosses zero, moved a
        tenth of `step` towards `good` (so that it breaks even when the line is right); None
        unless both are solved and it falls inside with a `step` to spare."""
        if good not in self.solved or bad not in self.solved:
            return None
        g, b = self.solved[good]["gain"], self.solved[bad]["gain"]
        x = bad + (good - bad) * (-b / (g - b)) + (step / 10 if good > bad else -step / 10)
        return x if min(good, bad) + step < x < max(good, bad) - step else None


def last_valid(valid: Callable[[float], bool], inside: float, outside: float, steps: int = 60) -> float:
    """The value nearest `outside` that `valid` still accepts, from `inside` (accepted) towards
    `outside` (refused), by halving: the plan's own rules decide (a probability's `0 < P <= 1`, a
    minimum below its maximum), so a default range never asks for a plan that cannot exist."""
    for _ in range(steps):
        if closed(inside, outside, None) and inside != 0:
            break
        mid = (inside + outside) / 2
        if mid in (inside, outside):
            break
        if valid(mid):
            inside = mid
        else:
            outside = mid
    return inside


def roundest(a: float, b: float) -> float | None:
    """The number with the fewest decimals (up to 6) strictly inside (a, b), nearest its middle."""
    lo, hi = sorted((a, b))
    for digits in range(0, 7):
        c = float(round((lo + hi) / 2, digits)) + 0.0  # + 0.0: 0, not -0
        if lo < c < hi:
            return c
    return None
