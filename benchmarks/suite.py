"""The issue-12 suite: time to proven optimum, planner vs the plain time-indexed model, side by side.

At least 40 generated plans from two generators of different structure:

  synthetic   planner.plan.synthetic.plan: random streams with random precedences on a few pools, each
              stream on one pool, a scenario deadline (tightness = supply over demand at the caps);
  crews       planner.plan.synthetic.crew_plan: a few long chains of streams linked with lags, crews that
              draw on two or three pools at once, growing pools, links across chains.

Streams 15-120, periods 40-200, 1-20 deadline scenarios, objective `probability` (one plan in six
`value`), drawn from seeded generators, so every run builds the same plans. For each plan, each of
three repetitions runs, one right after the other (same machine load):

  planner   Model(plan) + solve(): resolve, critical path, model arrays, the bound attempt, the MIP
            if the bound does not settle it, the tie-break, verification. Everything a caller waits
            for, minus plan parsing. Its phases are recorded (Model.timing): the tie-break share is
            tie-break seconds over the planner's total.
  plain     benchmarks/naive.py's formulation (cumulative sums, per-period big-M, one binary per
            scenario), passed to a fresh, silent highspy.Highs() with the same gap and limit; only
            run() is timed (its Python build is not counted against it). A plain run that hits the
            limit is not repeated (its figure is the limit, and its ratio a lower bound: '>').

Reported: per plan the medians of both times and the median of the per-repetition ratios
plain/planner; the median over plans, the worst plan, how many are below 1 and below 0.8 (more
than 1.25x slower), the tie-break share, and every optimum compared (both proven: equal within
1e-6 relative). Plans are split by how the planner proved them: `bound` (the critical-path bound
was reached, no MIP) and `mip`. Nothing is asserted; figures go to stdout and `--json-out`.

    .venv/bin/python benchmarks/suite.py                 # 44 plans x 3 repetitions (~30-60 min)
    .venv/bin/python benchmarks/suite.py --quick         # 6 small plans, 1 repetition (< 2 min)
    .venv/bin/python benchmarks/suite.py --cli           # the planner through `planner solve` (a process each)
    .venv/bin/python benchmarks/suite.py --report FILE   # reprint a saved --json-out
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import naive  # noqa: E402
from _common import median, print_environment, raw_highs_model, table, write_json  # noqa: E402

from planner.plan import synthetic  # noqa: E402
from planner.pipeline.session import Model  # noqa: E402

PER_GENERATOR = 22


def plans(per_generator: int, quick: bool = False, binding: bool = False):
    """(label, generator, parameters, plan dict) of the suite, the same on every run. `binding`:
    another seeded set, tighter (synthetic 0.25-0.45, crews 0.95-1.15) and at most 60 streams and
    120 periods, where labour binds more often than not, so that the bound rarely settles a plan
    and the search or the whole MIP has to."""
    out = []
    for gen in ("synthetic", "crews"):
        rng = np.random.default_rng((12 if gen == "synthetic" else 21) + (1000 if binding else 0))
        for k in range(per_generator):
            S = int(rng.integers(15, 41 if quick else 61 if binding else 121))
            H = int(rng.integers(40, 81 if quick else 121 if binding else 201))
            K = int(rng.integers(1, 21))
            objective = "value" if k % 6 == 5 else "probability"
            if gen == "synthetic":
                tight = float(np.round(rng.uniform(*((0.25, 0.45) if binding else (0.4, 0.9))), 2))
                d = synthetic.plan_dict(streams=S, periods=H, scenarios=K, tightness=tight, objective=objective,
                                        seed=100 + k)
            else:
                tight = float(np.round(rng.uniform(*((0.95, 1.15) if binding else (1.1, 2.0))), 2))
                d = synthetic.crew_plan_dict(streams=S, periods=H, scenarios=K, tightness=tight,
                                             objective=objective, seed=200 + k)
            label = f"{gen[:3]} {S}x{H}x{K} t{tight:g}{' value' if objective == 'value' else ''} #{k}"
            out.append((label, gen, dict(streams=S, periods=H, scenarios=K, tightness=tight,
                                         objective=objective), d))
    return out


def run_planner(plan, time_limit: float) -> dict:
    t0 = time.perf_counter()
    m = Model(plan)
    r = m.solve(time_limit=time_limit)
    total = time.perf_counter() - t0
    timing = dict(getattr(m, "timing", {}))
    return {"seconds": total, "build": m.build_time, "status": r.status, "objective": r.objective,
            "path": "mip" if "mip" in timing else "search" if "search" in timing else "bound", "timing": timing,
            "tie_break": timing.get("tie_break", 0.0)}


def run_planner_cli(plan_dict: dict, time_limit: float, folder: Path) -> dict:
    """`planner solve PLAN --json` in a new process: interpreter start, imports and plan parsing
    included (what the issue's first figures measured)."""
    import subprocess

    path = folder / "plan.json"
    path.write_text(json.dumps(plan_dict), encoding="utf-8")
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "planner.cli", "solve", str(path), "--json",
                          "--time-limit", str(time_limit)], capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    try:
        got = json.loads(out.stdout)
    except json.JSONDecodeError:
        got = {"status": f"exit {out.returncode}", "objective": None}
    return {"seconds": seconds, "status": got.get("status"), "objective": got.get("objective")}


def run_plain(plan, time_limit: float, gap: float = 1e-6) -> dict:
    """The plain model in raw HiGHS: passModel into a fresh Highs, time only run()."""
    from planner.instance.resolve import resolve

    lm = naive.build(resolve(plan))
    out = raw_highs_model(lm, time_limit=time_limit, gap=gap)
    out["nonzeros"] = lm.num_nonzeros
    return out


def agree(a, b, tol: float = 1e-6) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def summarise(rec: dict) -> dict:
    P, N = rec["planner"], rec["plain"]
    ratios = [n["seconds"] / p["seconds"] for p, n in zip(P, N)]
    proven = [p for p in P if p["status"] == "optimal"]
    plain_proven = [n for n in N if n["status"] == "optimal"]
    s = {"plan": rec["plan"], "generator": rec["generator"],
         "planner_s": median([p["seconds"] for p in P]), "plain_s": median([n["seconds"] for n in N]),
         "ratio": median(ratios), "planner_status": "/".join(sorted({p["status"] for p in P})),
         "plain_status": "/".join(sorted({n["status"] for n in N})),
         "path": "/".join(sorted({p["path"] for p in P})),
         "tie_break_share": median([p["tie_break"] / p["seconds"] for p in P]),
         "objective": P[0]["objective"], "plain_objective": N[0]["objective"],
         "plain_timed_out": not plain_proven, "planner_timed_out": not proven}
    s["agree"] = (agree(proven[0]["objective"], plain_proven[0]["objective"])
                  if proven and plain_proven else None)
    # only the planner proved it: the plain model's best plan must not beat that optimum
    incumbent = N[0]["objective"] if not plain_proven else None
    if proven and incumbent is not None:
        best, sense = proven[0]["objective"], -1 if rec["params"]["objective"] == "earliest" else 1
        s["beyond"] = sense * (incumbent - best) > 1e-6 * max(1.0, abs(best))
    else:
        s["beyond"] = None
    return s


def ratio_text(s) -> str:
    mark = ">" if s["plain_timed_out"] and not s["planner_timed_out"] else \
        "<" if s["planner_timed_out"] and not s["plain_timed_out"] else ""
    return f"{mark}{s['ratio']:.2f}x"


def report(summaries: list[dict], repeats: int, time_limit: float) -> dict:
    rows = [[s["plan"], s["path"], s["planner_s"], s["planner_status"], s["plain_s"], s["plain_status"],
             ratio_text(s), f"{100 * s['tie_break_share']:.1f}%",
             "-" if s["objective"] is None else f"{s['objective']:.6f}",
             {True: "equal", False: "DIFFER", None: "-"}[s["agree"]]] for s in summaries]
    print(table(["plan", "path", "planner s", "status", "plain s", "status", "plain/planner", "tie-break",
                 "optimum", "optima"], rows,
                title=f"\nTime to proven optimum (median of {repeats}; limit {time_limit:g} s per solve; "
                      "ratio = median of per-repetition ratios; '>' plain hit the limit)"))
    out = {}
    for name, group in (("all", summaries), ("bound", [s for s in summaries if s["path"] == "bound"]),
                        ("search", [s for s in summaries if "search" in s["path"]]),
                        ("mip", [s for s in summaries if "mip" in s["path"]]),
                        ("synthetic", [s for s in summaries if s["generator"] == "synthetic"]),
                        ("crews", [s for s in summaries if s["generator"] == "crews"])):
        if not group:
            continue
        r = [s["ratio"] for s in group]
        worst = min(group, key=lambda s: s["ratio"])
        out[name] = {"plans": len(group), "median_ratio": median(r), "worst_ratio": worst["ratio"],
                     "worst_plan": worst["plan"], "below_1": sum(x < 1 for x in r),
                     "below_0.8": sum(x < 0.8 for x in r),
                     "median_tie_break_share": median([s["tie_break_share"] for s in group]),
                     "max_tie_break_share": max(s["tie_break_share"] for s in group)}
    print(table(["plans", "n", "median plain/planner", "worst", "worst plan", "< 1x", "< 0.8x",
                 "tie-break median", "tie-break max"],
                [[k, v["plans"], f"{v['median_ratio']:.2f}x", f"{v['worst_ratio']:.2f}x", v["worst_plan"],
                  v["below_1"], v["below_0.8"], f"{100 * v['median_tie_break_share']:.1f}%",
                  f"{100 * v['max_tie_break_share']:.1f}%"] for k, v in out.items()],
                title="\nSummary (path: 'bound' = settled by the critical-path bound, no MIP; 'search' = the "
                      "search over the goal's period, small feasibility MIPs; 'mip' = the whole MIP)"))
    differ = [s["plan"] for s in summaries if s["agree"] is False]
    both = sum(s["agree"] is not None for s in summaries)
    print(f"\noptima compared where both proved optimality: {both}; differing: "
          + (", ".join(differ) if differ else "none"))
    beyond = [s["plan"] for s in summaries if s["beyond"]]
    one = sum(s["beyond"] is not None for s in summaries)
    print(f"plans where only the planner proved its optimum and the plain model has a plan: {one}; the "
          "plain plan beats the planner's optimum in: " + (", ".join(beyond) if beyond else "none"))
    out["beyond"] = beyond
    unproven = [s["plan"] for s in summaries if s["planner_timed_out"]]
    print("planner runs not proven optimal within the limit: " + (", ".join(unproven) if unproven else "none"))
    out["differ"] = differ
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="3 small plans per generator, 1 repetition")
    ap.add_argument("--plans", type=int, default=None, help=f"plans per generator ({PER_GENERATOR})")
    ap.add_argument("--only", nargs="+", type=int, metavar="K", help="only these plan numbers (#k)")
    ap.add_argument("--generator", choices=["synthetic", "crews"], help="only this generator")
    ap.add_argument("--repeats", type=int, default=None, help="repetitions (3; 1 with --quick)")
    ap.add_argument("--time-limit", type=float, default=None, help="seconds per solve (60; 20 with --quick)")
    ap.add_argument("--cli", action="store_true",
                    help="time the planner through `planner solve PLAN --json` in a new process (interpreter "
                         "start, imports and parsing included) instead of in this process")
    ap.add_argument("--binding", action="store_true",
                    help="another plan set, tighter and smaller, where labour binds (the search and the MIP work)")
    ap.add_argument("--json-out", help="write every run's figures as JSON")
    ap.add_argument("--report", metavar="JSON", help="reprint a saved --json-out; run nothing")
    args = ap.parse_args(argv)
    if args.report:
        saved = json.loads(Path(args.report).read_text(encoding="utf-8"))
        report([summarise(r) for r in saved["runs"]], saved["repeats"], saved["time_limit"])
        return 0
    per = args.plans or (3 if args.quick else PER_GENERATOR)
    repeats = args.repeats or (1 if args.quick else 3)
    limit = args.time_limit or (20.0 if args.quick else 60.0)
    chosen = [p for p in plans(per, args.quick, args.binding)
              if (args.only is None or int(p[0].rsplit("#", 1)[1]) in args.only)
              and (args.generator is None or p[1] == args.generator)]
    print_environment()
    print(f"{len(chosen)} plans, {repeats} repetition(s), time limit {limit:g} s")
    from planner.plan.schema import from_dict
    warm = from_dict(chosen[0][3])  # imports and HiGHS's first run, untimed
    run_planner(warm, limit)
    run_plain(warm, limit)
    records, started = [], time.perf_counter()
    for label, gen, params, d in chosen:
        plan = from_dict(d)
        rec = {"plan": label, "generator": gen, "params": params, "planner": [], "plain": []}
        for k in range(repeats):
            if args.cli:
                with tempfile.TemporaryDirectory(prefix="planner-suite-") as folder:
                    got = run_planner_cli(d, limit, Path(folder))
                rec["planner"].append(dict(got, path="cli", timing={}, tie_break=0.0, build=None))
            else:
                rec["planner"].append(run_planner(plan, limit))
            if k == 0 or rec["plain"][0]["status"] == "optimal":
                rec["plain"].append(run_plain(plan, limit))
            else:  # a plain run that hit the limit is not repeated: its figure is the limit
                rec["plain"].append(dict(rec["plain"][0]))
        records.append(rec)
        s = summarise(rec)
        print(f"  {label}: planner {s['planner_s']:.3f} s ({s['path']}), plain {s['plain_s']:.3f} s, "
              f"{ratio_text(s)}", file=sys.stderr, flush=True)
    summary = report([summarise(r) for r in records], repeats, limit)
    print(f"\nwall time {time.perf_counter() - started:.0f} s")
    write_json(args.json_out, {"script": "suite.py", "repeats": repeats, "time_limit": limit,
                               "summary": summary, "runs": records})
    return 0


if __name__ == "__main__":
    sys.exit(main())
