"""Nothing hangs and nothing ends in a traceback: break-even with a tolerance finer than a float,
--scheduler at a silent port, at a port that answers garbage, at a scheduler without workers (or
whose only worker dies), malformed scheduler addresses, and Ctrl-C while the local pool starts.
Every server here listens on 127.0.0.1 only, and every run that could hang has a timeout."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from plans import ROOT, TOY, fast_first

SHIFT = 'interventions."capabilities work".deadline_shift'


def planner(*args, timeout=60):
    return subprocess.run([sys.executable, "-m", "planner.cli", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def one_line_error(run, *words):
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1, run.stderr
    for w in words:
        assert w in run.stderr, run.stderr


@pytest.mark.slow
def test_breakeven_tolerance_below_float_resolution_ends():
    run = planner("breakeven", str(TOY), "--intervention", "capabilities work", "--vary", SHIFT,
                  "--range=-5:0", "--tolerance", "1e-17", "--json", timeout=120)
    assert run.returncode == 0, run.stderr
    assert '"value": -1.0' in run.stdout   # the toy needs 25 years, the deadline is 26: shift -1


def test_breakeven_over_a_huge_range_finds_the_step_at_minus_one():
    """Halving a range of 2e300 by value would stop far from the step (it reported 0); halving the
    floats reaches the step at -1 (hand: serial-a needs 25 years, the deadline is 26) in ~64 steps."""
    import json
    run = planner("breakeven", str(TOY), "--intervention", "capabilities work", "--vary", SHIFT,
                  "--range=-1e300:1e300", "--json", timeout=120)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["value"] == -1 and result["kind"] == "step"
    assert len(result["evaluations"]) < 100


class FakeServer:
    """A TCP listener on 127.0.0.1 that accepts and then says nothing, or answers `reply`."""

    def __init__(self, reply: bytes | None = None):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.address = f"tcp://127.0.0.1:{self.sock.getsockname()[1]}"
        self.reply, self.conns = reply, []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            if self.reply:
                conn.sendall(self.reply)

    def close(self):
        for c in self.conns:
            c.close()
        self.sock.close()


distributed_needed = pytest.mark.skipif(
    subprocess.run([sys.executable, "-c", "import distributed"], capture_output=True).returncode != 0,
    reason="needs the 'dask' extra")


@distributed_needed
@pytest.mark.parametrize("reply", [pytest.param(None, id="silent", marks=pytest.mark.slow),
                                   pytest.param(b"HTTP/1.1 400 Bad Request\r\n\r\n" + b"\xff" * 64, id="not-dask")])
def test_scheduler_that_does_not_speak_dask_fails_within_the_connect_limit(reply):
    server = FakeServer(reply)
    try:
        run = planner("sweep", str(TOY), "--set", "deadline.years=20,30", "--scheduler", server.address,
                      timeout=45)   # it hung past 60 s (silent) or asked for 3 EiB (garbage)
    finally:
        server.close()
    one_line_error(run, server.address)


@pytest.mark.parametrize("address", ["garbage", "tcp://", "", "http://127.0.0.1:8787", "inproc://x",
                                     "tcp://127.0.0.1:0", "tcp://127.0.0.1:http"])
def test_malformed_scheduler_address_is_one_line(address):
    one_line_error(planner("sweep", str(TOY), "--set", "deadline.years=20,30", "--scheduler", address),
                   "PROTOCOL://HOST:PORT")


NO_WORKERS = """
import subprocess, sys
import planner, planner.analysis.runner as parallel
from distributed import Client, LocalCluster
from planner.analysis.sweep import sweep
from planner.errors import UsageError
parallel.NO_WORKERS_TIMEOUT = 3
plan = planner.load(sys.argv[1])
if __name__ == "__main__":   # Dask's own processes re-import this script
    with LocalCluster(n_workers=0, host="127.0.0.1", dashboard_address=None) as cluster:
        workers = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", cluster.scheduler_address,
                                     "--no-nanny", "--nthreads", "1"], stderr=subprocess.DEVNULL)
                   for _ in range({workers})]
        if workers:
            with Client(cluster.scheduler_address) as client:
                client.wait_for_workers(1, timeout=60)
        def kill_worker(k, records):   # after the first point, the only worker dies
            for w in workers:
                w.kill()
        try:
            sweep(plan, {{"deadline.years": list(range(20, 40))}}, scheduler=cluster.scheduler_address,
                  on_point=kill_worker)
            print("NO ERROR")
        except UsageError as e:
            print("USAGE", e)
"""


@distributed_needed
@pytest.mark.parametrize("workers", fast_first([0, 1], 1, ids=lambda w: ["no-worker", "worker-dies"][w]))
def test_scheduler_without_workers_ends_with_an_error(workers, tmp_path):
    script = tmp_path / "run.py"
    script.write_text(NO_WORKERS.format(workers=workers))
    run = subprocess.run([sys.executable, str(script), str(TOY)], capture_output=True, text=True, timeout=120,
                         cwd=tmp_path)
    assert "USAGE" in run.stdout and "no worker" in run.stdout, run.stdout + run.stderr


def _session_processes(sid: int) -> list[str]:
    out = subprocess.run(["ps", "-o", "args=", "-s", str(sid)], capture_output=True, text=True).stdout
    return out.splitlines()


@pytest.mark.slow
def test_ctrl_c_while_the_pool_starts_has_no_traceback(tmp_path):
    """Ctrl-C (to the whole process group, as a terminal sends it) as soon as the forkserver
    exists, that is while it imports the solver stack and the first workers launch: a worker
    caught half-launched used to print a forkserver traceback."""
    (tmp_path / "mc.toml").write_text(TOY.read_text() + textwrap.dedent("""
        [uncertainty]
        seed = 1
        deadline.years = { kind = "uniform", low = 20, high = 30 }
        """))
    for attempt in range(3):
        proc = subprocess.Popen([sys.executable, "-m", "planner.cli", "montecarlo", str(tmp_path / "mc.toml"),
                                 "-n", "2000", "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, start_new_session=True, cwd=ROOT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("forkserver" in p for p in _session_processes(proc.pid)):
            time.sleep(0.02)
        time.sleep(0.3 * attempt)
        os.killpg(proc.pid, signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 130, stderr
        assert "Traceback" not in stderr, stderr
        for _ in range(50):
            if not _session_processes(proc.pid):
                break
            time.sleep(0.2)
        assert _session_processes(proc.pid) == []
