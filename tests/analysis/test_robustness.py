"""A verdict that carries its robustness (planner/analysis/robustness.py): how far each
intervention is from flipping (exact break-even on its own shift and supply multiplier), and with
an `[uncertainty]` table its P(harm) and 5-95% range from a seeded Monte Carlo run.

Every expected value is derived by hand or drawn again here with numpy, never read from the
planner's own output."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib

import numpy as np
import pytest

from planner import compare, from_dict, load
from planner.analysis.montecarlo import montecarlo
from planner.analysis.robustness import clean, verdict_robustness
from planner.report.assumptions import assumptions
from planner.report.words import effect, flip_words, montecarlo_words, number

from plans import LABOUR, ROOT, TOY

SHIFT = 'interventions."capabilities work".deadline_shift'


def loads(text: str):
    return from_dict(tomllib.loads(text))


def toy_with_uncertainty(seed: int) -> str:
    """The toy with the capabilities shift drawn uniform in [-3, 0]."""
    return TOY.read_text() + f"""
[uncertainty]
seed = {seed}
"interventions.\\"capabilities work\\".deadline_shift" = {{ kind = "uniform", low = -3, high = 0 }}
"""


def by_hand(seed: int, n: int) -> dict:
    """The same draws as montecarlo (one numpy stream per input, spawned from the seed); the goal
    needs 25 years and the deadline is 26 + shift, so a sample loses the whole chance (-1) iff
    shift < -1, and changes nothing otherwise."""
    shifts = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0]).uniform(-3, 0, n)
    effects = np.where(shifts < -1, -1.0, 0.0)
    return {"p_harm": float((effects < 0).mean()), "mean": float(effects.mean()),
            "p5": float(np.quantile(effects, 0.05)), "p95": float(np.quantile(effects, 0.95))}


def test_toy_breaks_even_at_a_shift_of_minus_one_and_no_multiplier_flips_it():
    plan = load(TOY)
    r = verdict_robustness(plan, compare(plan), samples=0)["capabilities work"]
    # the goal at 25 years is met iff 26 + shift >= 25: a step at shift = -1
    assert r.shift.value == pytest.approx(-1, abs=r.shift.search.tolerance)
    assert r.shift.kind == "step" and r.shift.value >= -1
    # serial-a needs 25 years whatever the supply: no multiplier in [0, 30] flips it
    assert len(r.supply) == 1 and r.supply[0].value is None and r.supply[0].kind is None
    text = flip_words("probability", r)
    assert text.startswith("capabilities work loses 100 pp; it would break even if it brought the deadline "
                           "1 year earlier instead of 2")
    assert "no researchers multiplier from 0 to 30 (structural)" in text


def test_labour_bound_flip_points_are_exact():
    plan = loads(LABOUR)
    rob = verdict_robustness(plan, compare(plan), samples=0)
    r = rob["capabilities work"]
    # 6050 / (500 m) + 0.5 = 12.1 and 6050 / 520 - s = 12.1
    assert r.supply[0].value == pytest.approx(6050 / (500 * 11.6), abs=1e-3)
    assert r.shift.value == pytest.approx(6050 / 520 - 12.1, abs=1e-3)
    assert r.shift.kind == r.supply[0].kind == "continuous"
    assert r.delta < 0
    flip = rob.to_dict()["flip"]["capabilities work"]
    assert set(flip) == {"shift", "supply"} and flip["supply"][0]["pool"] == "researchers"
    assert rob.to_dict()["robustness"] is None   # no [uncertainty]: no Monte Carlo
    assert "4.31% more researchers instead of 4%" in flip_words("probability", r)


def test_an_effect_the_intervention_lacks_gets_no_flip():
    plan = loads(LABOUR.replace("deadline_shift = -0.5\n", ""))
    r = verdict_robustness(plan, compare(plan), samples=0)["capabilities work"]
    assert r.shift is None and "deadline" not in flip_words("probability", r)
    assert "shift" not in r.flip_dict()


def test_p_harm_and_range_match_the_same_draws_by_hand():
    seed, n = 11, 30
    plan = loads(toy_with_uncertainty(seed))
    rob = verdict_robustness(plan, compare(plan), samples=n)
    expected = by_hand(seed, n)
    assert 0 < expected["p_harm"] < 1   # the draws fall on both sides of -1
    got = rob.to_dict()["robustness"]
    assert got["samples"] == n and got["seed"] == seed
    for key, value in expected.items():
        assert got["interventions"]["capabilities work"][key] == pytest.approx(value, abs=1e-9), key
    words = montecarlo_words("probability", rob, rob["capabilities work"])
    assert f"Over {n} samples" in words and f"P(harm) = {expected['p_harm']:.2f}" in words


def test_tornado_leaves_out_another_interventions_input():
    plan = loads(TOY.read_text() + """
[[interventions]]
name = "other"
deadline_shift = -0.5

[uncertainty]
seed = 5
"interventions.\\"capabilities work\\".deadline_shift" = { kind = "uniform", low = -3, high = 0 }
"interventions.other.deadline_shift" = { kind = "uniform", low = -3, high = 0 }
""")
    mc = montecarlo(plan, 12, workers=1, refine=False)
    assert list(mc.tornado("capabilities work")["input"]) == [SHIFT]
    assert list(mc.tornado("other")["input"]) == ["interventions.other.deadline_shift"]


def test_noise_prints_as_zero():
    assert clean(-1.11e-16) == 0.0 and clean(-0.25) == -0.25
    assert effect("probability", -1.11e-16) == "0 pp"
    assert effect("probability", -0.009) == "-0.9 pp"
    assert effect("probability", -0.009, sign=False) == "0.9 pp"
    assert number(-3.33e-16) == "0"


def test_a_multiply_lifts_the_pools_cap_in_the_assumptions():
    plan = loads(LABOUR.replace("supply = 500", "supply = { start = 400, growth = 0.1, cap = 1000 }")
                 .replace("multiply = 1.04", "multiply = 2"))
    text = next(row[2] for row in assumptions(plan) if row[0] == "intervention")
    assert "researchers supply x2 (its cap too: 1000 becomes 2000 FTE)" in text


@pytest.mark.slow
def test_compare_cli_gives_the_robustness_with_its_size_and_seed(tmp_path):
    path = tmp_path / "plan.toml"
    path.write_text(toy_with_uncertainty(20260101))
    cmd = [sys.executable, "-m", "planner.cli", "compare", str(path), "--samples", "20", "--seed", "3"]
    out = subprocess.run(cmd + ["--json"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["robustness"]["samples"] == 20 and data["robustness"]["seed"] == 3   # --seed wins
    assert data["robustness"]["interventions"]["capabilities work"]["p_harm"] == \
        pytest.approx(by_hand(3, 20)["p_harm"])
    flip = data["interventions"][0]["flip"]
    assert flip["shift"]["kind"] == "step" and flip["shift"]["value"] == pytest.approx(-1, abs=1e-3)
    assert flip["supply"][0]["kind"] is None and flip["supply"][0]["value"] is None
    text = subprocess.run(cmd[:-4] + ["--samples", "0"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert text.returncode == 0, text.stderr
    assert "would break even if it brought the deadline 1 year earlier instead of 2" in " ".join(text.stdout.split())
    assert "P(harm)" not in text.stdout   # --samples 0: no Monte Carlo
    assert not re.search(r"\de-\d", text.stdout)
    quick = subprocess.run(cmd + ["--no-flip", "--json"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert quick.returncode == 0, quick.stderr
    data = json.loads(quick.stdout)
    assert data["interventions"][0]["flip"] == {}   # no flip search asked for
    assert data["robustness"]["interventions"]["capabilities work"]["p_harm"] == pytest.approx(by_hand(3, 20)["p_harm"])


@pytest.mark.slow
def test_report_has_the_monte_carlo_tornado_and_break_even_sections_with_charts():
    from planner.report.html_report import html_report

    plan = loads(toy_with_uncertainty(11))
    c = compare(plan)
    page = html_report(plan, c, verdict_robustness(plan, c, samples=10, top_breakeven=True))
    heads = re.findall(r"<h2>(.*?)</h2>", page)
    assert heads[heads.index("Charts") + 1:heads.index("Schedules by stream")] == \
        ["Monte Carlo", "Tornado", "Break-even over the most influential input"]
    kinds = re.findall(r"data-kind='(\w+)'", page)
    assert kinds[-3:] == ["montecarlo", "tornado", "breakeven"]
    answer = re.search(r"<p id='robustness'>(.*?)</p>", page).group(1)
    assert f"P(harm) = {by_hand(11, 10)['p_harm']:.2f}" in answer and "(seed 11)" in answer


def test_montecarlo_prints_effects_in_pp(tmp_path):
    path = tmp_path / "plan.toml"
    path.write_text(toy_with_uncertainty(11))
    out = subprocess.run([sys.executable, "-m", "planner.cli", "montecarlo", str(path), "-n", "10", "--workers", "1"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300, env={"COLUMNS": "250", "PATH": ""})
    assert out.returncode == 0, out.stderr
    assert "mean and percentiles in pp" in out.stdout
    row = next(line for line in out.stdout.splitlines() if line.startswith("│ capabilities work"))
    mean = float(row.split("│")[3])
    assert mean == pytest.approx(100 * by_hand(11, 10)["mean"])


def test_a_flip_within_the_search_tolerance_of_no_shift_is_said_as_none():
    from planner.report.words import _shift_words

    # field_realistic: any shift earlier loses, and the bisection stops 1.5e-5 years from 0
    assert _shift_words(-1.544e-05, -1.0) == "left the deadline where it is instead of moving it 1 year earlier"
    assert _shift_words(-0.3, -1.0) == "brought the deadline 0.3 years earlier instead of 1"


def test_flips_wait_for_flip_on_plans_with_whole_unit_staffing(tmp_path):
    # the toy with its serial chunks contiguous: every flip solve would be a MIP that branches
    text = (ROOT / "models" / "serial_parallel_toy.toml").read_text()
    text = text.replace("min_duration = 25", "min_duration = 25\ncontiguous = true")
    assert "contiguous = true" in text
    path = tmp_path / "lair.toml"
    path.write_text(text)
    cmd = [sys.executable, "-m", "planner.cli", "compare", str(path), "--json", "--samples", "0"]
    auto = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert auto.returncode == 0, auto.stderr
    assert json.loads(auto.stdout)["interventions"][0].get("flip", {}) == {}
    asked = subprocess.run(cmd + ["--flip"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["interventions"][0]["flip"]["shift"]["value"] == pytest.approx(-1, abs=1e-3)


def test_a_flip_search_stopped_by_an_unproven_solve_says_it_does_not_know(monkeypatch):
    # a search that meets a solve it cannot prove (the time limit) must not read as "nothing in
    # the range flips the verdict": it says the flip is not known, and why
    from planner.analysis import robustness
    from planner.errors import PlanError

    def stopped(*args, **kwargs):
        raise PlanError("at the value 0.5 the baseline solve ended 'time_limit', so no exact verdict")

    monkeypatch.setattr(robustness, "breakeven", stopped)
    plan = load(TOY)
    comparison = compare(plan)
    r = verdict_robustness(plan, comparison, samples=0)["capabilities work"]
    assert r.shift is not None and r.shift.kind == "unknown" and r.shift.value is None
    assert r.shift.to_dict()["reason"].endswith("no exact verdict")
    words = flip_words("probability", r)
    assert "is not known" in words and "time_limit" in words
    assert "makes it break even" not in words and "no deadline shift" not in words
