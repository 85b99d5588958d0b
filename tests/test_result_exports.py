"""planner.result: to_dict, to_csv and summary_csv of a small solved plan, every number worked by
hand. Two streams whose schedule is forced: a (crew 2 FTE of p, effort 6) gets p's 4 FTE = 2 crew
units = 2 a year, so 3 years; b (1 FTE of q, effort 3, min_duration 3) 1 a year, also 3 years."""
from __future__ import annotations

import csv
import io
import json

import pytest
from plans import make_plan, solved

START = 2030


def _plan(**kw):
    return make_plan([{"name": "a", "crew": {"p": 2}, "effort": 6},
                      {"name": "b", "pool": "q", "effort": 3, "min_duration": 3}],
                     pools=[{"name": "p", "supply": 4}, {"name": "q", "supply": 10}],
                     horizon=4, start_year=START, **kw)


@pytest.fixture(scope="module")
def result():
    return solved(_plan(objective="earliest"))


def test_to_dict_headline_and_streams(result):
    d = result.to_dict()
    assert (d["variant"], d["status"], d["objective_kind"]) == ("baseline", "optimal", "earliest")
    assert d["objective"] == 3.0  # both streams end with period 2: (2 + 1) x step 1
    assert d["goal_completion_year"] == START + 3
    a, b = d["streams"]
    assert (a["name"], a["effort"], a["effort_done"], a["start_years"], a["finish_years"], a["finish_year"]) == (
        "a", 6.0, 6.0, 0.0, 3.0, 2033.0)
    assert (b["effort_done"], b["finish_year"]) == (3.0, 2033.0)
    # with unlimited labour a finishes in one period but b still takes its min_duration of 3 years
    assert d["structure"]["critical_path"] == ["b"]
    assert d["structure"]["earliest_goal_years"] == 3.0


def test_to_dict_allocation_fte_and_pools(result):
    d = result.to_dict()
    assert d["years"] == [2030.0, 2031.0, 2032.0, 2033.0]
    assert d["allocation"] == {"a": [2.0, 2.0, 2.0, 0.0], "b": [1.0, 1.0, 1.0, 0.0]}
    assert d["fte"] == {"a": {"p": [4.0, 4.0, 4.0, 0.0]}, "b": {"q": [1.0, 1.0, 1.0, 0.0]}}  # 2 units x 2 FTE
    assert d["pools"] == [{"name": "p", "used": [4.0, 4.0, 4.0, 0.0], "supply": [4.0] * 4},
                          {"name": "q", "used": [1.0, 1.0, 1.0, 0.0], "supply": [10.0] * 4}]
    assert "allocation" not in result.to_dict(allocation=False)
    assert json.loads(result.to_json())["allocation"] == d["allocation"]


def test_to_csv_one_row_per_stream_pool_and_period(result):
    rows = list(csv.reader(io.StringIO(result.to_csv())))
    assert rows[0] == ["variant", "stream", "period_start_years", "year", "crew_units", "pool", "fte"]
    want = [["baseline", "a", str(t), str(START + t), u, "p", f] for t, u, f in
            [(0, "2", "4"), (1, "2", "4"), (2, "2", "4"), (3, "0", "0")]]
    want += [["baseline", "b", str(t), str(START + t), u, "q", u] for t, u in
             [(0, "1"), (1, "1"), (2, "1"), (3, "0")]]
    assert rows[1:] == want


def test_summary_csv_earliest(result):
    rows = list(csv.DictReader(io.StringIO(result.summary_csv())))
    assert len(rows) == 1
    r = rows[0]
    assert (r["variant"], r["status"], r["objective"], r["goal_year"], r["goal_years"]) == (
        "baseline", "optimal", "3", "2033", "3")
    assert r["deadline_year"] == r["delta"] == r["success_probability"] == ""


def test_summary_csv_with_a_deadline():
    r = solved(_plan(objective="probability", deadline={"years": 5}))
    row = next(csv.DictReader(io.StringIO(r.summary_csv())))
    # done at 3 years, before the deadline at 5 (calendar 2035): certain success
    assert (row["objective"], row["deadline_year"], row["success_probability"], row["late_years"]) == (
        "1", "2035", "1", "")
    r = solved(_plan(objective="probability", deadline={"years": 2}))
    row = next(csv.DictReader(io.StringIO(r.summary_csv())))
    # no plan can finish b before 3 years: the deadline at 2 is missed
    assert (row["objective"], row["success_probability"]) == ("0", "0")
