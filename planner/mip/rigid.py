"""Rigid streams: contiguous, with a fixed crew, their cap and productivity constant over their window.

Such a stream works one unbroken run of a fixed number of periods at a fixed crew, so a plan of
it is its start alone. The MIP gives it the step formulation (`rigid_runs`) and, between rigid
streams whose crews together exceed a pool, one clique row per period (`incompatible`); the
project-scheduling machinery (planner/rcpsp/) reads the same run lengths, crews and clashes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from planner.mip.linear import INF, LinearModel

if TYPE_CHECKING:  # annotations only: importing it at run time would load the plan schema (pydantic)
    from planner.instance.instance import Instance


def rigid_periods(inst: Instance, window: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """(S,) for a rigid stream (contiguous with a fixed crew, its cap and productivity constant over
    its window, and whole people from any `integer_staff` pool) the periods d its run takes:
    ceil(effort / (step p K ** a)), a its parallelization (a crew of K makes K ** a effective crew
    units); 0 for any other stream."""
    first, last = window
    d = np.zeros(len(inst.streams), int)
    own = inst.own_cap
    assert (
        inst.contiguous is not None and inst.fixed_crew is not None and inst.parallelization is not None
    )  # Instance.__post_init__ fills these in
    for i in np.flatnonzero(inst.contiguous & inst.fixed_crew):
        if last[i] < first[i]:
            continue
        span = slice(int(first[i]), int(last[i]) + 1)
        K, p = own[i, span], inst.productivity[i, span]
        if np.ptp(K) > 1e-12 * max(1.0, K.max()) or np.ptp(p) > 1e-12 or K[0] * p[0] <= 0:
            continue
        fte = inst.crew[i, inst.integer_staff[i]] * K[0]
        if np.any(np.abs(fte - np.round(fte)) > 1e-9 * np.maximum(1.0, fte)):
            continue  # not whole people: the crew can never work (`_staffing`'s rows say so)
        d[i] = int(np.ceil(inst.effort[i] / (inst.step * p[0] * K[0] ** inst.parallelization[i]) - 1e-9))
    return d


def lean_streams(inst: Instance, window: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """(S,) rigid streams (`rigid_periods`) that need nothing but the step formulation: their run
    is their start alone (`rigid_runs`), and formulation.py's `_completion_order` with d_j their run length is their
    precedence, so they get no progress columns and none of the rows those would feed (progress,
    completion, the staffing rows of `_staffing`, `_precedence`). The integer plans are the same;
    the model is a fraction of the size (a 30-job project's target: 18,000 rows down to 7,500),
    which HiGHS's presolve otherwise spends seconds taking apart. Not a stream that trains (its
    progress feeds its pool)."""
    return lean_of(inst, rigid_periods(inst, window))


def lean_of(inst: Instance, d: np.ndarray) -> np.ndarray:
    """`lean_streams` from run lengths `d` already found (`rigid_periods`)."""
    return (d > 0) & ~inst.trains & (inst.fewest_periods == d)


def rigid_crews(
    inst: Instance, window: tuple[np.ndarray, np.ndarray], streams: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(K, need) of rigid `streams`: the crew units K each works at (constant over its window)
    and need (len(streams), R), the FTE it draws from each pool while running."""
    K = inst.own_cap[streams, np.clip(window[0][streams], 0, inst.periods - 1)]
    return K, inst.crew[streams] * K[:, None]


def clashes(need: np.ndarray, supply: np.ndarray) -> np.ndarray:
    """(m, m) bool: which pairs of rigid streams (rows of `need`) can never run in the same period,
    their crews together exceeding some pool's largest `supply` (R, H)."""
    peak = supply.max(axis=1)
    clash = np.any(need[:, None, :] + need[None, :, :] > peak * (1 + 1e-9) + 1e-9, axis=2)
    np.fill_diagonal(clash, False)
    return clash


def rigid_runs(
    lm: LinearModel,
    inst: Instance,
    window: tuple[np.ndarray, np.ndarray],
    u: np.ndarray,
    c: np.ndarray,
    s: np.ndarray,
    need: np.ndarray,
    d: np.ndarray,
) -> None:
    """A rigid stream's run is its start alone (the step formulation of time-indexed scheduling):
    u[i,t] = K (s[i,t] - s[i,t-d]) and c[i,t] = s[i,t-d+1]. Its integer plans are those of the rows
    above with completion marked when it happens; the relaxation is much tighter, since a fraction
    of a start now carries a whole run with it, and `_completion_order` then reads as the classic
    start-time precedence s[j,t] <= s[i,t-d_i-gap]."""
    first, last = window
    for i in np.flatnonzero(d):
        t = np.arange(first[i], last[i] + 1)
        back = np.where(t - d[i] >= 0, s[i, np.maximum(t - d[i], 0)], -1)
        K = need[i, t]
        lm.add_rows(f"rigid_run[{inst.streams[i]}]", [(u[i, t], 1.0), (s[i, t], -K), (back, K)], 0.0, 0.0)
        t = t[c[i, t] >= 0]
        start = np.where(t - d[i] + 1 >= 0, s[i, np.maximum(t - d[i] + 1, 0)], -1)
        lm.add_rows(f"rigid_finish[{inst.streams[i]}]", [(c[i, t], 1.0), (start, -1.0)], 0.0, 0.0)


def incompatible(
    lm: LinearModel, inst: Instance, window: tuple[np.ndarray, np.ndarray], u: np.ndarray, d: np.ndarray
) -> None:
    """At most one rigid stream of each clique runs in a period: sum_{i in C} u[i,t] / K_i <= 1.

    Two rigid streams (`rigid_periods`) whose crews together exceed a pool's largest supply can
    never run in the same period. The pool row already says need_i x_i + need_j x_j <= R of their
    run indicators x = u / K, which a relaxation meets with both half running; the clique row does
    not allow that. Each clique is grown greedily from an uncovered incompatible pair (most
    conflicts first), until every pair is in one; cliques of two are kept too, since on plans
    whose pools are tight they are where the relaxation is weakest. `d`: `rigid_periods`."""
    rigid = np.flatnonzero(d > 0)
    if rigid.size < 2:
        return
    K, need = rigid_crews(inst, window, rigid)
    clash = clashes(need, inst.supply_bound)  # with any training the plan could do
    if not clash.any():
        return
    cliques: list[np.ndarray] = []
    uncovered = np.triu(clash)
    degree = clash.sum(axis=1)
    while uncovered.any():
        a, b = map(int, np.argwhere(uncovered)[0])
        members = [a, b]
        common = clash[a] & clash[b]
        for k in np.argsort(-degree, kind="stable"):
            if common[k]:
                members.append(int(k))
                common &= clash[k]
        clique = np.array(sorted(members))
        uncovered[np.ix_(clique, clique)] = False
        cliques.append(clique)
    for n, clique in enumerate(cliques):
        cols = u[rigid[clique]]  # (|C|, H)
        live = (cols >= 0).sum(axis=0) >= 2
        t = np.flatnonzero(live)
        if t.size == 0:
            continue
        lm.add_rows(f"incompatible[{n}]", [(cols[k, t], 1.0 / K[m]) for k, m in enumerate(clique)], -INF, 1.0)
