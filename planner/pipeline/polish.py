"""Report an optimum as a schedule that does each stream's work as early as the plan allows.

The solver's optimum fixes the objective, not the timing: with slack before a deadline, work may
sit anywhere, and a `probability` plan that cannot meet the deadline may leave the goal undone.
Two steps, neither of which can change the objective:
- `earliest_start`: a numpy pass that takes the streams in the order they finish (predecessors
  first) and re-schedules each as early as its release, its predecessors (as already moved), its
  caps and the supply the others leave free allow, up to its whole effort;
- `earliest_progress`: one LP over the same model with every completion indicator fixed at the
  plan's, maximising progress summed over periods (so streams trade supply to get ahead). Only
  streams the pass leaves finishing after their critical-path earliest finish, and that could
  gain supply another stream can give up (`could_gain`), are free in it; when there are none, no
  LP runs at all (on small plans the LP cost more than the MIP did).
At every period each stream's progress is at least what it was, so no stream finishes later and
no other stream loses supply it used. Neither is a MIP, so neither can stall.

The session (pipeline/session.py, pipeline/search.py) runs both after the whole MIP or the
goal-period search (their plans put work anywhere before its deadline), and the pass alone after
the critical-path bound (that plan is built front-first by heuristic.least_slack).
`fixed_completion_lp` with no stream free is also the solver's check of a plan the bound settled
(search.GoalSearch.confirm).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # annotations only: importing it at run time would load the plan schema (pydantic)
    from planner.instance.instance import Instance
    from planner.mip.linear import LinearModel
    from planner.solvers import Backend
    from planner.solvers.status import RawSolution, SolveOptions


DONE = 1 - 1e-12  # progress counted as the whole effort (verify allows 1e-6)


def finish_periods(inst: Instance, u: np.ndarray) -> np.ndarray:
    """(S,) the period by whose end each stream's progress reaches its effort; H if never."""
    S, H = u.shape
    progress = np.add.accumulate(inst.step * inst.productivity * inst.progress_per_unit(u), axis=1)  # cumsum
    # done by the end of each period, and a last column always True: the first True is the finish (H if never)
    done = np.empty((S, H + 1), bool)
    np.greater_equal(progress, (inst.effort * (1 - 1e-6) - 1e-6)[:, None], out=done[:, :H])
    done[:, H] = True
    return done.argmax(axis=1)


def earliest(
    inst: Instance,
    lm: LinearModel | Callable[[], LinearModel],
    u: np.ndarray,
    earliest_finish: np.ndarray,
    backend: Backend | Callable[[], Backend] | None = None,
    options: SolveOptions | None = None,
    always_lp: bool = False,
) -> tuple[np.ndarray, RawSolution | None]:
    """Both steps; returns (crew units, the LP's RawSolution or None if no LP ran).

    The pass first. The streams that it leaves finishing after their critical-path earliest
    finish (`earliest_finish`) and that `could_gain` are the only ones an LP could still move, so
    the LP runs only when there are some (or when `always_lp`), with every other stream's crew
    units fixed: it is as small as what can move. Then the pass again on the LP's plan. `lm` is
    the model (or a function that builds it: it is not built when no LP runs); `backend` is a
    fresh, unloaded solver backend (or a function that makes one; HiGHS by default). (The LP starts
    from the passed plan, or from `u` when the pass finished a stream the solver left undone after
    its window, where the model has no columns.)"""
    passed = earliest_start(inst, u.copy())
    movable = could_gain(inst, passed) & ~finished_at(inst, passed, earliest_finish)
    if not movable.any() and not always_lp:
        return passed, None
    model = lm() if callable(lm) else lm
    solver = backend() if callable(backend) else backend
    inside = np.all((passed <= 1e-12) | (model.values(model.arrays()["ub"], "u") > 0))
    moved, raw = earliest_progress(inst, model, passed if inside else u, solver, options, free=movable)
    if inside and not movable.any():  # every column was fixed at `passed`: the LP only checked it
        return passed, raw
    return earliest_start(inst, moved), raw


def could_gain(inst: Instance, u: np.ndarray) -> np.ndarray:
    """(S,) bool: streams the LP might still move earlier after the pass. The pass has given each
    stream all the supply the others leave free before it finishes, so it can only gain supply
    another stream uses, in a period before it finishes where it is below its own cap; and that
    stream can give it up only if it can make the work up later, before its own finish, in a
    period where it is below its cap. Where no such pair exists the LP cannot move anything (a
    necessary condition only: where one exists, the LP decides)."""
    S, H = u.shape
    tol = 1e-9
    cap = inst.staff_bound
    finish = finish_periods(inst, u)
    t = np.arange(H)[None, :]
    before = t <= np.minimum(finish, H - 1)[:, None]  # up to and including the finish
    below = (u < cap * (1 - tol) - tol) & before
    # slack_after[j, t]: j is below its cap in some period after t, up to its finish
    after = np.cumsum(below[:, ::-1], axis=1)[:, ::-1]  # below-cap periods from t on
    slack_after = np.concatenate([after[:, 1:], np.zeros((S, 1), int)], axis=1) > 0
    gives = (u > tol) & slack_after  # (S, H) j could yield supply at t
    uses = inst.crew > 0  # (S, R)
    givers = uses.T.astype(int) @ gives.astype(int)  # (R, H) streams that could yield
    out = np.zeros(S, bool)
    for i in range(S):
        others = givers[uses[i]] - gives[i][None, :]  # excluding i itself
        out[i] = bool(np.any(below[i] & (others > 0).any(axis=0)))
    return out


def finished_at(inst: Instance, u: np.ndarray, earliest_finish: np.ndarray) -> np.ndarray:
    """(S,) bool: the stream finishes in the period its critical path allows at the earliest (one
    that cannot finish at all counts as there: nothing can move it)."""
    reach = np.where(earliest_finish < 0, u.shape[1], earliest_finish)
    return finish_periods(inst, u) <= reach


def earliest_progress(
    inst: Instance,
    lm: LinearModel,
    u: np.ndarray,
    backend: Backend | None = None,
    options: SolveOptions | None = None,
    free: np.ndarray | None = None,
) -> tuple[np.ndarray, RawSolution]:
    """The LP step: completions (c) and the goal (g) fixed where `u` has them, the crew units of
    streams not `free` (default: all are) fixed at `u`'s, maximise the sum over the free streams
    and periods of progress / effort. Returns (the LP's crew units, or `u` itself if the LP does
    not solve; the backend's RawSolution)."""
    from planner.solvers.status import SolveOptions, SolveStatus

    if backend is None:
        from planner.solvers.highs import HighsBackend

        backend = HighsBackend()
    lp = fixed_completion_lp(inst, lm, u, free)
    backend.load(lp)
    raw = backend.solve(options or SolveOptions())
    if raw.status != SolveStatus.OPTIMAL or raw.x is None:
        return u, raw
    return np.clip(lp.values(raw.x, "u"), 0.0, None), raw


def fixed_completion_lp(inst: Instance, lm: LinearModel, u: np.ndarray, free: np.ndarray | None = None) -> LinearModel:
    """The model `lm` as an LP: every completion indicator and the goal fixed at what plan `u`
    reaches, the crew units and progress of streams not `free` fixed at `u`'s, progress of the free
    streams (as a share of each one's effort, summed over periods) maximised. `u`'s own columns are
    a feasible point of it; with no stream free every column is fixed (a check of the plan)."""
    from planner.mip.linear import LinearModel

    free = np.ones(len(inst.streams), bool) if free is None else free
    progress = np.cumsum(inst.step * inst.productivity * u, axis=1)
    col = lm.arrays()
    lb, ub = col["lb"].copy(), col["ub"].copy()
    done = progress >= inst.effort[:, None] * (1 - 1e-6) - 1e-6
    goal = done[inst.required].all(axis=0) if inst.required.any() else np.ones(inst.periods, bool)
    units = np.where(free[:, None], np.nan, u)  # nan: not fixed
    made = np.where(free[:, None], np.nan, np.minimum(progress, inst.effort[:, None]))
    for name, fixed in (("c", done), ("g", goal), ("u", units), ("w", made)):
        x = np.full(lm.n, np.nan)
        lm.assign(x, name, fixed)
        cols = lm.blocks[name].columns
        cols = cols[~np.isnan(x[cols])]
        lb[cols] = ub[cols] = np.clip(x[cols], col["lb"][cols], col["ub"][cols])
    cost = np.zeros(lm.n)
    w = np.where(free[:, None], lm.blocks["w"].index, -1)
    np.add.at(cost, w[w >= 0], np.broadcast_to(1.0 / inst.effort[:, None], w.shape)[w >= 0])
    return LinearModel(
        sense="max",
        lb=[lb],
        ub=[ub],
        integer=[np.zeros(lm.n, bool)],
        cost=[cost],
        blocks=lm.blocks,
        families=lm.families,
        n=lm.n,
    )


def earliest_start(inst: Instance, u: np.ndarray, earliest_finish: np.ndarray | None = None) -> np.ndarray:
    """The pass: a schedule whose every stream is at least as far along as in `u` at every period.
    With `earliest_finish`, a stream `u` already has finishing there is left as it is: it cannot
    finish sooner, and in a plan built front-first (heuristic.least_slack) its work is already as
    early as the supply the others leave allows."""
    S, H = u.shape
    finish = finish_periods(inst, u)
    u = np.where(np.arange(H)[None, :] > finish[:, None], 0.0, u)  # work past completion is idle
    done_at = finish.tolist()
    if earliest_finish is not None:  # as `finished_at`
        settled = [f <= (H if e < 0 else e) for f, e in zip(done_at, earliest_finish.tolist())]
        if all(settled):
            return u  # nothing can finish sooner, and front-first plans are already early
    else:
        settled = [False] * S
    # numpy on whole rows, Python for the scalars: numpy's per-call cost is most of the pass on
    # plans of a few streams, and the Monte Carlo runs it for every variant of every sample
    rate = inst.step * inst.productivity  # effective person-years per crew unit
    used = inst.crew.T @ u  # (R, H) FTE in use
    release = inst.release_period.tolist()
    effort = inst.effort.tolist()
    crew_rows = inst.crew.tolist()
    supply, staff_bound = inst.supply, inst.staff_bound
    # each stream's progress in `u`, capped at its effort: a new schedule may never fall behind it
    floor = (
        np.minimum(np.add.accumulate(rate * u, axis=1), inst.effort[:, None])
        - 1e-9 * np.maximum(1.0, inst.effort)[:, None]
    )
    # by finish, then as inst.order has them (a stable sort keeps that order among equal finishes)
    for i in sorted(inst.order, key=done_at.__getitem__):
        if settled[i]:
            continue
        ready = release[i]  # the first period it may work: its release, its predecessors' finish and lags
        for p in inst.predecessors[i]:
            after = H if done_at[p.pred] >= H else done_at[p.pred] + 1 + p.gap
            if after > ready:
                ready = after
        if ready >= H:
            continue
        # each pool's row on its own (the FTE the others use, the crew units it leaves free), and
        # the least over them as ndarray.min(axis=0) takes it: one np.minimum after another
        crew = [(r, units) for r, units in enumerate(crew_rows[i]) if units > 0]  # inst.pools_of[i], with FTE
        mine = u[i]
        others = [used[r] - units * mine for r, units in crew]
        if crew:
            room = (supply[crew[0][0]] - others[0]) / crew[0][1]
            for (r, units), row in zip(crew[1:], others[1:]):
                np.minimum(room, (supply[r] - row) / units, out=room)
        else:
            room = np.full(H, np.inf)
        cap = np.minimum(staff_bound[i], room, out=room)
        np.maximum(cap, 0.0, out=cap)  # what cap.clip(0.0, None) computes
        if ready:
            cap[:ready] = 0.0
        cum = np.multiply(rate[i], cap)
        np.add.accumulate(cum, out=cum)  # cumsum
        reached = cum.tolist()
        # the first period where cum reaches it: np.searchsorted's own binary search (side left)
        k = bisect.bisect_left(reached, effort[i] * DONE)
        if k >= H:
            continue  # cannot finish even alone in the free supply: keep the solver's work
        # never behind the solver's plan (guards against rounding): floor < effort wherever it is
        # not nan, so this is min(cum, effort) < floor
        if np.count_nonzero(cum < floor[i]):  # any
            continue
        new = cap
        if k + 1 < H:
            new[k + 1 :] = 0.0
        new[k] = min(cap[k], (effort[i] - (reached[k - 1] if k else 0.0)) / rate[i, k])
        for (r, units), row in zip(crew, others):
            np.add(row, units * new, out=used[r])
        u[i] = new
        done_at[i] = k
    return u


def earliest_discrete(
    inst: Instance, lm: LinearModel, x: np.ndarray, backend: Backend | None = None, options: SolveOptions | None = None
) -> np.ndarray:
    """The tie-break for plans with discrete staffing (instance.discrete), where the pass above
    would break crews and runs: one LP over the model with every integer column (completion,
    the goal, worked/started indicators, headcounts) and the goal fixed at the solver's plan `x`,
    maximising progress (up to each stream's effort) summed over periods, with a penalty a million
    times smaller on crew units so that a last period does no more than it must. The objective
    depends on the fixed columns only, so it cannot change. Returns crew units (the solver's own if
    the LP does not solve)."""
    from planner.mip.linear import LinearModel
    from planner.solvers.status import SolveOptions, SolveStatus

    if backend is None:
        from planner.solvers.highs import HighsBackend

        backend = HighsBackend()
    col = lm.arrays()
    lb, ub = col["lb"].copy(), col["ub"].copy()
    fixed = col["integer"].copy()
    fixed[lm.blocks["g"].columns] = True
    value = np.where(col["integer"], np.round(x), x)
    lb[fixed] = ub[fixed] = np.clip(value[fixed], col["lb"][fixed], col["ub"][fixed])
    lp = LinearModel(
        sense="max",
        lb=[lb],
        ub=[ub],
        integer=[np.zeros(lm.n, bool)],
        cost=[np.zeros(lm.n)],
        blocks=dict(lm.blocks),
        families=list(lm.families),
        n=lm.n,
    )
    S, H = len(inst.streams), inst.periods
    w = lm.blocks["w"].index
    own = w >= 0  # before its window a stream has made no progress
    v = lp.add_vars("v", (S, H), 0.0, np.where(own, inst.effort[:, None], 0.0))
    lp.add_rows("v_below_progress", [(v[own], 1.0), (w[own], -1.0)], -np.inf, 0.0)
    lp.add_cost(v, np.broadcast_to(1.0 / inst.effort[:, None], (S, H)))
    u = lm.blocks["u"].index
    lp.add_cost(u, -1e-6 * inst.step * inst.productivity / inst.effort[:, None])
    backend.load(lp)
    raw = backend.solve(options or SolveOptions())
    source = raw.x if raw.status == SolveStatus.OPTIMAL and raw.x is not None else x
    return crew_units(inst, lm, source[: lm.n])


def crew_units(inst: Instance, lm: LinearModel, x: np.ndarray) -> np.ndarray:
    """The crew units of solution `x` of the whole MIP, as reported. A stream with parallelization
    a < 1 makes progress p (its effective crew units) with u crew units, where the model only
    knows p <= the piecewise-linear interpolation of u ** a (model._parallelization): u ** a may
    be more than p. Its reported crew units are the fewest that make exactly p, p ** (1 / a) <= u,
    so that the progress verify recomputes (u ** a) is the model's, and so are completion times,
    trained FTE and the objective. A stream whose staffing is discrete keeps what its rules need:
    a fixed crew and whole people keep u (the model is exact at a fixed crew, a breakpoint); a
    floor (min_staff, contiguous) is kept where u had it (also a breakpoint).

    A kept crew before the stream has made any progress is dropped: the model bounds progress,
    not crew units, so such a crew (p = 0) may sit there before a predecessor is complete, where
    its exact progress u ** a would have it work too early."""
    u = np.clip(lm.values(x, "u"), 0.0, None)
    dim = inst.diminishing
    if not dim.any() or "p" not in lm.blocks:
        return u
    p = np.clip(lm.values(x, "p"), 0.0, None)
    a = inst.parallelization[:, None]
    trimmed = np.minimum(u, np.power(p, 1.0 / a))
    floor = inst.floor[:, None]
    held = (floor > 0) & (u >= floor * (1 - 1e-9)) & (trimmed < floor)
    trimmed = np.where(held, np.minimum(u, floor), trimmed)
    keep = inst.fixed_crew | inst.integer_staff.any(axis=1)
    # no progress yet where the stream has progress columns (a lean rigid stream has none): every
    # crew kept there, a fixed crew, whole people or a floor, is dropped
    idle = (lm.blocks["w"].index >= 0) & (lm.values(x, "w") <= 1e-9 * np.maximum(1.0, inst.effort)[:, None])
    kept = np.where(idle, 0.0, u)
    trimmed = np.where(idle, 0.0, trimmed)
    return np.where(dim[:, None], np.where(keep[:, None], kept, trimmed), u)


def idle_once_complete(inst: Instance, u: np.ndarray) -> np.ndarray:
    """`u` without the work a discrete stream's crew may do after its last period (the solver need
    not mark a finished stream complete at once): less supply used, no rule broken, nothing later."""
    finish = finish_periods(inst, u)
    late = inst.discrete[:, None] & (np.arange(u.shape[1])[None, :] > finish[:, None])
    return np.where(late, 0.0, u)
