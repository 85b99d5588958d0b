"""The exchange rate between calendar time and labour: how many researcher-years of each pool
one calendar year is worth, at the optimum of one variant.

A year of deadline is a deadline moved `year_step` later (every scenario, as `deadline_shift`
does): an exact forward difference of two proven optima, per year. Labour is `fte_step` more FTE
in every period of a pool, and only the researcher-years that can be used count: those added up
to the goal's finish (up to the deadline, for `value`), not the years after the goal is done.

Where the objective rides on when the goal is met (`probability`, `earliest`), a year of deadline
is a year of the goal's finish, so the rate is read from the goal's continuous finish times
(progress runs through each period at that period's rate), which do not move in whole periods as
the optimum on the grid does. With d more FTE the goal finishes at T1 instead of T0: one year is
worth N = d * T1 / (T0 - T1) researcher-years, or N / T0 more FTE every year from the start until
the goal (on a labour-bound plan, N is the pool's yearly supply at the finish). For `value` the
rate is the ratio of the two objective differences. The rate is measured again at half the FTE
step: where the two differ by more than STEP_CHANGE the optimum moves in steps, and the words say
so. Where extra researchers do not move the goal (a serial chain binds) no number of them buys a
year: the ratio is infinite, null in JSON and said in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from planner.errors import PlanError
from planner.instance.instance import Instance
from planner.instance.resolve import resolve
from planner.pipeline import continuous
from planner.pipeline.session import Model
from planner.plan.paths import plan_data
from planner.plan.schema import Intervention, Plan, SupplyChange
from planner.solvers.status import SolveStatus

if TYPE_CHECKING:
    import pandas as pd

    from planner.result import Result

ZERO = 1e-9
STEP_CHANGE = 0.10
"""Rates at the FTE step and at half of it further apart than this share: the optimum is a step."""
FINISH_BASED = ("probability", "earliest")


def goal_finish_years(inst: Instance, result: Result) -> float | None:
    """When the goal is met in continuous time, in years from the start (None if never): each
    required stream works the period it completes in at that period's full rate (continuous.hasten)
    and finishes at the moment its progress reaches its effort, not at the period's end as the grid
    counts it, so the finish moves smoothly with the labour added. A result already read in
    continuous time (it has a `grid_step`, and its schedule may be on a finer grid) says it itself."""
    if result.allocation is None:
        return None
    if getattr(result, "grid_step", None) is not None:
        return result.goal_completion_years
    u = continuous.hasten(inst, result.allocation, result.pool_supply)
    return continuous.goal_time(inst, continuous.finish_times(inst, u))


def years_before_deadline(inst: Instance) -> float:
    """The years from the start in which added labour counts for `value`: the deadline (its
    expectation over the scenarios), at most the horizon; the horizon without a deadline."""
    horizon = inst.periods * inst.step
    if not inst.has_deadline or not inst.deadline_probs.sum() > 0:
        return horizon
    reach = np.minimum(inst.deadline_years, horizon)
    return float((inst.deadline_probs * reach).sum() / inst.deadline_probs.sum())


@dataclass(frozen=True)
class Margins:
    """What a year of deadline and a researcher-year of each pool are worth to a variant's objective."""

    variant: str
    objective: float
    objective_kind: str
    year_step: float
    year: float  # objective gained per year of deadline
    basis: str  # "finish time" (probability, earliest) or "objective" (value)
    goal_years: float | None  # the goal's continuous finish (None if never met)
    until_years: float  # the years the added FTE count for: goal_years, or the deadline
    fte_steps: dict[str, float]  # FTE added to every period, per pool
    fte_years: dict[str, float]  # the researcher-years of those that can be used, per pool
    finish_years: dict[str, float | None]  # the goal's continuous finish with them
    pools: dict[str, float]  # objective gained per researcher-year used (the two solves)
    researcher_years_per_year: dict[str, float | None]  # what one year is worth (None: infinite)
    half_step: dict[str, float | None]  # the same, measured at half the FTE step
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def fte_per_year_per_year(self) -> dict[str, float | None]:
        """The same rate as FTE added every year from the start until the goal (or the deadline)."""
        return {
            p: (n / self.until_years if n is not None and self.until_years > ZERO else None)
            for p, n in self.researcher_years_per_year.items()
        }

    @property
    def years_per_researcher_year(self) -> dict[str, float | None]:
        """Years one researcher-year is worth (0 where none buys time; null where a year is worth nothing)."""
        return {
            p: (None if n is not None and n <= ZERO else 1.0 / n if n is not None else 0.0)
            for p, n in self.researcher_years_per_year.items()
        }

    @property
    def kinds(self) -> dict[str, str]:
        """Per pool: "smooth" where the rate at half the FTE step is within STEP_CHANGE, else "step"."""

        def kind(a, b):
            if a is None or b is None:
                return "smooth" if a is None and b is None else "step"
            return "smooth" if abs(a - b) <= STEP_CHANGE * max(abs(a), abs(b)) else "step"

        return {p: kind(n, self.half_step[p]) for p, n in self.researcher_years_per_year.items()}

    def sentences(self) -> list[str]:
        span = "one year" if self.year_step == 1 else f"{self.year_step:g} years"
        out = [
            f"a deadline {span} later changes the optimum by {self.year * self.year_step:+.6g}"
            + ("" if self.year_step == 1 else f": {self.year:+.6g} per year")
        ]
        if self.basis == "finish time" and abs(self.year) <= ZERO and self.objective_kind == "probability":
            out[0] += " (time is worth nothing here; below, what finishes the goal a year sooner)"
        for pool, n in self.researcher_years_per_year.items():
            d, used = self.fte_steps[pool], self.fte_years[pool]
            head = f"{d:g} more FTE of {pool} every year from the start "
            until = "the goal" if self.basis == "finish time" else "the deadline"
            rate = (
                f"one year is worth {n:,.4g} researcher-years of {pool}, or "
                f"{self.fte_per_year_per_year[pool]:,.4g} more FTE every year from the start until {until}"
                if n is not None
                else ""
            )
            if self.basis == "finish time":
                t0, t1 = self.goal_years, self.finish_years[pool]
                if n is None:
                    line = head + (
                        f"do not finish the goal sooner (year {t0:.4g}): no number of "
                        f"researcher-years of {pool} buys back a year (the ratio is infinite)"
                    )
                else:
                    line = head + (
                        f"finish the goal at year {t1:.4g} instead of {t0:.4g}, using "
                        f"{used:,.4g} researcher-years: {rate}"
                    )
            else:
                line = head + (
                    f"({used:,.4g} researcher-years before the deadline) change it by {self.pools[pool] * used:+.6g}: "
                )
                if abs(self.year) <= ZERO and abs(self.pools[pool]) <= ZERO:
                    line += "neither time nor this pool moves the optimum here: no exchange rate"
                elif abs(self.year) <= ZERO:
                    line += (
                        f"a calendar year is worth nothing here, and {pool} researcher-years something: "
                        "the ratio is zero"
                    )
                elif n is None:
                    line += (
                        f"no number of researcher-years of {pool} buys back a calendar year here "
                        "(the ratio is infinite)"
                    )
                else:
                    line += rate
            if self.kinds[pool] == "step":
                half = self.half_step[pool]
                line += (
                    f"; the optimum moves in steps here: at half the step ({d / 2:g} FTE) the figure is "
                    + (f"{half:,.4g}" if half is not None else "infinite")
                    + ", so it depends on the step"
                )
            out.append(line)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "variant": self.variant,
            "objective": self.objective,
            "objective_kind": self.objective_kind,
            "year_step": self.year_step,
            "year": self.year,
            "basis": self.basis,
            "goal_years": self.goal_years,
            "until_years": self.until_years,
            "fte_steps": self.fte_steps,
            "fte_years": self.fte_years,
            "finish_years": self.finish_years,
            "pools": self.pools,
            "years_per_researcher_year": self.years_per_researcher_year,
            "researcher_years_per_year": self.researcher_years_per_year,
            "fte_per_year_per_year": self.fte_per_year_per_year,
            "half_step_researcher_years_per_year": self.half_step,
            "kind": self.kinds,
            "summary": self.sentences(),
        }

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(
            self.rows,
            columns=[
                "input",
                "step",
                "unit",
                "objective",
                "changed_objective",
                "per_unit",
                "researcher_years_per_year",
            ],
        )


def margins(
    plan: Plan,
    intervention: str | None = None,
    *,
    year_step: float | None = None,
    fte_step: float | dict[str, float] | None = None,
    solver: str = "highs",
    **options: Any,
) -> Margins:
    """What one more year of deadline, and one more researcher, is worth at the optimum.

    Finite differences of the optimum of the baseline (or of `intervention`, by name, at a fixed
    level) in the deadline and in each pool's supply. `year_step`: years the deadline moves
    (default: the plan's period). `fte_step`: FTE added to every period, one number or
    {pool: FTE} (default: 10% of each pool's mean supply, at least 1 FTE). `solver` and `options`:
    as `Model.solve`'s; every solve must end optimal, else PlanError.

    Returns a Margins: `year` (objective per year of deadline), per pool `pools` (objective per
    researcher-year used) and `researcher_years_per_year` (the exchange rate; None: infinite),
    `kinds` ("smooth" or "step"), `sentences()` in words, `to_frame()` and `to_dict()`."""
    from planner.pipeline.arguments import number, optional
    from planner.plan.schema import BIG, LONG

    year_step = optional(number, year_step, "year_step", above=0, at_most=LONG)
    if isinstance(fte_step, dict):
        fte_step = {p: number(v, f"fte_step[{p!r}]", above=0, at_most=BIG) for p, v in fte_step.items()}
    else:  # a supply change adds at most BIG FTE
        fte_step = optional(number, fte_step, "fte_step", above=0, at_most=BIG)
    iv = plan.intervention(intervention) if intervention else None
    options.pop("cross_check", None)
    inst = resolve(plan, iv)
    year_step = year_step or inst.step
    if isinstance(fte_step, (int, float)):
        fte_step = {p: float(fte_step) for p in inst.pools}
    steps = {p: max(1.0, round(0.1 * float(inst.supply[r].mean()), 6)) for r, p in enumerate(inst.pools)}
    steps.update(fte_step or {})
    for p in steps:
        if p not in inst.pools:
            raise PlanError(f"no pool '{p}' (have: {', '.join(inst.pools)})", key="fte_step")
    if iv is not None and (iv.choose or iv.units <= 0):
        raise PlanError(
            f"margins at '{iv.name}' needs a fixed positive amount of it: give it units = "
            "the level to look at (not choose = true, nor units = 0)",
            key="units",
        )
    per_unit = iv.units if iv is not None else 1.0  # an intervention's shifts and adds count `units` times
    sign = -1.0 if inst.objective == "earliest" else 1.0  # gains are always "better" here

    def solved(variant: Intervention | None) -> tuple[float, float | None]:
        """The proven optimum of a variant, and its goal's continuous finish."""
        target = plan
        if variant is not None and variant is not iv:  # a variant of our own: add it to a copy of the plan
            target = plan.with_changes(
                {"interventions": [*(plan_data(plan).get("interventions", [])), variant.model_dump(exclude_none=True)]}
            )
        model = Model(target, variant.name if variant is not None else None, solver=solver)
        res = model.solve(**options)
        if res.status != SolveStatus.OPTIMAL:
            raise PlanError(
                f"{res.variant}: the solve ended '{res.status}' ({res.message}), so no exact "
                "difference; give more --time-limit",
                key=None,
            )
        if res.objective is None:  # a proven optimum always has one (verify.check)
            raise PlanError(f"{res.variant}: the optimum has no objective, so no difference", key=None)
        return res.objective, goal_finish_years(model.instance, res)

    base = iv or Intervention(name="baseline")

    def with_fte(pool: str, fte: float) -> Intervention:
        return base.model_copy(
            update={
                "name": f"margins: {base.name}, +{fte:g} FTE {pool}",
                "supply": [*base.supply, SupplyChange(pool=pool, add=fte / per_unit)],
            }
        )

    obj, goal = solved(iv)
    later, _ = solved(
        base.model_copy(
            update={
                "name": f"margins: {base.name}, deadline +{year_step:g}",
                "deadline_shift": base.deadline_shift + year_step / per_unit,
            }
        )
    )
    year = sign * (later - obj) / year_step + 0.0  # + 0.0: no "-0"
    if inst.objective in FINISH_BASED and goal is not None:
        basis, until = "finish time", goal
    else:
        basis, until = "objective", years_before_deadline(inst)

    def rate(fte: float, more: float, finish: float | None) -> tuple[float, float | None]:
        """(researcher-years used, what one year is worth in them) for `fte` more FTE."""
        if basis == "finish time":
            used = fte * (finish if finish is not None else until)
            gained = until - finish if finish is not None else 0.0  # until is the goal's finish here
            return used, (used / gained if gained > ZERO else None)
        used = fte * until
        per = sign * (more - obj) / used if used > ZERO else 0.0
        return used, (year / per if abs(per) > ZERO else None)

    rows = [
        {
            "input": "deadline",
            "step": year_step,
            "unit": "year",
            "objective": obj,
            "changed_objective": later,
            "per_unit": year,
            "researcher_years_per_year": None,
        }
    ]
    pools, fte_years, finishes, ratios, half = {}, {}, {}, {}, {}
    for p in inst.pools:
        more, finishes[p] = solved(with_fte(p, steps[p]))
        fte_years[p], ratios[p] = rate(steps[p], more, finishes[p])
        pools[p] = sign * (more - obj) / fte_years[p] + 0.0 if fte_years[p] > ZERO else 0.0
        less, finish = solved(with_fte(p, steps[p] / 2))
        half[p] = rate(steps[p] / 2, less, finish)[1]
        rows.append(
            {
                "input": p,
                "step": steps[p],
                "unit": "FTE in every period",
                "objective": obj,
                "changed_objective": more,
                "per_unit": pools[p],
                "researcher_years_per_year": ratios[p],
            }
        )
    return Margins(
        iv.name if iv else "baseline",
        obj,
        inst.objective,
        year_step,
        year,
        basis,
        goal,
        until,
        steps,
        fte_years,
        finishes,
        pools,
        ratios,
        half,
        rows,
    )
