"""`planner serve` as a user runs it: it prints its address, answers there, and stops cleanly on
Ctrl-C (SIGINT); without the web extra it says how to install it, in one line."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.request

import pytest

from plans import ROOT, TOY, assert_clean_error, run_cli

pytest.importorskip("uvicorn", reason="the web extra is not installed (pip install -e '.[web]')")


def serve(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "planner.cli", "serve", str(TOY), "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env=dict(os.environ, PYTHONUNBUFFERED="1"))


def stop(proc: subprocess.Popen) -> tuple[int, str, str]:
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


def test_serve_prints_its_address_answers_a_set_link_and_stops_on_ctrl_c():
    proc = serve()
    try:
        line = proc.stdout.readline()
        m = re.search(r"at (http://127\.0\.0\.1:\d+/) \(Ctrl-C stops\)", line)
        assert m, line + proc.stderr.read() if proc.poll() is not None else line
        link = m.group(1) + "?set=interventions.%22capabilities%20work%22.deadline_shift%3D0"
        with urllib.request.urlopen(link, timeout=60) as response:
            page = response.read().decode()
        assert re.search(r'<p id="verdict">[^<]*makes no difference', page)
    finally:
        code, out, err = stop(proc)
    assert code == 0, (code, out, err)
    assert "Traceback" not in err and "Traceback" not in out, err
    assert "stopped" in out


@pytest.mark.slow
def test_another_host_than_this_machine_is_warned_about():
    proc = serve("--host", "127.0.0.2")
    try:
        line = proc.stdout.readline()
        assert "http://127.0.0.2:" in line
    finally:
        code, out, err = stop(proc)
    assert code == 0 and "warning: listening on 127.0.0.2" in err, err


def test_without_the_web_extra_serve_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # `import uvicorn` now fails, as when not installed
    assert_clean_error(run_cli("serve", TOY), 2, "pip install -e '.[web]'")


def test_importing_planner_and_its_cli_loads_no_web_framework():
    code = ("import sys, importlib, planner; importlib.import_module('planner.cli.main')._parser(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('starlette', 'uvicorn')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr
