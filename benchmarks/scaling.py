"""Scaling: the planner's formulation vs the naive one vs raw HiGHS, on seeded synthetic plans.

For each plan of a series (streams x periods x scenarios, several seeds, tight supply) and for the
issue-2 acceptance plan (80 streams, 80 one-year periods, 20 scenarios), every repetition runs:

  planner   Model(plan) (resolve + critical path + model arrays + load into HiGHS), then
            .solve(tie_break=False): the one MIP that the MPS file below also holds
  raw       the planner's model written to MPS, read into a fresh silent highspy.Highs() with the
            same options (mip_rel_gap 1e-6, same time limit); only run() is timed
  naive     benchmarks/naive.py's formulation, built and loaded into the planner's HiGHS backend

Figures are medians over the repetitions; ratios are computed per repetition (same run, so the
same machine load) and their median is reported. A naive run that hits the time limit is not
repeated: its figure is the limit. No timing is asserted.

    .venv/bin/python benchmarks/scaling.py            # full series (see --help for trimming)
    .venv/bin/python benchmarks/scaling.py --quick    # two small sizes, one seed, 10 s limit
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import naive  # noqa: E402
from _common import median, print_environment, raw_highs_model, table, write_json  # noqa: E402

from planner.plan import synthetic  # noqa: E402
from planner.instance.resolve import resolve  # noqa: E402
from planner.pipeline.session import Model  # noqa: E402
from planner.structure import critical_path, structural_bound  # noqa: E402

FULL_SIZES = [(20, 40, 10), (40, 80, 10), (60, 120, 15), (80, 160, 20), (120, 200, 20)]
QUICK_SIZES = [(20, 40, 10), (40, 80, 10)]
ACCEPTANCE = (80, 80, 20)   # issue 2: 80 streams, 80 one-year periods, 20 deadline scenarios
BIG = 50_000                # nonzeros from which the end-to-end ratio is summarised


def measure_plan(label: str, plan, *, repeats: int, time_limit: float, workdir: Path,
                 with_naive: bool = True, tie_break_too: bool = False, method: str = "auto") -> dict:
    """All repetitions of planner / raw HiGHS / naive on one plan; raw figures per repetition."""
    rec = {"plan": label, "planner": [], "raw": [], "naive": [], "planner_tie_break": []}
    naive_timed_out = False
    for k in range(repeats):
        t0 = time.perf_counter()
        m = Model(plan)
        t1 = time.perf_counter()
        r = m.solve(time_limit=time_limit, tie_break=False, method=method)
        t2 = time.perf_counter()
        rec["planner"].append(dict(nonzeros=m.linear_model.num_nonzeros, build=m.build_time,
                                   construct=t1 - t0, solve=r.runtime, solve_wall=t2 - t1, e2e=t2 - t0,
                                   status=r.status, gap=r.gap, objective=r.objective, bound=r.bound))
        if k == 0:
            inst = m.instance
            rec["structural_bound"] = structural_bound(inst, critical_path(inst, unlimited_labour=True))
        rec["raw"].append(raw_highs_model(m.linear_model, time_limit=time_limit))
        del m
        if with_naive and not naive_timed_out:
            t0 = time.perf_counter()
            inst = resolve(plan)
            lm, raw, built, solved = naive.solve_naive(inst, time_limit=time_limit)
            timed_out = raw.status != "optimal" and raw.runtime >= 0.98 * time_limit
            rec["naive"].append(dict(nonzeros=lm.num_nonzeros, build=(time.perf_counter() - t0) - solved,
                                     solve=solved, status="timeout" if timed_out else raw.status,
                                     solver_status=raw.status, gap=raw.gap, objective=raw.objective,
                                     bound=raw.bound))
            naive_timed_out = timed_out
            del lm
        if tie_break_too:
            t0 = time.perf_counter()
            m = Model(plan)
            t1 = time.perf_counter()
            r = m.solve(time_limit=time_limit, tie_break=True)
            t2 = time.perf_counter()
            rec["planner_tie_break"].append(dict(build=m.build_time, solve=r.runtime, e2e=t2 - t0,
                                                 status=r.status, gap=r.gap, objective=r.objective))
            del m
    return rec


def summarise(rec: dict) -> dict:
    P, R, N = rec["planner"], rec["raw"], rec["naive"]
    s = {"plan": rec["plan"], "nz_planner": P[0]["nonzeros"], "nz_naive": N[0]["nonzeros"] if N else None,
         "planner_build": median([x["build"] for x in P]), "planner_solve": median([x["solve"] for x in P]),
         "planner_e2e": median([x["e2e"] for x in P]), "planner_status": _statuses(P),
         "planner_gap": median([x["gap"] for x in P]), "objective": P[0]["objective"],
         "raw_solve": median([x["seconds"] for x in R]), "raw_status": _statuses(R),
         "raw_objective": R[0]["objective"],
         "e2e_over_raw": median([p["e2e"] / r["seconds"] for p, r in zip(P, R)]),
         "e2e_minus_raw": median([p["e2e"] - r["seconds"] for p, r in zip(P, R)]),
         "structural_bound": rec.get("structural_bound"), "runs": len(P)}
    if N:
        s.update(naive_build=median([x["build"] for x in N]), naive_solve=median([x["solve"] for x in N]),
                 naive_status=_statuses(N), naive_gap=median([x["gap"] for x in N]),
                 naive_objective=N[0]["objective"], naive_runs=len(N),
                 naive_over_planner=median([n["solve"] / p["solve"] for p, n in zip(P, N)]))
    T = rec["planner_tie_break"]
    if T:
        s.update(tb_build=median([x["build"] for x in T]), tb_solve=median([x["solve"] for x in T]),
                 tb_e2e=median([x["e2e"] for x in T]), tb_status=_statuses(T), tb_gap=median([x["gap"] for x in T]),
                 tb_objective=T[0]["objective"])
    s["mismatch"] = _mismatch(s)
    return s


def _statuses(runs) -> str:
    st = sorted({x["status"] for x in runs})
    return "/".join(st)


def _mismatch(s: dict) -> str:
    """Optima that should agree and do not (only between runs that proved optimality)."""
    out = []
    if s["planner_status"] == "optimal" and s["raw_status"] == "optimal" and not naive.agree(s["objective"], s["raw_objective"]):
        out.append(f"raw {s['raw_objective']:.6g} vs planner {s['objective']:.6g}")
    if s.get("naive_status") == "optimal" and s["planner_status"] == "optimal" \
            and not naive.agree(s["objective"], s["naive_objective"]):
        out.append(f"naive {s['naive_objective']:.6g} vs planner {s['objective']:.6g}")
    if s.get("tb_status") == "optimal" and s["planner_status"] == "optimal" and not naive.agree(s["objective"], s["tb_objective"]):
        out.append(f"tie_break {s['tb_objective']:.6g} vs {s['objective']:.6g}")
    return "; ".join(out)


def _naive_ratio(s) -> str:
    """naive solve / planner solve; '>' when the naive run stopped at the time limit."""
    r = s.get("naive_over_planner")
    if r is None:
        return "-"
    return (">" if "timeout" in s.get("naive_status", "") else "") + f"{r:.2f}x"


def _pct(gap):
    return "-" if gap is None else f"{100 * gap:.2g}%"


def _obj(v):
    return "-" if v is None else f"{v:.6f}"


def report(summaries: list[dict], time_limit: float, repeats: int) -> None:
    print(table(
        ["plan", "nz planner", "nz naive", "naive/planner nz", "build planner s", "build naive s"],
        [[s["plan"], s["nz_planner"], s["nz_naive"],
          f"{s['nz_naive'] / s['nz_planner']:.1f}x" if s["nz_naive"] else "-",
          s["planner_build"], s.get("naive_build")] for s in summaries],
        title=f"\nModel size and build (build = resolve + critical path + arrays + load into HiGHS; "
              f"median of {repeats} run(s))"))
    print(table(
        ["plan", "planner s", "status", "gap", "naive s", "status", "gap", "naive/planner",
         "raw HiGHS s", "status", "objective", "struct. bound"],
        [[s["plan"], s["planner_solve"], s["planner_status"], _pct(s["planner_gap"]),
          s.get("naive_solve"), s.get("naive_status", "-") + (f" ({s['naive_runs']} run)" if s.get("naive_runs") == 1 and repeats > 1 else ""),
          _pct(s.get("naive_gap")),
          _naive_ratio(s),
          s["raw_solve"], s["raw_status"], _obj(s["objective"]), _obj(s["structural_bound"])]
         for s in summaries],
        title=f"\nSolve time in HiGHS (seconds, median; time limit {time_limit:g} s; planner with tie_break=False; "
              f"'timeout' = the naive model hit the limit without proving optimality; its time is when HiGHS stopped)"))
    print(table(
        ["plan", "nz planner", "build s", "solve s", "end-to-end s", "raw run() s", "e2e/raw", "overhead s"],
        [[s["plan"], s["nz_planner"], s["planner_build"], s["planner_solve"], s["planner_e2e"], s["raw_solve"],
          f"{s['e2e_over_raw']:.3f}x", s["e2e_minus_raw"]] for s in summaries],
        title="\nEnd-to-end planner (Model(plan) + solve(tie_break=False), incl. verification) vs raw HiGHS run() "
              "on the same MIP (ratio and overhead: medians of per-run figures)"))
    big = [s for s in summaries if s["nz_planner"] >= BIG]
    if big:
        ratios = sorted(s["e2e_over_raw"] for s in big)
        print(f"\nplans with >= {BIG:,} nonzeros: {len(big)}; end-to-end / raw HiGHS: median "
              f"{median(ratios):.3f}x, range {ratios[0]:.3f}x .. {ratios[-1]:.3f}x")
    bad = [s for s in summaries if s["mismatch"]]
    print("\nobjective mismatches: " + ("none" if not bad else "; ".join(f"{s['plan']}: {s['mismatch']}" for s in bad)))
    unproven = [s["plan"] for s in summaries if s["planner_status"] != "optimal"]
    print("planner runs not proven optimal within the limit: " + (", ".join(unproven) if unproven else "none"))


def report_acceptance(s: dict, time_limit: float, repeats: int) -> None:
    print(table(
        ["plan", "tie_break", "build s", "solve s", "end-to-end s", "status", "gap", "objective"],
        [[s["plan"], "False", s["planner_build"], s["planner_solve"], s["planner_e2e"], s["planner_status"],
          _pct(s["planner_gap"]), _obj(s["objective"])],
         [s["plan"], "True", s["tb_build"], s["tb_solve"], s["tb_e2e"], s["tb_status"], _pct(s["tb_gap"]),
          _obj(s["tb_objective"])]],
        title=f"\nIssue-2 acceptance plan (80 streams x 80 one-year periods x 20 scenarios; median of {repeats} "
              f"run(s); time limit {time_limit:g} s; solve = the result's runtime, incl. the tie-break)"))


def reprint(path: str) -> int:
    """The tables of a saved run (figures recomputed from its per-run records)."""
    import json
    saved = json.loads(Path(path).read_text(encoding="utf-8"))
    env = saved.get("environment", {})
    print(f"saved run: commit {env.get('commit')}, {env.get('when')}, load average {env.get('load_average')}")
    summaries = [summarise(rec) for rec in saved["runs"]]
    report(summaries, saved["time_limit"], saved["repeats"])
    report_acceptance(summaries[-1], saved["time_limit"], saved["repeats"])
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="sizes 20x40x10 and 40x80x10, seed 0, 1 run, 10 s limit, "
                    "no naive run on the acceptance plan (< 60 s)")
    ap.add_argument("--sizes", nargs="+", metavar="SxHxK", help="e.g. 20x40x10 60x120x15 (default: the full series)")
    ap.add_argument("--seeds", nargs="+", type=int, default=None, help="default 0 1 2 (0 with --quick)")
    ap.add_argument("--tightness", type=float, default=0.6, help="supply / demand of synthetic plans (0.6)")
    ap.add_argument("--repeats", type=int, default=None, help="runs per measurement (3; 1 with --quick)")
    ap.add_argument("--time-limit", type=float, default=None, help="seconds per solve (60; 10 with --quick)")
    ap.add_argument("--acceptance-seed", type=int, default=0, help="seed of the 80x80x20 plan (0)")
    ap.add_argument("--no-naive", action="store_true", help="skip the naive formulation")
    ap.add_argument("--method", choices=["auto", "mip"], default="auto",
                    help="the planner's solve method: 'auto' (structure first, the default) or 'mip' (whole MIP)")
    ap.add_argument("--json-out", help="write every run's figures as JSON")
    ap.add_argument("--report", metavar="JSON", help="print the tables of a saved --json-out file; run nothing")
    args = ap.parse_args(argv)
    if args.report:
        return reprint(args.report)
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes] if args.sizes else \
        (QUICK_SIZES if args.quick else FULL_SIZES)
    seeds = args.seeds if args.seeds is not None else ([0] if args.quick else [0, 1, 2])
    repeats = args.repeats or (1 if args.quick else 3)
    limit = args.time_limit if args.time_limit is not None else (10.0 if args.quick else 60.0)
    print_environment()
    print(f"series: {' '.join('x'.join(map(str, s)) for s in sizes)}; seeds {seeds}; tightness {args.tightness}; "
          f"{repeats} run(s) each; time limit {limit:g} s")

    records, summaries = [], []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="planner-bench-") as tmp:
        work = Path(tmp)
        for S, H, K in sizes:
            for seed in seeds:
                label = f"{S}x{H}x{K} s{seed}"
                plan = synthetic.plan(streams=S, periods=H, scenarios=K, tightness=args.tightness, seed=seed)
                print(f"  {label} ...", file=sys.stderr, flush=True)
                rec = measure_plan(label, plan, repeats=repeats, time_limit=limit, workdir=work,
                                   with_naive=not args.no_naive, method=args.method)
                records.append(rec)
                summaries.append(summarise(rec))
        S, H, K = ACCEPTANCE
        label = f"issue-2 {S}x{H}x{K} s{args.acceptance_seed}"
        plan = synthetic.plan(streams=S, periods=H, scenarios=K, seed=args.acceptance_seed)  # generator defaults
        print(f"  {label} ...", file=sys.stderr, flush=True)
        rec = measure_plan(label, plan, repeats=repeats, time_limit=limit, workdir=work,
                           with_naive=not (args.no_naive or args.quick), tie_break_too=True, method=args.method)
        records.append(rec)
        acceptance = summarise(rec)
        summaries.append(acceptance)

    report(summaries, limit, repeats)
    report_acceptance(acceptance, limit, repeats)
    print(f"\nwall time {time.perf_counter() - started:.0f} s")
    write_json(args.json_out, {"script": "scaling.py", "quick": args.quick, "sizes": sizes, "seeds": seeds,
                               "tightness": args.tightness, "repeats": repeats, "time_limit": limit,
                               "summaries": summaries, "runs": records})
    return 0


if __name__ == "__main__":
    sys.exit(main())
