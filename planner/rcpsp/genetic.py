"""A schedule for project scheduling (every stream rigid: contiguous with a fixed crew), found by a
genetic search over activity lists, without a solver: feasible by construction, and checked like
any other. The goal-period search (planner/pipeline/search.py) starts from it, so the better it is,
the fewer periods the search asks.

`rigid_schedule` is the serial schedule-generation scheme (each job at the first period where its
whole run fits the pools) over orders from the genetic search (Hartmann 1998), each schedule
shortened by forward-backward passes. Ctrl-C raises `Interrupted` carrying the best schedule so far.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from planner.mip.rigid import rigid_crews, rigid_periods

if TYPE_CHECKING:  # annotations only: importing it at run time would load the plan schema (pydantic)
    from planner.instance.instance import Instance

# one schedule of the search: (makespan, starts, the improved schedule's own order)
Member = tuple[int, list[int], list[int]]


def rigid_schedule(inst: Instance, budget: float = 0.5, seed: int = 0, lower: int | None = None) -> np.ndarray | None:
    """(S, H) crew units of a feasible schedule when every stream with work to do is rigid
    (model.rigid_periods), else None (or if no run fits the horizon).

    The serial schedule-generation scheme (each stream in a precedence-feasible order, as early as
    its release, its predecessors' finishes plus lags and the pools allow for its whole run), each
    schedule improved by forward-backward passes (right-justify every run in order of finish,
    then left-justify in order of start, until the last finish stops improving). The orders come
    from a genetic algorithm on activity lists (Hartmann 1998): a first population from the
    latest-finish order and random orders biased towards it, then children of two-point crossover
    (which keeps every order precedence-feasible) and adjacent swaps, each replacing the worst
    when it is better. It runs for `budget` seconds, until 2,000 children in a row bring nothing
    shorter, or until a schedule reaches `lower` (periods, a bound no schedule beats; the
    critical path's by default). The goal-period search starts from the best, so the better it
    is, the fewer periods the search asks."""
    S, H = len(inst.streams), inst.periods
    d = rigid_periods(inst, (np.zeros(S, int), np.full(S, H - 1)))
    if S == 0 or np.any(d == 0):
        return None
    job = _Jobs(inst, d)
    target = max(job.lower, lower or 0)
    genetic = _Genetic(job, np.random.default_rng(seed), time.perf_counter() + budget, target)
    try:
        return job.crew_units(genetic.run())
    except KeyboardInterrupt:  # Ctrl-C: the best schedule so far is a plan all the same
        raise Interrupted(job.crew_units(genetic.starts())) from None


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during `rigid_schedule`, carrying the best schedule found by then (`plan`, or None)."""

    def __init__(self, plan: np.ndarray | None) -> None:
        super().__init__()
        self.plan = plan


class _Genetic:
    """Steady-state genetic search over activity lists for `rigid_schedule` (see there)."""

    POPULATION = 24
    MUTATION = 0.05
    STALL = 2000  # children in a row that did not shorten the best: the search has settled

    def __init__(self, job: _Jobs, rng: np.random.Generator, deadline: float, target: int) -> None:
        self.job, self.rng, self.deadline, self.target = job, rng, deadline, target
        position = np.empty(job.S, int)
        position[job.topo] = np.arange(job.S)
        self.position = position  # a tie-break for equal starts that keeps precedences
        self.best: Member | None = None  # the shortest so far

    def evaluate(self, order: list[int]) -> Member | None:
        """(makespan, starts, the improved schedule's own order) of an order, or None."""
        start = self.job.forward(order)
        if start is None:
            return None
        start = self.job.improve(start)
        return (self.job.makespan(start), start, sorted(range(self.job.S), key=lambda i: (start[i], self.position[i])))

    def run(self) -> list[int] | None:
        job, rng = self.job, self.rng
        population: list[Member] = []
        for k in range(10_000):  # a first population; orders that fit nowhere are drawn again
            if k >= self.POPULATION and population:
                break
            got = self.evaluate(job.order_by(job.lft) if k == 0 else job.random_order(rng))
            if got is not None:
                population.append(got)
                if self.best is None or got[0] < self.best[0]:
                    self.best = got
            if self._done():
                return self.starts()
        stale = 0
        while population and not self._done() and stale < self.STALL:
            mother, father = (self._tournament(population) for _ in range(2))
            child = self._mutate(self._crossover(mother[2], father[2]))
            got = self.evaluate(child)
            stale += 1
            if got is None:
                continue
            worst = max(range(len(population)), key=lambda i: population[i][0])
            if got[0] <= population[worst][0] and all(got[1] != p[1] for p in population):
                population[worst] = got
            if self.best is None or got[0] < self.best[0]:  # the first population set it
                self.best, stale = got, 0
        return self.starts()

    def _done(self) -> bool:
        best = self.best
        return (best is not None and best[0] <= self.target) or time.perf_counter() > self.deadline

    def starts(self) -> list[int] | None:
        """The starts of the shortest schedule so far, or None if none fits the horizon."""
        best = self.best
        return best[1] if best is not None and best[0] <= self.job.horizon else None

    def _tournament(self, population: list[Member]) -> Member:
        a, b = self.rng.integers(len(population), size=2)
        return population[a] if population[a][0] <= population[b][0] else population[b]

    def _crossover(self, mother: list[int], father: list[int]) -> list[int]:
        """Two-point crossover on activity lists: the mother's first q1, then the father's next
        jobs (in his order) up to q2, then the mother's rest (in hers). Each part keeps the
        relative order of a precedence-feasible list, so the child is precedence-feasible."""
        S = len(mother)
        q1, q2 = sorted(self.rng.integers(0, S + 1, size=2))
        child = mother[:q1]
        taken = set(child)
        for j in father:
            if len(child) >= q2:
                break
            if j not in taken:
                child.append(j)
                taken.add(j)
        child.extend(j for j in mother if j not in taken)
        return child

    def _mutate(self, order: list[int]) -> list[int]:
        """Swap neighbours with a small probability when the second does not wait on the first."""
        order = list(order)
        for k in np.flatnonzero(self.rng.random(len(order) - 1) < self.MUTATION):
            a, b = order[k], order[k + 1]
            if not any(p == a for p, _ in self.job.preds[b]):
                order[k], order[k + 1] = b, a
        return order


class _Jobs:
    """Rigid streams as project-scheduling jobs: run lengths d, crews need[i] (FTE per pool while
    running), predecessors with lags, releases, pool supply per period."""

    def __init__(self, inst: Instance, d: np.ndarray) -> None:
        S, H = len(inst.streams), inst.periods
        # schedules may run past the horizon here (the supply's last period repeats), so that a
        # long first pass can still be improved into it; only those that end inside it are used
        self.S, self.H, self.horizon = S, 2 * H + int(d.sum()), H
        self.K, need = rigid_crews(inst, (np.zeros(S, int), np.full(S, H - 1)), np.arange(S))  # need: (S, R)
        supply = np.concatenate([inst.supply, np.repeat(inst.supply[:, -1:], self.H - H, axis=1)], axis=1)
        # plain Python lists for the passes below (6x faster than numpy on rows this short): run
        # lengths, releases, per job its (pool, FTE) pairs, per pool its supply
        self.d, self.release = [int(x) for x in d], [int(x) for x in inst.release_period]
        self._req = [[(r, float(q)) for r, q in enumerate(need[i]) if q > 0] for i in range(S)]
        self._supply = [list(map(float, row)) for row in supply]
        self.preds = [[(p.pred, p.gap) for p in inst.predecessors[i]] for i in range(S)]
        self.succs: list[list[tuple[int, int]]] = [[] for _ in range(S)]
        for i in range(S):
            for j, gap in self.preds[i]:
                self.succs[j].append((i, gap))
        self.topo = list(inst.order)
        lft = np.full(S, float(H))  # latest finishes from the real horizon: the priority
        est = np.zeros(S)
        for i in reversed(self.topo):
            for j, gap in self.succs[i]:
                lft[i] = min(lft[i], lft[j] - d[j] - gap)
        for i in self.topo:
            est[i] = max([self.release[i]] + [est[j] + d[j] + gap for j, gap in self.preds[i]])
        self.lft = lft
        self.lower = int(max(est + d))  # critical path: no schedule is shorter

    def makespan(self, start: list[int]) -> int:
        return int(max(start[i] + self.d[i] for i in range(self.S)))

    def crew_units(self, start: list[int] | None) -> np.ndarray | None:
        """(S, horizon) crew units of a schedule of starts (None for None)."""
        if start is None:
            return None
        u = np.zeros((self.S, self.horizon))
        for i in range(self.S):
            u[i, start[i] : start[i] + self.d[i]] = self.K[i]
        return u

    def order_by(self, key: np.ndarray) -> list[int]:
        """A precedence-feasible order, smallest key first among the eligible."""
        return self._order(lambda eligible: min(eligible, key=lambda j: (key[j], j)))

    def random_order(self, rng: np.random.Generator) -> list[int]:
        """Regret-biased random sampling on latest finish: the most urgent is the likeliest."""

        def pick(eligible: np.ndarray) -> int:
            lft = self.lft[eligible]
            w = (lft.max() - lft + 1.0) ** 2
            return eligible[int(rng.choice(len(eligible), p=w / w.sum()))]

        return self._order(pick)

    def _order(self, pick: Callable[[np.ndarray], int]) -> list[int]:
        left = [len(p) for p in self.preds]
        eligible = [i for i in range(self.S) if left[i] == 0]
        out = []
        while eligible:
            i = pick(np.array(eligible))
            eligible.remove(i)
            out.append(int(i))
            for j, _ in self.succs[i]:
                left[j] -= 1
                if left[j] == 0:
                    eligible.append(j)
        return out

    def _clash(self, free: list[list[float]], i: int, t: int, latest: bool) -> int:
        """-1 if job i's whole run fits the free supply from period t, else a period of the run
        that does not fit: the latest (no start up to it can fit: the forward pass jumps past
        it) or the earliest (no run covering it can: the backward pass ends before it)."""
        req = self._req[i]
        periods = range(t, t + self.d[i])
        for tau in reversed(periods) if latest else periods:
            for r, q in req:
                if free[r][tau] < q - 1e-9:
                    return tau
        return -1

    def _take(self, free: list[list[float]], i: int, t: int) -> None:
        for r, q in self._req[i]:
            row = free[r]
            for tau in range(t, t + self.d[i]):
                row[tau] -= q

    def forward(self, order: list[int]) -> list[int] | None:
        """Each job in `order` as early as it fits (its predecessors come before it in `order`)."""
        free = [row[:] for row in self._supply]
        out = [0] * self.S
        d, H = self.d, self.H
        for i in order:
            t = max([self.release[i]] + [out[j] + d[j] + gap for j, gap in self.preds[i]])
            while True:
                if t + d[i] > H:
                    return None
                bad = self._clash(free, i, t, latest=True)
                if bad < 0:
                    break
                t = bad + 1
            self._take(free, i, t)
            out[i] = t
        return out

    def backward(self, order: list[int], end: int) -> list[int] | None:
        """Each job in `order` (successors first) as late as it fits, finishing by `end`."""
        free = [row[:] for row in self._supply]
        out = [0] * self.S
        d = self.d
        for i in order:
            t = min([end - d[i]] + [out[j] - gap - d[i] for j, gap in self.succs[i]])
            while True:
                if t < self.release[i]:
                    return None
                bad = self._clash(free, i, t, latest=False)
                if bad < 0:
                    break
                t = bad - d[i]
            self._take(free, i, t)
            out[i] = t
        return out

    def improve(self, start: list[int]) -> list[int]:
        """Forward-backward improvement until the makespan stops falling."""
        while True:
            span = self.makespan(start)
            back = self.backward(sorted(range(self.S), key=lambda i: -(start[i] + self.d[i])), span)
            if back is None:
                return start
            fwd = self.forward(sorted(range(self.S), key=lambda i: back[i]))
            if fwd is None or self.makespan(fwd) >= span:
                return start if fwd is None or self.makespan(fwd) > span else fwd
            start = fwd
