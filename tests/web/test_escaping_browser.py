"""A plan whose names are markup, quotes and a 5,000-character string: the page shows them as
text, everywhere (title, heading, verdict, table, controls, charts' alt text), and runs no script."""
from __future__ import annotations

import pytest

import planner
from plans import write

from webserve import serving

NAME = "<script>alert(1)</script>\"'" + "x" * 5000
INTERVENTION = "<img src=x onerror=alert(2)>' & </td>"  # a path quotes it with "..."
PLAN = """
[plan]
name = {name}
horizon = 10
objective = "probability"

[[pools]]
name = "<b>pool</b>"
supply = 10

[[streams]]
name = "s\\"<i>"
pool = "<b>pool</b>"
effort = 5
min_duration = 5

[deadline]
years = 6

[[interventions]]
name = {intervention}
deadline_shift = -2
"""


def toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    path = write(tmp_path_factory.mktemp("escape"), PLAN.format(name=toml_string(NAME),
                                                                intervention=toml_string(INTERVENTION)))
    with serving(planner.load(path)) as url:
        yield url


def test_names_with_markup_and_quotes_are_text_and_run_nothing(browser, site):
    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(site + "/")
    assert page.inner_text("#plan-name") == NAME
    assert page.title() == NAME + " · planner"
    # hand: the 5-year stream fits the 6-year deadline; 2 years earlier (4) it does not
    assert page.inner_text("#verdict") == (f"'{INTERVENTION}' hurts: it lowers the chance of finishing before the "
                                           "deadline from 1.0000 to 0.0000 (-100.0 pp).")
    assert page.locator("table.comparison tbody tr").nth(1).locator("td").first.inner_text() == INTERVENTION
    assert page.locator("script").count() == 1  # htmx's, and no other
    assert page.locator("#answer img:not(.chart), #answer b > b, i").count() == 0
    path = f'interventions."{INTERVENTION}".deadline_shift'
    assert page.locator("[data-path]").evaluate_all("(els, p) => els.some(e => e.dataset.path === p)",
                                                    "streams.'s\"<i>'.effort")  # quoted with '...'
    assert page.locator("[data-path]").evaluate_all("(els, p) => els.some(e => e.dataset.path === p)", path)
    box = page.locator("input[data-path]").nth(1)  # the intervention's shift (after the deadline)
    assert box.get_attribute("data-path") == path
    box.fill("0")
    box.press("Tab")
    page.wait_for_function("() => document.getElementById('verdict').innerText.includes('makes no difference')")
    assert page.inner_text("#verdict").startswith(f"'{INTERVENTION}' makes no difference")
    page.wait_for_timeout(300)
    assert dialogs == []
    page.close()
