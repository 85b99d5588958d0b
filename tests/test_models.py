"""The shipped plan files (models/*.toml) and data tables (data/*.csv).

Every model loads, resolves for the baseline and each intervention, and solves to proven optimality;
the two toy models match their hand-computed answers; every data table documents its sources.
"""
from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

import planner

ROOT = Path(__file__).resolve().parent.parent
MODELS = sorted((ROOT / "models").glob("*.toml"))
DATA = sorted((ROOT / "data").glob("*.csv"))


def _ids(paths):
    return [p.name for p in paths]


@pytest.fixture(scope="module")
def comparisons():
    """compare() of each model, solved once per test run (keyed by file name)."""
    cache = {}

    def get(path: Path):
        if path.name not in cache:
            cache[path.name] = planner.compare(planner.load(path))
        return cache[path.name]

    return get


def test_models_are_shipped():
    names = {p.name for p in MODELS}
    assert {"serial_parallel_toy.toml", "serial_parallel_toy_lognormal.toml", "generations.toml",
            "field_realistic.toml"} <= names


@pytest.mark.parametrize("path", MODELS, ids=_ids(MODELS))
def test_model_loads_and_resolves(path):
    plan = planner.load(path)
    base = planner.resolve(plan)
    assert base.name == "baseline"
    assert abs(float(base.deadline_probs.sum()) - 1.0) < 1e-9
    assert (base.supply >= 0).all() and (base.productivity >= 0).all()
    for iv in plan.interventions:
        inst = planner.resolve(plan, iv)
        assert inst.name == iv.name
        assert inst.supply.shape == base.supply.shape
        assert abs(float(inst.deadline_probs.sum()) - 1.0) < 1e-9


@pytest.mark.parametrize("path", MODELS, ids=_ids(MODELS))
def test_model_compare_is_optimal(path, comparisons):
    plan = planner.load(path)
    comparison = comparisons(path)
    results = [comparison.baseline] + [iv.result for iv in comparison.interventions]
    assert [r.variant for r in results] == ["baseline"] + [iv.name for iv in plan.interventions]
    for r in results:
        assert r.status == "optimal", f"{path.name} / {r.variant}: {r.status} ({r.message})"
        assert r.objective is not None


def _lognormal_cdf(x: float, median: float, sigma: float) -> float:
    return 0.5 * (1.0 + math.erf((math.log(x) - math.log(median)) / (sigma * math.sqrt(2.0))))


def _objectives(comparison) -> dict[str, float]:
    out = {"baseline": comparison.baseline.objective}
    out.update({iv.name: iv.result.objective for iv in comparison.interventions})
    return out


def test_toy_model_by_hand(comparisons):
    # 25 serial years fit inside a 26-year deadline; 2 years earlier they cannot, whatever the labour.
    got = _objectives(comparisons(ROOT / "models" / "serial_parallel_toy.toml"))
    assert got["baseline"] == pytest.approx(1.0, abs=1e-4)
    assert got["capabilities work"] == pytest.approx(0.0, abs=1e-4)


def test_lognormal_toy_model_by_hand(comparisons):
    # The serial chunks finish after 25 years at the earliest: success iff AGI arrives at or after
    # 25 years, i.e. 1 - F(25); with the deadline 2 years earlier, 1 - F(27).
    got = _objectives(comparisons(ROOT / "models" / "serial_parallel_toy_lognormal.toml"))
    assert got["baseline"] == pytest.approx(1 - _lognormal_cdf(25, 26, 0.5), abs=1e-4)
    assert got["capabilities work"] == pytest.approx(1 - _lognormal_cdf(27, 26, 0.5), abs=1e-4)
    assert got["baseline"] == pytest.approx(0.5313, abs=1e-4)
    assert got["capabilities work"] == pytest.approx(0.4699, abs=1e-4)


def test_data_files_are_shipped():
    assert {"alignment_workforce.csv", "agi_timelines.csv"} <= {p.name for p in DATA}


@pytest.mark.parametrize("path", DATA, ids=_ids(DATA))
def test_data_file_documents_its_sources(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines and lines[0].startswith("#"), f"{path.name} must start with '#' comment lines"
    comments = []
    for line in lines:
        if not line.startswith("#"):
            break
        comments.append(line)
    text = "\n".join(comments).lower()
    assert "source" in text, f"{path.name}: the leading comments must name their sources"
    assert "published" in text and "derived" in text, \
        f"{path.name}: the leading comments must say what is published and what is derived"
    # the rest is a CSV table with a `year` column of calendar years
    rows = list(csv.DictReader(line for line in lines[len(comments):] if line.strip()))
    assert rows, f"{path.name} has no data rows"
    assert "year" in rows[0]
    for row in rows:
        assert 1900 <= float(row["year"]) <= 2300


@pytest.mark.parametrize("path", DATA, ids=_ids(DATA))
def test_data_file_is_described_in_readme(path):
    assert path.name in (ROOT / "data" / "README.md").read_text(encoding="utf-8")
