"""The decision-analysis commands of `planner` (sweep, break-even, margins, Monte Carlo, EVPI).

`add_parsers(sub)` adds each command's sub-parser; `COMMANDS` maps its name to the function that
runs it and returns an exit code. Kept apart from cli.py so that the analysis commands grow in
their own file; like cli.py, this module imports only the standard library at the top.
"""
from __future__ import annotations

import argparse

COMMANDS: dict = {}


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add the analysis commands to the `planner` command line."""
