"""The decision-analysis commands of `planner` (sweep, break-even, margins, Monte Carlo, EVPI).

`COMMANDS` maps each name to the function that runs it and returns an exit code; their command
lines are in analysis_args.py. Kept apart from plan_cmds.py so that the analysis commands grow in
their own files; like it, this module imports only the standard library at the top (main.py
imports it inside its try).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner.cli.arguments import solver_options
from planner.cli.common import EXIT_INTERRUPTED, EXIT_OK, check_outputs, check_suffix, files_read, load_plan
from planner.errors import PlanError, UsageError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure
    from rich.progress import Progress

    from planner.analysis.runner import OnPoint
    from planner.analysis.sweep import SweepResult
    from planner.plan.schema import Plan


def _progress(total: int, label: str) -> tuple[Progress | None, OnPoint]:
    """A rich progress bar with an ETA on an interactive terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        return None, (lambda k, records: None)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task(label, total=total)
    return bar, (lambda k, records: bar.advance(task))


def _options(args: argparse.Namespace) -> dict[str, Any]:
    return dict(solver_options(args), solver=args.solver)


def _check_table_output(path: Path | None) -> None:
    if path is not None:
        check_suffix(path, (".csv", ".parquet", ".json"), "the output file")


def _write_table(path: Path | None, frame: pd.DataFrame, as_dict: dict[str, Any]) -> None:
    """CSV, Parquet or JSON, written atomically (a reader never sees half a file)."""
    if path is None:
        return
    from planner.files import write_atomic

    suffix = path.suffix.lower()
    if suffix == ".parquet":
        try:
            write_atomic(path, lambda f: frame.to_parquet(f, index=False))
        except ImportError:
            raise UsageError("-o .parquet needs pyarrow: pip install -e '.[parquet]'") from None
    elif suffix == ".json":
        write_atomic(path, json.dumps(as_dict, indent=2, default=_jsonable) + "\n")
    else:
        write_atomic(path, frame.to_csv(index=False))


PLOT_SUFFIXES = (".png", ".svg", ".pdf")


def _check_plot(path: Path | None) -> None:
    """Before the plan is read: the chart file's type (common.check_outputs checks the file itself)."""
    if path is not None:
        check_suffix(path, PLOT_SUFFIXES, "the image file", option="--plot")


def tornado_path(path: Path) -> Path:
    """montecarlo --plot FILE.png writes the tornado to FILE-tornado.png."""
    return path.with_name(f"{path.stem}-tornado{path.suffix}")


def _save_figure(fig: Figure, path: Path) -> None:
    """Write the figure atomically (files.write_figure) and say where on stderr."""
    import matplotlib.pyplot as plt

    from planner.files import write_figure

    try:
        write_figure(path, fig, dpi=120)
    finally:
        plt.close(fig)
    print(f"wrote {path}", file=sys.stderr)


def _grid_reads(plan: Plan, grid: Mapping[str, Sequence[Any]]) -> dict[str | Path, str]:
    """The data files the plans of a sweep's grid (or Monte Carlo's choices) name: a pool value
    (its supply, or its file) may name another file at each value, which no output may replace."""
    from planner.plan.paths import split_path

    found: dict[str | Path, str] = {}
    for path, values in grid.items():
        for value in values if split_path(path)[0] == "pools" else ():
            try:
                files = files_read(plan.with_changes({path: value}))
            except PlanError:  # no plan, so no file read: the run itself reports the value
                continue
            found.update((f, f"a data file the plan reads at {path} = {value} ({f})") for f in files)
    return found


def _objective_kind(plan: Plan) -> str | None:
    return getattr(getattr(plan, "plan", None), "objective", None)


def _jsonable(x: Any) -> Any:
    if hasattr(x, "item"):
        return x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    raise TypeError(f"not JSON: {type(x).__name__}")


def _print_json(obj: dict[str, Any]) -> None:
    print(json.dumps(obj, indent=2, default=_jsonable))


def _frame_table(frame: pd.DataFrame, title: str | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    from planner.report.words import number

    table = Table(title=title)
    for col in frame.columns:
        table.add_column(str(col), justify="right" if frame[col].dtype.kind in "fi" else "left")
    for row in frame.itertuples(index=False):
        table.add_row(
            *(
                ""
                if v is None or (isinstance(v, float) and math.isnan(v))
                else number(v, ".6g")
                if isinstance(v, float)
                else str(v)
                for v in row
            )
        )
    Console().print(table)


# --- commands -------------------------------------------------------------------------------


def _sweep(args: argparse.Namespace) -> int:
    from planner.analysis.sweep import parse_values, sweep
    from planner.plan.overrides import parse_set

    _check_table_output(args.output)
    _check_plot(args.plot)
    grid: dict[str, list[Any]] = {}
    fixed: list[str] = []
    for item in args.set:
        path, sep, text = item.partition("=")
        if not sep:
            parse_set(item)  # the standard error for a malformed item
        values = parse_values(text, path.strip())
        if len(values) > 1 or (":" in text and text.strip()[:1] not in "[{\"'"):
            grid[path.strip()] = values
        else:
            fixed.append(item)
    args.set = fixed
    plan = load_plan(args)  # first: a bad single value is an error about that value
    if not grid:
        raise UsageError(
            "sweep needs at least one --set PATH=V1,V2,... or --set PATH=LO:HI:STEP with more than one value"
        )
    check_outputs(args, plan, ("-o", args.output), ("--plot", args.plot), reads=_grid_reads(plan, grid))
    total = math.prod(len(v) for v in grid.values())
    bar, advance = _progress(total, "sweep")
    with bar if bar is not None else contextlib.nullcontext():
        result = sweep(
            plan,
            grid,
            interventions=args.only,
            workers=args.workers,
            scheduler=args.scheduler,
            on_point=advance,
            **_options(args),
        )
    frame = result.to_frame()
    if not result.interrupted:
        _write_table(args.output, frame, result.to_dict())
        if args.plot is not None:
            from planner.report.analysis_charts import sweep_chart

            _save_figure(sweep_chart(result, objective=_objective_kind(plan)), args.plot)
    if args.json:
        _print_json(result.to_dict())
    else:
        _sweep_summary(result, frame)
    if result.interrupted:
        print(
            f"planner: error: interrupted: {result.outcome.not_run} of {len(result.grid)} points not run"
            + _not_written(args),
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    unsolved = frame[frame["status"] != "optimal"]
    if len(unsolved):
        print(
            f"planner: {len(unsolved)} of {len(frame)} solves are not proven optimal "
            f"({', '.join(sorted(set(unsolved['status'])))})",
            file=sys.stderr,
        )
    return EXIT_OK


def _not_written(args: argparse.Namespace) -> str:
    files = [str(f) for f in (args.output, args.plot) if f is not None]
    return f"; {' and '.join(files)} {'was' if len(files) == 1 else 'were'} not written" if files else ""


def _sweep_summary(result: SweepResult, frame: pd.DataFrame) -> None:
    """Small grids in full; large ones as a per-variant summary."""
    show = frame.drop(columns=["reason", "structural"])
    if len(result.grid) <= 30:
        _frame_table(show, f"sweep over {', '.join(result.paths)} ({len(result.grid)} points)")
        return
    summary = (
        frame.groupby("variant", sort=False)
        .agg(
            points=("objective", "size"),
            objective_min=("objective", "min"),
            objective_mean=("objective", "mean"),
            objective_max=("objective", "max"),
            share_harm=("delta", lambda d: float((d < -1e-7).mean()) if d.notna().any() else math.nan),
            share_structural=("structural", "mean"),
        )
        .reset_index()
    )
    _frame_table(summary, f"sweep over {', '.join(result.paths)} ({len(result.grid)} points)")


def _breakeven(args: argparse.Namespace) -> int:
    from planner.analysis.breakeven import breakeven, breakeven_fte

    _check_plot(args.plot)
    plan = load_plan(args)
    check_outputs(args, plan, ("--plot", args.plot))
    lo, hi = args.range if args.range else (None, None)
    if args.add_fte is not None:
        result = breakeven_fte(
            plan, args.intervention, args.add_fte, low=lo, high=hi, tolerance=args.tolerance, **_options(args)
        )
    else:
        result = breakeven(
            plan, args.intervention, args.vary, low=lo, high=hi, tolerance=args.tolerance, **_options(args)
        )
    if args.plot is not None:
        from planner.report.analysis_charts import breakeven_chart

        _save_figure(breakeven_chart(result, objective=_objective_kind(plan)), args.plot)
    if args.json:
        _print_json(result.to_dict())
    else:
        if result.value is None or result.interval is None:  # found together, or neither
            print(f"no break-even: {result.reason}")
        else:
            a, b = result.interval
            if result.pool is not None:
                print(result.fte_sentence())
            print(
                f"break-even at {result.path if result.pool else args.vary} = {result.value:.6g} ({result.kind}; "
                f"the verdict flips between {min(a, b):.6g} and {max(a, b):.6g}, tolerance {result.tolerance:.2g})"
            )
            print(result.reason)
    return EXIT_OK


def _margins(args: argparse.Namespace) -> int:
    from planner.analysis.margins import margins

    plan = load_plan(args)
    result = margins(plan, args.intervention, year_step=args.year_step, fte_step=args.fte_step, **_options(args))
    if args.json:
        _print_json(result.to_dict())
    else:
        print(f"{result.variant}: optimum {result.objective:.6g} ({result.objective_kind})")
        for line in result.sentences():
            print("- " + line)
    return EXIT_OK


def _montecarlo(args: argparse.Namespace) -> int:
    from planner.analysis.montecarlo import montecarlo

    _check_table_output(args.output)
    _check_plot(args.plot)
    plan = load_plan(args)
    choices = {
        path: d["values"]
        for path, d in (plan.uncertainty or {}).items()
        if isinstance(d, dict) and d.get("kind") == "choice" and isinstance(d.get("values"), list)
    }
    check_outputs(
        args,
        plan,
        ("-o", args.output),
        ("--plot", args.plot),
        ("--plot", args.plot and tornado_path(args.plot)),
        reads=_grid_reads(plan, choices),
    )
    bar, advance = _progress(args.samples, "montecarlo")
    with bar if bar is not None else contextlib.nullcontext():
        result = montecarlo(
            plan,
            args.samples,
            seed=args.seed,
            interventions=args.only,
            workers=args.workers,
            scheduler=args.scheduler,
            on_point=advance,
            **_options(args),
        )
    if not result.interrupted:
        _write_table(args.output, result.to_frame(), result.to_dict())
        if args.plot is not None and len(result.summary()):
            from planner.report.analysis_charts import montecarlo_chart, tornado_chart

            _save_figure(montecarlo_chart(result, objective=_objective_kind(plan)), args.plot)
            _save_figure(tornado_chart(result), tornado_path(args.plot))
    if args.json:
        _print_json(result.to_dict())
    else:
        summary, unit = result.summary(), ""
        if _objective_kind(plan) == "probability":  # compare's unit: percentage points
            summary[["mean", "p5", "p50", "p95"]] *= 100
            unit = "; mean and percentiles in pp"
        _frame_table(
            summary,
            f"effect of each intervention over {len(result.samples)} samples "
            f"(seed {result.seed}); p_harm = P(effect < 0){unit}",
        )
        for name in result.summary()["intervention"]:
            _frame_table(result.tornado(name), f"{name}: rank correlation of each input with the effect")
        frame = result.to_frame()
        unproven = int((frame["status"].notna() & (frame["status"] != "optimal")).sum())
        if unproven:  # the figures above then rest on plans not proven best: say so
            print(
                f"{unproven} of {len(frame)} solves were not proven optimal (the time limit): their "
                "effects are the best plans found, so P(harm) and the percentiles are not proven either"
            )
    if result.interrupted:
        print(
            f"planner: error: interrupted: {result.outcome.not_run} of {len(result.samples)} samples not run"
            + _not_written(args),
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    return EXIT_OK


def _evpi(args: argparse.Namespace) -> int:
    from planner.analysis.evpi import evpi

    plan = load_plan(args)
    options = _options(args)
    options.pop("verbose", None)
    if args.outcomes:
        return _evpi_outcomes(args, plan, options)
    result = evpi(plan, args.intervention, learn_at=args.learn_at, max_groups=args.max_groups, **options)
    if args.json:
        _print_json(result.to_dict())
        return EXIT_OK
    from planner.report.words import number

    print(
        f"{result.variant} ({result.objective_kind}): one plan for every deadline {number(result.single, '.6g')}; "
        f"a plan per deadline, known in advance (wait-and-see) {number(result.wait_and_see, '.6g')}; "
        f"EVPI {number(result.evpi, '.6g')}"
    )
    if result.evpi <= 1e-9:
        print("Knowing the deadline in advance is worth nothing here: one plan is best for every deadline.")
    for a in result.adaptive:
        bound = " (a lower bound: neighbouring deadlines shared a plan)" if a.to_dict()["lower_bound"] else ""
        print(
            f"- learning the deadline at year {a.learn_at:g}: {number(a.value, '.6g')}, worth "
            f"{number(a.value - result.single, '+.6g')} "
            f"over the single plan{bound}"
        )
    return EXIT_OK


def _evpi_outcomes(args: argparse.Namespace, plan: Any, options: dict) -> int:
    """`evpi --outcomes`: the value of knowing research outcomes, beside that of knowing the
    deadline when the deadline is uncertain."""
    from planner.analysis.evpi import evpi
    from planner.analysis.outcome_value import outcome_value
    from planner.report.words import number

    known = outcome_value(plan, args.intervention, **dict(options))
    deadline = None
    if plan.deadline is not None and (plan.deadline.scenarios or plan.deadline.distribution):
        deadline = evpi(plan, args.intervention, learn_at=args.learn_at, max_groups=args.max_groups, **options)
    if args.json:
        _print_json({"outcomes": known.to_dict(), "deadline": deadline.to_dict() if deadline else None})
        return EXIT_OK
    print(
        f"{known.variant} ({known.objective_kind}): the policy, learning outcomes as attempts end, "
        f"{number(known.policy, '.6g')}; every research outcome known at the start "
        f"{number(known.clairvoyant, '.6g')}; value of knowing outcomes {number(known.value, '.6g')} "
        f"({known.branches} outcome branches)"
    )
    if deadline is not None:
        print(
            f"value of knowing the deadline: {number(deadline.evpi, '.6g')} "
            f"(wait-and-see {number(deadline.wait_and_see, '.6g')} against one policy {number(deadline.single, '.6g')})"
        )
    else:
        print("the deadline is fixed: knowing it is worth nothing more")
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "sweep": _sweep,
    "breakeven": _breakeven,
    "margins": _margins,
    "montecarlo": _montecarlo,
    "evpi": _evpi,
}
