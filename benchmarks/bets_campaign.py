"""Research bets, differential campaign: random small plans with bets (tests/oracles/bets_campaign.py:
2-5 streams, 1-3 bets of 1-3 attempts, 8-12 one-year periods, `any` groups, lags, shared pools)
solved by the planner's policy MIP and by the independent formulation of
tests/oracles/bets_oracle.py (all attempts, every pair of scenarios tied, SCIP).

    python benchmarks/bets_campaign.py --plans 200 --seed 0

Plan k uses seed `--seed + k`. Prints each plan not in agreement as it comes, then the counts: agree,
disagree, the oracle stopped by its time limit with the planner's optimum inside the oracle's
[best found, bound], and not optimal (otherwise stopped); how many optima were above 0;
and in how many plans non-anticipativity mattered (the oracle's optimum with every outcome known
from the start, its ties dropped, is higher), so that agreement is seen to test the ties; and the
median and largest seconds of each side. Failing plans are copied to `--out`.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from oracles import bets_oracle  # noqa: E402
from oracles.bets_campaign import compare  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--plans", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--time-limit", type=float, default=300.0)
    ap.add_argument("--max-scenarios", type=int, default=24)
    ap.add_argument("--out", type=Path, default=Path("/tmp/bets_campaign_failures"))
    args = ap.parse_args(argv)
    counts = {"agree": 0, "disagree": 0, "oracle stopped, planner within its bounds": 0, "not optimal": 0}
    positive = peeking = 0
    times: dict[str, list[float]] = {"oracle": [], "planner": []}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.plans):
            seed = args.seed + k
            folder = Path(tmp)
            c = compare(seed, folder, time_limit=args.time_limit, max_scenarios=args.max_scenarios)
            for side, sec in c.seconds.items():
                times[side].append(sec)
            if c.within:
                counts["oracle stopped, planner within its bounds"] += 1
            elif not c.status.startswith("optimal") or "oracle" in c.status:
                counts["not optimal"] += 1
            elif c.agree:
                counts["agree"] += 1
            else:
                counts["disagree"] += 1
            if not c.agree:
                args.out.mkdir(parents=True, exist_ok=True)
                shutil.copy(folder / f"bets_{seed}.toml", args.out)
                print(c.line(), flush=True)
                continue
            positive += (c.oracle or 0.0) > 1e-9
            clairvoyant = bets_oracle.optimum(folder / f"bets_{seed}.toml", fix_ties=False,
                                              time_limit=args.time_limit).objective
            peeking += clairvoyant is not None and clairvoyant > (c.oracle or 0.0) + 1e-6
            if (k + 1) % 25 == 0:
                print(f"[{k + 1} plans, {time.perf_counter() - start:.0f} s] {counts}", flush=True)
    print(f"\n{args.plans} plans (seeds {args.seed}..{args.seed + args.plans - 1}), "
          f"{time.perf_counter() - start:.0f} s")
    for kind, n in counts.items():
        print(f"  {kind}: {n}")
    print(f"  agreeing optima above 0: {positive}; where peeking would score higher (the ties bind): {peeking}")
    for side, values in times.items():
        if values:
            print(f"  {side} seconds per plan: median {statistics.median(values):.2f}, max {max(values):.2f}")
    return 0 if counts["agree"] == args.plans else 1


if __name__ == "__main__":
    sys.exit(main())
