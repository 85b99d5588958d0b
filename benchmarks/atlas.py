"""Run time of `planner atlas` on models/field_realistic.toml ("capabilities work"): every cell of
the chosen deadline x parallelization presets, `-n` samples each, on `--workers` local workers,
timed once (wall clock, worker start-up included), with the time per cell and per sample and the
extrapolation to 5 x 4 cells of 2,000 samples, stated as an extrapolation. Prints figures,
asserts nothing about speed.

    .venv/bin/python benchmarks/atlas.py                      # all 5 x 4 cells, 3 samples each, 2 workers
    .venv/bin/python benchmarks/atlas.py -n 10 --deadlines samotsvety-2023 --parallelization ftm-best-guess
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT  # noqa: E402

import planner  # noqa: E402
from planner.analysis.atlas import atlas  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=3, help="samples per cell")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--deadlines", help="comma-separated deadline presets (default all)")
    ap.add_argument("--parallelization", help="comma-separated parallelization presets (default all)")
    args = ap.parse_args()
    plan = planner.load(ROOT / "models" / "field_realistic.toml")
    names = lambda t: None if t is None else t.split(",")  # noqa: E731
    start = time.perf_counter()
    result = atlas(plan, "capabilities work", deadlines=names(args.deadlines),
                   parallelization=names(args.parallelization), n=args.n, workers=args.workers)
    wall = time.perf_counter() - start
    cells = len(result.cells)
    samples = sum(c.samples for c in result.cells)
    print(f"atlas of field_realistic, 'capabilities work': {cells} cells x {args.n} samples "
          f"({samples} samples, 2 solves each) on {args.workers} workers: {wall:.1f} s wall")
    print(f"  {wall / cells:.1f} s per cell, {wall / max(samples, 1):.2f} s per sample")
    print(f"  extrapolated (not measured): 5 x 4 cells x 2,000 samples = "
          f"{wall / max(samples, 1) * 40_000 / 3600:.1f} h at this rate")
    print(result.to_frame().to_string(index=False))


if __name__ == "__main__":
    main()
