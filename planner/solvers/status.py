"""What a solve ended with (`SolveStatus`), and the two records every backend shares: the options
a solve is asked with (`SolveOptions`) and what one solve returns (`RawSolution`).

Apart from the backends in this package, so that a module that only reads statuses (result,
verify, the reports) need not import the backend registry.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

import numpy as np


class SolveStatus(enum.StrEnum):
    """How a solve ended. Each member equals its string ("optimal" == SolveStatus.OPTIMAL), so
    JSON, CSV and comparisons with strings read the same as before the enum."""

    OPTIMAL = "optimal"
    """A plan, proven best within the asked gap."""
    TIME_LIMIT = "time_limit"
    """A plan, not proven best: the solver stopped on a limit (time, iterations, solutions)."""
    INTERRUPTED = "interrupted"
    """The user stopped the run (Ctrl-C); the plan found by then, if any, is kept."""
    INFEASIBLE = "infeasible"
    """Proven: no plan meets the constraints."""
    NO_SOLUTION = "no_solution"
    """The solver stopped before it found any plan, and without a proof that none exists."""
    ERROR = "error"
    """The solver failed; the message says how."""


# the answers that settle a solve: a proven plan, or a proof that there is none
DECISIVE = frozenset({SolveStatus.OPTIMAL, SolveStatus.INFEASIBLE})


@dataclass(frozen=True)
class SolveOptions:
    """How a solve is asked: limits, gap and threads, and options passed to the solver untouched."""

    time_limit: float | None = None  # seconds; the best plan found by then is kept
    gap: float = 1e-6  # relative MIP gap at which a plan counts as optimal
    threads: int | None = None
    solver_options: dict[str, Any] = field(default_factory=dict)  # passed through untouched
    verbose: bool = False


@dataclass
class RawSolution:
    """What one backend solve returned, before it is checked and read back into a plan."""

    status: SolveStatus
    x: np.ndarray | None  # column values, when a plan was found
    objective: float | None
    bound: float | None
    gap: float | None
    runtime: float  # seconds inside the solver
    message: str = ""
    interrupted: bool = False  # the user stopped the run (Ctrl-C) during this solve

    def __post_init__(self) -> None:
        self.status = SolveStatus(self.status)  # a status given as its string is stored as the member
