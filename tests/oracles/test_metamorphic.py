"""Metamorphic relations on seeded random plans (planner.plan.synthetic.plan_dict), from MODEL.md:

- more supply never lowers the optimum (never delays the earliest finish);
- an earlier deadline never raises the chance of finishing before it;
- removing a precedence never lowers the optimum;
- scaling every effort, supply and max_staff by one factor leaves the optimum unchanged;
- with a one-stream goal, `probability` equals the mass of the scenarios whose deadline D allows
  the `earliest` completion E: the goal counts in scenario D when met by the end of period
  floor(min(D, H step) / step) - 1, i.e. when E <= floor(min(D, H step) / step) * step;
- the Pyomo backend agrees with the direct HiGHS backend;
- two solves of one plan give the same JSON (apart from timings).

Solves use gap=1e-9 so that two optimal objectives can be compared within 1e-6. The relations are
the MIP's, on the plan's own grid: solves use `refine=False` and compare `Result.grid_objective`
(the objective the MIP optimises and proves). The continuous-time answer (`Result.objective`,
docs/model.md "Continuous time") is the best plan found, not a proven optimum unless `exact`, so
the relations need not hold between two such answers.
"""
from __future__ import annotations

import copy
import json
import math

import pytest

import planner
from planner.plan import synthetic

TOL = 1e-6


def plan_dict(seed: int, objective: str = "probability", **kw) -> dict:
    """A small synthetic plan: 4-8 streams, 10-16 periods, 3-5 scenarios, 1-3 pools."""
    args = dict(streams=4 + seed % 5, periods=10 + (seed * 5) % 7, scenarios=3 + seed % 3,
                pools=1 + seed % 3, tightness=[0.4, 0.7, 1.0][seed % 3], objective=objective, seed=seed)
    args.update(kw)
    return synthetic.plan_dict(**args)


def solve(d: dict, **kw):
    """The plan solved on its own grid (refine=False)."""
    r = planner.solve(planner.from_dict(copy.deepcopy(d)), time_limit=30, gap=1e-9, refine=False, **kw)
    if r.status == "infeasible" and d["plan"].get("objective") == "earliest":
        return r
    assert r.status == "optimal", (r.status, r.message)
    return r


def optimum(d: dict, **kw) -> float:
    """The optimal objective on the grid; for `earliest`, +inf when no schedule meets the goal in
    the horizon."""
    r = solve(d, **kw)
    if r.status == "infeasible":
        return math.inf
    return r.grid_objective


def not_worse(kind: str, new: float, old: float) -> bool:
    """`new` at least as good as `old` (higher for probability/value, earlier for earliest)."""
    if kind == "earliest":
        return new <= old + TOL * max(1.0, abs(old)) if math.isfinite(old) else True
    return new >= old - TOL * max(1.0, abs(old))


CASES = [(seed, obj) for seed, obj in zip(range(10), ["probability", "probability", "value", "earliest",
                                                       "probability", "value", "probability", "earliest",
                                                       "probability", "probability"])]


@pytest.mark.parametrize("seed,objective", CASES)
def test_more_supply_never_lowers_the_optimum(seed, objective):
    d = plan_dict(seed, objective)
    more = copy.deepcopy(d)
    for p in more["pools"]:
        p["supply"] = p["supply"] * 1.5
    before, after = optimum(d), optimum(more)
    assert not_worse(objective, after, before), f"supply x1.5: {before} -> {after}"


@pytest.mark.parametrize("seed,shift", [(s, 1 + s % 3) for s in range(10, 20)])
def test_earlier_deadline_never_raises_the_optimum(seed, shift):
    objective = "value" if seed % 4 == 0 else "probability"
    d = plan_dict(seed, objective)
    earlier = copy.deepcopy(d)
    earlier["deadline"]["scenarios"] = [[y - shift, p] for y, p in d["deadline"]["scenarios"]]
    before, after = optimum(d), optimum(earlier)
    assert after <= before + TOL * max(1.0, abs(before)), f"deadlines {shift} years earlier: {before} -> {after}"


def _with_precedence(seed: int, objective: str) -> dict:
    """The plan of `seed`, or of the next seed that has at least one precedence."""
    for s in range(seed, seed + 50):
        d = plan_dict(s, objective)
        if any(st.get("after") for st in d["streams"]):
            return d
    raise AssertionError("no synthetic plan with a precedence")


@pytest.mark.parametrize("seed,objective", [(20 + s, o) for s, o in
                                            enumerate(["probability"] * 5 + ["value", "earliest", "earliest"])])
def test_removing_a_precedence_never_lowers_the_optimum(seed, objective):
    d = _with_precedence(seed, objective)
    base = optimum(d)
    for k, st in enumerate(d["streams"]):
        for j in range(len(st.get("after", []))):
            fewer = copy.deepcopy(d)
            removed = fewer["streams"][k]["after"].pop(j)
            after = optimum(fewer)
            assert not_worse(objective, after, base), \
                f"removing {removed!r} from {st['name']}'s after: {base} -> {after}"


@pytest.mark.parametrize("seed,objective", [(30 + s, o) for s, o in
                                            enumerate(["probability"] * 4 + ["value"] * 2 + ["earliest"] * 2)])
def test_scaling_effort_supply_and_max_staff_leaves_the_optimum_unchanged(seed, objective):
    d = plan_dict(seed, objective)
    for k, st in enumerate(d["streams"]):   # some staff caps, so that max_staff matters and scales
        if k % 2 == 0:
            st["max_staff"] = round(max(0.5, st["effort"] / 8 / st["productivity"]), 2)
    factor = 3.0
    scaled = copy.deepcopy(d)
    for p in scaled["pools"]:
        p["supply"] *= factor
    for st in scaled["streams"]:
        st["effort"] *= factor
        if "max_staff" in st:
            st["max_staff"] *= factor
    before, after = optimum(d), optimum(scaled)
    if math.isinf(before) or math.isinf(after):
        assert before == after, f"x{factor}: {before} -> {after}"
    else:
        assert after == pytest.approx(before, rel=TOL, abs=TOL), f"x{factor}: {before} -> {after}"


AGREE = [(40 + s, step) for s, step in enumerate([1.0, 1.0, 2.0, 0.5, 1.0, 2.0, 1.0, 0.5, 1.0, 2.0, 1.0, 1.0])]


@pytest.mark.parametrize("seed,step", AGREE)
def test_probability_equals_scenario_mass_at_or_after_the_earliest_completion(seed, step):
    periods = {1.0: 10 + seed % 7, 2.0: 2 * (6 + seed % 3), 0.5: 10 + seed % 3}[step]
    d = plan_dict(seed, "probability", periods=periods)
    d["plan"]["step"] = step
    H = math.ceil(d["plan"]["horizon"] / step - 1e-9)
    goal = d["streams"][-1]["name"]          # often at the end of a chain of precedences
    d["goal"] = {"required": [goal]}
    # deadlines off the period grid, and one past the horizon (counts as the horizon's end)
    offsets = [0.0, 0.5, 0.3, -0.25, 0.75]
    sc = [[y + offsets[k % len(offsets)], p] for k, (y, p) in enumerate(d["deadline"]["scenarios"])]
    sc[-1][0] = d["plan"]["horizon"] + 7.0
    d["deadline"]["scenarios"] = sc
    prob = solve(d)
    e = copy.deepcopy(d)
    e["plan"]["objective"] = "earliest"
    early = solve(e)
    if early.status == "infeasible":
        expected, E = 0.0, None
    else:
        E = early.grid_objective
        assert E == pytest.approx(round(E / step) * step), f"completion {E} is not a multiple of step {step}"
        expected = sum(p for D, p in sc if E <= math.floor(min(D, H * step) / step + 1e-9) * step + 1e-9)
    assert prob.grid_objective == pytest.approx(expected, abs=TOL), \
        f"earliest completion {E} years, scenarios {sc}: probability {prob.grid_objective}, expected {expected}"
    # the probability solve's own schedule, read in continuous time, is in time in the scenarios
    # whose deadline (at most the horizon's end) is at or after its goal time, and in at least
    # those the grid counted
    G = prob.goal_completion_years
    in_time = 0.0 if G is None else sum(p for D, p in sc if G <= min(D, H * step) + 1e-9)
    assert prob.success_probability == pytest.approx(in_time, abs=TOL)
    assert prob.success_probability >= expected - TOL


@pytest.mark.parametrize("seed,objective", [(50, "probability"), (51, "value"), (52, "earliest")])
def test_pyomo_backend_agrees_with_highs(seed, objective):
    d = plan_dict(seed, objective)
    direct = solve(d)
    via_pyomo = solve(d, solver="pyomo:highs")
    assert via_pyomo.status == direct.status
    if direct.status == "optimal":
        assert via_pyomo.grid_objective == pytest.approx(direct.grid_objective, rel=TOL, abs=TOL)


@pytest.mark.parametrize("seed,objective", [(60, "probability"), (61, "value"), (62, "earliest")])
def test_solving_twice_gives_the_same_json(seed, objective):
    plan = planner.from_dict(plan_dict(seed, objective))

    def run() -> str:
        d = planner.solve(plan, time_limit=30).to_dict()
        d.pop("timing")
        return json.dumps(d, sort_keys=True)

    first, second = run(), run()
    assert json.loads(first)["status"] in ("optimal", "infeasible")
    assert first == second
