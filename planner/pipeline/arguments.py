"""The checks of every argument `solve`, `Model` and `compare` take, in one place: the library calls
them at its boundary and the CLI calls the same ones, so both accept and refuse the same values.

Each check returns the value (a name resolved to what it names) or raises UsageError with one
line that starts with the argument's name: "gap: must be a number with 0 <= gap < 1, got 2".
Standard library only at import: the CLI imports this before main.

The analyses' checks (`whole`, `number`, `optional`, and `cli_type` for the CLI's argument types)
are here too, so that `sweep`, `breakeven`, `margins`, `montecarlo`, `evpi` and `parallel.run`
and their commands refuse the same values in the same words.
"""

from __future__ import annotations

import argparse
import math
import numbers
import os
from collections.abc import Callable
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any

from planner.errors import PlanError, UsageError

if TYPE_CHECKING:
    from planner.plan.schema import Intervention, Plan

METHODS = ("auto", "mip")


def _refuse(name: str, what: str, value: object) -> UsageError:
    return UsageError(f"{name}: must be {what}, got {_shown(value)}")


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 and "\n" not in text else f"a {type(value).__name__}"


def _number(value: Any, name: str, what: str, valid: Callable[[Any], bool], kind: type = Real) -> Any:
    """`value` if it is a number of `kind` (never a bool) that `valid` accepts; NaN fails every range."""
    if isinstance(value, bool) or not isinstance(value, kind) or not valid(value):
        raise _refuse(name, what, value)
    return value


def check_time_limit(value: Any, name: str = "time_limit") -> float | None:
    """None (no limit) or seconds: a finite number > 0 (0 would stop before any plan is found)."""
    return (
        None
        if value is None
        else float(_number(value, name, "a finite number > 0 (seconds)", lambda v: 0 < v < math.inf))
    )


def check_gap(value: Any, name: str = "gap") -> float:
    """A gap of 1 or more would call any plan optimal."""
    return float(_number(value, name, "a number with 0 <= gap < 1", lambda v: 0 <= v < 1))


def check_threads(value: Any, name: str = "threads") -> int | None:
    return None if value is None else int(_number(value, name, "a whole number >= 1", lambda v: v >= 1, Integral))


def check_flag(value: Any, name: str) -> bool:
    """tie_break, verbose, confirm: a bool, so that a string such as "no" is not taken as True."""
    if not isinstance(value, bool):
        raise _refuse(name, "True or False", value)
    return value


def check_solver_name(value: Any, name: str = "solver") -> str:
    """A solver name: its availability is `solvers.get_backend`'s to judge (it lists what is here)."""
    if not isinstance(value, str) or not value:
        raise _refuse(name, "a solver name such as 'highs' or 'scip'", value)
    return value


def check_cross_check(value: Any, name: str = "cross_check") -> bool | str:
    """False, True (the other of HiGHS and SCIP) or a solver name, which must be available: found
    out before the first solve, not after it."""
    if isinstance(value, bool):
        return value
    check_solver_name(value, name)
    from planner.solvers import get_backend

    try:
        get_backend(value)
    except UsageError as e:
        raise UsageError(f"{name}: {e}") from None
    return value


def check_solver_options(value: Any, name: str = "solver_options") -> dict[str, Any]:
    """None or a dict of raw solver options by name; the values are the solver's to judge."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) and k for k in value):
        raise _refuse(name, "a dict of option names (text) to values", value)
    return dict(value)


def check_method(value: Any, name: str = "method") -> str:
    if value not in METHODS:
        raise _refuse(name, " or ".join(repr(m) for m in METHODS), value)
    return value


# Model.solve's options, each with its check; `solve` and `compare` pass them through by name
# Monte Carlo samples behind each verdict in `compare` and `report` (analysis/robustness.py): a
# fixed count, so the same plan gives the same numbers on any machine. Here, below the analyses,
# so that `planner --help` can print it without loading them.
DEFAULT_SAMPLES = 100


SOLVE_OPTIONS: dict[str, Callable[[Any, str], object]] = {
    "time_limit": check_time_limit,
    "gap": check_gap,
    "threads": check_threads,
    "solver_options": check_solver_options,
    "verbose": check_flag,
    "tie_break": check_flag,
    "confirm": check_flag,
    "cross_check": check_cross_check,
    "method": check_method,
    "refine": check_flag,
}


def check_solve_options(**options: Any) -> None:
    """The options given to `Model.solve` (or passed through `solve` and `compare`): a misspelt
    name is refused here too, with the names there are."""
    for name, value in options.items():
        if name not in SOLVE_OPTIONS:
            raise UsageError(f"{name}: not an option of solve (the options: {', '.join(SOLVE_OPTIONS)})")
        SOLVE_OPTIONS[name](value, name)


def check_plan(value: Any, name: str = "plan") -> Plan:
    """A loaded Plan. A path is refused, not loaded: loading has its own errors and options
    (`planner.load(path, allow_dirs=...)`), and the caller keeps the plan to read its reports."""
    from planner.plan.schema import Plan

    if isinstance(value, Plan):
        return value
    if isinstance(value, (str, os.PathLike)):
        path = os.fspath(value)
        raise UsageError(
            f"{name}: must be a Plan, got the path {path!r}: load it first, planner.solve(planner.load({path!r}))"
        )
    raise _refuse(name, "a Plan (from planner.load or planner.from_dict)", value)


def check_intervention(plan: Plan, value: Any, name: str = "intervention") -> Intervention | None:
    """None (the baseline), an Intervention, or the name of one of the plan's: the Intervention."""
    return None if value is None else _one_intervention(plan, value, name)


def _one_intervention(plan: Plan, value: Any, name: str) -> Intervention:
    """An Intervention, or the name of one of the plan's: the Intervention (None is refused)."""
    from planner.plan.schema import Intervention

    if isinstance(value, Intervention):
        return value
    if not isinstance(value, str):
        raise _refuse(name, "None, an intervention's name or an Intervention", value)
    try:
        return plan.intervention(value)
    except PlanError as e:
        raise UsageError(f"{name}: {e}") from None


def check_interventions(plan: Plan, value: Any, name: str = "interventions") -> list[Intervention]:
    """None or an empty list (all of the plan's), or a list of intervention names: the Interventions."""
    if value is None or (isinstance(value, (list, tuple)) and not value):
        return list(plan.interventions)
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise _refuse(name, "None or a list of intervention names", value)
    chosen = []
    for i, v in enumerate(value):
        if v is None:  # the baseline is always solved: None here is a mistake, not a variant
            raise _refuse(f"{name}[{i}]", "an intervention's name", v)
        chosen.append(_one_intervention(plan, v, f"{name}[{i}]"))
    return chosen


def check_units(value: Any, name: str = "units") -> float | None:
    """None (the intervention's own amount) or a finite number of units."""
    return None if value is None else float(_number(value, name, "None or a finite number", lambda v: math.isfinite(v)))


def check_callback(value: Any, name: str) -> Callable[..., Any] | None:
    if value is not None and not callable(value):
        raise _refuse(name, "None or a function", value)
    return value


# --- the analyses' arguments -------------------------------------------------------------------

MAX_SAMPLES = 1_000_000
"""Monte Carlo samples per run: all are drawn, and their plans built, before any solve."""


def whole(value: Any, name: str, lo: int = 1, hi: int | None = None) -> int:
    """A whole number in [lo, hi] (not a bool, not 2.0)."""
    if not (
        isinstance(value, numbers.Integral)
        and not isinstance(value, bool)
        and lo <= int(value)
        and (hi is None or int(value) <= hi)
    ):
        span = f"from {lo:,} to {hi:,}" if hi is not None else f">= {lo:,}"
        raise UsageError(f"{name} must be a whole number {span}, got {value!r}".lstrip())
    return int(value)


def number(
    value: Any, name: str, *, above: float | None = None, at_least: float | None = None, at_most: float | None = None
) -> float:
    """A finite real number, optionally > `above`, >= `at_least`, <= `at_most`."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    ok = (
        ok
        and (above is None or value > above)
        and (at_least is None or value >= at_least)
        and (at_most is None or value <= at_most)
    )
    if not ok:
        bounds = [
            f"> {above:g}" if above is not None else "",
            f">= {at_least:g}" if at_least is not None else "",
            f"<= {at_most:g}" if at_most is not None else "",
        ]
        span = " and ".join(b for b in bounds if b)
        raise UsageError(f"{name} must be a finite number{' ' + span if span else ''}, got {value!r}".lstrip())
    return float(value)


def optional(check: Callable[..., Any], value: Any, name: str, **bounds: Any) -> Any:
    """None (the default) or a value that passes `check`."""
    return None if value is None else check(value, name, **bounds)


def cli_type(check: Callable[..., Any], parse: Callable[[str], Any], **bounds: Any) -> Callable[[str], Any]:
    """An argparse `type=` that parses the text and applies the library's own check."""

    def convert(text: str) -> Any:
        try:
            value = parse(text)
        except ValueError:
            value = text
        try:
            return check(value, "", **bounds)
        except UsageError as e:
            raise argparse.ArgumentTypeError(str(e)) from None

    return convert
