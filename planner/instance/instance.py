"""A plan variant as arrays: `Instance`, the numbers the model builder, the verifier and the
structural analysis all read (planner/instance/resolve.py makes one from a plan), with the values
derived from them once per variant (caps, staff bounds, order) as cached properties.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from graphlib import TopologicalSorter
from typing import Any, cast

import numpy as np

from planner.instance import deadlines
from planner.plan.schema import Deadline

_SIZED_LATER = cast(np.ndarray, None)
"""The default of an `Instance` array that `__post_init__` fills in from the plan's sizes: None
until then, so an `Instance` built without it reads as an array of the default (all off)."""


@dataclass(frozen=True)
class Precedence:
    """Stream `succ` may work in period t only once `pred` is complete by the end of t - 1 - gap."""

    pred: int
    succ: int
    lag: float
    gap: int  # ceil(lag / step) periods


@dataclass(frozen=True)
class AnyPrecedence:
    """Stream `succ` may work in period t only once one of `members` has succeeded by the end of
    t - 1 - gap (`after = [{ any = [...] }]`)."""

    members: tuple[int, ...]
    succ: int
    lag: float
    gap: int


_WEIGHTS: dict[tuple, np.ndarray] = {}  # period weights by the exact scenarios (bytes) they come from


@dataclass
class Instance:
    """One variant of a plan as numpy arrays, ready for the MIP: S streams, R pools, H periods and
    K deadline scenarios, every series evaluated per period and every intervention applied.
    Built by `resolve`; read by the structure, the formulation, the solve pipeline and verify."""

    name: str  # "baseline" or the intervention's name
    objective: str  # "probability" | "earliest" | "value"
    start_year: int
    step: float
    starts: np.ndarray  # (H,) years from start at which each period begins
    streams: list[str]
    pools: list[str]
    supply: np.ndarray  # (R, H) FTE available
    crew: np.ndarray  # (S, R) FTE of each pool per crew unit
    productivity: np.ndarray  # (S, H) effective person-years per crew-year
    effort: np.ndarray  # (S,)
    min_duration: np.ndarray  # (S,) years, 0 = no rate cap
    max_staff: np.ndarray  # (S,) crew units, inf = no cap
    release: np.ndarray  # (S,) years
    value: np.ndarray  # (S,)
    required: np.ndarray  # (S,) bool: the goal needs this stream
    precedences: list[Precedence]
    deadline_years: np.ndarray  # (K,) scenario deadlines, years from start (after any shift)
    deadline_probs: np.ndarray  # (K,)
    has_deadline: bool
    # staffing dynamics (all off by default): see model._staffing
    contiguous: np.ndarray = _SIZED_LATER  # (S,) bool
    min_staff: np.ndarray = _SIZED_LATER  # (S,) crew units, 0 = none
    fixed_crew: np.ndarray = _SIZED_LATER  # (S,) bool
    integer_pools: np.ndarray = _SIZED_LATER  # (R,) bool: headcounts from this pool are whole people
    speedup: np.ndarray = _SIZED_LATER  # (S, H) factor on the rate cap (serial_speedup), 1 = none
    milestones: list[str] = field(default_factory=list)  # [[goals]] names
    milestone_streams: np.ndarray = _SIZED_LATER  # (M, S) bool: the streams each milestone needs
    milestone_value: np.ndarray = _SIZED_LATER  # (M,)
    # growth dynamics (off by default): see model._parallelization and model._training
    parallelization: np.ndarray = _SIZED_LATER  # (S,) progress ~ u ** a; 1 = linear
    train_pool: np.ndarray = _SIZED_LATER  # (S,) int: pool the stream trains FTE for, -1 = none
    train_per_effort: np.ndarray = _SIZED_LATER  # (S,) FTE per effective person-year of progress
    train_delay: np.ndarray = _SIZED_LATER  # (S,) years from the work to the trained FTE joining
    train_attrition: np.ndarray = _SIZED_LATER  # (S,) fraction of trained FTE lost per year
    # research bets (mip/outcomes.py): chance one attempt works, attempts allowed, `any` groups
    success: np.ndarray = _SIZED_LATER  # (S,) 1 = certain
    attempts: np.ndarray = _SIZED_LATER  # (S,) int
    any_required: list[tuple[int, ...]] = field(default_factory=list)  # goal groups: one member each
    any_after: list[AnyPrecedence] = field(default_factory=list)
    deadline: Deadline | None = None  # the plan's deadline (a preset as its percentiles), read in continuous years
    deadline_shift: float = 0.0  # years the variant moves it (already in deadline_years)
    weights: np.ndarray = field(init=False)  # (H,) P(goal must be met by the end of period t)

    def __post_init__(self) -> None:
        S, R, H = len(self.streams), len(self.pools), len(self.starts)
        for name, make, shape, kind in (  # made only when not given (resolve gives every one)
            ("contiguous", np.zeros, S, bool),
            ("min_staff", np.zeros, S, float),
            ("fixed_crew", np.zeros, S, bool),
            ("integer_pools", np.zeros, R, bool),
            ("speedup", np.ones, (S, H), float),
            ("milestone_streams", np.zeros, (0, S), bool),
            ("milestone_value", np.zeros, 0, float),
            ("parallelization", np.ones, S, float),
            ("train_pool", lambda shape, kind: np.full(shape, -1, kind), S, int),
            ("train_per_effort", np.zeros, S, float),
            ("train_delay", np.zeros, S, float),
            ("train_attrition", np.zeros, S, float),
            ("success", np.ones, S, float),
            ("attempts", np.ones, S, int),
        ):
            if getattr(self, name) is None:
                setattr(self, name, make(shape, kind))
        years, probs = self.deadline_years, self.deadline_probs
        key = (years.dtype.str, years.tobytes(), probs.dtype.str, probs.tobytes(), self.periods, float(self.step).hex())
        if (weights := _WEIGHTS.get(key)) is None:
            weights = deadlines.period_weights(years, probs, periods=self.periods, step=self.step)
            if len(_WEIGHTS) >= 256:
                _WEIGHTS.clear()
            _WEIGHTS[key] = weights
        self.weights = weights.copy()

    @property
    def periods(self) -> int:
        return len(self.starts)

    @cached_property
    def integer_staff(self) -> np.ndarray:
        """(S, R) bool: the stream's FTE from that pool must be a whole number."""
        return (self.crew > 0) & self.integer_pools[None, :]

    @cached_property
    def discrete(self) -> np.ndarray:
        """(S,) bool: streams whose staffing is not a fluid (contiguous, min_staff, fixed_crew, or
        whole people from some pool). Their last period may do more than the work left (a whole
        crew works the whole period), and the shortcuts that assume fluid work do not apply."""
        return self.contiguous | (self.min_staff > 0) | self.fixed_crew | self.integer_staff.any(axis=1)

    @cached_property
    def has_dynamics(self) -> bool:
        """Whether any stream's staffing is discrete, has diminishing returns (parallelization < 1)
        or trains FTE for a pool: then only the whole MIP decides (run.py). The fluid shortcuts
        (least-slack schedules, the earliest-start pass) assume progress = step * productivity * u
        and a fixed supply."""
        return bool(self.discrete.any() or self.diminishing.any() or self.trains.any())

    @cached_property
    def diminishing(self) -> np.ndarray:
        """(S,) bool: streams whose progress is concave in crew units (parallelization < 1)."""
        return self.parallelization < 1

    @cached_property
    def trains(self) -> np.ndarray:
        """(S,) bool: streams whose progress trains FTE for a pool (`train`)."""
        return self.train_pool >= 0

    @cached_property
    def train_lag(self) -> np.ndarray:
        """(S,) periods from the work to the trained FTE joining: ceil(delay / step), at least 1
        (people trained during a period join from a later one, never the same)."""
        return np.maximum(1, np.ceil(self.train_delay / self.step - 1e-9)).astype(int)

    @property
    def survival(self) -> np.ndarray:
        """(S,) share of trained FTE still there one period later: (1 - attrition) ** step."""
        return (1.0 - self.train_attrition) ** self.step

    @cached_property
    def supply_bound(self) -> np.ndarray:
        """(R, H) an upper bound on each pool's supply with all the training any plan can do: the
        base supply plus, from each training stream's first possible joining period on (release
        + lag), per_effort times its whole effort (progress is capped at the effort; survival is
        at most 1). Everything that uses the supply as an upper bound (staff bounds, the critical
        path, windows, big-M's) uses this, so no plan is cut off."""
        bound = self.supply.astype(float)  # a copy
        t = np.arange(self.periods)
        for i in np.flatnonzero(self.trains):
            joined = t >= self.release_period[i] + self.train_lag[i]
            bound[self.train_pool[i], joined] += self.train_per_effort[i] * self.effort[i]
        return bound

    def progress_per_unit(self, units: np.ndarray) -> np.ndarray:
        """(S, H) crew units as effective crew units: u ** parallelization (u itself where it is 1);
        a period's progress is step * productivity times this."""
        units = np.maximum(units, 0.0)  # what np.clip(units, 0.0, None) calls, without its dispatch
        if not self.diminishing.any():  # the usual case: progress is linear in crew units
            return units
        a = self.parallelization[:, None]
        with np.errstate(invalid="ignore", over="ignore"):
            return np.where(a < 1, np.power(units, a), units)

    @property
    def whole_mip(self) -> bool:
        """Whether the critical-path shortcut does not apply (run._structure_applies says what
        does): discrete staffing, diminishing returns or training (its schedules are fluid), or
        milestones (its bound does not count them)."""
        return self.has_dynamics or len(self.milestones) > 0

    @cached_property
    def own_cap(self) -> np.ndarray:
        """(S, H) crew units each stream can take from its own limits alone (rate cap, max_staff),
        ignoring supply; inf if it has none. A fixed crew works at exactly this."""
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            positive = self.productivity > 0
            cap = np.divide(self.rate_cap, self.productivity, out=np.zeros(positive.shape), where=positive)
            if self.diminishing.any():
                # the rate cap limits progress, productivity * u ** a: u <= (cap / productivity) ** (1 / a)
                a = self.parallelization[:, None]
                cap = np.where(a < 1, np.power(cap, 1.0 / a), cap)
        return np.minimum(cap, self.max_staff[:, None])

    @cached_property
    def floor(self) -> np.ndarray:
        """(S,) crew units a discrete stream needs in any period it is worked (and a contiguous one
        in every period of its run but the last): min_staff, or for a contiguous stream without
        one, one crew unit or its smallest own cap if that is less; 0 for the others."""
        own = np.where(np.isfinite(self.own_cap), self.own_cap, np.inf)
        own = np.where(own > 0, own, np.inf).min(axis=1)
        default = np.where(self.contiguous, np.minimum(1.0, own), 0.0)
        return np.where(self.min_staff > 0, self.min_staff, default)

    @cached_property
    def rate_cap(self) -> np.ndarray:
        """(S, H) effective person-years per year each stream can absorb: effort / min_duration
        (inf if 0), times any serial speed-up in that period."""
        timed = self.min_duration > 0
        base = np.divide(self.effort, self.min_duration, out=np.full(timed.shape, np.inf), where=timed)
        return base[:, None] * self.speedup

    @property
    def fewest_periods(self) -> np.ndarray:
        """(S,) the fewest periods a stream can take at its rate cap (at least 1), with the largest
        speed-up it ever gets: a bound, never more than it can really take."""
        fastest = self.speedup.max(axis=1) if self.periods else np.ones(len(self.streams))
        return np.maximum(1, np.ceil(self.min_duration / fastest / self.step - 1e-9)).astype(int)

    @cached_property
    def release_period(self) -> np.ndarray:
        """First period whose start t*step is at or after the release."""
        return np.ceil(self.release / self.step - 1e-9).astype(int)

    @cached_property
    def predecessors(self) -> list[list[Precedence]]:
        """For each stream, the precedences it must wait for."""
        out: list[list[Precedence]] = [[] for _ in self.streams]
        for p in self.precedences:
            out[p.succ].append(p)
        return out

    @cached_property
    def order(self) -> list[int]:
        """Stream indices with every predecessor (an `any` group's members too) before its
        successors (computed once per variant)."""
        before: list[list[int]] = [[] for _ in self.streams]
        for p in self.precedences:
            before[p.succ].append(p.pred)
        for a in self.any_after:
            before[a.succ] += list(a.members)
        return list(_static_order(tuple(tuple(v) for v in before)))

    @property
    def has_bets(self) -> bool:
        """Streams that may fail, or `any` groups: solved as a policy (pipeline/policy.py)."""
        return bool(self.any_required or self.any_after or (self.success < 1).any())

    @cached_property
    def pools_of(self) -> list[np.ndarray]:
        """For each stream, the pools its crew draws on."""
        pools = np.arange(self.crew.shape[1])
        return [pools[row] for row in self.crew > 0]

    @cached_property
    def staff_bound(self) -> np.ndarray:
        """(S, H) the most crew units a stream can use in a period, from its own limits and its pools
        (their supply with all possible training, `supply_bound`). Computed once per variant;
        callers that change it take a copy."""
        crew = self.crew[:, :, None]
        per_pool = np.full(crew.shape[:2] + (self.periods,), np.inf)  # inf: a pool the crew does not use
        np.divide(self.supply_bound[None, :, :], crew, out=per_pool, where=crew > 0)
        bound = np.minimum(self.own_cap, per_pool.min(axis=1))
        if (self.release_period > 0).any():
            bound[np.arange(self.periods)[None, :] < self.release_period[:, None]] = 0.0
        return bound

    @cached_property
    def max_progress(self) -> np.ndarray:
        """(S, H) the most effective progress a stream can make in a period: step * productivity *
        staff_bound ** parallelization (progress grows with crew units, so this is exact at the
        bound). The critical path, windows and progress caps use it."""
        return self.step * self.productivity * self.progress_per_unit(self.staff_bound)

    @cached_property
    def memo(self) -> dict[Any, Any]:
        """Values computed from this variant alone by other modules (structure.py), kept with it."""
        return {}


@lru_cache(maxsize=256)
def _static_order(before: tuple[tuple[int, ...], ...]) -> tuple[int, ...]:
    """A topological order of streams 0..S-1 given each one's predecessors (`Instance.order`): the
    same precedences give the same order, so a process computes it once per plan structure."""
    return tuple(TopologicalSorter(dict(enumerate(before))).static_order())
