"""Values per period: pool supplies and stream productivities, from numbers, lists, growth or CSV."""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Generator, Iterable
from pathlib import Path

import numpy as np

from planner.errors import PlanError
from planner.files import text_lines
from planner.plan.schema import FileColumn, Growth

GROWTH_LIMIT = 1e12
MAX_ROWS = 100_000
"""Data rows a CSV series may have: one a year covers a thousand centuries. The file is read and
checked row by row, so a bad row (or one past this limit) stops the read there."""


def period_starts(horizon: float, step: float) -> np.ndarray:
    """Years from the plan's start at which each period begins: t * step."""
    h = max(1, math.ceil(horizon / step - 1e-9))
    return np.arange(h) * step


def evaluate(
    spec: float | list[float] | Growth | FileColumn,
    starts: np.ndarray,
    *,
    start_year: int,
    base_dir: Path,
    data_dirs: tuple[Path, ...],
    file: str | None,
    table: str,
    key: str,
) -> np.ndarray:
    """One value per period for a supply or productivity spec (docs/plan-file.md, the `supply`
    and `productivity` keys)."""
    if isinstance(spec, (int, float)):
        return np.full(len(starts), float(spec))
    if isinstance(spec, list):
        values = np.asarray(spec, dtype=float)
        idx = np.minimum(np.arange(len(starts)), len(values) - 1)  # the last value repeats
        return values[idx]
    if isinstance(spec, Growth):
        # The exponent is bounded so that a long horizon with strong growth caps instead of overflowing.
        with np.errstate(over="ignore"):
            v = spec.start * np.power(1.0 + spec.growth, starts)
        # Uncapped growth over centuries overflows; past 1e12 FTE supply is unlimited in effect.
        v = np.minimum(np.nan_to_num(v, nan=GROWTH_LIMIT, posinf=GROWTH_LIMIT), GROWTH_LIMIT)
        return np.minimum(v, spec.cap) if spec.cap is not None else v
    if isinstance(spec, FileColumn):
        if "\0" in spec.file:
            raise PlanError(
                f"{spec.file!r} holds a NUL character, which no file name can",
                file=file,
                table=table,
                key=f"{key}.file",
            )
        path = (base_dir / spec.file).resolve()
        if not any(path.is_relative_to(d) for d in data_dirs):
            raise PlanError(
                f"{spec.file} is outside the folders a plan may read "
                f"({', '.join(str(d) for d in data_dirs[:2])}); allow its folder explicitly "
                "with --allow-dir (or load(..., allow_dirs=...))",
                file=file,
                table=table,
                key=f"{key}.file",
            )
        years, values = read_column(path, spec.column, file=file, table=table, key=key)
        at = start_year + starts
        pos = np.searchsorted(years, at + 1e-9, side="right") - 1  # latest row at or before
        if pos[0] < 0:
            raise PlanError(
                f"{spec.file} has no row at or before {at[0]:g}, the first period's start",
                file=file,
                table=table,
                key=f"{key}.file",
            )
        return values[pos]
    raise TypeError(f"not a series: {spec!r}")


def read_column(path: Path, column: str, *, file: str | None, table: str, key: str) -> tuple[np.ndarray, np.ndarray]:
    """(years, values) of one numeric column of a CSV with a `year` column; '#' lines are comments.

    The header must name each column once and every row must have one cell per column: a short or
    long row means its cells have shifted, and a number read from the wrong column is worse than
    an error. Messages give the file's own line numbers."""

    def fail(msg: str, k: str = "file") -> PlanError:
        return PlanError(f"{path}: {msg}", file=file, table=table, key=f"{key}.{k}")

    line_numbers: list[int] = []  # of the lines handed to the csv reader, so rows can be named

    def data_lines() -> Generator[str, None, None]:
        for n, line in enumerate(text_lines(path), 1):
            if line.strip() and not line.lstrip().startswith("#"):
                line_numbers.append(n)
                yield line

    lines = data_lines()
    try:
        reader = csv.reader(lines)
        header = next(reader, None)
        if header is None:
            raise fail("no data rows")
        header_line = line_numbers[-1]
        return _check_rows(header_line, header, ((line_numbers[-1], row) for row in reader), column, fail)
    except FileNotFoundError:
        raise fail("no such file") from None
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise fail(f"cannot read: {e}") from None
    finally:
        lines.close()


def _check_rows(
    header_line: int,
    header: list[str],
    rows: Iterable[tuple[int, list[str]]],
    column: str,
    fail: Callable[..., PlanError],
) -> tuple[np.ndarray, np.ndarray]:
    """Each row checked as it is read: the first bad one stops the read."""
    for j, name in enumerate(header):
        if name in header[:j]:
            raise fail(f"line {header_line}: column '{name}' appears twice in the header")
    for col, k in (("year", "file"), (column, "column")):
        if col not in header:
            raise fail(f"no column '{col}' (columns: {', '.join(header)})", k)
    iy, iv = header.index("year"), header.index(column)
    years: list[float] = []
    values: list[float] = []
    for line, row in rows:
        if len(years) == MAX_ROWS:
            raise fail(f"line {line}: more than {MAX_ROWS:,} data rows (one a year covers any horizon)")
        if len(row) > len(header):
            raise fail(
                f"line {line}: {len(row)} cells for {len(header)} columns (an extra cell after column '{header[-1]}')"
            )
        if len(row) < len(header):
            raise fail(f"line {line}: no cell for column '{header[len(row)]}'")
        y_text, v_text = row[iy], row[iv]
        try:
            y, v = float(y_text), float(v_text)
        except ValueError:
            raise fail(f"line {line}: year '{y_text}', {column} '{v_text}' is not a number", "column") from None
        if not abs(y) <= 1e6:
            raise fail(f"line {line}: year {y_text} is not a calendar year", "file")
        if not 0 <= v <= 1e12:
            raise fail(f"line {line}: {column} must be a finite number >= 0 and at most 1e12, got {v_text}", "column")
        years.append(y)
        values.append(v)
    if not years:
        raise fail("no data rows")
    order = np.argsort(years, kind="stable")
    years_a = np.asarray(years)[order]
    if np.any(np.diff(years_a) == 0):
        raise fail(f"year {years_a[np.flatnonzero(np.diff(years_a) == 0)[0]]:g} appears twice")
    return years_a, np.asarray(values)[order]
