"""The `planner` command: check, solve and compare plan files.

Exit codes: 0 done, 2 invalid input, 3 no solution (infeasible, or none found in the time
limit), 4 a schedule failed verification (a bug: please report it), 130 interrupted.
"""

from __future__ import annotations

# Only the standard library (and the stdlib-only errors module) at the top: what `import
# planner.cli` runs happens before main's try, where a Ctrl-C would still print a traceback.
# Everything else (numpy, the solver stack, rich) is imported inside the commands; the modules
# imported here (arguments, common, terminal, plan_cmds) keep to the same rule.
import argparse
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from planner.cli import plan_cmds
from planner.cli.arguments import plan_arguments, robustness_arguments, solver_arguments
from planner.cli.common import EXIT_INTERRUPTED, EXIT_INVALID, EXIT_OK, error
from planner.errors import PlannerError


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors in the form of every other error: one line, exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_INVALID, f"planner: error: {message} (see '{self.prog} --help')\n")


class _Version(argparse.Action):
    """--version, read from the installed package's metadata only when asked for: the top-level
    package (which states it too) sits above the cli, and reading metadata costs every other
    command's start-up 30 ms."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        kwargs.setdefault("help", "show program's version number and exit")
        super().__init__(option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, nargs=0, **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        from importlib.metadata import version

        print(f"planner {version('planner')}")  # on stdout, as argparse's own version action does
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="planner",
        description=(
            "Allocate researcher-years across serial and parallel alignment work under a deadline, "
            "and compare the optimum with and without capabilities work."
        ),
    )
    p.add_argument("--version", action=_Version)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = sub.add_parser("check", help="validate a plan file (and the data files it names)")
    plan_arguments(check)
    check.add_argument("--json", action="store_true", help="machine-readable output")
    check.add_argument(
        "--strict",
        action="store_true",
        help="treat warnings (such as a calendar year where years from the start are meant) as errors",
    )
    for name, text in (
        ("solve", "solve the baseline (or one intervention) of a plan"),
        ("compare", "solve the baseline and every intervention, and compare them"),
    ):
        s = sub.add_parser(name, help=text)
        plan_arguments(s)
        s.add_argument("--json", action="store_true", help="print the result as JSON")
        s.add_argument(
            "-o",
            "--output",
            type=Path,
            help="also write the result to FILE (.json, or .csv: the allocation, with the status "
            "and objective in FILE.summary.csv beside it)",
        )
        s.add_argument(
            "--schedule",
            action="store_true",
            help="print the year-by-year FTE by stream and pool, with the deadline marked",
        )
        solver_arguments(s)
        if name == "solve":
            s.add_argument("--intervention", metavar="NAME", help="solve this intervention instead of the baseline")
        else:
            s.add_argument("--only", action="append", metavar="NAME", help="compare only these interventions")
            robustness_arguments(s)
    plot = sub.add_parser("plot", help="draw a chart of a plan's solution (PNG, SVG or PDF)")
    plan_arguments(plot)
    plot.add_argument(
        "--kind",
        required=True,
        choices=CHART_KINDS,
        help="schedule (Gantt against the deadline), staffing (each pool's use against its "
        "supply), comparison (baseline against interventions), deadline (the deadline CDF "
        "with each variant's goal year)",
    )
    plot.add_argument("-o", "--output", type=Path, required=True, help="the image file: .png, .svg or .pdf")
    plot.add_argument(
        "--variant", metavar="NAME", help="for schedule and staffing: the intervention to draw (default the baseline)"
    )
    solver_arguments(plot)
    report = sub.add_parser("report", help="write a self-contained report: .html (charts inside) or .md")
    plan_arguments(report)
    report.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="report.html (one file, no network needed) or report.md (PNG charts beside it)",
    )
    robustness_arguments(report)
    solver_arguments(report)
    init = sub.add_parser("init", help="write a commented starter plan")
    init.add_argument(
        "output",
        type=Path,
        nargs="?",
        default=Path("plan.toml"),
        help="the plan file to write (default plan.toml; '-' prints it)",
    )
    init.add_argument(
        "--example",
        choices=("toy", "field"),
        default="toy",
        help="toy: the essay's serial/parallel model; field: two pools, growth, an uncertain deadline",
    )
    init.add_argument("--force", action="store_true", help="replace the file if it exists")
    psp = sub.add_parser("import-psplib", help="turn a PSPLIB single-mode RCPSP instance (.sm) into a plan")
    psp.add_argument("instance", type=Path, help="the PSPLIB .sm file")
    psp.add_argument("-o", "--output", type=Path, required=True, help="the plan file to write (.toml; '-' prints it)")
    psp.add_argument("--force", action="store_true", help="replace the file if it exists")
    from planner.cli.analysis_args import add_parsers  # inside main's try: see analysis_args.py

    add_parsers(sub)
    from planner.cli import preset_cmds, serve_cmd

    preset_cmds.add_parsers(sub)
    serve_cmd.add_parser(sub)
    return p


CHART_KINDS = ("schedule", "staffing", "comparison", "deadline")


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit code. Everything from parsing the command line to the
    last flush of stdout runs inside the try, so a Ctrl-C while the solver stack is still being
    imported, or a reader that has gone (`| head -1`), ends as cleanly as an error in a plan."""
    code = EXIT_OK
    try:
        try:
            args = _parser().parse_args(argv)
            from planner.cli import analysis_cmds as cli_analysis
            from planner.cli import preset_cmds, serve_cmd

            commands = {**plan_cmds.COMMANDS, **cli_analysis.COMMANDS, **preset_cmds.COMMANDS, **serve_cmd.COMMANDS}
            code = commands[args.command](args)
        except PlannerError as e:
            error(str(e))
            code = e.exit_code
        sys.stdout.flush()  # here, not at exit, where a closed pipe prints "Exception ignored"
    except KeyboardInterrupt:
        error("interrupted")
        code = EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader has what it wanted: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if argv is None:  # the command line, whose process ends next: the interpreter's last garbage
        gc.freeze()  # collections would walk every object the solver stack made (~70 ms on the toy's
        # compare, benchmarks/startup.py); exit then frees them by reference counts alone
    return code


if __name__ == "__main__":
    sys.exit(main())
