"""The mixed-integer program of docs/model.md, built as whole arrays: one function per constraint family.

Variables (each indexed by stream i and period t, or by t alone):
  u[i,t]  crew units on stream i in period t (continuous, bounds carry release, rate cap, max_staff)
  w[i,t]  effective progress of stream i by the end of period t (running total)
  c[i,t]  binary: stream i complete by the end of period t
  g[t]    goal met by the end of period t (continuous, integral at any optimum since c is)
  p[i,t]  effective crew units of a stream with parallelization a < 1: at most the piecewise-linear
          interpolation of u ** a (`growth.parallelization`); its progress is made of p instead of u
  k[i,t]  FTE stream i's `train` has added to its pool, still there in period t (`growth.training`)

Each stream has a window of periods in which it can usefully work: from its earliest start on the
critical path to the latest finish that still lets the goal count (structure.py). Only periods in
the window get columns: before it a variable is 0, after it progress and completion keep their
value at the window's end, so later periods refer to that last column. A chain of 300 streams
then has a few periods per stream instead of 300, and no solver has to discover that itself.

The formulation is solver-neutral: `build()` returns a `LinearModel` (linear.py: bounds, sparse
rows, costs) that a backend loads into HiGHS or SCIP directly or transcribes into Pyomo. This file
holds `build` and the core families (crew units, progress, completion, pool supply, staffing,
precedence, completion order, goal, milestones, objective); growth.py the growth dynamics,
rigid.py the rows of rigid streams, target.py the "goal by period T" model, levels.py the joint
model over an intervention's levels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from planner.mip import growth, rigid
from planner.mip.linear import INF, LinearModel
from planner.structure import NEVER, CriticalPath, critical_path, last_useful_period, progress_cap, windows

if TYPE_CHECKING:  # annotations only: importing it at run time would load the plan schema (pydantic)
    from planner.instance.instance import Instance, Precedence


def build(
    inst: Instance, cp: CriticalPath | None = None, window: tuple[np.ndarray, np.ndarray] | None = None
) -> LinearModel:
    """The whole MIP for one plan variant. Its constraint families, in the order they are added:

    `work` (the part `build_target` shares): crew units, parallelization (growth.py), progress,
      completion, training (growth.py), pool supply, incompatible (rigid.py), staffing (with
      rigid.rigid_runs), precedence, completion order;
    then goal, objective, milestones. `window` (first, last period per stream) replaces the
    structure's windows: a policy's outcome scenarios (mip/policy.py) share one per attempt.
    """
    cp = cp or critical_path(inst)
    lm = LinearModel()
    c = work(lm, inst, cp, window or windows(inst, cp))
    g = _goal(lm, inst, cp, c)
    _objective(lm, inst, c, g)
    _milestones(lm, inst, c)
    return lm


def work(lm: LinearModel, inst: Instance, cp: CriticalPath, window: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """The families `build` and `build_target` (target.py) share, inside `window` (first, last
    period per stream), in order. Which streams are rigid (`rigid.rigid_periods`) is decided once
    here. Returns the completion block c."""
    d = rigid.rigid_periods(inst, window)
    lean = rigid.lean_of(inst, d)
    u = _crew_units(lm, inst, window)
    x = growth.parallelization(lm, inst, window, u)
    w = _progress(lm, inst, window, x, lean)
    c = _completion(lm, inst, cp, window, w, lean)
    trained = growth.training(lm, inst, window, w, c)
    _pool_supply(lm, inst, u, trained)
    rigid.incompatible(lm, inst, window, u, d)
    _staffing(lm, inst, window, u, c, d, lean)
    _precedence(lm, inst, window, w, c, lean)
    _any_precedence(lm, inst, window, u, c)
    _completion_order(lm, inst, cp, window, c)
    return c


def _crew_units(lm: LinearModel, inst: Instance, window: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """u[i,t] inside the window, bounded by the rate cap, max_staff, pool supply and release."""
    first, last = window
    return lm.add_window_vars("u", first, last, inst.periods, 0.0, inst.staff_bound, carry=False)


def _progress(
    lm: LinearModel, inst: Instance, window: tuple[np.ndarray, np.ndarray], u: np.ndarray, lean: np.ndarray
) -> np.ndarray:
    """Running total: w[i,t] - w[i,t-1] - step * productivity[i,t] * u[i,t] = 0 inside the window
    (`u` is the effective crew units: p for a stream with parallelization < 1,
    `growth.parallelization`).

    w is capped at the effort: work past it is useless, and the cap makes `_precedence` exact.
    A discrete stream's cap is one period's work higher (`progress_cap`): its last period may do
    more than the work left, and `_staffing` forbids work once it is complete.
    """
    S, H = u.shape
    first, last = window  # `lean` streams (`rigid.lean_streams`) have no progress columns
    w = lm.add_window_vars(
        "w",
        np.where(lean, H, first),
        np.where(lean, -1, last),
        H,
        0.0,
        np.repeat(progress_cap(inst)[:, None], H, axis=1),
    )
    i, t = np.nonzero((u >= 0) & ~lean[:, None])
    prev = np.where(t > 0, w[i, np.maximum(t - 1, 0)], -1)
    prev = np.where(t > first[i], prev, -1)  # the window's first period starts from 0
    lm.add_rows("progress", [(w[i, t], 1.0), (prev, -1.0), (u[i, t], -inst.step * inst.productivity[i, t])], 0.0, 0.0)
    return w


def _completion(
    lm: LinearModel,
    inst: Instance,
    cp: CriticalPath,
    window: tuple[np.ndarray, np.ndarray],
    w: np.ndarray,
    lean: np.ndarray,
) -> np.ndarray:
    """c[i,t] = 1 only if w[i,t] >= effort_i; completion is permanent (c[i,t] <= c[i,t+1]).
    c exists from the stream's earliest finish to the end of its window."""
    S, H = w.shape
    _, last = window
    first = np.where(cp.earliest_finish == NEVER, H, cp.earliest_finish)
    c = lm.add_window_vars("c", first, last, H, 0.0, 1.0, integer=True)
    own = np.arange(H)[None, :]
    # a lean stream's completion is its start's (`rigid.rigid_runs`)
    i, t = np.nonzero((own >= first[:, None]) & (own <= last[:, None]) & ~lean[:, None])
    lm.add_rows("completion", [(w[i, t], 1.0), (c[i, t], -inst.effort[i])], 0.0, INF)
    nxt = t < last[i]
    lm.add_rows("completion_permanent", [(c[i[nxt], t[nxt]], 1.0), (c[i[nxt], t[nxt] + 1], -1.0)], -INF, 0.0)
    return c


def _pool_supply(lm: LinearModel, inst: Instance, u: np.ndarray, trained: np.ndarray | None = None) -> None:
    """sum_i crew[i,r] * u[i,t] <= supply[r,t] + sum of k[j,t] over the streams j training for r
    (`growth.training`), one row per pool and period in which anyone works."""
    H = inst.periods
    for r in range(len(inst.pools)):
        users = np.flatnonzero(inst.crew[:, r] > 0)
        if users.size == 0:
            continue
        grown = (
            [] if trained is None else [(trained[j], np.full(H, -1.0)) for j in np.flatnonzero(inst.train_pool == r)]
        )
        lm.add_rows(
            f"pool_supply[{inst.pools[r]}]",
            [(u[i], np.full(H, inst.crew[i, r])) for i in users] + grown,
            -INF,
            inst.supply[r],
        )


def _staffing(
    lm: LinearModel,
    inst: Instance,
    window: tuple[np.ndarray, np.ndarray],
    u: np.ndarray,
    c: np.ndarray,
    d: np.ndarray,
    lean: np.ndarray,
) -> None:
    """Discrete staffing, for the streams that ask for it (instance.discrete); B = u's bound.

    - every discrete stream: no work once complete, u[i,t] <= B (1 - c[i,t-1]);
    - `min_staff = m`: z[i,t] binary "worked", m z <= u <= B z (z = 0 where B < m);
    - `fixed_crew`: u = K z with K the stream's own cap (instance.own_cap; z = 0 where the pools
      cannot supply K);
    - `contiguous`: s[i,t] binary "started by t", non-decreasing; u <= B s, and while started and
      not complete by the period's end, u >= floor (s - c[i,t]) (instance.floor): so the periods
      it is worked form one run, each but the last with at least its floor;
    - `integer_staff` pools: n[i,r,t] integer, crew[i,r] u[i,t] = n (whole people).
    """
    S, H = u.shape
    first, last = window
    bound = inst.staff_bound
    assert (
        inst.min_staff is not None and inst.fixed_crew is not None and inst.contiguous is not None
    )  # Instance.__post_init__ fills these in
    discrete = inst.discrete
    if not discrete.any():
        return
    i, t = np.nonzero((u >= 0) & (discrete & ~lean)[:, None])
    prev_c = np.where(t > 0, c[i, np.maximum(t - 1, 0)], -1)
    i, t, prev_c = i[prev_c >= 0], t[prev_c >= 0], prev_c[prev_c >= 0]
    B = bound[i, t]
    lm.add_rows("no_work_once_complete", [(u[i, t], 1.0), (prev_c, B)], -INF, B)

    tol = 1e-9
    own = np.where(np.isfinite(inst.own_cap), inst.own_cap, 0.0)
    lumpy = ((inst.min_staff > 0) | inst.fixed_crew) & ~lean
    need = np.where(inst.fixed_crew[:, None], own, inst.min_staff[:, None])  # (S, H) u when worked
    possible = (need <= bound * (1 + tol) + tol) & (need > 0)
    z = lm.add_window_vars(
        "z",
        np.where(lumpy, first, H),
        np.where(lumpy, last, -1),
        H,
        0.0,
        possible.astype(float),
        integer=True,
        carry=False,
    )
    k, s_ = np.nonzero((z >= 0) & inst.fixed_crew[:, None])
    lm.add_rows("fixed_crew", [(u[k, s_], 1.0), (z[k, s_], -need[k, s_])], 0.0, 0.0)
    k, s_ = np.nonzero((z >= 0) & ~inst.fixed_crew[:, None])
    lm.add_rows("min_staff", [(u[k, s_], 1.0), (z[k, s_], -inst.min_staff[k])], 0.0, INF)
    lm.add_rows("worked_only_if_chosen", [(u[k, s_], 1.0), (z[k, s_], -bound[k, s_])], -INF, 0.0)

    cont = inst.contiguous
    s = lm.add_window_vars(
        "s", np.where(cont, first, H), np.where(cont, last, -1), H, 0.0, 1.0, integer=True, carry=False
    )
    k, s_ = np.nonzero((s >= 0) & ~lean[:, None])
    lm.add_rows("contiguous_cap", [(u[k, s_], 1.0), (s[k, s_], -bound[k, s_])], -INF, 0.0)
    lm.add_rows("contiguous_floor", [(u[k, s_], 1.0), (s[k, s_], -inst.floor[k]), (c[k, s_], inst.floor[k])], 0.0, INF)
    k, s_ = np.nonzero(s >= 0)
    nxt = (s_ < last[k]) & (s[k, np.minimum(s_ + 1, H - 1)] >= 0)
    lm.add_rows("contiguous_started", [(s[k[nxt], s_[nxt]], 1.0), (s[k[nxt], s_[nxt] + 1], -1.0)], -INF, 0.0)

    rigid.rigid_runs(lm, inst, window, u, c, s, need, d)  # all a lean stream has

    whole = inst.integer_staff
    for r in np.flatnonzero(whole.any(axis=0)):
        users = whole[:, r]
        n = lm.add_window_vars(
            f"n[{inst.pools[r]}]",
            np.where(users, first, H),
            np.where(users, last, -1),
            H,
            0.0,
            np.floor(inst.crew[:, r : r + 1] * bound + 1e-9),
            integer=True,
            carry=False,
        )
        k, s_ = np.nonzero(n >= 0)
        lm.add_rows(f"integer_staff[{inst.pools[r]}]", [(u[k, s_], inst.crew[k, r]), (n[k, s_], -1.0)], 0.0, 0.0)


def _precedence(
    lm: LinearModel,
    inst: Instance,
    window: tuple[np.ndarray, np.ndarray],
    w: np.ndarray,
    c: np.ndarray,
    lean: np.ndarray,
) -> None:
    """w[j,t] <= effort_j * c[i, t-1-gap]: no progress on j until i is complete and the lag passed.

    Bounding j's progress so far (rather than each period's crew units with a big-M) is exact,
    since w is capped at the effort and periods without productivity have no crew units, and it
    is the tighter relaxation. Rows run over j's window (its earliest start already waits for i).
    One family for all pairs (one call, not one per pair), its rows named by pair.
    """
    first, last = window
    # a lean stream's precedence is `_completion_order`'s
    spans = [
        (p, np.arange(max(first[p.succ], p.gap + 1), last[p.succ] + 1)) for p in inst.precedences if not lean[p.succ]
    ]
    cap = progress_cap(inst)
    _pairwise(
        lm,
        inst,
        "precedence",
        [(p, t, t - 1 - p.gap) for p, t in spans],
        lambda p: (w[p.succ], 1.0, c[p.pred], -cap[p.succ]),
    )


def _any_precedence(
    lm: LinearModel, inst: Instance, window: tuple[np.ndarray, np.ndarray], u: np.ndarray, c: np.ndarray
) -> None:
    """`after = [{ any = [...] }]`: u[j,t] <= B[j,t] * sum_m c[m, t-1-gap] (B = u's bound): no crew
    on j until one member is complete (the sum is at least 1 exactly then, each c being binary).
    On crew units rather than progress, so it holds for every kind of stream, rigid ones too."""
    first, last = window
    for a in inst.any_after:
        j = a.succ
        t = np.arange(max(int(first[j]), 0), int(last[j]) + 1)
        if t.size == 0:
            continue
        s = t - 1 - a.gap
        members = [(np.where(s >= 0, c[m, np.maximum(s, 0)], -1), -inst.staff_bound[j, t]) for m in a.members]
        lm.add_rows(f"any_precedence[{inst.streams[j]}]", [(u[j, t], 1.0), *members], -INF, 0.0)


def _completion_order(
    lm: LinearModel, inst: Instance, cp: CriticalPath, window: tuple[np.ndarray, np.ndarray], c: np.ndarray
) -> None:
    """c[j,t] <= c[i, t-gap-d_j]: j complete by t means i was complete by t-gap-d_j, where d_j is
    the fewest periods j can take (its rate cap). Implied by the integer model, not by its
    relaxation: it links the completion indicators directly. One row per period of j's c."""
    _, last = window
    d = inst.fewest_periods
    spans = []
    for p in inst.precedences:
        off = p.gap + int(d[p.succ])
        if cp.earliest_finish[p.succ] != NEVER:
            t = np.arange(max(int(cp.earliest_finish[p.succ]), off), last[p.succ] + 1)
            spans.append((p, t, t - off))
    _pairwise(lm, inst, "completion_order", spans, lambda p: (c[p.succ], 1.0, c[p.pred], -1.0))


def _pairwise(
    lm: LinearModel,
    inst: Instance,
    name: str,
    spans: list[tuple[Precedence, np.ndarray, np.ndarray]],
    blocks: Callable[[Precedence], tuple[np.ndarray, float, np.ndarray, float]],
) -> None:
    """Rows `a * X[succ, t] + b * Y[pred, s] <= 0` for every precedence and its periods (t, s), as one
    family named by pair; `blocks(p)` gives (X, a, Y, b)."""
    spans = [(p, t, s) for p, t, s in spans if t.size]
    if not spans:
        return
    xs, ys, av, bv, group = [], [], [], [], []
    for k, (p, t, s) in enumerate(spans):
        x, a, y, b = blocks(p)
        xs.append(x[t])
        ys.append(y[s])
        av.append(np.full(t.size, a))
        bv.append(np.full(t.size, b))
        group.append(np.full(t.size, k))
    labels = [f"{inst.streams[p.pred]}->{inst.streams[p.succ]}" for p, _, _ in spans]
    lm.add_rows(
        name,
        [(np.concatenate(xs), np.concatenate(av)), (np.concatenate(ys), np.concatenate(bv))],
        -INF,
        0.0,
        groups=(np.concatenate(group), labels),
    )


def _goal(lm: LinearModel, inst: Instance, cp: CriticalPath, c: np.ndarray) -> np.ndarray:
    """g[t] <= c[i,t] for every required stream i, and g[t] <= g[t+1]; g exists from the earliest
    period the goal can be met to the last period that counts.

    For `probability`, g exists only at the periods where a deadline scenario falls (the only ones
    the objective counts), and is binary: branching on "the goal is met by this deadline" is the
    decision that moves the bound most (fixing it to 1 makes every stream the goal waits on do its
    whole effort in time), and a continuous g leaves the solver only the c's to branch on. On a
    27-stream, 77-period crew plan this took the bound after 30 s from 0.63 to 0.19 (the optimum is
    0.18). For `earliest`, g exists at every period (its sum is the objective) and stays
    continuous: it is integral at any optimum because c is."""
    H = inst.periods
    first = H if cp.goal_finish == NEVER else cp.goal_finish
    last = last_useful_period(inst)
    lb = np.zeros((1, H))
    if inst.objective == "earliest":
        lb[0, -1] = 1.0  # the goal must be met inside the horizon
        if first > last:  # it cannot be: say so with a row no plan satisfies (0 >= 1)
            lm.add_rows("goal_inside_horizon", [(np.array([-1]), 0.0)], 1.0, INF)
        g = lm.add_window_vars("g", [first], [last], H, lb, 1.0)[0]
        t = np.arange(first, last + 1)
    else:
        counted = (inst.weights > 0) & (np.arange(H) >= first) & (np.arange(H) <= last)
        g = np.full(H, -1)
        t = np.flatnonzero(counted)
        g[t] = lm.add_vars("g", (t.size,), 0.0, 1.0, integer=inst.objective == "probability")
    lm.blocks["g"].index = g  # a single row: index it by period alone
    req = np.flatnonzero(inst.required)
    ii, tt = np.repeat(req, t.size), np.tile(t, req.size)
    lm.add_rows("goal", [(g[tt], 1.0), (c[ii, tt], -1.0)], -INF, 0.0)
    for k, group in enumerate(inst.any_required):  # `{ any = [...] }`: g[t] <= sum of the members' c
        lm.add_rows(f"goal_any[{k}]", [(g[t], 1.0), *[(c[m, t], -1.0) for m in group]], -INF, 0.0)
    lm.add_rows("goal_permanent", [(g[t[:-1]], 1.0), (g[t[1:]], -1.0)], -INF, 0.0)
    return g


def _milestones(lm: LinearModel, inst: Instance, c: np.ndarray) -> None:
    """[[goals]] (value objective): h[k,t] <= c[i,t] for each stream i of milestone k, at the
    periods a deadline scenario counts; the objective gains value_k * weight[t] * h[k,t]. h is
    continuous: at an optimum it is the smallest of its c's, which are binary."""
    M = len(inst.milestones)
    assert (
        inst.milestone_streams is not None and inst.milestone_value is not None
    )  # Instance.__post_init__ fills these in
    t = np.flatnonzero(inst.weights > 0)
    if M == 0 or t.size == 0:
        return
    h = lm.add_vars("h", (M, t.size), 0.0, 1.0)
    for k in range(M):
        streams = np.flatnonzero(inst.milestone_streams[k])
        ii, tt = np.repeat(streams, t.size), np.tile(np.arange(t.size), streams.size)
        lm.add_rows(f"milestone[{inst.milestones[k]}]", [(h[k, tt], 1.0), (c[ii, t[tt]], -1.0)], -INF, 0.0)
    lm.add_cost(h, inst.milestone_value[:, None] * inst.weights[t][None, :])


def _objective(lm: LinearModel, inst: Instance, c: np.ndarray, g: np.ndarray) -> None:
    """probability: max sum_t w[t] g[t]; value: max sum_i,t value_i w[t] c[i,t];
    earliest: min step * (1 + H - sum_t g[t]), the end of the first period with g = 1."""
    H = inst.periods
    if inst.objective == "probability":
        lm.sense = "max"
        lm.add_cost(g, inst.weights)
    elif inst.objective == "value":
        lm.sense = "max"
        lm.add_cost(c, inst.value[:, None] * inst.weights[None, :])
    else:
        lm.sense = "min"
        lm.offset = inst.step * (1 + H)
        lm.add_cost(g, -inst.step)
