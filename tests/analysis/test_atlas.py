"""The atlas (planner/analysis/atlas.py) on a one-stream plan whose every cell is derived by hand.

One stream of effort E on a pool of S FTE, progress per year (crew units) ** a, so it finishes after
T(a, m) = E / (m S) ** a years with m times the staff (the planner reads the last period's
progress in continuous time, docs/model.md). "capabilities work" multiplies the
staff by m and moves the deadline 1 year earlier, so its effect on P(finish before AGI) is
F(T(a, 1)) - F(T(a, m) + 1), F the deadline preset's CDF (typed from the sources in
tests/published_forecasts.py): harm exactly when the extra staff saves less than a year where F
is rising.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

import planner
from planner.analysis.atlas import atlas
from planner.analysis.montecarlo import draw_samples, parse_uncertainty

from plans import assert_clean_error, run_cli, write
from published_forecasts import exponent, years_after

E, S = 17.0, 16.0
# effects agree to 5e-4: u ** a is solved through a piecewise-linear under-count (docs/model.md),
# so a finish can be a few thousandths of a year later than the exact curve (every |effect| > 1e-3)
START = 2026
MULTIPLY_PATH = 'interventions."capabilities work".supply.0.multiply'


def _plan(uncertainty=None, m=2.0):
    data = {
        "plan": {"name": "atlas", "start_year": START, "horizon": 40, "objective": "probability"},
        "pools": [{"name": "p", "supply": S}],
        "streams": [{"name": "s", "pool": "p", "effort": E, "parallelization": 0.5},
                    {"name": "t", "pool": "p", "effort": 0.01}],  # no parallelization: left as it is
        "deadline": {"years": 10},  # replaced in every cell
        "interventions": [{"name": "capabilities work", "deadline_shift": -1,
                           "supply": [{"pool": "p", "multiply": m}]}],
    }
    if uncertainty is not None:
        data["uncertainty"] = uncertainty
    return planner.from_dict(data, source="atlas.toml")


def _finish(a, m):
    return E / (m * S) ** a


def _F(deadline, x):
    pts = years_after(deadline, START)
    return float(np.interp(x, [0.0] + [p[0] for p in pts], [0.0] + [p[1] for p in pts]))


def _effect(deadline, parallelization, m):
    a = exponent(parallelization)
    return _F(deadline, _finish(a, 1.0)) - _F(deadline, _finish(a, m) + 1)


DEADLINES = ["samotsvety-2023", "espai-2023-hlmi", "cotra-2022"]
PARALLEL = ["ftm-conservative", "ftm-best-guess", "ftm-aggressive", "aifm"]


def test_every_cell_of_a_plan_without_uncertainty_is_one_solve_derived_by_hand():
    result = atlas(_plan(), "capabilities work", deadlines=DEADLINES, workers=1)
    assert result.samples_per_cell == 1 and result.streams == ("s",)
    assert [(c.deadline, c.parallelization) for c in result.cells] == [(d, a) for d in DEADLINES for a in PARALLEL]
    harmful = 0
    for c in result.cells:
        want = _effect(c.deadline, c.parallelization, 2.0)
        assert c.samples == 1
        assert c.mean == pytest.approx(want, abs=5e-4) and c.p5 == c.mean == c.p95
        assert c.p_harm == (1.0 if want < -1e-9 else 0.0)
        harmful += want < -1e-9
    assert 0 < harmful < len(result.cells)  # the plan is built so that the presets decide the sign


def test_a_cell_samples_the_plans_own_uncertainty_with_the_pair_fixed():
    """P(harm) and the effect's mean and range over the drawn multipliers, by hand; the plan's own
    draw of the stream's parallelization is fixed by the cell instead."""
    table = {"seed": 7, MULTIPLY_PATH: {"kind": "choice", "values": [1.25, 2.0]},
             "streams.s.parallelization": {"kind": "uniform", "low": 0.3, "high": 0.9}}
    plan = _plan(table)
    result = atlas(plan, "capabilities work", deadlines=["samotsvety-2023"], parallelization=["ftm-aggressive", "aifm"],
                   n=12, workers=1)
    assert result.fixed_inputs == ("streams.s.parallelization",)
    _, draws = parse_uncertainty({"seed": 7, MULTIPLY_PATH: table[MULTIPLY_PATH]}, plan)
    ms = [s[MULTIPLY_PATH] for s in draw_samples(7, draws, 12)]
    assert len(set(ms)) == 2  # both multipliers drawn
    for c in result.cells:
        effects = np.array([_effect(c.deadline, c.parallelization, m) for m in ms])
        assert c.samples == 12
        assert c.p_harm == pytest.approx(float((effects < -1e-9).mean()))
        assert c.mean == pytest.approx(effects.mean(), abs=5e-4)
        assert c.p5 == pytest.approx(np.quantile(effects, 0.05), abs=5e-4)
        assert c.p95 == pytest.approx(np.quantile(effects, 0.95), abs=5e-4)


def test_same_seed_same_numbers_whatever_the_worker_count():
    plan = _plan({"seed": 3, MULTIPLY_PATH: {"kind": "uniform", "low": 1.0, "high": 3.0}})
    kw = dict(deadlines=["espai-2023-hlmi"], parallelization=["ftm-best-guess", "aifm"], n=4)
    one, two = atlas(plan, "capabilities work", workers=1, **kw), atlas(plan, "capabilities work", workers=2, **kw)
    assert one.to_dict() == two.to_dict()


def test_cli_json_csv_and_plot(tmp_path):
    path = write(tmp_path, """
[plan]
start_year = 2026
horizon = 40
[[pools]]
name = "p"
supply = 16
[[streams]]
name = "s"
pool = "p"
effort = 17
[deadline]
years = 10
[[interventions]]
name = "capabilities work"
deadline_shift = -1
supply = [{ pool = "p", multiply = 2.0 }]
""")
    args = ["atlas", path, "--intervention", "capabilities work", "--deadlines", "cotra-2022",
            "--parallelization", "ftm-best-guess,ftm-aggressive", "--workers", "1"]
    out = run_cli(*args, "--json", "-o", tmp_path / "cells.csv", "--plot", tmp_path / "atlas.png")
    assert out.returncode == 0, out.stderr
    cells = json.loads(out.stdout)
    assert list(cells) == ["cells"]
    assert [list(c) for c in cells["cells"]] == [["deadline", "parallelization", "p_harm", "mean", "p5", "p95", "samples"]] * 2
    for c in cells["cells"]:  # no parallelization in the plan: the preset goes on every stream
        assert c["mean"] == pytest.approx(_effect("cotra-2022", c["parallelization"], 2.0), abs=5e-4)
    assert (tmp_path / "cells.csv").read_text().splitlines()[0] == "deadline,parallelization,p_harm,mean,p5,p95,samples"
    assert (tmp_path / "atlas.png").read_bytes()[:4] == b"\x89PNG"
    table = run_cli(*args)
    assert table.returncode == 0 and "cotra-2022" in table.stdout and "P(harm)" in table.stdout
    assert_clean_error(run_cli(*args[:4], "--deadlines", "samotsvety"), 2, "unknown deadline preset 'samotsvety'", "cotra-2022")
    assert_clean_error(run_cli(*args, "-o", tmp_path / "cells.txt"), 2, "-o", ".csv or .parquet")
    pytest.importorskip("pyarrow")
    assert run_cli(*args, "-o", tmp_path / "cells.parquet").returncode == 0
    import pandas as pd
    assert pd.read_parquet(tmp_path / "cells.parquet").to_dict("records") == [
        {k: v for k, v in c.items()} for c in cells["cells"]]


def test_the_html_report_can_include_the_atlas(tmp_path):
    from planner.report.atlas_charts import atlas_section
    from planner.report.html_report import html_report
    plan = _plan()
    result = atlas(plan, "capabilities work", deadlines=["cotra-2022"], parallelization=["ftm-best-guess"], workers=1)
    page = html_report(plan, planner.compare(plan), sections=[atlas_section(result)])
    assert "Atlas: &#x27;capabilities work&#x27;" in page and "data-kind='atlas'" in page and "<svg" in page
    assert "cotra-2022" in page and "ftm-best-guess" in page
