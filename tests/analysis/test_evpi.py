"""EVPI and the adaptive plan, on plans small enough to solve by hand.

The trade-off plan: one researcher; stream A (2 person-years, value 1) and stream B (4, value 3);
the deadline is 2 or 4 years off, 50/50. Knowing it: A when it is 2 (value 1), B when it is 4
(value 3): wait-and-see 2. One plan for both: B first gives 0 or 3, A first 1 or 1 (B cannot
follow): 1.5. EVPI 0.5. Learning the deadline at year 0 is knowing it; at year 1, the first year's
work is shared, and A needs that year for the short deadline while B needs it for the long: 1.5.
"""
from __future__ import annotations

import json

import pytest

import planner
from planner import PlanError
from planner.analysis.evpi import evpi
from planner.cli.main import main
from plans import ROOT, lognormal_cdf, make_plan



def trade_off(**kw):
    return make_plan([{"name": "A", "effort": 2, "value": 1}, {"name": "B", "effort": 4, "value": 3}],
                     supply=1, horizon=4, objective="value", deadline={"scenarios": [[2, 0.5], [4, 0.5]]}, **kw)


def test_evpi_by_hand():
    r = evpi(trade_off(), learn_at=[0, 1, 3, 4])
    assert r.single == pytest.approx(1.5) and r.wait_and_see == pytest.approx(2.0)
    assert r.evpi == pytest.approx(0.5)
    values = {a.learn_at: a.value for a in r.adaptive}
    assert values == pytest.approx({0: 2.0, 1: 1.5, 3: 1.5, 4: 1.5})


def test_wait_and_see_equals_independent_fixed_deadline_solves():
    plan = trade_off()
    short = planner.solve(plan.with_changes({"deadline.years": 2})).objective
    long = planner.solve(plan.with_changes({"deadline.years": 4})).objective
    assert (short, long) == (1.0, 3.0)
    assert evpi(plan).wait_and_see == pytest.approx(0.5 * short + 0.5 * long)


def test_a_warning_is_worth_something_until_too_late():
    # the trade-off plan with deadlines 3 or 5: known, A (1) or B (3): wait-and-see 2; one plan 1.5.
    # Learning at year 1 or 2: the shared years can hold 1 person-year of A (or of B) and both
    # scenarios still finish theirs: 2. Learning at year 3: A needs 2 of the 3 shared years, and B
    # then has 1 + 2 = 3 < 4: back to 1.5.
    plan = trade_off().with_changes({"deadline.scenarios": [[3, 0.5], [5, 0.5]], "plan.horizon": 5})
    r = evpi(plan, learn_at=[1, 2, 3])
    assert r.single == pytest.approx(1.5) and r.wait_and_see == pytest.approx(2.0)
    assert [a.value for a in r.adaptive] == pytest.approx([2.0, 2.0, 1.5])


def test_lognormal_toy_has_no_value_of_information():
    # the fastest schedule (25 years) is best for every deadline: EVPI 0
    r = evpi(planner.load(ROOT / "models" / "serial_parallel_toy_lognormal.toml"))
    assert r.single == pytest.approx(1 - lognormal_cdf(25, 26, 0.5), abs=1e-9)
    assert r.evpi == pytest.approx(0.0, abs=1e-9)


def test_needs_an_uncertain_deadline():
    with pytest.raises(PlanError, match="uncertain deadline"):
        evpi(planner.load(ROOT / "models" / "serial_parallel_toy.toml"))


def test_cli(tmp_path, capsys):
    path = tmp_path / "t.toml"
    path.write_text('[plan]\nhorizon = 4\nobjective = "value"\n[[pools]]\nname = "p"\nsupply = 1\n'
                    '[[streams]]\nname = "A"\npool = "p"\neffort = 2\nvalue = 1\n'
                    '[[streams]]\nname = "B"\npool = "p"\neffort = 4\nvalue = 3\n'
                    '[deadline]\nscenarios = [[2, 0.5], [4, 0.5]]\n')
    assert main(["evpi", str(path), "--learn-at", "0", "--learn-at", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["evpi"] == pytest.approx(0.5)
    assert [a["value_of_warning"] for a in out["adaptive"]] == pytest.approx([0.5, 0.0])
    assert main(["evpi", str(path)]) == 0
    assert "EVPI 0.5" in capsys.readouterr().out
