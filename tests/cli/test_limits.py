"""Limits and faults: time limits keep the best plan, Ctrl-C stops cleanly, files are whole or absent,
infeasibility is explained in the plan's terms, and data files stay where they are allowed."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import planner
from planner.plan import synthetic
from planner.files import write_atomic

# far beyond a few seconds to prove optimal; `value`, which no structural bound settles, so the
# whole MIP is solved
HARD = dict(streams=120, periods=200, scenarios=20, seed=0, objective="value", tightness=0.3)


def _cli(*args, **kw):
    return subprocess.Popen([sys.executable, "-m", "planner.cli", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def test_time_limit_returns_the_best_plan_with_bound_and_gap():
    plan = synthetic.plan(**HARD)
    start = time.perf_counter()
    result = planner.solve(plan, time_limit=2)
    elapsed = time.perf_counter() - start
    assert elapsed < 6.0, elapsed      # the limit holds within seconds (build and checks on top)
    assert result.status == "time_limit"
    assert result.objective is not None and result.bound is not None and result.gap is not None
    assert result.bound >= result.objective - 1e-9      # a maximisation: the bound is above the plan
    assert result.allocation is not None                 # and the plan passed verification


@pytest.mark.slow
def test_ctrl_c_during_compare_writes_no_file_and_says_what_finished(tmp_path):
    plan_file = tmp_path / "hard.json"
    plan_file.write_text(json.dumps(synthetic.plan_dict(**HARD)))
    out = tmp_path / "out.json"
    proc = _cli("compare", plan_file, "-o", out)
    time.sleep(3.0)                                      # imports, build, and well into the solve
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert "out.json was not written" in stderr
    assert not out.exists()
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
    # Run again (to completion, within a limit): the whole file is written.
    proc = _cli("compare", plan_file, "-o", out, "--time-limit", "1")
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    written = json.loads(out.read_text())
    assert written["baseline"]["status"] in ("optimal", "time_limit")
    assert [iv["name"] for iv in written["interventions"]] == ["capabilities work"]


def test_write_atomic_keeps_the_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "result.json"
    write_atomic(target, '{"old": true}\n')

    with pytest.raises(TypeError):
        write_atomic(target, None)                       # fails mid-write
    assert target.read_text() == '{"old": true}\n'
    assert os.listdir(tmp_path) == ["result.json"]       # no temporary file left behind


def _earliest(streams, pools, horizon=10):
    return planner.from_dict({"plan": {"horizon": horizon, "objective": "earliest"},
                              "pools": pools, "streams": streams})


def test_infeasible_names_the_chain_that_cannot_fit():
    plan = _earliest([{"name": "a", "pool": "r", "effort": 5, "min_duration": 6},
                      {"name": "b", "pool": "r", "effort": 5, "min_duration": 6, "after": ["a"]}],
                     [{"name": "r", "supply": 100}])
    result = planner.solve(plan)
    assert result.status == "infeasible"
    assert "a -> b" in result.message and "unlimited labour" in result.message  # 6 + 6 > 10 years


def test_infeasible_names_the_pool_that_is_short():
    # theory supplies 2 FTE x 10 years = 20 FTE-years; stream a needs 30 crew units-years of it.
    plan = _earliest([{"name": "a", "crew": {"theory": 1, "eng": 3}, "effort": 30},
                      {"name": "b", "pool": "eng", "effort": 50}],
                     [{"name": "theory", "supply": 2}, {"name": "eng", "supply": 100}])
    result = planner.solve(plan)
    assert result.status == "infeasible"
    assert "pool theory supplies 20 FTE-years" in result.message and "at least 30" in result.message


def _plan_with_csv(folder: Path, csv_path: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    plan = folder / "plan.toml"
    plan.write_text(f'[plan]\nhorizon = 5\nobjective = "earliest"\n[[pools]]\nname = "r"\n'
                    f'supply = {{ file = "{csv_path}", column = "fte" }}\n'
                    '[[streams]]\nname = "a"\npool = "r"\neffort = 20\n')
    return plan


def test_data_files_outside_the_plan_folder_need_explicit_permission(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "fte.csv").write_text("year,fte\n2026,10\n")
    plan_file = _plan_with_csv(tmp_path / "project" / "models", "../../elsewhere/fte.csv")
    plan = planner.load(plan_file)
    with pytest.raises(planner.PlanError) as err:
        planner.resolve(plan)
    assert err.value.key == "supply.file" and "outside" in str(err.value) and "--allow-dir" in str(err.value)
    allowed = planner.load(plan_file, allow_dirs=[elsewhere])
    assert planner.solve(allowed).objective == pytest.approx(2.0)   # 20 effort at 10 FTE: 2 years
    proc = _cli("solve", plan_file, "--json")
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "outside" in stderr
    proc = _cli("solve", plan_file, "--json", "--allow-dir", elsewhere)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert json.loads(stdout)["objective"] == pytest.approx(2.0)


def test_data_folder_beside_the_plans_folder_is_allowed(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "fte.csv").write_text("# source: test\nyear,fte\n2026,4\n2028,10\n")
    plan = planner.load(_plan_with_csv(tmp_path / "models", "../data/fte.csv"))
    # 4 + 4 + 10 = 18 < 20 after three years, the last 2 at 10 a year: the goal is met at 3.2 years
    # (continuous time; on whole years, after 4).
    assert planner.solve(plan).objective == pytest.approx(3.2)
