"""The shipped plan files (models/*.toml) and data tables (data/*.csv).

Every model loads, resolves for the baseline and each intervention, and solves to proven optimality;
the two toy models match their hand-computed answers; the two field models' reported finish years
and probabilities match a derivation from the plan files alone (critical path, supply at the rate
caps, the deadline's own CDF); every data table documents its sources.
"""
from __future__ import annotations

import csv
import math
import tomllib
from pathlib import Path

import pytest

import planner
# the contract's series and CDFs as tests/oracles/test_independent_formulation.py computes them from MODEL.md
from oracles.test_independent_formulation import apply_window, lognormal_cdf, percentiles_cdf, series

from plans import ROOT, fast_first
from published_forecasts import years_after

MODELS = sorted((ROOT / "models").glob("*.toml"))
DEFAULT_MODELS = ("serial_parallel_toy", "serial_parallel_toy_lognormal", "field_realistic")  # the rest: -m slow
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


@pytest.mark.parametrize("path", fast_first(sorted(MODELS, key=lambda p: p.stem not in DEFAULT_MODELS), 3,
                                          ids=lambda p: p.name))
def test_model_compare_is_optimal(path, comparisons):
    plan = planner.load(path)
    comparison = comparisons(path)
    results = [comparison.baseline] + [iv.result for iv in comparison.interventions]
    assert [r.variant for r in results] == ["baseline"] + [iv.name for iv in plan.interventions]
    for r in results:
        assert r.status == "optimal", f"{path.name} / {r.variant}: {r.status} ({r.message})"
        assert r.objective is not None


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
    assert got["baseline"] == pytest.approx(1 - lognormal_cdf(25, 26, 0.5), abs=1e-4)
    assert got["capabilities work"] == pytest.approx(1 - lognormal_cdf(27, 26, 0.5), abs=1e-4)
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


# --- the two field models' reported numbers, derived by hand from the plan files -----------------

FIELD_MODELS = ["generations.toml", "field_realistic.toml"]


def _schedule(d: dict):
    """Critical path with unlimited labour, in years (both models have step 1 and whole-year
    durations and lags): a stream starts at its release, or once every predecessor has finished
    and the lag has passed, and takes max(1, min_duration) years. Returns each stream's duration,
    earliest finish and latest finish (backwards from the goal, so that the goal is not delayed),
    and the goal's earliest finish."""
    streams = {s["name"]: s for s in d["streams"]}
    dur = {n: max(1, math.ceil(s.get("min_duration", 0))) for n, s in streams.items()}
    preds = {n: [(a, 0) if isinstance(a, str) else (a["stream"], math.ceil(a.get("lag", 0)))
                 for a in s.get("after", [])] for n, s in streams.items()}
    ef: dict[str, int] = {}

    def finish(n):
        if n not in ef:
            ef[n] = max([math.ceil(streams[n].get("release", 0))] + [finish(p) + lag for p, lag in preds[n]]) + dur[n]
        return ef[n]

    goal = max(finish(n) for n in d.get("goal", {}).get("required", list(streams)))
    lf: dict[str, int] = {}

    def latest(n):
        if n not in lf:
            lf[n] = min([goal] + [latest(m) - dur[m] - lag for m in streams for p, lag in preds[m] if p == n])
        return lf[n]

    return dur, ef, {n: latest(n) for n in streams}, goal


def _supply(d: dict, intervention: str | None, folder: Path) -> dict[str, list[float]]:
    """Each pool's FTE per year, with the intervention's supply windows."""
    H = math.ceil(d["plan"]["horizon"])
    out = {p["name"]: series(p["supply"], H, 1.0, d["plan"].get("start_year", 2026), folder) for p in d["pools"]}
    iv = next((v for v in d.get("interventions", []) if v["name"] == intervention), {})
    for change in iv.get("supply", []):
        apply_window(out[change["pool"]], change, 1.0)
    return out


def _crew_at_cap(d: dict, intervention: str | None) -> dict[str, list[float]]:
    """Crew units per year a stream needs to run at its rate cap: effort / min_duration /
    productivity (after the intervention's productivity windows)."""
    H = math.ceil(d["plan"]["horizon"])
    iv = next((v for v in d.get("interventions", []) if v["name"] == intervention), {})
    out = {}
    for s in d["streams"]:
        prod = series(s.get("productivity", 1.0), H, 1.0, 0, Path("."))
        for change in iv.get("productivity", []):
            if s["name"] in change["streams"]:
                apply_window(prod, change, 1.0)
        out[s["name"]] = [s["effort"] / max(s.get("min_duration", 0), 1.0) / p for p in prod]
    return out


def _overloads(d: dict, supply, crew, windows) -> list:
    """(stream, pool, year) where streams running at their caps in their windows [first, last)
    need more of the pool than it supplies (the stream is one of those that use the pool then)."""
    used = {r: [0.0] * len(v) for r, v in supply.items()}
    crews = {s["name"]: s.get("crew") or {s["pool"]: 1.0} for s in d["streams"]}
    for n, (first, last) in windows.items():
        for r, k in crews[n].items():
            for t in range(first, last):
                used[r][t] += k * crew[n][t]
    return [(n, r, t) for n, (first, last) in windows.items() for r in crews[n] for t in range(first, last)
            if used[r][t] > supply[r][t] + 1e-9]


def _success(d: dict, years: float, shift: float) -> float:
    """P(the deadline is at or after `years`) = 1 - G(years), G the shifted CDF: MODEL.md's
    discretisation at period boundaries sums to exactly this for a finish at a period's end."""
    dist = d["deadline"]["distribution"]
    if "preset" in dist:  # the published points, typed in tests/published_forecasts.py
        dist = {"kind": "percentiles", "points": years_after(dist["preset"], d["plan"]["start_year"])}
    x = years - shift
    f = lognormal_cdf(x, dist["median"], dist["sigma"]) if dist["kind"] == "lognormal" else \
        percentiles_cdf(x, dist["points"])
    return 1.0 - (1.0 - d["deadline"].get("p_never", 0.0)) * f


@pytest.mark.parametrize("name", FIELD_MODELS)
def test_field_model_numbers_by_hand(name, comparisons):
    """The reported finish and probability of every variant, derived from the plan file alone.

    1. The chain: the critical path with unlimited labour (min_durations, lags, releases), by hand:
       generations 6 + 5 + 6 + 5 + 6 + 3 + 2 = 33 years (framework-1, lag, framework-2, lag,
       framework-3, empirical-3, validation); field_realistic 5 + 4 + 5 + 4 + 5 + 2 = 25 years
       (foundations-1..3 with their 4-year lags, then integration). The planner's structural
       earliest finish must be this.
    2. Whether labour lets the goal finish at the chain's length: if every stream can run at its
       rate cap as late as the chain allows (latest finish, backwards from the goal) within the
       supply of every period, it can, and the best plan finishes exactly then (an earlier finish
       is never worse). If a stream with no slack (earliest = latest finish) needs more crew at its
       rate cap than its pool supplies in a period of its window, it cannot, and the goal finishes
       later (generations: validation needs 1200 / 2 / 0.1 = 6000 researchers a year in years
       31-33, where the supply is capped at 3000, or 4500 with capabilities work's 1.5x).
    3. The probability: the deadline distribution's own CDF (lognormal through erf, or the
       percentiles points, which for field_realistic are the usable samotsvety2023 rows of
       data/agi_timelines.csv) at the reported finish, shifted: P = 1 - F(finish - shift).
    """
    path = ROOT / "models" / name
    d = tomllib.loads(path.read_text(encoding="utf-8"))
    assert d["plan"].get("step", 1.0) == 1.0   # the derivation counts whole years
    comparison = comparisons(path)
    results = {"baseline": comparison.baseline} | {iv.name: iv.result for iv in comparison.interventions}
    dur, ef, lf, chain = _schedule(d)
    assert chain == {"generations.toml": 33, "field_realistic.toml": 25}[name]
    shifts = {"baseline": 0.0} | {iv["name"]: iv.get("deadline_shift", 0.0) for iv in d.get("interventions", [])}
    for variant, r in results.items():
        intervention = None if variant == "baseline" else variant
        supply, crew = _supply(d, intervention, path.parent), _crew_at_cap(d, intervention)
        assert r.structure.earliest_goal_years == chain, variant
        as_late_as_possible = {n: (lf[n] - dur[n], lf[n]) for n in lf}
        no_slack = {n: (ef[n] - dur[n], ef[n]) for n in ef if ef[n] == lf[n]}
        if not _overloads(d, supply, crew, as_late_as_possible):
            assert r.goal_completion_years == chain, variant
        else:
            alone = {n: _overloads(d, supply, crew, {n: w}) for n, w in no_slack.items()}
            assert any(alone.values()), f"{variant}: neither derivation applies; extend this test"
            assert r.goal_completion_years > chain, variant
        expected = _success(d, r.goal_completion_years, shifts[variant])
        assert r.objective == pytest.approx(expected, abs=1e-9), variant
        assert r.success_probability == pytest.approx(expected, abs=1e-9), variant
        assert r.structure.bound == pytest.approx(_success(d, chain, shifts[variant]), abs=1e-9), variant


def test_field_realistic_deadline_is_the_published_table():
    """field_realistic's deadline is the samotsvety-2023 preset, whose points for start_year 2026 are
    samotsvety2023's usable rows of agi_timelines.csv."""
    d = tomllib.loads((ROOT / "models" / "field_realistic.toml").read_text(encoding="utf-8"))
    lines = [ln for ln in (ROOT / "data" / "agi_timelines.csv").read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.startswith("#")]
    rows = [r for r in csv.DictReader(lines) if r["source_id"] == "samotsvety2023" and r["usable"] == "yes"]
    table = [[float(r["year"]) - d["plan"]["start_year"], float(r["cumulative_probability"])] for r in rows]
    assert d["deadline"]["distribution"] == {"preset": "samotsvety-2023"}
    assert years_after("samotsvety-2023", d["plan"]["start_year"]) == table
