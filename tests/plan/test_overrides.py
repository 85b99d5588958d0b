"""Overrides: dotted paths, `Plan.with_changes`, `--set`, `[overrides.NAME]` groups, and the typo
hints in plan errors. Expected values are the plan file's own numbers, edited by hand."""
from __future__ import annotations

import json

import pytest

import planner
from planner import PlanError
from planner.cli.main import main
from planner.plan.overrides import apply
from planner.plan.paths import split_path

from plans import ROOT, TOY

IV = 'interventions."capabilities work"'


def test_split_path_keeps_quoted_names():
    assert split_path('interventions."capabilities work".supply.0.multiply') == \
        ["interventions", "capabilities work", "supply", "0", "multiply"]
    assert split_path("streams.serial-a.min_duration") == ["streams", "serial-a", "min_duration"]


def test_with_changes_every_kind_of_path(toy):
    new = toy.with_changes({"deadline.years": 20, "pools.researchers.supply": 900,
                            "streams.serial-a.min_duration": 10, f"{IV}.deadline_shift": -1,
                            f"{IV}.supply.0.multiply": 5})
    assert new.deadline.years == 20
    assert new.pools[0].supply == 900
    assert new.stream("serial-a").min_duration == 10 and new.stream("serial-b").min_duration == 25
    iv = new.intervention("capabilities work")
    assert iv.deadline_shift == -1 and iv.supply[0].multiply == 5
    # the original is untouched and still frozen
    assert toy.deadline.years == 26 and toy.stream("serial-a").min_duration == 25
    with pytest.raises(Exception):
        toy.deadline.years = 3
    assert new.source == toy.source


def test_distribution_median_path():
    plan = planner.load(ROOT / "models" / "serial_parallel_toy_lognormal.toml")
    assert plan.with_changes({"deadline.distribution.median": 30}).deadline.distribution.median == 30


def test_setting_one_deadline_kind_replaces_the_other(toy):
    new = toy.with_changes({"deadline.distribution": {"kind": "lognormal", "median": 20, "sigma": 0.5}})
    assert new.deadline.years is None and new.deadline.distribution.median == 20


def test_changed_plan_solves_like_an_edited_file(toy, tmp_path):
    # a serial chunk of 20 years inside a 22-year deadline: P = 1; with 25-year chunks: 0
    text = TOY.read_text().replace("years = 26", "years = 22")
    edited = tmp_path / "edited.toml"
    edited.write_text(text.replace("min_duration = 25", "min_duration = 20").replace("effort = 25", "effort = 20"))
    changes = {"deadline.years": 22}
    for s in ("a", "b", "c", "d"):
        changes[f"streams.serial-{s}.min_duration"] = 20
        changes[f"streams.serial-{s}.effort"] = 20
    assert planner.solve(toy.with_changes(changes)).objective == planner.solve(planner.load(edited)).objective == 1.0
    assert planner.solve(toy.with_changes({"deadline.years": 22})).objective == 0.0


@pytest.mark.parametrize("path, fragment", [
    ("streams.serial-x.effort", "no stream named 'serial-x'"),
    ("pools.reserchers.supply", "did you mean 'researchers'"),
    ("streams.serial-a.efort", "did you mean 'effort'"),
    ("deadline.yeers", "did you mean 'years'"),
    (f"{IV}.supply.3.multiply", "index 3 is out of range"),
    ("interventions.capabilities.deadline_shift", "did you mean 'capabilities work'"),
    ("plan.horizon.x", "not a table"),
])
def test_bad_paths_name_the_path_and_the_closest_key(toy, path, fragment):
    with pytest.raises(PlanError) as e:
        toy.with_changes({path: 1})
    text = str(e.value)
    assert fragment in text
    assert path.split(".")[-1] in text


def test_bad_value_names_the_table_and_key(toy):
    with pytest.raises(PlanError) as e:
        apply(toy, sets=["streams.parallel.effort=-5"])
    assert e.value.key == "effort" and "parallel" in e.value.table and "--set" in str(e.value)


def test_set_values_are_read_as_toml(toy):
    new = apply(toy, sets=["pools.researchers.supply={ start = 100, growth = 0.1 }", "plan.name=renamed"])
    assert new.pools[0].supply.start == 100 and new.plan.name == "renamed"
    with pytest.raises(PlanError, match="PATH=VALUE"):
        apply(toy, sets=["deadline.years"])


SCENARIOS = """
[overrides.short]
deadline.years = 22

[overrides.fast-serial]
"streams.serial-a.min_duration" = 20
streams.serial-a.effort = 20

[overrides.big]
pools.researchers.supply = { start = 100, growth = 0.5 }
"""


def test_scenario_groups_apply_in_order(tmp_path):
    path = tmp_path / "toy.toml"
    path.write_text(TOY.read_text() + SCENARIOS)
    plan = planner.load(path)
    short = apply(plan, scenarios=["short"])
    assert short.deadline.years == 22
    both = apply(plan, scenarios=["short", "fast-serial"], sets=["deadline.years=23"])
    assert both.deadline.years == 23 and both.stream("serial-a").min_duration == 20
    assert apply(plan, scenarios=["big"]).pools[0].supply.growth == 0.5
    with pytest.raises(PlanError, match="did you mean 'short'"):
        apply(plan, scenarios=["shrt"])


def test_cli_set_and_scenario(tmp_path, capsys):
    path = tmp_path / "toy.toml"
    path.write_text(TOY.read_text() + SCENARIOS)
    assert main(["solve", str(path), "--json", "--scenario", "short"]) == 0
    assert json.loads(capsys.readouterr().out)["objective"] == 0.0
    assert main(["compare", str(path), "--json", "--set", f"{IV}.deadline_shift=-1"]) == 0
    assert json.loads(capsys.readouterr().out)["interventions"][0]["delta"] == 0.0
    assert main(["check", str(path), "--set", "streams.nope.effort=1"]) == 2
    err = capsys.readouterr().err
    assert "streams.nope.effort" in err and "Traceback" not in err


# --- typo hints and valid names in plan errors (plan.py) -----------------------------------------

def _plan(**changes):
    data = {"plan": {"horizon": 10, "objective": "earliest"},
            "pools": [{"name": "staff", "supply": 4}, {"name": "engineers", "supply": 2}],
            "streams": [{"name": "a", "pool": "staff", "effort": 3}]}
    for k, v in changes.items():
        data[k] = v
    return planner.from_dict(data)


def test_unknown_key_suggests_the_closest():
    with pytest.raises(PlanError) as e:
        _plan(pools=[{"name": "staff", "supply": {"start": 3, "grwoth": 0.1}}])
    assert "unknown key 'grwoth': did you mean 'growth'?" in str(e.value)


def test_unknown_pool_lists_the_valid_names():
    with pytest.raises(PlanError) as e:
        _plan(streams=[{"name": "a", "pool": "engineer", "effort": 3}])
    assert "unknown pool 'engineer': did you mean 'engineers'?" in str(e.value)
    assert "staff, engineers" in str(e.value)


def test_p_never_with_scenarios_joins_the_horizon_tail():
    # scenarios 5 (0.5) and 50 (0.5), p_never 0.2: 0.4 at 5, 0.4 at 50 (past the horizon), 0.2 never.
    # The goal needs 6 years (min_duration 6): met in the 50 and never scenarios: P = 0.6.
    plan = planner.from_dict({
        "plan": {"horizon": 10, "objective": "probability"},
        "pools": [{"name": "p", "supply": 5}],
        "streams": [{"name": "a", "pool": "p", "effort": 6, "min_duration": 6}],
        "deadline": {"scenarios": [[5, 0.5], [50, 0.5]], "p_never": 0.2}})
    assert planner.solve(plan).objective == pytest.approx(0.6)
    # and a shift earlier does not move "never": scenario 50 -> 45 is still past the horizon
    shifted = plan.with_changes({"interventions": [{"name": "x", "deadline_shift": -5}]})
    assert planner.solve(shifted, "x").objective == pytest.approx(0.6)
