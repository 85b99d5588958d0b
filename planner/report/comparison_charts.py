"""The baseline against its interventions as charts.

- `comparison_chart`: baseline and each intervention: goal year, the deadline each faced, the
  objective.
- `deadline_chart`: each variant's deadline CDF with its goal year marked; the chance read off the
  chart at the goal year, 1 - P(deadline before the goal), is the reported probability.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from planner.report.chart_style import DEADLINE, PARALLEL, SERIAL, chart_axes
from planner.report.words import calendar, deadline_quantile, delta_cell, objective_cell, plural
from planner.result import Comparison, Result


def comparison_chart(c: Comparison, ax: Axes | None = None) -> Figure:
    """One row per variant: a bar from the start to the goal year, the deadline each faced, and
    the objective (with its change against the baseline) written beside it."""
    results = c.results()
    fig, ax = chart_axes(ax, (10, 1.0 + 0.8 * len(results)))
    deltas: list[float | None] = [None, *(iv.delta for iv in c.interventions)]
    n = len(results)
    y0 = results[0].start_year
    end = max(r.horizon_years for r in results)
    for k, (r, delta) in enumerate(zip(results, deltas)):
        row = n - 1 - k
        g = r.goal_completion_years
        ax.barh(
            row,
            (g if g is not None else end),
            left=y0,
            height=0.4,
            gid="goal-bar",
            label="_goal-bar",
            color=PARALLEL if r.late_years is None else SERIAL,
            alpha=0.5 if g is not None else 0.15,
        )
        d = r.fixed_deadline
        if d is not None:
            ax.plot([y0 + d] * 2, [row - 0.3, row + 0.22], color=DEADLINE, lw=2.5, gid="deadline")
        else:
            med, lo, hi = (deadline_quantile(r, q) for q in (0.5, 0.1, 0.9))
            if med is not None and lo is not None:  # a median found means the 10% one is too
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


def _cdf(r: Result, years: np.ndarray, probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Step CDF of the deadline scenarios the model uses (`years`, `probs`): x (years from start),
    P(deadline <= x)."""
    order = np.argsort(years)
    xs, ps = years[order], np.cumsum(probs[order])
    if r.deadline_discretised:  # scenario k holds [k, k + step): the CDF reaches its sum at k + step
        xs = xs + r.step
    return np.concatenate([[0.0], xs]), np.concatenate([[0.0], ps])


def deadline_chart(c: Comparison | Result, ax: Axes | None = None) -> Figure:
    """Each variant's deadline CDF (as the model counts it) with its goal year marked."""
    results = [c] if isinstance(c, Result) else c.results()
    fig, ax = chart_axes(ax, (9, 4.8))
    cmap = plt.get_cmap("tab10")
    y0 = results[0].start_year
    end = max(r.horizon_years for r in results)
    for k, r in enumerate(results):
        years, probs = r.deadline_years, r.deadline_probs
        if years is None or probs is None or len(years) == 0:
            continue
        colour = cmap(k % 10)
        xs, ps = _cdf(r, years, probs)
        xs, ps = np.append(xs, end), np.append(ps, ps[-1])
        ax.step(
            y0 + xs,
            ps,
            where="post",
            color=colour,
            lw=1.5 + 2.0 * (len(results) - 1 - k) / max(len(results), 1),
            label=f"{r.variant}: P(deadline before year)",
            gid="cdf",
        )
        g = r.goal_completion_years
        if g is None:
            continue
        before = float(probs[years < g - 1e-9].sum())  # P(deadline before the goal)
        ax.axvline(y0 + g, color=colour, ls=":", lw=1.2, gid="goal")
        ax.plot([y0 + g], [before], "o", color=colour, ms=7, gid="goal-point")
        chance = r.success_probability if r.success_probability is not None else 1 - before
        ax.annotate(
            f"{r.variant}: goal by {calendar(r, g)};\nchance = 1 - {before:.4f} = {chance:.4f}",
            xy=(y0 + g, before),
            xytext=(8, (-30 - 26 * k) if before > 0.5 else (14 + 26 * k)),
            textcoords="offset points",
            fontsize=8,
            color=colour,
            arrowprops=dict(arrowstyle="-", color=colour, lw=0.6),
        )
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlim(y0, y0 + end)
    ax.set_xlabel("calendar year")
    ax.set_ylabel("probability the deadline has come")
    ax.set_title(f"{results[0].plan or 'plan'}: deadline CDF and goal years")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", fontsize=8)
        ax.text(
            0.99,
            0.01,
            f"deadlines past the {plural(end, 'year')} modelled count at its end",
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=7,
            color="0.4",
        )
    else:
        ax.text(
            0.5,
            0.5,
            "this plan has no deadline",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=12,
            color="0.4",
        )
    return fig
