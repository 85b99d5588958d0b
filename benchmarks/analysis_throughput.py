"""Throughput of the analysis commands: solves per second on 1 and 2 local workers and on a
2-worker Dask LocalCluster (loopback).

1. A sweep of the essay's toy model (default 1,000 points: `deadline.years` from 10 in steps of
   0.05; baseline + capabilities work = 2 solves a point).
2. Monte Carlo of models/field_realistic.toml over its [uncertainty] table (default 500 samples,
   baseline + 3 interventions = 4 solves a sample).

Each run is timed once, in this process, wall clock including the worker start-up; the ratio
"2 workers / 1 worker" is measured in the same invocation. Prints figures, asserts nothing about
speed (it does check that every run gives the same frame, since a fast wrong answer is no answer).

    .venv/bin/python benchmarks/analysis_throughput.py              # full (the Monte Carlo takes long)
    .venv/bin/python benchmarks/analysis_throughput.py --quick      # 100 sweep points, 16 samples
    .venv/bin/python benchmarks/analysis_throughput.py --samples 50 --no-dask
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, fmt, table  # noqa: E402

import pandas as pd  # noqa: E402

import planner  # noqa: E402
from planner.analysis.montecarlo import montecarlo  # noqa: E402
from planner.analysis.sweep import sweep  # noqa: E402


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def solves(frame) -> int:
    return len(frame)   # one row per variant solved


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=1000, help="sweep points on the toy model")
    ap.add_argument("--samples", type=int, default=500, help="Monte Carlo samples of field_realistic")
    ap.add_argument("--quick", action="store_true", help="100 points and 16 samples")
    ap.add_argument("--no-dask", action="store_true", help="skip the LocalCluster runs")
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args()
    if args.quick:
        args.points, args.samples = 100, 16

    toy = planner.load(ROOT / "models" / "serial_parallel_toy.toml")
    field = planner.load(ROOT / "models" / "field_realistic.toml")
    grid = {"deadline.years": [round(10 + 0.05 * k, 2) for k in range(args.points)]}
    cluster = None
    if not args.no_dask:
        from distributed import LocalCluster
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None)
    rows, figures = [], {}
    try:
        for label, run in [
            ("toy sweep", lambda **kw: sweep(toy, grid, **kw)),
            ("field_realistic Monte Carlo", lambda **kw: montecarlo(field, args.samples, **kw)),
        ]:
            frames = {}
            settings = [("1 worker", {"workers": 1}), ("2 workers", {"workers": 2})]
            if cluster is not None:
                settings.append(("Dask LocalCluster, 2 workers", {"scheduler": cluster.scheduler_address}))
            for name, kw in settings:
                result, seconds = timed(lambda: run(**kw))
                frame = result.to_frame()
                frames[name] = frame
                n = solves(frame)
                figures[(label, name)] = {"seconds": seconds, "solves": n, "solves_per_s": n / seconds}
                print(f"{label}, {name}: {n} solves in {seconds:.1f} s ({n / seconds:.1f} solves/s)",
                      flush=True)
                if label.startswith("field") and name == "2 workers":
                    summary, tornado = result.summary(), result.tornado("capabilities work")
            first = next(iter(frames.values()))
            same = all(f.drop(columns=[c for c in ("reason",) if c in f]).equals(
                first.drop(columns=[c for c in ("reason",) if c in first])) for f in frames.values())
            base = figures[(label, "1 worker")]["seconds"]
            for name in frames:
                f = figures[(label, name)]
                rows.append([label, name, f["solves"], f["seconds"], f["solves_per_s"], base / f["seconds"],
                             "yes" if same else "NO"])
    finally:
        if cluster is not None:
            cluster.close()
    print()
    print(table(["run", "where", "solves", "wall s", "solves/s", "speed-up vs 1", "same frame"],
                [[r[0], r[1], r[2], r[3], r[4], f"{fmt(r[5], 2)}x", r[6]] for r in rows],
                title=f"analysis throughput ({args.points} sweep points, {args.samples} Monte Carlo samples)"))
    print()
    print("field_realistic Monte Carlo (2 workers), the effect of each intervention:")
    print(summary.to_string(index=False))
    print("\ncapabilities work: rank correlation of each sampled input with the effect:")
    print(tornado.to_string(index=False))
    if args.json_out:
        args.json_out.write_text(json.dumps([{"run": r[0], "where": r[1], "solves": r[2], "seconds": r[3],
                                              "solves_per_s": r[4], "speedup": r[5], "same": r[6]}
                                             for r in rows], indent=2))


if __name__ == "__main__":
    pd.set_option("display.width", 200)
    main()
