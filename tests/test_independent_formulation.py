"""The planner's optimum against an independent route: MODEL.md's program written the way the
contract reads (cumulative sums, per-period big-M precedence, one binary per deadline scenario, no
windows or extra rows; benchmarks/naive.py), solved separately. Two formulations that share only
the plan's numbers must reach the same optimum."""
import sys
from pathlib import Path

import pytest

import planner
from planner import synthetic

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import naive  # noqa: E402

CASES = [(6, 12, 4, 0.5, seed, objective) for seed, objective in
         [(0, "probability"), (1, "probability"), (2, "value"), (3, "earliest"), (4, "probability"),
          (5, "value"), (6, "earliest"), (7, "probability"), (8, "probability"), (9, "value")]]


@pytest.mark.parametrize("intervention", [None, "capabilities work"])
@pytest.mark.parametrize("streams, periods, scenarios, tightness, seed, objective", CASES)
def test_planner_and_naive_formulation_agree(streams, periods, scenarios, tightness, seed, objective, intervention):
    plan = synthetic.plan(streams=streams, periods=periods, scenarios=scenarios, tightness=tightness,
                          seed=seed, objective=objective)
    ours = planner.solve(plan, intervention, gap=1e-9)
    _, raw, _, _ = naive.solve_naive(planner.resolve(plan, intervention), time_limit=30, gap=1e-9)
    if raw.status == "infeasible":
        assert ours.status == "infeasible"
        return
    assert raw.status == "optimal" and ours.status == "optimal"
    assert ours.objective == pytest.approx(raw.objective, rel=1e-6, abs=1e-6)
