"""An imported RCPSP plan as a TOML file: a comment that says where the instance comes from and
what is known of it, then the plan dict as TOML (written by tomli_w, which loads back to the same
dict), so that `planner import-psplib` leaves a plan file a person can read and edit."""

from __future__ import annotations

from pathlib import Path

import tomli_w

from planner.rcpsp.psplib import Rcpsp, instance_name


def header_comment(rcpsp: Rcpsp, optimum: int | None = None, horizon: int | None = None) -> str:
    """The comment at the top of an imported plan: where it comes from and what is known of it."""
    name = instance_name(rcpsp.source) if rcpsp.source else "(unnamed)"
    lines = [
        f"PSPLIB instance {name} ({rcpsp.source}), imported by `planner import-psplib`.",
        "Source: Kolisch & Sprecher (1996), PSPLIB - A project scheduling library, EJOR 96:205-216.",
        f"{rcpsp.n - 2 if rcpsp.n >= 2 else rcpsp.n} jobs (besides the dummy source and sink), "
        f"{len(rcpsp.capacities)} renewable resources; one year = one period.",
        f"Critical-path lower bound: {rcpsp.critical_path_length()}.",
    ]
    if horizon is not None:
        lines.append(f"Horizon {horizon}: the makespan of a serial schedule-generation pass (latest finish first).")
    lines.append(
        f"Published optimum makespan: {optimum}."
        if optimum is not None
        else "Published optimum makespan: not known here."
    )
    return "\n".join(lines)


def to_toml(data: dict, comment: str = "") -> str:
    """TOML text for a plan dict, each line of `comment` a `#` line above it. A value TOML cannot
    hold (None, an object) is a TypeError."""
    head = [f"# {line}".rstrip() for line in comment.splitlines()]
    body = tomli_w.dumps(data)
    return "\n".join(head) + "\n\n" + body if head else body


def write_toml(data: dict, path: str | Path, *, comment: str = "") -> None:
    """Write a plan dict as TOML (atomically: a failed write leaves no half-written plan)."""
    from planner.files import write_atomic

    write_atomic(Path(path), to_toml(data, comment))
