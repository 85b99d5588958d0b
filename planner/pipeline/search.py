"""The goal-period search: a solve from the plan's structure, before (or instead of) the whole MIP.

`GoalSearch.structured` first tries the critical-path bound, which a least-slack plan often
reaches (then no MIP is needed at all), and for `probability` and `earliest` searches the period
the goal is met by, each step a small feasibility MIP (`GoalSearch.ask`; for project scheduling
also put to SCIP's cumulative constraints when HiGHS is slow, planner/rcpsp/rival.py). `Clock`
times the phases of one solve.
"""

from __future__ import annotations

import dataclasses
import enum
import time
from collections.abc import Callable

import numpy as np

from planner.instance.instance import Instance
from planner.mip.linear import LinearModel
from planner.mip.target import build_target
from planner.pipeline import heuristic, polish
from planner.pipeline.assemble import only_asked_stops
from planner.rcpsp import genetic, propagate, rival
from planner.solvers import Backend, get_backend
from planner.solvers.status import RawSolution, SolveOptions, SolveStatus
from planner.structure import (
    NEVER,
    CriticalPath,
    bound_due_periods,
    crew_unit_bounds,
    due_by,
    goal_periods,
    objective_bound,
)

# With this many candidates or fewer left, the goal-period search asks the first of them rather
# than halving (GoalSearch.search).
LOW_FIRST = 3
# With a time limit, a question the goal-period search asks by halving (not its lowest candidate)
# gets at most this share of the time left (GoalSearch.search): one hard question in the middle
# then no longer takes the whole limit while the candidates below it stay unasked.
HALVING_SHARE = 0.25

# What a structured solve gives back: (RawSolution, crew units or None, the backend or None, the
# model that found no plan or None), as the whole MIP's solve would (Model.solve reads it).
Solved = tuple[RawSolution, np.ndarray | None, Backend | None, LinearModel | None]


class Clock:
    """Seconds spent in each phase of one solve (Model.timing), for benchmarks and --verbose."""

    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = self.laps.get(name, 0.0) + now - self.last
        self.last = now

    @property
    def total(self) -> float:
        return time.perf_counter() - self.start


class Kind(enum.StrEnum):
    """What one question of the search got back (each member equals its string)."""

    FOUND = "found"  # a plan: the target MIP and its columns
    INFEASIBLE = "infeasible"  # the solver proved no plan meets the goal by the period
    RULED_OUT = "ruled_out"  # the window rules proved it, no solver asked
    STOPPED = "stopped"  # the solvers stopped (a time limit, Ctrl-C, an error): see `stop`


@dataclasses.dataclass(frozen=True)
class Answer:
    """The answer to "can the goal be met by the end of period T" (GoalSearch.ask): its `kind`,
    the target MIP asked (`model`, None if ruled out), the plan's columns `x` when found, and
    what stopped the solvers (`stop`) when they stopped."""

    kind: Kind
    model: LinearModel | None = None
    x: np.ndarray | None = None
    stop: RawSolution | None = None

    @property
    def out_of_reach(self) -> bool:
        """Proven: no plan meets the goal by the period."""
        return self.kind in (Kind.INFEASIBLE, Kind.RULED_OUT)

    def plan(self) -> tuple[LinearModel, np.ndarray]:
        """(the target MIP, the plan's columns) of a found answer."""
        if self.model is None or self.x is None:
            raise ValueError(f"a {self.kind} answer has no plan")
        return self.model, self.x


def _answer(raw: RawSolution, model: LinearModel, options: SolveOptions) -> Answer:
    """A target's solve as an Answer: found, infeasible, or what stopped the solver."""
    if raw.status == SolveStatus.OPTIMAL and raw.x is not None:
        return Answer(Kind.FOUND, model, raw.x)
    if raw.status == SolveStatus.INFEASIBLE:
        return Answer(Kind.INFEASIBLE, model)
    return Answer(Kind.STOPPED, model, stop=only_asked_stops(raw, options))


def _goal_period(inst: Instance, u: np.ndarray) -> int:
    """The period by whose end plan `u` meets the goal (H if it never does)."""
    finish = polish.finish_periods(inst, u)[inst.required]
    return int(finish.max()) if finish.size else 0


class GoalSearch:
    """The structured solve of one variant: its numbers `inst`, its critical path `cp`, the
    `solver` asked for, and `linear_model`, which builds (once) the variant's whole MIP, needed
    only to confirm a plan and for the tie-break of a fluid one."""

    def __init__(self, inst: Instance, cp: CriticalPath, solver: str, linear_model: Callable[[], LinearModel]) -> None:
        self.instance, self.critical_path, self.solver = inst, cp, solver
        self.linear_model = linear_model

    def structured(self, options: SolveOptions, tie_break: bool, confirm: bool, clock: Clock) -> Solved | None:
        """(RawSolution, crew units, backend, model) from the plan's structure, or None to solve the
        whole MIP instead.

        First the bound: no plan beats every stream finishing at its own earliest
        (`structure.objective_bound`), so a least-slack schedule (heuristic.least_slack) that still
        meets the periods the bound needs (`structure.bound_due_periods`) is optimal, with no MIP
        at all. On plans decided by their structure, finding that plan is most of what HiGHS's
        search spends its time on. The schedule first aims at the goal's earliest finish (so the
        goal is met as early as it can be), then, if that misses the bound, at the bound's own
        periods. Its tie-break is the earliest-start pass alone: the schedule is already built
        front-first, and an LP would cost more than everything else here. With `confirm`, the
        solver then checks it (`confirm`); if the solver does not finish that check (an error, a
        stop nobody set, a time limit), the whole MIP is solved as usual and reports what stopped
        it; only Ctrl-C ends here.

        Otherwise, for `probability` and `earliest`, the search over the goal's completion period
        (`search`). Only `highs` (the default) and `race` take these paths: `scip` and Pyomo's
        solvers always solve the whole MIP, so they stay independent checks of it."""
        inst, cp = self.instance, self.critical_path
        if inst.has_dynamics:  # no fluid schedule to try: straight to the search, from a rigid
            # schedule (project scheduling) or the empty plan; the heuristic stops early once it
            # reaches the first period the window rules leave (a destructive lower bound)
            periods = goal_periods(inst, cp)
            lo, start, interrupted = 0, None, False
            try:  # a Ctrl-C here ends the solve as one during the search does: with what is in hand
                lo = propagate.first_open(inst, cp, periods)
                budget = 1.0 if options.time_limit is None else min(10.0, 0.1 * options.time_limit)
                start = genetic.rigid_schedule(inst, budget, lower=int(periods[lo]) + 1 if lo < len(periods) else None)
            except genetic.Interrupted as e:
                start, interrupted = e.plan, True
            except KeyboardInterrupt:
                interrupted = True
            return self.search(
                np.zeros((len(inst.streams), inst.periods)) if start is None else start,
                options,
                tie_break,
                clock,
                lo,
                interrupted,
            )
        bound = objective_bound(inst, cp)
        due = bound_due_periods(inst, cp)
        if bound is None or due is None:
            return None
        caps = crew_unit_bounds(inst, cp)
        aims = [due] if cp.goal_finish == NEVER else [np.minimum(due, due_by(inst, cp.goal_finish)), due]
        for aim in aims:
            u = heuristic.least_slack(inst, cp, caps, aim)
            reached = bool(np.all(polish.finish_periods(inst, u) <= due))  # NO_DUE exceeds any period
            if reached:
                break
        clock.lap("bound")
        if not reached:
            if inst.objective not in ("probability", "earliest"):
                return None
            return self.search(u, options, tie_break, clock)
        raw = RawSolution(
            SolveStatus.OPTIMAL,
            None,
            bound,
            bound,
            0.0,
            0.0,
            "optimal: the plan reaches the bound of every stream finishing at its "
            "earliest (the critical path), which no plan can beat",
        )
        if confirm:  # the plan that proves the bound, inside the model's windows (the pass may not be)
            check = self.confirm(u, options)
            clock.lap("confirm")
            if check.interrupted:  # Ctrl-C: the plan in hand is optimal all the same
                raw.status, raw.interrupted = SolveStatus.INTERRUPTED, True
            elif check.status != SolveStatus.OPTIMAL:
                return None  # the MIP decides, and reports whatever stopped the solver
        if tie_break:
            u = polish.earliest_start(inst, u, cp.earliest_finish)
            clock.lap("tie_break")
        raw.runtime = clock.total
        return raw, u, None, None

    def confirm(self, u: np.ndarray, options: SolveOptions) -> RawSolution:
        """The solver's check of a plan `u` the bound settled: the whole model with every column
        fixed at the plan (an LP the solver's presolve empties), which it finds infeasible if the
        plan breaks any row of the model. It does not change the plan; it is what makes a plan that
        needed no MIP still pass through the solver, whose stops and errors are then reported as
        for any other solve. Returns the solver's RawSolution."""
        lm = self.linear_model()
        fixed = polish.fixed_completion_lp(self.instance, lm, u, np.zeros(len(self.instance.streams), bool))
        backend = get_backend("highs" if self.solver.startswith("race") else self.solver)
        backend.load(fixed)
        return backend.solve(options)

    def search(
        self,
        start: np.ndarray,
        options: SolveOptions,
        tie_break: bool,
        clock: Clock,
        lo: int | None = None,
        interrupted: bool = False,
    ) -> Solved:
        """The optimum of a `probability` or `earliest` plan as the first goal period within reach:
        (RawSolution, crew units, backend, model), as `structured`.

        Both objectives depend only on the period by whose end the goal is met, they only get
        worse as it gets later, and a period within reach stays within reach for every later one.
        So the optimum is the first period of `structure.goal_periods` (where a deadline falls)
        for which the feasibility MIP "every stream the goal waits on is complete by its latest
        finish" (`model.build_target`) has a plan. The first candidate (the bound's) is asked
        first, then the search halves the candidates between the first not ruled out and the
        first a plan is known to reach (the least-slack plan `start`, then each plan found), and asks
        the lowest first again once LOW_FIRST or fewer are left. Under a time limit a question
        asked by halving gets HALVING_SHARE of the time left; one that runs out of it is asked
        again, uncapped, once every candidate below it is settled. Each
        question is a fresh solver on a small, tight model: far fewer and easier nodes than the
        whole MIP, whose relaxation can meet a fraction of the goal with a fraction of every
        stream's work. The proof of the optimum is the solver's "infeasible" for the candidate
        before it, or the critical-path bound when it is the first. `lo` is the first candidate
        the window rules leave, if the caller knows it; `interrupted`: Ctrl-C came before the
        search, so no question is asked and `start` is the result."""
        inst, cp = self.instance, self.critical_path
        periods = goal_periods(inst, cp)
        best, hi = start, len(periods)
        found: tuple[LinearModel, np.ndarray] | None = None  # (model, columns) of the last plan a MIP found
        if start is not None:
            hi = int(np.searchsorted(periods, _goal_period(inst, start)))
        model = None
        stop = (
            RawSolution(SolveStatus.INTERRUPTED, None, None, None, None, 0.0, "interrupted", interrupted=True)
            if interrupted
            else None
        )
        if lo is None:  # the first candidate the window rules leave
            lo = propagate.first_open(inst, cp, periods, 0, hi)
        asked = False
        unsettled: set[int] = set()  # halving questions that ran out of their share: each asked again, with
        # all the time left, once every candidate below it is settled
        while lo < hi and stop is None:
            top = min([k for k in unsettled if k < hi], default=hi)
            if lo >= top:
                k = top
                unsettled.discard(k)
            else:
                # the first candidate left is often the optimum: ask it first, and again once few
                # are left (a proof of "no plan" there is often far harder than finding the plan)
                k = lo if not asked or top - lo <= LOW_FIRST else (lo + top) // 2
            asked = True
            share = None
            if k > lo and options.time_limit is not None:
                share = max(options.time_limit - clock.total, 0.0) * HALVING_SHARE
            answer = self.ask(int(periods[k]), options, clock, share)
            model = answer.model
            if answer.kind is Kind.FOUND:
                found = answer.plan()
                best = polish.crew_units(inst, *found)
                hi = min(k, int(np.searchsorted(periods, _goal_period(inst, best))))
            elif answer.out_of_reach:
                lo = k + 1
            elif (
                share is not None
                and options.time_limit is not None
                and answer.stop is not None
                and answer.stop.status in (SolveStatus.TIME_LIMIT, SolveStatus.NO_SOLUTION)
                and not answer.stop.interrupted
                and clock.total < options.time_limit
            ):
                unsettled.add(k)  # its share ran out, not the limit: settle the candidates below first
            else:
                stop = answer.stop
        clock.lap("search")
        if stop is not None and stop.status == SolveStatus.ERROR:
            return stop, None, None, model
        value = (
            (lambda k: float(inst.weights[periods[k] :].sum()) if k < len(periods) else 0.0)
            if inst.objective == "probability"
            else (lambda k: float((periods[k] + 1) * inst.step) if k < len(periods) else None)
        )
        if best is None or (inst.objective == "earliest" and hi == len(periods)):
            if stop is None:  # every candidate ruled out: the goal cannot be met inside the horizon
                return (
                    RawSolution(SolveStatus.INFEASIBLE, None, None, None, None, clock.total, "the model is infeasible"),
                    None,
                    None,
                    model,
                )
            stop = dataclasses.replace(stop, runtime=clock.total, bound=value(lo) if lo < len(periods) else None)
            return stop, None, None, model
        objective = value(hi)
        if stop is None:
            raw = RawSolution(
                SolveStatus.OPTIMAL,
                None,
                objective,
                objective,
                0.0,
                0.0,
                f"optimal: no plan meets the goal within {(periods[hi - 1] + 1) * inst.step:g} years"
                if hi > 0
                else "optimal: the plan reaches the critical-path bound",
            )
        else:  # stopped (a time limit, Ctrl-C) with a plan in hand: the optimum lies between the two
            bound = value(lo)
            gap = (
                None
                if bound is None or objective is None
                else abs(bound - objective) / max(abs(bound), abs(objective), 1e-10)
            )
            status = SolveStatus.INTERRUPTED if stop.interrupted else SolveStatus.TIME_LIMIT
            raw = RawSolution(
                status,
                None,
                objective,
                bound,
                gap,
                0.0,
                f"{'interrupted' if stop.interrupted else 'time limit reached'}: the goal's "
                f"earliest period is not yet known between "
                f"{(periods[lo] + 1) * inst.step:g} and {(periods[hi] + 1) * inst.step:g} years"
                if hi < len(periods)
                else stop.message,
                interrupted=stop.interrupted,
            )
        if inst.has_dynamics:  # the plan found, kept whole: its crews and runs are the model's
            if tie_break and not raw.interrupted and stop is None and found is not None:
                # every candidate before hi is proven out of reach: the goal's period is later
                first = int(periods[hi - 1]) + 1 if hi > 0 else 0
                found = self.earliest_goal(found, best, options, clock, first)
                best = polish.earliest_discrete(inst, *found)
            best = polish.idle_once_complete(inst, best)
            clock.lap("tie_break")
        elif tie_break and not raw.interrupted:
            best, _ = polish.earliest(inst, self.linear_model, best, cp.earliest_finish)
            clock.lap("tie_break")
        raw.runtime = clock.total
        return raw, best, None, None

    def ask(self, period: int, options: SolveOptions, clock: Clock, share: float | None = None) -> Answer:
        """Can the goal be met by the end of `period`? Ruled out (the window rules of
        planner/rcpsp/propagate.py: no solver asked), found (a plan: the target MIP and its
        columns), infeasible, or stopped (a time limit, Ctrl-C, an error): see Answer.

        The question is the feasibility MIP on the narrowed windows (`model.build_target`), put to
        HiGHS. When every stream the goal waits on is rigid (project scheduling), the same question
        in start-time form goes to SCIP's cumulative constraints beside it (planner/rcpsp/rival.py:
        on the hardest instances each settles what the other leaves open). HiGHS's answer is taken
        when it has one; a schedule SCIP finds is pinned into the target MIP and solved by HiGHS,
        so the plan reported is always one of the planner's own model. `share` caps the seconds
        this question may take (its answer is then `time_limit` as for the limit itself)."""
        inst = self.instance
        left = None if options.time_limit is None else options.time_limit - clock.total
        if left is not None and left <= 0:
            return Answer(
                Kind.STOPPED,
                stop=RawSolution(SolveStatus.TIME_LIMIT, None, None, None, None, 0.0, "time limit reached"),
            )
        if share is not None:
            left = min(left, share) if left is not None else share
            options = dataclasses.replace(options, time_limit=clock.total + left)
        narrowed = propagate.narrow(inst, self.critical_path, due_by(inst, period))
        if narrowed is None:
            return Answer(Kind.RULED_OUT)
        model = build_target(inst, narrowed.cp, narrowed.due)
        racing = rival.start(narrowed, self.solver, dataclasses.replace(options, time_limit=left))
        if racing is None:
            return _answer(self._highs(model, options, clock), model, options)
        try:
            raw = self._highs(model, options, clock, racing)
        finally:
            theirs = racing.stop()
        decisive = (raw.status == SolveStatus.OPTIMAL and raw.x is not None) or raw.status == SolveStatus.INFEASIBLE
        if decisive or theirs is None or raw.interrupted:
            return _answer(raw, model, options)
        if theirs.status == SolveStatus.INFEASIBLE:
            return Answer(Kind.INFEASIBLE, model)
        if theirs.status == SolveStatus.OPTIMAL and theirs.x is not None:
            pinned = self._pinned(narrowed, theirs.x, options, clock)
            if pinned is not None:
                return pinned
            # not a plan of the target MIP (it would be a bug): HiGHS alone, with the time left
            return _answer(self._highs(model, options, clock), model, options)
        return _answer(raw, model, options)

    def _highs(
        self, model: LinearModel, options: SolveOptions, clock: Clock, watch: Callable[[float], bool] | None = None
    ) -> RawSolution:
        """The default solver's run on a target `model` in the time left, with a rival (if any)
        as its `watch` (solvers/highs.py)."""
        left = None if options.time_limit is None else max(options.time_limit - clock.total, 1e-3)
        backend = get_backend(self.solver)
        backend.load(model)
        if watch is not None:
            from planner.solvers.highs import HighsBackend

            if not isinstance(backend, HighsBackend):  # rival.start races HiGHS only
                raise TypeError(f"only HiGHS watches a rival, not {backend.name}")
            backend.watch = watch
        return backend.solve(dataclasses.replace(options, time_limit=left))

    def _pinned(
        self, narrowed: propagate.Windows, starts: np.ndarray, options: SolveOptions, clock: Clock
    ) -> Answer | None:
        """The found Answer of the target MIP with every job's window cut to the start SCIP found,
        solved by HiGHS; None if HiGHS does not find that schedule a plan of it."""
        model = rival.pinned_target(self.instance, narrowed, starts)
        if model is None:
            return None
        check = rival.check_options(options, clock.total)
        answer = _answer(self._highs(model, check, clock), model, check)
        return answer if answer.kind is Kind.FOUND else None

    def earliest_goal(
        self,
        found: tuple[LinearModel, np.ndarray],
        best: np.ndarray,
        options: SolveOptions,
        clock: Clock,
        first: int = 0,
    ) -> tuple[LinearModel, np.ndarray]:
        """The tie-break's first step for a discrete plan: the search asks only the periods where a
        deadline falls, so its plan may meet the goal later than it could. Ask the periods before,
        halving between the critical-path earliest and the plan's, for the first the goal can be
        met by (the objective cannot change: an earlier goal meets every deadline the later one
        did); `first` is the first period the search left open (the goal is out of reach before
        it). Returns (model, columns) of the earliest plan found; a stop keeps what is in hand."""
        inst, cp = self.instance, self.critical_path
        lo, hi = max(int(cp.goal_finish), first), _goal_period(inst, best)
        while lo < hi:
            t = (lo + hi) // 2
            answer = self.ask(t, options, clock)
            if answer.kind is Kind.FOUND:
                found = answer.plan()
                target, x = found
                hi = min(t, _goal_period(inst, np.clip(target.values(x, "u"), 0.0, None)))
            elif answer.out_of_reach:
                lo = t + 1
            else:
                break
        return found
