"""The chart for a kind's name, as `planner chart --kind` asks for it. The charts themselves:
`schedule_charts` (the Gantt chart and staffing), `comparison_charts` (variants and the deadline
CDF), `analysis_charts` (sweep, break-even, Monte Carlo, tornado)."""

from __future__ import annotations

from matplotlib.figure import Figure

from planner.report.comparison_charts import comparison_chart, deadline_chart
from planner.report.schedule_charts import schedule_chart, staffing_chart
from planner.result import Comparison

KINDS = ("schedule", "staffing", "comparison", "deadline")


def chart(kind: str, c: Comparison, variant: str | None = None) -> Figure:
    """The chart `kind` for a comparison (schedule and staffing: of `variant`, default the baseline)."""
    if kind in ("schedule", "staffing"):
        r = next((x for x in c.results() if x.variant == (variant or "baseline")), None)
        if r is None or r.allocation is None:
            raise ValueError(f"variant '{variant or 'baseline'}' has no schedule to draw")
        return schedule_chart(r) if kind == "schedule" else staffing_chart(r)
    if kind == "comparison":
        return comparison_chart(c)
    if kind == "deadline":
        return deadline_chart(c)
    raise ValueError(f"unknown chart kind '{kind}' (one of {', '.join(KINDS)})")
