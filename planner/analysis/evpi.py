"""The value of knowing when the deadline comes.

Wait-and-see: if the deadline were known in advance, each deadline scenario would get its own
optimal plan; weighting those optima by probability gives the most any timeline information can
be worth. EVPI = wait-and-see minus the optimum of the single plan that must serve every scenario.

Adaptive plan (`learn_at=K`): the allocation of periods starting before year K is shared by every
scenario (nobody knows the deadline yet); from K each scenario has its own. One MIP holds a copy
of the plan's model per group of scenarios (planner.mip.formulation.build, so every constraint family is
the planner's own), with the copies' crew units equal before K (non-anticipativity rows) and each
copy paid for the goal by its own scenarios' deadlines. Scenarios whose deadline falls before K
share the root copy: everything that matters to them is decided before K anyway. Where more groups
remain than `max_groups`, neighbouring deadlines share a copy: that is still a valid adaptive plan
(a coarser one), so its value is a lower bound, and the result says so.

Every number reported is recomputed by planner.verify from the schedules, scenario by scenario,
against a plan whose deadline is that scenario's: the MIP's own objective is only cross-checked.
All of it is on the plan's own grid (`grid_objective`, deadlines counted per period as the MIP
counts them), so the single plan, wait-and-see and the adaptive plans are measured alike; the
continuous-time reading of planner/pipeline/continuous.py is not applied here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from planner import verify
from planner.errors import PlanError, UsageError, VerificationError
from planner.instance.instance import Instance
from planner.instance.resolve import resolve
from planner.mip.formulation import build
from planner.mip.linear import LinearModel
from planner.pipeline.arguments import number, whole
from planner.pipeline.session import Model
from planner.plan.schema import Plan
from planner.solvers import get_backend
from planner.solvers.status import SolveOptions, SolveStatus
from planner.structure import critical_path

if TYPE_CHECKING:
    import pandas as pd

    from planner.result import Result

TOL = 1e-6
MAX_GROUPS = 1_000
"""Scenario copies in one adaptive MIP: each is a whole copy of the plan's model."""


@dataclass(frozen=True)
class Adaptive:
    """The plan that learns the deadline at year `learn_at`: its value, and how it was solved."""

    learn_at: float
    value: float
    groups: int
    grouped: bool  # neighbouring deadlines shared a copy: `value` is a lower bound
    status: SolveStatus

    def to_dict(self) -> dict[str, Any]:
        return {
            "learn_at": self.learn_at,
            "value": self.value,
            "groups": self.groups,
            "lower_bound": self.grouped,
            "status": self.status,
        }


@dataclass(frozen=True)
class EVPI:
    """What knowing the deadline in advance is worth: the one plan for every scenario, a plan per
    scenario (wait-and-see), their difference, and each plan that learns it at a given year."""

    variant: str
    objective_kind: str
    single: float  # the one plan for every scenario
    wait_and_see: float  # a plan per scenario, weighted
    scenarios: list[dict[str, Any]]  # {deadline_years, probability, optimum}
    adaptive: list[Adaptive] = field(default_factory=list)

    @property
    def evpi(self) -> float:
        """Wait-and-see minus the single plan: never below zero in exact arithmetic (each scenario's
        own optimum is at least the single plan's value there), so rounding below it is zero."""
        gap = self.wait_and_see - self.single
        return 0.0 if abs(gap) <= TOL * max(1.0, abs(self.single)) else gap

    def to_dict(self) -> dict[str, Any]:
        return {
            "variant": self.variant,
            "objective_kind": self.objective_kind,
            "single": self.single,
            "wait_and_see": self.wait_and_see,
            "evpi": self.evpi,
            "scenarios": self.scenarios,
            "adaptive": [{**a.to_dict(), "value_of_warning": a.value - self.single} for a in self.adaptive],
        }

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.scenarios, columns=["deadline_years", "last_period", "probability", "optimum"])


def _scenario_groups(inst: Instance) -> list[tuple[int, float]]:
    """(last period that counts, probability) for every deadline that some plan could meet."""
    return [(int(t), float(inst.weights[t])) for t in np.flatnonzero(inst.weights > 0)]


def _fixed(plan: Plan, variant: str | None, years: float) -> Plan:
    """The plan with its deadline fixed at `years` after the variant's shift."""
    iv = plan.intervention(variant) if variant else None
    shift = iv.deadline_shift * iv.units if iv else 0.0
    return plan.with_changes({"deadline": {"years": years - shift}})


def evpi(
    plan: Plan,
    intervention: str | None = None,
    *,
    learn_at: Sequence[float] = (),
    max_groups: int = 24,
    solver: str = "highs",
    **options: Any,
) -> EVPI:
    """The value of knowing the deadline: wait-and-see, the single plan, and their difference.

    `intervention`: the variant (default: the baseline; one that chooses its level is refused).
    `learn_at`: years K at which an adaptive plan learns the deadline (one adaptive MIP each).
    `max_groups`: scenario copies per adaptive MIP (neighbours share one beyond it: a lower
    bound). `solver` and `options`: as `Model.solve`'s; every solve must end optimal. The plan
    needs an uncertain deadline and objective "probability" or "value", else PlanError.

    Returns an EVPI: `single`, `wait_and_see`, `evpi` (their difference, on the plan's grid),
    `scenarios` (each deadline's own optimum; `to_frame()`), `adaptive` (one per K) and `to_dict()`."""
    max_groups = whole(max_groups, "max_groups", 1, MAX_GROUPS)
    if isinstance(learn_at, (str, bytes)) or not hasattr(learn_at, "__iter__"):
        raise UsageError(f"learn_at must be a list of years, got {learn_at!r}")
    horizon = plan.plan.horizon
    learn_at = [number(k, f"learn_at[{i}]", at_least=0, at_most=horizon) for i, k in enumerate(learn_at)]
    options.pop("cross_check", None)
    if intervention and plan.intervention(intervention).choose:
        raise PlanError(
            f"EVPI of '{intervention}', which chooses its level, is not defined here: set its "
            "'units' to one level (--set) and ask again",
            table="[[interventions]]",
            key="choose",
        )
    inst = resolve(plan, intervention)
    if inst.objective == "earliest" or len(inst.deadline_years) < 2:
        raise PlanError(
            "EVPI needs an uncertain deadline (scenarios or a distribution) and objective 'probability' or 'value'",
            table="[deadline]",
        )
    options.pop("refine", None)  # on the plan's grid throughout (the module docstring)
    single = Model(plan, intervention, solver=solver).solve(refine=False, **options)
    single_value = _optimal(single)
    rows, ws = [], 0.0
    for last, prob in _scenario_groups(inst):
        years = (last + 1) * inst.step
        res = Model(_fixed(plan, intervention, years), intervention, solver=solver).solve(refine=False, **options)
        optimum = _optimal(res)
        rows.append({"deadline_years": years, "last_period": last, "probability": prob, "optimum": optimum})
        ws += prob * optimum
    return EVPI(
        inst.name,
        inst.objective,
        single_value,
        ws,
        rows,
        [adaptive(plan, intervention, k, max_groups=max_groups, **options) for k in learn_at],
    )


def _optimal(res: Result) -> float:
    """The proven optimum on the plan's grid; PlanError if the solve did not prove one."""
    if res.status != SolveStatus.OPTIMAL:
        raise PlanError(
            f"{res.variant}: the solve ended '{res.status}' ({res.message}); EVPI needs proven "
            "optima: give more --time-limit"
        )
    if res.grid_objective is None:  # every optimum has its grid objective (pipeline/assemble.py)
        raise PlanError(f"{res.variant}: the optimum has no objective on the plan's grid")
    return res.grid_objective


def adaptive(
    plan: Plan, intervention: str | None, learn_at: float, *, max_groups: int = 24, **options: Any
) -> Adaptive:
    """The best plan that learns the deadline at year `learn_at` (see the module docstring)."""
    inst = resolve(plan, intervention)
    cp = critical_path(inst)
    base = build(inst, cp)
    shared = inst.starts < learn_at - 1e-9  # periods decided before the deadline is known
    k_first = int(shared.sum())  # first period that can adapt
    scen = _scenario_groups(inst)
    early = [(t, p) for t, p in scen if t < k_first]  # their deadline passes before anyone learns
    late = [(t, p) for t, p in scen if t >= k_first]
    if len(late) > max_groups:
        size = -(-len(late) // max_groups)
        bins = [late[i : i + size] for i in range(0, len(late), size)]
    else:
        bins = [[s] for s in late]
    groups = [early] + bins if early or not bins else bins
    lm, offsets = _stack(base, len(groups))
    cost = np.zeros(lm.n)
    u_index = base.blocks["u"].index
    for g, members in enumerate(groups):
        for t, p in members:
            _pay(cost, base, inst, offsets[g], t, p)
    lm.cost = [cost]
    # non-anticipativity: every copy's crew units before K equal the first copy's
    streams, periods = np.nonzero((u_index >= 0) & shared[None, :])
    before = u_index[streams, periods]
    for g in range(1, len(groups)):
        lm.add_rows(f"nonanticipativity[{g}]", [(before + offsets[g], 1.0), (before, -1.0)], 0.0, 0.0)
    backend = get_backend("highs")
    backend.load(lm)
    raw = backend.solve(
        SolveOptions(time_limit=options.get("time_limit"), gap=options.get("gap", 1e-6), threads=options.get("threads"))
    )
    if raw.x is None:
        raise PlanError(f"the adaptive plan for K = {learn_at:g} was not solved ({raw.status}: {raw.message})")
    # verify: each scenario's schedule against a plan with that scenario's deadline
    value, schedules = 0.0, []
    for g, members in enumerate(groups):
        u = _values(raw.x, u_index, offsets[g])
        schedules.append(u)
        for t, p in members:
            fixed = resolve(_fixed(plan, intervention, (t + 1) * inst.step), intervention)
            checked = verify.check(fixed, u)
            value += p * (checked.objective or 0.0)
    for u in schedules[1:]:
        if np.abs(u[:, shared] - schedules[0][:, shared]).max(initial=0.0) > 1e-6:
            raise VerificationError(f"adaptive plan K = {learn_at:g}: schedules differ before K")
    solver_value = raw.objective
    if (
        raw.status == SolveStatus.OPTIMAL
        and solver_value is not None
        and abs(value - solver_value) > 1e-5 * max(1.0, abs(value))
    ):
        if value < solver_value - 1e-5:
            raise VerificationError(
                f"adaptive plan K = {learn_at:g}: the verified value {value:.9g} is below "
                f"the solver's {solver_value:.9g}"
            )
    return Adaptive(learn_at, value, len(groups), len(late) > max_groups, raw.status)


def _stack(base: LinearModel, copies: int) -> tuple[LinearModel, list[int]]:
    """`copies` copies of one model side by side (columns offset, rows repeated)."""
    arrays = base.arrays()
    lm = LinearModel(sense=base.sense)
    offsets = [g * base.n for g in range(copies)]
    lm.lb = [np.tile(arrays["lb"], copies)]
    lm.ub = [np.tile(arrays["ub"], copies)]
    lm.integer = [np.tile(arrays["integer"], copies)]
    lm.cost = [np.zeros(base.n * copies)]
    lm.n = base.n * copies
    for g, off in enumerate(offsets):
        for f in base.families:
            lm.families.append(type(f)(f"{f.name}#{g}", f.rows, f.cols + off, f.vals, f.lower, f.upper))
    return lm, offsets


def _pay(cost: np.ndarray, base: LinearModel, inst: Instance, offset: int, t: int, p: float) -> None:
    """The objective of one scenario (deadline counted at the end of period t), weight p."""
    if inst.objective == "probability":
        col = base.blocks["g"].index[t]
        if col >= 0:
            cost[col + offset] += p
    else:  # value: each stream's own value, and each [[goals]] milestone's (model._milestones)
        cols = base.blocks["c"].index[:, t]
        ok = cols >= 0
        np.add.at(cost, cols[ok] + offset, p * inst.value[ok])
        if "h" in base.blocks:  # h[k, j] for the j-th period a deadline counts
            counted = np.flatnonzero(inst.weights > 0)
            j = int(np.searchsorted(counted, t))
            if j < counted.size and counted[j] == t:
                cols = base.blocks["h"].index[:, j]
                ok = cols >= 0
                np.add.at(cost, cols[ok] + offset, p * inst.milestone_value[ok])


def _values(x: np.ndarray, index: np.ndarray, offset: int) -> np.ndarray:
    out = np.zeros(index.shape)
    out[index >= 0] = x[index[index >= 0] + offset]
    return np.where(np.abs(out) < 1e-12, 0.0, out)
