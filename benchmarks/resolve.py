"""Re-solves: the essay's toy model (models/serial_parallel_toy.toml) solved for many variants.

Each variant changes the deadline (cycling 20..32 years) and the researchers' supply (cycling
1800 x 0.5 .. 3), so consecutive variants always differ. The same prebuilt Plan objects go
through these paths (plan parsing is not timed):

  (a) reuse    one Model(first plan); per variant Model.update(plan=p) then .solve()
               (also with confirm=False: no solver check of a plan the bound settles)
  (b) rebuild  Model(p).solve() per variant
  (m) mip      as (a) with solve(method="mip"): the whole MIP in HiGHS every time, no use of the
               plan's structure (what every solve cost before issue 12)
  (c) pyomo    Model(p, solver="pyomo:highs").solve() per variant (optional)

(a) and (b) run with tie_break=True (the default) and False. For scale, a last row times HiGHS's
own run() on each variant's whole MIP (the planner's arrays passed into a fresh Highs, untimed;
HiGHS's defaults): `(a)/raw run()` is the planner's throughput as a share of raw HiGHS's on the same
models, everything included (resolve, critical path, model arrays, bound, tie-break,
verification, the result). Every figure is the median of the repetitions; speed-ups are rate
ratios within a repetition. Every re-solve's objective is compared with the others' for the same
variant.

    .venv/bin/python benchmarks/resolve.py           # 200 variants, 3 repetitions
    .venv/bin/python benchmarks/resolve.py --quick   # 40 variants, 1 repetition
"""
from __future__ import annotations

import argparse
import copy
import sys
import time
import tomllib
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, median, print_environment, raw_highs_model, table, write_json  # noqa: E402

from planner.plan.schema import from_dict  # noqa: E402
from planner.pipeline.session import Model  # noqa: E402

TOY = ROOT / "models" / "serial_parallel_toy.toml"
DEADLINES = list(range(20, 33))                           # years, 13 values
MULTIPLIERS = [0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0]         # of the pool's supply, 7 values


def variants(n: int):
    """n (label, Plan) pairs; 13 x 7 coprime cycles, so every consecutive pair differs in both."""
    base = tomllib.loads(TOY.read_text(encoding="utf-8"))
    supply = base["pools"][0]["supply"]
    out = []
    for k in range(n):
        d, m = DEADLINES[k % len(DEADLINES)], MULTIPLIERS[k % len(MULTIPLIERS)]
        data = copy.deepcopy(base)
        data["deadline"] = {"years": d}
        data["pools"][0]["supply"] = supply * m
        out.append((f"deadline {d} supply x{m:g}", from_dict(data, source=TOY)))
    return out


class Reuse:
    """(a) and (m): one Model, built for the first variant; every later variant is pushed in with
    update()."""

    def __init__(self, tie_break: bool, method: str = "auto", confirm: bool = True):
        self.tie_break, self.method, self.confirm, self.model = tie_break, method, confirm, None

    def solve(self, plan):
        if self.model is None:
            self.model = Model(plan)
        else:
            self.model.update(plan=plan)
        return self.model.solve(tie_break=self.tie_break, method=self.method, confirm=self.confirm)


class Rebuild:
    """(b) and (c): a new Model per variant."""

    def __init__(self, tie_break: bool, solver: str = "highs"):
        self.tie_break, self.solver = tie_break, solver

    def solve(self, plan):
        return Model(plan, solver=self.solver).solve(tie_break=self.tie_break)


class RawRun:
    """For scale: HiGHS's own run() on each variant's whole MIP (the planner's arrays passed into a
    fresh Highs, untimed); only run() is counted."""

    def __init__(self):
        self.timed = 0.0

    def solve(self, plan):
        r = raw_highs_model(Model(plan).linear_model, time_limit=600)
        self.timed += r["seconds"]
        return types.SimpleNamespace(objective=r["objective"], runtime=r["seconds"])


PATHS = [  # (key, label, factory)
    ("a_tb", "(a) reuse: update + solve, tie_break=True", lambda: Reuse(True)),
    ("a", "(a) reuse: update + solve, tie_break=False", lambda: Reuse(False)),
    ("a_nc", "(a) reuse, tie_break=True, confirm=False", lambda: Reuse(True, confirm=False)),
    ("b_tb", "(b) rebuild Model(plan), tie_break=True", lambda: Rebuild(True)),
    ("b", "(b) rebuild Model(plan), tie_break=False", lambda: Rebuild(False)),
    ("m_tb", "(m) reuse, method='mip' (whole MIP), tie_break=True", lambda: Reuse(True, "mip")),
    ("c", "(c) rebuild via Pyomo (pyomo:highs; whole MIP, no tie-break)", lambda: Rebuild(False, "pyomo:highs")),
    ("raw", "for scale: raw HiGHS run() only, same MIPs", lambda: RawRun()),
]
CHUNK = 20  # the paths take turns every CHUNK variants, so slow drifts in machine load hit them alike
# (numerator, denominator, label): speed-up = solves/s of the first over solves/s of the second
RATIOS = [("a_tb", "raw", "(a, tie_break=True)/raw run()  <- issue 12: >= 0.85x"),
          ("a", "raw", "(a, tie_break=False)/raw run()"),
          ("a_nc", "raw", "(a, tie_break=True, confirm=False)/raw run()"),
          ("m_tb", "raw", "(m, whole MIP, tie_break=True)/raw run()"),
          ("a_tb", "b_tb", "(a)/(b), tie_break=True"), ("a", "b", "(a)/(b), tie_break=False"),
          ("a_tb", "m_tb", "(a)/(m): the structure over the whole MIP"),
          ("a", "c", "(a)/(c), both without tie-break")]
# (re-solve, reference): objectives that must agree variant by variant
CHECKS = [("a_nc", "a_tb"), ("a_tb", "b_tb"), ("a", "b"), ("a_tb", "m_tb"), ("a", "c"), ("a_tb", "a"), ("a", "raw"),
          ("m_tb", "raw")]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="40 variants, 1 repetition (< 60 s)")
    ap.add_argument("--solves", type=int, default=None, help="variants per path (200; 40 with --quick)")
    ap.add_argument("--repeats", type=int, default=None, help="repetitions (3; 1 with --quick)")
    ap.add_argument("--pyomo", action="store_true", help="also path (c), through Pyomo")
    ap.add_argument("--no-raw", action="store_true", help="skip the raw HiGHS run() row")
    ap.add_argument("--json-out", help="write the results as JSON")
    args = ap.parse_args(argv)
    n = args.solves or (40 if args.quick else 200)
    repeats = args.repeats or (1 if args.quick else 3)
    paths = [p for p in PATHS if not (not args.pyomo and p[0] == "c") and not (args.no_raw and p[0] == "raw")]
    print_environment()
    print(f"{TOY.relative_to(ROOT)}: {n} variants (deadlines {DEADLINES[0]}..{DEADLINES[-1]} years, supply x"
          f"{MULTIPLIERS[0]:g}..{MULTIPLIERS[-1]:g}), {repeats} repetition(s)")

    plans = variants(n)
    for key, label, make in paths:  # warm-up (imports, first solves), not timed
        path = make()
        for _, p in plans[:5]:
            path.solve(p)
    seconds = {key: [] for key, *_ in paths}
    solver_seconds = {key: [] for key, *_ in paths}
    objectives = {}
    started = time.perf_counter()
    for rep in range(repeats):
        print(f"  repetition {rep + 1} of {repeats} ...", file=sys.stderr, flush=True)
        live = {key: make() for key, _, make in paths}
        spent = {key: 0.0 for key in live}
        in_solver = {key: 0.0 for key in live}
        obj = {key: [] for key in live}
        for lo in range(0, n, CHUNK):
            for key, path in live.items():
                t0 = time.perf_counter()
                for _, p in plans[lo:lo + CHUNK]:
                    r = path.solve(p)
                    obj[key].append(r.objective)
                    in_solver[key] += r.runtime
                spent[key] += time.perf_counter() - t0
        for key, path in live.items():
            seconds[key].append(path.timed if isinstance(path, RawRun) else spent[key])
            solver_seconds[key].append(in_solver[key])
            objectives.setdefault(key, obj[key])
            if any(not _same(x, y) for x, y in zip(objectives[key], obj[key])):
                print(f"  note: {key} gave different objectives in repetition {rep + 1}", file=sys.stderr)

    rows = []
    for key, label, *_ in paths:
        rates = [n / s for s in seconds[key]]
        rows.append([label, n, median(seconds[key]), median(rates), 1000 * median(seconds[key]) / n,
                     1000 * median(solver_seconds[key]) / n, f"{min(rates):.1f} .. {max(rates):.1f}"])
    print(table(["path", "solves", "seconds", "solves/s", "ms/solve", "of which solver ms", "solves/s range"], rows,
                title=f"\nRe-solve throughput (median of {repeats} repetition(s); 'solver ms' = the result's "
                      f"runtime: the bound, search or MIP and the tie-break; the rest is resolve, build, verification)"))

    ratio_rows = []
    ratios = {}
    for num, den, label in RATIOS:
        if num in seconds and den in seconds:
            r = [sd / sn for sn, sd in zip(seconds[num], seconds[den])]   # rate ratio = inverse time ratio
            ratios[label] = r
            ratio_rows.append([label, f"{median(r):.2f}x", f"{min(r):.2f}x .. {max(r):.2f}x"])
    print(table(["speed-up (solves/s over solves/s)", "median", "range"], ratio_rows,
                title="\nSpeed-ups measured within the same repetition"))

    mismatches = []
    for a, b in CHECKS:
        if a in objectives and b in objectives:
            for (label, _), x, y in zip(plans, objectives[a], objectives[b]):
                if not _same(x, y):
                    mismatches.append(f"{a} vs {b}, {label}: {x} vs {y}")
    checked = ", ".join(f"{a}={b}" for a, b in CHECKS if a in objectives and b in objectives)
    print(f"\nobjective checks ({checked}; {n} variants each): "
          + ("no mismatches" if not mismatches else f"{len(mismatches)} MISMATCHES"))
    for m in mismatches[:50]:
        print("  " + m)
    values = sorted({round(v, 9) for v in objectives[paths[0][0]] if v is not None})
    print(f"distinct optima over the variants: {values}")
    print(f"\nwall time {time.perf_counter() - started:.0f} s")
    write_json(args.json_out, {"script": "resolve.py", "quick": args.quick, "solves": n, "repeats": repeats,
                               "seconds": seconds, "solver_seconds": solver_seconds, "ratios": ratios, "mismatches": mismatches,
                               "objectives": objectives, "variants": [label for label, _ in plans]})
    return 0


def _same(x, y, tol: float = 1e-6) -> bool:
    if x is None or y is None:
        return x is None and y is None
    return abs(x - y) <= tol * max(1.0, abs(x), abs(y))


if __name__ == "__main__":
    sys.exit(main())
