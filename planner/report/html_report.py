"""The whole report as one self-contained HTML page: the question, the verdict first, the
assumptions, the comparison, the charts inline as SVG (no network), each variant's schedule, and
why."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from planner.analysis.robustness import Robustness
from planner.files import write_atomic
from planner.plan.schema import Plan
from planner.report.assumptions import assumptions, plan_notes
from planner.report.sections import (
    COMPARISON_HEAD,
    QUESTION,
    STREAM_HEAD,
    Section,
    comparison_charts,
    comparison_rows,
    policy_sections,
    robustness_answer,
    robustness_sections,
    stream_rows,
)
from planner.report.words import deadline_words, goal_words, objective_words, report_baseline, verdict
from planner.result import Comparison

CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .6em;
text-align:left;vertical-align:top}th{background:#f3f3f3}#verdict{font-size:1.3em;background:#fff6e0;
padding:.7em 1em;border-left:5px solid #d62728}figure.chart{margin:1em 0 2em}figure.chart svg{width:100%;
height:auto;display:block}figcaption{color:#555;font-size:.9em}.sourced{color:#1a7f37;font-weight:bold}
pre.notes{white-space:pre-wrap;background:#f7f7f7;padding:.7em;font-size:.85em}"""


def _svg(fig: Figure, salt: str) -> str:
    """The figure as inline SVG (without the XML prologue); `salt` keeps element ids unique."""
    buf = io.StringIO()
    with plt.rc_context({"svg.hashsalt": salt, "svg.fonttype": "path"}):
        fig.savefig(buf, format="svg")
    plt.close(fig)
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    # ids must be unique in the page: those referenced (clip paths, glyphs) get the salt as a
    # prefix, the rest (matplotlib's gids such as "deadline") become classes
    referenced = set(re.findall(r"#([^\s\"')]+)", text)) & set(re.findall(r'id="([^"]+)"', text))

    def rename(m: re.Match[str]) -> str:
        name = m.group(1)
        return f'id="{salt}-{name}"' if name in referenced else f'class="{name}"'

    text = re.sub(r'id="([^"]+)"', rename, text)
    return re.sub(r"#([^\s\"')]+)", lambda m: f"#{salt}-{m.group(1)}" if m.group(1) in referenced else m.group(0), text)


def _table(head: list[str], rows: list[list[str]], cls: str = "") -> str:
    e = html.escape
    th = "".join(f"<th>{e(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'


def html_report(
    plan: Plan, c: Comparison, robustness: Robustness | None = None, sections: Sequence[Section] = ()
) -> str:
    """The report as one HTML page with everything inline; `robustness` (from
    `planner.analysis.robustness.verdict_robustness`) adds the flip points to the answer and, with
    a Monte Carlo run, its sections; `sections` are further ones after them (e.g. the atlas's,
    `planner.report.atlas_charts.atlas_section`)."""
    e = html.escape
    b = report_baseline(c)
    title = b.plan or "plan"
    parts = [
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{e(title)}</title>"
        f"<style>{CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f"<h2>The question</h2><p>{e(QUESTION[b.objective_kind])}</p>",
        f"<h2>The answer</h2><p id='verdict'>{e(verdict(c))}</p>",
        f"<p id='robustness'>{e(robustness_answer(c, robustness))}</p>" if robustness else "",
        f"<p>Baseline: {e(objective_words(b))}; {e(goal_words(b))}; deadline {e(deadline_words(b))}.</p>",
    ]
    notes = plan_notes(plan)
    rows = [
        [e(what), e(name), e(text), f"<span class='sourced'>{e(src)}</span>" if src.startswith("sourced") else e(src)]
        for what, name, text, src in assumptions(plan)
    ]
    parts += ["<h2>Assumptions</h2>", _table(["what", "name", "value", "source"], rows, "assumptions")]
    if notes:
        parts.append(
            f"<p>The plan file's own notes (what is sourced and what is assumed):</p>"
            f"<pre class='notes'>{e(notes)}</pre>"
        )
    head = ["variant", COMPARISON_HEAD[b.objective_kind], "change", "goal done by the start of", "deadline", "status"]
    parts += [
        "<h2>Comparison</h2>",
        _table(head, [[e(x) for x in row] for row in comparison_rows(c)], "comparison"),
        "<p>Changes in probability are in percentage points (pp). Years are calendar years; a stream "
        "'done by the start of 2051' has finished its work by 1 January 2051.</p>",
        "<h2>Charts</h2>",
    ]
    for k, (kind, _, caption, fig) in enumerate(comparison_charts(c)):
        parts.append(
            f"<figure class='chart' data-kind='{kind}'>{_svg(fig, f'chart{k}')}"
            f"<figcaption>{e(caption)}</figcaption></figure>"
        )
    for sec in policy_sections(c) + robustness_sections(plan, c, robustness) + list(sections):
        parts += [f"<h2>{e(sec.title)}</h2>", f"<p>{e(sec.text)}</p>"]
        if sec.head:
            parts.append(_table(sec.head, [[e(x) for x in row] for row in sec.rows], "robustness"))
        else:
            parts += [f"<p>{e(line)}</p>" for line in sec.lines]
        for kind, slug, caption, fig in sec.charts:
            parts.append(
                f"<figure class='chart' data-kind='{kind}'>{_svg(fig, slug)}"
                f"<figcaption>{e(caption)}</figcaption></figure>"
            )
    parts.append("<h2>Schedules by stream</h2>")
    for r in c.results():
        parts.append(f"<h3>{e(r.variant)}</h3>")
        parts.append(_table(STREAM_HEAD, [[e(x) for x in row] for row in stream_rows(r)], "streams"))
    parts.append("<h2>Why</h2><ul>")
    for name, reason in [("baseline", c.baseline_reason or b.explanation)] + [
        (iv.name, iv.reason) for iv in c.interventions
    ]:
        if reason:
            parts.append(f"<li><b>{e(name)}</b>: {e(reason)}</li>")
    parts.append(
        "</ul><p>Every schedule above was re-checked against the model's rules by code "
        "independent of the solver.</p></body></html>"
    )
    return "\n".join(parts)


def write_html(
    plan: Plan, c: Comparison, path: Path, robustness: Robustness | None = None, sections: Sequence[Section] = ()
) -> Path:
    """`html_report` written to `path` (atomically: a reader never sees half a page)."""
    return write_atomic(path, html_report(plan, c, robustness, sections))
