"""The start-window rules for project-scheduling targets (planner/rcpsp/propagate.py).

Expected windows come from hand reasoning on tiny instances; soundness is checked against
schedules built by the importer's own serial schedule-generation pass with random priorities
(each a feasible schedule, checked by `reference.violations`): the windows at a schedule's makespan
must contain every one of its starts. The destructive bound is checked against the published
optima.
"""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

import planner
from planner.rcpsp import propagate
from planner.rcpsp import conversion, optima, psplib, reference
from planner.instance.resolve import resolve
from planner.plan.schema import from_dict
from planner.structure import critical_path, due_by
from plans import ROOT

DATA = ROOT / "tests" / "data" / "psplib"
SAMPLE = sorted(DATA.glob("*.sm"))


def instance(durations, requests, capacities, successors, horizon=12):
    """A PSPLIB instance with a dummy source and sink around the given jobs (0-based job
    indices in `successors`), resolved as a plan."""
    n = len(durations)
    succ = [[j + 1 for j in s] for s in successors]
    has_pred = {j for s in successors for j in s}
    r = psplib.Rcpsp(names=[str(k + 1) for k in range(n + 2)], durations=[0, *durations, 0],
                     successors=[[j + 1 for j in range(n) if j not in has_pred], *[s or [n + 1] for s in succ], []],
                     requests=[[0] * len(capacities), *requests, [0] * len(capacities)],
                     capacities=capacities)
    plan = from_dict(conversion.to_plan(r, "hand", horizon=horizon), source="hand.sm")
    inst = resolve(plan, None, None)
    return plan, inst, critical_path(inst)


def windows(inst, cp, makespan):
    """(est, latest finish) by stream name at a target makespan, or None if ruled out."""
    got = propagate.narrow(inst, cp, due_by(inst, makespan - 1))
    if got is None:
        return None
    return {s: (int(got.cp.earliest_start[i]), int(got.due[i])) for i, s in enumerate(inst.streams)}


def test_energy_rules_out_a_makespan_the_pool_cannot_hold():
    # jobs of 2 and 3 periods, each taking the pool's only unit: 5 periods at the least
    _, inst, cp = instance([2, 3], [[1], [1]], [1], [[], []])
    assert cp.goal_finish + 1 == 3          # the critical path alone says 3
    assert windows(inst, cp, 4) is None
    assert windows(inst, cp, 5) is not None


def test_disjunctive_pair_orders_the_jobs():
    # A (3 periods) and B (2) share one unit; C (1 period, its own pool) must precede B.
    # Makespan 5 is met only by A in periods 0-2, then B in 3-4 (B first would end A at 6).
    _, inst, cp = instance([3, 1, 2], [[1, 0], [0, 1], [1, 0]], [1, 1], [[], [2], []])
    got = windows(inst, cp, 5)
    assert got["job2"] == (0, 2)            # A: must start at 0, done by the end of period 2
    assert got["job4"] == (3, 4)            # B: starts at 3
    assert got["job3"][0] == 0              # C still free to start at once
    assert windows(inst, cp, 4) is None


def test_the_solve_reaches_the_hand_optimum_through_the_narrowed_windows():
    plan, *_ = instance([3, 1, 2], [[1, 0], [0, 1], [1, 0]], [1, 1], [[], [2], []])
    result = planner.solve(plan)
    assert result.status == "optimal" and result.goal_completion_years == 5.0
    starts = {s.name: s.start_years for s in result.streams}
    assert starts["job2"] == 0.0 and starts["job4"] == 3.0


def test_plans_other_than_project_scheduling_are_left_alone():
    plan = planner.load(ROOT / "models" / "serial_parallel_toy.toml")
    inst = resolve(plan, None, None)
    cp = critical_path(inst)
    due = due_by(inst, cp.goal_finish + 2)
    got = propagate.narrow(inst, cp, due)
    assert got is not None and got.cp is cp and got.due is due


def random_schedules(r: psplib.Rcpsp, count: int, seed: int):
    rng = random.Random(seed)
    for _ in range(count):
        starts = reference.serial_sgs(r, [rng.random() for _ in range(r.n)])
        assert reference.violations(r, starts) == []
        yield starts


@pytest.mark.parametrize("path", SAMPLE, ids=lambda p: p.stem)
def test_windows_contain_every_feasible_schedule(path):
    r = psplib.parse(path)
    for starts in random_schedules(r, 8, seed=len(path.stem)):
        makespan = reference.makespan(r, starts)
        plan = from_dict(conversion.to_plan(r, path.stem, horizon=makespan), source=str(path))
        inst = resolve(plan, None, None)
        got = windows(inst, critical_path(inst), makespan)
        assert got is not None, f"a feasible schedule of makespan {makespan} was ruled out"
        for i in range(r.n):
            if r.durations[i] == 0:
                continue
            est, due = got[conversion.stream_name(r, i)]
            assert est <= starts[i] and starts[i] + r.durations[i] - 1 <= due, (i, starts[i], est, due)


def published_optima() -> dict[str, int]:
    return {name: fig["optimum"] for name, fig in optima.read_optima(DATA).items()}


@pytest.mark.parametrize("path", SAMPLE, ids=lambda p: p.stem)
def test_destructive_bound_never_passes_the_published_optimum(path):
    optimum = published_optima()[path.stem]
    r = psplib.parse(path)
    plan = from_dict(conversion.to_plan(r, path.stem), source=str(path))
    inst = resolve(plan, None, None)
    cp = critical_path(inst)
    assert windows(inst, cp, optimum) is not None
    bound = next(m for m in range(cp.goal_finish + 1, optimum + 1) if windows(inst, cp, m) is not None)
    assert cp.goal_finish + 1 <= bound <= optimum
    # and it is worth having: on this sample it lifts the critical-path bound somewhere
    if path.stem == "j301_1":
        assert bound > cp.goal_finish + 1


def test_streams_that_cannot_run_together_share_a_clique_row_per_period():
    from planner.mip import formulation as mip
    # three jobs taking 2 of 3 units pairwise exclude each other; a fourth takes 1 and fits beside any
    plan, inst, cp = instance([2, 2, 2, 1], [[2], [2], [2], [1]], [3], [[], [], [], []], horizon=8)
    lm = mip.build(inst, cp)
    rows = [f for f in lm.families if f.name.startswith("incompatible")]
    assert len(rows) == 1
    clique = rows[0]
    u = lm.blocks["u"].index
    members = {int(np.argwhere(u == col)[0][0]) for col in clique.cols}
    assert {inst.streams[i] for i in members} == {"job2", "job3", "job4"}
    assert np.all(clique.upper == 1.0)
    # the three runs of 2 periods must follow one another: 6 periods, which the hand schedule meets
    result = planner.solve(plan)
    assert result.goal_completion_years == 6.0


def test_rigid_streams_get_the_step_formulation_alone():
    from planner.mip import formulation as mip
    from planner.mip.rigid import lean_streams
    plan, inst, cp = instance([3, 1, 2], [[1, 0], [0, 1], [1, 0]], [1, 1], [[], [2], []])
    lm = mip.build(inst, cp)
    assert lean_streams(inst, (cp.earliest_start, np.full(3, inst.periods - 1))).all()
    assert (lm.blocks["w"].index < 0).all() and (lm.blocks["z"].index < 0).all()
    names = {f.name.split("[")[0] for f in lm.families if len(f.lower)}
    assert {"progress", "completion", "precedence", "contiguous_cap", "fixed_crew"}.isdisjoint(names)
    assert {"rigid_run", "rigid_finish", "completion_order", "pool_supply"} <= names
    # the whole MIP on these rows alone still reaches the hand optimum (A, then B after C)
    assert planner.solve(plan, method="mip").goal_completion_years == 5.0
