"""The Monte Carlo's shortcuts change no number (issue 23).

Each shortcut skips work whose result is known: front_load's test of which streams have nothing to
move (continuous._stuck), and verification's continuous walk starting at each stream's first
worked period. Here each is switched off (every stream goes through front_load's loop; the walk
starts at period 0, as a plain reading of the rule does) and the answers must be the same bit for
bit, on the shipped models and on random campaign plans that use every key. No timing is asserted:
benchmarks/montecarlo_speed.py measures them.
"""
import math
from pathlib import Path

import numpy as np
import pytest
from oracles.plans import random_plan, write_plan
from plans import ROOT

import planner
from planner.pipeline import continuous, refine
from planner.pipeline.session import Model

MODELS = sorted(p for p in (ROOT / "models").glob("*.toml") if "bets" not in p.name)


def _captured(plan, variant):
    """The grid results that reach the continuous-time reading (the plan's own and finer grids)."""
    seen = []
    original = refine.as_continuous

    def grab(result, inst):
        seen.append((result, inst))
        return original(result, inst)

    refine.as_continuous = grab
    try:
        Model(plan, variant).solve(time_limit=20)
    finally:
        refine.as_continuous = original
    return seen


def _cases(tmp_path: Path, seeds: range):
    for path in MODELS:
        plan = planner.load(path)
        for v in [None] + [iv.name for iv in plan.interventions]:
            yield from _captured(plan, v)
    for seed in seeds:
        case = random_plan(seed)
        path = write_plan(case, tmp_path)
        try:
            plan = planner.load(path)
        except planner.PlanError:
            continue
        for v in case.variants:
            yield from _captured(plan, v)


def _walk(inst, u):
    """Each stream's finish in continuous time, walking every period from 0 (no shortcut)."""
    out = []
    for i in range(len(inst.streams)):
        done, finish = 0.0, math.nan
        for t in range(inst.periods):
            units = max(float(u[i, t]), 0.0)
            a = float(inst.parallelization[i])
            rate = float(inst.productivity[i, t]) * (units**a if a < 1 else units)
            if rate > 0 and done + rate * inst.step >= inst.effort[i] * (1 - 1e-6) - 1e-6:
                finish = float(inst.starts[t]) + min(inst.step, max(0.0, (inst.effort[i] - done) / rate))
                break
            done += rate * inst.step
        out.append(finish)
    return np.array(out)


@pytest.mark.parametrize("seeds", [range(40), pytest.param(range(40, 400), marks=pytest.mark.slow)], ids=["40", "400"])
def test_front_load_and_the_walk_give_the_same_numbers_without_their_shortcuts(tmp_path, monkeypatch, seeds):
    cases = list(_cases(tmp_path, seeds))
    assert len(cases) > 60
    moved = 0
    for result, inst in cases:
        if result.allocation is None:
            continue
        fast = continuous.front_load(inst, result.allocation, result.pool_supply)
        with monkeypatch.context() as m:
            m.setattr(continuous, "_stuck", lambda inst, u, *rest: [False] * len(u))  # every stream through the loop
            slow = continuous.front_load(inst, result.allocation, result.pool_supply)
        assert np.array_equal(fast, slow), inst.name
        moved += not np.array_equal(fast, result.allocation)
        read = refine.as_continuous(result, inst)
        finish = np.array([math.nan if s.finish_years is None else s.finish_years for s in read.streams])
        walked = _walk(inst, read.allocation)
        assert np.allclose(finish, walked, rtol=0, atol=1e-9, equal_nan=True), inst.name
    assert moved > 0  # the loop did change some plans: the comparison is not between two no-ops
