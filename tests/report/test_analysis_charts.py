"""Sweep, break-even, Monte Carlo and tornado charts, drawn from the analysis functions' own results
on the toy models, and `--plot` on the CLI.

Hand-calculated values: on the toy (serial_parallel_toy.toml) the serial chain needs 25 years and
the deadline is 26, so capabilities work (deadline_shift -2) makes the goal impossible; it breaks
even iff deadline_shift >= -1: the verdict flips between -2 and -1, at -1. With a deadline of 24,
25 or 26 drawn at random, capabilities work always fails and the baseline succeeds iff the
deadline is >= 25, so P(harm) is the share of samples with a deadline of 25 or 26.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import planner  # noqa: E402
from planner.analysis.breakeven import breakeven  # noqa: E402
from planner.analysis.montecarlo import montecarlo  # noqa: E402
from planner.analysis.sweep import sweep  # noqa: E402
from planner.cli.main import main  # noqa: E402
from planner.report import analysis_charts  # noqa: E402

from chartcheck import assert_drawn, gid, pixels  # noqa: E402
from plans import LOGNORMAL, TOY  # noqa: E402

IV = "capabilities work"
SHIFT = 'interventions."capabilities work".deadline_shift'
MULTIPLY = 'interventions."capabilities work".supply.0.multiply'

UNCERTAIN_TOY = """
[uncertainty]
seed = 11
deadline.years = { kind = "choice", values = [24, 25, 26] }
"interventions.\\"capabilities work\\".supply.0.multiply" = { kind = "lognormal", median = 3, sigma = 0.5, min = 1, max = 10 }
"""
UNCERTAIN_LOGNORMAL = """
[uncertainty]
seed = 7
"deadline.distribution.median" = { kind = "lognormal", median = 26, sigma = 0.2 }
"interventions.\\"capabilities work\\".deadline_shift" = { kind = "triangular", low = -2, mode = -1, high = -0.25 }
"pools.researchers.supply" = { kind = "uniform", low = 1500, high = 2000 }
"""


def span_x(span) -> list[float]:
    """The x extent of an axvspan (a Rectangle in newer matplotlib, a Polygon in older)."""
    if hasattr(span, "get_width"):
        return [span.get_x(), span.get_x() + span.get_width()]
    return list(np.asarray(span.get_xy())[:, 0])


def assert_titled(ax, *units):
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    for unit in units:
        assert unit in ax.get_xlabel() + ax.get_ylabel()


@pytest.fixture(scope="module")
def mc_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mc")
    toy, lognormal = folder / "toy.toml", folder / "lognormal.toml"
    toy.write_text(TOY.read_text() + UNCERTAIN_TOY)
    lognormal.write_text(LOGNORMAL.read_text() + UNCERTAIN_LOGNORMAL)
    return toy, lognormal


@pytest.fixture(scope="module")
def mc_toy(mc_files):
    return montecarlo(planner.load(mc_files[0]), 30, workers=1)


@pytest.fixture(scope="module")
def mc_lognormal(mc_files):
    return montecarlo(planner.load(mc_files[1]), 24, workers=1)


# --- sweep ------------------------------------------------------------------------------------

def test_sweep_chart_one_line_per_variant_through_every_point(toy):
    values = [-3, -2, -1, 0]
    result = sweep(toy, {SHIFT: values}, workers=1)
    fig = analysis_charts.sweep_chart(result, objective="probability")
    ax = fig.axes[0]
    lines = gid(ax, "variant")
    assert len(lines) == 2 == result.to_frame()["variant"].nunique()
    by_label = {line.get_label(): line for line in lines}
    assert set(by_label) == {"baseline", IV}
    frame = result.to_frame()
    for name, line in by_label.items():
        rows = frame[frame.variant == name].sort_values(SHIFT)
        assert list(line.get_xdata()) == values
        assert list(line.get_ydata()) == pytest.approx(rows["objective"].tolist())
    # by hand: the baseline always succeeds; capabilities work only from a shift of -1
    assert list(by_label[IV].get_ydata()) == pytest.approx([0, 0, 1, 1])
    assert_titled(ax, "(years)", "0-1")
    assert SHIFT in ax.get_xlabel()
    assert_drawn(pixels(fig))


def test_sweep_chart_with_two_paths_draws_a_line_per_variant_and_other_value(toy):
    result = sweep(toy, {SHIFT: [-2, -1, 0], "deadline.years": [25, 26]}, workers=1)
    fig = analysis_charts.sweep_chart(result)
    lines = gid(fig.axes[0], "variant")
    assert len(lines) == 2 * 2
    assert {line.get_label() for line in lines} == {f"{v} (deadline.years = {d})" for v in ("baseline", IV)
                                                   for d in (25, 26)}
    other = analysis_charts.sweep_chart(result, path="deadline.years")
    assert all(list(line.get_xdata()) == [25, 26] for line in gid(other.axes[0], "variant"))
    plt.close(fig), plt.close(other)
    with pytest.raises(ValueError, match="was not swept"):
        analysis_charts.sweep_chart(result, path="deadline.year")


# --- break-even -------------------------------------------------------------------------------

def test_breakeven_chart_marks_the_reported_value(toy):
    result = breakeven(toy, IV, SHIFT, low=-5, high=0, tolerance=0.01)
    assert result.value == -1 and result.kind == "step"      # by hand: between -2 and -1, at -1
    lo, hi = sorted(result.interval)
    assert -2 <= lo < hi == -1
    fig = analysis_charts.breakeven_chart(result, objective="probability")
    ax = fig.axes[0]
    [marker] = gid(ax, "breakeven")
    assert list(marker.get_xdata()) == [result.value, result.value]
    [band] = gid(ax, "flip-interval")
    xs = span_x(band)
    assert min(xs) == pytest.approx(lo) and max(xs) == pytest.approx(hi)
    # every solved point is drawn, on the side of zero its verdict says
    even, loses = gid(ax, "even")[0].get_offsets(), gid(ax, "loses")[0].get_offsets()
    assert len(even) + len(loses) == len(result.evaluations)
    assert (np.asarray(even)[:, 1] >= -1e-7).all() and (np.asarray(loses)[:, 1] < -1e-7).all()
    assert (np.asarray(loses)[:, 0] < -1).all() and (np.asarray(even)[:, 0] >= -1).all()
    assert not gid(ax, "no-breakeven")
    assert_titled(ax, "(years)", "0-1")
    assert_drawn(pixels(fig))


def test_breakeven_chart_says_when_there_is_none(toy):
    result = breakeven(toy, IV, MULTIPLY, low=1, high=10, samples=3)
    assert result.value is None
    fig = analysis_charts.breakeven_chart(result)
    ax = fig.axes[0]
    assert not gid(ax, "breakeven") and not gid(ax, "flip-interval")
    [note] = gid(ax, "no-breakeven")
    assert note.get_text().startswith("no break-even in the range")
    assert "serial-a needs 25 years" in note.get_text().replace("\n", " ")
    assert_drawn(pixels(fig))


# --- Monte Carlo and tornado ------------------------------------------------------------------

def p_harm_label(ax) -> str:
    [label] = gid(ax, "p-harm")
    return label.get_text()


def test_montecarlo_chart_shades_harm_with_the_share_of_negative_deltas(mc_toy):
    frame = mc_toy.to_frame()
    deltas = frame.loc[frame.variant == IV, "delta"]
    share = float((deltas < 0).mean())
    # by hand: harm exactly where the drawn deadline is 25 or 26
    iv = frame[frame.variant == IV]
    assert share == pytest.approx(float((iv["deadline.years"] >= 25).mean()))
    assert 0 < share < 1
    fig = analysis_charts.montecarlo_chart(mc_toy, objective="probability")
    ax = fig.axes[0]
    assert p_harm_label(ax) == f"P(harm) = {share:.2f}"
    [harm] = gid(ax, "harm")
    xs = span_x(harm)
    assert max(xs) == 0 and min(xs) < deltas.min()
    bars = gid(ax, "histogram")
    assert sum(p.get_height() for p in bars) == len(deltas)
    assert_titled(ax, "0-1")
    assert_drawn(pixels(fig))


def test_montecarlo_chart_continuous_effect(mc_lognormal):
    frame = mc_lognormal.to_frame()
    deltas = frame.loc[frame.variant == IV, "delta"]
    fig = analysis_charts.montecarlo_chart(mc_lognormal, intervention=IV)
    ax = fig.axes[0]
    assert p_harm_label(ax) == f"P(harm) = {float((deltas < 0).mean()):.2f}"
    bars = gid(ax, "histogram")
    assert sum(p.get_height() for p in bars) == len(deltas)
    for p in bars:     # no bin straddles zero, so each bar is all harm or all not
        assert p.get_x() + p.get_width() <= 1e-12 or p.get_x() >= -1e-12
    assert_drawn(pixels(fig))
    with pytest.raises(ValueError, match="no intervention 'nope'"):
        analysis_charts.montecarlo_chart(mc_lognormal, intervention="nope")


@pytest.mark.parametrize("which", ["mc_toy", "mc_lognormal"])
def test_tornado_one_bar_per_input_largest_on_top(request, which):
    result = request.getfixturevalue(which)
    fig = analysis_charts.tornado_chart(result, intervention=IV)
    ax = fig.axes[0]
    bars = gid(ax, "inputs")
    assert len(bars) == len(result.inputs)
    table = result.tornado(IV)
    top_down = sorted(bars, key=lambda b: -b.get_y())
    assert [b.get_width() for b in top_down] == pytest.approx(np.nan_to_num(table["rank_correlation"]).tolist())
    widths = [abs(b.get_width()) for b in top_down]
    assert widths == sorted(widths, reverse=True)
    ticks = dict(zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels())))
    assert [ticks[k] for k in sorted(ticks, reverse=True)] == table["input"].tolist()
    assert_titled(ax, "-1 to 1")
    assert_drawn(pixels(fig))


def test_tornado_on_the_toy_follows_the_deadline(mc_toy):
    # the effect is -1 where the deadline is >= 25 and 0 otherwise: strongly negative rank correlation
    top = mc_toy.tornado(IV).iloc[0]
    assert top["input"] == "deadline.years" and top["rank_correlation"] < -0.5
    fig = analysis_charts.tornado_chart(mc_toy)
    ax = fig.axes[0]
    ticks = dict(zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels())))
    assert ticks[max(ticks)] == "deadline.years"   # the top row
    plt.close(fig)


# --- the command line -------------------------------------------------------------------------

def read_png(path: Path) -> np.ndarray:
    return mpimg.imread(path)[..., :3]


def test_cli_sweep_plot(tmp_path, capsys):
    out = tmp_path / "charts" / "sweep.png"
    out.parent.mkdir()
    assert main(["sweep", str(TOY), "--set", f"{SHIFT}=-2,-1,0", "--workers", "1", "--plot", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().err
    assert_drawn(read_png(out))
    assert not [p for p in out.parent.iterdir() if p != out], "a temporary file was left behind"


def test_cli_breakeven_plot(tmp_path, capsys):
    out = tmp_path / "be.svg"
    assert main(["breakeven", str(TOY), "--intervention", IV, "--vary", SHIFT, "--range=-3:0",
                 "--tolerance", "0.1", "--plot", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().err
    text = out.read_text()
    assert text.lstrip().startswith("<?xml") and "break-even at -1" in text


@pytest.mark.slow
def test_cli_montecarlo_plot_writes_histogram_and_tornado(mc_files, tmp_path, capsys):
    out = tmp_path / "mc.png"
    assert main(["montecarlo", str(mc_files[0]), "-n", "12", "--workers", "1", "--plot", str(out)]) == 0
    err = capsys.readouterr().err
    tornado = tmp_path / "mc-tornado.png"
    assert f"wrote {out}" in err and f"wrote {tornado}" in err
    for path in (out, tornado):
        assert_drawn(read_png(path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mc-tornado.png", "mc.png"]


def test_cli_plot_refuses_a_bad_suffix_before_solving(tmp_path, capsys):
    assert main(["breakeven", str(TOY), "--intervention", IV, "--vary", SHIFT,
                 "--plot", str(tmp_path / "x.jpg")]) == 2
    assert "must end in .png, .svg or .pdf" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
