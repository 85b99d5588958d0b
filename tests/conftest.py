"""Test-session set-up shared by every test file."""
import signal

# Several tests send SIGINT (Ctrl-C) to a `planner` child process. A shell that starts a job in the
# background (`cmd &`) starts it with SIGINT ignored, and an ignored signal stays ignored across
# exec, so those children would never see the Ctrl-C. A handler of our own is reset to the default
# on exec instead, so every child starts as it would from a terminal.
signal.signal(signal.SIGINT, signal.default_int_handler)
