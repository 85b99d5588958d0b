"""The command lines of the decision-analysis commands (sweep, break-even, margins, Monte Carlo,
EVPI): `add_parsers(sub)` adds each command's sub-parser, with argparse types that apply the
library's own checks. Their functions are in analysis_cmds.py. Only the standard library (and the
stdlib-only planner.pipeline.arguments) at the top: see main.py."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import TypeVar

from planner.cli.arguments import plan_arguments, solver_arguments
from planner.pipeline.arguments import cli_type, number, whole

P = TypeVar("P", bound=argparse.ArgumentParser)  # main's parser class


def _workers(text: str) -> int:
    """--workers: parallel.run's own check (1 to WORKERS_PER_CORE per core)."""
    from planner.analysis.runner import check_workers

    return cli_type(lambda v, name: check_workers(v, name), int)(text)


def _range(text: str) -> tuple[float, float]:
    lo, sep, hi = text.partition(":")
    try:
        pair = (float(lo), float(hi)) if sep else None
    except ValueError:
        pair = None
    if pair is None or not all(map(math.isfinite, pair)) or not pair[0] < pair[1]:
        raise argparse.ArgumentTypeError(f"must be LO:HI with finite LO < HI, got {text!r}")
    return pair


# argparse types that apply the library's own checks (planner/pipeline/arguments.py, standard library only)
_positive = cli_type(number, float, above=0)
_nonneg = cli_type(number, float, at_least=0)
_count = cli_type(whole, int, lo=1, hi=1_000_000)
_groups = cli_type(whole, int, lo=1, hi=1_000)
_seed = cli_type(whole, int, lo=0)


def add_parsers(sub: argparse._SubParsersAction[P]) -> None:
    """Add the analysis commands to the `planner` command line."""

    def command(
        name: str, text: str, *, table_output: bool = False, scale_out: bool = False, plot: str | None = None
    ) -> P:
        p = sub.add_parser(name, help=text, description=text)
        plan_arguments(p)
        solver_arguments(p)
        p.add_argument("--json", action="store_true", help="print the result as JSON")
        if table_output:
            p.add_argument(
                "-o",
                "--output",
                type=Path,
                help="write one row per point and variant to FILE (.csv, .parquet or .json)",
            )
        if plot:
            p.add_argument("--plot", type=Path, metavar="FILE", help=plot)
        if scale_out:
            p.add_argument(
                "--workers", type=_workers, metavar="N", help="local worker processes (default: one per core)"
            )
            p.add_argument(
                "--scheduler",
                metavar="ADDRESS",
                help="run on a Dask cluster instead, e.g. tcp://127.0.0.1:8786 (needs the 'dask' extra)",
            )
        return p

    s = command(
        "sweep",
        "solve the baseline and interventions over a grid of plan values",
        table_output=True,
        scale_out=True,
        plot="draw each variant's objective along the first swept path to FILE (.png, .svg or .pdf)",
    )
    s.epilog = (
        "--set PATH=V1,V2,... or --set PATH=LO:HI:STEP sweeps PATH; --set PATH=VALUE with one "
        "value changes the plan for every point"
    )
    s.add_argument("--only", action="append", metavar="NAME", help="solve only these interventions")

    b = command(
        "breakeven",
        "find the value of one plan value at which an intervention breaks even",
        plot="draw the effect at every value solved, with the break-even marked, to FILE (.png, .svg or .pdf)",
    )
    b.add_argument("--intervention", required=True, metavar="NAME")
    what = b.add_mutually_exclusive_group(required=True)
    what.add_argument("--vary", metavar="PATH", help="the numeric plan value to vary")
    what.add_argument(
        "--add-fte",
        metavar="POOL",
        help="how many more FTE of POOL, every year from the start, make the intervention "
        "break even (default range: 0 to 10x the pool's largest supply)",
    )
    b.add_argument(
        "--range",
        type=_range,
        metavar="LO:HI",
        help="where to look (default: 0 to 10x a positive value, else the value +-10)",
    )
    b.add_argument("--tolerance", type=_positive, help="width of the final interval (default range / 10,000)")

    m = command("margins", "how many researcher-years of each pool one calendar year is worth, and how stable that is")
    m.add_argument("--intervention", metavar="NAME", help="at this intervention's optimum instead of the baseline's")
    m.add_argument("--year-step", type=_positive, help="years of deadline added (default: the plan's step)")
    m.add_argument(
        "--fte-step",
        type=_positive,
        help="FTE added to every period of each pool (default: 10%% of its mean supply, at least 1)",
    )

    mc = command(
        "montecarlo",
        "sample the plan's [uncertainty] table and solve every sample",
        table_output=True,
        scale_out=True,
        plot="draw the first intervention's effect histogram to FILE (.png, .svg or .pdf) and its "
        "tornado to FILE with '-tornado' before the suffix",
    )
    mc.add_argument("-n", "--samples", type=_count, default=500, help="number of samples (default 500)")
    mc.add_argument("--seed", type=_seed, help="override the [uncertainty] seed (a whole number >= 0)")
    mc.add_argument("--only", action="append", metavar="NAME", help="solve only these interventions")

    e = command("evpi", "the value of knowing when the deadline comes (wait-and-see against one plan)")
    e.add_argument("--intervention", metavar="NAME", help="for this intervention instead of the baseline")
    e.add_argument(
        "--outcomes",
        action="store_true",
        help="also the value of knowing every research outcome at the start (plans with bets)",
    )
    e.add_argument(
        "--learn-at",
        type=_nonneg,
        action="append",
        default=[],
        metavar="K",
        help="also solve the adaptive plan that shares the allocation before year K and "
        "adapts to the deadline from K on (repeatable)",
    )
    e.add_argument(
        "--max-groups",
        type=_groups,
        default=24,
        metavar="N",
        help="at most N scenario copies in an adaptive MIP; neighbouring deadlines share one "
        "beyond that (a lower bound; default 24)",
    )
