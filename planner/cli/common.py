"""What every command does around its work: read the plan named on the command line, refuse an
output file that would replace an input (before any solve), and end with a one-line error and an
exit code. Only the standard library (and planner.errors) at the top: see main.py."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner.errors import UsageError

if TYPE_CHECKING:
    from planner.plan.schema import Plan

EXIT_OK, EXIT_INVALID, EXIT_NO_SOLUTION, EXIT_INTERRUPTED = 0, 2, 3, 130


def error(message: str) -> None:
    print(f"planner: error: {message}", file=sys.stderr)


def load_plan(args: argparse.Namespace) -> Plan:
    """The plan named on the command line, with its --scenario groups and --set changes applied."""
    from planner.plan.load import load

    if Path(args.plan).suffix.lower() == ".sm":  # a PSPLIB instance, converted in memory
        from planner.rcpsp.conversion import load_plan as load_psplib

        plan = load_psplib(args.plan)
    else:
        plan = load(args.plan, allow_dirs=args.allow_dir)
    if args.scenario or args.set:
        from planner.plan.overrides import apply

        plan = apply(plan, scenarios=args.scenario, sets=args.set)
    return plan


def check_suffix(path: Path, allowed: tuple[str, ...], what: str, option: str = "-o") -> None:
    """Before the plan is even read: an output file's type."""
    if path.suffix.lower() not in allowed:
        kinds = ", ".join(allowed[:-1]) + " or " + allowed[-1] if len(allowed) > 1 else allowed[0]
        raise UsageError(f"{option} {path}: {what} must end in {kinds}")


def check_outputs(
    args: argparse.Namespace,
    plan: Plan,
    *outputs: tuple[str, Path | None],
    reads: Mapping[str | Path, str] | None = None,
) -> None:
    """Before any solve: every (option, path) the command will write can be written, and none is
    the plan or a file it reads as changed by --scenario and --set (nor any of `reads`, a file
    with what it is in words)."""
    from planner.files import check_output

    protected: dict[str | Path, str] = {args.plan: "the plan file", **(reads or {})}
    for data in files_read(plan):
        protected.setdefault(data, f"a data file the plan reads ({data})")
    for option, path in outputs:
        if path is not None:
            check_output(path, reads=protected, option=option)


def files_read(plan: Plan) -> list[Path]:
    """The plan's file and every data file it names ({ file, column } anywhere in it)."""
    from pydantic import BaseModel

    from planner.plan.schema import FileColumn

    found = [plan.source] if plan.source is not None else []

    def walk(value: Any) -> None:
        if isinstance(value, FileColumn):
            found.append(plan.base_dir / value.file)
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name))
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)

    walk(plan)
    return found
