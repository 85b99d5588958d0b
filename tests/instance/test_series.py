"""planner/instance/series.py on its own: each kind of series, values worked by hand."""
from pathlib import Path

import numpy as np
import pytest

from planner.errors import PlanError
from planner.instance import series
from planner.plan.schema import FileColumn, Growth


def test_period_starts_cover_the_horizon_in_steps():
    assert series.period_starts(3, 1.0).tolist() == [0.0, 1.0, 2.0]
    assert series.period_starts(2.5, 1.0).tolist() == [0.0, 1.0, 2.0]  # a last, partial period
    assert series.period_starts(2, 0.5).tolist() == [0.0, 0.5, 1.0, 1.5]


def _evaluate(spec, starts, tmp_path=Path("."), dirs=None):
    return series.evaluate(spec, np.asarray(starts, float), start_year=2026, base_dir=tmp_path,
                           data_dirs=tuple(dirs or (tmp_path.resolve(),)), file="p.toml",
                           table="pools", key="supply")


def test_a_number_is_the_same_every_period():
    assert _evaluate(7, [0, 1, 2]).tolist() == [7.0, 7.0, 7.0]


def test_a_list_gives_one_value_a_period_and_its_last_value_repeats():
    assert _evaluate([1, 2], [0, 1, 2, 3]).tolist() == [1.0, 2.0, 2.0, 2.0]


def test_growth_compounds_from_each_period_start_and_stops_at_its_cap():
    # 100 * 1.5 ** t: 100, 150, 225, then the cap of 300 (337.5 uncapped)
    got = _evaluate(Growth(start=100, growth=0.5, cap=300), [0, 1, 2, 3])
    assert got.tolist() == pytest.approx([100.0, 150.0, 225.0, 300.0])


def test_a_csv_column_gives_the_latest_row_at_or_before_each_period(tmp_path):
    (tmp_path / "fte.csv").write_text("year,fte\n2026,10\n2028,30\n")
    got = _evaluate(FileColumn(file="fte.csv", column="fte"), [0, 1, 2, 3], tmp_path)
    assert got.tolist() == [10.0, 10.0, 30.0, 30.0]


def test_a_csv_that_starts_after_the_first_period_names_the_file(tmp_path):
    (tmp_path / "late.csv").write_text("year,fte\n2030,10\n")
    with pytest.raises(PlanError, match="late.csv has no row at or before 2026"):
        _evaluate(FileColumn(file="late.csv", column="fte"), [0, 1], tmp_path)


def test_a_csv_outside_the_allowed_folders_is_refused(tmp_path):
    inside = tmp_path / "plan"
    inside.mkdir()
    (tmp_path / "secret.csv").write_text("year,fte\n2026,1\n")
    with pytest.raises(PlanError, match="outside the folders a plan may read"):
        _evaluate(FileColumn(file="../secret.csv", column="fte"), [0], inside, dirs=[inside.resolve()])
