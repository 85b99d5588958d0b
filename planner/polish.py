"""Report the solver's optimum as a schedule that does each stream's work as early as the plan allows.

The solver's optimum fixes the objective, not the timing: with slack before a deadline, work may
sit anywhere, and a `probability` plan that cannot meet the deadline may leave the goal undone.
Two steps, neither of which can change the objective:
- `earliest_progress`: one LP over the same model with every completion indicator fixed at the
  solver's plan, maximising progress summed over periods (so streams trade supply to get ahead);
- `earliest_start`: a numpy pass that takes the streams in the order they finish (predecessors
  first) and re-schedules each as early as its release, its predecessors (as already moved), its
  caps and the supply the others leave free allow, up to its whole effort.
At every period each stream's progress is at least what it was, so no stream finishes later and
no other stream loses supply it used. Neither is a MIP, so neither can stall.
"""
from __future__ import annotations

from graphlib import TopologicalSorter

import numpy as np

from .instance import Instance

DONE = 1 - 1e-12  # progress counted as the whole effort (verify allows 1e-6)


def finish_periods(inst: Instance, u: np.ndarray) -> np.ndarray:
    """(S,) the period by whose end each stream's progress reaches its effort; H if never."""
    progress = np.cumsum(inst.step * inst.productivity * u, axis=1)
    done = progress >= inst.effort[:, None] * (1 - 1e-6) - 1e-6
    return np.where(done.any(axis=1), done.argmax(axis=1), u.shape[1])


def earliest(inst: Instance, lm, u: np.ndarray) -> np.ndarray:
    """Both steps: the LP (kept only if it solves) then the pass."""
    return earliest_start(inst, earliest_progress(inst, lm, u))


def earliest_progress(inst: Instance, lm, u: np.ndarray) -> np.ndarray:
    """The LP step: completions (c) and the goal (g) fixed where `u` has them, maximise the sum over
    streams and periods of progress / effort. Returns `u` itself if the LP does not solve."""
    from .model import LinearModel
    from .solvers.highs import HighsBackend
    from .solvers import SolveOptions

    progress = np.cumsum(inst.step * inst.productivity * u, axis=1)
    col = lm.arrays()
    lb, ub, cost = col["lb"].copy(), col["ub"].copy(), np.zeros(lm.n)
    done = progress >= inst.effort[:, None] * (1 - 1e-6) - 1e-6
    goal = done[inst.required].all(axis=0) if inst.required.any() else np.ones(inst.periods, bool)
    for name, fixed in (("c", done), ("g", goal)):
        x = np.zeros(lm.n)
        lm.assign(x, name, fixed)
        cols = lm.blocks[name].columns
        lb[cols] = ub[cols] = np.minimum(x[cols], ub[cols])
    lm_cost = LinearModel(n=lm.n, blocks=lm.blocks, cost=[cost])
    lm_cost.add_cost(lm.blocks["w"].index, np.repeat(1.0 / inst.effort[:, None], inst.periods, axis=1))
    lp = LinearModel(sense="max", lb=[lb], ub=[ub], integer=[np.zeros(lm.n, bool)], cost=lm_cost.cost,
                     blocks=lm.blocks, families=lm.families, n=lm.n)
    backend = HighsBackend()
    backend.load(lp)
    raw = backend.solve(SolveOptions())
    if raw.status != "optimal" or raw.x is None:
        return u
    return np.clip(lp.values(raw.x, "u"), 0.0, None)


def earliest_start(inst: Instance, u: np.ndarray) -> np.ndarray:
    """The pass: a schedule whose every stream is at least as far along as in `u` at every period."""
    S, H = u.shape
    rate = inst.step * inst.productivity                  # effective person-years per crew unit
    finish = finish_periods(inst, u)
    u = np.where(np.arange(H)[None, :] > finish[:, None], 0.0, u)  # work past completion is idle
    rank = {i: k for k, i in enumerate(TopologicalSorter(
        {i: [p.pred for p in inst.predecessors[i]] for i in range(S)}).static_order())}
    used = inst.crew.T @ u                                # (R, H) FTE in use
    for i in sorted(range(S), key=lambda i: (finish[i], rank[i])):
        ready = max([int(inst.release_period[i])] +
                    [H if finish[p.pred] >= H else int(finish[p.pred]) + 1 + p.gap for p in inst.predecessors[i]])
        if ready >= H:
            continue
        pools = np.flatnonzero(inst.crew[i] > 0)
        others = used[pools] - np.outer(inst.crew[i, pools], u[i])
        room = np.min((inst.supply[pools] - others) / inst.crew[i, pools, None], axis=0, initial=np.inf)
        cap = np.clip(np.minimum(inst.staff_bound[i], room), 0.0, None)
        cap[:ready] = 0.0
        cum = np.cumsum(rate[i] * cap)
        hit = np.flatnonzero(cum >= inst.effort[i] * DONE)
        if not hit.size:
            continue  # cannot finish even alone in the free supply: keep the solver's work
        k = int(hit[0])
        new = cap.copy()
        new[k + 1:] = 0.0
        new[k] = min(cap[k], (inst.effort[i] - (cum[k - 1] if k else 0.0)) / rate[i, k])
        before = np.cumsum(rate[i] * u[i])
        after = np.cumsum(rate[i] * new)
        if np.any(after < np.minimum(before, inst.effort[i]) - 1e-9 * max(1.0, inst.effort[i])):
            continue  # never behind the solver's plan (guards against rounding)
        used[pools] = others + np.outer(inst.crew[i, pools], new)
        u[i] = new
        finish[i] = k
    return u
