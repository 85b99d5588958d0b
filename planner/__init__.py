"""planner: allocate researcher-years across serial and parallel alignment work under a deadline,
and compare the optimum with and without capabilities work.

    import planner
    plan = planner.load("models/serial_parallel_toy.toml")
    result = planner.solve(plan)
    comparison = planner.compare(plan)

Heavy imports (numpy, the solver stack) happen only when a solve is asked for.
"""
from __future__ import annotations

from .errors import NoSolutionError, PlanError, PlannerError, VerificationError
from .plan import Plan, from_dict, load

__version__ = "0.1.0"
__all__ = ["Plan", "load", "from_dict", "solve", "compare", "Model", "resolve", "PlannerError",
           "PlanError", "NoSolutionError", "VerificationError"]


def __getattr__(name: str):
    if name in ("solve", "Model"):
        from . import run
        return getattr(run, name)
    if name == "compare":
        from .analysis import compare
        return compare
    if name == "resolve":
        from .instance import resolve
        return resolve
    raise AttributeError(f"module 'planner' has no attribute {name!r}")
