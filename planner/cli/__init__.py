"""The `planner` command: argument parsing, one function per command, exit codes."""

from __future__ import annotations

from planner.cli.main import main

__all__ = ["main"]
