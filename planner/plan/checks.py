"""Rules that span a plan's tables: names are unique, every reference (a pool, a stream, an
`after` target, a goal) names something that exists, precedences have no cycle, and the objective
has what it needs. The plan model runs them after its tables are valid; each problem is a
`RefError` that knows its table and key, so the message can name them.
"""

from __future__ import annotations

from planner.plan.paths import did_you_mean


class RefError(ValueError):
    """A plan error with its own location (table, key), raised inside validation."""

    def __init__(self, table: str, key: str, message: str):
        super().__init__(message)
        self.table, self.key, self.message = table, key, message


def _unique(items, table: str):
    seen = set()
    for k, it in enumerate(items, 1):
        if it.name in seen:
            raise RefError(f'{table} #{k} "{it.name}"', "name", f"duplicate name '{it.name}'")
        seen.add(it.name)


def _unknown(kind: str, name: str, valid) -> str:
    """ "unknown pool 'x': did you mean 'y'? (have: a, b)": the closest name first, then all of them."""
    return f"unknown {kind} '{name}'" + did_you_mean(name, valid)


def check_references(p) -> None:
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
        for name in p.goal.required:
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
        for j, ch in enumerate(iv.supply, 1):
            if ch.pool not in pools:
                raise RefError(where, f"supply[{j}].pool", _unknown("pool", ch.pool, pools_list))
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


def after_names(s) -> list[str]:
    """The streams `s` comes after (without building an `After` for each, as `predecessors` does)."""
    return [a if isinstance(a, str) else a.stream for a in s.after]


def find_cycle(p) -> list[str] | None:
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
