"""One MIP over an intervention's levels: a copy of the plan's model per level, binaries picking one.

For an intervention that `choose`s its level (pipeline/levels.py): each level has its own
deadline, supply and windows, so its own model; `either` joins them so one solve picks the best.
"""

from __future__ import annotations

import numpy as np

from planner.mip.linear import INF, Block, Family, LinearModel


def either(models: list[LinearModel]) -> tuple[LinearModel, np.ndarray, np.ndarray]:
    """One MIP whose solutions are exactly the solutions of one of `models`, picked by binaries
    y_l (sum 1); its objective is that model's. For an intervention that `choose`s its level: one
    model per level, each with its own deadline, supply and windows.

    Copy l keeps its columns (shifted), every column gated by its y (x <= ub y, x >= lb y), and
    every row `lower <= a x <= upper` written as `a x - lower y >= 0`, `a x - upper y <= 0`, so a
    copy switched off is all zeros and every row holds at zero. Its constant (the `earliest`
    objective's offset) becomes y's cost. Returns (the model, y's columns, each copy's first column)."""
    sense = models[0].sense
    if any(m.sense != sense for m in models):
        raise ValueError("models to choose between must share the objective's sense")
    L = len(models)
    first = np.cumsum([0] + [m.n for m in models])[:-1]
    out = LinearModel(sense=sense)
    out.n = int(sum(m.n for m in models))
    cols = [m.arrays() for m in models]
    lb = np.concatenate([c["lb"] for c in cols]) if L else np.zeros(0)
    ub = np.concatenate([c["ub"] for c in cols])
    if not np.all(np.isfinite(ub)):
        raise ValueError("every column needs a finite upper bound to be switched off")
    out.lb, out.ub = [np.zeros(out.n)], [ub]
    out.integer = [np.concatenate([c["integer"] for c in cols])]
    out.cost = [np.concatenate([c["cost"] for c in cols])]
    for l, m in enumerate(models):
        for name, b in m.blocks.items():
            out.blocks[f"{name}@{l}"] = Block(f"{name}@{l}", np.where(b.index >= 0, b.index + first[l], -1))
    y = out.add_vars("level", (L,), 0.0, 1.0, integer=True)
    out.add_cost(y, np.array([m.offset for m in models]))
    out.add_rows("one_level", [(y[[l]], 1.0) for l in range(L)], 1.0, 1.0)  # one row: sum_l y_l = 1
    owner = np.repeat(np.arange(L), [m.n for m in models])
    j = np.flatnonzero(ub > 0)
    out.add_rows("level_gate_upper", [(j, 1.0), (y[owner[j]], -ub[j])], -INF, 0.0)
    j = np.flatnonzero(lb > 0)
    if j.size:
        out.add_rows("level_gate_lower", [(j, 1.0), (y[owner[j]], -lb[j])], 0.0, INF)
    for l, m in enumerate(models):
        for f in m.families:
            equality = np.array_equal(f.lower, f.upper)
            for side, bound in (("lower", f.lower), ("upper", f.upper)):
                finite = np.isfinite(bound)
                if not finite.any() or (equality and side == "upper"):
                    continue  # nothing on this side, or an equality row already written once
                keep = finite[f.rows]
                own = np.flatnonzero(finite & (bound != 0))  # rows that need the y term
                rows = np.concatenate([f.rows[keep], own])
                cs = np.concatenate([f.cols[keep] + first[l], np.full(own.size, y[l])])
                vs = np.concatenate([f.vals[keep], -bound[own]])
                renumber = np.cumsum(finite) - 1
                n = int(finite.sum())
                lo, hi = (0.0, 0.0) if equality else (0.0, INF) if side == "lower" else (-INF, 0.0)
                out.families.append(Family(f"{f.name}@{l}", renumber[rows], cs, vs, np.full(n, lo), np.full(n, hi)))
    return out, y, first
