"""Pure chains and long horizons: plans that are easy by hand and used to stall the solver.

A chain of N streams (effort 1 each, each `after` the previous, one pool with supply 1, horizon
N + 10, deadline N + 5) is proven optimal at once by hand: one stream a year, the goal after N
years, probability 1 (or N years for `earliest`). Before the windowed model, N=80 took 111 s and
N=100 did not finish in 120 s. Also two streams a -> b over 10,000 one-year periods (the schedule
must finish b at year 2, not near the horizon). Target: every chain up to N=300 proven in under
5 s. Prints the median wall time of 3 runs of `planner.solve` (build, solve, polish, verify).

    .venv/bin/python benchmarks/chains.py            # ~1-2 min
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import planner  # noqa: E402


def chain(n: int, objective: str) -> planner.Plan:
    streams = [{"name": f"s{k}", "pool": "p", "effort": 1} | ({"after": [f"s{k - 1}"]} if k else {})
               for k in range(n)]
    data = {"plan": {"name": f"chain-{n}", "horizon": n + 10, "objective": objective},
            "pools": [{"name": "p", "supply": 1}], "streams": streams}
    if objective == "probability":
        data["deadline"] = {"years": n + 5}
    return planner.from_dict(data)


def long_pair() -> planner.Plan:
    return planner.from_dict({
        "plan": {"name": "a->b over 10,000 periods", "horizon": 10000, "objective": "probability"},
        "pools": [{"name": "p", "supply": 1}],
        "streams": [{"name": "a", "pool": "p", "effort": 1},
                    {"name": "b", "pool": "p", "effort": 1, "after": ["a"]}],
        "deadline": {"years": 9995}})


def timed(plan, repeats: int = 3):
    times, res = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        res = planner.solve(plan, time_limit=120)
        times.append(time.perf_counter() - start)
    return statistics.median(times), res


def main() -> int:
    print(f"{'plan':<28}{'objective':<13}{'status':<10}{'value':>8}{'goal years':>12}{'median s':>10}")
    slow = 0
    for objective in ("probability", "earliest"):
        for n in (20, 50, 80, 100, 150, 200, 250, 300):
            t, res = timed(chain(n, objective))
            want = 1.0 if objective == "probability" else float(n)
            ok = res.status == "optimal" and abs(res.objective - want) < 1e-6 and res.goal_completion_years == n
            slow += t >= 5.0 or not ok
            print(f"{'chain N=' + str(n):<28}{objective:<13}{res.status:<10}{res.objective:>8g}"
                  f"{res.goal_completion_years:>12g}{t:>10.2f}{'' if ok else '  WRONG'}")
    t, res = timed(long_pair(), repeats=1)
    finish = {s.name: s.finish_years for s in res.streams}
    print(f"{'a->b, 10,000 periods':<28}{'probability':<13}{res.status:<10}{res.objective:>8g}"
          f"{res.goal_completion_years:>12g}{t:>10.2f}  finishes {finish}")
    print(f"chains over 5 s or wrong: {slow}")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
