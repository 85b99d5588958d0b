"""HiGHS against SCIP through the planner on many small random plans: two independent MIP solvers
given the same model must reach the same optimum (or both find it infeasible).

    python benchmarks/differential.py                 # 300 plans, seed 0
    python benchmarks/differential.py --plans 1000 --seed 7

Each plan is drawn from its own seed (`case(seed)`): half from planner/plan/synthetic.py (tight pools,
chains with lags, scenario deadlines; the baseline or "capabilities work"), half from the fuzz
generator of tests/fuzzplans.py (growth and list supplies, crews, max_staff, releases, every
deadline kind, windows, odd steps; the baseline or one of its interventions). Both solvers run with
gap 1e-9, so objectives that differ by more than 1e-6 (relative) are a disagreement, not slack.

Prints the counts (agree, disagree with each plan's seed and both objectives, both infeasible,
refused by the plan checks, errors) and each solver's median solve time. tests/oracles/test_scip_differential.py
runs the same comparison on a fixed handful of seeds.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import planner  # noqa: E402
from planner.plan import synthetic  # noqa: E402
from fuzzplans import valid_plan  # noqa: E402

TOL = 1e-6


def case(seed: int):
    """(plan, intervention name or None) for one seed: reproducible from the seed alone."""
    rng = random.Random(seed)
    if rng.random() < 0.5:
        plan = synthetic.plan(streams=rng.randint(3, 10), periods=rng.randint(6, 16),
                              scenarios=rng.randint(1, 6), pools=rng.randint(1, 3),
                              tightness=round(rng.uniform(0.3, 1.0), 2), seed=seed,
                              objective=rng.choice(["probability", "value", "earliest"]))
    else:
        plan = planner.from_dict(valid_plan(rng, max_streams=6, max_periods=12))
    names = [None] + [iv.name for iv in plan.interventions]
    return plan, rng.choice(names)


def run(plan, intervention, solver: str) -> dict:
    """One solve through the planner on the plan's own grid (refine=False): status, the MIP's
    objective there (`grid_objective`, what both solvers optimise; the continuous-time answer is
    read from each one's schedule and may differ between two optimal schedules), seconds inside
    the solver and in all (building and verifying too); None when the plan is refused."""
    start = time.perf_counter()
    try:
        r = planner.solve(plan, intervention, solver=solver, gap=1e-9, tie_break=False, refine=False)
    except planner.PlanError as e:
        return {"status": "refused", "objective": None, "seconds": None, "message": str(e)}
    return {"status": r.status, "objective": r.grid_objective, "solver_seconds": r.runtime,
            "seconds": time.perf_counter() - start, "message": r.message}


def verdict(a: dict, b: dict) -> str:
    """agree | disagree | infeasible | refused | error, for the HiGHS and SCIP outcomes a, b."""
    statuses = {a["status"], b["status"]}
    if statuses == {"optimal"}:
        scale = max(1.0, abs(a["objective"]), abs(b["objective"]))
        return "agree" if abs(a["objective"] - b["objective"]) <= TOL * scale else "disagree"
    if statuses == {"infeasible"}:
        return "infeasible"
    if statuses == {"refused"}:
        return "refused"
    if statuses == {"optimal", "infeasible"}:
        return "disagree"
    return "error"


def compare(seed: int) -> tuple[str, dict, dict]:
    plan, intervention = case(seed)
    a, b = run(plan, intervention, "highs"), run(plan, intervention, "scip")
    return verdict(a, b), a, b


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plans", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0, help="first plan seed; plans use seed .. seed+plans-1")
    args = ap.parse_args(argv)
    counts = dict.fromkeys(["agree", "disagree", "infeasible", "refused", "error"], 0)
    times = {"highs": ([], []), "scip": ([], [])}
    start = time.perf_counter()
    for seed in range(args.seed, args.seed + args.plans):
        try:
            kind, a, b = compare(seed)
        except Exception as e:  # a crash is a finding too: count it and go on
            kind, a, b = "error", {"status": f"{type(e).__name__}: {e}"}, {"status": ""}
        counts[kind] += 1
        for solver, r in (("highs", a), ("scip", b)):
            if r.get("seconds") is not None:
                times[solver][0].append(r["solver_seconds"])
                times[solver][1].append(r["seconds"])
        if kind in ("disagree", "error"):
            print(f"{kind}: seed {seed}: highs {a['status']} {a.get('objective')!r}, "
                  f"scip {b['status']} {b.get('objective')!r}  {a.get('message') or b.get('message') or ''}")
    print(f"{args.plans} plans (seeds {args.seed}..{args.seed + args.plans - 1}) in "
          f"{time.perf_counter() - start:.1f} s")
    print(", ".join(f"{k} {v}" for k, v in counts.items()))
    for solver, (inside, total) in times.items():
        if total:
            print(f"{solver}: median {statistics.median(inside) * 1e3:.1f} ms in the solver (max "
                  f"{max(inside):.2f} s), {statistics.median(total) * 1e3:.1f} ms per planner.solve")
    return 1 if counts["disagree"] or counts["error"] else 0


if __name__ == "__main__":
    sys.exit(main())
