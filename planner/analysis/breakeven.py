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

import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from planner.analysis.runner import Point, solve_point
from planner.errors import PlanError
from planner.instance.resolve import resolve
from planner.pipeline.arguments import number, optional, whole
from planner.plan.paths import get, plan_data
from planner.plan.schema import Plan
from planner.solvers.status import SolveStatus

if TYPE_CHECKING:
    import pandas as pd

    from planner.result import Result

EVEN = 1e-7
"""An effect at or above -EVEN breaks even: differences below this are solver tolerance."""
RELATIVE = 1e-4
"""Without a tolerance, the bracket closes to this fraction of the value (four significant digits)."""
MAX_SAMPLES = 1_000


@dataclass(frozen=True)
class BreakEven:
    """Where one plan number makes an intervention break even: the value and bracket found, how
    the verdict changes there (`kind`), why in words, and every point solved on the way."""

    intervention: str
    path: str
    low: float
    high: float
    tolerance: float | None  # None: none given, and no bracket was closed
    value: float | None  # the breaking-even end of the flip interval, or None
    interval: tuple[float, float] | None  # (value where the verdict is one way, where it is the other)
    kind: str  # "step", "continuous", "none", "always"
    reason: str
    evaluations: list[dict[str, Any]] = field(default_factory=list)  # every point solved, in order
    pool: str | None = None  # with `breakeven_fte`: the pool the FTE are added to (value in FTE)
    researcher_years: float | None = None  # and what the break-even FTE give, up to the goal (or deadline)
    until_years: float | None = None  # the years they count for: the goal's finish, or the deadline

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "intervention": self.intervention,
            "path": self.path,
            "range": [self.low, self.high],
            "tolerance": self.tolerance,
            "value": self.value,
            "interval": list(self.interval) if self.interval else None,
            "kind": self.kind,
            "reason": self.reason,
            "evaluations": self.evaluations,
        }
        if self.pool is not None:
            out.update(
                pool=self.pool,
                fte_per_year=self.value,
                researcher_years=self.researcher_years,
                until_years=self.until_years,
            )
        return out

    def fte_sentence(self) -> str:
        """The `breakeven_fte` answer in words: FTE every year, and researcher-years until the goal."""
        until = "the goal is met" if self.kind != "none" and self.until_years is not None else "the deadline"
        return (
            f"{self.value:,.4g} more FTE of {self.pool} every year from the start make {self.intervention} "
            f"break even: {self.value:,.4g} FTE a year, {self.researcher_years:,.4g} researcher-years "
            f"(until {until}, at year {self.until_years:.4g})"
        )

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.evaluations, columns=["value", "baseline", "intervention", "delta", "reason"])


def default_range(current: float) -> tuple[float, float]:
    """Without --range: 0 to 10x a positive value (multipliers, supplies, durations), else +-10."""
    if current > 0:
        return 0.0, 10.0 * current
    return current - 10.0, current + 10.0


def breakeven(
    plan: Plan,
    intervention: str,
    path: str,
    *,
    low: float | None = None,
    high: float | None = None,
    tolerance: float | None = None,
    samples: int = 9,
    **options: Any,
) -> BreakEven:
    """Find the value of one plan number at which `intervention` stops losing to the baseline.

    `intervention`: its name. `path`: the dotted plan path of a number, e.g.
    'interventions."capabilities work".deadline_shift'. `low`, `high`: the range searched
    (default: 0 to 10x a positive current value, else the current value +-10). `tolerance`: the
    width at which the bracket counts as closed (default: 1/10,000 of the value found).
    `samples`: scan points before bisecting (2 to 1,000). `options`: `Model.solve`'s plus `solver`.

    Returns a BreakEven: `value` (the breaking-even end of the bracket, None if nothing in the
    range breaks even), `interval`, `kind` ("step", "continuous", "none", "always"), `reason` in
    words, and every solve in `evaluations` (`to_frame()`, `to_dict()`). A path that holds no
    number, or an empty range, raises PlanError."""
    low, high = optional(number, low, "low"), optional(number, high, "high")
    tolerance = optional(number, tolerance, "tolerance", above=0)
    samples = whole(samples, "samples", 2, MAX_SAMPLES)
    iv = plan.intervention(intervention)
    current = get(plan, path)
    if isinstance(current, bool) or not isinstance(current, (int, float)):
        raise PlanError(f"break-even varies a number, and this path holds {current!r}", key=path)
    if low is None or high is None:
        dlo, dhi = default_range(float(current))
        low, high = (dlo if low is None else low), (dhi if high is None else high)
    if not high > low:
        raise PlanError(f"the range needs LO < HI, got {low:g}:{high:g}", key=path)
    options.pop("cross_check", None)
    evaluations: list[dict[str, Any]] = []
    sign = -1.0 if plan.plan.objective == "earliest" else 1.0
    fixed_base = path.startswith("interventions.")
    known: list[Result] = []  # the baseline, when the path cannot move it

    def effect(v: float) -> dict[str, Any]:
        try:
            changed = plan.with_changes({path: v})
        except PlanError as e:
            raise PlanError(
                f"at {path} = {v:g}: {e.detail} (give a --range inside the valid values)", key=path
            ) from None
        if fixed_base and not known:  # the intervention's own numbers cannot move the baseline
            from planner.pipeline.session import Model

            known.append(
                Model(plan, solver=options.get("solver", "highs")).solve(
                    **{k: x for k, x in options.items() if k != "solver"}
                )
            )
        base, res = solve_point(Point(changed, [iv.name]), options, base=known[0] if fixed_base else None)
        for r in (base, res):
            if r["status"] != SolveStatus.OPTIMAL:
                raise PlanError(
                    f"at {path} = {v:g} the {r['variant']} solve ended '{r['status']}', so "
                    "no exact verdict: give more --time-limit or a narrower --range",
                    key=path,
                )
        row = {
            "value": v,
            "baseline": base["objective"],
            "intervention": res["objective"],
            "delta": res["delta"],
            "reason": res["reason"],
            # the effect in the objective's own direction: for `earliest` a later goal loses
            "gain": None if res["delta"] is None else sign * res["delta"],
        }
        evaluations.append(row)
        return row

    values = [low + (high - low) * k / (samples - 1) for k in range(samples)]
    rows = [effect(v) for v in values]
    even = [r["gain"] >= -EVEN for r in rows]
    flips = [k for k in range(samples - 1) if even[k] != even[k + 1]]
    common: dict[str, Any] = dict(intervention=iv.name, path=path, low=low, high=high, evaluations=evaluations)
    if not flips:
        best = max(rows, key=lambda r: r["gain"])
        if even[0]:
            return BreakEven(
                value=None,
                interval=None,
                kind="always",
                tolerance=tolerance,
                reason=(
                    f"{iv.name} breaks even or gains at every value of {path} tried in [{low:g}, {high:g}] "
                    f"(the smallest effect is {min(r['delta'] for r in rows):+.6g})"
                ),
                **common,
            )
        return BreakEven(
            value=None,
            interval=None,
            kind="none",
            tolerance=tolerance,
            reason=(
                f"nothing in {path} = [{low:g}, {high:g}] breaks even: {iv.name} loses at every value tried "
                f"(at best {best['delta']:+.6g}, at {best['value']:g}): {_why(best['reason'])}"
            ),
            **common,
        )
    # the flip nearest the plan's own value
    k = min(flips, key=lambda j: abs((values[j] + values[j + 1]) / 2 - float(current)))
    a, b = rows[k], rows[k + 1]
    while not _closed(a["value"], b["value"], tolerance):
        mid = _midpoint(a["value"], b["value"])
        if mid in (a["value"], b["value"]):  # neighbouring floats: nothing lies between them
            break
        m = effect(mid)
        if (m["gain"] >= -EVEN) == (a["gain"] >= -EVEN):
            a = m
        else:
            b = m
    good, bad = (a, b) if a["gain"] >= -EVEN else (b, a)
    good, bad = _snap(good, bad, effect)
    tolerance = tolerance or RELATIVE * max(abs(good["value"]), abs(bad["value"]))
    kind = _kind(rows[k], rows[k + 1], good, bad)
    others = f"; the verdict also flips elsewhere in the range ({len(flips) - 1} more)" if len(flips) > 1 else ""
    if kind == "step":
        reason = (
            f"the verdict flips between {path} = {bad['value']:.6g} ({iv.name} loses "
            f"{bad['delta']:+.6g}: {_why(bad['reason'])}) and {good['value']:.6g} (effect "
            f"{good['delta']:+.6g}){others}"
        )
    else:
        reason = f"{iv.name}'s effect crosses zero at {path} = {good['value']:.6g} (within {tolerance:.2g}){others}"
    return BreakEven(
        value=good["value"],
        interval=(bad["value"], good["value"]),
        kind=kind,
        reason=reason,
        tolerance=tolerance,
        **common,
    )


def _kind(a: dict[str, Any], b: dict[str, Any], good: dict[str, Any], bad: dict[str, Any]) -> str:
    """'step' if the effect jumps across the final bracket [bad, good] by more than ten times what
    the scan bracket [a, b]'s slope gives over that width (a continuous effect's jump shrinks with
    the bracket, a step's does not); 'continuous' otherwise, or when the jump is below 1e-6."""
    jump = abs(good["delta"] - bad["delta"])
    slope = abs(a["delta"] - b["delta"]) / abs(a["value"] - b["value"])
    return "step" if jump > max(1e-6, 10 * slope * abs(good["value"] - bad["value"])) else "continuous"


def _closed(a: float, b: float, tolerance: float | None) -> bool:
    """Narrower than the tolerance, or (without one) than RELATIVE of the larger end."""
    return abs(b - a) <= (tolerance if tolerance else RELATIVE * max(abs(a), abs(b)))


def _midpoint(a: float, b: float) -> float:
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


def _snap(
    good: dict[str, Any], bad: dict[str, Any], effect: Callable[[float], dict[str, Any]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A step sits on a round number more often than not (a deadline shift of exactly -1 years):
    try the roundest number inside the bracket, so the answer is -1, not -0.99902."""
    lo, hi = sorted((good["value"], bad["value"]))
    for digits in range(0, 7):
        c = round((lo + hi) / 2, digits)
        if lo <= c <= hi and c != bad["value"]:
            if c == good["value"]:
                return good, bad
            m = effect(float(c))
            return (m, bad) if m["gain"] >= -EVEN else (good, m)
    return good, bad


def _why(reason: str) -> str:
    return reason.rstrip(".") or "no structural reason found"


def breakeven_fte(
    plan: Plan,
    intervention: str,
    pool: str,
    *,
    low: float | None = None,
    high: float | None = None,
    tolerance: float | None = None,
    samples: int = 9,
    **options: Any,
) -> BreakEven:
    """How many more FTE of `pool`, in every period from the start, make `intervention` break even.

    The FTE are one more supply change appended to the intervention (`add`, after its own
    multiplies), searched as `breakeven` searches any value, from 0 to 10x the pool's largest
    supply unless `low`/`high` say otherwise; the answer is also given as the researcher-years
    those FTE give up to the goal's continuous finish (up to the deadline, for `value`)."""
    from planner.analysis.margins import goal_finish_years, years_before_deadline
    from planner.pipeline.session import Model
    from planner.plan.paths import did_you_mean

    iv = plan.intervention(intervention)
    pools = [p.name for p in plan.pools]
    if pool not in pools:
        raise PlanError(f"no pool '{pool}'" + did_you_mean(pool, pools), key="add_fte")
    if iv.choose or iv.units <= 0:
        raise PlanError(
            f"adding FTE to '{iv.name}' needs a fixed positive amount of it: give it units = "
            "the level to look at (not choose = true, nor units = 0)",
            key="units",
        )
    if '"' in iv.name and "'" in iv.name:
        raise PlanError(
            f"the intervention name {iv.name!r} holds both kinds of quote, so no path reaches it", key="add_fte"
        )
    quoted = f"'{iv.name}'" if '"' in iv.name else f'"{iv.name}"'
    changes = [*plan_data(iv).get("supply", []), {"pool": pool, "add": 0.0}]
    with_add = plan.with_changes({f"interventions.{quoted}.supply": changes})
    path = f"interventions.{quoted}.supply.{len(changes) - 1}.add"
    units = iv.units  # an add counts `units` times: search in FTE / units, report FTE
    if high is None:
        high = 10.0 * max(1.0, float(resolve(plan, iv).supply[pools.index(pool)].max()))
    low = 0.0 if low is None else low
    found = breakeven(
        with_add,
        iv.name,
        path,
        low=low / units,
        high=high / units,
        tolerance=tolerance / units if tolerance else None,
        samples=samples,
        **options,
    )
    fte = found.value * units if found.value is not None else None
    until = None
    if fte is not None:
        solve = {k: v for k, v in options.items() if k not in ("solver", "cross_check")}
        model = Model(with_add.with_changes({path: fte / units}), iv.name, solver=options.get("solver", "highs"))
        res = model.solve(**solve)
        goal = goal_finish_years(model.instance, res) if model.instance.objective != "value" else None
        until = goal if goal is not None else years_before_deadline(model.instance)
    return BreakEven(
        intervention=iv.name,
        path=f"FTE of {pool} added every year",
        low=low,
        high=high,
        tolerance=found.tolerance * units if found.tolerance is not None else None,
        value=fte,
        interval=(found.interval[0] * units, found.interval[1] * units) if found.interval else None,
        kind=found.kind,
        reason=found.reason.replace(path, f"+FTE of {pool}"),
        evaluations=[{**row, "value": row["value"] * units} for row in found.evaluations],
        pool=pool,
        researcher_years=None if until is None or fte is None else fte * until,
        until_years=until,
    )
