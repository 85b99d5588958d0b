"""planner: allocate researcher-years across serial and parallel alignment work under a deadline,
and compare the optimum with and without capabilities work.

    import planner
    plan = planner.load("models/serial_parallel_toy.toml")
    result = planner.solve(plan)              # a Result: result.to_frame(), result.to_dict()
    comparison = planner.compare(plan)        # a Comparison: comparison.to_frame()

The public API is the names in `__all__` (docs/api.md describes each):

- plans: `load` (a plan file), `from_dict` (a plan from a dict), `Plan`;
- solving: `solve`, `Model` (one variant, re-solved with `update`), `Result`, `SolveStatus`;
- comparing: `compare`, `Comparison`;
- analyses: `sweep`, `breakeven`, `margins`, `montecarlo`, `evpi`, `atlas`;
- the numbers behind a variant: `resolve` -> `Instance`;
- errors: `PlannerError` and its kinds `PlanError`, `UsageError`, `NoSolutionError`, `VerificationError`.

A result is complete as returned: its exports (to_frame, to_csv, to_dict) need no other call or
import. A wrong argument (`solve(None)`, a path instead of a loaded plan, `gap=2`, `threads=0`, an
unknown intervention) raises `planner.UsageError`, a ValueError whose one line names it.

Importing the package loads only the standard library (and planner.errors): the plan schema
(pydantic), numpy and the solver stack are imported on first use of the name that needs them, so
`planner --help` starts at once and `planner check` never loads a solver.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from planner.errors import NoSolutionError, PlanError, PlannerError, UsageError, VerificationError

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time `__getattr__` imports on first use
    from planner.analysis.atlas import atlas
    from planner.analysis.breakeven import breakeven
    from planner.analysis.compare import compare
    from planner.analysis.evpi import evpi
    from planner.analysis.margins import margins
    from planner.analysis.montecarlo import montecarlo
    from planner.analysis.sweep import sweep
    from planner.instance.instance import Instance
    from planner.instance.resolve import resolve
    from planner.pipeline.session import Model, solve
    from planner.plan.load import load
    from planner.plan.schema import Plan, from_dict
    from planner.result import Comparison, Result
    from planner.solvers.status import SolveStatus

# grouped as the docstring lists them
# fmt: off
__all__ = [
    "load", "from_dict", "Plan",
    "solve", "Model", "Result", "SolveStatus",
    "compare", "Comparison",
    "sweep", "breakeven", "margins", "montecarlo", "evpi", "atlas",
    "resolve", "Instance",
    "PlannerError", "PlanError", "UsageError", "NoSolutionError", "VerificationError",
]
# fmt: on

# public name -> (module, attribute), imported when the name is first asked for
_LAZY = {
    "load": ("planner.plan.load", "load"),
    "from_dict": ("planner.plan.schema", "from_dict"),
    "Plan": ("planner.plan.schema", "Plan"),
    "solve": ("planner.pipeline.session", "solve"),
    "Model": ("planner.pipeline.session", "Model"),
    "Result": ("planner.result", "Result"),
    "SolveStatus": ("planner.solvers.status", "SolveStatus"),
    "compare": ("planner.analysis.compare", "compare"),
    "Comparison": ("planner.result", "Comparison"),
    "sweep": ("planner.analysis.sweep", "sweep"),
    "breakeven": ("planner.analysis.breakeven", "breakeven"),
    "margins": ("planner.analysis.margins", "margins"),
    "montecarlo": ("planner.analysis.montecarlo", "montecarlo"),
    "atlas": ("planner.analysis.atlas", "atlas"),
    "evpi": ("planner.analysis.evpi", "evpi"),
    "resolve": ("planner.instance.resolve", "resolve"),
    "Instance": ("planner.instance.resolve", "Instance"),
}


def __getattr__(name: str) -> object:
    if name == "__version__":  # pyproject.toml's, read when asked for (package metadata costs 30 ms)
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("planner")
        except PackageNotFoundError:  # run from a source tree that was never installed
            return "0+unknown"
    if name in _LAZY:
        from importlib import import_module

        module, attr = _LAZY[name]
        value = getattr(import_module(module), attr)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module 'planner' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | {"__version__"})
