"""Why a result is what it is, in the plan's terms: structure (serial time, lags, staff caps) or labour.

The structural limit is what the plan reaches with every pool unlimited: each stream still takes
at least its minimum duration and at most `max_staff` crew units at its productivity, and waits for
its predecessors, lags and release (structure.py). An optimum at that limit is decided by structure,
and no number of researchers changes it; one below it is held back by labour.
"""

from __future__ import annotations

import numpy as np

from planner.result import PolicyBranch, Result
from planner.solvers.status import SolveStatus

TOL = 1e-6


def _chain(names: list[str]) -> str:
    return f"stream {names[0]}" if len(names) == 1 else "the chain " + " -> ".join(names)


def _years(x: float) -> str:
    x = round(x, 2)
    return f"{x:g} year" + ("" if x == 1 else "s")


def explain(res: Result) -> str:
    """Why a result is what it is, when the plan's structure (not labour) decides it, and how far
    the continuous-time optimum may still be from the answer where the grids did not settle it.
    A policy (research bets) is told branch by branch instead (`policy_words`)."""
    if res.policy:
        return policy_words(res)
    words = _why(res)
    loose = _unsettled(res)
    return f"{words}; {loose}" if words and loose else words or loose


def _unsettled(res: Result) -> str:
    """'step-sensitive: the continuous-time optimum lies between 0.61 and 0.63', or ''."""
    low, high = res.objective_range
    if (
        res.exactness not in ("step-sensitive", "unrefined")
        or low is None
        or high is None
        or res.status != SolveStatus.OPTIMAL
        or abs(high - low) <= 2.5e-4 * max(1.0, abs(low))
    ):
        return ""
    spec = ".4f" if res.objective_kind == "probability" else ".4g"
    lo, hi = sorted((low, high))
    status = "step-sensitive" if res.exactness == "step-sensitive" else "not refined"
    what = "goal time" if res.objective_kind == "earliest" else "optimum"
    return f"{status}: the continuous-time {what} lies between {lo:{spec}} and {hi:{spec}}"


def _why(res: Result) -> str:
    s = res.structure
    if not res.solved:
        return res.message
    if res.status != SolveStatus.OPTIMAL:
        gap = "unknown" if res.gap is None else f"{res.gap:.2%}"
        bound = "none" if res.bound is None else f"{res.bound:.6g}"
        return (
            f"unproven: the solve stopped ({res.status}) before proving this plan optimal "
            f"(bound {bound}, gap {gap}); no verdict on structure or labour is drawn from it"
        )
    if s.earliest_goal_years is None:
        return (
            f"{_chain(s.critical_path)} cannot finish inside the {_years(s.horizon_years)} "
            "horizon with any amount of labour"
        )
    needs = f"{_chain(s.critical_path)} needs {_years(s.earliest_goal_years)}"
    objective = res.objective
    if objective is None:  # an optimum always has one (verify.check); nothing to compare without it
        return ""
    if res.objective_kind == "earliest":
        if abs(objective - s.earliest_goal_years) < TOL:
            return f"structural: {needs}, and the plan finishes then; more labour cannot finish it sooner"
        return f"labour binds: {needs} with unlimited labour; the supply given finishes in {_years(objective)}"
    if s.bound is None:
        return ""
    if res.objective_kind == "value":
        if abs(objective - s.bound) < TOL * max(1.0, abs(s.bound)):
            return (
                f"structural: the expected value {s.bound:.6g} is what unlimited labour reaches "
                f"(every stream finished as early as its chain allows); more labour cannot raise it"
            )
        return (
            f"labour binds: with unlimited labour the expected value could reach {s.bound:.6g}; "
            f"the supply given reaches {objective:.6g}"
        )
    deadline = s.fixed_deadline
    if abs(objective - s.bound) < TOL:
        if deadline is not None and s.bound == 0:
            return f"structural: {needs}; the deadline is {_years(deadline)} away"
        if deadline is not None:
            return f"structural: {needs}, inside the deadline of {_years(deadline)}"
        return (
            f"structural: {needs}; P(deadline at or after {_years(s.earliest_goal_years)}) = "
            f"{s.bound:.4f}, and no amount of labour raises it"
        )
    return (
        f"labour binds: with unlimited labour the chance would be {s.bound:.4f} "
        f"({needs}); the supply given reaches {objective:.4f}"
    )


def explain_change(base: Result, res: Result, shift: float) -> str:
    """Why an intervention's optimum differs from the baseline's."""
    own = res.explanation or explain(res)  # a chosen level's result adds what every level gives
    if not (base.status == res.status == SolveStatus.OPTIMAL) or res.objective_kind == "earliest":
        return own
    moved = f"the deadline moves {_years(abs(shift))} {'earlier' if shift < 0 else 'later'}; " if shift else ""
    limit = res.structure.bound
    spec = ".4f" if res.objective_kind == "probability" else ".6g"
    floor = base.objective
    if limit is not None and floor is not None and limit < floor - TOL * max(1.0, abs(floor)):
        return (
            f"{moved}{own}. The structural limit ({limit:{spec}}) is below the baseline's "
            f"optimum ({floor:{spec}}): no amount of added labour recovers it"
        )
    return moved + own


MAX_BRANCHES = 6  # branches a policy's words list, most likely first (JSON carries them all)


def _unfinished(res: Result, b: PolicyBranch) -> tuple[tuple[str, float], ...]:
    """Attempts a branch staffs that never complete in the horizon, with the year work on them
    starts: without them a history would hide people the policy spends (years from the start)."""
    done = {f"{a['stream']} #{a['attempt']}" for a in b.attempts}
    out = []
    for key, row in b.allocation.items():
        if key not in done:
            worked = np.flatnonzero(np.asarray(row) > 0)
            if worked.size:
                name, attempt = key.rsplit(" #", 1)
                label = name + (f" #{attempt}" if attempt != "1" or name in b.outcomes else "")
                out.append((label, float(res.period_starts[worked[0]])))
    return tuple(sorted(out, key=lambda ls: (ls[1], ls[0])))


def policy_words(res: Result) -> str:
    """The policy in words, one line per history the plan can see (branches that differ only in
    outcomes never revealed are one line, their probabilities added), most likely first: each
    attempt with its years and outcome, and when the goal is met."""
    y0 = res.start_year
    seen: dict[tuple, list] = {}
    for b in res.policy:
        visible = tuple(
            (a["stream"], a["attempt"], a["start_years"], a["finish_years"], a["works"]) for a in b.attempts
        ) + _unfinished(res, b)
        key = (visible, b.goal_years)
        if key in seen:
            seen[key][0] += b.probability
        else:
            seen[key] = [b.probability, b]
    lines = sorted(seen.values(), key=lambda pb: -pb[0])
    bets = {n for b in res.policy for n in b.outcomes}
    out = [f"a policy over {len(res.policy)} outcome scenarios, {len(lines)} histories (most likely first):"]
    for prob, b in lines[:MAX_BRANCHES]:
        steps = []
        for a in b.attempts:
            label = a["stream"] + (f" #{a['attempt']}" if a["attempt"] > 1 or not a["works"] else "")
            outcome = (" works" if a["works"] else " fails") if a["stream"] in bets else ""
            steps.append(f"{label} {y0 + a['start_years']:g}-{y0 + a['finish_years']:g}{outcome}")
        for label, start in _unfinished(res, b):
            steps.append(f"{label} from {y0 + start:g}, unfinished")
        goal = "goal not met" if b.goal_years is None else f"goal met {y0 + b.goal_years:g}"
        out.append(f"  {prob:.3f}: " + ", ".join(steps or ["no work"]) + f"; {goal}")
    if len(lines) > MAX_BRANCHES:
        rest = sum(pb[0] for pb in lines[MAX_BRANCHES:])
        out.append(f"  ... {len(lines) - MAX_BRANCHES} more histories ({rest:.3f} together; --json lists every branch)")
    return "\n".join(out)
