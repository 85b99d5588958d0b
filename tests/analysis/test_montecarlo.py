"""Monte Carlo: the same seed gives the same numbers on any worker count; the effect's summary
matches a count made by hand from the drawn samples; bad [uncertainty] tables are clear errors."""
from __future__ import annotations

import json

import pandas as pd
import pytest

import planner
from planner import PlanError
from planner.analysis.montecarlo import montecarlo
from planner.cli.main import main

from plans import TOY

IV = "capabilities work"

UNCERTAIN = """
[uncertainty]
seed = 11
deadline.years = { kind = "choice", values = [24, 25, 26] }
"interventions.\\"capabilities work\\".supply.0.multiply" = { kind = "lognormal", median = 3, sigma = 0.5, min = 1, max = 10 }
"""


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("mc") / "toy.toml"
    path.write_text(TOY.read_text() + UNCERTAIN)
    return path


@pytest.fixture(scope="module")
def one(plan_file):
    return montecarlo(planner.load(plan_file), 30, workers=1)


def test_effect_matches_a_hand_count(one):
    frame = one.to_frame()
    assert len(frame) == 60
    iv = frame[frame.variant == IV]
    # the serial chain needs 25 years; capabilities work moves the deadline 2 earlier, so with a
    # deadline of 24, 25 or 26 it always fails, and the baseline succeeds iff the deadline >= 25
    expected = [-1.0 if d >= 25 else 0.0 for d in iv["deadline.years"]]
    assert iv["delta"].tolist() == expected
    row = one.summary().set_index("intervention").loc[IV]
    assert row.p_harm == pytest.approx(sum(e < 0 for e in expected) / 30)
    assert row["mean"] == pytest.approx(sum(expected) / 30)
    assert row.structural == 1.0
    assert 0 < row.p_harm < 1   # both outcomes were drawn: the test can tell them apart
    top = one.tornado(IV)
    assert top.iloc[0]["input"] == "deadline.years" and top.iloc[0]["rank_correlation"] < -0.5


def test_samples_are_independent_single_solves(one, plan_file):
    plan = planner.load(plan_file)
    frame = one.to_frame()
    for k in (0, 7):
        values = one.samples[k]
        sample = plan.with_changes(values)
        got = frame[frame["sample"] == k].set_index("variant").objective
        assert got["baseline"] == planner.solve(sample).objective
        assert got[IV] == planner.solve(sample, IV).objective


@pytest.mark.slow
def test_same_seed_same_numbers_any_worker_count(one, plan_file):
    plan = planner.load(plan_file)
    again = montecarlo(plan, 30, workers=1).to_frame()
    two = montecarlo(plan, 30, workers=2).to_frame()
    pd.testing.assert_frame_equal(one.to_frame(), again)
    pd.testing.assert_frame_equal(one.to_frame(), two)
    other = montecarlo(plan, 30, seed=12, workers=2).to_frame()
    assert not other["deadline.years"].equals(one.to_frame()["deadline.years"])


def test_truncation_and_kinds_are_respected(plan_file):
    from planner.analysis.montecarlo import Draw, draw_samples
    draws = [Draw("a", "lognormal", {"median": 3, "sigma": 2, "min": 1, "max": 4}),
             Draw("b", "triangular", {"low": -2, "mode": -1, "high": 0}),
             Draw("c", "beta", {"alpha": 2, "beta": 2, "low": 10, "high": 20}),
             Draw("d", "normal", {"mean": 0, "sd": 1, "min": 0}),
             Draw("e", "uniform", {"low": 5, "high": 6}),
             Draw("f", "choice", {"values": [1, 2], "weights": [0, 1]})]
    s = pd.DataFrame(draw_samples(3, draws, 2000))
    assert s.a.between(1, 4).all() and s.b.between(-2, 0).all() and s.c.between(10, 20).all()
    assert (s.d >= 0).all() and s.e.between(5, 6).all() and (s.f == 2).all()
    assert abs(s.e.mean() - 5.5) < 0.05 and abs(s.b.mean() + 1) < 0.05   # means by hand
    # adding an input does not change the draws of the others
    assert draw_samples(3, draws[:2], 50)[7]["a"] == draw_samples(3, draws, 50)[7]["a"]


@pytest.mark.parametrize("table, fragment", [
    ("[uncertainty]\nseed = 1\n", "names no uncertain input"),
    ('[uncertainty]\ndeadline.years = { kind = "uniform", low = 1, high = 2 }\n', "seed"),
    ('[uncertainty]\nseed = 1\ndeadline.years = { kind = "unifrom", low = 1, high = 2 }\n', "did you mean 'uniform'"),
    ('[uncertainty]\nseed = 1\ndeadline.years = { kind = "uniform", low = 3, high = 2 }\n', "low < high"),
    ('[uncertainty]\nseed = 1\ndeadline.years = { kind = "normal", mean = 3 }\n', "needs sd"),
    ('[uncertainty]\nseed = 1\ndeadline.yeers = { kind = "uniform", low = 1, high = 2 }\n', "did you mean 'years'"),
    ('[uncertainty]\nseed = 1\nstreams.parallel.effort = { kind = "normal", mean = 0, sd = 1 }\n', "sample"),
])
def test_bad_uncertainty_tables(tmp_path, table, fragment):
    path = tmp_path / "bad.toml"
    path.write_text(TOY.read_text() + table)
    with pytest.raises(PlanError) as e:
        montecarlo(planner.load(path), 5, workers=1)
    assert fragment in str(e.value)


def test_no_uncertainty_table():
    with pytest.raises(PlanError, match=r"no \[uncertainty\]"):
        montecarlo(planner.load(TOY), 5, workers=1)


def test_cli_json_and_output(plan_file, tmp_path, capsys):
    out = tmp_path / "mc.parquet"
    assert main(["montecarlo", str(plan_file), "-n", "10", "--workers", "1", "--json", "-o", str(out)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["samples"] == 10 and data["interventions"][0]["intervention"] == IV
    assert "p_harm" in data["interventions"][0] and data["tornado"][IV][0]["input"]
    assert len(pd.read_parquet(out)) == 20
    assert main(["montecarlo", str(TOY), "-n", "3"]) == 2
    assert "uncertainty" in capsys.readouterr().err


def test_fast_path_equals_the_plain_path():
    """The default (fast) path leaves out only the solver's second check of bound-settled plans
    and the one-by-one check of samples before any solve; every number must equal the plain
    path's (`fast=False`: today's, confirm and all) on the field model's own samples."""
    from plans import ROOT
    plan = planner.load(ROOT / "models" / "field_realistic.toml")
    fast = montecarlo(plan, 6, workers=1).to_frame()
    plain = montecarlo(plan, 6, workers=1, fast=False).to_frame()
    assert len(fast) == 6 * 4 and fast["objective"].notna().all()
    pd.testing.assert_frame_equal(fast, plain, check_exact=False, rtol=0, atol=1e-9)


def test_a_bad_draw_is_the_same_error_on_either_path(tmp_path):
    """Fast checks each sample where it is solved; the error still names the first bad sample."""
    path = tmp_path / "bad.toml"
    path.write_text(TOY.read_text() + '[uncertainty]\nseed = 1\nstreams.parallel.effort = '
                    '{ kind = "normal", mean = 500, sd = 500 }\n')
    plan = planner.load(path)
    errors = []
    for fast in (True, False):
        with pytest.raises(PlanError) as e:
            montecarlo(plan, 40, workers=1, fast=fast)
        errors.append(str(e.value))
    assert errors[0] == errors[1]
    from planner.analysis.montecarlo import draw_samples, parse_uncertainty
    values = [s["streams.parallel.effort"] for s in draw_samples(*parse_uncertainty(plan.uncertainty, plan), 40)]
    first = next(k for k, v in enumerate(values) if v < 1e-3)   # the first effort a plan refuses (>= 1e-3)
    assert 0 < first and f"sample {first} (" in errors[0]
