"""Fuzzing the plan contract (../shared/MODEL.md) with hypothesis, derandomized.

Each case is a valid plan from `fuzzplans.valid_plan` or one mutation of it (wrong types,
missing keys, unknown keys and names, cycles, NaN/inf, out-of-range numbers, probabilities off
by a little, empty lists, deep garbage, huge horizons and numbers, unicode names). The contract
leaves two outcomes: a verified optimal schedule (re-checked here with numpy, independently of
planner/verify.py), or a `planner.PlanError` naming the table with a non-empty message. Any other
exception, a hang, or the wrong one of the two outcomes fails. See tests/fuzzplans.py.

Failures print the kind and the seed: `python benchmarks/fuzz_long.py --replay KIND SEED`
reproduces a case outside pytest.
"""
from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

import planner
from fuzzplans import Case, broken_limit, dumps, garbage, make_case, run_case
from planner import PlanError

from plans import ROOT, fast_first

SEEDS = st.integers(min_value=0, max_value=2**32 - 1)


def fuzz(examples: int):
    """Fixed examples (derandomized), no example database, no shrinking (a seed is not
    shrinkable in any useful sense: the failing seed is reported as is)."""
    return settings(max_examples=examples, derandomize=True, database=None, deadline=None,
                    phases=[Phase.explicit, Phase.generate], print_blob=False,
                    suppress_health_check=list(HealthCheck))


def check(kind: str, seed: int):
    case = make_case(kind, random.Random(seed))
    text = dumps(case.data)
    note(f"{kind} seed={seed}: {case.note}\nplan: {text[:3000]}")
    return run_case(case, time_limit=5, via_file=seed % 3 == 0, wall_clock=60)


# --- accepted plans: must solve, and the schedule must check out -------------------------------

@fuzz(60)
@given(seed=SEEDS)
def test_valid_plans_solve_and_verify(seed):
    assert check("valid", seed).status in ("solved", "infeasible")


@fuzz(20)
@given(seed=SEEDS)
def test_unicode_names_are_valid(seed):
    assert check("unicode", seed).status in ("solved", "infeasible")


@fuzz(15)
@given(seed=SEEDS)
def test_probabilities_within_1e_8_of_one_are_accepted(seed):
    assert check("prob_close", seed).status in ("solved", "infeasible")


@fuzz(20)
@given(seed=SEEDS)
def test_horizons_past_the_cap_refused_and_at_the_cap_handled(seed):
    check("huge_horizon", seed)


# --- refused plans: one PlanError naming the table ---------------------------------------------

@fuzz(40)
@given(seed=SEEDS)
def test_wrong_types_refused(seed):
    assert check("wrong_type", seed).status == "refused"


@fuzz(30)
@given(seed=SEEDS)
def test_missing_keys_refused(seed):
    assert check("missing_key", seed).status == "refused"


@fuzz(30)
@given(seed=SEEDS)
def test_unknown_keys_refused(seed):
    assert check("unknown_key", seed).status == "refused"


@fuzz(30)
@given(seed=SEEDS)
def test_unknown_names_refused(seed):
    assert check("unknown_name", seed).status == "refused"


@fuzz(20)
@given(seed=SEEDS)
def test_cycles_refused(seed):
    assert check("cycle", seed).status == "refused"


@fuzz(30)
@given(seed=SEEDS)
def test_nan_and_infinite_numbers_refused(seed):
    assert check("nonfinite", seed).status == "refused"


@fuzz(30)
@given(seed=SEEDS)
def test_out_of_range_numbers_refused(seed):
    assert check("negative", seed).status == "refused"


@fuzz(20)
@given(seed=SEEDS)
def test_probabilities_off_by_1e_3_or_more_refused(seed):
    assert check("prob_off", seed).status == "refused"


@fuzz(15)
@given(seed=SEEDS)
def test_empty_lists_refused(seed):
    assert check("empty", seed).status == "refused"


@fuzz(30)
@given(seed=SEEDS)
def test_nested_garbage_refused(seed):
    assert check("nested_garbage", seed).status == "refused"


# --- edge numbers: handled (verified) or refused, nothing else ---------------------------------

@fuzz(30)
@given(seed=SEEDS)
def test_extreme_numbers_handled_or_refused(seed):
    check("huge_number", seed)


@fuzz(15)
@given(seed=SEEDS)
def test_negative_values_handled_or_refused(seed):
    check("negative_value", seed)


# --- explicit cases ------------------------------------------------------------------------------

def small_plan(**deadline) -> dict:
    """One stream of effort 10 on a pool of 5: complete after 2 years (end of period 1)."""
    return {"plan": {"horizon": 10, "objective": "probability"},
            "pools": [{"name": "staff", "supply": 5}],
            "streams": [{"name": "a", "pool": "staff", "effort": 10}],
            "deadline": deadline or {"years": 5}}


@pytest.mark.parametrize("delta,accepted", [
    (1e-3, False), (-1e-3, False), (1e-2, False), (2e-6, False), (-2e-6, False),
    (1e-8, True), (-1e-8, True), (5e-7, True), (-5e-7, True), (0.0, True)])
def test_probability_sum_tolerance(delta, accepted):
    """MODEL.md: probabilities must sum to 1 within 1e-6. Both scenarios (3 and 8 years) are met
    by the finish after 2 years, so the objective is the sum of the probabilities."""
    d = small_plan(scenarios=[[3, 0.4], [8, 0.6 + delta]])
    if not accepted:
        with pytest.raises(PlanError) as err:
            planner.from_dict(d)
        assert err.value.table == "[deadline]" and str(err.value)
        return
    r = planner.solve(planner.from_dict(d), time_limit=5)
    assert r.status == "optimal"
    assert r.objective == pytest.approx(1.0 + delta, abs=1e-9)
    assert -1e-6 <= r.objective <= 1 + 1e-6


@pytest.mark.parametrize("p", [1 + 1e-8, 1 - 1e-8])
def test_single_scenario_probability_within_tolerance_accepted(p):
    """A single scenario whose probability is 1 within 1e-8 sums to 1 within the contract's
    1e-6, so it is accepted (and the goal, met after 2 of 5 years, has probability p)."""
    d = small_plan(scenarios=[[5, p]])
    try:
        plan = planner.from_dict(d)
    except PlanError as e:
        pytest.fail(f"refused a single scenario of probability 1{p - 1:+.0e}: {e}")
    r = planner.solve(plan, time_limit=5)
    assert r.status == "optimal" and r.objective == pytest.approx(p, abs=1e-9)


@pytest.mark.parametrize("data", [[1, 2], "plan", None, "deep-garbage"], ids=repr)
def test_top_level_not_a_table_refused_with_table(data):
    """Top-level garbage is a PlanError too, and (like every PlanError) names its table."""
    if data == "deep-garbage":
        data = garbage(random.Random(1), 200)
        data = data if isinstance(data, list) else [data]
    with pytest.raises(PlanError) as err:
        planner.from_dict(data)
    assert str(err.value).strip()
    assert err.value.table, f"PlanError without a table: {err.value}"


EXTREME = [
    ("effort 1e15", ("streams", 0, "effort"), 1e15),
    ("effort 1e300", ("streams", 0, "effort"), 1e300),
    ("productivity 1e15", ("streams", 0, "productivity"), 1e15),
    ("step 1e15 (one period)", ("plan", "step"), 1e15),
    ("lag 1e19", ("streams", 1, "after", 0, "lag"), 1e19),
    ("release 1e19", ("streams", 1, "release"), 1e19),
    ("start_year 10**400", ("plan", "start_year"), 10**400),
    ("start_year -10**400", ("plan", "start_year"), -(10**400)),
    ("step 1e-300", ("plan", "step"), 1e-300),
    ("step 5e-324", ("plan", "step"), 5e-324),
    ("lag 1e20", ("streams", 1, "after", 0, "lag"), 1e20),
    ("max_staff 1e-300", ("streams", 0, "max_staff"), 1e-300),
    ("supply 1e300", ("pools", 0, "supply"), 1e300),
    ("deadline 1e300 years", ("deadline", "years"), 1e300),
    ("value 1e300", ("streams", 0, "value"), 1e300),
]


@pytest.mark.parametrize("path,value", [e[1:] for e in EXTREME], ids=[e[0] for e in EXTREME])
def test_extreme_number_handled_or_refused(path, value):
    """A number the schema admits, however extreme: a verified schedule or a PlanError."""
    d = {"plan": {"horizon": 10, "objective": "probability"},
         "pools": [{"name": "staff", "supply": 5}],
         "streams": [{"name": "a", "pool": "staff", "effort": 10},
                     {"name": "b", "pool": "staff", "effort": 5, "after": [{"stream": "a", "lag": 1}]}],
         "deadline": {"years": 8}}
    node = d
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    run_case(Case("explicit", d, "either", "/".join(map(str, path))), time_limit=5, wall_clock=60)


@pytest.mark.parametrize("objective", ["earliest", "probability"])
@pytest.mark.parametrize("effort", [1e-6, 1e-9])
def test_tiny_effort_still_takes_min_duration(effort, objective):
    """MODEL.md: productivity * u <= effort / min_duration, so a stream of min_duration 3 takes
    3 years however small its effort: earliest completion 3.0, and a 2-year deadline is missed
    (probability 0). A refusal (PlanError naming the table) is clean only if the effort really is
    below the documented least effort (1e-3), as these are."""
    d = {"plan": {"horizon": 9, "objective": objective}, "pools": [{"name": "staff", "supply": 2}],
         "streams": [{"name": "a", "pool": "staff", "effort": effort, "min_duration": 3}],
         "deadline": {"years": 2}}
    try:
        plan = planner.from_dict(d)
    except PlanError as e:
        assert e.table and str(e)
        assert broken_limit(d) == f"effort {effort!r} outside [1e-3, 1e9]", str(e)
        return
    r = planner.solve(plan, time_limit=5)
    assert r.status == "optimal"
    assert r.goal_completion_years == pytest.approx(3.0)
    assert r.objective == pytest.approx(3.0 if objective == "earliest" else 0.0)


def test_negative_value_weight_handled_or_refused():
    """MODEL.md gives `value` no sign. A refusal is clean only because the weight really is
    negative (fuzzplans.broken_limit, not the planner, says so); if it is accepted, the optimum is
    the true one: a (value -1, effort 1) must precede b (value 10, effort 3) on one researcher; deadlines
    1 and 6 years (0.5 each). Finishing a in period 0 gives 0.5*(-1) + 0.5*(10-1) = 4.0; finishing
    it in period 1 (b in periods 2-4, done after 5 years) gives 0 + 0.5*9 = 4.5, the optimum."""
    d = {"plan": {"horizon": 6, "objective": "value"}, "pools": [{"name": "p", "supply": 1}],
         "streams": [{"name": "a", "pool": "p", "effort": 1, "value": -1},
                     {"name": "b", "pool": "p", "effort": 3, "after": ["a"], "value": 10}],
         "deadline": {"scenarios": [[1, 0.5], [6, 0.5]]}}
    try:
        plan = planner.from_dict(d)
    except PlanError as e:
        assert e.table and str(e)
        assert broken_limit(d) == "negative value weight -1", str(e)
        assert "value" in str(e) and e.table.startswith("[[streams]]"), str(e)
        return
    r = planner.solve(plan, time_limit=5)
    assert r.status == "optimal" and r.objective == pytest.approx(4.5)


def test_intervention_with_extreme_multiplier_handled_or_refused():
    d = small_plan()
    d["interventions"] = [{"name": "x", "productivity": [{"streams": ["a"], "multiply": 1e300}]}]
    run_case(Case("explicit", d, "either", "productivity x 1e300"), time_limit=5, wall_clock=60)


# --- the command line: broken files exit 2, never with a traceback ------------------------------

GOOD_TOML = """
[plan]
horizon = 10
objective = "probability"

[[pools]]
name = "staff"
supply = 5

[[streams]]
name = "a"
pool = "staff"
effort = 10

[deadline]
years = 5
"""

CLI_BROKEN = {
    "unknown-key.toml": GOOD_TOML + "\n[solver]\nthreads = 2\n",
    "cycle.toml": GOOD_TOML.replace('effort = 10', 'effort = 10\nafter = ["b"]')
    + '\n[[streams]]\nname = "b"\npool = "staff"\neffort = 1\nafter = ["a"]\n',
    "nan-effort.toml": GOOD_TOML.replace("effort = 10", "effort = nan"),
    "probabilities-off.toml": GOOD_TOML.replace("years = 5", "scenarios = [[3, 0.5], [6, 0.501]]"),
    "missing-streams.toml": GOOD_TOML.split("[[streams]]")[0] + "[deadline]\nyears = 5\n",
    "syntax.toml": "[plan\nhorizon = 10\n",
    "empty.toml": "",
    "huge-horizon.toml": GOOD_TOML.replace("horizon = 10", "horizon = 1e6"),
    "unknown-unicode-pool.toml": GOOD_TOML.replace('pool = "staff"', 'pool = "研究者 🧪"'),
    "top-level-list.json": "[1, 2, 3]",
    "nan.json": '{"plan": {"horizon": NaN}, "pools": [], "streams": []}',
    "lone-surrogate.json": json.dumps({"plan": {"horizon": 5}, "pools": [{"name": "\ud800", "supply": 1}],
                                       "streams": [{"name": "a", "pool": "\ud800", "effort": 1}]}),
    "not-utf8.toml": b"\xff\xfe\x00[plan]",
    "deeply-nested.json": "[" * 100_000 + "]" * 100_000,
    "deeply-nested-value.json": '{"plan": {"horizon": 5, "name": ' + "[" * 50_000 + "]" * 50_000 + "}}",
    "deeply-nested.toml": "x = " + "[" * 100_000 + "]" * 100_000 + "\n",
    "deeply-nested-inline.toml": "x = " + "{a=" * 5_000 + "1" + "}" * 5_000 + "\n",
}


# four by default (a cycle, bad bytes, deep nesting, a TOML syntax error); every one with -m slow
CLI_BROKEN_FIRST = ("cycle.toml", "not-utf8.toml", "deeply-nested.json", "syntax.toml")


@pytest.mark.parametrize("name", fast_first(sorted(CLI_BROKEN, key=lambda n: n not in CLI_BROKEN_FIRST), 4, ids=str))
def test_cli_broken_file_exits_2_without_traceback(tmp_path, name):
    path = tmp_path / name
    body = CLI_BROKEN[name]
    path.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass"))
    p = subprocess.run([sys.executable, "-m", "planner.cli", "solve", str(path), "--json", "--time-limit", "5"],
                       capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert "Traceback" not in p.stderr, p.stderr[-2000:]
    assert p.returncode == 2, (p.returncode, p.stderr[-2000:])
    assert p.stderr.startswith("planner: error:") and str(path) in p.stderr
    assert p.stdout == ""


def _limit_memory():  # runs in the child: a runaway allocation fails there, not on the machine
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))


@pytest.mark.parametrize("horizon,step,must_solve", [
    (10000, 1.0, True),      # 10,000 periods: at the schema's cap, a one-stream plan solves
    pytest.param(10000, 0.01, False, marks=pytest.mark.slow),    # 1,000,000 periods
    pytest.param(1, 1e-7, False, marks=pytest.mark.slow),        # 10,000,000 periods
    (10, 1e-300, False),     # 1e301 periods
], ids=["10k-periods", "1M-periods", "10M-periods", "1e301-periods"])
def test_many_periods_handled_or_refused(tmp_path, horizon, step, must_solve):
    """horizon / step periods: solved (exit 0, status optimal) or refused (exit 2), within 2 GB
    of address space and 100 s, without a traceback. Run in a child process for isolation."""
    d = {"plan": {"horizon": horizon, "step": step, "objective": "probability"},
         "pools": [{"name": "staff", "supply": 5}],
         "streams": [{"name": "a", "pool": "staff", "effort": 10}],
         "deadline": {"years": 5}}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(d))
    try:
        p = subprocess.run([sys.executable, "-m", "planner.cli", "solve", str(path), "--json",
                            "--time-limit", "20"], capture_output=True, text=True, timeout=100,
                           cwd=ROOT, preexec_fn=_limit_memory)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{horizon} years in steps of {step:g}: still running after 100 s")
    assert "Traceback" not in p.stderr, p.stderr[-1500:]
    allowed = (0,) if must_solve else (0, 2)
    assert p.returncode in allowed, (p.returncode, p.stderr[-1500:])
    if p.returncode == 2:  # refused: only if it is past the documented 10,000 periods
        assert broken_limit(d) is not None and horizon / step > 10_000, p.stderr[-1500:]
    if p.returncode == 0:
        out = json.loads(p.stdout)
        assert out["status"] == "optimal"
        # one stream of effort 10 at 5 per year: complete after 2 years, before the deadline of 5
        assert out["objective"] == pytest.approx(1.0)
