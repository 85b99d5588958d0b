"""The priority rules' policy for plans with bets (pipeline/greedy_policy.py): what a solve cut
short by the time limit (or by the user) reports. Expected values are derived by hand in the
comments; the solver's cut is forced by replacing its answer with one that has no plan."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import planner
from planner.instance.resolve import resolve
from planner.mip.outcomes import bets_of
from planner.pipeline import policy as policy_pipeline
from planner.pipeline.greedy_policy import covered, greedy_policy
from planner.solvers.status import RawSolution, SolveStatus
from planner.verify_policy import check_policy


def plan(streams, deadline, supply=10.0, horizon=12, goal=None, objective="probability", **extra):
    d = {
        "plan": {"horizon": horizon, "objective": objective},
        "pools": [{"name": "r", "supply": supply}],
        "streams": [{"pool": "r", **s} for s in streams],
        "deadline": {"years": deadline},
        **extra,
    }
    if goal is not None:
        d["goal"] = {"required": goal}
    return planner.from_dict(d)


RETRY = {"name": "A", "effort": 6, "min_duration": 3, "success": 0.6, "attempts": 2}
TWO = [
    {"name": "A", "effort": 10, "min_duration": 2, "success": 0.5},
    {"name": "B", "effort": 10, "min_duration": 2, "success": 0.5},
]


def rules(p):
    inst = resolve(p)
    return greedy_policy(inst, bets_of(inst))


def test_rules_reach_the_hand_values():
    # one approach, attempts of 3 years ending at 3 and 6: deadline 7 sees both, 1 - 0.4^2
    assert rules(plan([RETRY], 7)).checked.objective == pytest.approx(0.84, abs=1e-12)
    assert rules(plan([RETRY], 5)).checked.objective == pytest.approx(0.6, abs=1e-12)
    # either approach will do; people for both at once (10 = 2 x 5 a year), 2 years: 1 - 0.5^2
    either = [{"any": ["A", "B"]}]
    assert rules(plan(TWO, 2, supply=10, goal=either)).checked.objective == pytest.approx(0.75, abs=1e-12)
    # people for one at a time, 4 years: A, then B if A failed: 0.75 again; 2 years: only 0.5
    assert rules(plan(TWO, 4, supply=5, goal=either)).checked.objective == pytest.approx(0.75, abs=1e-12)
    assert rules(plan(TWO, 2, supply=5, goal=either)).checked.objective == pytest.approx(0.5, abs=1e-12)


def test_serial_work_is_not_starved_by_a_long_parallel_chain():
    # the serial agenda can absorb 30 a year (300 over 10 years) and must start at once to finish
    # by the deadline of 10; the parallel approach (4000 effort) would take every person. Giving
    # the serial agenda its 30 first and the rest to the parallel approach: A works with 0.25 by
    # year 10; the parallel approach (120 a year) cannot finish in 10 years. P = 0.25.
    p = planner.from_dict(
        {
            "plan": {"horizon": 12, "objective": "probability"},
            "pools": [{"name": "theory", "supply": 150}],
            "streams": [
                {"name": "serial", "pool": "theory", "effort": 300, "min_duration": 10, "success": 0.25},
                {"name": "parallel", "pool": "theory", "effort": 4000, "min_duration": 4, "success": 0.4},
            ],
            "goal": {"required": [{"any": ["serial", "parallel"]}]},
            "deadline": {"years": 10},
        }
    )
    assert rules(p).checked.objective == pytest.approx(0.25, abs=1e-12)


def test_the_rules_cannot_peek():
    # either approach, people for one at a time, 2 years: peeking would run the one that works
    # (0.75); the rules, which see only what is known, get 0.5, and every pair of scenarios with
    # the same history allocates alike (the check raises otherwise)
    p = plan(TWO, 2, supply=5, goal=[{"any": ["A", "B"]}])
    inst = resolve(p)
    got = rules(p)
    outcomes = [(o.works_at, o.probability) for o in bets_of(inst).outcomes]
    again = check_policy(inst, ["A", "B"], outcomes, got.allocations)
    assert again.objective == pytest.approx(0.5, abs=1e-12)
    first_year = {tuple(sorted(k for k, row in a.items() if row[0] > 0)) for a in got.allocations}
    assert len(first_year) == 1  # nothing is known in year one: one allocation for every scenario


def test_plans_the_rules_do_not_cover():
    p = plan([{**RETRY, "contiguous": True}], 7)
    inst = resolve(p)
    assert not covered(inst) and greedy_policy(inst, bets_of(inst)) is None


def _cut(status: SolveStatus, interrupted: bool = False):
    """A backend whose solve stops with no plan and no bound (as HiGHS does when the time limit
    falls inside presolve), or with the user's stop."""

    class Cut:
        name = "highs"

        def load(self, lm):
            pass

        def solve(self, options):
            return RawSolution(status, None, None, None, None, 0.01, "time limit reached", interrupted)

    return Cut()


@pytest.mark.parametrize("status, interrupted", [(SolveStatus.NO_SOLUTION, False), (SolveStatus.INTERRUPTED, True)])
def test_a_cut_solve_reports_the_rules_policy_with_its_bound(monkeypatch, status, interrupted):
    # RETRY with deadline 7: the rules' policy scores 0.84; each outcome scenario's earliest
    # finishes (works at 1: year 3, at 2: year 6, never) bound it by 0.6 + 0.24 = 0.84: gap 0,
    # but not proven by the solver, so the status stays a limit's
    monkeypatch.setattr(policy_pipeline, "get_backend", lambda name: _cut(status, interrupted))
    r = planner.solve(plan([RETRY], 7), time_limit=5)
    assert r.status == (SolveStatus.TIME_LIMIT if not interrupted else SolveStatus.INTERRUPTED)
    assert r.objective == pytest.approx(0.84, abs=1e-12)
    assert r.bound == pytest.approx(0.84, abs=1e-12) and r.gap == pytest.approx(0.0, abs=1e-12)
    assert "priority rule" in r.message
    assert sorted(b.probability for b in r.policy) == pytest.approx(sorted([0.6, 0.24, 0.16]))


def test_a_cut_solve_with_a_gap(monkeypatch):
    # two approaches, people for one at a time, 2 years: the rules get 0.5; the scenarios' own
    # bound lets each scenario run its working approach: 1 - 0.5^2 = 0.75; gap (0.75-0.5)/0.75
    monkeypatch.setattr(policy_pipeline, "get_backend", lambda name: _cut(SolveStatus.NO_SOLUTION))
    r = planner.solve(plan(TWO, 2, supply=5, goal=[{"any": ["A", "B"]}]), time_limit=5)
    assert r.status == SolveStatus.TIME_LIMIT
    assert (r.objective, r.bound) == pytest.approx((0.5, 0.75), abs=1e-12)
    assert r.gap == pytest.approx(1 / 3, abs=1e-9)


sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))


def test_a_real_time_limit_on_a_plan_too_large_to_prove():
    # the benchmark's plan with 3 bets of 2 attempts (27 scenarios): HiGHS does not prove it in a
    # second; the result is a verified policy better than nothing, below its bound
    from bets import bet_plan  # benchmarks/bets.py

    r = planner.solve(planner.from_dict(bet_plan(3, 2)), time_limit=1.0)
    assert r.status == SolveStatus.TIME_LIMIT
    assert r.objective is not None and r.objective > 0.2 and r.policy
    assert r.bound is not None and r.objective <= r.bound + 1e-9 <= 1 + 1e-9
    assert r.gap == pytest.approx((r.bound - r.objective) / r.bound, abs=1e-9)
    assert np.isclose(sum(b.probability for b in r.policy), 1.0)


def test_the_swap_search_never_loses_and_stops_on_a_cut_budget():
    # on the benchmark's 3-bet plan: the fixed orders alone, a budget cut to almost nothing, and
    # a few seconds of swaps; each result is verified, and more search never scores lower
    from bets import bet_plan  # benchmarks/bets.py

    inst = resolve(planner.from_dict(bet_plan(3, 2)))
    bets = bets_of(inst)
    fixed = greedy_policy(inst, bets)
    cut = greedy_policy(inst, bets, budget=1e-6)
    searched = greedy_policy(inst, bets, budget=3.0)
    assert fixed is not None and cut is not None and searched is not None
    assert "swaps" not in fixed.rule
    assert cut.checked.objective >= fixed.checked.objective - 1e-12
    assert searched.checked.objective >= cut.checked.objective - 1e-12


def test_a_cut_solve_of_a_value_plan(monkeypatch):
    # objective "value": A is worth 3 when it works by the deadline of 7 (both attempts fit, 0.84)
    # and B, certain, worth 1, runs beside it (supply 10: A takes 2 a year, B 5): 3 * 0.84 + 1
    monkeypatch.setattr(policy_pipeline, "get_backend", lambda name: _cut(SolveStatus.NO_SOLUTION))
    streams = [{**RETRY, "value": 3}, {"name": "B", "effort": 10, "min_duration": 2, "value": 1}]
    r = planner.solve(plan(streams, 7, objective="value"), time_limit=5)
    assert r.status == SolveStatus.TIME_LIMIT
    assert (r.objective, r.bound) == pytest.approx((3 * 0.84 + 1, 3 * 0.84 + 1), abs=1e-12)


def _cut_comparison(monkeypatch, name, multiply):
    """The comparison row of an intervention multiplying the people of the two-approach plan
    (deadline 2, 5 people), with every solve cut before the solver has a plan (forced)."""
    monkeypatch.setattr(policy_pipeline, "get_backend", lambda name: _cut(SolveStatus.NO_SOLUTION))
    p = plan(
        TWO,
        2,
        supply=5,
        goal=[{"any": ["A", "B"]}],
        interventions=[{"name": name, "supply": [{"pool": "r", "multiply": multiply}]}],
    )
    return planner.compare(p, time_limit=5).interventions[0]


def test_a_comparison_of_cut_solves_says_what_the_change_may_be(monkeypatch):
    # both solves cut (forced): the baseline (people for one approach at a time, 2 years) scores
    # 0.5 by the rules with bound 0.75 (each scenario alone); doubling the people runs both side
    # by side: 0.75 with bound 0.75. The change is +25 pp as found; the true one lies between
    # 0.75 - 0.75 = 0 and 0.75 - 0.5 = +25 pp (in fact +25: the baseline's true optimum is 0.5)
    row = _cut_comparison(monkeypatch, "people", 2)
    assert row.delta == pytest.approx(0.25, abs=1e-12)
    assert row.reason.startswith("not proven: between +0.00 and +25.00 pp")
    assert "sign is not settled" not in row.reason


def test_a_comparison_of_cut_solves_whose_sign_is_open(monkeypatch):
    # 1% more people changes nothing here (5.05 still runs one approach at a time): both score
    # 0.5 by the rules with bound 0.75, so the change may be anything from -25 to +25 pp
    row = _cut_comparison(monkeypatch, "a few more", 1.01)
    assert row.delta == pytest.approx(0.0, abs=1e-12)
    assert row.reason.startswith("not proven: between -25.00 and +25.00 pp, so its sign is not settled")


def test_a_monte_carlo_of_cut_solves_says_so(monkeypatch, tmp_path, capsys):
    # every solve cut (forced; one worker runs in this process): the summary's figures rest on
    # plans not proven best, and the command says how many
    from planner.cli.main import main

    monkeypatch.setattr(policy_pipeline, "get_backend", lambda name: _cut(SolveStatus.NO_SOLUTION))
    path = tmp_path / "mc.toml"
    path.write_text(
        "\n".join(
            [
                "[plan]",
                "horizon = 12",
                "[[pools]]",
                'name = "r"',
                "supply = 5",
                "[[streams]]",
                'name = "A"',
                'pool = "r"',
                "effort = 10",
                "min_duration = 2",
                "success = 0.5",
                "[deadline]",
                "years = 2",
                "[[interventions]]",
                'name = "people"',
                'supply = [{ pool = "r", multiply = 2 }]',
                "[uncertainty]",
                "seed = 3",
                '"streams.A.success" = { kind = "uniform", low = 0.3, high = 0.7 }',
            ]
        ),
        encoding="utf-8",
    )
    code = main(["montecarlo", str(path), "-n", "3", "--workers", "1", "--time-limit", "5"])
    out = capsys.readouterr().out
    assert code == 0
    assert "6 of 6 solves were not proven optimal" in out
