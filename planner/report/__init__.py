"""What a result looks like to a person: terminal tables (`terminal`), charts (`charts`), and a
whole HTML or Markdown report (`document`)."""

from __future__ import annotations

from planner.report.terminal import (
    pools_table,
    print_comparison,
    print_result,
    print_robustness,
    schedule_table,
    schedule_tables,
    streams_table,
)

__all__ = [
    "print_result",
    "print_comparison",
    "print_robustness",
    "schedule_table",
    "schedule_tables",
    "streams_table",
    "pools_table",
]
