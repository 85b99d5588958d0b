"""PSPLIB RCPSP instances through the planner and through OR-Tools CP-SAT, side by side (issue 11).

Each instance is imported with `planner.rcpsp.psplib` (jobs become contiguous, fixed-crew streams,
objective `earliest`, horizon = the makespan of a serial schedule-generation pass) and solved
by `planner.solve`; then the same instance goes to CP-SAT (interval variables, one
AddCumulative per resource, the precedences, minimise the makespan; same time limit,
`num_workers` = threads, the same horizon). One instance after the other, never both at once.

It reports, per solver: how many are proven optimal, the median and 90th-percentile wall times,
and for every unproven instance the gap of its best makespan to the published optimum (j30:
j30_optimum_kobe.csv; j60: the UGent best-known table, where an open instance has only LB..UB and
the gap is to the UB). Every schedule either solver returns is re-checked against the instance
(precedences, capacities per period, and for the planner each job worked by exactly one crew unit
in consecutive periods). A proven makespan that differs from the published optimum, any makespan
below it (or below the published lower bound), or a schedule that fails the check is flagged as
a BUG.

    .venv/bin/python benchmarks/psplib.py                     # all 480 j30, 60 s, 2 threads
    .venv/bin/python benchmarks/psplib.py --quick             # 12 j30 instances, 10 s
    .venv/bin/python benchmarks/psplib.py --set j60 --limit 48
    .venv/bin/python benchmarks/psplib.py --dir tests/data/psplib   # the CI sample
    .venv/bin/python benchmarks/psplib.py --bounds            # lower bounds only, no solver
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, fmt, print_environment, table, write_json  # noqa: E402

from planner.rcpsp import conversion, optima, psplib, reference  # noqa: E402
from planner.errors import PlannerError  # noqa: E402

DEFAULT_DIR = ROOT.parent / "shared" / "psplib"
SOLVERS = ("planner", "cpsat")


def natural_key(path: Path):
    """j301_10 after j301_2: (parameter group, instance number), then the name."""
    m = re.match(r"^[A-Za-z]+\d\d(\d+)_(\d+)$", path.stem)
    return (int(m.group(1)), int(m.group(2)), path.stem) if m else (10**9, 0, path.stem)


def instances(folder: Path, which: str) -> tuple[list[Path], dict]:
    """The .sm files of the set (folder/j30, or folder itself when it holds .sm files), in natural
    order, with the published figures found beside them."""
    sub = folder / which
    where = sub if sub.is_dir() else folder
    files = sorted(where.glob("*.sm"), key=natural_key)
    figures = {**optima.read_optima(folder), **(optima.read_optima(sub) if sub.is_dir() else {})}
    return files, figures


# --- the two solvers ------------------------------------------------------------------------------

def run_planner(rcpsp: psplib.Rcpsp, name: str, horizon: int, time_limit: float, threads: int) -> dict:
    import planner
    from planner.plan.schema import from_dict

    try:
        plan = from_dict(conversion.to_plan(rcpsp, name, horizon=horizon), source=f"{name}.sm")
    except PlannerError as e:
        return {"status": "error", "message": str(e), "seconds": None, "makespan": None, "bound": None}
    start = time.perf_counter()
    try:
        result = planner.solve(plan, time_limit=time_limit, threads=threads)
    except PlannerError as e:
        return {"status": "error", "message": str(e), "seconds": time.perf_counter() - start,
                "makespan": None, "bound": None}
    seconds = time.perf_counter() - start
    out = {"status": result.status, "seconds": seconds, "makespan": None, "bound": result.bound,
           "message": result.message}
    if result.solved and result.goal_completion_years is not None:
        out["makespan"] = int(round(result.goal_completion_years))
        out["problems"] = planner_schedule_problems(rcpsp, result)
    return out


def planner_schedule_problems(rcpsp: psplib.Rcpsp, result) -> list[str]:
    """Check the planner's allocation as an RCPSP schedule: each job worked by exactly one crew
    unit in d consecutive periods and nothing else, then precedences and capacities."""
    problems = []
    rows = {s.name: k for k, s in enumerate(result.streams)}
    starts = [0] * rcpsp.n
    alloc = result.allocation
    for i in range(rcpsp.n):
        d = rcpsp.durations[i]
        if d == 0:
            continue
        name = conversion.stream_name(rcpsp, i)
        u = alloc[rows[name]]
        worked = np.flatnonzero(np.abs(u) > 1e-6)
        if len(worked) == 0:
            problems.append(f"{name} is never worked on")
            continue
        s = int(worked[0])
        starts[i] = s
        if list(worked) != list(range(s, s + d)) or np.any(np.abs(u[worked] - 1) > 1e-6):
            problems.append(f"{name}: not one crew unit in {d} consecutive periods "
                            f"(periods {worked.tolist()}, units {np.round(u[worked], 6).tolist()})")
    # the dummy (zero-duration) jobs: as early as their predecessors allow
    for i in rcpsp.topological_order():
        if rcpsp.durations[i] == 0:
            starts[i] = max((starts[p] + rcpsp.durations[p] for p in rcpsp.predecessors[i]), default=0)
    problems += reference.violations(rcpsp, starts)
    if not problems and reference.makespan(rcpsp, starts) != round(result.goal_completion_years):
        problems.append(f"makespan of the schedule {reference.makespan(rcpsp, starts)} != reported "
                        f"{result.goal_completion_years:g}")
    return problems


def cpsat_available() -> bool:
    try:
        import ortools.sat.python.cp_model  # noqa: F401
        return True
    except ImportError:
        return False


def run_cpsat(rcpsp: psplib.Rcpsp, horizon: int, time_limit: float, threads: int) -> dict:
    from ortools.sat.python import cp_model

    m = cp_model.CpModel()
    n, d = rcpsp.n, rcpsp.durations
    s = [m.new_int_var(0, max(0, horizon - d[i]), f"s{i}") for i in range(n)]
    iv = [m.new_fixed_size_interval_var(s[i], d[i], f"x{i}") for i in range(n)]
    for k, cap in enumerate(rcpsp.capacities):
        used = [i for i in range(n) if rcpsp.requests[i][k] > 0 and d[i] > 0]
        if used:
            m.add_cumulative([iv[i] for i in used], [rcpsp.requests[i][k] for i in used], cap)
    for i, succ in enumerate(rcpsp.successors):
        for j in succ:
            m.add(s[j] >= s[i] + d[i])
    mk = m.new_int_var(0, horizon, "makespan")
    for i in range(n):
        m.add(mk >= s[i] + d[i])
    m.minimize(mk)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit)
    solver.parameters.num_workers = int(threads)
    start = time.perf_counter()
    status = solver.solve(m)
    seconds = time.perf_counter() - start
    name = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "time_limit", cp_model.INFEASIBLE: "infeasible",
            cp_model.UNKNOWN: "no_solution", cp_model.MODEL_INVALID: "error"}.get(status, str(status))
    out = {"status": name, "seconds": seconds, "makespan": None, "bound": float(solver.best_objective_bound)}
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        starts = [solver.value(x) for x in s]
        out["makespan"] = int(round(solver.objective_value))
        out["problems"] = reference.violations(rcpsp, starts)
    return out


def lower_bounds(files: list[Path], figures: dict) -> int:
    """Per instance: the critical-path makespan, the first makespan the start-window rules do not
    rule out (a destructive lower bound, no solver), and the published optimum. A window bound
    above the optimum would be a bug in the rules."""
    from planner.rcpsp import propagate
    from planner.instance.resolve import resolve
    from planner.plan.schema import from_dict
    from planner.structure import critical_path, goal_periods

    rows, reach_cp, reach_windows, above, seconds = [], 0, 0, [], []
    for path in files:
        rcpsp = psplib.parse(path)
        plan = from_dict(conversion.to_plan(rcpsp, path.stem), source=str(path))
        inst = resolve(plan, None, None)
        cp = critical_path(inst)
        start = time.perf_counter()
        periods = goal_periods(inst, cp)
        k = propagate.first_open(inst, cp, periods)   # what the planner's search starts from
        bound = int(periods[k]) + 1 if k < len(periods) else None
        seconds.append(time.perf_counter() - start)
        optimum = (figures.get(path.stem) or {}).get("optimum")
        if optimum is not None:
            reach_cp += cp.goal_finish + 1 == optimum
            reach_windows += bound == optimum
            if bound is not None and bound > optimum:
                above.append(path.stem)
        rows.append([path.stem, cp.goal_finish + 1, fmt(bound), fmt(optimum)])
    print(table(["instance", "critical path", "window rules", "published optimum"], rows))
    print(f"\n{len(files)} instances: the critical path reaches the optimum on {reach_cp}, the window rules on "
          f"{reach_windows} (median {fmt(float(np.median(seconds)), 3)} s per instance for the scan)")
    if above:
        print(f"BUG: window bound above the published optimum on {', '.join(above)}")
    return 1 if above else 0


# --- judging a run --------------------------------------------------------------------------------

def judge(run: dict, fig: dict | None) -> None:
    """Adds 'proven', 'gap' (to the published optimum, else to the best known UB) and 'bugs'."""
    run["proven"] = run["status"] == "optimal"
    bugs = list(run.get("problems") or [])
    mk = run.get("makespan")
    opt = fig.get("optimum") if fig else None
    lb = fig.get("lb") if fig else None
    ub = fig.get("ub") if fig else None
    ref = opt if opt is not None else ub
    run["gap"] = (mk - ref) / ref if mk is not None and ref else None
    if mk is not None:
        if opt is not None and run["proven"] and mk != opt:
            bugs.append(f"proven makespan {mk} != published optimum {opt}")
        if opt is not None and mk < opt:
            bugs.append(f"makespan {mk} below the published optimum {opt}")
        elif lb is not None and mk < lb:
            bugs.append(f"makespan {mk} below the published lower bound {lb}")
        if opt is None and ub is not None and run["proven"] and mk > ub:
            bugs.append(f"proven makespan {mk} above the best known {ub}")
    bound = run.get("bound")
    if bound is not None and opt is not None and bound > opt + 1e-6:
        bugs.append(f"lower bound {bound:g} above the published optimum {opt}")
    run["bugs"] = bugs


def percentile(xs, q):
    xs = [x for x in xs if x is not None]
    return float(np.percentile(xs, q)) if xs else None


def summarise(records: list[dict], solvers: list[str]) -> dict:
    out = {}
    for sv in solvers:
        runs = [r[sv] for r in records if sv in r]
        times = [x["seconds"] for x in runs]
        proven_times = [x["seconds"] for x in runs if x["proven"]]
        gaps = [x["gap"] for x in runs if not x["proven"] and x["gap"] is not None]
        out[sv] = {"instances": len(runs), "proven_optimal": sum(x["proven"] for x in runs),
                   "with_schedule": sum(x["makespan"] is not None for x in runs),
                   "errors": sum(x["status"] == "error" for x in runs),
                   "median_seconds": percentile(times, 50), "p90_seconds": percentile(times, 90),
                   "median_seconds_proven": percentile(proven_times, 50),
                   "mean_gap_unproven": float(np.mean(gaps)) if gaps else None,
                   "max_gap_unproven": max(gaps) if gaps else None,
                   "bugs": sum(bool(x["bugs"]) for x in runs)}
    return out


def published_text(fig: dict | None) -> str:
    """The published optimum, or LB..UB for an open instance, or '-'."""
    if not fig:
        return "-"
    if fig.get("optimum") is not None:
        return str(fig["optimum"])
    return f"{fmt(fig.get('lb'))}..{fmt(fig.get('ub'))}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", nargs="?", type=Path, help=f"the PSPLIB folder (default {DEFAULT_DIR}): it holds "
                    "j30/ and j60/ and the optimum CSVs, or .sm files and CSVs directly")
    ap.add_argument("--dir", dest="dir_option", type=Path, help="the same as the positional DIR")
    ap.add_argument("--set", default="j30", help="the instance set, a subfolder of DIR (j30 or j60; default j30)")
    ap.add_argument("--limit", type=int, help="only the first N instances (natural order: j301_1, j301_2, ...)")
    ap.add_argument("--only", nargs="+", metavar="NAME", help="only these instances, e.g. j301_1 j3013_4")
    ap.add_argument("--time-limit", type=float, default=None,
                    help="seconds per instance and solver (60; 10 with --quick)")
    ap.add_argument("--threads", type=int, default=2, help="planner threads and CP-SAT num_workers (2)")
    ap.add_argument("--quick", action="store_true",
                    help="12 instances spread over the set (every 40th of j30), 10 s limit")
    ap.add_argument("--solvers", nargs="+", choices=SOLVERS, default=list(SOLVERS),
                    help="which solvers to run (default both)")
    ap.add_argument("--json-out", help="write every instance's figures and the summary as JSON")
    ap.add_argument("--bounds", action="store_true",
                    help="solve nothing: count the instances whose critical path, and whose start-window "
                         "rules (planner/rcpsp/propagate.py), reach the published optimum")
    args = ap.parse_args(argv)

    folder = (args.dir_option or args.dir or DEFAULT_DIR).resolve()
    files, figures = instances(folder, args.set)
    if not files:
        print(f"no .sm files in {folder / args.set} or {folder}", file=sys.stderr)
        return 2
    if args.only:
        wanted = set(args.only)
        files = [f for f in files if f.stem in wanted]
    if args.quick:
        files = files[::max(1, len(files) // 12)][:12]
    if args.limit is not None:
        files = files[:args.limit]
    if args.bounds:
        return lower_bounds(files, figures)
    time_limit = args.time_limit if args.time_limit is not None else (10.0 if args.quick else 60.0)
    solvers = list(args.solvers)
    if "cpsat" in solvers and not cpsat_available():
        print("note: OR-Tools is not installed (pip install -e '.[bench]'); CP-SAT is skipped")
        solvers.remove("cpsat")

    print_environment()
    print(f"{len(files)} instances from {files[0].parent}; {time_limit:g} s and {args.threads} thread(s) per "
          f"instance and solver; solvers: {', '.join(solvers)}\n")
    records, first_error = [], {}
    for path in files:
        name = path.stem
        rcpsp = psplib.parse(path)
        sgs = reference.makespan(rcpsp, reference.serial_sgs(rcpsp))
        fig = figures.get(name)
        rec = {"instance": name, "jobs": rcpsp.n - 2, "critical_path": rcpsp.critical_path_length(),
               "sgs_makespan": sgs, "published": fig}
        for sv in solvers:
            run = run_planner(rcpsp, name, sgs, time_limit, args.threads) if sv == "planner" \
                else run_cpsat(rcpsp, sgs, time_limit, args.threads)
            judge(run, fig)
            rec[sv] = run
            if run["status"] == "error" and sv not in first_error:
                first_error[sv] = f"{name}: {run.get('message')}"
        records.append(rec)
        parts = [f"{name:<10} opt {published_text(fig):>4} sgs {sgs:>4}"]
        for sv in solvers:
            r = rec[sv]
            parts.append(f"{sv} {r['status'] + (' BUG' if r['bugs'] else ''):<11} "
                         f"{fmt(r['makespan']):>4} {fmt(r['seconds'], 2):>7} s")
        print("  |  ".join(parts), flush=True)

    summary = summarise(records, solvers)
    print()
    print(table(["solver", "instances", "proven optimal", "with a schedule", "errors", "median s", "p90 s",
                 "median s (proven)", "bugs"],
                [[sv, s["instances"], s["proven_optimal"], s["with_schedule"], s["errors"], s["median_seconds"],
                  s["p90_seconds"], s["median_seconds_proven"], s["bugs"]] for sv, s in summary.items()],
                title=f"Summary ({args.set}, {time_limit:g} s, {args.threads} threads)"))
    for sv, msg in first_error.items():
        print(f"\n{sv}: first error: {msg}")

    unproven = [r for r in records if any(sv in r and not r[sv]["proven"] for sv in solvers)]
    if unproven:
        rows = []
        for r in unproven:
            row = [r["instance"], published_text(r["published"])]
            for sv in solvers:
                x = r[sv]
                row += [x["status"], fmt(x["makespan"]), fmt(x["bound"], 1) if x["bound"] is not None else "-",
                        f"{100 * x['gap']:.1f}%" if x["gap"] is not None else "-"]
            rows.append(row)
        headers = ["instance", "published"]
        for sv in solvers:
            headers += [f"{sv} status", f"{sv} best", f"{sv} bound", f"{sv} gap"]
        print()
        print(table(headers, rows, title="Instances not proven optimal by at least one solver "
                    "(gap: best makespan over the published optimum, or over the best known UB)"))

    bugs = [(r["instance"], sv, b) for r in records for sv in solvers for b in r[sv]["bugs"]]
    print()
    if bugs:
        print("BUGS (a proven makespan that is not the published optimum, a makespan below it, or a schedule "
              "that breaks the instance):")
        for inst, sv, b in bugs:
            print(f"  {inst} {sv}: {b}")
    else:
        print("No makespan below the published figures, every proven makespan equals the published optimum, "
              "and every schedule passed the check.")
    write_json(args.json_out, {"set": args.set, "folder": str(folder), "time_limit": time_limit,
                               "threads": args.threads, "solvers": solvers, "summary": summary,
                               "instances": records})
    return 1 if bugs else 0


if __name__ == "__main__":
    sys.exit(main())
