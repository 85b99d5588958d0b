"""A wrong argument to solve, Model or compare is a UsageError (a ValueError) whose one line names
the argument, raised before any work; and the CLI accepts exactly the values the library does."""
from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

import planner
from planner import UsageError

from plans import ROOT, TOY


@pytest.fixture(scope="module")
def plan():
    return planner.load(TOY)


def _solve(**kw):
    return lambda plan: planner.solve(plan, **kw)


# (case, call on the loaded plan, the argument the message must name)
BAD = [
    ("solve-none", lambda p: planner.solve(None), "plan"),
    ("solve-number", lambda p: planner.solve(5), "plan"),
    ("solve-dict", lambda p: planner.solve({"plan": {}}), "plan"),
    ("model-none", lambda p: planner.Model(None), "plan"),
    ("time-limit-negative", _solve(time_limit=-1), "time_limit"),
    ("time-limit-nan", _solve(time_limit=math.nan), "time_limit"),
    ("time-limit-zero", _solve(time_limit=0), "time_limit"),
    ("time-limit-inf", _solve(time_limit=math.inf), "time_limit"),
    ("time-limit-text", _solve(time_limit="5"), "time_limit"),
    ("time-limit-bool", _solve(time_limit=True), "time_limit"),
    ("gap-2", _solve(gap=2), "gap"),
    ("gap-1", _solve(gap=1), "gap"),
    ("gap-negative", _solve(gap=-0.1), "gap"),
    ("gap-nan", _solve(gap=math.nan), "gap"),
    ("gap-none", _solve(gap=None), "gap"),
    ("threads-0", _solve(threads=0), "threads"),
    ("threads-negative", _solve(threads=-2), "threads"),
    ("threads-fraction", _solve(threads=1.5), "threads"),
    ("threads-bool", _solve(threads=True), "threads"),
    ("solver-none", _solve(solver=None), "solver"),
    ("solver-unknown", _solve(solver="no-such-solver"), "solver"),
    ("solver-options-list", _solve(solver_options=[("a", 1)]), "solver_options"),
    ("solver-options-text", _solve(solver_options="a=1"), "solver_options"),
    ("solver-options-key", _solve(solver_options={1: 2}), "solver_options"),
    ("intervention-unknown", lambda p: planner.solve(p, "no such"), "intervention"),
    ("intervention-number", lambda p: planner.solve(p, 5), "intervention"),
    ("intervention-list", lambda p: planner.solve(p, []), "intervention"),
    ("cross-check-unknown", _solve(cross_check="no-such-solver"), "cross_check"),
    ("cross-check-number", _solve(cross_check=5), "cross_check"),
    ("tie-break-text", _solve(tie_break="no"), "tie_break"),
    ("verbose-text", _solve(verbose="yes"), "verbose"),
    ("confirm-none", _solve(confirm=None), "confirm"),
    ("method-unknown", _solve(method="fast"), "method"),
    ("units-text", lambda p: planner.Model(p, "capabilities work", units="2"), "units"),
    ("units-nan", lambda p: planner.Model(p, "capabilities work", units=math.nan), "units"),
    ("update-intervention", lambda p: planner.Model(p).update(5), "intervention"),
    ("update-plan", lambda p: planner.Model(p).update(None, plan=str(TOY)), "plan"),
    ("model-solve-gap", lambda p: planner.Model(p).solve(gap=2), "gap"),
    ("compare-none", lambda p: planner.compare(None), "plan"),
    ("compare-path", lambda p: planner.compare(str(TOY)), "plan"),
    ("compare-interventions-text", lambda p: planner.compare(p, interventions="capabilities work"),
     "interventions"),
    ("compare-interventions-unknown", lambda p: planner.compare(p, interventions=["no such"]), "interventions"),
    ("compare-interventions-none", lambda p: planner.compare(p, interventions=[None]), "interventions"),
    ("compare-on-result", lambda p: planner.compare(p, on_result=5), "on_result"),
    ("compare-gap", lambda p: planner.compare(p, gap=2), "gap"),
    ("compare-threads", lambda p: planner.compare(p, threads=0), "threads"),
    ("compare-solver", lambda p: planner.compare(p, solver=3), "solver"),
]


@pytest.mark.parametrize("call, argument", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_argument_is_a_usage_error_naming_it(plan, call, argument):
    with pytest.raises(UsageError) as info:
        call(plan)
    message = str(info.value)
    assert isinstance(info.value, ValueError) and isinstance(info.value, planner.PlannerError)
    assert "\n" not in message and re.match(rf"{argument}\b", message), message


@pytest.mark.parametrize("path", [str(TOY), TOY], ids=["str", "Path"])
def test_a_path_is_refused_with_the_call_that_loads_it(path):
    with pytest.raises(UsageError, match=r"planner\.load\("):
        planner.solve(path)


def test_checks_come_before_any_solve(plan, monkeypatch):
    """A bad option to compare fails at once, not after the baseline has been solved."""
    import planner.pipeline.search
    calls = []
    monkeypatch.setattr(planner.pipeline.search.GoalSearch, "structured", lambda *a, **k: calls.append(1))
    with pytest.raises(UsageError):
        planner.compare(plan, tie_break="no")
    assert calls == []


def test_good_arguments_of_every_kind_are_accepted(plan):
    """numpy numbers, an Intervention object and a tuple of names are arguments as good as any."""
    iv = plan.intervention("capabilities work")
    r = planner.solve(plan, iv, time_limit=np.float64(30), gap=np.float32(0.0), threads=np.int64(1),
                      solver_options={}, tie_break=False, cross_check=False)
    assert r.variant == "capabilities work" and r.solved
    c = planner.compare(plan, interventions=("capabilities work",), time_limit=30)
    assert [iv.name for iv in c.interventions] == ["capabilities work"]


# --- the CLI accepts exactly what the library accepts ---------------------------------------------

def _cli_accepts(option: str, text: str) -> bool:
    from planner.cli.main import _parser
    try:
        _parser().parse_args(["solve", str(TOY), option, text])
    except SystemExit:
        return False
    return True


def _library_accepts(check, text: str) -> bool:
    try:
        value = float(text) if check != "threads" else int(text)
    except ValueError:
        return False
    from planner.pipeline import arguments
    try:
        {"gap": arguments.check_gap, "time_limit": arguments.check_time_limit,
         "threads": arguments.check_threads}[check](value)
    except UsageError:
        return False
    return True


VALUES = ["nan", "inf", "-inf", "-1", "0", "1e-3", "0.5", "1", "2", "30", "x", ""]


@pytest.mark.parametrize("option, check", [("--gap", "gap"), ("--time-limit", "time_limit"),
                                           ("--threads", "threads")])
def test_cli_and_library_agree(option, check, capsys):
    for text in VALUES:
        assert _cli_accepts(option, text) == _library_accepts(check, text), (option, text)
    capsys.readouterr()


def test_argument_checks_need_only_the_standard_library():
    """The CLI imports them before main (planner/cli/main.py): no numpy, pydantic or solver there."""
    import subprocess
    import sys
    code = ("import sys, planner.pipeline.arguments; "
            "print(sorted(m for m in ('numpy', 'pydantic', 'highspy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"



@pytest.mark.parametrize("call", [lambda p: planner.solve(p, timelimit=5), lambda p: planner.compare(p, gaps=0.1)],
                         ids=["solve", "compare"])
def test_a_misspelt_option_is_named(plan, call):
    with pytest.raises(UsageError, match=r"^(timelimit|gaps): not an option of solve \(the options: time_limit, "):
        call(plan)
