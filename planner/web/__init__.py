"""The interactive page of `planner serve` (docs/web.md): a small Starlette app with htmx and
server-rendered SVG charts, for one plan. Needs the `web` extra (`pip install -e '.[web]'`);
nothing else in planner imports this package, so `import planner` and the other commands never
load Starlette.

`app.py` the routes, `changes.py` the state (the `PATH=VALUE` changes) and what it may touch,
`controls.py` the controls read from the plan, `views.py` the HTML, `solving.py` the solves (worker
threads, time limits, the cache), `analyses.py` Monte Carlo and break-even, `download.py` the
plan as TOML."""
