"""Plan in, verified result out: resolve the numbers, solve, re-check the schedule.

A solve uses the plan's structure first (Model._structured): the critical-path bound, which a
least-slack plan often reaches (then no MIP is needed at all), and for `probability` and
`earliest` a search over the period the goal is met by, each step a small feasibility MIP (for
project scheduling, also put to SCIP's cumulative constraints when HiGHS is slow: `_ask`). The
whole MIP is solved when neither applies (`value` plans the bound does not settle), with
`method="mip"`, and with the `scip` and Pyomo solvers, which stay independent checks.

Every solve loads its models into fresh solver objects: nothing one solve leaves behind (an
interrupt, a cut time budget, a half-finished search) can reach the next, which is what sweeps and
comparisons running thousands of variants rely on. Building the arrays costs well under a
millisecond per small variant, so there is no state worth the risk of keeping.
"""
from __future__ import annotations

import copy
import dataclasses
import time

import numpy as np

from planner.pipeline import continuous
from planner.pipeline import heuristic
from planner.pipeline import polish
from planner.rcpsp import genetic
from planner.rcpsp import propagate
from planner import verify
from planner.mip.formulation import build
from planner.mip.linear import LinearModel
from planner.mip.target import build_target
from planner.pipeline.arguments import check_intervention, check_plan, check_solve_options, check_solver_name, check_units
from planner.errors import VerificationError
from planner.explain import explain
from planner.instance.resolve import Instance, resolve
from planner.plan.schema import Intervention, Plan
from planner.result import Result, StreamResult, Structure, variant_fields
from planner.solvers import scip_available, get_backend
from planner.solvers.status import RawSolution, SolveOptions
from planner.structure import NEVER, bound_due_periods, critical_path, crew_unit_bounds, due_by, goal_periods, needed_streams, objective_bound, structural_bound




def _structure_applies(inst: Instance) -> bool:
    """The critical-path bound builds fluid schedules: not for discrete staffing, diminishing returns,
    training or milestones. The goal-period search needs only that the objective depends on the
    goal's period, which holds for `probability` and `earliest` with discrete staffing and
    diminishing returns too (its feasibility MIPs carry those rows)."""
    if not inst.whole_mip:
        return True
    # a training stream helps the goal without being one it waits on, which the search's
    # feasibility MIPs (streams the goal waits on only) would leave out
    return (inst.has_dynamics and not inst.milestones and not inst.trains.any()
            and inst.objective in ("probability", "earliest"))


def _uses_structure(solver: str) -> bool:
    """Whether Model.solve first uses the plan's structure (Model._structured) with this solver:
    HiGHS and races; other solvers always get the whole MIP, so they stay independent checks."""
    return solver == "highs" or solver == "race" or solver.startswith("race:")

# Seconds HiGHS works alone on a project-scheduling question before SCIP's cumulative model joins
# it (Model._ask): nearly every question is settled sooner, by HiGHS alone, as before.
RIVAL_GRACE = 0.5
# With this many candidates or fewer left, the goal-period search asks the first of them rather
# than halving (Model._search).
LOW_FIRST = 3
# Seconds the check of a schedule SCIP found (Model._pinned) may take past the time limit.
PINNED_CHECK = 1.0
# With a time limit, a question the goal-period search asks by halving (not its lowest candidate)
# gets at most this share of the time left (Model._search): one hard question in the middle
# then no longer takes the whole limit while the candidates below it stay unasked.
HALVING_SHARE = 0.25


class Model:
    """One plan variant resolved to arrays and built as a MIP; `update()` swaps in another variant."""

    def __init__(self, plan: Plan, intervention: Intervention | str | None = None, *, solver: str = "highs",
                 units: float | None = None):
        self.plan = check_plan(plan)
        self.solver = check_solver_name(solver)
        get_backend(solver)  # an unknown or missing solver fails here, before any work
        self.update(intervention, units=units)

    _unlimited: dict  # labour-unlimited critical paths by what they depend on (see _structure)

    def update(self, intervention: Intervention | str | None = None, plan: Plan | None = None,
               units: float | None = None) -> None:
        """Switch to another variant (an intervention, None for the baseline) or another plan.

        Only the numbers and the critical path are computed here. The MIP's arrays
        (`linear_model`) and the labour-unlimited structure a result reports are built on first
        use: a variant the critical-path bound settles never needs the whole MIP."""
        if plan is not None:
            self.plan = check_plan(plan)
        if not hasattr(self, "_unlimited"):
            self._unlimited = {}
        start = time.perf_counter()
        intervention, units = check_intervention(self.plan, intervention), check_units(units)
        self.intervention, self.units = intervention, units
        self.instance = resolve(self.plan, intervention, units)
        self.critical_path = critical_path(self.instance)
        self._linear_model = self._structure = None
        self.build_time = time.perf_counter() - start

    @property
    def linear_model(self) -> LinearModel:
        """The whole MIP of the current variant (built once per variant, on first use)."""
        if self._linear_model is None:
            start = time.perf_counter()
            self._linear_model = build(self.instance, self.critical_path)
            self.build_time += time.perf_counter() - start
        return self._linear_model

    @property
    def structure(self) -> Structure:
        """What the plan's structure allows with unlimited labour (reported with every result)."""
        if self._structure is None:
            self._structure = _structure(self.instance, self._unlimited)
        return self._structure

    def solve(self, *, time_limit: float | None = None, gap: float = 1e-6, threads: int | None = None,
              solver_options: dict | None = None, verbose: bool = False, tie_break: bool = True,
              cross_check: bool | str = False, method: str = "auto", confirm: bool = True,
              refine: bool = True) -> Result:
        """Solve the current variant in fresh solvers and verify the schedule.

        The objective, finish times and goal time reported are the continuous-time plan's
        (planner/pipeline/continuous.py, docs/model.md "Continuous time"): the schedule is read in
        continuous years, and where the bound no continuous plan beats does not settle it,
        `refine` solves the variant again on finer grids (`Result.exactness` says how it ended).
        `refine=False` reads the plan's own grid schedule in continuous time and stops there.

        `tie_break` reports the optimum as the schedule that does every stream's work as early as
        the plan allows (planner/pipeline/polish.py; the objective never changes). `cross_check` solves the
        same model with a second solver (`True`: SCIP, or HiGHS when SCIP is the first) and raises
        VerificationError if the two proven optima differ. `method`: "auto" (the default) first
        uses the plan's structure (`_structured`: the critical-path bound, then a search over the
        goal's completion period), which needs the whole MIP only for `value` plans the bound does
        not settle; "mip" always solves the whole MIP. `confirm` (with "auto"): a plan the
        critical-path bound settles is still handed to the solver, every column fixed, which checks
        it against every row of the model (`_confirm`); False skips that check, and then no solver
        runs at all for such a plan. The plan reported is the same either way."""
        check_solve_options(time_limit=time_limit, gap=gap, threads=threads, solver_options=solver_options,
                            verbose=verbose, tie_break=tie_break, cross_check=cross_check, method=method,
                            confirm=confirm, refine=refine)
        options = SolveOptions(time_limit=time_limit, gap=gap, threads=threads,
                               solver_options=dict(solver_options or {}), verbose=verbose)
        if self.intervention is not None and self.intervention.choose and self.units is None:
            from planner.pipeline.levels import solve_choice
            return solve_choice(self, options, tie_break=tie_break, cross_check=cross_check, refine=refine)
        inst = self.instance
        clock = _Clock()
        done = self._structured(options, tie_break, confirm, clock) \
            if _uses_structure(self.solver) and method == "auto" and _structure_applies(inst) else None
        if done is not None:
            raw, u, backend, failed = done
            name = self.solver
        else:
            lm = self.linear_model
            if options.time_limit is not None:  # what the structured attempt used counts against it
                options = dataclasses.replace(options, time_limit=max(1e-3, options.time_limit - clock.total))
            backend = get_backend(self.solver)
            name, failed = backend.name, lm
            backend.load(lm)
            raw = _only_asked_stops(backend.solve(options), options)
            if raw.x is None and raw.status in ("time_limit", "interrupted", "no_solution") \
                    and not inst.has_dynamics:  # the greedy plan is a fluid one
                _fall_back_on_greedy(raw, lm, heuristic.start_solution(inst, self.critical_path, lm))
            u = lm.values(raw.x, "u") if raw.x is not None else None
            clock.lap("mip")
            if u is not None and inst.has_dynamics:
                u = polish.earliest_discrete(inst, lm, raw.x) if tie_break else polish.crew_units(inst, lm, raw.x)
                u = polish.idle_once_complete(inst, u)
                clock.lap("tie_break")
            elif u is not None and tie_break:
                u, _ = polish.earliest(inst, lm, np.where(np.abs(u) < 1e-12, 0.0, u),
                                       self.critical_path.earliest_finish)
                clock.lap("tie_break")
        why = _why_infeasible(inst, self.critical_path, backend, failed) \
            if raw.status == "infeasible" and inst.objective == "earliest" else None
        result = _result(self.plan, inst, self.critical_path, raw, u, name, self.build_time, why, self.structure)
        clock.lap("check")
        if cross_check and not raw.interrupted:
            second = ("highs" if self.solver == "scip" else "scip") if cross_check is True else cross_check
            result.cross_check = _cross_check(result, second, self.linear_model, options)
            clock.lap("cross_check")
        result = self._earliest_if_out_of_reach(result, options, tie_break, clock)
        result = self._in_continuous_time(result, options, tie_break, refine and not raw.interrupted, clock)
        result.explanation = explain(result)
        self.timing = clock.laps
        return result

    def _earliest_if_out_of_reach(self, result: Result, options: SolveOptions, tie_break: bool,
                                  clock: _Clock) -> Result:
        """A `probability` plan whose goal can meet no deadline is worth 0 whatever its timing, and
        its model ends at the last deadline, so the work after it is left to the earliest-start
        pass, which takes the streams one at a time (a stream could take the whole pool first and
        put the goal off). Its schedule is then the `earliest` plan's, still worth 0: the goal as
        early as it can be met inside the horizon (or the plan as it was, if it cannot be)."""
        inst = self.instance
        if inst.objective != "probability" or result.status != "optimal" or result.objective != 0 \
                or result.allocation is None:
            return result
        left = None if options.time_limit is None else max(1e-3, options.time_limit - clock.total)
        early = self._solve_instead(dataclasses.replace(inst, objective="earliest"), left, options, tie_break)
        clock.lap("earliest_goal")
        if early.status != "optimal" or early.allocation is None:
            return result
        raw = RawSolution("optimal", None, 0.0, result.bound, result.gap, result.runtime, result.message)
        return _result(self.plan, inst, self.critical_path, raw, early.allocation, result.solver,
                       self.build_time, None, self.structure)

    def _solve_instead(self, inst: Instance, time_limit: float | None, options: SolveOptions,
                       tie_break: bool) -> Result:
        """`inst` (this variant with another objective or on another grid) solved by a copy of this
        model, read in continuous time but not refined; the labour-unlimited cache is shared (its
        keys hold everything it reads)."""
        other = copy.copy(self)
        other.instance, other.critical_path = inst, critical_path(inst)
        other._linear_model = other._structure = None
        return other.solve(time_limit=time_limit, gap=options.gap, threads=options.threads,
                           solver_options=options.solver_options, tie_break=tie_break, refine=False)

    def _in_continuous_time(self, result: Result, options: SolveOptions, tie_break: bool, refine: bool,
                            clock: _Clock) -> Result:
        """The grid result read in continuous time, settled against the bound or on finer grids
        (continuous.settle), within what is left of the time limit."""
        inst = self.instance
        result = continuous.as_continuous(result, inst)
        left = None if options.time_limit is None else options.time_limit - clock.total

        def on_grid(k: int, seconds: float) -> Result:  # `seconds` is within what is left
            return self._solve_instead(continuous.refine(inst, k), max(1e-3, seconds), options, tie_break)

        settled = continuous.settle(result, inst, on_grid, refine=refine, time_left=left)
        clock.lap("continuous")
        return settled

    def _structured(self, options: SolveOptions, tie_break: bool, confirm: bool, clock: _Clock):
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
        solver then checks it (`_confirm`); if the solver does not finish that check (an error, a
        stop nobody set, a time limit), the whole MIP is solved as usual and reports what stopped
        it; only Ctrl-C ends here.

        Otherwise, for `probability` and `earliest`, the search over the goal's completion period
        (`_search`). Only `highs` (the default) and `race` take these paths: `scip` and Pyomo's
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
            return self._search(np.zeros((len(inst.streams), inst.periods)) if start is None else start,
                                options, tie_break, clock, lo, interrupted)
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
            return self._search(u, options, tie_break, clock)
        raw = RawSolution("optimal", None, bound, bound, 0.0, 0.0,
                          "optimal: the plan reaches the bound of every stream finishing at its "
                          "earliest (the critical path), which no plan can beat")
        if confirm:  # the plan that proves the bound, inside the model's windows (the pass may not be)
            check = self._confirm(u, options)
            clock.lap("confirm")
            if check.interrupted:  # Ctrl-C: the plan in hand is optimal all the same
                raw.status, raw.interrupted = "interrupted", True
            elif check.status != "optimal":
                return None  # the MIP decides, and reports whatever stopped the solver
        if tie_break:
            u = polish.earliest_start(inst, u, cp.earliest_finish)
            clock.lap("tie_break")
        raw.runtime = clock.total
        return raw, u, None, None

    def _confirm(self, u: np.ndarray, options: SolveOptions) -> RawSolution:
        """The solver's check of a plan the bound settled: the whole model with every column fixed
        at the plan (an LP the solver's presolve empties), which it finds infeasible if the plan
        breaks any row of the model. It does not change the plan; it is what makes a plan that
        needed no MIP still pass through the solver, whose stops and errors are then reported as
        for any other solve."""
        lm = self.linear_model
        fixed = polish.fixed_completion_lp(self.instance, lm, u, np.zeros(len(self.instance.streams), bool))
        backend = get_backend("highs" if self.solver.startswith("race") else self.solver)
        backend.load(fixed)
        return backend.solve(options)

    def _search(self, start: np.ndarray, options: SolveOptions, tie_break: bool, clock: _Clock,
                lo: int | None = None, interrupted: bool = False):
        """The optimum of a `probability` or `earliest` plan as the first goal period within reach.

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
        before it, or the critical-path bound when it is the first."""
        inst, cp = self.instance, self.critical_path
        periods = goal_periods(inst, cp)
        best, hi = start, len(periods)
        found = None   # (model, column values) of the last plan a feasibility MIP found
        if start is not None:
            hi = int(np.searchsorted(periods, _goal_period(inst, start)))
        model = None
        # Ctrl-C before the search (`interrupted`): no question is asked, `start` is the result
        stop = RawSolution("interrupted", None, None, None, None, 0.0, "interrupted", interrupted=True) \
            if interrupted else None
        if lo is None:  # the first candidate the window rules leave (the caller may know it)
            lo = propagate.first_open(inst, cp, periods, 0, hi)
        asked = False
        unsettled = set()  # halving questions that ran out of their share: each asked again, with
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
            answer, model, x = self._ask(int(periods[k]), options, clock, share)
            if answer == "found":
                best = polish.crew_units(inst, model, x)
                found = (model, x)
                hi = min(k, int(np.searchsorted(periods, _goal_period(inst, best))))
            elif answer in ("infeasible", "ruled_out"):
                lo = k + 1
            elif share is not None and answer.status in ("time_limit", "no_solution") \
                    and not answer.interrupted and clock.total < options.time_limit:
                unsettled.add(k)  # its share ran out, not the limit: settle the candidates below first
            else:
                stop = answer
        clock.lap("search")
        if stop is not None and stop.status == "error":
            return stop, None, None, model
        value = (lambda k: float(inst.weights[periods[k]:].sum()) if k < len(periods) else 0.0) \
            if inst.objective == "probability" else \
            (lambda k: float((periods[k] + 1) * inst.step) if k < len(periods) else None)
        if best is None or (inst.objective == "earliest" and hi == len(periods)):
            if stop is None:  # every candidate ruled out: the goal cannot be met inside the horizon
                return RawSolution("infeasible", None, None, None, None, clock.total,
                                   "the model is infeasible"), None, None, model
            stop.runtime = clock.total
            stop.bound = value(lo) if lo < len(periods) else None
            return stop, None, None, model
        objective = value(hi)
        if stop is None:
            raw = RawSolution("optimal", None, objective, objective, 0.0, 0.0,
                              f"optimal: no plan meets the goal within {(periods[hi - 1] + 1) * inst.step:g} "
                              "years" if hi > 0 else "optimal: the plan reaches the critical-path bound")
        else:  # stopped (a time limit, Ctrl-C) with a plan in hand: the optimum lies between the two
            bound = value(lo)
            gap = None if bound is None else abs(bound - objective) / max(abs(bound), abs(objective), 1e-10)
            status = "interrupted" if stop.interrupted else "time_limit"
            raw = RawSolution(status, None, objective, bound, gap, 0.0,
                              f"{'interrupted' if stop.interrupted else 'time limit reached'}: the goal's "
                              f"earliest period is not yet known between "
                              f"{(periods[lo] + 1) * inst.step:g} and {(periods[hi] + 1) * inst.step:g} years"
                              if hi < len(periods) else stop.message, interrupted=stop.interrupted)
        if inst.has_dynamics:  # the plan found, kept whole: its crews and runs are the model's
            if tie_break and not raw.interrupted and stop is None and found is not None:
                # every candidate before hi is proven out of reach: the goal's period is later
                first = int(periods[hi - 1]) + 1 if hi > 0 else 0
                found = self._earliest_goal(found, best, options, clock, first)
                best = polish.earliest_discrete(inst, *found)
            best = polish.idle_once_complete(inst, best)
            clock.lap("tie_break")
        elif tie_break and not raw.interrupted:
            best, _ = polish.earliest(inst, lambda: self.linear_model, best, cp.earliest_finish)
            clock.lap("tie_break")
        raw.runtime = clock.total
        return raw, best, None, None


    def _ask(self, period: int, options: SolveOptions, clock: _Clock, share: float | None = None):
        """Can the goal be met by the end of `period`? (answer, model, x): answer is "ruled_out"
        (the window rules of planner/rcpsp/propagate.py: no solver asked), "found" (a plan: the target
        MIP `model` and its columns x), "infeasible", or the RawSolution of what stopped the
        solvers (a time limit, Ctrl-C, an error).

        The question is the feasibility MIP on the narrowed windows (`model.build_target`), put to
        HiGHS. When every stream the goal waits on is rigid (project scheduling), the same question
        in start-time form goes to SCIP's cumulative constraints beside it, once HiGHS has run
        RIVAL_GRACE seconds without an answer (solvers/cumulative.py: on the hardest instances
        each settles what the other leaves open). HiGHS's answer is taken when it has one; a
        schedule SCIP finds is pinned into the target MIP and solved by HiGHS, so the plan
        reported is always one of the planner's own model. `share` caps the seconds this question
        may take (its answer is then `time_limit` as for the limit itself)."""
        inst = self.instance
        left = None if options.time_limit is None else options.time_limit - clock.total
        if left is not None and left <= 0:
            return RawSolution("time_limit", None, None, None, None, 0.0, "time limit reached"), None, None
        if share is not None:
            left = min(left, share) if left is not None else share
            options = dataclasses.replace(options, time_limit=clock.total + left)
        narrowed = propagate.narrow(inst, self.critical_path, due_by(inst, period))
        if narrowed is None:
            return "ruled_out", None, None
        model = build_target(inst, narrowed.cp, narrowed.due)
        rival = self._rival(narrowed, dataclasses.replace(options, time_limit=left))
        if rival is None:
            return _answer(self._highs(model, options, clock), model, options)
        try:
            raw = self._highs(model, options, clock, rival)
        finally:
            theirs = rival.stop()
        decisive = (raw.status == "optimal" and raw.x is not None) or raw.status == "infeasible"
        if decisive or theirs is None or raw.interrupted:
            return _answer(raw, model, options)
        if theirs.status == "infeasible":
            return "infeasible", model, None
        if theirs.status == "optimal":
            pinned = self._pinned(narrowed, theirs.x, options, clock)
            if pinned is not None:
                return "found", *pinned
            # not a plan of the target MIP (it would be a bug): HiGHS alone, with the time left
            return _answer(self._highs(model, options, clock), model, options)
        return _answer(raw, model, options)

    def _highs(self, model: LinearModel, options: SolveOptions, clock: _Clock, rival=None) -> RawSolution:
        """The default solver's run on a target `model` in the time left, with `rival` (if any)
        as its watch (solvers/highs.py)."""
        left = None if options.time_limit is None else max(options.time_limit - clock.total, 1e-3)
        backend = get_backend(self.solver)
        backend.load(model)
        if rival is not None:
            backend.watch = rival
        return backend.solve(dataclasses.replace(options, time_limit=left))

    def _rival(self, narrowed: propagate.Windows, options: SolveOptions):
        """SCIP's cumulative model of the question (solvers/cumulative.Rival), or None: not a
        project-scheduling target, FTE with no small common denominator, a solver other than the
        default HiGHS, one thread asked for, or a pyscipopt too old to solve in a thread."""
        if narrowed.jobs is None or self.solver != "highs" or options.threads == 1 or not scip_available():
            return None
        from planner.rcpsp import cumulative
        if not cumulative.threadable():
            return None
        target = cumulative.build(narrowed.jobs)
        return None if target is None else cumulative.Rival(target, options, RIVAL_GRACE)

    def _pinned(self, narrowed: propagate.Windows, starts: np.ndarray, options: SolveOptions, clock: _Clock):
        """(model, x) of the target MIP with every job's window cut to the start SCIP found, solved
        by HiGHS; None if HiGHS does not find that schedule a plan of it."""
        jobs, cp = narrowed.jobs, narrowed.cp
        start, finish, due = cp.earliest_start.copy(), cp.earliest_finish.copy(), narrowed.due.copy()
        s = starts.astype(int)
        if np.any(s < jobs.est) or np.any(s > jobs.lst):
            return None
        start[jobs.streams] = s
        finish[jobs.streams] = s + jobs.d - 1
        due[jobs.streams] = s + jobs.d - 1
        model = build_target(self.instance, dataclasses.replace(cp, earliest_start=start, earliest_finish=finish), due)
        # every start fixed: HiGHS's presolve settles it in milliseconds, so the check gets a
        # second even when the time limit has just run out (the schedule is in hand)
        check = options if options.time_limit is None else \
            dataclasses.replace(options, time_limit=max(options.time_limit, clock.total + PINNED_CHECK))
        answer, model, x = _answer(self._highs(model, check, clock), model, check)
        return (model, x) if answer == "found" else None

    def _earliest_goal(self, found, best: np.ndarray, options: SolveOptions, clock: _Clock, first: int = 0):
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
            answer, model, x = self._ask(t, options, clock)
            if answer == "found":
                found = (model, x)
                hi = min(t, _goal_period(inst, np.clip(model.values(x, "u"), 0.0, None)))
            elif answer in ("infeasible", "ruled_out"):
                lo = t + 1
            else:
                break
        return found


class _Clock:
    """Seconds spent in each phase of one solve (Model.timing), for benchmarks and --verbose."""

    def __init__(self):
        self.start = self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = self.laps.get(name, 0.0) + now - self.last
        self.last = now

    @property
    def total(self) -> float:
        return time.perf_counter() - self.start


def _goal_period(inst: Instance, u: np.ndarray) -> int:
    """The period by whose end plan `u` meets the goal (H if it never does)."""
    finish = polish.finish_periods(inst, u)[inst.required]
    return int(finish.max()) if finish.size else 0


def _answer(raw: RawSolution, model: LinearModel, options: SolveOptions):
    """A target's solve as `Model._ask` answers: ("found", model, x), ("infeasible", model, None),
    or (what stopped the solver, model, None)."""
    if raw.status == "optimal" and raw.x is not None:
        return "found", model, raw.x
    if raw.status == "infeasible":
        return "infeasible", model, None
    return _only_asked_stops(raw, options), model, None


def _only_asked_stops(raw: RawSolution, options: SolveOptions) -> RawSolution:
    """A plan is `time_limit` only when the user set a limit (a time limit, or a raw solver option
    that may hold one). Any other unproven stop is an error, never a result that looks finished."""
    asked = options.time_limit is not None or bool(options.solver_options)
    if raw.status in ("time_limit", "no_solution", "interrupted") and not raw.interrupted and not asked:
        return RawSolution("error", None, None, None, None, raw.runtime,
                           f"the solver stopped without proving an optimum though no limit was set "
                           f"({raw.message}); please report this")
    return raw


def _cross_check(result: Result, solver: str, lm: LinearModel, options: SolveOptions) -> dict:
    """Solve the same arrays with `solver`; two proven optima that differ beyond the gap are a bug."""
    backend = get_backend(solver)
    backend.load(lm)
    raw = _only_asked_stops(backend.solve(options), options)
    record = {"solver": backend.name, "status": raw.status, "objective": raw.objective,
              "runtime": raw.runtime}
    if raw.interrupted:
        raise KeyboardInterrupt
    first, second = result.status, raw.status
    tol = max(1e-6, 2 * options.gap) * max(1.0, abs(result.objective or 0.0), abs(raw.objective or 0.0))
    differ = ((first == "optimal" and second == "optimal" and abs(result.objective - raw.objective) > tol)
              or {first, second} == {"optimal", "infeasible"})
    if differ:
        raise VerificationError(
            f"{result.variant}: the solvers disagree: {result.solver} says {first} "
            f"{result.objective}, {backend.name} says {second} {raw.objective}")
    record["agrees"] = first == second == "optimal" or first == second == "infeasible"
    return record


def _fall_back_on_greedy(raw, lm: LinearModel, x) -> None:
    """A solve stopped before the solver found any plan reports the greedy plan `x` instead
    (feasible by construction, and verified like any other), with the solver's bound if it has one."""
    if lm.sense == "min" and lm.values(x, "g")[-1] < 1:  # `earliest` needs the goal met
        return
    raw.x = x
    raw.objective = float(lm.arrays()["cost"] @ x + lm.offset)
    raw.status = "interrupted" if raw.interrupted else "time_limit"
    raw.message = "stopped before the solver found a plan: reporting the greedy plan (planner/pipeline/heuristic.py)"


def solve(plan: Plan, intervention: Intervention | str | None = None, *, solver: str = "highs",
          **options) -> Result:
    """Solve the baseline (or one intervention) of a plan; see `Model.solve` for the options.

    `plan` is a loaded Plan: a path is refused (UsageError), call `planner.load(path)` first. Every
    wrong argument raises UsageError (a ValueError) naming it, before any work (planner/pipeline/arguments.py)."""
    check_solve_options(**options)
    return Model(plan, intervention, solver=solver).solve(**options)


def _structure(inst: Instance, cache: dict | None = None) -> Structure:
    """What unlimited labour allows. Its critical path depends on neither the supply nor the
    deadline, which is what sweeps and comparisons vary most: `cache` keeps it across variants,
    keyed by every number it reads."""
    key = _unlimited_key(inst) if cache is not None else None
    cp = cache.get(key) if key is not None else None
    if cp is None:
        cp = critical_path(inst, unlimited_labour=True)
        if key is not None:
            if len(cache) >= 16:
                cache.clear()
            cache[key] = cp
    fixed = float(inst.deadline_years[0]) if len(inst.deadline_years) == 1 else None
    bound = structural_bound(inst, cp) if inst.objective == "probability" else \
        objective_bound(inst, cp) if inst.objective == "value" else None
    return Structure(critical_path=cp.chain, earliest_goal_years=cp.years(cp.goal_finish, inst.step),
                     bound=bound, horizon_years=inst.periods * inst.step,
                     fixed_deadline=fixed)


def _unlimited_key(inst: Instance) -> tuple:
    """Every number the labour-unlimited critical path reads (structure.critical_path)."""
    arrays = (inst.productivity, inst.rate_cap, inst.max_staff, inst.release, inst.effort, inst.required,
              inst.parallelization)
    return (inst.periods, inst.step, tuple(inst.streams), tuple((p.pred, p.succ, p.gap) for p in inst.precedences),
            tuple(a.tobytes() for a in arrays))


def _result(plan: Plan, inst: Instance, cp, raw, u, solver: str, build_time: float,
            why: str | None = None, structure: Structure | None = None) -> Result:
    structure = structure or _structure(inst)
    if raw.x is not None and raw.bound is None:  # stopped before the solver had a bound of its own
        raw.bound = objective_bound(inst, cp)
        if raw.bound is not None:
            raw.gap = abs(raw.bound - raw.objective) / max(abs(raw.bound), abs(raw.objective), 1e-10)
    common = dict(plan=plan.plan.name, variant=inst.name, objective_kind=inst.objective,
                  interrupted=raw.interrupted, **variant_fields(plan, inst),
                  bound=raw.bound, gap=raw.gap, runtime=raw.runtime, build_time=build_time,
                  solver=solver, start_year=inst.start_year, structure=structure,
                  period_starts=inst.starts, pool_names=inst.pools)
    if u is None:
        message = why or raw.message
        streams = [StreamResult(n, float(e), 0.0, None, None, inst.start_year, bool(r))
                   for n, e, r in zip(inst.streams, inst.effort, inst.required)]
        return Result(status=raw.status, objective=None, goal_completion_years=None,
                      success_probability=None, streams=streams, allocation=None, message=message, **common)
    u = np.where(np.abs(u) < 1e-12, 0.0, u)
    checked = verify.check(inst, u)
    _agrees_with_solver(inst, raw, checked)
    starts = checked.start_years
    streams = [StreamResult(n, float(inst.effort[i]), float(checked.effort_done[i]),
                            None if np.isnan(starts[i]) else float(starts[i]),
                            None if np.isnan(checked.finish_years[i]) else float(checked.finish_years[i]),
                            inst.start_year, bool(inst.required[i]))
               for i, n in enumerate(inst.streams)]
    if raw.status != "optimal" and raw.bound is not None and checked.objective is not None:
        # the earliest-start pass may have improved an unproven plan: its gap is to what we report
        common["gap"] = abs(raw.bound - checked.objective) / max(abs(raw.bound), abs(checked.objective), 1e-10)
    return Result(status=raw.status, objective=checked.objective,
                  goal_completion_years=checked.goal_years, success_probability=checked.success_probability,
                  streams=streams, allocation=u, pool_use=inst.crew.T @ u,
                  pool_supply=checked.supply if checked.supply is not None else inst.supply,
                  message=raw.message, **common)


def _agrees_with_solver(inst: Instance, raw, checked: verify.Verified) -> None:
    """The objective recomputed from the schedule must be at least what the solver claims (it may be
    better: the solver need not mark a finished stream complete) and never beyond its proven bound."""
    claimed, ours = raw.objective, checked.objective
    if claimed is None or ours is None:
        if (claimed is None) != (ours is None):
            raise verify.VerificationError(f"the solver reports objective {claimed}, the schedule gives {ours}")
        return
    tol = 1e-6 * max(1.0, abs(claimed))
    worse = ours < claimed - tol if inst.objective != "earliest" else ours > claimed + tol
    # whole people with diminishing returns keep the solver's crew units (polish.crew_units), whose
    # exact progress u ** a may beat the model's piecewise-linear bound: the proven bound is the
    # model's, and the schedule may do better than it
    exact = not np.any(inst.diminishing & inst.integer_staff.any(axis=1))
    beyond = exact and raw.bound is not None and (ours > raw.bound + tol if inst.objective != "earliest"
                                                  else ours < raw.bound - tol)
    if worse or beyond:
        raise verify.VerificationError(
            f"objective recomputed from the schedule ({ours:.9g}) disagrees with the solver's "
            f"({claimed:.9g}, bound {raw.bound})")


def _why_infeasible(inst: Instance, cp, backend=None, lm=None) -> str:
    """Why no plan meets the goal inside the horizon, in the plan's terms: first the critical path
    (durations, releases and lags), then a pool whose whole supply is below the work it must do,
    then the solver's irreducible infeasible set."""
    horizon = inst.periods * inst.step
    head = f"the goal cannot be met within the horizon of {horizon:g} years: "
    unlimited = critical_path(inst, unlimited_labour=True)
    if unlimited.goal_finish == NEVER:
        return head + (f"the chain {' -> '.join(unlimited.chain)} cannot finish inside it even with "
                       "unlimited labour (minimum durations, releases and lags)")
    short = _short_pools(inst)
    if short:
        return head + "; ".join(short)
    if cp.goal_finish == NEVER:
        return head + (f"the chain {' -> '.join(cp.chain)} cannot finish inside it with the supply "
                       "and staff limits it has")
    iis = backend.infeasible_set(lm) if backend is not None and hasattr(backend, "infeasible_set") else []
    tail = f" (the solver's irreducible infeasible set: {', '.join(iis)})" if iis else ""
    return head + "the streams compete for too little supply at the times they can work" + tail


def _short_pools(inst: Instance) -> list[str]:
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
            out.append(f"pool {pool} supplies {have:,.4g} FTE-years over the horizon, and the streams "
                       f"the goal needs take at least {need:,.4g}")
    return out
