"""The NAIVE formulation of the model (docs/model.md), kept as the baseline the planner's formulation is measured against.

It writes the contract's rules the way they read, with none of docs/model.md's choices:

  progress     sum_{tau <= t} step * p[i,tau] * u[i,tau] - effort_i * c[i,t] >= 0   (O(H^2) nonzeros)
  permanence   c[i,t] <= c[i,t+1]
  supply       sum_i crew[i,r] * u[i,t] <= supply[r,t]
  precedence   u[j,t] <= M * c[i, t-1-gap]   for t >= gap+1, one global big-M:
               M = (largest supply of any pool in any period) / (smallest crew coefficient)
  goal         probability: one binary y[s] per deadline scenario, y[s] <= c[i, T_s] for every
               required i, max sum_s p_s y[s]; value: one binary z[s,i] <= c[i, T_s],
               max sum_s p_s value_i z[s,i]; earliest: binary g[t] <= c[i,t], g[t] <= g[t+1],
               g[H-1] = 1, min step * (1 + H - sum_t g[t])

Bounds on u: the rate cap (effort / min_duration / productivity) and max_staff, zero before the
release and where t - 1 - gap < 0 for a predecessor. Nothing else is fixed: no critical-path
windows, no last-useful-period pruning, no completion_order rows, no progress variables w.

Run it as a script to check that it reaches the same optimum as the planner on small plans:

    .venv/bin/python benchmarks/naive.py            # ~12 small plans (default: --check)
    .venv/bin/python benchmarks/naive.py --quick    # 5 of them, 10 s limit
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, print_environment, table, write_json  # noqa: E402

from planner.instance import deadlines
from planner.plan import synthetic  # noqa: E402
from planner.plan.load import load as load_plan  # noqa: E402
from planner.instance.instance import Instance  # noqa: E402
from planner.instance.resolve import resolve  # noqa: E402
from planner.mip.linear import Family, LinearModel  # noqa: E402

INF = np.inf


def build(inst: Instance) -> LinearModel:
    """The naive MIP of one plan variant as a planner LinearModel (loadable by HighsBackend)."""
    lm = LinearModel()
    u = _crew_units(lm, inst)
    c = lm.add_vars("c", (len(inst.streams), inst.periods), 0.0, 1.0, integer=True)
    _cumulative_progress(lm, inst, u, c)
    _pool_supply(lm, inst, u)
    _big_m_precedence(lm, inst, u, c)
    _goal_and_objective(lm, inst, c)
    return lm


def big_m(inst: Instance) -> float:
    """One M for every precedence row: the most crew units any stream could ever field."""
    crew = inst.crew[inst.crew > 0]
    return float(inst.supply.max() / crew.min()) if crew.size and inst.supply.size else 0.0


def _crew_units(lm: LinearModel, inst: Instance) -> np.ndarray:
    S, H = len(inst.streams), inst.periods
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(inst.min_duration > 0, inst.effort / inst.min_duration, INF)  # the contract's cap
        cap = np.where(inst.productivity > 0, rate[:, None] / inst.productivity, INF)
    ub = np.minimum(cap, inst.max_staff[:, None])
    ub[np.arange(H)[None, :] < inst.release_period[:, None]] = 0.0
    for p in inst.precedences:
        ub[p.succ, : min(H, p.gap + 1)] = 0.0
    return lm.add_vars("u", (S, H), 0.0, ub)


def _cumulative_progress(lm: LinearModel, inst: Instance, u: np.ndarray, c: np.ndarray) -> None:
    """sum_{tau <= t} step p[i,tau] u[i,tau] - effort_i c[i,t] >= 0, and c[i,t] <= c[i,t+1]."""
    S, H = u.shape
    t, tau = np.tril_indices(H)                                   # every (t, tau) with tau <= t
    rows = (np.arange(S)[:, None] * H + t[None, :]).ravel()
    cols = u[:, tau].ravel()
    vals = (inst.step * inst.productivity[:, tau]).ravel()
    keep = vals != 0
    rows = np.concatenate([rows[keep], np.arange(S * H)])
    cols = np.concatenate([cols[keep], c.ravel()])
    vals = np.concatenate([vals[keep], -np.repeat(inst.effort, H)])
    lm.families.append(Family("progress_cumulative", rows, cols, vals, np.zeros(S * H), np.full(S * H, INF)))
    if H > 1:
        lm.add_rows("completion_permanent", [(c[:, :-1].ravel(), 1.0), (c[:, 1:].ravel(), -1.0)], -INF, 0.0)


def _pool_supply(lm: LinearModel, inst: Instance, u: np.ndarray) -> None:
    H = inst.periods
    for r in range(len(inst.pools)):
        users = np.flatnonzero(inst.crew[:, r] > 0)
        if users.size:
            lm.add_rows(f"pool_supply[{inst.pools[r]}]",
                        [(u[i], np.full(H, inst.crew[i, r])) for i in users], -INF, inst.supply[r])


def _big_m_precedence(lm: LinearModel, inst: Instance, u: np.ndarray, c: np.ndarray) -> None:
    """u[j,t] <= M c[i, t-1-gap] with the one global M (periods t <= gap are fixed by bounds)."""
    M = big_m(inst)
    for p in inst.precedences:
        t = np.arange(p.gap + 1, inst.periods)
        if t.size:
            lm.add_rows(f"precedence[{inst.streams[p.pred]}->{inst.streams[p.succ]}]",
                        [(u[p.succ, t], 1.0), (c[p.pred, t - 1 - p.gap], -M)], -INF, 0.0)


def _goal_and_objective(lm: LinearModel, inst: Instance, c: np.ndarray) -> None:
    H, required = inst.periods, np.flatnonzero(inst.required)
    if inst.objective == "earliest":
        lb = np.zeros(H)
        lb[-1] = 1.0
        g = lm.add_vars("g", (H,), lb, 1.0, integer=True)
        for i in required:
            lm.add_rows(f"goal[{inst.streams[i]}]", [(g, 1.0), (c[i], -1.0)], -INF, 0.0)
        if H > 1:
            lm.add_rows("goal_permanent", [(g[:-1], 1.0), (g[1:], -1.0)], -INF, 0.0)
        lm.sense, lm.offset = "min", inst.step * (1 + H)
        lm.add_cost(g, -inst.step)
        return
    last = deadlines.last_period(inst.deadline_years, periods=H, step=inst.step)  # T_s per scenario
    met = last >= 0
    lm.sense = "max"
    if inst.objective == "probability":
        y = lm.add_vars("y", (len(last),), 0.0, met.astype(float), integer=True)
        s = np.flatnonzero(met)
        for i in required:
            if s.size:
                lm.add_rows(f"goal[{inst.streams[i]}]", [(y[s], 1.0), (c[i, last[s]], -1.0)], -INF, 0.0)
        lm.add_cost(y, inst.deadline_probs)
    else:  # value
        z = lm.add_vars("z", (len(last), len(inst.streams)), 0.0,
                        np.repeat(met[:, None], len(inst.streams), axis=1).astype(float), integer=True)
        s = np.flatnonzero(met)
        for i in range(len(inst.streams)):
            if s.size:
                lm.add_rows(f"stream_met[{inst.streams[i]}]", [(z[s, i], 1.0), (c[i, last[s]], -1.0)], -INF, 0.0)
        lm.add_cost(z, inst.deadline_probs[:, None] * inst.value[None, :])


# --- the --check mode --------------------------------------------------------------------------

# (streams, periods, scenarios, tightness, seed, objective): small enough for the naive model.
CHECK_PLANS = [
    (6, 16, 4, 0.5, 0, "probability"),
    (8, 20, 5, 0.6, 1, "probability"),
    (10, 20, 6, 0.4, 2, "probability"),
    (8, 20, 5, 0.6, 7, "value"),
    (8, 20, 5, 0.8, 9, "earliest"),
    (10, 24, 6, 0.6, 3, "probability"),
    (12, 24, 8, 0.7, 4, "probability"),
    (12, 30, 8, 0.5, 5, "probability"),
    (15, 30, 8, 0.6, 6, "probability"),
    (10, 24, 6, 0.6, 8, "value"),
    (12, 24, 6, 1.0, 10, "earliest"),
]


def check_plans(quick: bool):
    """(label, plan, intervention) triples: synthetic plans plus the essay's toy model."""
    out = []
    for S, H, K, tight, seed, objective in (CHECK_PLANS[:5] if quick else CHECK_PLANS):
        p = synthetic.plan(streams=S, periods=H, scenarios=K, tightness=tight, seed=seed, objective=objective)
        out.append((f"syn {S}x{H}x{K} t{tight} s{seed} {objective[:4]}", p, None))
        if not quick and seed in (1, 6):
            out.append((f"syn {S}x{H}x{K} t{tight} s{seed} {objective[:4]} +cap", p, "capabilities work"))
    toy = load_plan(ROOT / "models" / "serial_parallel_toy.toml")
    out.append(("toy baseline", toy, None))
    if not quick:
        out.append(("toy capabilities work", toy, "capabilities work"))
        lognormal = load_plan(ROOT / "models" / "serial_parallel_toy_lognormal.toml")
        out.append(("toy lognormal baseline", lognormal, None))
    return out


def solve_naive(inst: Instance, *, time_limit: float, gap: float = 1e-6):
    """Build the naive model and solve it with the planner's HiGHS backend; (lm, raw, build s, solve s)."""
    from planner.solvers.status import SolveOptions
    from planner.solvers.highs import HighsBackend

    backend = HighsBackend()
    start = time.perf_counter()
    lm = build(inst)
    backend.load(lm)
    built = time.perf_counter() - start
    raw = backend.solve(SolveOptions(time_limit=time_limit, gap=gap))
    return lm, raw, built, raw.runtime


def agree(a, b, tol: float = 1e-6) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def run_check(quick: bool, time_limit: float) -> dict:
    from planner.pipeline.session import Model

    rows, results = [], []
    for label, p, iv in check_plans(quick):
        inst = resolve(p, iv)
        lm, raw, nb, ns = solve_naive(inst, time_limit=time_limit)
        m = Model(p, iv)
        res = m.solve(time_limit=time_limit)
        ok = agree(raw.objective, res.objective) and raw.status == res.status
        mark = "agree" if ok else "DIFFER"
        if ok and raw.status != "optimal":
            mark = "agree (" + raw.status + ")"
        rows.append([label, lm.num_nonzeros, m.linear_model.num_nonzeros,
                     _obj(raw.objective), _obj(res.objective), raw.status, res.status,
                     ns, res.runtime, mark])
        results.append(dict(plan=label, naive_nonzeros=lm.num_nonzeros, planner_nonzeros=m.linear_model.num_nonzeros,
                            naive_objective=raw.objective, planner_objective=res.objective,
                            naive_status=raw.status, planner_status=res.status,
                            naive_solve_s=ns, planner_solve_s=res.runtime, agree=ok))
        print(f"  {label}: {mark}", file=sys.stderr, flush=True)
    print(table(["plan", "nz naive", "nz planner", "obj naive", "obj planner", "naive", "planner",
                 "naive s", "planner s", "check"], rows,
                title=f"\nNaive vs planner optimum (planner: Model(plan).solve(), tie_break=True; "
                      f"time limit {time_limit:g} s; agreement within 1e-6 relative)"))
    n_ok = sum(r["agree"] for r in results)
    print(f"\n{n_ok} of {len(results)} plans agree"
          + ("" if n_ok == len(results) else f"; DIFFER: {[r['plan'] for r in results if not r['agree']]}"))
    return {"check": results, "agree": n_ok, "plans": len(results)}


def _obj(v):
    return "-" if v is None else f"{v:.6f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="compare optima with the planner (the default action)")
    ap.add_argument("--quick", action="store_true", help="5 small plans, 10 s limit (< 60 s)")
    ap.add_argument("--time-limit", type=float, default=None, help="seconds per solve (60; 10 with --quick)")
    ap.add_argument("--json-out", help="write the results as JSON")
    args = ap.parse_args(argv)
    limit = args.time_limit if args.time_limit is not None else (10.0 if args.quick else 60.0)
    print_environment()
    out = run_check(args.quick, limit)
    write_json(args.json_out, {"script": "naive.py", "quick": args.quick, "time_limit": limit, **out})
    return 0 if out["agree"] == out["plans"] else 1


if __name__ == "__main__":
    sys.exit(main())
