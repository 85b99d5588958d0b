"""The feasibility MIP "can every stream with a due period be complete by its end", for the goal by period T.

The `probability` and `earliest` objectives depend on the goal's completion period alone, so the
pipeline asks this question for a few periods instead of solving the whole MIP (pipeline/session.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from planner.mip.formulation import work
from planner.mip.linear import INF, LinearModel
from planner.structure import CriticalPath

if TYPE_CHECKING:  # annotations only: importing it at run time would load the plan schema (pydantic)
    from planner.instance.instance import Instance


def build_target(inst: Instance, cp: CriticalPath, due: np.ndarray) -> LinearModel:
    """The feasibility MIP "every stream with a due period is complete by its end" (no objective):
    `due` from structure.due_by(inst, T) asks whether the goal can be met by the end of period T.

    For `probability` and `earliest` the objective depends on the goal's completion period alone,
    and whether a period is reachable does not change once it is: the optimum is the first
    reachable deadline period, found by asking this question for a few periods
    (pipeline/session.py). This model is much stronger than the whole MIP's relaxation: with the
    goal's period fixed, every stream it waits on must do its whole effort inside its window,
    where the whole MIP's relaxation can meet a fraction of the goal with a fraction of every
    stream's work. Streams the goal does not wait on have no columns (they cannot help), and the
    windows end at the due periods."""
    lm = LinearModel()
    H = inst.periods
    has = due < H
    last = np.where(has, np.minimum(due, H - 1), -1)
    c = work(lm, inst, cp, (np.where(has, cp.earliest_start, H), last))
    _complete_by_due(lm, inst, c, np.where(has, due, -1), has)
    lm.add_window_vars("g", [H], [H - 1], H, 0.0, 1.0)  # no goal columns: the due periods are the goal
    lm.blocks["g"].index = lm.blocks["g"].index[0]
    lm.sense = "max"
    return lm


def _complete_by_due(lm: LinearModel, inst: Instance, c: np.ndarray, due: np.ndarray, has: np.ndarray) -> None:
    """c[i, due_i] = 1 as a bound: the stream is complete by its due period (its window's end).
    A due period before the stream's earliest finish (or before the first period) has no c
    column: a row no plan satisfies (0 >= 1) says the target is out of reach."""
    H = inst.periods
    streams = np.flatnonzero(has)
    at = np.minimum(due[streams], H - 1)
    cols = np.where(at >= 0, c[streams, np.maximum(at, 0)], -1)
    for i in streams[cols < 0]:
        lm.add_rows(f"complete_by_due[{inst.streams[i]}]", [(np.array([-1]), 0.0)], 1.0, INF)
    lb = lm.arrays()["lb"]
    lb[cols[cols >= 0]] = 1.0
    lm.lb = [lb]
