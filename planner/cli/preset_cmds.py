"""The commands about presets: `planner presets` lists them with their sources, and `planner atlas`
runs a plan's Monte Carlo once per pair of presets (planner/analysis/atlas.py). Only the standard
library at the top (see main.py)."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from planner.cli.arguments import plan_arguments, solver_arguments, solver_options
from planner.cli.common import EXIT_INTERRUPTED, EXIT_OK, check_outputs, check_suffix, load_plan
from planner.cli.terminal import console
from planner.errors import UsageError


def add_parsers(sub: Any) -> None:  # argparse's subparsers action (a private class)
    p = sub.add_parser("presets", help="list the deadline and parallelization presets, with their sources")
    p.add_argument("--json", action="store_true", help="print them as JSON")
    a = sub.add_parser(
        "atlas",
        help="P(harm) of an intervention for every pair of a deadline preset and a parallelization preset",
    )
    plan_arguments(a)
    a.add_argument("--intervention", required=True, metavar="NAME", help="the intervention whose effect is mapped")
    a.add_argument(
        "--deadlines", metavar="A,B,...", help="deadline presets, comma-separated (default: all; see `planner presets`)"
    )
    a.add_argument(
        "--parallelization", metavar="X,Y,...", help="parallelization presets, comma-separated (default: all)"
    )
    a.add_argument(
        "-n",
        "--samples",
        type=int,
        help="Monte Carlo samples per cell (default 10, so that an atlas of 20 cells of a plan with "
        "diminishing returns on every stream ends in minutes; P(harm) then moves in steps of 0.1: "
        "docs/analysis.md)",
    )
    a.add_argument("--seed", type=int, help="the sampling seed (default: the [uncertainty] table's)")
    a.add_argument("--workers", type=int, help="local worker processes (default: one per core)")
    a.add_argument("--json", action="store_true", help="print the cells as JSON")
    a.add_argument("-o", "--output", type=Path, help="write the cells to FILE.csv or FILE.parquet")
    a.add_argument("--plot", type=Path, metavar="FILE.png", help="draw the heat map of P(harm)")
    solver_arguments(a)


def _presets(args: argparse.Namespace) -> int:
    from rich.table import Table

    from planner.plan.presets import KINDS, registry

    every = [p for kind in KINDS for p in registry()[kind].values()]
    if args.json:
        print(json.dumps({"presets": [p.to_dict() for p in every]}, indent=2))
        return EXIT_OK
    table = Table(title="Presets (docs/presets.md)")
    for col in ("kind", "name", "what", "numbers", "source", "published"):
        table.add_column(col, overflow="fold")
    for p in every:
        if p.kind == "deadline":
            numbers = ", ".join(f"{p_:g} by {y:g}" for y, p_ in p.points)
        else:
            numbers = f"{p.value:g}" + (f" (median of Beta({p.beta[0]:g}, {p.beta[1]:g}))" if p.beta else "")
        table.add_row(p.kind, p.name, p.what, numbers, p.source, p.published)
    console().print(table)
    return EXIT_OK


def _names(text: str | None) -> list[str] | None:
    return None if text is None else [t.strip() for t in text.split(",") if t.strip()]


def _atlas(args: argparse.Namespace) -> int:
    from planner.analysis.atlas import DEFAULT_SAMPLES, atlas
    from planner.files import write_atomic, write_figure
    from planner.plan import presets

    if args.output is not None:
        check_suffix(args.output, (".csv", ".parquet"), "the atlas file")
    if args.plot is not None:
        check_suffix(args.plot, (".png", ".svg", ".pdf"), "the chart", option="--plot")
    plan = load_plan(args)
    check_outputs(args, plan, ("-o", args.output), ("--plot", args.plot))
    deadlines, parallelization = _names(args.deadlines), _names(args.parallelization)
    cells = len(deadlines or presets.names("deadline")) * len(parallelization or presets.names("parallelization"))
    n = DEFAULT_SAMPLES if args.samples is None else args.samples
    bar, advance = _progress(cells * (n if plan.uncertainty else 1))
    with bar if bar is not None else contextlib.nullcontext():
        result = atlas(
            plan,
            args.intervention,
            deadlines=deadlines,
            parallelization=parallelization,
            n=n,
            seed=args.seed,
            workers=args.workers,
            on_point=advance,
            solver=args.solver,
            **solver_options(args),
        )
    if not result.interrupted:  # as montecarlo: no file of half the cells
        frame = result.to_frame()
        if args.output is not None and args.output.suffix.lower() == ".parquet":
            try:
                write_atomic(args.output, lambda f: frame.to_parquet(f, index=False))
            except ImportError:
                raise UsageError("-o .parquet needs pyarrow: pip install -e '.[parquet]'") from None
        elif args.output is not None:
            write_atomic(args.output, frame.to_csv(index=False))
        if args.plot is not None:
            import matplotlib.pyplot as plt

            from planner.report.atlas_charts import atlas_chart

            fig = atlas_chart(result)
            write_figure(args.plot, fig, dpi=120, bbox_inches="tight")
            plt.close(fig)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        _atlas_table(result)
    return EXIT_INTERRUPTED if result.interrupted else EXIT_OK


def _progress(total: int) -> tuple[Any, Callable[[int, Any], None] | None]:
    """A progress bar with an ETA on an interactive terminal (samples of every cell); nothing otherwise."""
    if not sys.stderr.isatty():
        return None, None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(
        TextColumn("atlas"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task("atlas", total=total)
    return bar, (lambda k, records: bar.advance(task))


def _atlas_table(result: Any) -> None:
    from rich.table import Table

    scale, unit = (100.0, " (pp)") if result.objective_kind == "probability" else (1.0, "")
    each = (
        f"{result.samples_per_cell} samples each of the plan's [uncertainty] (seed {result.seed})"
        if result.samples_per_cell > 1 or result.seed is not None
        else "one solve each (nothing uncertain to sample)"
    )
    table = Table(title=f"{result.intervention}: effect{unit} per deadline x parallelization preset, {each}")
    for col in ("deadline", "parallelization"):
        table.add_column(col, no_wrap=True)
    for col in ("P(harm)", "mean", "p5", "p95", "samples"):
        table.add_column(col, justify="right")
    for c in result.cells:
        table.add_row(
            c.deadline,
            c.parallelization,
            f"{c.p_harm:.2f}",
            f"{c.mean * scale:+.3g}",
            f"{c.p5 * scale:+.3g}",
            f"{c.p95 * scale:+.3g}",
            str(c.samples),
        )
    out = console()
    out.print(table)
    out.print(f"Parallelization preset set on: {', '.join(result.streams)}.")
    if result.fixed_inputs:
        out.print("Fixed by each cell (left out of the plan's [uncertainty]): " + ", ".join(result.fixed_inputs) + ".")


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"presets": _presets, "atlas": _atlas}
