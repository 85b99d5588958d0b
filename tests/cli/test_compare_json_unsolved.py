"""`compare --json` when some variants have no plan (issue 18, part 1): every variant is printed,
each with its status and message, and the exit code is 3."""
from __future__ import annotations

import json

import pytest

from planner.cli.main import main

PLAN = """
[plan]
name = "unsolved"
horizon = 10
objective = "earliest"

[[pools]]
name = "staff"
supply = 100

[[streams]]
name = "slow"
pool = "staff"
effort = 5
min_duration = {min_duration}

[[interventions]]
name = "faster"
serial_speedup = [{{ streams = ["slow"], factor = 3 }}]

[[interventions]]
name = "no staff"
supply = [{{ pool = "staff", multiply = 0 }}]
"""


# min_duration 20 > horizon 10: the baseline has no plan, 'faster' (20 / 3 years) has, 'no staff' has none;
# min_duration 2: the baseline and 'faster' have plans, 'no staff' (0 FTE) has none
@pytest.mark.parametrize("min_duration, statuses", [
    (20, {"baseline": "infeasible", "faster": "optimal", "no staff": "infeasible"}),
    (2, {"baseline": "optimal", "faster": "optimal", "no staff": "infeasible"}),
])
def test_every_variant_is_printed_with_status_and_message(tmp_path, capsys, min_duration, statuses):
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN.format(min_duration=min_duration), encoding="utf-8")
    assert main(["compare", str(plan), "--json"]) == 3
    out, err = capsys.readouterr()
    data = json.loads(out)
    variants = [data["baseline"]] + [iv["result"] for iv in data["interventions"]]
    assert {v["variant"]: v["status"] for v in variants} == statuses
    for v in variants:
        assert v["message"], v["variant"]
        if v["status"] == "infeasible":
            assert v["objective"] is None
    assert "no solution" in err
