"""The value of knowing research outcomes early (`planner evpi PLAN --outcomes`).

With research bets the policy learns which agendas work only as their attempts end. A crystal
ball on the outcomes (every outcome scenario planned on its own, as if known from the start)
gives the most that knowing them can be worth; the difference to the policy's optimum is the
expected value of perfect information on outcomes: what a funder should at most pay for a
feasibility study that tells in advance whether an agenda works. Failed attempts still have to be
run before a later one works (an attempt is the work itself); what the crystal ball saves is
running approaches that will fail, and waiting to learn it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from planner.errors import PlanError
from planner.instance.resolve import resolve
from planner.pipeline.policy import solve_clairvoyant
from planner.pipeline.session import Model
from planner.plan.schema import Plan
from planner.solvers.status import SolveOptions


@dataclass(frozen=True)
class OutcomeValue:
    variant: str
    objective_kind: str
    policy: float  # the policy's optimum: outcomes learnt as attempts end
    clairvoyant: float  # every outcome known at the start
    branches: int  # outcome scenarios

    @property
    def value(self) -> float:
        """EVPI on outcomes: clairvoyant minus policy (never negative)."""
        return max(0.0, self.clairvoyant - self.policy)

    def to_dict(self) -> dict[str, Any]:
        return {
            "variant": self.variant,
            "objective_kind": self.objective_kind,
            "policy": round(self.policy, 10),
            "clairvoyant": round(self.clairvoyant, 10),
            "evpi_outcomes": round(self.value, 10),
            "branches": self.branches,
        }


def outcome_value(
    plan: Plan, intervention: str | None = None, *, solver: str = "highs", **options: Any
) -> OutcomeValue:
    """The policy's optimum against the crystal ball's, for the baseline or `intervention`.
    `options`: `Model.solve`'s (time limit, gap, threads). The plan needs research bets."""
    inst = resolve(plan, intervention)
    if not (inst.success < 1).any():
        raise PlanError(
            "the value of knowing outcomes needs research bets: give a stream `success` below 1",
            file=str(plan.source) if plan.source else None,
            table="[[streams]]",
            key="success",
        )
    options.pop("cross_check", None)
    options.pop("refine", None)
    policy = Model(plan, intervention, solver=solver).solve(**options)
    if policy.objective is None or policy.status != "optimal":
        raise PlanError(f"the policy did not solve to optimality ({policy.status}): {policy.message}")
    solve_options = SolveOptions(
        time_limit=options.get("time_limit"), gap=options.get("gap", 1e-6), threads=options.get("threads")
    )
    clairvoyant, branches = solve_clairvoyant(plan, inst, solver, solve_options)
    return OutcomeValue(inst.name, inst.objective, policy.objective, clairvoyant, len(branches))
