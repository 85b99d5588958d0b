"""The published optimum (or bounds) of PSPLIB instances, read from the CSV tables kept beside
them, so that an imported plan and a benchmark can say how far a makespan is from the best known."""

from __future__ import annotations

import csv
from pathlib import Path

from planner.rcpsp.psplib import SUFFIX, instance_name


def read_optima(folder: str | Path) -> dict[str, dict]:
    """Published figures from the CSV files in `folder`: {instance: {"optimum", "lb", "ub"}}.
    Reads `*optimum*.csv` (`problem,optimum`, from ptal/kobe-scheduling; all proven) and the UGent
    best-known tables (`*bks*.csv`: semicolon-separated, latin-1, a header row starting with
    'ID;'; columns 'LB value', 'UB value', 'OPT value', the last empty while open)."""
    folder = Path(folder)
    found: dict[str, dict] = {}
    for f in sorted(folder.glob("*bks*.csv")):
        rows = f.read_text(encoding="latin-1").splitlines()
        start = next((k for k, r in enumerate(rows) if r.startswith("ID;")), None)
        if start is None:
            continue
        for rec in csv.DictReader(rows[start:], delimiter=";"):
            ref = (rec.get("Ref1") or "").strip()
            if not ref.endswith(SUFFIX):  # the notes and references below the table
                continue
            name = instance_name(ref)
            lb, ub, opt = (_int(rec.get(c)) for c in ("LB value", "UB value", "OPT value"))
            opt = opt if opt else None  # an open instance has OPT value 0
            if name:
                found[name] = {
                    "optimum": opt if opt is not None else (lb if lb is not None and lb == ub else None),
                    "lb": lb,
                    "ub": ub,
                }
    for f in sorted(folder.glob("*optimum*.csv")):
        with f.open(encoding="utf-8", newline="") as fh:
            for rec in csv.DictReader(fh):
                name, opt = instance_name((rec.get("problem") or "").strip()), _int(rec.get("optimum"))
                if name and opt is not None:
                    found[name] = {"optimum": opt, "lb": opt, "ub": opt}
    return found


def _int(text: object) -> int | None:
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return None


def published(path: str | Path) -> dict | None:
    """The published figures for the instance at `path`, from CSV files in its folder or the folder
    above (the layout of ../shared/psplib and tests/data/psplib), or None."""
    path = Path(path)
    for folder in (path.parent, path.parent.parent):
        try:
            figures = read_optima(folder).get(instance_name(path))
        except (OSError, UnicodeDecodeError, csv.Error):
            continue
        if figures:
            return figures
    return None


def published_optimum(path: str | Path) -> int | None:
    figures = published(path)
    return figures["optimum"] if figures else None
