"""Typed results: what a solve found, verified, ready for tables, JSON and CSV."""
from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field

import numpy as np

SOLVED = ("optimal", "time_limit", "interrupted")  # statuses that come with a (verified) plan


def _num(x):
    """JSON-safe number: None for missing/nan, rounded away from float noise."""
    if x is None:
        return None
    x = float(x)
    return None if not math.isfinite(x) else float(round(x, 10)) + 0.0  # no -0.0


@dataclass(frozen=True)
class StreamResult:
    name: str
    effort: float
    effort_done: float
    start_years: float | None    # years from the plan's start; None if never worked on
    finish_years: float | None   # end of the period in which the effort is reached; None if never
    start_year: int
    required: bool

    def to_dict(self) -> dict:
        return {"name": self.name, "required": self.required, "effort": _num(self.effort),
                "effort_done": _num(self.effort_done), "start_years": _num(self.start_years),
                "finish_years": _num(self.finish_years),
                "finish_year": _num(self.start_year + self.finish_years) if self.finish_years is not None else None}


@dataclass(frozen=True)
class Structure:
    """What the plan's structure alone allows, with unlimited labour (see structure.py)."""

    critical_path: list[str]
    earliest_goal_years: float | None     # no amount of labour finishes the goal sooner
    bound: float | None                   # best probability or value any labour could reach
    horizon_years: float = 0.0            # H * step
    fixed_deadline: float | None = None   # years from start, when the deadline is one date (after shifts)

    def to_dict(self) -> dict:
        return {"critical_path": self.critical_path, "earliest_goal_years": _num(self.earliest_goal_years),
                "bound": _num(self.bound)}


@dataclass
class Result:
    plan: str
    variant: str                     # "baseline" or the intervention's name
    status: str                      # optimal | time_limit | interrupted | infeasible | no_solution | error
    objective_kind: str
    objective: float | None          # recomputed from the verified schedule
    bound: float | None              # the solver's best bound (proves how far from optimal)
    gap: float | None
    runtime: float                   # seconds in the solver
    build_time: float                # seconds resolving the plan and building the model
    solver: str
    start_year: int
    goal_completion_years: float | None
    success_probability: float | None
    streams: list[StreamResult]
    structure: Structure
    period_starts: np.ndarray = field(repr=False)      # (H,) years from start
    allocation: np.ndarray | None = field(repr=False)  # (S, H) crew units per stream and period
    pool_names: list[str] = field(default_factory=list)
    pool_use: np.ndarray | None = field(default=None, repr=False)     # (R, H) FTE used
    pool_supply: np.ndarray | None = field(default=None, repr=False)  # (R, H) FTE available
    message: str = ""
    interrupted: bool = False        # the user stopped the run (Ctrl-C) during this solve
    cross_check: dict | None = None  # the second solver's verdict on the same model, when asked
    explanation: str = ""            # why the optimum is what it is, in the plan's terms

    @property
    def solved(self) -> bool:
        return self.status in SOLVED

    @property
    def goal_completion_year(self) -> float | None:
        return None if self.goal_completion_years is None else self.start_year + self.goal_completion_years

    @property
    def utilisation(self) -> np.ndarray | None:
        """(R, H) share of each pool's supply in use (nan where supply is 0)."""
        if self.pool_use is None:
            return None
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.pool_supply > 0, self.pool_use / self.pool_supply, np.nan)

    def to_dict(self, *, allocation: bool = True) -> dict:
        d = {"plan": self.plan, "variant": self.variant, "status": self.status,
             "objective_kind": self.objective_kind, "objective": _num(self.objective),
             "bound": _num(self.bound), "gap": _num(self.gap), "solver": self.solver,
             "goal_completion_years": _num(self.goal_completion_years),
             "goal_completion_year": _num(self.goal_completion_year),
             "success_probability": _num(self.success_probability),
             "streams": [s.to_dict() for s in self.streams],
             "structure": self.structure.to_dict(), "explanation": self.explanation,
             "message": self.message,
             "timing": {"build_seconds": round(self.build_time, 4), "solve_seconds": round(self.runtime, 4)}}
        if self.cross_check is not None:
            d["cross_check"] = {k: _num(v) if isinstance(v, float) else v for k, v in self.cross_check.items()}
        if allocation and self.allocation is not None:
            d["period_starts"] = [_num(x) for x in self.period_starts]
            d["allocation"] = {s.name: [_num(x) for x in row] for s, row in zip(self.streams, self.allocation)}
            d["pools"] = [{"name": n, "used": [_num(x) for x in used], "supply": [_num(x) for x in sup]}
                          for n, used, sup in zip(self.pool_names, self.pool_use, self.pool_supply)]
        return d

    def to_json(self, **kw) -> str:
        return json.dumps(self.to_dict(**kw), indent=2)

    def to_csv(self) -> str:
        """The allocation as a long table: variant, stream, period start (years and calendar), crew units."""
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["variant", "stream", "period_start_years", "year", "crew_units"])
        if self.allocation is not None:
            for s, row in zip(self.streams, self.allocation):
                for t0, units in zip(self.period_starts, row):
                    w.writerow([self.variant, s.name, f"{t0:g}", f"{self.start_year + t0:g}", f"{_num(units):.10g}"])
        return out.getvalue()


@dataclass
class InterventionResult:
    name: str
    result: Result
    delta: float | None              # objective change against the baseline
    reason: str

    def to_dict(self, **kw) -> dict:
        return {"name": self.name, "result": self.result.to_dict(**kw), "delta": _num(self.delta),
                "reason": self.reason}


@dataclass
class Comparison:
    baseline: Result | None          # None only if the run was interrupted before it finished
    interventions: list[InterventionResult]
    baseline_reason: str = ""
    not_run: list[str] = field(default_factory=list)  # interventions an interruption left unsolved

    @property
    def interrupted(self) -> bool:
        return bool(self.not_run) or self.baseline is None or any(
            r.interrupted for r in [self.baseline] + [iv.result for iv in self.interventions])

    def to_dict(self, **kw) -> dict:
        d = {"baseline": self.baseline.to_dict(**kw) if self.baseline else None,
             "baseline_reason": self.baseline_reason,
             "interventions": [iv.to_dict(**kw) for iv in self.interventions]}
        if self.interrupted:
            d["interrupted"] = True
            d["not_run"] = self.not_run
        return d

    def to_json(self, **kw) -> str:
        return json.dumps(self.to_dict(**kw), indent=2)

    def to_csv(self) -> str:
        parts = [self.baseline.to_csv()] + [iv.result.to_csv().split("\n", 1)[1] for iv in self.interventions]
        return "".join(parts)
