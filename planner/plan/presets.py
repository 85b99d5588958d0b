"""The named presets a plan may use instead of typing a forecast or an exponent (docs/presets.md):
deadline presets (published AGI-timeline forecasts) and parallelization presets (published
diminishing-returns exponents), read once from `presets.toml` beside this module.

A deadline preset holds its points as published, in calendar years. `deadline_points` converts them
to the years after a plan's start_year that `{ kind = "percentiles" }` takes: points at or before
start_year are dropped (the probabilities at the later years stay as published, not conditioned on
"nothing before start_year"), and the mass after the last point is "no deadline within the
horizon", as for any percentiles table.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from planner.errors import PlanError

KINDS = ("deadline", "parallelization")


@dataclass(frozen=True)
class Preset:
    """One preset: its name, what it is (`kind`), its source and date, and its numbers."""

    kind: str
    name: str
    title: str
    source: str
    url: str
    published: str
    what: str  # deadline: what is forecast (AGI, HLMI, ...); parallelization: what the value measures
    derived: str  # which numbers are the project's reading rather than the source's own ('' = none)
    caveat: str = ""
    base_year: int | None = None  # deadline: the year the forecast was made
    points: tuple[tuple[float, float], ...] = ()  # deadline: (calendar year, P(arrival by then))
    value: float | None = None  # parallelization: the exponent as a point
    beta: tuple[float, float] | None = None  # parallelization: Beta(a, b) when the source samples it

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "name": self.name,
            "title": self.title,
            "source": self.source,
            "url": self.url,
            "published": self.published,
            ("forecasts" if self.kind == "deadline" else "measures"): self.what,
            "derived": self.derived,
            "caveat": self.caveat,
        }
        if self.kind == "deadline":
            out |= {"base_year": self.base_year, "points": [list(p) for p in self.points]}
        else:
            out |= {"value": self.value, "beta": list(self.beta) if self.beta else None}
        return out


@functools.cache
def registry() -> dict[str, dict[str, Preset]]:
    """{kind: {name: Preset}}, read from the packaged presets.toml once per process."""
    data = tomllib.loads(resources.files("planner.plan").joinpath("presets.toml").read_text(encoding="utf-8"))
    out: dict[str, dict[str, Preset]] = {}
    for kind in KINDS:
        out[kind] = {}
        for name, row in data[kind].items():
            common = dict(
                kind=kind,
                name=name,
                title=row["title"],
                source=row["source"],
                url=row.get("url", ""),
                published=row["published"],
                derived=row.get("derived", ""),
                caveat=row.get("caveat", ""),
            )
            if kind == "deadline":
                points = tuple((float(y), float(p)) for y, p in row["points"])
                out[kind][name] = Preset(**common, what=row["forecasts"], base_year=row["base_year"], points=points)
            else:
                beta = tuple(row["beta"]) if "beta" in row else None
                out[kind][name] = Preset(**common, what=row["measures"], value=float(row["value"]), beta=beta)
    return out


def names(kind: str) -> list[str]:
    return list(registry()[kind])


def unknown(kind: str, name: object) -> str | None:
    """Why `name` is not a preset of `kind` (naming the known ones), or None when it is one."""
    if isinstance(name, str) and name in registry()[kind]:
        return None
    return f"unknown {kind} preset {name!r} (known: {', '.join(names(kind))}; see `planner presets`)"


def get(
    kind: str, name: object, *, file: str | None = None, table: str | None = None, key: str | None = None
) -> Preset:
    """The preset `name` of `kind`; a one-line PlanError naming the file, table and key and listing
    the known names when there is none."""
    problem = unknown(kind, name)
    if problem:
        raise PlanError(problem, file=file, table=table, key=key)
    return registry()[kind][str(name)]


def deadline_points(name: str, start_year: float) -> list[list[float]]:
    """The preset's points as [years after start_year, probability], the points at or before
    start_year left out. A ValueError when none is left (the forecast lies wholly in the past)."""
    preset = get("deadline", name)
    kept = [[year - start_year, p] for year, p in preset.points if year > start_year]
    if not kept:
        raise ValueError(
            f"preset '{name}' has no point after start_year {start_year:g} (its last is "
            f"{preset.points[-1][0]:g}); use a later forecast or an earlier start_year"
        )
    return kept


def uncertainty_spec(name: object, *, file: str | None = None, key: str = "") -> dict[str, Any]:
    """`{ preset = "aifm" }` in [uncertainty] as the distribution montecarlo samples: the preset's
    Beta(a, b) when its source samples one, else its value as a one-value choice."""
    preset = get("parallelization", name, file=file, table="[uncertainty]", key=key)
    if preset.beta is not None:
        return {"kind": "beta", "alpha": preset.beta[0], "beta": preset.beta[1]}
    return {"kind": "choice", "values": [preset.value]}


def expand_uncertainty(table: dict[str, Any] | None, *, file: str | None = None) -> dict[str, Any] | None:
    """An [uncertainty] table with every `{ preset = "NAME" }` replaced by its distribution
    (`uncertainty_spec`); nested tables (TOML's unquoted dotted keys) are followed down."""
    if not table:
        return table

    def walk(node: dict[str, Any], prefix: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in node.items():
            path = f"{prefix}.{k}" if prefix else k
            if isinstance(v, dict) and set(v) == {"preset"}:
                out[k] = uncertainty_spec(v["preset"], file=file, key=path)
            elif isinstance(v, dict) and "kind" not in v:
                out[k] = walk(v, path)
            else:
                out[k] = v
        return out

    return walk(table, "")


def used(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(where, kind, name) of every preset a plan's data names: the deadline, each stream's
    parallelization, and [uncertainty] entries."""
    found: list[tuple[str, str, str]] = []
    dist = (data.get("deadline") or {}).get("distribution")
    if isinstance(dist, dict) and "preset" in dist:
        found.append(("[deadline] distribution", "deadline", str(dist["preset"])))
    for s in data.get("streams") or []:
        a = s.get("parallelization") if isinstance(s, dict) else None
        if isinstance(a, dict) and "preset" in a:
            found.append((f'[[streams]] "{s.get("name")}" parallelization', "parallelization", str(a["preset"])))

    def walk(node: dict[str, Any], prefix: str) -> None:
        for k, v in node.items():
            path = f"{prefix}.{k}" if prefix else k
            if isinstance(v, dict) and set(v) == {"preset"}:
                found.append((f"[uncertainty] {path}", "parallelization", str(v["preset"])))
            elif isinstance(v, dict) and v.get("kind") == "choice" and isinstance(v.get("values"), list):
                kind = "deadline" if path.startswith("deadline") else "parallelization"
                for choice in v["values"]:
                    if isinstance(choice, dict) and "preset" in choice:
                        found.append((f"[uncertainty] {path} (a choice)", kind, str(choice["preset"])))
            elif isinstance(v, dict) and "kind" not in v:
                walk(v, path)

    walk(data.get("uncertainty") or {}, "")
    return found
