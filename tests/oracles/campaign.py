"""One seed of the differential campaign: its random plan solved by the planner and by the
independent formulation, each variant classified.

Outcomes: `agree` (both optima within 1e-6 relative or absolute, or both find `earliest`'s goal out
of reach), `wrong_optimum`, `false_infeasible` (the planner says infeasible or no_solution, the
oracle has a plan), `oracle_infeasible` (the planner has a plan the oracle says cannot exist: the
planner's schedule is replayed under the oracle's rules to tell which is wrong), `abort`
(VerificationError or any other exception), `refused` (the plan checks refuse the plan), and
`timeout` (either side stopped before proving its optimum).

The planner reads its answers in continuous time (docs/model.md, "Continuous time"); this oracle
writes the grid program, so it is compared with the MIP's grid objective (`grid_objective`, solved
with `refine=False`). An intervention with `choose` reports the level whose plan is best in
continuous time: it is compared with the oracle's optimum at that level.
"""
from __future__ import annotations

import inspect
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import planner

from . import independent
from .plans import random_plan, write_plan

TOL = 1e-6
FAILING = ("wrong_optimum", "false_infeasible", "oracle_infeasible", "abort", "refused", "timeout")


@dataclass
class Outcome:
    seed: int
    variant: str | None
    kind: str
    planner: float | None = None
    planner_status: str = ""
    oracle: float | None = None
    replay: float | None = None          # the planner's schedule under the oracle's rules
    detail: str = ""
    seconds: dict = field(default_factory=dict)

    def line(self) -> str:
        return (f"seed {self.seed} variant {self.variant or 'baseline'}: {self.kind}; planner "
                f"{self.planner_status} {self.planner}, oracle {self.oracle}, planner's schedule "
                f"replayed {self.replay}{'; ' + self.detail if self.detail else ''}")


def close(a: float, b: float) -> bool:
    return abs(a - b) <= TOL * max(1.0, abs(a), abs(b))


def _allocation(result) -> dict:
    return {(s.name, t): float(result.allocation[k, t])
            for k, s in enumerate(result.streams) for t in range(result.allocation.shape[1])}


def _planner_solve(plan, variant, time_limit: float):
    """The planner's answer on the plan's own grid: where it reads answers in continuous time
    (docs/model.md, "Continuous time"), the MIP's grid objective is what this oracle's period rows
    compare with, so finer grids are not asked for (`refine=False`)."""
    model = planner.Model(plan, variant)
    if "refine" in inspect.signature(model.solve).parameters:
        return model.solve(gap=1e-9, time_limit=time_limit, refine=False)
    return model.solve(gap=1e-9, time_limit=time_limit)


def _grid_objective(result) -> float | None:
    """The MIP's objective on the plan's grid (`grid_objective` when the result has one)."""
    grid = getattr(result, "grid_objective", None)
    return grid if grid is not None else result.objective


def run_seed(seed: int, folder: Path, *, time_limit: float = 60.0) -> list[Outcome]:
    """Write the seed's plan into `folder`, solve each variant both ways, classify."""
    case = random_plan(seed)
    path = write_plan(case, folder)
    try:
        plan = planner.load(path)
    except planner.PlanError as e:
        return [Outcome(seed, None, "refused", detail=str(e))]
    out = []
    for v in case.variants:
        out.append(_variant(seed, path, plan, v, time_limit))
    return out


def _variant(seed: int, path: Path, plan, variant: str | None, time_limit: float) -> Outcome:
    t0 = time.perf_counter()
    oracle = independent.optimum(path, variant, time_limit=time_limit)
    t1 = time.perf_counter()
    o = Outcome(seed, variant, "", oracle=oracle.objective)
    try:
        r = _planner_solve(plan, variant, time_limit)
    except planner.PlanError as e:
        o.kind, o.detail = "refused", str(e)
        return o
    except Exception as e:  # noqa: BLE001 - any exception is an abort, the campaign goes on
        o.kind = "abort"
        o.detail = f"{type(e).__name__}: {e} | " + traceback.format_exc(limit=3).replace("\n", " ")[-400:]
        return o
    finally:
        o.seconds = {"oracle": t1 - t0, "planner": time.perf_counter() - t1}
    o.planner, o.planner_status = _grid_objective(r), r.status
    units = r.chosen_units
    if units is not None and r.status == "optimal":
        # `choose` reports the level best in continuous time, with that level's grid optimum: the
        # oracle's optimum at that level is what it must equal (the best grid level may differ)
        best = oracle.objective
        oracle = independent.optimum(path, variant, time_limit=time_limit, units=units)
        o.oracle = oracle.objective
        o.detail = f"at the chosen level {units:g} (the oracle's best level gives {best}); "
    if oracle.status not in ("optimal", "infeasible"):
        o.kind, o.detail = "timeout", f"oracle {oracle.status}"
        return o
    if r.status in ("infeasible", "no_solution"):
        o.kind = "agree" if oracle.objective is None else "false_infeasible"
        return o
    if r.status != "optimal":
        o.kind, o.detail = "timeout", f"planner {r.status}: {r.message}"
        return o
    if oracle.objective is not None and close(o.planner, oracle.objective):
        o.kind = "agree"
        return o
    # before calling it a disagreement, the oracle asks SCIP again without presolve
    second = independent.optimum(path, variant, time_limit=time_limit, careful=True, units=units)
    if second.status in ("optimal", "infeasible") and second.objective != oracle.objective:
        o.detail += f"oracle without presolve {second.objective}, with presolve {oracle.objective}; "
        o.oracle = second.objective
        if second.objective is not None and close(o.planner, second.objective):
            o.kind = "agree"
            return o
    o.kind = "oracle_infeasible" if o.oracle is None else "wrong_optimum"
    if r.allocation is not None:
        played = independent.replay(path, variant, _allocation(r), units)
        o.replay = played.objective
        o.detail += f"replay {played.status}" + (f" at level {units:g}" if units is not None else "")
    return o
