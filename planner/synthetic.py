"""Seeded random plans for benchmarks and property tests: chains of serial and parallel streams
competing for a few pools under tight supply, with a scenario deadline."""
from __future__ import annotations

import numpy as np

from .plan import Plan, from_dict


def plan_dict(*, streams: int = 20, periods: int = 40, scenarios: int = 10, pools: int = 3,
              tightness: float = 0.7, objective: str = "probability", seed: int = 0) -> dict:
    """A plan as nested dicts. `tightness` < 1 means the pools supply less than the work could use
    if every stream ran at its cap from the start, so the streams compete."""
    rng = np.random.default_rng(seed)
    pool_names = [f"pool-{r}" for r in range(pools)]
    rows = []
    for i in range(streams):
        serial = rng.random() < 0.4
        min_duration = float(rng.integers(max(2, periods // 8), max(3, periods // 3))) if serial else \
            float(rng.integers(0, max(1, periods // 10)))
        after = []
        if i and rng.random() < 0.5:
            for j in sorted(set(rng.integers(0, i, size=int(rng.integers(1, 3))).tolist())):
                lag = float(rng.integers(0, 3)) if rng.random() < 0.4 else 0.0
                after.append({"stream": f"s{j}", "lag": lag} if lag else f"s{j}")
        row = {"name": f"s{i}", "pool": pool_names[int(rng.integers(pools))],
               "effort": float(np.round(rng.uniform(5, 60 if serial else 300), 1)),
               "min_duration": min_duration,
               "productivity": float(np.round(rng.uniform(0.3, 1.0), 2)),
               "value": float(np.round(rng.uniform(0, 10), 1))}
        if after:
            row["after"] = after
        rows.append(row)
    demand = np.zeros(pools)
    for row in rows:
        rate = row["effort"] / max(row["min_duration"], periods / 4) / row["productivity"]
        demand[pool_names.index(row["pool"])] += rate
    pool_rows = [{"name": n, "supply": float(np.round(max(1.0, tightness * demand[r]), 1))}
                 for r, n in enumerate(pool_names)]
    years = np.sort(rng.choice(np.arange(max(1, periods // 4), periods + 1), size=scenarios,
                               replace=scenarios > periods - periods // 4))
    probs = rng.dirichlet(np.ones(scenarios))
    probs = np.round(probs, 6)
    probs[-1] = round(1.0 - probs[:-1].sum(), 6)
    return {"plan": {"name": f"synthetic-{streams}x{periods}x{scenarios}-seed{seed}", "horizon": periods,
                     "objective": objective},
            "pools": pool_rows, "streams": rows,
            "deadline": {"scenarios": [[float(y), float(p)] for y, p in zip(years, probs)]},
            "interventions": [{"name": "capabilities work", "deadline_shift": -2.0,
                               "supply": [{"pool": n, "multiply": 1.5} for n in pool_names]}]}


def plan(**kw) -> Plan:
    return from_dict(plan_dict(**kw))
