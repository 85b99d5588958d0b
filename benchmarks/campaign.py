"""The differential campaign: random plans of 2-10 streams using every key, each variant solved by
the planner and by tests/oracles/independent.py (its own parsing and rows, SCIP), classified.

    python benchmarks/campaign.py --plans 1000 --seed 0

Plan k uses seed `--seed + k` (tests/oracles/plans.py). Prints the count of each outcome (agree,
wrong_optimum, false_infeasible, oracle_infeasible, abort, refused, timeout), the median seconds of
each side, and how many plans used each key. Before a disagreement is counted the oracle solves
the variant again without presolve (tests/oracles/campaign.py); how often that changed its answer
is printed too. Each failing seed's TOML (and CSV files) is saved to
`--out` (default /tmp/campaign_failures) with one line per failing variant in SUMMARY.txt.
"""
from __future__ import annotations

import argparse
import collections
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from oracles.campaign import FAILING, run_seed  # noqa: E402
from oracles.plans import random_plan  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--plans", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=Path("/tmp/campaign_failures"))
    ap.add_argument("--time-limit", type=float, default=60.0)
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    summary = args.out / "SUMMARY.txt"
    summary.write_text("", encoding="utf-8")
    counts, keys = collections.Counter(), collections.Counter()
    flips = 0   # variants where the oracle's second solve (no presolve) changed its answer
    times = {"oracle": [], "planner": []}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.plans):
            seed = args.seed + k
            keys.update(random_plan(seed).keys)
            folder = Path(tmp) / str(seed)
            outcomes = run_seed(seed, folder, time_limit=args.time_limit)
            for o in outcomes:
                counts[o.kind] += 1
                flips += "oracle without presolve" in o.detail
                for side, sec in o.seconds.items():
                    times[side].append(sec)
                if o.kind in FAILING:
                    for f in folder.iterdir():
                        shutil.copy(f, args.out / f.name)
                    with summary.open("a", encoding="utf-8") as fh:
                        fh.write(o.line() + "\n")
                    print(o.line(), flush=True)
            shutil.rmtree(folder, ignore_errors=True)
            if (k + 1) % 50 == 0:
                print(f"[{k + 1} plans, {time.perf_counter() - start:.0f} s] {dict(counts)}", flush=True)
    print(f"\n{args.plans} plans (seeds {args.seed}..{args.seed + args.plans - 1}), "
          f"{sum(counts.values())} variants, {time.perf_counter() - start:.0f} s")
    for kind in ("agree",) + FAILING:
        print(f"  {kind:18s} {counts[kind]}")
    print(f"  (oracle answers changed by its second solve without presolve: {flips})")
    for side, values in times.items():
        if values:
            print(f"  median {side} seconds per variant: {statistics.median(values):.3f} "
                  f"(max {max(values):.2f})")
    print("plans using each key: " + ", ".join(f"{k} {v}" for k, v in sorted(keys.items())))
    print(f"failures listed in {summary}")
    return 1 if any(counts[k] for k in FAILING) else 0


if __name__ == "__main__":
    sys.exit(main())
