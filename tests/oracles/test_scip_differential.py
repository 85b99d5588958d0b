"""SCIP as a second solver: its backend's contract, and HiGHS against SCIP through the planner.

Two independent MIP solvers given the same model must reach the same optimum; a disagreement
means one of them (or the way a backend hands it the model) is wrong. The backend tests pin down
what the planner relies on: the model SCIP solves is exactly the `LinearModel`'s arrays (column
order, bounds, integrality, ranged and free rows, offset), statuses mean what RawSolution says,
options reach SCIP or fail with a UsageError, and SCIP never writes to stdout unless asked.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from plans import fast_first

import planner
from planner.plan import synthetic
from planner.errors import UsageError
from planner.mip.formulation import build
from planner.solvers import available_solvers, get_backend
from planner.solvers.status import SolveOptions

from plans import ROOT  # noqa: E402

pytest.importorskip("pyscipopt")
sys.path.insert(0, str(ROOT / "benchmarks"))
import differential  # noqa: E402

INF = np.inf


class ArrayModel:
    """What a backend reads from a LinearModel, and nothing else: `n`, `sense`, `offset`,
    `arrays()` and `csr()`. Rows are given densely here and stored as CSR."""

    def __init__(self, sense, offset, lb, ub, integer, cost, rows, lower, upper):
        self.sense, self.offset, self.n = sense, offset, len(lb)
        self._cols = {"lb": np.array(lb, float), "ub": np.array(ub, float),
                      "integer": np.array(integer, bool), "cost": np.array(cost, float)}
        a = np.array(rows, float)
        index = [np.flatnonzero(r) for r in a]
        self._csr = (np.cumsum([0] + [len(i) for i in index]), np.concatenate(index),
                     np.concatenate([r[i] for r, i in zip(a, index)]), np.array(lower, float), np.array(upper, float))

    def arrays(self):
        return {k: v.copy() for k, v in self._cols.items()}

    def csr(self):
        return self._csr


def small_mip(extra_row=None) -> ArrayModel:
    """max x0 + 2 x1 + 3 x2 - x4 + 5 with x0 in [0, 10], x1 integer in [0, 3], x2 binary, x3 free,
    x4 integer in [-2, 2]; rows 1 <= x0 + x1 <= 4.5 (ranged), x2 - x3 = 0, x3 + x4 >= -1, a free
    row on x0, x1 + x2 <= 3. By hand: x2 = 1 (worth 3) leaves x1 <= 2, and each unit of x1 over x0
    gains 1, so x1 = 2, x0 = 2.5; x3 = 1 lets x4 = -2. Optimum 2.5 + 4 + 3 + 2 + 5 = 16.5."""
    rows = [([1, 1, 0, 0, 0], 1.0, 4.5), ([0, 0, 1, -1, 0], 0.0, 0.0), ([0, 0, 0, 1, 1], -1.0, INF),
            ([1, 0, 0, 0, 0], -INF, INF), ([0, 1, 1, 0, 0], -INF, 3.0)] + ([extra_row] if extra_row else [])
    a, lower, upper = zip(*rows)
    return ArrayModel("max", 5.0, [0, 0, 0, -INF, -2], [10, 3, 1, INF, 2], [0, 1, 1, 0, 1],
                      [1, 2, 3, 0, -1], a, lower, upper)


def hard_model():
    """A plan SCIP needs a few seconds for (and does not solve at its root node)."""
    plan = synthetic.plan(streams=40, periods=40, scenarios=10, tightness=0.5, seed=2, objective="value")
    return build(planner.resolve(plan))


def scip(lm):
    backend = get_backend("scip")
    backend.load(lm)
    return backend


# --- the model SCIP solves ----------------------------------------------------------------------

@pytest.mark.parametrize("which", ["planner", "small"])
def test_scip_model_is_the_arrays(which):
    """Every column's bounds, type and cost, and every row's coefficients and sides, as given (a
    row free on both sides may be left out); the sense and the offset."""
    lm = build(planner.resolve(synthetic.plan(streams=5, periods=8, scenarios=3, seed=1))) \
        if which == "planner" else small_mip()
    model = scip(lm).model
    col = lm.arrays()
    big = lambda v: 1e20 if v == INF else -1e20 if v == -INF else v  # noqa: E731  SCIP's infinity
    variables = {int(v.name[1:]): v for v in model.getVars()}
    assert sorted(variables) == list(range(lm.n))
    for j, v in variables.items():
        assert (v.getLbOriginal(), v.getUbOriginal()) == (big(col["lb"][j]), big(col["ub"][j]))
        assert (v.vtype() in ("BINARY", "INTEGER")) == bool(col["integer"][j])
        assert v.getObj() == col["cost"][j]
    starts, index, values, lower, upper = lm.csr()
    rows = {int(c.name[1:]): c for c in model.getConss()}
    assert sorted(rows) == [k for k in range(len(lower)) if np.isfinite(lower[k]) or np.isfinite(upper[k])]
    for k, c in rows.items():
        s, e = starts[k], starts[k + 1]
        got = {int(name[1:]): val for name, val in model.getValsLinear(c).items()}
        assert got == {int(j): float(v) for j, v in zip(index[s:e], values[s:e]) if v != 0}
        assert (model.getLhs(c), model.getRhs(c)) == (big(lower[k]), big(upper[k]))
    assert model.getObjectiveSense() == ("maximize" if lm.sense == "max" else "minimize")
    assert model.getObjoffset() == lm.offset


@pytest.mark.parametrize("solver", ["scip", "highs"])
def test_small_mip_by_hand(solver):
    backend = get_backend(solver)
    backend.load(small_mip())
    raw = backend.solve(SolveOptions())
    assert raw.status == "optimal" and not raw.interrupted
    assert raw.objective == pytest.approx(16.5, abs=1e-9)
    assert raw.bound == pytest.approx(16.5, abs=1e-9) and raw.gap == pytest.approx(0.0, abs=1e-9)
    assert raw.x == pytest.approx([2.5, 2.0, 1.0, 1.0, -2.0], abs=1e-9)  # the columns' own order


def test_infeasible():
    raw = scip(small_mip(extra_row=([0, 0, 1, 0, 0], 2.0, INF))).solve(SolveOptions())  # a binary >= 2
    assert raw.status == "infeasible" and raw.x is None


# --- statuses, options, output ------------------------------------------------------------------

def test_time_limit():
    raw = scip(hard_model()).solve(SolveOptions(time_limit=0.3))
    assert raw.status in ("time_limit", "no_solution")
    assert (raw.x is not None) == (raw.status == "time_limit")
    assert raw.runtime < 3 and not raw.interrupted


def test_other_limits_are_not_time_limit():
    """A stop on a limit the user did not set as a time limit is never reported as one."""
    raw = scip(hard_model()).solve(SolveOptions(solver_options={"limits/solutions": 1}))
    assert raw.status in ("error", "no_solution"), raw
    assert "sollimit" in raw.message


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_is_interrupted(capfd):
    """SCIP catches SIGINT itself during the search and stops with its best plan. The signal comes
    from another process, as a real Ctrl-C does (no Python thread runs while SCIP holds the GIL);
    SCIP's handler prints a notice, which must not reach stdout."""
    backend = scip(hard_model())
    killer = subprocess.Popen(["sh", "-c", f"sleep 0.5; kill -INT {os.getpid()}"])
    try:
        raw = backend.solve(SolveOptions(time_limit=30))
    finally:
        killer.wait()
    assert raw.interrupted
    assert raw.status in ("interrupted", "no_solution")
    assert raw.runtime < 10
    assert capfd.readouterr().out == ""


@pytest.mark.parametrize("key, value", [("nosuch/param", 1), ("limits/gap", -1.0), ("limits/nodes", "many")])
def test_bad_solver_option_names_it(key, value):
    backend = scip(small_mip())
    with pytest.raises(UsageError, match=key):
        backend.solve(SolveOptions(solver_options={key: value}))


def test_solver_option_reaches_scip():
    backend = scip(small_mip())
    backend.solve(SolveOptions(solver_options={"limits/nodes": 7}, time_limit=4.0, gap=1e-3))
    assert backend.model.getParam("limits/nodes") == 7
    assert backend.model.getParam("limits/time") == 4.0
    assert backend.model.getParam("limits/gap") == 1e-3


def test_quiet_unless_verbose(capfd):
    """SCIP writes from C: checked at the file-descriptor level."""
    lm = small_mip()
    scip(lm).solve(SolveOptions())
    assert capfd.readouterr().out == ""
    scip(lm).solve(SolveOptions(verbose=True))
    assert "SCIP Status" in capfd.readouterr().out


# --- choosing a solver --------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["nosuch", "pyomo:nosuch", "pyomo:"])
def test_unknown_solver_lists_the_available_ones(name):
    with pytest.raises(UsageError) as e:
        get_backend(name)
    assert f"'{name}'" in str(e.value)
    assert "highs, scip" in str(e.value)


def test_available_solvers_and_fresh_backends():
    assert available_solvers()[:2] == ["highs", "scip"]
    assert get_backend("scip") is not get_backend("scip")
    assert get_backend("scip").name == "scip"


def test_planner_fails_before_solving_with_an_unknown_solver():
    with pytest.raises(UsageError, match="available on this machine"):
        planner.solve(synthetic.plan(streams=3, periods=5, scenarios=2, seed=0), solver="nosuch")


# --- HiGHS against SCIP through the planner -----------------------------------------------------

@pytest.mark.parametrize("seed", fast_first(range(40), 4, ids=str))
def test_highs_and_scip_agree(seed):
    """benchmarks/differential.py's plan for this seed: both optimal with equal objectives on the
    plan's own grid (refine=False, `grid_objective`: what the MIP optimises; gap 1e-9 for both),
    or both infeasible."""
    verdict, a, b = differential.compare(seed)
    assert a["status"] in ("optimal", "infeasible"), a
    assert verdict in ("agree", "infeasible"), f"seed {seed}: highs {a}, scip {b}"
