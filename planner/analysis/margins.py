"""The exchange rate between calendar time and labour: what one more year of deadline and one
more FTE-year in each pool are worth, at the optimum of one variant.

Each is an exact forward difference of two proven optima, with the step stated, because the
optimum of a MIP has no derivative: it moves in steps (a deadline counts whole periods; a serial
chain fits or not). A year is a deadline moved one step later (every scenario, as
`deadline_shift` does); an FTE-year is `fte_step` more FTE in every period of the pool's supply,
divided by the FTE-years that adds. Their ratio is the essay's question in one number: how many
researcher-years buy back one calendar year. Where extra researchers are worth nothing (a serial
chain binds) no number of them buys a year: the ratio is infinite, and reported as null with words.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import PlanError
from ..instance import resolve
from ..plan import Intervention, Plan, SupplyChange
from ..overrides import plan_data
from ..run import Model

ZERO = 1e-9


@dataclass
class Margins:
    variant: str
    objective: float
    objective_kind: str
    year_step: float
    year: float                          # objective gained per year of deadline
    fte_steps: dict[str, float]          # FTE added to every period, per pool
    fte_years: dict[str, float]          # the FTE-years that adds, per pool
    pools: dict[str, float]              # objective gained per FTE-year, per pool
    rows: list[dict] = field(default_factory=list)

    @property
    def years_per_researcher_year(self) -> dict[str, float | None]:
        """Years of deadline one FTE-year is worth (null where a year is worth nothing)."""
        return {p: (v / self.year if abs(self.year) > ZERO else None) for p, v in self.pools.items()}

    @property
    def researcher_years_per_year(self) -> dict[str, float | None]:
        """FTE-years that buy one year of deadline (null where no number of them does: infinite)."""
        return {p: (self.year / v if abs(v) > ZERO else None) for p, v in self.pools.items()}

    def sentences(self) -> list[str]:
        out = [f"one more year of deadline (a step of {self.year_step:g} years) changes the optimum by "
               f"{self.year * self.year_step:+.6g}: {self.year:+.6g} per year"]
        for pool, v in self.pools.items():
            ratio = self.researcher_years_per_year[pool]
            head = (f"{self.fte_steps[pool]:g} more FTE of {pool} in every period "
                    f"({self.fte_years[pool]:g} FTE-years) changes it by {v * self.fte_years[pool]:+.6g}: ")
            if abs(self.year) <= ZERO and abs(v) <= ZERO:
                out.append(head + "neither time nor this pool moves the optimum here: no exchange rate")
            elif abs(self.year) <= ZERO:
                out.append(head + f"a calendar year is worth nothing here, and {pool} researcher-years "
                           "something: the ratio is zero")
            elif ratio is None:
                out.append(head + f"no number of researcher-years of {pool} buys back a calendar year here "
                           "(the ratio is infinite)")
            else:
                out.append(head + f"one calendar year is worth {ratio:,.4g} researcher-years of {pool} here")
        return out

    def to_dict(self) -> dict:
        return {"variant": self.variant, "objective": self.objective, "objective_kind": self.objective_kind,
                "year_step": self.year_step, "year": self.year, "fte_steps": self.fte_steps,
                "fte_years": self.fte_years, "pools": self.pools,
                "years_per_researcher_year": self.years_per_researcher_year,
                "researcher_years_per_year": self.researcher_years_per_year, "summary": self.sentences()}

    def to_frame(self):
        import pandas as pd
        return pd.DataFrame(self.rows, columns=["input", "step", "unit", "objective", "changed_objective",
                                                "per_unit", "researcher_years_per_year"])


def margins(plan: Plan, intervention: str | None = None, *, year_step: float | None = None,
            fte_step: float | dict[str, float] | None = None, solver: str = "highs", **options) -> Margins:
    """Finite differences of the optimum of the baseline (or `intervention`) in the deadline and in
    each pool's supply. `fte_step` defaults to 10% of each pool's mean supply (at least 1 FTE)."""
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
    sign = -1.0 if inst.objective == "earliest" else 1.0   # gains are always "better" here

    def optimum(variant: Intervention | None) -> float:
        target = plan
        if variant is not None and variant is not iv:  # a variant of our own: add it to a copy of the plan
            target = plan.with_changes({"interventions": [*(plan_data(plan).get("interventions", [])),
                                                          variant.model_dump(exclude_none=True)]})
        res = Model(target, variant.name if variant is not None else None, solver=solver).solve(**options)
        if res.status != "optimal":
            raise PlanError(f"{res.variant}: the solve ended '{res.status}' ({res.message}), so no exact "
                            "difference; give more --time-limit", key=None)
        return res.objective

    base = iv or Intervention(name="baseline")
    obj = optimum(iv)
    later = optimum(base.model_copy(update={"name": f"margins: {base.name}, deadline +{year_step:g}",
                                            "deadline_shift": base.deadline_shift + year_step}))
    year = sign * (later - obj) / year_step + 0.0   # + 0.0: no "-0"
    rows = [{"input": "deadline", "step": year_step, "unit": "year", "objective": obj,
             "changed_objective": later, "per_unit": year, "researcher_years_per_year": None}]
    pools, fte_years = {}, {}
    for p in inst.pools:
        extra = SupplyChange(pool=p, add=steps[p])
        more = optimum(base.model_copy(update={"name": f"margins: {base.name}, +{steps[p]:g} FTE {p}",
                                               "supply": [*base.supply, extra]}))
        fte_years[p] = steps[p] * inst.periods * inst.step
        pools[p] = sign * (more - obj) / fte_years[p] + 0.0
        rows.append({"input": p, "step": steps[p], "unit": "FTE in every period", "objective": obj,
                     "changed_objective": more, "per_unit": pools[p],
                     "researcher_years_per_year": year / pools[p] if abs(pools[p]) > ZERO else None})
    return Margins(iv.name if iv else "baseline", obj, inst.objective, year_step, year, steps, fte_years,
                   pools, rows)
