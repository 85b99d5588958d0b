"""Readable terminal tables for results and comparisons (rich)."""
from __future__ import annotations

import numpy as np
from rich.console import Console
from rich.table import Table

from .result import Comparison, Result


def _fmt(x, spec=".4f", none="-") -> str:
    return none if x is None else format(x, spec)


def _objective(r: Result) -> str:
    if r.objective is None:
        return "-"
    return f"{r.objective:g} years" if r.objective_kind == "earliest" else f"{r.objective:.4f}"


def _headline(r: Result) -> str:
    if not r.solved:
        return f"[bold]{r.plan or 'plan'}[/bold] / {r.variant}: no plan ({r.status}, {r.runtime:.2f} s)."
    proven = "proven optimal" if r.status == "optimal" else f"{r.status}, not proven optimal"
    gap = f", gap {r.gap:.2%}" if r.gap is not None and r.status != "optimal" else ""
    goal = (f"goal met in {r.goal_completion_year:g} (after {r.goal_completion_years:g} years)"
            if r.goal_completion_years is not None else "goal not met inside the horizon")
    prob = f", P(before deadline) = {r.success_probability:.4f}" if r.success_probability is not None else ""
    return (f"[bold]{r.plan or 'plan'}[/bold] / {r.variant}: {r.objective_kind} = {_objective(r)} "
            f"({proven}{gap}; bound {_fmt(None if r.bound is None else r.bound + 0.0, '.6g')}; {r.runtime:.2f} s). {goal}{prob}.")


def streams_table(r: Result) -> Table:
    t = Table(title=f"Streams ({r.variant})", title_justify="left")
    for col in ("stream", "effort", "done", "starts", "finishes", "required"):
        t.add_column(col, justify="left" if col == "stream" else "right")
    for s in r.streams:
        t.add_row(s.name, f"{s.effort:g}", f"{s.effort_done:.4g}",
                  _fmt(None if s.start_years is None else r.start_year + s.start_years, "g"),
                  _fmt(None if s.finish_years is None else r.start_year + s.finish_years, "g", "never"),
                  "yes" if s.required else "")
    return t


def pools_table(r: Result) -> Table:
    t = Table(title=f"Pools ({r.variant})", title_justify="left")
    for col in ("pool", "mean use", "peak use", "FTE-years used", "FTE-years supplied"):
        t.add_column(col, justify="left" if col == "pool" else "right")
    step = float(r.period_starts[1] - r.period_starts[0]) if r.period_starts.size > 1 else 1.0
    for name, used, sup, util in zip(r.pool_names, r.pool_use, r.pool_supply, r.utilisation):
        t.add_row(name, _fmt(np.nanmean(util) if np.isfinite(util).any() else None, ".1%"),
                  _fmt(np.nanmax(util) if np.isfinite(util).any() else None, ".1%"),
                  f"{used.sum() * step:,.0f}", f"{sup.sum() * step:,.0f}")
    return t


def print_result(r: Result, console: Console | None = None) -> None:
    console = console or Console()
    console.print(_headline(r))
    if r.message and not r.solved:
        console.print(f"[red]{r.message}[/red]")
    elif r.explanation:
        console.print(f"[bold]why[/bold]: {r.explanation}")
    if r.allocation is not None:
        console.print(streams_table(r))
        console.print(pools_table(r))


def print_comparison(c: Comparison, console: Console | None = None) -> None:
    console = console or Console()
    b = c.baseline
    t = Table(title=f"{b.plan or 'plan'}: {b.objective_kind}, baseline against interventions",
              title_justify="left")
    for col in ("variant", b.objective_kind, "change", "goal complete", "status"):
        t.add_column(col, justify="left" if col == "variant" else "right")
    rows = [(b, None)] + [(iv.result, iv.delta) for iv in c.interventions]
    for r, delta in rows:
        t.add_row(r.variant, _objective(r), "" if delta is None else f"{delta:+.4f}",
                  _fmt(r.goal_completion_year, "g", "never"), r.status)
    console.print(t)
    if c.baseline_reason:
        console.print(f"[bold]baseline[/bold]: {c.baseline_reason}")
    for iv in c.interventions:
        if iv.reason:
            console.print(f"[bold]{iv.name}[/bold]: {iv.reason}")
