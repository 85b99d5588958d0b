"""planner/pipeline/polish.py on its own: when a stream finishes, and moving work earlier."""
import numpy as np

import planner
from planner.instance.resolve import resolve
from planner.pipeline import polish

PLAN = """
[plan]
name = "one stream"
horizon = 4
step = 1.0
objective = "earliest"

[[pools]]
name = "people"
supply = 10

[[streams]]
name = "work"
pool = "people"
effort = 10

[goal]
required = ["work"]
"""


def _instance(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(PLAN)
    return resolve(planner.load(path))


def test_finish_period_is_where_the_running_total_reaches_the_effort(tmp_path):
    inst = _instance(tmp_path)
    # 4 + 4 + 4 person-years at productivity 1: 8 after period 1, 12 after period 2
    assert polish.finish_periods(inst, np.array([[4.0, 4.0, 4.0, 0.0]])).tolist() == [2]
    # never enough: the horizon (4 periods)
    assert polish.finish_periods(inst, np.array([[1.0, 1.0, 1.0, 1.0]])).tolist() == [4]


def test_earliest_start_moves_the_work_to_the_first_period_the_pool_allows(tmp_path):
    inst = _instance(tmp_path)
    late = np.array([[0.0, 0.0, 5.0, 5.0]])       # finishes in period 3
    moved = polish.earliest_start(inst, late.copy())
    # 10 people can do the 10 person-years in period 0, and the pass does not waste supply
    assert polish.finish_periods(inst, moved).tolist() == [0]
    assert moved[0, 0] == 10.0
    assert moved.sum() >= 10.0 - 1e-9 and np.all(moved <= 10.0 + 1e-9)
