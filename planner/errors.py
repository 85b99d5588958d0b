"""Errors a user can act on. The CLI turns each into one message and an exit code, never a traceback."""

from __future__ import annotations


class PlannerError(Exception):
    """Base class: a problem the user can fix; `exit_code` is what the CLI returns."""

    exit_code = 1


class PlanError(PlannerError):
    """The plan (or a data file it names) is invalid. Names the file, the table and the key."""

    exit_code = 2

    def __init__(
        self, message: str, *, file: str | None = None, table: str | None = None, key: str | None = None
    ) -> None:
        self.file, self.table, self.key, self.detail = file, table, key, message
        where = ": ".join(p for p in (file, table, f"key '{key}'" if key else None) if p)
        super().__init__(f"{where}: {message}" if where else message)


class UsageError(PlannerError, ValueError):
    """A command-line or library argument is wrong (an unknown solver option, an output file type,
    a negative time limit, `solve(None)`). The one exception type for every bad argument: the
    library checks its arguments at its boundary and the CLI calls the same checks."""

    exit_code = 2


class NoSolutionError(PlannerError):
    """The solver found no plan: infeasible, or nothing found within the time limit."""

    exit_code = 3


class VerificationError(PlannerError):
    """A schedule returned by the solver broke a rule of the model. This is a bug, never a result."""

    exit_code = 4
