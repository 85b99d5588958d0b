"""The mixed-integer program of MODEL.md, built as whole arrays: one function per constraint family.

Variables (each an S x H block unless noted):
  u[i,t]  crew units on stream i in period t (continuous, bounds carry release, rate cap, max_staff)
  w[i,t]  effective progress of stream i by the end of period t (running total)
  c[i,t]  binary: stream i complete by the end of period t
  g[t]    goal met by the end of period t (H; continuous, integral at any optimum since c is)

The formulation is solver-neutral: `build()` returns a `LinearModel` (bounds, sparse rows, costs)
that a backend loads into HiGHS directly or transcribes into Pyomo. Windows from the critical path
fix variables that no schedule can use, and every big-M is the period's own staffing bound.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .instance import Instance
from .structure import NEVER, CriticalPath, critical_path


@dataclass
class Block:
    """A named group of variables: `index` maps the group's shape to global column numbers."""

    name: str
    index: np.ndarray


@dataclass
class Family:
    """A family of rows `lower <= A x <= upper`, stored as COO triplets with family-local rows."""

    name: str
    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


@dataclass
class LinearModel:
    """A MIP as arrays: columns added a block at a time (bounds, integrality and costs kept as
    per-block chunks until `arrays()` joins them), rows a family at a time (`csr()` stacks them)."""

    sense: str = "max"                          # "max" | "min"
    tie_break: np.ndarray | None = None         # maximised among optimal plans (earliest finishes)
    lb: list = field(default_factory=list)
    ub: list = field(default_factory=list)
    integer: list = field(default_factory=list)
    cost: list = field(default_factory=list)
    offset: float = 0.0
    blocks: dict[str, Block] = field(default_factory=dict)
    families: list[Family] = field(default_factory=list)
    n: int = 0

    def add_vars(self, name: str, shape, lb, ub, integer: bool = False) -> np.ndarray:
        size = int(np.prod(shape))
        index = np.arange(self.n, self.n + size).reshape(shape)
        self.n += size
        self.lb.append(np.broadcast_to(np.asarray(lb, float), shape).ravel().copy())
        self.ub.append(np.broadcast_to(np.asarray(ub, float), shape).ravel().copy())
        self.integer.append(np.full(size, integer))
        self.cost.append(np.zeros(size))
        self.blocks[name] = Block(name, index)
        return index

    def add_rows(self, name: str, terms: list[tuple[np.ndarray, np.ndarray]], lower, upper) -> None:
        """Rows k = 0..m-1 of `sum_j coef_j[k] * x[col_j[k]]`; each term is (cols, coefs) of length m."""
        m = len(np.broadcast_to(lower, (len(terms[0][0]),)))
        rows = np.concatenate([np.arange(m)] * len(terms))
        cols = np.concatenate([np.broadcast_to(c, (m,)) for c, _ in terms])
        vals = np.concatenate([np.broadcast_to(np.asarray(v, float), (m,)) for _, v in terms])
        self.families.append(Family(name, rows, cols, vals,
                                    np.broadcast_to(np.asarray(lower, float), (m,)).copy(),
                                    np.broadcast_to(np.asarray(upper, float), (m,)).copy()))

    def set_cost(self, cols: np.ndarray, coefs) -> None:
        cost = self.arrays()["cost"]
        cost[np.asarray(cols).ravel()] = np.broadcast_to(coefs, np.shape(cols)).ravel()
        self.cost = [cost]

    def arrays(self) -> dict[str, np.ndarray]:
        """Flat column data (lb, ub, integer, cost)."""
        return {k: np.concatenate(getattr(self, k)) if getattr(self, k) else np.zeros(0)
                for k in ("lb", "ub", "integer", "cost")}

    def csr(self):
        """All families stacked into one CSR matrix (starts, index, value) with row bounds."""
        offsets = np.cumsum([0] + [len(f.lower) for f in self.families])
        rows = np.concatenate([f.rows + o for f, o in zip(self.families, offsets)])
        cols = np.concatenate([f.cols for f in self.families])
        vals = np.concatenate([f.vals for f in self.families])
        order = np.lexsort((cols, rows))
        rows, cols, vals = rows[order], cols[order], vals[order]
        starts = np.searchsorted(rows, np.arange(offsets[-1] + 1))
        lower = np.concatenate([f.lower for f in self.families])
        upper = np.concatenate([f.upper for f in self.families])
        return starts, cols, vals, lower, upper

    @property
    def num_rows(self) -> int:
        return sum(len(f.lower) for f in self.families)

    @property
    def num_nonzeros(self) -> int:
        return sum(len(f.vals) for f in self.families)

    def values(self, x: np.ndarray, name: str) -> np.ndarray:
        return x[self.blocks[name].index]


INF = np.inf


def build(inst: Instance, cp: CriticalPath | None = None) -> LinearModel:
    """The whole MIP for one plan variant, constraint family by constraint family."""
    cp = cp or critical_path(inst)
    lm = LinearModel()
    u = _crew_units(lm, inst, cp)
    w = _progress(lm, inst, u)
    c = _completion(lm, inst, cp, w)
    _pool_supply(lm, inst, u)
    _precedence(lm, inst, w, c)
    _completion_order(lm, inst, c)
    g = _goal(lm, inst, cp, c)
    _objective(lm, inst, c, g)
    return lm


def last_useful_period(inst: Instance) -> int:
    """Work after the last period any deadline scenario counts cannot raise a `probability` or
    `value` objective, so it is not modelled (-1 if no scenario can be met at all)."""
    if inst.objective == "earliest":
        return inst.periods - 1
    useful = np.flatnonzero(inst.weights > 0)
    return int(useful[-1]) if useful.size else -1


def _crew_units(lm: LinearModel, inst: Instance, cp: CriticalPath) -> np.ndarray:
    """u[i,t] with its bounds: rate cap, max_staff, pool supply, release, and the critical-path window."""
    ub = inst.staff_bound.copy()
    H = inst.periods
    ub[np.arange(H)[None, :] < cp.earliest_start[:, None]] = 0.0
    ub[:, last_useful_period(inst) + 1:] = 0.0
    for p in inst.precedences:   # no work at all before t - 1 - gap can index the predecessor
        ub[p.succ, : min(H, p.gap + 1)] = 0.0
    return lm.add_vars("u", (len(inst.streams), H), 0.0, ub)


def _progress(lm: LinearModel, inst: Instance, u: np.ndarray) -> np.ndarray:
    """Running total: w[i,t] - w[i,t-1] - step * productivity[i,t] * u[i,t] = 0.

    w is capped at the effort: work past it is useless, and the cap makes `_precedence` exact.
    """
    S, H = u.shape
    w = lm.add_vars("w", (S, H), 0.0, np.repeat(inst.effort[:, None], H, axis=1))
    prev = w[:, :-1]
    lm.add_rows("progress_first", [(w[:, 0], 1.0), (u[:, 0], -inst.step * inst.productivity[:, 0])], 0.0, 0.0)
    lm.add_rows("progress", [(w[:, 1:].ravel(), 1.0), (prev.ravel(), -1.0),
                             (u[:, 1:].ravel(), (-inst.step * inst.productivity[:, 1:]).ravel())], 0.0, 0.0)
    return w


def _completion(lm: LinearModel, inst: Instance, cp: CriticalPath, w: np.ndarray) -> np.ndarray:
    """c[i,t] = 1 only if w[i,t] >= effort_i; completion is permanent (c[i,t] <= c[i,t+1])."""
    S, H = w.shape
    ub = np.ones((S, H))
    never = cp.earliest_finish == NEVER
    ub[never, :] = 0.0
    ub[np.arange(H)[None, :] < np.where(never, H, cp.earliest_finish)[:, None]] = 0.0
    c = lm.add_vars("c", (S, H), 0.0, ub, integer=True)
    lm.add_rows("completion", [(w.ravel(), 1.0), (c.ravel(), -np.repeat(inst.effort, H))], 0.0, INF)
    lm.add_rows("completion_permanent", [(c[:, :-1].ravel(), 1.0), (c[:, 1:].ravel(), -1.0)], -INF, 0.0)
    return c


def _pool_supply(lm: LinearModel, inst: Instance, u: np.ndarray) -> None:
    """sum_i crew[i,r] * u[i,t] <= supply[r,t], one row per pool and period."""
    H = inst.periods
    for r in range(len(inst.pools)):
        users = np.flatnonzero(inst.crew[:, r] > 0)
        if users.size == 0:
            continue
        lm.add_rows(f"pool_supply[{inst.pools[r]}]",
                    [(u[i], np.full(H, inst.crew[i, r])) for i in users], -INF, inst.supply[r])


def _precedence(lm: LinearModel, inst: Instance, w: np.ndarray, c: np.ndarray) -> None:
    """w[j,t] <= effort_j * c[i, t-1-gap]: no progress on j until i is complete and the lag passed.

    Bounding j's progress so far (rather than each period's crew units with a big-M) is exact,
    since w is capped at the effort and periods without productivity have no crew units, and it
    is the tighter relaxation. Periods where the predecessor index is negative were already fixed
    to zero work by `_crew_units`.
    """
    H = inst.periods
    for p in inst.precedences:
        t = np.arange(p.gap + 1, H)
        if t.size:
            lm.add_rows(f"precedence[{inst.streams[p.pred]}->{inst.streams[p.succ]}]",
                        [(w[p.succ, t], 1.0), (c[p.pred, t - 1 - p.gap], -inst.effort[p.succ])], -INF, 0.0)


def _completion_order(lm: LinearModel, inst: Instance, c: np.ndarray) -> None:
    """c[j,t] <= c[i, t-gap-d_j]: j complete by t means i was complete by t-gap-d_j, where d_j is
    the fewest periods j can take (its rate cap). Implied by the integer model, not by its
    relaxation: it links the completion indicators directly."""
    H = inst.periods
    d = np.maximum(1, np.ceil(inst.min_duration / inst.step - 1e-9)).astype(int)
    for p in inst.precedences:
        off = p.gap + int(d[p.succ])
        t = np.arange(off, H)
        if t.size:
            lm.add_rows(f"completion_order[{inst.streams[p.pred]}->{inst.streams[p.succ]}]",
                        [(c[p.succ, t], 1.0), (c[p.pred, t - off], -1.0)], -INF, 0.0)


def _goal(lm: LinearModel, inst: Instance, cp: CriticalPath, c: np.ndarray) -> np.ndarray:
    """g[t] <= c[i,t] for every required stream i, and g[t] <= g[t+1]."""
    H = inst.periods
    ub = np.ones(H)
    ub[: H if cp.goal_finish == NEVER else cp.goal_finish] = 0.0
    lb = np.zeros(H)
    if inst.objective == "earliest":
        lb[-1] = 1.0  # the goal must be met inside the horizon
    g = lm.add_vars("g", (H,), lb, ub)
    for i in np.flatnonzero(inst.required):
        lm.add_rows(f"goal[{inst.streams[i]}]", [(g, 1.0), (c[i], -1.0)], -INF, 0.0)
    if H > 1:
        lm.add_rows("goal_permanent", [(g[:-1], 1.0), (g[1:], -1.0)], -INF, 0.0)
    return g


def _objective(lm: LinearModel, inst: Instance, c: np.ndarray, g: np.ndarray) -> None:
    """probability: max sum_t w[t] g[t]; value: max sum_i,t value_i w[t] c[i,t];
    earliest: min step * (1 + H - sum_t g[t]), the end of the first period with g = 1."""
    H = inst.periods
    if inst.objective == "probability":
        lm.sense = "max"
        lm.set_cost(g, inst.weights)
    elif inst.objective == "value":
        lm.sense = "max"
        lm.set_cost(c, inst.value[:, None] * inst.weights[None, :])
    else:
        lm.sense = "min"
        lm.offset = inst.step * (1 + H)
        lm.set_cost(g, -inst.step)
    # Among optimal plans, prefer the goal early, then every stream early (and marked complete).
    tie = np.zeros(lm.n)
    tie[c.ravel()] = 1.0
    tie[g] = c.shape[0] + 1.0
    lm.tie_break = tie
