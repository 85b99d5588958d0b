"""A whole report on one plan: the question, the verdict first, the assumptions, the comparison,
the charts, each variant's schedule, and why. `write_html` makes one self-contained file (charts
inline as SVG, no network); `write_markdown` writes Markdown with PNG charts beside it."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import matplotlib.pyplot as plt

from planner.files import write_atomic, write_figure
from planner.report import analysis_charts, comparison_charts, schedule_charts
from planner.report.words import (
    calendar,
    deadline_words,
    delta_cell,
    effect,
    goal_cell,
    goal_words,
    number,
    objective_cell,
    objective_words,
    plural,
    robustness_words,
    verdict,
)
from planner.result import Comparison, Result

QUESTION = {
    "probability": "What is the best chance of finishing the required alignment work before the deadline "
    "(AGI arrival), and does each intervention, such as capabilities work, raise it or lower it?",
    "earliest": "How early can the required alignment work be finished, and does each intervention, such "
    "as capabilities work, make it earlier or later?",
    "value": "How much of the valued alignment work can be finished before the deadline (AGI arrival), "
    "and does each intervention, such as capabilities work, raise it or lower it?",
}


def _notes(plan) -> str:
    """The plan file's opening comment block: where its authors say what is sourced and what is not."""
    if plan.source is None or not Path(plan.source).is_file():
        return ""
    lines = []
    for line in Path(plan.source).read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].removeprefix(" "))
    return "\n".join(lines).strip()


CITATION = re.compile(r"sourc|data/|\b[A-Z][A-Za-z]+(?: et al\.?)? \(?(?:19|20)\d\d\b")


def _sourced_tables(plan) -> dict[tuple[str, int], str]:
    """(table kind, index) -> the comment that cites a source for it. A comment block directly
    above a table applies to it and to the tables of the same kind that follow without a comment
    of their own; a SOURCED section in the file's opening notes that names a kind ("Pools",
    "Deadline") applies to every table of that kind. A value's source is whatever its author wrote."""
    if plan.source is None or not Path(plan.source).is_file():
        return {}
    lines = Path(plan.source).read_text(encoding="utf-8").splitlines()
    notes = _notes(plan)
    section = re.search(r"SOURCED[^\n]*\n(.*?)(?:\n\s*\n|\n[A-Z ]{6,}[:(]|\Z)", notes, re.S)
    sourced_kinds = {
        k
        for k in ("pools", "deadline", "streams")
        if section and re.search(rf"\b{k.rstrip('s')}", section.group(1), re.I)
    }
    out: dict[tuple[str, int], str] = {}
    counts: dict[str, int] = {}
    block: list[str] = []
    carried: dict[str, str] = {}
    in_notes = True
    for line in lines:
        text = line.strip()
        if in_notes and text.startswith("#"):
            continue
        in_notes = False
        m = re.match(r"\[\[?(\w+)\]?\]", text)
        if m:
            kind = m.group(1)
            k = counts[kind] = counts.get(kind, 0) + 1
            comment = " ".join(block)
            if comment:
                carried[kind] = comment if CITATION.search(comment) else ""
            if carried.get(kind):
                out[(kind, k)] = carried[kind]
            elif kind in sourced_kinds:
                out[(kind, k)] = "the plan's notes"
            block = []
        elif text.startswith("#"):
            block.append(text.lstrip("# "))
        elif not text:
            continue
        else:
            block = []
    return out


def _supply(value) -> tuple[str, bool]:
    """A pool's supply in words, and whether it comes from a data file (sourced)."""
    if isinstance(value, (int, float)):
        return f"{value:g} FTE every year", False
    if isinstance(value, list):
        return f"{len(value)} yearly values, {value[0]:g} to {value[-1]:g} FTE (the last repeats)", False
    if hasattr(value, "file"):
        return f"column '{value.column}' of {value.file}", True
    cap = f", at most {value.cap:g}" if value.cap is not None else ""
    return f"{value.start:g} FTE, growing {value.growth:.0%} a year{cap}", False


def assumptions(plan) -> list[tuple[str, str, str, str]]:
    """(what, name, value in words, source) rows of the plan's inputs."""
    hdr = plan.plan
    rows = [
        (
            "plan",
            "start",
            f"the start of {hdr.start_year}; {plural(hdr.horizon, 'year')} modelled in "
            f"periods of {plural(hdr.step, 'year')}",
            "plan file",
        ),
        ("plan", "objective", hdr.objective, "plan file"),
    ]
    cited = _sourced_tables(plan)

    def source(kind, k, data_file=False):
        if data_file:
            return "sourced: data file"
        return "sourced: see the plan's notes" if (kind, k) in cited else "plan file (an assumption)"

    for k, q in enumerate(plan.pools, 1):
        text, sourced = _supply(q.supply)
        rows.append(("pool", q.name, text, source("pools", k, sourced)))
    for k, s in enumerate(plan.streams, 1):
        crew = ", ".join(f"{v:g} {k}" for k, v in s.crew_units.items())
        prod = s.productivity if isinstance(s.productivity, (int, float)) else "per-year list"
        parts = [
            f"{s.effort:g} effective person-years",
            f"crew: {crew} FTE per unit",
            f"at least {plural(s.min_duration, 'year')}" if s.min_duration else "no minimum duration",
            f"productivity {prod}",
        ]
        if s.release:
            parts.append(f"not before {hdr.start_year + s.release:g}")
        if s.after:
            parts.append(
                "after "
                + ", ".join(a.stream + (f" (+{plural(a.lag, 'year')})" if a.lag else "") for a in s.predecessors)
            )
        rows.append(("stream", s.name, "; ".join(parts), source("streams", k)))
    d = plan.deadline
    if d is not None:
        if d.years is not None or d.year is not None:
            years = d.years if d.years is not None else d.year - hdr.start_year
            text = f"the start of {hdr.start_year + years:g} ({plural(years, 'year')} from the start)"
        elif d.scenarios is not None:
            text = "; ".join(f"{hdr.start_year + y:g} with probability {p:g}" for y, p in d.scenarios)
        elif d.distribution.kind == "lognormal":
            text = f"lognormal, median {hdr.start_year + d.distribution.median:g}, sigma {d.distribution.sigma:g}"
        else:
            text = "CDF through " + ", ".join(f"P(by {hdr.start_year + y:g}) = {p:g}" for y, p in d.distribution.points)
        rows.append(("deadline", "AGI arrival", text, source("deadline", 1)))
    for iv in plan.interventions:
        parts = [f"deadline {iv.deadline_shift:+g} years"] if iv.deadline_shift else []
        for ch in iv.serial_speedup:
            parts.append(
                f"serial time of {', '.join(ch.streams)} compressed x{ch.factor:g}" + _window(ch, hdr.start_year)
            )
        for ch in iv.supply:
            parts.append(
                f"{ch.pool} supply x{ch.multiply:g}"
                + _lifted_cap(plan, ch)
                + (f" {ch.add:+g} FTE" if ch.add else "")
                + _window(ch, hdr.start_year)
            )
        for ch in iv.productivity:
            parts.append(
                f"productivity of {', '.join(ch.streams)} x{ch.multiply:g}"
                + (f" {ch.add:+g}" if ch.add else "")
                + _window(ch, hdr.start_year)
            )
        text = "; ".join(parts) or "no change"
        if iv.choose:
            text = f"per unit: {text}; the plan chooses among {', '.join(f'{x:g}' for x in iv.levels)} units"
        elif iv.units != 1:
            text = f"per unit: {text}; {iv.units:g} units"
        rows.append(("intervention", iv.name, text, "plan file (an assumption)"))
    return rows


def _lifted_cap(plan, ch) -> str:
    """A multiply scales the supply after its cap, so the cap moves too: say so where it has one."""
    pool = next((q for q in plan.pools if q.name == ch.pool), None)
    cap = getattr(pool.supply, "cap", None) if pool is not None else None
    if cap is None or ch.multiply == 1:
        return ""
    return f" (its cap too: {cap:g} becomes {cap * ch.multiply:g} FTE)"


def _window(ch, y0: int) -> str:
    if not ch.from_year and ch.until_year is None:
        return ""
    until = "" if ch.until_year is None else f" until {y0 + ch.until_year:g}"
    return f" from {y0 + ch.from_year:g}{until}"


def _figures(c: Comparison) -> list[tuple[str, str, str, object]]:
    """(kind, slug, caption, figure) for every chart in the report; the slug names its PNG beside a
    Markdown report and depends only on the plan (see `markdown_charts`), not on what was solved."""
    out = [
        (
            "comparison",
            "comparison",
            "Baseline against each intervention: the bar runs to the year the goal is done; "
            "the red tick is the deadline each variant faced (or its median).",
            comparison_charts.comparison_chart(c),
        )
    ]
    if any(r.deadline_years is not None and len(r.deadline_years) for r in c.results()):
        out.append(
            (
                "deadline",
                "deadline",
                "The deadline's CDF as the model counts it, with each variant's goal year: "
                "the chance reported is 1 minus the CDF just before the goal year.",
                comparison_charts.deadline_chart(c),
            )
        )
    for i, r in enumerate(c.results()):
        if r.allocation is None:
            continue
        out.append(
            (
                "schedule",
                f"schedule-{i}",
                f"Schedule of '{r.variant}': one bar per stream, darker where more people "
                "work on it; hatched red bars are serial work (calendar time, not people, limits it), blue bars parallel; arrows are "
                "precedence links.",
                schedule_charts.schedule_chart(r),
            )
        )
    b = c.baseline
    if b is not None and b.allocation is not None:
        out.append(
            (
                "staffing",
                "staffing",
                "Staffing of the baseline: each pool's FTE in use, stacked by stream, against its supply.",
                schedule_charts.staffing_chart(b),
            )
        )
    return out


def _robustness_answer(c: Comparison, robustness) -> str:
    """Beside the point verdict: how far each intervention is from flipping, and its Monte Carlo
    P(harm) and 5-95% range ("" without a robustness run)."""
    if robustness is None or c.baseline is None:
        return ""
    return " ".join(
        t for t in (robustness_words(c.baseline.objective_kind, robustness, r) for r in robustness.interventions) if t
    )


def _pp(kind: str, x) -> str:
    return "" if x is None else effect(kind, x)


def _robustness_sections(plan, c: Comparison, robustness) -> list[dict]:
    """The report's Monte Carlo, tornado and break-even sections, each {title, text, head, rows,
    figures: [(kind, slug, caption, figure)]}; the slugs are those `markdown_charts` lists."""
    mc = robustness.montecarlo if robustness is not None else None
    if mc is None or c.baseline is None:
        return []
    kind = c.baseline.objective_kind
    names = [iv.name for iv in plan.interventions]
    rows = [
        [
            r.name,
            f"{robustness.samples}",
            number(r.p_harm, ".2f") if r.p_harm is not None else "",
            _pp(kind, r.mean),
            _pp(kind, r.p5),
            _pp(kind, r.p95),
        ]
        for r in robustness.interventions
    ]
    monte = {
        "title": "Monte Carlo",
        "text": (
            f"{robustness.samples} samples of the plan's [uncertainty] table (seed {robustness.seed}); each sample "
            f"solves the baseline and every intervention. P(harm) is the share of samples where the intervention "
            f"loses; the range is the 5th to the 95th percentile of its effect."
        ),
        "head": ["intervention", "samples", "P(harm)", "mean effect", "5%", "95%"],
        "rows": rows,
        "figures": [],
    }
    tornado = {
        "title": "Tornado",
        "text": (
            "The Spearman rank correlation of each sampled input with each intervention's effect, largest first. "
            "An input that sets another intervention cannot change this one and is left out."
        ),
        "head": ["intervention", "input", "rank correlation"],
        "rows": [],
        "figures": [],
    }
    flip = {
        "title": "Break-even over the most influential input",
        "text": (
            "For each intervention, its effect along the input its effect follows most, over the range the "
            "samples drew; the verdict flips where the effect crosses 0."
        ),
        "head": None,
        "rows": [],
        "figures": [],
    }
    for r in robustness.interventions:
        k = names.index(r.name) + 1
        monte["figures"].append(
            (
                "montecarlo",
                f"montecarlo-{k}",
                f"'{r.name}': its effect in each sample; red is harm.",
                analysis_charts.montecarlo_chart(mc, intervention=r.name, objective=kind),
            )
        )
        for row in mc.tornado(r.name).itertuples(index=False):
            rho = row.rank_correlation
            tornado["rows"].append([r.name, row.input, "no variation" if rho != rho else number(rho, "+.2f")])
        tornado["figures"].append(
            (
                "tornado",
                f"tornado-{k}",
                f"'{r.name}': what its effect follows.",
                analysis_charts.tornado_chart(mc, intervention=r.name),
            )
        )
        be = r.top_breakeven
        if be is not None:
            flip["rows"].append(f"{r.name}, along {be.path}: {be.reason}")
            flip["figures"].append(
                (
                    "breakeven",
                    f"breakeven-{k}",
                    f"'{r.name}' along {be.path}.",
                    analysis_charts.breakeven_chart(be, objective=kind),
                )
            )
    return [monte, tornado] + ([flip] if flip["figures"] else [])


def _svg(fig, salt: str) -> str:
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

    def rename(m):
        name = m.group(1)
        return f'id="{salt}-{name}"' if name in referenced else f'class="{name}"'

    text = re.sub(r'id="([^"]+)"', rename, text)
    return re.sub(r"#([^\s\"')]+)", lambda m: f"#{salt}-{m.group(1)}" if m.group(1) in referenced else m.group(0), text)


def _rows_of_comparison(c: Comparison) -> list[list[str]]:
    b = c.baseline
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


COMPARISON_HEAD = {
    "probability": "chance before the deadline (probability)",
    "earliest": "goal after",
    "value": "expected value",
}


def _stream_rows(r: Result) -> list[list[str]]:
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


STREAM_HEAD = [
    "stream",
    "effort (effective person-years)",
    "done (effective person-years)",
    "starts (year)",
    "done",
    "required",
]

CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .6em;
text-align:left;vertical-align:top}th{background:#f3f3f3}#verdict{font-size:1.3em;background:#fff6e0;
padding:.7em 1em;border-left:5px solid #d62728}figure.chart{margin:1em 0 2em}figure.chart svg{width:100%;
height:auto;display:block}figcaption{color:#555;font-size:.9em}.sourced{color:#1a7f37;font-weight:bold}
pre.notes{white-space:pre-wrap;background:#f7f7f7;padding:.7em;font-size:.85em}"""


def _table(head: list[str], rows: list[list[str]], cls: str = "") -> str:
    e = html.escape
    th = "".join(f"<th>{e(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'


def html_report(plan, c: Comparison, robustness=None) -> str:
    """The report as one HTML page with everything inline; `robustness` (from
    `planner.analysis.robustness.verdict_robustness`) adds the flip points to the answer and, with
    a Monte Carlo run, its sections."""
    e = html.escape
    b = c.baseline
    title = b.plan or "plan"
    parts = [
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{e(title)}</title>"
        f"<style>{CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f"<h2>The question</h2><p>{e(QUESTION[b.objective_kind])}</p>",
        f"<h2>The answer</h2><p id='verdict'>{e(verdict(c))}</p>",
        f"<p id='robustness'>{e(_robustness_answer(c, robustness))}</p>" if robustness else "",
        f"<p>Baseline: {e(objective_words(b))}; {e(goal_words(b))}; deadline {e(deadline_words(b))}.</p>",
    ]
    notes = _notes(plan)
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
        _table(head, [[e(x) for x in row] for row in _rows_of_comparison(c)], "comparison"),
        "<p>Changes in probability are in percentage points (pp). Years are calendar years; a stream "
        "'done by the start of 2051' has finished its work by 1 January 2051.</p>",
        "<h2>Charts</h2>",
    ]
    for k, (kind, _, caption, fig) in enumerate(_figures(c)):
        parts.append(
            f"<figure class='chart' data-kind='{kind}'>{_svg(fig, f'chart{k}')}"
            f"<figcaption>{e(caption)}</figcaption></figure>"
        )
    for sec in _robustness_sections(plan, c, robustness):
        parts += [f"<h2>{e(sec['title'])}</h2>", f"<p>{e(sec['text'])}</p>"]
        if sec["head"]:
            parts.append(_table(sec["head"], [[e(x) for x in row] for row in sec["rows"]], "robustness"))
        else:
            parts += [f"<p>{e(line)}</p>" for line in sec["rows"]]
        for kind, slug, caption, fig in sec["figures"]:
            parts.append(
                f"<figure class='chart' data-kind='{kind}'>{_svg(fig, slug)}"
                f"<figcaption>{e(caption)}</figcaption></figure>"
            )
    parts.append("<h2>Schedules by stream</h2>")
    for r in c.results():
        parts.append(f"<h3>{e(r.variant)}</h3>")
        parts.append(_table(STREAM_HEAD, [[e(x) for x in row] for row in _stream_rows(r)], "streams"))
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


def write_html(plan, c: Comparison, path: Path, robustness=None) -> Path:
    return write_atomic(path, html_report(plan, c, robustness))


def _md(text) -> str:
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


def markdown_charts(path: Path, plan) -> list[Path]:
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
    return path.with_name(f"{path.stem}-{slug}.png")


def write_markdown(plan, c: Comparison, path: Path, robustness=None) -> Path:
    """The report as Markdown, its charts as PNGs beside it (see `markdown_charts`). Every text
    from the plan goes through `_md`, so the page renders no HTML or link the plan wrote."""
    path = Path(path)
    b = c.baseline
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
        *([_md(_robustness_answer(c, robustness)), ""] if robustness else []),
        _md(f"Baseline: {objective_words(b)}; {goal_words(b)}; deadline {deadline_words(b)}."),
        "",
        "## Assumptions",
        "",
        _md_table(["what", "name", "value", "source"], [list(row) for row in assumptions(plan)]),
        "",
    ]
    notes = _notes(plan)
    if notes:
        out += ["The plan file's own notes:", "", _md_code_block(notes), ""]
    head = ["variant", COMPARISON_HEAD[b.objective_kind], "change", "goal done by the start of", "deadline", "status"]
    out += [
        "## Comparison",
        "",
        _md_table(head, _rows_of_comparison(c)),
        "",
        "Changes in probability are in percentage points (pp). Years are calendar years.",
        "",
        "## Charts",
        "",
    ]
    for kind, slug, caption, fig in _figures(c):
        png = _png(path, slug)
        write_figure(png, fig, dpi=110)
        plt.close(fig)
        out += [f"![{kind}]({png.name})", "", f"*{_md(caption)}*", ""]
    for sec in _robustness_sections(plan, c, robustness):
        out += [f"## {_md(sec['title'])}", "", _md(sec["text"]), ""]
        out += (
            [_md_table(sec["head"], sec["rows"]), ""]
            if sec["head"]
            else [x for line in sec["rows"] for x in (_md(line), "")]
        )
        for kind, slug, caption, fig in sec["figures"]:
            png = _png(path, slug)
            write_figure(png, fig, dpi=110)
            plt.close(fig)
            out += [f"![{kind}]({png.name})", "", f"*{_md(caption)}*", ""]
    out += ["## Schedules by stream", ""]
    for r in c.results():
        out += [f"### {_md(r.variant)}", "", _md_table(STREAM_HEAD, _stream_rows(r)), ""]
    out += ["## Why", ""]
    for name, reason in [("baseline", c.baseline_reason or b.explanation)] + [
        (iv.name, iv.reason) for iv in c.interventions
    ]:
        if reason:
            out.append(f"- **{_md(name)}**: {_md(reason)}")
    return write_atomic(path, "\n".join(out) + "\n")
