"""A plan variant (the baseline or one intervention) resolved to an `Instance`: every series rule
and intervention rule is applied here, in exactly one place.

A plan's variants share what no intervention changes (`_Shared`): a Monte Carlo sample or a
comparison resolves its baseline and each intervention from numbers worked out once per Plan
object (plans are immutable), each variant with its own copies.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from planner.errors import PlanError
from planner.instance import deadlines, series
from planner.instance.instance import AnyPrecedence, Instance, Precedence
from planner.plan.schema import Deadline, FileColumn, Intervention, Plan, Span, Window


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
        # a plain variant of this object's own, never handed out: what `share` copies from
        self.template = Instance(
            name="baseline",
            objective=hdr.objective,
            start_year=hdr.start_year,
            step=hdr.step,
            supply=self.supply,
            productivity=self.productivity,
            deadline_years=np.zeros(0),
            deadline_probs=np.zeros(0),
            has_deadline=False,
            deadline=None,
            deadline_shift=0.0,
            speedup=np.ones((len(streams), len(starts))),
            **self.fields,
        )

    def window(self, span: Span) -> slice:
        """The periods starting in [from_year, until_year), which follow each other: once per span."""
        if (held := self.windows.get(key := (span.from_year, span.until_year))) is None:
            until = np.inf if span.until_year is None else span.until_year
            inside = np.flatnonzero((self.starts >= span.from_year - 1e-9) & (self.starts < until - 1e-9))
            self.windows[key] = held = slice(inside[0], inside[-1] + 1) if inside.size else slice(0, 0)
        return held

    def share(self, inst: Instance, plain: bool) -> None:
        """Give `inst` copies of what this plan's own plain variant derives from the numbers every
        variant has: the structure's (order, release periods, dynamics flags) always, the caps
        (which read productivity and speedup) when `inst` is `plain` (an intervention that leaves
        both alone). That variant is this object's, never handed out, so nothing a caller does to
        an Instance it was given reaches the next one."""
        for name in _STRUCTURE + _CAPS if plain else _STRUCTURE:
            inst.__dict__[name] = _copied(getattr(self.template, name))  # as a cached_property keeps it


_STRUCTURE = (
    "release_period",
    "predecessors",
    "order",
    "integer_staff",
    "discrete",
    "has_dynamics",
    "diminishing",
    "trains",
    "train_lag",
)
_CAPS = ("rate_cap", "own_cap", "floor")


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
