"""Issue 22: how fast `planner serve`'s page answers. The real command runs as a subprocess (its
own process, as a user runs it); headless Chromium (Debian's, through Playwright) opens the page
and makes 20 control changes, each to a value not seen before (so no answer comes from the
cache), and times, in the page, from the change event to the moment the new answer (with
#verdict) is in the document (htmx's afterSwap), then to the moment its open charts have loaded.
It waits for the charts before the next change, as a user who looks at the answer does.

    .venv/bin/python benchmarks/web_latency.py                    # toy and field_realistic, 20 changes each
    .venv/bin/python benchmarks/web_latency.py --changes 40 --models models/serial_parallel_toy.toml

Targets (issue 22): p95 from change to verdict under 200 ms on the toy, under 1 s on
field_realistic. Prints median, p95 and max per model; p95 is numpy's (linear) percentile.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np
from _common import ROOT, table

sys.path.insert(0, str(ROOT))

from planner.plan.paths import get  # noqa: E402

SHIFT = 'interventions."capabilities work".deadline_shift'
# Per model: the controls changed in turn, each by its own step from its value in the plan, so
# every state is new. Chosen to be what a user varies: the deadline, the shift, supply, effort.
STEPS = {
    "serial_parallel_toy": [
        ("deadline.years", 0.1),
        (SHIFT, 0.05),
        ('interventions."capabilities work".supply.0.multiply', 0.1),
        ("pools.researchers.supply", 25.0),
        ("streams.parallel.effort", -5.0),
    ],
    "field_realistic": [
        (SHIFT, 0.03),
        ("pools.technical.supply.growth", 0.003),
        ("pools.nontechnical.supply.growth", 0.003),
        ('interventions."capabilities work".supply.0.multiply', 0.01),
        ("streams.integration.effort", 5.0),
    ],
}

MEASURE = """(el, value) => new Promise(resolve => {
  const t0 = performance.now();
  document.body.addEventListener('htmx:afterSwap', function on(e) {
    if (e.detail.target.id !== 'answer') return;
    document.body.removeEventListener('htmx:afterSwap', on);
    const verdict = performance.now() - t0;
    const imgs = [...document.querySelectorAll('#answer details[open] img.chart')];
    const check = () => {
      if (imgs.every(i => i.complete)) {
        resolve({verdict, charts: performance.now() - t0,
                 text: document.getElementById('verdict').innerText,
                 solve: parseFloat(document.getElementById('status').dataset.seconds)});
      } else { setTimeout(check, 5); }
    };
    check();
  });
  el.value = String(value);
  el.dispatchEvent(new Event('change', {bubbles: true}));
})"""


def start_server(plan: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "planner.cli", "serve", plan, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    line = proc.stdout.readline()
    m = re.search(r"at (http://\S+/) ", line)
    if not m:
        proc.kill()
        raise SystemExit(f"planner serve did not start: {line}{proc.stderr.read()}")
    return proc, m.group(1)


def run(browser, plan_path: str, changes: int) -> dict:
    import planner

    plan = planner.load(ROOT / plan_path)
    steps = STEPS[(ROOT / plan_path).stem]
    proc, url = start_server(plan_path)
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.set_default_timeout(60_000)
        page.goto(url)
        page.wait_for_function("() => [...document.querySelectorAll('#answer details[open] img.chart')]"
                               ".every(i => i.complete)")
        values = {path: float(get(plan, path)) for path, _ in steps}
        out = []
        for k in range(changes):
            path, step = steps[k % len(steps)]
            values[path] += step
            box = page.locator(f"[data-path='{path}']")
            out.append(box.evaluate(MEASURE, round(values[path], 6)))
        page.close()
    finally:
        proc.send_signal(2)
        proc.communicate(timeout=60)
    return {"plan": plan_path, "samples": out}


def summary(xs: list[float]) -> list[str]:
    a = np.asarray(xs)
    return [f"{np.median(a):.0f}", f"{np.percentile(a, 95):.0f}", f"{a.max():.0f}"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--changes", type=int, default=20)
    ap.add_argument("--models", nargs="*", default=["models/serial_parallel_toy.toml", "models/field_realistic.toml"])
    args = ap.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("no Chromium found (install Debian's `chromium`)")
    from playwright.sync_api import sync_playwright

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout
    print(f"commit {commit.strip()}, load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores, "
          f"{args.changes} changes per model")
    rows = []
    started = time.perf_counter()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        for model in args.models:
            r = run(browser, model, args.changes)
            s = r["samples"]
            rows.append([model, *summary([x["verdict"] for x in s]), *summary([1000 * x["solve"] for x in s]),
                         *summary([x["charts"] for x in s])])
        browser.close()
    print(table(["plan", "verdict median ms", "p95", "max", "solve median ms", "p95", "max",
                 "charts median ms", "p95", "max"], rows,
                title="From a control change to the updated #verdict (and to the open charts loaded), in headless Chromium"))
    print(f"(solve: the server's compare alone, as the page reports it; total {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
