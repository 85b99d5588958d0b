"""plan.locate (a validation error to a PlanError naming table and key) and plan.load (TOML and
JSON read as strictly as each other: duplicate keys, integers too long for Python)."""
from __future__ import annotations

import json
import sys

import planner
import pytest
from planner.errors import PlanError
from planner.plan.checks import RefError
from planner.plan.locate import locate, plan_error
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

DATA = {"plan": {"horizon": 10}, "streams": [{"name": "a"}, {"name": "parallel", "after": [{}, {}]}],
        "pools": [{"supply": 3}]}


@pytest.mark.parametrize("loc, want", [
    ([], ("(top level)", None)),
    (["streams", 1, "effort"], ('[[streams]] #2 "parallel"', "effort")),  # index 1 -> row #2
    (["streams", 1, "after", 0, "lag"], ('[[streams]] #2 "parallel"', "after[1].lag")),
    (["pools", 0, "supply"], ("[[pools]] #1", "supply")),  # a row without a name
    (["plan", "horizon"], ("[plan]", "horizon")),
    (["deadline"], ("[deadline]", None)),
    (["oops"], ("(top level)", "oops")),
])
def test_locate(loc, want):
    assert locate(loc, DATA) == want


class Row(BaseModel):  # a stand-in schema: pydantic's errors as the plan's schema raises them
    model_config = ConfigDict(extra="forbid")
    name: str
    effort: float = Field(ge=0)

    @field_validator("name")
    @classmethod
    def known(cls, v):
        if v == "ghost":
            raise RefError("[goal]", "required", "unknown stream 'ghost'")
        return v


class Top(BaseModel):
    model_config = ConfigDict(extra="forbid")
    streams: list[Row]


def error_for(data):
    with pytest.raises(ValidationError) as e:
        Top.model_validate(data)
    return plan_error(e.value, data, "x.toml", lambda loc: ["name", "effort"])


def test_plan_error_for_a_misspelt_key_hints_the_valid_one():
    err = error_for({"streams": [{"name": "a", "effort": 1}, {"name": "b", "efort": 1}]})
    # the missing 'effort' is also an error; the unknown key is reported instead
    assert (err.file, err.table, err.key) == ("x.toml", '[[streams]] #2 "b"', "efort")
    assert err.detail.startswith("unknown key 'efort': did you mean 'effort'?")
    assert str(err).startswith("x.toml: [[streams]] #2 \"b\": key 'efort': unknown key")


def test_plan_error_for_a_missing_key_a_missing_table_and_a_bad_value():
    err = error_for({"streams": [{"name": "a"}]})
    assert (err.table, err.key, err.detail) == ('[[streams]] #1 "a"', "effort", "missing required key")
    err = error_for({})
    assert (err.table, err.key, err.detail) == ("(top level)", "streams", "missing required table [[streams]]")
    err = error_for({"streams": [{"name": "a", "effort": -1}]})
    assert (err.table, err.key) == ('[[streams]] #1 "a"', "effort")
    assert "greater than or equal to 0" in err.detail


def test_plan_error_keeps_a_ref_errors_own_place():
    err = error_for({"streams": [{"name": "ghost", "effort": 1}]})
    assert (err.table, err.key, err.detail) == ("[goal]", "required", "unknown stream 'ghost'")


TOML = """
[plan]
name = "t"
horizon = 10
objective = "earliest"

[[pools]]
name = "p"
supply = 4

[[streams]]
name = "a"
pool = "p"
effort = 8
"""


def test_toml_and_json_give_the_same_plan(tmp_path):
    (tmp_path / "a.toml").write_text(TOML)
    as_dict = {"plan": {"name": "t", "horizon": 10, "objective": "earliest"},
               "pools": [{"name": "p", "supply": 4}], "streams": [{"name": "a", "pool": "p", "effort": 8}]}
    (tmp_path / "a.json").write_text(json.dumps(as_dict))
    a, b = planner.load(tmp_path / "a.toml"), planner.load(tmp_path / "a.json")
    assert a.streams[0].effort == b.streams[0].effort == 8
    assert a.plan.horizon == b.plan.horizon == 10
    # 8 effort at 4 FTE: two years, in both readings
    assert planner.solve(a).objective == planner.solve(b).objective == 2.0


def test_json_duplicate_key_is_refused_where_it_is(tmp_path):
    f = tmp_path / "d.json"
    f.write_text('{"plan": {"horizon": 10, "horizon": 12}, "pools": [], "streams": []}')
    with pytest.raises(PlanError) as e:
        planner.load(f)
    assert (e.value.table, e.value.key) == ("[plan]", "horizon")
    assert e.value.detail == "duplicate key (JSON would silently keep the last value)"
    f.write_text('{"plan": {"horizon": 10}, "plan": {"horizon": 12}, "pools": [], "streams": []}')
    with pytest.raises(PlanError) as e:
        planner.load(f)
    assert (e.value.table, e.value.key) == ("(top level)", "plan")


def test_toml_duplicate_key_is_refused(tmp_path):
    f = tmp_path / "d.toml"
    f.write_text(TOML.replace("horizon = 10", "horizon = 10\nhorizon = 12"))
    with pytest.raises(PlanError) as e:
        planner.load(f)
    assert e.value.detail.startswith("not valid TOML")


def test_integer_too_long_in_json_names_its_key(tmp_path):
    digits = sys.get_int_max_str_digits() + 1
    f = tmp_path / "big.json"
    f.write_text('{"plan": {"horizon": 10}, "pools": [{"name": "p", "supply": %s}], "streams": []}' % ("9" * digits))
    with pytest.raises(PlanError) as e:
        planner.load(f)
    assert (e.value.table, e.value.key) == ('[[pools]] #1 "p"', "supply")
    assert e.value.detail.startswith(f"an integer of {digits:,} digits, more than Python reads")


def test_integer_too_long_in_toml_names_line_table_and_key(tmp_path):
    digits = sys.get_int_max_str_digits() + 1
    f = tmp_path / "big.toml"
    f.write_text(TOML.replace("effort = 8", "effort = " + "9" * digits))
    with pytest.raises(PlanError) as e:
        planner.load(f)
    # TOML starts with a blank line: [[streams]] is on line 11, name 12, pool 13, effort 14
    assert (e.value.table, e.value.key) == ('[[streams]] #1 "a"', "effort")
    assert e.value.detail.startswith(f"line 14: an integer of {digits:,} digits")


def test_missing_file_and_bad_syntax(tmp_path):
    with pytest.raises(PlanError) as e:
        planner.load(tmp_path / "none.toml")
    assert e.value.detail == "no such file"
    f = tmp_path / "bad.json"
    f.write_text("{")
    with pytest.raises(PlanError) as e:
        planner.load(f)
    assert e.value.detail.startswith("not valid JSON")
