"""Monte Carlo speed: samples per second of `montecarlo` on models/field_realistic.toml (baseline and
3 interventions = 4 solves a sample), today's code against this checkout, the same samples in the
same run, and a check that the frames are equal.

"Today's code" is a checkout of an earlier commit with its own virtualenv (`--baseline DIR`; e.g.
`git worktree add ../before 64890ef` and `python3 -m venv ../before/.venv && ../before/.venv/bin/pip
install -e ../before`; 64890ef is the commit before the fast path): each run is a subprocess of that checkout's Python, timed around the
`montecarlo()` call (the worker pool's start-up included, the interpreter's import not). This
checkout runs twice: `fast` (the default path) and `plain` (`fast=False`: every sample checked here
first, every bound-settled variant confirmed by the solver). Each run writes its frame; every frame
must equal the first baseline's within 1e-9, or the script says which rows differ and exits 1.

Prints, per repetition and as medians: seconds and samples/s on `--workers` (wall clock), CPU
seconds per sample on one worker (`--cpu-samples`, in-process: steadier than the wall clock on a
shared machine), and the ratios fast / baseline and fast / plain of both (per repetition, then
the median). `--profile` also prints the top of a cProfile of one
worker on `--profile-samples` samples (CPU time) for the baseline and for this checkout.

    .venv/bin/python benchmarks/montecarlo_speed.py --baseline ../before  # 400 samples, 2 workers, 3 repeats
    .venv/bin/python benchmarks/montecarlo_speed.py -n 2000 --repeats 1   # the issue's run
    .venv/bin/python benchmarks/montecarlo_speed.py --profile --repeats 0 # profiles only
    .venv/bin/python benchmarks/montecarlo_speed.py --baseline NONE       # this checkout alone
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, fmt, median, table  # noqa: E402

SHIPPED = ROOT / "models" / "field_realistic.toml"
MODEL = SHIPPED  # replaced in main() by a copy whose deadline preset is written out as its points


def written_out(tmp: Path) -> Path:
    """field_realistic with its deadline preset written out as the percentile points it stands for
    (the same plan, tests/plan/test_presets.py), so code from before presets reads it too."""
    sys.path.insert(0, str(ROOT))
    import planner

    plan = planner.load(SHIPPED)
    points = [[float(y), float(p)] for y, p in plan.deadline.distribution.percentiles(plan.plan.start_year).points]
    text, count = re.subn(
        r'distribution = \{ preset = "[^"]+" \}',
        f'distribution = {{ kind = "percentiles", points = {json.dumps(points)} }}',
        SHIPPED.read_text(),
    )
    assert count == 1, "the model's deadline is no longer one preset line"
    path = tmp / SHIPPED.name
    path.write_text(text)
    return path
TOL = 1e-9

RUN = r"""
import json, sys, time
import planner
from planner.analysis.montecarlo import montecarlo
model, n, workers, out, kw = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], json.loads(sys.argv[5])
plan = planner.load(model)
start, cpu = time.perf_counter(), time.process_time()
result = montecarlo(plan, n, workers=workers, **kw)
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
result.to_frame().to_pickle(out)
print(json.dumps({"seconds": seconds, "cpu": cpu}))
"""

PROFILE = r"""
import cProfile, io, json, pstats, sys, time
import planner
from planner.analysis.montecarlo import montecarlo
model, n, kw, top = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), int(sys.argv[4])
plan = planner.load(model)
montecarlo(plan, 2, workers=1, **kw)  # imports and first-use caches outside the profile
prof = cProfile.Profile(time.process_time)  # CPU time: steadier than the wall clock on a shared machine
start = time.process_time()
prof.enable()
montecarlo(plan, n, workers=1, **kw)
prof.disable()
seconds = time.process_time() - start
text = io.StringIO()
stats = pstats.Stats(prof, stream=text)
stats.sort_stats("cumulative").print_stats(top)
stats.sort_stats("tottime").print_stats(top)
print(f"{n} samples, 1 worker, under the profiler: {seconds:.2f} CPU s ({n / seconds:.1f} samples/s), "
      f"{stats.total_calls:,} function calls")
print("\n".join(line for line in text.getvalue().splitlines() if line.strip()))
"""


def python_of(checkout: Path) -> Path:
    return checkout / ".venv" / "bin" / "python"


def run_once(python: Path, cwd: Path, n: int, workers: int, out: Path, **kw) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [str(python), "-c", RUN, str(MODEL), str(n), str(workers), str(out), json.dumps(kw)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        sys.exit(f"{python} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def differences(a, b) -> list[str]:
    """Where frame `b` differs from `a` (empty if equal within TOL)."""
    import numpy as np

    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return [f"shape or columns differ: {a.shape} {list(a.columns)} vs {b.shape} {list(b.columns)}"]
    out = []
    for col in a.columns:
        x, y = a[col].to_numpy(), b[col].to_numpy()
        if x.dtype.kind in "fi" and y.dtype.kind in "fi":
            bad = ~((np.isnan(x) & np.isnan(y)) | (np.abs(x - y) <= TOL))
        else:
            bad = np.array([not (u == v or (u != u and v != v)) for u, v in zip(x, y)])
        for k in np.flatnonzero(bad)[:3]:
            out.append(f"row {k} ({a['variant'].iloc[k]}, sample {a['sample'].iloc[k]}) {col}: {x[k]!r} vs {y[k]!r}")
    return out


def profile(python: Path, cwd: Path, n: int, top: int, label: str) -> None:
    done = subprocess.run(
        [str(python), "-c", PROFILE, str(MODEL), str(n), "{}", str(top)], cwd=cwd, capture_output=True, text=True
    )
    print(f"\n=== profile: {label} ({python}) ===")
    print(done.stdout if done.returncode == 0 else done.stderr[-2000:])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--samples", type=int, default=400)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--baseline", default="NONE", help="a checkout of an earlier commit with a .venv, or NONE (default)")
    ap.add_argument("--no-plain", action="store_true", help="skip this checkout's plain path (fast=False)")
    ap.add_argument("--cpu-samples", type=int, default=100, help="samples of the 1-worker CPU-time run (0: none)")
    ap.add_argument("--profile", action="store_true", help="print the top of a 1-worker cProfile of each")
    ap.add_argument("--profile-samples", type=int, default=200)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args()
    import pandas as pd

    baseline = None if args.baseline.upper() == "NONE" else Path(args.baseline)
    if baseline is not None and not python_of(baseline).exists():
        sys.exit(f"--baseline {baseline}: no {python_of(baseline)} (give a checkout with a .venv, or NONE)")
    global MODEL
    MODEL = written_out(Path(tempfile.mkdtemp()))
    ours = Path(sys.executable)
    print(f"load average {os.getloadavg()[0]:.2f}; {args.samples} samples of {MODEL.name}, {args.workers} workers")
    runs = [("fast", ours, ROOT, {})]
    if not args.no_plain:
        runs.append(("plain", ours, ROOT, {"fast": False}))
    if baseline is not None:
        runs.insert(0, ("baseline", python_of(baseline), baseline, {}))
    seconds: dict[str, list[float]] = {name: [] for name, *_ in runs}
    cpu: dict[str, list[float]] = {name: [] for name, *_ in runs}  # CPU s per sample, 1 worker
    ratios: dict[str, list[float]] = {k: [] for k in ("fast / baseline", "fast / plain")}
    cpu_ratios: dict[str, list[float]] = {k: [] for k in ratios}
    reference = None
    failed = False

    def check(name: str, out: Path, rep: int) -> None:
        nonlocal reference, failed
        frame = pd.read_pickle(out)
        if reference is None:
            reference = (name, frame)
            return
        diff = differences(reference[1], frame)
        if diff:
            failed = True
            print(f"FRAMES DIFFER: {name} vs {reference[0]} (repeat {rep}):\n  " + "\n  ".join(diff))

    def ratio_of(per_run: dict[str, float], into: dict[str, list[float]]) -> None:
        for key in into:
            a, b = key.split(" / ")
            if a in per_run and b in per_run:
                into[key].append(per_run[a] / per_run[b])

    with tempfile.TemporaryDirectory() as tmp:
        for rep in range(args.repeats):
            for name, python, cwd, kw in runs:
                out = Path(tmp) / f"{name}.pkl"
                seconds[name].append(run_once(python, cwd, args.samples, args.workers, out, **kw)["seconds"])
                check(name, out, rep)
            rates = {name: args.samples / s[-1] for name, s in seconds.items()}
            ratio_of(rates, ratios)
            line = ", ".join(f"{name} {rate:.1f} samples/s" for name, rate in rates.items())
            if args.cpu_samples:
                for name, python, cwd, kw in runs:
                    out = Path(tmp) / f"{name}-cpu.pkl"
                    cpu[name].append(run_once(python, cwd, args.cpu_samples, 1, out, **kw)["cpu"] / args.cpu_samples)
                ratio_of({name: 1 / c[-1] for name, c in cpu.items()}, cpu_ratios)
                line += "; CPU per sample " + ", ".join(f"{name} {1000 * c[-1]:.1f} ms" for name, c in cpu.items())
            print(f"repeat {rep}: {line}", flush=True)
    if args.repeats:
        rows = [
            [
                name,
                median(s),
                args.samples / median(s),
                1000 * median(cpu[name]) if cpu[name] else None,
            ]
            for name, s in seconds.items()
        ]
        print()
        print(
            table(
                ["run", "median s", "samples/s", "CPU ms/sample (1 worker)"],
                rows,
                f"Monte Carlo throughput, medians of {args.repeats} ({args.workers} workers; CPU: {args.cpu_samples} samples)",
            )
        )
        for key, values in ratios.items():
            if values:
                print(f"{key}, samples/s ({args.workers} workers, wall clock): {fmt(median(values), 2)}x")
        for key, values in cpu_ratios.items():
            if values:
                print(f"{key}, samples per CPU second (1 worker): {fmt(median(values), 2)}x")
        print("frames equal within 1e-9:", "no" if failed else "yes")
    if args.profile:
        if baseline is not None:
            profile(python_of(baseline), baseline, args.profile_samples, args.top, "baseline")
        profile(ours, ROOT, args.profile_samples, args.top, "this checkout (fast)")
    if args.json_out:
        args.json_out.write_text(
            json.dumps(
                {
                    "samples": args.samples,
                    "workers": args.workers,
                    "seconds": seconds,
                    "cpu_per_sample": cpu,
                    "ratios": ratios,
                    "cpu_ratios": cpu_ratios,
                },
                indent=2,
            )
        )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
