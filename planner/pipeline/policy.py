"""Plans with research bets, solved as a policy: the policy MIP (mip/policy.py) in one solve,
its branches re-checked (verify_policy.py) and read back into a Result whose `policy` holds every
branch, most likely first.

A policy is read on the plan's grid: an attempt's outcome is known at the end of the period in
which it finishes, so the continuous-time refinement of deterministic plans (continuous.py) does
not apply, and the Result says so (`exactness = "grid"`). The structure-first shortcuts
(search.py) do not either: one solve of the whole policy MIP decides.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import numpy as np

from planner.errors import PlanError, VerificationError
from planner.explain import explain
from planner.instance.instance import Instance
from planner.mip.outcomes import bets_of
from planner.mip.policy import PolicyModel, build_policy, earliest_progress
from planner.pipeline.assemble import UNPROVEN, assemble, only_asked_stops, unlimited_structure
from planner.pipeline.greedy_policy import greedy_policy
from planner.plan.schema import Intervention, Plan
from planner.result import PolicyBranch, Result, StreamResult, variant_fields
from planner.solvers import get_backend
from planner.solvers.status import RawSolution, SolveOptions, SolveStatus
from planner.structure import critical_path, objective_bound
from planner.verify_policy import ABS, REL, VerifiedPolicy, check_policy


def policy_model(plan: Plan, inst: Instance) -> PolicyModel:
    """The variant's policy MIP; a plan the policy cannot take is a PlanError naming why."""
    file = str(plan.source) if plan.source else None
    if inst.objective == "earliest":
        raise PlanError(
            "objective 'earliest' is not defined for a plan with research bets (`success` < 1 or "
            "`any` groups): a bet may never work, so the goal may never be met; use 'probability' or 'value'",
            file=file,
            table="[plan]",
            key="objective",
        )
    try:
        bets = bets_of(inst)
    except ValueError as e:
        raise PlanError(str(e), file=file, table="[[streams]]", key="attempts") from None
    return build_policy(inst, bets)


RULES_SHARE = 0.2
"""Of a time limit, the share the solver leaves to the priority rules' search (greedy_policy.py),
which only runs if the solver has not proven its policy by then; the search gets what is left of
the limit, and at least this share of it (a solver stopped late inside its presolve leaves none)."""

TIGHT_FEASIBILITY = 1e-9
"""HiGHS's MIP feasibility tolerance for the second solve of a policy whose verified objective
came out above the first solve's bound (`solve_policy`)."""

TIE_BREAK_UNDER = 5.0
"""Seconds: a policy whose first solve took longer is reported as found, without the tie-break's
second solve (which can take as long again)."""


def solve_policy(
    plan: Plan, inst: Instance, solver: str, options: SolveOptions, build_time: float, tie_break: bool = True
) -> Result:
    """The verified Result of the policy of variant `inst` of `plan`; `tie_break`: of the optimal
    policies, the one that does its work earliest (a second solve, skipped after a slow first)."""
    start = time.perf_counter()
    pm = policy_model(plan, inst)
    build_time += time.perf_counter() - start
    backend = get_backend(solver)
    clock = time.perf_counter()
    mip = options
    if options.time_limit is not None:  # the rest is for the priority rules, should the solver not prove it
        mip = dataclasses.replace(options, time_limit=options.time_limit * (1 - RULES_SHARE))
    raw = _solve(pm, solver, mip, options, tie_break)
    cp = critical_path(inst)
    structure = unlimited_structure(inst)
    solved: tuple[list[PolicyBranch], VerifiedPolicy] | None = None
    if raw.x is not None:
        solved = _read(inst, pm, raw)
        if _beyond(solved[1].objective, raw.bound) and solver == "highs" and raw.status == SolveStatus.OPTIMAL:
            # outcome scenarios of tiny probability give objective coefficients down to 1e-11, and
            # HiGHS's default MIP feasibility tolerance (1e-6) can then claim an optimum a few
            # millionths short, which the check sees as a policy beyond the bound: solve again with
            # a tight tolerance, and if that still disagrees, the check below refuses it
            tight = {**mip.solver_options, "mip_feasibility_tolerance": TIGHT_FEASIBILITY}
            raw = _solve(pm, solver, dataclasses.replace(mip, solver_options=tight), options, tie_break)
            if raw.x is not None:
                solved = _read(inst, pm, raw)
    if raw.status in UNPROVEN:  # the time limit (or the user) cut the solve: the rules' policy too
        limit = None if raw.interrupted else options.time_limit
        # the rest of the limit, and at least its share: HiGHS can overrun a limit inside presolve
        left = 0.0 if limit is None else max(RULES_SHARE * limit, limit - (time.perf_counter() - clock))
        raw, solved = _with_rules(inst, pm, raw, solved, left)
    if solved is None:
        empty = RawSolution(raw.status, None, None, raw.bound, raw.gap, raw.runtime, raw.message, raw.interrupted)
        return assemble(plan, inst, cp, empty, None, backend.name, build_time, None, structure)
    branches, checked = solved
    if _beyond(checked.objective, raw.bound):
        raise VerificationError(f"the policy's objective {checked.objective:.9g} beats the proven bound {raw.bound}")
    top = branches[0]
    u = np.zeros((len(inst.streams), inst.periods))
    for label, row in top.allocation.items():
        u[inst.streams.index(label.rpartition(" #")[0])] += row
    bound, gap = raw.bound, raw.gap
    if bound is not None:
        gap = abs(bound - checked.objective) / max(abs(bound), abs(checked.objective), 1e-10)
    # the most likely branch's schedule stands for the policy in the stream table and the charts
    first: dict[str, float] = {}
    for a in top.attempts:
        first.setdefault(a["stream"], a["start_years"])
    done = {a["stream"]: a["finish_years"] for a in top.attempts if a["works"]}
    worked = {a["stream"]: 0.0 for a in top.attempts}
    for a in top.attempts:
        worked[a["stream"]] += float(inst.effort[inst.streams.index(a["stream"])])
    streams = [
        StreamResult(
            n,
            float(inst.effort[i]),
            min(float(inst.effort[i]), worked.get(n, 0.0)) if n in done else _done_in(inst, i, u),
            first.get(n),
            done.get(n),
            inst.start_year,
            bool(inst.required[i]),
        )
        for i, n in enumerate(inst.streams)
    ]
    result = Result(
        plan=plan.plan.name,
        variant=inst.name,
        status=raw.status,
        objective_kind=inst.objective,
        objective=checked.objective,
        bound=bound,
        gap=gap,
        runtime=raw.runtime,
        build_time=build_time,
        solver=backend.name,
        start_year=inst.start_year,
        goal_completion_years=top.goal_years,
        success_probability=checked.success_probability,
        streams=streams,
        structure=structure,
        period_starts=inst.starts,
        allocation=u,
        pool_names=inst.pools,
        pool_use=inst.crew.T @ u,
        pool_supply=inst.supply,
        message=raw.message,
        interrupted=raw.interrupted,
        policy=tuple(branches),
        exactness="grid",
        objective_range=(checked.objective, bound),
        grid_objective=checked.objective,
        grid_step=inst.step,
        grid_bound=bound,
        grid_gap=gap,
        **variant_fields(plan, inst),
    )
    return dataclasses.replace(result, explanation=explain(result))


def _earliest(pm: PolicyModel, raw: RawSolution, solver: str, options: SolveOptions) -> RawSolution:
    """The optimum `raw` re-solved for the earliest work at the same objective (`earliest_progress`);
    `raw` itself if that solve does not end optimal. The objective and bound stay the first solve's."""
    assert raw.objective is not None
    tol = 1e-7 * max(1.0, abs(raw.objective))
    backend = get_backend(solver)
    backend.load(earliest_progress(pm, raw.objective, tol))
    second = backend.solve(dataclasses.replace(options, gap=max(options.gap, 1e-4)))
    if second.status != SolveStatus.OPTIMAL or second.x is None:
        return raw
    return dataclasses.replace(raw, x=second.x, runtime=raw.runtime + second.runtime)


def solve_clairvoyant(
    plan: Plan, inst: Instance, solver: str, options: SolveOptions
) -> tuple[float, list[PolicyBranch]]:
    """The best expected objective if every research outcome were known from the start (each
    outcome scenario planned on its own), verified branch by branch; and its branches."""
    bets = policy_model(plan, inst).bets  # the same refusals as the policy
    pm = build_policy(inst, bets, clairvoyant=True)
    backend = get_backend(solver)
    backend.load(pm.lm)
    raw = only_asked_stops(backend.solve(options), options)
    if raw.status != SolveStatus.OPTIMAL or raw.x is None:
        raise VerificationError(f"the clairvoyant plan did not solve to optimality ({raw.status}: {raw.message})")
    branches, checked = _branches(inst, pm, _allocations(pm, raw.x), non_anticipative=False)
    if abs(checked.objective - (raw.objective or 0.0)) > 1e-6 * max(1.0, abs(checked.objective)):
        raise VerificationError(
            f"the clairvoyant objective recomputed ({checked.objective:.9g}) differs from the solver's "
            f"({raw.objective})"
        )
    return checked.objective, branches


def _solve(pm: PolicyModel, solver: str, mip: SolveOptions, options: SolveOptions, tie_break: bool) -> RawSolution:
    """The policy MIP solved with `mip`, then (if proven fast) re-solved for the earliest work."""
    backend = get_backend(solver)
    backend.load(pm.lm)
    raw = only_asked_stops(backend.solve(mip), options)
    if tie_break and raw.status == SolveStatus.OPTIMAL and raw.objective is not None and raw.runtime < TIE_BREAK_UNDER:
        raw = _earliest(pm, raw, solver, mip)
    return raw


def _beyond(objective: float, bound: float | None) -> bool:
    """The verified objective above the solver's bound (by more than rounding)."""
    return bound is not None and objective > bound + 1e-6 * max(1.0, abs(objective))


def _read(inst: Instance, pm: PolicyModel, raw: RawSolution) -> tuple[list[PolicyBranch], VerifiedPolicy]:
    """The solver's policy played forward by the check, which must score what the solver says."""
    assert raw.x is not None
    solved = _branches(inst, pm, _allocations(pm, raw.x))
    objective = solved[1].objective
    tol = 1e-6 * max(1.0, abs(raw.objective or 0.0))
    if raw.objective is not None and objective < raw.objective - tol:
        raise VerificationError(
            f"the policy's expected objective recomputed by playing every branch ({objective:.9g}) "
            f"is below the solver's ({raw.objective:.9g})"
        )
    return solved


def _with_rules(
    inst: Instance,
    pm: PolicyModel,
    raw: RawSolution,
    solved: tuple[list[PolicyBranch], VerifiedPolicy] | None,
    budget: float,
) -> tuple[RawSolution, tuple[list[PolicyBranch], VerifiedPolicy] | None]:
    """A solve cut short: the better of its policy and the priority rules' (greedy_policy.py, their
    search given `budget` seconds), each verified, with the tighter of the solver's bound and the
    outcome scenarios' own bounds."""
    start = time.perf_counter()
    bounds = [b for b in (scenario_bound(pm), raw.bound) if b is not None]
    bound = min(bounds) if bounds else None
    greedy = greedy_policy(inst, pm.bets, budget)
    if greedy is not None and (solved is None or greedy.checked.objective > solved[1].objective + 1e-12):
        solved = _branches(inst, pm, greedy.allocations)
        note = f"the best policy found is the priority rule's ({greedy.rule}), not the solver's"
        message = f"{raw.message}; {note}" if raw.message else note
        status = raw.status if raw.status != SolveStatus.NO_SOLUTION else SolveStatus.TIME_LIMIT
        raw = dataclasses.replace(raw, status=status, objective=solved[1].objective, message=message)
    return dataclasses.replace(raw, bound=bound, runtime=raw.runtime + time.perf_counter() - start), solved


def scenario_bound(pm: PolicyModel) -> float | None:
    """No policy beats, in any outcome scenario, that scenario's plan with every stream at its
    earliest finish (structure.objective_bound): their expectation bounds the policy's objective.
    None when the structure gives no bound (a `value` plan without a deadline)."""
    total = 0.0
    for s in pm.scenarios:
        b = objective_bound(s.instance, critical_path(s.instance))
        if b is None:
            return None
        total += s.outcome.probability * b
    return total


def _allocations(pm: PolicyModel, x: np.ndarray) -> list[dict[tuple[str, int], np.ndarray]]:
    """Each scenario's crew units per attempt key, read off the solver's columns, without any work
    after the attempt is complete (`_until_complete`)."""
    allocations = []
    for s in pm.scenarios:
        index = s.blocks["u"]
        alloc = {}
        for i, key in enumerate(s.keys):
            row = np.where(index[i] >= 0, x[np.maximum(index[i], 0)], 0.0) if x.size else np.zeros(index.shape[1])
            row = _until_complete(s.instance, i, np.where(np.abs(row) < 1e-9, 0.0, row))
            if np.any(row > 0):
                alloc[key] = row
        allocations.append(alloc)
    return allocations


def _until_complete(inst: Instance, i: int, row: np.ndarray) -> np.ndarray:
    """Stream i's crew units with none after the period its progress reaches its effort (as the
    policy check reads it). A discrete stream's completion indicator may lag its progress by a
    period in the MIP (a lag that costs the objective nothing when nothing waits on it), and its
    row `no_work_once_complete` then lets work go on into a period the check counts as after the
    attempt's end. Cutting it changes no progress, no completion and no outcome's timing; and
    scenarios that share a history share the cut, since it follows from their common allocation."""
    a = float(inst.parallelization[i])
    effective = np.power(np.clip(row, 0.0, None), a) if a < 1 else row
    progress = np.cumsum(inst.step * inst.productivity[i] * effective)
    done = np.flatnonzero(progress >= inst.effort[i] * (1 - REL) - ABS)
    if done.size and done[0] + 1 < row.size and row[done[0] + 1 :].any():
        row = row.copy()
        row[done[0] + 1 :] = 0.0
    return row


def _branches(
    inst: Instance,
    pm: PolicyModel,
    allocations: list[dict[tuple[str, int], np.ndarray]],
    *,
    non_anticipative: bool = True,
) -> tuple[list[PolicyBranch], VerifiedPolicy]:
    """Every scenario's allocation per attempt, played forward by the independent check."""
    names = pm.bets.names(inst)
    outcomes = [(s.outcome.works_at, s.outcome.probability) for s in pm.scenarios]
    checked = check_policy(inst, names, outcomes, allocations, non_anticipative=non_anticipative)
    branches = []
    for b, alloc in zip(checked.branches, allocations):
        attempts = []
        for (name, a), (t0, t1) in sorted(b.attempt_years.items(), key=lambda kv: (kv[1][0], kv[0])):
            i = inst.streams.index(name)
            works = bool(inst.success[i] >= 1 or b.works_at.get(name, 0) == a)
            attempts.append({"stream": name, "attempt": a, "start_years": t0, "finish_years": t1, "works": works})
        branches.append(
            PolicyBranch(
                outcomes=dict(b.works_at),
                probability=b.probability,
                objective=b.objective,
                goal_years=b.goal_years,
                attempts=attempts,
                allocation={f"{n} #{a}": row for (n, a), row in alloc.items()},
            )
        )
    order = sorted(range(len(branches)), key=lambda k: -branches[k].probability)
    return [branches[k] for k in order], checked


def _done_in(inst: Instance, i: int, u: np.ndarray) -> float:
    """Effort done on a stream that has not succeeded in the branch shown: its last attempt's."""
    return float(min(inst.effort[i], inst.step * (inst.productivity[i] * u[i]).sum() % max(inst.effort[i], 1e-12)))


def best_level(iv: Intervention, options: SolveOptions, solve_level: Callable[[float, SolveOptions], Result]) -> Result:
    """An intervention that chooses its level, with bets: every level's policy solved on its own,
    the best reported (on a tie the smallest level), with every level's optimum alongside."""
    assert iv.levels is not None  # the schema refuses `choose` without `levels`
    results = [(units, solve_level(units, options)) for units in iv.levels]
    solved = [(u, r) for u, r in results if r.objective is not None]
    if not solved:
        return results[0][1]
    sign = -1.0 if results[0][1].objective_kind == "earliest" else 1.0
    top = max(r.objective for _, r in solved if r.objective is not None) if sign > 0 else 0.0
    units, best = min(((u, r) for u, r in solved if abs((r.objective or 0.0) - top) <= 1e-9), key=lambda ur: ur[0])
    levels = [{"units": u, "status": r.status, "objective": r.objective} for u, r in results]
    return dataclasses.replace(best, chosen_units=units, levels=levels)
