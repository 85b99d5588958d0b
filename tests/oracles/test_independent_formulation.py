"""The planner's optimum against a route that shares nothing with it but the plan file.

For each plan FILE below (TOML written to a temporary folder, with its CSV data), this test
computes the contract's numbers itself, straight from ../shared/MODEL.md: supply and productivity
series (numbers, lists whose last value repeats, `{start, growth, cap}` at each period's start
year, CSV columns read here with `csv` and stepped at calendar years), intervention windows on
period start years, and the deadline scenarios (its own lognormal CDF through math.erf, its own
percentiles interpolation, `p_never` scaling the CDF, `deadline_shift` applied before
discretising, scenarios past the horizon counting at its end). It then writes MODEL.md's program
literally: cumulative progress sums, `c[i,t] <= c[i,t+1]`, one big-M row per period for each
precedence (M = the period's supply over the crew coefficient), one binary per deadline scenario
(per stream and scenario for `value`), and nothing else: no windows, no running totals, no pruning.
The growth keys are written as docs/plan-file.md words them: `parallelization` as progress made of
a variable below every chord of `u ** a` between the breakpoints docs/model.md documents (computed
here by its own code: no MIP holds `u ** a` itself), `train` as the sum over earlier periods of
`per_effort` times the progress counted up to the effort (a binary per period), joining
`max(1, ceil(delay / step))` periods later with `(1 - attrition) ** (step * k)` left.
That program is solved with pyscipopt directly. `planner.solve(planner.load(file), variant,
refine=False)` must reach the same optimum on the plan's own grid (`Result.grid_objective`, the
objective the MIP optimises; `Result.objective` is the continuous-time answer, docs/model.md
"Continuous time") within 1e-6, or both must find the plan infeasible.

Nothing from planner/ is used except `planner.load`, `planner.solve` (whose result is checked) and
planner/plan/synthetic.py (only to generate a few random plan tables, written out as TOML). The two
routes share the contract and nothing else, so a mistake in the planner's series, deadline
discretisation, interventions, windows or formulation shows up as a different optimum.
"""
from __future__ import annotations

import csv
import json
import math
import tomllib
from pathlib import Path

import pytest

import planner
from planner.plan import synthetic

pyscipopt = pytest.importorskip("pyscipopt")
TOL = 1e-6
EPS = 1e-9   # float noise when comparing years (0.1 * 3 is not 0.3)


# =============================================================================================
# The contract's numbers, from the plan file
# =============================================================================================

def series(spec, H: int, step: float, start_year: int, folder: Path) -> list[float]:
    """One value per period t = 0..H-1 (MODEL.md, "Series rules")."""
    if isinstance(spec, (int, float)):
        return [float(spec)] * H
    if isinstance(spec, list):
        return [float(spec[min(t, len(spec) - 1)]) for t in range(H)]
    if "file" in spec:
        with open(folder / spec["file"], newline="") as f:  # '#' lines are comments (data/README.md)
            lines = [line for line in f if not line.lstrip().startswith("#")]
        rows = sorted((float(r["year"]), float(r[spec["column"]])) for r in csv.DictReader(lines))
        out = []
        for t in range(H):
            year = start_year + t * step
            out.append([v for y, v in rows if y <= year + EPS][-1])  # the latest row at or before
        return out
    values = [spec["start"] * (1 + spec["growth"]) ** (t * step) for t in range(H)]
    return [min(v, spec["cap"]) for v in values] if "cap" in spec else values


def apply_window(values: list[float], change: dict, step: float, units: float = 1.0) -> None:
    """new = old * multiply**units + add*units on periods whose start year t*step is in
    [from_year, until_year) (units: how many of the intervention's units apply)."""
    lo, hi = change.get("from_year", 0.0), change.get("until_year", math.inf)
    for t in range(len(values)):
        if lo - EPS <= t * step < hi - EPS:
            values[t] = values[t] * change.get("multiply", 1.0) ** units + change.get("add", 0.0) * units


def lognormal_cdf(x: float, median: float, sigma: float) -> float:
    if x <= 0:
        return 0.0
    return 0.5 * (1 + math.erf((math.log(x) - math.log(median)) / (sigma * math.sqrt(2))))


def percentiles_cdf(x: float, points: list) -> float:
    """Linear from (0, 0) through the points, flat after the last one."""
    xs, ps = [0.0] + [p[0] for p in points], [0.0] + [p[1] for p in points]
    if x <= 0:
        return 0.0
    for k in range(1, len(xs)):
        if x <= xs[k]:
            return ps[k - 1] + (ps[k] - ps[k - 1]) * (x - xs[k - 1]) / (xs[k] - xs[k - 1])
    return ps[-1]


def deadline_scenarios(deadline: dict, H: int, step: float, start_year: int, shift: float) -> list:
    """[(years from start, probability)] after the shift."""
    if "years" in deadline:
        return [(deadline["years"] + shift, 1.0)]
    if "year" in deadline:
        return [(deadline["year"] - start_year + shift, 1.0)]
    if "scenarios" in deadline:
        return [(y + shift, p) for y, p in deadline["scenarios"]]
    dist, keep = deadline["distribution"], 1.0 - deadline.get("p_never", 0.0)

    def G(x):  # the shifted deadline's CDF, scaled by 1 - p_never
        x -= shift
        if dist["kind"] == "lognormal":
            return keep * lognormal_cdf(x, dist["median"], dist["sigma"])
        return keep * percentiles_cdf(x, dist["points"])

    out = [(k * step, G((k + 1) * step) - G(k * step)) for k in range(1, H)]
    return out + [(H * step, 1.0 - G(H * step))]   # the tail and p_never; mass below one step is lost


def lag_periods(lag: float, step: float) -> int:
    """A lag of L years keeps the successor idle for ceil(L/step) more periods."""
    return math.ceil(lag / step - EPS)


def before_release(t: int, step: float, release: float) -> bool:
    return t * step < release - EPS


def last_period(years: float, H: int, step: float) -> int:
    """The period by whose end the goal must be met: floor(D/step) - 1, past the horizon its end."""
    return min(math.floor(years / step + EPS), H) - 1


# =============================================================================================
# MODEL.md's program, literally, solved with SCIP
# =============================================================================================

def independent_optimum(path: Path, intervention: str | None, units: float | None = None) -> float | None:
    """The optimum of the plan variant, or None when no schedule meets `earliest`'s goal. An
    intervention that chooses among `levels`: the best of the levels, each solved here on its own."""
    d = tomllib.loads(path.read_text(encoding="utf-8"))
    iv = next((v for v in d.get("interventions", []) if v["name"] == intervention), {})
    if iv.get("choose") and units is None:
        found = [independent_optimum(path, intervention, level) for level in iv["levels"]]
        found = [v for v in found if v is not None]
        if not found:
            return None
        return min(found) if d["plan"].get("objective") == "earliest" else max(found)
    units = iv.get("units", 1.0) if units is None else units
    hdr = d["plan"]
    step, start_year = float(hdr.get("step", 1.0)), hdr.get("start_year", 2026)
    H = math.ceil(hdr["horizon"] / step - EPS)
    objective = hdr.get("objective", "probability")
    supply = {p["name"]: series(p["supply"], H, step, start_year, path.parent) for p in d["pools"]}
    streams = d["streams"]
    names = [s["name"] for s in streams]
    prod = {s["name"]: series(s.get("productivity", 1.0), H, step, start_year, path.parent) for s in streams}
    for change in iv.get("supply", []):
        apply_window(supply[change["pool"]], change, step, units)
    for change in iv.get("productivity", []):
        for name in change["streams"]:
            apply_window(prod[name], change, step, units)
    speed = {n: [1.0] * H for n in names}   # serial_speedup: the rate cap's factor per period
    for change in iv.get("serial_speedup", []):
        lo, hi = change.get("from_year", 0.0), change.get("until_year", math.inf)
        for name in change["streams"]:
            for t in range(H):
                if lo - EPS <= t * step < hi - EPS:
                    speed[name][t] *= change["factor"] ** units
    required = d.get("goal", {}).get("required", names)

    # the most each pool can hold with every training stream's whole effort trained (its `train`
    # FTE join ceil(delay / step) periods, at least 1, after the work, which starts at its release)
    supply_ub = {r: list(v) for r, v in supply.items()}
    for s in streams:
        if "train" in s:
            joins = math.ceil(s.get("release", 0.0) / step - EPS) + train_lag(s["train"], step)
            for t in range(joins, H):
                supply_ub[s["train"]["pool"]][t] += s["train"]["per_effort"] * s["effort"]

    m = pyscipopt.Model()
    m.hideOutput()
    m.setParam("numerics/feastol", 1e-9)
    T = range(H)
    u = {(s["name"], t): m.addVar(lb=0.0) for s in streams for t in T}
    c = {(s["name"], t): m.addVar(vtype="B") for s in streams for t in T}
    crew = {s["name"]: s.get("crew") or {s["pool"]: 1.0} for s in streams}
    integer_pools = {p["name"] for p in d["pools"] if p.get("integer_staff")}
    # effective crew units: u itself, or for parallelization a < 1 a variable below the
    # interpolation of u ** a through the documented breakpoints
    x = {(s["name"], t): u[s["name"], t] for s in streams for t in T}
    for s in streams:
        if s.get("parallelization", 1.0) < 1:
            diminishing(m, s, u, x, supply_ub, crew[s["name"]], prod[s["name"]], speed[s["name"]], T, step)
    made = {(s["name"], t): pyscipopt.quicksum(step * prod[s["name"]][k] * x[s["name"], k] for k in range(t + 1))
            for s in streams for t in T}
    trained = training(m, streams, made, H, step)
    for r, cap in supply.items():
        for t in T:
            users = [n for n in names if r in crew[n]]
            if users:
                m.addCons(pyscipopt.quicksum(crew[n][r] * u[n, t] for n in users)
                          <= cap[t] + pyscipopt.quicksum(trained.get((r, t), [])))
    for s in streams:
        i, effort = s["name"], s["effort"]
        a = s.get("parallelization", 1.0)
        for t in T:
            if s.get("min_duration", 0) > 0:  # the rate cap limits progress: productivity * u ** a
                if a == 1:
                    m.addCons(prod[i][t] * u[i, t] <= speed[i][t] * effort / s["min_duration"])
                elif prod[i][t] > 0:
                    m.addCons(u[i, t] <= (speed[i][t] * effort / s["min_duration"] / prod[i][t]) ** (1 / a))
            if "max_staff" in s:
                m.addCons(u[i, t] <= s["max_staff"])
            if before_release(t, step, s.get("release", 0.0)):
                m.addCons(u[i, t] == 0)
            m.addCons(made[i, t] >= effort * c[i, t])
            if t + 1 < H:
                m.addCons(c[i, t] <= c[i, t + 1])
        staffing(m, s, u, c, supply_ub, crew[i], prod[i], speed[i], T, integer_pools)
        for a in s.get("after", []):
            pred, lag = (a, 0.0) if isinstance(a, str) else (a["stream"], a.get("lag", 0.0))
            gap = lag_periods(lag, step)
            for t in T:
                if t - 1 - gap < 0:
                    m.addCons(u[i, t] == 0)
                else:
                    big_m = min(supply_ub[r][t] / k for r, k in crew[i].items())
                    m.addCons(u[i, t] <= big_m * c[pred, t - 1 - gap])

    if objective == "earliest":  # g[t]: goal met by the end of t; it must be met inside the horizon
        g = [m.addVar(vtype="B") for t in T]
        for t in T:
            for i in required:
                m.addCons(g[t] <= c[i, t])
        m.addCons(g[H - 1] == 1)
        m.setObjective(step + pyscipopt.quicksum(step * (1 - g[t]) for t in T), "minimize")
    else:
        scen = deadline_scenarios(d["deadline"], H, step, start_year, iv.get("deadline_shift", 0.0) * units)
        terms = []
        for k, (years, p) in enumerate(scen):
            last = last_period(years, H, step)
            if last < 0 or p == 0:
                continue   # never met
            if objective == "probability":
                y = m.addVar(vtype="B")
                for i in required:
                    m.addCons(y <= c[i, last])
                terms.append(p * y)
            else:
                for s in streams:
                    z = m.addVar(vtype="B")
                    m.addCons(z <= c[s["name"], last])
                    terms.append(p * s.get("value", 0.0) * z)
                for goal in d.get("goals", []):   # [[goals]]: all its streams complete by the deadline
                    z = m.addVar(vtype="B")
                    for name in goal["streams"]:
                        m.addCons(z <= c[name, last])
                    terms.append(p * goal.get("value", 1.0) * z)
        m.setObjective(pyscipopt.quicksum(terms), "maximize")
    m.optimize()
    if m.getStatus() == "infeasible":
        return None
    assert m.getStatus() == "optimal", m.getStatus()
    return m.getObjVal()


def own_caps(s: dict, prod: list, speed: list, T) -> list[float]:
    """The stream's own cap in crew units per period: the rate cap (on progress, productivity *
    u ** parallelization) and max_staff."""
    own = []
    for t in T:
        cap = math.inf
        if s.get("min_duration", 0) > 0:
            cap = speed[t] * s["effort"] / s["min_duration"] / prod[t] if prod[t] > 0 else 0.0
            cap = cap ** (1 / s.get("parallelization", 1.0))
        own.append(min(cap, s.get("max_staff", math.inf)))
    return own


def staffing_floor(s: dict, own: list) -> float:
    """Crew units a min_staff or contiguous stream needs whenever it is worked (before its last period)."""
    positive = [x for x in own if x > 0]
    return s.get("min_staff") or min([1.0] + positive)


def staffing(m, s: dict, u: dict, c: dict, supply: dict, crew: dict, prod: list, speed: list, T, integer_pools) -> None:
    """The staffing keys as docs/plan-file.md words them, one literal row set each (y: worked in
    t; b: started by t). M is the period's supply (with all possible training) over the crew
    coefficient."""
    i, H = s["name"], len(T)
    M = [min(supply[r][t] / k for r, k in crew.items()) for t in T]
    own = own_caps(s, prod, speed, T)
    if s.get("min_staff") or s.get("fixed_crew"):
        for t in T:
            y = m.addVar(vtype="B")
            if s.get("fixed_crew"):
                m.addCons(u[i, t] == own[t] * y)
            else:
                m.addCons(u[i, t] >= s["min_staff"] * y)
                m.addCons(u[i, t] <= M[t] * y)
    if s.get("contiguous"):
        floor = staffing_floor(s, own)
        b = [m.addVar(vtype="B") for t in T]
        for t in T:
            if t + 1 < H:
                m.addCons(b[t] <= b[t + 1])
            m.addCons(u[i, t] <= M[t] * b[t])
            m.addCons(u[i, t] >= floor * (b[t] - c[i, t]))   # started, not yet complete: at least the floor
            if t > 0:
                m.addCons(u[i, t] <= M[t] * (1 - c[i, t - 1]))  # and nothing once complete
    for r in crew:
        if r in integer_pools:
            for t in T:
                n = m.addVar(vtype="I", lb=0)
                m.addCons(crew[r] * u[i, t] == n)


def train_lag(train: dict, step: float) -> int:
    """Periods from the work to the trained FTE joining: ceil(delay / step), at least one."""
    return max(1, math.ceil(train.get("delay", 0.0) / step - EPS))


def sqrt2_breakpoints(bound: float, extra: list[float]) -> list[float]:
    """docs/model.md's rule: 0, sqrt(2) ** k for k >= -8 below the bound, the bound, and the extra
    points strictly inside (0, bound)."""
    points, k = {0.0, bound}, -8
    while math.sqrt(2) ** k < bound * (1 - 1e-9):
        points.add(math.sqrt(2) ** k)
        k += 1
    points |= {e for e in extra if 0 < e < bound * (1 - 1e-9)}
    out = []
    for b in sorted(points):
        if not out or b > out[-1] * (1 + 1e-9) + 1e-12:
            out.append(b)
    out[-1] = bound
    return out


def diminishing(m, s: dict, u: dict, x: dict, supply_ub: dict, crew: dict, prod: list, speed: list, T,
                step: float) -> None:
    """parallelization = a < 1: progress is step * productivity * u ** a. No MIP holds u ** a, so
    x[i,t] <= each chord of u ** a between consecutive breakpoints over [0, U], U the most crew
    units the stream can have in the period (its own caps, max_staff, each pool's supply with all
    possible training, 0 before release)."""
    i, a = s["name"], s["parallelization"]
    own = own_caps(s, prod, speed, T)
    for t in T:
        U = min([own[t]] + [supply_ub[r][t] / k for r, k in crew.items()])
        if prod[t] <= 0 or before_release(t, step, s.get("release", 0.0)):
            U = 0.0
        x[i, t] = m.addVar(lb=0.0)
        if U <= 0:
            m.addCons(x[i, t] == 0)
            continue
        extra = [staffing_floor(s, own)] if s.get("min_staff") or s.get("contiguous") else []
        if s.get("fixed_crew"):
            extra.append(own[t])
        b = sqrt2_breakpoints(U, extra)
        for lo, hi in zip(b, b[1:]):
            slope = (hi ** a - lo ** a) / (hi - lo)
            m.addCons(x[i, t] <= lo ** a + slope * (u[i, t] - lo))


def training(m, streams: list, made: dict, H: int, step: float) -> dict:
    """`train`: the progress of each period, counted up to the effort, times per_effort, joins the
    pool ceil(delay / step) periods later (at least 1) and (1 - attrition) ** (step * k) of it is
    still there k periods after joining. Counted progress y = min(made, effort) with a binary per
    period (b = 1 once made reaches the effort). Returns {(pool, t): [terms]}."""
    out: dict = {}
    for s in streams:
        if "train" not in s:
            continue
        i, tr, effort = s["name"], s["train"], s["effort"]
        big = 1e4 * effort
        y = []
        for t in range(H):
            y.append(m.addVar(lb=0.0, ub=effort))
            b = m.addVar(vtype="B")
            m.addCons(y[t] <= made[i, t])
            m.addCons(y[t] >= made[i, t] - big * b)
            m.addCons(y[t] >= effort * b)
        lag, keep = train_lag(tr, step), 1.0 - tr.get("attrition", 0.0)
        for t in range(H):
            for tau in range(0, t - lag + 1):
                gain = y[tau] - (y[tau - 1] if tau > 0 else 0.0)
                out.setdefault((tr["pool"], t), []).append(
                    tr["per_effort"] * keep ** (step * (t - tau - lag)) * gain)
    return out


# =============================================================================================
# Plan files
# =============================================================================================

CASES: dict[str, tuple[str, dict[str, str]]] = {}   # name -> (TOML, {data file name: CSV text})

CASES["toy_fixed_years"] = ("""
# MODEL.md's reference case: four 25-year serial chunks fit a 26-year deadline, 24 years do not.
[plan]
horizon = 30
[[pools]]
name = "researchers"
supply = 1800
[[streams]]
name = "parallel"
pool = "researchers"
effort = 900
min_duration = 5
productivity = 0.05
""" + "".join(f"""
[[streams]]
name = "serial-{k}"
pool = "researchers"
effort = 25
min_duration = 25
""" for k in "abcd") + """
[deadline]
years = 26
[[interventions]]
name = "capabilities work"
deadline_shift = -2
supply = [{ pool = "researchers", multiply = 3.0 }]
""", {})

# the toy with serial time compressed: 25/24 fits 24 years exactly, 1.04 does not, 1.2 from year 5
CASES["toy_speedup"] = (CASES["toy_fixed_years"][0] + "".join(f"""
[[interventions]]
name = "speedup {f}"
deadline_shift = -2
serial_speedup = [{{ streams = ["serial-a", "serial-b", "serial-c", "serial-d"], factor = {f}, from_year = {y} }}]
""" for f, y in [(25 / 24, 0), (1.04, 0), (1.2, 5)]), {})

CASES["lists_and_windows"] = ("""
[plan]
horizon = 8
objective = "probability"
[[pools]]
name = "staff"
supply = [2, 3, 5]
[[streams]]
name = "a"
pool = "staff"
effort = 9
productivity = [0.5, 1, 1, 2]
[[streams]]
name = "b"
pool = "staff"
effort = 12
min_duration = 3
[[streams]]
name = "c"
pool = "staff"
effort = 6
after = ["a"]
[deadline]
scenarios = [[3, 0.2], [5, 0.3], [7.5, 0.5]]
[[interventions]]
name = "more staff for a while"
supply = [{ pool = "staff", multiply = 2, add = 1, from_year = 2, until_year = 5 }]
productivity = [{ streams = ["b"], multiply = 0.5, from_year = 3 }]
[[interventions]]
name = "earlier"
deadline_shift = -1.5
""", {})

CASES["growth_half_step_lognormal"] = ("""
[plan]
horizon = 6
step = 0.5
[[pools]]
name = "people"
supply = { start = 2, growth = 0.3, cap = 4 }
[[streams]]
name = "first"
pool = "people"
effort = 4
min_duration = 1.5
[[streams]]
name = "second"
pool = "people"
effort = 5
release = 1.25
after = [{ stream = "first", lag = 0.75 }]
[[streams]]
name = "side"
pool = "people"
effort = 3
productivity = [1, 1, 0.5]
[deadline]
distribution = { kind = "lognormal", median = 4, sigma = 0.5 }
[[interventions]]
name = "capabilities work"
deadline_shift = -0.7
supply = [{ pool = "people", multiply = 1.5, from_year = 1, until_year = 3.5 }]
""", {})

CASES["csv_calendar_year_value"] = ("""
[plan]
start_year = 2030
horizon = 10
objective = "value"
[[pools]]
name = "technical"
supply = { file = "workforce.csv", column = "technical" }
[[pools]]
name = "other"
supply = { file = "workforce.csv", column = "other" }
[[streams]]
name = "build"
pool = "technical"
effort = 14
min_duration = 3
value = 5
[[streams]]
name = "govern"
crew = { technical = 1, other = 2 }
effort = 10
value = 3
[[streams]]
name = "deploy"
pool = "other"
effort = 4
after = ["build", { stream = "govern", lag = 1 }]
value = 4
[deadline]
year = 2037.5
[[interventions]]
name = "more of the others from 2034"
supply = [{ pool = "other", add = 2, from_year = 4 }]
""", {"workforce.csv": "year,technical,other\n2028,3,5\n2031,4,4\n2033.5,5,3\n2036,6,2\n"})

CASES["crews_max_staff_percentiles"] = ("""
[plan]
horizon = 10
[[pools]]
name = "theory"
supply = 3
[[pools]]
name = "engineering"
supply = [4, 6]
[[streams]]
name = "mixed"
crew = { theory = 1, engineering = 2 }
effort = 8
[[streams]]
name = "eng"
pool = "engineering"
effort = 10
max_staff = 2
[[streams]]
name = "think"
crew = { theory = 0.5 }
effort = 6
min_duration = 2
after = ["mixed"]
[deadline]
distribution = { kind = "percentiles", points = [[2, 0.1], [5, 0.4], [8, 0.7]] }
[[interventions]]
name = "faster mixed"
productivity = [{ streams = ["mixed"], multiply = 2, from_year = 3, until_year = 6 }]
[[interventions]]
name = "later"
deadline_shift = 1.5
""", {})

CASES["percentiles_p_never_goal_subset"] = ("""
[plan]
horizon = 12
[[pools]]
name = "r"
supply = 2
[[streams]]
name = "x"
pool = "r"
effort = 6
min_duration = 4
[[streams]]
name = "y"
pool = "r"
effort = 10
after = [{ stream = "x", lag = 2 }]
[[streams]]
name = "unneeded"
pool = "r"
effort = 30
[goal]
required = ["x", "y"]
[deadline]
distribution = { kind = "percentiles", points = [[3, 0.2], [9, 0.6]] }
p_never = 0.2
[[interventions]]
name = "earlier"
deadline_shift = -1
[[interventions]]
name = "later, less staff"
deadline_shift = 2.5
supply = [{ pool = "r", multiply = 0.5, until_year = 6 }]
""", {})

CASES["lognormal_p_never_step_two_value"] = ("""
[plan]
horizon = 16
step = 2
objective = "value"
[[pools]]
name = "r"
supply = 3
[[streams]]
name = "a"
pool = "r"
effort = 12
min_duration = 4
value = 2
[[streams]]
name = "b"
pool = "r"
effort = 10
release = 3
after = [{ stream = "a", lag = 3 }]
value = 5
[[streams]]
name = "c"
pool = "r"
effort = 16
value = 1
[deadline]
distribution = { kind = "lognormal", median = 6, sigma = 0.8 }
p_never = 0.1
[[interventions]]
name = "halved later"
supply = [{ pool = "r", multiply = 0.5, from_year = 6 }]
[[interventions]]
name = "earlier"
deadline_shift = -3
""", {})

CASES["earliest_chain"] = ("""
[plan]
horizon = 15
objective = "earliest"
[[pools]]
name = "r"
supply = [1, 2, 2, 3]
[[streams]]
name = "a"
pool = "r"
effort = 4
min_duration = 2
[[streams]]
name = "b"
pool = "r"
effort = 6
after = [{ stream = "a", lag = 1.5 }]
[[streams]]
name = "c"
pool = "r"
effort = 5
after = ["a"]
productivity = 0.5
[[interventions]]
name = "double supply"
supply = [{ pool = "r", multiply = 2 }]
[[interventions]]
name = "slow c"
productivity = [{ streams = ["c"], multiply = 0.2 }]
""", {})

CASES["earliest_infeasible"] = ("""
[plan]
horizon = 6
objective = "earliest"
[[pools]]
name = "r"
supply = 1
[[streams]]
name = "a"
pool = "r"
effort = 4
[[streams]]
name = "b"
pool = "r"
effort = 4
after = ["a"]
[[interventions]]
name = "enough people"
supply = [{ pool = "r", multiply = 3 }]
""", {})

CASES["earliest_step_two_ragged_horizon"] = ("""
[plan]
horizon = 9
step = 2
objective = "earliest"
[[pools]]
name = "r"
supply = { start = 1.5, growth = 0.2 }
[[streams]]
name = "a"
pool = "r"
effort = 7
min_duration = 3
[[streams]]
name = "b"
pool = "r"
effort = 9
after = [{ stream = "a", lag = 1 }]
[[interventions]]
name = "late boost"
supply = [{ pool = "r", multiply = 3, from_year = 4 }]
""", {})

CASES["scenario_edges"] = ("""
[plan]
horizon = 8
[[pools]]
name = "r"
supply = 2
[[streams]]
name = "a"
pool = "r"
effort = 5
[[streams]]
name = "b"
pool = "r"
effort = 6
after = ["a"]
[deadline]
scenarios = [[0.5, 0.1], [3, 0.3], [6.5, 0.2], [50, 0.4]]
[[interventions]]
name = "later"
deadline_shift = 1
[[interventions]]
name = "earlier"
deadline_shift = -2.5
""", {})

CASES["fixed_years_past_horizon_value"] = ("""
[plan]
horizon = 8
objective = "value"
[[pools]]
name = "r"
supply = 1.5
[[streams]]
name = "a"
pool = "r"
effort = 6
value = 3
[[streams]]
name = "b"
pool = "r"
effort = 5
value = 2
[[streams]]
name = "c"
pool = "r"
effort = 4
value = 1
[deadline]
years = 30
[[interventions]]
name = "much earlier"
deadline_shift = -25
""", {})

CASES["calendar_year_shift"] = ("""
[plan]
start_year = 2026
horizon = 10
[[pools]]
name = "r"
supply = 3
[[streams]]
name = "a"
pool = "r"
effort = 9
min_duration = 2
[[streams]]
name = "b"
pool = "r"
effort = 4
after = ["a"]
[deadline]
year = 2031
[[interventions]]
name = "half a year earlier"
deadline_shift = -0.5
""", {})

CASES["zero_productivity_periods_lognormal_shift"] = ("""
[plan]
horizon = 10
[[pools]]
name = "r"
supply = 4
[[streams]]
name = "a"
pool = "r"
effort = 6
productivity = [0, 0, 1, 0.5]
max_staff = 3
[[streams]]
name = "b"
pool = "r"
effort = 8
min_duration = 3
release = 2.5
[deadline]
distribution = { kind = "lognormal", median = 5, sigma = 0.4 }
[[interventions]]
name = "later"
deadline_shift = 2
productivity = [{ streams = ["a"], add = 1, from_year = 0, until_year = 2 }]
""", {})

CASES["half_step_value_scenarios"] = ("""
[plan]
horizon = 5
step = 0.5
objective = "value"
[[pools]]
name = "p"
supply = { start = 3, growth = -0.2 }
[[pools]]
name = "q"
supply = [0.5, 1, 1.5]
[[streams]]
name = "a"
crew = { p = 1, q = 0.5 }
effort = 3
min_duration = 1
value = 4
[[streams]]
name = "b"
pool = "p"
effort = 2.5
after = [{ stream = "a", lag = 0.5 }]
value = 6
[[streams]]
name = "c"
pool = "q"
effort = 2
release = 0.75
value = 1
[deadline]
scenarios = [[1.2, 0.25], [2.5, 0.25], [3.75, 0.5]]
[[interventions]]
name = "q boost"
supply = [{ pool = "q", multiply = 2, from_year = 0.5, until_year = 2 }]
""", {})


CASES["csv_half_step_windows"] = ("""
# Completion hinges on the exact per-period supply: CSV rows between period starts, a window edge.
[plan]
start_year = 2030
horizon = 5
step = 0.5
[[pools]]
name = "r"
supply = { file = "supply.csv", column = "fte" }
[[streams]]
name = "only"
pool = "r"
effort = 6
[deadline]
scenarios = [[1, 0.1], [1.5, 0.1], [2, 0.1], [2.5, 0.1], [3, 0.2], [3.5, 0.2], [4, 0.2]]
[[interventions]]
name = "double until 1.5"
supply = [{ pool = "r", multiply = 2, until_year = 1.5 }]
[[interventions]]
name = "plus one from 2"
supply = [{ pool = "r", add = 1, from_year = 2 }]
""", {"supply.csv": "year,fte\n2029,1\n2031,2\n2032.5,4\n2031.2,3\n"})


def toml(data: dict) -> str:
    """A plan dict as TOML: tables, arrays of tables, inline values (enough for synthetic plans)."""
    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"

    out = []
    for key, v in data.items():
        for table in ([v] if isinstance(v, dict) else v):
            out.append(f"[{key}]" if isinstance(v, dict) else f"[[{key}]]")
            out += [f"{k} = {value(x)}" for k, x in table.items()]
    return "\n".join(out) + "\n"


for seed, objective in [(1, "probability"), (2, "value"), (3, "earliest"), (9, "probability")]:
    CASES[f"synthetic_{seed}_{objective}"] = (toml(synthetic.plan_dict(
        streams=5, periods=10, scenarios=4, pools=2, tightness=0.5, seed=seed, objective=objective)), {})


CASES["staffing_keys"] = ("""
# contiguous, min_staff, fixed_crew and whole people, with precedence and an uncertain deadline
[plan]
horizon = 8
objective = "probability"
[[pools]]
name = "staff"
supply = [3, 2.5, 4, 1, 3, 3.5, 2, 3]
integer_staff = true
[[pools]]
name = "seniors"
supply = [1, 1, 0, 1, 2, 1, 1, 1]
[[streams]]
name = "ser"
pool = "seniors"
effort = 3
min_duration = 3
contiguous = true
[[streams]]
name = "lump"
pool = "staff"
effort = 5
min_staff = 1.5
[[streams]]
name = "crew"
crew = { staff = 1, seniors = 0.5 }
effort = 4
min_duration = 2
fixed_crew = true
after = ["ser"]
[[streams]]
name = "free"
pool = "staff"
effort = 6
productivity = [0.5, 1]
[deadline]
scenarios = [[4, 0.2], [6, 0.2], [7, 0.2], [8, 0.4]]
[[interventions]]
name = "more seniors"
deadline_shift = -1
supply = [{ pool = "seniors", add = 1 }]
[[interventions]]
name = "faster serial work"
deadline_shift = -1
serial_speedup = [{ streams = ["ser", "crew"], factor = 1.5, from_year = 1 }]
""", {})

CASES["staffing_keys_value"] = (CASES["staffing_keys"][0].replace('objective = "probability"', 'objective = "value"')
                                .replace("effort = 5\n", "effort = 5\nvalue = 2\n")
                                .replace("effort = 6\n", "effort = 6\nvalue = 1.5\n")
                                .replace("fixed_crew = true\n", "fixed_crew = true\nvalue = 3\n"), {})
CASES["staffing_keys_earliest"] = (CASES["staffing_keys"][0].replace('objective = "probability"', 'objective = "earliest"')
                                   .replace("horizon = 8", "horizon = 12"), {})


CASES["milestones"] = ("""
# partial goals worth something under the value objective, next to streams with values of their own
[plan]
horizon = 10
objective = "value"
[[pools]]
name = "r"
supply = [1, 1, 2, 2, 1]
[[streams]]
name = "a"
pool = "r"
effort = 2
[[streams]]
name = "b"
pool = "r"
effort = 3
value = 1
[[streams]]
name = "c"
pool = "r"
effort = 4
min_duration = 3
after = ["a"]
[[goals]]
name = "a and b"
streams = ["a", "b"]
value = 4
[[goals]]
name = "everything"
streams = ["a", "b", "c"]
value = 6
[deadline]
scenarios = [[3, 0.2], [5, 0.3], [7, 0.3], [9, 0.2]]
[[interventions]]
name = "earlier, more people"
deadline_shift = -1
supply = [{ pool = "r", multiply = 1.5 }]
""", {})


CASES["project_schedule"] = ("""
# jobs as contiguous fixed crews on two resources (project scheduling), earliest completion
[plan]
horizon = 16
objective = "earliest"
[[pools]]
name = "R1"
supply = 4
[[pools]]
name = "R2"
supply = [2, 2, 2, 1, 1, 3]
""" + "".join(f"""
[[streams]]
name = "{n}"
crew = {{ R1 = {r1}, R2 = {r2} }}
effort = {d}
min_duration = {d}
contiguous = true
fixed_crew = true
after = {json.dumps(after)}
""" for n, d, r1, r2, after in [("a", 3, 2, 1, []), ("b", 2, 3, 1, []), ("c", 4, 1, 1, ["a"]),
                                ("d", 2, 2, 2, ["a", "b"]), ("e", 3, 2, 1, ["c"]), ("f", 1, 4, 1, ["d"])]) + """
[[interventions]]
name = "more R2 from year 4"
supply = [{ pool = "R2", add = 1, from_year = 4 }]
""", {})


CASES["levels"] = ("""
# an intervention that chooses its amount, and one at a fixed non-unit amount
[plan]
horizon = 12
objective = "probability"
[[pools]]
name = "r"
supply = { start = 2, growth = 0.1 }
[[streams]]
name = "p"
pool = "r"
effort = 14
productivity = 0.5
[[streams]]
name = "s"
pool = "r"
effort = 4
min_duration = 6
after = ["p"]
[deadline]
scenarios = [[6, 0.2], [8, 0.3], [10, 0.3], [12, 0.2]]
[[interventions]]
name = "choose"
deadline_shift = -1
supply = [{ pool = "r", multiply = 1.6, add = 0.5, from_year = 1 }]
serial_speedup = [{ streams = ["s"], factor = 1.2 }]
levels = [0, 0.5, 1, 2, 3]
choose = true
[[interventions]]
name = "two and a half units"
deadline_shift = -1
supply = [{ pool = "r", multiply = 1.6, add = 0.5, from_year = 1 }]
units = 2.5
""", {})


def _with_staffing(plan: dict, seed: int) -> dict:
    """A synthetic plan with staffing keys on some streams: contiguous, min_staff, whole people."""
    for k, st in enumerate(plan["streams"]):
        if k % 3 == 0:
            st["contiguous"] = True
        elif k % 3 == 1:
            st["min_staff"] = 0.5 + seed % 2
    plan["pools"][0]["integer_staff"] = True
    return plan


for seed, objective in [(4, "probability"), (5, "value"), (6, "earliest")]:
    CASES[f"synthetic_staffing_{seed}_{objective}"] = (toml(_with_staffing(synthetic.plan_dict(
        streams=5, periods=10, scenarios=4, pools=2, tightness=0.5, seed=seed, objective=objective), seed)), {})


CASES["parallelization"] = ("""
# diminishing returns to parallel staff: progress ~ u ** a on two streams, one with a rate cap
[plan]
horizon = 8
objective = "probability"
[[pools]]
name = "r"
supply = [3, 5, 2.5, 6, 4, 7]
[[streams]]
name = "half"
pool = "r"
effort = 6
parallelization = 0.5
[[streams]]
name = "capped"
pool = "r"
effort = 5
min_duration = 3
parallelization = 0.7
productivity = [1, 0.8, 1.2]
[[streams]]
name = "linear"
pool = "r"
effort = 7
after = ["half"]
[deadline]
scenarios = [[3, 0.2], [4, 0.2], [5, 0.3], [7, 0.3]]
[[interventions]]
name = "more people"
supply = [{ pool = "r", multiply = 1.7, from_year = 1 }]
[[interventions]]
name = "earlier"
deadline_shift = -1
""", {})

CASES["parallelization_value_staffing"] = ("""
# parallelization with value, a crew of two pools, max_staff and a staffing floor (a breakpoint)
[plan]
horizon = 7
objective = "value"
[[pools]]
name = "a"
supply = [2.2, 3.1, 4]
[[pools]]
name = "b"
supply = 5
[[streams]]
name = "mixed"
crew = { a = 1, b = 0.5 }
effort = 4
parallelization = 0.6
max_staff = 2.5
value = 3
[[streams]]
name = "floor"
pool = "b"
effort = 4
parallelization = 0.8
min_staff = 1.5
value = 2
[[streams]]
name = "plain"
pool = "a"
effort = 5
value = 1
[deadline]
scenarios = [[3, 0.3], [5, 0.3], [7, 0.4]]
[[interventions]]
name = "earlier"
deadline_shift = -2
""", {})

CASES["field_building"] = ("""
# field-building: teaching trains researchers for the main work after a delay, some leave
[plan]
horizon = 10
objective = "probability"
[[pools]]
name = "r"
supply = 4
[[streams]]
name = "teach"
pool = "r"
effort = 6
train = { pool = "r", per_effort = 1.5, delay = 2, attrition = 0.1 }
[[streams]]
name = "work"
pool = "r"
effort = 50
[goal]
required = ["work"]
[deadline]
scenarios = [[6, 0.2], [7, 0.2], [8, 0.3], [10, 0.3]]
[[interventions]]
name = "one more from year 3"
supply = [{ pool = "r", add = 1, from_year = 3 }]
""", {})

CASES["field_building_high_attrition"] = (CASES["field_building"][0].replace("effort = 50", "effort = 55")
                                          .replace("attrition = 0.1", "attrition = 0.3"), {})

CASES["field_building_earliest_crew"] = ("""
# training for another pool, with a release, a diminishing-returns teacher and a crew stream
[plan]
horizon = 14
step = 1
objective = "earliest"
[[pools]]
name = "seniors"
supply = 3
[[pools]]
name = "juniors"
supply = [1, 1, 2]
[[streams]]
name = "mentor"
pool = "seniors"
effort = 4
release = 1
parallelization = 0.7
train = { pool = "juniors", per_effort = 2, delay = 1.5 }
[[streams]]
name = "build"
crew = { seniors = 1, juniors = 2 }
effort = 18
[[streams]]
name = "finish"
pool = "juniors"
effort = 6
after = ["build"]
[[interventions]]
name = "fast training"
supply = [{ pool = "seniors", add = 1 }]
""", {})

CASES["field_building_value_half_step"] = ("""
# half-year periods: delay 1 year is 2 periods; attrition compounds per half year
[plan]
horizon = 6
step = 0.5
objective = "value"
[[pools]]
name = "r"
supply = 2
[[streams]]
name = "school"
pool = "r"
effort = 2
min_staff = 1
train = { pool = "r", per_effort = 2, delay = 1, attrition = 0.2 }
value = 0.5
[[streams]]
name = "x"
pool = "r"
effort = 6
value = 4
[[streams]]
name = "y"
pool = "r"
effort = 4
after = ["x"]
value = 3
[deadline]
scenarios = [[3, 0.3], [4.5, 0.3], [6, 0.4]]
""", {})


def _variants():
    for name, (text, _) in CASES.items():
        for iv in [None] + [v["name"] for v in tomllib.loads(text).get("interventions", [])]:
            yield pytest.param(name, iv, id=f"{name}-{iv or 'baseline'}")


@pytest.mark.parametrize("case, intervention", list(_variants()))
def test_planner_matches_independent_formulation(case, intervention, tmp_path):
    text, files = CASES[case]
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    for name, content in files.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    expected = independent_optimum(path, intervention)
    result = planner.solve(planner.load(path), intervention, gap=1e-9, refine=False)
    if expected is None:
        assert result.status == "infeasible", (result.status, result.objective)
        return
    assert result.status == "optimal", (result.status, result.message)
    assert result.grid_step == pytest.approx(planner.load(path).plan.step)
    assert result.grid_objective == pytest.approx(expected, rel=TOL, abs=TOL)
    # the grid plan read in continuous time is a continuous plan at least as good as on the grid,
    # and no better than the bound no continuous plan beats
    sign = -1 if result.objective_kind == "earliest" else 1
    answer, bound = result.objective_range
    assert sign * (result.objective - expected) >= -TOL * max(1.0, abs(expected))
    assert answer == result.objective and sign * (bound - answer) >= -TOL * max(1.0, abs(bound))


def test_independent_numbers_by_hand(tmp_path):
    """The test's own helpers against hand values, so that agreement above means something."""
    assert percentiles_cdf(3.5, [[2, 0.1], [5, 0.4]]) == pytest.approx(0.25)
    assert percentiles_cdf(1.0, [[2, 0.1]]) == pytest.approx(0.05)
    assert percentiles_cdf(9.0, [[2, 0.1], [5, 0.4]]) == pytest.approx(0.4)
    assert lognormal_cdf(4.0, 4.0, 0.5) == pytest.approx(0.5)
    assert series({"start": 2, "growth": 0.3, "cap": 4}, 4, 0.5, 2026, tmp_path) == \
        pytest.approx([2, 2 * 1.3 ** 0.5, 2.6, 2 * 1.3 ** 1.5])
    (tmp_path / "x.csv").write_text("year,v\n2031,3\n2028,1\n2033.5,4\n")
    assert series({"file": "x.csv", "column": "v"}, 5, 1.0, 2030, tmp_path) == [1, 3, 3, 3, 4]
    # percentiles [[2, 0.1], [8, 0.7]], H = 4 periods of 2 years, p_never 0.5: G = 0.5 F
    scen = deadline_scenarios({"distribution": {"kind": "percentiles", "points": [[2, 0.1], [8, 0.7]]},
                               "p_never": 0.5}, 4, 2.0, 2026, 0.0)
    assert [y for y, _ in scen] == [2, 4, 6, 8]
    assert [p for _, p in scen] == pytest.approx([0.1, 0.1, 0.1, 0.65])
    assert last_period(26, 30, 1.0) == 25 and last_period(50, 8, 1.0) == 7 and last_period(0.5, 8, 1.0) == -1
