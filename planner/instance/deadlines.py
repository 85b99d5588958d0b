"""Deadlines as scenarios (years from start, probability), and their weight on each period.

A distribution is discretised exactly at period boundaries (docs/model.md): scenario `k*step` carries
`G((k+1)*step) - G(k*step)`, the tail `1 - G(H*step)` sits at `H*step`, and the mass below one
step (which can never be met) is kept as a scenario at 0 so that probabilities sum to 1.
`G = (1 - p_never) * F` where `F` is the distribution's CDF: `p_never` is mass on "no deadline".
With `scenarios`, `p_never` scales their probabilities by `1 - p_never` and puts itself at the
horizon's end, the same tail a distribution's "no deadline" mass joins.
"""

from __future__ import annotations

import math

import numpy as np

from planner.plan.schema import Deadline, DeadlinePreset, Lognormal, Percentiles


def resolved(deadline: Deadline, start_year: float) -> Deadline:
    """The deadline with a preset distribution (`{ preset = "NAME" }`) replaced by its percentiles
    in years after `start_year` (planner/plan/presets.py); any other deadline as it is."""
    if isinstance(deadline.distribution, DeadlinePreset):
        return deadline.model_copy(update={"distribution": deadline.distribution.percentiles(start_year)})
    return deadline


def cdf(dist: Lognormal | Percentiles | DeadlinePreset, x: np.ndarray) -> np.ndarray:
    """CDF in years from start. Percentiles run linearly from (0, 0) and stay flat after the last point.
    A preset must be `resolved` first (its years depend on the plan's start_year)."""
    assert not isinstance(dist, DeadlinePreset), "a deadline preset is resolved for its start_year first"
    x = np.asarray(x, dtype=float)
    if isinstance(dist, Lognormal):
        out = np.zeros_like(x)
        pos = x > 0
        z = (np.log(x[pos]) - math.log(dist.median)) / (dist.sigma * math.sqrt(2))
        out[pos] = 0.5 * (1 + np.array([math.erf(v) for v in z]))
        return out
    xs = np.array([0.0] + [p[0] for p in dist.points])
    ps = np.array([0.0] + [p[1] for p in dist.points])
    return np.interp(x, xs, ps, left=0.0, right=ps[-1])


def scenarios(
    deadline: Deadline, *, start_year: int, periods: int, step: float, shift: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """(years from start, probability) of every deadline scenario, after `shift` years."""
    deadline = resolved(deadline, start_year)
    if deadline.years is not None:
        return np.array([deadline.years + shift]), np.array([1.0])
    if deadline.year is not None:
        return np.array([deadline.year - start_year + shift]), np.array([1.0])
    if deadline.scenarios is not None:
        pts = np.asarray(deadline.scenarios, dtype=float)
        if not deadline.p_never:
            return pts[:, 0] + shift, pts[:, 1]
        # "no deadline" joins the tail at the horizon's end, which no shift moves earlier
        keep = 1.0 - deadline.p_never
        return (
            np.append(pts[:, 0] + shift, periods * step + max(shift, 0.0)),
            np.append(pts[:, 1] * keep, deadline.p_never),
        )
    assert deadline.distribution is not None  # `Deadline` holds exactly one of its four kinds
    keep = 1.0 - (deadline.p_never or 0.0)
    bounds = np.arange(periods + 1) * step  # 0, step, ..., H*step
    g = keep * cdf(deadline.distribution, bounds - shift)  # shifted earlier: F(x - shift)
    years = bounds.copy()
    probs = np.empty(periods + 1)
    probs[0] = g[1] if periods >= 1 else 0.0  # below one step: never met
    probs[1:periods] = np.diff(g[1:])  # k = 1 .. H-1
    probs[periods] = 1.0 - g[periods]  # the tail, plus p_never
    return years, probs


def last_period(years: np.ndarray, *, periods: int, step: float) -> np.ndarray:
    """The period by whose end the goal must be met: floor(min(D, H*step) / step) - 1 (may be -1)."""
    with np.errstate(over="ignore"):  # a deadline of 1e308 years is inf periods: clipped below
        k = np.floor(np.clip(np.asarray(years, dtype=float) / step + 1e-9, -1, periods))
    return k.astype(int) - 1


def period_weights(years: np.ndarray, probs: np.ndarray, *, periods: int, step: float) -> np.ndarray:
    """w[t] = probability that the goal must be met by the end of period t (scenarios below 0 drop out)."""
    last = last_period(years, periods=periods, step=step)
    w = np.zeros(periods)
    ok = last >= 0
    np.add.at(w, last[ok], probs[ok])
    return w
