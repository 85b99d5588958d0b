"""What a whole report says, whatever its format: the question, the comparison and stream tables,
the charts with their captions, and the robustness sections. `html_report` and `markdown_report`
lay these out; the chart slugs are those `markdown_report.markdown_charts` lists."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from matplotlib.figure import Figure

from planner.analysis.montecarlo import MonteCarloResult
from planner.analysis.robustness import Robustness
from planner.plan.schema import Plan
from planner.report.analysis_charts import breakeven_chart, montecarlo_chart, tornado_chart
from planner.report.comparison_charts import comparison_chart, deadline_chart
from planner.report.schedule_charts import schedule_chart, staffing_chart
from planner.report.words import (
    calendar,
    deadline_words,
    delta_cell,
    effect,
    goal_cell,
    number,
    objective_cell,
    report_baseline,
    robustness_words,
)
from planner.result import Comparison, PolicyBranch, Result

QUESTION = {
    "probability": "What is the best chance of finishing the required alignment work before the deadline "
    "(AGI arrival), and does each intervention, such as capabilities work, raise it or lower it?",
    "earliest": "How early can the required alignment work be finished, and does each intervention, such "
    "as capabilities work, make it earlier or later?",
    "value": "How much of the valued alignment work can be finished before the deadline (AGI arrival), "
    "and does each intervention, such as capabilities work, raise it or lower it?",
}

COMPARISON_HEAD = {
    "probability": "chance before the deadline (probability)",
    "earliest": "goal after",
    "value": "expected value",
}

STREAM_HEAD = [
    "stream",
    "effort (effective person-years)",
    "done (effective person-years)",
    "starts (year)",
    "done",
    "required",
]


class Chart(NamedTuple):
    """One chart of a report: its kind, the slug naming its PNG beside a Markdown report (it
    depends only on the plan, not on what was solved), its caption and the figure."""

    kind: str
    slug: str
    caption: str
    figure: Figure


@dataclass
class Section:
    """A robustness section: a title, a paragraph, then a table (`head` and `rows`) or, without a
    head, one paragraph per line of `lines`; then its charts."""

    title: str
    text: str
    head: list[str] | None
    rows: list[list[str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


BRANCH_CHARTS = 3  # a policy's most likely branches drawn as schedules


def branch_result(r: Result, branch: PolicyBranch) -> Result:
    """`r` with the schedule of one policy branch (attempts of a stream summed), for its chart."""
    names = [s.name for s in r.streams]
    u = np.zeros_like(r.allocation) if r.allocation is not None else None
    for label, row in branch.allocation.items():
        if u is not None:
            u[names.index(label.rpartition(" #")[0])] += row
    start: dict[str, float] = {}
    for a in branch.attempts:
        start.setdefault(a["stream"], a["start_years"])
    done = {a["stream"]: a["finish_years"] for a in branch.attempts if a["works"]}
    streams = [dataclasses.replace(s, start_years=start.get(s.name), finish_years=done.get(s.name)) for s in r.streams]
    return dataclasses.replace(r, allocation=u, streams=streams, goal_completion_years=branch.goal_years)


def _outcomes(branch: PolicyBranch) -> str:
    """'A: works at attempt 2, B: fails'."""
    return ", ".join(f"{n}: " + (f"works at attempt {a}" if a else "fails") for n, a in branch.outcomes.items())


def comparison_charts(c: Comparison) -> list[Chart]:
    """Every chart of the comparison: the variants, the deadline CDF (with one), each variant's
    schedule and the baseline's staffing."""
    out = [
        Chart(
            "comparison",
            "comparison",
            "Baseline against each intervention: the bar runs to the year the goal is done; "
            "the red tick is the deadline each variant faced (or its median).",
            comparison_chart(c),
        )
    ]
    if any(r.deadline_years is not None and len(r.deadline_years) for r in c.results()):
        out.append(
            Chart(
                "deadline",
                "deadline",
                "The deadline's CDF as the model counts it, with each variant's goal year: "
                "the chance reported is 1 minus the CDF just before the goal year.",
                deadline_chart(c),
            )
        )
    for i, r in enumerate(c.results()):
        if r.allocation is None:
            continue
        out.append(
            Chart(
                "schedule",
                f"schedule-{i}",
                f"Schedule of '{r.variant}': one bar per stream, darker where more people "
                "work on it; hatched red bars are serial work (calendar time, not people, limits it), "
                "blue bars parallel; arrows are precedence links."
                + (" A policy: this is its most likely branch; the next ones follow." if r.policy else ""),
                schedule_chart(r),
            )
        )
        for k, branch in enumerate(r.policy[1:BRANCH_CHARTS], 1):
            out.append(
                Chart(
                    "schedule",
                    f"schedule-{i}-branch-{k}",
                    f"'{r.variant}', branch {k + 1} by likelihood (probability {branch.probability:.3f}; "
                    f"outcomes {_outcomes(branch)}).",
                    schedule_chart(branch_result(r, branch)),
                )
            )
    b = c.baseline
    if b is not None and b.allocation is not None:
        out.append(
            Chart(
                "staffing",
                "staffing",
                "Staffing of the baseline: each pool's FTE in use, stacked by stream, against its supply.",
                staffing_chart(b),
            )
        )
    return out


def robustness_answer(c: Comparison, robustness: Robustness | None) -> str:
    """Beside the point verdict: how far each intervention is from flipping, and its Monte Carlo
    P(harm) and 5-95% range ("" without a robustness run)."""
    if robustness is None or c.baseline is None:
        return ""
    kind = c.baseline.objective_kind
    return " ".join(t for t in (robustness_words(kind, robustness, r) for r in robustness.interventions) if t)


def _pp(kind: str, x: float | None) -> str:
    return "" if x is None else effect(kind, x)


def robustness_sections(plan: Plan, c: Comparison, robustness: Robustness | None) -> list[Section]:
    """The report's Monte Carlo, tornado and break-even sections (none without a Monte Carlo run)."""
    mc = robustness.montecarlo if robustness is not None else None
    if robustness is None or not isinstance(mc, MonteCarloResult) or c.baseline is None:
        return []
    kind = c.baseline.objective_kind
    names = [iv.name for iv in plan.interventions]
    monte = Section(
        "Monte Carlo",
        f"{robustness.samples} samples of the plan's [uncertainty] table (seed {robustness.seed}); each sample "
        f"solves the baseline and every intervention. P(harm) is the share of samples where the intervention "
        f"loses; the range is the 5th to the 95th percentile of its effect.",
        ["intervention", "samples", "P(harm)", "mean effect", "5%", "95%"],
        [
            [
                r.name,
                f"{robustness.samples}",
                number(r.p_harm, ".2f") if r.p_harm is not None else "",
                _pp(kind, r.mean),
                _pp(kind, r.p5),
                _pp(kind, r.p95),
            ]
            for r in robustness.interventions
        ],
    )
    tornado = Section(
        "Tornado",
        "The Spearman rank correlation of each sampled input with each intervention's effect, largest first. "
        "An input that sets another intervention cannot change this one and is left out.",
        ["intervention", "input", "rank correlation"],
    )
    flip = Section(
        "Break-even over the most influential input",
        "For each intervention, its effect along the input its effect follows most, over the range the "
        "samples drew; the verdict flips where the effect crosses 0.",
        None,
    )
    for r in robustness.interventions:
        k = names.index(r.name) + 1
        monte.charts.append(
            Chart(
                "montecarlo",
                f"montecarlo-{k}",
                f"'{r.name}': its effect in each sample; red is harm.",
                montecarlo_chart(mc, intervention=r.name, objective=kind),
            )
        )
        for row in mc.tornado(r.name).itertuples(index=False):
            rho = row.rank_correlation
            tornado.rows.append([r.name, row.input, "no variation" if rho != rho else number(rho, "+.2f")])
        tornado.charts.append(
            Chart(
                "tornado",
                f"tornado-{k}",
                f"'{r.name}': what its effect follows.",
                tornado_chart(mc, intervention=r.name),
            )
        )
        be = r.top_breakeven
        if be is not None:
            flip.lines.append(f"{r.name}, along {be.path}: {be.reason}")
            flip.charts.append(
                Chart(
                    "breakeven", f"breakeven-{k}", f"'{r.name}' along {be.path}.", breakeven_chart(be, objective=kind)
                )
            )
    return [monte, tornado] + ([flip] if flip.charts else [])


def policy_sections(c: Comparison) -> list[Section]:
    """One section per variant solved as a policy (research bets): a row per history the plan can
    see, most likely first (branches that differ only in outcomes never revealed are one row)."""
    out = []
    for r in c.results():
        if not r.policy:
            continue
        y0 = r.start_year
        bets = {n for b in r.policy for n in b.outcomes}
        rows: dict[tuple, list] = {}
        for b in r.policy:
            steps = tuple(
                f"{a['stream']} #{a['attempt']} {y0 + a['start_years']:g}-{y0 + a['finish_years']:g}"
                + ((" works" if a["works"] else " fails") if a["stream"] in bets else "")
                for a in b.attempts
            )
            goal = "not met" if b.goal_years is None else f"{y0 + b.goal_years:g}"
            key = (steps, goal)
            rows.setdefault(key, [0.0, steps, goal])[0] += b.probability
        table = [
            [f"{p:.4f}", "; ".join(steps) or "no work", goal]
            for p, steps, goal in sorted(rows.values(), key=lambda x: -x[0])
        ]
        out.append(
            Section(
                title=f"Policy: {r.variant}",
                text=(
                    f"{r.variant} has research bets, so its plan is a policy over {len(r.policy)} outcome "
                    "scenarios: each row is one history the plan can see (which attempts end when, and "
                    "whether they work), with its probability. The allocation in a period depends only "
                    "on the outcomes known by then. The schedule tables and charts show the most likely branch."
                ),
                head=["probability", "attempts (years, outcome)", "goal met"],
                rows=table,
            )
        )
    return out


def comparison_rows(c: Comparison) -> list[list[str]]:
    """One row per variant: objective, change, goal, deadline, status (COMPARISON_HEAD's order)."""
    b = report_baseline(c)
    rows = []
    for r, delta in [(b, None)] + [(iv.result, iv.delta) for iv in c.interventions]:
        rows.append(
            [
                r.variant,
                objective_cell(r),
                delta_cell(r.objective_kind, delta),
                goal_cell(r),
                deadline_words(r),
                r.status,
            ]
        )
    return rows


def stream_rows(r: Result) -> list[list[str]]:
    """One row per stream of a variant, in STREAM_HEAD's order."""
    return [
        [
            s.name,
            f"{s.effort:g}",
            f"{s.effort_done:.4g}",
            "never" if s.start_years is None else calendar(r, s.start_years),
            "never" if s.finish_years is None else f"by the start of {calendar(r, s.finish_years)}",
            "yes" if s.required else "",
        ]
        for s in r.streams
    ]
