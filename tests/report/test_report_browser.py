"""The toy model's HTML report opened in headless Chromium, as a reader would see it.

Checks that the page shows the verdict and that every chart is drawn at a non-zero size, and
keeps a screenshot for a person to look at: report_toy.png in the test's own temporary folder
(not the repository), its path printed (see it with `pytest -s`). Skips only where no Chromium is installed.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from plans import ROOT, TOY  # noqa: E402

BROWSER = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome"))
                if p), None)
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no Chromium found (install Debian's `chromium`)")

# Run after load: the verdict's text and box, and every chart's drawn size, into the page.
MEASURE = """<script>
window.addEventListener('load', () => {
  const v = document.getElementById('verdict').getBoundingClientRect();
  const charts = [...document.querySelectorAll('figure.chart')].map(f => {
    const r = f.querySelector('svg').getBoundingClientRect();
    return {kind: f.dataset.kind, width: r.width, height: r.height};
  });
  const out = document.createElement('pre');
  out.id = 'measured';
  out.textContent = JSON.stringify({verdict: document.getElementById('verdict').innerText,
                                    verdict_height: v.height, verdict_top: v.top, charts: charts});
  document.body.appendChild(out);
});
</script>"""


def chromium(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--window-size=1200,2400", *args], capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def report_html(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "report.html"
    proc = subprocess.run([sys.executable, "-m", "planner.cli", "report", str(TOY), "-o", str(out)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out


def test_page_shows_the_verdict_and_every_chart_at_nonzero_size(report_html, tmp_path):
    probe = tmp_path / "probe.html"
    probe.write_text(report_html.read_text(encoding="utf-8").replace("</body>", MEASURE + "</body>"),
                     encoding="utf-8")
    proc = chromium("--virtual-time-budget=5000", "--dump-dom", probe.as_uri())
    found = re.search(r'<pre id="measured">(.*?)</pre>', proc.stdout, re.S)
    assert found, proc.stderr[-2000:]
    measured = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert measured["verdict"] == "'capabilities work' hurts: it lowers the chance of finishing before the deadline from 1.0000 to 0.0000 (-100.0 pp)."
    assert measured["verdict_height"] > 0 and measured["verdict_top"] < 600   # near the top of the page
    kinds = [c["kind"] for c in measured["charts"]]
    assert kinds == ["comparison", "deadline", "schedule", "schedule", "staffing"]
    for c in measured["charts"]:
        assert c["width"] > 300 and c["height"] > 100, c


def test_screenshot_is_kept_and_shows_the_page(report_html, tmp_path):
    shot = tmp_path / "report_toy.png"
    proc = chromium(f"--screenshot={shot}", report_html.as_uri())
    assert shot.exists(), proc.stderr[-2000:]
    print(f"\nscreenshot of the toy model's report: {shot}")
    px = mpimg.imread(shot)[..., :3]
    assert px.shape[0] == 2400 and px.shape[1] == 1200
    assert (px < 0.9).any(axis=2).mean() > 0.03                     # text and charts, not a blank page
    # the verdict box's background (#fff6e0) is on screen in the top part of the page
    box = np.all(np.abs(px[:700] - np.array([255, 246, 224]) / 255) < 0.02, axis=2)
    assert box.sum() > 5000
