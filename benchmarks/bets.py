"""Issue 21: research bets at scale. 5 bets x 3 attempts (4^5 = 1,024 outcome scenarios) among 20
streams, 30 periods, a lognormal deadline: build and solve the policy MIP, with the rows it has
against the rows of a formulation that ties every pair of scenarios (each pair's allocations
equal until the first outcome they differ in is known), which is counted, not built.

A solve the time limit cuts reports the better of the solver's policy and the priority rules'
(planner/pipeline/greedy_policy.py), with the tighter of the solver's bound and the outcome
scenarios' own; the script also prints the rules' policy alone and that bound.

    .venv/bin/python benchmarks/bets.py                # the target plan, 60 s limit, 1 run
    .venv/bin/python benchmarks/bets.py --bets 3 --attempts 2 --time-limit 30 --repeats 3   # smaller
"""
from __future__ import annotations

import argparse
import sys
import time

from _common import ROOT, median, table

sys.path.insert(0, str(ROOT))

import planner  # noqa: E402
from planner.instance.resolve import resolve  # noqa: E402
from planner.mip.policy import build_policy  # noqa: E402
from planner.pipeline.greedy_policy import greedy_policy  # noqa: E402
from planner.pipeline.policy import scenario_bound  # noqa: E402


def bet_plan(bets: int = 5, attempts: int = 3, streams: int = 20, horizon: int = 30) -> dict:
    """Empirical work in chains that always succeeds (15 streams for the target) and `bets` serial
    agendas that may fail, on two pools; the goal needs the empirical chains' ends and any one
    agenda of each of two groups."""
    certain = streams - bets
    empirical = []
    for k in range(certain):
        s = {"name": f"e{k}", "pool": "engineers", "effort": 40 + 10 * (k % 4), "min_duration": 2 + (k % 3)}
        if k % 5:
            s["after"] = [f"e{k - 1}"]
        empirical.append(s)
    agendas = [
        {
            "name": f"agenda{j}",
            "pool": "theorists",
            "effort": 30 + 5 * j,
            "min_duration": 5 + (j % 3),
            "success": [0.3, 0.5, 0.4, 0.6, 0.35][j % 5],
            "attempts": attempts,
        }
        for j in range(bets)
    ]
    half = max(1, bets // 2)
    ends = [f"e{k}" for k in range(certain) if k % 5 == 4 or k == certain - 1]
    goal = ends + [{"any": [a["name"] for a in agendas[:half]]}]
    if bets > half:
        goal.append({"any": [a["name"] for a in agendas[half:]]})
    return {
        "plan": {"name": f"bets {bets}x{attempts}", "horizon": horizon},
        "pools": [{"name": "engineers", "supply": 60}, {"name": "theorists", "supply": 14}],
        "streams": empirical + agendas,
        "goal": {"required": goal},
        "deadline": {"distribution": {"kind": "lognormal", "median": 22, "sigma": 0.5}},
    }


def all_pairs_rows(pm) -> int:
    """Rows of the every-pair formulation: per pair of scenarios, two rows per attempt key and period
    after the earliest period the pair could differ (what the reduced one ties per adjacent pair)."""
    H = pm.scenarios[0].instance.periods
    keys = len({k for s in pm.scenarios for k in s.keys})
    n = len(pm.scenarios)
    first = min(min(f) for f in pm.bets.finishes) if pm.bets.finishes else H
    return (n * (n - 1) // 2) * keys * max(0, H - 1 - first) * 2


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bets", type=int, default=5)
    ap.add_argument("--attempts", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=60, help="the target's 60 s by default")
    args = ap.parse_args()
    plan = planner.from_dict(bet_plan(args.bets, args.attempts))
    rows = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        pm = build_policy(resolve(plan))
        build = time.perf_counter() - t0
        t0 = time.perf_counter()
        r = planner.solve(plan, time_limit=args.time_limit)
        total = time.perf_counter() - t0
        t0 = time.perf_counter()
        rules = greedy_policy(resolve(plan), pm.bets)
        rules_s = time.perf_counter() - t0
        rows.append((build, total, r, pm, rules, rules_s))
    build, total = median([x[0] for x in rows]), median([x[1] for x in rows])
    r, pm, rules = rows[-1][2], rows[-1][3], rows[-1][4]
    rules_s = median([x[5] for x in rows])
    st = pm.stats
    source = "priority rules" if "priority rule" in (r.message or "") else "solver"
    print(table(
        ["scenarios", "pairs tied", "columns", "rows", "tie rows", "every-pair rows", "build s", "solve s (end to end)",
         "status", "objective", "bound", "gap", "policy from"],
        [[st["scenarios"], st["pairs"], st["columns"], st["rows"], st["tie_rows"], all_pairs_rows(pm), build, total,
          str(r.status), r.objective, r.bound, r.gap, source]],
        title=f"{plan.plan.name}: 20 streams, 30 periods, lognormal deadline (median of {args.repeats})",
    ))

    if rules is not None:
        print(f"the priority rules alone: {rules.checked.objective:.6f} ({rules.rule}) in {rules_s:.2f} s; "
              f"the outcome scenarios' bound {scenario_bound(pm):.6f}")


if __name__ == "__main__":
    main()
