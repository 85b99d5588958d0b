"""The plan schema's building blocks: magnitude limits, number types, the strict `Table` base, and
the series a value per period can be given as (a number, a list, a growth curve, a CSV column).
planner/plan/schema.py builds the plan's tables from them."""

from __future__ import annotations

from typing import Annotated, Any

from annotated_types import Ge, Gt, Le, Len
from pydantic import BaseModel, ConfigDict, Discriminator, Tag

# Magnitude limits keep every number in a range the solver handles exactly (HiGHS refuses
# coefficients past 1e15); each is far beyond any real plan.
BIG = 1e9  # person-years, FTE, values
YEARS = 1e4  # the longest horizon
LONG = 1e6  # durations, lags, releases (longer than any horizon, but not overflowing)
MAX_PERIODS = 10_000
MAX_ATTEMPTS = 20  # attempts at one stream (outcome scenarios grow as (attempts + 1) ** bets)
MAX_STREAM_PERIODS = 200_000
"""The most streams x periods a plan may have. Every stream-period is a few variables and rows of
the MIP, and even a trivial plan (independent streams of effort 1 on one pool, horizon 20) takes
HiGHS 11-25 s to build and solve at 10,000 streams (200,000 stream-periods) and 34-51 s at 20,000,
measured on 2 shared cores; real plans, with deadlines, precedences and several pools, are harder.
Past this limit a plan is refused with a message instead of being left to run for minutes."""
NonNeg = Annotated[float, Ge(0), Le(BIG)]
Positive = Annotated[float, Gt(0), Le(BIG)]
Years = Annotated[float, Ge(0), Le(LONG)]
Signed = Annotated[float, Ge(-BIG), Le(BIG)]
Factor = Annotated[float, Ge(0), Le(1e3)]
Probability = Annotated[float, Ge(0), Le(1)]
Name = Annotated[str, Len(1, 200)]
Pair = Annotated[list[float], Len(2, 2)]


class Table(BaseModel):
    """Base of every table: strict types, no unknown keys, finite numbers, immutable. Each table's
    validator is built when first used (`defer_build`), the same validator, so that a command pays
    only for the tables it validates: a plan's whole schema, built once, rather than every table's
    own as well (about 10 ms of every start-up; benchmarks/startup.py)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, allow_inf_nan=False, defer_build=True)


# --- series: a value per period --------------------------------------------------------------


class Growth(Table):
    """`start * (1 + growth) ** years`, evaluated at each period's start, then capped."""

    start: NonNeg
    growth: Annotated[float, Gt(-1), Le(10)]
    cap: NonNeg | None = None


class FileColumn(Table):
    """A column of a CSV file with a `year` column of calendar years (step-interpolated)."""

    file: Name
    column: Name


def series_kind(v: Any) -> str | None:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return "~number"
    if isinstance(v, list):
        return "~list"
    if isinstance(v, dict):
        return "~file" if "file" in v or "column" in v else "~growth"
    if isinstance(v, (Growth, FileColumn)):
        return "~file" if isinstance(v, FileColumn) else "~growth"
    return None


Supply = Annotated[
    Annotated[NonNeg, Tag("~number")]
    | Annotated[list[NonNeg], Len(1), Tag("~list")]
    | Annotated[Growth, Tag("~growth")]
    | Annotated[FileColumn, Tag("~file")],
    Discriminator(
        series_kind,
        custom_error_type="series",
        custom_error_message="must be a number, a list of numbers, { start, growth, cap } or { file, column }",
    ),
]
PerPeriod = Annotated[
    Annotated[Factor, Tag("~number")] | Annotated[list[Factor], Len(1), Tag("~list")],
    Discriminator(
        lambda v: series_kind(v) if series_kind(v) in ("~number", "~list") else None,
        custom_error_type="series",
        custom_error_message="must be a number or a list of numbers (one per period)",
    ),
]
