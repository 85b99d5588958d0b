"""The `planner` command: check, solve and compare plan files.

Exit codes: 0 done, 2 invalid input, 3 no solution (infeasible, or none found in the time
limit), 4 a schedule failed verification (a bug: please report it), 130 interrupted.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path

from .errors import PlannerError, UsageError

EXIT_OK, EXIT_INVALID, EXIT_NO_SOLUTION, EXIT_INTERRUPTED = 0, 2, 3, 130


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="planner", description=(
        "Allocate researcher-years across serial and parallel alignment work under a deadline, "
        "and compare the optimum with and without capabilities work."))
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = sub.add_parser("check", help="validate a plan file (and the data files it names)")
    check.add_argument("plan", type=Path)
    check.add_argument("--json", action="store_true", help="machine-readable output")
    _allow_dir(check)
    for name, text in (("solve", "solve the baseline (or one intervention) of a plan"),
                       ("compare", "solve the baseline and every intervention, and compare them")):
        s = sub.add_parser(name, help=text)
        s.add_argument("plan", type=Path)
        s.add_argument("--json", action="store_true", help="print the result as JSON")
        s.add_argument("-o", "--output", type=Path, help="also write the result to FILE (.json or .csv)")
        s.add_argument("--time-limit", type=float, metavar="SECONDS",
                       help="stop each solve after SECONDS and keep the best plan found")
        s.add_argument("--gap", type=float, default=1e-6, help="relative MIP gap counted as optimal (default 1e-6)")
        s.add_argument("--threads", type=int, help="solver threads")
        s.add_argument("--solver", default="highs",
                       help="'highs' (default, direct), or any Pyomo solver name, e.g. pyomo:highs, cbc, gurobi")
        s.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                       help="raw solver option passed through (repeatable), e.g. mip_heuristic_effort=0.2")
        s.add_argument("--verbose", action="store_true", help="show the solver's log")
        _allow_dir(s)
        if name == "solve":
            s.add_argument("--intervention", metavar="NAME", help="solve this intervention instead of the baseline")
        else:
            s.add_argument("--only", action="append", metavar="NAME", help="compare only these interventions")
    return p


def _allow_dir(p: argparse.ArgumentParser) -> None:
    p.add_argument("--allow-dir", action="append", default=[], type=Path, metavar="DIR",
                   help="a folder the plan's data files may be read from, besides the plan's own "
                        "folder and the data/ folder beside it (repeatable)")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return {"check": _check, "solve": _solve, "compare": _compare}[args.command](args)
    except PlannerError as e:
        _error(str(e))
        return e.exit_code
    except KeyboardInterrupt:
        _error("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `planner compare PLAN --json | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def _error(message: str) -> None:
    print(f"planner: error: {message}", file=sys.stderr)


def _options(args) -> dict:
    raw = {}
    for item in args.option:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--option takes KEY=VALUE, got '{item}'")
        raw[key.strip()] = _literal(value.strip())
    return dict(time_limit=args.time_limit, gap=args.gap, threads=args.threads, solver_options=raw,
                verbose=args.verbose)


def _literal(text: str):
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)


def _check(args) -> int:
    from . import load, resolve
    from .structure import critical_path

    plan = load(args.plan, allow_dirs=args.allow_dir)
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
    from . import load, solve

    _check_output(args.output)
    plan = load(args.plan, allow_dirs=args.allow_dir)
    if args.intervention:
        plan.intervention(args.intervention)  # a clear error for an unknown name, before solving
    with _solver_log(args):
        result = solve(plan, args.intervention, solver=args.solver, **_options(args))
    if not result.interrupted:
        _write(args.output, result)
    if args.json:
        print(result.to_json(allocation=False))
    else:
        from .report import print_result
        print_result(result)
    if result.interrupted:
        return _interrupted(args.output, [])
    return EXIT_OK if result.solved else _no_solution(result)


def _compare(args) -> int:
    from . import compare, load

    _check_output(args.output)
    plan = load(args.plan, allow_dirs=args.allow_dir)
    with _solver_log(args):
        comparison = compare(plan, solver=args.solver, interventions=args.only,
                             on_result=_progress(1 + len(args.only or plan.interventions)),
                             **_options(args))
    if comparison.interrupted:
        if comparison.baseline is not None:
            if args.json:
                print(comparison.to_json(allocation=False))
            else:
                from .report import print_comparison
                print_comparison(comparison)
        return _interrupted(args.output, comparison.not_run)
    _write(args.output, comparison)
    if args.json:
        print(comparison.to_json(allocation=False))
    else:
        from .report import print_comparison
        print_comparison(comparison)
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


@contextlib.contextmanager
def _solver_log(args):
    """With --json, stdout carries only the JSON: the solver's --verbose log goes to stderr."""
    if not (args.json and args.verbose):
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


def _check_output(path: Path | None) -> None:
    if path is not None and path.suffix.lower() not in (".json", ".csv"):
        raise UsageError(f"-o {path}: the output file must end in .json or .csv")


def _write(path: Path | None, result) -> None:
    if path is None:
        return
    from .files import write_atomic

    text = result.to_csv() if path.suffix.lower() == ".csv" else result.to_json() + "\n"
    write_atomic(path, text)


if __name__ == "__main__":
    sys.exit(main())
