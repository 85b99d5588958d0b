"""The Markdown report carries no HTML, link or block the plan wrote (issue 18, part 4): names with
tags, newlines, pipes, backticks and brackets are rendered by a real Markdown library (markdown-it,
with raw HTML on, as a permissive viewer would) and the page holds only the report's own tags,
with every name back as plain text where it was put."""
from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

import planner
from planner.report.markdown_report import write_markdown

SCRIPT = "<script>alert(1)</script>"
NAMES = {
    "plan": f"plan {SCRIPT}\n# a heading from the plan",
    "pool": "staff | <img src=x onerror=alert(1)>",
    "stream": "work\n<iframe src=https://example.com></iframe>",
    "second": "``code` *bold* [link](javascript:alert(1)) ![i](http://x/y.png) ~~gone~~",
    "intervention": "more\n\n<b>staff</b> | `x`",
}
NOTES = "notes of the plan\n```\n<script>alert(2)</script>\n````\n<iframe src=x></iframe>"
# the tags the report's own Markdown makes (headings, paragraphs, tables, lists, the charts, notes)
OURS = {"h1", "h2", "h3", "p", "strong", "em", "table", "thead", "tbody", "tr", "th", "td", "ul", "li",
        "img", "pre", "code"}


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text inside each kind of element."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.open, self.text = [], [], {}

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.open.append(tag)

    def handle_endtag(self, tag):
        while self.open and self.open.pop() != tag:
            pass

    def handle_data(self, data):
        for tag in set(self.open):
            self.text.setdefault(tag, []).append(data)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("md")
    q = json.dumps      # a JSON string is a TOML basic string
    toml = (f'[plan]\nname = {q(NAMES["plan"])}\nhorizon = 4\nobjective = "earliest"\n\n'
            f'[[pools]]\nname = {q(NAMES["pool"])}\nsupply = 5\n\n'
            f'[[streams]]\nname = {q(NAMES["stream"])}\npool = {q(NAMES["pool"])}\neffort = 3\n\n'
            f'[[streams]]\nname = {q(NAMES["second"])}\npool = {q(NAMES["pool"])}\neffort = 2\n'
            f'after = [{q(NAMES["stream"])}]\n\n'
            f'[[interventions]]\nname = {q(NAMES["intervention"])}\n'
            f'supply = [{{ pool = {q(NAMES["pool"])}, multiply = 2 }}]\n')
    source = folder / "plan.toml"
    source.write_text("".join(f"# {line}\n" for line in NOTES.splitlines()) + "\n" + toml, encoding="utf-8")
    loaded = planner.load(source)
    comparison = planner.compare(loaded)
    out = write_markdown(loaded, comparison, folder / "report.md")
    text = out.read_text(encoding="utf-8")
    html = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(text)
    parser = Tags()
    parser.feed(html)
    return folder, text, html, parser


def test_no_tag_from_the_plan_is_rendered(rendered):
    folder, text, html, parser = rendered
    kinds = {tag for tag, _ in parser.tags}
    assert kinds <= OURS, kinds - OURS
    for tag, attrs in parser.tags:
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        if tag == "img":        # only the report's own charts, beside it
            assert (folder / attrs["src"]).is_file() and "/" not in attrs["src"], attrs
    assert "<script" not in html and "<iframe" not in html and "<b>" not in html and "<a " not in html
    assert [tag for tag, _ in parser.tags].count("h1") == 1


def test_every_name_comes_back_as_text(rendered):
    _, _, _, parser = rendered
    flat = {k: " ".join(line for line in v.splitlines()) for k, v in NAMES.items()}
    assert "".join(parser.text["h1"]) == flat["plan"]
    cells = set(parser.text["td"])
    for key in ("pool", "stream", "second", "intervention"):
        assert flat[key] in cells, (key, flat[key])
    assert flat["intervention"] in "".join(parser.text["h3"])
    assert "".join(parser.text["pre"]).strip() == NOTES        # the notes verbatim in their fence


def test_pipes_do_not_add_table_cells(rendered):
    """Every row of the assumptions table keeps its four cells, whatever the names hold."""
    _, text, html, _ = rendered
    section = html.split("<h2>Assumptions</h2>")[1].split("</table>")[0]
    rows = section.split("<tr>")[1:]
    assert rows and all(row.count("<td>") + row.count("<th>") == 4 for row in rows), section
