"""Solver backends: each loads a `LinearModel`, solves it and returns a `RawSolution`.

`highs` (the default) hands the arrays straight to HiGHS through highspy: no per-term Python
objects, and in-place updates for re-solves. Any other name goes through Pyomo's SolverFactory
(`pyomo:highs` runs HiGHS through Pyomo's highspy interface), for users with another MIP solver.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np


@dataclass(frozen=True)
class SolveOptions:
    time_limit: float | None = None      # seconds; the best plan found by then is kept
    gap: float = 1e-6                    # relative MIP gap at which a plan counts as optimal
    threads: int | None = None
    solver_options: dict[str, Any] = field(default_factory=dict)  # passed through untouched
    verbose: bool = False


@dataclass
class RawSolution:
    status: str                  # optimal | time_limit | interrupted | infeasible | no_solution | error
    x: np.ndarray | None         # column values, when a plan was found
    objective: float | None
    bound: float | None
    gap: float | None
    runtime: float               # seconds inside the solver
    message: str = ""
    interrupted: bool = False    # the user stopped the run (Ctrl-C) during this solve


class Backend(Protocol):
    name: str

    def load(self, lm) -> None: ...

    def update(self, lm) -> bool: ...

    def solve(self, options: SolveOptions, tie_break: np.ndarray | None = None) -> RawSolution: ...


def get_backend(name: str = "highs") -> Backend:
    if name == "highs":
        from .highs import HighsBackend
        return HighsBackend()
    from .pyomo import PyomoBackend
    return PyomoBackend(name.removeprefix("pyomo:"))
