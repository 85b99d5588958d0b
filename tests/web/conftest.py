"""`planner serve`'s page in a real browser: Debian's Chromium driven by Playwright (launched with
`executable_path`, never a browser download), against the app served by uvicorn in a thread of
the test process (tests/webserve.py). One browser per test process and one server per module keep the browser tests quick.

Skips only where the `web` extra, Playwright or Chromium is missing (CI installs all three)."""
from __future__ import annotations

import shutil

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed (pip install -e '.[web]')")
pytest.importorskip("uvicorn", reason="the web extra is not installed (pip install -e '.[web]')")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium, through Playwright: one per test process."""
    if CHROMIUM is None:
        pytest.skip("no Chromium found (install Debian's `chromium`)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (the test extra)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()
