"""Charts (matplotlib, Agg): each takes an optional `ax` and returns the figure.

- `schedule_chart`: a Gantt, one bar per stream over calendar years, shaded by staffing, serial
  streams hatched, precedence links drawn, the deadline (or the median and 10-90% band) across.
- `staffing_chart`: each pool's FTE in use, stacked by stream, against its supply.
- `comparison_chart`: baseline and each intervention: goal year, the deadline each faced, the objective.
- `deadline_chart`: each variant's deadline CDF with its goal year marked; the chance read off the
  chart at the goal year, 1 - P(deadline before the goal), is the reported probability.

Results need `attach(result, plan)` first (the CLI does it) for crew, deadlines and precedences.
"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # never a display: charts go to files and HTML
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from ..result import Comparison, Result  # noqa: E402
from .words import calendar, deadline_quantile, delta_cell, objective_cell, plural  # noqa: E402

KINDS = ("schedule", "staffing", "comparison", "deadline")
SERIAL, PARALLEL, DEADLINE = "#c0504d", "#4f81bd", "#d62728"


def _axes(ax, size=(9, 4.5)):
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=size, layout="constrained")
    return fig, ax


def is_serial(r: Result, i: int) -> bool:
    """Serial: calendar time, not people, limits the stream (see words.serial_streams); without
    that, a stream that ran at its minimum duration (more people would not have finished it sooner)."""
    if r.serial is not None:
        return bool(r.serial[i])
    s = r.streams[i]
    if r.min_duration is None or r.min_duration[i] <= 0 or s.start_years is None or s.finish_years is None:
        return False
    return s.finish_years - s.start_years <= r.min_duration[i] + r.step + 1e-9


def _deadline_lines(ax, r: Result, *, label: bool = True) -> None:
    """The fixed deadline as a line, or the distribution's median as a line over its 10-90% band."""
    y0 = r.start_year
    d = r.fixed_deadline
    if d is not None:
        ax.axvline(y0 + d, color=DEADLINE, lw=2, ls="--", gid="deadline",
                   label=f"deadline: start of {calendar(r, d)}" if label else None)
        return
    med, lo, hi = (deadline_quantile(r, q) for q in (0.5, 0.1, 0.9))
    if med is None:
        return
    hi = r.horizon_years if hi is None else min(hi, r.horizon_years)
    ax.axvspan(y0 + lo, y0 + hi, color=DEADLINE, alpha=0.08, gid="deadline-band",
               label="deadline 10-90% range" if label else None)
    ax.axvline(y0 + med, color=DEADLINE, lw=2, ls="--", gid="deadline",
               label=f"deadline median: start of {calendar(r, med)}" if label else None)


def schedule_chart(r: Result, ax=None):
    """Gantt chart of the streams against the deadline."""
    S = len(r.streams)
    fig, ax = _axes(ax, (10, max(3.0, 0.45 * S + 1.8)))
    y0, step = r.start_year, r.step
    fte = r.allocation if r.pool_fte is None else r.pool_fte.sum(axis=1)
    rows = {s.name: S - 1 - i for i, s in enumerate(r.streams)}  # first stream on top
    lefts, widths, colours, hatches = [], [], [], []
    for i, s in enumerate(r.streams):
        serial = is_serial(r, i)
        start = s.start_years if s.start_years is not None else 0.0
        end = s.finish_years if s.finish_years is not None else r.horizon_years
        lefts.append(y0 + start)
        widths.append(end - start if s.start_years is not None else 0.0)
        colours.append(SERIAL if serial else PARALLEL)
        hatches.append("//" if serial else "")
        peak = fte[i].max() if fte is not None and fte[i].max() > 0 else 1.0
        segs = [(y0 + t0, step) for t0, v in zip(r.period_starts, fte[i]) if v > 1e-9]
        shades = [(*matplotlib.colors.to_rgb(colours[-1]), 0.15 + 0.85 * v / peak) for v in fte[i] if v > 1e-9]
        if segs:
            ax.broken_barh(segs, (rows[s.name] - 0.3, 0.6), facecolors=shades, edgecolor="none")
    edges = ["#6b1b19" if c == SERIAL else "#1f3f66" for c in colours]
    bars = ax.barh([rows[s.name] for s in r.streams], widths, left=lefts, height=0.6, fill=False,
                   edgecolor=edges, lw=1.2, gid="streams", label="_streams")
    for bar, hatch in zip(bars, hatches):
        bar.set_hatch(hatch)
    for i, s in enumerate(r.streams):
        if s.finish_years is None:
            ax.text(y0 + (s.start_years or 0) + 0.2, rows[s.name], "not finished", va="center", fontsize=8)
    for before, after, lag in r.precedences or []:
        a, b = r.streams[[x.name for x in r.streams].index(before)], r.streams[[x.name for x in r.streams].index(after)]
        if a.finish_years is None or b.start_years is None:
            continue
        ax.annotate("", xy=(y0 + b.start_years, rows[after]), xytext=(y0 + a.finish_years, rows[before]),
                    arrowprops=dict(arrowstyle="->", color="0.35", lw=1, shrinkA=2, shrinkB=2,
                                    connectionstyle="arc3,rad=0.15"), gid="precedence")
    _deadline_lines(ax, r)
    if r.goal_completion_years is not None:
        ax.axvline(y0 + r.goal_completion_years, color="k", lw=1, ls=":", gid="goal",
                   label=f"goal done by the start of {calendar(r, r.goal_completion_years)}")
    ax.set_yticks(range(S), [s.name for s in reversed(r.streams)])
    ax.set_xlim(y0, y0 + r.horizon_years)
    ax.set_xlabel("calendar year")
    ax.set_ylabel("stream")
    ax.set_title(f"{r.plan or 'plan'}: schedule ({r.variant}); darker = more FTE")
    handles, _ = ax.get_legend_handles_labels()
    handles += [Patch(facecolor="none", edgecolor=SERIAL, hatch="//", label="serial (time, not people, limits it)"),
                Patch(facecolor=PARALLEL, alpha=0.6, label="parallel (more people finish it sooner)")]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return fig


def staffing_chart(r: Result, ax=None, *, pool: str | None = None):
    """Each pool's FTE in use, stacked by stream, against its supply. With `ax`, one pool
    (`pool`, default the first); without, one panel per pool."""
    names = [pool] if pool is not None else r.pool_names if ax is None else r.pool_names[:1]
    if ax is None:
        fig, axes = plt.subplots(len(names), 1, figsize=(10, 3.6 * len(names)), layout="constrained",
                                 squeeze=False)
        axes = list(axes[:, 0])
    else:
        fig, axes = ax.figure, [ax]
    fte = r.pool_fte
    x = r.start_year + np.append(r.period_starts, r.horizon_years)
    for a, name in zip(axes, names):
        p = r.pool_names.index(name)
        users = [i for i in range(len(r.streams)) if fte is not None and r.crew[i, p] > 0]
        base = np.zeros(len(r.period_starts))
        cmap = plt.get_cmap("tab20")
        for k, i in enumerate(users):
            a.stairs(base + fte[i, p], x, baseline=base, fill=True, color=cmap(k % 20),
                     label=r.streams[i].name, gid="use")
            base = base + fte[i, p]
        a.stairs(r.pool_supply[p], x, color="k", lw=1.5, label="supply", gid="supply")
        _deadline_lines(a, r)
        a.set_xlim(x[0], x[-1])
        a.set_xlabel("calendar year")
        a.set_ylabel("FTE (people working full time)")
        a.set_title(f"pool '{name}' ({r.variant}): FTE in use by stream, against supply")
        a.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return fig


def comparison_chart(c: Comparison, ax=None):
    """One row per variant: a bar from the start to the goal year, the deadline each faced, and
    the objective (with its change against the baseline) written beside it."""
    results = c.results()
    fig, ax = _axes(ax, (10, 1.0 + 0.8 * len(results)))
    deltas = [None] + [iv.delta for iv in c.interventions]
    n = len(results)
    y0 = results[0].start_year
    end = max(r.horizon_years for r in results)
    for k, (r, delta) in enumerate(zip(results, deltas)):
        row = n - 1 - k
        g = r.goal_completion_years
        ax.barh(row, (g if g is not None else end), left=y0, height=0.4, gid="goal-bar", label="_goal-bar",
                color=PARALLEL if r.late_years is None else SERIAL, alpha=0.5 if g is not None else 0.15)
        d = r.fixed_deadline
        if d is not None:
            ax.plot([y0 + d] * 2, [row - 0.3, row + 0.22], color=DEADLINE, lw=2.5, gid="deadline")
        else:
            med, lo, hi = (deadline_quantile(r, q) for q in (0.5, 0.1, 0.9))
            if med is not None:
                hi = end if hi is None else min(hi, end)
                ax.plot([y0 + lo, y0 + hi], [row, row], color=DEADLINE, lw=1, alpha=0.6)
                ax.plot([y0 + med] * 2, [row - 0.3, row + 0.22], color=DEADLINE, lw=2.5, gid="deadline")
        text = f"{r.objective_kind} {objective_cell(r)}"
        if delta is not None:
            text += f" ({delta_cell(r.objective_kind, delta)})"
        text += "; goal " + (f"by the start of {calendar(r, g)}" if g is not None else "never")
        ax.text(y0 + 0.3, row + 0.24, text, va="bottom", fontsize=8)
    ax.set_yticks(range(n), [r.variant for r in reversed(results)])
    ax.set_xlim(y0, y0 + end)
    ax.set_xlabel("calendar year (bar: start to goal done; red tick: the deadline, or its median)")
    ax.set_ylabel("variant")
    ax.set_ylim(-0.5, n - 0.1)
    ax.set_title(f"{results[0].plan or 'plan'}: baseline against interventions")
    return fig


def _cdf(r: Result) -> tuple[np.ndarray, np.ndarray]:
    """Step CDF of the deadline scenarios the model uses: x (years from start), P(deadline <= x)."""
    order = np.argsort(r.deadline_years)
    xs, ps = r.deadline_years[order], np.cumsum(r.deadline_probs[order])
    if r.deadline_discretised:  # scenario k holds [k, k + step): the CDF reaches its sum at k + step
        xs = xs + r.step
    return np.concatenate([[0.0], xs]), np.concatenate([[0.0], ps])


def deadline_chart(c: Comparison | Result, ax=None):
    """Each variant's deadline CDF (as the model counts it) with its goal year marked."""
    results = [c] if isinstance(c, Result) else c.results()
    fig, ax = _axes(ax, (9, 4.8))
    cmap = plt.get_cmap("tab10")
    y0 = results[0].start_year
    end = max(r.horizon_years for r in results)
    for k, r in enumerate(results):
        if r.deadline_years is None or len(r.deadline_years) == 0:
            continue
        colour = cmap(k % 10)
        xs, ps = _cdf(r)
        xs, ps = np.append(xs, end), np.append(ps, ps[-1])
        ax.step(y0 + xs, ps, where="post", color=colour, lw=1.5 + 2.0 * (len(results) - 1 - k) / max(len(results), 1), label=f"{r.variant}: P(deadline before year)",
                gid="cdf")
        g = r.goal_completion_years
        if g is None:
            continue
        before = float(r.deadline_probs[r.deadline_years < g - 1e-9].sum())  # P(deadline before the goal)
        ax.axvline(y0 + g, color=colour, ls=":", lw=1.2, gid="goal")
        ax.plot([y0 + g], [before], "o", color=colour, ms=7, gid="goal-point")
        chance = r.success_probability if r.success_probability is not None else 1 - before
        ax.annotate(f"{r.variant}: goal by {calendar(r, g)};\nchance = 1 - {before:.4f} = {chance:.4f}",
                    xy=(y0 + g, before), xytext=(8, (-30 - 26 * k) if before > 0.5 else (14 + 26 * k)),
                    textcoords="offset points", fontsize=8,
                    color=colour, arrowprops=dict(arrowstyle="-", color=colour, lw=0.6))
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlim(y0, y0 + end)
    ax.set_xlabel("calendar year")
    ax.set_ylabel("probability the deadline has come")
    ax.set_title(f"{results[0].plan or 'plan'}: deadline CDF and goal years")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", fontsize=8)
        ax.text(0.99, 0.01, f"deadlines past the {plural(end, 'year')} modelled count at its end",
                transform=ax.transAxes, ha="right", va="bottom", fontsize=7, color="0.4")
    else:
        ax.text(0.5, 0.5, "this plan has no deadline", transform=ax.transAxes, ha="center", va="center",
                fontsize=12, color="0.4")
    return fig


def chart(kind: str, c: Comparison, variant: str | None = None):
    """The chart `kind` for a comparison (schedule and staffing: of `variant`, default the baseline)."""
    if kind in ("schedule", "staffing"):
        r = next((x for x in c.results() if x.variant == (variant or "baseline")), None)
        if r is None or r.allocation is None:
            raise ValueError(f"variant '{variant or 'baseline'}' has no schedule to draw")
        return schedule_chart(r) if kind == "schedule" else staffing_chart(r)
    if kind == "comparison":
        return comparison_chart(c)
    if kind == "deadline":
        return deadline_chart(c)
    raise ValueError(f"unknown chart kind '{kind}' (one of {', '.join(KINDS)})")
