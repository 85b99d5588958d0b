"""A mixed-integer program as whole arrays: blocks of columns, families of rows `lower <= A x <= upper`.

It knows nothing of plans: the MIP of docs/model.md (mip/formulation.py), the polish LPs and the
benchmarks' naive model are all filled into one, and every solver backend loads one (HiGHS and
SCIP directly, Pyomo by transcription).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

Term: TypeAlias = tuple[np.ndarray, np.ndarray | float]  # (columns, coefficients: one per row, or one for all)


@dataclass
class Block:
    """A named group of variables: `index` maps the group's shape to column numbers (-1 where the
    variable is fixed at 0; several cells may share a column where a value is carried forward)."""

    name: str
    index: np.ndarray

    @property
    def columns(self) -> np.ndarray:
        """The block's own columns, in order."""
        cols = np.sort(self.index[self.index >= 0])  # np.unique, without the numpy.ma import it costs
        return cols[np.r_[True, cols[1:] != cols[:-1]]] if cols.size else cols


@dataclass
class Family:
    """A family of rows `lower <= A x <= upper`, stored as COO triplets with family-local rows."""

    name: str
    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    parts: list[tuple[int, str]] | None = None  # (first row, label) of named groups of rows, in order

    def row_name(self, row: int) -> str:
        """`name[k]`, or `name[label][k]` inside a named group (k counted within it)."""
        if not self.parts:
            return f"{self.name}[{row}]"
        starts = [s for s, _ in self.parts]
        k = max(0, int(np.searchsorted(starts, row, side="right")) - 1)
        return f"{self.name}[{self.parts[k][1]}][{row - self.parts[k][0]}]"


@dataclass
class LinearModel:
    """A MIP as arrays: columns added a block at a time (bounds, integrality and costs kept as
    per-block chunks until `arrays()` joins them), rows a family at a time (`csr()` stacks them)."""

    sense: str = "max"  # "max" | "min"
    lb: list[np.ndarray] = field(default_factory=list)
    ub: list[np.ndarray] = field(default_factory=list)
    integer: list[np.ndarray] = field(default_factory=list)
    cost: list[np.ndarray] = field(default_factory=list)
    offset: float = 0.0
    blocks: dict[str, Block] = field(default_factory=dict)
    families: list[Family] = field(default_factory=list)
    n: int = 0

    def add_vars(
        self, name: str, shape: int | tuple[int, ...], lb: ArrayLike, ub: ArrayLike, integer: bool = False
    ) -> np.ndarray:
        """A dense block: one column per cell."""
        size = int(np.prod(shape))
        return self._add(name, np.arange(self.n, self.n + size).reshape(shape), lb, ub, integer)

    def add_window_vars(
        self,
        name: str,
        first: ArrayLike,
        last: ArrayLike,
        H: int,
        lb: ArrayLike,
        ub: ArrayLike,
        integer: bool = False,
        carry: bool = True,
    ) -> np.ndarray:
        """Row i has columns for periods first[i]..last[i] only; cells before are fixed at 0, cells
        after refer to the column at last[i] (`carry`) or are fixed at 0. `lb`/`ub` are (S, H)."""
        t = np.arange(H)[None, :]
        first, last = np.asarray(first)[:, None], np.asarray(last)[:, None]
        active = (t >= first) & (t <= last)
        index = np.full(active.shape, -1)
        index[active] = np.arange(self.n, self.n + int(active.sum()))
        if carry:
            has = (last >= first).ravel()
            end = np.where(has, index[np.arange(len(has)), np.clip(last.ravel(), 0, H - 1)], -1)
            index = np.where((t > last) & has[:, None], end[:, None], index)
        return self._add(name, index, lb, ub, integer, active)

    def _add(
        self,
        name: str,
        index: np.ndarray,
        lb: ArrayLike,
        ub: ArrayLike,
        integer: bool,
        active: np.ndarray | None = None,
    ) -> np.ndarray:
        active = np.ones(index.shape, bool) if active is None else active
        size = int(active.sum())
        self.n += size
        for bounds, value in ((self.lb, lb), (self.ub, ub)):
            value = np.asarray(value, float)
            bounds.append(
                np.full(size, value) if value.ndim == 0 else np.broadcast_to(value, index.shape)[active].copy()
            )
        self.integer.append(np.full(size, integer))
        self.cost.append(np.zeros(size))
        self.blocks[name] = Block(name, index)
        return index

    def add_rows(
        self,
        name: str,
        terms: Sequence[Term],
        lower: ArrayLike,
        upper: ArrayLike,
        groups: tuple[np.ndarray, list[str]] | None = None,
    ) -> None:
        """Rows k = 0..m-1 of `sum_j coef_j[k] * x[col_j[k]]`; each term is (cols, coefs) of length m.
        Terms on a column of -1 (a variable fixed at 0) drop out; a row left empty and satisfied
        by 0 is dropped. `groups` = (group of each row, ascending; label of each group) names the
        rows of one family by group (a precedence's pair, say) without a family per group."""
        m = len(terms[0][0])
        rows = np.tile(np.arange(m), len(terms))
        cols = np.concatenate([_vector(c, m, np.int64) for c, _ in terms])
        vals = np.concatenate([_vector(v, m, float) for _, v in terms])
        lower, upper = _vector(lower, m, float), _vector(upper, m, float)
        keep = cols >= 0
        rows, cols, vals = rows[keep], cols[keep], vals[keep]
        used = np.zeros(m, bool)
        used[rows] = True
        used |= (lower > 0) | (upper < 0)
        renumber = np.cumsum(used) - 1
        parts = None
        if groups is not None:
            group, labels = groups
            kept = np.asarray(group)[used]
            firsts = np.flatnonzero(np.r_[True, kept[1:] != kept[:-1]]) if kept.size else np.zeros(0, int)
            parts = [(int(f), labels[int(kept[f])]) for f in firsts]
        self.families.append(Family(name, renumber[rows], cols, vals, lower[used].copy(), upper[used].copy(), parts))

    def add_cost(self, cols: np.ndarray, coefs: ArrayLike) -> None:
        """Add `coefs` to the costs of `cols` (cells sharing a column add up; -1 cells drop out)."""
        cost = self.arrays()["cost"]
        coefs = np.broadcast_to(coefs, np.shape(cols)).ravel()
        cols = np.asarray(cols).ravel()
        np.add.at(cost, cols[cols >= 0], coefs[cols >= 0])
        self.cost = [cost]

    def arrays(self) -> dict[str, np.ndarray]:
        """Flat column data (lb, ub, integer, cost)."""
        return {
            k: np.concatenate(getattr(self, k)) if getattr(self, k) else np.zeros(0)
            for k in ("lb", "ub", "integer", "cost")
        }

    def csr(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
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
        """A block's values in its own shape (0 where the variable is fixed at 0)."""
        index = self.blocks[name].index
        out = np.zeros(index.shape)
        out[index >= 0] = x[index[index >= 0]]
        return out

    def assign(self, x: np.ndarray, name: str, values: np.ndarray) -> None:
        """Write a block's values (in its own shape) into the column vector `x`."""
        index = self.blocks[name].index
        x[index[index >= 0]] = np.asarray(values, float)[index >= 0]


INF = np.inf


def _vector(x: ArrayLike, m: int, dtype: DTypeLike) -> np.ndarray:
    """`x` as a vector of length m (a scalar repeated). Cheaper than np.broadcast_to, which costs
    more than building a small model's rows."""
    a = np.asarray(x, dtype=dtype)
    if a.ndim == 0:
        return np.full(m, a)
    return a if a.shape == (m,) else np.broadcast_to(a, (m,))
