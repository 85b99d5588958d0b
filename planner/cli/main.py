"""The `planner` command: check, solve and compare plan files.

Exit codes: 0 done, 2 invalid input, 3 no solution (infeasible, or none found in the time
limit), 4 a schedule failed verification (a bug: please report it), 130 interrupted.
"""
from __future__ import annotations

# Only the standard library (and the stdlib-only errors module) at the top: what `import
# planner.cli` runs happens before main's try, where a Ctrl-C would still print a traceback.
# Everything else (numpy, the solver stack, rich) is imported inside main.
import argparse
import contextlib
import errno
import json
import math
import os
import sys
from pathlib import Path

from planner.errors import PlannerError, UsageError

EXIT_OK, EXIT_INVALID, EXIT_NO_SOLUTION, EXIT_INTERRUPTED = 0, 2, 3, 130


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors in the form of every other error: one line, exit code 2."""

    def error(self, message: str):
        self.exit(EXIT_INVALID, f"planner: error: {message} (see '{self.prog} --help')\n")


def _gap(text: str) -> float:
    from planner.pipeline.arguments import check_gap  # here, not at the top: see the imports above
    return _ranged(text, float, check_gap)


def _time_limit(text: str) -> float:
    from planner.pipeline.arguments import check_time_limit
    return _ranged(text, float, check_time_limit)


def _threads(text: str) -> int:
    from planner.pipeline.arguments import check_threads
    return _ranged(text, int, check_threads)


def _ranged(text: str, cast, check):
    """`text` cast and checked by the library's own rule (planner/pipeline/arguments.py), or an argparse
    error in the check's words, which state the valid range."""
    try:
        value = cast(text)
    except ValueError:
        value = text  # not a number: the check refuses it
    try:
        return check(value)
    except UsageError as e:  # "gap: must be ...": argparse names the option itself
        raise argparse.ArgumentTypeError(str(e).partition(": ")[2]) from None


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="planner", description=(
        "Allocate researcher-years across serial and parallel alignment work under a deadline, "
        "and compare the optimum with and without capabilities work."))
    from planner import __version__
    p.add_argument("--version", action="version", version=f"planner {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = sub.add_parser("check", help="validate a plan file (and the data files it names)")
    plan_arguments(check)
    check.add_argument("--json", action="store_true", help="machine-readable output")
    check.add_argument("--strict", action="store_true",
                       help="treat warnings (such as a calendar year where years from the start are meant) as errors")
    for name, text in (("solve", "solve the baseline (or one intervention) of a plan"),
                       ("compare", "solve the baseline and every intervention, and compare them")):
        s = sub.add_parser(name, help=text)
        plan_arguments(s)
        s.add_argument("--json", action="store_true", help="print the result as JSON")
        s.add_argument("-o", "--output", type=Path,
                       help="also write the result to FILE (.json, or .csv: the allocation, with the status "
                            "and objective in FILE.summary.csv beside it)")
        s.add_argument("--schedule", action="store_true",
                       help="print the year-by-year FTE by stream and pool, with the deadline marked")
        solver_arguments(s)
        if name == "solve":
            s.add_argument("--intervention", metavar="NAME", help="solve this intervention instead of the baseline")
        else:
            s.add_argument("--only", action="append", metavar="NAME", help="compare only these interventions")
            robustness_arguments(s)
    plot = sub.add_parser("plot", help="draw a chart of a plan's solution (PNG, SVG or PDF)")
    plan_arguments(plot)
    plot.add_argument("--kind", required=True, choices=CHART_KINDS,
                      help="schedule (Gantt against the deadline), staffing (each pool's use against its "
                           "supply), comparison (baseline against interventions), deadline (the deadline CDF "
                           "with each variant's goal year)")
    plot.add_argument("-o", "--output", type=Path, required=True, help="the image file: .png, .svg or .pdf")
    plot.add_argument("--variant", metavar="NAME",
                      help="for schedule and staffing: the intervention to draw (default the baseline)")
    solver_arguments(plot)
    report = sub.add_parser("report", help="write a self-contained report: .html (charts inside) or .md")
    plan_arguments(report)
    report.add_argument("-o", "--output", type=Path, required=True,
                        help="report.html (one file, no network needed) or report.md (PNG charts beside it)")
    robustness_arguments(report)
    solver_arguments(report)
    init = sub.add_parser("init", help="write a commented starter plan")
    init.add_argument("output", type=Path, nargs="?", default=Path("plan.toml"),
                      help="the plan file to write (default plan.toml; '-' prints it)")
    init.add_argument("--example", choices=("toy", "field"), default="toy",
                      help="toy: the essay's serial/parallel model; field: two pools, growth, an uncertain "
                           "deadline")
    init.add_argument("--force", action="store_true", help="replace the file if it exists")
    psp = sub.add_parser("import-psplib", help="turn a PSPLIB single-mode RCPSP instance (.sm) into a plan")
    psp.add_argument("instance", type=Path, help="the PSPLIB .sm file")
    psp.add_argument("-o", "--output", type=Path, required=True,
                     help="the plan file to write (.toml; '-' prints it)")
    psp.add_argument("--force", action="store_true", help="replace the file if it exists")
    from planner.cli import analysis_cmds as cli_analysis
    cli_analysis.add_parsers(sub)
    return p


CHART_KINDS = ("schedule", "staffing", "comparison", "deadline")


def plan_arguments(p: argparse.ArgumentParser) -> None:
    """The plan file and what changes it before use: every command that reads a plan takes these."""
    p.add_argument("plan", type=Path, help="the plan file (.toml or .json), or a PSPLIB .sm instance "
                   "(converted in memory: see docs/psplib.md)")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                   help="change one plan value before use (repeatable), e.g. "
                        "--set deadline.years=20 or --set streams.serial-a.min_duration=20")
    p.add_argument("--scenario", action="append", default=[], metavar="NAME",
                   help="apply the plan's [overrides.NAME] group (repeatable, applied in order, before --set)")
    _allow_dir(p)


def robustness_arguments(p: argparse.ArgumentParser) -> None:
    """How the verdict's robustness is measured (planner/analysis/robustness.py)."""
    from planner.pipeline.arguments import DEFAULT_SAMPLES
    p.add_argument("--samples", type=_samples, metavar="N", default=DEFAULT_SAMPLES,
                   help=f"Monte Carlo samples of the plan's [uncertainty] table for P(harm) and the 5-95%% "
                        f"range of each effect (default {DEFAULT_SAMPLES}; 0 turns it off)")
    p.add_argument("--seed", type=_seed, help="the Monte Carlo seed (default: the [uncertainty] table's seed)")
    flip = p.add_mutually_exclusive_group()
    flip.add_argument("--flip", dest="flip", action="store_true", default=None,
                      help="search how far each verdict is from flipping even where every solve is a MIP "
                           "with whole-unit staffing (by default only plans without it are searched)")
    flip.add_argument("--no-flip", dest="flip", action="store_false",
                      help="skip the search for how far each verdict is from flipping (its break-even solves)")


def _samples(text: str) -> int:
    from planner.pipeline.arguments import MAX_SAMPLES, cli_type, whole
    return cli_type(whole, int, lo=0, hi=MAX_SAMPLES)(text)


def _seed(text: str) -> int:
    from planner.pipeline.arguments import cli_type, whole
    return cli_type(whole, int, lo=0)(text)


def solver_arguments(p: argparse.ArgumentParser) -> None:
    """How each solve runs: every command that solves takes these."""
    p.add_argument("--time-limit", type=_time_limit, metavar="SECONDS",
                   help="stop each solve after SECONDS (> 0) and keep the best plan found")
    p.add_argument("--gap", type=_gap, default=1e-6,
                   help="relative MIP gap counted as optimal, 0 <= GAP < 1 (default 1e-6)")
    p.add_argument("--threads", type=_threads, help="solver threads (>= 1)")
    p.add_argument("--solver", default="highs",
                   help="'highs' (default), 'scip', or a Pyomo solver name, e.g. pyomo:highs, cbc, gurobi "
                        "(an unknown name lists the ones available here)")
    p.add_argument("--cross-check", action="store_true",
                   help="solve every variant with a second solver too (SCIP, or HiGHS when --solver scip) "
                        "and stop with exit code 4 if their proven optima differ")
    p.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                   help="raw solver option passed through (repeatable), e.g. mip_heuristic_effort=0.2")
    p.add_argument("--verbose", action="store_true", help="show the solver's log")


def load_plan(args):
    """The plan named on the command line, with its --scenario groups and --set changes applied."""
    from planner import load

    if Path(args.plan).suffix.lower() == ".sm":  # a PSPLIB instance, converted in memory
        from planner.rcpsp.conversion import load_plan as load_psplib
        plan = load_psplib(args.plan)
    else:
        plan = load(args.plan, allow_dirs=args.allow_dir)
    if args.scenario or args.set:
        from planner.plan.overrides import apply
        plan = apply(plan, scenarios=args.scenario, sets=args.set)
    return plan


def _allow_dir(p: argparse.ArgumentParser) -> None:
    p.add_argument("--allow-dir", action="append", default=[], type=Path, metavar="DIR",
                   help="a folder the plan's data files may be read from, besides the plan's own "
                        "folder and the data/ folder beside it (repeatable)")


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit code. Everything from parsing the command line to the
    last flush of stdout runs inside the try, so a Ctrl-C while the solver stack is still being
    imported, or a reader that has gone (`| head -1`), ends as cleanly as an error in a plan."""
    code = EXIT_OK
    try:
        try:
            args = _parser().parse_args(argv)
            from planner.cli import analysis_cmds as cli_analysis
            commands = {"check": _check, "solve": _solve, "compare": _compare, "plot": _plot,
                        "report": _report, "init": _init, "import-psplib": _import_psplib,
                        **cli_analysis.COMMANDS}
            code = commands[args.command](args)
        except PlannerError as e:
            _error(str(e))
            code = e.exit_code
        sys.stdout.flush()  # here, not at exit, where a closed pipe prints "Exception ignored"
    except KeyboardInterrupt:
        _error("interrupted")
        code = EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader has what it wanted: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return code


def _error(message: str) -> None:
    print(f"planner: error: {message}", file=sys.stderr)


def solver_options(args) -> dict:
    raw = {}
    for item in args.option:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--option takes KEY=VALUE, got '{item}'")
        raw[key.strip()] = _literal(value.strip())
    return dict(time_limit=args.time_limit, gap=args.gap, threads=args.threads, solver_options=raw,
                verbose=args.verbose, cross_check=args.cross_check)


def _literal(text: str):
    """An --option value as the solver wants it: int, finite float, bool, else the string
    (so `nan` reaches the solver as text and is refused there, not used as a number)."""
    for cast in (int, float):
        try:
            value = cast(text)
        except ValueError:
            continue
        if math.isfinite(value):
            return value
    return {"true": True, "false": False}.get(text.lower(), text)


def _check(args) -> int:
    from planner import resolve
    from planner.structure import critical_path

    plan = load_plan(args)
    warnings = _lint(plan, quiet=args.json)
    variants = [resolve(plan)] + [resolve(plan, iv) for iv in plan.interventions]
    base = variants[0]
    cp = critical_path(base, unlimited_labour=True)
    summary = {"plan": plan.plan.name, "file": str(args.plan), "valid": True,
               "periods": base.periods, "step": base.step, "streams": len(base.streams),
               "pools": len(base.pools), "deadline_scenarios": int(len(base.deadline_years)),
               "interventions": [v.name for v in variants[1:]], "objective": base.objective,
               "critical_path": cp.chain, "earliest_goal_years": cp.years(cp.goal_finish, base.step),
               "warnings": [str(w) for w in warnings]}
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        def n(k, word):
            return f"{k:g} {word if k == 1 else word + 's'}"
        print(f"{args.plan}: valid. {n(summary['streams'], 'stream')}, {n(summary['pools'], 'pool')}, "
              f"{n(len(summary['interventions']), 'intervention')}; {n(summary['periods'], 'period')} of "
              f"{n(base.step, 'year')} from the start of {base.start_year}; objective '{base.objective}'"
              f" ({_OBJECTIVES[base.objective]}); deadline: {_deadline_words(plan, base)}.")
        ey = summary["earliest_goal_years"]
        print(f"Critical path: {' -> '.join(cp.chain)}; with unlimited labour the goal "
              + (f"is met after {n(ey, 'year')} (done by the start of {base.start_year + ey:g})."
                 if ey is not None else "cannot be met inside the horizon."))
    if warnings and args.strict:
        _error(f"{args.plan}: {len(warnings)} warning(s), refused under --strict")
        return EXIT_INVALID
    return EXIT_OK


_OBJECTIVES = {"probability": "the chance of finishing before the deadline",
               "earliest": "the goal as early as possible", "value": "the expected value finished in time"}


def _deadline_words(plan, base) -> str:
    """The deadline as the plan states it, in words (not the model's internal scenario count)."""
    d = plan.deadline
    if d is None:
        return "none"
    if d.years is not None or d.year is not None:
        years = d.years if d.years is not None else d.year - base.start_year
        return f"fixed, the start of {base.start_year + years:g} ({years:g} year{'' if years == 1 else 's'} from the start)"
    if d.scenarios is not None:
        k = len(d.scenarios)
        return f"{k} possible date{'s' if k != 1 else ''}, each with its probability"
    dist = d.distribution
    text = (f"uncertain, lognormal with median {dist.median:g} years from the start"
            if dist.kind == "lognormal" else f"uncertain, a CDF through {len(dist.points)} percentile points")
    return text + (f", probability {d.p_never:g} of never" if d.p_never else "") + \
        "; counted year by year (one step per period)"


def _lint(plan, *, quiet: bool = False) -> list:
    """The plan's pitfalls, each printed as a warning on stderr (unless `quiet`)."""
    from planner.plan.lint import lint

    found = lint(plan)
    if not quiet:
        for w in found:
            print(f"planner: warning: {plan.source or 'plan'}: {w}", file=sys.stderr)
    return found


def _solve(args) -> int:
    from planner import solve

    _check_result_type(args.output)
    plan = load_plan(args)
    check_outputs(args, plan, *_result_files(args.output))
    _lint(plan)
    if args.intervention:
        plan.intervention(args.intervention)  # a clear error for an unknown name, before solving
    with _solver_log(args), _live(args):
        result = solve(plan, args.intervention, solver=args.solver, **solver_options(args))
    if not result.interrupted:
        _write(args.output, result)
    if args.json:
        print(result.to_json(allocation=True))
    else:
        from planner.report import print_result
        print_result(result, _console(), schedule=args.schedule)
    if result.interrupted:
        return _interrupted(args.output, [])
    return EXIT_OK if result.solved else _no_solution(result)


def _compare(args) -> int:
    from planner import compare

    _check_result_type(args.output)
    plan = load_plan(args)
    check_outputs(args, plan, *_result_files(args.output))
    _lint(plan)
    with _solver_log(args), _live(args):
        comparison = compare(plan, solver=args.solver, interventions=args.only,
                             on_result=_progress(1 + len(args.only or plan.interventions)),
                             **solver_options(args))
    if comparison.interrupted:
        if comparison.baseline is not None:
            if args.json:
                print(comparison.to_json(allocation=False))
            else:
                from planner.report import print_comparison
                print_comparison(comparison, _console(), schedule=args.schedule)
        return _interrupted(args.output, comparison.not_run)
    _write(args.output, comparison)
    robustness = _robustness(args, plan, comparison)
    if args.json:
        print(json.dumps(with_robustness(comparison.to_dict(allocation=False), robustness), indent=2))
    else:
        from planner.report import print_comparison, print_robustness
        console = _console()
        print_comparison(comparison, console, schedule=args.schedule)
        if robustness is not None:
            print_robustness(comparison, robustness, console)
    unsolved = [r for r in [comparison.baseline] + [iv.result for iv in comparison.interventions] if not r.solved]
    return _no_solution(unsolved[0]) if unsolved else EXIT_OK


def _robustness(args, plan, comparison, *, top_breakeven: bool = False):
    """How far each verdict is from flipping, and its Monte Carlo spread; None without a
    solved baseline (nothing to flip)."""
    if args.flip is None:
        args.flip = not flips_are_slow(plan)
        if not args.flip and sys.stderr.isatty():
            print("not searching how far each verdict is from flipping: the plan has whole-unit staffing or "
                  "a level choice, so each of its ~30 solves a flip takes is a MIP (--flip searches anyway)",
                  file=sys.stderr)
    if comparison.baseline is None or not comparison.baseline.solved or \
            not (args.flip or (plan.uncertainty and args.samples)):
        return None
    from planner.analysis.robustness import verdict_robustness

    if sys.stderr.isatty():
        print(("checking how far each verdict is from flipping" if args.flip else "checking the verdicts")
              + (f" and sampling [uncertainty] {args.samples} times" if plan.uncertainty and args.samples else ""),
              file=sys.stderr, flush=True)
    options = {k: v for k, v in solver_options(args).items() if k != "verbose"}
    with _solver_log(args):
        return verdict_robustness(plan, comparison, samples=args.samples, seed=args.seed, solver=args.solver,
                                  top_breakeven=top_breakeven, flips=args.flip, **options)


def flips_are_slow(plan) -> bool:
    """Whether the flip searches are left out unless asked for (`--flip`): a stream with whole-unit
    staffing (contiguous, min_staff, fixed_crew, whole people) or an intervention that chooses its
    level makes every one of their solves a MIP that branches (models/serial_lair.toml: 50 s
    instead of 3). A rule of the plan, not of the clock, so the output is the same on any machine."""
    from planner.plan.lint import whole_unit_streams
    return bool(whole_unit_streams(plan)) or any(iv.choose for iv in plan.interventions)


def with_robustness(data: dict, robustness) -> dict:
    """compare's JSON with `robustness` (Monte Carlo, or null) and each intervention's `flip`."""
    if robustness is None:
        return data
    extra = robustness.to_dict()
    data["robustness"] = extra["robustness"]
    for iv in data["interventions"]:
        iv["flip"] = extra["flip"].get(iv["name"], {})
    return data


def _interrupted(output: Path | None, not_run: list[str]) -> int:
    """What finished was printed above; a partial run never writes (or half-writes) the -o file."""
    parts = ["interrupted: the results above are what finished"
             + ("; the solve under way shows its best plan so far" if not not_run else "")]
    if not_run:
        parts.append("not run: " + ", ".join(not_run))
    if output is not None:
        parts.append(f"{output} was not written (run again to write it)")
    _error("; ".join(parts))
    return EXIT_INTERRUPTED


def _no_solution(result) -> int:
    _error(f"{result.variant}: no solution ({result.status}): {result.message}")
    return EXIT_NO_SOLUTION


def _progress(total: int):
    """One line on stderr as each variant finishes, so a long comparison shows where it is."""
    done = [0]

    def report(result) -> None:
        done[0] += 1
        if sys.stderr.isatty():
            print(f"[{done[0]}/{total}] {result.variant}: {result.status} in {result.runtime:.1f} s",
                  file=sys.stderr, flush=True)
    return report


def _console():
    """rich's console on stdout, except that a closed pipe raises BrokenPipeError for main to
    handle like print()'s (rich's own handler exits with code 1)."""
    from rich.console import Console

    class StdoutConsole(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError(errno.EPIPE, "stdout is closed")

    return StdoutConsole()


@contextlib.contextmanager
def _solver_log(args):
    """With --json, stdout carries only the JSON: whatever the solver prints (its --verbose log, or
    one turned on by a raw --option such as output_flag=true) goes to stderr instead."""
    if not args.json:
        yield
        return
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def _live(args):
    """The live progress line on stderr (a terminal only, and not under the solver's own log)."""
    from planner import progress
    return contextlib.nullcontext() if args.verbose else progress.on_terminal()


def _check_result_type(path: Path | None) -> None:
    if path is not None:
        check_suffix(path, (".json", ".csv"), "the output file")


def _result_files(path: Path | None) -> list[tuple[str, Path | None]]:
    """What solve and compare -o write: the file, and for a .csv its summary beside it."""
    if path is None or path.suffix.lower() != ".csv":
        return [("-o", path)]
    return [("-o", path), ("-o", summary_path(path))]


def _write(path: Path | None, result) -> None:
    if path is None:
        return
    from planner.files import write_atomic

    csv = path.suffix.lower() == ".csv"
    write_atomic(path, result.to_csv() if csv else result.to_json() + "\n")
    if csv:  # the status and objective, which a plain allocation table has no room for
        write_atomic(summary_path(path), result.summary_csv())


def summary_path(path: Path) -> Path:
    """out.csv -> out.summary.csv: one row per variant beside the allocation table."""
    return path.with_name(path.stem + ".summary" + path.suffix)


def _solve_for_output(args, plan):
    """Solve the baseline and every intervention, for charts and reports (interrupts stop here)."""
    from planner import compare

    _lint(plan)
    comparison = compare(plan, solver=args.solver, on_result=_progress(1 + len(plan.interventions)),
                         **solver_options(args))
    if comparison.interrupted:
        raise KeyboardInterrupt
    return plan, comparison


def check_suffix(path: Path, allowed: tuple[str, ...], what: str, option: str = "-o") -> None:
    """Before the plan is even read: an output file's type."""
    if path.suffix.lower() not in allowed:
        kinds = ", ".join(allowed[:-1]) + " or " + allowed[-1] if len(allowed) > 1 else allowed[0]
        raise UsageError(f"{option} {path}: {what} must end in {kinds}")


def check_outputs(args, plan, *outputs: tuple[str, Path | None], reads: dict | None = None) -> None:
    """Before any solve: every (option, path) the command will write can be written, and none is
    the plan or a file it reads as changed by --scenario and --set (nor any of `reads`, a file
    with what it is in words)."""
    from planner.files import check_output

    protected = {args.plan: "the plan file", **(reads or {})}
    for data in files_read(plan):
        protected.setdefault(data, f"a data file the plan reads ({data})")
    for option, path in outputs:
        if path is not None:
            check_output(path, reads=protected, option=option)


def files_read(plan) -> list[Path]:
    """The plan's file and every data file it names ({ file, column } anywhere in it)."""
    from pydantic import BaseModel

    from planner.plan.schema import FileColumn

    found = [plan.source] if plan.source is not None else []

    def walk(value) -> None:
        if isinstance(value, FileColumn):
            found.append(plan.base_dir / value.file)
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name))
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)
    walk(plan)
    return found


def _plot(args) -> int:
    check_suffix(args.output, (".png", ".svg", ".pdf"), "the image file")
    plan = load_plan(args)
    check_outputs(args, plan, ("-o", args.output))
    plan, comparison = _solve_for_output(args, plan)
    if args.variant is not None and args.variant not in [r.variant for r in comparison.results()]:
        plan.intervention(args.variant)  # the plan's own error for an unknown name
    from planner.report.charts import chart

    drawn = next((r for r in comparison.results() if r.variant == (args.variant or "baseline")), None)
    if args.kind in ("schedule", "staffing") and drawn is not None and not drawn.solved:
        return _no_solution(drawn)
    try:
        fig = chart(args.kind, comparison, args.variant)
    except ValueError as e:
        raise UsageError(str(e)) from None
    from planner.files import write_figure

    write_figure(args.output, fig, dpi=120)
    print(f"wrote {args.output}")
    return EXIT_OK


def _report(args) -> int:
    check_suffix(args.output, (".html", ".md"), "the report")
    plan = load_plan(args)
    from planner.report.document import markdown_charts, write_html, write_markdown

    charts = markdown_charts(args.output, plan) if args.output.suffix.lower() == ".md" else []
    check_outputs(args, plan, ("-o", args.output), *(("-o", png) for png in charts))
    plan, comparison = _solve_for_output(args, plan)
    args.json = False   # for _robustness's solver log: a report has no JSON on stdout
    robustness = _robustness(args, plan, comparison, top_breakeven=True)
    if args.output.suffix.lower() == ".html":
        write_html(plan, comparison, args.output, robustness)
    else:
        write_markdown(plan, comparison, args.output, robustness)
    print(f"wrote {args.output}")
    unsolved = [r for r in comparison.results() if not r.solved]
    return _no_solution(unsolved[0]) if unsolved else EXIT_OK  # the report says so too


def _init(args) -> int:
    from importlib.resources import files

    text = files("planner").joinpath("plan", "templates", f"{args.example}.toml").read_text(encoding="utf-8")
    if str(args.output) == "-":
        print(text, end="")
        return EXIT_OK
    if args.output.exists() and not args.force:
        raise UsageError(f"{args.output} exists; use --force to replace it")
    from planner.files import check_output, write_atomic

    check_output(args.output, option="")
    write_atomic(args.output, text)
    print(f"wrote {args.output}: check it with `planner check {args.output}`")
    return EXIT_OK


def _import_psplib(args) -> int:
    from planner.rcpsp import conversion, optima, plan_file, psplib, reference

    if args.instance.suffix.lower() != psplib.SUFFIX:
        raise UsageError(f"{args.instance}: a PSPLIB single-mode instance must end in .sm "
                         "(multi-mode .mm and other formats are not supported)")
    to_stdout = str(args.output) == "-"
    if not to_stdout:
        if args.output.suffix.lower() != ".toml":
            raise UsageError(f"-o {args.output}: the plan file must end in .toml")
        if args.output.exists() and not args.force:
            raise UsageError(f"{args.output} exists; use --force to replace it")
        from planner.files import check_output

        check_output(args.output, reads={args.instance: "the instance being read"})
    rcpsp = psplib.parse(args.instance)
    sgs = reference.serial_sgs(rcpsp)
    horizon = reference.makespan(rcpsp, sgs)
    data = conversion.to_plan(rcpsp, psplib.instance_name(args.instance), horizon=horizon)
    comment = plan_file.header_comment(rcpsp, optima.published_optimum(args.instance), horizon)
    if to_stdout:
        print(plan_file.to_toml(data, comment), end="")
        return EXIT_OK
    plan_file.write_toml(data, args.output, comment=comment)
    print(f"wrote {args.output}: {len(data['streams'])} streams, {len(data['pools'])} pools, horizon "
          f"{horizon} (serial SGS makespan); solve it with `planner solve {args.output}`")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
