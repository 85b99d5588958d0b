"""The atlas's deadline reuse (planner/analysis/atlas_reuse.py): one `earliest` solve per variant,
re-scored for every deadline, must give the numbers of the plain path, each plan solved on its own
(planner.solve, and the atlas's per-cell Monte Carlo), to 1e-9: on a one-stream plan derived by
hand, a plan whose goal cannot be met, deadlines with p_never, scenarios and a fixed year, a
sampled deadline_shift and an intervention that changes supply, and a few random plans.
"""
from __future__ import annotations

import math
import random

import numpy as np
import pytest

import planner
from planner.analysis.atlas import atlas
from planner.analysis.atlas_reuse import across_deadlines, applies, rescore
from planner.analysis.runner import Point
from planner.instance.resolve import resolve

E, S, A = 17.0, 16.0, 0.5  # one stream: effort E, S FTE, progress (crew) ** A a year
DEADLINES = {
    "percentiles, p_never": {"distribution": {"kind": "percentiles", "points": [[2, 0.1], [5, 0.5], [9, 0.8]]},
                             "p_never": 0.2},
    "scenarios, p_never": {"scenarios": [[3, 0.3], [4.5, 0.7]], "p_never": 0.1},
    "fixed": {"years": 4},
    "lognormal": {"distribution": {"kind": "lognormal", "median": 4.0, "sigma": 0.5}},
}


def _plan(deadline, effort=E, m=2.0, shift=-1.0, extra=None):
    data = {
        "plan": {"name": "reuse", "start_year": 2026, "horizon": 20, "objective": "probability"},
        "pools": [{"name": "p", "supply": S}],
        "streams": [{"name": "s", "pool": "p", "effort": effort, "parallelization": A}],
        "deadline": deadline,
        "interventions": [{"name": "iv", "deadline_shift": shift, "supply": [{"pool": "p", "multiply": m}]}],
    }
    data.update(extra or {})
    return planner.from_dict(data, source="reuse.toml")


def _records(plans, sample=None):
    first = next(iter(plans.values()))
    return across_deadlines(Point(first, ["iv"], sample), {"threads": 1}, cells=plans)


def _hand(deadline, when):
    """P(deadline >= when) by the plan file's own rules (docs/model.md), typed here."""
    d = DEADLINES[deadline]
    keep = 1 - d.get("p_never", 0.0)
    if "years" in d:
        return float(when <= d["years"])
    if "scenarios" in d:
        return keep * sum(p for y, p in d["scenarios"] if y >= when) + (1 - keep)
    if d["distribution"]["kind"] == "lognormal":
        cdf = 0.5 * (1 + math.erf(math.log(when / 4.0) / (0.5 * math.sqrt(2))))
    else:
        pts = d["distribution"]["points"]
        cdf = float(np.interp(when, [0.0] + [x for x, _ in pts], [0.0] + [p for _, p in pts]))
    return 1 - keep * cdf


def test_every_deadline_re_scored_from_one_solve_equals_its_own_solve_and_the_hand_value():
    plans = {name: _plan(d) for name, d in DEADLINES.items()}
    records = _records(plans)
    assert len(records) == 2 * len(DEADLINES)
    for r in records:
        plan = plans[r["deadline"]]
        own = planner.solve(plan, None if r["variant"] == "baseline" else r["variant"])
        assert r["objective"] == pytest.approx(own.objective, abs=1e-9), r
        # hand: finish T = E / (m S) ** A (the intervention doubles S), the deadline 1 year earlier
        m, shift = (1.0, 0.0) if r["variant"] == "baseline" else (2.0, -1.0)
        assert r["objective"] == pytest.approx(_hand(r["deadline"], E / (m * S) ** A - shift), abs=5e-3)
    assert all(r["reused"] for r in records)  # every value came from the shared solve


def test_a_goal_no_plan_meets_is_worth_zero_under_every_deadline():
    plans = {name: _plan(d, effort=1e6) for name, d in DEADLINES.items()}
    for r in _records(plans):
        assert r["objective"] == 0.0 and r["reused"]
        assert planner.solve(plans[r["deadline"]], None if r["variant"] == "baseline" else "iv").objective == 0.0


def _random_plan(rng: random.Random, deadline):
    n = rng.randint(2, 4)
    streams = []
    for i in range(n):
        s = {"name": f"s{i}", "pool": rng.choice(["a", "b"]), "effort": round(rng.uniform(2, 30), 2),
             "min_duration": rng.choice([0, 1, 2])}
        if rng.random() < 0.5:
            s["parallelization"] = rng.choice([0.3, 0.7, 0.99])
        if i and rng.random() < 0.6:
            s["after"] = [{"stream": f"s{rng.randrange(i)}", "lag": rng.choice([0, 0.5, 1.5])}]
        streams.append(s)
    data = {
        "plan": {"name": "random", "start_year": 2026, "horizon": 16, "objective": "probability"},
        "pools": [{"name": "a", "supply": rng.choice([3, 6, 10])}, {"name": "b", "supply": rng.choice([2, 5])}],
        "streams": streams,
        "deadline": deadline,
        "interventions": [{"name": "iv", "deadline_shift": -rng.choice([0.3, 1.0, 2.5]),
                           "supply": [{"pool": rng.choice(["a", "b"]), "multiply": rng.choice([1.2, 2.0])}]}],
    }
    return planner.from_dict(data, source="random.toml")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_plans_re_scored_equal_their_own_solves(seed):
    rng = random.Random(seed)
    base = _random_plan(rng, DEADLINES["fixed"])
    plans = {name: base.with_changes({"deadline": d}) for name, d in DEADLINES.items()}
    records = _records(plans)
    for r in records:
        own = planner.solve(plans[r["deadline"]], None if r["variant"] == "baseline" else "iv")
        assert r["objective"] == pytest.approx(own.objective, abs=1e-9), (seed, r)
    assert sum(r["reused"] for r in records) >= len(records) // 2


def test_rescore_declines_what_it_cannot_tell():
    """A result that is not a proven optimum is left to the plain solve."""
    import dataclasses

    from planner.solvers.status import SolveStatus

    plan = _plan(DEADLINES["scenarios, p_never"])
    early = planner.solve(plan.with_changes({"plan.objective": "earliest"}))
    assert rescore(early, resolve(plan)) == pytest.approx(_hand("scenarios, p_never", E / S**A))  # 0.1 + 0.9 x 0.7
    stopped = dataclasses.replace(early, status=SolveStatus.TIME_LIMIT)
    assert rescore(stopped, resolve(plan)) is None


def _uncertain(extra=None):
    return _plan(
        DEADLINES["fixed"],
        extra={
            "uncertainty": {
                "seed": 7,
                "interventions.iv.deadline_shift": {"kind": "triangular", "low": -2.0, "mode": -1.0, "high": -0.25},
                "interventions.iv.supply.0.multiply": {"kind": "uniform", "low": 1.0, "high": 3.0},
                "pools.p.supply": {"kind": "uniform", "low": 8.0, "high": 30.0},
            },
            **(extra or {}),
        },
    )


def test_the_atlas_cells_with_reuse_equal_the_cells_solved_one_by_one():
    plan = _uncertain()
    kw = dict(deadlines=["samotsvety-2023", "espai-2023-hlmi", "ai2027-superhuman-coder"],
              parallelization=["ftm-best-guess", "ftm-conservative"], n=6, workers=1)
    shared = atlas(plan, "iv", **kw)
    plain = atlas(plan, "iv", deadline_reuse=False, **kw)
    assert shared.shared_solves and not plain.shared_solves
    assert len(shared.cells) == len(plain.cells) == 6
    for a, b in zip(shared.cells, plain.cells):
        assert (a.deadline, a.parallelization, a.samples) == (b.deadline, b.parallelization, b.samples) == (
            b.deadline, b.parallelization, 6)
        for k in ("p_harm", "mean", "p5", "p95"):
            assert getattr(a, k) == pytest.approx(getattr(b, k), abs=1e-9), (a, b, k)
    assert len({round(c.mean, 6) for c in shared.cells}) > 1  # the presets matter: not a trivial match


def test_where_the_conditions_fail_the_atlas_keeps_the_plain_path():
    assert applies(_uncertain(), "iv")
    value = {"plan": {"name": "v", "start_year": 2026, "horizon": 20, "objective": "value"},
             "goals": [{"name": "half", "streams": ["s"], "value": 1.0}]}  # milestones come with `value`
    assert not applies(_uncertain(value), "iv")
    chooses = _plan(DEADLINES["fixed"]).with_changes({"interventions.iv.choose": True, "interventions.iv.levels": [0, 1]})
    assert not applies(chooses, "iv")
    bet = _plan(DEADLINES["fixed"]).with_changes({"streams.s.success": 0.5})
    assert not applies(bet, "iv")
