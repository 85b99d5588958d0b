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

from .errors import PlannerError, UsageError

EXIT_OK, EXIT_INVALID, EXIT_NO_SOLUTION, EXIT_INTERRUPTED = 0, 2, 3, 130


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors in the form of every other error: one line, exit code 2."""

    def error(self, message: str):
        self.exit(EXIT_INVALID, f"planner: error: {message} (see '{self.prog} --help')\n")


def _gap(text: str) -> float:
    """--gap: 1 or more would call any plan optimal; NaN would compare false with everything."""
    return _ranged(text, float, lambda v: 0 <= v < 1, "a number with 0 <= gap < 1")


def _time_limit(text: str) -> float:
    return _ranged(text, float, lambda v: 0 < v < math.inf, "a finite number > 0 (seconds)")


def _threads(text: str) -> int:
    return _ranged(text, int, lambda v: v >= 1, "a whole number >= 1")


def _ranged(text: str, cast, valid, what: str):
    """`text` cast and checked, or an argparse error that states the valid range."""
    try:
        value = cast(text)
    except ValueError:
        value = None
    if value is None or not valid(value):  # `not valid`, so NaN fails every range
        raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="planner", description=(
        "Allocate researcher-years across serial and parallel alignment work under a deadline, "
        "and compare the optimum with and without capabilities work."))
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = sub.add_parser("check", help="validate a plan file (and the data files it names)")
    plan_arguments(check)
    check.add_argument("--json", action="store_true", help="machine-readable output")
    for name, text in (("solve", "solve the baseline (or one intervention) of a plan"),
                       ("compare", "solve the baseline and every intervention, and compare them")):
        s = sub.add_parser(name, help=text)
        plan_arguments(s)
        s.add_argument("--json", action="store_true", help="print the result as JSON")
        s.add_argument("-o", "--output", type=Path, help="also write the result to FILE (.json or .csv)")
        solver_arguments(s)
        if name == "solve":
            s.add_argument("--intervention", metavar="NAME", help="solve this intervention instead of the baseline")
        else:
            s.add_argument("--only", action="append", metavar="NAME", help="compare only these interventions")
    from . import cli_analysis
    cli_analysis.add_parsers(sub)
    return p


def plan_arguments(p: argparse.ArgumentParser) -> None:
    """The plan file and what changes it before use: every command that reads a plan takes these."""
    p.add_argument("plan", type=Path)
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                   help="change one plan value before use (repeatable), e.g. "
                        "--set deadline.years=20 or --set streams.serial-a.min_duration=20")
    p.add_argument("--scenario", action="append", default=[], metavar="NAME",
                   help="apply the plan's [overrides.NAME] group (repeatable, applied in order, before --set)")
    _allow_dir(p)


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
    from . import load

    plan = load(args.plan, allow_dirs=args.allow_dir)
    if args.scenario or args.set:
        from .overrides import apply
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
            from . import cli_analysis
            commands = {"check": _check, "solve": _solve, "compare": _compare, **cli_analysis.COMMANDS}
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
    from . import resolve
    from .structure import critical_path

    plan = load_plan(args)
    variants = [resolve(plan)] + [resolve(plan, iv) for iv in plan.interventions]
    base = variants[0]
    cp = critical_path(base, unlimited_labour=True)
    summary = {"plan": plan.plan.name, "file": str(args.plan), "valid": True,
               "periods": base.periods, "step": base.step, "streams": len(base.streams),
               "pools": len(base.pools), "deadline_scenarios": int(len(base.deadline_years)),
               "interventions": [v.name for v in variants[1:]], "objective": base.objective,
               "critical_path": cp.chain, "earliest_goal_years": cp.years(cp.goal_finish, base.step)}
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"{args.plan}: valid. {summary['streams']} streams, {summary['pools']} pools, "
              f"{summary['periods']} periods of {base.step:g} years, {summary['deadline_scenarios']} deadline "
              f"scenarios, {len(summary['interventions'])} interventions; objective '{base.objective}'.")
        ey = summary["earliest_goal_years"]
        print(f"Critical path: {' -> '.join(cp.chain)}; with unlimited labour the goal "
              + (f"is met after {ey:g} years." if ey is not None else "cannot be met inside the horizon."))
    return EXIT_OK


def _solve(args) -> int:
    from . import solve

    _check_output(args.output, args.plan)
    plan = load_plan(args)
    if args.intervention:
        plan.intervention(args.intervention)  # a clear error for an unknown name, before solving
    with _solver_log(args):
        result = solve(plan, args.intervention, solver=args.solver, **solver_options(args))
    if not result.interrupted:
        _write(args.output, result)
    if args.json:
        print(result.to_json(allocation=False))
    else:
        from .report import print_result
        print_result(result, _console())
    if result.interrupted:
        return _interrupted(args.output, [])
    return EXIT_OK if result.solved else _no_solution(result)


def _compare(args) -> int:
    from . import compare

    _check_output(args.output, args.plan)
    plan = load_plan(args)
    with _solver_log(args):
        comparison = compare(plan, solver=args.solver, interventions=args.only,
                             on_result=_progress(1 + len(args.only or plan.interventions)),
                             **solver_options(args))
    if comparison.interrupted:
        if comparison.baseline is not None:
            if args.json:
                print(comparison.to_json(allocation=False))
            else:
                from .report import print_comparison
                print_comparison(comparison, _console())
        return _interrupted(args.output, comparison.not_run)
    _write(args.output, comparison)
    if args.json:
        print(comparison.to_json(allocation=False))
    else:
        from .report import print_comparison
        print_comparison(comparison, _console())
    unsolved = [r for r in [comparison.baseline] + [iv.result for iv in comparison.interventions] if not r.solved]
    return _no_solution(unsolved[0]) if unsolved else EXIT_OK


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


def _check_output(path: Path | None, plan: Path) -> None:
    """Refuse an -o file that cannot be written (or would replace the plan) before the solve."""
    if path is None:
        return
    if path.suffix.lower() not in (".json", ".csv"):
        raise UsageError(f"-o {path}: the output file must end in .json or .csv")
    with contextlib.suppress(OSError):  # either file missing: not the same file
        if os.path.samefile(path, plan):
            raise UsageError(f"-o {path}: that is the plan file, which the result would replace")
    from .files import check_writable

    try:
        check_writable(path)
    except OSError as e:
        raise UsageError(f"-o {path}: cannot write: {e}") from None


def _write(path: Path | None, result) -> None:
    if path is None:
        return
    from .files import write_atomic

    text = result.to_csv() if path.suffix.lower() == ".csv" else result.to_json() + "\n"
    try:
        write_atomic(path, text)
    except OSError as e:  # checked before the solve, but a disk can fill or a folder go meanwhile
        raise UsageError(f"-o {path}: cannot write: {e.strerror or e}") from None


if __name__ == "__main__":
    sys.exit(main())
