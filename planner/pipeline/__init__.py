"""The solve pipeline: a Model session, the goal-period search, levels, polish, continuous time, result assembly."""
