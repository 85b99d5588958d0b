"""Presets (docs/presets.md): every preset reproduces its published figures, typed from the sources
in tests/published_forecasts.py (not read from the planner's data file), and a plan that names one
behaves as if it had typed those figures."""
from __future__ import annotations

import json

import numpy as np
import pytest

import planner
from planner.errors import PlanError
from planner.instance.resolve import resolve
from planner.plan.overrides import apply
from planner.report.assumptions import assumptions

from plans import FIELD, assert_clean_error, run_cli, write
from published_forecasts import AIFM_BETA, DEADLINES, PARALLELIZATION, beta_quantiles, years_after


def _plan(distribution, *, start_year=2026, horizon=150, parallelization=None, uncertainty=None):
    stream = {"name": "s", "pool": "p", "effort": 5, "min_duration": 5}
    if parallelization is not None:
        stream["parallelization"] = parallelization
    data = {
        "plan": {"name": "t", "start_year": start_year, "horizon": horizon, "objective": "probability"},
        "pools": [{"name": "p", "supply": 10}],
        "streams": [stream],
        "deadline": {"distribution": distribution},
    }
    if uncertainty is not None:
        data["uncertainty"] = uncertainty
    return planner.from_dict(data, source="plan.toml")


def _cdf_at(plan, years_from_start):
    """P(deadline before x) read off the planner's discretised scenarios (step 1): the scenarios at
    0 .. x-1 carry G(x) (docs/model.md)."""
    inst = resolve(plan)
    return float(inst.deadline_probs[inst.deadline_years < years_from_start - 1e-9].sum())


def _percentiles_cdf(points, x):
    """The test's own reading of a percentiles table: linear from (0, 0), flat after the last point."""
    xs, ps = [0.0] + [p[0] for p in points], [0.0] + [p[1] for p in points]
    return float(np.interp(x, xs, ps, left=0.0, right=ps[-1]))


@pytest.mark.parametrize("name", list(DEADLINES))
@pytest.mark.parametrize("start_year", [2020, 2026, 2031])
def test_deadline_preset_reproduces_its_published_points(name, start_year):
    """At every published year after start_year, P(AGI by then) is the published probability; the
    mass after the last point stays beyond the horizon ("no deadline within it")."""
    later = [(y, p) for y, p in DEADLINES[name] if y > start_year]
    if not later:
        pytest.skip("no published point after this start_year (refused: see the test below)")
    plan = _plan({"preset": name}, start_year=start_year)
    for year, p in later:
        if year - start_year <= plan.plan.horizon:
            assert _cdf_at(plan, year - start_year) == pytest.approx(p, abs=1e-12), (name, year)
    inst = resolve(plan)
    assert inst.deadline_probs[-1] == pytest.approx(1 - later[-1][1], abs=1e-12)  # the tail at the horizon
    # between the points and before the first kept one: the linear CDF from (0, 0)
    for x in (1, 3, 12, 40):
        assert _cdf_at(plan, x) == pytest.approx(_percentiles_cdf(years_after(name, start_year), x), abs=1e-12)


@pytest.mark.parametrize("name", list(DEADLINES))
def test_a_preset_solves_as_its_typed_table(name):
    """A plan naming a preset and one typing its published points give the same optimum."""
    typed = _plan({"kind": "percentiles", "points": years_after(name, 2026)})
    named = _plan({"preset": name})
    assert planner.solve(named).objective == pytest.approx(planner.solve(typed).objective, abs=1e-12)


def test_a_forecast_wholly_before_the_start_is_refused():
    with pytest.raises(PlanError) as e:
        _plan({"preset": "cotra-2020"}, start_year=2052)
    assert e.value.table == "[deadline]" and e.value.key == "distribution.preset"
    assert "no point after start_year 2052" in str(e.value)


@pytest.mark.parametrize(
    "where, fragments",
    [
        ("deadline", ("[deadline]", "distribution.preset", "unknown deadline preset 'samotsvety'", "samotsvety-2023, espai-2023-hlmi")),
        ("stream", ('[[streams]] #1 "s"', "parallelization.preset", "unknown parallelization preset", "ftm-best-guess, ftm-aggressive, aifm")),
    ],
)
def test_an_unknown_preset_is_a_one_line_error_listing_the_known_ones(tmp_path, where, fragments):
    text = """
[plan]
horizon = 30
[[pools]]
name = "p"
supply = 10
[[streams]]
name = "s"
pool = "p"
effort = 5
""" + ('parallelization = { preset = "ftm" }\n' if where == "stream" else "") + """
[deadline]
distribution = { preset = "%s" }
""" % ("samotsvety" if where == "deadline" else "samotsvety-2023")
    path = write(tmp_path, text)
    assert_clean_error(run_cli("check", path), 2, str(path), *fragments)


@pytest.mark.parametrize("name, value", list(PARALLELIZATION.items()))
def test_parallelization_presets_are_the_published_exponents(name, value):
    assert resolve(_plan({"preset": "espai-2023-hlmi"}, parallelization={"preset": name})).parallelization[0] == value


def test_aifm_is_the_median_of_its_beta_as_a_point_and_the_beta_in_uncertainty():
    p10, median, p90 = beta_quantiles(*AIFM_BETA, [0.1, 0.5, 0.9])
    assert 0.28 < p10 < 0.30 and 0.78 < p90 < 0.80  # the source's "10th-90th about 0.3-0.8"
    plan = _plan({"preset": "espai-2023-hlmi"}, parallelization={"preset": "aifm"},
                 uncertainty={"seed": 1, "streams": {"s": {"parallelization": {"preset": "aifm"}}}})
    assert resolve(plan).parallelization[0] == pytest.approx(median, abs=5e-4)
    from planner.analysis.montecarlo import parse_uncertainty
    _, draws = parse_uncertainty(plan.uncertainty, plan)
    assert [(d.path, d.kind, d.params) for d in draws] == [
        ("streams.s.parallelization", "beta", {"alpha": AIFM_BETA[0], "beta": AIFM_BETA[1]})]
    with pytest.raises(PlanError, match=r"unknown parallelization preset 'x'.*aifm") as e:
        parse_uncertainty({"seed": 1, "streams.s.parallelization": {"preset": "x"}}, plan)
    assert e.value.table == "[uncertainty]" and e.value.key == "streams.s.parallelization"


def test_a_preset_can_be_set_like_any_value():
    plan = apply(planner.load(FIELD), sets=['deadline.distribution={ preset = "cotra-2022" }',
                                           'streams.evals.parallelization={ preset = "ftm-conservative" }'])
    assert plan.deadline.distribution.preset == "cotra-2022"
    assert plan.stream("evals").exponent == 0.2


def test_presets_command_lists_every_preset_with_its_source():
    out = json.loads(run_cli("presets", "--json").stdout)["presets"]
    assert {p["name"] for p in out} == set(DEADLINES) | set(PARALLELIZATION) | {"aifm"}
    assert all(p["source"] and p["published"] for p in out)
    table = run_cli("presets")
    assert table.returncode == 0 and "samotsvety-2023" in table.stdout and "Davidson" in table.stdout


def test_check_and_the_assumptions_table_name_the_presets_used():
    out = json.loads(run_cli("check", FIELD, "--json").stdout)
    assert [(u["name"], u["where"]) for u in out["presets"]] == [("samotsvety-2023", "[deadline] distribution")]
    assert "2023-01" in out["presets"][0]["published"]
    rows = {r[0]: r for r in assumptions(planner.load(FIELD))}
    assert "preset samotsvety-2023" in rows["deadline"][3] and "2023-01" in rows["deadline"][3]
    assert "P(by 2030) = 0.31" in rows["deadline"][2]


def test_check_refuses_an_unknown_preset_in_uncertainty(tmp_path):
    path = write(tmp_path, """
[plan]
horizon = 30
[[pools]]
name = "p"
supply = 10
[[streams]]
name = "s"
pool = "p"
effort = 5
[deadline]
distribution = { preset = "cotra-2022" }
[uncertainty]
seed = 1
streams.s.parallelization = { preset = "aifmx" }
""")
    assert_clean_error(run_cli("check", path), 2, str(path), "[uncertainty]", "streams.s.parallelization",
                       "unknown parallelization preset 'aifmx'", "aifm")
