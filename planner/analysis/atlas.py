"""The atlas: an intervention's effect for every pair of a deadline preset and a parallelization
preset (planner/plan/presets.py), each cell a Monte Carlo over the plan's own `[uncertainty]` table
with that pair fixed.

In a cell the preset replaces the plan's whole `[deadline]`, and the parallelization preset is
set on every stream that has diminishing returns in the plan (a `parallelization` other than 1, a
preset, or one sampled in `[uncertainty]`), or on every stream when none has. Entries of
`[uncertainty]` that set what the cell fixes (any `deadline...` path, those streams'
`parallelization`) are left out of that cell's sampling and listed in `fixed_inputs`. Every cell
draws its samples from the same seed (the table's, or `seed`), so cells differ by their presets,
not by sampling noise, and the numbers do not depend on the worker count (planner/analysis/montecarlo.py).
A plan without `[uncertainty]` (or with nothing left to sample) gets one deterministic solve per
cell (`samples` = 1).

For a `probability` plan the deadline preset cannot change which plan is best (the goal as early
as it can be met), so the cells of one parallelization preset share their solves
(planner/analysis/atlas_reuse.py): one per sample and variant instead of one per deadline preset.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from planner.analysis import atlas_reuse
from planner.analysis.montecarlo import HARM, check_sample, draw_samples, montecarlo, parse_uncertainty
from planner.analysis.runner import OnPoint, Point, check_workers, run
from planner.errors import UsageError
from planner.pipeline.arguments import MAX_SAMPLES, optional, whole
from planner.plan import presets
from planner.plan.paths import quote, split_path
from planner.plan.schema import ParallelizationPreset, Plan

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_SAMPLES = 10
"""Samples per cell by default: 20 cells of models/field_realistic.toml (diminishing returns on all
13 streams) at 10 samples take under 3 minutes on 2 cores (docs/analysis.md, benchmarks/atlas.py)."""

COLUMNS = ["deadline", "parallelization", "p_harm", "mean", "p5", "p95", "samples"]


@dataclass(frozen=True)
class AtlasCell:
    """One pair of presets: P(harm), the mean effect and its 5-95% range over `samples` samples."""

    deadline: str
    parallelization: str
    p_harm: float
    mean: float
    p5: float
    p95: float
    samples: int


@dataclass(frozen=True)
class AtlasResult:
    """Every cell of the atlas, deadline presets by parallelization presets, in the order asked."""

    intervention: str
    deadlines: tuple[str, ...]
    parallelization: tuple[str, ...]
    streams: tuple[str, ...]  # the streams each parallelization preset was set on
    fixed_inputs: tuple[str, ...]  # [uncertainty] paths each cell fixes instead of sampling
    seed: int | None
    samples_per_cell: int
    objective_kind: str
    cells: tuple[AtlasCell, ...]
    interrupted: bool = False
    shared_solves: bool = False  # one solve per (parallelization, sample, variant) for every deadline preset
    own_solves: int = 0  # of those, (deadline, sample, variant) values solved on their own instead

    def cell(self, deadline: str, parallelization: str) -> AtlasCell:
        return next(c for c in self.cells if c.deadline == deadline and c.parallelization == parallelization)

    def to_frame(self) -> pd.DataFrame:
        """One row per cell: deadline, parallelization, p_harm, mean, p5, p95, samples."""
        import pandas as pd

        return pd.DataFrame([[getattr(c, k) for k in COLUMNS] for c in self.cells], columns=COLUMNS)

    def to_dict(self) -> dict[str, Any]:
        """`{"cells": [{"deadline", "parallelization", "p_harm", "mean", "p5", "p95", "samples"}]}`."""
        plain = lambda v: None if isinstance(v, float) and math.isnan(v) else v  # noqa: E731  (JSON has no NaN)
        return {"cells": [{k: plain(getattr(c, k)) for k in COLUMNS} for c in self.cells]}


def _chosen(kind: str, names: list[str] | None, option: str) -> tuple[str, ...]:
    if names is None:
        return tuple(presets.names(kind))
    if not names:
        raise UsageError(f"{option}: name at least one {kind} preset")
    for name in names:
        problem = presets.unknown(kind, name)
        if problem:
            raise UsageError(f"{option}: {problem}")
    return tuple(dict.fromkeys(names))


def _leaves(table: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """(path, distribution) of an [uncertainty] table, nested tables (dotted TOML keys) followed."""
    out: list[tuple[str, Any]] = []
    for key, value in table.items():
        path = f"{prefix}.{quote(key)}" if prefix else key
        if isinstance(value, dict) and "kind" not in value and "preset" not in value:
            out += _leaves(value, path)
        else:
            out.append((path, value))
    return out


def _targets(plan: Plan, sampled: list[str]) -> tuple[str, ...]:
    """The streams a parallelization preset is set on: those with diminishing returns, else all."""
    parts = [split_path(p) for p in sampled]
    varied = {q[1] for q in parts if len(q) == 3 and q[0] == "streams" and q[2] == "parallelization"}
    shaped = [
        s.name
        for s in plan.streams
        if s.exponent != 1 or isinstance(s.parallelization, ParallelizationPreset) or s.name in varied
    ]
    return tuple(shaped or [s.name for s in plan.streams])


def _fixed(path: str, streams: tuple[str, ...]) -> bool:
    parts = split_path(path)
    return parts[0] == "deadline" or (
        len(parts) == 3 and parts[0] == "streams" and parts[1] in streams and parts[2] == "parallelization"
    )


def atlas(
    plan: Plan,
    intervention: str,
    *,
    deadlines: list[str] | None = None,
    parallelization: list[str] | None = None,
    n: int = DEFAULT_SAMPLES,
    seed: int | None = None,
    workers: int | None = None,
    on_point: OnPoint | None = None,
    cancel: threading.Event | None = None,
    deadline_reuse: bool = True,
    **options: Any,
) -> AtlasResult:
    """The intervention's effect for every (deadline preset, parallelization preset) pair.

    `deadlines`, `parallelization`: preset names (default: every preset of each kind). `n`: samples
    per cell (1 to MAX_SAMPLES, default DEFAULT_SAMPLES; unused when nothing is left to sample).
    `seed`: default the [uncertainty] table's. `workers`, `cancel` and `options`: as `montecarlo`'s;
    `on_point(k, records)` is called as each sample (or deterministic cell) finishes, `k` counted
    within its cell. `deadline_reuse` (where planner/analysis/atlas_reuse.py `applies`): one solve
    per (parallelization preset, sample, variant) re-scored for every deadline preset, the same
    numbers as each cell solved on its own (False: each cell's Monte Carlo on its own).

    Returns an AtlasResult: `cells` (P(harm), mean, p5, p95, samples per pair), `to_frame()`,
    `to_dict()`."""
    n = whole(n, "n", 1, MAX_SAMPLES)
    seed = optional(whole, seed, "seed", lo=0)
    check_workers(workers)
    plan.intervention(intervention)
    d_names = _chosen("deadline", deadlines, "--deadlines")
    p_names = _chosen("parallelization", parallelization, "--parallelization")
    file = str(plan.source) if plan.source else None
    table = presets.expand_uncertainty(plan.uncertainty, file=file) or {}
    leaves = [(p, v) for p, v in _leaves(table) if p != "seed"]
    streams = _targets(plan, [p for p, _ in leaves])
    kept = {p: v for p, v in leaves if not _fixed(p, streams)}
    fixed = tuple(p for p, _ in leaves if _fixed(p, streams))
    stochastic = bool(kept)
    cell_plans = {
        (d, a): plan.with_changes(
            {
                "deadline": {"distribution": {"preset": d}},
                **{f"streams.{quote(s)}.parallelization": {"preset": a} for s in streams},
                "uncertainty": {"seed": table.get("seed"), **kept} if stochastic else None,
            },
            where=f"the atlas cell ({d}, {a}) set",
        )
        for d in d_names
        for a in p_names
    }
    harm = (lambda x: x > HARM) if plan.plan.objective == "earliest" else (lambda x: x < -HARM)
    shared = deadline_reuse and atlas_reuse.applies(plan, intervention)
    own = 0
    if shared:
        deltas_of, interrupted, own = _shared(
            cell_plans, d_names, p_names, intervention, n if stochastic else 0, seed, workers, on_point, cancel, options
        )
        cells = [_cell(d, a, np.array(deltas_of[d, a], float), harm) for d in d_names for a in p_names]
    else:
        each, interrupted = _per_cell(cell_plans, stochastic, intervention, n, seed, workers, on_point, cancel, options)
        cells = [_cell(d, a, deltas, harm) for (d, a), deltas in each]
    return AtlasResult(
        intervention=intervention,
        deadlines=d_names,
        parallelization=p_names,
        streams=streams,
        fixed_inputs=fixed,
        seed=(seed if seed is not None else table.get("seed")) if stochastic else None,
        samples_per_cell=n if stochastic else 1,
        objective_kind=plan.plan.objective,
        cells=tuple(cells),
        interrupted=interrupted,
        shared_solves=shared,
        own_solves=own,
    )


def _cell(deadline: str, parallelization: str, deltas: np.ndarray, harm: Any) -> AtlasCell:
    if not len(deltas):  # no sample solved (interrupted, or no solution): nothing to say
        nan = float("nan")
        return AtlasCell(deadline, parallelization, nan, nan, nan, nan, 0)
    return AtlasCell(
        deadline,
        parallelization,
        p_harm=float(harm(deltas).mean()),
        mean=float(deltas.mean()),
        p5=float(np.quantile(deltas, 0.05)),
        p95=float(np.quantile(deltas, 0.95)),
        samples=len(deltas),
    )


def _per_cell(
    cell_plans: dict[tuple[str, str], Plan],
    stochastic: bool,
    intervention: str,
    n: int,
    seed: int | None,
    workers: int | None,
    on_point: OnPoint | None,
    cancel: threading.Event | None,
    options: dict[str, Any],
) -> tuple[list[tuple[tuple[str, str], np.ndarray]], bool]:
    """Each cell's deltas, every cell solved on its own (a Monte Carlo per cell, or one solve per
    cell without [uncertainty]); and whether the run was interrupted (the cells after it left out)."""
    out: list[tuple[tuple[str, str], np.ndarray]] = []
    if stochastic:
        for key, cell_plan in cell_plans.items():
            mc = montecarlo(
                cell_plan,
                n,
                seed=seed,
                interventions=[intervention],
                workers=workers,
                on_point=on_point,
                cancel=cancel,
                **options,
            )
            frame = mc.to_frame()
            out.append((key, frame.loc[frame.variant == intervention, "delta"].dropna().to_numpy(float)))
            if mc.interrupted:
                return out, True
        return out, False
    points = [Point(p, [intervention]) for p in cell_plans.values()]
    outcome = run(points, options, workers=workers, on_point=on_point, cancel=cancel)
    for key, records in zip(cell_plans, outcome.records):
        deltas = [r["delta"] for r in records or [] if r["variant"] == intervention and r["delta"] is not None]
        out.append((key, np.array(deltas, float)))
    return out, outcome.interrupted


def _shared(
    cell_plans: dict[tuple[str, str], Plan],
    d_names: tuple[str, ...],
    p_names: tuple[str, ...],
    intervention: str,
    n: int,
    seed: int | None,
    workers: int | None,
    on_point: OnPoint | None,
    cancel: threading.Event | None,
    options: dict[str, Any],
) -> tuple[dict[tuple[str, str], list[float]], bool, int]:
    """Each cell's deltas from one solve per (parallelization preset, sample, variant), re-scored for
    every deadline preset (planner/analysis/atlas_reuse.py), the samples the ones each cell's
    Monte Carlo draws (`n` = 0: no [uncertainty], one deterministic point); whether the run was
    interrupted (every cell then has the samples that finished); how many (deadline, sample,
    variant) values were solved on their own."""
    samples: list[dict[str, Any]] = [{}]
    if n:
        first = cell_plans[d_names[0], p_names[0]]
        table_seed, draws = parse_uncertainty(first.uncertainty, first)
        samples = draw_samples(table_seed if seed is None else seed, draws, n)
    points, where = [], []
    for a in p_names:
        cells = {d: cell_plans[d, a] for d in d_names}
        for k, values in enumerate(samples):
            if n:
                check_sample(cells[d_names[0]], k, values)
            task = partial(atlas_reuse.across_deadlines, cells=cells)
            points.append(Point(cells[d_names[0]], [intervention], values, task))
            where.append((a, k))

    def told(i: int, records: list[dict[str, Any]]) -> None:
        if on_point is not None:
            for d in d_names:
                on_point(where[i][1], [r for r in records if r["deadline"] == d])

    options = {k: v for k, v in options.items() if k != "cross_check"}
    outcome = run(points, options, workers=workers, on_point=told, cancel=cancel)
    deltas: dict[tuple[str, str], list[float]] = {(d, a): [] for d in d_names for a in p_names}
    own = 0
    for (a, _), records in zip(where, outcome.records):
        for r in records or []:
            own += not r["reused"]
            if r["variant"] == intervention and r["delta"] is not None:
                deltas[r["deadline"], a].append(r["delta"])
    return deltas, outcome.interrupted, own
