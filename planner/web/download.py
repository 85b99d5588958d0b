"""The "download plan" link: the plan on screen as a TOML plan file, the page's changes written in.

The file is the changed plan's data as `Plan.with_changes` validated it (every key a plan file
may hold, defaults written out), so `planner.load` of it gives the plan the page solved. A data
file it names (`{ file, column }`) is written as the plan named it, relative to the original
plan's folder: the header says to keep the file beside the original.
"""

from __future__ import annotations

import tomli_w

from planner.plan.paths import plan_data
from planner.plan.schema import Plan
from planner.web.changes import State, value_text
from planner.web.views import comment_safe


def plan_toml(base: Plan, state: State) -> str:
    """The state's plan as TOML, with a header naming the original and listing the changes."""
    origin = base.source.name if base.source else "a plan built in Python"
    lines = [f"# Written by `planner serve` from {comment_safe(origin)}, with these changes:"]
    changes = [f"#   {comment_safe(p)} = {comment_safe(value_text(v))}" for p, v in state.changes.items()]
    lines += changes or ["#   (none)"]
    lines.append("# Data files (if any) are named relative to the original plan's folder: keep this file beside it.")
    return "\n".join(lines) + "\n\n" + tomli_w.dumps(plan_data(state.plan))
