"""The page as HTML, every piece the server sends: the whole page, the answer (verdict, comparison
table, why, charts), the controls, and the errors beside them. Text from the plan is escaped
everywhere it appears (names, paths, messages), in text and in attributes alike.

The verdict, the table and the explanation are the report's own (planner/report/words.py,
sections.py), so the page and `planner report` say the same thing in the same words."""

from __future__ import annotations

import io
from html import escape as e

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from planner.plan.paths import get, plan_data
from planner.plan.schema import Plan
from planner.report.sections import COMPARISON_HEAD, comparison_rows
from planner.report.words import deadline_words, goal_words, objective_words, report_baseline, verdict
from planner.result import Comparison
from planner.web.changes import State, value_text
from planner.web.controls import Control, folded

CSS = """body{font-family:system-ui,sans-serif;margin:0;color:#222;overflow-wrap:anywhere}
header{padding:.6em 1em;background:#f3f3f3;border-bottom:1px solid #ccc}header h1{font-size:1.3em;margin:0}
main{display:flex;gap:1em;padding:0 1em}#controls{flex:0 0 24em;max-height:calc(100vh - 5em);overflow:auto}
#answer{flex:1;min-width:0}#verdict{font-size:1.25em;background:#fff6e0;padding:.7em 1em;border-left:5px solid #d62728}
label{display:block;font-size:.85em;margin:.35em 0 .1em}input[type=number]{width:9em}input[type=range]{width:12em}
.err{display:block;color:#b00020;font-size:.8em}.err:empty{display:none}fieldset{margin:.5em 0}
details>summary{cursor:pointer;font-weight:600}table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top;overflow-wrap:normal}
th{background:#f3f3f3}
img.chart{width:100%;max-width:900px;height:auto;display:block}.htmx-indicator{display:none}
.htmx-request .htmx-indicator,.htmx-request.htmx-indicator{display:inline}#solving{color:#555}
.bar{height:.6em;background:#ddd;width:20em}.bar>div{height:100%;background:#1f77b4}
button,a.button{margin:.2em .3em .2em 0}"""


def svg(fig: Figure) -> str:
    """A figure as an SVG document (closed after)."""
    buf = io.StringIO()
    with plt.rc_context({"svg.fonttype": "path"}):
        fig.savefig(buf, format="svg")
    plt.close(fig)
    return buf.getvalue()


def _control(c: Control, k: int, value: object, error: str) -> str:
    """One control: its label, a number field named by its path (and a slider over the plan's
    [uncertainty] range, which sets the field), and its error."""
    shown = e(value_text(value))
    if c.choices:  # a named preset: one of its kind
        options = "".join(
            f'<option value="{e(name)}"{" selected" if name == value else ""}>{e(name)}</option>' for name in c.choices
        )
        return (
            f'<label for="c{k}">{e(c.label)}</label>'
            f'<select id="c{k}" name="{e(c.path)}" data-path="{e(c.path)}">{options}</select>'
            f"{error_span(k, error)}"
        )
    slider = ""
    if c.slider:
        slider = (
            f'<input type="range" aria-label="{e(c.label)}" min="{c.low:g}" max="{c.high:g}" step="{c.step:g}" '
            f'value="{shown}" oninput="document.getElementById(\'c{k}\').value=this.value">'
        )
    follow = ' oninput="this.previousElementSibling.value=this.value"' if c.slider else ""  # the slider follows
    return (
        f'<label for="c{k}">{e(c.label)}</label>{slider}'
        f'<input type="number" step="any" id="c{k}" name="{e(c.path)}" data-path="{e(c.path)}" value="{shown}"{follow}>'
        f"{error_span(k, error)}"
    )


def error_span(k: int, error: str, *, oob: bool = False) -> str:
    """Where a control's error goes (out of band: swapped in by id wherever the response lands)."""
    swap = ' hx-swap-oob="true"' if oob else ""
    return f'<span class="err" id="err-c{k}" role="alert"{swap}>{e(error)}</span>'


def controls_form(base: Plan, state: State, controls: list[Control]) -> str:
    """The controls, grouped (Deadline, Interventions, Pools, Streams, Plan; each intervention,
    pool and stream its own fold), with the values of the state's plan and its errors. Changes
    no control shows (from a `?set=` link) ride along as hidden fields."""
    data = plan_data(state.plan)
    shown = {c.path for c in controls}
    parts = [
        '<form id="controls" hx-get="/answer" hx-target="#answer" hx-swap="innerHTML" hx-sync="this:replace" '
        'hx-trigger="change, submit, input[target.type==\'range\'] delay:150ms" hx-indicator="#solving" '
        "hx-on::before-request=\"this.querySelectorAll('.err').forEach(s => s.textContent = '')\">"
    ]
    for path, value in state.changes.items():
        if path not in shown:
            parts.append(f'<input type="hidden" name="{e(path)}" value="{e(value_text(value))}">')
    other = [f"{p}: {m}" for p, m in state.errors.items() if p not in shown]
    parts.append(f'<div id="errors" class="err" role="alert">{"<br>".join(e(m) for m in other)}</div>')
    group = item = None
    for k, c in enumerate(controls):
        if c.group != group:
            if item is not None:
                parts.append("</details>")
            if group is not None:
                parts.append("</fieldset>")
            parts.append(f"<fieldset><legend>{e(c.group)}</legend>")
            group, item = c.group, None
        if c.item != item:
            if item is not None:
                parts.append("</details>")
            item = c.item
            if item:
                parts.append(f"<details{'' if folded(base, c.group) else ' open'}><summary>{e(item)}</summary>")
        parts.append(_control(c, k, get(data, c.path), state.errors.get(c.path, "")))
    if item:
        parts.append("</details>")
    if group is not None:
        parts.append("</fieldset>")
    parts.append("</form>")
    return "".join(parts)


def errors_oob(state: State, controls: list[Control]) -> str:
    """The error spans of the controls whose values were refused, and the list of other errors,
    swapped in place. The form empties every error span as it sends a request (`controls_form`):
    a swap for each control would cost the browser about a millisecond each."""
    shown = {c.path for c in controls}
    other = "<br>".join(e(f"{p}: {m}") for p, m in state.errors.items() if p not in shown)
    spans = [error_span(k, state.errors[c.path], oob=True) for k, c in enumerate(controls) if c.path in state.errors]
    return "".join(spans) + f'<div id="errors" class="err" role="alert" hx-swap-oob="true">{other}</div>'


def answer(state: State, c: Comparison, seconds: float, *, interventions: list[str], paths: list[str]) -> str:
    """The answer to the state: verdict, baseline in words, comparison table, why, charts, the
    downloads, and the Monte Carlo and break-even buttons (their requests carry the state)."""
    b = report_baseline(c)
    q = state.query()
    rows = "".join("<tr>" + "".join(f"<td>{e(x)}</td>" for x in row) + "</tr>" for row in comparison_rows(c))
    head = ["variant", COMPARISON_HEAD[b.objective_kind], "change", "goal done by the start of", "deadline", "status"]
    why = [("baseline", c.baseline_reason or b.explanation)] + [(iv.name, iv.reason) for iv in c.interventions]
    charts = [
        ("deadline", "deadline", "The deadline's CDF with each variant's goal year marked", True),
        *[
            (f"schedule-{i}", "schedule", f"Schedule of '{r.variant}'", i < 2)
            for i, r in enumerate(c.results())
            if r.allocation is not None
        ],
    ]
    figs = []
    for name, kind, caption, open_ in charts:
        img = f'<img class="chart" data-kind="{kind}" loading="lazy" alt="{e(caption)}" src="/chart/{name}.svg?{e(q)}">'
        figs.append(f"<details{' open' if open_ else ''}><summary>{e(caption)}</summary>{img}</details>")
    ivs = "".join(f'<option value="{e(n)}">{e(n)}</option>' for n in interventions)
    vary = "".join(f'<option value="{e(p)}">{e(p)}</option>' for p in paths)
    return (
        f'<p id="verdict">{e(verdict(c))}</p>'
        f'<p id="baseline">Baseline: {e(objective_words(b))}; {e(goal_words(b))}; deadline {e(deadline_words(b))}.</p>'
        f'<table class="comparison"><thead><tr>{"".join(f"<th>{e(h)}</th>" for h in head)}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
        f'<p id="status" data-seconds="{seconds:.4f}">Solved in {seconds:.2f} s; every schedule re-checked by '
        "code independent of the solver.</p>"
        f'<p><a class="button" id="download-plan" href="/download/plan.toml?{e(q)}" download>download plan</a>'
        f'<a class="button" id="download-report" href="/download/report.html?{e(q)}" download>download report</a></p>'
        '<h2>Why</h2><ul id="why">'
        + "".join(f"<li><b>{e(n)}</b>: {e(r)}</li>" for n, r in why if r)
        + "</ul><h2>Charts</h2>"
        + "".join(figs)
        + '<h2>How firm is it?</h2><div id="analyses">'
        f'<button id="run-montecarlo" hx-post="/montecarlo?{e(q)}" hx-target="#montecarlo" '
        'hx-include="#mc-samples">Monte Carlo: P(harm), range, tornado</button>'
        '<label for="mc-samples">samples</label>'
        '<input type="number" id="mc-samples" name="n" value="100" min="1" max="2000">'
        '<div id="montecarlo"></div>'
        f'<form id="breakeven-form" hx-get="/breakeven?{e(q)}" hx-target="#breakeven" hx-indicator="#be-running">'
        f'<label>intervention <select name="intervention">{ivs}</select></label>'
        f'<label>vary <select name="vary">{vary}</select></label>'
        '<label>from <input type="number" step="any" name="low" placeholder="0 or value-10"></label>'
        '<label>to <input type="number" step="any" name="high" placeholder="10x or value+10"></label>'
        '<button id="run-breakeven">Break-even</button> <span id="be-running" class="htmx-indicator">searching…</span>'
        '</form><div id="breakeven"></div></div>'
    )


def page(base: Plan, state: State, controls: list[Control], body: str) -> str:
    """The whole page: header, controls, and the answer `body` (see `answer`)."""
    name = base.plan.name or (base.source.name if base.source else "plan")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{e(name)} · planner</title><style>{CSS}</style>"
        # no snapshots of the page in sessionStorage: the address is the state, so going back reloads it
        '<meta name="htmx-config" content=\'{"historyCacheSize": 0, "refreshOnHistoryMiss": true}\'>'
        '<script src="/static/htmx.min.js"></script></head><body hx-history="false">'
        f'<header><h1 id="plan-name">{e(name)}</h1>Change a number: the verdict, the table and the charts follow; '
        "the address bar keeps the changes, so a link reproduces this view. "
        '<span id="solving" class="htmx-indicator">solving…</span></header>'
        f'<main>{controls_form(base, state, controls)}<div id="answer">{body}</div></main></body></html>'
    )


def message(text: str) -> str:
    """A paragraph that says why there is no answer to show."""
    return f'<p class="err" role="alert">{e(text)}</p>'


def comment_safe(text: str) -> str:
    """Text for a one-line comment (line breaks and control characters become spaces)."""
    return "".join(ch if ch.isprintable() else " " for ch in text)
