"""Seeded random plans for benchmarks and property tests: chains of serial and parallel streams
competing for a few pools under tight supply, with a scenario deadline."""

from __future__ import annotations

from typing import Any

import numpy as np

from planner.plan.schema import Plan, from_dict


def plan_dict(
    *,
    streams: int = 20,
    periods: int = 40,
    scenarios: int = 10,
    pools: int = 3,
    tightness: float = 0.7,
    objective: str = "probability",
    seed: int = 0,
) -> dict[str, Any]:
    """A plan as nested dicts. `tightness` < 1 means the pools supply less than the work could use
    if every stream ran at its cap from the start, so the streams compete."""
    rng = np.random.default_rng(seed)
    pool_names = [f"pool-{r}" for r in range(pools)]
    rows: list[dict[str, Any]] = []
    for i in range(streams):
        serial = rng.random() < 0.4
        min_duration = (
            float(rng.integers(max(2, periods // 8), max(3, periods // 3)))
            if serial
            else float(rng.integers(0, max(1, periods // 10)))
        )
        after: list[dict[str, Any] | str] = []
        if i and rng.random() < 0.5:
            for j in sorted(set(rng.integers(0, i, size=int(rng.integers(1, 3))).tolist())):
                lag = float(rng.integers(0, 3)) if rng.random() < 0.4 else 0.0
                after.append({"stream": f"s{j}", "lag": lag} if lag else f"s{j}")
        row: dict[str, Any] = {
            "name": f"s{i}",
            "pool": pool_names[int(rng.integers(pools))],
            "effort": float(np.round(rng.uniform(5, 60 if serial else 300), 1)),
            "min_duration": min_duration,
            "productivity": float(np.round(rng.uniform(0.3, 1.0), 2)),
            "value": float(np.round(rng.uniform(0, 10), 1)),
        }
        if after:
            row["after"] = after
        rows.append(row)
    demand = np.zeros(pools)
    for row in rows:
        rate = row["effort"] / max(row["min_duration"], periods / 4) / row["productivity"]
        demand[pool_names.index(row["pool"])] += rate
    pool_rows = [
        {"name": n, "supply": float(np.round(max(1.0, tightness * demand[r]), 1))} for r, n in enumerate(pool_names)
    ]
    years = np.sort(
        rng.choice(
            np.arange(max(1, periods // 4), periods + 1), size=scenarios, replace=scenarios > periods - periods // 4
        )
    )
    probs = rng.dirichlet(np.ones(scenarios))
    probs = np.round(probs, 6)
    probs[-1] = round(1.0 - probs[:-1].sum(), 6)
    return {
        "plan": {
            "name": f"synthetic-{streams}x{periods}x{scenarios}-seed{seed}",
            "horizon": periods,
            "objective": objective,
        },
        "pools": pool_rows,
        "streams": rows,
        "deadline": {"scenarios": [[float(y), float(p)] for y, p in zip(years, probs)]},
        "interventions": [
            {
                "name": "capabilities work",
                "deadline_shift": -2.0,
                "supply": [{"pool": n, "multiply": 1.5} for n in pool_names],
            }
        ],
    }


def plan(**kw: Any) -> Plan:
    return from_dict(plan_dict(**kw))


CREW_POOLS = ("theory", "engineering", "policy", "ops")


def crew_plan_dict(
    *,
    streams: int = 40,
    periods: int = 80,
    scenarios: int = 10,
    pools: int = 3,
    chains: int | None = None,
    tightness: float = 1.0,
    objective: str = "probability",
    seed: int = 0,
) -> dict[str, Any]:
    """A plan of another shape than `plan_dict`'s: a few long chains of streams, each link with a
    lag, staffed by crews that draw on several pools at once, with a few links across chains.

    Every stream needs a crew of one to three pools (`crew = {theory = 1, engineering = 2}`), some
    have a staff cap, and pools grow over time (`{ start, growth, cap }`). The chains are sized so
    that the longest takes about 40-80% of the horizon at full speed: whether the goal is met is
    decided by the chains' serial lengths, the lags and the competition for pools together.
    `tightness` is the pools' supply over the crews' average demand (crew-years over the longest
    chain's span): around 1, the chains compete for labour where they overlap."""
    rng = np.random.default_rng(seed)
    pools = max(1, min(pools, len(CREW_POOLS)))
    pool_names = list(CREW_POOLS[:pools])
    chains = chains or int(np.clip(streams // 8, 2, 8))
    chain_of = np.sort(rng.integers(0, chains, size=streams))
    chain_of[:chains] = np.arange(chains)  # no chain is empty
    chain_of = np.sort(chain_of)
    length = np.bincount(chain_of, minlength=chains)
    first = np.searchsorted(chain_of, np.arange(chains))
    position = (np.arange(streams) - first[chain_of]) / length[chain_of]  # 0 .. <1 along the chain
    # each stream's share of its chain's serial time; the longest chain takes ~40-80% of the horizon
    span = periods * rng.uniform(0.4, 0.8)
    rows: list[dict[str, Any]] = []
    last_in_chain: dict[int, int] = {}
    for i in range(streams):
        ch = int(chain_of[i])
        per = span / max(1, length[ch])
        lag = float(rng.integers(0, max(1, int(per // 4)) + 1)) if ch in last_in_chain else 0.0
        duration = float(max(1, np.round(per - lag - 1 - rng.uniform(0, per / 4))))
        crew: dict[str, float] = {}
        for r in sorted(set(rng.choice(pools, size=int(rng.integers(1, min(3, pools) + 1)), replace=True).tolist())):
            crew[pool_names[r]] = float(rng.integers(1, 4))
        productivity = float(np.round(rng.uniform(0.4, 1.0), 2))
        staff = float(np.round(rng.uniform(2, 30), 1))
        effort = float(np.round(staff * productivity * duration * rng.uniform(0.6, 1.0), 1))
        row: dict[str, Any] = {
            "name": f"c{ch}s{i}",
            "crew": crew,
            "effort": max(effort, 1.0),
            "min_duration": duration if rng.random() < 0.7 else 0.0,
            "productivity": productivity,
            "value": float(np.round(rng.uniform(0, 10), 1)),
        }
        if rng.random() < 0.4:
            row["max_staff"] = float(np.round(staff * rng.uniform(1.0, 2.0), 1))
        after: list[dict[str, Any] | str] = []
        if ch in last_in_chain:
            prev = last_in_chain[ch]
            after.append({"stream": rows[prev]["name"], "lag": lag} if lag else rows[prev]["name"])
        # a link across chains, to a stream at least one link further back along its own chain
        others = [j for j in range(i) if chain_of[j] != ch and position[j] <= position[i] - 1.0 / length[ch]]
        if others and rng.random() < 0.15:
            after.append(rows[int(rng.choice(others))]["name"])
        if after:
            row["after"] = after
        if not after and rng.random() < 0.3:
            row["release"] = float(rng.integers(0, max(1, periods // 10)))
        last_in_chain[ch] = i
        rows.append(row)
    demand = np.zeros(pools)  # FTE each pool must supply on average over the chains' span
    for row in rows:
        for name, units in row["crew"].items():
            demand[pool_names.index(name)] += units * row["effort"] / row["productivity"] / span
    pool_rows: list[dict[str, Any]] = []
    for r, name in enumerate(pool_names):
        base = float(np.round(max(1.0, tightness * demand[r]), 1))
        if rng.random() < 0.5:
            growth = float(np.round(rng.uniform(0.01, 0.06), 3))
            pool_rows.append(
                {
                    "name": name,
                    "supply": {
                        "start": float(np.round(base * 0.7, 1)),
                        "growth": growth,
                        "cap": float(np.round(base * 1.5, 1)),
                    },
                }
            )
        else:
            pool_rows.append({"name": name, "supply": base})
    years = np.sort(
        rng.choice(
            np.arange(max(1, int(span * 0.8)), periods + 1),
            size=scenarios,
            replace=scenarios > periods + 1 - max(1, int(span * 0.8)),
        )
    )
    probs = rng.dirichlet(np.ones(scenarios))
    probs = np.round(probs, 6)
    probs[-1] = round(1.0 - probs[:-1].sum(), 6)
    out: dict[str, Any] = {
        "plan": {
            "name": f"crews-{streams}x{periods}x{scenarios}-seed{seed}",
            "horizon": periods,
            "objective": objective,
        },
        "pools": pool_rows,
        "streams": rows,
        "interventions": [
            {
                "name": "capabilities work",
                "deadline_shift": -3.0,
                "supply": [{"pool": n, "multiply": 1.3} for n in pool_names],
            }
        ],
    }
    if objective != "earliest":
        out["deadline"] = {"scenarios": [[float(y), float(p)] for y, p in zip(years, probs)]}
    return out


def crew_plan(**kw: Any) -> Plan:
    return from_dict(crew_plan_dict(**kw))
