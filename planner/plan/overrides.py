"""Changes to a plan addressed by dotted paths: `--set`, `[overrides.NAME]` groups, and the
points of sweeps, break-even searches and Monte Carlo samples.

A path walks the plan as its file is written: table keys, then names for the rows of an array
table (`streams.serial-a.min_duration`, `interventions."capabilities work".supply.0.multiply`),
and 0-based indices for plain lists. A change never edits a plan: the plan is dumped to the
dicts a TOML file would give, the value is put in place, and the whole is validated again, so a
changed plan obeys every rule a plan file does. Errors name the path and the closest valid key.
"""
from __future__ import annotations

import copy
import re
import tomllib
from typing import Any

from planner.errors import PlanError
from planner.plan.schema import Plan, did_you_mean, from_dict

NAMED_TABLES = ("pools", "streams", "interventions")
"""Array tables whose rows a path selects by `name` (their names are unique)."""

_DEADLINE_KINDS = ("years", "year", "scenarios", "distribution")


def split_path(path: str) -> list[str]:
    """`interventions."capabilities work".supply.0.multiply` -> its parts (quotes keep dots)."""
    parts, token = [], re.compile(r'\s*(?:"([^"]*)"|\'([^\']*)\'|([^."\']+))\s*(\.|$)')
    at = 0
    path = path.strip()
    while at < len(path):
        m = token.match(path, at)
        if not m or m.end() == at:
            raise PlanError(f"cannot read the path '{path}' (parts are separated by dots; quote a name "
                            "that holds a dot or a space)", key=path)
        parts.append(next(g for g in m.groups()[:3] if g is not None).strip())
        at = m.end()
        if m.group(4) == "." and at == len(path):
            raise PlanError(f"the path '{path}' ends in a dot", key=path)
    if not parts:
        raise PlanError("an empty path", key=path)
    return parts


def parse_value(text: str) -> Any:
    """A VALUE as TOML reads it (20, 0.5, true, [1, 2], { start = 3, growth = 0.1 }); anything
    TOML does not read (a bare word such as a name) is the string itself."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text.strip()


def plan_data(plan: Plan) -> dict:
    """The plan as the nested dicts its file would give (unset optional keys left out)."""
    return plan.model_dump(mode="python", exclude_none=True)


def get(plan: Plan | dict, path: str) -> Any:
    """The value at `path` (a PlanError naming the path when it does not exist)."""
    data = plan_data(plan) if isinstance(plan, Plan) else plan
    parts = split_path(path)
    parent, key = _walk(data, parts, path)
    if isinstance(parent, dict) and key not in parent:
        raise PlanError(f"no key '{key}'" + did_you_mean(key, list(parent)), key=path)
    return parent[key]


def with_changes(plan: Plan, changes: dict[str, Any], *, where: str = "") -> Plan:
    """A new validated plan with every path in `changes` set to its value."""
    data = plan_data(plan)
    for path, value in changes.items():
        _set(data, path, value)
    try:
        new = from_dict(data, source=plan.source)
    except PlanError as e:
        paths = ", ".join(changes)
        raise PlanError(f"after {where or 'setting'} {paths}: {e.detail}", file=e.file, table=e.table,
                        key=e.key) from None
    new._allowed_dirs = plan._allowed_dirs
    return new


def apply(plan: Plan, scenarios: list[str] = (), sets: list[str] = ()) -> Plan:
    """The plan with its `[overrides.NAME]` groups (in order), then `PATH=VALUE` items, applied."""
    for name in scenarios:
        if name not in plan.overrides:
            raise PlanError(f"no override group '{name}'"
                            + (did_you_mean(name, list(plan.overrides)) or " (the plan has no [overrides])"),
                            file=str(plan.source) if plan.source else None, table="[overrides]", key=name)
        plan = with_changes(plan, flatten(plan.overrides[name], plan_data(plan)),
                            where=f"--scenario {name} set")
    changes = dict(parse_set(item) for item in sets)
    return with_changes(plan, changes, where="--set") if changes else plan


def parse_set(item: str) -> tuple[str, Any]:
    """'PATH=VALUE' -> (path, value)."""
    path, sep, value = item.partition("=")
    if not sep or not path.strip():
        raise PlanError(f"--set takes PATH=VALUE, got '{item}'")
    split_path(path)
    return path.strip(), parse_value(value.strip())


def flatten(group: dict, data: dict, prefix: str = "") -> dict[str, Any]:
    """An `[overrides.NAME]` group as {path: value}. TOML turns `deadline.years = 20` into nested
    tables, so nested tables are followed down to values; a table given where the plan holds a
    value (or nothing) replaces it whole, e.g. `pools.x.supply = { start = 3, growth = 0.1 }`."""
    out: dict[str, Any] = {}
    for key, value in group.items():
        part = key if "." in key else _quote(key)   # a quoted "a.b.c" key is a path of its own
        path = f"{prefix}.{part}" if prefix else part
        try:
            current = get(data, path)
        except PlanError:
            current = None
        if isinstance(value, dict) and (isinstance(current, (dict, list)) or "." in key):
            out.update(flatten(value, data, path))
        else:
            out[path] = value
    return out


def _quote(key: str) -> str:
    """A part of a path, quoted when a dot or space would split it."""
    return key if re.fullmatch(r"[\w\-]+", key) else f'"{key}"'


def _set(data: dict, path: str, value: Any) -> None:
    parts = split_path(path)
    parent, key = _walk(data, parts, path)
    if isinstance(parent, list):
        parent[key] = copy.deepcopy(value)
        return
    if parts[:1] == ["deadline"] and len(parts) == 2 and key in _DEADLINE_KINDS:
        for other in _DEADLINE_KINDS:  # a deadline is one kind: setting one replaces the others
            parent.pop(other, None)
    parent[key] = copy.deepcopy(value)


def _walk(data: dict, parts: list[str], path: str):
    """The container holding the last part, and the key (or index) of the last part in it."""
    node: Any = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        here = ".".join(parts[:depth]) or "(top level)"
        if isinstance(node, list):
            key = _row(node, part, parts[depth - 1] if depth else "", here, path)
        elif isinstance(node, dict):
            if part not in node and not last:
                raise PlanError(f"no key '{part}' under {here}" + did_you_mean(part, list(node)), key=path)
            key = part
        else:
            raise PlanError(f"{here} is a value ({node!r}), not a table: it has no '{part}'", key=path)
        if last:
            return node, key
        node = node[key]
    raise AssertionError("unreachable")


def _row(rows: list, part: str, table: str, here: str, path: str) -> int:
    """A list element: by name in an array table, else by 0-based index."""
    if table in NAMED_TABLES and rows and all(isinstance(r, dict) and "name" in r for r in rows):
        names = [r["name"] for r in rows]
        if part in names:
            return names.index(part)
        if not part.lstrip("-").isdigit():
            kind = table.rstrip("s")
            raise PlanError(f"no {kind} named '{part}' in {here}" + did_you_mean(part, names), key=path)
    try:
        index = int(part)
    except ValueError:
        raise PlanError(f"{here} is a list: '{part}' must be an index 0..{len(rows) - 1}", key=path) from None
    if not 0 <= index < len(rows):
        raise PlanError(f"{here} has {len(rows)} entries: index {index} is out of range "
                        f"(0..{len(rows) - 1})", key=path)
    return index
