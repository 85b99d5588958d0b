"""A grid of plan values, each point solved for the baseline and every intervention.

Every point is a whole plan built with `Plan.with_changes` (so it is validated like a plan file)
and solved from scratch: a sweep point is by construction the same solve as `planner solve` with
the same `--set`s, which is what makes a sweep trustworthy. The points are independent, so they
run on worker processes or a Dask cluster (planner/analysis/runner.py).
"""

from __future__ import annotations

import itertools
import math
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from planner.analysis.runner import OnPoint, Outcome, Point, check_workers, run
from planner.errors import PlanError, UsageError
from planner.plan.paths import parse_value, split_path
from planner.plan.schema import Plan

if TYPE_CHECKING:
    import pandas as pd

MAX_POINTS = 100_000
"""The most grid points a sweep takes. Each point's plan is built and checked in the worker that
solves it, but its results stay in memory until the end (a few KB per point and variant), and on
the toy plan 100,000 points take about an hour on two cores: split a larger grid into several runs."""


def parse_values(text: str, path: str = "") -> list[Any]:
    """'V1,V2,...' or 'LO:HI:STEP' (HI included when the steps reach it) -> the values.
    A single value (or a TOML list or table) is a list of one."""
    text = text.strip()
    if text and text[0] in "[{\"'":
        return [parse_value(text)]
    if ":" in text:
        parts = text.split(":")
        numbers: tuple[float, float, float] | None = None
        if len(parts) == 3:
            try:
                numbers = (float(parts[0]), float(parts[1]), float(parts[2]))
            except ValueError:
                pass
        if numbers is None or not all(map(math.isfinite, numbers)):
            raise PlanError(f"a range is LO:HI:STEP with three numbers, got '{text}'", key=path)
        lo, hi, step = numbers
        if step <= 0 or hi < lo:
            raise PlanError(f"the range {text} needs LO <= HI and STEP > 0", key=path)
        count = math.floor((hi - lo) / step + 1e-9) + 1
        if count > MAX_POINTS:
            raise PlanError(f"the range {text} has {count:,} values; at most {MAX_POINTS:,}", key=path)
        return [_tidy(lo + k * step) for k in range(count)]
    items = text.split(",")
    for k, item in enumerate(items, 1):
        if not item.strip():
            where = "no value after '='" if len(items) == 1 else f"value {k} of {len(items)} is empty in '{text}'"
            raise PlanError(f"{where} (give V1,V2,... or LO:HI:STEP)", key=path)
    return [parse_value(v) for v in items]


def _tidy(x: float) -> float | int:
    """0.1 * 3 as 0.3, and whole numbers as ints (so a value prints as it was typed)."""
    x = round(x, 12)
    return int(x) if x == int(x) and abs(x) < 2**53 else x


@dataclass(frozen=True)
class SweepResult:
    """One row per grid point and variant (see `to_frame`); `outcome` says how it ran."""

    paths: list[str]
    grid: list[tuple[Any, ...]]
    outcome: Outcome

    @property
    def interrupted(self) -> bool:
        return self.outcome.interrupted

    def to_frame(self) -> pd.DataFrame:
        """Columns: each swept path, `variant`, `objective`, `status`, `goal_year`, `delta`
        (intervention minus baseline at the same point), `structural`, `reason`."""
        import pandas as pd

        rows: list[dict[str, Any]] = []
        for values, records in zip(self.grid, self.outcome.records):
            for r in records or []:
                rows.append(
                    {
                        **dict(zip(self.paths, values)),
                        "variant": r["variant"],
                        "objective": r["objective"],
                        "status": r["status"],
                        "goal_year": r["goal_year"],
                        "delta": r["delta"],
                        "structural": r["structural"],
                        "reason": r["reason"],
                    }
                )
        columns = self.paths + ["variant", "objective", "status", "goal_year", "delta", "structural", "reason"]
        return pd.DataFrame(rows, columns=columns)

    def to_dict(self) -> dict[str, Any]:
        frame = self.to_frame()
        return {
            "paths": self.paths,
            "points": len(self.grid),
            "not_run": self.outcome.not_run,
            "interrupted": self.interrupted,
            "where": self.outcome.where,
            "rows": frame.astype(object).where(frame.notna(), None).to_dict(orient="records"),
        }


def grid_points(plan: Plan, grid: dict[str, list[Any]]) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Every combination of the grid's values. The first and the last value of each path are
    checked here (the others at their first value), so a range that leaves the valid values fails
    before any solve; every combination's plan is built and checked where it is solved
    (planner.analysis.runner), not all at once here, and a bad value there names its point."""
    if not isinstance(grid, dict) or not grid:
        raise UsageError(f"grid must be a non-empty dict {{path: [values]}}, got {grid!r}")
    paths = list(grid)
    for path in paths:
        split_path(path)
        if isinstance(grid[path], (str, bytes, dict)) or not hasattr(grid[path], "__len__"):
            raise UsageError(f"grid[{path!r}] must be a list of values, got {grid[path]!r}")
        if not len(grid[path]):
            raise PlanError("no values to sweep", key=path)
    total = math.prod(len(v) for v in grid.values())
    if total > MAX_POINTS:
        raise PlanError(f"the grid has {total:,} points; at most {MAX_POINTS:,} (split it into several sweeps)")
    first = {p: grid[p][0] for p in paths}
    plan.with_changes(first)
    for path in paths:
        plan.with_changes({**first, path: grid[path][-1]})
    return paths, list(itertools.product(*(grid[p] for p in paths)))


def sweep(
    plan: Plan,
    grid: dict[str, list[Any]],
    *,
    interventions: list[str] | None = None,
    workers: int | None = None,
    scheduler: Any = None,  # an address, or a distributed Client or cluster
    on_point: OnPoint | None = None,
    cancel: threading.Event | None = None,
    **options: Any,
) -> SweepResult:
    """Solve the baseline and each intervention at every point of a grid of plan values.

    `grid`: {dotted plan path: [values]}, e.g. {"deadline.years": [24, 26, 28]}; every combination
    is one point, a whole plan built with `Plan.with_changes` and solved from scratch.
    `interventions`: the names solved beside the baseline (default: all of the plan's).
    `workers`: local processes (default: one per core); `scheduler`: a Dask scheduler address to
    run on instead. `on_point(k, records)` is called as point k finishes; setting the
    `cancel` event (threading.Event) stops the run as Ctrl-C does. `options`: `Model.solve`'s
    (time_limit, gap, threads, ...) plus `solver`.

    Returns a SweepResult: `to_frame()` has one row per point and variant (each swept path,
    variant, objective, status, goal_year, delta against the baseline, structural, reason),
    `to_dict()` the same for JSON; `outcome.not_run` counts the points an interruption left.
    A bad path or value raises PlanError, a bad argument UsageError, before any solve."""
    check_workers(workers)
    if interventions is not None:
        for name in interventions:
            plan.intervention(name)
    paths, combos = grid_points(plan, grid)
    options.pop("cross_check", None)
    outcome = run(
        [Point(plan, interventions, dict(zip(paths, c))) for c in combos],
        options,
        workers=workers,
        scheduler=scheduler,
        on_point=on_point,
        cancel=cancel,
    )
    return SweepResult(paths, combos, outcome)
