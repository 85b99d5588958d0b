"""The page's controls, read from the plan: one per number a user varies (the deadline, each
intervention's effects and amount, each pool's supply, each stream's effort, minimum duration and
chance of success, the step), each named by its dotted path, the language of `--set`, `?set=`
and the `data-path` attribute alike. Where the plan's `[uncertainty]` table gives a range, the
control is a slider over it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from planner.errors import PlanError
from planner.plan import presets
from planner.plan.paths import get, plan_data, quote, split_path
from planner.plan.schema import Plan

FOLD_OVER = 6
"""Streams and pools fold away (each group closed) when a plan has more than this many of them."""


@dataclass(frozen=True)
class Control:
    """One number a user may change: its dotted path, a label, the group it is shown in (and the
    sub-group, e.g. a stream's name), its value in the plan the server started with, and a range
    (`low`, `high`; a slider) when the plan's [uncertainty] table gives one."""

    path: str
    label: str
    group: str
    item: str
    low: float | None = None
    high: float | None = None
    step: float | None = None
    choices: tuple[str, ...] = ()  # a named preset's control: the names to choose among (a select)

    @property
    def slider(self) -> bool:
        return self.low is not None and self.high is not None and self.high > self.low


def _ranges(plan: Plan) -> dict[tuple[str, ...], dict[str, Any]]:
    """The plan's [uncertainty] distributions by path (as parts, however the path was quoted)."""
    if not plan.uncertainty:
        return {}
    from planner.analysis.montecarlo import parse_uncertainty

    try:
        _, draws = parse_uncertainty(plan.uncertainty, plan)
    except PlanError:  # a broken table: the Monte Carlo button says why; the controls have no ranges
        return {}
    return {tuple(split_path(d.path)): d.params for d in draws}


def _range(spec: dict[str, Any] | None) -> tuple[float | None, float | None]:
    """The sampled range of a distribution (uniform, triangular, beta with bounds, or a truncated
    normal or lognormal), or (None, None)."""
    if not isinstance(spec, dict):
        return None, None
    for lo, hi in (("low", "high"), ("min", "max")):
        a, b = spec.get(lo), spec.get(hi)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b > a:
            return float(a), float(b)
    return None, None


def path_part(name: str) -> str | None:
    """A name as a part of a dotted path: bare, or quoted with the quote it does not hold (None
    when it holds both kinds of quote: no path can name it, so it gets no control)."""
    if '"' not in name:
        return quote(name)
    return f"'{name}'" if "'" not in name else None


def _number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def plan_controls(plan: Plan) -> list[Control]:
    """Every control of the plan, in the order the page shows them."""
    data = plan_data(plan)
    ranges = _ranges(plan)
    out: list[Control] = []

    def add(path: str, label: str, group: str, item: str = "") -> None:
        try:
            value = get(data, path)
        except PlanError:  # a key the plan does not hold: no control for it
            return
        if not _number(value):
            return
        low, high = _range(ranges.get(tuple(split_path(path))))
        step = (high - low) / 100 if low is not None and high is not None else None
        out.append(Control(path, label, group, item, low, high, step))

    def choose(path: str, kind: str, label: str, group: str, item: str = "") -> None:
        """A preset the plan names (a published forecast, an exponent): a choice among its kind."""
        try:
            value = get(data, path)
        except PlanError:
            return
        if isinstance(value, str):
            out.append(Control(path, label, group, item, choices=tuple(presets.names(kind))))

    d = data.get("deadline") or {}
    if "years" in d:
        add("deadline.years", "deadline (years from the start)", "Deadline")
    if "year" in d:
        add("deadline.year", "deadline (calendar year)", "Deadline")
    for k, _ in enumerate(d.get("scenarios") or []):
        add(f"deadline.scenarios.{k}.0", f"scenario {k + 1}: years", "Deadline")
        add(f"deadline.scenarios.{k}.1", f"scenario {k + 1}: probability", "Deadline")
    dist = d.get("distribution") or {}
    choose("deadline.distribution.preset", "deadline", "published forecast (preset)", "Deadline")
    if dist.get("kind") == "lognormal":
        add("deadline.distribution.median", "median (years from the start)", "Deadline")
        add("deadline.distribution.sigma", "sigma (spread of log years)", "Deadline")
    for k, _ in enumerate(dist.get("points") or []):
        add(f"deadline.distribution.points.{k}.0", f"point {k + 1}: years from the start", "Deadline")
        add(f"deadline.distribution.points.{k}.1", f"point {k + 1}: probability by then", "Deadline")
    add("deadline.p_never", "P(no deadline in the horizon)", "Deadline")
    for iv in plan.interventions:
        part = path_part(iv.name)
        if part is None:
            continue
        at = f"interventions.{part}"
        add(f"{at}.deadline_shift", "deadline shift (years; negative is earlier)", "Interventions", iv.name)
        if not iv.choose:
            add(f"{at}.units", "level (units of it)", "Interventions", iv.name)
        for k, _ in enumerate(iv.levels or []):  # the levels the MIP chooses among
            add(f"{at}.levels.{k}", f"level to choose from #{k + 1} (units)", "Interventions", iv.name)
        for k, change in enumerate(iv.supply):
            when = f" from year {change.from_year:g}" if change.from_year else ""
            add(f"{at}.supply.{k}.multiply", f"{change.pool} supply x{when}", "Interventions", iv.name)
            add(f"{at}.supply.{k}.add", f"{change.pool} supply + FTE{when}", "Interventions", iv.name)
        for k, p in enumerate(iv.productivity):
            names = ", ".join(p.streams[:3]) + (", ..." if len(p.streams) > 3 else "")
            add(f"{at}.productivity.{k}.multiply", f"productivity x ({names})", "Interventions", iv.name)
            add(f"{at}.productivity.{k}.add", f"productivity + ({names})", "Interventions", iv.name)
        for k, sp in enumerate(iv.serial_speedup):
            add(
                f"{at}.serial_speedup.{k}.factor",
                f"serial speed-up x ({', '.join(sp.streams[:3])})",
                "Interventions",
                iv.name,
            )
    for pool in plan.pools:
        part = path_part(pool.name)
        if part is None:
            continue
        at = f"pools.{part}"
        add(f"{at}.supply", "supply (FTE)", "Pools", pool.name)
        add(f"{at}.supply.start", "supply at the start (FTE)", "Pools", pool.name)
        add(f"{at}.supply.growth", "growth (a year)", "Pools", pool.name)
        add(f"{at}.supply.cap", "cap (FTE)", "Pools", pool.name)
    for stream in plan.streams:
        part = path_part(stream.name)
        if part is None:
            continue
        at = f"streams.{part}"
        add(f"{at}.effort", "effort (effective person-years)", "Streams", stream.name)
        add(f"{at}.min_duration", "min_duration (years)", "Streams", stream.name)
        add(f"{at}.productivity", "productivity", "Streams", stream.name)
        add(f"{at}.parallelization", "parallelization (exponent)", "Streams", stream.name)
        choose(f"{at}.parallelization.preset", "parallelization", "parallelization (preset)", "Streams", stream.name)
        if plan.has_bets:
            add(f"{at}.success", "success (chance an attempt works)", "Streams", stream.name)
    add("plan.step", "step (years per period)", "Plan")
    return out


def folded(plan: Plan, group: str) -> bool:
    """Whether a group's items start folded away (many streams or pools)."""
    count = {"Streams": len(plan.streams), "Pools": len(plan.pools)}.get(group, 0)
    return count > FOLD_OVER
