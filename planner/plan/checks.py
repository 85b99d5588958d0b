"""Rules that span a plan's tables: names are unique, every reference (a pool, a stream, an
`after` target, a goal) names something that exists, precedences have no cycle, and the objective
has what it needs. The plan model runs them after its tables are valid; each problem is a
`RefError` that knows its table and key, so the message can name them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from planner.plan.paths import did_you_mean

# What the checks read of a plan, as protocols: the plan's models (planner/plan/schema.py) run
# these checks, so this module cannot import them; `Plan` and its tables fit these shapes.


class _Named(Protocol):
    @property
    def name(self) -> str: ...


class _Link(Protocol):  # an `After` table
    @property
    def stream(self) -> str: ...


class _PoolRef(Protocol):  # a `Train` table or a supply change
    @property
    def pool(self) -> str: ...


class StreamRefs(Protocol):
    """The parts of a `Stream` that name other tables."""

    @property
    def name(self) -> str: ...
    @property
    def pool(self) -> str | None: ...
    @property
    def crew_units(self) -> dict[str, float]: ...
    @property
    def train(self) -> _PoolRef | None: ...
    @property
    def after(self) -> Sequence[str | _Link | _AnyOf]: ...
    @property
    def min_duration(self) -> float: ...


class _StreamsChange(Protocol):  # a productivity change or a serial speedup
    @property
    def streams(self) -> Sequence[str]: ...


class _InterventionRefs(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def supply(self) -> Sequence[_PoolRef]: ...
    @property
    def productivity(self) -> Sequence[_StreamsChange]: ...
    @property
    def serial_speedup(self) -> Sequence[_StreamsChange]: ...


class _AnyOf(Protocol):  # an `AnyOf` table
    @property
    def any(self) -> Sequence[str]: ...


class _Goal(Protocol):
    @property
    def required(self) -> Sequence[str | _AnyOf]: ...


class _Milestone(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def streams(self) -> Sequence[str]: ...


class _Header(Protocol):
    @property
    def objective(self) -> str: ...
    @property
    def start_year(self) -> int: ...


class _Deadline(Protocol):
    @property
    def year(self) -> float | None: ...


class PlanRefs(Protocol):
    """The parts of a `Plan` the checks read."""

    @property
    def plan(self) -> _Header: ...
    @property
    def pools(self) -> Sequence[_Named]: ...
    @property
    def streams(self) -> Sequence[StreamRefs]: ...
    @property
    def goal(self) -> _Goal | None: ...
    @property
    def goals(self) -> Sequence[_Milestone]: ...
    @property
    def deadline(self) -> _Deadline | None: ...
    @property
    def interventions(self) -> Sequence[_InterventionRefs]: ...
    def stream(self, name: str) -> StreamRefs: ...


class RefError(ValueError):
    """A plan error with its own location (table, key), raised inside validation."""

    def __init__(self, table: str, key: str, message: str) -> None:
        super().__init__(message)
        self.table, self.key, self.message = table, key, message


def _unique(items: Iterable[_Named], table: str) -> None:
    seen: set[str] = set()
    for k, it in enumerate(items, 1):
        if it.name in seen:
            raise RefError(f'{table} #{k} "{it.name}"', "name", f"duplicate name '{it.name}'")
        seen.add(it.name)


def _unknown(kind: str, name: str, valid: Iterable[str]) -> str:
    """ "unknown pool 'x': did you mean 'y'? (have: a, b)": the closest name first, then all of them."""
    return f"unknown {kind} '{name}'" + did_you_mean(name, valid)


def check_references(p: PlanRefs) -> None:
    """Every rule across tables of the plan `p`; the first one broken is raised as a RefError."""
    _unique(p.pools, "[[pools]]")
    _unique(p.streams, "[[streams]]")
    _unique(p.interventions, "[[interventions]]")
    pools = {q.name for q in p.pools}
    streams = {s.name for s in p.streams}
    pools_list, streams_list = [q.name for q in p.pools], [s.name for s in p.streams]
    for k, s in enumerate(p.streams, 1):
        where = f'[[streams]] #{k} "{s.name}"'
        for r in s.crew_units:
            if r not in pools:
                raise RefError(where, "pool" if s.pool else f"crew.{r}", _unknown("pool", r, pools_list))
        if s.train is not None and s.train.pool not in pools:
            raise RefError(where, "train.pool", _unknown("pool", s.train.pool, pools_list))
        for name in after_names(s):
            if name not in streams:
                raise RefError(where, "after", _unknown("stream", name, streams_list))
            if name == s.name:
                raise RefError(where, "after", "a stream cannot come after itself")
    cycle = find_cycle(p)
    if cycle:
        raise RefError("[[streams]]", "after", "precedence cycle: " + " -> ".join(cycle))
    if p.goal:
        for req in p.goal.required:
            for name in [req] if isinstance(req, str) else req.any:
                if name not in streams:
                    raise RefError("[goal]", "required", _unknown("stream", name, streams_list))
    _unique(p.goals, "[[goals]]")
    for k, m in enumerate(p.goals, 1):
        for name in m.streams:
            if name not in streams:
                raise RefError(f'[[goals]] #{k} "{m.name}"', "streams", _unknown("stream", name, streams_list))
    if p.goals and p.plan.objective != "value":
        raise RefError(
            "[[goals]]",
            "",
            f"milestones count only toward objective 'value' (this plan's is "
            f"'{p.plan.objective}'); for one goal that must be met, use [goal] required",
        )
    for k, iv in enumerate(p.interventions, 1):
        where = f'[[interventions]] #{k} "{iv.name}"'
        for j, supply in enumerate(iv.supply, 1):
            if supply.pool not in pools:
                raise RefError(where, f"supply[{j}].pool", _unknown("pool", supply.pool, pools_list))
        for j, ch in enumerate(iv.productivity, 1):
            for name in ch.streams:
                if name not in streams:
                    raise RefError(where, f"productivity[{j}].streams", _unknown("stream", name, streams_list))
        for j, ch in enumerate(iv.serial_speedup, 1):
            for name in ch.streams:
                if name not in streams:
                    raise RefError(where, f"serial_speedup[{j}].streams", _unknown("stream", name, streams_list))
                if p.stream(name).min_duration <= 0:
                    raise RefError(
                        where,
                        f"serial_speedup[{j}].streams",
                        f"stream '{name}' has no min_duration, so no serial time to speed up",
                    )
    if p.plan.objective in ("probability", "value") and p.deadline is None:
        raise RefError("[deadline]", "", f"objective '{p.plan.objective}' needs a [deadline] table")
    if p.deadline and p.deadline.year is not None and p.deadline.year < p.plan.start_year:
        raise RefError("[deadline]", "year", f"year {p.deadline.year:g} is before start_year {p.plan.start_year}")


def after_names(s: StreamRefs) -> list[str]:
    """The streams `s` comes after (without building an `After` for each, as `predecessors` does),
    with every member of an `{ any = [...] }` group (a cycle through any member is still a cycle)."""
    out: list[str] = []
    for a in s.after:
        if isinstance(a, str):
            out.append(a)
        elif hasattr(a, "any"):
            out += list(a.any)
        else:
            out.append(a.stream)
    return out


def find_cycle(p: PlanRefs) -> list[str] | None:
    """A precedence cycle as a list of stream names, each after the next (first = last), or None.
    An iterative depth-first search: linear in streams and links, and a chain of 20,000 streams
    is deeper than Python's recursion limit."""
    after = {s.name: after_names(s) for s in p.streams}
    done: set[str] = set()
    for root in after:
        if root in done:
            continue
        path, on_path, todo = [root], {root}, [iter(after[root])]
        while todo:
            nxt = next(todo[-1], None)
            if nxt is None:  # every stream this one comes after is cycle-free
                done.add(path[-1])
                on_path.discard(path.pop())
                todo.pop()
            elif nxt in on_path:
                return path[path.index(nxt) :] + [nxt]
            elif nxt not in done:
                path.append(nxt)
                on_path.add(nxt)
                todo.append(iter(after[nxt]))
    return None
