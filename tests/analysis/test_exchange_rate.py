"""The exchange rate of years for researchers (issue 19, part 2): `planner margins` counts the
researcher-years that can be used (up to the goal's finish) and `planner breakeven --add-fte`
asks how many more FTE a year make an intervention break even. Every expected value is derived by
hand in the test from the labour-bound example: 500 researchers, effort 1200 at productivity 0.2
(6000 researcher-years of work), so the goal takes 6000 / 500 = 12 years."""
from __future__ import annotations

import json

import pytest

import planner
from planner.analysis.margins import margins
from planner.cli.main import main

EXAMPLE = """
[plan]
name = "labour-bound example"
horizon = 40
objective = "probability"

[[pools]]
name = "researchers"
supply = SUPPLY

[[streams]]
name = "work"
pool = "researchers"
effort = 1200
productivity = 0.2

[deadline]
distribution = { kind = "lognormal", median = 14, sigma = 0.5 }

[[interventions]]
name = "deadline one year earlier"
deadline_shift = -1
supply = [{ pool = "researchers", multiply = 1.0 }]
"""
WORK = 1200 / 0.2   # researcher-years: 6000


def example(tmp_path, supply="500"):
    path = tmp_path / "example.toml"
    path.write_text(EXAMPLE.replace("SUPPLY", supply))
    return path


def growing_finish(extra: float) -> float:
    """When 400 * 1.05 ** t (per period, t = 0, 1, ...) plus `extra` FTE have done 6000
    researcher-years: whole periods until the next would pass it, then that period's share."""
    done, t = 0.0, 0
    while done + 400 * 1.05 ** t + extra < WORK:
        done += 400 * 1.05 ** t + extra
        t += 1
    return t + (WORK - done) / (400 * 1.05 ** t + extra)


def test_one_year_is_worth_the_fields_yearly_labour(tmp_path):
    # d more FTE: the goal finishes at 6000 / (500 + d), d * 6000 / (500 + d) researcher-years are
    # used until then, and it is 12 - 6000 / (500 + d) = 12 d / (500 + d) years sooner: the ratio is
    # 6000 / 12 = 500 researcher-years a year whatever d, or 500 / 12 = 41.67 FTE a year from the start.
    m = margins(planner.load(example(tmp_path)))
    assert m.goal_years == pytest.approx(12)
    assert m.fte_steps == {"researchers": 50}
    assert m.finish_years["researchers"] == pytest.approx(6000 / 550, rel=1e-6)
    assert m.fte_years["researchers"] == pytest.approx(50 * 6000 / 550, rel=1e-6)
    assert m.researcher_years_per_year["researchers"] == pytest.approx(500, rel=0.10)
    assert m.researcher_years_per_year["researchers"] == pytest.approx(500, rel=1e-6)
    assert m.fte_per_year_per_year["researchers"] == pytest.approx(500 / 12, rel=1e-6)
    assert m.kinds == {"researchers": "smooth"}
    assert "one year is worth 500 researcher-years of researchers, or 41.67 more FTE every year " \
           "from the start until the goal" in m.sentences()[1]


@pytest.mark.parametrize("step", [25, 100])
def test_the_rate_hardly_moves_with_the_fte_step(tmp_path, step):
    # the old count (step x the 40-year horizon) moved 2.5x with the step; the used researcher-years do not
    plan = planner.load(example(tmp_path))
    at_50 = margins(plan).researcher_years_per_year["researchers"]
    other = margins(plan, fte_step=step).researcher_years_per_year["researchers"]
    assert other == pytest.approx(at_50, rel=0.10)


def test_growing_pool_is_worth_its_supply_at_the_finish(tmp_path):
    # supply 400 * 1.05 ** t: the goal finishes in period 11 (growing_finish(0) = 11.46); near the
    # margin a year is worth what the pool gives in that year, 400 * 1.05 ** 11 = 684 FTE-years.
    m = margins(planner.load(example(tmp_path, "{ start = 400, growth = 0.05 }")), fte_step=25)
    t0, t1 = growing_finish(0), growing_finish(25)
    assert m.goal_years == pytest.approx(t0, rel=1e-6)
    assert m.finish_years["researchers"] == pytest.approx(t1, rel=1e-6)
    assert m.researcher_years_per_year["researchers"] == pytest.approx(25 * t1 / (t0 - t1), rel=1e-6)
    assert m.researcher_years_per_year["researchers"] == pytest.approx(400 * 1.05 ** 11, rel=0.05)
    assert m.kinds == {"researchers": "smooth"}


def test_a_step_optimum_is_said_to_be_one():
    # whole people only: 10 FTE do effort 100 in 10 years. 1 more: 100 / 11 = 9.09 years, so
    # 1 x 9.09 researcher-years buy 0.909 years: 10 a year. Half a person more is no one: infinite.
    plan = planner.from_dict({
        "plan": {"name": "whole people", "horizon": 20, "objective": "earliest"},
        "pools": [{"name": "p", "supply": 10, "integer_staff": True}],
        "streams": [{"name": "a", "pool": "p", "effort": 100}]})
    m = margins(plan, fte_step=1)
    # within 5%: whole people on a refined grid finish at 9.125, not at 100 / 11 = 9.09 (10.4 a year)
    assert m.researcher_years_per_year["p"] == pytest.approx(10, rel=0.05)
    assert m.half_step["p"] is None
    assert m.kinds == {"p": "step"}
    assert "the optimum moves in steps here: at half the step (0.5 FTE) the figure is infinite" \
        in m.sentences()[1]


def test_the_words_name_the_step_they_took(tmp_path):
    m = margins(planner.load(example(tmp_path)), year_step=0.25)
    assert m.sentences()[0].startswith("a deadline 0.25 years later changes the optimum by ")
    assert m.sentences()[0].endswith(f"{m.year:+.6g} per year")
    assert not any("one more year of deadline" in line for line in m.sentences())


def test_margins_json_gives_both_forms(tmp_path, capsys):
    assert main(["margins", str(example(tmp_path)), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["researcher_years_per_year"]["researchers"] == pytest.approx(500, rel=1e-6)
    assert out["fte_per_year_per_year"]["researchers"] == pytest.approx(500 / 12, rel=1e-6)
    assert out["kind"] == {"researchers": "smooth"}


IV = "deadline one year earlier"


def test_breakeven_add_fte_makes_up_the_lost_year(tmp_path):
    # a year earlier the goal must finish by 11: 6000 / 11 = 545.45 FTE, 45.45 more every year,
    # and those 45.45 FTE work 11 years: 500 researcher-years, the year's worth in `margins`
    from planner.analysis.breakeven import breakeven_fte
    r = breakeven_fte(planner.load(example(tmp_path)), IV, "researchers")
    assert r.value == pytest.approx(6000 / 11 - 500, rel=0.05)
    assert r.value == pytest.approx(6000 / 11 - 500, abs=0.5)     # the default tolerance: 5000 / 10,000
    assert r.until_years == pytest.approx(6000 / (500 + r.value), rel=1e-6)
    assert r.researcher_years == pytest.approx(500, rel=0.01)
    assert r.fte_sentence().startswith(f"{r.value:,.4g} more FTE of researchers every year from the start")


def test_the_supply_multiplier_that_breaks_even_is_12_over_11(tmp_path):
    from planner.analysis.breakeven import breakeven
    r = breakeven(planner.load(example(tmp_path)), IV, f'interventions."{IV}".supply.0.multiply')
    assert r.value == pytest.approx(12 / 11, abs=0.005)


@pytest.mark.parametrize("supply", ["500", "{ start = 400, growth = 0.05 }"])
def test_margins_and_breakeven_agree_where_the_objective_is_smooth(tmp_path, supply):
    # a year is worth N researcher-years (margins, near the margin); the FTE that make up a whole
    # lost year give about N researcher-years until the goal (breakeven). On the growing pool the
    # hand answer: x with growing_finish(x) = growing_finish(0) - 1, found by bisection here.
    from planner.analysis.breakeven import breakeven_fte
    plan = planner.load(example(tmp_path, supply))
    m = margins(plan, fte_step=25)
    b = breakeven_fte(plan, IV, "researchers")
    assert b.researcher_years == pytest.approx(m.researcher_years_per_year["researchers"], rel=0.10)
    if supply != "500":
        lo, hi, target = 0.0, 500.0, growing_finish(0) - 1
        while hi - lo > 1e-6:
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if growing_finish(mid) > target else (lo, mid)
        assert b.value == pytest.approx(hi, rel=0.05)


def test_cli_breakeven_add_fte(tmp_path, capsys):
    path = str(example(tmp_path))
    assert main(["breakeven", path, "--intervention", IV, "--add-fte", "researchers", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["pool"] == "researchers"
    assert out["fte_per_year"] == pytest.approx(6000 / 11 - 500, rel=0.05)
    assert out["researcher_years"] == pytest.approx(500, rel=0.01)
    assert main(["breakeven", path, "--intervention", IV, "--add-fte", "researchers"]) == 0
    assert "FTE a year" in capsys.readouterr().out
    assert main(["breakeven", path, "--intervention", IV, "--add-fte", "nobody"]) == 2
    assert "no pool 'nobody'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as both:
        main(["breakeven", path, "--intervention", IV, "--add-fte", "researchers", "--vary", "deadline.years"])
    assert both.value.code == 2
