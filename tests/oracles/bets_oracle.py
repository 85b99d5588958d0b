"""An independent formulation of plans with research bets, written from docs/plan-file.md
("Research bets") and docs/model.md, to check the planner's policy MIP.

No planner code is imported. The plan's numbers (supply, caps per period, deadline weights) come
from tests/oracles/independent.py, which is itself independent of the planner; everything about
bets is written here, differently from planner/mip/outcomes.py and planner/mip/policy.py on purpose:

- every outcome scenario is enumerated with all `attempts` of every bet (no cut at the attempts
  that can finish in time): per bet, the attempt k = 1..N that works, with probability
  p (1-p)^(k-1), or none, (1-p)^N;
- each scenario is one copy of the schedule, with a column per (stream, attempt, period), all N
  attempts in every scenario (those after the working one held at 0); completion is one-hot per
  attempt (`f`), "done by the end of t" its running sum, and the attempt's cumulative progress is
  at least its effort times that; an attempt is not worked once done, nor anything after the
  last period a deadline counts in (such work is wasted);
- attempt a + 1 works only from the period after attempt a is done, and only if a failed in the
  scenario; successors (`after`, with `any` groups and lags) and the goal wait for the working
  attempt;
- non-anticipativity is the full pairwise form: every pair of scenarios allocates the same crew
  units to every (stream, attempt) in period t unless, for some bet on which they differ, the
  first attempt whose outcome differs between them (the smaller of the two working attempts) is
  done by the end of t - 1. No reduction to adjacent pairs, no shared columns.

`optimum(path)` returns the expected objective SCIP proves; it need not be fast. The supported
subset is what plans with bets need: pools and crews, effort, min_duration, productivity,
max_staff, release, `after` with lags and `any` groups, `[goal] required` with `any` groups,
`[[goals]]` milestones, a fixed deadline, scenarios or a distribution, and the `probability` and
`value` objectives, for the baseline or an intervention that shifts the deadline or changes
supply or productivity (not one that chooses its level).
"""
from __future__ import annotations

import copy
import itertools
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pyscipopt

from . import independent

EPS = 1e-9


@dataclass
class Bet:
    name: str
    p: float
    attempts: int


@dataclass
class Answer:
    objective: float | None            # the proven optimum (None unless solved)
    status: str
    scenarios: int = 0
    tie_rows: int = 0
    best: float | None = None          # stopped early: the best policy found, and the bound
    bound: float | None = None


def _needs(entries: list) -> list[tuple[list[str], float]]:
    """An `after` or `required` list as groups: (names, lag years), any one name of a group will do
    (a plain name is a group of one)."""
    out = []
    for e in entries:
        if isinstance(e, str):
            out.append(([e], 0.0))
        elif "any" in e:
            out.append((list(e["any"]), float(e.get("lag", 0.0))))
        else:
            out.append(([e["stream"]], float(e.get("lag", 0.0))))
    return out


def scenarios(bets: list[Bet]) -> list[tuple[dict, float]]:
    """Every outcome scenario: {bet: the attempt that works, 0 for none}, with its probability."""
    per_bet = []
    for b in bets:
        outs = [(k, b.p * (1 - b.p) ** (k - 1)) for k in range(1, b.attempts + 1)]
        outs.append((0, (1 - b.p) ** b.attempts))
        per_bet.append(outs)
    out = []
    for combo in itertools.product(*per_bet):
        works = {b.name: k for b, (k, _) in zip(bets, combo)}
        out.append((works, math.prod(q for _, q in combo)))
    return out


def first_difference(a: int, b: int) -> int:
    """The first attempt whose outcome differs between 'works at a' and 'works at b' (0 = never)."""
    return min(x for x in (a, b) if x > 0)


def optimum(path: Path, intervention: str | None = None, *, time_limit: float = 120.0,
            fix_ties: bool = True) -> Answer:
    """The best expected objective of a policy for the plan at `path` (SCIP, full pairwise
    non-anticipativity), for the baseline or an intervention at its own `units` (its numbers
    from independent.variant). `fix_ties=False` drops non-anticipativity: every scenario planned
    alone, with its outcomes known from the start (the clairvoyant value)."""
    path = Path(path)
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    plain = copy.deepcopy(doc)
    for s in plain["streams"]:
        s["after"] = []
    plain.setdefault("goal", {})["required"] = []
    v = independent.variant(plain, path.parent, intervention, None)
    H, step = v.H, v.step
    T = range(H)
    streams = {s.name: s for s in v.streams}
    raw = {d["name"]: d for d in doc["streams"]}
    bets = [Bet(n, float(d["success"]), int(d.get("attempts", 1)))
            for n, d in raw.items() if float(d.get("success", 1.0)) < 1.0]
    tries = {n: 1 for n in streams}
    tries.update({b.name: b.attempts for b in bets})
    after = {n: _needs(d.get("after", [])) for n, d in raw.items()}
    required = _needs(doc.get("goal", {}).get("required", list(streams)))
    objective = v.objective
    if objective not in ("probability", "value"):
        raise ValueError("the bets oracle takes 'probability' and 'value' only")
    keys = [(n, a) for n in streams for a in range(1, tries[n] + 1)]
    # work after the last period a deadline counts in can never count: none is done then
    last = max((t for t in T if v.weight[t] > 0), default=-1)
    most = {n: [s.U[t] if t <= last else 0.0 for t in T] for n, s in streams.items()}
    cases = scenarios(bets)

    m = pyscipopt.Model()
    m.hideOutput()
    m.setParam("limits/time", time_limit)
    m.setParam("limits/gap", 1e-8)       # the comparison's tolerance is 1e-6
    m.setParam("limits/absgap", 1e-8)
    m.setParam("numerics/feastol", 1e-8)
    # no cutting planes: on these small models SCIP's separation rounds took 20 s of 25 at the root
    m.setParam("separating/maxrounds", 0)
    m.setParam("separating/maxroundsroot", 0)
    qs = pyscipopt.quicksum

    u, done = [], []
    terms = []
    for w, (works, prob) in enumerate(cases):
        us, dn = {}, {}
        for n, a in keys:
            s = streams[n]
            f = [m.addVar(vtype="B", name=f"f{w}_{n}_{a}_{t}") for t in T]
            m.addCons(qs(f) <= 1)
            made = 0.0
            for t in T:
                x = m.addVar(lb=0.0, ub=most[n][t], name=f"u{w}_{n}_{a}_{t}")
                us[n, a, t] = x
                dn[n, a, t] = qs(f[k] for k in range(t + 1))
                made = made + step * s.prod[t] * x
                m.addCons(made >= s.effort * dn[n, a, t])
                if t > 0:   # no work once done (it could only be wasted)
                    m.addCons(x <= s.U[t] * (1 - dn[n, a, t - 1]))
        # an attempt after the first works only once the one before is done and failed
        for n, a, t in list(us):
            if a == 1:
                continue
            k = works.get(n, 1)
            if 0 < k < a:   # the stream worked at attempt k: no attempt after it
                m.addCons(us[n, a, t] <= 0)
            elif t == 0:
                m.addCons(us[n, a, t] <= 0)
            else:
                m.addCons(us[n, a, t] <= streams[n].U[t] * dn[n, a - 1, t - 1])

        def succeeded(n: str, t: int, dn=dn, works=works):
            """1 once stream n has succeeded by the end of period t (0 for t < 0 or never)."""
            if t < 0:
                return 0.0
            k = works.get(n, 1)
            return dn[n, k, t] if k > 0 else 0.0

        for n, groups in after.items():
            for names, lag in groups:
                gap = math.ceil(lag / step - EPS)
                for a in range(1, tries[n] + 1):
                    for t in T:
                        met = qs(succeeded(x, t - 1 - gap) for x in names)
                        m.addCons(us[n, a, t] <= streams[n].U[t] * met)
        for r, cap in v.supply.items():
            for t in T:
                users = [(n, a) for n, a in keys if r in streams[n].crew]
                if users:
                    m.addCons(qs(streams[n].crew[r] * us[n, a, t] for n, a in users) <= cap[t])
        for t in T:
            if v.weight[t] <= 0:
                continue
            if objective == "probability":
                g = m.addVar(vtype="B")
                for names, _ in required:
                    m.addCons(g <= qs(succeeded(x, t) for x in names))
                terms.append(prob * v.weight[t] * g)
            else:
                for n, s in streams.items():
                    if s.value:
                        terms.append(prob * v.weight[t] * s.value * succeeded(n, t))
                for value, names in v.milestones:
                    h = m.addVar(vtype="B")
                    for x in names:
                        m.addCons(h <= succeeded(x, t))
                    terms.append(prob * v.weight[t] * value * h)
        u.append(us)
        done.append(dn)

    ties = 0
    soonest = {}   # (bet, attempt): the first period it could be done in, every attempt at its cap
    for b in bets:
        s, t, a = streams[b.name], 0, 1
        made = 0.0
        while t < H and a <= b.attempts:
            made += step * s.prod[t] * s.U[t]
            if made >= s.effort - 1e-9:
                soonest[b.name, a] = t
                a, made = a + 1, 0.0
            t += 1
        for k in range(a, b.attempts + 1):
            soonest[b.name, k] = H
    if fix_ties:
        for w1, w2 in itertools.combinations(range(len(cases)), 2):
            a1, a2 = cases[w1][0], cases[w2][0]
            differ = [(b, first_difference(a1[b], a2[b])) for b in a1 if a1[b] != a2[b]]
            for t in T:
                # known to differ at the start of t: an attempt they differ on is done by t - 1
                can = [(b, k) for b, k in differ if soonest[b, k] <= t - 1]
                known = qs(done[w1][b, k, t - 1] for b, k in can)
                for n, a in keys:
                    big = most[n][t]
                    if big <= 0:
                        continue
                    x1, x2 = u[w1][n, a, t], u[w2][n, a, t]
                    if not can:   # no outcome they differ in can be known yet
                        m.addCons(x1 == x2)
                        ties += 1
                    else:
                        m.addCons(x1 - x2 <= big * known)
                        m.addCons(x2 - x1 <= big * known)
                        ties += 2
    m.setObjective(qs(terms) if terms else 0.0, "maximize")
    m.optimize()
    status = m.getStatus()
    if status not in ("optimal", "gaplimit"):   # gaplimit: proven within the gap set above
        best = m.getObjVal() if m.getNSols() > 0 else None
        return Answer(None, status, len(cases), ties, best, m.getDualbound())
    return Answer(m.getObjVal(), "optimal", len(cases), ties)
