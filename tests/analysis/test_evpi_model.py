"""models/quick_or_deep.toml: a plan whose EVPI is not 0, with every figure worked out by hand.

Quick fixes first: done at 2, the three five-year steps of the deep agenda at 17. Deep from the
start: quick fixes at 4 (half the field), the agenda at 15. The deadline's CDF (Samotsvety 2023)
runs linearly through (0, 0), (4, 0.31), (24, 0.63), written out below."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import planner
from planner.analysis.evpi import evpi
from plans import ROOT

MODEL = ROOT / "models" / "quick_or_deep.toml"


def F(x: float) -> float:
    return float(np.interp(x, [0, 4, 24, 74], [0, 0.31, 0.63, 0.81]))


SINGLE = 0.3 * (1 - F(2)) + 1.0 * (1 - F(17))            # quick fixes first, for every deadline
WAIT_AND_SEE = 0.3 * (F(15) - F(2)) + 1.3 * (1 - F(15))  # deep from the start when AGI is 15+ away


def test_the_one_plan_ships_the_quick_fixes_first():
    r = planner.solve(planner.load(MODEL))
    assert r.objective == pytest.approx(SINGLE, abs=1e-6)
    finish = {s.name: s.finish_years for s in r.streams}
    assert finish["quick fixes"] == pytest.approx(2) and finish["foundations III"] == pytest.approx(17)


@pytest.mark.slow
def test_evpi_is_the_mass_of_the_two_years_the_deep_plan_gains():
    r = evpi(planner.load(MODEL), learn_at=[1, 8])
    assert r.single == pytest.approx(SINGLE, abs=1e-6)
    assert r.wait_and_see == pytest.approx(WAIT_AND_SEE, abs=1e-6)
    assert r.evpi == pytest.approx(F(17) - F(15), abs=1e-6)   # 0.032
    early, late = r.adaptive
    # learning the date at year 1 leaves time to choose; by year 8 the choice is long made
    assert SINGLE + 1e-4 < early.value <= WAIT_AND_SEE + 1e-9
    assert late.value == pytest.approx(SINGLE, abs=1e-6)
