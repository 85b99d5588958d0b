"""Changes to a plan from outside it: `--set PATH=VALUE` items and the plan's own
`[overrides.NAME]` groups (applied by `--scenario NAME`, as Calliope applies its scenarios).

Each change is a dotted path (planner/plan/paths.py) and a value. A change never edits a plan:
`Plan.with_changes` dumps the plan to the dicts a TOML file would give, puts the values in place
and validates the whole again, so a changed plan obeys every rule a plan file does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from planner.errors import PlanError
from planner.plan.paths import did_you_mean, get, parse_value, plan_data, quote, split_path
from planner.plan.schema import Plan


def apply(plan: Plan, scenarios: Sequence[str] = (), sets: Sequence[str] = ()) -> Plan:
    """The plan with its `[overrides.NAME]` groups (in order), then `PATH=VALUE` items, applied."""
    for name in scenarios:
        if name not in plan.overrides:
            raise PlanError(
                f"no override group '{name}'"
                + (did_you_mean(name, list(plan.overrides)) or " (the plan has no [overrides])"),
                file=str(plan.source) if plan.source else None,
                table="[overrides]",
                key=name,
            )
        plan = plan.with_changes(flatten(plan.overrides[name], plan_data(plan)), where=f"--scenario {name} set")
    changes = dict(parse_set(item) for item in sets)
    return plan.with_changes(changes, where="--set") if changes else plan


def parse_set(item: str) -> tuple[str, Any]:
    """'PATH=VALUE' -> (path, value)."""
    path, sep, value = item.partition("=")
    if not sep or not path.strip():
        raise PlanError(f"--set takes PATH=VALUE, got '{item}'")
    split_path(path)
    return path.strip(), parse_value(value.strip())


def flatten(group: dict[str, Any], data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """An `[overrides.NAME]` group as {path: value}. TOML turns `deadline.years = 20` into nested
    tables, so nested tables are followed down to values; a table given where the plan holds a
    value (or nothing) replaces it whole, e.g. `pools.x.supply = { start = 3, growth = 0.1 }`."""
    out: dict[str, Any] = {}
    for key, value in group.items():
        part = key if "." in key else quote(key)  # a quoted "a.b.c" key is a path of its own
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
