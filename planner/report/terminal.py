"""Readable terminal tables for results and comparisons (rich); every number with its unit."""

from __future__ import annotations

import numpy as np
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from planner.analysis.robustness import Robustness
from planner.report.words import (
    calendar,
    deadline_quantile,
    deadline_words,
    delta_cell,
    goal_cell,
    goal_words,
    objective_cell,
    objective_words,
    report_baseline,
    robustness_words,
)
from planner.result import Comparison, Result
from planner.solvers.status import SolveStatus


def _fmt(x: float | None, spec: str = ".4f", none: str = "-") -> str:
    return none if x is None else format(x, spec)


def _headline(r: Result) -> str:
    if not r.solved:
        return f"[bold]{r.plan or 'plan'}[/bold] / {r.variant}: no plan ({r.status}, {r.runtime:.2f} s)."
    proven = "proven optimal" if r.status == SolveStatus.OPTIMAL else f"{r.status}, not proven optimal"
    gap = f", gap {r.gap:.2%}" if r.gap is not None and r.status != SolveStatus.OPTIMAL else ""
    bound = _fmt(None if r.bound is None else r.bound + 0.0, ".6g")
    lines = [
        f"[bold]{r.plan or 'plan'}[/bold] / {r.variant}: {objective_words(r)} "
        f"({proven}{gap}; best possible bound {bound}; solved in {r.runtime:.2f} s).",
        goal_words(r) + ".",
    ]
    if r.deadline_years is not None and len(r.deadline_years):
        lines.append(f"Deadline: {deadline_words(r)}.")
    if r.success_probability is not None and r.objective_kind != "probability":
        lines.append(f"Chance of finishing before the deadline: {r.success_probability:.4f} (probability).")
    if r.status != SolveStatus.OPTIMAL and r.message:  # how the solve stopped, and whose plan this is
        lines.append(f"Stopped: {r.message}.")
    return "\n".join(lines)


def _scheduled(r: Result) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(pool FTE by stream, pool use, supply, utilisation); a result without a plan has none."""
    fte, use, supply, util = r.pool_fte, r.pool_use, r.pool_supply, r.utilisation
    if fte is None or use is None or supply is None or util is None:
        raise ValueError(f"variant '{r.variant}' has no schedule to show")
    return fte, use, supply, util


def streams_table(r: Result) -> Table:
    """One row per stream: its effort, the work done, when it starts and when it is done."""
    t = Table(
        title=f"Streams ({r.variant})",
        title_justify="left",
        caption_justify="left",
        caption="effort and done: effective person-years. starts: calendar year; done by 2051 = by the start of 2051.",
    )
    for col in ("stream", "effort", "done", "starts", "done by", "required"):
        t.add_column(col, justify="left" if col == "stream" else "right")
    for s in r.streams:
        t.add_row(
            s.name,
            f"{s.effort:g}",
            f"{s.effort_done:.4g}",
            _fmt(None if s.start_years is None else r.start_year + s.start_years, "g", "never"),
            _fmt(None if s.finish_years is None else r.start_year + s.finish_years, "g", "never"),
            "yes" if s.required else "",
        )
    return t


def pools_table(r: Result) -> Table:
    """One row per pool: its mean and peak use of the supply, FTE-years used and supplied."""
    t = Table(
        title=f"Pools ({r.variant})",
        title_justify="left",
        caption_justify="left",
        caption="use: % of the pool's supply. FTE: people working full time; an FTE-year is one for a year.",
    )
    for col in ("pool", "mean use", "peak use", "FTE-years used", "FTE-years supplied"):
        t.add_column(col, justify="left" if col == "pool" else "right")
    _, pool_use, pool_supply, utilisation = _scheduled(r)
    for name, used, sup, util in zip(r.pool_names, pool_use, pool_supply, utilisation):
        t.add_row(
            name,
            _fmt(np.nanmean(util) if np.isfinite(util).any() else None, ".1%"),
            _fmt(np.nanmax(util) if np.isfinite(util).any() else None, ".1%"),
            f"{used.sum() * r.step:,.0f}",
            f"{sup.sum() * r.step:,.0f}",
        )
    return t


def _deadline_marks(r: Result) -> dict[int, str]:
    """Period index -> the words marking a deadline at that period's start."""
    marks: dict[int, list[str]] = {}
    fixed = r.fixed_deadline
    points = (
        [(fixed, "deadline")]
        if fixed is not None
        else [
            (deadline_quantile(r, q), name)
            for q, name in ((0.1, "deadline 10%"), (0.5, "deadline median"), (0.9, "deadline 90%"))
        ]
    )
    for years, name in points:
        if years is None:
            continue
        t = int(np.searchsorted(r.period_starts, years - 1e-9))
        marks.setdefault(t, []).append(name)
    return {t: ", ".join(names) for t, names in marks.items()}


def _schedule_columns(r: Result) -> list[tuple[str, np.ndarray]]:
    """(header, per-period values): FTE on each stream, split by pool when a stream draws on
    several."""
    fte = _scheduled(r)[0]
    cols = []
    for i, s in enumerate(r.streams):
        pools = np.flatnonzero(r.crew[i] > 0)
        for k in pools:
            label = s.name if len(pools) == 1 and len(r.pool_names) == 1 else f"{s.name} / {r.pool_names[k]}"
            cols.append((label, fte[i, k]))
    return cols


def schedule_table(
    r: Result, columns: list[tuple[str, np.ndarray]] | None = None, *, pools: bool = True, part: str = ""
) -> Table:
    """Year by year: FTE on each stream (`columns`, default all), each pool's FTE in use and its
    supply (`pools`), and the deadline marked on the year it falls at the start of."""
    cols = _schedule_columns(r) if columns is None else columns
    what = "by stream and pool" if cols and pools else "by stream" if cols else "in use and supplied, by pool"
    t = Table(
        title=f"Schedule ({r.variant}{part}): FTE (people working full time) {what}",
        title_justify="left",
        caption_justify="left",
        caption="Each row is one year, from its start; blank = nobody.",
    )
    t.add_column("year", justify="left", no_wrap=True)
    for header, _ in cols:
        t.add_column(header, justify="right", overflow="fold")
    shown = range(len(r.pool_names)) if pools else []
    for p in shown:
        t.add_column(f"{r.pool_names[p]} used", justify="right", overflow="fold")
        t.add_column(f"{r.pool_names[p]} supply", justify="right", overflow="fold")
    _, pool_use, pool_supply, _ = _scheduled(r)
    marks = _deadline_marks(r)
    for k, t0 in enumerate(r.period_starts):
        year = calendar(r, t0) + (f" [bold red]<- {marks[k]}[/bold red]" if k in marks else "")
        cells = [f"{v[k]:,.4g}" if v[k] > 1e-9 else "" for _, v in cols]
        for p in shown:
            cells += [f"{pool_use[p, k]:,.4g}", f"{pool_supply[p, k]:,.4g}"]
        t.add_row(year, *cells, style="on grey19" if k in marks else None)
    late = [k for k in marks if k >= len(r.period_starts)]
    if late:
        t.add_row(f"[bold red]{marks[late[0]]}: after the horizon[/bold red]", *[""] * (len(t.columns) - 1))
    return t


def schedule_tables(r: Result, width: int = 80) -> list[Table]:
    """The schedule in one table if it fits in `width` characters, else the pools' table and
    then the streams, as many to a table as fit."""
    cols = _schedule_columns(r)
    year_w = 24 if r.fixed_deadline is None else 18

    def w(header: str) -> int:
        return max(min(len(header), 14), 7) + 3

    pools_w = sum(2 * w(p + " supply") for p in r.pool_names)
    if year_w + pools_w + sum(w(h) for h, _ in cols) <= width:
        return [schedule_table(r)]
    parts: list[list[tuple[str, np.ndarray]]] = []
    cur: list[tuple[str, np.ndarray]] = []
    used = 0
    for c in cols:
        if cur and used + w(c[0]) > width - year_w:
            parts.append(cur)
            cur, used = [], 0
        cur.append(c)
        used += w(c[0])
    parts.append(cur)
    n = len(parts) + 1
    return [schedule_table(r, [], part=f", part 1 of {n}")] + [
        schedule_table(r, p, pools=False, part=f", part {k} of {n}") for k, p in enumerate(parts, 2)
    ]


_CAPTION = {
    "probability": "P(in time): probability of finishing before the deadline; change in percentage points (pp). "
    "Years are calendar years: 'done by 2051' means by the start of 2051.",
    "earliest": "goal after: years from the start until the goal is done. Years are calendar years "
    "(by the start of that year).",
    "value": "exp. value: the values of the streams (and [[goals]] milestones) done before the deadline, "
    "weighted by probability. Years are calendar years (by the start of that year).",
}


def _deadline_cell(r: Result) -> str:
    """'2052' for one date; 'median 2045, 10-90% 2035-2069' for a distribution."""
    if r.fixed_deadline is not None:
        return calendar(r, r.fixed_deadline)
    med, lo, hi = (deadline_quantile(r, q) for q in (0.5, 0.1, 0.9))
    if med is None or lo is None:  # no scenarios (a median found means the 10% one is too)
        return ""
    hi_text = "later" if hi is None or hi >= r.horizon_years else calendar(r, hi)
    return f"median {calendar(r, med)} (10-90%: {calendar(r, lo)}-{hi_text})"


def print_result(r: Result, console: Console | None = None, *, schedule: bool = False) -> None:
    """One variant: the headline, why, and its streams and pools (and year by year, `schedule`)."""
    console = console or Console()
    console.print(_headline(r))
    if r.message and not r.solved:
        console.print(f"[red]{r.message}[/red]")
    elif r.explanation:
        console.print(f"[bold]why[/bold]: {r.explanation}")
    if r.allocation is not None:
        console.print(streams_table(r))
        console.print(pools_table(r))
        if schedule:
            for t in schedule_tables(r, console.width):
                console.print(t)


def print_comparison(c: Comparison, console: Console | None = None, *, schedule: bool = False) -> None:
    """The baseline against each intervention in one table, then why (and each schedule)."""
    console = console or Console()
    b = report_baseline(c)
    kind = b.objective_kind
    head = {"probability": "P(in time)", "earliest": "goal after", "value": "exp. value"}[kind]
    change = {"probability": "change (pp)", "earliest": "change", "value": "change"}[kind]
    t = Table(
        title=f"{b.plan or 'plan'}: baseline against interventions",
        title_justify="left",
        caption=_CAPTION[kind],
        caption_justify="left",
    )
    for col in ("variant", head, change, "goal done by", "deadline", "status"):
        t.add_column(col, justify="left" if col == "variant" else "right", no_wrap=col == "goal done by")
    rows = [(b, None)] + [(iv.result, iv.delta) for iv in c.interventions]
    for r, delta in rows:
        t.add_row(r.variant, objective_cell(r), delta_cell(kind, delta), goal_cell(r), _deadline_cell(r), r.status)
    console.print(t)
    if c.baseline_reason:
        console.print(f"[bold]baseline[/bold]: {c.baseline_reason}")
    for iv in c.interventions:
        if iv.reason:
            console.print(f"[bold]{iv.name}[/bold]: {iv.reason}")
    if schedule:
        for r, _ in rows:
            if r.allocation is not None:
                for t in schedule_tables(r, console.width):
                    console.print(t)


def print_robustness(c: Comparison, robustness: Robustness, console: Console | None = None) -> None:
    """Under the comparison: how far each verdict is from flipping and, with a Monte Carlo run,
    its P(harm) and the 5-95% range of the effect (planner/analysis/robustness.py)."""
    console = console or Console()
    kind = report_baseline(c).objective_kind
    for r in robustness.interventions:
        text = robustness_words(kind, robustness, r)
        if text:
            console.print(f"[bold]robustness[/bold]: {escape(text)}", highlight=False)
