"""Seeded random valid plans of 2-10 streams that use every key of docs/plan-file.md, alone and
together, small enough (4-12 periods) that SCIP proves each variant in about a second.

`random_plan(seed)` returns the plan's TOML text, its CSV files and its variants (None for the
baseline, then every intervention's name); the same seed always gives the same plan.
"""
from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class RandomPlan:
    seed: int
    text: str
    files: dict = field(default_factory=dict)     # file name -> CSV text
    variants: list = field(default_factory=list)  # None (baseline) and intervention names
    keys: set = field(default_factory=set)        # the keys used, for coverage counts


def toml_text(doc: dict) -> str:
    """A plan dict as TOML: [table] / [[array of tables]] with inline values."""
    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(float(v)) if isinstance(v, float) else str(v)
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"

    out = []
    for key, v in doc.items():
        for table in ([v] if isinstance(v, dict) else v):
            out.append(f"\n[{key}]" if isinstance(v, dict) else f"\n[[{key}]]")
            out += [f"{k} = {value(x)}" for k, x in table.items()]
    return "\n".join(out).lstrip() + "\n"


def _q(x: float, quantum: float) -> float:
    """Rounded to a multiple of quantum (plans stay readable and exact in decimal)."""
    return round(round(x / quantum) * quantum, 6)


def _window(rng: random.Random, span: float, change: dict, keys: set) -> dict:
    if rng.random() < 0.4:
        change["from_year"] = _q(rng.uniform(0, 0.6) * span, 0.5)
        keys.add("from_year")
    if rng.random() < 0.3:
        change["until_year"] = _q(change.get("from_year", 0) + rng.uniform(0.2, 0.8) * span, 0.5) + 0.5
        keys.add("until_year")
    return change


def _deadline(rng: random.Random, span: float, start_year: int, keys: set) -> dict:
    """Mostly after the middle of the span, so that the goal is neither out of reach nor certain."""
    kind = rng.choice(["years", "year", "scenarios", "lognormal", "percentiles"])
    keys.add("deadline." + kind)
    if kind == "years":
        return {"years": _q(rng.uniform(0.5, 1.2) * span, 0.25)}
    if kind == "year":
        return {"year": start_year + _q(rng.uniform(0.5, 1.2) * span, 0.5)}
    if kind == "scenarios":
        k = rng.randint(1, 4)
        weights = [rng.randint(1, 5) for _ in range(k)]
        total = sum(weights)
        years = sorted(_q(rng.uniform(0.3, 1.3) * span, 0.25) for _ in range(k))
        probs = [w / total for w in weights]
        probs[-1] = 1.0 - sum(probs[:-1])
        return {"scenarios": [[y, round(p, 12)] for y, p in zip(years, probs)]}
    out = {}
    if kind == "lognormal":
        out["distribution"] = {"kind": "lognormal", "median": _q(rng.uniform(0.5, 1.0) * span, 0.25),
                               "sigma": rng.choice([0.2, 0.5, 0.8, 1.2])}
    else:
        n = rng.randint(1, 3)
        years = sorted({_q(rng.uniform(0.1, 1.2) * span, 0.25) or 0.25 for _ in range(n)})
        probs = sorted(round(rng.uniform(0.05, 1.0), 3) for _ in years)
        out["distribution"] = {"kind": "percentiles", "points": [[y, p] for y, p in zip(years, probs)]}
    if rng.random() < 0.4:
        out["p_never"] = rng.choice([0.05, 0.1, 0.3])
        keys.add("p_never")
    return out


def random_plan(seed: int) -> RandomPlan:
    rng = random.Random(seed)
    keys: set = set()
    files: dict = {}
    step = rng.choice([1.0, 1.0, 1.0, 0.5, 2.0])
    H = rng.randint(4, 12 if step == 0.5 else 9)
    span = H * step
    horizon = span if rng.random() < 0.85 else span - step / 2
    start_year = rng.choice([2026, 2030])
    objective = rng.choices(["probability", "value", "earliest"], [0.45, 0.3, 0.25])[0]
    keys.add("objective." + objective)
    if step != 1:
        keys.add("step")
    head = {"name": f"campaign {seed}", "start_year": start_year, "horizon": horizon, "step": step,
            "objective": objective}

    pools, level = [], {}
    for k in range(rng.choices([1, 2, 3], [0.5, 0.35, 0.15])[0]):
        name = f"p{k}"
        base = rng.choice([1, 2, 3, 4, 6])
        kind = rng.choices(["number", "list", "growth", "file"], [0.4, 0.25, 0.2, 0.15])[0]
        keys.add("supply." + kind)
        if kind == "number":
            supply = float(base)
        elif kind == "list":
            supply = [float(_q(base * rng.uniform(0.5, 1.5), 0.5)) for _ in range(rng.randint(1, H))]
        elif kind == "growth":
            supply = {"start": float(base), "growth": rng.choice([-0.1, 0.1, 0.2, 0.4])}
            if rng.random() < 0.5:
                supply["cap"] = float(base * rng.choice([1.2, 1.5, 2]))
                keys.add("supply.cap")
        else:
            fname = f"seed{seed}_supply{k}.csv"   # unique, so failing plans share one folder
            years = sorted({start_year - 1} | {start_year + _q(rng.uniform(0, span), 0.5)
                                                for _ in range(rng.randint(1, 3))})
            rows = [f"{y:g},{_q(base * rng.uniform(0.5, 1.5), 0.5):g}" for y in years]
            files[fname] = "year,fte\n" + "\n".join(rows) + "\n"
            supply = {"file": fname, "column": "fte"}
        pool = {"name": name, "supply": supply}
        if rng.random() < 0.2:
            pool["integer_staff"] = True
            keys.add("integer_staff")
        pools.append(pool)
        level[name] = base

    n = rng.randint(2, 10)
    streams = []
    trainers = 0
    for k in range(n):
        s = {"name": f"s{k}"}
        if len(pools) > 1 and rng.random() < 0.3:
            chosen = rng.sample([p["name"] for p in pools], rng.randint(1, len(pools)))
            s["crew"] = {r: rng.choice([0.5, 1.0, 2.0]) for r in chosen}
            keys.add("crew")
        else:
            s["pool"] = rng.choice(pools)["name"]
        crew = s.get("crew") or {s["pool"]: 1.0}
        per_unit = min(level[r] / c for r, c in crew.items())
        s["effort"] = max(0.25, _q(rng.uniform(0.05, 0.35) * per_unit * span * 2 / n, 0.25))
        if rng.random() < 0.4:
            s["min_duration"] = _q(rng.uniform(0.1, 0.4) * span, 0.25) or 0.5
            keys.add("min_duration")
        r = rng.random()
        if r < 0.2:
            s["productivity"] = rng.choice([0.5, 0.8, 1.5, 2.0])
            keys.add("productivity.number")
        elif r < 0.35:
            s["productivity"] = [rng.choice([0.5, 1.0, 1.5]) for _ in range(rng.randint(1, H))]
            keys.add("productivity.list")
        if rng.random() < 0.25:
            s["max_staff"] = _q(rng.uniform(0.3, 1.2) * per_unit, 0.5) or 0.5
            keys.add("max_staff")
        if rng.random() < 0.2:
            s["release"] = _q(rng.uniform(0, 0.4) * span, 0.25)
            keys.add("release")
        if k > 0 and rng.random() < 0.3:
            after = []
            for pred in rng.sample(range(k), min(k, rng.randint(1, 2))):
                if rng.random() < 0.5:
                    after.append({"stream": f"s{pred}", "lag": _q(rng.uniform(0, 0.15) * span, 0.25)})
                    keys.add("after.lag")
                else:
                    after.append(f"s{pred}")
            s["after"] = after
            keys.add("after")
        if objective == "value" and rng.random() < 0.8:
            s["value"] = float(rng.randint(0, 5))
            keys.add("value")
        if rng.random() < 0.14:
            s["parallelization"] = rng.choice([0.3, 0.5, 0.7, 0.85])
            keys.add("parallelization")
        whole = any(p.get("integer_staff") for p in pools if p["name"] in crew)
        if whole and "min_duration" in s:   # a rate cap below one person would forbid all work
            s["min_duration"] = max(0.25, _q(min(s["min_duration"], s["effort"] / 2), 0.25))
        if rng.random() < 0.18:
            s["contiguous"] = True
            keys.add("contiguous")
        if rng.random() < 0.12:
            s["fixed_crew"] = True
            if "min_duration" not in s and "max_staff" not in s:
                s["min_duration"] = _q(rng.uniform(0.2, 0.6) * span, 0.25) or 0.5
            keys.add("fixed_crew")
        elif rng.random() < 0.14:
            prods = s.get("productivity", 1.0)
            top = max(prods) if isinstance(prods, list) else prods
            cap = s.get("max_staff", math.inf)
            if "min_duration" in s:   # at most the stream's own cap, or it could never be worked
                cap = min(cap, (s["effort"] / s["min_duration"] / top) ** (1 / s.get("parallelization", 1.0)))
            s["min_staff"] = min(rng.choice([0.5, 1.0, 1.5, 2.0]), round(cap * rng.uniform(0.5, 1.0), 3) or 0.001)
            keys.add("min_staff")
        if trainers < 2 and rng.random() < 0.2:
            trainers += 1
            s["effort"] *= 2   # worth training: up to per_effort * effort FTE join a pool
            s["train"] = {"pool": rng.choice(pools)["name"], "per_effort": rng.choice([0.5, 1.0, 2.0, 3.0])}
            if rng.random() < 0.7:
                s["train"]["delay"] = rng.choice([0.0, 0.5, 1.0, 2.0, 3.0])
            if rng.random() < 0.5:
                s["train"]["attrition"] = rng.choice([0.1, 0.3])
            keys.add("train")
        streams.append(s)

    doc = {"plan": head, "pools": pools, "streams": streams}
    names = [s["name"] for s in streams]
    if rng.random() < 0.5:
        doc["goal"] = {"required": rng.sample(names, rng.randint(1, len(names) // 2 + 1))}
        keys.add("goal.required")
    if objective == "value" and rng.random() < 0.5:
        doc["goals"] = []
        for g in range(rng.randint(1, 2)):
            milestone = {"name": f"milestone {g}", "streams": rng.sample(names, rng.randint(1, min(3, len(names))))}
            if rng.random() < 0.7:
                milestone["value"] = float(rng.randint(1, 6))
            doc["goals"].append(milestone)
        keys.add("goals")
    if objective != "earliest" or rng.random() < 0.3:
        doc["deadline"] = _deadline(rng, span, start_year, keys)

    interventions = []
    serial = [s["name"] for s in streams if s.get("min_duration")]
    for k in range(rng.choices([0, 1, 2], [0.1, 0.6, 0.3])[0]):
        iv = {"name": f"iv{k}"}
        if objective != "earliest" and rng.random() < 0.6:
            iv["deadline_shift"] = _q(rng.uniform(-0.3, 0.2) * span, 0.25)
            keys.add("deadline_shift")
        if rng.random() < 0.6:
            iv["supply"] = []
            for _ in range(rng.randint(1, 2)):
                ch = {"pool": rng.choice(pools)["name"]}
                if rng.random() < 0.8:
                    ch["multiply"] = rng.choice([0.5, 1.5, 2.0, 3.0])
                if rng.random() < 0.3:
                    ch["add"] = rng.choice([0.5, 1.0, 2.0])
                iv["supply"].append(_window(rng, span, ch, keys))
            keys.add("iv.supply")
        if rng.random() < 0.35:
            ch = {"streams": rng.sample(names, rng.randint(1, min(2, len(names))))}
            ch["multiply"] = rng.choice([0.5, 1.5, 2.0])
            if rng.random() < 0.3:
                ch["add"] = 0.5
            iv["productivity"] = [_window(rng, span, ch, keys)]
            keys.add("iv.productivity")
        if serial and rng.random() < 0.35:
            ch = {"streams": rng.sample(serial, rng.randint(1, min(2, len(serial)))),
                  "factor": rng.choice([1.2, 1.5, 2.0])}
            iv["serial_speedup"] = [_window(rng, span, ch, keys)]
            keys.add("serial_speedup")
        r = rng.random()
        if r < 0.2:
            iv["units"] = rng.choice([0.5, 1.5, 2.0])
            keys.add("units")
        elif r < 0.4:
            iv["levels"] = sorted(rng.sample([0.0, 0.5, 1.0, 2.0, 3.0], rng.randint(2, 3)))
            iv["choose"] = True
            keys.add("levels")
        if len(iv) == 1:
            iv["deadline_shift" if objective != "earliest" else "supply"] = \
                -1.0 if objective != "earliest" else [{"pool": pools[0]["name"], "multiply": 2.0}]
        interventions.append(iv)
    if interventions:
        doc["interventions"] = interventions
    return RandomPlan(seed, toml_text(doc), files, [None] + [iv["name"] for iv in interventions], keys)


def write_plan(case: RandomPlan, folder: Path) -> Path:
    """The case's plan file (and its CSV files) written into `folder`; returns the plan's path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{case.seed}.toml"
    path.write_text(case.text, encoding="utf-8")
    for name, text in case.files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return path
