"""An independent formulation of a plan file, written from docs/plan-file.md and docs/model.md.

It reads the plan with tomllib (CSV supplies with csv), computes every series, intervention window
and deadline scenario itself, and writes its own MIP, solved by SCIP (pyscipopt). Its rows differ
on purpose from planner/mip/formulation.py's, so that a shared mistake is unlikely:

- completion is one-hot: `f[i,t]` = 1 when stream i completes in period t (at most one t), and
  "complete by the end of t" is the sum `done(i,t) = sum_{k<=t} f[i,k]`, with the cumulative
  progress (no running totals, no cap at the effort) at least `effort * done(i,t)`;
- precedence is a big-M row on crew units, `u[j,t] <= U[j,t] done(i, t-1-ceil(lag/step))`;
- deadlines become weights per period (`weight[t]`: the probability that the goal must be met by
  the end of t), the goal under `earliest` is a one-hot goal period;
- staffing keys: `x[i,t]` binary "worked in t", `u <= U x`, no work once done, `min_staff x <= u`,
  `u = K x` for a fixed crew, and for `contiguous` "once started, worked until done"
  (`x[t] >= x[t-1] - done(t-1)`) with the floor in every period of the run but the completion one;
  whole people from an `integer_staff` pool are an integer variable per stream, pool and period;
- `parallelization = a`: effective crew units below every chord of `u ** a` between the breakpoints
  docs/model.md lists (its documented bound, so that optima are comparable);
- `train`: progress counted up to the effort, `y[t] = min(cumulative progress, effort)` (held
  to it from both sides with the completion one-hot: before completion y is the progress, after
  it the effort), each period's increment times `per_effort` joining `max(1, ceil(delay/step))`
  periods later with `(1 - attrition) ** (step k)` left k periods after joining. An upper bound
  alone is not enough: with attrition, a plan could count its progress later than it made it and
  keep more of the people it trains.

No planner code is imported. `optimum()` returns the variant's optimum (None when no schedule meets
`earliest`'s goal inside the horizon); `replay()` evaluates a given allocation (crew units per
stream and period) under the same rules, to tell which side of a disagreement is wrong.
"""
from __future__ import annotations

import csv
import io
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pyscipopt

EPS = 1e-9            # float noise on years (0.1 * 3 is not 0.3)
INF = math.inf


# =============================================================================================
# the plan's numbers, one variant at a time
# =============================================================================================

def _csv_rows(folder: Path, name: str, column: str) -> list[tuple[float, float]]:
    text = (folder / name).read_text(encoding="utf-8")
    lines = [ln for ln in io.StringIO(text) if ln.strip() and not ln.lstrip().startswith("#")]
    return sorted((float(r["year"]), float(r[column])) for r in csv.DictReader(lines))


def series(spec, H: int, step: float, start_year: float, folder: Path) -> list[float]:
    """A value per period from a number, a list (last value repeated), {start, growth, cap} at each
    period's start year, or a CSV column stepped at calendar years (the latest row at or before)."""
    if isinstance(spec, bool):
        raise TypeError("a series is not a boolean")
    if isinstance(spec, (int, float)):
        return [float(spec)] * H
    if isinstance(spec, list):
        return [float(spec[min(t, len(spec) - 1)]) for t in range(H)]
    if "file" in spec:
        rows = _csv_rows(folder, spec["file"], spec["column"])
        out = []
        for t in range(H):
            at = start_year + t * step
            before = [v for y, v in rows if y <= at + EPS]
            out.append(before[-1] if before else 0.0)   # docs are silent before the first row
        return out
    vals = [spec["start"] * (1.0 + spec["growth"]) ** (t * step) for t in range(H)]
    return [min(v, spec["cap"]) for v in vals] if spec.get("cap") is not None else vals


def in_window(t: int, step: float, change: dict) -> bool:
    """The period's start year t*step lies in [from_year, until_year)."""
    lo = change.get("from_year", 0.0)
    hi = change.get("until_year")
    start = t * step
    return start >= lo - EPS and (hi is None or start < hi - EPS)


def lognormal_cdf(x: float, median: float, sigma: float) -> float:
    if x <= 0:
        return 0.0
    return 0.5 * math.erfc(-(math.log(x) - math.log(median)) / (sigma * math.sqrt(2.0)))


def percentiles_cdf(x: float, points: list) -> float:
    """Linear from (0, 0) through the points, flat after the last."""
    if x <= 0:
        return 0.0
    px, pp = 0.0, 0.0
    for y, p in points:
        if x <= y:
            return pp + (p - pp) * (x - px) / (y - px)
        px, pp = y, p
    return pp


def period_weights(deadline: dict, H: int, step: float, start_year: float, shift: float) -> list[float]:
    """weight[t]: the probability that the goal must be met by the end of period t. A deadline of D
    years is met by the end of period floor(D/step) - 1 (past the horizon: its last period; before
    the first period ends: never). A distribution is counted at period boundaries: the mass of
    [k step, (k+1) step) is a deadline at k step, the mass past H step (and p_never) one at H step."""
    weight = [0.0] * H

    def land(years: float, p: float) -> None:
        k = min(math.floor(years / step + EPS), H) - 1
        if k >= 0:
            weight[k] += p

    if "years" in deadline:
        land(deadline["years"] + shift, 1.0)
    elif "year" in deadline:
        land(deadline["year"] - start_year + shift, 1.0)
    elif "scenarios" in deadline:
        for y, p in deadline["scenarios"]:
            land(y + shift, p)
    else:
        dist, keep = deadline["distribution"], 1.0 - deadline.get("p_never", 0.0)

        def cdf(x: float) -> float:   # the shifted distribution, scaled by 1 - p_never
            x -= shift
            if dist["kind"] == "lognormal":
                return keep * lognormal_cdf(x, dist["median"], dist["sigma"])
            return keep * percentiles_cdf(x, dist["points"])

        for k in range(1, H):
            land(k * step, cdf((k + 1) * step) - cdf(k * step))
        land(H * step, 1.0 - cdf(H * step))
    return weight


@dataclass
class StreamNumbers:
    name: str
    crew: dict
    effort: float
    prod: list
    speed: list
    min_duration: float
    max_staff: float
    release: float
    after: list            # [(predecessor, lag years)]
    value: float
    contiguous: bool
    min_staff: float | None
    fixed_crew: bool
    a: float
    train: dict | None
    own: list = field(default_factory=list)   # the stream's own cap in crew units per period
    U: list = field(default_factory=list)     # the most crew units it can have per period
    discrete: bool = False


@dataclass
class Variant:
    H: int
    step: float
    objective: str
    supply: dict
    streams: list
    integer_pools: set
    required: list
    milestones: list       # [(value, [stream names])]
    weight: list           # per period (probability and value)


def variant(doc: dict, folder: Path, intervention: str | None, units: float | None) -> Variant:
    """Every number of one variant, `units` of the intervention (its own `units` when None)."""
    head = doc["plan"]
    step = float(head.get("step", 1.0))
    start_year = head.get("start_year", 2026)
    H = math.ceil(head["horizon"] / step - EPS)
    objective = head.get("objective", "probability")
    iv = {}
    if intervention is not None:
        iv = next(v for v in doc.get("interventions", []) if v["name"] == intervention)
    n = iv.get("units", 1.0) if units is None else units

    supply = {p["name"]: series(p["supply"], H, step, start_year, folder) for p in doc["pools"]}
    for ch in iv.get("supply", []):
        s = supply[ch["pool"]]
        for t in range(H):
            if in_window(t, step, ch):
                s[t] = s[t] * ch.get("multiply", 1.0) ** n + ch.get("add", 0.0) * n
    integer_pools = {p["name"] for p in doc["pools"] if p.get("integer_staff", False)}

    streams = []
    for d in doc["streams"]:
        prod = series(d.get("productivity", 1.0), H, step, start_year, folder)
        streams.append(StreamNumbers(
            name=d["name"], crew=dict(d["crew"]) if "crew" in d else {d["pool"]: 1.0},
            effort=float(d["effort"]), prod=prod, speed=[1.0] * H,
            min_duration=float(d.get("min_duration", 0.0)), max_staff=float(d.get("max_staff", INF)),
            release=float(d.get("release", 0.0)),
            after=[(a, 0.0) if isinstance(a, str) else (a["stream"], float(a.get("lag", 0.0)))
                   for a in d.get("after", [])],
            value=float(d.get("value", 0.0)), contiguous=bool(d.get("contiguous", False)),
            min_staff=d.get("min_staff"), fixed_crew=bool(d.get("fixed_crew", False)),
            a=float(d.get("parallelization", 1.0)), train=d.get("train")))
    by_name = {s.name: s for s in streams}
    for ch in iv.get("productivity", []):
        for name in ch["streams"]:
            p = by_name[name].prod
            for t in range(H):
                if in_window(t, step, ch):
                    p[t] = p[t] * ch.get("multiply", 1.0) ** n + ch.get("add", 0.0) * n
    for ch in iv.get("serial_speedup", []):
        for name in ch["streams"]:
            sp = by_name[name].speed
            for t in range(H):
                if in_window(t, step, ch):
                    sp[t] *= ch["factor"] ** n

    # the most each pool can hold: its supply plus every training stream's whole effort, trained
    # from its release on
    supply_ub = {r: list(v) for r, v in supply.items()}
    for s in streams:
        if s.train:
            first = math.ceil(s.release / step - EPS) + train_delay(s.train, step)
            for t in range(first, H):
                supply_ub[s.train["pool"]][t] += s.train["per_effort"] * s.effort
    for s in streams:
        s.discrete = s.contiguous or s.min_staff is not None or s.fixed_crew or \
            any(r in integer_pools for r in s.crew)
        for t in range(H):
            if s.prod[t] <= 0:
                own = 0.0   # no progress can be made: no columns (docs/model.md: U = 0)
            elif s.min_duration > 0:
                own = (s.speed[t] * s.effort / s.min_duration / s.prod[t]) ** (1.0 / s.a)
            else:
                own = INF
            own = min(own, s.max_staff)
            s.own.append(own)
            U = min([own] + [supply_ub[r][t] / k for r, k in s.crew.items()])
            if t * step < s.release - EPS:
                U = 0.0
            s.U.append(max(U, 0.0))

    required = doc.get("goal", {}).get("required", [s.name for s in streams])
    milestones = [(float(g.get("value", 1.0)), list(g["streams"])) for g in doc.get("goals", [])]
    weight = [0.0] * H
    if objective != "earliest":
        weight = period_weights(doc["deadline"], H, step, start_year, iv.get("deadline_shift", 0.0) * n)
    return Variant(H, step, objective, supply, streams, integer_pools, required, milestones, weight)


def train_delay(train: dict, step: float) -> int:
    """Periods from the work to the trained people joining: ceil(delay/step), at least one."""
    return max(1, math.ceil(train.get("delay", 0.0) / step - EPS))


def floor_of(s: StreamNumbers) -> float:
    """A contiguous stream's floor: min_staff, else one crew unit or its own cap if smaller
    (docs/model.md: the smallest own cap over the periods it can work)."""
    if s.min_staff is not None:
        return float(s.min_staff)
    caps = [c for c, U in zip(s.own, s.U) if c > 0 and U > 0] or [c for c in s.own if c > 0]
    return min([1.0] + caps)


def breakpoints(U: float, extra: list[float]) -> list[float]:
    """0, sqrt(2)**k (k >= -8) below U, U, and the extra crews strictly inside (0, U)."""
    pts = [0.0, U]
    k = -8
    while True:
        b = 2.0 ** (k / 2.0)
        if b >= U * (1 - 1e-12):
            break
        pts.append(b)
        k += 1
    pts += [e for e in extra if 0 < e < U * (1 - 1e-12)]
    pts.sort()
    out = [pts[0]]
    for b in pts[1:]:
        if b - out[-1] > 1e-9 * max(1.0, b):
            out.append(b)
    out[-1] = U
    return out


# =============================================================================================
# the MIP
# =============================================================================================

@dataclass
class Answer:
    objective: float | None            # None: no schedule meets `earliest`'s goal inside the horizon
    status: str
    allocation: dict | None = None     # {(stream, t): crew units}


def _solve(v: Variant, fixed: dict | None, time_limit: float, careful: bool = False) -> Answer:
    """`careful`: without presolve, whose reductions on tiny crews (a fixed crew of 0.004 units)
    once declared a feasible plan infeasible."""
    H, step = v.H, v.step
    T = range(H)
    m = pyscipopt.Model()
    m.hideOutput()
    m.setParam("limits/time", time_limit)
    if careful:
        m.setParam("presolving/maxrounds", 0)
    m.setParam("limits/gap", 1e-10)
    m.setParam("limits/absgap", 1e-10)
    m.setParam("numerics/feastol", 1e-6 if fixed is not None else 1e-8)
    qs = pyscipopt.quicksum

    u, eff, f, done = {}, {}, {}, {}
    for s in v.streams:
        i = s.name
        for t in T:
            ub = s.U[t] if s.U[t] < INF else None
            if fixed is not None:
                val = max(0.0, fixed[i, t])
                u[i, t] = m.addVar(lb=val * (1 - 1e-9) - 1e-9 if val > 0 else 0.0, ub=val * (1 + 1e-9) + 1e-9)
            else:
                u[i, t] = m.addVar(lb=0.0, ub=ub)
            f[i, t] = m.addVar(vtype="B")
        m.addCons(qs(f[i, t] for t in T) <= 1)
        for t in T:
            done[i, t] = qs(f[i, k] for k in range(t + 1))
        for t in T:
            if s.a >= 1:
                eff[i, t] = u[i, t]
            elif fixed is not None:   # replay: exact progress of the given crews, u ** a
                exact = max(0.0, fixed[i, t]) ** s.a
                eff[i, t] = m.addVar(lb=exact, ub=exact)
            else:
                p = m.addVar(lb=0.0)
                eff[i, t] = p
                if s.U[t] <= 0:
                    m.addCons(p == 0)
                    continue
                extra = []
                if s.min_staff is not None or s.contiguous:
                    extra.append(floor_of(s))
                if s.fixed_crew:
                    extra.append(s.own[t])
                b = breakpoints(s.U[t], extra)
                for lo, hi in zip(b, b[1:]):
                    slope = (hi ** s.a - lo ** s.a) / (hi - lo)
                    m.addCons(p <= lo ** s.a + slope * (u[i, t] - lo))
        made = 0.0
        cum = []
        for t in T:
            made = made + step * s.prod[t] * eff[i, t]
            cum.append(made)
            m.addCons(made >= s.effort * done[i, t])
        s._cum = cum
        # rate cap on progress (prod * u ** a <= speed * effort / min_duration): a bound on u
        for t in T:
            if s.prod[t] > 0 and s.min_duration > 0 and fixed is not None:
                m.addCons(s.prod[t] * eff[i, t] <= s.speed[t] * s.effort / s.min_duration + 1e-7)
            if fixed is not None:
                if s.max_staff < INF:
                    m.addCons(u[i, t] <= s.max_staff * (1 + 1e-7))
                if t * step < s.release - EPS or s.prod[t] <= 0:
                    m.addCons(u[i, t] <= 1e-7)

    by_name = {s.name: s for s in v.streams}
    for s in v.streams:
        j = s.name
        for pred, lag in s.after:
            gap = math.ceil(lag / step - EPS)
            for t in T:
                if t - 1 - gap < 0:
                    m.addCons(u[j, t] <= 1e-7 if fixed is not None else u[j, t] <= 0)
                else:
                    big = s.U[t] if fixed is None else max(s.U[t], fixed[j, t]) * (1 + 1e-6) + 1e-7
                    m.addCons(u[j, t] <= big * done[pred, t - 1 - gap])
        if s.discrete:
            slack = 0.0 if fixed is None else 1e-7   # replay: reported crews are rounded
            x = [m.addVar(vtype="B") for t in T]
            for t in T:
                big = s.U[t] if fixed is None else max(s.U[t], fixed[j, t]) * (1 + 1e-6) + 1e-7
                m.addCons(u[j, t] <= big * x[t])
                if t > 0:
                    m.addCons(x[t] <= 1 - done[j, t - 1])    # nothing once complete
                if s.min_staff is not None:
                    m.addCons(u[j, t] >= s.min_staff * x[t] * (1 - slack))
                if s.fixed_crew:
                    K = s.own[t]
                    if K <= 0 or K == INF:
                        m.addCons(x[t] == 0)
                    elif fixed is None:
                        m.addCons(u[j, t] == K * x[t])
                    else:   # a reported crew may differ from K in its last digits
                        m.addCons(u[j, t] >= K * x[t] * (1 - 1e-7))
                        m.addCons(u[j, t] <= K * x[t] * (1 + 1e-7))
                if s.contiguous:
                    if t > 0:   # once started, worked in every period until done
                        m.addCons(x[t] >= x[t - 1] - done[j, t - 1])
                    m.addCons(u[j, t] >= floor_of(s) * (x[t] - f[j, t]) * (1 - slack))
            for r, k in s.crew.items():
                if r in v.integer_pools:
                    for t in T:
                        n = m.addVar(vtype="I", lb=0)
                        m.addCons(k * u[j, t] == n)

    # training: progress counted up to the effort, joining later, with attrition
    trained = {}
    for s in v.streams:
        if not s.train:
            continue
        y = [m.addVar(lb=0.0, ub=s.effort) for t in T]
        most = 0.0  # the most progress the stream can have made by the end of t (a big-M)
        for t in T:
            most += step * s.prod[t] * (max(s.U[t], 0.0) ** s.a if fixed is None else max(0.0, fixed[s.name, t]) ** s.a)
            # y[t] = min(progress by t, effort) exactly: with attrition, counting progress later
            # than it was made would keep more of the people it trains
            m.addCons(y[t] <= s._cum[t])
            m.addCons(y[t] >= s.effort * done[s.name, t])
            if math.isfinite(most):  # a crew drawing on no pool has no cap: then y <= effort, as before
                m.addCons(y[t] >= s._cum[t] - (most + 1.0) * done[s.name, t])
            if t > 0:
                m.addCons(y[t] >= y[t - 1])
        d = train_delay(s.train, step)
        keep = 1.0 - s.train.get("attrition", 0.0)
        for t in T:
            for tau in range(0, t - d + 1):
                gain = y[tau] - (y[tau - 1] if tau > 0 else 0.0)
                trained.setdefault((s.train["pool"], t), []).append(
                    s.train["per_effort"] * keep ** (step * (t - tau - d)) * gain)
    for r, cap in v.supply.items():
        users = [s for s in v.streams if r in s.crew]
        for t in T:
            if users:
                slack = 1e-7 * max(1.0, abs(cap[t])) if fixed is not None else 0.0
                m.addCons(qs(s.crew[r] * u[s.name, t] for s in users)
                          <= cap[t] + qs(trained.get((r, t), [])) + slack)

    if v.objective == "earliest":
        e = [m.addVar(vtype="B") for t in T]
        m.addCons(qs(e) == 1)
        for t in T:
            for i in v.required:
                m.addCons(e[t] <= done[i, t])
        m.setObjective(qs((t + 1) * step * e[t] for t in T), "minimize")
    else:
        terms = []
        for t in T:
            if v.weight[t] <= 0:
                continue
            if v.objective == "probability":
                g = m.addVar(vtype="B")
                for i in v.required:
                    m.addCons(g <= done[i, t])
                terms.append(v.weight[t] * g)
            else:
                for s in v.streams:
                    if s.value:
                        terms.append(v.weight[t] * s.value * done[s.name, t])
                for value, names in v.milestones:
                    h = m.addVar(vtype="B")
                    for i in names:
                        m.addCons(h <= done[i, t])
                    terms.append(v.weight[t] * value * h)
        m.setObjective(qs(terms) if terms else 0.0, "maximize")
    m.optimize()
    status = m.getStatus()
    if status == "infeasible":
        return Answer(None, "infeasible")
    if status != "optimal":
        return Answer(None, status)
    sol = {(s.name, t): m.getVal(u[s.name, t]) for s in v.streams for t in T}
    return Answer(m.getObjVal(), "optimal", sol)


def _best(doc: dict, path: Path, intervention: str | None, fixed: dict | None, time_limit: float,
          careful: bool = False, units: float | None = None):
    iv = next((x for x in doc.get("interventions", []) if x["name"] == intervention), {})
    if iv.get("choose") and units is None:
        answers = [(lv, _solve(variant(doc, path.parent, intervention, lv), fixed, time_limit, careful))
                   for lv in iv["levels"]]
        if any(a.status not in ("optimal", "infeasible") for _, a in answers):
            return next(a for _, a in answers if a.status not in ("optimal", "infeasible"))
        found = [(a.objective, lv, a) for lv, a in answers if a.objective is not None]
        if not found:
            return Answer(None, "infeasible")
        sign = 1 if doc["plan"].get("objective", "probability") == "earliest" else -1
        return min(found, key=lambda x: (sign * x[0], x[1]))[2]
    return _solve(variant(doc, path.parent, intervention, units), fixed, time_limit, careful)


def optimum(path: Path, intervention: str | None = None, *, time_limit: float = 60.0,
            careful: bool = False, units: float | None = None) -> Answer:
    """The variant's optimum; an intervention with `choose`: the best of its levels, each solved
    on its own (on a tie the smallest level), or the level `units` alone. `careful`: SCIP without
    presolve."""
    path = Path(path)
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    return _best(doc, path, intervention, None, time_limit, careful, units)


def replay(path: Path, intervention: str | None, allocation: dict, units: float | None = None,
           *, time_limit: float = 30.0) -> Answer:
    """The objective of a given allocation {(stream, t): crew units} under this module's rules
    (status "infeasible" when it breaks one of them); `units` picks a level."""
    path = Path(path)
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    return _solve(variant(doc, path.parent, intervention, units), allocation, time_limit)
