"""Growth dynamics (docs/model.md): diminishing returns on crew size, and field-building.

- `parallelization = a < 1`: a period's progress is made of effective crew units p <= u ** a, the
  piecewise-linear interpolation of u ** a through `breakpoints` (`parallelization`), made exact
  where an under-count would mislead (fixed crews, whole people who train);
- `train`: a stream's progress adds FTE to a pool, after a lag and less attrition (`training`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from planner.mip.linear import INF, LinearModel
from planner.structure import progress_cap

if TYPE_CHECKING:  # annotations only: importing it at run time would load the plan schema (pydantic)
    from planner.instance.instance import Instance


def breakpoints(bound: float, extra: Iterable[float] = ()) -> np.ndarray:
    """The crew units at which the piecewise-linear progress of a stream with parallelization < 1
    is exact (docs/model.md): 0, the powers sqrt(2) ** k (k >= -8, so 1/16, ..., 1, sqrt(2), 2,
    ...) below `bound`, `bound` itself (the period's staff bound), and any `extra` point inside
    (0, bound) (a stream's staffing floor, a fixed crew's size). Points closer than 1e-9
    (relative) to another are merged. Between two grid points (ratio sqrt(2)) the interpolation is
    at most 0.374% below u ** a, for any a (largest at a = 0.5)."""
    if not bound > 0:
        return np.zeros(1)
    k = np.arange(-8, int(np.ceil(2 * np.log2(bound))) + 1)
    grid = 2.0 ** (k / 2)  # even k exactly: 1/16, 1/8, ..., 1, 2, 4, ...
    inside = [e for e in extra if 0 < e < bound]
    points = np.unique(np.concatenate([[0.0], grid[grid < bound], inside]))
    points = points[np.r_[True, np.diff(points) > 1e-9 * np.maximum(1.0, points[1:])]]
    return np.append(points[(points == 0) | (points < bound - 1e-9 * max(1.0, bound))], bound)


def parallelization(
    lm: LinearModel, inst: Instance, window: tuple[np.ndarray, np.ndarray], u: np.ndarray
) -> np.ndarray:
    """Diminishing returns (`parallelization = a < 1`): a period's progress is step * productivity
    * u ** a. u ** a is concave, so its piecewise-linear interpolation through `breakpoints` is
    the minimum of its chords: p[i,t] <= slope_k u[i,t] + intercept_k for each segment k bounds
    the effective crew units p, with no binaries. It is exact at the breakpoints and below u ** a
    between them (never over-states progress; `_exact_crews` makes it exact where an under-count
    would mislead). Returns the block progress is made of: p for these
    streams, u for the others."""
    dim = inst.diminishing
    if not dim.any():
        return u
    S, H = u.shape
    first, last = window
    bound = inst.staff_bound
    top = np.where(dim[:, None], inst.progress_per_unit(bound), 0.0)
    p = lm.add_window_vars("p", np.where(dim, first, H), np.where(dim, last, -1), H, 0.0, top, carry=False)
    own = inst.own_cap
    assert inst.fixed_crew is not None and inst.parallelization is not None  # Instance.__post_init__ fills these in
    ps, us, slopes, intercepts = [], [], [], []
    for i, t in zip(*np.nonzero(p >= 0)):
        extra = [inst.floor[i]] + ([own[i, t]] if inst.fixed_crew[i] else [])
        b = breakpoints(float(bound[i, t]), extra)
        if b.size < 2:
            continue  # no crew units: p's bound is 0
        f = b ** inst.parallelization[i]
        slope = np.diff(f) / np.diff(b)
        ps.append(np.full(slope.size, p[i, t]))
        us.append(np.full(slope.size, u[i, t]))
        slopes.append(slope)
        intercepts.append(f[:-1] - slope * b[:-1])
    if ps:
        lm.add_rows(
            "parallelization",
            [(np.concatenate(ps), 1.0), (np.concatenate(us), -np.concatenate(slopes))],
            -INF,
            np.concatenate(intercepts),
        )
    _exact_crews(lm, inst, u, p)
    return np.where(dim[:, None], p, u)


def whole_step(inst: Instance, i: int) -> float | None:
    """The smallest crew units q > 0 that are whole people from every `integer_staff` pool of
    stream i (u must be a multiple of q), or None if no multiple up to 1000 people is."""
    pools = np.flatnonzero(inst.integer_staff[i])
    base = inst.crew[i, pools[0]]
    for n in range(1, 1001):
        q = n / base
        fte = inst.crew[i, pools] * q
        if np.all(np.abs(fte - np.round(fte)) <= 1e-9 * np.maximum(1.0, fte)):
            return q
    return None


def _exact_crews(lm: LinearModel, inst: Instance, u: np.ndarray, p: np.ndarray) -> None:
    """p = u ** a exactly for the diminishing streams whose reported crew cannot be trimmed to the
    progress the model counts (polish.crew_units): the chord rows only bound p from above, and a
    crew that counts less than it makes is no plan when it trains people who leave (the model
    could time their training to dodge attrition that the real progress would not).
    - a fixed crew is 0 or K: p = (K ** a / K) u, one row;
    - a training stream of whole people: u = q (b_1 + ... + b_M), b_m binary, b_m >= b_{m+1},
      p = sum_m (f(m q) - f((m - 1) q)) b_m with f = u ** a (q: `whole_step`). The increments
      fall (f is concave), so the b's are the first u / q and p is f(u) at every whole crew."""
    own = inst.own_cap
    a = inst.parallelization
    assert a is not None and inst.fixed_crew is not None  # Instance.__post_init__ fills these in
    fixed = inst.diminishing & inst.fixed_crew
    fi, ft = np.nonzero((p >= 0) & fixed[:, None] & (own > 0) & np.isfinite(own))
    if fi.size:
        K = own[fi, ft]
        lm.add_rows("exact_fixed_crew", [(p[fi, ft], 1.0), (u[fi, ft], -(K ** (a[fi] - 1.0)))], 0.0, 0.0)
    whole = inst.diminishing & ~inst.fixed_crew & inst.trains & inst.integer_staff.any(axis=1)
    for i in map(int, np.flatnonzero(whole)):
        q = whole_step(inst, i)
        t = np.flatnonzero(p[i] >= 0)
        if q is None or t.size == 0:
            continue
        M = np.floor(inst.staff_bound[i, t] / q + 1e-9).astype(int)
        levels = int(M.max())
        if levels == 0:
            continue
        m = np.arange(1, levels + 1)
        b = lm.add_vars(
            f"whole_crew[{inst.streams[i]}]",
            (t.size, levels),
            0.0,
            (m[None, :] <= M[:, None]).astype(float),
            integer=True,
        )
        gain = (m * q) ** a[i] - ((m - 1) * q) ** a[i]
        lm.add_rows(
            f"whole_crew_units[{inst.streams[i]}]", [(u[i, t], 1.0)] + [(b[:, k], -q) for k in range(levels)], 0.0, 0.0
        )
        lm.add_rows(
            f"whole_crew_progress[{inst.streams[i]}]",
            [(p[i, t], 1.0)] + [(b[:, k], -gain[k]) for k in range(levels)],
            0.0,
            0.0,
        )
        if levels > 1:
            lm.add_rows(
                f"whole_crew_order[{inst.streams[i]}]", [(b[:, :-1].ravel(), -1.0), (b[:, 1:].ravel(), 1.0)], -INF, 0.0
            )


def training(
    lm: LinearModel, inst: Instance, window: tuple[np.ndarray, np.ndarray], w: np.ndarray, c: np.ndarray
) -> np.ndarray | None:
    """Field-building (`train`): k[i,t], the FTE stream i's progress has trained for its pool that
    are there in period t. Progress in period tau (counted up to the effort) joins d_i =
    instance.train_lag periods later and a share s_i = (1 - attrition) ** step of it stays each
    further period:
        k[i,t] = s_i k[i,t-1] + per_effort_i (y[i,t-d_i] - y[i,t-d_i-1]),
    with y the stream's progress counted up to its effort: w itself, except for a discrete stream,
    whose w may pass the effort in its last period; there y[i,t] = min(w, effort) by
    y <= w, y >= w - (cap - effort) c[i,t], y >= effort c[i,t] (y <= effort as a bound).
    k exists from the stream's earliest start plus d_i to the horizon's end (trained people stay
    after the stream's window); formulation's `_pool_supply` adds it to the pool. Returns k (S, H), or None."""
    trains = inst.trains
    assert inst.train_per_effort is not None  # Instance.__post_init__ fills it in
    if not trains.any():
        return None
    S, H = w.shape
    first, last = window
    effort = inst.effort[:, None] * np.ones((1, H))
    y = w
    disc = trains & inst.discrete
    if disc.any():
        yd = lm.add_window_vars("y", np.where(disc, first, H), np.where(disc, last, -1), H, 0.0, effort)
        own = np.arange(H)[None, :]
        i, t = np.nonzero((own >= first[:, None]) & (own <= last[:, None]) & disc[:, None])
        over = progress_cap(inst)[i] - inst.effort[i]
        lm.add_rows("training_counted_below_progress", [(yd[i, t], 1.0), (w[i, t], -1.0)], -INF, 0.0)
        lm.add_rows("training_counted_to_effort", [(yd[i, t], 1.0), (w[i, t], -1.0), (c[i, t], over)], 0.0, INF)
        lm.add_rows("training_counted_once_complete", [(yd[i, t], 1.0), (c[i, t], -inst.effort[i])], 0.0, INF)
        y = np.where(disc[:, None], yd, w)
    d = inst.train_lag
    start = np.where(trains & (first < H), first + d, H)
    k = lm.add_window_vars(
        "k",
        start,
        np.where(trains, H - 1, -1),
        H,
        0.0,
        (inst.train_per_effort * inst.effort)[:, None] * np.ones((1, H)),
        carry=False,
    )
    i, t = np.nonzero(k >= 0)
    prev_k = np.where(t > start[i], k[i, np.maximum(t - 1, 0)], -1)
    now = y[i, t - d[i]]
    before = np.where(t - d[i] - 1 >= 0, y[i, np.maximum(t - d[i] - 1, 0)], -1)
    same = now == before  # a value carried past the window: no progress that period
    now, before = np.where(same, -1, now), np.where(same, -1, before)
    pe = inst.train_per_effort[i]
    lm.add_rows("training", [(k[i, t], 1.0), (prev_k, -inst.survival[i]), (now, -pe), (before, pe)], 0.0, 0.0)
    return k
