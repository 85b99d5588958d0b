"""What a request may change, read without a browser: only numbers and switches the plan holds,
never a file, never [overrides] or [uncertainty]; a rule-breaking value gets the plan's own error
and the other changes still apply; the state's URL reads back to the same state."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

import planner
from plans import FIELD, MODELS, TOY, write

from planner.plan.paths import get
from planner.web.changes import read_state, split_item, value_text
from planner.web.controls import plan_controls

SHIFT = 'interventions."capabilities work".deadline_shift'


@pytest.fixture(scope="module")
def toy():
    return planner.load(TOY)


@pytest.mark.parametrize("item, words", [
    ("pools.researchers.supply.file=../../etc/passwd", "never names a file"),
    ("pools.researchers.supply={ file = 'x.csv', column = 'fte' }", "must be a number"),
    ("streams.parallel.productivity.file=x.csv", "never names a file"),
    ("overrides.x=1", "changes only the tables"),
    ("uncertainty.seed=3", "changes only the tables"),
    ("plan.name=hello", "numbers and switches only"),
    ("streams.parallel.pool=other", "numbers and switches only"),
    ("streams.nosuch.effort=3", "no stream named 'nosuch'"),
    ("deadline.yeers=3", "did you mean 'years'"),
    ("deadline.years=nan", "must be a number"),
    ("deadline.years=inf", "must be a number"),
    ("deadline.years", "PATH=VALUE"),
])
def test_the_page_refuses_what_it_may_not_set(toy, item, words):
    state = read_state(toy, [item])
    assert state.changes == {} and state.plan is toy
    assert len(state.errors) == 1 and words in next(iter(state.errors.values())), state.errors


def test_a_rule_breaking_value_gets_the_plans_error_and_the_rest_applies(toy):
    state = read_state(toy, ["deadline.years=30", "streams.serial-a.min_duration=-1", f"{SHIFT}=0"])
    assert state.changes == {"deadline.years": 30, SHIFT: 0}
    message = state.errors["streams.serial-a.min_duration"]
    assert "serial-a" in message and "min_duration" in message and str(TOY.name) in message
    assert state.plan.deadline.years == 30 and state.plan.intervention("capabilities work").deadline_shift == 0


def test_fields_equal_to_the_plan_are_no_change_and_the_url_reads_back(toy):
    state = read_state(toy, [], {"deadline.years": "26", SHIFT: "-0.5", "streams.serial-b.effort": "25.0"})
    assert state.changes == {SHIFT: -0.5}
    query = parse_qs(urlsplit(state.url()).query)
    assert read_state(toy, query["set"]).changes == state.changes
    assert state.url() == "/?set=interventions.%22capabilities%20work%22.deadline_shift%3D-0.5"


def test_an_item_splits_at_the_first_equals_sign_outside_quotes():
    assert split_item('interventions."a=b".units=2') == ('interventions."a=b".units', 2)
    assert split_item("streams.'x=\"y'.effort = 1.5") == ("streams.'x=\"y'.effort", 1.5)


def test_every_control_of_every_shipped_model_is_a_path_the_page_accepts():
    for path in sorted(MODELS.glob("*.toml")):
        plan = planner.load(path)
        controls = plan_controls(plan)
        assert controls, path
        for c in controls:
            current = get(plan, c.path)
            state = read_state(plan, [f"{c.path}={value_text(current)}"])
            assert not state.errors and state.changes == {c.path: current}, (path.name, c.path, state.errors)


def test_sliders_span_the_uncertainty_tables_ranges():
    by_path = {c.path: c for c in plan_controls(planner.load(FIELD))}
    # models/field_realistic.toml's [uncertainty]: triangular -2 to -0.25, uniform 1.0 to 1.5
    assert (by_path[SHIFT].low, by_path[SHIFT].high) == (-2.0, -0.25)
    assert (by_path[SHIFT.replace("deadline_shift", "supply.0.multiply")].low,
            by_path[SHIFT.replace("deadline_shift", "supply.0.multiply")].high) == (1.0, 1.5)
    assert not by_path["streams.evals.effort"].slider


def test_a_preset_deadline_is_a_choice_among_the_published_forecasts():
    plan = planner.load(FIELD)
    by_path = {c.path: c for c in plan_controls(plan)}
    choice = by_path["deadline.distribution.preset"]
    # the forecasts docs/presets.md lists, each a choice; the plan's own is the one shown
    assert {"samotsvety-2023", "espai-2023-hlmi", "cotra-2020", "cotra-2022", "ai2027-superhuman-coder"} <= set(choice.choices)
    assert get(plan, choice.path) == "samotsvety-2023"
    state = read_state(plan, ["deadline.distribution.preset=cotra-2022"])
    assert not state.errors and state.changes == {"deadline.distribution.preset": "cotra-2022"}
    assert get(state.plan, "deadline.distribution.preset") == "cotra-2022"
    # the same through the form field, and a field left at the plan's own forecast is no change
    assert read_state(plan, [], {"deadline.distribution.preset": "samotsvety-2023"}).changes == {}


@pytest.mark.parametrize("item, words", [
    ("deadline.distribution.preset=metaculus-agi-1999-01", "unknown deadline preset"),
    ("deadline.distribution.preset=ftm-best-guess", "unknown deadline preset"),
    ("deadline.distribution.preset=../../etc/passwd", "unknown deadline preset"),
    ("deadline.distribution.preset=3", "unknown deadline preset"),
])
def test_a_preset_must_be_one_of_its_kind(item, words):
    state = read_state(planner.load(FIELD), [item])
    assert words in state.errors[item.partition("=")[0]] and state.changes == {}


def test_a_parallelization_preset_is_a_choice_and_a_plain_exponent_a_number(tmp_path):
    plan = planner.load(write(tmp_path, """
[plan]
horizon = 10
objective = "earliest"
[[pools]]
name = "p"
supply = 4
[[streams]]
name = "wide"
pool = "p"
effort = 8
parallelization = { preset = "ftm-best-guess" }
[[streams]]
name = "narrow"
pool = "p"
effort = 1
"""))
    by_path = {c.path: c for c in plan_controls(plan)}
    assert {"ftm-conservative", "ftm-best-guess", "ftm-aggressive", "aifm"} <= set(by_path["streams.wide.parallelization.preset"].choices)
    assert by_path["streams.narrow.parallelization"].choices == ()
    state = read_state(plan, ["streams.wide.parallelization.preset=ftm-aggressive"])
    assert not state.errors and get(state.plan, "streams.wide.parallelization.preset") == "ftm-aggressive"
    assert "unknown parallelization preset" in read_state(plan, ["streams.wide.parallelization.preset=cotra-2020"]).errors[
        "streams.wide.parallelization.preset"]


def test_many_streams_fold_away(tmp_path):
    from planner.web.controls import FOLD_OVER, folded
    streams = "".join(f'[[streams]]\nname = "s{k}"\npool = "p"\neffort = 1\n' for k in range(FOLD_OVER + 1))
    plan = planner.load(write(tmp_path, f'[plan]\nhorizon = 5\nobjective = "earliest"\n[[pools]]\nname = "p"\nsupply = 1\n{streams}'))
    assert folded(plan, "Streams") and not folded(plan, "Pools")
