"""The web app of `planner serve`: a Starlette app for one plan, read once at start and never
written. Every request carries the whole state (the `PATH=VALUE` changes, as `?set=` items or the
controls' fields), so the server keeps nothing per tab; htmx swaps the answer in, drops a
request a newer change supersedes (`hx-sync="this:replace"`) and keeps the address bar on the
state (`HX-Replace-Url`). Every asset is served here (htmx from static/): no CDN.

Routes: `/` the page; `/answer` the answer to the controls' state (the page's htmx request);
`/chart/NAME.svg` a chart; `/download/plan.toml` and `/download/report.html`; `/montecarlo`
(POST starts a run, GET polls it, `/montecarlo/ID/tornado/K.svg`); `/breakeven`; `/static/...`.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from planner.analysis.compare import compare
from planner.errors import PlannerError
from planner.plan.schema import Plan
from planner.report.comparison_charts import deadline_chart
from planner.report.html_report import html_report
from planner.report.schedule_charts import schedule_chart
from planner.result import Comparison
from planner.web import views
from planner.web.analyses import (
    MAX_SAMPLES,
    Jobs,
    bound,
    breakeven_html,
    breakeven_svg,
    job_html,
    run_breakeven,
    tornado_svg,
)
from planner.web.changes import State, read_state
from planner.web.controls import plan_controls
from planner.web.download import plan_toml
from planner.web.solving import SOLVE_SECONDS, Solver, TooSlow

RESERVED = ("set", "intervention", "vary", "low", "high", "n")
"""Query names that are not plan paths."""

SVG = "image/svg+xml"


def file_stem(plan: Plan) -> str:
    """The plan file's name without its suffix, in characters safe in a download's file name."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", plan.source.stem if plan.source else "plan").strip("._")
    return stem[:100] or "plan"


def create_app(plan: Plan) -> Starlette:
    """The app for `plan` (loaded, with any command-line changes already applied)."""
    controls = plan_controls(plan)
    solver = Solver()
    jobs = Jobs()
    draw_turn = asyncio.Lock()

    def state_of(request: Request) -> State:
        items = request.query_params.getlist("set")
        fields = {k: v for k, v in request.query_params.multi_items() if k not in RESERVED}
        return read_state(plan, items, fields)

    async def solve(state: State) -> tuple[Comparison, float]:
        def run() -> tuple[Comparison, float]:
            start = time.perf_counter()
            c = compare(state.plan, time_limit=SOLVE_SECONDS)
            return c, time.perf_counter() - start

        return await solver.run(("compare", state.key), run)

    async def answer_of(state: State) -> str:
        try:
            c, seconds = await solve(state)
            names = [iv.name for iv in state.plan.interventions]
            return views.answer(state, c, seconds, interventions=names, paths=[x.path for x in controls])
        except (PlannerError, TooSlow) as err:
            return views.message(str(err))

    async def index(request: Request) -> HTMLResponse:
        state = state_of(request)
        return HTMLResponse(views.page(plan, state, controls, await answer_of(state)))

    async def answer(request: Request) -> HTMLResponse:
        state = state_of(request)
        oob = views.errors_oob(state, controls)
        if state.errors:  # the last good answer stays; the errors go beside their controls
            return HTMLResponse(oob, headers={"HX-Reswap": "none"})
        return HTMLResponse(await answer_of(state) + oob, headers={"HX-Replace-Url": state.url()})

    async def solved(request: Request) -> tuple[State, Comparison] | Response:
        """The request's state and its comparison, or the plain-text refusal a chart or a download
        gets instead (400: a change the page refuses; 503: no answer)."""
        state = state_of(request)
        if state.errors:
            return Response("; ".join(state.errors.values()), status_code=400, media_type="text/plain")
        try:
            c, _ = await solve(state)
        except (PlannerError, TooSlow) as err:
            return Response(str(err), status_code=503, media_type="text/plain")
        return state, c

    async def chart(request: Request) -> Response:
        name = request.path_params["name"]
        answer = await solved(request)
        if isinstance(answer, Response):
            return answer
        state, c = answer
        results = c.results()
        if name == "deadline":
            figure: Any = lambda: deadline_chart(c)  # noqa: E731
        elif name.startswith("schedule-") and name[9:].isdigit() and int(name[9:]) < len(results):
            r = results[int(name[9:])]
            if r.allocation is None:
                return Response("no schedule", status_code=404, media_type="text/plain")
            figure = lambda: schedule_chart(r)  # noqa: E731
        else:
            return Response("no such chart", status_code=404, media_type="text/plain")
        key = ("chart", name, state.key)
        if key in solver.cache:
            text = await solver.run(key, lambda: views.svg(figure()), draw=True)
        else:
            async with draw_turn:  # charts wait their turn here, so one the page no longer shows is not drawn
                if await request.is_disconnected():
                    return Response(status_code=204)
                text = await solver.run(key, lambda: views.svg(figure()), draw=True)
        return Response(text, media_type=SVG, headers={"Cache-Control": "private, max-age=3600"})

    async def download_plan(request: Request) -> Response:
        state = state_of(request)
        if state.errors:
            return Response("; ".join(state.errors.values()), status_code=400, media_type="text/plain")
        stem = file_stem(plan)
        return Response(
            plan_toml(plan, state),
            media_type="application/toml",
            headers={"Content-Disposition": f'attachment; filename="{stem}-changed.toml"'},
        )

    async def download_report(request: Request) -> Response:
        answer = await solved(request)
        if isinstance(answer, Response):
            return answer
        state, c = answer
        text = await solver.run(("report", state.key), lambda: html_report(state.plan, c), draw=True)
        stem = file_stem(plan)
        return Response(
            text,
            media_type="text/html",
            headers={"Content-Disposition": f'attachment; filename="{stem}-report.html"'},
        )

    async def montecarlo_start(request: Request) -> HTMLResponse:
        state = state_of(request)
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")[:1000]))
        if state.errors:
            return HTMLResponse(views.message("; ".join(state.errors.values())))
        if not state.plan.uncertainty:
            return HTMLResponse(
                views.message("this plan has no [uncertainty] table to sample (docs/analysis.md says how to add one)")
            )
        text = form.get("n") or request.query_params.get("n") or "100"
        if not text.isdigit() or not 1 <= int(text) <= MAX_SAMPLES:
            return HTMLResponse(views.message(f"samples: a whole number from 1 to {MAX_SAMPLES}, got {text[:40]!r}"))
        key = jobs.start(state.plan, int(text))
        job = jobs.get(key)
        assert job is not None  # just started
        return HTMLResponse(job_html(key, job))

    async def montecarlo_poll(request: Request) -> HTMLResponse:
        key = request.path_params["key"]
        job = jobs.get(key)
        if job is None:
            return HTMLResponse(views.message("this Monte Carlo run is no longer kept: run it again"))
        return HTMLResponse(job_html(key, job))

    async def montecarlo_tornado(request: Request) -> Response:
        job = jobs.get(request.path_params["key"])
        if job is None:
            return Response("no such run", status_code=404, media_type="text/plain")
        index = request.path_params["index"]
        text = await solver.draw(lambda: tornado_svg(job, index))
        if text is None:
            return Response("no such chart", status_code=404, media_type="text/plain")
        return Response(text, media_type=SVG)

    async def breakeven_view(request: Request) -> HTMLResponse:
        state = state_of(request)
        if state.errors:
            return HTMLResponse(views.message("; ".join(state.errors.values())))
        name = request.query_params.get("intervention", "")
        path = request.query_params.get("vary", "")
        if path not in {c.path for c in controls}:
            return HTMLResponse(views.message("break-even varies one of the page's controls"))
        try:
            low = bound(request.query_params.get("low"), "from")
            high = bound(request.query_params.get("high"), "to")
            result = await solver.run(
                ("breakeven", name, path, low, high, state.key),
                lambda: run_breakeven(state.plan, name, path, low, high),
            )
        except (PlannerError, TooSlow) as err:
            return HTMLResponse(views.message(str(err)))
        chart_svg = await solver.run(
            ("breakeven-chart", name, path, low, high, state.key), lambda: breakeven_svg(state.plan, result), draw=True
        )
        return HTMLResponse(breakeven_html(result, chart_svg))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        jobs.close()
        solver.close()

    static = Path(__file__).parent / "static"
    return Starlette(
        routes=[
            Route("/", index),
            Route("/answer", answer),
            Route("/chart/{name}.svg", chart),
            Route("/download/plan.toml", download_plan),
            Route("/download/report.html", download_report),
            Route("/montecarlo", montecarlo_start, methods=["POST"]),
            Route("/montecarlo/{key}", montecarlo_poll),
            Route("/montecarlo/{key}/tornado/{index:int}.svg", montecarlo_tornado),
            Route("/breakeven", breakeven_view),
            Mount("/static", StaticFiles(directory=static), name="static"),
        ],
        lifespan=lifespan,
    )
