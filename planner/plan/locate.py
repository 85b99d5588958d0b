"""Where in a plan file a problem is: pydantic's first validation error turned into one
`PlanError` naming the file, the table (`[[streams]] #2 "parallel"`) and the key, with the
closest valid key for a misspelt one. Knows the file's layout, not its tables: the schema passes
in which keys each table allows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from planner.errors import PlanError
from planner.plan.checks import RefError
from planner.plan.paths import did_you_mean


def plan_error(
    e: ValidationError, data: dict[str, Any], file: str | None, keys_at: Callable[[list[int | str]], list[str]]
) -> PlanError:
    """Turn pydantic's first error into a message a plan author can act on. `keys_at(loc)` gives
    the keys the table holding `loc[-1]` allows (for the hint under an unknown key)."""
    errors = e.errors(include_url=False)
    # a misspelt key is also a missing one: the unknown key, with its hint, says more
    err = next((x for x in errors if x["type"] == "extra_forbidden"), errors[0])
    loc = [x for x in err["loc"] if not (isinstance(x, str) and x.startswith("~"))]  # union tags
    ctx_error = (err.get("ctx") or {}).get("error")
    if isinstance(ctx_error, RefError):
        return PlanError(ctx_error.message, file=file, table=ctx_error.table, key=ctx_error.key or None)
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = f"unknown key '{loc[-1]}'" + did_you_mean(loc[-1], keys_at(loc))
    elif err["type"] == "missing":
        if len(loc) == 1:  # a whole table
            brackets = "[[{}]]" if loc[0] in ("pools", "streams") else "[{}]"
            return PlanError(
                "missing required table " + brackets.format(loc[0]), file=file, table="(top level)", key=str(loc[0])
            )
        msg = "missing required key"
    table, key = locate(loc, data)
    return PlanError(msg, file=file, table=table, key=key)


def locate(loc: list[int | str], data: dict[str, Any]) -> tuple[str, str | None]:
    """('streams', 1, 'effort') -> ('[[streams]] #2 "parallel"', 'effort')."""
    if not loc:
        return "(top level)", None
    head, rest = loc[0], loc[1:]
    if head in ("pools", "streams", "interventions") and rest and isinstance(rest[0], int):
        k = rest[0]
        rows = data.get(head)
        item = rows[k] if isinstance(rows, list) else None
        name = item.get("name") if isinstance(item, dict) else None
        table = f"[[{head}]] #{k + 1}" + (f' "{name}"' if isinstance(name, str) else "")
        rest = rest[1:]
    elif head in ("plan", "goal", "deadline", "pools", "streams", "interventions"):
        table = f"[{head}]"
    else:
        return "(top level)", str(head)
    key = ""
    for x in rest:
        key += f"[{x + 1}]" if isinstance(x, int) else (f".{x}" if key else str(x))
    return table, key or None
