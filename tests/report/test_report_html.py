"""`planner report`: one self-contained HTML file (charts inline as SVG, nothing fetched from the
network) holding the question, the verdict first, the assumptions, the comparison, the charts,
each variant's schedule and the explanation; and the same as Markdown with PNGs beside it."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from plans import TOO_SHORT  # the one-stream plan whose stream outlasts the horizon

from plans import FIELD, ROOT, TOY


def report(plan: Path, out: Path) -> str:
    proc = subprocess.run([sys.executable, "-m", "planner.cli", "report", str(plan), "-o", str(out)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def toy_html(tmp_path_factory) -> str:
    return report(TOY, tmp_path_factory.mktemp("html") / "report.html")


def test_sections_in_order_verdict_first(toy_html):
    heads = re.findall(r"<h2>(.*?)</h2>", toy_html)
    assert heads == ["The question", "The answer", "Assumptions", "Comparison", "Charts",
                     "Schedules by stream", "Why"]
    verdict = re.search(r"<p id='verdict'>(.*?)</p>", toy_html).group(1)
    # baseline 1.0, capabilities work 0.0: a change of -100 percentage points
    assert verdict == "&#x27;capabilities work&#x27; hurts: it lowers the chance of finishing before the deadline from 1.0000 to 0.0000 (-100.0 pp)."


def test_charts_are_inline_svg_and_nothing_is_fetched(toy_html):
    kinds = re.findall(r"<figure class='chart' data-kind='(\w+)'><svg", toy_html)
    # comparison, deadline, a schedule per variant (2), the baseline's staffing
    assert kinds == ["comparison", "deadline", "schedule", "schedule", "staffing"]
    assert "<img" not in toy_html and "<script" not in toy_html
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", toy_html)
    ids = re.findall(r'\bid="([^"]+)"', toy_html)
    assert len(ids) == len(set(ids)), "element ids repeat between charts"
    for ref in re.findall(r'href="#([^"]+)"', toy_html):   # every glyph or clip reference resolves
        assert ref in ids


def test_assumptions_and_comparison_tables(toy_html):
    assert "1800 FTE every year" in toy_html
    assert "900 effective person-years" in toy_html
    assert "deadline -2 years; researchers supply x3" in toy_html
    assert "2051 (1 year late)" in toy_html                  # the goal with capabilities work
    assert "the start of 2052" in toy_html and "the start of 2050" in toy_html


def test_sourced_values_are_marked(tmp_path):
    """A value from a data file, or a table whose comment cites a source, is marked sourced; the
    rest are the plan's assumptions."""
    (tmp_path / "fte.csv").write_text("year,fte\n2026,100\n2030,200\n", encoding="utf-8")
    plan = tmp_path / "cited.toml"
    plan.write_text("""
[plan]
name = "cited"
start_year = 2026
horizon = 10

[[pools]]
name = "from-file"
supply = { file = "fte.csv", column = "fte" }

# Smith et al. 2024, table 3
[[pools]]
name = "cited"
supply = 50

# a guess: replace it
[[pools]]
name = "guessed"
supply = 50

[[streams]]
name = "s"
pool = "guessed"
effort = 5

[deadline]
years = 8
""", encoding="utf-8")
    text = report(plan, tmp_path / "cited.html")
    rows = dict(re.findall(r"<tr><td>pool</td><td>([\w-]+)</td><td>.*?</td><td>(.*?)</td></tr>", text))
    assert rows["from-file"] == "<span class='sourced'>sourced: data file</span>"
    assert rows["cited"] == "<span class='sourced'>sourced: see the plan&#x27;s notes</span>"
    assert rows["guessed"] == "plan file (an assumption)"


@pytest.mark.slow
def test_shipped_field_model_marks_its_sourced_supply_and_deadline(tmp_path):
    text = report(FIELD, tmp_path / "field.html")
    sourced = re.findall(r"<tr><td>(\w+)</td><td>([^<]+)</td><td>[^<]*</td><td><span class='sourced'>", text)
    assert ("pool", "technical") in sourced and ("deadline", "AGI arrival") in sourced
    assert not any(kind == "stream" for kind, _ in sourced)    # the work structure is illustrative


@pytest.mark.slow
def test_markdown_report_with_pngs_beside_it(tmp_path):
    out = tmp_path / "report.md"
    text = report(TOY, out)
    images = re.findall(r"!\[(\w+)\]\(([^)]+)\)", text)
    assert [k for k, _ in images] == ["comparison", "deadline", "schedule", "schedule", "staffing"]
    for _, name in images:
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG")
    assert text.index("## The answer") < text.index("## Assumptions")
    assert "hurts: it lowers the chance of finishing before the deadline from 1.0000 to 0.0000" in text


def test_report_refuses_other_suffixes(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "planner.cli", "report", str(TOY), "-o", str(tmp_path / "r.pdf")],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 2 and ".html" in proc.stderr


def test_report_on_a_plan_with_no_solution_says_why_and_exits_3(tmp_path):
    plan = tmp_path / "short.toml"
    plan.write_text(TOO_SHORT, encoding="utf-8")
    out = tmp_path / "short.html"
    proc = subprocess.run([sys.executable, "-m", "planner.cli", "report", str(plan), "-o", str(out)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 3, proc.stderr
    verdict = re.search(r"<p id='verdict'>(.*?)</p>", out.read_text(encoding="utf-8")).group(1)
    # 20 years of serial work cannot fit in a 10-year horizon
    assert verdict.startswith("The baseline has no plan (infeasible): the goal cannot be met within the horizon of 10 years")
