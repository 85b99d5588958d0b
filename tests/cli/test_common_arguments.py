"""cli.common and cli.arguments through `planner.cli.main.main([...])` in this process: exit codes
and the one-line messages for a bad path, a bad option and an output that would replace an input.
The plan: one stream of 12 effective person-years on 3 FTE, so 12 / 3 = 4 years."""
from __future__ import annotations

import json

import pytest
from planner.cli.main import main

PLAN = """
[plan]
name = "tiny"
horizon = 10
objective = "earliest"

[[pools]]
name = "p"
supply = 3

[[streams]]
name = "a"
pool = "p"
effort = 12
"""


@pytest.fixture
def here(tmp_path, monkeypatch):
    (tmp_path / "p.toml").write_text(PLAN)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path


def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as e:  # argparse's usage errors
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err


def test_a_good_solve_exits_0_and_writes_json(here, capsys):
    code, out, err = run(capsys, "solve", "p.toml", "-o", "out.json")
    assert code == 0, err
    assert "goal done after 4 years" in out
    assert json.loads((here / "out.json").read_text())["objective"] == 4.0


def test_a_missing_plan_file(here, capsys):
    code, out, err = run(capsys, "solve", "nofile.toml")
    assert code == 2
    assert err.strip() == "planner: error: nofile.toml: no such file"


@pytest.mark.parametrize("option, value, words", [
    ("--gap", "2", "argument --gap: must be a number with 0 <= gap < 1, got 2.0"),
    ("--threads", "0", "argument --threads: must be a whole number >= 1, got 0"),
    ("--time-limit", "-1", "argument --time-limit: must be a finite number > 0 (seconds), got -1.0"),
    ("--gap", "abc", "argument --gap: must be a number"),
])
def test_an_out_of_range_option_names_its_range(here, capsys, option, value, words):
    code, out, err = run(capsys, "solve", "p.toml", option, value)
    assert code == 2
    assert err.startswith("planner: error: " + words)
    assert out == ""  # refused before any solve


def test_an_unknown_option_and_a_malformed_solver_option(here, capsys):
    code, _, err = run(capsys, "solve", "p.toml", "--bogus")
    assert code == 2 and "unrecognized arguments: --bogus" in err
    code, out, err = run(capsys, "solve", "p.toml", "--option", "noequals")
    assert code == 2 and err.strip() == "planner: error: --option takes KEY=VALUE, got 'noequals'"
    assert out == ""


def test_an_unknown_solver_lists_the_available_ones(here, capsys):
    code, _, err = run(capsys, "solve", "p.toml", "--solver", "nosuch")
    assert code == 2
    assert "solver 'nosuch' is not available" in err and "available on this machine: highs" in err


def test_an_output_of_the_wrong_type(here, capsys):
    code, _, err = run(capsys, "solve", "p.toml", "-o", "x.txt")
    assert code == 2
    assert err.strip() == "planner: error: -o x.txt: the output file must end in .json or .csv"
    assert not (here / "x.txt").exists()


def test_an_output_that_is_the_plan_itself_is_refused(here, capsys):
    (here / "p.json").write_text(json.dumps({
        "plan": {"name": "tiny", "horizon": 10, "objective": "earliest"},
        "pools": [{"name": "p", "supply": 3}], "streams": [{"name": "a", "pool": "p", "effort": 12}]}))
    before = (here / "p.json").read_text()
    code, out, err = run(capsys, "solve", "p.json", "-o", "p.json")
    assert code == 2
    assert "the plan file" in err
    assert (here / "p.json").read_text() == before


def test_set_and_scenario_change_the_plan_before_the_solve(here, capsys):
    # horizon 2: 3 FTE x 2 years = 6 < 12 -> no plan, exit code 3 with the reason
    code, out, err = run(capsys, "solve", "p.toml", "--set", "plan.horizon=2")
    assert code == 3
    assert "pool p supplies 6 FTE-years over the horizon" in err
    code, _, err = run(capsys, "solve", "p.toml", "--scenario", "nope")
    assert code == 2 and "no override group 'nope'" in err
