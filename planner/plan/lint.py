"""Plan pitfalls: values that are valid but almost certainly not what the author meant.

Two clocks run through a plan. `[plan] start_year` and `[deadline] year` are calendar years;
every other time (`release`, `lag`, `min_duration`, `train.delay`, `from_year`, `until_year`, `[deadline] years`,
scenario and distribution years) counts years from the start. Writing `release = 2028` in a
40-year plan passes the schema and silently means "never starts", so the answer drops to 0.
`lint(plan)` finds such values; the CLI prints them as warnings (and `check --strict` refuses).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: the warnings need no pydantic at run time
    from planner.plan.schema import Deadline, Plan, Stream

CALENDAR_MIN = 1000  # a years-from-start value this large, near start_year, is a calendar year
# Stream-periods with whole-unit decisions (contiguous, min_staff, fixed_crew, whole people) beyond
# which proving an optimum may take minutes or more: every one of them is binary or integer columns
# the MIP branches on (a joint level choice multiplies them by its levels).
DISCRETE_STREAM_PERIODS = 10_000


@dataclass(frozen=True)
class Warning:
    table: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.table}: key '{self.key}': {self.message}"


def _looks_like_calendar(value: float, start_year: int) -> bool:
    return value >= CALENDAR_MIN and abs(value - start_year) <= 500


def _time(value: float | None, *, table: str, key: str, horizon: float, start_year: int, what: str) -> list[Warning]:
    """A years-from-start value that looks like a calendar year, or lies beyond the horizon."""
    if value is None:
        return []
    if _looks_like_calendar(value, start_year):
        return [
            Warning(
                table,
                key,
                f"{key} = {value:g} looks like a calendar year, but it counts years "
                f"from the start ({start_year}); did you mean {key} = "
                f"{value - start_year:g}? As written, {what}",
            )
        ]
    if value >= horizon:
        return [Warning(table, key, f"{key} = {value:g} years lies beyond the {horizon:g}-year horizon; {what}")]
    return []


def lint(plan: Plan) -> list[Warning]:
    """Every pitfall in a loaded Plan, in file order."""
    hdr = plan.plan
    H, y0 = hdr.horizon, hdr.start_year
    out: list[Warning] = []
    for k, s in enumerate(plan.streams, 1):
        table = f'[[streams]] #{k} "{s.name}"'
        out += _time(
            s.release if s.release > 0 else None,
            table=table,
            key="release",
            horizon=H,
            start_year=y0,
            what="the stream can never start inside the horizon.",
        )
        if _looks_like_calendar(s.min_duration, y0):  # past the horizon alone: the solve says why
            out += _time(
                s.min_duration,
                table=table,
                key="min_duration",
                horizon=H,
                start_year=y0,
                what="the stream cannot finish inside the horizon.",
            )
        if s.train is not None and s.train.delay > 0:  # trained people who join past the horizon help no one
            out += _time(
                s.train.delay,
                table=table,
                key="train.delay",
                horizon=H,
                start_year=y0,
                what="the people it trains never join inside the horizon.",
            )
        for j, a in enumerate(s.predecessors, 1):
            out += _time(
                a.lag if a.lag > 0 else None,
                table=table,
                key=f"after[{j}].lag",
                horizon=H,
                start_year=y0,
                what="the stream can never start inside the horizon.",
            )
    for k, iv in enumerate(plan.interventions, 1):
        table = f'[[interventions]] #{k} "{iv.name}"'
        for kind, changes in (("supply", iv.supply), ("productivity", iv.productivity)):
            for j, ch in enumerate(changes, 1):
                out += _time(
                    ch.from_year if ch.from_year > 0 else None,
                    table=table,
                    key=f"{kind}[{j}].from_year",
                    horizon=H,
                    start_year=y0,
                    what="the change applies to no period.",
                )
                if ch.until_year is not None and _looks_like_calendar(ch.until_year, y0):
                    # beyond the horizon is a fine way to say "to the end"; a calendar year is not
                    out += _time(
                        ch.until_year,
                        table=table,
                        key=f"{kind}[{j}].until_year",
                        horizon=H,
                        start_year=y0,
                        what="the change runs to the end of the horizon.",
                    )
        if _looks_like_calendar(abs(iv.deadline_shift), y0):
            out.append(
                Warning(
                    table,
                    "deadline_shift",
                    f"deadline_shift = {iv.deadline_shift:g} looks like "
                    f"a calendar year; it is years added to the deadline.",
                )
            )
    out += _deadline(plan.deadline, H, y0)
    out += _size(plan)
    return out


def whole_unit_streams(plan: Plan) -> list[Stream]:
    """The streams whose staffing is whole units (contiguous, min_staff, fixed_crew, or whole people
    from an `integer_staff` pool): each of their periods is integer columns the MIP branches on."""
    integer = {q.name for q in plan.pools if q.integer_staff}
    return [
        s
        for s in plan.streams
        if s.contiguous or s.min_staff or s.fixed_crew or any(r in integer for r in s.crew_units)
    ]


def _size(plan: Plan) -> list[Warning]:
    """A plan whose whole-unit decisions are so many that a proof of optimality may not come in any
    reasonable time (docs/model.md, Limits)."""
    import math

    discrete = whole_unit_streams(plan)
    periods = math.ceil(plan.plan.horizon / plan.plan.step - 1e-9)
    levels = max([len(iv.levels) for iv in plan.interventions if iv.choose and iv.levels is not None] or [1])
    count = len(discrete) * periods * levels
    if count <= DISCRETE_STREAM_PERIODS:
        return []
    joint = f", times {levels} levels chosen jointly" if levels > 1 else ""
    return [
        Warning(
            "[plan]",
            "horizon",
            f"{len(discrete)} streams with whole-unit staffing (contiguous, "
            f"min_staff, fixed_crew or whole people) over {periods} periods{joint}: {count:,} "
            f"stream-periods of integer decisions, more than {DISCRETE_STREAM_PERIODS:,}; proving "
            "the optimum may take minutes or more. Give --time-limit (the best plan found is kept, "
            "with its gap), a coarser step, or fewer discrete keys",
        )
    ]


def _deadline(d: Deadline | None, H: float, y0: int) -> list[Warning]:
    if d is None:
        return []
    table = "[deadline]"
    if d.years is not None and _looks_like_calendar(d.years, y0):
        return [
            Warning(
                table,
                "years",
                f"years = {d.years:g} looks like a calendar year, but 'years' counts "
                f"from the start ({y0}); write year = {d.years:g} for a calendar year, "
                f"or years = {d.years - y0:g}.",
            )
        ]
    if d.year is not None:
        if d.year < CALENDAR_MIN:
            return [
                Warning(
                    table,
                    "year",
                    f"year = {d.year:g} is a calendar year (AD {d.year:g}); for "
                    f"{d.year:g} years from the start write years = {d.year:g}.",
                )
            ]
        if d.year <= y0:
            return [
                Warning(
                    table,
                    "year",
                    f"year = {d.year:g} is not after start_year = {y0}: the goal can never be met before it.",
                )
            ]
    if d.scenarios is not None:
        for k, (y, _) in enumerate(d.scenarios, 1):
            if _looks_like_calendar(y, y0):
                return [
                    Warning(
                        table,
                        f"scenarios[{k}]",
                        f"{y:g} looks like a calendar year, but scenario deadlines count years from the start ({y0}).",
                    )
                ]
    dist = d.distribution
    raw = dist.model_dump() if dist is not None else {}
    if raw.get("kind") in ("lognormal", "percentiles"):  # a preset's points are calendar years, converted
        xs = [raw["median"]] if raw["kind"] == "lognormal" else [p[0] for p in raw["points"]]
        if any(_looks_like_calendar(v, y0) for v in xs):
            return [
                Warning(
                    table,
                    "distribution",
                    f"the distribution's years look like calendar years, but they count years from the start ({y0}).",
                )
            ]
    return []
