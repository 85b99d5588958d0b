"""Project scheduling (RCPSP): the special case where every stream the goal waits on is rigid
(contiguous, a fixed crew), and PSPLIB instances as plans.

A reader of the planning model can ignore this package. The solve pipeline (pipeline/search.py)
uses it through a narrow interface only:

- `propagate.first_open(inst, cp, periods)` and `propagate.narrow(inst, cp, due)`: start windows
  narrowed by the classic rules before any MIP is built (an empty window rules a period out);
- `genetic.rigid_schedule(inst, budget, lower=...)` (and `genetic.Interrupted` on Ctrl-C): a
  start schedule for the goal-period search;
- `rival.start(narrowed, solver, options)`, `rival.pinned_target(inst, narrowed, starts)` and
  `rival.check_options(options, elapsed)`: SCIP's cumulative model racing HiGHS on a question,
  and the check of the schedule it finds in the planner's own model.

Behind them: cumulative.py (SCIP's start-time model, run in a thread), and the PSPLIB route to a
plan (psplib.py parses, conversion.py maps, plan_file.py writes, reference.py and optima.py hold the
reference schedules and published optima).
"""
