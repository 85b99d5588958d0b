"""The options every command shares (the plan and its changes, how each solve runs, how robustness is
measured), each checked by the library's own rule, and solver_options, which turns them into the
library's keywords. Only the standard library (and planner.errors) at the top: see main.py."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from planner.errors import UsageError

T = TypeVar("T")


def _gap(text: str) -> float:
    from planner.pipeline.arguments import check_gap  # here, not at the top: see the docstring

    return _ranged(text, float, check_gap)


def _time_limit(text: str) -> float | None:  # the check's type: text never gives None
    from planner.pipeline.arguments import check_time_limit

    return _ranged(text, float, check_time_limit)


def _threads(text: str) -> int | None:  # as --time-limit
    from planner.pipeline.arguments import check_threads

    return _ranged(text, int, check_threads)


def _ranged(text: str, cast: Callable[[str], Any], check: Callable[[Any], T]) -> T:
    """`text` cast and checked by the library's own rule (planner/pipeline/arguments.py), or an argparse
    error in the check's words, which state the valid range."""
    try:
        value: Any = cast(text)
    except ValueError:
        value = text  # not a number: the check refuses it
    try:
        return check(value)
    except UsageError as e:  # "gap: must be ...": argparse names the option itself
        raise argparse.ArgumentTypeError(str(e).partition(": ")[2]) from None


def plan_arguments(p: argparse.ArgumentParser) -> None:
    """The plan file and what changes it before use: every command that reads a plan takes these."""
    p.add_argument(
        "plan",
        type=Path,
        help="the plan file (.toml or .json), or a PSPLIB .sm instance (converted in memory: see docs/psplib.md)",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="change one plan value before use (repeatable), e.g. "
        "--set deadline.years=20 or --set streams.serial-a.min_duration=20",
    )
    p.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="NAME",
        help="apply the plan's [overrides.NAME] group (repeatable, applied in order, before --set)",
    )
    _allow_dir(p)


def robustness_arguments(p: argparse.ArgumentParser) -> None:
    """How the verdict's robustness is measured (planner/analysis/robustness.py)."""
    from planner.pipeline.arguments import DEFAULT_SAMPLES

    p.add_argument(
        "--samples",
        type=_samples,
        metavar="N",
        default=DEFAULT_SAMPLES,
        help=f"Monte Carlo samples of the plan's [uncertainty] table for P(harm) and the 5-95%% "
        f"range of each effect (default {DEFAULT_SAMPLES}; 0 turns it off)",
    )
    p.add_argument("--seed", type=_seed, help="the Monte Carlo seed (default: the [uncertainty] table's seed)")
    flip = p.add_mutually_exclusive_group()
    flip.add_argument(
        "--flip",
        dest="flip",
        action="store_true",
        default=None,
        help="search how far each verdict is from flipping even where every solve is a MIP "
        "with whole-unit staffing (by default only plans without it are searched)",
    )
    flip.add_argument(
        "--no-flip",
        dest="flip",
        action="store_false",
        help="skip the search for how far each verdict is from flipping (its break-even solves)",
    )


def _samples(text: str) -> int:
    from planner.pipeline.arguments import MAX_SAMPLES, cli_type, whole

    return cli_type(whole, int, lo=0, hi=MAX_SAMPLES)(text)


def _seed(text: str) -> int:
    from planner.pipeline.arguments import cli_type, whole

    return cli_type(whole, int, lo=0)(text)


def solver_arguments(p: argparse.ArgumentParser) -> None:
    """How each solve runs: every command that solves takes these."""
    p.add_argument(
        "--time-limit",
        type=_time_limit,
        metavar="SECONDS",
        help="stop each solve after SECONDS (> 0) and keep the best plan found",
    )
    p.add_argument(
        "--gap", type=_gap, default=1e-6, help="relative MIP gap counted as optimal, 0 <= GAP < 1 (default 1e-6)"
    )
    p.add_argument("--threads", type=_threads, help="solver threads (>= 1)")
    p.add_argument(
        "--solver",
        default="highs",
        help="'highs' (default), 'scip', or a Pyomo solver name, e.g. pyomo:highs, cbc, gurobi "
        "(an unknown name lists the ones available here)",
    )
    p.add_argument(
        "--cross-check",
        action="store_true",
        help="solve every variant with a second solver too (SCIP, or HiGHS when --solver scip) "
        "and stop with exit code 4 if their proven optima differ",
    )
    p.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="raw solver option passed through (repeatable), e.g. mip_heuristic_effort=0.2",
    )
    p.add_argument("--verbose", action="store_true", help="show the solver's log")


def _allow_dir(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--allow-dir",
        action="append",
        default=[],
        type=Path,
        metavar="DIR",
        help="a folder the plan's data files may be read from, besides the plan's own "
        "folder and the data/ folder beside it (repeatable)",
    )


def solver_options(args: argparse.Namespace) -> dict[str, Any]:
    """The solver options of the command line, as the library's keywords."""
    raw: dict[str, Any] = {}
    for item in args.option:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--option takes KEY=VALUE, got '{item}'")
        raw[key.strip()] = _literal(value.strip())
    return dict(
        time_limit=args.time_limit,
        gap=args.gap,
        threads=args.threads,
        solver_options=raw,
        verbose=args.verbose,
        cross_check=args.cross_check,
    )


def _literal(text: str) -> int | float | bool | str:
    """An --option value as the solver wants it: int, finite float, bool, else the string
    (so `nan` reaches the solver as text and is refused there, not used as a number)."""
    for cast in (int, float):
        try:
            value = cast(text)
        except ValueError:
            continue
        if math.isfinite(value):
            return value
    return {"true": True, "false": False}.get(text.lower(), text)
