"""Test-session set-up shared by every test file, and the fixtures many of them use.

Paths (ROOT, TOY, LOGNORMAL, FIELD, MODELS) and small-plan builders live in tests/plans.py, chart
checks in tests/chartcheck.py: plain modules a test imports by name."""
import signal

import pytest

from plans import LOGNORMAL, TOY

# Several tests send SIGINT (Ctrl-C) to a `planner` child process. A shell that starts a job in the
# background (`cmd &`) starts it with SIGINT ignored, and an ignored signal stays ignored across
# exec, so those children would never see the Ctrl-C. A handler of our own is reset to the default
# on exec instead, so every child starts as it would from a terminal.
signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="module")
def toy():
    """The toy plan (models/serial_parallel_toy.toml), loaded once per test module."""
    import planner
    return planner.load(TOY)


@pytest.fixture(scope="module")
def lognormal():
    """The lognormal-deadline toy, loaded once per test module."""
    import planner
    return planner.load(LOGNORMAL)
