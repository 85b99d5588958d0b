"""The analysis commands' results as charts: `sweep_chart`, `breakeven_chart`, `montecarlo_chart`,
`tornado_chart`. Each takes the analysis function's own result (sweep(), breakeven(),
montecarlo()) and returns the figure: the objective along a swept path; the effect along the
varied value with the break-even marked; the effect's histogram with P(harm) shaded; each sampled
input's rank correlation with the effect. `objective` (the plan's objective kind: "probability",
"earliest" or "value") only sets the units written on the axes; the results do not carry it."""

from __future__ import annotations

import textwrap
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from planner.analysis.breakeven import BreakEven
from planner.analysis.montecarlo import MonteCarloResult
from planner.analysis.sweep import SweepResult
from planner.report.chart_style import GAIN_COLOUR, HARM_COLOUR, chart_axes

_UNITS = {
    "probability": "chance of finishing before the deadline, 0-1",
    "earliest": "years from the start to the goal",
    "value": "expected value, sum of stream values",
}
_DELTA_UNITS = {
    "probability": "change in the chance, 0-1 scale (0.1 = 10 pp)",
    "earliest": "change in years to the goal",
    "value": "change in expected value",
}


def _objective_label(objective: str | None) -> str:
    unit = _UNITS.get(objective, "as the plan defines it") if objective is not None else "as the plan defines it"
    return f"objective ({unit})"


def _effect_label(objective: str | None) -> str:
    unit = _DELTA_UNITS.get(objective, "objective units") if objective is not None else "objective units"
    return f"effect = intervention - baseline\n({unit})"


def _path_label(path: str) -> str:
    """The swept path with its unit where the path says it (deadlines, durations: years)."""
    last = path.rsplit(".", 1)[-1]
    if last in ("years", "deadline_shift", "min_duration", "median", "year", "lag") or "deadline" in path:
        return f"{path} (years)"
    if last in ("multiply", "growth"):
        return f"{path} (factor)" if last == "multiply" else f"{path} (growth rate per year)"
    if last in ("supply", "start", "cap", "add"):
        return f"{path} (FTE)"
    return f"{path} (plan units)"


def _first_intervention(frame: Any, intervention: str | None) -> str:  # a pandas DataFrame
    names = [v for v in dict.fromkeys(frame["variant"]) if v != "baseline"]
    if intervention is None:
        if not names:
            raise ValueError("the result has no intervention to draw")
        return names[0]
    if intervention not in names:
        raise ValueError(f"no intervention '{intervention}' in the result (have: {', '.join(names) or 'none'})")
    return intervention


def sweep_chart(
    result: SweepResult, ax: Axes | None = None, *, path: str | None = None, objective: str | None = None
) -> Figure:
    """The objective of each variant along one swept path (`path`, default the first).

    One line per variant (gid "variant"); when the sweep has other paths, one line per variant and
    combination of the other paths' values, labelled with them. Points that did not solve are gaps."""
    frame = result.to_frame()
    path = result.paths[0] if path is None else path
    if path not in result.paths:
        raise ValueError(f"'{path}' was not swept (swept: {', '.join(result.paths)})")
    others = [p for p in result.paths if p != path]
    fig, ax = chart_axes(ax, (9, 4.8))
    cmap = plt.get_cmap("tab10")
    variants = list(dict.fromkeys(frame["variant"]))
    groups = [((), frame)] if not others else list(frame.groupby(others, sort=True))
    styles = ["-", "--", ":", "-."]
    for k, v in enumerate(variants):
        for j, (key, g) in enumerate(groups):
            rows = g[g["variant"] == v]
            xs = np.asarray(rows[path], dtype=float)
            ys = np.asarray(rows["objective"].astype(float), dtype=float)
            order = np.argsort(xs, kind="stable")
            key = key if isinstance(key, tuple) else (key,)
            label = v + (
                ""
                if not others
                else " ("
                + ", ".join(
                    f"{p} = {x:g}" if isinstance(x, (int, float)) else f"{p} = {x}" for p, x in zip(others, key)
                )
                + ")"
            )
            ax.plot(
                xs[order],
                ys[order],
                styles[j % len(styles)],
                marker="o",
                ms=4,
                lw=1.5 + 1.5 * (len(variants) - 1 - k) / max(len(variants), 1),
                color=cmap(k % 10),
                label=label,
                gid="variant",
            )
    ax.set_xlabel(_path_label(path))
    ax.set_ylabel(_objective_label(objective))
    ax.set_title(f"sweep: each variant's objective along {path}")
    ax.legend(loc="best", fontsize=8)
    return fig


def breakeven_chart(result: BreakEven, ax: Axes | None = None, *, objective: str | None = None) -> Figure:
    """The effect (intervention minus baseline) at every value the break-even search solved, the
    zero line, and the break-even value (dashed line, gid "breakeven") over the interval where the
    verdict flips (band, gid "flip-interval"); a note (gid "no-breakeven") when there is none."""
    fig, ax = chart_axes(ax, (9, 4.8))
    ev = sorted(result.evaluations, key=lambda r: r["value"])
    xs = np.array([r["value"] for r in ev], dtype=float)
    ds = np.array([np.nan if r["delta"] is None else r["delta"] for r in ev], dtype=float)
    ax.axhline(0, color="0.5", lw=0.8)
    ax.plot(xs, ds, "-", color="0.6", lw=1, zorder=1)
    even = ds >= -1e-7
    if even.any():
        ax.scatter(xs[even], ds[even], color=GAIN_COLOUR, s=22, zorder=3, label="breaks even or gains", gid="even")
    if (~even).any():
        ax.scatter(xs[~even], ds[~even], color=HARM_COLOUR, s=22, zorder=3, label="loses", gid="loses")
    if result.value is not None and result.interval is not None:  # a value found has its interval
        lo, hi = sorted(result.interval)
        ax.axvspan(
            lo, hi, color="#ff7f0e", alpha=0.25, gid="flip-interval", label=f"verdict flips in [{lo:.6g}, {hi:.6g}]"
        )
        ax.axvline(
            result.value,
            color="k",
            ls="--",
            lw=1.5,
            gid="breakeven",
            label=f"break-even at {result.value:.6g} ({result.kind})",
        )
    else:
        head = "no break-even in the range" if result.kind == "none" else "breaks even everywhere in the range"
        ax.text(
            0.5,
            0.5,
            head + ":\n" + textwrap.fill(result.reason, 70),
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=9,
            color="0.25",
            gid="no-breakeven",
            bbox=dict(facecolor="white", edgecolor="0.6", alpha=0.9),
        )
    ax.set_xlim(result.low - 0.02 * (result.high - result.low), result.high + 0.02 * (result.high - result.low))
    ax.set_xlabel(_path_label(result.path))
    ax.set_ylabel(_effect_label(objective))
    ax.set_title(f"break-even: {result.intervention}'s effect along {result.path}")
    ax.legend(loc="best", fontsize=8)
    return fig


def montecarlo_chart(
    result: MonteCarloResult,
    ax: Axes | None = None,
    *,
    intervention: str | None = None,
    objective: str | None = None,
) -> Figure:
    """Histogram of one intervention's effect over the samples (default: the first intervention),
    the harm side (effect < 0) shaded (gid "harm") and labelled "P(harm) = x.xx" (gid "p-harm"),
    counted as the summary counts it."""
    frame = result.to_frame()
    name = _first_intervention(frame, intervention)
    d = frame.loc[frame["variant"] == name, "delta"].dropna().astype(float).to_numpy()
    fig, ax = chart_axes(ax, (9, 4.8))
    p_harm = float(result.harm(d).mean()) if len(d) else float("nan")
    if len(d):
        lo, hi = float(d.min()), float(d.max())
        if hi - lo < 1e-12:
            lo, hi = lo - 0.5, hi + 0.5
        values = np.unique(d.round(9))
        if len(values) <= 12:  # a step effect: one bar per value, centred on it
            counts = np.array([(np.abs(d - v) <= 1e-9).sum() for v in values])
            gaps = np.diff(values)
            width = 0.6 * (gaps.min() if len(gaps) else 1.0)
            ax.bar(
                values,
                counts,
                width=width,
                color=[HARM_COLOUR if h else GAIN_COLOUR for h in result.harm(values)],
                edgecolor="white",
                lw=0.5,
                gid="histogram",
                label="_histogram",
            )
            lo, hi = lo - width, hi + width
        else:  # bins of equal width with 0 on an edge, so no bin mixes harm and gain
            w = (hi - lo) / min(40, max(10, int(np.sqrt(len(d))) + 1))
            edges = np.arange(np.floor(lo / w) * w, hi + w * 1.0001, w)
            counts, edges = np.histogram(d, bins=edges)
            later = result.objective_kind == "earliest"  # a later goal is harm: the bins right of 0
            colours = [
                HARM_COLOUR if (a >= -1e-12 if later else b <= 1e-12) else GAIN_COLOUR
                for a, b in zip(edges[:-1], edges[1:])
            ]
            ax.bar(
                edges[:-1],
                counts,
                width=np.diff(edges),
                align="edge",
                color=colours,
                edgecolor="white",
                lw=0.5,
                gid="histogram",
                label="_histogram",
            )
        span = hi - lo
        left, right = min(lo, 0.0) - 0.05 * span, max(hi, 0.0) + 0.05 * span
        ax.set_xlim(left, right)
        if result.objective_kind == "earliest":
            ax.axvspan(
                0.0,
                right,
                color=HARM_COLOUR,
                alpha=0.12,
                gid="harm",
                label=f"harm (the goal later: effect > 0): P(harm) = {p_harm:.2f}",
            )
        else:
            ax.axvspan(
                left, 0.0, color=HARM_COLOUR, alpha=0.12, gid="harm", label=f"harm (effect < 0): P(harm) = {p_harm:.2f}"
            )
        ax.axvline(0.0, color="k", lw=1)
        ax.set_ylim(0, 1.3 * max(counts.max(), 1))  # headroom for the label
        ax.text(
            0.02,
            0.97,
            f"P(harm) = {p_harm:.2f}",
            transform=ax.transAxes,
            ha="left",
            va="top",
            fontsize=12,
            color=HARM_COLOUR,
            gid="p-harm",
            fontweight="bold",
            bbox=dict(facecolor="white", edgecolor=HARM_COLOUR, alpha=0.9),
        )
        ax.legend(loc="upper right", fontsize=8)
    else:
        ax.text(
            0.5,
            0.5,
            f"no solved sample for {name}",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=12,
            color="0.4",
            gid="p-harm",
        )
    ax.set_xlabel(_effect_label(objective))
    ax.set_ylabel("samples")
    ax.set_title(f"Monte Carlo: {name}'s effect over {len(d)} samples (seed {result.seed})")
    return fig


def tornado_chart(result: MonteCarloResult, ax: Axes | None = None, *, intervention: str | None = None) -> Figure:
    """One horizontal bar per sampled input (gid "inputs"): its Spearman rank correlation with the
    intervention's effect, the largest magnitude on top; an input whose correlation is undefined
    (it or the effect does not vary) has no bar length and says so."""
    frame = result.to_frame()
    name = _first_intervention(frame, intervention)
    t = result.tornado(name)
    n = len(t)
    fig, ax = chart_axes(ax, (9, 1.6 + 0.55 * n))
    rho = t["rank_correlation"].astype(float).to_numpy()
    rows = np.arange(n)[::-1]  # the first (largest) on top
    width = np.nan_to_num(rho, nan=0.0)
    colours = [HARM_COLOUR if w < 0 else GAIN_COLOUR for w in width]
    ax.barh(rows, width, height=0.6, color=colours, gid="inputs", label="_inputs")
    for row, r in zip(rows, rho):
        text = "no variation" if np.isnan(r) else f"{r:+.2f}"
        x = 0.0 if np.isnan(r) else r
        ax.text(x + (0.02 if x >= 0 else -0.02), row, text, va="center", ha="left" if x >= 0 else "right", fontsize=8)
    ax.axvline(0, color="k", lw=0.8)
    ax.set_yticks(rows, list(t["input"]))
    ax.set_xlim(-1.15, 1.15)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlabel(
        "Spearman rank correlation with the effect (-1 to 1)\n"
        "red: a higher input, a lower effect; blue: a higher input, a higher effect"
    )
    ax.set_ylabel("sampled input")
    ax.set_title(f"tornado: what {name}'s effect follows ({len(result.samples)} samples)")
    return fig
