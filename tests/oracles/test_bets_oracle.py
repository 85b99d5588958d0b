"""Research bets: the planner's policy against the independent formulation of
tests/oracles/bets_oracle.py (its own scenario enumeration, all attempts, full pairwise
non-anticipativity, SCIP) on random small plans with bets (tests/oracles/bets_campaign.py).

The oracle is first checked against values derived by hand, so that agreement means something.
Forty seeds drawn once at random (`random.Random(21).sample(range(100_000), 40)`, not picked for
passing), their plans kept to at most 8 outcome scenarios; the default run takes the first five
whose plans have at most 6 (for speed), `-m slow` all forty. `benchmarks/bets_campaign.py
--plans 200` runs the campaign on plans of up to 24 scenarios.
"""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from plans import fast_first

pytest.importorskip("pyscipopt")

from . import bets_oracle  # noqa: E402
from .bets_campaign import compare, random_bet_plan  # noqa: E402

RETRY = """
[plan]
horizon = 12
[[pools]]
name = "r"
supply = 10
[[streams]]
name = "A"
pool = "r"
effort = 6
min_duration = 3
success = 0.6
attempts = 2
[deadline]
years = 7
"""

EITHER = """
[plan]
horizon = 8
[[pools]]
name = "r"
supply = 5
[[streams]]
name = "A"
pool = "r"
effort = 10
min_duration = 2
success = 0.5
[[streams]]
name = "B"
pool = "r"
effort = 10
min_duration = 2
success = 0.5
[goal]
required = [{ any = ["A", "B"] }]
[deadline]
years = 2
"""


def test_scenarios_by_hand():
    # works at attempt 1: 0.6; at 2: 0.4 * 0.6; never: 0.4^2
    got = bets_oracle.scenarios([bets_oracle.Bet("A", 0.6, 2)])
    assert [w for w, _ in got] == [{"A": 1}, {"A": 2}, {"A": 0}]
    assert [p for _, p in got] == pytest.approx([0.6, 0.24, 0.16])
    assert bets_oracle.first_difference(2, 0) == 2 and bets_oracle.first_difference(3, 1) == 1


def test_oracle_values_by_hand(tmp_path):
    path = tmp_path / "plan.toml"
    # attempts of 3 years end at 3 and 6: deadline 7 fits both, 1 - 0.4^2; deadline 5 one, 0.6
    path.write_text(RETRY)
    assert bets_oracle.optimum(path).objective == pytest.approx(0.84, abs=1e-9)
    path.write_text(RETRY.replace("years = 7", "years = 5"))
    assert bets_oracle.optimum(path).objective == pytest.approx(0.6, abs=1e-9)
    # min_duration 2.5: the first attempt ends in its third year with work to spare, the retry
    # starts only the year after (years 4-6): deadline 5 sees one attempt, deadline 6 both
    short = RETRY.replace("min_duration = 3", "min_duration = 2.5")
    path.write_text(short.replace("years = 7", "years = 5"))
    assert bets_oracle.optimum(path).objective == pytest.approx(0.6, abs=1e-9)
    path.write_text(short.replace("years = 7", "years = 6"))
    assert bets_oracle.optimum(path).objective == pytest.approx(0.84, abs=1e-9)
    # people for one approach at a time, 2 years: one runs, 0.5; knowing which works, 1 - 0.5^2
    path.write_text(EITHER)
    assert bets_oracle.optimum(path).objective == pytest.approx(0.5, abs=1e-9)
    assert bets_oracle.optimum(path, fix_ties=False).objective == pytest.approx(0.75, abs=1e-9)
    # 4 years: A, and B if A failed: 0.75 with or without peeking; people for both at once: 0.75
    path.write_text(EITHER.replace("years = 2", "years = 4"))
    assert bets_oracle.optimum(path).objective == pytest.approx(0.75, abs=1e-9)
    path.write_text(EITHER.replace("supply = 5", "supply = 10"))
    assert bets_oracle.optimum(path).objective == pytest.approx(0.75, abs=1e-9)
    # B waits a year after A works (lag 1): A by 2, B in years 4-5, then worth 0.5 * 0.5
    path.write_text(EITHER.replace("years = 2", "years = 5").replace('required = [{ any = ["A", "B"] }]', 'required = ["B"]')
                    .replace('success = 0.5\n[goal]', 'success = 0.5\nafter = [{ stream = "A", lag = 1 }]\n[goal]'))
    assert bets_oracle.optimum(path).objective == pytest.approx(0.25, abs=1e-9)
    path.write_text(path.read_text().replace("years = 5", "years = 4"))
    assert bets_oracle.optimum(path).objective == pytest.approx(0.0, abs=1e-9)
    # half a year of lag still costs the whole period (the lag rounds up to the grid): 0 again
    path.write_text(path.read_text().replace("lag = 1", "lag = 0.5"))
    assert bets_oracle.optimum(path).objective == pytest.approx(0.0, abs=1e-9)


SCENARIOS = 8   # at most, in these plans (the benchmark's campaign goes to 24)


def _scenario_count(seed: int) -> int:
    text = random_bet_plan(seed, SCENARIOS)
    count = 1
    for block in text.split("[[streams]]")[1:]:
        if "success" in block:
            count *= int(re.search(r"attempts = (\d+)", block).group(1)) + 1
    return count


SEEDS = random.Random(21).sample(range(100_000), 40)
FAST = [s for s in SEEDS if _scenario_count(s) <= 6][:5]
ORDERED = FAST + [s for s in SEEDS if s not in FAST]


@pytest.mark.parametrize("seed", fast_first(ORDERED, 5, ids=str))
def test_planner_and_oracle_agree(seed, tmp_path):
    c = compare(seed, tmp_path, time_limit=300, max_scenarios=SCENARIOS)
    assert c.agree, c.line()


def test_research_bets_model_against_the_oracle():
    """models/research_bets.toml, whose figures the README quotes: the policy (baseline and
    capabilities work) and the value of knowing every outcome (`evpi --outcomes`), each against
    the oracle's own optimum with and without its ties."""
    import planner
    from planner.analysis.outcome_value import outcome_value

    path = Path(__file__).resolve().parents[2] / "models" / "research_bets.toml"
    plan = planner.load(path)
    known = outcome_value(plan)
    assert known.policy == pytest.approx(bets_oracle.optimum(path).objective, abs=1e-6)
    assert known.clairvoyant == pytest.approx(bets_oracle.optimum(path, fix_ties=False).objective, abs=1e-6)
    capabilities = planner.Model(plan, "capabilities work").solve()
    assert capabilities.objective == pytest.approx(bets_oracle.optimum(path, "capabilities work").objective, abs=1e-6)
