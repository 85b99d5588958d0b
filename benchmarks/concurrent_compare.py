"""`planner compare` under load, checked against fresh single solves (the trust issue's benchmark).

Writes N random plans (two thirds from the fuzz generator in tests/fuzzplans.py, one third from
planner/plan/synthetic.py at small sizes, all objectives), runs `planner compare PLAN --json` on them
CONCURRENCY at a time as separate processes (no --time-limit), then solves every variant again
alone, in this process, and compares. It counts:
- wrong optima: a variant whose objective (or solved/infeasible verdict) differs from its lone solve;
- spurious time_limit: any variant reported `time_limit` although no limit was set;
- errors: a compare that exited with anything but 0 (done) or 3 (no solution: infeasible).
Both of the first two must be 0.

    .venv/bin/python benchmarks/concurrent_compare.py              # 300 plans, 4 at once (~3-6 min)
    .venv/bin/python benchmarks/concurrent_compare.py --plans 40   # a smoke test
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import planner  # noqa: E402
from planner.plan import synthetic  # noqa: E402

import fuzzplans  # noqa: E402

TOL = 1e-6


def plan_dicts(n: int, seed: int) -> list[dict]:
    out = []
    for k in range(n):
        rng = random.Random(seed * 100003 + k)
        if k % 3 < 2:
            out.append(fuzzplans.valid_plan(rng, max_streams=8, max_periods=30))
        else:
            out.append(synthetic.plan_dict(streams=rng.randint(3, 12), periods=rng.randint(12, 40),
                                           scenarios=rng.randint(1, 8), tightness=rng.uniform(0.3, 0.9),
                                           objective=rng.choice(["probability", "earliest", "value"]),
                                           seed=seed * 100003 + k))
    return out


def run_compare(path: Path) -> tuple[int, dict | None, str]:
    p = subprocess.run([sys.executable, "-m", "planner.cli", "compare", str(path), "--json"],
                       capture_output=True, text=True, timeout=900, cwd=ROOT)
    try:
        return p.returncode, json.loads(p.stdout), p.stderr
    except json.JSONDecodeError:
        return p.returncode, None, p.stderr


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--plans", type=int, default=300)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="planner-concurrent-"))
    files = []
    for k, d in enumerate(plan_dicts(args.plans, args.seed)):
        f = folder / f"plan{k:04d}.json"
        f.write_text(json.dumps(d))
        files.append(f)
    start = time.perf_counter()
    with ThreadPoolExecutor(args.concurrency) as pool:
        outcomes = list(pool.map(run_compare, files))
    wall = time.perf_counter() - start

    variants = wrong = spurious = errors = refused = 0
    problems = []
    for f, (code, out, err) in zip(files, outcomes):
        if code == 2:
            refused += 1  # the fuzz generator's plan was refused as invalid by the planner
            continue
        if code not in (0, 3) or out is None:
            errors += 1
            problems.append(f"{f.name}: exit {code}: {err.strip()[-200:]}")
            continue
        plan = planner.load(f)
        rows = [(None, out["baseline"])] + [(iv["name"], iv["result"]) for iv in out["interventions"]]
        for name, got in rows:
            variants += 1
            if got["status"] == "time_limit":
                spurious += 1
                problems.append(f"{f.name} {name or 'baseline'}: time_limit with no limit set")
            alone = planner.solve(plan, name)
            same_status = (got["status"] == "optimal") == (alone.status == "optimal")
            a, b = got["objective"], alone.objective
            same_value = (a is None) == (b is None) and (a is None or abs(a - b) <= TOL * max(1.0, abs(b)))
            if not (same_status and same_value):
                wrong += 1
                problems.append(f"{f.name} {name or 'baseline'}: compare {got['status']} {a}, alone {alone.status} {b}")
    print(f"plans: {args.plans} ({refused} refused as invalid), {args.concurrency} compare processes at once, "
          f"wall {wall:.1f} s")
    print(f"variants checked: {variants}")
    print(f"wrong optima: {wrong}")
    print(f"spurious time_limit: {spurious}")
    print(f"compare errors: {errors}")
    for line in problems[:30]:
        print("  " + line)
    return 1 if wrong or spurious or errors else 0


if __name__ == "__main__":
    sys.exit(main())
