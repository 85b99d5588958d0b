"""Dotted paths into a plan's data, as its file is written (like Calliope's attrdict).

A path walks the nested dicts a plan file gives: table keys, then names for the rows of an
array table (`streams.serial-a.min_duration`, `interventions."capabilities work".supply.0.multiply`),
and 0-based indices for plain lists. These helpers know nothing of the plan's tables, so the
schema (which sets paths in `Plan.with_changes`) and the overrides both build on them. Errors name
the path and the closest valid key.
"""

from __future__ import annotations

import copy
import difflib
import re
import tomllib
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from planner.errors import PlanError

if TYPE_CHECKING:  # annotations only: these helpers need no pydantic at run time
    from pydantic import BaseModel

NAMED_TABLES = ("pools", "streams", "interventions")
"""Array tables whose rows a path selects by `name` (their names are unique)."""

DEADLINE_KINDS = ("years", "year", "scenarios", "distribution")
"""The ways to give a deadline; a deadline is one of them, so setting one replaces the others."""


def did_you_mean(name: str | int, valid: Iterable[object]) -> str:
    """': did you mean 'y'? (have: a, b, ...)', or just the list, for an unknown key or name (an
    index in a path is a name too)."""
    names = [str(v) for v in valid]
    close = difflib.get_close_matches(str(name), names, n=1, cutoff=0.6)
    shown = ", ".join(names[:20]) + (", ..." if len(names) > 20 else "")
    return (f": did you mean '{close[0]}'?" if close else "") + (f" (have: {shown})" if names else "")


def split_path(path: str) -> list[str]:
    """`interventions."capabilities work".supply.0.multiply` -> its parts (quotes keep dots), as a
    new list (a Monte Carlo sets the same few paths in every sample: each is read once)."""
    return list(_parts(path))


@lru_cache(maxsize=256)
def _parts(path: str) -> tuple[str, ...]:
    parts, token = [], re.compile(r'\s*(?:"([^"]*)"|\'([^\']*)\'|([^."\']+))\s*(\.|$)')
    at = 0
    path = path.strip()
    while at < len(path):
        m = token.match(path, at)
        if not m or m.end() == at:
            raise PlanError(
                f"cannot read the path '{path}' (parts are separated by dots; quote a name "
                "that holds a dot or a space)",
                key=path,
            )
        parts.append(next(g for g in m.groups()[:3] if g is not None).strip())
        at = m.end()
        if m.group(4) == "." and at == len(path):
            raise PlanError(f"the path '{path}' ends in a dot", key=path)
    if not parts:
        raise PlanError("an empty path", key=path)
    return tuple(parts)


def quote(key: str) -> str:
    """A part of a path, quoted when a dot or space would split it."""
    return key if re.fullmatch(r"[\w\-]+", key) else f'"{key}"'


def parse_value(text: str) -> Any:
    """A VALUE as TOML reads it (20, 0.5, true, [1, 2], { start = 3, growth = 0.1 }); anything
    TOML does not read (a bare word such as a name) is the string itself."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text.strip()


def plan_data(table: BaseModel) -> dict[str, Any]:
    """A plan (or any of its tables) as the nested dicts its file would give (unset optional keys
    left out)."""
    return table.model_dump(mode="python", exclude_none=True)


def get(plan: BaseModel | dict[str, Any], path: str) -> Any:
    """The value at `path` in a plan or its data dicts (a PlanError naming the path when it does
    not exist)."""
    data = plan if isinstance(plan, dict) else plan_data(plan)
    parts = split_path(path)
    parent, key = _walk(data, parts, path)
    if isinstance(parent, dict) and key not in parent:
        raise PlanError(f"no key '{key}'" + did_you_mean(key, list(parent)), key=path)
    return parent[key]


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Put a copy of `value` at `path` in `data`, in place (a PlanError when the way is not there)."""
    parts = split_path(path)
    parent, key = _walk(data, parts, path)
    if isinstance(parent, list):
        assert isinstance(key, int)  # `_walk` gives a list's element by its index
        parent[key] = copy.deepcopy(value)
        return
    if parts[:1] == ["deadline"] and len(parts) == 2 and key in DEADLINE_KINDS:
        for other in DEADLINE_KINDS:
            parent.pop(other, None)
    parent[key] = copy.deepcopy(value)


def _walk(data: dict[str, Any], parts: list[str], path: str) -> tuple[Any, int | str]:
    """The container holding the last part, and the key (or index) of the last part in it."""
    node: Any = data
    key: int | str
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


def _row(rows: list[Any], part: str, table: str, here: str, path: str) -> int:
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
        raise PlanError(f"{here} has {len(rows)} entries: index {index} is out of range (0..{len(rows) - 1})", key=path)
    return index
