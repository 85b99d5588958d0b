"""Which rows of the whole MIP earn their place: each formulation choice switched off in turn.

The whole MIP (`model.build`, what `Model.solve(method="mip")` solves) on the issue's 12 mid-size
generated plans (15-40 streams, 60-90 periods, 1-20 scenarios, `synthetic.plan`, seeds 100-111),
each variant built from the same instance and solved by the planner's HiGHS backend in the same
run, time in HiGHS only, median of the repetitions:

  current               the model as built
  no_completion_order   without `_completion_order` (c[j,t] <= c[i, t-gap-d_j])
  g_continuous          the goal indicators g continuous instead of binary

It prints each plan's times and optima (which must agree) and the geometric mean of each
variant's time over the current model's. Nothing is asserted.

    .venv/bin/python benchmarks/ablation.py                # 2 repetitions, 30 s limit
    .venv/bin/python benchmarks/ablation.py --repeats 3 --time-limit 60
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import print_environment, table  # noqa: E402

from planner.mip import formulation as mip  # noqa: E402
from planner.plan import synthetic  # noqa: E402
from planner.instance.resolve import resolve  # noqa: E402
from planner.solvers.status import SolveOptions  # noqa: E402
from planner.solvers.highs import HighsBackend  # noqa: E402
from planner.structure import critical_path  # noqa: E402


_GOAL = mip._goal  # the model's own, called by the variant below


def _goal_continuous(lm, inst, cp, c):
    g = _GOAL(lm, inst, cp, c)
    arrays = lm.arrays()
    arrays["integer"][lm.blocks["g"].columns] = False
    for key in ("lb", "ub", "integer", "cost"):
        setattr(lm, key, [arrays[key]])
    return g


VARIANTS = {"current": {}, "no_completion_order": {"_completion_order": lambda *a, **k: None},
            "g_continuous": {"_goal": _goal_continuous}}


def build(inst, cp, variant: str):
    saved = {name: getattr(mip, name) for name in VARIANTS[variant]}
    try:
        for name, f in VARIANTS[variant].items():
            setattr(mip, name, f)
        return mip.build(inst, cp)
    finally:
        for name, f in saved.items():
            setattr(mip, name, f)


def plans():
    rng = np.random.default_rng(12)
    out = []
    for k in range(12):
        S, H, K = int(rng.integers(15, 41)), int(rng.integers(60, 91)), int(rng.integers(1, 21))
        out.append((f"{S}x{H}x{K} s{k}", synthetic.plan(streams=S, periods=H, scenarios=K, seed=100 + k)))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--time-limit", type=float, default=30.0)
    args = ap.parse_args(argv)
    print_environment()
    times = {v: [] for v in VARIANTS}
    rows = []
    for label, plan in plans():
        inst = resolve(plan)
        cp = critical_path(inst)
        row, optima = [label], set()
        for v in VARIANTS:
            runs = []
            for _ in range(args.repeats):
                backend = HighsBackend()
                backend.load(build(inst, cp, v))
                raw = backend.solve(SolveOptions(time_limit=args.time_limit))
                runs.append(raw.runtime)
                if raw.status == "optimal":
                    optima.add(round(raw.objective, 6))
            times[v].append(float(np.median(runs)))
            row.append(times[v][-1])
        row.append("agree" if len(optima) <= 1 else "DIFFER")
        rows.append(row)
    print(table(["plan"] + list(VARIANTS) + ["optima"], rows,
                title=f"\nSeconds in HiGHS, whole MIP (median of {args.repeats}; limit {args.time_limit:g} s)"))
    base = np.array(times["current"])
    print(table(["variant", "geomean time / current", "total s"],
                [[v, f"{float(np.exp(np.mean(np.log(np.array(t) / base)))):.2f}x", float(sum(t))]
                 for v, t in times.items()], title="\nSummary"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
