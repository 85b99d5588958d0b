"""Dask: sweeps and Monte Carlo on a distributed.LocalCluster (loopback only) equal the local runs;
a cancelled run leaves the cluster usable; a wrong address is a clear error."""
from __future__ import annotations

import json
import threading

import pandas as pd
import pytest

import planner
from planner.analysis.montecarlo import montecarlo
from planner.analysis.sweep import sweep
from planner.cli.main import main
from planner.errors import UsageError
from plans import TOY

distributed = pytest.importorskip("distributed")

SHIFT = 'interventions."capabilities work".deadline_shift'
UNCERTAIN = """
[uncertainty]
seed = 5
deadline.years = { kind = "choice", values = [24, 25, 26, 27] }
"interventions.\\"capabilities work\\".deadline_shift" = { kind = "triangular", low = -3, mode = -1, high = 0 }
"""


@pytest.fixture(scope="module")
def cluster():
    c = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                 dashboard_address=None)
    try:
        yield c
    finally:
        c.close()


def test_dask_sweep_equals_local(cluster, toy):
    grid = {"deadline.years": list(range(20, 32)), SHIFT: [-2, -1, 0]}
    local = sweep(toy, grid, workers=1)
    remote = sweep(toy, grid, scheduler=cluster.scheduler_address)
    assert remote.outcome.where.startswith("dask") and not remote.interrupted
    pd.testing.assert_frame_equal(local.to_frame(), remote.to_frame())


@pytest.mark.slow
def test_dask_montecarlo_equals_local(cluster, tmp_path):
    path = tmp_path / "mc.toml"
    path.write_text(TOY.read_text() + UNCERTAIN)
    plan = planner.load(path)
    local = montecarlo(plan, 40, workers=2).to_frame()
    remote = montecarlo(plan, 40, scheduler=cluster.scheduler_address).to_frame()
    pd.testing.assert_frame_equal(local, remote)


@pytest.mark.slow
def test_cancelled_dask_run_leaves_the_cluster_usable(cluster, toy):
    cancel = threading.Event()
    result = sweep(toy, {"deadline.years": list(range(10, 60))}, scheduler=cluster.scheduler_address,
                   on_point=lambda k, r: cancel.set(), cancel=cancel)
    assert result.interrupted and result.outcome.not_run > 0
    again = sweep(toy, {"deadline.years": [24, 25]}, scheduler=cluster.scheduler_address).to_frame()
    assert again[again.variant == "baseline"].objective.tolist() == [0.0, 1.0]


def test_cli_scheduler(cluster, capsys):
    code = main(["sweep", str(TOY), "--set", "deadline.years=24,25", "--scheduler", cluster.scheduler_address,
                 "--json"])
    assert code == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert [r["objective"] for r in rows if r["variant"] == "baseline"] == [0.0, 1.0]


@pytest.mark.slow
def test_unreachable_scheduler_is_a_usage_error(toy):
    with pytest.raises(UsageError, match="cannot connect"):
        sweep(toy, {"deadline.years": [24, 25]}, scheduler="tcp://127.0.0.1:9")
