"""Run time of `planner atlas` on models/field_realistic.toml ("capabilities work"), the plain path
(every cell's Monte Carlo solved on its own) against the deadline reuse (one `earliest` solve per
parallelization preset, sample and variant, re-scored for every deadline preset;
planner/analysis/atlas_reuse.py), in the same run, on the same samples: each timed once (wall
clock, worker start-up included), with the time per sample of a cell, the ratio, how many values
the reuse solved on their own, and the largest difference between the two paths' cells (they must
be equal). Prints figures, asserts nothing about speed.

    .venv/bin/python benchmarks/atlas.py                      # all 5 x 4 cells, 3 samples each, 2 workers
    .venv/bin/python benchmarks/atlas.py -n 5 --parallelization ftm-best-guess,ftm-aggressive
    .venv/bin/python benchmarks/atlas.py --only-reuse -n 50   # the default command's path alone
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT  # noqa: E402

import planner  # noqa: E402
from planner.analysis.atlas import COLUMNS, atlas  # noqa: E402


def timed(plan, args, reuse: bool):
    names = lambda t: None if t is None else t.split(",")  # noqa: E731
    start = time.perf_counter()
    result = atlas(plan, "capabilities work", deadlines=names(args.deadlines),
                   parallelization=names(args.parallelization), n=args.n, workers=args.workers,
                   deadline_reuse=reuse)
    return result, time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=3, help="samples per cell")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--deadlines", help="comma-separated deadline presets (default all)")
    ap.add_argument("--parallelization", help="comma-separated parallelization presets (default all)")
    ap.add_argument("--only-reuse", action="store_true", help="time the deadline reuse alone")
    args = ap.parse_args()
    plan = planner.load(ROOT / "models" / "field_realistic.toml")
    runs = [("reuse", True)] if args.only_reuse else [("plain", False), ("reuse", True)]
    results = {}
    for name, reuse in runs:
        result, wall = timed(plan, args, reuse)
        results[name] = (result, wall)
        cells = len(result.cells)
        samples = sum(c.samples for c in result.cells)
        print(f"{name}: {cells} cells x {args.n} samples ({samples} cell-samples) on {args.workers} workers: "
              f"{wall:.1f} s wall, {wall / max(samples, 1):.3f} s per cell-sample"
              + (f", {result.own_solves} values solved on their own" if reuse else ""))
        print(f"  extrapolated (not measured): 5 x 4 cells x 200 samples = "
              f"{wall / max(samples, 1) * 4_000 / 60:.1f} min at this rate")
    if "plain" in results:
        (plain, t_plain), (reuse, t_reuse) = results["plain"], results["reuse"]
        worst = 0.0
        for a, b in zip(plain.cells, reuse.cells):
            for k in COLUMNS[2:]:
                x, y = getattr(a, k), getattr(b, k)
                if not (isinstance(x, float) and math.isnan(x) and math.isnan(y)):
                    worst = max(worst, abs(x - y))
        print(f"ratio plain / reuse: {t_plain / t_reuse:.2f}x; largest difference between the two paths' "
              f"cells (p_harm, mean, p5, p95, samples): {worst:.3g}")
    print(results["reuse"][0].to_frame().to_string(index=False))


if __name__ == "__main__":
    main()
