"""The solve pipeline: plan in, verified result out.

session.py (Model, solve) drives one solve: search.py (the goal-period search, from the plan's
structure) or the whole MIP, then assemble.py (the answer read into a verified Result),
diagnose.py (why no plan meets the goal), polish.py (the earliest-start tie-break),
continuous.py (the schedule in continuous time), refine.py (the answer settled on finer grids) and
levels.py (an intervention that chooses its level). heuristic.py holds the schedules built without
a solver, arguments.py the checks of every argument. Project scheduling's special case is planner/rcpsp/.
"""
