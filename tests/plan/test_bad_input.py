"""Bad plan files: every problem is one PlanError that names the file, the table and the key.

Expected tables, keys and message fragments come from MODEL.md ("Unknown keys, unknown names ...
are errors that name the file, the table and the key. Nothing is guessed.") and from the error
format of the contract: `file: table: key 'k': message`.
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
from dataclasses import dataclass, field

import pytest

import planner
from planner import PlanError

# --- building blocks ----------------------------------------------------------------------------

HEADER = """
[plan]
name = "t"
horizon = 10
objective = "earliest"
"""

HEADER_PROB = """
[plan]
name = "t"
horizon = 10
objective = "probability"
"""

POOL = """
[[pools]]
name = "staff"
supply = 4
"""

STREAM_A = """
[[streams]]
name = "a"
pool = "staff"
effort = 6
min_duration = 3
"""

STREAM_B = """
[[streams]]
name = "b"
pool = "staff"
effort = 2
"""

GOOD = HEADER + POOL + STREAM_A + STREAM_B


def stream(body: str, name: str = "a") -> str:
    return f'\n[[streams]]\nname = "{name}"\n{body}\n'


def pool(body: str, name: str = "staff") -> str:
    return f'\n[[pools]]\nname = "{name}"\n{body}\n'


def deadline(body: str) -> str:
    return f"\n[deadline]\n{body}\n"


def csv_pool(spec: str) -> str:
    return HEADER + pool(f"supply = {spec}") + STREAM_A


CUT = """
[[interventions]]
name = "cut"
supply = [{ pool = "staff", add = -5, from_year = 2 }]
"""


@dataclass
class Case:
    id: str
    text: str
    table: str | tuple[str, ...] | None   # exact table, or fragments the table must all contain
    key: str | None                       # the key the error must name: its `key`, or in the message
    msg: str                              # fragment of the message (case-insensitive)
    suffix: str = ".toml"
    stage: str = "load"                   # load | resolve | intervention
    arg: str | None = None                # intervention name for resolve / plan.intervention
    files: dict[str, str] = field(default_factory=dict)
    named: tuple[str, ...] = ()           # keys a rule about a nested value must name in the message


CASES = [
    # --- syntax and file -------------------------------------------------------------------------
    Case("toml-syntax", "[plan\nhorizon = 10\n", None, None, "not valid TOML"),
    Case("toml-duplicate-key", HEADER + "horizon = 12\n" + POOL + STREAM_A, None, None, "not valid TOML"),
    Case("json-syntax", '{"plan": {"horizon": 10,}', None, None, "not valid JSON", suffix=".json"),
    Case("json-top-level-list", "[1, 2, 3]", "(top level)", None, "top level", suffix=".json"),
    Case("json-top-level-string", '"a plan"', "(top level)", None, "top level", suffix=".json"),
    Case("json-duplicate-key", json.dumps({"plan": {"horizon": 10, "objective": "earliest"},
                                           "pools": [{"name": "staff", "supply": 4}]})[:-1]
         + ', "streams": [{"name": "a", "pool": "staff", "effort": 6, "effort": 60}]}',
         '[[streams]] #1 "a"', "effort", "duplicate key", suffix=".json"),
    Case("json-duplicate-key-plan",
         '{"plan": {"horizon": 10, "objective": "earliest", "horizon": 12}, '
         '"pools": [{"name": "staff", "supply": 4}], "streams": [{"name": "a", "pool": "staff", "effort": 6}]}',
         "[plan]", "horizon", "duplicate key", suffix=".json"),
    Case("json-duplicate-top-level-table",
         '{"plan": {"horizon": 10, "objective": "earliest"}, "pools": [{"name": "staff", "supply": 4}], '
         '"streams": [{"name": "a", "pool": "staff", "effort": 6}], "plan": {"horizon": 20}}',
         "(top level)", "plan", "duplicate key", suffix=".json"),
    Case("json-duplicate-key-nested",
         '{"plan": {"horizon": 10, "objective": "earliest"}, "pools": [{"name": "staff", '
         '"supply": {"start": 3, "growth": 0.1, "start": 4}}], "streams": [{"name": "a", "pool": "staff", "effort": 6}]}',
         '[[pools]] #1 "staff"', "supply.start", "duplicate key", suffix=".json"),
    Case("json-integer-too-long",
         '{"plan": {"horizon": 10, "objective": "earliest"}, "pools": [{"name": "staff", "supply": 4}], '
         '"streams": [{"name": "a", "pool": "staff", "effort": ' + "9" * 5000 + '}]}',
         '[[streams]] #1 "a"', "effort", "5,000 digits", suffix=".json"),
    Case("toml-integer-too-long", HEADER + POOL + stream('pool = "staff"\neffort = ' + "7" * 5000),
         '[[streams]] #1 "a"', "effort", "5,000 digits", named=("line 14",)),
    Case("toml-negative-integer-too-long-in-a-list",
         HEADER + pool("supply = [4, -" + "1" * 4400 + "]") + STREAM_A,
         '[[pools]] #1 "staff"', "supply", "4,400 digits", named=("line 9",)),
    # --- unknown keys in every table ----------------------------------------------------------------
    Case("unknown-key-plan", HEADER + "horizn = 12\n" + POOL + STREAM_A, "[plan]", "horizn", "unknown key"),
    Case("unknown-key-pools", HEADER + pool("supply = 4\nsuply = 5") + STREAM_A,
         '[[pools]] #1 "staff"', "suply", "unknown key"),
    Case("unknown-key-streams", HEADER + POOL + stream('pool = "staff"\neffort = 6\nmin_duraton = 3'),
         '[[streams]] #1 "a"', "min_duraton", "unknown key"),
    Case("unknown-key-second-stream", HEADER + POOL + STREAM_A + stream('pool = "staff"\neffort = 2\nafer = ["a"]', "b"),
         '[[streams]] #2 "b"', "afer", "unknown key"),
    Case("unknown-key-deadline", HEADER_PROB + POOL + STREAM_A + deadline("years = 5\nmonths = 3"),
         "[deadline]", "months", "unknown key"),
    Case("unknown-key-goal", GOOD + '\n[goal]\nrequired = ["a"]\noptional = ["b"]\n',
         "[goal]", "optional", "unknown key"),
    Case("unknown-key-interventions", GOOD + '\n[[interventions]]\nname = "x"\ndeadline_shft = -2\n',
         '[[interventions]] #1 "x"', "deadline_shft", "unknown key"),
    Case("unknown-key-supply-change",
         GOOD + '\n[[interventions]]\nname = "x"\nsupply = [{ pool = "staff", multiply = 2, form_year = 3 }]\n',
         '[[interventions]] #1 "x"', "supply[1].form_year", "unknown key"),
    Case("unknown-key-productivity-change",
         GOOD + '\n[[interventions]]\nname = "x"\nproductivity = [{ streams = ["a"], mult = 2 }]\n',
         '[[interventions]] #1 "x"', "productivity[1].mult", "unknown key"),
    Case("unknown-key-after-table",
         HEADER + POOL + STREAM_A + stream('pool = "staff"\neffort = 2\nafter = [{ stream = "a", delay = 1 }]', "b"),
         '[[streams]] #2 "b"', "after[1].delay", "unknown key"),
    Case("unknown-key-growth-supply", HEADER + pool("supply = { start = 3, growth = 0.1, ceiling = 9 }") + STREAM_A,
         '[[pools]] #1 "staff"', "supply.ceiling", "unknown key"),
    Case("unknown-top-level-table", GOOD + "\n[solver]\nthreads = 2\n", "(top level)", "solver", "unknown key"),
    # --- missing required keys ------------------------------------------------------------------------
    Case("missing-horizon", '[plan]\nname = "t"\nobjective = "earliest"\n' + POOL + STREAM_A,
         "[plan]", "horizon", "missing"),
    Case("missing-effort", HEADER + POOL + stream('pool = "staff"\nmin_duration = 3'),
         '[[streams]] #1 "a"', "effort", "missing"),
    Case("missing-pool-supply", HEADER + pool("") + STREAM_A, '[[pools]] #1 "staff"', "supply", "missing"),
    Case("missing-stream-name", HEADER + POOL + '\n[[streams]]\npool = "staff"\neffort = 3\n',
         "[[streams]] #1", "name", "missing"),
    Case("missing-intervention-name", GOOD + "\n[[interventions]]\ndeadline_shift = -2\n",
         "[[interventions]] #1", "name", "missing"),
    Case("missing-plan-table", POOL + STREAM_A, "(top level)", "plan", "missing required table [plan]"),
    # --- wrong types ------------------------------------------------------------------------------------
    Case("string-for-number", HEADER + POOL + stream('pool = "staff"\neffort = "six"'),
         '[[streams]] #1 "a"', "effort", "number"),
    Case("numeric-string-for-number", HEADER + POOL + stream('pool = "staff"\neffort = "6"'),
         '[[streams]] #1 "a"', "effort", "number"),
    Case("bool-for-number", HEADER + POOL + stream('pool = "staff"\neffort = true'),
         '[[streams]] #1 "a"', "effort", "number"),
    Case("bool-for-horizon", '[plan]\nhorizon = true\nobjective = "earliest"\n' + POOL + STREAM_A,
         "[plan]", "horizon", "number"),
    Case("float-start-year", HEADER + "start_year = 2026.5\n" + POOL + STREAM_A, "[plan]", "start_year", "integer"),
    Case("string-supply", HEADER + pool('supply = "lots"') + STREAM_A, '[[pools]] #1 "staff"', "supply", "number"),
    Case("string-after", HEADER + POOL + STREAM_A + stream('pool = "staff"\neffort = 2\nafter = "a"', "b"),
         '[[streams]] #2 "b"', "after", "list"),
    Case("json-string-for-number",
         json.dumps({"plan": {"horizon": 10, "objective": "earliest"},
                     "pools": [{"name": "staff", "supply": 4}],
                     "streams": [{"name": "a", "pool": "staff", "effort": "6"}]}),
         '[[streams]] #1 "a"', "effort", "number", suffix=".json"),
    # --- non-finite numbers ------------------------------------------------------------------------
    Case("nan-effort", HEADER + POOL + stream('pool = "staff"\neffort = nan'), '[[streams]] #1 "a"', "effort", "finite"),
    Case("inf-horizon", '[plan]\nhorizon = inf\nobjective = "earliest"\n' + POOL + STREAM_A, "[plan]", "horizon", "finite"),
    Case("inf-supply", HEADER + pool("supply = inf") + STREAM_A, '[[pools]] #1 "staff"', "supply", "finite"),
    Case("nan-supply-list", HEADER + pool("supply = [4, nan]") + STREAM_A, '[[pools]] #1 "staff"', "supply[2]", "finite"),
    Case("json-nan-productivity",
         '{"plan": {"horizon": 10, "objective": "earliest"}, "pools": [{"name": "staff", "supply": 4}], '
         '"streams": [{"name": "a", "pool": "staff", "effort": 3, "productivity": NaN}]}',
         '[[streams]] #1 "a"', "productivity", "finite", suffix=".json"),
    Case("json-infinity-max-staff",
         '{"plan": {"horizon": 10, "objective": "earliest"}, "pools": [{"name": "staff", "supply": 4}], '
         '"streams": [{"name": "a", "pool": "staff", "effort": 3, "max_staff": Infinity}]}',
         '[[streams]] #1 "a"', "max_staff", "finite", suffix=".json"),
    # --- out-of-range numbers ------------------------------------------------------------------------
    Case("zero-effort", HEADER + POOL + stream('pool = "staff"\neffort = 0'), '[[streams]] #1 "a"', "effort",
         "greater than or equal to 0.001"),
    Case("negative-effort", HEADER + POOL + stream('pool = "staff"\neffort = -3'), '[[streams]] #1 "a"', "effort",
         "greater than or equal to 0.001"),
    Case("negative-min-duration", HEADER + POOL + stream('pool = "staff"\neffort = 3\nmin_duration = -1'),
         '[[streams]] #1 "a"', "min_duration", "greater than or equal to 0"),
    Case("negative-supply", HEADER + pool("supply = -4") + STREAM_A, '[[pools]] #1 "staff"', "supply",
         "greater than or equal to 0"),
    Case("negative-supply-in-list", HEADER + pool("supply = [4, 3, -1]") + STREAM_A, '[[pools]] #1 "staff"',
         "supply[3]", "greater than or equal to 0"),
    Case("negative-release", HEADER + POOL + stream('pool = "staff"\neffort = 3\nrelease = -2'),
         '[[streams]] #1 "a"', "release", "greater than or equal to 0"),
    Case("negative-lag", HEADER + POOL + STREAM_A + stream('pool = "staff"\neffort = 2\nafter = [{ stream = "a", lag = -1 }]', "b"),
         '[[streams]] #2 "b"', "after[1].lag", "greater than or equal to 0"),
    Case("zero-max-staff", HEADER + POOL + stream('pool = "staff"\neffort = 3\nmax_staff = 0'),
         '[[streams]] #1 "a"', "max_staff", "greater than 0"),
    Case("zero-crew-size", HEADER + POOL + stream("crew = { staff = 0 }\neffort = 3"),
         '[[streams]] #1 "a"', "crew.staff", "greater than 0"),
    Case("zero-step", HEADER + "step = 0\n" + POOL + STREAM_A, "[plan]", "step", "greater than 0"),
    Case("zero-horizon", '[plan]\nhorizon = 0\nobjective = "earliest"\n' + POOL + STREAM_A, "[plan]", "horizon",
         "greater than 0"),
    # --- names and references ------------------------------------------------------------------------------
    Case("unknown-pool", HEADER + POOL + stream('pool = "engineers"\neffort = 3'), '[[streams]] #1 "a"', "pool",
         "unknown pool 'engineers'"),
    Case("unknown-crew-pool", HEADER + POOL + stream("crew = { staff = 1, engineers = 2 }\neffort = 3"),
         '[[streams]] #1 "a"', "crew.engineers", "unknown pool 'engineers'"),
    Case("unknown-after-target", HEADER + POOL + STREAM_A + stream('pool = "staff"\neffort = 2\nafter = ["z"]', "b"),
         '[[streams]] #2 "b"', "after", "unknown stream 'z'"),
    Case("unknown-after-target-table",
         HEADER + POOL + STREAM_A + stream('pool = "staff"\neffort = 2\nafter = [{ stream = "z", lag = 1 }]', "b"),
         '[[streams]] #2 "b"', "after", "unknown stream 'z'"),
    Case("after-itself", HEADER + POOL + stream('pool = "staff"\neffort = 2\nafter = ["a"]'),
         '[[streams]] #1 "a"', "after", "itself"),
    Case("precedence-cycle",
         HEADER + POOL + stream('pool = "staff"\neffort = 2\nafter = ["c"]', "a")
         + stream('pool = "staff"\neffort = 2\nafter = ["a"]', "b")
         + stream('pool = "staff"\neffort = 2\nafter = [{ stream = "b", lag = 1 }]', "c"),
         ("[[streams]]",), "after", "cycle"),
    Case("unknown-goal-stream", GOOD + '\n[goal]\nrequired = ["a", "zz"]\n', "[goal]", "required",
         "unknown stream 'zz'"),
    Case("empty-goal", GOOD + "\n[goal]\nrequired = []\n", "[goal]", "required", "at least 1"),
    Case("duplicate-stream", HEADER + POOL + STREAM_A + STREAM_B + stream('pool = "staff"\neffort = 1'),
         '[[streams]] #3 "a"', "name", "duplicate"),
    Case("duplicate-pool", HEADER + POOL + pool("supply = 2") + STREAM_A, '[[pools]] #2 "staff"', "name", "duplicate"),
    Case("duplicate-intervention",
         GOOD + '\n[[interventions]]\nname = "x"\n\n[[interventions]]\nname = "x"\ndeadline_shift = 1\n',
         '[[interventions]] #2 "x"', "name", "duplicate"),
    Case("pool-and-crew", HEADER + POOL + stream('pool = "staff"\ncrew = { staff = 1 }\neffort = 3'),
         '[[streams]] #1 "a"', "crew", "exactly one"),
    Case("neither-pool-nor-crew", HEADER + POOL + stream("effort = 3"), '[[streams]] #1 "a"', "pool", "exactly one"),
    Case("empty-crew", HEADER + POOL + stream("crew = {}\neffort = 3"), '[[streams]] #1 "a"', "crew", "crew"),
    Case("empty-name", HEADER + POOL + stream('pool = "staff"\neffort = 3', name=""), '[[streams]] #1 ""', "name",
         "at least 1"),
    Case("no-streams", "streams = []\n" + HEADER + POOL, "[streams]", None, "at least 1"),
    # --- deadlines ------------------------------------------------------------------------------------------------
    Case("deadline-two-forms", HEADER_PROB + POOL + STREAM_A + deadline("years = 20\nyear = 2050"),
         "[deadline]", "year", "exactly one"),
    Case("deadline-no-form", HEADER_PROB + POOL + STREAM_A + deadline(""), "[deadline]", "years", "exactly one"),
    Case("deadline-only-p-never", HEADER_PROB + POOL + STREAM_A + deadline("p_never = 0.1"),
         "[deadline]", "years", "exactly one"),
    Case("scenarios-sum-below-1", HEADER_PROB + POOL + STREAM_A + deadline("scenarios = [[5, 0.3], [8, 0.6]]"),
         "[deadline]", "scenarios", "sum"),
    Case("scenarios-sum-above-1", HEADER_PROB + POOL + STREAM_A + deadline("scenarios = [[5, 0.5], [8, 0.50001]]"),
         "[deadline]", "scenarios", "sum"),
    Case("scenario-probability-above-1",
         HEADER_PROB + POOL + STREAM_A + deadline("scenarios = [[5, 1.5], [8, -0.5]]"),
         "[deadline]", "scenarios[1]", "outside [0, 1]"),
    Case("scenario-probability-negative",
         HEADER_PROB + POOL + STREAM_A + deadline("scenarios = [[5, -0.2], [8, 1.2]]"),
         "[deadline]", "scenarios[1]", "outside [0, 1]"),
    Case("scenario-not-a-pair", HEADER_PROB + POOL + STREAM_A + deadline("scenarios = [[5, 0.5, 1], [8, 0.5]]"),
         "[deadline]", "scenarios[1]", "at most 2"),
    Case("unknown-distribution-kind",
         HEADER_PROB + POOL + STREAM_A + deadline('distribution = { kind = "weibull", median = 20, sigma = 1 }'),
         "[deadline]", "distribution", "kind"),
    Case("lognormal-zero-sigma",
         HEADER_PROB + POOL + STREAM_A + deadline('distribution = { kind = "lognormal", median = 20, sigma = 0 }'),
         "[deadline]", "distribution.sigma", "greater than 0"),
    Case("percentile-years-not-increasing",
         HEADER_PROB + POOL + STREAM_A
         + deadline('distribution = { kind = "percentiles", points = [[5, 0.1], [5, 0.5]] }'),
         "[deadline]", "distribution", "increasing", named=("points[2]",)),
    Case("percentile-probabilities-decreasing",
         HEADER_PROB + POOL + STREAM_A
         + deadline('distribution = { kind = "percentiles", points = [[5, 0.4], [10, 0.3]] }'),
         "[deadline]", "distribution", "non-decreasing", named=("points[2]",)),
    Case("percentile-probability-above-1",
         HEADER_PROB + POOL + STREAM_A
         + deadline('distribution = { kind = "percentiles", points = [[5, 0.4], [10, 1.3]] }'),
         "[deadline]", "distribution", "[0, 1]", named=("points[2]",)),
    Case("p-never-without-distribution", HEADER_PROB + POOL + STREAM_A + deadline("years = 20\np_never = 0.1"),
         "[deadline]", "p_never", "distribution"),
    Case("p-never-above-1",
         HEADER_PROB + POOL + STREAM_A
         + deadline('distribution = { kind = "lognormal", median = 20, sigma = 1 }\np_never = 1.5'),
         "[deadline]", "p_never", "less than or equal to 1"),
    Case("year-before-start-year", HEADER_PROB + "start_year = 2030\n" + POOL + STREAM_A + deadline("year = 2029"),
         "[deadline]", "year", "before start_year"),
    Case("objective-unknown", '[plan]\nhorizon = 10\nobjective = "fastest"\n' + POOL + STREAM_A,
         "[plan]", "objective", "'earliest'"),
    Case("probability-without-deadline", HEADER_PROB + POOL + STREAM_A, "[deadline]", "objective", "[deadline]"),
    Case("value-without-deadline", '[plan]\nhorizon = 10\nobjective = "value"\n' + POOL + STREAM_A,
         "[deadline]", "objective", "[deadline]"),
    # --- interventions -----------------------------------------------------------------------------------------------
    Case("intervention-unknown-pool",
         GOOD + '\n[[interventions]]\nname = "x"\nsupply = [{ pool = "staff", multiply = 2 }, { pool = "money", add = 1 }]\n',
         '[[interventions]] #1 "x"', "supply[2].pool", "unknown pool 'money'"),
    Case("intervention-unknown-stream",
         GOOD + '\n[[interventions]]\nname = "x"\nproductivity = [{ streams = ["a", "q"], multiply = 2 }]\n',
         '[[interventions]] #1 "x"', "productivity[1].streams", "unknown stream 'q'"),
    Case("intervention-until-before-from",
         GOOD + '\n[[interventions]]\nname = "x"\nsupply = [{ pool = "staff", multiply = 2, from_year = 10, until_year = 5 }]\n',
         '[[interventions]] #1 "x"', "supply[1]", "after 'from_year'", named=("until_year",)),
    Case("intervention-until-equals-from",
         GOOD + '\n[[interventions]]\nname = "x"\nproductivity = [{ streams = ["a"], multiply = 2, from_year = 4, until_year = 4 }]\n',
         '[[interventions]] #1 "x"', "productivity[1]", "after 'from_year'",
         named=("until_year",)),
    Case("intervention-negative-multiply",
         GOOD + '\n[[interventions]]\nname = "x"\nsupply = [{ pool = "staff", multiply = -1 }]\n',
         '[[interventions]] #1 "x"', "supply[1].multiply", "greater than or equal to 0"),
    Case("intervention-empty-streams",
         GOOD + '\n[[interventions]]\nname = "x"\nproductivity = [{ streams = [], multiply = 2 }]\n',
         '[[interventions]] #1 "x"', "productivity[1].streams", "at least 1"),
    # --- data files and resolved numbers (visible only once the numbers are resolved) -----------------------------
    Case("csv-missing", csv_pool('{ file = "nothere.csv", column = "fte" }'), '[[pools]] #1 "staff"',
         "supply.file", "no such file", stage="resolve"),
    Case("csv-missing-column", csv_pool('{ file = "s.csv", column = "fte" }'), '[[pools]] #1 "staff"',
         "supply.column", "no column 'fte'", stage="resolve", files={"s.csv": "year,people\n2020,5\n2030,8\n"}),
    Case("csv-missing-year-column", csv_pool('{ file = "s.csv", column = "fte" }'), '[[pools]] #1 "staff"',
         "supply.file", "no column 'year'", stage="resolve", files={"s.csv": "when,fte\n2020,5\n"}),
    Case("csv-non-numeric", csv_pool('{ file = "s.csv", column = "fte" }'), '[[pools]] #1 "staff"',
         "supply.column", "not a number", stage="resolve", files={"s.csv": "year,fte\n2020,5\n2028,many\n"}),
    Case("csv-negative-value", csv_pool('{ file = "s.csv", column = "fte" }'), '[[pools]] #1 "staff"',
         "supply.column", ">= 0", stage="resolve", files={"s.csv": "year,fte\n2020,5\n2028,-3\n"}),
    Case("csv-no-row-before-start", csv_pool('{ file = "s.csv", column = "fte" }'), '[[pools]] #1 "staff"',
         "supply.file", "no row at or before 2026", stage="resolve",
         files={"s.csv": "year,fte\n2027,5\n2030,8\n"}),
    Case("csv-no-data-rows", csv_pool('{ file = "s.csv", column = "fte" }'), '[[pools]] #1 "staff"',
         "supply.file", "no data", stage="resolve", files={"s.csv": "year,fte\n"}),
    Case("csv-duplicate-year", csv_pool('{ file = "s.csv", column = "fte" }'), '[[pools]] #1 "staff"',
         "supply.file", "twice", stage="resolve", files={"s.csv": "year,fte\n2020,5\n2020,6\n"}),
    Case("csv-duplicate-header", csv_pool('{ file = "s.csv", column = "fte" }'), '[[pools]] #1 "staff"',
         "supply.file", "appears twice", stage="resolve", files={"s.csv": "year,fte,fte\n2020,5,6\n"},
         named=("line 1", "'fte'")),
    Case("csv-extra-cell", csv_pool('{ file = "s.csv", column = "fte" }'), '[[pools]] #1 "staff"',
         "supply.file", "extra cell", stage="resolve", files={"s.csv": "# c\nyear,fte\n2020,5\n2028,8,9\n"},
         named=("line 4", "'fte'")),
    Case("csv-missing-cell", csv_pool('{ file = "s.csv", column = "fte" }'), '[[pools]] #1 "staff"',
         "supply.file", "no cell for column 'fte'", stage="resolve",
         files={"s.csv": "year,fte\n2020,5\n\n2028\n"}, named=("line 4",)),
    Case("csv-missing-cell-of-another-column", csv_pool('{ file = "s.csv", column = "fte" }'),
         '[[pools]] #1 "staff"', "supply.file", "no cell for column 'source'", stage="resolve",
         files={"s.csv": "year,fte,source\n2020,5,x\n2028,8\n"}, named=("line 3",)),
    Case("intervention-makes-supply-negative", GOOD + CUT, ("[[interventions]]", '"cut"'), "supply[1]",
         "negative", stage="resolve", arg="cut"),
    Case("unknown-intervention-resolve", GOOD + CUT, "[[interventions]]", "name", "no intervention named 'nope'",
         stage="resolve", arg="nope"),
    Case("unknown-intervention-lookup", GOOD + CUT, "[[interventions]]", "name", "no intervention named 'nope'",
         stage="intervention", arg="nope"),
]


def _run(case: Case, tmp_path):
    path = tmp_path / f"plan{case.suffix}"
    path.write_text(case.text, encoding="utf-8")
    for name, content in case.files.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(PlanError) as info:
        plan = planner.load(path)
        if case.stage == "resolve":
            planner.resolve(plan, case.arg) if case.arg else planner.resolve(plan)
        elif case.stage == "intervention":
            plan.intervention(case.arg)
        else:
            pytest.fail("the plan loaded without error")
    return path, info.value


def _assert_names(err: PlanError, path, case: Case) -> None:
    text = str(err)
    assert err.file == str(path), text
    assert text.startswith(f"{path}: "), text
    assert case.msg.lower() in err.detail.lower(), text
    assert "Traceback" not in text and "\n" not in text, text
    if case.table is None:
        assert err.table is None, text
    elif isinstance(case.table, tuple):
        assert err.table is not None and all(part in err.table for part in case.table), text
    else:
        assert err.table == case.table, text
    if case.table is not None:
        assert f": {err.table}: " in text or text.endswith(f": {err.table}"), text
    if case.key is not None:
        if err.key is not None:
            assert err.key == case.key, text
            assert f"key '{case.key}'" in text, text
        else:  # a rule about several keys may name them in the message instead
            assert case.key in err.detail, f"the key '{case.key}' is not named: {text}"
    for name in case.named:
        assert name in err.detail, f"'{name}' is not named: {text}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, tmp_path):
    path, err = _run(case, tmp_path)
    _assert_names(err, path, case)


def test_distinct_kinds_count():
    assert len({c.id for c in CASES}) == len(CASES) >= 25


def test_missing_file(tmp_path):
    path = tmp_path / "absent.toml"
    with pytest.raises(PlanError) as info:
        planner.load(path)
    err = info.value
    assert err.file == str(path)
    assert str(err).startswith(f"{path}: ")
    assert "no such file" in err.detail


def test_syntax_error_gives_the_line(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('[plan]\nhorizon = 10\nname = "unterminated\n', encoding="utf-8")
    with pytest.raises(PlanError) as info:
        planner.load(path)
    assert info.value.file == str(path)
    assert "line 3" in info.value.detail


def test_plan_error_is_a_planner_error_with_exit_code_2(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(HEADER + POOL + stream('pool = "staff"\neffort = 0'), encoding="utf-8")
    with pytest.raises(planner.PlannerError) as info:
        planner.load(path)
    assert isinstance(info.value, PlanError)
    assert info.value.exit_code == 2


def test_the_error_format_of_the_contract(tmp_path):
    """The exact example of the contract: file, table, key, message."""
    path = tmp_path / "p.toml"
    path.write_text(HEADER + POOL + stream('pool = "staff"\neffort = 0'), encoding="utf-8")
    with pytest.raises(PlanError) as info:
        planner.load(path)
    assert str(info.value) == (f'{path}: [[streams]] #1 "a": key \'effort\': '
                               'Input should be greater than or equal to 0.001')
    assert (info.value.table, info.value.key) == ('[[streams]] #1 "a"', "effort")
    assert info.value.detail == "Input should be greater than or equal to 0.001"


@pytest.mark.parametrize("probs", [(0.3, 0.7), (0.3, 0.7000005), (0.3, 0.6999995), (0.1, 0.2, 0.3, 0.4)])
def test_scenario_probabilities_summing_to_1_within_1e_6_are_accepted(tmp_path, probs):
    pairs = ", ".join(f"[{5 * (k + 1)}, {p!r}]" for k, p in enumerate(probs))
    path = tmp_path / "p.toml"
    path.write_text(HEADER_PROB + POOL + STREAM_A + deadline(f"scenarios = [{pairs}]"), encoding="utf-8")
    plan = planner.load(path)
    inst = planner.resolve(plan)
    assert inst.deadline_probs.sum() == pytest.approx(1.0, abs=1e-6)
    assert list(inst.deadline_years) == [5.0 * (k + 1) for k in range(len(probs))]


@pytest.mark.parametrize("probs", [(0.3, 0.700002), (0.3, 0.699998)])
def test_scenario_probabilities_off_by_more_than_1e_6_are_refused(tmp_path, probs):
    path = tmp_path / "p.toml"
    path.write_text(HEADER_PROB + POOL + STREAM_A + deadline(f"scenarios = [[5, {probs[0]!r}], [9, {probs[1]!r}]]"),
                    encoding="utf-8")
    with pytest.raises(PlanError) as info:
        planner.load(path)
    assert info.value.table == "[deadline]"
    assert "sum" in info.value.detail


def test_the_good_plan_loads_and_resolves(tmp_path):
    """The base the bad cases are cut from is itself valid, so each error comes from its own change."""
    path = tmp_path / "p.toml"
    path.write_text(GOOD + CUT.replace("add = -5", "add = -1"), encoding="utf-8")
    plan = planner.load(path)
    inst = planner.resolve(plan, "cut")
    assert list(inst.supply[0]) == [4, 4] + [3] * 8


def test_csv_supply_good_file_resolves(tmp_path):
    """The CSV cases' plan is fine with a good file: latest row at or before each period's start."""
    (tmp_path / "s.csv").write_text("# comment\nyear,fte\n2020,5\n2028,8\n2031.5,2\n", encoding="utf-8")
    path = tmp_path / "p.toml"
    path.write_text(csv_pool('{ file = "s.csv", column = "fte" }'), encoding="utf-8")
    inst = planner.resolve(planner.load(path))
    # periods start 2026..2035: 2026-2027 -> 5 (row 2020), 2028-2031 -> 8, 2032.. -> 2
    assert list(inst.supply[0]) == [5, 5, 8, 8, 8, 8, 2, 2, 2, 2]


# --- what a file is and how it starts ------------------------------------------------------------

@contextlib.contextmanager
def no_hang(seconds: float = 10):
    """Fail (instead of blocking the suite) if the body waits longer than `seconds`."""
    def stop(signum, frame):
        raise TimeoutError(f"still waiting after {seconds} s")
    old = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_csv_that_is_a_fifo_is_refused_not_waited_on(tmp_path):
    os.mkfifo(tmp_path / "s.csv")
    path = tmp_path / "p.toml"
    path.write_text(csv_pool('{ file = "s.csv", column = "fte" }'), encoding="utf-8")
    with no_hang(), pytest.raises(PlanError) as info:
        planner.resolve(planner.load(path))
    err = info.value
    assert (err.file, err.table, err.key) == (str(path), '[[pools]] #1 "staff"', "supply.file")
    assert "FIFO" in err.detail and "s.csv" in err.detail


def test_csv_that_is_a_directory_is_refused(tmp_path):
    (tmp_path / "s.csv").mkdir()
    path = tmp_path / "p.toml"
    path.write_text(csv_pool('{ file = "s.csv", column = "fte" }'), encoding="utf-8")
    with pytest.raises(PlanError) as info:
        planner.resolve(planner.load(path))
    assert (info.value.table, info.value.key) == ('[[pools]] #1 "staff"', "supply.file")
    assert "directory" in info.value.detail


def test_plan_that_is_a_fifo_is_refused_not_waited_on(tmp_path):
    path = tmp_path / "p.toml"
    os.mkfifo(path)
    with no_hang(), pytest.raises(PlanError) as info:
        planner.load(path)
    assert info.value.file == str(path) and "FIFO" in info.value.detail


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_a_utf8_bom_before_a_plan_is_accepted(tmp_path, suffix):
    """Editors on Windows write a byte-order mark; it carries no meaning and is dropped."""
    path = tmp_path / f"p{suffix}"
    text = GOOD if suffix == ".toml" else json.dumps({
        "plan": {"name": "t", "horizon": 10, "objective": "earliest"}, "pools": [{"name": "staff", "supply": 4}],
        "streams": [{"name": "a", "pool": "staff", "effort": 6, "min_duration": 3},
                    {"name": "b", "pool": "staff", "effort": 2}]})
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    plan = planner.load(path)
    assert plan.plan.name == "t" and [s.name for s in plan.streams] == ["a", "b"]


@pytest.mark.parametrize("first", ["year,fte\n", "# a comment\nyear,fte\n"])
def test_a_utf8_bom_before_a_csv_is_accepted(tmp_path, first):
    (tmp_path / "s.csv").write_bytes(b"\xef\xbb\xbf" + (first + "2020,5\n2028,8\n").encode("utf-8"))
    path = tmp_path / "p.toml"
    path.write_text(csv_pool('{ file = "s.csv", column = "fte" }'), encoding="utf-8")
    inst = planner.resolve(planner.load(path))
    assert list(inst.supply[0]) == [5, 5, 8, 8, 8, 8, 8, 8, 8, 8]


# --- model size -----------------------------------------------------------------------------------

def _wide(streams: int, horizon: float, step: float = 1.0) -> dict:
    return {"plan": {"horizon": horizon, "step": step, "objective": "earliest"},
            "pools": [{"name": "p", "supply": 1}],
            "streams": [{"name": f"s{i}", "pool": "p", "effort": 1} for i in range(streams)]}


def test_a_model_past_the_size_limit_is_refused_naming_streams_and_horizon():
    from planner.plan.schema import MAX_STREAM_PERIODS
    periods = 1000
    streams = MAX_STREAM_PERIODS // periods + 1
    with pytest.raises(PlanError) as info:
        planner.from_dict(_wide(streams, horizon=periods))
    err = info.value
    assert (err.table, err.key) == ("[plan]", "horizon")
    assert f"{streams:,} streams" in err.detail and f"{periods:,} periods" in err.detail
    assert f"{MAX_STREAM_PERIODS:,}" in err.detail and "[[streams]]" in err.detail
    planner.from_dict(_wide(streams - 1, horizon=periods))          # just inside the limit: fine


def test_validation_is_linear_in_the_number_of_streams():
    """20,000 streams in one chain: every check (names, references, cycles) stays fast."""
    import time
    n = 20_000
    data = _wide(n, horizon=1, step=1)
    for i in range(1, n):
        data["streams"][i]["after"] = [f"s{i - 1}"]
    start = time.perf_counter()
    plan = planner.from_dict(data)
    assert time.perf_counter() - start < 5.0
    assert len(plan.streams) == n


def test_a_cycle_through_20000_streams_is_found():
    n = 20_000
    data = _wide(n, horizon=1, step=1)
    for i in range(n):
        data["streams"][i]["after"] = [f"s{(i - 1) % n}"]          # s0 after s19999: one long cycle
    with pytest.raises(PlanError) as info:
        planner.from_dict(data)
    assert (info.value.table, info.value.key) == ("[[streams]]", "after")
    assert info.value.detail.startswith("precedence cycle: s0 -> s19999 -> s19998")
