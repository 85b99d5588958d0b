"""Solver backends: each loads a `LinearModel`, solves it once and returns a `RawSolution`.

`highs` (the default) hands the arrays straight to HiGHS through highspy. `scip` hands them to SCIP
through pyscipopt (a second, independent solver, used to cross-check HiGHS). `race` solves the
same arrays with several set-ups at once, each in its own process, and keeps the first proven
answer (race.py; `race:highs+scip`, `race:highs+highs/7`). Any other name goes
through Pyomo (`pyomo:highs` runs HiGHS through Pyomo's highspy interface; a bare name such as
`cbc` or `gurobi_direct` is a Pyomo solver too), for users with another MIP solver.

`get_backend` returns a new object on every call and fails at once, naming the solvers this
machine has, if the one asked for is unknown or unavailable, so that nothing is built in vain.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Protocol

from planner.solvers.status import RawSolution, SolveOptions

if TYPE_CHECKING:
    from planner.errors import UsageError
    from planner.mip.linear import LinearModel
    from planner.solvers.race import Entrant


class Backend(Protocol):
    """One object per solve: `load` a model once, `solve` it once."""

    name: str

    def load(self, lm: LinearModel) -> None: ...

    def solve(self, options: SolveOptions) -> RawSolution: ...


# Pyomo solver names that can solve a MIP, listed when present (Pyomo registers many more: NLP
# solvers and meta-solvers such as gdpopt, which report "available" but are no use here).
PYOMO_MIP_SOLVERS = (
    "highs",
    "appsi_highs",
    "cbc",
    "appsi_cbc",
    "glpk",
    "scip_direct",
    "scip",
    "gurobi_direct",
    "gurobi_persistent",
    "appsi_gurobi",
    "gurobi",
    "cplex_direct",
    "cplex_persistent",
    "appsi_cplex",
    "cplex",
    "xpress_direct",
    "xpress",
    "mosek_direct",
    "cuopt",
    "gams",
    "sas",
)


def get_backend(name: str = "highs") -> Backend:
    """A fresh backend for `name`: "highs", "scip", "pyomo:<name>" or a bare Pyomo solver name."""
    if name == "highs":
        from planner.solvers.highs import HighsBackend

        return HighsBackend()
    if name == "race" or name.startswith("race:"):
        from planner.solvers.race import RaceBackend

        return RaceBackend(_entrants(name))
    if name == "scip":
        if scip_available():
            from planner.solvers.scip import ScipBackend

            return ScipBackend()
        raise _unknown(name, "SCIP needs pyscipopt (pip install pyscipopt)")
    solver = name.removeprefix("pyomo:")
    if solver and _pyomo_available(solver):
        from planner.solvers.pyomo import PyomoBackend

        return PyomoBackend(solver)
    raise _unknown(name, "unknown, or not installed here")


def _entrants(name: str) -> tuple[Entrant, ...]:
    """`race` (two HiGHS runs with different random seeds) or `race:A+B+...`, each entrant `highs`,
    `scip`, or `highs/seed` (HiGHS with that random seed)."""
    from planner.solvers.race import DEFAULT_ENTRANTS, Entrant

    if name == "race":
        return DEFAULT_ENTRANTS
    out: list[Entrant] = []
    for part in name.removeprefix("race:").split("+"):
        solver, _, seed = part.partition("/")
        if solver not in ("highs", "scip") or (seed and (solver != "highs" or not seed.isdigit())):
            raise _unknown(name, f"a race entrant is highs, highs/SEED or scip, not '{part}'")
        if solver == "scip" and not scip_available():
            raise _unknown(name, "SCIP needs pyscipopt (pip install pyscipopt)")
        out.append(Entrant(solver, {"random_seed": int(seed)} if seed else {}))
    if len(out) < 2:
        raise _unknown(name, "a race needs at least two entrants, e.g. race:highs+scip")
    return tuple(out)


def available_solvers() -> list[str]:
    """Solver names `get_backend` accepts on this machine (Pyomo's MIP solvers with their prefix)."""
    names = (
        ["highs"]
        + (["scip"] if scip_available() else [])
        + ["race"]
        + (["race:highs+scip"] if scip_available() else [])
    )
    return names + [f"pyomo:{s}" for s in PYOMO_MIP_SOLVERS if _pyomo_available(s)]


def _unknown(name: str, why: str) -> UsageError:
    from planner.errors import UsageError

    return UsageError(
        f"solver '{name}' is not available ({why}); available on this machine: {', '.join(available_solvers())}"
    )


@cache
def scip_available() -> bool:
    try:
        import pyscipopt  # noqa: F401
    except ImportError:
        return False
    return True


@cache  # asked at every solve; the answer does not change while we run
def _pyomo_available(solver: str) -> bool:
    """Whether Pyomo can run `solver` here, asked the way PyomoBackend will run it: through the new
    solver interface when it knows the name, else through the legacy SolverFactory."""
    try:
        import pyomo.environ as pyo
        from pyomo.contrib.solver.common.factory import SolverFactory as ContribFactory
    except ImportError:
        return False
    try:
        if solver in set(ContribFactory):
            return bool(ContribFactory(solver).available())
        # only registered names: Pyomo logs a traceback for an unknown one
        return solver in set(pyo.SolverFactory) and bool(pyo.SolverFactory(solver).available(exception_flag=False))
    except Exception:  # a plugin that fails to start is not available
        return False
