"""The page's whole state: a list of `PATH=VALUE` changes to the plan the server was started with,
in the `--set` language (planner/plan/paths.py). Every request carries it (`?set=` items, or the
controls' fields, each named by its path), so the server keeps nothing per tab and a link
reproduces a view.

What a change may touch is narrower than `--set`: only a value the plan already holds (its value
space, as `plan_data` dumps it), only a number, a true/false switch or a list of numbers, and
never anything that names a file. A refused or rule-breaking change is reported against its path
with planner's own words, and the others still apply.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote as url_quote

from planner.errors import PlanError
from planner.plan import presets
from planner.plan.paths import get, parse_value, plan_data, split_path
from planner.plan.schema import Plan

MAX_CHANGES = 200
"""At most this many changes in one request (a plan's controls number far fewer)."""

MAX_ITEM = 2000
"""At most this many characters in one `PATH=VALUE` item."""

SETTABLE = ("plan", "pools", "streams", "goal", "goals", "deadline", "interventions")
"""The plan's tables a change may reach (not `[overrides]` nor `[uncertainty]`)."""


@dataclass
class State:
    """The changes that apply (path -> value, in order), the plan they give, and the refused or
    rule-breaking ones (path -> planner's message)."""

    plan: Plan
    changes: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> tuple[tuple[str, str], ...]:
        """The changes as a hashable key (for the cache of answers)."""
        return tuple((p, value_text(v)) for p, v in self.changes.items())

    def query(self) -> str:
        """`set=PATH%3DVALUE&...`: the changes as a query string ('' without any)."""
        return "&".join("set=" + url_quote(f"{p}={value_text(v)}", safe="") for p, v in self.changes.items())

    def url(self) -> str:
        """The page's address for these changes."""
        q = self.query()
        return "/?" + q if q else "/"


def value_text(value: Any) -> str:
    """A value as `--set` writes it: 0.5, true, [1, 2]."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(value_text(v) for v in value) + "]"
    return str(value)


def split_item(item: str) -> tuple[str, Any]:
    """'PATH=VALUE' -> (path, value), split at the first '=' outside quotes (a quoted name may
    hold one: `interventions."a=b".units=2`)."""
    quote_char = ""
    for at, ch in enumerate(item):
        if quote_char:
            quote_char = "" if ch == quote_char else quote_char
        elif ch in "\"'":
            quote_char = ch
        elif ch == "=":
            return read_change(item[:at], item[at + 1 :])
    raise PlanError(f"a change is PATH=VALUE, got '{item[:80]}'")


def read_change(path: str, text: str) -> tuple[str, Any]:
    """A path (checked to parse) and a value as TOML reads it."""
    path = path.strip()
    split_path(path)
    return path, parse_value(text.strip())


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def check_change(base: dict[str, Any], path: str, value: Any) -> None:
    """Refuse (PlanError) a change outside the plan's value space, or one that would name a file."""
    parts = split_path(path)
    if parts[0] not in SETTABLE:
        raise PlanError(f"the page changes only the tables {', '.join(SETTABLE)}, not '{parts[0]}'", key=path)
    if any(p.lower().endswith(("file", "column")) for p in parts):
        raise PlanError("the page never names a file: data files are set in the plan file only", key=path)
    current = get(base, path)  # a PlanError naming the closest key when the path is not there
    if isinstance(current, bool):
        ok = isinstance(value, bool)
    elif _is_number(current):
        ok = _is_number(value) and math.isfinite(value)
    elif isinstance(current, list) and current and all(_is_number(x) for x in current):
        ok = isinstance(value, list) and bool(value) and all(_is_number(x) and math.isfinite(x) for x in value)
    elif isinstance(current, str) and parts[-1] == "preset":  # a named preset: another of its kind
        kind = "deadline" if parts[0] == "deadline" else "parallelization"
        problem = presets.unknown(kind, value)
        if problem:
            raise PlanError(problem, key=path)
        ok = True
    else:
        raise PlanError("the page changes numbers and switches only; this holds a table, a name or a file", key=path)
    if not ok:
        want = {bool: "true or false", list: "a list of numbers"}.get(type(current), "a number")
        raise PlanError(f"must be {want}, got {value_text(value)!r}", key=path)


def same(a: Any, b: Any) -> bool:
    """Whether a field's value is the plan's own (so not a change)."""
    if _is_number(a) and _is_number(b):
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12)
    return bool(a == b)


def read_state(base: Plan, items: list[str], fields: dict[str, str] | None = None) -> State:
    """The state of a request: its `set` items (`PATH=VALUE`) and form fields (path -> text, the
    controls; a field equal to the plan's own value is no change), checked one by one and applied
    in order. A change the page refuses, or one that breaks a plan rule on top of the changes
    before it, is left out and its message kept under its path."""
    base_data = plan_data(base)
    state = State(base)
    wanted: dict[str, Any] = {}
    if len(items) + len(fields or {}) > MAX_CHANGES:
        state.errors["set"] = f"at most {MAX_CHANGES} changes at once"
        return state
    for item in items:
        if len(item) > MAX_ITEM:
            state.errors["set"] = f"a change longer than {MAX_ITEM} characters"
            continue
        try:
            path, value = split_item(item)
            check_change(base_data, path, value)
        except PlanError as e:
            state.errors[item.partition("=")[0].strip() or "set"] = str(e)
            continue
        wanted[path] = value
    for path, text in (fields or {}).items():
        try:
            path, value = read_change(path, text)
            check_change(base_data, path, value)
        except PlanError as e:
            state.errors[path] = str(e)
            continue
        if same(value, get(base_data, path)):
            wanted.pop(path, None)  # a control back at the plan's own value
        else:
            wanted[path] = value
    try:  # all at once (one validation); one by one only to find which change breaks a rule
        state.plan = base.with_changes(wanted, where="setting") if wanted else base
        state.changes = dict(wanted)
        return state
    except PlanError:
        pass
    plan = base
    for path, value in wanted.items():
        try:
            plan = plan.with_changes({path: value}, where="setting")
        except PlanError as e:
            state.errors[path] = str(e)
            continue
        state.changes[path] = value
    state.plan = plan
    return state
