"""plan.checks: the rules across tables, run on plain stand-in objects (the protocol's attributes
only, no schema), so each rule is seen on its own."""
from __future__ import annotations

from types import SimpleNamespace as NS

import pytest
from planner.plan.checks import RefError, after_names, check_references, find_cycle


def stream(name, pool="p", after=(), min_duration=0.0, train=None, crew=None):
    return NS(name=name, pool=pool if crew is None else None, crew_units=crew or {pool: 1.0},
              train=train, after=list(after), min_duration=min_duration)


def plan(streams, pools=("p",), interventions=(), goal=None, goals=(), objective="earliest",
         deadline=None, start_year=2026):
    by_name = {s.name: s for s in streams}
    return NS(plan=NS(objective=objective, start_year=start_year), pools=[NS(name=n) for n in pools],
              streams=list(streams), goal=goal, goals=list(goals), deadline=deadline,
              interventions=list(interventions), stream=by_name.__getitem__)


def refused(p):
    with pytest.raises(RefError) as e:
        check_references(p)
    return e.value.table, e.value.key, e.value.message


def test_a_consistent_plan_passes():
    check_references(plan([stream("a"), stream("b", after=["a"])]))  # raises nothing


def test_after_names_reads_plain_names_and_links():
    s = stream("c", after=["a", NS(stream="b", lag=2.0)])
    assert after_names(s) == ["a", "b"]


def test_find_cycle_none_on_a_chain_and_the_loop_on_a_cycle():
    assert find_cycle(plan([stream("a"), stream("b", after=["a"]), stream("c", after=["b"])])) is None
    # a after c, b after a, c after b: from a, the walk goes a -> c -> b -> a
    cyc = find_cycle(plan([stream("a", after=["c"]), stream("b", after=["a"]), stream("c", after=["b"])]))
    assert cyc == ["a", "c", "b", "a"]


def test_find_cycle_on_a_20000_stream_chain_closed_at_the_end():
    n = 20_000  # deeper than Python's recursion limit: the search must be iterative
    streams = [stream("s0", after=[f"s{n - 1}"])] + [stream(f"s{k}", after=[f"s{k - 1}"]) for k in range(1, n)]
    cyc = find_cycle(plan(streams))
    assert len(cyc) == n + 1 and cyc[0] == cyc[-1] == "s0"


def test_duplicate_names_name_the_second_row():
    assert refused(plan([stream("a"), stream("a")])) == ('[[streams]] #2 "a"', "name", "duplicate name 'a'")
    assert refused(plan([stream("a")], pools=("p", "p")))[0] == '[[pools]] #2 "p"'


def test_unknown_pool_in_pool_crew_and_train():
    assert refused(plan([stream("a", pool="q")])) == (
        '[[streams]] #1 "a"', "pool", "unknown pool 'q' (have: p)")
    assert refused(plan([stream("a", crew={"p": 1.0, "qq": 2.0})]))[:2] == ('[[streams]] #1 "a"', "crew.qq")
    assert refused(plan([stream("a", train=NS(pool="x"))]))[1] == "train.pool"


def test_after_an_unknown_stream_itself_or_in_a_cycle():
    assert refused(plan([stream("a", after=["zz"])]))[2] == "unknown stream 'zz' (have: a)"
    assert refused(plan([stream("a", after=["a"])]))[2] == "a stream cannot come after itself"
    assert refused(plan([stream("a", after=["b"]), stream("b", after=["a"])])) == (
        "[[streams]]", "after", "precedence cycle: a -> b -> a")


def test_goal_and_milestones():
    assert refused(plan([stream("a")], goal=NS(required=["b"])))[:2] == ("[goal]", "required")
    m = NS(name="m", streams=["a"])
    # milestones count only for objective value
    assert refused(plan([stream("a")], goals=[m]))[0] == "[[goals]]"
    assert refused(plan([stream("a")], goals=[NS(name="m", streams=["x"])], objective="value",
                        deadline=NS(year=None)))[:2] == ('[[goals]] #1 "m"', "streams")


def test_intervention_references():
    iv = NS(name="x", supply=[NS(pool="p"), NS(pool="q")], productivity=[], serial_speedup=[])
    assert refused(plan([stream("a")], interventions=[iv]))[:2] == ('[[interventions]] #1 "x"', "supply[2].pool")
    iv = NS(name="x", supply=[], productivity=[NS(streams=["b"])], serial_speedup=[])
    assert refused(plan([stream("a")], interventions=[iv]))[1] == "productivity[1].streams"
    iv = NS(name="x", supply=[], productivity=[], serial_speedup=[NS(streams=["a"])])
    assert refused(plan([stream("a")], interventions=[iv]))[2] == (
        "stream 'a' has no min_duration, so no serial time to speed up")
    check_references(plan([stream("a", min_duration=5.0)], interventions=[iv]))  # with one it is fine


def test_deadline_rules():
    assert refused(plan([stream("a")], objective="probability")) == (
        "[deadline]", "", "objective 'probability' needs a [deadline] table")
    assert refused(plan([stream("a")], deadline=NS(year=2020.0))) == (
        "[deadline]", "year", "year 2020 is before start_year 2026")
