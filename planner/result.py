"""Typed results: what a solve found, verified, ready for tables, JSON and CSV."""

from __future__ import annotations

import copy
import csv
import io
import json
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, SupportsFloat

import numpy as np

from planner.solvers.status import SolveStatus

if TYPE_CHECKING:
    import pandas as pd

    from planner.instance.instance import Instance
    from planner.plan.schema import Plan

# statuses that come with a (verified) plan
SOLVED = frozenset({SolveStatus.OPTIMAL, SolveStatus.TIME_LIMIT, SolveStatus.INTERRUPTED})


def _num(x: SupportsFloat | None) -> float | None:
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
    start_years: float | None  # years from the plan's start; None if never worked on
    finish_years: float | None  # end of the period in which the effort is reached; None if never
    start_year: int
    required: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "required": self.required,
            "effort": _num(self.effort),
            "effort_done": _num(self.effort_done),
            "start_years": _num(self.start_years),
            "finish_years": _num(self.finish_years),
            "finish_year": _num(self.start_year + self.finish_years) if self.finish_years is not None else None,
        }


@dataclass(frozen=True)
class Structure:
    """What the plan's structure alone allows, with unlimited labour (see structure.py)."""

    critical_path: list[str]
    earliest_goal_years: float | None  # no amount of labour finishes the goal sooner
    bound: float | None  # best probability or value any labour could reach
    horizon_years: float = 0.0  # H * step
    fixed_deadline: float | None = None  # years from start, when the deadline is one date (after shifts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "critical_path": self.critical_path,
            "earliest_goal_years": _num(self.earliest_goal_years),
            "bound": _num(self.bound),
        }


@dataclass(frozen=True)
class PolicyBranch:
    """One outcome scenario of a policy (plans with research bets): which attempt at each bet
    works (0: none in time), its probability, and the schedule the policy gives it."""

    outcomes: dict[str, int]
    probability: float
    objective: float  # this branch's objective over the deadline scenarios
    goal_years: float | None  # when the goal is met in it, None if never
    attempts: list[dict[str, Any]]  # per attempt worked: stream, attempt, start/finish years, works
    allocation: dict[str, np.ndarray] = field(repr=False)  # "stream #attempt" -> (H,) crew units

    def to_dict(self, *, allocation: bool = True) -> dict[str, Any]:
        d: dict[str, Any] = {
            "outcomes": dict(self.outcomes),
            "probability": _num(self.probability),
            "objective": _num(self.objective),
            "goal_years": _num(self.goal_years),
            "attempts": [{k: _num(v) if isinstance(v, float) else v for k, v in a.items()} for a in self.attempts],
        }
        if allocation:
            d["allocation"] = {k: [_num(x) for x in v] for k, v in self.allocation.items()}
        return d


@dataclass(frozen=True)
class Result:
    """One variant of a plan, solved: how the solve ended (`status`), the verified objective with
    the solver's bound and gap, each stream's start and finish, the allocation of crew units per
    stream and period, and what reports read beside it (FTE by pool, pool use and supply, the
    deadline scenarios, the plain-words explanation). Frozen and complete as returned: every
    report and analysis reads it and none writes into it; a changed copy is `dataclasses.replace`.
    Without a plan (`solved` False) the schedule fields are None or empty."""

    plan: str
    variant: str  # "baseline" or the intervention's name
    status: SolveStatus
    objective_kind: str
    objective: float | None  # recomputed from the verified schedule
    bound: float | None  # the solver's best bound (proves how far from optimal)
    gap: float | None
    runtime: float  # seconds in the solver
    build_time: float  # seconds resolving the plan and building the model
    solver: str
    start_year: int
    goal_completion_years: float | None
    success_probability: float | None
    streams: list[StreamResult]
    structure: Structure
    period_starts: np.ndarray = field(repr=False)  # (H,) years from start
    allocation: np.ndarray | None = field(repr=False)  # (S, H) crew units per stream and period
    # What reports read beside the schedule, from the variant solved (`variant_fields`): FTE of
    # each pool per crew unit, for FTE by pool; minimum durations, serial streams and `after`
    # links, for the Gantt chart.
    crew: np.ndarray = field(repr=False)  # (S, R)
    min_duration: np.ndarray = field(repr=False)  # (S,) years
    serial: np.ndarray = field(repr=False)  # (S,) bool, see `serial_streams`
    precedences: list[tuple[str, str, float]] = field(repr=False)  # [(before, after, lag years)]
    pool_names: list[str] = field(default_factory=list)
    pool_use: np.ndarray | None = field(default=None, repr=False)  # (R, H) FTE used
    pool_supply: np.ndarray | None = field(default=None, repr=False)  # (R, H) FTE available
    message: str = ""
    interrupted: bool = False  # the user stopped the run (Ctrl-C) during this solve
    cross_check: dict[str, Any] | None = None  # the second solver's verdict on the same model, when asked
    explanation: str = ""  # why the optimum is what it is, in the plan's terms
    # the variant's deadline scenarios (None without a deadline), for the deadline chart
    deadline_years: np.ndarray | None = field(default=None, repr=False)  # (K,) after any shift
    deadline_probs: np.ndarray | None = field(default=None, repr=False)  # (K,)
    chosen_units: float | None = None  # an intervention that chooses its level: the one chosen
    levels: list[dict[str, Any]] | None = None  # and every level's own optimum: [{units, status, objective}]
    deadline_discretised: bool = False  # the scenarios are a distribution counted per period: scenario
    # k*step holds the mass of [k*step, (k+1)*step)
    # Continuous time (planner/pipeline/continuous.py): `objective` and the finish times are the
    # continuous-time plan's; the MIP's own objective on its grid is kept beside them.
    grid_objective: float | None = None  # the MIP's objective on the grid of the schedule reported
    grid_step: float | None = None  # that grid's step in years (finer than the plan's if refined)
    grid_bound: float | None = None  # the MIP's own bound and gap on that grid (`bound` and `gap`
    grid_gap: float | None = None  # are the continuous ones: objective_range's bound)
    exactness: str = "unrefined"  # exact | converged | step-sensitive | unrefined
    objective_range: tuple = (None, None)  # (the answer, a bound no continuous-time plan beats)
    grid_steps: tuple = ()  # ((step, continuous objective), ...) for each grid solved
    # research bets: the policy, one branch per outcome scenario, most likely first; the schedule
    # fields above (streams, allocation) are the most likely branch's
    policy: tuple[PolicyBranch, ...] = ()

    def __post_init__(self) -> None:
        # a status given as its string (a caller that predates SolveStatus) is stored as the member
        object.__setattr__(self, "status", SolveStatus(self.status))

    def replaced(self, **changes: Any) -> Result:
        """`dataclasses.replace(self, **changes)` in a third of its time (a Monte Carlo makes some
        for every variant): a copy of this result's fields with `changes` set, then `__post_init__`,
        as for a new Result. An unknown field is a TypeError, as there."""
        if unknown := changes.keys() - self.__dataclass_fields__.keys():
            raise TypeError(f"Result has no field {', '.join(sorted(unknown))}")
        new = copy.copy(self)
        for name, value in changes.items():
            object.__setattr__(new, name, value)
        new.__post_init__()
        return new

    @property
    def solved(self) -> bool:
        return self.status in SOLVED

    @property
    def goal_completion_year(self) -> float | None:
        return None if self.goal_completion_years is None else self.start_year + self.goal_completion_years

    @property
    def step(self) -> float:
        return float(self.period_starts[1] - self.period_starts[0]) if self.period_starts.size > 1 else 1.0

    @property
    def horizon_years(self) -> float:
        return float(self.period_starts.size * self.step)

    @property
    def fixed_deadline(self) -> float | None:
        """The deadline in years from start when it is one date, else None."""
        if self.deadline_years is not None and len(self.deadline_years) == 1:
            return float(self.deadline_years[0])
        return self.structure.fixed_deadline

    @property
    def pool_fte(self) -> np.ndarray | None:
        """(S, R, H) FTE of each pool on each stream per period, or None without a plan."""
        if self.allocation is None:
            return None
        return self.allocation[:, None, :] * self.crew[:, :, None]

    @property
    def late_years(self) -> float | None:
        """How many years after a fixed deadline the goal is met (None if on time or unknown)."""
        d = self.fixed_deadline
        g = self.goal_completion_years
        if d is None or g is None or g <= d + 1e-9:
            return None
        return g - d

    def to_frame(self) -> pd.DataFrame:
        """The allocation in long form, one row per stream, pool and period: year, period start
        (years from start), crew units and FTE of that pool. Empty (with the columns) if unsolved."""
        import pandas as pd

        cols = ["variant", "stream", "pool", "year", "period_start_years", "crew_units", "fte"]
        rows: list[tuple[str, str, str, float, float, float, float]] = []
        if self.policy:
            return self._policy_frame(cols)
        if self.allocation is not None:
            for i, s in enumerate(self.streams):
                for r in np.flatnonzero(self.crew[i] > 0):
                    for t, t0 in enumerate(self.period_starts):
                        units = float(self.allocation[i, t])
                        rows.append(
                            (
                                self.variant,
                                s.name,
                                self.pool_names[r],
                                self.start_year + float(t0),
                                float(t0),
                                units,
                                units * float(self.crew[i, r]),
                            )
                        )
        return pd.DataFrame(rows, columns=cols)

    def _policy_frame(self, cols: list[str]) -> pd.DataFrame:
        """`to_frame` of a policy: every branch's allocation, with its number and probability
        (`branch`, `branch_probability`) and the attempt (`attempt`) each row works on."""
        import pandas as pd

        index = {s.name: i for i, s in enumerate(self.streams)}
        rows = []
        for k, b in enumerate(self.policy):
            for label, units_row in b.allocation.items():
                name, _, attempt = label.rpartition(" #")
                i = index[name]
                for r in np.flatnonzero(self.crew[i] > 0):
                    for t, t0 in enumerate(self.period_starts):
                        units = float(units_row[t])
                        rows.append(
                            (self.variant, name, self.pool_names[r], self.start_year + float(t0), float(t0), units)
                            + (units * float(self.crew[i, r]), k, b.probability, int(attempt))
                        )
        return pd.DataFrame(rows, columns=cols + ["branch", "branch_probability", "attempt"])

    @property
    def utilisation(self) -> np.ndarray | None:
        """(R, H) share of each pool's supply in use (nan where supply is 0)."""
        if self.pool_use is None or self.pool_supply is None:
            return None
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.pool_supply > 0, self.pool_use / self.pool_supply, np.nan)

    def to_dict(self, *, allocation: bool = True) -> dict[str, Any]:
        d: dict[str, Any] = {
            "plan": self.plan,
            "variant": self.variant,
            "status": self.status,
            "objective_kind": self.objective_kind,
            "objective": _num(self.objective),
            "bound": _num(self.bound),
            "gap": _num(self.gap),
            "solver": self.solver,
            "goal_completion_years": _num(self.goal_completion_years),
            "goal_completion_year": _num(self.goal_completion_year),
            "success_probability": _num(self.success_probability),
            "streams": [s.to_dict() for s in self.streams],
            "structure": self.structure.to_dict(),
            "explanation": self.explanation,
            "message": self.message,
            "exactness": self.exactness,
            "objective_range": [_num(x) for x in self.objective_range],
            "grid_objective": _num(self.grid_objective),
            "grid_step": _num(self.grid_step),
            "grid_bound": _num(self.grid_bound),
            "grid_gap": _num(self.grid_gap),
            "timing": {"build_seconds": round(self.build_time, 4), "solve_seconds": round(self.runtime, 4)},
        }
        if self.policy:
            d["policy"] = [b.to_dict(allocation=allocation) for b in self.policy]
        if self.chosen_units is not None:
            d["chosen_units"] = _num(self.chosen_units)
            d["levels"] = [
                {k: _num(v) if isinstance(v, float) else v for k, v in row.items()} for row in self.levels or []
            ]
        if self.cross_check is not None:
            d["cross_check"] = {k: _num(v) if isinstance(v, float) else v for k, v in self.cross_check.items()}
        if allocation and self.allocation is not None:
            d["period_starts"] = [_num(x) for x in self.period_starts]
            d["years"] = [_num(self.start_year + x) for x in self.period_starts]  # calendar year of each period
            d["allocation"] = {s.name: [_num(x) for x in row] for s, row in zip(self.streams, self.allocation)}
            fte = self.pool_fte  # FTE per stream, pool and period (the crew units above times the crew)
            used_fte, supply = self.pool_use, self.pool_supply
            if fte is None or used_fte is None or supply is None:  # variant_fields and the assembly set them
                raise TypeError("a result with a plan has its pool use and supply")
            d["fte"] = {
                s.name: {p: [_num(x) for x in fte[i, r]] for r, p in enumerate(self.pool_names) if self.crew[i, r] > 0}
                for i, s in enumerate(self.streams)
            }
            d["pools"] = [
                {"name": n, "used": [_num(x) for x in used], "supply": [_num(x) for x in sup]}
                for n, used, sup in zip(self.pool_names, used_fte, supply)
            ]
        return d

    def to_json(self, *, allocation: bool = True) -> str:
        return json.dumps(self.to_dict(allocation=allocation), indent=2)

    def to_csv(self) -> str:
        """The allocation as a long table, one row per stream, pool and period: period start (years
        from start and calendar year), crew units, and the FTE of that pool they take. The status
        and objective go in a second file (`summary_csv`), so this one stays a plain table."""
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["variant", "stream", "period_start_years", "year", "crew_units", "pool", "fte"])
        for row in self.to_frame().itertuples(index=False):
            w.writerow(
                [
                    row.variant,
                    row.stream,
                    f"{row.period_start_years:g}",
                    f"{row.year:g}",
                    f"{_num(row.crew_units):.10g}",
                    row.pool,
                    f"{_num(row.fte):.10g}",
                ]
            )
        return out.getvalue()

    def summary_csv(self) -> str:
        """One row: variant, status, objective, goal year (the file beside the allocation CSV)."""
        return Comparison(self, []).summary_csv()


def variant_fields(plan: Plan, inst: Instance) -> dict[str, Any]:
    """The Result fields reports need from the variant solved (`inst`, resolved from `plan`), set
    when the result is assembled (run.py) so that every result is complete as returned."""
    has_deadline = inst.has_deadline
    return dict(
        crew=inst.crew,
        min_duration=inst.min_duration,
        serial=serial_streams(inst),
        precedences=[(inst.streams[p.pred], inst.streams[p.succ], p.lag) for p in inst.precedences],
        deadline_years=inst.deadline_years if has_deadline else None,
        deadline_probs=inst.deadline_probs if has_deadline else None,
        deadline_discretised=plan.deadline is not None and plan.deadline.distribution is not None,
    )


def serial_streams(inst: Instance, share: float = 0.1) -> np.ndarray:
    """(S,) True for serial streams: they have a minimum duration, and working at their full rate
    takes at most `share` of their pools' smallest (non-zero) supply, so calendar time, not people,
    limits them. `share` is a finite fraction: a room that is NaN (0 / 0) or inf (a pool with no
    supply) is never within it, as NumPy compares them."""
    positive = inst.supply > 0
    low = np.where(positive.any(axis=1), np.where(positive, inst.supply, np.inf).min(axis=1), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        crew_units = inst.rate_cap.min(axis=1) / inst.productivity.mean(axis=1)  # at the full rate
        need = inst.crew * crew_units[:, None]  # (S, R) FTE
        room = np.where(inst.crew > 0, need / low[None, :], 0.0)
    return (inst.min_duration > 0) & np.all(room <= share, axis=1)


@dataclass(frozen=True)
class InterventionResult:
    """One intervention's solved variant, its objective change against the baseline, and why."""

    name: str
    result: Result
    delta: float | None  # objective change against the baseline
    reason: str

    def to_dict(self, *, allocation: bool = True) -> dict[str, Any]:
        return {
            "name": self.name,
            "result": self.result.to_dict(allocation=allocation),
            "delta": _num(self.delta),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Comparison:
    """A plan's baseline and each intervention solved with the same options (planner.compare):
    the results, each intervention's change against the baseline with its reason, and the
    interventions an interruption left unsolved. Frozen, like the results it holds."""

    baseline: Result | None  # None only if the run was interrupted before it finished
    interventions: list[InterventionResult]
    baseline_reason: str = ""
    not_run: list[str] = field(default_factory=list)  # interventions an interruption left unsolved

    @property
    def interrupted(self) -> bool:
        return (
            bool(self.not_run)
            or self.baseline is None
            or any(r.interrupted for r in [self.baseline] + [iv.result for iv in self.interventions])
        )

    def to_dict(self, *, allocation: bool = True) -> dict[str, Any]:
        d: dict[str, Any] = {
            "baseline": self.baseline.to_dict(allocation=allocation) if self.baseline else None,
            "baseline_reason": self.baseline_reason,
            "interventions": [iv.to_dict(allocation=allocation) for iv in self.interventions],
        }
        if self.interrupted:
            d["interrupted"] = True
            d["not_run"] = self.not_run
        return d

    def to_json(self, *, allocation: bool = True) -> str:
        return json.dumps(self.to_dict(allocation=allocation), indent=2)

    def results(self) -> list[Result]:
        return ([self.baseline] if self.baseline else []) + [iv.result for iv in self.interventions]

    def to_frame(self) -> pd.DataFrame:
        """One row per variant: status, objective, change against the baseline, goal year, the
        fixed deadline it faced (calendar year, if one date) and the reason."""
        import pandas as pd

        rows: list[dict[str, Any]] = []
        for r, delta, reason in ([(self.baseline, None, self.baseline_reason)] if self.baseline else []) + [
            (iv.result, iv.delta, iv.reason) for iv in self.interventions
        ]:
            d = r.fixed_deadline
            rows.append(
                {
                    "variant": r.variant,
                    "status": r.status,
                    "objective_kind": r.objective_kind,
                    "objective": r.objective,
                    "delta": delta,
                    "goal_year": r.goal_completion_year,
                    "goal_years": r.goal_completion_years,
                    "deadline_year": None if d is None else r.start_year + d,
                    "late_years": r.late_years,
                    "success_probability": r.success_probability,
                    "reason": reason,
                }
            )
        return pd.DataFrame(
            rows,
            columns=[
                "variant",
                "status",
                "objective_kind",
                "objective",
                "delta",
                "goal_year",
                "goal_years",
                "deadline_year",
                "late_years",
                "success_probability",
                "reason",
            ],
        )

    def to_csv(self) -> str:
        """Every variant's allocation in one table (see Result.to_csv)."""
        body = [r.to_csv() for r in self.results()]
        return body[0] + "".join(b.split("\n", 1)[1] for b in body[1:])

    def summary_csv(self) -> str:
        """One row per variant: status, objective, change, goal year, deadline (see to_frame)."""
        return self.to_frame().to_csv(index=False, lineterminator="\n", float_format="%.10g")
