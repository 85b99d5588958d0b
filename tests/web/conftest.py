"""`planner serve`'s page in a real browser: Debian's Chromium driven by Playwright (launched with
`executable_path`, never a browser download), against the app served by uvicorn in a thread of
the test process. One server and one browser per module keep the browser tests quick.

Skips only where the `web` extra, Playwright or Chromium is missing (CI installs all three)."""
from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed (pip install -e '.[web]')")
pytest.importorskip("uvicorn", reason="the web extra is not installed (pip install -e '.[web]')")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@contextmanager
def serving(plan) -> Iterator[str]:
    """The app for `plan` on a free local port, in a thread; yields its address."""
    import uvicorn

    from planner.web.app import create_app

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(plan), log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium, through Playwright."""
    if CHROMIUM is None:
        pytest.skip("no Chromium found (install Debian's `chromium`)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (the test extra)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()
