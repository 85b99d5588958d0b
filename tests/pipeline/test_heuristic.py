"""pipeline.heuristic: the schedules built without a solver are plans the model accepts
(planner.verify.check), with the crew units and finish years worked by hand."""
from __future__ import annotations

import numpy as np
import planner
from plans import TOY, make_plan
from planner import verify
from planner.mip.formulation import build
from planner.pipeline.heuristic import greedy, least_slack, start_solution
from planner.structure import bound_due_periods, critical_path, crew_unit_bounds


def _instance(plan):
    inst = planner.resolve(plan)
    return inst, critical_path(inst)


def _least_slack(inst, cp):
    return least_slack(inst, cp, crew_unit_bounds(inst, cp), bound_due_periods(inst, cp))


def _slack_plan():
    # b (effort 4, min_duration 4: 1 a year) must work every period 0-3 to finish by period 3,
    # the critical path's goal; a (effort 4) has slack. Pool: 2 FTE.
    return make_plan([{"name": "a", "effort": 4}, {"name": "b", "effort": 4, "min_duration": 4}],
                     supply=2, horizon=10, objective="earliest")


def test_least_slack_serves_the_stream_without_slack_first():
    inst, cp = _instance(_slack_plan())
    u = _least_slack(inst, cp)
    # b first: 1 FTE (its cap) each of periods 0-3; a the other 1 FTE -> 4 x 1 = 4 done by period 3
    want = np.zeros((2, 10))
    want[:, :4] = 1.0
    np.testing.assert_allclose(u, want)
    v = verify.check(inst, u)
    assert v.goal_years == 4.0  # end of period 3, the critical-path bound (3 + 1) * step 1
    np.testing.assert_allclose(v.finish_years, [4.0, 4.0])


def test_least_slack_waits_for_the_predecessor():
    # a: effort 10 at cap 10/5 = 2 a year -> periods 0-4; b after a: effort 6 at the whole pool of 3
    # -> periods 5-6, done at year 7
    plan = make_plan([{"name": "a", "effort": 10, "min_duration": 5},
                      {"name": "b", "effort": 6, "after": ["a"]}],
                     supply=3, horizon=10, objective="earliest")
    inst, cp = _instance(plan)
    u = _least_slack(inst, cp)
    want = np.zeros((2, 10))
    want[0, :5] = 2.0
    want[1, 5:7] = 3.0
    np.testing.assert_allclose(u, want)
    v = verify.check(inst, u)
    np.testing.assert_allclose(v.finish_years, [5.0, 7.0])
    assert v.objective == 7.0
    np.testing.assert_allclose(verify.check(inst, greedy(inst, cp)).finish_years, [5.0, 7.0])


def test_least_slack_on_the_toy_reaches_the_deadline():
    inst, cp = _instance(planner.load(TOY))
    u = _least_slack(inst, cp)
    # serial streams: 1 researcher each for 25 years (periods 0-24); parallel: the other
    # 1800 - 4 = 1796 for 10 periods = 10 x 1796 x 0.05 = 898 effective, then 2 / 0.05 = 40
    np.testing.assert_allclose(u[0, :10], 1796.0)
    assert abs(u[0, 10] - 40.0) < 1e-6
    np.testing.assert_allclose(u[1:, :25], 1.0)
    v = verify.check(inst, u)
    assert v.goal_years == 25.0  # before the deadline of 26 years
    assert v.success_probability == 1.0


def test_start_solution_is_a_plan_the_model_and_verify_accept():
    inst, cp = _instance(_slack_plan())
    lm = build(inst, cp)
    x = start_solution(inst, cp, lm)
    col = lm.arrays()
    assert x.shape == (lm.n,)
    assert np.all(x <= col["ub"] + 1e-9) and np.all(x >= col["lb"] - 1e-9)
    u = lm.values(x, "u")
    # greedy order: needed first, then earliest start (both 0), then the longer min_duration: b
    # takes its cap 1, a the remaining 1 -> both done after 4 periods
    np.testing.assert_allclose(u[:, :4], 1.0)
    assert verify.check(inst, u).goal_years == 4.0
    # progress w: 1, 2, 3, 4 then held at the effort 4; completion c from period 3 on
    np.testing.assert_allclose(lm.values(x, "w")[1, :5], [1, 2, 3, 4, 4])
    np.testing.assert_allclose(lm.values(x, "c")[0, :5], [0, 0, 0, 1, 1])
