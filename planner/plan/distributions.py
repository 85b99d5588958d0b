"""The plan values that are distributions or name a preset: a deadline's distribution (lognormal,
percentiles, or a published forecast's preset) and a stream's parallelization preset. Part of the
schema (planner/plan/schema.py imports them from here); the presets' numbers live in
planner/plan/presets.py.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from annotated_types import Gt, Le, Len
from pydantic import Discriminator, Tag, field_validator, model_validator

from planner.plan.base import Pair, Positive, Table
from planner.plan.presets import deadline_points
from planner.plan.presets import get as get_preset
from planner.plan.presets import unknown as unknown_preset


class Lognormal(Table):
    kind: Literal["lognormal"]
    median: Positive
    sigma: Annotated[float, Gt(0), Le(100)]


class Percentiles(Table):
    kind: Literal["percentiles"]
    points: Annotated[list[Pair], Len(1)]

    @model_validator(mode="after")
    def _monotone(self) -> Percentiles:
        prev_x, prev_p = 0.0, 0.0
        for k, (x, p) in enumerate(self.points, 1):
            if not x > prev_x:
                raise ValueError(f"points[{k}]: years must be positive and increasing, got {x:g}")
            if not prev_p <= p <= 1:
                raise ValueError(f"points[{k}]: probabilities must be non-decreasing within [0, 1], got {p:g}")
            prev_x, prev_p = x, p
        return self


class _Preset(Table):
    """A table that names a preset of one kind (`KIND`); an unknown name is refused, naming the known ones."""

    KIND: ClassVar[str]
    preset: str

    @field_validator("preset")
    @classmethod
    def _known(cls, name: str) -> str:
        problem = unknown_preset(cls.KIND, name)
        if problem:
            raise ValueError(problem)
        return name


class DeadlinePreset(_Preset):
    """`distribution = { preset = "NAME" }`: a published forecast's percentile points in calendar
    years (planner/plan/presets.py), turned into a `Percentiles` table for the plan's start_year by
    planner/instance/deadlines.py."""

    KIND = "deadline"

    def percentiles(self, start_year: float) -> Percentiles:
        """The preset as percentiles in years after `start_year` (points before it dropped)."""
        return Percentiles(kind="percentiles", points=deadline_points(self.preset, start_year))


def _distribution_kind(v: Any) -> str | None:
    if isinstance(v, DeadlinePreset) or (isinstance(v, dict) and "preset" in v and "kind" not in v):
        return "~preset"
    kind = v.get("kind") if isinstance(v, dict) else getattr(v, "kind", None)
    return {"lognormal": "~lognormal", "percentiles": "~percentiles"}.get(str(kind))


Distribution = Annotated[
    Annotated[Lognormal, Tag("~lognormal")]
    | Annotated[Percentiles, Tag("~percentiles")]
    | Annotated[DeadlinePreset, Tag("~preset")],
    Discriminator(
        _distribution_kind,
        custom_error_type="distribution",
        custom_error_message="'kind' must be \"lognormal\" or \"percentiles\", or give 'preset' (planner presets)",
    ),
]


class ParallelizationPreset(_Preset):
    """`parallelization = { preset = "NAME" }`: a published exponent (planner/plan/presets.py)."""

    KIND = "parallelization"

    @property
    def value(self) -> float:
        value = get_preset("parallelization", self.preset).value
        assert value is not None  # every parallelization preset has its point value
        return value


Parallelization = Annotated[
    Annotated[Annotated[float, Gt(0), Le(1)], Tag("~number")] | Annotated[ParallelizationPreset, Tag("~preset")],
    Discriminator(lambda v: "~preset" if isinstance(v, (dict, ParallelizationPreset)) else "~number"),
]
