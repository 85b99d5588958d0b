"""The commands on one plan: check, solve, compare, plot and report, and the two that write a plan
file (init, import-psplib). `COMMANDS` maps each name to the function that runs it and returns an
exit code. Only the standard library at the top (see main.py): the library is imported inside
each command."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner.cli.arguments import solver_options
from planner.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_NO_SOLUTION,
    EXIT_OK,
    check_outputs,
    check_suffix,
    error,
    load_plan,
)
from planner.cli.terminal import console, live, solver_log, variant_done
from planner.errors import UsageError

if TYPE_CHECKING:
    from planner.analysis.robustness import Robustness
    from planner.instance.instance import Instance
    from planner.plan.lint import Warning
    from planner.plan.schema import Plan
    from planner.result import Comparison, Result


def _check(args: argparse.Namespace) -> int:
    from planner.instance.resolve import resolve
    from planner.structure import critical_path

    plan = load_plan(args)
    warnings = _lint(plan, quiet=args.json)
    variants = [resolve(plan)] + [resolve(plan, iv) for iv in plan.interventions]
    base = variants[0]
    cp = critical_path(base, unlimited_labour=True)
    summary: dict[str, Any] = {
        "plan": plan.plan.name,
        "file": str(args.plan),
        "valid": True,
        "periods": base.periods,
        "step": base.step,
        "streams": len(base.streams),
        "pools": len(base.pools),
        "deadline_scenarios": int(len(base.deadline_years)),
        "interventions": [v.name for v in variants[1:]],
        "objective": base.objective,
        "critical_path": cp.chain,
        "earliest_goal_years": cp.years(cp.goal_finish, base.step),
        "warnings": [str(w) for w in warnings],
        "presets": _presets_used(plan),
    }
    if args.json:
        print(json.dumps(summary, indent=2))
    else:

        def n(k: float, word: str) -> str:
            return f"{k:g} {word if k == 1 else word + 's'}"

        print(
            f"{args.plan}: valid. {n(summary['streams'], 'stream')}, {n(summary['pools'], 'pool')}, "
            f"{n(len(summary['interventions']), 'intervention')}; {n(summary['periods'], 'period')} of "
            f"{n(base.step, 'year')} from the start of {base.start_year}; objective '{base.objective}'"
            f" ({_OBJECTIVES[base.objective]}); deadline: {_deadline_words(plan, base)}."
        )
        if summary["presets"]:
            print(
                "Presets: "
                + "; ".join(f"{u['name']} ({u['where']}: {u['source']}, {u['published']})" for u in summary["presets"])
                + "."
            )
        ey = summary["earliest_goal_years"]
        print(
            f"Critical path: {' -> '.join(cp.chain)}; with unlimited labour the goal "
            + (
                f"is met after {n(ey, 'year')} (done by the start of {base.start_year + ey:g})."
                if ey is not None
                else "cannot be met inside the horizon."
            )
        )
    if warnings and args.strict:
        error(f"{args.plan}: {len(warnings)} warning(s), refused under --strict")
        return EXIT_INVALID
    return EXIT_OK


def _presets_used(plan: Plan) -> list[dict[str, str]]:
    """Every preset the plan names, where, and its source and date (planner/plan/presets.py)."""
    from planner.plan import presets
    from planner.plan.paths import plan_data

    data = plan_data(plan) | {"uncertainty": plan.uncertainty or {}}
    out = []
    for where, kind, name in presets.used(data):
        table, _, key = where.partition("] ")  # "[uncertainty] PATH": the table, then the key
        p = presets.get(kind, name, file=str(plan.source) if plan.source else None, table=table + "]", key=key or None)
        out.append({"where": where, "kind": kind, "name": name, "source": p.source, "published": p.published})
    return out


_OBJECTIVES = {
    "probability": "the chance of finishing before the deadline",
    "earliest": "the goal as early as possible",
    "value": "the expected value finished in time",
}


def _deadline_words(plan: Plan, base: Instance) -> str:
    """The deadline as the plan states it, in words (not the model's internal scenario count)."""
    d = plan.deadline
    if d is None:
        return "none"
    years = d.years if d.years is not None else None if d.year is None else d.year - base.start_year
    if years is not None:
        plural = "" if years == 1 else "s"
        return f"fixed, the start of {base.start_year + years:g} ({years:g} year{plural} from the start)"
    if d.scenarios is not None:
        k = len(d.scenarios)
        return f"{k} possible date{'s' if k != 1 else ''}, each with its probability"
    from planner.plan.schema import DeadlinePreset, Lognormal, Percentiles

    dist = d.distribution  # the one left: Deadline takes exactly one of years, year, scenarios, distribution
    if isinstance(dist, Lognormal):
        text = f"uncertain, lognormal with median {dist.median:g} years from the start"
    elif isinstance(dist, Percentiles):
        text = f"uncertain, a CDF through {len(dist.points)} percentile points"
    elif isinstance(dist, DeadlinePreset):
        points = dist.percentiles(base.start_year).points
        text = f"uncertain, the preset '{dist.preset}': a CDF through {len(points)} percentile points"
    else:  # no distribution either (Deadline refuses that): say only what is known
        text = "uncertain"
    return (
        text
        + (f", probability {d.p_never:g} of never" if d.p_never else "")
        + "; counted year by year (one step per period)"
    )


def _lint(plan: Plan, *, quiet: bool = False) -> list[Warning]:
    """The plan's pitfalls, each printed as a warning on stderr (unless `quiet`)."""
    from planner.plan.lint import lint

    found = lint(plan)
    if not quiet:
        for w in found:
            print(f"planner: warning: {plan.source or 'plan'}: {w}", file=sys.stderr)
    return found


def _solve(args: argparse.Namespace) -> int:
    from planner.pipeline.session import solve

    _check_result_type(args.output)
    plan = load_plan(args)
    check_outputs(args, plan, *_result_files(args.output))
    _lint(plan)
    if args.intervention:
        plan.intervention(args.intervention)  # a clear error for an unknown name, before solving
    with solver_log(args), live(args):
        result = solve(plan, args.intervention, solver=args.solver, **solver_options(args))
    if not result.interrupted:
        _write(args.output, result)
    if args.json:
        print(result.to_json(allocation=True))
    else:
        from planner.report import print_result

        print_result(result, console(), schedule=args.schedule)
    if result.interrupted:
        return _interrupted(args.output, [])
    return EXIT_OK if result.solved else _no_solution(result)


def _compare(args: argparse.Namespace) -> int:
    from planner.analysis.compare import compare

    _check_result_type(args.output)
    plan = load_plan(args)
    check_outputs(args, plan, *_result_files(args.output))
    _lint(plan)
    with solver_log(args), live(args):
        comparison = compare(
            plan,
            solver=args.solver,
            interventions=args.only,
            on_result=variant_done(1 + len(args.only or plan.interventions)),
            **solver_options(args),
        )
    if comparison.interrupted:
        if comparison.baseline is not None:
            if args.json:
                print(comparison.to_json(allocation=False))
            else:
                from planner.report import print_comparison

                print_comparison(comparison, console(), schedule=args.schedule)
        return _interrupted(args.output, comparison.not_run)
    _write(args.output, comparison)
    robustness = _robustness(args, plan, comparison)
    if args.json:
        print(json.dumps(with_robustness(comparison.to_dict(allocation=False), robustness), indent=2))
    else:
        from planner.report import print_comparison, print_robustness

        out = console()
        print_comparison(comparison, out, schedule=args.schedule)
        if robustness is not None:
            print_robustness(comparison, robustness, out)
    unsolved = [r for r in comparison.results() if not r.solved]  # not interrupted: the baseline first
    return _no_solution(unsolved[0]) if unsolved else EXIT_OK


def _robustness(
    args: argparse.Namespace, plan: Plan, comparison: Comparison, *, top_breakeven: bool = False
) -> Robustness | None:
    """How far each verdict is from flipping, and its Monte Carlo spread; None without a
    solved baseline (nothing to flip)."""
    if args.flip is None:
        args.flip = not flips_are_slow(plan)
        if not args.flip and sys.stderr.isatty():
            print(
                "not searching how far each verdict is from flipping: the plan has whole-unit staffing or "
                "a level choice, so each of its ~30 solves a flip takes is a MIP (--flip searches anyway)",
                file=sys.stderr,
            )
    if (
        comparison.baseline is None
        or not comparison.baseline.solved
        or not (args.flip or (plan.uncertainty and args.samples))
    ):
        return None
    from planner.analysis.robustness import verdict_robustness

    if sys.stderr.isatty():
        print(
            ("checking how far each verdict is from flipping" if args.flip else "checking the verdicts")
            + (f" and sampling [uncertainty] {args.samples} times" if plan.uncertainty and args.samples else ""),
            file=sys.stderr,
            flush=True,
        )
    options = {k: v for k, v in solver_options(args).items() if k != "verbose"}
    with solver_log(args):
        return verdict_robustness(
            plan,
            comparison,
            samples=args.samples,
            seed=args.seed,
            solver=args.solver,
            top_breakeven=top_breakeven,
            flips=args.flip,
            **options,
        )


def flips_are_slow(plan: Plan) -> bool:
    """Whether the flip searches are left out unless asked for (`--flip`): a stream with whole-unit
    staffing (contiguous, min_staff, fixed_crew, whole people) or an intervention that chooses its
    level makes every one of their solves a MIP that branches (models/serial_lair.toml: 50 s
    instead of 3). A rule of the plan, not of the clock, so the output is the same on any machine."""
    from planner.plan.lint import whole_unit_streams

    return bool(whole_unit_streams(plan)) or any(iv.choose for iv in plan.interventions)


def with_robustness(data: dict[str, Any], robustness: Robustness | None) -> dict[str, Any]:
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
    parts = [
        "interrupted: the results above are what finished"
        + ("; the solve under way shows its best plan so far" if not not_run else "")
    ]
    if not_run:
        parts.append("not run: " + ", ".join(not_run))
    if output is not None:
        parts.append(f"{output} was not written (run again to write it)")
    error("; ".join(parts))
    return EXIT_INTERRUPTED


def _no_solution(result: Result) -> int:
    error(f"{result.variant}: no solution ({result.status}): {result.message}")
    return EXIT_NO_SOLUTION


def _check_result_type(path: Path | None) -> None:
    if path is not None:
        check_suffix(path, (".json", ".csv"), "the output file")


def _result_files(path: Path | None) -> list[tuple[str, Path | None]]:
    """What solve and compare -o write: the file, and for a .csv its summary beside it."""
    if path is None or path.suffix.lower() != ".csv":
        return [("-o", path)]
    return [("-o", path), ("-o", summary_path(path))]


def _write(path: Path | None, result: Result | Comparison) -> None:
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


def _solve_for_output(args: argparse.Namespace, plan: Plan) -> tuple[Plan, Comparison]:
    """Solve the baseline and every intervention, for charts and reports (interrupts stop here)."""
    from planner.analysis.compare import compare

    _lint(plan)
    comparison = compare(
        plan, solver=args.solver, on_result=variant_done(1 + len(plan.interventions)), **solver_options(args)
    )
    if comparison.interrupted:
        raise KeyboardInterrupt
    return plan, comparison


def _plot(args: argparse.Namespace) -> int:
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


def _report(args: argparse.Namespace) -> int:
    check_suffix(args.output, (".html", ".md"), "the report")
    plan = load_plan(args)
    from planner.report.html_report import write_html
    from planner.report.markdown_report import markdown_charts, write_markdown

    charts = markdown_charts(args.output, plan) if args.output.suffix.lower() == ".md" else []
    check_outputs(args, plan, ("-o", args.output), *(("-o", png) for png in charts))
    plan, comparison = _solve_for_output(args, plan)
    args.json = False  # for _robustness's solver log: a report has no JSON on stdout
    robustness = _robustness(args, plan, comparison, top_breakeven=True)
    if args.output.suffix.lower() == ".html":
        write_html(plan, comparison, args.output, robustness)
    else:
        write_markdown(plan, comparison, args.output, robustness)
    print(f"wrote {args.output}")
    unsolved = [r for r in comparison.results() if not r.solved]
    return _no_solution(unsolved[0]) if unsolved else EXIT_OK  # the report says so too


def _init(args: argparse.Namespace) -> int:
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


def _import_psplib(args: argparse.Namespace) -> int:
    from planner.rcpsp import conversion, optima, plan_file, psplib, reference

    if args.instance.suffix.lower() != psplib.SUFFIX:
        raise UsageError(
            f"{args.instance}: a PSPLIB single-mode instance must end in .sm "
            "(multi-mode .mm and other formats are not supported)"
        )
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
    print(
        f"wrote {args.output}: {len(data['streams'])} streams, {len(data['pools'])} pools, horizon "
        f"{horizon} (serial SGS makespan); solve it with `planner solve {args.output}`"
    )
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "check": _check,
    "solve": _solve,
    "compare": _compare,
    "plot": _plot,
    "report": _report,
    "init": _init,
    "import-psplib": _import_psplib,
}
