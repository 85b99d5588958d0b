"""The toy's page in headless Chromium, as a user drives it: read the verdict, move a control,
open a `?set=` link, download the plan and solve it independently, two tabs at once, a bad value,
a screenshot kept for a person to look at.

Expected verdicts are the essay's arithmetic, not the planner's output: the serial chain needs 25
years and the deadline is 26, so the baseline finishes in time (1.0000); capabilities work brings
the deadline 2 years earlier (24 < 25: 0.0000, -100.0 pp); with a shift of 0 it makes no
difference, and any shift down to -1 (deadline 25) still meets the chain."""
from __future__ import annotations

import re
import tomllib

import pytest

import planner
from plans import TOY

from webserve import serving

SHIFT = 'interventions."capabilities work".deadline_shift'
SHIFT_LINK = "/?set=interventions.%22capabilities%20work%22.deadline_shift%3D0"
HURTS = ("'capabilities work' hurts: it lowers the chance of finishing before the deadline "
         "from 1.0000 to 0.0000 (-100.0 pp).")
NO_DIFFERENCE = "'capabilities work' makes no difference to the chance of finishing before the deadline"


@pytest.fixture(scope="module")
def site():
    with serving(planner.load(TOY)) as url:
        yield url


@pytest.fixture
def page(browser, site):
    context = browser.new_context(accept_downloads=True)
    p = context.new_page()
    p.set_default_timeout(30_000)
    yield p
    context.close()


def control(page, path: str):
    return page.locator(f"[data-path='{path}']")


def change(page, path: str, value: str) -> None:
    """Type a value into a control and leave it (a change event), as a user does."""
    box = control(page, path)
    box.fill(value)
    box.press("Tab")


def wait_verdict(page, text: str) -> str:
    page.wait_for_function("t => document.getElementById('verdict').innerText.includes(t)", arg=text)
    return page.inner_text("#verdict")


def test_the_page_shows_the_verdict_table_explanation_and_charts(page, site):
    page.goto(site + "/")
    assert page.inner_text("#verdict") == HURTS
    rows = page.locator("table.comparison tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).locator("td").nth(1).inner_text() == "1.0000"
    assert rows.nth(1).locator("td").nth(1).inner_text() == "0.0000"
    assert "structural" in page.inner_text("#why")  # the report's explanation: serial time binds
    # the Gantt and the deadline CDF arrive as server-rendered SVG, drawn at a size
    for kind in ("deadline", "schedule"):
        img = page.locator(f"img.chart[data-kind='{kind}']").first
        page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=img.element_handle())
        src = img.get_attribute("src")
        response = page.request.get(site + src)
        assert response.headers["content-type"].startswith("image/svg+xml")
        assert b"<svg" in response.body()
    # every control speaks the --set language
    assert control(page, SHIFT).input_value() == "-2"
    assert control(page, "deadline.years").input_value() == "26"


def test_moving_the_shift_to_zero_makes_no_difference_and_the_address_follows(page, site):
    page.goto(site + "/")
    change(page, SHIFT, "0")
    assert "1.0000 either way" in wait_verdict(page, NO_DIFFERENCE)
    page.wait_for_function("() => location.search.includes('deadline_shift')")
    assert page.url.endswith(SHIFT_LINK)  # the link reproduces the view (next test opens it)


def test_a_set_link_opens_the_page_with_its_changes(page, site):
    page.goto(site + SHIFT_LINK)
    assert NO_DIFFERENCE in page.inner_text("#verdict")
    assert control(page, SHIFT).input_value() == "0"


def test_the_downloaded_plan_solves_to_what_the_page_showed(page, site, tmp_path):
    page.goto(site + "/")
    change(page, "deadline.years", "25.5")
    change(page, SHIFT, "-0.25")
    # deadline 25.5, shifted to 25.25: the 25-year chain still fits, so no difference
    wait_verdict(page, NO_DIFFERENCE)
    shown = [page.locator("table.comparison tbody tr").nth(k).locator("td").nth(1).inner_text() for k in (0, 1)]
    with page.expect_download() as info:
        page.click("#download-plan")
    saved = tmp_path / "downloaded.toml"
    info.value.save_as(saved)
    data = tomllib.loads(saved.read_text())
    assert data["deadline"]["years"] == 25.5
    assert data["interventions"][0]["deadline_shift"] == -0.25
    solved = planner.compare(planner.load(saved))  # independently of the page: the library on the file
    assert [f"{r.objective:.4f}" for r in solved.results()] == shown == ["1.0000", "1.0000"]


def test_two_tabs_at_once_get_their_own_answers(browser, site):
    context = browser.new_context()
    a, b = context.new_page(), context.new_page()
    a.goto(site + "/")
    b.goto(site + "/")
    change(a, SHIFT, "0")
    change(b, SHIFT, "-3")  # sent while a's may still be solving
    assert NO_DIFFERENCE in wait_verdict(a, NO_DIFFERENCE)
    b.wait_for_function("() => location.search.includes('deadline_shift')")
    assert b.inner_text("#verdict") == HURTS
    assert a.inner_text("#verdict").startswith(NO_DIFFERENCE)
    assert "%3D0" in a.url and "%3D-3" in b.url
    context.close()


def test_a_change_sent_while_another_is_solving_supersedes_it(page, site):
    page.goto(site + "/")
    box = control(page, SHIFT)
    for value in ("0", "-3"):  # the second leaves before the first's answer can come back
        box.evaluate("(el, v) => { el.value = v; el.dispatchEvent(new Event('change', {bubbles: true})); }", value)
    page.wait_for_function("() => location.search.includes('%3D-3')")
    assert page.inner_text("#verdict") == HURTS
    assert page.url.endswith("deadline_shift%3D-3")


def test_a_bad_value_shows_the_plans_error_beside_it_and_keeps_the_last_answer(page, site):
    page.goto(site + "/")
    before, url = page.inner_text("#verdict"), page.url
    change(page, "streams.parallel.effort", "-5")
    error = page.locator("#" + control(page, "streams.parallel.effort").get_attribute("id").replace("c", "err-c", 1))
    error.wait_for(state="visible")
    text = error.inner_text()
    assert "effort" in text and "greater than or equal to 0.001" in text  # the schema's own rule
    assert page.inner_text("#verdict") == before
    assert page.url == url
    change(page, "streams.parallel.effort", "900")  # back to a good value: the error goes
    error.wait_for(state="hidden")


def test_screenshot_of_the_page_is_kept(page, site, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(site + "/")
    page.wait_for_function("() => [...document.querySelectorAll('img.chart')].filter(i => i.complete && "
                           "i.naturalWidth > 0).length >= 2")
    path = tmp_path / "toy_page.png"
    page.screenshot(path=str(path), full_page=True)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    print(f"screenshot: {path}")


def test_break_even_varies_only_the_pages_controls(page, site):
    # the fast sibling of the next test: the route refuses a path that is not a control
    body = page.request.get(site + "/breakeven", params={"intervention": "capabilities work",
                                                          "vary": "pools.researchers.supply.file"}).text()
    assert "break-even varies one of the page&#x27;s controls" in body


@pytest.mark.slow
def test_break_even_on_the_shift_control_finds_minus_one(page, site):
    # Hand: the deadline 26 + shift meets the 25-year chain exactly when shift >= -1.
    page.goto(site + "/")
    page.select_option("#breakeven-form select[name=vary]", SHIFT)
    page.click("#run-breakeven")
    page.locator("#breakeven-answer").wait_for()
    m = re.search(r"Break-even value: (-?[\d.]+)", page.inner_text("#breakeven-answer"))
    assert m and abs(float(m.group(1)) + 1) < 1e-3, page.inner_text("#breakeven-answer")
    assert page.locator("#breakeven svg").count() == 1


def test_monte_carlo_on_a_plan_without_uncertainty_says_so(page, site):
    page.goto(site + "/")
    page.click("#run-montecarlo")
    page.locator("#montecarlo .err").wait_for()
    assert "no [uncertainty] table" in page.inner_text("#montecarlo")
