"""The whole report as Markdown with its charts as PNGs beside it: the same sections as the HTML
page, every text from the plan escaped so the page renders no HTML or link the plan wrote."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib.pyplot as plt

from planner.analysis.robustness import Robustness
from planner.files import write_atomic, write_figure
from planner.plan.schema import Plan
from planner.report.assumptions import assumptions, plan_notes
from planner.report.sections import (
    COMPARISON_HEAD,
    QUESTION,
    STREAM_HEAD,
    comparison_charts,
    comparison_rows,
    policy_sections,
    robustness_answer,
    robustness_sections,
    stream_rows,
)
from planner.report.words import deadline_words, goal_words, objective_words, report_baseline, verdict
from planner.result import Comparison


def _md(text: object) -> str:
    """Any text as literal Markdown: a name from the plan can open no tag, link, emphasis, code span
    or table cell, and its newlines cannot start a block (a heading, a list, raw HTML)."""
    text = " ".join(str(text).splitlines())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\g<0>", text)


_MD_SPECIAL = re.compile(r"[\\`*_\[\]|~]")


def _md_table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(map(_md, head)) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(map(_md, row)) + " |" for row in rows]
    return "\n".join(lines)


def _md_code_block(text: str) -> str:
    """`text` verbatim in a fence longer than any run of backticks inside it, so it cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{text}\n{fence}"


def markdown_charts(path: Path, plan: Plan) -> list[Path]:
    """Every PNG `write_markdown(plan, ..., path)` may write beside `path`, known before any solve
    so that each can be checked: `<name>-comparison.png`, `-deadline`, `-schedule-<k>` (k = 0 for
    the baseline, then each intervention in the plan's order) and `-staffing`."""
    slugs = ["comparison", "deadline", *(f"schedule-{k}" for k in range(1 + len(plan.interventions))), "staffing"]
    if plan.uncertainty:  # the Monte Carlo, tornado and break-even charts, per intervention
        slugs += [
            f"{kind}-{k}"
            for k in range(1, 1 + len(plan.interventions))
            for kind in ("montecarlo", "tornado", "breakeven")
        ]
    return [_png(Path(path), slug) for slug in slugs]


def _png(path: Path, slug: str) -> Path:
    """The PNG of chart `slug` beside the report at `path`: `<name>-<slug>.png`."""
    return path.with_name(f"{path.stem}-{slug}.png")


def write_markdown(plan: Plan, c: Comparison, path: Path, robustness: Robustness | None = None) -> Path:
    """The report as Markdown, its charts as PNGs beside it (see `markdown_charts`). Every text
    from the plan goes through `_md`, so the page renders no HTML or link the plan wrote."""
    path = Path(path)
    b = report_baseline(c)
    out = [
        f"# {_md(b.plan or 'plan')}",
        "",
        "## The question",
        "",
        QUESTION[b.objective_kind],
        "",
        "## The answer",
        "",
        f"**{_md(verdict(c))}**",
        "",
        *([_md(robustness_answer(c, robustness)), ""] if robustness else []),
        _md(f"Baseline: {objective_words(b)}; {goal_words(b)}; deadline {deadline_words(b)}."),
        "",
        "## Assumptions",
        "",
        _md_table(["what", "name", "value", "source"], [list(row) for row in assumptions(plan)]),
        "",
    ]
    notes = plan_notes(plan)
    if notes:
        out += ["The plan file's own notes:", "", _md_code_block(notes), ""]
    head = ["variant", COMPARISON_HEAD[b.objective_kind], "change", "goal done by the start of", "deadline", "status"]
    out += [
        "## Comparison",
        "",
        _md_table(head, comparison_rows(c)),
        "",
        "Changes in probability are in percentage points (pp). Years are calendar years.",
        "",
        "## Charts",
        "",
    ]
    for kind, slug, caption, fig in comparison_charts(c):
        png = _png(path, slug)
        write_figure(png, fig, dpi=110)
        plt.close(fig)
        out += [f"![{kind}]({png.name})", "", f"*{_md(caption)}*", ""]
    for sec in policy_sections(c) + robustness_sections(plan, c, robustness):
        out += [f"## {_md(sec.title)}", "", _md(sec.text), ""]
        out += [_md_table(sec.head, sec.rows), ""] if sec.head else [x for line in sec.lines for x in (_md(line), "")]
        for kind, slug, caption, fig in sec.charts:
            png = _png(path, slug)
            write_figure(png, fig, dpi=110)
            plt.close(fig)
            out += [f"![{kind}]({png.name})", "", f"*{_md(caption)}*", ""]
    out += ["## Schedules by stream", ""]
    for r in c.results():
        out += [f"### {_md(r.variant)}", "", _md_table(STREAM_HEAD, stream_rows(r)), ""]
    out += ["## Why", ""]
    for name, reason in [("baseline", c.baseline_reason or b.explanation)] + [
        (iv.name, iv.reason) for iv in c.interventions
    ]:
        if reason:
            out.append(f"- **{_md(name)}**: {_md(reason)}")
    return write_atomic(path, "\n".join(out) + "\n")
