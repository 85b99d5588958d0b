"""An RCPSP instance as a plan. In the planner's terms each job is a stream that, once started, is
worked every period until done (`contiguous`) by exactly one crew unit (`fixed_crew`, with
`effort = min_duration = duration`), the resources are pools, and the objective is `earliest`
(docs/psplib.md has the whole mapping)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from planner.errors import PlanError
from planner.rcpsp.psplib import Rcpsp, instance_name, parse
from planner.rcpsp.reference import makespan, serial_sgs

if TYPE_CHECKING:  # annotations only: importing it at run time would load the plan schema (pydantic)
    from planner.plan.schema import Plan

FREE_POOL = "unconstrained"


def stream_name(rcpsp: Rcpsp, i: int) -> str:
    return f"job{rcpsp.names[i]}"


def _real_predecessors(rcpsp: Rcpsp) -> list[list[int]]:
    """Each job's predecessors among the jobs of positive duration: a zero-duration job (the dummy
    source and sink, or any other) is bypassed, its predecessors linked to its successors."""
    preds = rcpsp.predecessors
    real: list[list[int]] = [[] for _ in range(rcpsp.n)]
    for j in rcpsp.topological_order():
        found: list[int] = []
        for p in preds[j]:
            found.extend([p] if rcpsp.durations[p] > 0 else real[p])
        real[j] = sorted(set(found))
    return real


def to_plan(rcpsp: Rcpsp, source_name: str, *, horizon: int | None = None) -> dict:
    """The instance as a plan dict (docs/psplib.md has the mapping). `horizon` defaults to the
    makespan of the serial SGS schedule, so the plan always has a feasible schedule."""
    if horizon is None:
        horizon = makespan(rcpsp, serial_sgs(rcpsp))
    jobs = [i for i in range(rcpsp.n) if rcpsp.durations[i] > 0]
    if not jobs:
        raise PlanError("every job has zero duration: there is nothing to schedule", file=rcpsp.source or None)
    preds = _real_predecessors(rcpsp)
    free_jobs = [i for i in jobs if not any(rcpsp.requests[i])]
    pools = [{"name": name, "supply": cap} for name, cap in zip(rcpsp.resource_names, rcpsp.capacities)]
    if free_jobs:
        pools.append({"name": FREE_POOL, "supply": len(free_jobs)})
    streams = []
    for i in jobs:
        crew = {rcpsp.resource_names[k]: r for k, r in enumerate(rcpsp.requests[i]) if r > 0} or {FREE_POOL: 1}
        stream = {
            "name": stream_name(rcpsp, i),
            "crew": crew,
            "effort": rcpsp.durations[i],
            "min_duration": rcpsp.durations[i],
            "contiguous": True,
            "fixed_crew": True,
        }
        if preds[i]:
            stream["after"] = [stream_name(rcpsp, p) for p in preds[i]]
        streams.append(stream)
    return {
        "plan": {
            "name": f"PSPLIB {source_name}",
            "start_year": 0,
            "horizon": max(1, horizon),
            "step": 1,
            "objective": "earliest",
        },
        "pools": pools,
        "streams": streams,
        "goal": {"required": [s["name"] for s in streams]},
    }


def load_plan(path: str | Path) -> Plan:
    """A validated `Plan` straight from a `.sm` file (what `planner solve FILE.sm` uses)."""
    from planner.plan.schema import from_dict

    rcpsp = parse(path)
    return from_dict(to_plan(rcpsp, instance_name(path)), source=path)
