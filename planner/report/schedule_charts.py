"""One variant's schedule as charts.

- `schedule_chart`: the Gantt chart, one bar per stream over calendar years, shaded by staffing,
  serial streams hatched, precedence links drawn, the deadline (or the median and 10-90% band)
  across.
- `staffing_chart`: each pool's FTE in use, stacked by stream, against its supply.

Each reads the result alone: a result carries its crew, deadline scenarios and precedences.
"""

from __future__ import annotations

import matplotlib.colors
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from planner.report.chart_style import DEADLINE, PARALLEL, SERIAL, chart_axes
from planner.report.words import calendar, deadline_quantile
from planner.result import Result


def deadline_lines(ax: Axes, r: Result, *, label: bool = True) -> None:
    """The fixed deadline as a line, or the distribution's median as a line over its 10-90% band."""
    y0 = r.start_year
    d = r.fixed_deadline
    if d is not None:
        ax.axvline(
            y0 + d,
            color=DEADLINE,
            lw=2,
            ls="--",
            gid="deadline",
            label=f"deadline: start of {calendar(r, d)}" if label else None,
        )
        return
    med, lo, hi = (deadline_quantile(r, q) for q in (0.5, 0.1, 0.9))
    if med is None or lo is None:  # no scenarios (a median found means the 10% one is too)
        return
    hi = r.horizon_years if hi is None else min(hi, r.horizon_years)
    ax.axvspan(
        y0 + lo,
        y0 + hi,
        color=DEADLINE,
        alpha=0.08,
        gid="deadline-band",
        label="deadline 10-90% range" if label else None,
    )
    ax.axvline(
        y0 + med,
        color=DEADLINE,
        lw=2,
        ls="--",
        gid="deadline",
        label=f"deadline median: start of {calendar(r, med)}" if label else None,
    )


def _scheduled_fte(r: Result) -> np.ndarray:
    """(S, R, H) FTE of each pool on each stream; a result without a plan has no schedule to draw."""
    fte = r.pool_fte
    if fte is None:
        raise ValueError(f"variant '{r.variant}' has no schedule to draw")
    return fte


def schedule_chart(r: Result, ax: Axes | None = None) -> Figure:
    """Gantt chart of the streams against the deadline."""
    S = len(r.streams)
    fig, ax = chart_axes(ax, (10, max(3.0, 0.45 * S + 1.8)))
    y0, step = r.start_year, r.step
    fte = _scheduled_fte(r).sum(axis=1)
    rows = {s.name: S - 1 - i for i, s in enumerate(r.streams)}  # first stream on top
    lefts: list[float] = []
    widths: list[float] = []
    colours: list[str] = []
    hatches: list[str] = []
    for i, s in enumerate(r.streams):
        serial = bool(r.serial[i])  # calendar time, not people, limits it (result.serial_streams)
        start = s.start_years if s.start_years is not None else 0.0
        end = s.finish_years if s.finish_years is not None else r.horizon_years
        lefts.append(y0 + start)
        widths.append(end - start if s.start_years is not None else 0.0)
        colours.append(SERIAL if serial else PARALLEL)
        hatches.append("//" if serial else "")
        peak = fte[i].max() if fte[i].max() > 0 else 1.0
        segs = [(y0 + t0, step) for t0, v in zip(r.period_starts, fte[i]) if v > 1e-9]
        rgb = matplotlib.colors.to_rgb(colours[-1])
        shades = [(*rgb, 0.15 + 0.85 * v / peak) for v in fte[i] if v > 1e-9]
        if segs:
            ax.broken_barh(segs, (rows[s.name] - 0.3, 0.6), facecolors=shades, edgecolor="none")
    edges = ["#6b1b19" if c == SERIAL else "#1f3f66" for c in colours]
    bars = ax.barh(
        [rows[s.name] for s in r.streams],
        widths,
        left=lefts,
        height=0.6,
        fill=False,
        edgecolor=edges,
        lw=1.2,
        gid="streams",
        label="_streams",
    )
    for bar, hatch in zip(bars, hatches):
        bar.set_hatch(hatch)
    for s in r.streams:
        if s.finish_years is None:
            x = y0 + (s.start_years or 0) + 0.2
            ax.text(x, rows[s.name], "not finished", va="center", fontsize=8)
    names = [x.name for x in r.streams]
    for before, after, _lag in r.precedences or []:
        a, b = r.streams[names.index(before)], r.streams[names.index(after)]
        if a.finish_years is None or b.start_years is None:
            continue
        ax.annotate(
            "",
            xy=(y0 + b.start_years, rows[after]),
            xytext=(y0 + a.finish_years, rows[before]),
            arrowprops=dict(arrowstyle="->", color="0.35", lw=1, shrinkA=2, shrinkB=2, connectionstyle="arc3,rad=0.15"),
            gid="precedence",
        )
    deadline_lines(ax, r)
    if r.goal_completion_years is not None:
        ax.axvline(
            y0 + r.goal_completion_years,
            color="k",
            lw=1,
            ls=":",
            gid="goal",
            label=f"goal done by the start of {calendar(r, r.goal_completion_years)}",
        )
    ax.set_yticks(range(S), [s.name for s in reversed(r.streams)])
    ax.set_xlim(y0, y0 + r.horizon_years)
    ax.set_xlabel("calendar year")
    ax.set_ylabel("stream")
    ax.set_title(f"{r.plan or 'plan'}: schedule ({r.variant}); darker = more FTE")
    handles, _ = ax.get_legend_handles_labels()
    handles += [
        Patch(facecolor="none", edgecolor=SERIAL, hatch="//", label="serial (time, not people, limits it)"),
        Patch(facecolor=PARALLEL, alpha=0.6, label="parallel (more people finish it sooner)"),
    ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return fig


def staffing_chart(r: Result, ax: Axes | None = None, *, pool: str | None = None) -> Figure:
    """Each pool's FTE in use, stacked by stream, against its supply. With `ax`, one pool
    (`pool`, default the first); without, one panel per pool."""
    names = [pool] if pool is not None else r.pool_names if ax is None else r.pool_names[:1]
    panels: list[Axes]
    if ax is None:
        fig, grid = plt.subplots(len(names), 1, figsize=(10, 3.6 * len(names)), layout="constrained", squeeze=False)
        panels = list(grid[:, 0])
    else:
        fig, panels = chart_axes(ax)[0], [ax]
    fte = _scheduled_fte(r)
    supply = r.pool_supply
    if supply is None:
        raise ValueError(f"variant '{r.variant}' has no pool supply to draw")
    x = r.start_year + np.append(r.period_starts, r.horizon_years)
    for a, name in zip(panels, names):
        p = r.pool_names.index(name)
        users = [i for i in range(len(r.streams)) if r.crew[i, p] > 0]
        base = np.zeros(len(r.period_starts))
        cmap = plt.get_cmap("tab20")
        for k, i in enumerate(users):
            a.stairs(
                base + fte[i, p], x, baseline=base, fill=True, color=cmap(k % 20), label=r.streams[i].name, gid="use"
            )
            base = base + fte[i, p]
        a.stairs(supply[p], x, color="k", lw=1.5, label="supply", gid="supply")
        deadline_lines(a, r)
        a.set_xlim(x[0], x[-1])
        a.set_xlabel("calendar year")
        a.set_ylabel("FTE (people working full time)")
        a.set_title(f"pool '{name}' ({r.variant}): FTE in use by stream, against supply")
        a.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return fig
