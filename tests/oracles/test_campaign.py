"""The CI subset of the differential campaign (benchmarks/campaign.py runs the full one).

Thirty seeds drawn once at random (`random.Random(18).sample(range(100_000), 30)`, not picked for
passing): each seed's random plan (tests/oracles/plans.py) is solved by the planner and by the
independent formulation (tests/oracles/independent.py), and every variant must agree. The oracle's
own numbers and rows are checked against hand values first, so that agreement means something.
"""
from __future__ import annotations

import random

import pytest
from plans import fast_first

pytest.importorskip("pyscipopt")

from .campaign import run_seed  # noqa: E402
from . import independent  # noqa: E402

SEEDS = random.Random(18).sample(range(100_000), 30)


@pytest.mark.parametrize("seed", fast_first(SEEDS, 3, ids=str))
def test_planner_and_oracle_agree(seed, tmp_path):
    outcomes = run_seed(seed, tmp_path, time_limit=30)
    bad = [o.line() for o in outcomes if o.kind != "agree"]
    assert not bad, "\n".join(bad)


def test_oracle_numbers_by_hand(tmp_path):
    assert independent.series({"start": 2, "growth": 0.5, "cap": 3.5}, 4, 0.5, 2026, tmp_path) == \
        pytest.approx([2, 2 * 1.5 ** 0.5, 3, 3.5])   # 2 * 1.5 ** 1.5 = 3.67, capped
    assert independent.series([1, 2], 3, 1, 2026, tmp_path) == [1, 2, 2]
    (tmp_path / "s.csv").write_text("year,fte\n2031.5,3\n2029,1\n")
    assert independent.series({"file": "s.csv", "column": "fte"}, 4, 1, 2030, tmp_path) == [1, 1, 3, 3]
    assert independent.percentiles_cdf(3.5, [[2, 0.1], [5, 0.4]]) == pytest.approx(0.25)
    assert independent.percentiles_cdf(1, [[2, 0.1]]) == pytest.approx(0.05)
    assert independent.lognormal_cdf(7, 7, 0.3) == pytest.approx(0.5)
    # years = 2.5 with step 1: met by the end of period 1; shifted by -2: never; past H: the last
    assert independent.period_weights({"years": 2.5}, 4, 1, 2026, 0) == [0, 1, 0, 0]
    assert independent.period_weights({"years": 2.5}, 4, 1, 2026, -2) == [0, 0, 0, 0]
    assert independent.period_weights({"year": 2040}, 4, 1, 2026, 0) == [0, 0, 0, 1]
    # percentiles through (2, 0.1), (8, 0.7), p_never 0.5, periods of 2 years: G = 0.5 F
    w = independent.period_weights({"distribution": {"kind": "percentiles", "points": [[2, 0.1], [8, 0.7]]},
                                    "p_never": 0.5}, 4, 2, 2026, 0)
    assert w == pytest.approx([0.1, 0.1, 0.1, 0.65])
    b = independent.breakpoints(4.0, [1.5])
    assert b[0] == 0 and b[1] == pytest.approx(1 / 16) and b[-1] == 4 and 1.5 in b
    assert len(b) == 2 + 12 + 1   # 0, sqrt(2)**k for k = -8..3, the floor 1.5, and U = 4


PLAN = """
[plan]
horizon = 6
objective = "earliest"
[[pools]]
name = "r"
supply = 2
integer_staff = true
[[streams]]
name = "a"
pool = "r"
effort = 3
[[streams]]
name = "b"
pool = "r"
effort = 2
min_duration = 2
fixed_crew = true
contiguous = true
after = [{ stream = "a", lag = 0.5 }]
"""


def test_oracle_rows_by_hand(tmp_path):
    """a: 3 person-years on 2 whole people, done by the end of period 1 (2 + 1); b waits a
    period more (the lag rounds up), then its fixed crew of 1 works periods 3 and 4: 5 years."""
    path = tmp_path / "plan.toml"
    path.write_text(PLAN)
    assert independent.optimum(path).objective == pytest.approx(5.0)
    path.write_text(PLAN.replace("lag = 0.5", "lag = 0"))
    assert independent.optimum(path).objective == pytest.approx(4.0)
    path.write_text(PLAN.replace("horizon = 6", "horizon = 4"))
    assert independent.optimum(path).objective is None
    # a schedule that splits b's contiguous run is refused; the run in one piece is accepted
    path.write_text(PLAN)
    split = {("a", 0): 2, ("a", 1): 1, ("b", 3): 1, ("b", 5): 1}
    whole = {("a", 0): 2, ("a", 1): 1, ("b", 3): 1, ("b", 4): 1}
    allocation = lambda given: {(s, t): given.get((s, t), 0.0) for s in "ab" for t in range(6)}  # noqa: E731
    assert independent.replay(path, None, allocation(split)).status == "infeasible"
    assert independent.replay(path, None, allocation(whole)).objective == pytest.approx(5.0)


DATA = __import__("pathlib").Path(__file__).parent / "data"


@pytest.mark.parametrize("name, variant", [("floor_held_before_predecessor", "iv0"), ("seed_584", "iv0"),
                                           ("seed_584", "iv1"), ("seed_588", "iv0")])
def test_a_floor_crew_held_before_its_predecessor_is_dropped(name, variant):
    """Found by the campaign (seeds 16, 584, 588): a stream with parallelization and a floor
    (contiguous or min_staff) could keep its floor crew before its predecessor was complete, where
    the model counted no progress (it bounds progress, not crew units), and verify refused the
    schedule (exit 4). The planner must now agree with the independent formulation."""
    import planner

    path = DATA / f"{name}.toml"
    want = independent.optimum(path, variant, time_limit=60)
    got = planner.Model(planner.load(path), variant).solve(refine=False, gap=1e-9)
    assert got.status == "optimal"
    assert got.grid_objective == pytest.approx(want.objective, rel=1e-6, abs=1e-6)


TRAINED = """
[plan]
horizon = 6
objective = "probability"
[[pools]]
name = "r"
supply = 3
[[streams]]
name = "trainer"
pool = "r"
effort = 1
min_duration = 2
train = { pool = "r", per_effort = 1.0, delay = 1, attrition = 0.5 }
[[streams]]
name = "big"
pool = "r"
effort = 4
max_staff = 4
fixed_crew = true
[deadline]
years = 10
"""


@pytest.mark.parametrize("attrition, chance", [(0.5, 0.0), (0.0, 1.0)])
def test_trained_people_count_when_the_progress_is_made(tmp_path, attrition, chance):
    """Found by the campaign (seed 1173): the oracle let a training stream count its progress later
    than it made it, which with attrition keeps more of the people it trains. By hand: the trainer
    makes at most 0.5 of its effort a year (min_duration 2), so its two halves train 0.5 FTE each,
    joining one and two years after the work began. With half of them leaving each year, the pool
    holds at most 3 + 0.5 * 0.5 + 0.5 = 3.75 FTE, never the 4 that `big`'s fixed crew needs: the
    goal is never met (0). Counted as one lump at the end, all 1.0 FTE would join at once (4 FTE).
    Without attrition the pool does reach 4 and the goal is met by year 3 (1)."""
    import planner

    path = tmp_path / "plan.toml"
    path.write_text(TRAINED.replace("attrition = 0.5", f"attrition = {attrition}"))
    assert independent.optimum(path).objective == pytest.approx(chance)
    got = planner.Model(planner.load(path)).solve()
    assert got.status == "optimal" and got.objective == pytest.approx(chance)
