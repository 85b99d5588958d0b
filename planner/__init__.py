"""planner: allocate researcher-years across serial and parallel alignment work under a deadline,
and compare the optimum with and without capabilities work.

    import planner
    plan = planner.load("models/serial_parallel_toy.toml")
    result = planner.solve(plan)
    comparison = planner.compare(plan)

A result is complete as returned: its exports (to_frame, to_csv, to_dict) need no other call or
import. A wrong argument (`solve(None)`, a path instead of a loaded plan, `gap=2`, `threads=0`, an
unknown intervention) raises `planner.UsageError`, a ValueError whose one line names it.

Importing the package loads only the standard library (and planner.errors): the plan schema
(pydantic), numpy and the solver stack are imported on first use of the name that needs them, so
`planner --help` starts at once and `planner check` never loads a solver.
"""
from __future__ import annotations

from planner.errors import NoSolutionError, PlanError, PlannerError, UsageError, VerificationError

__version__ = "0.1.0"
__all__ = ["Plan", "load", "from_dict", "solve", "compare", "Model", "resolve", "PlannerError",
           "PlanError", "UsageError", "NoSolutionError", "VerificationError"]

# public name -> (module, attribute), imported when the name is first asked for
_LAZY = {"Plan": ("plan.schema", "Plan"), "load": ("plan.schema", "load"), "from_dict": ("plan.schema", "from_dict"),
         "solve": ("pipeline.session", "solve"), "Model": ("pipeline.session", "Model"), "compare": ("analysis", "compare"),
         "resolve": ("instance.resolve", "resolve")}


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module
        module, attr = _LAZY[name]
        value = getattr(import_module(f".{module}", __name__), attr)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module 'planner' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
