"""What reading answers in continuous time costs (issue 19): each shipped model's `compare`, in the
library, with and without the finer-grid re-solve, and the answer and exactness each gives.

    python benchmarks/continuous.py             # every shipped model, 3 repeats
    python benchmarks/continuous.py --repeats 1

Per model: median seconds of `planner.compare(plan)` (the default: the answer settled against the
bound, or on half the step) and of `planner.compare(plan, refine=False)` (the plan's own grid
read in continuous time), their ratio measured in each repetition (the median of those), the
baseline's continuous answer, its grid objective and its exactness. The CLI's robustness (flip
points, Monte Carlo) is not included: `planner compare` adds it, and docs/analysis.md says what it
costs.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, median, print_environment, table, write_json  # noqa: E402

import planner  # noqa: E402


def timed(plan, **options) -> tuple[float, object]:
    start = time.perf_counter()
    comparison = planner.compare(plan, **options)
    return time.perf_counter() - start, comparison


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json-out")
    args = ap.parse_args(argv)
    print_environment()
    rows, records = [], []
    for path in sorted((ROOT / "models").glob("*.toml")):
        plan = planner.load(path)
        settled, plain, ratios = [], [], []
        for _ in range(args.repeats):
            a, c = timed(plan)
            b, _ = timed(plan, refine=False)
            settled.append(a)
            plain.append(b)
            ratios.append(a / b)
        base = c.baseline
        rows.append([path.name, median(settled), median(plain), median(ratios), base.objective,
                     base.grid_objective, base.exactness])
        records.append(dict(zip(["model", "settled_s", "grid_only_s", "ratio", "objective", "grid_objective",
                                 "exactness"], rows[-1])))
    print(table(["model", "compare s", "refine=False s", "ratio", "baseline", "grid", "exactness"], rows,
                title=f"compare in continuous time, median of {args.repeats}"))
    write_json(args.json_out, {"models": records})
    return 0


if __name__ == "__main__":
    sys.exit(main())
