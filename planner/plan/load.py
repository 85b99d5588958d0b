"""Reading a plan file: TOML or JSON text to nested dicts, read as strictly as each other (a key
given twice, an integer too long for Python), then validated by the schema. Any problem is a
`PlanError` naming the file, the table and the key.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from planner.errors import PlanError
from planner.files import read_text
from planner.plan.locate import locate
from planner.plan.schema import Plan, from_dict


def load(path: str | Path, *, allow_dirs: tuple[str | Path, ...] = ()) -> Plan:
    """Read a plan from a TOML file, or a JSON one (by its `.json` suffix).

    `path` is the plan file; `allow_dirs` are further folders its data files may be read from
    (see `Plan.data_dirs`). Returns the validated `Plan`, whose `source` is `path`. Any problem
    (no file, bad TOML/JSON, a broken rule) is a `PlanError` naming the file, table and key."""
    path = Path(path)
    file = str(path)
    try:
        text = read_text(path)  # a regular file only: a FIFO would wait for a writer forever
    except FileNotFoundError:
        raise PlanError("no such file", file=file) from None
    except (OSError, UnicodeDecodeError) as e:
        raise PlanError(f"cannot read: {e}", file=file) from None
    kind = "JSON" if path.suffix.lower() == ".json" else "TOML"
    try:
        data = _parse_json(text, file) if kind == "JSON" else tomllib.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as e:
        raise PlanError(f"not valid {kind}: {e}", file=file) from None
    except ValueError as e:  # tomllib: an integer longer than Python reads
        raise _long_toml_integer(text, file, e) from None
    except RecursionError:
        raise PlanError(f"not a plan: {kind} nested too deeply", file=file) from None
    return from_dict(data, source=path, allow_dirs=allow_dirs)


class _Duplicate(dict[str, Any]):
    """A JSON object that gave `key` more than once."""

    key: str


class _LongInteger:
    """Stands for a JSON integer longer than Python reads (`sys.get_int_max_str_digits()`)."""

    def __init__(self, digits: int) -> None:
        self.digits = digits


def _parse_json(text: str, file: str) -> Any:
    """JSON read as strictly as TOML: a key given twice is an error (json keeps the last one
    silently), and an integer too long for Python is named by where it is, not a bare ValueError."""
    trouble: list[_Duplicate | _LongInteger] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(items)
        if len(obj) < len(items):
            duplicate = _Duplicate(obj)
            duplicate.key = _first_repeated(k for k, _ in items)
            trouble.append(duplicate)
            return duplicate
        return obj

    def integer(digits: str) -> int | _LongInteger:
        try:
            return int(digits)
        except ValueError:
            too_long = _LongInteger(len(digits.lstrip("-")))
            trouble.append(too_long)
            return too_long

    data = json.loads(text, object_pairs_hook=pairs, parse_int=integer)
    for bad in trouble:  # the first that is still in the data (a duplicate may have replaced it)
        loc = _path_to(bad, data)
        if loc is None:
            continue
        if isinstance(bad, _Duplicate):
            loc, message = loc + [bad.key], "duplicate key (JSON would silently keep the last value)"
        else:
            message = _too_long(bad.digits)
        table, key = ("(top level)", str(loc[0])) if len(loc) == 1 else locate(loc, data)
        raise PlanError(message, file=file, table=table, key=key)
    return data


def _first_repeated(keys: Iterable[str]) -> str:
    """The first key that was given before."""
    seen: set[str] = set()
    for k in keys:
        if k in seen:
            return k
        seen.add(k)
    raise ValueError("no key is repeated")


def _path_to(target: Any, node: Any, loc: list[int | str] | None = None) -> list[int | str] | None:
    """The keys and indices leading from `node` to the object `target`, or None."""
    loc = loc or []
    if node is target:
        return loc
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for k, child in children:
        found = _path_to(target, child, loc + [k])
        if found is not None:
            return found
    return None


def _too_long(digits: int) -> str:
    return (
        f"an integer of {digits:,} digits, more than Python reads ({sys.get_int_max_str_digits():,}); "
        "no plan value needs that many"
    )


_TOML_HEADER = re.compile(r"^[ \t]*(\[\[?)[ \t]*([\w.\-]+)[ \t]*\]", re.M)
_TOML_NAME = re.compile(r'^[ \t]*name[ \t]*=[ \t]*"([^"\n]*)"', re.M)


def _long_toml_integer(text: str, file: str, error: ValueError) -> PlanError:
    """tomllib stops at an integer longer than Python reads with a bare ValueError and no position,
    so find the number in the text: its line, the keys before it on that line, and its table."""
    limit = sys.get_int_max_str_digits()
    number = re.search(r"[0-9][0-9_]{" + str(limit) + ",}", text) if limit else None
    if number is None:
        return PlanError(f"not valid TOML: {error}", file=file)
    at = number.start()
    line_start = text.rfind("\n", 0, at) + 1
    keys = re.findall(r"([\w\-]+)[ \t]*=", text[line_start:at])
    table = "(top level)"
    counts: dict[str, int] = {}
    for header in _TOML_HEADER.finditer(text, 0, at):
        name = header.group(2)
        if header.group(1) == "[[":
            counts[name] = counts.get(name, 0) + 1
            table = f"[[{name}]] #{counts[name]}"
            following = _TOML_HEADER.search(text, header.end())
            given = _TOML_NAME.search(text, header.end(), following.start() if following else len(text))
            table += f' "{given.group(1)}"' if given else ""
        else:
            table = f"[{name}]"
    line = text.count("\n", 0, at) + 1
    digits = sum(c.isdigit() for c in number.group())
    return PlanError(f"line {line}: {_too_long(digits)}", file=file, table=table, key=".".join(keys) or None)
