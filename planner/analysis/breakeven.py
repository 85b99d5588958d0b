"""Break-even: the value of one numeric plan value at which an intervention stops losing.

The effect of an intervention (its optimum minus the baseline's) is a step function of most plan
values: deadlines count in whole periods, and a serial chain either fits or not. So the search
does not assume a root: it scans the range for a change of verdict ("breaks even" = the effect is
at least zero, within the solver's tolerance), then bisects that bracket with exact solves until
it is narrower than the tolerance, and reports the bracket. Where the effect is continuous the
bracket closes on the crossing point; where it jumps, the bracket is the interval where the
verdict flips. Where nothing in the range breaks even, the reason is the intervention's own
explanation at the value that came closest (e.g. a serial chain longer than the deadline).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import PlanError
from ..overrides import get
from ..parallel import Point, solve_point
from ..plan import Plan

EVEN = 1e-7
"""An effect at or above -EVEN breaks even: differences below this are solver tolerance."""


@dataclass
class BreakEven:
    intervention: str
    path: str
    low: float
    high: float
    tolerance: float
    value: float | None              # the breaking-even end of the flip interval, or None
    interval: tuple[float, float] | None   # (value where the verdict is one way, where it is the other)
    kind: str                        # "step", "continuous", "none", "always"
    reason: str
    evaluations: list[dict] = field(default_factory=list)   # every point solved, in order

    def to_dict(self) -> dict:
        return {"intervention": self.intervention, "path": self.path, "range": [self.low, self.high],
                "tolerance": self.tolerance, "value": self.value,
                "interval": list(self.interval) if self.interval else None, "kind": self.kind,
                "reason": self.reason, "evaluations": self.evaluations}

    def to_frame(self):
        import pandas as pd
        return pd.DataFrame(self.evaluations, columns=["value", "baseline", "intervention", "delta", "reason"])


def default_range(current: float) -> tuple[float, float]:
    """Without --range: 0 to 10x a positive value (multipliers, supplies, durations), else +-10."""
    if current > 0:
        return 0.0, 10.0 * current
    return current - 10.0, current + 10.0


def breakeven(plan: Plan, intervention: str, path: str, *, low: float | None = None,
              high: float | None = None, tolerance: float | None = None, samples: int = 9,
              **options) -> BreakEven:
    """Find where `intervention`'s effect crosses zero as `path` runs over [low, high]."""
    iv = plan.intervention(intervention)
    current = get(plan, path)
    if isinstance(current, bool) or not isinstance(current, (int, float)):
        raise PlanError(f"break-even varies a number, and this path holds {current!r}", key=path)
    if low is None or high is None:
        dlo, dhi = default_range(float(current))
        low, high = (dlo if low is None else low), (dhi if high is None else high)
    if not high > low:
        raise PlanError(f"the range needs LO < HI, got {low:g}:{high:g}", key=path)
    tolerance = tolerance or (high - low) * 1e-4
    options.pop("cross_check", None)
    evaluations: list[dict] = []

    def effect(v: float) -> dict:
        try:
            changed = plan.with_changes({path: v})
        except PlanError as e:
            raise PlanError(f"at {path} = {v:g}: {e.detail} (give a --range inside the valid values)",
                            key=path) from None
        base, res = solve_point(Point(changed, [iv.name]), options)
        for r in (base, res):
            if r["status"] != "optimal":
                raise PlanError(f"at {path} = {v:g} the {r['variant']} solve ended '{r['status']}', so "
                                "no exact verdict: give more --time-limit or a narrower --range", key=path)
        row = {"value": v, "baseline": base["objective"], "intervention": res["objective"],
               "delta": res["delta"], "reason": res["reason"]}
        evaluations.append(row)
        return row

    values = [low + (high - low) * k / (samples - 1) for k in range(samples)]
    rows = [effect(v) for v in values]
    even = [r["delta"] >= -EVEN for r in rows]
    flips = [k for k in range(samples - 1) if even[k] != even[k + 1]]
    common = dict(intervention=iv.name, path=path, low=low, high=high, tolerance=tolerance,
                  evaluations=evaluations)
    if not flips:
        best = max(rows, key=lambda r: r["delta"])
        if even[0]:
            return BreakEven(value=None, interval=None, kind="always", reason=(
                f"{iv.name} breaks even or gains at every value of {path} tried in [{low:g}, {high:g}] "
                f"(the smallest effect is {min(r['delta'] for r in rows):+.6g})"), **common)
        return BreakEven(value=None, interval=None, kind="none", reason=(
            f"nothing in {path} = [{low:g}, {high:g}] breaks even: {iv.name} loses at every value tried "
            f"(at best {best['delta']:+.6g}, at {best['value']:g}): {_why(best['reason'])}"), **common)
    # the flip nearest the plan's own value
    k = min(flips, key=lambda j: abs((values[j] + values[j + 1]) / 2 - float(current)))
    a, b = rows[k], rows[k + 1]
    while abs(b["value"] - a["value"]) > tolerance:
        m = effect((a["value"] + b["value"]) / 2)
        if (m["delta"] >= -EVEN) == (a["delta"] >= -EVEN):
            a = m
        else:
            b = m
    good, bad = (a, b) if a["delta"] >= -EVEN else (b, a)
    good, bad = _snap(good, bad, effect)
    kind = "step" if abs(good["delta"] - bad["delta"]) > 1e-6 else "continuous"
    others = f"; the verdict also flips elsewhere in the range ({len(flips) - 1} more)" if len(flips) > 1 else ""
    if kind == "step":
        reason = (f"the verdict flips between {path} = {bad['value']:.6g} ({iv.name} loses "
                  f"{bad['delta']:+.6g}: {_why(bad['reason'])}) and {good['value']:.6g} (effect "
                  f"{good['delta']:+.6g}){others}")
    else:
        reason = f"{iv.name}'s effect crosses zero at {path} = {good['value']:.6g} (within {tolerance:.2g}){others}"
    return BreakEven(value=good["value"], interval=(bad["value"], good["value"]), kind=kind, reason=reason,
                     **common)


def _snap(good: dict, bad: dict, effect) -> tuple[dict, dict]:
    """A step sits on a round number more often than not (a deadline shift of exactly -1 years):
    try the roundest number inside the bracket, so the answer is -1, not -0.99902."""
    lo, hi = sorted((good["value"], bad["value"]))
    for digits in range(0, 7):
        c = round((lo + hi) / 2, digits)
        if lo <= c <= hi and c != bad["value"]:
            if c == good["value"]:
                return good, bad
            m = effect(float(c))
            return (m, bad) if m["delta"] >= -EVEN else (good, m)
    return good, bad


def _why(reason: str) -> str:
    return reason.rstrip(".") or "no structural reason found"
