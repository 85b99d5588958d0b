"""A plan variant (the baseline or one intervention) resolved to arrays: the numbers the model uses.

The model builder, the verifier and the structural analysis all read an `Instance`, so every
series rule and intervention rule is applied in exactly one place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from graphlib import TopologicalSorter
from typing import Any, cast

import numpy as np

from planner.errors import PlanError
from planner.instance import deadlines, series
from planner.plan.schema import Deadline, FileColumn, Intervention, Plan, Span, Window

_SIZED_LATER = cast(np.ndarray, None)
"""The default of an `Instance` array that `__post_init__` fills in from the plan's sizes: None
until then, so an `Instance` built without it reads as an array of the default (all off)."""


@dataclass(frozen=True)
class Precedence:
    """Stream `succ` may work in period t only once `pred` is complete by the end of t - 1 - gap."""

    pred: int
    succ: int
    lag: float
    gap: int  # ceil(lag / step) periods


@dataclass(frozen=True)
class AnyPrecedence:
    """Stream `succ` may work in period t once one of `members` succeeded by the end of t - 1 - gap (`any`)."""

    members: tuple[int, ...]
    succ: int
    lag: float
    gap: int


_WEIGHTS: dict[tuple, np.ndarray] = {}  # period weights by the exact scenarios (bytes) they come from


@dataclass
class Instance:
    """One variant of a plan as numpy arrays, ready for the MIP: S streams, R pools, H periods and
    K deadline scenarios, every series evaluated per period and every intervention applied.
    Built by `resolve`; read by the structure, the formulation, the solve pipeline and verify."""

    name: str  # "baseline" or the intervention's name
    objective: str  # "probability" | "earliest" | "value"
    start_year: int
    step: float
    starts: np.ndarray  # (H,) years from start at which each period begins
    streams: list[str]
    pools: list[str]
    supply: np.ndarray  # (R, H) FTE available
    crew: np.ndarray  # (S, R) FTE of each pool per crew unit
    productivity: np.ndarray  # (S, H) effective person-years per crew-year
    effort: np.ndarray  # (S,)
    min_duration: np.ndarray  # (S,) years, 0 = no rate cap
    max_staff: np.ndarray  # (S,) crew units, inf = no cap
    release: np.ndarray  # (S,) years
    value: np.ndarray  # (S,)
    required: np.ndarray  # (S,) bool: the goal needs this stream
    precedences: list[Precedence]
    deadline_years: np.ndarray  # (K,) scenario deadlines, years from start (after any shift)
    deadline_probs: np.ndarray  # (K,)
    has_deadline: bool
    # staffing dynamics (all off by default): see model._staffing
    contiguous: np.ndarray = _SIZED_LATER  # (S,) bool
    min_staff: np.ndarray = _SIZED_LATER  # (S,) crew units, 0 = none
    fixed_crew: np.ndarray = _SIZED_LATER  # (S,) bool
    integer_pools: np.ndarray = _SIZED_LATER  # (R,) bool: headcounts from this pool are whole people
    speedup: np.ndarray = _SIZED_LATER  # (S, H) factor on the rate cap (serial_speedup), 1 = none
    milestones: list[str] = field(default_factory=list)  # [[goals]] names
    milestone_streams: np.ndarray = _SIZED_LATER  # (M, S) bool: the streams each milestone needs
    milestone_value: np.ndarray = _SIZED_LATER  # (M,)
    # growth dynamics (off by default): see model._parallelization and model._training
    parallelization: np.ndarray = _SIZED_LATER  # (S,) progress ~ u ** a; 1 = linear
    train_pool: np.ndarray = _SIZED_LATER  # (S,) int: pool the stream trains FTE for, -1 = none
    train_per_effort: np.ndarray = _SIZED_LATER  # (S,) FTE per effective person-year of progress
    train_delay: np.ndarray = _SIZED_LATER  # (S,) years from the work to the trained FTE joining
    train_attrition: np.ndarray = _SIZED_LATER  # (S,) fraction of trained FTE lost per year
    # research bets (mip/outcomes.py): chance one attempt works, attempts allowed, `any` groups
    success: np.ndarray = _SIZED_LATER  # (S,) 1 = certain
    attempts: np.ndarray = _SIZED_LATER  # (S,) int
    any_required: list[tuple[int, ...]] = field(default_factory=list)  # goal groups: one member each
    any_after: list[AnyPrecedence] = field(default_factory=list)
    deadline: Deadline | None = None  # the plan's deadline (a preset as its percentiles), read in continuous years
    deadline_shift: float = 0.0  # years the variant moves it (already in deadline_years)
    weights: np.ndarray = field(init=False)  # (H,) P(goal must be met by the end of period t)

    def __post_init__(self) -> None:
        S, R, H = len(self.streams), len(self.pools), len(self.starts)
        for name, make, shape, kind in (  # made only when not given (resolve gives every one)
            ("contiguous", np.zeros, S, bool),
            ("min_staff", np.zeros, S, float),
            ("fixed_crew", np.zeros, S, bool),
            ("integer_pools", np.zeros, R, bool),
            ("speedup", np.ones, (S, H), float),
            ("milestone_streams", np.zeros, (0, S), bool),
            ("milestone_value", np.zeros, 0, float),
            ("parallelization", np.ones, S, float),
            ("train_pool", lambda shape, kind: np.full(shape, -1, kind), S, int),
            ("train_per_effort", np.zeros, S, float),
            ("train_delay", np.zeros, S, float),
            ("train_attrition", np.zeros, S, float),
            ("success", np.ones, S, float),
            ("attempts", np.ones, S, int),
        ):
            if getattr(self, name) is None:
                setattr(self, name, make(shape, kind))
        years, probs = self.deadline_years, self.deadline_probs
        key = (years.dtype.str, years.tobytes(), probs.dtype.str, probs.tobytes(), self.periods, float(self.step).hex())
        if (weights := _WEIGHTS.get(key)) is None:
            weights = deadlines.period_weights(years, probs, periods=self.periods, step=self.step)
            if len(_WEIGHTS) >= 256:
                _WEIGHTS.clear()
            _WEIGHTS[key] = weights
        self.weights = weights.copy()

    @property
    def periods(self) -> int:
        return len(self.starts)

    @cached_property
    def integer_staff(self) -> np.ndarray:
        """(S, R) bool: the stream's FTE from that pool must be a whole number."""
        return (self.crew > 0) & self.integer_pools[None, :]

    @cached_property
    def discrete(self) -> np.ndarray:
        """(S,) bool: streams whose staffing is not a fluid (contiguous, min_staff, fixed_crew, or
        whole people from some pool). Their last period may do more than the work left (a whole
        crew works the whole period), and the shortcuts that assume fluid work do not apply."""
        return self.contiguous | (self.min_staff > 0) | self.fixed_crew | self.integer_staff.any(axis=1)

    @cached_property
    def has_dynamics(self) -> bool:
        """Whether any stream's staffing is discrete, has diminishing returns (parallelization < 1)
        or trains FTE for a pool: then only the whole MIP decides (run.py). The fluid shortcuts
        (least-slack schedules, the earliest-start pass) assume progress = step * productivity * u
        and a fixed supply."""
        return bool(self.discrete.any() or self.diminishing.any() or self.trains.any())

    @cached_property
    def diminishing(self) -> np.ndarray:
        """(S,) bool: streams whose progress is concave in crew units (parallelization < 1)."""
        return self.parallelization < 1

    @cached_property
    def trains(self) -> np.ndarray:
        """(S,) bool: streams whose progress trains FTE for a pool (`train`)."""
        return self.train_pool >= 0

    @cached_property
    def train_lag(self) -> np.ndarray:
        """(S,) periods from the work to the trained FTE joining: ceil(delay / step), at least 1
        (people trained during a period join from a later one, never the same)."""
        return np.maximum(1, np.ceil(self.train_delay / self.step - 1e-9)).astype(int)

    @property
    def survival(self) -> np.ndarray:
        """(S,) share of trained FTE still there one period later: (1 - attrition) ** step."""
        return (1.0 - self.train_attrition) ** self.step

    @cached_property
    def supply_bound(self) -> np.ndarray:
        """(R, H) an upper bound on each pool's supply with all the training any plan can do: the
        base supply plus, from each training stream's first possible joining period on (release
        + lag), per_effort times its whole effort (progress is capped at the effort; survival is
        at most 1). Everything that uses the supply as an upper bound (staff bounds, the critical
        path, windows, big-M's) uses this, so no plan is cut off."""
        bound = self.supply.astype(float)  # a copy
        t = np.arange(self.periods)
        for i in np.flatnonzero(self.trains):
            joined = t >= self.release_period[i] + self.train_lag[i]
            bound[self.train_pool[i], joined] += self.train_per_effort[i] * self.effort[i]
        return bound

    def progress_per_unit(self, units: np.ndarray) -> np.ndarray:
        """(S, H) crew units as effective crew units: u ** parallelization (u itself where it is 1);
        a period's progress is step * productivity times this."""
        units = np.maximum(units, 0.0)  # what np.clip(units, 0.0, None) calls, without its dispatch
        if not self.diminishing.any():  # the usual case: progress is linear in crew units
            return units
        a = self.parallelization[:, None]
        with np.errstate(invalid="ignore", over="ignore"):
            return np.where(a < 1, np.power(units, a), units)

    @property
    def whole_mip(self) -> bool:
        """Whether the critical-path shortcut does not apply (run._structure_applies says what
        does): discrete staffing, diminishing returns or training (its schedules are fluid), or
        milestones (its bound does not count them)."""
        return self.has_dynamics or len(self.milestones) > 0

    @cached_property
    def own_cap(self) -> np.ndarray:
        """(S, H) crew units each stream can take from its own limits alone (rate cap, max_staff),
        ignoring supply; inf if it has none. A fixed crew works at exactly this."""
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            positive = self.productivity > 0
            cap = np.divide(self.rate_cap, self.productivity, out=np.zeros(positive.shape), where=positive)
            if self.diminishing.any():
                # the rate cap limits progress, productivity * u ** a: u <= (cap / productivity) ** (1 / a)
                a = self.parallelization[:, None]
                cap = np.where(a < 1, np.power(cap, 1.0 / a), cap)
        return np.minimum(cap, self.max_staff[:, None])

    @cached_property
    def floor(self) -> np.ndarray:
        """(S,) crew units a discrete stream needs in any period it is worked (and a contiguous one
        in every period of its run but the last): min_staff, or for a contiguous stream without
        one, one crew unit or its smallest own cap if that is less; 0 for the others."""
        own = np.where(np.isfinite(self.own_cap), self.own_cap, np.inf)
        own = np.where(own > 0, own, np.inf).min(axis=1)
        default = np.where(self.contiguous, np.minimum(1.0, own), 0.0)
        return np.where(self.min_staff > 0, self.min_staff, default)

    @cached_property
    def rate_cap(self) -> np.ndarray:
        """(S, H) effective person-years per year each stream can absorb: effort / min_duration
        (inf if 0), times any serial speed-up in that period."""
        timed = self.min_duration > 0
        base = np.divide(self.effort, self.min_duration, out=np.full(timed.shape, np.inf), where=timed)
        return base[:, None] * self.speedup

    @property
    def fewest_periods(self) -> np.ndarray:
        """(S,) the fewest periods a stream can take at its rate cap (at least 1), with the largest
        speed-up it ever gets: a bound, never more than it can really take."""
        fastest = self.speedup.max(axis=1) if self.periods else np.ones(len(self.streams))
        return np.maximum(1, np.ceil(self.min_duration / fastest / self.step - 1e-9)).astype(int)

    @cached_property
    def release_period(self) -> np.ndarray:
        """First period whose start t*step is at or after the release."""
        return np.ceil(self.release / self.step - 1e-9).astype(int)

    @cached_property
    def predecessors(self) -> list[list[Precedence]]:
        """For each stream, the precedences it must wait for."""
        out: list[list[Precedence]] = [[] for _ in self.streams]
        for p in self.precedences:
            out[p.succ].append(p)
        return out

    @cached_property
    def order(self) -> list[int]:
        """Stream indices with every predecessor (an `any` group's members too) before its
        successors (computed once per variant)."""
        before: list[list[int]] = [[] for _ in self.streams]
        for p in self.precedences:
            before[p.succ].append(p.pred)
        for a in self.any_after:
            before[a.succ] += list(a.members)
        return list(_static_order(tuple(tuple(v) for v in before)))

    @property
    def has_bets(self) -> bool:
        """Streams that may fail, or `any` groups: solved as a policy (pipeline/policy.py)."""
        return bool(self.any_required or self.any_after or (self.success < 1).any())

    @cached_property
    def pools_of(self) -> list[np.ndarray]:
        """For each stream, the pools its crew draws on."""
        pools = np.arange(self.crew.shape[1])
        return [pools[row] for row in self.crew > 0]

    @cached_property
    def staff_bound(self) -> np.ndarray:
        """(S, H) the most crew units a stream can use in a period, from its own limits and its pools
        (their supply with all possible training, `supply_bound`). Computed once per variant;
        callers that change it take a copy."""
        crew = self.crew[:, :, None]
        per_pool = np.full(crew.shape[:2] + (self.periods,), np.inf)  # inf: a pool the crew does not use
        np.divide(self.supply_bound[None, :, :], crew, out=per_pool, where=crew > 0)
        bound = np.minimum(self.own_cap, per_pool.min(axis=1))
        if (self.release_period > 0).any():
            bound[np.arange(self.periods)[None, :] < self.release_period[:, None]] = 0.0
        return bound

    @cached_property
    def max_progress(self) -> np.ndarray:
        """(S, H) the most effective progress a stream can make in a period: step * productivity *
        staff_bound ** parallelization (progress grows with crew units, so this is exact at the
        bound). The critical path, windows and progress caps use it."""
        return self.step * self.productivity * self.progress_per_unit(self.staff_bound)

    @cached_property
    def memo(self) -> dict[Any, Any]:
        """Values computed from this variant alone by other modules (structure.py), kept with it."""
        return {}


@lru_cache(maxsize=256)
def _static_order(before: tuple[tuple[int, ...], ...]) -> tuple[int, ...]:
    """A topological order of streams 0..S-1 given each one's predecessors: once per plan structure."""
    return tuple(TopologicalSorter(dict(enumerate(before))).static_order())


def resolve(plan: Plan, intervention: Intervention | str | None = None, units: float | None = None) -> Instance:
    """The numbers of the baseline (no intervention) or of one intervention applied to it.

    `plan`: a loaded Plan. `intervention`: None for the baseline, or an intervention of the plan
    (the object or its name; an unknown name is a PlanError). `units`: how much of it (default:
    its own `units`, or its first level for one that chooses). Returns the variant's Instance."""
    if isinstance(intervention, str):
        intervention = plan.intervention(intervention)
    if intervention is not None and units is None:  # its own units, or the first level of one that chooses
        units = intervention.levels[0] if intervention.choose and intervention.levels else intervention.units
    hdr = plan.plan
    base = _shared(plan)
    starts, pools, streams = base.starts, base.fields["pools"], base.fields["streams"]
    supply, productivity = base.supply.copy(), base.productivity.copy()
    shift, speedup = 0.0, np.ones((len(streams), len(starts)))
    if intervention is not None:
        assert units is not None  # given, or the intervention's own (above)
        shift = intervention.deadline_shift * units
        k = next(k for k, iv in enumerate(plan.interventions, 1) if iv.name == intervention.name)
        where = f'[[interventions]] #{k} "{intervention.name}"'
        for j, more in enumerate(intervention.supply, 1):
            _apply(supply[pools.index(more.pool)], more, base, where, f"supply[{j}]", units)
        for j, faster in enumerate(intervention.productivity, 1):
            for name in faster.streams:
                _apply(productivity[streams.index(name)], faster, base, where, f"productivity[{j}]", units)
        for serial in intervention.serial_speedup:
            window = base.window(serial)
            for name in serial.streams:
                speedup[streams.index(name), window] *= serial.factor**units
    none = (None, np.zeros(0), np.zeros(0))
    deadline, years, probs = _scenarios(plan, base, shift) if plan.deadline is not None else none
    inst = Instance(
        name=intervention.name if intervention else "baseline",
        objective=hdr.objective,
        start_year=hdr.start_year,
        step=hdr.step,
        supply=supply,
        productivity=productivity,
        deadline_years=years,
        deadline_probs=probs,
        has_deadline=plan.deadline is not None,
        deadline=deadline,
        deadline_shift=shift,
        speedup=speedup,
        **{name: _copied(value) for name, value in base.fields.items()},
    )
    base.share(inst, plain=intervention is None or not (intervention.productivity or intervention.serial_speedup))
    return inst


class _Shared:
    """What every variant of one (immutable) Plan object has in common, worked out once: a Monte Carlo
    sample resolves its baseline and each intervention from one. Each Instance gets its own copies."""

    def __init__(self, plan: Plan) -> None:
        hdr = plan.plan
        self.file = file = str(plan.source) if plan.source else None
        self.starts = starts = series.period_starts(hdr.horizon, hdr.step)
        pools, streams = [q.name for q in plan.pools], [s.name for s in plan.streams]
        specs = [q.supply for q in plan.pools] + [s.productivity for s in plan.streams]
        self.files = files = any(isinstance(spec, FileColumn) for spec in specs)
        # data_dirs resolves paths on disk: only worth it when a series reads a file
        common: dict[str, Any] = dict(
            start_year=hdr.start_year, base_dir=plan.base_dir, data_dirs=plan.data_dirs if files else (), file=file
        )

        def each(table: str, key: str, xs: list[Any]) -> np.ndarray:  # the series of every pool or stream
            args = [(getattr(x, key), f'[[{table}]] #{k} "{x.name}"') for k, x in enumerate(xs, 1)]
            return np.array([series.evaluate(v, starts, table=w, key=key, **common) for v, w in args])

        self.supply = each("pools", "supply", plan.pools)
        self.productivity = each("streams", "productivity", plan.streams)
        crew = np.zeros((len(streams), len(pools)))
        for i, s in enumerate(plan.streams):
            for r, per_unit in s.crew_units.items():
                crew[i, pools.index(r)] = per_unit
        required = set(plan.required)
        index = {n: i for i, n in enumerate(streams)}
        self.fields: dict[str, Any] = dict(  # Instance's, as the plan gives them to every variant
            starts=starts,
            streams=streams,
            pools=pools,
            crew=crew,
            precedences=[
                Precedence(streams.index(a.stream), i, a.lag, math.ceil(a.lag / hdr.step - 1e-9))
                for i, s in enumerate(plan.streams)
                for a in s.predecessors
            ],
            any_after=[
                AnyPrecedence(tuple(index[m] for m in a.any), i, a.lag, math.ceil(a.lag / hdr.step - 1e-9))
                for i, s in enumerate(plan.streams)
                for a in s.any_after
            ],
            milestones=[m.name for m in plan.goals],
            any_required=[tuple(index[m] for m in group) for group in plan.required_any],
            **{k: np.array([getattr(s, k) for s in plan.streams]) for k in "effort min_duration release value".split()},
            max_staff=np.array([s.max_staff if s.max_staff is not None else np.inf for s in plan.streams]),
            required=np.array([s.name in required for s in plan.streams]),
            **{k: np.array([getattr(s, k) for s in plan.streams], bool) for k in ("contiguous", "fixed_crew")},
            min_staff=np.array([s.min_staff or 0.0 for s in plan.streams]),
            integer_pools=np.array([q.integer_staff for q in plan.pools], bool),
            milestone_streams=np.array([[s in m.streams for s in streams] for m in plan.goals], bool).reshape(
                -1, len(streams)
            ),
            milestone_value=np.array([m.value for m in plan.goals], float),
            parallelization=np.array([s.exponent for s in plan.streams], float),
            train_pool=np.array([pools.index(s.train.pool) if s.train else -1 for s in plan.streams], int),
            train_per_effort=np.array([s.train.per_effort if s.train else 0.0 for s in plan.streams]),
            train_delay=np.array([s.train.delay if s.train else 0.0 for s in plan.streams]),
            train_attrition=np.array([s.train.attrition if s.train else 0.0 for s in plan.streams]),
            success=np.array([s.success for s in plan.streams], float),
            attempts=np.array([s.attempts for s in plan.streams], int),
        )
        self.deadline_text = repr(plan.deadline)  # every number of it, exactly (floats' repr round-trips)
        self.windows: dict[tuple, slice] = {}  # `window`'s
        self.donors: dict[bool, Instance] = {}  # the first variant, and the first plain one (`share`)

    def window(self, span: Span) -> slice:
        """The periods starting in [from_year, until_year), which follow each other: once per span."""
        if (held := self.windows.get(key := (span.from_year, span.until_year))) is None:
            until = np.inf if span.until_year is None else span.until_year
            inside = np.flatnonzero((self.starts >= span.from_year - 1e-9) & (self.starts < until - 1e-9))
            self.windows[key] = held = slice(inside[0], inside[-1] + 1) if inside.size else slice(0, 0)
        return held

    def share(self, inst: Instance, plain: bool) -> None:
        """Give `inst` copies of what an earlier variant of this plan derived from the same numbers: the
        structure's from any; the caps (which read productivity and speedup) from a `plain` one."""
        for donor, names in ((self.donors.get(False), _STRUCTURE), (self.donors.get(True) if plain else None, _CAPS)):
            for name in names.split() if donor is not None else ():
                if name in donor.__dict__:  # computed by now (a cached_property keeps it there)
                    inst.__dict__[name] = _copied(donor.__dict__[name])
        self.donors.setdefault(False, inst)
        if plain:
            self.donors.setdefault(True, inst)


_STRUCTURE = "release_period predecessors order integer_staff discrete has_dynamics diminishing trains train_lag"
_CAPS = "rate_cap own_cap floor"


def _copied(value: Any) -> Any:
    """A copy of an array, or of a list of arrays, lists or immutable values (one kind per list)."""
    if isinstance(value, list) and value and isinstance(value[0], (list, np.ndarray)):
        return [_copied(v) for v in value]
    return value.copy() if isinstance(value, (list, np.ndarray)) else value


_LAST: list[tuple[Plan, _Shared]] = []  # the last plan resolved, and its numbers


def _shared(plan: Plan) -> _Shared:
    """The plan's `_Shared` numbers: the last plan's if it is this one (a Plan is immutable), else
    new. A plan with a series read from a file is not kept: the file is read for every variant."""
    if (last := _LAST[-1] if _LAST else None) is not None and last[0] is plan:
        return last[1]
    shared = _Shared(plan)
    if not shared.files:
        _LAST[:] = [(plan, shared)]
    return shared


_SCENARIOS: dict[tuple, tuple[Deadline, np.ndarray, np.ndarray]] = {}


def _scenarios(plan: Plan, base: _Shared, shift: float) -> tuple[Deadline, np.ndarray, np.ndarray]:
    """The resolved deadline and its (years, probabilities) after `shift`: once per set of these numbers."""
    assert plan.deadline is not None
    hdr = plan.plan
    H, year = len(base.starts), hdr.start_year
    key = (base.deadline_text, year, H, float(hdr.step).hex(), float(shift).hex())
    if (held := _SCENARIOS.get(key)) is None:
        deadline = deadlines.resolved(plan.deadline, year)
        years, probs = deadlines.scenarios(deadline, start_year=year, periods=H, step=hdr.step, shift=shift)
        if len(_SCENARIOS) >= 256:
            _SCENARIOS.clear()
        _SCENARIOS[key] = held = (deadline, years, probs)
    return held[0], held[1].copy(), held[2].copy()


def _apply(row: np.ndarray, ch: Window, base: _Shared, where: str, key: str, units: float = 1.0) -> None:
    """new = old * multiply**units + add*units over periods starting in [from_year, until_year);
    in place (units = 1: one unit of the intervention, as written)."""
    starts, window = base.starts, base.window(ch)
    row[window] = row[window] * ch.multiply**units + ch.add * units
    if row.min() >= 0 and row.max() <= 1e12:  # the usual case, one pass each (NaN fails both)
        return
    for bad, what in ((row > 1e12, "larger than 1e12"), (row < 0, "negative")):
        if np.any(bad):
            t = int(np.flatnonzero(bad)[0])
            where_ = f"in the period starting at year {starts[t]:g}"
            raise PlanError(f"makes the value {what} ({row[t]:g}) {where_}", file=base.file, table=where, key=key)
