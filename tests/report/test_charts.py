"""Every chart kind for every shipped model: not blank, and with the elements that carry the
argument (axis titles, one bar per stream, the deadline line, each variant's goal on the CDF).

Hand-calculated values: the toy model's deadline is 26 years from 2026 (the start of 2052), 24
with capabilities work (2050); the goal needs 25 years (2051), so the chance is 1 and 0. The
lognormal toy's chance is 1 - F(25) with F lognormal (median 26, sigma 0.5): 0.5313.
"""
from __future__ import annotations

import math
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.container import BarContainer  # noqa: E402

import planner  # noqa: E402
from planner.report import charts, comparison_charts, schedule_charts  # noqa: E402

from chartcheck import assert_not_blank, gid  # noqa: E402
from plans import ROOT, fast_first  # noqa: E402

MODELS = sorted(p.stem for p in (ROOT / "models").glob("*.toml"))
# the toy by default, every shipped model with -m slow
MODEL_CASES = fast_first(sorted(MODELS, key=lambda m: m != "serial_parallel_toy"), 1)


@pytest.fixture(scope="module")
def solved():
    """model name -> (plan, comparison); each solved once."""
    cache = {}

    def get(name):
        if name not in cache:
            plan = planner.load(ROOT / "models" / f"{name}.toml")
            cache[name] = (plan, planner.compare(plan))
        return cache[name]
    return get


def deadline_x(ax) -> list[float]:
    return [a.get_xdata()[0] for a in gid(ax, "deadline")]


@pytest.mark.parametrize("model", MODEL_CASES)
@pytest.mark.parametrize("kind", charts.KINDS)
def test_every_chart_renders_for_every_model(solved, model, kind):
    plan, comparison = solved(model)
    fig = charts.chart(kind, comparison)
    axes = fig.get_axes()
    assert axes
    for ax in axes:
        assert ax.get_xlabel().startswith("calendar year")
        assert ax.get_ylabel() and ax.get_title()
    if kind in ("schedule", "staffing", "comparison"):
        assert all(deadline_x(ax) for ax in axes), "no deadline line"
    assert_not_blank(fig)


@pytest.mark.parametrize("model", MODEL_CASES)
def test_schedule_has_one_bar_per_stream_and_precedence_links(solved, model):
    plan, comparison = solved(model)
    fig = schedule_charts.schedule_chart(comparison.baseline)
    ax = fig.axes[0]
    bars = [c for c in ax.containers if isinstance(c, BarContainer) and c.get_label() == "_streams"]
    assert len(bars) == 1 and len(bars[0]) == len(plan.streams)
    assert [t.get_text() for t in ax.get_yticklabels()] == [s.name for s in reversed(plan.streams)]
    links = sum(len(s.after) for s in plan.streams)
    assert len(gid(ax, "precedence")) == links
    plt.close(fig)


def test_toy_schedule_deadline_and_serial_streams(solved):
    _, comparison = solved("serial_parallel_toy")
    base, iv = comparison.results()
    ax = schedule_charts.schedule_chart(base).axes[0]
    assert deadline_x(ax) == [2052]
    assert [a.get_xdata()[0] for a in gid(ax, "goal")] == [2051]
    bars = next(c for c in ax.containers if c.get_label() == "_streams")
    hatches = [b.get_hatch() for b in bars]
    assert hatches == ["", "//", "//", "//", "//"]        # parallel, then the four serial chunks
    # serial-a runs 2026 to the start of 2051
    assert bars[1].get_x() == 2026 and bars[1].get_width() == 25
    ax2 = schedule_charts.schedule_chart(iv).axes[0]
    assert deadline_x(ax2) == [2050]
    plt.close("all")


def test_lognormal_schedule_draws_the_median_and_the_band(solved):
    _, comparison = solved("serial_parallel_toy_lognormal")
    ax = schedule_charts.schedule_chart(comparison.baseline).axes[0]
    # the plan's median, 26 years: the start of 2052 (the scenario k = 25 holds [25, 26), and the
    # CDF reaches 0.5 at its end, 26)
    assert deadline_x(ax) == [2052]
    assert len(gid(ax, "deadline-band")) == 1
    plt.close("all")


def test_staffing_stacks_streams_under_the_supply(solved):
    plan, comparison = solved("serial_parallel_toy")
    fig = schedule_charts.staffing_chart(comparison.baseline)
    ax = fig.axes[0]
    uses = gid(ax, "use")
    assert len(uses) == 5                                  # one band per stream drawing on the pool
    supply = gid(ax, "supply")
    assert len(supply) == 1
    assert np.allclose(supply[0].get_data()[0], 1800)      # (values, edges): 1800 FTE every year
    assert "FTE" in ax.get_ylabel()
    plt.close(fig)
    fig = schedule_charts.staffing_chart(solved("field_realistic")[1].baseline)
    assert len(fig.axes) == 2                              # one panel per pool
    plt.close(fig)


def test_comparison_chart_one_row_per_variant_with_its_deadline(solved):
    _, comparison = solved("serial_parallel_toy")
    ax = comparison_charts.comparison_chart(comparison).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["capabilities work", "baseline"]
    bars = [b for c in ax.containers if c.get_label() == "_goal-bar" for b in c]
    assert sorted(b.get_x() + b.get_width() for b in bars) == [2051, 2051]
    assert sorted(deadline_x(ax)) == [2050, 2052]
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "-100.0 pp" in texts
    plt.close("all")


def lognormal_cdf(x, median, sigma):
    return 0.5 * (1 + math.erf((math.log(x) - math.log(median)) / (sigma * math.sqrt(2))))


@pytest.mark.parametrize("model, expected", [
    ("serial_parallel_toy", [(2051, 1.0), (2051, 0.0)]),
    ("serial_parallel_toy_lognormal", [(2051, 1 - lognormal_cdf(25, 26, 0.5)),     # 0.5313
                                       (2051, 1 - lognormal_cdf(27, 26, 0.5))]),   # shifted 2 earlier
])
def test_deadline_chart_reads_off_the_reported_chance(solved, model, expected):
    _, comparison = solved(model)
    ax = comparison_charts.deadline_chart(comparison).axes[0]
    assert len(gid(ax, "cdf")) == 2
    points = gid(ax, "goal-point")
    got = [(p.get_xdata()[0], 1 - p.get_ydata()[0]) for p in points]
    assert [g[0] for g in got] == [e[0] for e in expected]
    assert [g[1] for g in got] == pytest.approx([e[1] for e in expected], abs=5e-5)
    for r, (_, chance) in zip(comparison.results(), got):
        assert r.success_probability == pytest.approx(chance, abs=1e-9)
    # the dot lies on its CDF as drawn (a step drawn "post": the value at x is the last step at or before x)
    for line, point in zip(gid(ax, "cdf"), points):
        xs, ys = line.get_xdata(), line.get_ydata()
        g = point.get_xdata()[0]
        assert ys[np.flatnonzero(xs <= g + 1e-9)[-1]] == pytest.approx(point.get_ydata()[0], abs=1e-9)
    plt.close("all")


def test_every_chart_takes_an_ax_and_returns_its_figure(solved):
    _, comparison = solved("serial_parallel_toy")
    fig, axes = plt.subplots(2, 2)
    assert schedule_charts.schedule_chart(comparison.baseline, ax=axes[0, 0]) is fig
    assert schedule_charts.staffing_chart(comparison.baseline, ax=axes[0, 1]) is fig
    assert comparison_charts.comparison_chart(comparison, ax=axes[1, 0]) is fig
    assert comparison_charts.deadline_chart(comparison, ax=axes[1, 1]) is fig
    plt.close(fig)


@pytest.mark.parametrize("suffix, magic", fast_first([(".png", b"\x89PNG"), (".svg", b"<?xml"), (".pdf", b"%PDF")], 1,
                                                   ids=lambda c: c[0]))
def test_plot_command_writes_each_format(tmp_path, suffix, magic):
    out = tmp_path / f"chart{suffix}"
    proc = subprocess.run([sys.executable, "-m", "planner.cli", "plot", str(ROOT / "models" / "serial_parallel_toy.toml"),
                           "--kind", "schedule", "-o", str(out)], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes().startswith(magic)
    if suffix == ".png":
        img = mpimg.imread(out)[..., :3]
        assert (img < 0.9).any(axis=2).mean() > 0.02


def test_plot_command_refuses_an_unknown_format_and_variant(tmp_path):
    toy = str(ROOT / "models" / "serial_parallel_toy.toml")
    proc = subprocess.run([sys.executable, "-m", "planner.cli", "plot", toy, "--kind", "schedule", "-o",
                           str(tmp_path / "x.gif")], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 2 and ".png" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "planner.cli", "plot", toy, "--kind", "schedule", "-o",
                           str(tmp_path / "x.png"), "--variant", "nope"], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 2 and "nope" in proc.stderr


def test_charts_of_a_plan_without_deadline_say_so():
    plan = planner.from_dict({
        "plan": {"name": "no deadline", "horizon": 10, "objective": "earliest"},
        "pools": [{"name": "staff", "supply": 5}],
        "streams": [{"name": "a", "pool": "staff", "effort": 6, "min_duration": 3},
                    {"name": "b", "pool": "staff", "effort": 3, "after": ["a"]}]})
    comparison = planner.compare(plan)
    ax = comparison_charts.deadline_chart(comparison).axes[0]
    assert [t.get_text() for t in ax.texts if "deadline" in t.get_text()] == ["this plan has no deadline"]
    ax = schedule_charts.schedule_chart(comparison.baseline).axes[0]
    assert deadline_x(ax) == []
    # a (6 at 2 a year) takes 3 years, then b (3, no cap, 5 staff) 0.6 of a year: done at 2029.6
    assert [a.get_xdata()[0] for a in gid(ax, "goal")] == [pytest.approx(2029.6)]
    assert len(gid(ax, "precedence")) == 1
    plt.close("all")


@pytest.mark.slow
def test_plot_of_a_plan_with_no_solution_exits_3(tmp_path):
    plan = tmp_path / "short.toml"
    plan.write_text('[plan]\nhorizon = 10\nobjective = "earliest"\n[[pools]]\nname = "s"\nsupply = 100\n'
                    '[[streams]]\nname = "slow"\npool = "s"\neffort = 20\nmin_duration = 20\n', encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "planner.cli", "plot", str(plan), "--kind", "schedule", "-o",
                           str(tmp_path / "x.png")], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 3 and "infeasible" in proc.stderr
    assert not (tmp_path / "x.png").exists()
