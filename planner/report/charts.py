"""Charts (matplotlib, Agg): each takes an optional `ax` and returns the figure.

- `schedule_chart`: a Gantt, one bar per stream over calendar years, shaded by staffing, serial
  streams hatched, precedence links drawn, the deadline (or the median and 10-90% band) across.
- `staffing_chart`: each pool's FTE in use, stacked by stream, against its supply.
- `comparison_chart`: baseline and each intervention: goal year, the deadline each faced, the objective.
- `deadline_chart`: each variant's deadline CDF with its goal year marked; the chance read off the
  chart at the goal year, 1 - P(deadline before the goal), is the reported probability.
- `sweep_chart`, `breakeven_chart`, `montecarlo_chart`, `tornado_chart`: the analysis commands'
  results (sweep(), breakeven(), montecarlo()): the objective along a swept path; the effect along
  the varied value with the break-even marked; the effect's histogram with P(harm) shaded; each
  sampled input's rank correlation with the effect.

Each reads the result alone: a result carries its crew, deadline scenarios and precedences.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # never a display: charts go to files and HTML
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from planner.report.words import calendar, deadline_quantile, delta_cell, objective_cell, plural  # noqa: E402
from planner.result import Comparison, Result  # noqa: E402

KINDS = ("schedule", "staffing", "comparison", "deadline")
SERIAL, PARALLEL, DEADLINE = "#c0504d", "#4f81bd", "#d62728"


def _axes(ax, size=(9, 4.5)):
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=size, layout="constrained")
    return fig, ax


def _deadline_lines(ax, r: Result, *, label: bool = True) -> None:
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
    if med is None:
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


def schedule_chart(r: Result, ax=None):
    """Gantt chart of the streams against the deadline."""
    S = len(r.streams)
    fig, ax = _axes(ax, (10, max(3.0, 0.45 * S + 1.8)))
    y0, step = r.start_year, r.step
    fte = None if r.allocation is None else r.pool_fte.sum(axis=1)
    rows = {s.name: S - 1 - i for i, s in enumerate(r.streams)}  # first stream on top
    lefts, widths, colours, hatches = [], [], [], []
    for i, s in enumerate(r.streams):
        serial = bool(r.serial[i])  # calendar time, not people, limits it (result.serial_streams)
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
    for i, s in enumerate(r.streams):
        if s.finish_years is None:
            ax.text(y0 + (s.start_years or 0) + 0.2, rows[s.name], "not finished", va="center", fontsize=8)
    for before, after, lag in r.precedences or []:
        a, b = r.streams[[x.name for x in r.streams].index(before)], r.streams[[x.name for x in r.streams].index(after)]
        if a.finish_years is None or b.start_years is None:
            continue
        ax.annotate(
            "",
            xy=(y0 + b.start_years, rows[after]),
            xytext=(y0 + a.finish_years, rows[before]),
            arrowprops=dict(arrowstyle="->", color="0.35", lw=1, shrinkA=2, shrinkB=2, connectionstyle="arc3,rad=0.15"),
            gid="precedence",
        )
    _deadline_lines(ax, r)
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


def staffing_chart(r: Result, ax=None, *, pool: str | None = None):
    """Each pool's FTE in use, stacked by stream, against its supply. With `ax`, one pool
    (`pool`, default the first); without, one panel per pool."""
    names = [pool] if pool is not None else r.pool_names if ax is None else r.pool_names[:1]
    if ax is None:
        fig, axes = plt.subplots(len(names), 1, figsize=(10, 3.6 * len(names)), layout="constrained", squeeze=False)
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
            a.stairs(
                base + fte[i, p], x, baseline=base, fill=True, color=cmap(k % 20), label=r.streams[i].name, gid="use"
            )
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
        before = float(r.deadline_probs[r.deadline_years < g - 1e-9].sum())  # P(deadline before the goal)
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


# --- analysis charts: sweep, break-even, Monte Carlo, tornado --------------------------------
# Each takes the analysis function's own result (sweep(), breakeven(), montecarlo()) and returns
# the figure. `objective` (the plan's objective kind: "probability", "earliest" or "value") only
# sets the units written on the axes; the results do not carry it.

HARM_COLOUR, GAIN_COLOUR = "#c0504d", "#4f81bd"
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
    return f"objective ({_UNITS.get(objective, 'as the plan defines it')})"


def _effect_label(objective: str | None) -> str:
    return f"effect = intervention - baseline\n({_DELTA_UNITS.get(objective, 'objective units')})"


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


def _first_intervention(frame, intervention: str | None) -> str:
    names = [v for v in dict.fromkeys(frame["variant"]) if v != "baseline"]
    if intervention is None:
        if not names:
            raise ValueError("the result has no intervention to draw")
        return names[0]
    if intervention not in names:
        raise ValueError(f"no intervention '{intervention}' in the result (have: {', '.join(names) or 'none'})")
    return intervention


def sweep_chart(result, ax=None, *, path: str | None = None, objective: str | None = None):
    """The objective of each variant along one swept path (`path`, default the first).

    One line per variant (gid "variant"); when the sweep has other paths, one line per variant and
    combination of the other paths' values, labelled with them. Points that did not solve are gaps."""
    frame = result.to_frame()
    path = result.paths[0] if path is None else path
    if path not in result.paths:
        raise ValueError(f"'{path}' was not swept (swept: {', '.join(result.paths)})")
    others = [p for p in result.paths if p != path]
    fig, ax = _axes(ax, (9, 4.8))
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


def breakeven_chart(result, ax=None, *, objective: str | None = None):
    """The effect (intervention minus baseline) at every value the break-even search solved, the
    zero line, and the break-even value (dashed line, gid "breakeven") over the interval where the
    verdict flips (band, gid "flip-interval"); a note (gid "no-breakeven") when there is none."""
    import textwrap

    fig, ax = _axes(ax, (9, 4.8))
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
    if result.value is not None:
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


def montecarlo_chart(result, ax=None, *, intervention: str | None = None, objective: str | None = None):
    """Histogram of one intervention's effect over the samples (default: the first intervention),
    the harm side (effect < 0) shaded (gid "harm") and labelled "P(harm) = x.xx" (gid "p-harm"),
    counted as the summary counts it."""
    frame = result.to_frame()
    name = _first_intervention(frame, intervention)
    d = frame.loc[frame["variant"] == name, "delta"].dropna().astype(float).to_numpy()
    fig, ax = _axes(ax, (9, 4.8))
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


def tornado_chart(result, ax=None, *, intervention: str | None = None):
    """One horizontal bar per sampled input (gid "inputs"): its Spearman rank correlation with the
    intervention's effect, the largest magnitude on top; an input whose correlation is undefined
    (it or the effect does not vary) has no bar length and says so."""
    frame = result.to_frame()
    name = _first_intervention(frame, intervention)
    t = result.tornado(name)
    n = len(t)
    fig, ax = _axes(ax, (9, 1.6 + 0.55 * n))
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
