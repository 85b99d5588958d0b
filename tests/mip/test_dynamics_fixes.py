"""Wrong or missing answers of issue 18, each on a plan small enough to solve by hand.

Every expected number is worked out in the comment above it from the plan alone."""
from __future__ import annotations

import numpy as np
import pytest

import planner
from planner import Plan


def plan_of(streams, pools, *, horizon, objective="probability", deadline=None, **extra) -> Plan:
    data = {"plan": {"horizon": horizon, "objective": objective, "start_year": 0},
            "pools": pools, "streams": streams, **extra}
    if deadline is not None:
        data["deadline"] = {"years": deadline}
    return Plan.model_validate(data)


# --- a rigid stream with diminishing returns ---------------------------------------------------

def rigid_lair(objective: str, **plan) -> Plan:
    # effort 15 over at least 5 years: at most 3 effective person-years a year. With
    # parallelization 0.6 the crew making 3 is 3 ** (1 / 0.6) = 6.24 units (<= the supply of 8),
    # fixed and contiguous: 3 a year, so five periods, done by year 5.
    stream = {"name": "lair", "pool": "p0", "effort": 15, "min_duration": 5, "contiguous": True,
              "fixed_crew": True, "parallelization": 0.6, "value": 1.0}
    return plan_of([stream], [{"name": "p0", "supply": 8}], horizon=10, objective=objective, deadline=10, **plan)


@pytest.mark.parametrize("objective, expected", [("probability", 1.0), ("earliest", 5.0), ("value", 1.0)])
def test_a_rigid_stream_with_diminishing_returns_runs_for_effort_over_k_to_the_a(objective, expected):
    r = planner.solve(rigid_lair(objective))
    assert r.status == "optimal", r.message
    assert r.objective == pytest.approx(expected)
    worked = r.allocation[0] > 1e-9
    assert worked.sum() == 5
    np.testing.assert_allclose(r.allocation[0][worked], 3 ** (1 / 0.6), rtol=1e-9)


def test_a_rigid_stream_with_diminishing_returns_staffed_by_training():
    # The pool starts empty; "school" (effort 2, 1 a year at most, linear) trains 4 FTE per
    # effective person-year, joining a period later: 2 years of school give 8 FTE from year 2
    # (4 from year 1). The lair needs its fixed crew of 6.24 from its first period to its last:
    # it can start in period 2 and runs five periods, done by year 7.
    school = {"name": "school", "pool": "p0", "effort": 2, "min_duration": 2,
              "train": {"pool": "p0", "per_effort": 4.0, "delay": 1}}
    lair = {"name": "lair", "pool": "p0", "effort": 15, "min_duration": 5, "contiguous": True,
            "fixed_crew": True, "parallelization": 0.6}
    pools = [{"name": "p0", "supply": [1, 0]}]   # one FTE for the school's first year, then none
    # school needs 1 crew unit a year: year 0 from the base supply, year 1 from the 4 it trained
    r = planner.solve(plan_of([school, lair], pools, horizon=10, objective="earliest",
                              goal={"required": ["lair"]}))
    assert r.status == "optimal", r.message
    assert r.objective == pytest.approx(7.0)


# --- whole people with diminishing returns after a predecessor --------------------------------

def whole_people_chain(objective: str) -> Plan:
    # a (effort 2, at most 2 crew units) is done in period 0. b (effort 30, parallelization 0.3)
    # then takes all 9 people: 9 ** 0.3 = 1.933 a year, 30 / 1.933 = 15.5, so periods 1..16, done
    # by year 17 (<= the deadline of 20).
    pools = [{"name": "p0", "supply": 9, "integer_staff": True}]
    streams = [{"name": "a", "pool": "p0", "effort": 2, "max_staff": 2},
               {"name": "b", "pool": "p0", "effort": 30, "after": ["a"], "parallelization": 0.3}]
    return plan_of(streams, pools, horizon=40, objective=objective, deadline=20)


@pytest.mark.parametrize("options", [{}, {"tie_break": False}, {"method": "mip"},
                                     {"method": "mip", "tie_break": False}])
def test_a_whole_people_crew_with_diminishing_returns_never_waits_on_its_predecessor(options):
    r = planner.solve(whole_people_chain("probability"), **options)
    assert r.status == "optimal", r.message
    assert r.objective == pytest.approx(1.0)
    a, b = r.allocation
    first_b = int(np.flatnonzero(b > 1e-9)[0])
    assert a[:first_b].sum() * 1.0 >= 2 - 1e-6     # a complete before b's first period


def test_the_earliest_whole_people_chain_by_hand():
    r = planner.solve(whole_people_chain("earliest"))
    assert r.status == "optimal", r.message
    assert r.objective == pytest.approx(1 + 30 / 9 ** 0.3)   # continuous time: b ends mid-period 16


# --- a whole-people training stream with diminishing returns and attrition -------------------

def whole_people_school(objective: str) -> Plan:
    # One person in year 0, none after. "school" (effort 3, parallelization 0.5: one person makes
    # 1 a year) trains 1 FTE per unit of progress, joining the next period, half leaving each
    # year. Year 0: 1 person on school (progress 1) -> 1 FTE in year 1; school again (2) -> 0.5 + 1
    # = 1.5 FTE in year 2, one whole person; school again (3, done) -> 0.25 + 0.5 + 1 = 1.75 in
    # year 3: one person does "goal" (effort 1), done by year 4. School cannot be done sooner
    # (one person a year at most until then), so that is the earliest, and worth the whole value.
    pools = [{"name": "p", "supply": [1, 0], "integer_staff": True}]
    streams = [{"name": "school", "pool": "p", "effort": 3, "parallelization": 0.5,
                "train": {"pool": "p", "per_effort": 1, "delay": 0, "attrition": 0.5}},
               {"name": "goal", "pool": "p", "effort": 1, "after": ["school"], "value": 1}]
    return plan_of(streams, pools, horizon=5, objective=objective, deadline=5, goal={"required": ["goal"]})


@pytest.mark.parametrize("objective, expected", [("value", 1.0), ("earliest", 4.0), ("probability", 1.0)])
def test_whole_people_training_counts_the_progress_they_really_make(objective, expected):
    # the model used to count a fraction of a person's progress (the chord bound is only an upper
    # bound), timing the training to dodge attrition: the real schedule then lacked people
    r = planner.solve(whole_people_school(objective))
    assert r.status == "optimal", r.message
    assert r.objective == pytest.approx(expected)
    np.testing.assert_allclose(r.allocation[0][:3], [1, 1, 1], atol=1e-9)


def test_a_fixed_crew_with_diminishing_returns_counts_its_whole_progress():
    # A fixed crew of 4 at parallelization 0.5 (rate cap 2 = 4 ** 0.5) makes exactly 2 a year in
    # every period it works. Working period 0 while counting at most 1.9 there is then no plan;
    # the chord rows alone (p <= the interpolation) allowed it, the rest made up later.
    from planner.instance.resolve import resolve
    from planner.mip.formulation import build
    from planner.solvers.status import SolveOptions
    from planner.solvers.highs import HighsBackend
    plan = plan_of([{"name": "f", "pool": "p", "effort": 6, "min_duration": 3, "fixed_crew": True,
                     "parallelization": 0.5}], [{"name": "p", "supply": 4}], horizon=6, objective="earliest")
    lm = build(resolve(plan))
    cols = lm.arrays()
    lb, ub = cols["lb"], cols["ub"]
    u, p = lm.blocks["u"].index[0, 0], lm.blocks["p"].index[0, 0]
    lb[u] = 4.0
    ub[p] = 1.9
    lm.lb, lm.ub = [lb], [ub]
    backend = HighsBackend()
    backend.load(lm)
    assert backend.solve(SolveOptions()).status == "infeasible"


# --- a plan that meets no deadline still reports its earliest schedule -----------------------

def test_the_toy_that_misses_its_deadline_still_reports_its_goal_at_25_years():
    # serial-a..d take 25 years each and can all start at once (one researcher each); the
    # parallel stream takes about 10 years of the rest: the goal's earliest is year 25, whatever
    # the deadline. With the deadline at 5 nothing counts, and the schedule must still be that.
    plan = planner.load("models/serial_parallel_toy.toml")
    data = plan.model_dump(mode="json", exclude_none=True)
    data["deadline"] = {"years": 5}
    r = planner.solve(Plan.model_validate(data))
    assert r.status == "optimal" and r.objective == 0
    assert r.goal_completion_years == pytest.approx(25.0)


def test_a_chain_over_two_pools_that_misses_its_deadline_reports_its_earliest_goal():
    # Pool A (2 FTE) feeds x (effort 10) and y (effort 4, 1 a year at most); pool B (1 FTE) feeds z
    # (effort 3, after y). A must do 14 FTE-years: 7 years at least. y over years 0-4 beside x
    # on one person, then x on both until 7, z over years 4-7: the goal at 7. Putting x first
    # (both people for 5 years) would put y at 9 and z at 12. The deadline (2) is out of reach.
    pools = [{"name": "A", "supply": 2}, {"name": "B", "supply": 1}]
    streams = [{"name": "x", "pool": "A", "effort": 10},
               {"name": "y", "pool": "A", "effort": 4, "min_duration": 4},
               {"name": "z", "pool": "B", "effort": 3, "after": ["y"]}]
    for deadline in (2, 4):
        r = planner.solve(plan_of(streams, pools, horizon=15, deadline=deadline))
        assert r.status == "optimal" and r.objective == 0
        assert r.goal_completion_years == pytest.approx(7.0)


# --- choose = true keeps to the time limit and returns a plan --------------------------------

def test_choosing_a_level_keeps_to_the_time_limit_and_returns_a_verified_plan():
    # 40 streams, 80 periods, whole people: the joint MIP over three levels does not finish in a
    # second. Doing nothing is a plan, so a limited solve must still return one, in about the
    # limit (the margin is for building the models on a shared machine).
    import time
    from planner.plan import synthetic
    data = synthetic.plan_dict(streams=40, periods=80, seed=1)
    for pool in data["pools"]:
        pool["integer_staff"] = True
    data["interventions"][0].update(levels=[0, 1, 2], choose=True)
    plan = planner.from_dict(data)
    start = time.perf_counter()
    r = planner.solve(plan, "capabilities work", time_limit=1)
    assert time.perf_counter() - start < 1 + 5
    assert r.status in ("time_limit", "optimal"), (r.status, r.message)
    assert r.allocation is not None and r.objective is not None
    assert r.chosen_units in (0, 1, 2)


def test_a_rigid_crew_of_a_fraction_of_a_person_never_works_in_a_whole_people_pool():
    # effort 2.5 over at least 3 years: the fixed crew is 2.5 / 3 = 0.833 crew units, not a whole
    # person, so in a whole-people pool it can never work: the goal is never met (chance 0).
    stream = {"name": "s0", "pool": "p0", "effort": 2.5, "min_duration": 3, "contiguous": True,
              "fixed_crew": True}
    r = planner.solve(plan_of([stream], [{"name": "p0", "supply": 1, "integer_staff": True}],
                              horizon=10, deadline=3))
    assert r.status == "optimal" and r.objective == 0
    assert np.all(r.allocation == 0)


# --- property: doing nothing is a plan of every `value` model --------------------------------

def value_plan(rng) -> dict:
    """The issue's shape: a whole-people pool, two training streams, a contiguous successor and an
    intervention that shifts the deadline by 1 with units = 2 (or chooses its level)."""
    pools = [{"name": "p0", "supply": rng.choice([1, 2, 3, 4]), "integer_staff": True},
             {"name": "p1", "supply": rng.choice([1, 2, 3]), "integer_staff": rng.random() < 0.5}]
    streams = [{"name": f"t{k}", "pool": rng.choice(["p0", "p1"]), "effort": rng.choice([1, 2, 3]),
                "min_duration": rng.choice([0, 1, 3]), "parallelization": rng.choice([1, 0.5]),
                "train": {"pool": rng.choice(["p0", "p1"]), "per_effort": rng.choice([0.5, 2]),
                          "delay": rng.choice([0, 1]), "attrition": rng.choice([0, 0.2])},
                "value": rng.choice([0, 1])} for k in range(2)]
    successor = {"name": "c", "pool": "p0", "effort": rng.choice([2, 5]), "contiguous": True,
                 "min_duration": 2, "fixed_crew": rng.random() < 0.5, "value": 2,
                 "after": [rng.choice(["t0", {"stream": "t1", "lag": 1}])]}
    iv = {"name": "iv", "deadline_shift": 1, "units": 2} if rng.random() < 0.7 else \
        {"name": "iv", "deadline_shift": 1, "levels": [0, 1, 2], "choose": True}
    H = rng.randint(4, 10)
    return {"plan": {"horizon": H, "objective": "value", "start_year": 0}, "pools": pools,
            "streams": streams + [successor], "deadline": {"years": rng.randint(1, H)}, "interventions": [iv]}


def test_doing_nothing_is_a_plan_of_every_value_model():
    # x = 0 (no crew, nothing complete, worth 0) must satisfy every bound and row of the MIP of
    # every variant and level: a `value` plan is never infeasible
    import random
    from planner.instance.resolve import resolve
    from planner.mip.formulation import build
    for seed in range(40):
        plan = planner.from_dict(value_plan(random.Random(seed)))
        iv = plan.interventions[0]
        for intervention, units in [(None, None)] + [(iv, u) for u in (iv.levels or [None])]:
            lm = build(resolve(plan, intervention, units))
            cols = lm.arrays()
            assert np.all(cols["lb"] <= 0) and np.all(cols["ub"] >= 0), seed
            for family in lm.families:
                assert np.all(family.lower <= 0) and np.all(family.upper >= 0), (seed, family.name)
        if seed < 6:
            assert planner.solve(plan, "iv").status == "optimal", seed
