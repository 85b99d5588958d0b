"""Decision analysis on top of single solves: compare (baseline against each intervention),
sweep (a grid of changed values), breakeven (where an intervention stops losing), margins (what a
year and a researcher are worth), montecarlo (uncertain inputs), evpi (value of timeline information).

Each is a library function returning a typed result with `to_frame()` / `to_dict()`; the CLI
commands in planner/cli/analysis_cmds.py print them. Only `compare` is imported eagerly.
"""

from __future__ import annotations

from planner.analysis.compare import compare

__all__ = ["compare"]
