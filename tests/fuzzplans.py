"""Plan generators and an independent schedule checker, shared by tests/oracles/test_fuzz.py and
benchmarks/fuzz_long.py.

Every generator is a plain function of a `random.Random`, so a case is reproduced from its kind
and seed alone (`make_case(kind, random.Random(seed))`).

`run_case()` feeds one case to the planner and holds it to the contract (../shared/MODEL.md):

- a plan the contract accepts must solve (status "optimal"; for objective "earliest" also
  "infeasible" when no schedule finishes inside the horizon), and the reported allocation is
  re-checked here with plain numpy against the contract's rules, written from MODEL.md and not
  from planner/verify.py: supply, rate caps, max_staff, releases, precedence; completion times,
  the goal and the objective are recomputed and must match what the planner reports. A simple
  feasible schedule built here (greedy list scheduling) bounds the optimum from one side;
- a plan the contract refuses must raise `planner.PlanError` with its table set and a
  non-empty message;
- anything else (another exception, a hang) is a failure.

A contract breach raises `ContractViolation` (an AssertionError); other exceptions propagate.
"""
from __future__ import annotations

import contextlib
import copy
import json
import math
import os
import random
import re
import signal
import tempfile
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable

import numpy as np

import planner
from planner import PlanError

TOL = 1e-6


class ContractViolation(AssertionError):
    """The planner broke the contract on a case (wrong outcome, wrong relation, bad error)."""


class CaseTimeout(Exception):
    """A case ran longer than its wall-clock allowance (a hang)."""


@contextlib.contextmanager
def wall_clock_limit(seconds: float):
    """Raise CaseTimeout in the main thread after `seconds` (SIGALRM; no-op where unavailable)."""
    if not hasattr(signal, "setitimer") or seconds is None:
        yield
        return

    def _alarm(signum, frame):
        raise CaseTimeout(f"case still running after {seconds:g} s")

    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# =============================================================================================
# names
# =============================================================================================

UNICODE_NAMES = [
    "研究者", "théorie", "ingeniería", "Ω-team", "🧪 lab", "بحث", "исследование", "नीति",
    "a\u200bb",            # zero-width space inside
    "\u00e4",              # NFC a-umlaut
    "a\u0308",             # NFD a-umlaut: a different name from the one above
    "x -> y", "[[streams]]", "quote \" inside", "it's", "tab\there", "new\nline", " lead",
    "trail ", "#1", "key 'k'", "名" * 200, "ǅ", "ﬁ", "𝔘𝔫𝔦", "\U0001F600" * 3,
]

ASCII_POOLS = ["staff", "theory", "engineering"]


# =============================================================================================
# valid plans
# =============================================================================================

def _r(x: float, nd: int = 3) -> float:
    return float(round(x, nd))


def valid_plan(rng: random.Random, *, unicode: bool = False, step: float | None = None,
               periods: int | None = None, max_streams: int = 6, max_periods: int = 15,
               allow_negative_value: bool = False, objective: str | None = None) -> dict:
    """A plan the contract accepts: <= max_streams streams, <= max_periods periods. Every
    duration is drawn in units of the plan's span (periods * step), so any `step` makes sense."""
    if step is None:
        step = rng.choice([1.0, 1.0, 1.0, 0.5, 2.0, 0.25])
    H = periods if periods is not None else rng.randint(1, max_periods)
    span = H * step
    horizon = span if rng.random() < 0.8 else (H - rng.choice([0.5, 0.25])) * step
    n_pools = rng.randint(1, 3)
    n_streams = rng.randint(1, max_streams)
    if unicode:
        names = rng.sample(UNICODE_NAMES, n_pools + n_streams + 2)
        pool_names, stream_names, iv_names = names[:n_pools], names[n_pools:n_pools + n_streams], names[-2:]
    else:
        pool_names = ASCII_POOLS[:n_pools]
        stream_names = [f"s{k}" for k in range(n_streams)]
        iv_names = ["more money", "earlier AGI"]

    def year(lo=0.0, hi=1.0):
        return _r(rng.uniform(lo, hi) * span / step) * step if step else 0.0

    pools = []
    for name in pool_names:
        kind = rng.random()
        if kind < 0.55:
            supply: Any = rng.choice([0, 1, 2, 5, 10, _r(rng.uniform(0.5, 20), 2)]) if rng.random() < 0.9 else 0
        elif kind < 0.8:
            supply = [_r(rng.uniform(0, 15), 2) for _ in range(rng.randint(1, H + 2))]
        else:
            supply = {"start": _r(rng.uniform(0.5, 10), 2), "growth": _r(rng.uniform(-0.3, 0.3), 3)}
            if rng.random() < 0.5:
                supply["cap"] = _r(rng.uniform(1, 20), 2)
        pools.append({"name": name, "supply": supply})

    streams = []
    for i, name in enumerate(stream_names):
        s: dict[str, Any] = {"name": name}
        if rng.random() < 0.7 or n_pools == 1 and rng.random() < 0.5:
            s["pool"] = rng.choice(pool_names)
        else:
            chosen = rng.sample(pool_names, rng.randint(1, n_pools))
            s["crew"] = {p: rng.choice([1, 2, 0.5, _r(rng.uniform(0.2, 3), 2)]) for p in chosen}
        s["effort"] = rng.choice([1, 3, 10, _r(rng.uniform(0.1, 40), 2)])
        u = rng.random()
        if u < 0.35:
            s["min_duration"] = 0
        elif u < 0.9:
            s["min_duration"] = year(0.02, 0.8)
        elif u < 0.95:
            s["min_duration"] = year(1.0, 2.0)  # longer than the horizon
        p = rng.random()
        if p < 0.3:
            s["productivity"] = rng.choice([1, 0.5, _r(rng.uniform(0.05, 2), 2)])
        elif p < 0.45:
            s["productivity"] = [rng.choice([0, 0.5, 1, _r(rng.uniform(0, 2), 2)]) for _ in range(rng.randint(1, H + 2))]
        if rng.random() < 0.3:
            s["max_staff"] = rng.choice([1, 3, _r(rng.uniform(0.1, 15), 2)])
        if rng.random() < 0.25:
            s["release"] = year(0, 0.6)
        if i and rng.random() < 0.55:
            after = []
            for j in sorted(rng.sample(range(i), rng.randint(1, min(i, 2)))):
                if rng.random() < 0.5:
                    after.append(stream_names[j])
                else:
                    after.append({"stream": stream_names[j], "lag": rng.choice([0, step / 2, step, 2 * step, year(0, 0.3)])})
            s["after"] = after
        if rng.random() < 0.6:
            s["value"] = _r(rng.uniform(-5 if allow_negative_value else 0, 10), 2)
        streams.append(s)

    objective = objective or rng.choices(["probability", "earliest", "value"], [5, 3, 2])[0]
    plan: dict[str, Any] = {"plan": {"horizon": horizon, "objective": objective}}
    if step != 1.0 or rng.random() < 0.2:
        plan["plan"]["step"] = step
    if rng.random() < 0.5:
        plan["plan"]["name"] = rng.choice(["fuzz", "", "plan ✓", "x" * 300])
    start_year = rng.choice([2026, 2026, 2030, 1990, 0, -500])
    if start_year != 2026 or rng.random() < 0.2:
        plan["plan"]["start_year"] = start_year
    plan["pools"] = pools
    plan["streams"] = streams
    if rng.random() < 0.4:
        req = rng.sample(stream_names, rng.randint(1, n_streams))
        if rng.random() < 0.1:
            req.append(req[0])  # a duplicate entry is harmless
        plan["goal"] = {"required": req}
    if objective != "earliest" or rng.random() < 0.5:
        plan["deadline"] = _deadline(rng, span, step, start_year)
    if rng.random() < 0.35:
        ivs = []
        for name in iv_names[: rng.randint(1, 2)]:
            iv: dict[str, Any] = {"name": name}
            if rng.random() < 0.6:
                iv["deadline_shift"] = _r(rng.uniform(-0.3, 0.3) * span, 2)
            if rng.random() < 0.6:
                iv["supply"] = [_window(rng, span, {"pool": rng.choice(pool_names)})
                                for _ in range(rng.randint(1, 2))]
            if rng.random() < 0.4:
                iv["productivity"] = [_window(rng, span, {"streams": rng.sample(stream_names, rng.randint(1, n_streams))})]
            ivs.append(iv)
        plan["interventions"] = ivs
    return plan


def _window(rng, span, base):
    ch = dict(base)
    if rng.random() < 0.7:
        ch["multiply"] = rng.choice([0, 0.5, 1.5, 2, 3])
    if rng.random() < 0.4:
        ch["add"] = rng.choice([0, 1, 2.5])
    if rng.random() < 0.4:
        ch["from_year"] = _r(rng.uniform(0, 0.7) * span, 2)
    if rng.random() < 0.3:
        ch["until_year"] = _r(ch.get("from_year", 0) + rng.uniform(0.1, 0.8) * span, 2)
    return ch


def _deadline(rng, span, step, start_year) -> dict:
    kind = rng.random()
    if kind < 0.3:
        return {"years": _r(rng.uniform(-0.1, 1.4) * span, 2)}
    if kind < 0.4:
        return {"year": float(start_year + _r(rng.uniform(0, 1.4) * span, 2))}
    if kind < 0.75:
        k = rng.randint(1, 4)
        raw = [rng.random() + 0.05 for _ in range(k)]
        probs = [_r(x / sum(raw), 6) for x in raw[:-1]]
        probs.append(1.0 - sum(probs))
        return {"scenarios": [[_r(rng.uniform(-0.1, 1.4) * span, 2), p] for p in probs]}
    if kind < 0.88:
        d: dict[str, Any] = {"distribution": {"kind": "lognormal", "median": _r(rng.uniform(0.1, 1.5) * span, 3),
                                              "sigma": _r(rng.uniform(0.05, 2), 3)}}
    else:
        n = rng.randint(1, 4)
        xs = sorted(rng.sample(range(1, 100), n))
        ps = sorted(_r(rng.random(), 3) for _ in range(n))
        d = {"distribution": {"kind": "percentiles",
                              "points": [[_r(x / 70 * span, 3), p] for x, p in zip(xs, ps)]}}
    if rng.random() < 0.3:
        d["p_never"] = _r(rng.uniform(0, 0.5), 3)
    return d


# =============================================================================================
# broken and edge plans: one mutation of a valid plan
# =============================================================================================

Path = tuple


def _get(d, path: Path):
    for k in path:
        d = d[k]
    return d


def _set(d, path: Path, value):
    _get(d, path[:-1])[path[-1]] = value


def _walk(node, path=()):
    """Every (path, value) below `node` (not the root)."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield path + (k,), v
            yield from _walk(v, path + (k,))
    elif isinstance(node, list):
        for k, v in enumerate(node):
            yield path + (k,), v
            yield from _walk(v, path + (k,))


def _is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_series_slot(path: Path) -> bool:
    """A pool's supply or a stream's productivity (a number, a list or a growth table)."""
    return len(path) == 3 and path[0] in ("pools", "streams") and path[2] in ("supply", "productivity")


def _is_crew_key_path(path: Path) -> bool:
    return len(path) >= 3 and path[0] == "streams" and path[2] == "crew"


@dataclass
class Case:
    kind: str
    data: Any
    expect: str                      # "solve" | "refuse" | "either"
    note: str = ""                   # what was changed
    plan_required: bool = True       # False: data may not be a plan-shaped dict at all


def _mut_wrong_type(rng, d) -> str:
    slots = []
    for path, v in _walk(d):
        if _is_crew_key_path(path) and len(path) == 4:
            slots.append((path, [ "7", "x", True, [1.0], {"v": 1}]))
        elif _is_num(v):
            slots.append((path, ["7", "x", "", True, False, {"v": 1}, ["x"], [[1.0]]]))
        elif isinstance(v, str):
            slots.append((path, [5, 1.5, True, ["a"], {"a": 1}, None]))
        elif isinstance(v, list):
            slots.append((path, ["abc", True, {"zz": 1}]))
        elif isinstance(v, dict):
            bad = ["abc", True, [["x"]]] if _is_series_slot(path) else ["abc", True, [1, 2], 3]
            slots.append((path, bad))
    path, bad = rng.choice(slots)
    value = rng.choice(bad)
    _set(d, path, value)
    return f"{_fmt(path)} = {value!r}"


def _required_paths(d) -> list[Path]:
    out: list[Path] = [("plan",), ("pools",), ("streams",), ("plan", "horizon")]
    if d["plan"].get("objective", "probability") != "earliest" and "deadline" in d:
        out.append(("deadline",))
    for k, p in enumerate(d["pools"]):
        out += [("pools", k, "name"), ("pools", k, "supply")]
        if isinstance(p["supply"], dict):
            out += [("pools", k, "supply", "start"), ("pools", k, "supply", "growth")]
    for k, s in enumerate(d["streams"]):
        out += [("streams", k, "name"), ("streams", k, "effort"),
                ("streams", k, "pool" if "pool" in s else "crew")]
        for j, a in enumerate(s.get("after", [])):
            if isinstance(a, dict):
                out.append(("streams", k, "after", j, "stream"))
    if "goal" in d:
        out.append(("goal", "required"))
    if "deadline" in d:
        dl = d["deadline"]
        for key in ("years", "year", "scenarios", "distribution"):
            if key in dl:
                out.append(("deadline", key))
        if "distribution" in dl:
            out += [("deadline", "distribution", k) for k in dl["distribution"]]
    for k, iv in enumerate(d.get("interventions", [])):
        out.append(("interventions", k, "name"))
        for j, _ in enumerate(iv.get("supply", [])):
            out.append(("interventions", k, "supply", j, "pool"))
        for j, _ in enumerate(iv.get("productivity", [])):
            out.append(("interventions", k, "productivity", j, "streams"))
    return out


def _mut_missing_key(rng, d) -> str:
    pairs = [p for p, v in _walk(d) if len(p) >= 3 and p[:2] == ("deadline", "scenarios") and len(p) == 3]
    if pairs and rng.random() < 0.1:
        path = rng.choice(pairs)
        _get(d, path).pop(rng.randrange(2))
        return f"{_fmt(path)} has one element"
    path = rng.choice(_required_paths(d))
    parent = _get(d, path[:-1])
    del parent[path[-1]]
    return f"deleted {_fmt(path)}"


UNKNOWN_KEYS = ["colour", "Effort", "effort ", "min-duration", "minDuration", "notes", "horizon_years",
                "NAME", "ñame", "🔑", "", " ", "__class__", "model_config", "_source", "kind2", "pools_",
                "supply\u200b", "after\n"]


def _mut_unknown_key(rng, d) -> str:
    tables = [()] + [p for p, v in _walk(d) if isinstance(v, dict)]
    path = rng.choice(tables)
    key = rng.choice(UNKNOWN_KEYS)
    _get(d, path)[key] = rng.choice([1, "x", [1, 2], {"a": 1}, True])
    return f"added key {key!r} at {_fmt(path) or '(top level)'}"


def _other_name(rng, existing: list[str]) -> str:
    base = rng.choice(existing) if existing else "x"
    variants = [base.upper(), base + " ", " " + base, base + "\u200b", base + "2", "nobody", "🚫",
                base.replace("s", "S", 1), "Staff", ""]
    variants = [v for v in variants if v not in existing and v]
    return rng.choice(variants)


def _mut_unknown_name(rng, d) -> str:
    pools = [p["name"] for p in d["pools"]]
    streams = [s["name"] for s in d["streams"]]
    slots: list[tuple[Path, str]] = []
    for k, s in enumerate(d["streams"]):
        if "pool" in s:
            slots.append((("streams", k, "pool"), "pool"))
        else:
            slots.append((("streams", k, "crew"), "crew"))
        for j, a in enumerate(s.get("after", [])):
            slots.append((("streams", k, "after", j) + (("stream",) if isinstance(a, dict) else ()), "stream"))
    for j, _ in enumerate(d.get("goal", {}).get("required", [])):
        slots.append((("goal", "required", j), "stream"))
    for k, iv in enumerate(d.get("interventions", [])):
        for j, _ in enumerate(iv.get("supply", [])):
            slots.append((("interventions", k, "supply", j, "pool"), "pool"))
        for j, ch in enumerate(iv.get("productivity", [])):
            for m, _ in enumerate(ch["streams"]):
                slots.append((("interventions", k, "productivity", j, "streams", m), "stream"))
    # targets that may not exist yet: an after entry, a goal, an intervention
    extra = rng.random()
    if extra < 0.15 or not slots:
        k = rng.randrange(len(d["streams"]))
        bad = _other_name(rng, streams)
        d["streams"][k].setdefault("after", []).append(bad if rng.random() < 0.5 else {"stream": bad, "lag": 1})
        return f"streams[{k}].after += {bad!r}"
    if extra < 0.25:
        bad = _other_name(rng, streams)
        d["goal"] = {"required": [bad] + streams[:1]}
        return f"goal.required = [{bad!r}, ...]"
    if extra < 0.35:
        bad = _other_name(rng, pools)
        d.setdefault("interventions", []).append({"name": "iv-unknown", "supply": [{"pool": bad, "multiply": 2}]})
        return f"intervention supply pool {bad!r}"
    if extra < 0.42:
        bad = _other_name(rng, streams)
        d.setdefault("interventions", []).append({"name": "iv-unknown", "productivity": [{"streams": [bad]}]})
        return f"intervention productivity stream {bad!r}"
    path, what = rng.choice(slots)
    if what == "crew":
        crew = _get(d, path)
        bad = _other_name(rng, pools)
        crew[bad] = 1
        return f"{_fmt(path)}[{bad!r}] = 1"
    bad = _other_name(rng, pools if what == "pool" else streams)
    _set(d, path, bad)
    return f"{_fmt(path)} = {bad!r}"


def _mut_cycle(rng, d) -> str:
    streams = d["streams"]
    k = rng.randint(1, len(streams))
    order = rng.sample(range(len(streams)), k)
    for a, b in zip(order, order[1:] + order[:1]):   # b comes after a
        pred = streams[a]["name"]
        entry = pred if rng.random() < 0.5 else {"stream": pred, "lag": rng.choice([0, 1, 2.5])}
        streams[b].setdefault("after", []).append(entry)
    return "cycle " + " -> ".join(streams[i]["name"] for i in order + order[:1])


NONFINITE = [float("nan"), float("inf"), float("-inf")]


def _mut_nonfinite(rng, d) -> str:
    slots = [p for p, v in _walk(d) if _is_num(v)]
    path = rng.choice(slots)
    value = rng.choice(NONFINITE)
    _set(d, path, value)
    return f"{_fmt(path)} = {value}"


def _mut_negative(rng, d) -> str:
    """A number outside its range (negative, zero where positive is required, past a bound)."""
    muts: list[Callable[[], str]] = []
    neg = lambda: rng.choice([-1, -0.001, -1e-9, -50])  # noqa: E731
    for k, p in enumerate(d["pools"]):
        sp = p["supply"]
        if _is_num(sp):
            muts.append(lambda k=k: _assign(d, ("pools", k, "supply"), neg()))
        elif isinstance(sp, list):
            muts.append(lambda k=k, n=len(sp): _assign(d, ("pools", k, "supply", rng.randrange(n)), neg()))
        else:
            muts.append(lambda k=k: _assign(d, ("pools", k, "supply", "start"), neg()))
            muts.append(lambda k=k: _assign(d, ("pools", k, "supply", "growth"), rng.choice([-1, -1.5, -100])))
            muts.append(lambda k=k: _assign(d, ("pools", k, "supply", "cap"), neg()))
    for k, s in enumerate(d["streams"]):
        muts.append(lambda k=k: _assign(d, ("streams", k, "effort"), rng.choice([0, -0.0, -1, -1e-12])))
        muts.append(lambda k=k: _assign(d, ("streams", k, "min_duration"), neg()))
        muts.append(lambda k=k: _assign(d, ("streams", k, "release"), neg()))
        muts.append(lambda k=k: _assign(d, ("streams", k, "max_staff"), rng.choice([0, -1])))
        muts.append(lambda k=k: _assign(d, ("streams", k, "productivity"), rng.choice([neg(), [1, neg()]])))
        if "crew" in s:
            muts.append(lambda k=k, p=next(iter(s["crew"])): _assign(d, ("streams", k, "crew", p), rng.choice([0, -1])))
        for j, a in enumerate(s.get("after", [])):
            muts.append(lambda k=k, j=j, a=a: _assign(d, ("streams", k, "after", j),
                                                      {"stream": a if isinstance(a, str) else a["stream"], "lag": neg()}))
    muts.append(lambda: _assign(d, ("plan", "horizon"), rng.choice([0, -1, -0.0])))
    muts.append(lambda: _assign(d, ("plan", "step"), rng.choice([0, -1, -0.0])))
    dl = d.get("deadline")
    if dl is not None:
        if "distribution" in dl:
            dist = dl["distribution"]
            muts.append(lambda: _assign(d, ("deadline", "p_never"), rng.choice([-0.1, 1.01, 2])))
            if dist["kind"] == "lognormal":
                muts.append(lambda: _assign(d, ("deadline", "distribution", rng.choice(["median", "sigma"])),
                                            rng.choice([0, -1])))
            else:
                pts = dist["points"]
                muts.append(lambda: _assign(d, ("deadline", "distribution", "points", rng.randrange(len(pts)), 1),
                                            rng.choice([-0.1, 1.5])))
                muts.append(lambda: _assign(d, ("deadline", "distribution", "points", 0, 0), rng.choice([0, -2])))
                if len(pts) > 1:  # years not increasing
                    muts.append(lambda: _assign(d, ("deadline", "distribution", "points", 1, 0), pts[0][0]))
        if "scenarios" in dl and len(dl["scenarios"]) > 1:
            def swap():
                sc = dl["scenarios"]
                sc[0][1], sc[1][1] = -0.25, sc[0][1] + sc[1][1] + 0.25
                return "scenario probabilities -0.25 and above 1 (sum 1)"
            muts.append(swap)
    for k, iv in enumerate(d.get("interventions", [])):
        for key in ("supply", "productivity"):
            for j, _ in enumerate(iv.get(key, [])):
                muts.append(lambda k=k, key=key, j=j: _assign(d, ("interventions", k, key, j, "multiply"), neg()))
                muts.append(lambda k=k, key=key, j=j: _assign(d, ("interventions", k, key, j, "from_year"), neg()))
                muts.append(lambda k=k, key=key, j=j: _until_before_from(d, ("interventions", k, key, j)))
    # an intervention that takes more than there is: refused when the variant is resolved
    muts.append(lambda: _negative_by_intervention(rng, d))
    return rng.choice(muts)()


def _assign(d, path, value) -> str:
    _set(d, path, value)
    return f"{_fmt(path)} = {value!r}"


def _until_before_from(d, path) -> str:
    ch = _get(d, path)
    ch["from_year"] = 2.0
    ch["until_year"] = 2.0 - (0 if len(str(ch)) % 2 else 1.0)
    return f"{_fmt(path)} until_year {ch['until_year']} <= from_year 2"


def _negative_by_intervention(rng, d) -> str:
    pool = rng.choice(d["pools"])["name"]
    d.setdefault("interventions", []).append(
        {"name": "cut too deep", "supply": [{"pool": pool, "multiply": 0, "add": -rng.choice([0.5, 3, 1e6])}]})
    return f"intervention adds a negative amount to pool {pool!r}"


def _scenarios_with_sum(rng, d, total: float) -> str:
    span = float(d["plan"]["horizon"])
    k = rng.randint(1, 4)
    raw = [rng.random() + 0.05 for _ in range(k)]
    probs = [x / sum(raw) for x in raw]
    probs[-1] = 1.0 - sum(probs[:-1])
    probs = [p * total for p in probs]
    if not all(0 <= p <= 1 for p in probs):   # keep each probability in range: only the sum is off
        probs = [total] if total < 1 else [total / 2, total / 2]
    d["deadline"] = {"scenarios": [[_r(rng.uniform(0, 1.2) * span, 2), p] for p in probs]}
    return f"scenario probabilities sum to 1 {total - 1:+.3g}"


def _mut_prob_off(rng, d) -> str:
    delta = rng.choice([1, -1]) * rng.choice([1e-3, 2e-3, 1e-2, 0.05, 0.3, rng.uniform(1e-3, 0.5)])
    if delta > 0 and rng.random() < 0.3:   # a single scenario above 1 is refused too
        d["deadline"] = {"scenarios": [[1.0, 1.0 + abs(delta)]]}
        return f"single scenario probability {1 + abs(delta)}"
    return _scenarios_with_sum(rng, d, 1.0 + delta)


def _mut_prob_close(rng, d) -> str:
    delta = rng.choice([1, -1]) * rng.choice([0.0, 1e-12, 1e-10, 1e-9, 5e-9, 1e-8])
    return _scenarios_with_sum(rng, d, 1.0 + delta)


def _mut_empty(rng, d) -> str:
    choices: list[tuple[Path, Any]] = [(("pools",), []), (("streams",), []), (("goal",), {"required": []}),
                                       (("plan",), {}), (("streams", 0), {}), (("pools", 0), {})]
    if d.get("deadline") is not None or rng.random() < 0.5:
        choices += [(("deadline",), {"scenarios": []}), (("deadline",), {}),
                    (("deadline",), {"distribution": {"kind": "percentiles", "points": []}})]
    for k, s in enumerate(d["streams"]):
        choices.append((("streams", k, "productivity"), []))
        if "crew" in s:
            choices.append((("streams", k, "crew"), {}))
    for k, _ in enumerate(d["pools"]):
        choices.append((("pools", k, "supply"), []))
    choices.append((("interventions",), [{"name": "empty change", "productivity": [{"streams": [], "multiply": 2}]}]))
    path, value = rng.choice(choices)
    _set(d, path, value)
    return f"{_fmt(path)} = {value!r}"


def garbage(rng: random.Random, depth: int) -> Any:
    """A nested list/dict of the given depth whose first member is itself a container (or, at
    the bottom, a string): no slot of the schema accepts it."""
    leaves = [None, True, "x", "😀", 1, -2.5, float("nan"), "", [], {}, "\x00"]
    node: Any = rng.choice(["deep", "\U0010FFFF", "[[streams]]"])
    for _ in range(depth):
        extra = [rng.choice(leaves) for _ in range(rng.randint(0, 2))]
        if rng.random() < 0.5:
            node = [node] + extra
        else:
            node = {"~junk~": node, **{f"k{n}": v for n, v in enumerate(extra)}}
    return node


def _mut_nested_garbage(rng, d) -> str:
    g = garbage(rng, rng.randint(2, 40))
    if rng.random() < 0.25:
        tables = [()] + [p for p, v in _walk(d) if isinstance(v, dict)]
        path = rng.choice(tables)
        _get(d, path)["junk"] = g
        return f"added deep garbage under key 'junk' at {_fmt(path) or '(top level)'}"
    path = rng.choice([p for p, _ in _walk(d)])
    _set(d, path, g)
    return f"{_fmt(path)} = <garbage>"


HUGE_HORIZONS = [10000.000001, 10001, 1e5, 1e6, 10**6, 1e9, 1e15, 1e300, 1.7976931348623157e308, 10**400]


def _huge_horizon_refused(rng, d) -> str:
    h = rng.choice(HUGE_HORIZONS)
    d["plan"]["horizon"] = h
    return f"plan.horizon = {h!r}"


EXTREMES = [1e15, 1e19, 1e20, 1e30, 1e300, 1.7976931348623157e308, 1e-300, 5e-324, 1e-12]


def _mut_huge_number(rng, d) -> str:
    """An extreme but in-range number: either handled (verified schedule) or refused cleanly."""
    x = rng.choice(EXTREMES)
    slots: list[Path] = [("plan", "step")]
    for k, p in enumerate(d["pools"]):
        if _is_num(p["supply"]):
            slots.append(("pools", k, "supply"))
    for k, s in enumerate(d["streams"]):
        slots += [("streams", k, key) for key in ("effort", "productivity", "max_staff", "min_duration",
                                                   "release", "value")]
        for j, a in enumerate(s.get("after", [])):
            if isinstance(a, dict):
                slots.append(("streams", k, "after", j, "lag"))
    if "deadline" in d and "years" in d["deadline"]:
        slots.append(("deadline", "years"))
    if "deadline" in d and "scenarios" in d["deadline"]:
        slots.append(("deadline", "scenarios", 0, 0))
    for k, iv in enumerate(d.get("interventions", [])):
        slots.append(("interventions", k, "deadline_shift"))
        for j, _ in enumerate(iv.get("productivity", [])):
            slots.append(("interventions", k, "productivity", j, "multiply"))
        for j, _ in enumerate(iv.get("supply", [])):
            slots.append(("interventions", k, "supply", j, "add"))
    if rng.random() < 0.1:
        y = rng.choice([10**18, -(10**18), 10**400, -(10**400)])
        d["plan"]["start_year"] = y
        return f"plan.start_year = {y}"
    path = rng.choice(slots)
    _set(d, path, x)
    return f"{_fmt(path)} = {x!r}"


def _fmt(path: Path) -> str:
    out = ""
    for k in path:
        out += f"[{k}]" if isinstance(k, int) else (f".{k}" if out else str(k))
    return out


# kind -> (expectation, builder(rng) -> Case)
def _mutated(kind: str, expect: str, mutate, **plan_kw):
    def build(rng: random.Random) -> Case:
        d = valid_plan(rng, **plan_kw)
        note = mutate(rng, d)
        return Case(kind, d, expect, note)
    return build


def _valid(kind: str, **plan_kw):
    def build(rng: random.Random) -> Case:
        return Case(kind, valid_plan(rng, **plan_kw), "solve", "valid")
    return build


def _huge_horizon(rng: random.Random) -> Case:
    if rng.random() < 0.6:
        d = valid_plan(rng)
        return Case("huge_horizon", d, "refuse", _huge_horizon_refused(rng, d))
    # a horizon at the cap, in coarse periods: must be handled
    horizon = rng.choice([10000.0, 9999.5, 5000.0, 8000.0])
    H = rng.randint(1, 15)
    d = valid_plan(rng, step=horizon / H, periods=H)
    d["plan"]["horizon"] = horizon
    d["plan"]["step"] = horizon / H
    return Case("huge_horizon", d, "solve", f"horizon {horizon} in {H} periods of {horizon / H:g} years")


KINDS: dict[str, Callable[[random.Random], Case]] = {
    "valid": _valid("valid"),
    "unicode": _valid("unicode", unicode=True),
    "prob_close": _mutated("prob_close", "solve", _mut_prob_close),
    "wrong_type": _mutated("wrong_type", "refuse", _mut_wrong_type),
    "missing_key": _mutated("missing_key", "refuse", _mut_missing_key),
    "unknown_key": _mutated("unknown_key", "refuse", _mut_unknown_key),
    "unknown_name": _mutated("unknown_name", "refuse", _mut_unknown_name),
    "cycle": _mutated("cycle", "refuse", _mut_cycle),
    "nonfinite": _mutated("nonfinite", "refuse", _mut_nonfinite),
    "negative": _mutated("negative", "refuse", _mut_negative),
    "prob_off": _mutated("prob_off", "refuse", _mut_prob_off),
    "empty": _mutated("empty", "refuse", _mut_empty),
    "nested_garbage": _mutated("nested_garbage", "refuse", _mut_nested_garbage),
    "huge_horizon": _huge_horizon,
    "huge_number": _mutated("huge_number", "either", _mut_huge_number),
    # MODEL.md gives `value` no sign: a negative weight is either refused or solved correctly
    "negative_value": _mutated("negative_value", "either", lambda rng, d: "values may be negative",
                               allow_negative_value=True, objective="value"),
}


def make_case(kind: str, rng: random.Random) -> Case:
    return KINDS[kind](rng)


# =============================================================================================
# the contract's numbers, computed here from the plan dict (independently of planner/)
# =============================================================================================

@dataclass
class Numbers:
    step: float
    H: int
    starts: np.ndarray
    streams: list[str]
    supply: np.ndarray          # (R, H)
    crew: np.ndarray            # (S, R)
    prod: np.ndarray            # (S, H)
    effort: np.ndarray
    min_duration: np.ndarray
    max_staff: np.ndarray
    release: np.ndarray
    value: np.ndarray
    required: np.ndarray        # (S,) bool
    preds: list[list[tuple[int, int]]]   # for each stream: (predecessor, gap in periods)
    scen_years: np.ndarray
    scen_probs: np.ndarray
    has_deadline: bool
    objective: str


def _series(spec, starts: np.ndarray) -> np.ndarray:
    if _is_num(spec):
        return np.full(len(starts), float(spec))
    if isinstance(spec, list):
        vals = [float(v) for v in spec]
        return np.array([vals[min(t, len(vals) - 1)] for t in range(len(starts))])
    with np.errstate(all="ignore"):
        v = float(spec["start"]) * np.power(1.0 + float(spec["growth"]), starts)
    if spec.get("cap") is not None:
        v = np.minimum(v, float(spec["cap"]))
    return v


def _window_mask(ch, starts):
    lo = float(ch.get("from_year", 0.0))
    hi = float(ch["until_year"]) if ch.get("until_year") is not None else math.inf
    return (starts >= lo - 1e-9) & (starts < hi - 1e-9)


def _years_between(year, start_year) -> float:
    try:
        return float(Fraction(year) - Fraction(start_year))
    except OverflowError:
        return math.inf if Fraction(year) > Fraction(start_year) else -math.inf


def _cdf(dist: dict, x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, float)
    if dist["kind"] == "lognormal":
        out = np.zeros_like(x)
        for k, v in enumerate(x):
            if v > 0:
                z = (math.log(v) - math.log(dist["median"])) / (dist["sigma"] * math.sqrt(2))
                out[k] = 0.5 * (1 + math.erf(z))
        return out
    pts = [(0.0, 0.0)] + [(float(a), float(b)) for a, b in dist["points"]]
    out = np.zeros_like(x)
    for k, v in enumerate(x):
        if v <= 0:
            out[k] = 0.0
        elif v >= pts[-1][0]:
            out[k] = pts[-1][1]
        else:
            for (x0, p0), (x1, p1) in zip(pts, pts[1:]):
                if x0 <= v <= x1:
                    out[k] = p0 + (p1 - p0) * (v - x0) / (x1 - x0)
                    break
    return out


def numbers(d: dict, intervention: str | None = None) -> Numbers:
    hdr = d["plan"]
    step = float(hdr.get("step", 1.0))
    H = max(1, math.ceil(float(hdr["horizon"]) / step - 1e-9))
    starts = np.arange(H) * step
    start_year = hdr.get("start_year", 2026)
    pools = [p["name"] for p in d["pools"]]
    names = [s["name"] for s in d["streams"]]
    S, R = len(names), len(pools)
    supply = np.array([_series(p["supply"], starts) for p in d["pools"]], dtype=float).reshape(R, H)
    crew = np.zeros((S, R))
    for i, s in enumerate(d["streams"]):
        for p, units in (s["crew"].items() if "crew" in s else [(s["pool"], 1.0)]):
            crew[i, pools.index(p)] = float(units)
    prod = np.array([_series(s.get("productivity", 1.0), starts) for s in d["streams"]], dtype=float).reshape(S, H)
    shift = 0.0
    if intervention is not None:
        iv = next(iv for iv in d.get("interventions", []) if iv["name"] == intervention)
        shift = float(iv.get("deadline_shift", 0.0))
        for ch in iv.get("supply", []):
            m = _window_mask(ch, starts)
            r = pools.index(ch["pool"])
            supply[r, m] = supply[r, m] * float(ch.get("multiply", 1.0)) + float(ch.get("add", 0.0))
        for ch in iv.get("productivity", []):
            m = _window_mask(ch, starts)
            for name in ch["streams"]:
                i = names.index(name)
                prod[i, m] = prod[i, m] * float(ch.get("multiply", 1.0)) + float(ch.get("add", 0.0))
    preds: list[list[tuple[int, int]]] = [[] for _ in range(S)]
    for i, s in enumerate(d["streams"]):
        for a in s.get("after", []):
            name, lag = (a, 0.0) if isinstance(a, str) else (a["stream"], float(a.get("lag", 0.0)))
            preds[i].append((names.index(name), math.ceil(lag / step - 1e-9)))
    required = set(d["goal"]["required"]) if "goal" in d else set(names)
    dl = d.get("deadline")
    years, probs = np.zeros(0), np.zeros(0)
    if dl is not None:
        if "years" in dl:
            years, probs = np.array([float(dl["years"]) + shift]), np.array([1.0])
        elif "year" in dl:
            years, probs = np.array([_years_between(dl["year"], start_year) + shift]), np.array([1.0])
        elif "scenarios" in dl:
            years = np.array([float(y) + shift for y, _ in dl["scenarios"]])
            probs = np.array([float(p) for _, p in dl["scenarios"]])
        else:
            keep = 1.0 - float(dl.get("p_never", 0.0))
            bounds = np.arange(H + 1) * step
            G = keep * _cdf(dl["distribution"], bounds - shift)
            years = bounds[1:].copy()                  # k*step for k = 1..H
            probs = np.empty(H)
            probs[:H - 1] = G[2:] - G[1:-1]            # k = 1..H-1: G((k+1)step) - G(k step)
            probs[H - 1] = 1.0 - G[H]                  # the tail (with p_never) at H*step
    return Numbers(step=step, H=H, starts=starts, streams=names, supply=supply, crew=crew, prod=prod,
                   effort=np.array([float(s["effort"]) for s in d["streams"]]),
                   min_duration=np.array([float(s.get("min_duration", 0.0)) for s in d["streams"]]),
                   max_staff=np.array([float(s["max_staff"]) if s.get("max_staff") is not None else math.inf
                                       for s in d["streams"]]),
                   release=np.array([float(s.get("release", 0.0)) for s in d["streams"]]),
                   value=np.array([float(s.get("value", 0.0)) for s in d["streams"]]),
                   required=np.array([n in required for n in names]), preds=preds,
                   scen_years=years, scen_probs=probs, has_deadline=dl is not None,
                   objective=hdr.get("objective", "probability"))


@dataclass
class Evaluation:
    problems: list[str]
    finish_idx: np.ndarray          # (S,) period by whose end the stream is complete, -1 never
    goal_years: float | None
    probability: float | None
    objective: float | None


def rate_cap(n: Numbers) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.where(n.min_duration > 0, n.effort / n.min_duration, np.inf)


def evaluate(n: Numbers, u: np.ndarray, *, done_abs_tol: float = TOL) -> Evaluation:
    """Check allocation `u` (S x H) against the rules of MODEL.md and compute its objective.

    A stream counts as complete once its progress is within 1e-6 (relative) plus `done_abs_tol`
    of its effort: the solver's own tolerances are of that order. The greedy schedule, whose
    objective bounds the optimum, is evaluated with `done_abs_tol=0`, so that a tiny effort is
    not counted complete before the work is done."""
    problems = []
    S, H = u.shape
    with np.errstate(all="ignore"):
        if not np.all(np.isfinite(u)):
            problems.append("allocation has non-finite values")
        if np.any(u < -TOL):
            problems.append(f"negative crew units (min {u.min():g})")
        used = n.crew.T @ u
        over = used > n.supply + TOL * np.maximum(1.0, np.abs(n.supply)) + TOL
        if np.any(over):
            r, t = np.argwhere(over)[0]
            problems.append(f"pool supply exceeded: pool #{r} period {t}: {used[r, t]!r} > {n.supply[r, t]!r}")
        rate = n.prod * u
        cap = rate_cap(n)[:, None]
        bad = rate > cap + TOL * np.maximum(1.0, cap) + TOL
        if np.any(bad):
            i, t = np.argwhere(bad)[0]
            problems.append(f"rate cap exceeded: {n.streams[i]!r} period {t}: {rate[i, t]!r} > {cap[i, 0]!r}")
        ms = n.max_staff[:, None]
        bad = u > ms + TOL * np.maximum(1.0, ms) + TOL
        if np.any(bad):
            i, t = np.argwhere(bad)[0]
            problems.append(f"max_staff exceeded: {n.streams[i]!r} period {t}: {u[i, t]!r} > {ms[i, 0]!r}")
        progress_t = n.step * n.prod * u
        working = progress_t > 1e-5 * np.maximum(1.0, n.effort)[:, None]
        early = working & (n.starts[None, :] < n.release[:, None] - 1e-9)
        if np.any(early):
            i, t = np.argwhere(early)[0]
            problems.append(f"work before release: {n.streams[i]!r} period {t}")
        cum = np.cumsum(progress_t, axis=1)
        done = cum >= n.effort[:, None] * (1 - TOL) - done_abs_tol
        finish = np.where(done.any(axis=1), done.argmax(axis=1), -1)
        for j in range(S):
            for i, gap in n.preds[j]:
                for t in np.flatnonzero(working[j]):
                    # u[j,t] > 0 only if c[i, t-1-gap] = 1
                    if finish[i] < 0 or t - 1 - gap < 0 or finish[i] > t - 1 - gap:
                        problems.append(f"precedence: {n.streams[j]!r} works in period {t} but "
                                        f"{n.streams[i]!r} completes in period {finish[i]} (gap {gap})")
                        break
    req = np.flatnonzero(n.required)
    goal_idx = int(finish[req].max()) if np.all(finish[req] >= 0) else None
    goal_years = None if goal_idx is None else (goal_idx + 1) * n.step
    probability = objective = None
    if n.has_deadline:
        # met in scenario s iff met by the end of period floor(min(D, H step) / step) - 1
        with np.errstate(all="ignore"):
            K = np.floor(np.minimum(n.scen_years, n.H * n.step) / n.step + 1e-9)
        probability = 0.0 if goal_idx is None else float(n.scen_probs[goal_idx + 1 <= K].sum())
        if n.objective == "value":
            met = (finish[:, None] >= 0) & (finish[:, None] + 1 <= K[None, :])
            objective = float((n.value[:, None] * met * n.scen_probs[None, :]).sum())
    if n.objective == "probability":
        objective = probability
    elif n.objective == "earliest":
        objective = goal_years
    return Evaluation(problems, finish, goal_years, probability, objective)


def _topological(n: Numbers) -> list[int]:
    order, done = [], set()
    while len(order) < len(n.streams):
        for i in range(len(n.streams)):
            if i not in done and all(p in done for p, _ in n.preds[i]):
                order.append(i)
                done.add(i)
    return order


def greedy(n: Numbers, priority: list[int]) -> np.ndarray:
    """A feasible schedule: each period, streams in `priority` order take what they can use."""
    S, H = len(n.streams), n.H
    u = np.zeros((S, H))
    progress = np.zeros(S)
    finish = np.full(S, -1)
    cap = rate_cap(n)
    with np.errstate(all="ignore"):
        for t in range(H):
            left = n.supply[:, t].copy()
            for i in priority:
                if finish[i] >= 0 or n.starts[t] < n.release[i] - 1e-9 or n.prod[i, t] <= 0:
                    continue
                if any(finish[p] < 0 or finish[p] > t - 1 - gap for p, gap in n.preds[i]):
                    continue
                x = min(cap[i] / n.prod[i, t], n.max_staff[i])
                for r in np.flatnonzero(n.crew[i] > 0):
                    x = min(x, max(0.0, left[r]) / n.crew[i, r])
                need = (n.effort[i] - progress[i]) / (n.step * n.prod[i, t])
                x = max(0.0, min(x, need))
                if not math.isfinite(x):
                    continue
                u[i, t] = x
                left -= n.crew[i] * x
                progress[i] += n.step * n.prod[i, t] * x
                if progress[i] >= n.effort[i] * (1 - 1e-9):
                    finish[i] = t
    return u


def greedy_best(n: Numbers) -> tuple[np.ndarray, Evaluation]:
    """The better of two greedy priorities: index-topological, and the goal's ancestors first."""
    topo = _topological(n)
    need = set(np.flatnonzero(n.required))
    changed = True
    while changed:
        changed = False
        for j in list(need):
            for p, _ in n.preds[j]:
                if p not in need:
                    need.add(p)
                    changed = True
    goal_first = [i for i in topo if i in need] + [i for i in topo if i not in need]
    best = None
    for order in (topo, goal_first):
        u = greedy(n, order)
        ev = evaluate(n, u, done_abs_tol=0.0)
        if ev.problems:
            raise RuntimeError(f"internal error: the greedy schedule breaks a rule: {ev.problems}")
        if best is None or _better(n.objective, ev.objective, best[1].objective):
            best = (u, ev)
    return best


def _better(kind: str, a, b) -> bool:
    if kind == "earliest":
        return a is not None and (b is None or a < b)
    return a is not None and (b is None or a > b)


# =============================================================================================
# running a case against the contract
# =============================================================================================

@dataclass
class Outcome:
    status: str                 # "solved" | "refused" | "infeasible"
    group: str = ""             # for refusals: the key (or first words) of the PlanError
    variants: int = 0
    notes: list[str] = field(default_factory=list)


# The limits a plan must keep, written from docs/model.md ("Limits") and the contract, not read
# from planner/plan/schema.py: a plan that keeps every one of them may not be refused.
LIMITS_PERIODS = 10_000
LIMITS_STREAM_PERIODS = 200_000
LIMITS_EFFORT = (1e-3, 1e9)
LIMITS_YEARS = 1e6          # lags, releases, durations
LIMITS_FACTOR = 1e3         # productivity, multiply, factor
LIMITS_MAGNITUDE = 1e9      # supply, values, add: person-years and FTE
LIMITS_START_YEAR = 100_000


def broken_limit(data: Any) -> str | None:
    """The first documented limit `data` breaks (a plain-words reason), or None if it keeps them
    all; only numbers are judged here (a wrong type or name is another kind of refusal)."""
    try:
        plan = data["plan"]
        horizon, step = float(plan.get("horizon", 0)), float(plan.get("step", 1.0))
    except (TypeError, KeyError, ValueError, OverflowError):
        return None
    if not (math.isfinite(horizon) and math.isfinite(step)) or step <= 0:
        return "horizon or step not a finite positive number"
    periods = horizon / step
    if periods > LIMITS_PERIODS:
        return f"{periods:g} periods, more than {LIMITS_PERIODS}"
    if horizon > LIMITS_PERIODS or step > LIMITS_PERIODS:
        return f"horizon {horizon:g} or step {step:g} past {LIMITS_PERIODS} years"
    if len(data.get("streams", [])) * math.ceil(periods) > LIMITS_STREAM_PERIODS:
        return "more than 200,000 stream-periods"
    y = plan.get("start_year")
    if _is_num(y) and abs(y) > LIMITS_START_YEAR:
        return f"start_year {y}"
    for path, v in _walk(data):
        if not _is_num(v):
            continue
        key = next((k for k in reversed(path) if isinstance(k, str)), "")
        x = abs(float(v)) if abs(v) < 1e308 else math.inf
        if key == "effort" and not (LIMITS_EFFORT[0] <= v <= LIMITS_EFFORT[1]):
            return f"effort {v!r} outside [1e-3, 1e9]"
        if key in ("lag", "release", "min_duration") and x > LIMITS_YEARS:
            return f"{key} {v!r} past 1e6 years"
        if key in ("productivity", "multiply", "factor") and x > LIMITS_FACTOR:
            return f"{key} {v!r} past 1e3"
        if key in ("supply", "value", "add", "max_staff", "min_staff") and x > LIMITS_MAGNITUDE:
            return f"{key} {v!r} past 1e9"
        if key == "value" and path[0] == "streams" and v < 0:
            # MODEL.md gives a weight no sign; the planner refuses a negative one, and that refusal
            # is clean only where a weight really is negative
            return f"negative value weight {v!r}"
        if key == "deadline_shift" and x > LIMITS_YEARS:
            return f"deadline_shift {v!r} past 1e6 years"
    return None


def refusal_group(e: PlanError) -> str:
    if e.key:
        key = re.sub(r"\[\d+\]", "[]", e.key)
        return f"key {key}"
    words = re.sub(r"'[^']*'|\"[^\"]*\"|\d+(\.\d+)?", "_", e.detail).split()
    return " ".join(words[:4])


def _check_refusal(e: PlanError, file: str | None, where: str) -> None:
    if not e.table:
        raise ContractViolation(f"PlanError without a table ({where}): {e}")
    if not str(e).strip() or not (e.detail or "").strip():
        raise ContractViolation(f"PlanError with an empty message ({where}): table {e.table!r}")
    if file is not None and e.file != file:
        raise ContractViolation(f"PlanError names file {e.file!r}, expected {file!r}: {e}")


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=True, default=repr)


def run_case(case: Case, *, time_limit: float = 5.0, via_file: bool = False,
             wall_clock: float | None = 60.0) -> Outcome:
    """Hold one case to the contract; see the module docstring."""
    with wall_clock_limit(wall_clock):
        return _run(case, time_limit=time_limit, via_file=via_file)


def _run(case: Case, *, time_limit: float, via_file: bool) -> Outcome:
    data = case.data
    path = None
    try:
        if via_file:
            fd, path = tempfile.mkstemp(suffix=".json", prefix="fuzzplan-")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(dumps(data))
            try:
                plan = planner.load(path)
            finally:
                os.unlink(path)
        else:
            plan = planner.from_dict(copy.deepcopy(data))
    except PlanError as e:
        _check_refusal(e, path, "validation")
        if case.expect == "solve":
            raise ContractViolation(f"a valid plan was refused: {e}\nplan: {dumps(data)}") from None
        _check_either_refusal(case, e)
        return Outcome("refused", refusal_group(e))

    variants: list[str | None] = [None] + [iv["name"] for iv in data.get("interventions", [])]
    out = Outcome("solved")
    for iv in variants:
        try:
            result = planner.solve(plan, iv, time_limit=time_limit, refine=False)
        except PlanError as e:
            _check_refusal(e, path, f"solving variant {iv!r}")
            if case.expect == "solve":
                raise ContractViolation(f"a valid plan was refused when solved: {e}\nplan: {dumps(data)}") from None
            _check_either_refusal(case, e)
            return Outcome("refused", refusal_group(e), out.variants)
        status = check_result(data, iv, result)
        out.variants += 1
        if status == "infeasible":
            out.status = "infeasible"
    if case.expect == "refuse":
        raise ContractViolation(f"a plan the contract refuses was accepted and solved ({case.note})\n"
                                f"plan: {dumps(data)}")
    return out


def _check_either_refusal(case: Case, e: PlanError) -> None:
    """A case that may be solved or refused is refused only if it really breaks a documented
    limit (judged here, by `broken_limit`): so "handled or refused" cannot pass on a refusal of
    a plan the contract accepts."""
    if case.expect == "either" and broken_limit(case.data) is None:
        raise ContractViolation(f"refused a plan within every documented limit ({case.note}): {e}\n"
                                f"plan: {dumps(case.data)}")


def check_result(data: dict, intervention: str | None, result) -> str:
    """Re-check a planner result (solved with refine=False, on the plan's own grid) against the
    contract; returns "optimal" or "infeasible". The grid's numbers are recomputed here from the
    schedule and compared with `grid_objective`; the continuous-time answers (docs/model.md,
    "Continuous time") are checked against them: each finish inside its grid period, the goal no
    later, and the objective at least as good."""
    n = numbers(data, intervention)
    what = f"variant {intervention or 'baseline'!r}"

    def fail(msg: str):
        raise ContractViolation(f"{what}: {msg}\nplan: {dumps(data)}")

    text = result.to_json()   # the CLI prints this; it must be strict JSON
    try:
        json.loads(text, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
    except ValueError as e:
        fail(f"to_json() is not strict JSON: {e}")
    _, gev = greedy_best(n)
    if result.status == "infeasible" and n.objective == "earliest":
        if gev.goal_years is not None:
            fail(f"reported infeasible, but a schedule meets the goal after {gev.goal_years} years")
        if not result.message:
            fail("infeasible without a message")
        return "infeasible"
    if result.status != "optimal":
        fail(f"status {result.status!r} ({result.message})")
    u = result.allocation
    if u is None or np.shape(u) != (len(n.streams), n.H):
        fail(f"allocation shape {None if u is None else np.shape(u)}, expected {(len(n.streams), n.H)}")
    ev = evaluate(n, np.asarray(u, float))
    if ev.problems:
        fail("the reported schedule breaks the rules: " + "; ".join(ev.problems[:3]))
    obj = result.grid_objective
    scale = max(1.0, abs(ev.objective)) if ev.objective is not None else 1.0
    if (obj is None) != (ev.objective is None) or (obj is not None and abs(obj - ev.objective) > TOL * scale):
        fail(f"grid objective {obj!r}, but the schedule gives {ev.objective!r}")
    if n.objective == "probability" and not (-TOL <= result.objective <= 1 + TOL):
        fail(f"probability objective {result.objective!r} outside [0, 1]")
    if obj is not None and (result.objective is None or
                            (result.objective > obj + TOL * scale if n.objective == "earliest"
                             else result.objective < obj - TOL * scale)):
        fail(f"continuous-time objective {result.objective!r} worse than the grid's {obj!r}")
    if n.has_deadline:
        sp = result.success_probability
        if sp is None or sp < ev.probability - TOL or not (-TOL <= sp <= 1 + TOL):
            fail(f"success_probability {sp!r}, below the schedule's {ev.probability!r} on the grid")
    gy = result.goal_completion_years
    if (gy is None) != (ev.goal_years is None) or (gy is not None and gy > ev.goal_years + 1e-9 * max(1, gy)):
        fail(f"goal_completion_years {gy!r}, later than the schedule's {ev.goal_years!r} on the grid")
    for k, s in enumerate(result.streams):
        end = None if ev.finish_idx[k] < 0 else (ev.finish_idx[k] + 1) * n.step
        if (s.finish_years is None) != (end is None) or (end is not None and not (
                end - n.step - 1e-9 <= s.finish_years <= end + 1e-9 * max(1, end))):
            fail(f"stream {s.name!r} finish_years {s.finish_years!r}, outside its grid period ending {end!r}")
    # optimality, one side: a simple feasible schedule never beats the optimum
    g = gev.objective
    if n.objective == "earliest":
        if g is not None and (obj is None or obj > g + TOL * max(1.0, g)):
            fail(f"earliest {obj!r} is later than a greedy schedule's {g!r}")
    elif g is not None and obj < g - 2 * TOL * max(1.0, abs(g)):
        fail(f"optimum {obj!r} is below a greedy schedule's {g!r}")
    return "optimal"
