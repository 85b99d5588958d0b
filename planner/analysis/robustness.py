"""How firm a comparison's verdict is: how far each intervention is from flipping, and, when the
plan has an `[uncertainty]` table, how often it harms over a Monte Carlo run of a stated size.

`verdict_robustness(plan, comparison)` is the one entry point: `planner compare`, `planner report`
(and the web page) call it, so they give the same numbers.

- **Flip**: for each effect the intervention has (its `deadline_shift`, and each supply change with
  a `multiply` other than 1), a `breakeven(..., nearest=True)` search over that one value, the
  others as written: the shift over its value +-10 years, a multiplier over 0 to 10x (at least 0
  to 10), to `tolerance` = 1e-4 x max(1, |value|). It reports the flip breakeven's 9-point scan
  would (the bracket nearest the plan's value) with far fewer solves: brackets nearest first,
  values the structural limit alone rules out unsolved, a round guess and a straight-line guess
  before halving (docs/analysis.md). The baseline is solved once and shared by every search (the
  intervention's numbers cannot move it), or is the comparison's own when that is what the
  search's solve would give (`_repeats`), as is the intervention at the plan's value;
  `Flip.solves` counts the solves the answer rests on, the baseline's included.
- **Monte Carlo**: `samples` draws of the `[uncertainty]` table (default `DEFAULT_SAMPLES`, a
  fixed count, so the same plan and seed give the same numbers on any machine; 0 turns it off),
  each a baseline and every intervention solved; P(harm), the mean and the 5-95% range of each
  effect.

Every solve here uses `refine=False` (the plan's own grid read in continuous time, without the
finer-grid re-solve), which is what keeps a run to seconds; the comparison itself keeps its
refined answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from planner.analysis.breakeven import BreakEven, breakeven
from planner.errors import PlanError
from planner.pipeline.arguments import DEFAULT_SAMPLES, optional, whole
from planner.plan.schema import Intervention, Plan
from planner.result import Comparison, Result
from planner.solvers.status import SolveStatus

if TYPE_CHECKING:
    from planner.analysis.montecarlo import MonteCarloResult

NOISE = 1e-9
"""Effects and percentiles closer to 0 than this are floating-point noise, and reported as 0."""
UNKNOWN = "unknown"
"""A flip's `kind` when its search stopped on a solve it could not prove (a time limit): whether
and where the verdict flips is not known, which is not the same as "nothing in the range flips it"."""

SHIFT_SPAN = 10.0
MULTIPLY_SPAN = 10.0


def clean(x: float | None) -> float | None:
    """0 for floating-point noise (-1.11e-16), the number otherwise."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return 0.0 if abs(x) < NOISE else float(x)


@dataclass(frozen=True)
class Flip:
    """Where one effect of an intervention, changed alone, turns its verdict."""

    effect: str  # "shift" or "supply"
    path: str
    current: float  # the plan's value (per unit of the intervention)
    search: BreakEven
    pool: str | None = None  # for a supply multiplier

    @property
    def value(self) -> float | None:
        return self.search.value

    @property
    def kind(self) -> str | None:
        """'continuous' or 'step'; None when nothing in the range flips the verdict; UNKNOWN when
        the search could not tell (a solve not proven optimal: `reason` says which)."""
        if self.search.kind == UNKNOWN:
            return UNKNOWN
        return self.search.kind if self.search.value is not None else None

    @property
    def reason(self) -> str:
        return self.search.reason

    @property
    def solves(self) -> int:
        """The solves the answer rests on: the intervention's at each point in `evaluations`, and
        the baseline's (shared by every search of the comparison: an intervention's own numbers
        cannot move it); some may be the comparison's own (`_repeats`)."""
        return len(self.search.evaluations) + 1

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.path,
            "current": self.current,
            "value": self.value,
            "interval": (
                list(self.search.interval) if self.value is not None and self.search.interval is not None else None
            ),
            "kind": self.kind,
            "range": [self.search.low, self.search.high],
            "tolerance": self.search.tolerance,
            "solves": self.solves,
        }
        if self.kind == UNKNOWN:
            out["reason"] = self.reason
        return {"pool": self.pool, **out} if self.pool is not None else out


@dataclass(frozen=True)
class InterventionRobustness:
    """One intervention's flip points (one per effect) and, after a Monte Carlo run, how often it
    harms and the range of its effect."""

    name: str
    delta: float | None
    shift: Flip | None = None  # None: the intervention has no deadline shift
    supply: list[Flip] = field(default_factory=list)
    p_harm: float | None = None  # None without a Monte Carlo run
    mean: float | None = None
    p5: float | None = None
    p95: float | None = None
    top_input: str | None = None  # the sampled input its effect follows most
    top_breakeven: BreakEven | None = None  # break-even over that input's sampled range

    def flip_dict(self) -> dict[str, Any]:
        """Only the effects the intervention has: `shift` and/or `supply` (one per multiplier)."""
        out: dict[str, Any] = {}
        if self.shift is not None:
            out["shift"] = self.shift.to_dict()
        if self.supply:
            out["supply"] = [f.to_dict() for f in self.supply]
        return out

    def monte_carlo_dict(self) -> dict[str, Any]:
        return {"p_harm": self.p_harm, "mean": self.mean, "p5": self.p5, "p95": self.p95, "top_input": self.top_input}


@dataclass(frozen=True)
class Robustness:
    """How firm a comparison's verdict is (`verdict_robustness`): every intervention's flips and
    Monte Carlo figures, with the run's size and seed."""

    samples: int  # 0: no Monte Carlo run (none asked for, or no [uncertainty])
    seed: int | None
    interventions: list[InterventionRobustness]
    montecarlo: MonteCarloResult | None = None  # for the report's charts

    def __getitem__(self, name: str) -> InterventionRobustness:
        return next(r for r in self.interventions if r.name == name)

    def to_dict(self) -> dict[str, Any]:
        """`robustness` (null without a Monte Carlo run) and `flip` per intervention."""
        mc = None
        if self.montecarlo is not None:
            mc = {
                "samples": self.samples,
                "seed": self.seed,
                "interventions": {r.name: r.monte_carlo_dict() for r in self.interventions},
            }
        return {"robustness": mc, "flip": {r.name: r.flip_dict() for r in self.interventions}}


def verdict_robustness(
    plan: Plan,
    comparison: Comparison,
    *,
    samples: int | None = None,
    seed: int | None = None,
    top_breakeven: bool = False,
    workers: int | None = None,
    flips: bool = True,
    **options: Any,
) -> Robustness:
    """The flip point of every effect each compared intervention has, and (with an `[uncertainty]`
    table and `samples` > 0) its Monte Carlo P(harm) and 5-95% range; `top_breakeven` also
    searches each intervention's break-even over its most influential sampled input (the report's);
    `flips=False` skips the flip searches."""
    samples = DEFAULT_SAMPLES if samples is None else whole(samples, "samples", 0)
    seed = optional(whole, seed, "seed", lo=0)
    options = {k: v for k, v in options.items() if k not in ("cross_check", "refine")}
    options["refine"] = False
    flips_of: dict[
        str, tuple[Flip | None, list[Flip]]
    ] = {}  # intervention name -> (shift, supply flips): only for a verdict there is to flip
    solver = options.get("solver", "highs")
    # the baseline solved once (refine=False) for every search: they vary only interventions
    baseline = [comparison.baseline] if comparison.baseline and _repeats(comparison.baseline, solver) else []
    for iv_result in comparison.interventions:
        if iv_result.delta is not None and flips:
            own = iv_result.result if _repeats(iv_result.result, solver) else None
            flips_of[iv_result.name] = _flips(plan, plan.intervention(iv_result.name), options, baseline, own)
    names = [plan.intervention(r.name).name for r in comparison.interventions]
    mc: MonteCarloResult | None = None
    summary = None  # its summary() by intervention, a pandas DataFrame
    if samples and plan.uncertainty and names:
        from planner.analysis.montecarlo import montecarlo

        mc = montecarlo(plan, samples, seed=seed, interventions=names, workers=workers, **options)
        summary = mc.summary().set_index("intervention")
    rows: list[InterventionRobustness] = []
    for iv_result, name in zip(comparison.interventions, names):
        shift, supply = flips_of.get(name, (None, []))
        drawn: dict[str, Any] = {}  # the Monte Carlo figures, when it drew this intervention
        if mc is not None and summary is not None and name in summary.index:  # summary comes with mc
            s = summary.loc[name]
            drawn = {k: clean(s[k]) for k in ("p_harm", "mean", "p5", "p95")}
            drawn["top_input"] = top = s["top_input"] if isinstance(s["top_input"], str) else None
            if top_breakeven and top:
                drawn["top_breakeven"] = _over_sampled_range(plan, name, top, mc, options)
        rows.append(InterventionRobustness(name, clean(iv_result.delta), shift, supply, **drawn))
    if mc is None:
        return Robustness(0, None, rows)
    return Robustness(samples, mc.seed, rows, mc)


def _repeats(res: Result | None, solver: str) -> bool:
    """Whether a comparison's `res` is what the flip searches' own solve (`refine=False`) would
    give: settled by the bound on the plan's own grid, where refining never starts, by the same
    solver."""
    return (
        res is not None
        and res.status == SolveStatus.OPTIMAL
        and res.exactness == "exact"
        and len(res.grid_steps) == 1
        and res.solver == solver
    )


def _flips(
    plan: Plan, iv: Intervention, options: dict[str, Any], baseline: list[Result], own: Result | None
) -> tuple[Flip | None, list[Flip]]:
    """The flip search of each effect `iv` has: its deadline shift, and each supply multiplier."""
    quoted = _quoted(iv.name)
    shift = (
        _flip(
            plan, iv.name, "shift", f"interventions.{quoted}.deadline_shift", iv.deadline_shift, options, baseline, own
        )
        if iv.deadline_shift
        else None
    )
    supply = [
        _flip(
            plan,
            iv.name,
            "supply",
            f"interventions.{quoted}.supply.{k}.multiply",
            ch.multiply,
            options,
            baseline,
            own,
            pool=ch.pool,
        )
        for k, ch in enumerate(iv.supply)
        if ch.multiply != 1
    ]
    return shift, supply


def _quoted(name: str) -> str:
    return f"'{name}'" if '"' in name else f'"{name}"'


def _flip(
    plan: Plan,
    name: str,
    effect: str,
    path: str,
    current: float,
    options: dict[str, Any],
    baseline: list[Result],
    own: Result | None,
    pool: str | None = None,
) -> Flip:
    """`baseline`: the shared baseline ([] until solved); `own`: the comparison's result of the
    intervention as written, when the search's solve would repeat it."""
    if effect == "shift":
        low, high = current - SHIFT_SPAN, current + SHIFT_SPAN
    else:
        low, high = 0.0, MULTIPLY_SPAN * max(1.0, current)
    tolerance = 1e-4 * max(1.0, abs(current))
    try:
        if not baseline:
            from planner.pipeline.session import Model

            solve = {k: v for k, v in options.items() if k != "solver"}
            baseline.append(Model(plan, solver=options.get("solver", "highs")).solve(**solve))
        search = breakeven(
            plan,
            name,
            path,
            low=low,
            high=high,
            tolerance=tolerance,
            nearest=True,
            baseline=baseline[0],
            solved=own,
            **options,
        )
    except PlanError as e:  # e.g. a solve not proven optimal in the time limit: no exact flip
        search = BreakEven(name, path, low, high, tolerance, None, None, UNKNOWN, e.detail)
    return Flip(effect, path, float(current), search, pool)


def _over_sampled_range(
    plan: Plan, name: str, path: str, mc: MonteCarloResult, options: dict[str, Any]
) -> BreakEven | None:
    """Break-even over the values the Monte Carlo drew for `path` (None if it drew one value)."""
    values = [s[path] for s in mc.samples if isinstance(s[path], (int, float)) and not isinstance(s[path], bool)]
    if len(values) < 2 or min(values) == max(values):
        return None
    return breakeven(plan, name, path, low=float(min(values)), high=float(max(values)), **options)
