"""The fast paths give the same optima as the whole MIP (issue 12).

Model.solve first tries the critical-path bound (a least-slack plan that reaches it needs no MIP),
then, for `probability` and `earliest`, a search over the goal's completion period with small
feasibility MIPs; `method="mip"` always solves the whole MIP. A race (`solver="race"`) solves in
several processes at once. None of them may change an optimum, a status, or leave a process
behind. The optima compared are the MIP's on the plan's own grid (`refine=False`,
`Result.grid_objective`): two optimal grid schedules may read differently in continuous time
(docs/model.md, "Continuous time"). No timings are asserted here: benchmarks/suite.py measures them.
"""
import json
import math
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import planner
from planner.plan import synthetic
from planner.solvers import get_backend
from planner.solvers.status import SolveOptions
from planner.solvers.race import Entrant, race

from plans import ROOT, TOY, fast_first, make_plan

TOL = 1e-6


def _both(plan, intervention=None, **kw):
    """(auto result, auto model, whole-MIP result), each on the plan's own grid."""
    model = planner.Model(plan, intervention)
    auto = model.solve(refine=False, **kw)
    mip = planner.Model(plan, intervention).solve(method="mip", refine=False, **kw)
    return auto, model, mip


def _same(a, b):
    assert a.status == b.status == "optimal", (a.status, a.message, b.status, b.message)
    assert a.grid_objective == pytest.approx(b.grid_objective, abs=TOL, rel=TOL)


# --- the bound ----------------------------------------------------------------------------------

def test_a_plan_settled_by_its_structure_needs_no_mip():
    # The toy: serial work takes 25 years, the deadline is 26: P = 1 with no MIP at all.
    auto, model, mip = _both(planner.load(TOY))
    _same(auto, mip)
    assert auto.objective == pytest.approx(1.0)
    assert "mip" not in model.timing and "search" not in model.timing
    assert auto.goal_completion_years == pytest.approx(25.0)          # 2051, as before
    assert auto.bound == pytest.approx(auto.objective) and auto.gap == pytest.approx(0.0)


def test_a_plan_whose_bound_is_zero_still_meets_its_goal_as_early_as_it_can():
    # Capabilities work: deadline 24, serial work needs 25 years: P = 0 whatever the plan, and the
    # reported plan still finishes at 25 years, not whenever.
    res = planner.solve(planner.load(TOY), "capabilities work")
    assert res.status == "optimal" and res.objective == pytest.approx(0.0)
    assert res.goal_completion_years == pytest.approx(25.0)


def test_the_bound_is_not_claimed_when_labour_binds():
    # Two streams of 30 person-years each, 10 FTE, deadline 4 years: each alone needs 3 years
    # (bound 1), both need 6 (by hand: the optimum is 0).
    plan = make_plan([{"name": "a", "effort": 30}, {"name": "b", "effort": 30}], supply=10, horizon=10,
                     objective="probability", deadline={"years": 4})
    auto, model, mip = _both(plan)
    _same(auto, mip)
    assert auto.objective == pytest.approx(0.0)


# --- the search over the goal's period ----------------------------------------------------------

def test_the_search_finds_the_first_reachable_deadline():
    # Streams a, b (30 each) on 10 FTE; deadlines at 4, 6 and 8 years with 0.5, 0.3, 0.2: both need 6
    # years (by hand), so the goal makes the deadlines at 6 and 8: P = 0.5.
    plan = make_plan([{"name": "a", "effort": 30}, {"name": "b", "effort": 30}], supply=10, horizon=10,
                     objective="probability", deadline={"scenarios": [[4, 0.5], [6, 0.3], [8, 0.2]]})
    auto, model, mip = _both(plan)
    _same(auto, mip)
    assert auto.objective == pytest.approx(0.5)
    assert "search" in model.timing
    assert auto.goal_completion_years == pytest.approx(6.0)


def test_the_search_for_earliest():
    # a (30, rate cap 10/yr over 3 years) then b (30) after a; c (40) in parallel, all on 10 FTE:
    # 100 person-years on 10 FTE take 10 years (by hand), and the order lets it finish then.
    plan = make_plan([{"name": "a", "effort": 30, "min_duration": 3}, {"name": "b", "effort": 30, "after": ["a"]},
                      {"name": "c", "effort": 40}], supply=10, horizon=20)
    auto, model, mip = _both(plan)
    _same(auto, mip)
    assert auto.objective == pytest.approx(10.0)


def test_earliest_out_of_reach_is_infeasible_and_says_why():
    plan = make_plan([{"name": "a", "effort": 30}, {"name": "b", "effort": 30}], supply=1, horizon=10)
    auto = planner.solve(plan)
    mip = planner.solve(plan, method="mip")
    assert auto.status == mip.status == "infeasible"
    assert "pool p supplies" in auto.message and auto.message == mip.message


@pytest.mark.parametrize("seed", fast_first(range(6), 1, ids=str))
@pytest.mark.parametrize("objective", ["probability", "earliest", "value"])
def test_generated_plans_agree_with_the_whole_mip(seed, objective):
    """Small generated plans of both generators, tight enough that labour binds in some."""
    for d in (synthetic.plan_dict(streams=8, periods=16, scenarios=4, tightness=0.5, seed=seed,
                                  objective=objective),
              synthetic.crew_plan_dict(streams=9, periods=18, scenarios=4, tightness=1.2, seed=seed,
                                       objective=objective)):
        if objective == "earliest":
            d["plan"]["horizon"] = d["plan"]["horizon"] * 2  # room to finish
        plan = planner.from_dict(d)
        for iv in (None, "capabilities work"):
            auto, _, mip = _both(plan, iv)
            if mip.status == "infeasible":
                assert auto.status == "infeasible"
                continue
            _same(auto, mip)


def test_the_tie_break_never_changes_the_optimum():
    for seed in range(4):
        plan = synthetic.crew_plan(streams=10, periods=20, scenarios=5, tightness=1.1, seed=seed)
        model = planner.Model(plan)
        with_tb = model.solve(refine=False)
        without = model.solve(tie_break=False, refine=False)
        assert with_tb.grid_objective == pytest.approx(without.grid_objective, abs=TOL)
        # no stream completes in a later period for the tie-break (it only moves work earlier).
        # Periods, not moments: inside its last period a stream may finish later in continuous
        # time, when the work moved earlier takes the supply that would have hastened it.
        def period(f):
            return math.ceil(f / with_tb.step - 1e-9) - 1
        for a, b in zip(with_tb.streams, without.streams):
            if b.finish_years is not None:
                assert a.finish_years is not None and period(a.finish_years) <= period(b.finish_years), a.name


def test_a_time_limit_during_the_search_keeps_a_plan_with_its_bound():
    plan = synthetic.crew_plan(streams=42, periods=103, scenarios=7, tightness=1.5, seed=3)
    res = planner.solve(plan, time_limit=1)
    assert res.status in ("time_limit", "optimal")
    assert res.objective is not None and res.allocation is not None
    if res.status == "time_limit":  # the solver's bound is on the grid it solved
        assert res.bound is not None and res.bound >= res.grid_objective - 1e-9 and res.gap is not None


def test_a_solver_that_fails_the_search_is_an_error(monkeypatch):
    # Every backend the search asks stops unasked: the result is an error, never a plan that
    # looks finished.
    from planner.pipeline import assemble, search, session as run_module
    from planner.solvers.status import RawSolution

    class Failing:
        name = "failing"

        def load(self, lm):
            self.n = lm.n

        def solve(self, options):
            return RawSolution("no_solution", None, None, None, None, 0.0, "stopped")

    plan = make_plan([{"name": "a", "effort": 30}, {"name": "b", "effort": 30}], supply=10, horizon=10,
                     objective="probability", deadline={"scenarios": [[4, 0.5], [6, 0.3], [8, 0.2]]})
    for module in (run_module, search, assemble):   # every solver the pipeline asks for
        monkeypatch.setattr(module, "get_backend", lambda name: Failing())
    res = planner.Model(plan).solve()
    assert res.status == "error" and res.objective is None


# --- the race -----------------------------------------------------------------------------------

def _gone(pids):
    """Every process has exited and been reaped (no /proc entry, or not a zombie)."""
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                state = next(line for line in f if line.startswith("State:"))
            assert "Z" not in state.split()[1], f"process {pid} is a zombie"
            raise AssertionError(f"process {pid} is still running")
        except FileNotFoundError:
            pass


needs_proc = pytest.mark.skipif(not os.path.isdir("/proc"), reason="checks processes through /proc")


@needs_proc
def test_a_race_gives_the_same_optimum_and_leaves_no_process():
    plan = synthetic.crew_plan(streams=12, periods=24, scenarios=5, tightness=1.2, seed=1)
    model = planner.Model(plan)
    backend = get_backend("race")
    backend.load(model.linear_model)
    raw = backend.solve(SolveOptions())
    alone = planner.Model(plan).solve(method="mip", refine=False)
    assert raw.status == "optimal" and raw.objective == pytest.approx(alone.grid_objective, abs=TOL)
    assert len(backend.pids) == 2
    _gone(backend.pids)
    res = planner.solve(plan, solver="race", method="mip", refine=False)
    assert res.status == "optimal" and res.grid_objective == pytest.approx(alone.grid_objective, abs=TOL)
    assert res.solver == "race"


@needs_proc
def test_a_race_cut_by_its_time_budget_keeps_the_best_plan_and_reaps_every_entrant():
    plan = synthetic.crew_plan(streams=42, periods=103, scenarios=7, tightness=1.5, seed=3)
    model = planner.Model(plan)
    raw, _, pids = race(model.linear_model, SolveOptions(time_limit=1.0),
                        (Entrant("highs"), Entrant("highs", {"random_seed": 3})))
    assert raw.status in ("time_limit", "no_solution", "optimal")
    if raw.status == "time_limit":
        assert raw.bound is not None
    _gone(pids)


@needs_proc
def test_ctrl_c_during_a_race_stops_every_entrant_and_reports_the_best_plan():
    plan = synthetic.crew_plan(streams=42, periods=103, scenarios=7, tightness=1.5, seed=3)
    model = planner.Model(plan)
    timer = threading.Timer(2.0, lambda: signal.raise_signal(signal.SIGINT))
    timer.start()
    try:
        raw, _, pids = race(model.linear_model, SolveOptions(), (Entrant("highs"), Entrant("highs", {"random_seed": 3})))
    finally:
        timer.cancel()
    assert raw.interrupted
    assert raw.status in ("interrupted", "no_solution")
    _gone(pids)


@needs_proc
def test_an_entrant_that_fails_does_not_stop_the_race():
    plan = make_plan([{"name": "a", "effort": 30}, {"name": "b", "effort": 30}], supply=10, horizon=10,
                     objective="probability", deadline={"years": 7})
    model = planner.Model(plan)
    raw, winner, pids = race(model.linear_model, SolveOptions(),
                             (Entrant("highs", {"no_such_option": 1}), Entrant("highs")))
    assert raw.status == "optimal" and raw.objective == pytest.approx(1.0)  # both fit in 6 years
    assert winner == Entrant("highs")
    _gone(pids)


@needs_proc
def test_races_at_once_from_two_threads_agree_with_one_at_a_time():
    plans = [make_plan([{"name": "a", "effort": 10 * k}, {"name": "b", "effort": 20, "after": ["a"]}],
                       supply=5, horizon=40) for k in range(1, 5)]
    alone = [planner.solve(p, method="mip").objective for p in plans]
    with ThreadPoolExecutor(2) as pool:
        together = list(pool.map(lambda p: planner.solve(p, solver="race", method="mip").objective, plans))
    assert together == pytest.approx(alone, abs=TOL)
    assert alone == pytest.approx([2 * k + 4 for k in range(1, 5)], abs=TOL)   # by hand


def test_an_unknown_race_entrant_is_refused_before_any_work():
    from planner.errors import UsageError
    with pytest.raises(UsageError, match="race entrant"):
        get_backend("race:highs+cplex")
    with pytest.raises(UsageError, match="at least two"):
        get_backend("race:highs")


# --- start-up -------------------------------------------------------------------------------------

def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    return {m.split(".")[0] for m in out.stdout.split()}


def test_importing_the_package_loads_nothing_heavy():
    loaded = _modules_after("import planner")
    assert not loaded & {"pydantic", "numpy", "highspy", "pyomo", "pyscipopt", "rich"}, loaded


def test_help_loads_nothing_heavy():
    loaded = _modules_after("from planner.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass")
    assert not loaded & {"pydantic", "numpy", "highspy", "pyomo", "pyscipopt"}, loaded


def test_check_loads_no_solver():
    loaded = _modules_after(f"from planner.cli import main\nmain(['check', {str(TOY)!r}])")
    assert "pydantic" in loaded
    assert not loaded & {"highspy", "pyomo", "pyscipopt"}, loaded


def test_compare_loads_no_frame_chart_or_modelling_library():
    """`planner compare` on the toy (its solves, the verdict's robustness, the table) needs none of
    pandas, matplotlib, Pyomo, SciPy or SCIP, nor numpy.ma (30 ms, which np.unique pulls in)."""
    code = f"from planner.cli import main\nassert main(['compare', {str(TOY)!r}]) == 0"
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys; print('MODULES', *sys.modules)"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    modules = set(out.stdout.split("MODULES")[-1].split())
    loaded = {m.split(".")[0] for m in modules}
    assert {"numpy", "highspy", "pydantic"} <= loaded  # it did solve
    assert not loaded & {"pandas", "matplotlib", "pyomo", "scipy", "pyscipopt", "distributed"}, loaded
    assert "numpy.ma" not in modules


def test_lazy_names_still_work():
    assert planner.Plan is planner.load(TOY).__class__
    for name in planner.__all__:  # each public name is the thing it names, loaded on first use
        assert getattr(planner, name).__name__ == name, name
    plan = planner.load(TOY)
    assert isinstance(planner.resolve(plan), planner.Instance)
    result = planner.solve(plan)
    assert isinstance(result, planner.Result) and result.status == "optimal"
    first = plan.interventions[0].name
    comparison = planner.compare(plan, interventions=[first])
    assert isinstance(comparison, planner.Comparison)
    assert comparison.baseline.objective == pytest.approx(result.objective)
    assert [i.result.status for i in comparison.interventions] == ["optimal"]
    with pytest.raises(AttributeError):
        planner.no_such_name  # noqa: B018
