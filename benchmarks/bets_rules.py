"""Research bets: how good the priority rules' policy is (planner/pipeline/greedy_policy.py, what a
solve cut by the time limit falls back on) and how tight the outcome scenarios' bound is, on the
random plans of the bets campaign (tests/oracles/bets_campaign.py: 2-5 streams, 1-3 bets, up to
24 outcome scenarios), each against the policy MIP's proven optimum (which the campaign checks
against an independent formulation).

    .venv/bin/python benchmarks/bets_rules.py --plans 100 --budget 2

Prints each plan where the rules fall short (optimum, fixed orders, with `--budget` seconds of
swaps), then the counts: plans the rules cover, those where they reach the optimum with the fixed
orders alone and with the swaps, the median and largest shortfall left (relative to the optimum),
and the bound's median and largest excess over the optimum. Exits 1 if the rules ever beat the
optimum or the bound falls below it (either would be a bug).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import planner  # noqa: E402
from oracles.bets_campaign import random_bet_plan  # noqa: E402
from planner.instance.resolve import resolve  # noqa: E402
from planner.mip.outcomes import bets_of  # noqa: E402
from planner.mip.policy import build_policy  # noqa: E402
from planner.pipeline.greedy_policy import greedy_policy  # noqa: E402
from planner.pipeline.policy import scenario_bound  # noqa: E402

TOL = 1e-6


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--plans", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--budget", type=float, default=2.0, help="seconds of swaps where the fixed orders fall short")
    args = ap.parse_args(argv)
    covered = fixed_ok = swaps_ok = 0
    short: list[float] = []
    excess: list[float] = []
    bad = False
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(args.seed, args.seed + args.plans):
            path = Path(tmp) / f"bets_{seed}.toml"
            path.write_text(random_bet_plan(seed, 24), encoding="utf-8")
            plan = planner.load(path)
            r = planner.solve(plan, gap=1e-9)
            if r.status != "optimal" or r.objective is None:
                continue
            inst = resolve(plan)
            bets = bets_of(inst)
            bound = scenario_bound(build_policy(inst, bets))
            if bound is not None:
                excess.append((bound - r.objective) / max(abs(bound), 1e-12))
                bad |= bound < r.objective - TOL * max(1.0, abs(r.objective))
            fixed = greedy_policy(inst, bets)
            if fixed is None:
                continue
            covered += 1
            tol = TOL * max(1.0, abs(r.objective))
            bad |= fixed.checked.objective > r.objective + tol
            if fixed.checked.objective >= r.objective - tol:
                fixed_ok += 1
                swaps_ok += 1
                continue
            searched = greedy_policy(inst, bets, args.budget)
            assert searched is not None
            bad |= searched.checked.objective > r.objective + tol
            print(f"seed {seed}: optimum {r.objective:.6g}, fixed orders {fixed.checked.objective:.6g}, "
                  f"with swaps {searched.checked.objective:.6g} ({searched.rule})")
            if searched.checked.objective >= r.objective - tol:
                swaps_ok += 1
            else:
                short.append((r.objective - searched.checked.objective) / max(abs(r.objective), 1e-12))
    print(f"{covered} plans the rules cover: the optimum reached by the fixed orders on {fixed_ok}, with "
          f"{args.budget:g} s of swaps on {swaps_ok}; shortfall left: median "
          f"{statistics.median(short) if short else 0:.1%}, largest {max(short) if short else 0:.1%}")
    if excess:
        print(f"the outcome scenarios' bound over the optimum: median {statistics.median(excess):.1%}, "
              f"largest {max(excess):.1%} ({len(excess)} plans)")
    if bad:
        print("ERROR: the rules beat the optimum or the bound fell below it")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
