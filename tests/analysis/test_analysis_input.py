"""Bad input to the analyses: one UsageError (or PlanError) naming the argument, from the library
and from the CLI alike, before any solve; and the limits the analyses state (docs/analysis.md)."""
from __future__ import annotations

import math

import pytest

import planner
from planner.analysis import runner as parallel
from planner.pipeline import arguments as checks
from planner.analysis.breakeven import breakeven
from planner.analysis.evpi import evpi
from planner.analysis.margins import margins
from planner.analysis.montecarlo import montecarlo
from planner.analysis.sweep import MAX_POINTS, parse_values, sweep
from planner.cli.main import main
from planner.errors import PlanError, UsageError
from planner.instance.resolve import resolve
from planner.instance.series import MAX_ROWS

from plans import LOGNORMAL, TOY

IV = "capabilities work"
SHIFT = 'interventions."capabilities work".deadline_shift'
UNCERTAIN = '\n[uncertainty]\nseed = 3\ndeadline.years = { kind = "choice", values = [24, 26] }\n'


@pytest.fixture(scope="module")
def uncertain(tmp_path_factory):
    path = tmp_path_factory.mktemp("mc") / "mc.toml"
    path.write_text(TOY.read_text() + UNCERTAIN)
    return planner.load(path)


def test_usage_error_is_a_value_error(toy):
    """A caller that catches ValueError catches a wrong argument: checked on a real call."""
    with pytest.raises(ValueError, match="max_groups") as info:
        evpi(toy, max_groups=0)
    assert isinstance(info.value, UsageError)


@pytest.mark.parametrize("call, name", [
    (lambda p, l, u: evpi(l, max_groups=0), "max_groups"),
    (lambda p, l, u: evpi(l, learn_at=[math.nan]), "learn_at[0]"),
    (lambda p, l, u: evpi(l, learn_at=[41]), "learn_at[0]"),       # the lognormal toy's horizon is 40
    (lambda p, l, u: breakeven(p, IV, SHIFT, samples=1), "samples"),
    (lambda p, l, u: breakeven(p, IV, SHIFT, samples=2.5), "samples"),
    (lambda p, l, u: breakeven(p, IV, SHIFT, tolerance=-1), "tolerance"),
    (lambda p, l, u: breakeven(p, IV, SHIFT, low=-math.inf, high=0), "low"),
    (lambda p, l, u: montecarlo(u, n=-1), "n"),
    (lambda p, l, u: montecarlo(u, n=0), "n"),
    (lambda p, l, u: montecarlo(u, n=10, seed=-1), "seed"),
    (lambda p, l, u: montecarlo(u, n=10, workers=0), "workers"),
    (lambda p, l, u: margins(p, year_step=0), "year_step"),
    (lambda p, l, u: margins(p, fte_step=2e9), "fte_step"),
    (lambda p, l, u: margins(p, fte_step=math.nan), "fte_step"),
    (lambda p, l, u: sweep(p, {"deadline.years": [20, 21]}, workers=0), "workers"),
    (lambda p, l, u: sweep(p, {"deadline.years": [20, 21]}, workers=True), "workers"),
    (lambda p, l, u: sweep(p, {"deadline.years": [20, 21]}, workers=parallel.max_workers() + 1), "workers"),
    (lambda p, l, u: sweep(p, {"deadline.years": 20}), "grid"),
])
def test_bad_library_arguments_are_usage_errors(call, name, toy, lognormal, uncertain):
    with pytest.raises(UsageError) as info:
        call(toy, lognormal, uncertain)
    assert str(info.value).startswith(name), info.value


def test_workers_cap_is_per_core():
    assert parallel.max_workers() == parallel.WORKERS_PER_CORE * parallel.default_workers()
    assert parallel.check_workers(parallel.max_workers()) == parallel.max_workers()


@pytest.mark.parametrize("argv, words", [
    (["sweep", str(TOY), "--set", "deadline.years=1,2", "--workers", "100000"], ["--workers", "100000"]),
    (["montecarlo", str(TOY), "--seed", "-1"], ["--seed", "-1"]),
    (["evpi", str(LOGNORMAL), "--max-groups", "0"], ["--max-groups"]),
    (["evpi", str(LOGNORMAL), "--learn-at", "500"], ["learn_at", "500"]),
    (["margins", str(TOY), "--fte-step", "2e9"], ["fte_step", "1e+09"]),
    (["margins", str(TOY), "--year-step", "nan"], ["--year-step"]),
    (["breakeven", str(TOY), "--intervention", IV, "--vary", SHIFT, "--tolerance", "-1"], ["--tolerance"]),
])
def test_cli_refuses_the_same_values_in_one_line(argv, words, capsys):
    try:
        code = main(argv)
    except SystemExit as e:   # argparse
        code = e.code
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) <= 2, err
    for w in words:
        assert w in err, err


@pytest.mark.parametrize("value", ["deadline.years=", "deadline.years=nan", "deadline.years=abc",
                                   "deadline.years=1e400"])
def test_sweep_single_bad_value_is_reported_as_itself(value, capsys):
    assert main(["sweep", str(TOY), "--set", value, "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert "needs at least one --set" not in err and "deadline.years" in err, err


def test_sweep_empty_value_in_a_list_is_an_error():
    with pytest.raises(PlanError, match="value 2 of 3 is empty"):
        parse_values("1,,2", "deadline.years")
    assert parse_values("1,2", "deadline.years") == [1, 2]


def test_sweep_point_cap(toy):
    with pytest.raises(PlanError, match="at most"):
        parse_values(f"0:{MAX_POINTS}:1", "deadline.years")   # MAX_POINTS + 1 values
    with pytest.raises(PlanError, match=f"{MAX_POINTS + 1:,} points"):
        sweep(toy, {"deadline.years": list(range(20, 20 + MAX_POINTS + 1))}, workers=1)


def test_sweep_plans_are_built_where_they_are_solved(toy):
    """The calling process builds two plans per path (its first and last values), not one per
    point: a large grid costs no memory before solving; a bad value in the middle names its point."""
    from unittest import mock
    with mock.patch.object(type(toy), "with_changes", autospec=True, side_effect=type(toy).with_changes) as spy:
        result = sweep(toy, {"deadline.years": [24, 25, 26, 27, 28]}, workers=1)
    assert not result.interrupted and len(result.to_frame()) == 10
    built_here = [c for c in spy.call_args_list if c.args[0] is toy]
    assert len(built_here) == 2 + 5   # the two checked values, then each point as it is solved here
    with pytest.raises(PlanError, match="at deadline.years = 'abc'"):
        sweep(toy, {"deadline.years": [24, "abc", 26]}, workers=1)


def test_evpi_of_equal_plans_is_exactly_zero(lognormal):
    """On the lognormal toy the fastest schedule is best for every deadline: EVPI is 0 (it printed
    -3.33e-16)."""
    result = evpi(lognormal)
    assert result.evpi == 0.0 and math.copysign(1, result.evpi) == 1


def test_csv_series_stops_at_its_first_bad_row(tmp_path):
    """The bad row is line 2 of a long file: the read stops there (it read all of it first)."""
    data = tmp_path / "d.csv"
    with data.open("w") as f:
        f.write("year,x\n2024,abc\n")
        f.writelines(f"{2025 + k},5\n" for k in range(MAX_ROWS + 10))
    plan = TOY.read_text().replace('supply = 1800', 'supply = { file = "d.csv", column = "x" }')
    assert "d.csv" in plan
    (tmp_path / "p.toml").write_text(plan)
    with pytest.raises(PlanError, match="line 2: year '2024', x 'abc'"):
        resolve(planner.load(tmp_path / "p.toml"))


def test_csv_series_row_cap(tmp_path):
    data = tmp_path / "d.csv"
    with data.open("w") as f:
        f.write("year,x\n")
        f.writelines(f"{2024 + k * 0.001},5\n" for k in range(MAX_ROWS + 1))
    (tmp_path / "p.toml").write_text(TOY.read_text().replace('supply = 1800', 'supply = { file = "d.csv", column = "x" }'))
    with pytest.raises(PlanError, match=f"line {MAX_ROWS + 2}: more than {MAX_ROWS:,} data rows"):
        resolve(planner.load(tmp_path / "p.toml"))


def test_nul_in_a_data_path_is_a_plan_error(tmp_path):
    (tmp_path / "p.toml").write_text(TOY.read_text().replace('supply = 1800',
                                                             'supply = { file = "d\\u0000.csv", column = "x" }'))
    with pytest.raises(PlanError, match="NUL"):
        resolve(planner.load(tmp_path / "p.toml"))


def test_checks_share_one_message_form():
    with pytest.raises(UsageError, match=r"^n must be a whole number from 1 to 5, got 0$"):
        checks.whole(0, "n", 1, 5)
    with pytest.raises(UsageError, match=r"^x must be a finite number > 0, got inf$"):
        checks.number(math.inf, "x", above=0)
    assert checks.whole(3, "n", 1, 5) == 3 and checks.number(2, "x", above=0) == 2.0
