"""planner/pipeline/levels.py through Model: an intervention that chooses its level."""
import planner

PLAN = """
[plan]
name = "how much"
horizon = 12
step = 1.0
objective = "probability"

[[pools]]
name = "people"
supply = 10

[[streams]]
name = "work"
pool = "people"
effort = 100

[goal]
required = ["work"]

[deadline]
years = 8

[[interventions]]
name = "more, sooner"
deadline_shift = -1
supply = [{ pool = "people", add = 10 }]
levels = [0, 1, 2]
choose = true
"""


def test_the_chosen_level_is_the_smallest_of_the_best(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(PLAN)
    plan = planner.load(path)
    result = planner.solve(plan, "more, sooner")
    # By hand: level 0: 10 FTE need 10 years, deadline 8: missed (0). Level 1: 20 FTE, 5 years,
    # deadline 7: met (1). Level 2: 30 FTE, 3.33 years, deadline 6: met (1). A tie goes to the
    # smallest level: 1.
    assert result.chosen_units == 1
    assert [row["units"] for row in result.levels] == [0, 1, 2]
    assert [round(row["objective"], 9) for row in result.levels] == [0.0, 1.0, 1.0]
    assert result.objective == 1.0
    assert result.goal_completion_years == 5.0
