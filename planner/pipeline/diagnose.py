"""Why no plan meets the goal inside the horizon, in the plan's terms (an `earliest` plan the
solver proves infeasible): the critical path, a pool too small for the work, or the solver's
irreducible infeasible set.
"""

from __future__ import annotations

import numpy as np

from planner.instance.instance import Instance
from planner.mip.linear import LinearModel
from planner.solvers import Backend
from planner.structure import NEVER, CriticalPath, critical_path, needed_streams


def why_infeasible(
    inst: Instance, cp: CriticalPath, backend: Backend | None = None, lm: LinearModel | None = None
) -> str:
    """Why no plan meets the goal inside the horizon, in the plan's terms: first the critical path
    (durations, releases and lags), then a pool whose whole supply is below the work it must do,
    then the solver's irreducible infeasible set. `cp` is the variant's critical path; `backend` and
    `lm` the solver and model that found no plan (None: no infeasible set to ask for)."""
    horizon = inst.periods * inst.step
    head = f"the goal cannot be met within the horizon of {horizon:g} years: "
    unlimited = critical_path(inst, unlimited_labour=True)
    if unlimited.goal_finish == NEVER:
        return head + (
            f"the chain {' -> '.join(unlimited.chain)} cannot finish inside it even with "
            "unlimited labour (minimum durations, releases and lags)"
        )
    short = short_pools(inst)
    if short:
        return head + "; ".join(short)
    if cp.goal_finish == NEVER:
        return head + (
            f"the chain {' -> '.join(cp.chain)} cannot finish inside it with the supply and staff limits it has"
        )
    iis = backend.infeasible_set(lm) if backend is not None and hasattr(backend, "infeasible_set") else []
    tail = f" (the solver's irreducible infeasible set: {', '.join(iis)})" if iis else ""
    return head + "the streams compete for too little supply at the times they can work" + tail


def short_pools(inst: Instance) -> list[str]:
    """Pools whose supply over the horizon is below the crew-years the goal's streams need at the
    best productivity each stream ever has."""
    needed = needed_streams(inst)
    best = inst.productivity.max(axis=1)
    with np.errstate(divide="ignore"):
        crew_years = np.where(best > 0, inst.effort / best, np.inf)
    # with diminishing returns a thin crew does more per crew-year (u ** a > u below 1): no bound
    crew_years = np.where(inst.diminishing, 0.0, crew_years)
    out = []
    for r, pool in enumerate(inst.pools):
        need = float((inst.crew[needed, r] * crew_years[needed]).sum())
        have = float(inst.supply_bound[r].sum() * inst.step)  # with all possible training
        if need > have * (1 + 1e-9):
            out.append(
                f"pool {pool} supplies {have:,.4g} FTE-years over the horizon, and the streams "
                f"the goal needs take at least {need:,.4g}"
            )
    return out
