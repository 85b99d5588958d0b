"""SCIP's cumulative model beside HiGHS on a project-scheduling question, and the check of the
schedule it finds.

The goal-period search (planner/pipeline/search.py) asks HiGHS "can the goal be met by period T".
When every stream the goal waits on is rigid, `start` gives the same question in start-time form
to SCIP's cumulative constraints (planner/rcpsp/cumulative.py), which join once HiGHS has run
RIVAL_GRACE seconds without an answer. A schedule SCIP finds is never reported as it is:
`pinned_target` is the planner's own target MIP with every job's window cut to SCIP's start, which
HiGHS then solves (with `check_options`), so the plan reported is always one of the planner's model.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np

from planner.mip.linear import LinearModel
from planner.mip.target import build_target
from planner.rcpsp.propagate import Windows
from planner.solvers import scip_available
from planner.solvers.status import SolveOptions

if TYPE_CHECKING:  # annotations only
    from planner.instance.instance import Instance
    from planner.rcpsp.cumulative import Rival

# Seconds HiGHS works alone on a project-scheduling question before SCIP's cumulative model joins
# it: nearly every question is settled sooner, by HiGHS alone.
RIVAL_GRACE = 0.5
# Seconds the check of a schedule SCIP found (`pinned_target`) may take past the time limit.
PINNED_CHECK = 1.0


def start(narrowed: Windows, solver: str, options: SolveOptions) -> Rival | None:
    """SCIP's cumulative model of the question on the `narrowed` windows, ready to race HiGHS (it
    waits RIVAL_GRACE seconds before it starts), or None: not a project-scheduling target, FTE
    with no small common denominator, a `solver` other than the default HiGHS, one thread asked
    for in `options`, or a pyscipopt too old to solve in a thread."""
    if narrowed.jobs is None or solver != "highs" or options.threads == 1 or not scip_available():
        return None
    from planner.rcpsp import cumulative  # SCIP's model only when it may race

    if not cumulative.threadable():
        return None
    target = cumulative.build(narrowed.jobs)
    return None if target is None else cumulative.Rival(target, options, RIVAL_GRACE)


def pinned_target(inst: Instance, narrowed: Windows, starts: np.ndarray) -> LinearModel | None:
    """The target MIP of `inst` with every job's window cut to the start SCIP found (`starts`, one
    per job of `narrowed.jobs`), or None if a start lies outside its window (then it is no plan)."""
    jobs, cp = narrowed.jobs, narrowed.cp
    if jobs is None:
        raise ValueError("pinned_target: the narrowed windows have no jobs (not a project-scheduling target)")
    start, finish, due = cp.earliest_start.copy(), cp.earliest_finish.copy(), narrowed.due.copy()
    s = starts.astype(int)
    if np.any(s < jobs.est) or np.any(s > jobs.lst):
        return None
    start[jobs.streams] = s
    finish[jobs.streams] = s + jobs.d - 1
    due[jobs.streams] = s + jobs.d - 1
    return build_target(inst, dataclasses.replace(cp, earliest_start=start, earliest_finish=finish), due)


def check_options(options: SolveOptions, elapsed: float) -> SolveOptions:
    """The options of HiGHS's solve of a pinned target, `elapsed` seconds into the solve: every
    start is fixed, so HiGHS's presolve settles it in milliseconds, and the check gets PINNED_CHECK
    seconds even when the time limit has just run out (the schedule is in hand)."""
    if options.time_limit is None:
        return options
    return dataclasses.replace(options, time_limit=max(options.time_limit, elapsed + PINNED_CHECK))
