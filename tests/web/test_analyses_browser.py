"""The page's Monte Carlo button on the toy with an [uncertainty] table: a progress indicator
while it runs, then P(harm), the range and the tornado. By hand: every sampled shift lies in
[-3, -1.5], so the deadline (26 + shift <= 24.5) always falls before the 25-year serial chain
ends: capabilities work loses 100 pp in every sample, P(harm) = 1.00."""
from __future__ import annotations

import re

import pytest

import planner
from plans import TOY, write

from webserve import serving

SAMPLES = 8


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    text = TOY.read_text() + ('\n[uncertainty]\nseed = 7\n'
                              '"interventions.\\"capabilities work\\".deadline_shift" = '
                              '{ kind = "uniform", low = -3.0, high = -1.5 }\n')
    with serving(planner.load(write(tmp_path_factory.mktemp("mc"), text))) as url:
        yield url


def test_the_first_answer_is_a_progress_indicator(browser, site):
    page = browser.new_page()
    response = page.request.post(site + "/montecarlo", form={"n": str(SAMPLES)})
    body = response.text()
    assert "<progress" in body or "mc-result" in body  # a run this small may finish at once
    page.close()


@pytest.mark.slow
def test_monte_carlo_shows_p_harm_range_and_tornado(browser, site):
    page = browser.new_page()
    page.set_default_timeout(60_000)
    page.goto(site + "/")
    # the [uncertainty] range makes the shift control a slider over it
    assert page.locator("input[type=range]").count() == 1
    page.fill("#mc-samples", str(SAMPLES))
    page.click("#run-montecarlo")
    page.locator("#mc-result").wait_for()
    cells = page.locator("table.montecarlo tbody tr").first.locator("td").all_inner_texts()
    assert cells[0] == "capabilities work" and cells[1] == str(SAMPLES)
    assert cells[2] == "1.00"  # P(harm)
    assert cells[3] == "-100.0 pp to -100.0 pp"
    img = page.locator("img.chart[data-kind='tornado']")
    page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=img.element_handle())
    assert re.search(rf"{SAMPLES} samples .*seed 7", page.inner_text("#mc-result"))
    page.close()

