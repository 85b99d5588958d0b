"""What a result looks like to a person: terminal tables (`terminal`); charts (`schedule_charts`
for the Gantt chart and staffing, `comparison_charts`, `analysis_charts`, `charts` for a chart by
kind name); and a whole report (`html_report`, `markdown_report`, from `sections` and
`assumptions`). `words` puts every number in the same words everywhere."""

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
