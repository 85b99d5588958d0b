"""PSPLIB import (issue 11): the parser, the serial SGS, the plan mapping, the TOML writer, the CLI,
and the CI sample: 12 j30 instances whose solved makespan must equal the published optimum.

The instances live in tests/data/psplib (see its README: Kolisch & Sprecher 1996, via
ptal/kobe-scheduling), so the tests run from a clean clone. The expected numbers of
`test_parse_j301_1` were read by hand from tests/data/psplib/j301_1.sm.
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from planner.rcpsp import conversion, plan_file, psplib, reference
from planner.rcpsp.optima import published_optimum, read_optima
from planner.errors import PlanError

from plans import ROOT, fast_first
from plans import assert_clean_error

DATA = ROOT / "tests" / "data" / "psplib"
SAMPLE = sorted(DATA.glob("*.sm"))
J301_1 = DATA / "j301_1.sm"


def optima() -> dict[str, int]:
    """The published optima, read here with the csv module (not with planner.rcpsp.optima.read_optima)."""
    with (DATA / "j30_optimum_kobe.csv").open(newline="") as f:
        return {r["problem"].removesuffix(".sm"): int(r["optimum"]) for r in csv.DictReader(f)}


def run(*args, cwd=None) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "planner.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=env, timeout=120)




# --- the sample itself ------------------------------------------------------------------------------

def test_sample_is_complete():
    assert len(SAMPLE) == 12
    opt = optima()
    assert len(opt) == 480
    assert all(f.stem in opt for f in SAMPLE)
    assert opt["j301_1"] == 43


# --- parser -------------------------------------------------------------------------------------------

def test_parse_j301_1():
    r = psplib.parse(J301_1)
    assert r.n == 32
    assert r.names[0] == "1" and r.names[-1] == "32"
    assert r.horizon == 158
    assert r.capacities == [12, 13, 4, 12]
    assert r.resource_names == ["R1", "R2", "R3", "R4"]
    # REQUESTS/DURATIONS, by hand: job, duration, R1..R4
    by_hand = {1: (0, [0, 0, 0, 0]), 2: (8, [4, 0, 0, 0]), 3: (4, [10, 0, 0, 0]), 4: (6, [0, 0, 0, 3]),
               6: (8, [0, 0, 0, 8]), 8: (9, [0, 1, 0, 0]), 16: (10, [0, 0, 0, 5]), 20: (7, [0, 10, 0, 0]),
               26: (7, [0, 0, 4, 0]), 31: (2, [0, 0, 2, 0]), 32: (0, [0, 0, 0, 0])}
    for job, (d, req) in by_hand.items():
        assert r.durations[job - 1] == d, job
        assert r.requests[job - 1] == req, job
    assert sum(r.durations) == 158  # PSPLIB sets the horizon to the sum of the durations
    # PRECEDENCE RELATIONS, by hand (1-based in the file, 0-based in Rcpsp)
    succ = {1: [2, 3, 4], 2: [6, 11, 15], 8: [12, 19, 27], 10: [16, 25], 19: [24, 29], 29: [32], 32: []}
    for job, s in succ.items():
        assert r.successors[job - 1] == [x - 1 for x in s], job
    assert sum(len(s) for s in r.successors) == 48


def test_every_sample_instance_parses():
    for f in SAMPLE:
        r = psplib.parse(f)
        assert r.n == 32 and len(r.capacities) == 4
        assert r.durations[0] == 0 and r.durations[-1] == 0   # dummy source and sink
        assert all(len(q) == 4 for q in r.requests)


def test_parse_agrees_with_the_psplib_package():
    """An independent route, when the PyPI package `psplib` happens to be installed."""
    from importlib.metadata import PackageNotFoundError, distribution
    try:
        distribution("psplib")
    except PackageNotFoundError:
        pytest.skip("the PyPI package psplib is not installed")
    pkg = pytest.importorskip("psplib")
    if ROOT in Path(pkg.__file__).resolve().parents:  # benchmarks/psplib.py, put on sys.path by another test
        pytest.skip("'psplib' resolves to this project's benchmarks/psplib.py, not the PyPI package")
    for f in SAMPLE[:4]:
        ours, theirs = psplib.parse(f), pkg.parse(f, instance_format="psplib")
        assert [a.modes[0].duration for a in theirs.activities] == ours.durations
        assert [sorted(a.successors) for a in theirs.activities] == ours.successors
        assert [a.modes[0].demands for a in theirs.activities] == ours.requests
        assert [res.capacity for res in theirs.resources] == ours.capacities


# --- serial SGS ---------------------------------------------------------------------------------------

def feasible(r: psplib.Rcpsp, starts: list[int]) -> list[str]:
    """Independent check of a schedule (not reference.violations): every precedence, and every
    resource's use in every period within its capacity."""
    bad = []
    for i in range(r.n):
        if starts[i] < 0:
            bad.append(f"job {i + 1} starts at {starts[i]}")
        for j in r.successors[i]:
            if starts[i] + r.durations[i] > starts[j]:
                bad.append(f"{i + 1} -> {j + 1}")
    end = max(s + d for s, d in zip(starts, r.durations))
    for t in range(end):
        for k, cap in enumerate(r.capacities):
            use = sum(r.requests[i][k] for i in range(r.n) if starts[i] <= t < starts[i] + r.durations[i])
            if use > cap:
                bad.append(f"R{k + 1} period {t}: {use} > {cap}")
    return bad


@pytest.mark.parametrize("path", SAMPLE, ids=lambda p: p.stem)
def test_serial_sgs_is_feasible(path):
    r = psplib.parse(path)
    starts = reference.serial_sgs(r)
    assert len(starts) == r.n
    assert feasible(r, starts) == []
    assert reference.violations(r, starts) == []
    mk = reference.makespan(r, starts)
    assert mk == max(s + d for s, d in zip(starts, r.durations))
    assert r.critical_path_length() <= optima()[path.stem] <= mk


def test_violations_catches_a_bad_schedule():
    r = psplib.parse(J301_1)
    starts = [0] * r.n  # everything at once: precedences and capacities broken
    assert feasible(r, starts)
    assert reference.violations(r, starts)


# --- the plan -----------------------------------------------------------------------------------------

def test_to_plan_mapping_j301_1():
    r = psplib.parse(J301_1)
    horizon = reference.makespan(r, reference.serial_sgs(r))
    d = conversion.to_plan(r, "j301_1")
    assert d["plan"] == {"name": "PSPLIB j301_1", "start_year": 0, "horizon": horizon, "step": 1,
                         "objective": "earliest"}
    assert d["pools"] == [{"name": f"R{k}", "supply": c} for k, c in zip((1, 2, 3, 4), (12, 13, 4, 12))]
    streams = {s["name"]: s for s in d["streams"]}
    assert len(streams) == 30 and "job1" not in streams and "job32" not in streams  # dummies dropped
    assert streams["job2"] == {"name": "job2", "crew": {"R1": 4}, "effort": 8, "min_duration": 8,
                               "contiguous": True, "fixed_crew": True}  # after the source only: no 'after'
    assert streams["job6"]["after"] == ["job2"]
    assert sorted(streams["job20"]["after"]) == ["job11", "job18", "job5"]
    assert streams["job26"]["crew"] == {"R3": 4}
    for s in d["streams"]:
        assert s["effort"] == s["min_duration"] > 0 and s["contiguous"] and s["fixed_crew"]
        assert all(v > 0 for v in s["crew"].values())
    assert d["goal"] == {"required": [s["name"] for s in d["streams"]]}
    assert "deadline" not in d


def test_to_plan_is_a_valid_plan():
    from planner.plan.schema import from_dict
    plan = from_dict(conversion.to_plan(psplib.parse(J301_1), "j301_1"))
    assert plan.plan.objective == "earliest" and len(plan.streams) == 30


TINY = """\
************************************************************************
jobs (incl. supersource/sink ):  6
horizon                       :  20
RESOURCES
  - renewable                 :  1   R
  - nonrenewable              :  0   N
  - doubly constrained        :  0   D
************************************************************************
PRECEDENCE RELATIONS:
jobnr.    #modes  #successors   successors
   1        1          2           2   3
   2        1          1           4
   3        1          1           5
   4        1          1           5
   5        1          1           6
   6        1          0
************************************************************************
REQUESTS/DURATIONS:
jobnr. mode duration  R 1
------------------------------------------------------------------------
  1      1     0       0
  2      1     3       2
  3      1     2       0
  4      1     0       1
  5      1     4       3
  6      1     0       0
************************************************************************
RESOURCEAVAILABILITIES:
  R 1
    3
************************************************************************
"""


def test_zero_duration_job_is_bypassed_and_a_free_job_gets_its_own_pool():
    r = psplib.parse_text(TINY, "tiny.sm")
    assert r.durations == [0, 3, 2, 0, 4, 0]
    starts = reference.serial_sgs(r)
    assert feasible(r, starts) == []
    assert reference.makespan(r, starts) == 7  # 2 (R1=2) for 3, then 5 (R1=3) for 4; 3 runs alongside
    d = conversion.to_plan(r, "tiny")
    streams = {s["name"]: s for s in d["streams"]}
    assert sorted(streams) == ["job2", "job3", "job5"]          # job 4 (zero duration) is gone
    assert sorted(streams["job5"]["after"]) == ["job2", "job3"]  # 2 -> 4 -> 5 became 2 -> 5
    assert streams["job3"]["crew"] == {conversion.FREE_POOL: 1}
    assert {"name": conversion.FREE_POOL, "supply": 1} in d["pools"]
    assert d["plan"]["horizon"] == 7


# --- TOML ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", SAMPLE[:3], ids=lambda p: p.stem)
def test_toml_round_trip(path):
    r = psplib.parse(path)
    d = conversion.to_plan(r, path.stem)
    text = plan_file.to_toml(d, plan_file.header_comment(r, optima()[path.stem]))
    assert tomllib.loads(text) == d


def test_toml_writer_escapes_and_types(tmp_path):
    d = {"title": 'a "quoted" \\ back\tslash\nnew line \x01 \x7f é',
         "plan": {"x": 1.5, "y": 1e20, "z": -3, "flag": False, "big": 2.0, "empty": [], "nested": {"a key": 1}},
         "items": [{"name": "one", "list": [1, 2.5, "s", True]}, {"name": "two", "inline": {"k": "v"}}]}
    path = tmp_path / "x.toml"
    plan_file.write_toml(d, path, comment="line one\nline two")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# line one\n# line two\n")
    back = tomllib.loads(text)
    assert back == d
    assert isinstance(back["plan"]["big"], float) and isinstance(back["plan"]["z"], int)


# --- CLI ----------------------------------------------------------------------------------------------

def test_cli_import_writes_a_plan_that_check_accepts(tmp_path):
    out = tmp_path / "j301_1.toml"
    proc = run("import-psplib", J301_1, "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert "wrote" in proc.stdout
    text = out.read_text(encoding="utf-8")
    assert "Published optimum makespan: 43." in text and "j301_1" in text.splitlines()[0]
    assert tomllib.loads(text) == conversion.to_plan(psplib.parse(J301_1), "j301_1")
    proc = run("check", out)
    assert proc.returncode == 0, proc.stderr
    assert "valid" in proc.stdout and "30 streams" in proc.stdout


def test_cli_import_refuses_to_overwrite(tmp_path):
    out = tmp_path / "p.toml"
    out.write_text("keep me", encoding="utf-8")
    assert_clean_error(run("import-psplib", J301_1, "-o", out), 2, "exists", "--force")
    assert out.read_text(encoding="utf-8") == "keep me"
    assert run("import-psplib", J301_1, "-o", out, "--force").returncode == 0


def test_cli_import_to_stdout():
    proc = run("import-psplib", J301_1, "-o", "-")
    assert proc.returncode == 0, proc.stderr
    assert tomllib.loads(proc.stdout)["plan"]["objective"] == "earliest"


def test_cli_missing_file(tmp_path):
    assert_clean_error(run("import-psplib", tmp_path / "nope.sm", "-o", tmp_path / "p.toml"), 2,
                       "nope.sm", "no such file")
    assert_clean_error(run("solve", tmp_path / "nope.sm"), 2, "nope.sm", "no such file")


def test_cli_wrong_suffix(tmp_path):
    mm = tmp_path / "j301_1.mm"
    mm.write_text(J301_1.read_text())
    assert_clean_error(run("import-psplib", mm, "-o", tmp_path / "p.toml"), 2, "j301_1.mm", ".sm")
    assert_clean_error(run("import-psplib", J301_1, "-o", tmp_path / "p.json"), 2, "p.json", ".toml")


@pytest.mark.parametrize("edit, fragments", [
    (lambda t: t.replace("  2      1     8       4", "  2      1     x       4"), ["line 56", "job 2"]),
    (lambda t: t.replace("   2        1          3           6  11  15", "   2        1          3           6  11"),
     ["line 20", "announces 3 successors but lists 2"]),
    (lambda t: t.replace("   3        1          3", "   3        2          3"), ["line 21", "modes"]),
    (lambda t: t[:t.index("RESOURCEAVAILABILITIES")], ["RESOURCEAVAILABILITIES"]),
    (lambda t: t.replace("   12   13    4   12", "   12   13    4"), ["line 90", "expected 4 numbers"]),
    (lambda t: t.replace("   12   13    4   12", "    9   13    4   12"), ["line 90", "job 3 needs 10 units of R1"]),
    (lambda t: t.replace("   5        1          1          20", "   5        1          1          40"),
     ["line 23", "successor 40"]),
    (lambda t: "hello\n", ["jobs"]),
])
def test_malformed_input_names_file_and_line(tmp_path, edit, fragments):
    bad = tmp_path / "bad.sm"
    bad.write_text(edit(J301_1.read_text()))
    with pytest.raises(PlanError) as e:
        psplib.parse(bad)
    for f in ["bad.sm", *fragments]:
        assert f in str(e.value), (f, str(e.value))
    assert_clean_error(run("import-psplib", bad, "-o", tmp_path / "p.toml"), 2, "bad.sm", *fragments)
    assert not (tmp_path / "p.toml").exists()
    assert_clean_error(run("solve", bad), 2, "bad.sm")


def test_precedence_cycle_is_an_error(tmp_path):
    bad = tmp_path / "cycle.sm"
    bad.write_text(J301_1.read_text().replace("  31        1          1          32",
                                              "  31        1          1          26"))
    with pytest.raises(PlanError, match="cycle"):
        psplib.parse(bad)


def test_published_optimum_lookup():
    assert published_optimum(J301_1) == 43
    assert read_optima(DATA)["j3043_2"] == {"optimum": 43, "lb": 43, "ub": 43}


# --- the CI sample: solved makespan == published optimum ---------------------------------------------

def schedule_problems(r: psplib.Rcpsp, result) -> list[str]:
    """The solver's allocation read back as an RCPSP schedule: each job one crew unit in d
    consecutive periods, then the independent feasibility check."""
    rows = {s.name: k for k, s in enumerate(result.streams)}
    starts, bad = [0] * r.n, []
    for i in range(r.n):
        if r.durations[i] == 0:
            continue
        u = [float(x) for x in result.allocation[rows[f"job{r.names[i]}"]]]
        worked = [t for t, x in enumerate(u) if abs(x) > 1e-6]
        starts[i] = worked[0] if worked else 0
        if worked != list(range(starts[i], starts[i] + r.durations[i])) or any(abs(u[t] - 1) > 1e-6 for t in worked):
            bad.append(f"job {i + 1}: worked {worked} with {[u[t] for t in worked]}")
    for i in r.topological_order():  # dummies: as early as their predecessors allow
        if r.durations[i] == 0:
            starts[i] = max([starts[p] + r.durations[p] for p in r.predecessors[i]], default=0)
    return bad + feasible(r, starts)


@pytest.mark.parametrize("path", fast_first(SAMPLE, 2, ids=lambda p: p.stem))
def test_ci_sample_solves_to_the_published_optimum(path):
    import planner
    r = psplib.parse(path)
    result = planner.solve(conversion.load_plan(path), time_limit=30, threads=2)
    assert result.status == "optimal", (result.status, result.message)
    assert result.goal_completion_years == optima()[path.stem]
    assert schedule_problems(r, result) == []


def test_cli_solve_sm_file():
    path = DATA / "j3016_7.sm"
    proc = run("solve", path, "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["status"] == "optimal"
    assert out["goal_completion_years"] == optima()["j3016_7"] == 34
