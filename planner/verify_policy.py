"""Re-check a policy for a plan with research bets, independently of the policy MIP.

Only the allocation of each outcome scenario is taken from the solver: for every (stream,
attempt) the crew units per period. Here each scenario is played forward from the plan's own
rules (docs/model.md, "Research bets"): an attempt is finished when its progress reaches the
effort, its outcome is read off the scenario (does this attempt work?) and known from the end of
that period; a failed attempt's work is lost and the next may start the period after; an attempt
may only be worked while it is the stream's current one. Then per scenario: pool supply, rate
caps, max_staff, releases, `after` (plain and `any`, lags in years), the goal and the objective;
and across scenarios non-anticipativity: scenarios whose known outcomes are the same at the start
of a period allocate the same in it. The expected objective is the outcome-weighted sum, which
the caller compares with the solver's. A broken rule is a VerificationError.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from planner.errors import VerificationError
from planner.instance.copies import copy_streams
from planner.instance.instance import Instance
from planner.verify import is_working, pool_supply, progress_of, reporter, staffing

REL, ABS = 1e-6, 1e-6
Key = tuple[str, int]


@dataclass(frozen=True)
class Branch:
    """One outcome scenario, played forward."""

    works_at: dict[str, int]  # bet -> attempt that works (0: none in time)
    probability: float
    success_years: np.ndarray  # (S,) when each stream succeeded (end of period), nan if never
    attempt_years: dict[Key, tuple[float, float]]  # (start, finish) years of each attempt worked
    goal_years: float | None
    objective: float


@dataclass(frozen=True)
class VerifiedPolicy:
    branches: list[Branch]
    objective: float  # expected over outcome scenarios (and deadline scenarios)
    success_probability: float | None


def check_policy(
    inst: Instance,
    bets: list[str],
    outcomes: list[tuple[tuple[int, ...], float]],
    allocations: list[dict[Key, np.ndarray]],
    *,
    non_anticipative: bool = True,
) -> VerifiedPolicy:
    """`bets`: the bet streams' names; `outcomes`: per scenario (the attempt at which each bet
    works, 0 for none; probability); `allocations`: per scenario crew units (H,) per attempt key.
    `non_anticipative=False` checks each branch alone (a clairvoyant plan, which may peek)."""
    if abs(sum(p for _, p in outcomes) - 1) > 1e-9:
        raise VerificationError("the outcome scenarios' probabilities do not sum to 1")
    branches, histories = [], []
    for (works_at, prob), alloc in zip(outcomes, allocations):
        branch, history = _play(inst, dict(zip(bets, works_at)), prob, alloc)
        branches.append(branch)
        histories.append(history)
    _attempt_rules(inst, allocations)
    if non_anticipative:
        _non_anticipative(inst, allocations, histories)
    expected = float(sum(b.probability * b.objective for b in branches))
    success = None
    if inst.objective == "probability":
        success = expected
    return VerifiedPolicy(branches, expected, success)


def _play(
    inst: Instance, works_at: dict[str, int], prob: float, alloc: dict[Key, np.ndarray]
) -> tuple[Branch, list[tuple]]:
    """One scenario forward in time: the branch, and the known history at the start of each period."""
    S, H, step = len(inst.streams), inst.periods, inst.step
    index = {n: i for i, n in enumerate(inst.streams)}
    problems: list[str] = []
    for (name, a), u in alloc.items():
        if name not in index or a < 1 or a > int(inst.attempts[index[name]]):
            problems.append(f"work on an attempt that does not exist: {name} #{a}")
        if np.any(u < -ABS):
            problems.append(f"negative crew units on {name} #{a}")
    total = np.zeros((S, H))
    for (name, _), u in alloc.items():
        if name in index:
            total[index[name]] += u
    used = inst.crew.T @ total
    if inst.trains.any():  # the FTE trained come from progress: the deterministic check counts them
        supply = inst.supply_bound
    else:
        supply = inst.supply
    if np.any(used > supply + REL * np.maximum(1, supply) + ABS):
        r, t = np.argwhere(used > supply + REL * np.maximum(1, supply) + ABS)[0]
        problems.append(f"pool supply exceeded: {inst.pools[r]} period {t}: {used[r, t]:g} > {supply[r, t]:g}")
    a_exp = inst.parallelization
    success = np.full(S, np.nan)  # years
    success_period = np.full(S, -1)
    current = {i: 1 for i in range(S)}  # the attempt now allowed
    progress = np.zeros(S)
    attempt_years: dict[Key, tuple[float, float]] = {}
    started: dict[Key, float] = {}
    failed_all = np.zeros(S, bool)
    history: list[tuple] = []
    known: list[tuple] = []  # (stream, attempt, worked?) known so far
    for t in range(H):
        history.append(tuple(sorted(known)))
        year = inst.starts[t]
        newly = []
        for i in range(S):
            name = inst.streams[i]
            for (n, a), u in alloc.items():
                if n != name or u[t] <= ABS:
                    continue
                key = (n, a)
                started.setdefault(key, float(year))
                if a != current[i] or failed_all[i] or success_period[i] >= 0:
                    problems.append(f"{name} #{a} worked in period {t} while it is not the current attempt")
                    continue
                if year < inst.release[i] - 1e-9:
                    problems.append(f"{name} worked before its release (period {t})")
                for p in inst.predecessors[i]:
                    ready = success[p.pred] + p.gap * step
                    if not (success_period[p.pred] >= 0 and year >= ready - 1e-9):
                        problems.append(f"{name} works in period {t} before {inst.streams[p.pred]} has succeeded")
                for g in inst.any_after:
                    if g.succ == i and not any(
                        success_period[m] >= 0 and year >= success[m] + g.gap * step - 1e-9 for m in g.members
                    ):
                        problems.append(f"{name} works in period {t} before any of its `any` group has succeeded")
                eff = u[t] ** a_exp[i] if a_exp[i] < 1 else u[t]
                rate = inst.productivity[i, t] * eff
                if rate > inst.rate_cap[i, t] * (1 + REL) + ABS:
                    problems.append(f"rate cap exceeded: {name} #{a} period {t}")
                if u[t] > inst.max_staff[i] * (1 + REL) + ABS:
                    problems.append(f"max_staff exceeded: {name} #{a} period {t}")
                progress[i] += step * rate
        for i in range(S):
            if success_period[i] >= 0 or failed_all[i]:
                continue
            if progress[i] >= inst.effort[i] * (1 - REL) - ABS:
                name, a = inst.streams[i], current[i]
                attempt_years[(name, a)] = (started.get((name, a), float(inst.starts[t])), (t + 1) * step)
                bet = inst.success[i] < 1
                works = (not bet) or works_at.get(name, 0) == a
                if works:
                    success[i], success_period[i] = (t + 1) * step, t
                else:
                    progress[i] = 0.0
                    if a >= int(inst.attempts[i]):
                        failed_all[i] = True
                    current[i] = a + 1
                if bet:
                    newly.append((name, a, works))
        known += newly
    if problems:
        raise VerificationError("the policy breaks the model's rules: " + " | ".join(dict.fromkeys(problems)))
    met = ~np.isnan(success)
    need = [np.array([i]) for i in np.flatnonzero(inst.required)] + [np.array(g) for g in inst.any_required]
    goal = None
    if all(met[g].any() for g in need):
        goal = float(max(np.nanmin(np.where(met[g], success[g], np.nan)) for g in need)) if need else 0.0
    objective = _objective(inst, success, goal)
    branch = Branch(works_at, prob, success, attempt_years, goal, objective)
    return branch, history


def _attempt_rules(inst: Instance, allocations: list[dict[Key, np.ndarray]]) -> None:
    """The staffing keys (contiguous, min_staff, fixed crews, whole people) and the supply training
    adds, checked per attempt in every scenario by the deterministic check's own rules
    (verify.staffing, verify.pool_supply), each attempt a stream of its own: a contiguous
    attempt's run is unbroken (the wait for a failure to be known is not part of it), and a failed
    attempt's progress trains people as any progress does."""
    if not (inst.discrete.any() or inst.trains.any()):
        return
    keys = sorted({k for a in allocations for k in a})
    index = {n: i for i, n in enumerate(inst.streams)}
    rows = copy_streams(inst, np.array([index[n] for n, _ in keys], int), [f"{n} #{a}" for n, a in keys])
    zero = np.zeros(inst.periods)
    problems: list[str] = []
    report = reporter(problems)
    for w, alloc in enumerate(allocations):
        u = np.array([alloc.get(k, zero) for k in keys]).reshape(len(keys), inst.periods)
        _, progress = progress_of(rows, u)
        done = progress >= rows.effort[:, None] * (1 - REL) - ABS
        staffing(rows, u, is_working(rows, u), done, report)
        if inst.trains.any():
            pool_supply(rows, u, progress, report)
        if problems:
            raise VerificationError(
                f"the policy breaks the model's rules in outcome scenario {w + 1}: " + " | ".join(problems)
            )


def _objective(inst: Instance, success: np.ndarray, goal: float | None) -> float:
    """The scenario's objective over the deadline scenarios (deadlines past the horizon count as
    its end)."""
    reach = np.minimum(inst.deadline_years, inst.periods * inst.step) + 1e-9
    if inst.objective == "probability":
        return float(inst.deadline_probs[goal <= reach].sum()) if goal is not None else 0.0
    with np.errstate(invalid="ignore"):
        met = success[:, None] <= reach[None, :]
    value = float((inst.value[:, None] * met * inst.deadline_probs[None, :]).sum())
    assert inst.milestone_streams is not None and inst.milestone_value is not None
    for k, needs in enumerate(inst.milestone_streams):
        all_met = met[needs].all(axis=0) if needs.any() else np.ones(len(reach), bool)
        value += float(inst.milestone_value[k] * (all_met * inst.deadline_probs).sum())
    return value


def _non_anticipative(inst: Instance, allocations: list[dict[Key, np.ndarray]], histories: list[list[tuple]]) -> None:
    """Scenarios with the same known history at the start of period t allocate alike in t."""
    H = inst.periods
    keys = sorted({k for a in allocations for k in a})
    for t in range(H):
        groups: dict[tuple, list[int]] = defaultdict(list)
        for w, h in enumerate(histories):
            groups[h[t]].append(w)
        for members in groups.values():
            if len(members) < 2:
                continue
            rows = np.array([[allocations[w][k][t] if k in allocations[w] else 0.0 for k in keys] for w in members])
            spread = rows.max(axis=0) - rows.min(axis=0)
            if np.any(spread > REL * np.maximum(1, np.abs(rows).max(axis=0)) + 1e-5):
                k = keys[int(np.argmax(spread))]
                raise VerificationError(
                    f"the policy peeks: scenarios that know the same outcomes at year {inst.starts[t]:g} "
                    f"allocate differently to {k[0]} #{k[1]}"
                )
