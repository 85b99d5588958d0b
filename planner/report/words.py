"""Numbers with their units, in the same words everywhere (terminal, charts, HTML).

Times: a stream done at `g` years from the start is "done by the start of <start_year + g>"
(completion is the end of a period). Probabilities are shown as probabilities (0.5313) and
changes in them as percentage points (-6.1 pp). Labour is FTE (people working full time) per
year; work is effective person-years.
"""

from __future__ import annotations

import numpy as np

from planner.analysis.robustness import UNKNOWN, InterventionRobustness, Robustness
from planner.result import Comparison, Result


def report_baseline(c: Comparison) -> Result:
    """The comparison's baseline; a run stopped before it finished has nothing to report."""
    if c.baseline is None:
        raise ValueError("the run was stopped before the baseline finished: there is nothing to report")
    return c.baseline


def plural(n: float, word: str, many: str | None = None) -> str:
    """'1 pool', '2 pools', '1 year', '2.5 years'."""
    return f"{n:g} {word if n == 1 else (many or word + 's')}"


def calendar(r: Result, years: float) -> str:
    """Calendar year at `years` from the start: '2051', or '2051.5' between year starts."""
    return f"{r.start_year + years:g}"


def done_by(r: Result, years: float | None) -> str:
    if years is None:
        return "never"
    return f"the start of {calendar(r, years)}"


def deadline_quantile(r: Result, q: float) -> float | None:
    """Years from the start by which the deadline has come with probability q (from the
    scenarios the model uses), or None without scenarios or when it may never come that early."""
    scenarios, probs = r.deadline_years, r.deadline_probs
    if scenarios is None or probs is None or len(scenarios) == 0:
        return None
    order = np.argsort(scenarios)
    cum = np.cumsum(probs[order])
    k = np.searchsorted(cum, q - 1e-12)
    if k >= len(cum):
        return None
    years = float(scenarios[order][k])
    if r.deadline_discretised:  # the mass of [k, k + step): its quantile is at most k + step
        years += r.step
        if years > r.horizon_years + 1e-9:  # the tail, which holds everything past the horizon
            return None
    return years


def deadline_words(r: Result) -> str:
    """'the start of 2052' for one date, else the median and 10-90% range of the distribution."""
    d = r.fixed_deadline
    if d is not None:
        return f"the start of {calendar(r, d)}"
    med, lo, hi = (deadline_quantile(r, q) for q in (0.5, 0.1, 0.9))
    if med is None or lo is None:  # no scenarios (a median found means the 10% one is too)
        return "none"
    hz = r.horizon_years
    hi_text = "after the horizon" if hi is None or hi >= hz else calendar(r, hi)
    return f"uncertain: median {calendar(r, med)}, 10-90% {calendar(r, lo)} to {hi_text}"


def goal_words(r: Result) -> str:
    """When the goal is done, and whether that is after a fixed deadline. A policy (research bets)
    has a goal time per branch: the chance of meeting it at all, and when in the most likely branch."""
    g = r.goal_completion_years
    if r.policy:
        met = sum(b.probability for b in r.policy if b.goal_years is not None)
        when = "" if g is None else f"; in the most likely branch by {done_by(r, g)}"
        return f"research bets: the goal is met inside the horizon in branches worth {met:.4f}{when}"
    if g is None:
        return f"the goal cannot be met inside the {plural(r.horizon_years, 'year')} modelled"
    text = f"goal done by {done_by(r, g)} ({plural(g, 'year')} from the start)"
    late = r.late_years
    if late is not None:
        text += (
            f": that is the earliest possible, {plural(late, 'year')} after the deadline "
            f"({done_by(r, r.fixed_deadline)})"
        )
    return text


def objective_words(r: Result) -> str:
    if r.objective is None:
        return "no plan"
    if r.objective_kind == "probability":
        return f"chance of finishing before the deadline = {r.objective:.4f}"
    if r.objective_kind == "earliest":
        return f"goal done after {plural(r.objective, 'year')} (done by the start of {calendar(r, r.objective)})"
    return f"expected value {r.objective:.4f} (sum of stream values, weighted by probability)"


def objective_cell(r: Result) -> str:
    if r.objective is None:
        return "-"
    if r.objective_kind == "earliest":
        return plural(r.objective, "year")
    return f"{r.objective:.4f}"


def delta_cell(kind: str, delta: float | None) -> str:
    """A change in probability in percentage points; in years or value otherwise."""
    if delta is None:
        return ""
    if abs(delta) < 1e-12:
        return "no change"
    if kind == "probability":  # two decimals below 1 pp, so -0.22 pp does not read as -0.2
        return f"{100 * delta:+.2f} pp" if abs(delta) < 0.01 else f"{100 * delta:+.1f} pp"
    if kind == "earliest":
        return f"{delta:+.4g} years"
    return f"{delta:+.4f}"


def goal_cell(r: Result) -> str:
    g = r.goal_completion_years
    if g is None:
        return "never (not in the horizon)"
    late = r.late_years
    return calendar(r, g) + (f" ({plural(late, 'year')} late)" if late is not None else "")


def verdict(c: Comparison) -> str:
    """The answer in one or two plain sentences, baseline against each intervention."""
    b = c.baseline
    if b is None or not b.solved:
        if b is None:
            return "The run was stopped before the baseline finished, so there is nothing to compare."
        why = f": {b.message}" if b.message else ""
        return f"The baseline has no plan ({b.status}){why}. There is nothing to compare."
    parts = []
    for iv in c.interventions:
        r = iv.result
        if not r.solved or iv.delta is None:
            parts.append(f"'{iv.name}' has no plan ({r.status}).")
            continue
        kind = b.objective_kind
        better = iv.delta > 1e-9 if kind != "earliest" else iv.delta < -1e-9
        worse = iv.delta < -1e-9 if kind != "earliest" else iv.delta > 1e-9
        what = {
            "probability": "the chance of finishing before the deadline",
            "earliest": "the years until the goal is done",
            "value": "the expected value finished in time",
        }[kind]
        if (better or worse) and kind == "earliest":
            parts.append(
                f"'{iv.name}' {'helps' if better else 'hurts'}: the goal is done after {objective_cell(r)} "
                f"instead of {objective_cell(b)} ({delta_cell(kind, iv.delta)})."
            )
        elif better or worse:
            verb = (
                ("raises" if iv.delta > 0 else "lowers")
                if kind != "earliest"
                else ("delays the goal:" if worse else "brings the goal forward:")
            )
            parts.append(
                f"'{iv.name}' {'helps' if better else 'hurts'}: it {verb} {what} from {objective_cell(b)} "
                f"to {objective_cell(r)} ({delta_cell(kind, iv.delta)})."
            )
        else:
            parts.append(f"'{iv.name}' makes no difference to {what} ({objective_cell(r)} either way).")
    return " ".join(parts) if parts else "The plan has no interventions to compare."


NOISE = 1e-9
"""Closer to 0 than this is floating-point noise (-1.11e-16), printed as 0."""


def number(x: float, spec: str = ".4g") -> str:
    """A number with noise printed as 0 (never '-1.11e-16' or '-0')."""
    return format(0.0 if abs(x) < NOISE else x, spec)


def effect(kind: str, x: float, *, sign: bool = True) -> str:
    """An effect (intervention minus baseline) in compare's units: pp for probabilities, years for
    `earliest`; `sign=False` gives its size only ('0.9 pp')."""
    x = 0.0 if abs(x) < NOISE else x
    spec = "+.3g" if sign and x else ".3g"
    x = x if sign else abs(x)
    if kind == "probability":
        return f"{format(100 * x, spec)} pp"
    if kind == "earliest":
        return f"{format(x, spec)} years"
    return format(x, spec.replace("3", "4"))


def _shift_words(value: float, current: float) -> str:
    """'brought the deadline 0.3 years earlier instead of 1' (the direction named once if shared)."""

    def way(s: float) -> str:
        return "earlier" if s < 0 else "later"

    if abs(value) < 1e-3:  # under nine hours: the search's tolerance, not a shift anyone means
        return f"left the deadline where it is instead of moving it {plural(abs(current), 'year')} {way(current)}"
    verb = "brought" if value < 0 else "moved"
    same = (value < 0) == (current < 0)
    return (
        f"{verb} the deadline {plural(float(f'{abs(value):.4g}'), 'year')} {way(value)} instead of "
        f"{abs(current):.4g}" + ("" if same else f" {way(current)}")
    )


def _multiply_words(value: float, current: float, pool: str) -> str:
    """'12% more researchers instead of 30%' (as a share: multiply 1.12 against 1.3)."""

    def pct(m: float) -> str:
        return f"{abs(m - 1) * 100:.3g}%"

    def way(m: float) -> str:
        return "more" if m > 1 else "fewer"

    if abs(value - 1) < NOISE:
        return f"left {pool} as they are instead of {pct(current)} {way(current)}"
    same = (value > 1) == (current > 1)
    return f"{pct(value)} {way(value)} {pool} instead of {pct(current)}" + ("" if same else f" {way(current)}")


def flip_words(kind: str, r: InterventionRobustness) -> str:
    """How far a verdict is from flipping, from `planner.analysis.robustness.InterventionRobustness`:
    'capabilities work loses 0.9 pp; it would break even if it brought the deadline 0.3 years earlier
    instead of 1, or 12% more researchers instead of 30%'. Only the effects the intervention has."""
    if r.delta is None:
        return ""
    harm = r.delta > NOISE if kind == "earliest" else r.delta < -NOISE
    gain = r.delta < -NOISE if kind == "earliest" else r.delta > NOISE
    lead = (
        f"{r.name} {'loses' if harm else 'gains'} {effect(kind, r.delta, sign=False)}"
        if harm or gain
        else f"{r.name} makes no difference"
    )
    found, missing, unknown = [], [], []
    for f in ([r.shift] if r.shift else []) + list(r.supply):
        if f.kind == UNKNOWN:  # the search stopped on an unproven solve: say so, claim nothing
            unknown.append(("the deadline shift" if f.effect == "shift" else f"the {f.pool} multiplier", f.reason))
        elif f.value is not None:
            pool = f.pool or "the pool"  # a supply flip always names its pool
            found.append(
                _shift_words(f.value, f.current) if f.effect == "shift" else _multiply_words(f.value, f.current, pool)
            )
        elif f.effect == "shift":
            missing.append(f"no deadline shift from {f.search.low:g} to {f.search.high:g} years")
        else:
            structural = " (structural)" if "structural" in f.search.reason else ""
            missing.append(f"no {f.pool} multiplier from {f.search.low:g} to {f.search.high:g}{structural}")
    verb = "would break even" if harm else "would only break even" if gain else "would start to lose past"
    text = lead + (f"; it {verb} if it " + ", or ".join(found) if found else "")
    if missing:
        text += "; " + " and ".join(missing) + (" makes it break even" if harm else " turns the verdict")
    if unknown:
        what = " or ".join(w for w, _ in unknown)
        text += f"; where {what} would flip it is not known ({unknown[0][1]})"
    return text


def montecarlo_words(kind: str, robustness: Robustness, r: InterventionRobustness) -> str:
    """'Over 100 samples of the plan's [uncertainty] (seed 7): P(harm) = 0.62; 5-95% of the effect
    -3.1 pp to +0.4 pp (mean -1.2 pp).' Empty without a Monte Carlo run."""
    if robustness.montecarlo is None or r.p_harm is None or r.p5 is None or r.p95 is None or r.mean is None:
        return ""  # no run, or none of its samples solved this intervention
    return (
        f"Over {robustness.samples} samples of the plan's [uncertainty] (seed {robustness.seed}): "
        f"P(harm) = {number(r.p_harm, '.2f')}; 5-95% of the effect {effect(kind, r.p5)} to "
        f"{effect(kind, r.p95)} (mean {effect(kind, r.mean)})."
    )


def robustness_words(kind: str, robustness: Robustness, r: InterventionRobustness) -> str:
    """The flip sentence and the Monte Carlo one, as the terminal, the report and the page show them."""
    flip = flip_words(kind, r)
    return " ".join(t for t in (flip + "." if flip else "", montecarlo_words(kind, robustness, r)) if t)
