"""Small plans for tests, written as TOML would parse them, and the paths of the shipped ones."""
from __future__ import annotations

import contextlib
import io
import math
import os
from dataclasses import dataclass
from pathlib import Path

import planner

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"
TOY = MODELS / "serial_parallel_toy.toml"
LOGNORMAL = MODELS / "serial_parallel_toy_lognormal.toml"
FIELD = MODELS / "field_realistic.toml"


def make_plan(streams, *, pools=None, supply=10.0, horizon=20, step=1.0, objective="earliest",
              deadline=None, goal=None, interventions=None, start_year=None):
    """A plan dict as TOML would parse it. Streams default to `pool = "p"`; one pool "p" by default."""
    header = {"name": "test", "horizon": horizon, "step": step, "objective": objective}
    if start_year is not None:
        header["start_year"] = start_year
    data = {"plan": header,
            "pools": pools if pools is not None else [{"name": "p", "supply": supply}],
            "streams": [dict({"pool": "p"} if "crew" not in s and "pool" not in s else {}, **s)
                        for s in streams]}
    if deadline is not None:
        data["deadline"] = deadline
    if goal is not None:
        data["goal"] = {"required": goal}
    if interventions is not None:
        data["interventions"] = interventions
    return planner.from_dict(data)


def solved(plan, intervention=None):
    """Solve and insist on a proven optimum."""
    res = planner.solve(plan, intervention) if intervention else planner.solve(plan)
    assert res.status == "optimal", res.message
    return res


def lognormal_cdf(x, median, sigma):
    """An independent lognormal CDF: Phi((ln x - ln median) / sigma) via math.erf."""
    if x <= 0:
        return 0.0
    return 0.5 * (1.0 + math.erf((math.log(x) - math.log(median)) / (sigma * math.sqrt(2.0))))


@dataclass
class Ran:
    """What a `planner` command left: its exit code and what it wrote (as subprocess.run's result)."""
    args: list[str]
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args, cwd=None, env=None) -> Ran:
    """Run `planner ARGS...` in this process (planner.cli.main), in `cwd` (default: the repository)
    with `env` added to the environment, capturing stdout, stderr and the exit code. A command's
    own output and exit code are the same as the console script's; what only a real process shows
    (signals, the solver's C-level log on fd 1, exit at import) needs subprocess instead."""
    from planner.cli import main
    argv = [str(a) for a in args]
    out, err = io.StringIO(), io.StringIO()
    env = dict({"COLUMNS": "200"}, **(env or {}))
    saved = {k: os.environ.get(k) for k in env}
    here = os.getcwd()
    os.environ.update(env)
    os.chdir(cwd or ROOT)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as e:  # argparse's usage errors and --help
                code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    finally:
        os.chdir(here)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return Ran(argv, code, out.getvalue(), err.getvalue())


def fast_first(values, fast: int, ids=None) -> list:
    """Parameters for a family where the first `fast` cases run by default and the rest only with
    `pytest -m slow`: each behaviour stays in the default run, every case in the slow one."""
    import pytest
    out = []
    for k, v in enumerate(values):
        marks = () if k < fast else (pytest.mark.slow,)
        args = v if isinstance(v, tuple) else (v,)
        out.append(pytest.param(*args, marks=marks, id=None if ids is None else ids(v)))
    return out


# A labour-bound plan shared by the robustness tests: 500 FTE, effort 1210 at productivity 0.2:
# 6050 FTE-years, done after 12.1 years; the intervention (x1.04, 520 FTE) after 6050 / 520 =
# 11.635 years, with the deadline 0.5 years earlier
LABOUR = """
[plan]
name = "labour-bound"
horizon = 30
objective = "probability"

[[pools]]
name = "researchers"
supply = 500

[[streams]]
name = "work"
pool = "researchers"
effort = 1210
productivity = 0.2

[deadline]
distribution = { kind = "lognormal", median = 14, sigma = 0.5 }

[[interventions]]
name = "capabilities work"
deadline_shift = -0.5
supply = [{ pool = "researchers", multiply = 1.04 }]
"""

# Two one-stream plans shared by the CLI and report tests.
ONE_STREAM = """
[plan]
name = "one stream"
start_year = 2030
horizon = 4
objective = "earliest"

[[pools]]
name = "staff"
supply = 5

[[streams]]
name = "only"
pool = "staff"
effort = 3
min_duration = 3
"""

TOO_SHORT = """
[plan]
name = "too short"
horizon = 10
objective = "earliest"

[[pools]]
name = "staff"
supply = 100

[[streams]]
name = "slow"
pool = "staff"
effort = 20
min_duration = 20
"""


def write(tmp_path: Path, text: str, name: str = "plan.toml") -> Path:
    """`text` written to `tmp_path/name` (a plan file for a test)."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_clean_error(proc, code: int, *fragments: str) -> str:
    """Exit `code`, one line `planner: error: ...` on stderr containing every fragment."""
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("planner: error: "), proc.stderr
    for f in fragments:
        assert f in lines[0], (f, proc.stderr)
    return lines[0]
