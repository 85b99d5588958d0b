"""A reference schedule for an RCPSP instance, without a solver: the serial schedule-generation
scheme (a feasible schedule, whose makespan is an imported plan's horizon), its makespan, and the
check of any schedule against the instance (what the tests and benchmarks trust over a solver)."""

from __future__ import annotations

import math

from planner.rcpsp.psplib import Rcpsp


def latest_finish(rcpsp: Rcpsp, horizon: int | None = None) -> list[int]:
    """Latest finish times with unlimited resources, counted back from `horizon` (default the
    sum of all durations)."""
    T = sum(rcpsp.durations) if horizon is None else horizon
    lf = [T] * rcpsp.n
    for i in reversed(rcpsp.topological_order()):
        for j in rcpsp.successors[i]:
            lf[i] = min(lf[i], lf[j] - rcpsp.durations[j])
    return lf


def serial_sgs(rcpsp: Rcpsp, priority: list[float] | None = None) -> list[int]:
    """Start times from the serial schedule-generation scheme: repeatedly take the eligible job
    (all predecessors scheduled) of least priority value (default: latest finish time, ties by
    job number) and start it at the earliest period at which its predecessors are finished and
    every resource has room for its whole duration. Always feasible."""
    n, K = rcpsp.n, len(rcpsp.capacities)
    prio = latest_finish(rcpsp) if priority is None else priority
    T = sum(rcpsp.durations) + 1
    free = [[c] * T for c in rcpsp.capacities]  # free[k][t]: units of resource k left in period t
    preds = rcpsp.predecessors
    remaining = [len(p) for p in preds]
    start = [-1] * n
    eligible = {i for i in range(n) if remaining[i] == 0}
    while eligible:
        i = min(eligible, key=lambda j: (prio[j], j))
        eligible.remove(i)
        d, req = rcpsp.durations[i], rcpsp.requests[i]
        t = max((start[p] + rcpsp.durations[p] for p in preds[i]), default=0)
        while any(free[k][tau] < req[k] for k in range(K) if req[k] for tau in range(t, t + d)):
            t += 1
        start[i] = t
        for k in range(K):
            if req[k]:
                for tau in range(t, t + d):
                    free[k][tau] -= req[k]
        for j in rcpsp.successors[i]:
            remaining[j] -= 1
            if remaining[j] == 0:
                eligible.add(j)
    return start


def makespan(rcpsp: Rcpsp, starts: list[int]) -> int:
    return max((s + d for s, d in zip(starts, rcpsp.durations)), default=0)


def violations(rcpsp: Rcpsp, starts: list[float]) -> list[str]:
    """What is wrong with a schedule (start times per job): broken precedences and periods in
    which a resource is over its capacity. Empty when the schedule is feasible."""
    out = []
    for i, succ in enumerate(rcpsp.successors):
        for j in succ:
            if starts[j] < starts[i] + rcpsp.durations[i] - 1e-9:
                out.append(
                    f"job {rcpsp.names[j]} starts at {starts[j]:g}, before job {rcpsp.names[i]} "
                    f"ends at {starts[i] + rcpsp.durations[i]:g}"
                )
    if any(s < -1e-9 for s in starts):
        out.append("a job starts before time 0")
    T = int(math.ceil(max((s + d for s, d in zip(starts, rcpsp.durations)), default=0)))
    for k, cap in enumerate(rcpsp.capacities):
        use = [0] * (T + 1)
        for i, s in enumerate(starts):
            if rcpsp.requests[i][k]:
                for t in range(int(round(s)), int(round(s)) + rcpsp.durations[i]):
                    use[t] += rcpsp.requests[i][k]
        for t, u in enumerate(use):
            if u > cap:
                out.append(f"{rcpsp.resource_names[k]} uses {u} > {cap} in period {t}")
    return out
