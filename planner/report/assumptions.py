"""The plan's inputs as a report shows them: one row per pool, stream, deadline and intervention,
each value in words with where it comes from (a data file, a source the plan's comments cite, or
the plan's own assumption), and the plan file's opening notes."""

from __future__ import annotations

import re
from pathlib import Path

from planner.plan.presets import Preset
from planner.plan.presets import get as get_preset
from planner.plan.schema import (
    DeadlinePreset,
    FileColumn,
    Growth,
    Lognormal,
    ParallelizationPreset,
    Plan,
    Span,
    Supply,
    SupplyChange,
)
from planner.report.words import plural


def plan_notes(plan: Plan) -> str:
    """The plan file's opening comment block: where its authors say what is sourced and what is not."""
    if plan.source is None or not Path(plan.source).is_file():
        return ""
    lines = []
    for line in Path(plan.source).read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].removeprefix(" "))
    return "\n".join(lines).strip()


CITATION = re.compile(r"sourc|data/|\b[A-Z][A-Za-z]+(?: et al\.?)? \(?(?:19|20)\d\d\b")


def _sourced_tables(plan: Plan) -> dict[tuple[str, int], str]:
    """(table kind, index) -> the comment that cites a source for it. A comment block directly
    above a table applies to it and to the tables of the same kind that follow without a comment
    of their own; a SOURCED section in the file's opening notes that names a kind ("Pools",
    "Deadline") applies to every table of that kind. A value's source is whatever its author wrote."""
    if plan.source is None or not Path(plan.source).is_file():
        return {}
    lines = Path(plan.source).read_text(encoding="utf-8").splitlines()
    notes = plan_notes(plan)
    section = re.search(r"SOURCED[^\n]*\n(.*?)(?:\n\s*\n|\n[A-Z ]{6,}[:(]|\Z)", notes, re.S)
    sourced_kinds = {
        k
        for k in ("pools", "deadline", "streams")
        if section and re.search(rf"\b{k.rstrip('s')}", section.group(1), re.I)
    }
    out: dict[tuple[str, int], str] = {}
    counts: dict[str, int] = {}
    block: list[str] = []
    carried: dict[str, str] = {}
    in_notes = True
    for line in lines:
        text = line.strip()
        if in_notes and text.startswith("#"):
            continue
        in_notes = False
        m = re.match(r"\[\[?(\w+)\]?\]", text)
        if m:
            kind = m.group(1)
            k = counts[kind] = counts.get(kind, 0) + 1
            comment = " ".join(block)
            if comment:
                carried[kind] = comment if CITATION.search(comment) else ""
            if carried.get(kind):
                out[(kind, k)] = carried[kind]
            elif kind in sourced_kinds:
                out[(kind, k)] = "the plan's notes"
            block = []
        elif text.startswith("#"):
            block.append(text.lstrip("# "))
        elif not text:
            continue
        else:
            block = []
    return out


def _supply(value: Supply) -> tuple[str, bool]:
    """A pool's supply in words, and whether it comes from a data file (sourced)."""
    if isinstance(value, (int, float)):
        return f"{value:g} FTE every year", False
    if isinstance(value, list):
        return f"{len(value)} yearly values, {value[0]:g} to {value[-1]:g} FTE (the last repeats)", False
    if isinstance(value, FileColumn):
        return f"column '{value.column}' of {value.file}", True
    assert isinstance(value, Growth)  # the last of the four kinds a supply is
    cap = f", at most {value.cap:g}" if value.cap is not None else ""
    return f"{value.start:g} FTE, growing {value.growth:.0%} a year{cap}", False


def preset_source(preset: Preset) -> str:
    """A preset's source and publication date, as the assumptions table's source column gives it."""
    return f"sourced: preset {preset.name}, {preset.source} (published {preset.published})"


def assumptions(plan: Plan) -> list[tuple[str, str, str, str]]:
    """(what, name, value in words, source) rows of the plan's inputs."""
    hdr = plan.plan
    rows = [
        (
            "plan",
            "start",
            f"the start of {hdr.start_year}; {plural(hdr.horizon, 'year')} modelled in "
            f"periods of {plural(hdr.step, 'year')}",
            "plan file",
        ),
        ("plan", "objective", hdr.objective, "plan file"),
    ]
    cited = _sourced_tables(plan)

    def source(kind: str, k: int, data_file: bool = False) -> str:
        if data_file:
            return "sourced: data file"
        return "sourced: see the plan's notes" if (kind, k) in cited else "plan file (an assumption)"

    for k, q in enumerate(plan.pools, 1):
        text, sourced = _supply(q.supply)
        rows.append(("pool", q.name, text, source("pools", k, sourced)))
    for k, s in enumerate(plan.streams, 1):
        crew = ", ".join(f"{v:g} {k}" for k, v in s.crew_units.items())
        prod = s.productivity if isinstance(s.productivity, (int, float)) else "per-year list"
        parts = [
            f"{s.effort:g} effective person-years",
            f"crew: {crew} FTE per unit",
            f"at least {plural(s.min_duration, 'year')}" if s.min_duration else "no minimum duration",
            f"productivity {prod}",
        ]
        if s.release:
            parts.append(f"not before {hdr.start_year + s.release:g}")
        par = s.parallelization
        if isinstance(par, ParallelizationPreset):
            parts.append(f"parallelization {s.exponent:g} (preset {par.preset})")
        elif par != 1:
            parts.append(f"parallelization {par:g}")
        if s.after:
            parts.append(
                "after "
                + ", ".join(a.stream + (f" (+{plural(a.lag, 'year')})" if a.lag else "") for a in s.predecessors)
            )
        where = (
            preset_source(get_preset("parallelization", par.preset))
            if isinstance(par, ParallelizationPreset)
            else source("streams", k)
        )
        rows.append(("stream", s.name, "; ".join(parts), where))
    d = plan.deadline
    if d is not None:
        dist = d.distribution
        where = source("deadline", 1)
        years = d.years if d.years is not None else None if d.year is None else d.year - hdr.start_year
        if years is not None:
            text = f"the start of {hdr.start_year + years:g} ({plural(years, 'year')} from the start)"
        elif d.scenarios is not None:
            text = "; ".join(f"{hdr.start_year + y:g} with probability {p:g}" for y, p in d.scenarios)
        elif isinstance(dist, Lognormal):
            text = f"lognormal, median {hdr.start_year + dist.median:g}, sigma {dist.sigma:g}"
        elif isinstance(dist, DeadlinePreset):
            preset = get_preset("deadline", dist.preset)
            text = f"{preset.what} forecast, CDF through " + ", ".join(
                f"P(by {hdr.start_year + y:g}) = {p:g}" for y, p in dist.percentiles(hdr.start_year).points
            )
            where = preset_source(preset)
        else:  # a deadline has exactly one of the four (schema.Deadline): here, percentiles
            assert dist is not None
            text = "CDF through " + ", ".join(f"P(by {hdr.start_year + y:g}) = {p:g}" for y, p in dist.points)
        rows.append(("deadline", "AGI arrival", text, where))
    for iv in plan.interventions:
        parts = [f"deadline {iv.deadline_shift:+g} years"] if iv.deadline_shift else []
        for speedup in iv.serial_speedup:
            parts.append(
                f"serial time of {', '.join(speedup.streams)} compressed x{speedup.factor:g}"
                + _window(speedup, hdr.start_year)
            )
        for ch in iv.supply:
            parts.append(
                f"{ch.pool} supply x{ch.multiply:g}"
                + _lifted_cap(plan, ch)
                + (f" {ch.add:+g} FTE" if ch.add else "")
                + _window(ch, hdr.start_year)
            )
        for change in iv.productivity:
            parts.append(
                f"productivity of {', '.join(change.streams)} x{change.multiply:g}"
                + (f" {change.add:+g}" if change.add else "")
                + _window(change, hdr.start_year)
            )
        text = "; ".join(parts) or "no change"
        if iv.choose and iv.levels is not None:  # the schema asks a choosing intervention for its levels
            text = f"per unit: {text}; the plan chooses among {', '.join(f'{x:g}' for x in iv.levels)} units"
        elif iv.units != 1:
            text = f"per unit: {text}; {iv.units:g} units"
        rows.append(("intervention", iv.name, text, "plan file (an assumption)"))
    return rows


def _lifted_cap(plan: Plan, ch: SupplyChange) -> str:
    """A multiply scales the supply after its cap, so the cap moves too: say so where it has one."""
    pool = next((q for q in plan.pools if q.name == ch.pool), None)
    cap = getattr(pool.supply, "cap", None) if pool is not None else None
    if cap is None or ch.multiply == 1:
        return ""
    return f" (its cap too: {cap:g} becomes {cap * ch.multiply:g} FTE)"


def _window(ch: Span, y0: int) -> str:
    """' from 2030 until 2035' for a change over part of the horizon; '' for all of it."""
    if not ch.from_year and ch.until_year is None:
        return ""
    until = "" if ch.until_year is None else f" until {y0 + ch.until_year:g}"
    return f" from {y0 + ch.from_year:g}{until}"
