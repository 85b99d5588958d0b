"""Plans with bets whose outcome scenarios have tiny probabilities (a bet that almost surely works:
its failures weigh 1e-5 and less, objective coefficients down to 1e-11). HiGHS's default MIP
feasibility tolerance let it claim an optimum a few millionths short there, which the policy
check saw as a policy beyond the proven bound, and the solve failed (found by a break-even
search over `success`, whose default range came within 5e-5 of 1). The planner's optimum must
equal the independent formulation's (tests/oracles/bets_oracle.py, SCIP) to 1e-7."""
from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pyscipopt")

import planner  # noqa: E402

from . import bets_oracle  # noqa: E402

MODEL = Path(__file__).resolve().parents[2] / "models" / "research_bets.toml"


@pytest.mark.parametrize("success", [0.9999542236328125, 0.99999, 0.999])
@pytest.mark.parametrize("variant", [None, "capabilities work"])
def test_almost_certain_bet_against_the_oracle(tmp_path, success, variant):
    path = tmp_path / "plan.toml"
    text = MODEL.read_text(encoding="utf-8")
    assert "success = 0.25" in text  # the serial agenda's
    path.write_text(text.replace("success = 0.25", f"success = {success!r}"), encoding="utf-8")
    best = bets_oracle.optimum(path, variant)
    assert best.status == "optimal"
    r = planner.Model(planner.load(path), variant).solve()
    assert r.status == "optimal"
    assert r.objective == pytest.approx(best.objective, abs=1e-7)
