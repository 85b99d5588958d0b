"""Break-even: the value of one numeric plan value at which an intervention stops losing.

The effect of an intervention (its optimum minus the baseline's) is a step function of most plan
values: deadlines count in whole periods, and a serial chain either fits or not. So the search
does not assume a root: it scans the range for a change of verdict ("breaks even" = the effect is
at least zero, within the solver's tolerance), then bisects that bracket with exact solves until
it is narrower than the tolerance, and reports the bracket. Where the effect is continuous the
bracket closes on the crossing point; where it jumps, the bracket is the interval where the
verdict flips. Where nothing in the range breaks even, the reason is the intervention's own
explanation at the value that came closest (e.g. a serial chain longer than the deadline).
`nearest=True` (the verdict's robustness) wants only the flip nearest the plan's value and finds
the same one with far fewer solves (planner/analysis/bracket.py, NearestFlip).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from planner.analysis.bracket import EVEN, RELATIVE, NearestFlip, closed, last_valid, midpoint
from planner.errors import PlanError
from planner.instance.resolve import resolve
from planner.pipeline.arguments import number, optional, whole
from planner.plan.paths import get, plan_data
from planner.plan.schema import Plan
from planner.solvers.status import SolveStatus

if TYPE_CHECKING:
    import pandas as pd

    from planner.result import Result

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
    """Without --range: 0 to 10x a positive value (multipliers, supplies, durations), else +-10;
    `breakeven` then keeps a fractional value's range inside what the plan accepts (a `success`
    probability searches (0, 1])."""
    if current > 0:
        return 0.0, 10.0 * current
    return current - 10.0, current + 10.0


def _inside(plan: Plan, path: str, current: float, end: float) -> float:
    """`end` if the plan accepts it at `path`, else the last value towards it that it accepts."""

    def valid(v: float) -> bool:
        try:
            plan.with_changes({path: v})
        except PlanError:
            return False
        return True

    return end if valid(end) else last_valid(valid, current, end)


def breakeven(
    plan: Plan,
    intervention: str,
    path: str,
    *,
    low: float | None = None,
    high: float | None = None,
    tolerance: float | None = None,
    samples: int = 9,
    nearest: bool = False,
    baseline: Result | None = None,
    solved: Result | None = None,
    **options: Any,
) -> BreakEven:
    """Find the value of one plan number at which `intervention` stops losing to the baseline.

    `intervention`: its name. `path`: the dotted plan path of a number, e.g.
    'interventions."capabilities work".deadline_shift'. `low`, `high`: the range searched
    (default: 0 to 10x a positive current value, else the current value +-10). `tolerance`: the
    width at which the bracket counts as closed (default: 1/10,000 of the value found).
    `samples`: scan points before bisecting (2 to 1,000). `options`: `Model.solve`'s plus `solver`.

    `nearest` (the verdict's robustness): only the flip nearest the plan's own value is wanted, so
    the scan brackets are tried nearest first and the scan stops at the first that flips (the one
    the whole scan would pick), a value whose structural limit alone loses is not solved, and a
    round number and a straight-line crossing are tried before halving (NearestFlip.close);
    `evaluations` then holds only the points solved and `reason` does not count other flips.
    `baseline`: the baseline's Result solved with the same `options`, when the caller has it (used
    only for a path inside `interventions`, which cannot move it); `solved`: likewise the
    intervention's Result at the plan's own value (used if the search asks for that value).

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
        if isinstance(current, float):  # kept inside the values the plan's rules accept
            dlo, dhi = (_inside(plan, path, float(current), end) for end in (dlo, dhi))
        low, high = (dlo if low is None else low), (dhi if high is None else high)
    if not high > low:
        raise PlanError(f"the range needs LO < HI, got {low:g}:{high:g}", key=path)
    options.pop("cross_check", None)
    evaluations: list[dict[str, Any]] = []
    sign = -1.0 if plan.plan.objective == "earliest" else 1.0
    fixed_base = path.startswith("interventions.")
    known: list[Result] = (
        [baseline] if fixed_base and baseline is not None else []
    )  # the baseline, when the path cannot move it
    solver = options.get("solver", "highs")
    solve_options = {k: x for k, x in options.items() if k != "solver"}

    def changed(v: float) -> Plan:
        try:
            return plan.with_changes({path: v})
        except PlanError as e:
            raise PlanError(
                f"at {path} = {v:g}: {e.detail} (give a --range inside the valid values)", key=path
            ) from None

    def base() -> Result:
        if not known:  # the intervention's own numbers cannot move the baseline: solved once
            from planner.pipeline.session import Model

            known.append(Model(plan, solver=solver).solve(**solve_options))
        return known[0]

    def effect(v: float) -> dict[str, Any]:
        at = changed(v)
        if fixed_base:
            own = solved if solved is not None and v == current else None
            b, r = _record(base(), None), _intervention(at, iv.name, base(), solver, solve_options, own)
        else:
            from planner.analysis.runner import Point, solve_point

            b, r = solve_point(Point(at, [iv.name]), options)
        for x in (b, r):
            if x["status"] != SolveStatus.OPTIMAL:
                raise PlanError(
                    f"at {path} = {v:g} the {x['variant']} solve ended '{x['status']}', so "
                    "no exact verdict: give more --time-limit or a narrower --range",
                    key=path,
                )
        row = {
            "value": v,
            "baseline": b["objective"],
            "intervention": r["objective"],
            "delta": r["delta"],
            "reason": r["reason"],
            # the effect in the objective's own direction: for `earliest` a later goal loses
            "gain": None if r["delta"] is None else sign * r["delta"],
        }
        evaluations.append(row)
        return row

    values = [low + (high - low) * k / (samples - 1) for k in range(samples)]
    common: dict[str, Any] = dict(intervention=iv.name, path=path, low=low, high=high, evaluations=evaluations)
    if nearest:
        limit = (lambda v: _structural_gain(changed(v), iv.name, base(), sign)) if fixed_base else None
        search = NearestFlip(effect, limit, tolerance)
        order = sorted(range(samples - 1), key=lambda j: (abs((values[j] + values[j + 1]) / 2 - float(current)), j))
        k = next((j for j in order if search.even(values[j]) != search.even(values[j + 1])), None)
        flips = [] if k is None else [k]
        rows = [search.solved[v] for v in values if v in search.solved]
        even = [search.even(v) for v in values] if k is None else []  # all known already when no flip
        if k is None and not rows:  # every value ruled out by its structural limit: nothing solved
            best_v = max(values, key=lambda v: search.settled[v])
            return BreakEven(
                value=None,
                interval=None,
                kind="none",
                tolerance=tolerance,
                reason=(
                    f"nothing in {path} = [{low:g}, {high:g}] breaks even: at every value tried {iv.name}'s "
                    f"structural limit (what unlimited labour reaches) is below the baseline's optimum "
                    f"(at best {sign * search.settled[best_v]:+.6g}, at {best_v:g})"
                ),
                **common,
            )
    else:
        rows = [effect(v) for v in values]
        even = [r["gain"] >= -EVEN for r in rows]
        flips = [k for k in range(samples - 1) if even[k] != even[k + 1]]
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
        ruled_out = (
            f" ({len(values) - len(rows)} more ruled out by the structural limit alone)"
            if len(rows) < len(values)
            else ""
        )
        return BreakEven(
            value=None,
            interval=None,
            kind="none",
            tolerance=tolerance,
            reason=(
                f"nothing in {path} = [{low:g}, {high:g}] breaks even: {iv.name} loses at every value tried "
                f"(at best {best['delta']:+.6g}, at {best['value']:g}): {_why(best['reason'])}{ruled_out}"
            ),
            **common,
        )
    if nearest:
        k = flips[0]
        good, bad = search.close(values[k], values[k + 1])
        scan_a, scan_b = search.row(values[k]), search.row(values[k + 1])
        step = _kind(scan_a, scan_b, good, bad) == "step"
        reach = (tolerance or RELATIVE * max(abs(good["value"]), abs(bad["value"]))) if step else None
        good, bad = _snap(good, bad, search.row, reach)
    else:
        # the flip nearest the plan's own value
        k = min(flips, key=lambda j: abs((values[j] + values[j + 1]) / 2 - float(current)))
        a, b = rows[k], rows[k + 1]
        while not closed(a["value"], b["value"], tolerance):
            mid = midpoint(a["value"], b["value"])
            if mid in (a["value"], b["value"]):  # neighbouring floats: nothing lies between them
                break
            m = effect(mid)
            if (m["gain"] >= -EVEN) == (a["gain"] >= -EVEN):
                a = m
            else:
                b = m
        good, bad = (a, b) if a["gain"] >= -EVEN else (b, a)
        good, bad = _snap(good, bad, effect)
        scan_a, scan_b = rows[k], rows[k + 1]
    tolerance = tolerance or RELATIVE * max(abs(good["value"]), abs(bad["value"]))
    kind = _kind(scan_a, scan_b, good, bad)
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


def _record(res: Result, delta: float | None, reason: str = "") -> dict[str, Any]:
    return {"variant": res.variant, "objective": res.objective, "status": res.status, "delta": delta, "reason": reason}


def _intervention(
    plan: Plan, name: str, base: Result, solver: str, options: dict[str, Any], res: Result | None = None
) -> dict[str, Any]:
    """The intervention of `plan` solved (unless its Result `res` is given) against the `base` it
    cannot move: its record, as runner.solve_point gives it (without resolving the baseline)."""
    from planner.explain import explain_change
    from planner.pipeline.session import Model

    iv = plan.intervention(name)
    res = Model(plan, iv, solver=solver).solve(**options) if res is None else res
    delta = res.objective - base.objective if res.objective is not None and base.objective is not None else None
    return _record(res, delta, explain_change(base, res, iv.deadline_shift))


def _structural_gain(plan: Plan, name: str, base: Result, sign: float) -> float | None:
    """The most the intervention of `plan` could gain over `base` with unlimited labour: its
    structural limit (continuous.best_possible, which no continuous-time plan beats) minus the
    baseline's optimum, in the objective's direction; None without a limit, and for a plan with
    research bets or an intervention that chooses its level (their solves are not Model's plain one)."""
    from planner.pipeline.continuous import best_possible

    iv = plan.intervention(name)
    inst = resolve(plan, iv)
    limit = None if iv.choose or inst.has_bets else best_possible(inst, unlimited_labour=True)
    if limit is None or base.objective is None:
        return None
    return sign * (limit - base.objective)


def _kind(a: dict[str, Any], b: dict[str, Any], good: dict[str, Any], bad: dict[str, Any]) -> str:
    """'step' if the effect jumps across the final bracket [bad, good] by more than ten times what
    the scan bracket [a, b]'s slope gives over that width (a continuous effect's jump shrinks with
    the bracket, a step's does not); 'continuous' otherwise, or when the jump is below 1e-6."""
    jump = abs(good["delta"] - bad["delta"])
    slope = abs(a["delta"] - b["delta"]) / abs(a["value"] - b["value"])
    return "step" if jump > max(1e-6, 10 * slope * abs(good["value"] - bad["value"])) else "continuous"


def _snap(
    good: dict[str, Any], bad: dict[str, Any], effect: Callable[[float], dict[str, Any]], reach: float | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A step sits on a round number more often than not (a deadline shift of exactly -1 years):
    try the roundest number inside the bracket, so the answer is -1, not -0.99902. With `reach`,
    inside the `reach` past the losing end towards the breaking-even one instead (for a step, whose
    every value past the flip breaks even, so the answer does not hang on where halving stopped)."""
    far = good["value"] if reach is None else bad["value"] + (reach if good["value"] > bad["value"] else -reach)
    lo, hi = sorted((far, bad["value"]))
    for digits in range(0, 7):
        c = round((lo + hi) / 2, digits) + 0.0  # + 0.0: 0, not -0
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
