"""Plan in, verified result out: the Model session of one plan variant, and `solve`.

A solve uses the plan's structure first (planner/pipeline/search.py: the critical-path bound, which
a least-slack plan often reaches, and for `probability` and `earliest` the goal-period search). The
whole MIP is solved when neither applies (`value` plans the bound does not settle), with
`method="mip"`, and with the `scip` and Pyomo solvers, which stay independent checks. The answer is
verified into a Result (planner/pipeline/assemble.py) and read in continuous time
(planner/pipeline/continuous.py, refine.py); an intervention that chooses its level is planner/pipeline/levels.py.

Every solve loads its models into fresh solver objects: nothing one solve leaves behind (an
interrupt, a cut time budget, a half-finished search) can reach the next, which is what sweeps and
comparisons running thousands of variants rely on. Building the arrays costs well under a
millisecond per small variant, so there is no state worth the risk of keeping.
"""

from __future__ import annotations

import copy
import dataclasses
import time
from typing import Any

import numpy as np

from planner.explain import explain
from planner.instance.instance import Instance
from planner.instance.resolve import resolve
from planner.mip.formulation import build
from planner.mip.linear import LinearModel
from planner.pipeline import heuristic, polish, refine
from planner.pipeline.arguments import (
    check_intervention,
    check_plan,
    check_solve_options,
    check_solver_name,
    check_units,
)
from planner.pipeline.assemble import (
    assemble,
    fall_back_on_greedy,
    only_asked_stops,
    unlimited_structure,
)
from planner.pipeline.assemble import (
    cross_check as second_opinion,
)
from planner.pipeline.diagnose import why_infeasible
from planner.pipeline.levels import solve_choice
from planner.pipeline.policy import best_level, solve_policy
from planner.pipeline.search import Clock, GoalSearch
from planner.plan.schema import Intervention, Plan
from planner.result import Result, Structure
from planner.solvers import Backend, get_backend
from planner.solvers.status import RawSolution, SolveOptions, SolveStatus
from planner.structure import critical_path

_UNLIMITED_PATHS: dict = {}
"""Labour-unlimited critical paths by every number they read (assemble.unlimited_structure), shared
by the Models of one process: a sweep's or Monte Carlo's variants differ in supply and deadline,
which the path does not read. A memo, bounded there: the same path either way."""


def _structure_applies(inst: Instance) -> bool:
    """The critical-path bound builds fluid schedules: not for discrete staffing, diminishing returns,
    training or milestones. The goal-period search needs only that the objective depends on the
    goal's period, which holds for `probability` and `earliest` with discrete staffing and
    diminishing returns too (its feasibility MIPs carry those rows)."""
    if not inst.whole_mip:
        return True
    # a training stream helps the goal without being one it waits on, which the search's
    # feasibility MIPs (streams the goal waits on only) would leave out
    return (
        inst.has_dynamics
        and not inst.milestones
        and not inst.trains.any()
        and inst.objective in ("probability", "earliest")
    )


def _uses_structure(solver: str) -> bool:
    """Whether Model.solve first uses the plan's structure (search.GoalSearch) with this solver:
    HiGHS and races; other solvers always get the whole MIP, so they stay independent checks."""
    return solver == "highs" or solver == "race" or solver.startswith("race:")


class Model:
    """One plan variant resolved to arrays and built as a MIP; `update()` swaps in another variant.

    `Model(plan, intervention=None, *, solver="highs", units=None)`: `plan` a loaded Plan,
    `intervention` an Intervention, its name or None for the baseline, `solver` a name of
    planner.solvers (an unknown or missing one raises UsageError here), `units` the intervention's
    amount (None: its own). Attributes after construction: `instance` (the resolved numbers),
    `critical_path`, `build_time`; after a solve, `timing` (seconds per phase)."""

    def __init__(
        self,
        plan: Plan,
        intervention: Intervention | str | None = None,
        *,
        solver: str = "highs",
        units: float | None = None,
    ) -> None:
        self.plan = check_plan(plan)
        self.solver = check_solver_name(solver)
        get_backend(solver)  # an unknown or missing solver fails here, before any work
        self.update(intervention, units=units)

    _unlimited: dict  # labour-unlimited critical paths by what they depend on (assemble.unlimited_structure)
    _linear_model: LinearModel | None  # built on first use (`linear_model`)
    _structure: Structure | None  # built on first use (`structure`)
    intervention: Intervention | None  # the variant: None for the baseline
    units: float | None  # the intervention's amount (None: its own)
    timing: dict[str, float]  # seconds per phase of the last solve

    def update(
        self, intervention: Intervention | str | None = None, plan: Plan | None = None, units: float | None = None
    ) -> None:
        """Switch to another variant: `intervention` (an Intervention or its name, None for the
        baseline) of `plan` (None: the plan already held) at `units` (None: the intervention's
        own amount). Returns nothing; raises UsageError for a wrong argument.

        Only the numbers and the critical path are computed here. The MIP's arrays
        (`linear_model`) and the labour-unlimited structure a result reports are built on first
        use: a variant the critical-path bound settles never needs the whole MIP."""
        if plan is not None:
            self.plan = check_plan(plan)
        if not hasattr(self, "_unlimited"):
            self._unlimited = _UNLIMITED_PATHS
        start = time.perf_counter()
        self.intervention, self.units = check_intervention(self.plan, intervention), check_units(units)
        self.instance = resolve(self.plan, self.intervention, self.units)
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
            self._structure = unlimited_structure(self.instance, self._unlimited)
        return self._structure

    def solve(
        self,
        *,
        time_limit: float | None = None,
        gap: float = 1e-6,
        threads: int | None = None,
        solver_options: dict | None = None,
        verbose: bool = False,
        tie_break: bool = True,
        cross_check: bool | str = False,
        method: str = "auto",
        confirm: bool = True,
        refine: bool = True,
    ) -> Result:
        """Solve the current variant in fresh solvers and verify the schedule; returns the Result.

        `time_limit` (seconds, None: none), `gap` (relative MIP gap), `threads`, `solver_options`
        (passed to the solver untouched) and `verbose` go to the solver. The objective, finish
        times and goal time reported are the continuous-time plan's (planner/pipeline/continuous.py,
        docs/model.md "Continuous time"): the schedule is read in continuous years, and where the
        bound no continuous plan beats does not settle it, `refine` solves the variant again on
        finer grids (`Result.exactness` says how it ended). `refine=False` reads the plan's own
        grid schedule in continuous time and stops there.

        `tie_break` reports the optimum as the schedule that does every stream's work as early as
        the plan allows (planner/pipeline/polish.py; the objective never changes). `cross_check` solves the
        same model with a second solver (`True`: SCIP, or HiGHS when SCIP is the first) and raises
        VerificationError if the two proven optima differ. `method`: "auto" (the default) first
        uses the plan's structure (search.GoalSearch: the critical-path bound, then a search over
        the goal's completion period), which needs the whole MIP only for `value` plans the bound
        does not settle; "mip" always solves the whole MIP. `confirm` (with "auto"): a plan the
        critical-path bound settles is still handed to the solver, every column fixed, which checks
        it against every row of the model (GoalSearch.confirm); False skips that check, and then no
        solver runs at all for such a plan. The plan reported is the same either way. Raises
        UsageError for a wrong argument, VerificationError if a schedule fails its re-check."""
        check_solve_options(
            time_limit=time_limit,
            gap=gap,
            threads=threads,
            solver_options=solver_options,
            verbose=verbose,
            tie_break=tie_break,
            cross_check=cross_check,
            method=method,
            confirm=confirm,
            refine=refine,
        )
        options = SolveOptions(
            time_limit=time_limit, gap=gap, threads=threads, solver_options=dict(solver_options or {}), verbose=verbose
        )
        if self.instance.has_bets:  # research bets: one policy MIP (pipeline/policy.py)
            if self.intervention is not None and self.intervention.choose and self.units is None:
                return best_level(self.intervention, options, self._solve_level_policy)
            return solve_policy(self.plan, self.instance, self.solver, options, self.build_time, tie_break)
        if self.intervention is not None and self.intervention.choose and self.units is None:
            result, self.instance, self.critical_path = solve_choice(  # what the result describes
                self.plan,
                self.intervention,
                self.solver,
                options,
                self._solve_level,
                tie_break=tie_break,
                cross_check=cross_check,
                refine=refine,
            )
            return result
        inst = self.instance
        clock = Clock()
        done = (
            GoalSearch(inst, self.critical_path, self.solver, lambda: self.linear_model).structured(
                options, tie_break, confirm, clock
            )
            if _uses_structure(self.solver) and method == "auto" and _structure_applies(inst)
            else None
        )
        if done is not None:
            raw, u, backend, failed = done
            name = self.solver
        else:
            if options.time_limit is not None:  # what the structured attempt used counts against it
                options = dataclasses.replace(options, time_limit=max(1e-3, options.time_limit - clock.total))
            raw, u, backend = self._whole_mip(options, tie_break, clock)
            name, failed = backend.name, self.linear_model
        why = (
            why_infeasible(inst, self.critical_path, backend, failed)
            if raw.status == SolveStatus.INFEASIBLE and inst.objective == "earliest"
            else None
        )
        result = assemble(self.plan, inst, self.critical_path, raw, u, name, self.build_time, why, self.structure)
        clock.lap("check")
        if cross_check and not raw.interrupted:
            second = ("highs" if self.solver == "scip" else "scip") if cross_check is True else cross_check
            result = dataclasses.replace(result, cross_check=second_opinion(result, second, self.linear_model, options))
            clock.lap("cross_check")
        result = self._earliest_if_out_of_reach(result, options, tie_break, clock)
        result = self._in_continuous_time(result, options, tie_break, refine and not raw.interrupted, clock)
        result = result.replaced(explanation=explain(result))
        self.timing = clock.laps
        return result

    def _whole_mip(
        self, options: SolveOptions, tie_break: bool, clock: Clock
    ) -> tuple[RawSolution, np.ndarray | None, Backend]:
        """(RawSolution, crew units or None, backend) of the whole MIP, its schedule polished by the
        tie-break; the greedy plan when the solver stopped before it had any (a fluid plan only)."""
        inst, lm = self.instance, self.linear_model
        backend = get_backend(self.solver)
        backend.load(lm)
        raw = only_asked_stops(backend.solve(options), options)
        if (
            raw.x is None
            and raw.status in (SolveStatus.TIME_LIMIT, SolveStatus.INTERRUPTED, SolveStatus.NO_SOLUTION)
            and not inst.has_dynamics
        ):  # the greedy plan is a fluid one
            raw = fall_back_on_greedy(raw, lm, heuristic.start_solution(inst, self.critical_path, lm))
        x = raw.x
        u = lm.values(x, "u") if x is not None else None
        clock.lap("mip")
        if x is not None and u is not None and inst.has_dynamics:
            u = polish.earliest_discrete(inst, lm, x) if tie_break else polish.crew_units(inst, lm, x)
            u = polish.idle_once_complete(inst, u)
            clock.lap("tie_break")
        elif u is not None and tie_break:
            u, _ = polish.earliest(inst, lm, np.where(np.abs(u) < 1e-12, 0.0, u), self.critical_path.earliest_finish)
            clock.lap("tie_break")
        return raw, u, backend

    def _solve_level_policy(self, units: float, options: SolveOptions) -> Result:
        inst = resolve(self.plan, self.intervention, units)
        return solve_policy(self.plan, inst, self.solver, options, self.build_time)

    def _solve_level(self, units: float, **options: Any) -> Result:
        """One level of an intervention that chooses its own, solved on its own (levels.solve_choice)."""
        return Model(self.plan, self.intervention, solver=self.solver, units=units).solve(**options)

    def _earliest_if_out_of_reach(self, result: Result, options: SolveOptions, tie_break: bool, clock: Clock) -> Result:
        """A `probability` plan whose goal can meet no deadline is worth 0 whatever its timing, and
        its model ends at the last deadline, so the work after it is left to the earliest-start
        pass, which takes the streams one at a time (a stream could take the whole pool first and
        put the goal off). Its schedule is then the `earliest` plan's, still worth 0: the goal as
        early as it can be met inside the horizon (or the plan as it was, if it cannot be)."""
        inst = self.instance
        if (
            inst.objective != "probability"
            or result.status != SolveStatus.OPTIMAL
            or result.objective != 0
            or result.allocation is None
        ):
            return result
        left = None if options.time_limit is None else max(1e-3, options.time_limit - clock.total)
        early = self._solve_instead(dataclasses.replace(inst, objective="earliest"), left, options, tie_break)
        clock.lap("earliest_goal")
        if early.status != SolveStatus.OPTIMAL or early.allocation is None:
            return result
        raw = RawSolution(SolveStatus.OPTIMAL, None, 0.0, result.bound, result.gap, result.runtime, result.message)
        return assemble(
            self.plan,
            inst,
            self.critical_path,
            raw,
            early.allocation,
            result.solver,
            self.build_time,
            None,
            self.structure,
        )

    def _solve_instead(
        self, inst: Instance, time_limit: float | None, options: SolveOptions, tie_break: bool
    ) -> Result:
        """`inst` (this variant with another objective or on another grid) solved by a copy of this
        model, read in continuous time but not refined; the labour-unlimited cache is shared (its
        keys hold everything it reads)."""
        other = copy.copy(self)
        other.instance, other.critical_path = inst, critical_path(inst)
        other._linear_model = other._structure = None
        return other.solve(
            time_limit=time_limit,
            gap=options.gap,
            threads=options.threads,
            solver_options=options.solver_options,
            tie_break=tie_break,
            refine=False,
        )

    def _in_continuous_time(
        self, result: Result, options: SolveOptions, tie_break: bool, finer: bool, clock: Clock
    ) -> Result:
        """The grid result read in continuous time, settled against the bound or, when `finer`, on
        finer grids (refine.settle), within what is left of the time limit."""
        inst = self.instance
        result = refine.as_continuous(result, inst)
        left = None if options.time_limit is None else options.time_limit - clock.total

        def on_grid(k: int, seconds: float) -> Result:  # `seconds` is within what is left
            return self._solve_instead(refine.refine(inst, k), max(1e-3, seconds), options, tie_break)

        settled = refine.settle(result, inst, on_grid, refine=finer, time_left=left)
        clock.lap("continuous")
        return settled


def solve(
    plan: Plan, intervention: Intervention | str | None = None, *, solver: str = "highs", **options: Any
) -> Result:
    """Solve the baseline (or one intervention) of a plan; returns the verified Result.

    `intervention` is an Intervention, its name or None (the baseline), `solver` a solver's name,
    and `options` those of `Model.solve`.

    `plan` is a loaded Plan: a path is refused (UsageError), call `planner.load(path)` first. Every
    wrong argument raises UsageError (a ValueError) naming it, before any work (planner/pipeline/arguments.py)."""
    check_solve_options(**options)
    return Model(plan, intervention, solver=solver).solve(**options)
