"""The plan-file contract (docs/plan-file.md) as strict pydantic models, and `from_dict()`,
which validates a plan's data into a `Plan` (planner/plan/load.py reads it from a file).

Every table refuses unknown keys, every number must be finite, and every cross-reference (a
pool, a stream, an `after` target, a goal) must name something that exists (planner/plan/checks.py).
Errors are turned into one `PlanError` naming the file, the table and the key (planner/plan/locate.py).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any, Literal

from annotated_types import Ge, Gt, Le, Len, Lt
from pydantic import Discriminator, PrivateAttr, Tag, ValidationError, model_validator

from planner.errors import PlanError
from planner.plan.base import (
    BIG,
    LONG,
    MAX_ATTEMPTS,
    MAX_PERIODS,
    MAX_STREAM_PERIODS,
    YEARS,
    Factor,
    FileColumn,
    Growth,
    Name,
    NonNeg,
    Pair,
    PerPeriod,
    Positive,
    Probability,
    Signed,
    Supply,
    Table,
    Years,
)
from planner.plan.checks import RefError, check_references
from planner.plan.distributions import (
    DeadlinePreset,
    Distribution,
    Lognormal,
    Parallelization,
    ParallelizationPreset,
    Percentiles,
)
from planner.plan.locate import plan_error
from planner.plan.paths import did_you_mean, plan_data, set_path

# --- tables -----------------------------------------------------------------------------------


class PlanHeader(Table):
    name: str = ""
    start_year: Annotated[int, Ge(-100_000), Le(100_000)] = 2026
    horizon: Annotated[float, Gt(0), Le(YEARS)]
    step: Annotated[float, Gt(0), Le(YEARS)] = 1.0
    objective: Literal["probability", "earliest", "value"] = "probability"

    @model_validator(mode="after")
    def _few_enough_periods(self) -> PlanHeader:
        if self.horizon / self.step > MAX_PERIODS:
            raise RefError(
                "[plan]",
                "step",
                f"horizon / step gives {self.horizon / self.step:.4g} periods; "
                f"at most {MAX_PERIODS:,} are allowed (use a longer step)",
            )
        return self

    @property
    def periods(self) -> int:
        """H = ceil(horizon / step), guarded against float noise (40 / 0.1 is 400, not 401)."""
        return max(1, math.ceil(self.horizon / self.step - 1e-9))


class Pool(Table):
    name: Name
    supply: Supply
    integer_staff: bool = False  # each stream's FTE from this pool is a whole number of people


class After(Table):
    stream: Name
    lag: Years = 0.0


class AnyOf(Table):
    """`{ any = ["a", "b"] }` in `after` or `[goal] required`: met once any one of the named streams
    has succeeded (research bets, docs/plan-file.md); `lag` years after it, in `after`."""

    any: Annotated[list[Name], Len(1)]
    lag: Years = 0.0


def _link_kind(v: Any) -> str:
    if isinstance(v, str):
        return "~name"
    return "~any" if isinstance(v, AnyOf) or (isinstance(v, dict) and "any" in v) else "~table"


Requirement = Annotated[
    Annotated[Name, Tag("~name")] | Annotated[AnyOf, Tag("~any")],
    Discriminator(lambda v: "~name" if isinstance(v, str) else "~any"),
]


class Train(Table):
    """Field-building (`train` on a stream): each effective person-year of progress on the stream
    adds `per_effort` FTE to `pool` from `delay` years after the work, permanently, less a yearly
    `attrition` (a fraction lost each year, compounding)."""

    pool: Name
    per_effort: Annotated[float, Ge(0), Le(1e3)]  # FTE per effective person-year
    delay: Annotated[float, Ge(0), Le(LONG)] = 0.0  # years
    attrition: Annotated[float, Ge(0), Lt(1)] = 0.0  # fraction a year


class Stream(Table):
    name: Name
    pool: Name | None = None
    crew: dict[Name, Annotated[float, Gt(0), Le(1e6)]] | None = None
    effort: Annotated[float, Ge(1e-3), Le(BIG)]  # below ~9 hours of work, solver tolerances dominate
    min_duration: Years = 0.0
    productivity: PerPeriod = 1.0
    max_staff: Positive | None = None
    release: Years = 0.0
    after: list[
        Annotated[
            Annotated[Name, Tag("~name")] | Annotated[After, Tag("~table")] | Annotated[AnyOf, Tag("~any")],
            Discriminator(_link_kind),
        ]
    ] = []
    value: NonNeg = 0.0  # a weight; negative would let a finished stream go unmarked
    # staffing dynamics (docs/plan-file.md): off by default, each one a switch of its own
    contiguous: bool = False  # once started, worked in every period until done
    min_staff: Positive | None = None  # crew units in any period it is worked (0 otherwise)
    fixed_crew: bool = False  # worked at exactly its staff cap, or not at all
    # growth dynamics: diminishing returns to parallel staff, and field-building
    parallelization: Parallelization = 1.0  # progress ~ crew units ** parallelization (or a preset's)
    train: Train | None = None  # progress on it trains new FTE for a pool
    # research bets: an attempt works with probability `success`; `attempts` tries at most
    success: Annotated[float, Gt(0), Le(1)] = 1.0
    attempts: Annotated[int, Ge(1), Le(MAX_ATTEMPTS)] = 1

    @model_validator(mode="after")
    def _pool_or_crew(self) -> Stream:
        if (self.pool is None) == (self.crew is None):
            raise ValueError("give exactly one of 'pool' or 'crew'")
        if self.crew is not None and not self.crew:
            raise ValueError("'crew' needs at least one pool")
        if self.fixed_crew and self.min_duration <= 0 and self.max_staff is None:
            raise ValueError("'fixed_crew' needs a staff cap to be fixed at: give 'min_duration' or 'max_staff'")
        if self.fixed_crew and self.min_staff is not None:
            raise ValueError("give 'fixed_crew' or 'min_staff', not both (a fixed crew is its own minimum)")
        if self.min_staff is not None and self.max_staff is not None and self.min_staff > self.max_staff:
            raise ValueError(f"'min_staff' ({self.min_staff:g}) is above 'max_staff' ({self.max_staff:g})")
        return self

    @property
    def crew_units(self) -> dict[str, float]:
        """FTE of each pool per crew unit; a `pool = "x"` stream is a crew of one from x."""
        if self.crew is not None:
            return dict(self.crew)
        assert self.pool is not None  # `_pool_or_crew`: a stream gives exactly one of pool and crew
        return {self.pool: 1.0}

    @property
    def exponent(self) -> float:
        """The parallelization exponent: the number given, or its preset's value."""
        a = self.parallelization
        return a.value if isinstance(a, ParallelizationPreset) else a

    @property
    def predecessors(self) -> list[After]:
        """The plain `after` links (each a stream that must succeed first); `any_after` the groups."""
        return [After(stream=a) if isinstance(a, str) else a for a in self.after if not isinstance(a, AnyOf)]

    @property
    def any_after(self) -> list[AnyOf]:
        return [a for a in self.after if isinstance(a, AnyOf)]

    @property
    def is_bet(self) -> bool:
        """Whether the stream may fail (`success` < 1): its outcome is a random event."""
        return self.success < 1


class Goal(Table):
    required: Annotated[list[Requirement], Len(1)]


class Milestone(Table):
    """`[[goals]]`: a partial goal with a value, counted by the `value` objective when all its
    streams are complete by the deadline ("half of alignment" is worth something)."""

    name: Name
    streams: Annotated[list[Name], Len(1)]
    value: NonNeg = 1.0


class Deadline(Table):
    years: float | None = None  # any finite number: past the horizon counts as its end
    year: float | None = None
    scenarios: Annotated[list[Pair], Len(1)] | None = None
    distribution: Distribution | None = None
    p_never: Probability | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Deadline:
        given = [k for k in ("years", "year", "scenarios", "distribution") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of 'years', 'year', 'scenarios', 'distribution'"
                + (f" (got {', '.join(given)})" if given else "")
            )
        if self.p_never is not None and self.distribution is None and self.scenarios is None:
            raise RefError(
                "[deadline]",
                "p_never",
                "'p_never' goes with 'distribution' or 'scenarios' only (a fixed deadline has no mass to spare)",
            )
        if self.scenarios is not None:
            for k, (_year, p) in enumerate(self.scenarios, 1):
                if not 0 <= p <= 1 + 1e-6:
                    raise RefError("[deadline]", f"scenarios[{k}]", f"probability {p:.10g} is outside [0, 1]")
            total = sum(p for _, p in self.scenarios)
            if abs(total - 1) > 1e-6:
                raise RefError("[deadline]", "scenarios", f"probabilities sum to {total:.8g}, not 1")
        return self


class Span(Table):
    """Periods starting in [from_year, until_year), years from the start."""

    from_year: Years = 0.0
    until_year: Annotated[float, Ge(0), Le(1e6)] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.until_year is not None and self.until_year <= self.from_year:
            raise ValueError(f"'until_year' ({self.until_year:g}) must be after 'from_year' ({self.from_year:g})")
        return self


class Window(Span):
    """An intervention's change `new = old * multiply + add` over its span."""

    multiply: Factor = 1.0
    add: Signed = 0.0


class SupplyChange(Window):
    pool: Name


class ProductivityChange(Window):
    streams: Annotated[list[Name], Len(1)]


class SerialSpeedup(Span):
    """Serial time itself compressed: over the span the streams' rate cap is
    `factor * effort / min_duration`, so their minimum duration shrinks by the factor."""

    streams: Annotated[list[Name], Len(1)]
    factor: Annotated[float, Gt(0), Le(1e3)]


class Intervention(Table):
    name: Name
    deadline_shift: float = 0.0
    supply: list[SupplyChange] = []
    productivity: list[ProductivityChange] = []
    serial_speedup: list[SerialSpeedup] = []
    # how much of it: the effects above are one unit's, `units` of them apply (a shift times units,
    # each multiply and factor to the power units, each add times units)
    units: Annotated[float, Ge(0), Le(1e3)] = 1.0
    levels: Annotated[list[Annotated[float, Ge(0), Le(1e3)]], Len(2)] | None = None
    choose: bool = False  # the MIP picks the best of `levels` (run.py, Model._solve_choice)

    @model_validator(mode="after")
    def _levels(self) -> Intervention:
        if self.choose and self.levels is None:
            raise ValueError("'choose' needs 'levels', the amounts to choose from, e.g. levels = [0, 1, 2, 3]")
        if self.levels is not None and not self.choose:
            raise ValueError("'levels' needs 'choose = true' (for one fixed amount, set 'units')")
        if self.levels is not None and len(set(self.levels)) != len(self.levels):
            raise ValueError("'levels' must not repeat a value")
        return self


class Plan(Table):
    """A whole plan, validated: build it from a file with `planner.load()` (planner/plan/load.py),
    from nested dicts with `from_dict()`, or in Python with one keyword argument per top-level
    table (`plan`, `pools`, `streams`, `goal`, `goals`, `deadline`, `interventions`, `overrides`,
    `uncertainty`), each a table model or its dict. Immutable: a changed plan is a new one
    (`with_changes`). Any broken rule raises pydantic's ValidationError when built directly, a
    `PlanError` through `from_dict()`."""

    plan: PlanHeader
    pools: Annotated[list[Pool], Len(1)]
    streams: Annotated[list[Stream], Len(1)]
    goal: Goal | None = None
    goals: list[Milestone] = []
    deadline: Deadline | None = None
    interventions: list[Intervention] = []
    overrides: dict[Name, dict[str, Any]] = {}
    """Named groups of changes (`[overrides.NAME]`, dotted paths or partial tables), applied by
    `--scenario NAME` as Calliope applies its scenarios; see planner/plan/overrides.py."""
    uncertainty: dict[str, Any] | None = None
    """`[uncertainty]`: `seed` and a distribution per dotted path, sampled by `planner montecarlo`
    (planner/analysis/montecarlo.py validates the distributions)."""
    _source: Path | None = PrivateAttr(default=None)
    _allowed_dirs: tuple[Path, ...] = PrivateAttr(default=())

    @property
    def source(self) -> Path | None:
        """The file the plan was read from (None when built in Python); data files are relative to it."""
        return self._source

    @property
    def base_dir(self) -> Path:
        return self._source.parent if self._source else Path.cwd()

    @property
    def data_dirs(self) -> tuple[Path, ...]:
        """Folders the plan's data files may come from: the plan's own folder (and below), the
        project's `data/` beside it (plans in models/, tables in data/), and any allowed by the
        caller (`load(..., allow_dirs=...)`, `--allow-dir`). A plan file cannot widen this."""
        base = self.base_dir.resolve()
        return (base, base.parent / "data", *(Path(d).resolve() for d in self._allowed_dirs))

    @property
    def required(self) -> list[str]:
        """The streams the goal needs, each of them (the `{ any = [...] }` groups: `required_any`)."""
        if not self.goal:
            return [s.name for s in self.streams]
        return [r for r in self.goal.required if isinstance(r, str)]

    @property
    def required_any(self) -> list[list[str]]:
        """The goal's `{ any = [...] }` groups: each needs one of its streams."""
        return [list(r.any) for r in self.goal.required if isinstance(r, AnyOf)] if self.goal else []

    @property
    def has_bets(self) -> bool:
        """Whether the plan has streams that may fail or `any` groups: it is solved as a policy."""
        return bool(self.required_any) or any(s.is_bet or s.any_after for s in self.streams)

    def stream(self, name: str) -> Stream:
        return next(s for s in self.streams if s.name == name)

    def intervention(self, name: str) -> Intervention:
        for iv in self.interventions:
            if iv.name == name:
                return iv
        raise PlanError(
            f"no intervention named '{name}'"
            + (did_you_mean(name, [iv.name for iv in self.interventions]) or " (have: none)"),
            file=str(self._source) if self._source else None,
            table="[[interventions]]",
            key="name",
        )

    def with_changes(self, changes: dict[str, Any], *, where: str = "") -> Plan:
        """A new plan with each dotted path set to its value; this plan is left as it was.

        `changes` maps dotted paths (`deadline.years`, `streams.serial-a.effort`; see
        planner/plan/paths.py) to values as a plan file gives them. The plan is dumped to its data,
        the values put in place and the whole validated again, so the new plan obeys every rule a
        plan file does, and keeps this plan's `source` and allowed data folders. Returns the new
        `Plan`; a bad path or value is a `PlanError` that starts "after {where} PATHS:" (`where`
        defaults to "setting")."""
        data = plan_data(self)
        for path, value in changes.items():
            set_path(data, path, value)
        try:
            return from_dict(data, source=self._source, allow_dirs=self._allowed_dirs)
        except PlanError as e:
            paths = ", ".join(changes)
            raise PlanError(
                f"after {where or 'setting'} {paths}: {e.detail}", file=e.file, table=e.table, key=e.key
            ) from None

    @model_validator(mode="after")
    def _references(self) -> Plan:
        _check_size(self)
        check_references(self)
        _check_deadline_preset(self)
        return self


# --- size and cross-reference checks ------------------------------------------------------------


def _check_size(p: Plan) -> None:
    streams, periods = len(p.streams), p.plan.periods
    if streams * periods > MAX_STREAM_PERIODS:
        raise RefError(
            "[plan]",
            "horizon",
            f"{streams:,} streams x {periods:,} periods = "
            f"{streams * periods:,} stream-periods; at most {MAX_STREAM_PERIODS:,} solve in "
            "reasonable time (use fewer [[streams]], a shorter horizon or a longer step)",
        )


def _check_deadline_preset(p: Plan) -> None:
    """A deadline preset must keep at least one point after the plan's start_year."""
    dist = p.deadline.distribution if p.deadline is not None else None
    if isinstance(dist, DeadlinePreset):
        try:
            dist.percentiles(p.plan.start_year)
        except ValueError as e:
            raise RefError("[deadline]", "distribution.preset", str(e)) from None


# --- validation -----------------------------------------------------------------------------


def from_dict(data: Any, source: str | Path | None = None, *, allow_dirs: tuple[str | Path, ...] = ()) -> Plan:
    """Validate a plan given as nested dicts (as parsed from TOML/JSON).

    `source` is the file the data came from (its folder is where data files are looked for, and
    errors name it); `allow_dirs` are further folders its data files may be read from (see
    `Plan.data_dirs`). Returns the `Plan`; any broken rule is a `PlanError` naming the file, table
    and key."""
    file = str(source) if source is not None else None
    if not isinstance(data, dict):
        raise PlanError("a plan must be a table (an object) at the top level", file=file, table="(top level)")
    try:
        plan = Plan.model_validate(data)
    except ValidationError as e:
        raise plan_error(e, data, file, keys_at=_valid_keys) from None
    except RecursionError:
        raise PlanError("not a plan: nested too deeply", file=file, table="(top level)") from None
    plan._source = Path(source) if source is not None else None
    plan._allowed_dirs = tuple(Path(d) for d in allow_dirs)
    return plan


def _valid_keys(loc: list[int | str]) -> list[str]:
    """The keys the table holding `loc[-1]` allows, found from the names on the way to it."""
    names = [x for x in loc[:-1] if isinstance(x, str)]
    if not names:
        return list(Plan.model_fields)
    parent, grand = names[-1], (names[-2] if len(names) > 1 else None)
    by_name: dict[str, list[type[Table]]] = {
        "plan": [PlanHeader],
        "pools": [Pool],
        "streams": [Stream],
        "goal": [Goal],
        "train": [Train],
        "deadline": [Deadline],
        "interventions": [Intervention],
        "after": [After, AnyOf],
        "distribution": [Lognormal, Percentiles, DeadlinePreset],
        "parallelization": [ParallelizationPreset],
    }
    classes: list[type[Table]]
    if parent == "supply":
        classes = [SupplyChange] if grand == "interventions" else [Growth, FileColumn]
    elif parent == "productivity":
        classes = [ProductivityChange]
    else:
        classes = by_name.get(parent, [])
    keys: list[str] = []
    for cls in classes:
        keys += [k for k in cls.model_fields if k not in keys]
    return keys
