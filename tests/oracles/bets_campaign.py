"""Random small plans with research bets, each solved by the planner (its policy MIP) and by the
independent formulation of tests/oracles/bets_oracle.py, and compared.

`random_bet_plan(seed)`: 2-5 streams of which 1-3 are bets (`success` 0.2-0.8, `attempts` 1-3),
a horizon of 8-12 one-year periods, one pool or two (some streams with a crew from both), efforts
and `min_duration`s that make one attempt take 1-4 years, releases, `after` with lags and `any`
groups, `[goal] required` with an `any` group, a fixed deadline, scenarios or a lognormal one, and
the `probability` or `value` objective (with a milestone). The oracle keeps every attempt of every
bet, so the plan is kept to at most 24 outcome scenarios by default (the oracle's pairwise ties
grow with their square, and a few such plans take SCIP minutes); attempts are lowered, last bet
first, until it fits.

`compare(seed, folder)` returns one line, empty when both optima agree within 1e-6 (relative to
max(1, |objective|)). The planner's policy objective is on the plan's grid (`exactness = "grid"`,
`grid_objective` equals `objective`), which is what the oracle's period rows compute.
"""
from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from pathlib import Path

import planner

from . import bets_oracle
from .plans import toml_text

TOL = 1e-6
MAX_SCENARIOS = 24


@dataclass
class Comparison:
    seed: int
    planner: float | None
    oracle: float | None
    status: str
    scenarios: int
    seconds: dict
    oracle_range: tuple | None = None   # the oracle stopped early: its best policy and its bound

    @property
    def within(self) -> bool:
        """The oracle not proven, the planner's optimum inside the oracle's [best, bound]."""
        if self.oracle_range is None or self.planner is None or not self.status.startswith("optimal"):
            return False
        lo, hi = self.oracle_range
        tol = TOL * max(1.0, abs(self.planner))
        return (lo is None or self.planner >= lo - tol) and self.planner <= hi + tol

    @property
    def agree(self) -> bool:
        return (self.status == "optimal" and self.planner is not None and self.oracle is not None
                and abs(self.planner - self.oracle) <= TOL * max(1.0, abs(self.planner), abs(self.oracle)))

    def line(self) -> str:
        stopped = f", its best {self.oracle_range[0]} and bound {self.oracle_range[1]}" if self.oracle_range else ""
        return (f"seed {self.seed}: planner {self.status} {self.planner}, oracle {self.oracle}{stopped} "
                f"({self.scenarios} scenarios; {self.seconds})")


def random_bet_plan(seed: int, max_scenarios: int = MAX_SCENARIOS) -> str:
    """The seed's plan as TOML text (the same seed always gives the same plan), with at most
    `max_scenarios` outcome scenarios."""
    rng = random.Random(seed)
    H = rng.randint(8, 12)
    objective = rng.choice(["probability", "probability", "value"])
    pools = [{"name": "r", "supply": float(rng.choice([1, 2, 3, 4]))}]
    if rng.random() < 0.35:
        pools.append({"name": "q", "supply": float(rng.choice([1, 2, 3]))})
    n = rng.randint(2, 5)
    n_bets = rng.randint(1, min(3, n))
    bets = set(rng.sample(range(n), n_bets))
    streams = []
    for k in range(n):
        s: dict = {"name": f"s{k}"}
        r = rng.random()
        if len(pools) > 1 and r < 0.25:
            s["crew"] = {"r": 1.0, "q": rng.choice([0.5, 1.0])}
        else:
            s["pool"] = rng.choice(pools)["name"]
        years = rng.randint(1, 4)            # one attempt at its cap takes `years` periods
        staff = rng.choice([1, 2, 3])
        s["effort"] = float(years * staff)
        if rng.random() < 0.8:
            s["min_duration"] = float(years)
        if rng.random() < 0.2:
            s["max_staff"] = float(rng.choice([1, 2]))
        if rng.random() < 0.2:
            s["release"] = float(rng.randint(1, 3))
        if k in bets:
            s["success"] = rng.choice([0.2, 0.3, 0.5, 0.6, 0.8])
            s["attempts"] = rng.randint(1, 3)
        elif rng.random() < 0.15:
            s["attempts"] = 2                # a certain stream: one attempt whatever this says
        if objective == "value":
            s["value"] = float(rng.randint(1, 4) if k in bets else rng.randint(0, 3))
        earlier = [f"s{j}" for j in range(k)]
        if earlier and rng.random() < 0.45:
            after = []
            for name in rng.sample(earlier, rng.randint(1, min(2, len(earlier)))):
                lag = rng.choice([0, 0, 0.5, 1, 2])
                after.append({"stream": name, "lag": float(lag)} if lag else name)
            if len(earlier) >= 2 and rng.random() < 0.5:
                group = rng.sample(earlier, 2)
                after = [a for a in after if (a if isinstance(a, str) else a["stream"]) not in group]
                entry: dict = {"any": group}
                if rng.random() < 0.4:
                    entry["lag"] = float(rng.choice([0.5, 1, 2]))
                after.append(entry)
            s["after"] = after
        streams.append(s)
    # fewer attempts, last bet first, until the oracle's scenarios fit
    while math.prod(s.get("attempts", 1) + 1 for s in streams if "success" in s) > max_scenarios:
        last = max((s for s in streams if s.get("attempts", 1) > 1 and "success" in s),
                   key=lambda s: int(s["name"][1:]))
        last["attempts"] -= 1
    names = [s["name"] for s in streams]
    doc: dict = {
        "plan": {"name": f"bets {seed}", "horizon": H, "objective": objective},
        "pools": pools,
        "streams": streams,
    }
    if objective == "probability":
        bet_names = [f"s{k}" for k in sorted(bets)]
        rest = [x for x in names if x not in bet_names]
        if len(bet_names) >= 2 and rng.random() < 0.6:
            goal = rng.sample(rest, min(len(rest), rng.randint(0, 2))) + [{"any": bet_names}]
        else:
            goal = rng.sample(names, rng.randint(1, min(3, n)))
        doc["goal"] = {"required": goal}
    elif rng.random() < 0.4:
        doc["goals"] = [{"name": "milestone", "streams": rng.sample(names, 2), "value": 3.0}]
    kind = rng.choice(["years", "scenarios", "lognormal"])
    if kind == "years":
        doc["deadline"] = {"years": float(rng.randint(H // 2, H + 1))}
    elif kind == "scenarios":
        ys = sorted(rng.sample(range(H // 3, H + 2), 2))
        doc["deadline"] = {"scenarios": [[float(ys[0]), 0.4], [float(ys[1]), 0.6]]}
    else:
        doc["deadline"] = {"distribution": {"kind": "lognormal", "median": float(rng.randint(H // 2, H)),
                                            "sigma": rng.choice([0.3, 0.6])}}
    return toml_text(doc)


def compare(seed: int, folder: Path, *, time_limit: float = 120.0, max_scenarios: int = MAX_SCENARIOS) -> Comparison:
    """The seed's plan solved both ways."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"bets_{seed}.toml"
    path.write_text(random_bet_plan(seed, max_scenarios), encoding="utf-8")
    t0 = time.perf_counter()
    oracle = bets_oracle.optimum(path, time_limit=time_limit)
    t1 = time.perf_counter()
    r = planner.solve(planner.load(path), gap=1e-9, time_limit=time_limit)
    t2 = time.perf_counter()
    assert r.grid_objective is None or abs(r.grid_objective - r.objective) <= 1e-12, "a policy is read on the grid"
    status = r.status if oracle.status == "optimal" else f"{r.status} (oracle {oracle.status})"
    stopped = (oracle.best, oracle.bound) if oracle.status != "optimal" and oracle.bound is not None else None
    return Comparison(seed, r.objective, oracle.objective, str(status), oracle.scenarios,
                      {"oracle": round(t1 - t0, 2), "planner": round(t2 - t1, 2)}, stopped)
