"""The page's two buttons that run many solves: the plan's Monte Carlo over its `[uncertainty]`
table (P(harm), the 5-95% range, the tornado; a job the page polls for its progress) and a
break-even search over any control's path. Both run on the state's plan (the page's changes
applied) and the library's own functions (planner/analysis/montecarlo.py, breakeven.py)."""

from __future__ import annotations

import math
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from html import escape as e
from typing import Any

from planner.analysis.breakeven import BreakEven, breakeven
from planner.analysis.montecarlo import MonteCarloResult, montecarlo
from planner.errors import PlanError, PlannerError
from planner.plan.schema import Plan
from planner.report.analysis_charts import breakeven_chart, tornado_chart
from planner.report.words import delta_cell
from planner.web.solving import SOLVE_SECONDS
from planner.web.views import svg

MAX_SAMPLES = 2000
"""At most this many Monte Carlo samples from the page (the CLI takes more)."""

UNWATCHED_SECONDS = 10.0
"""A Monte Carlo run stops when its page has not asked for its progress for this long."""

JOBS = 8
"""Monte Carlo jobs kept (the oldest finished one dropped first)."""

MC_SECONDS = 600.0
"""A Monte Carlo run from the page stops after this long (what finished is shown)."""


@dataclass
class Job:
    """A Monte Carlo run in a worker thread: samples done so far, and its result or error."""

    n: int
    kind: str
    done: int = 0
    result: MonteCarloResult | None = None
    error: str = ""
    started: float = field(default_factory=time.monotonic)
    polled: float = field(default_factory=time.monotonic)  # when the page last asked for its progress
    cancel: threading.Event = field(default_factory=threading.Event)
    finished: bool = False


class Jobs:
    """Monte Carlo jobs by id (a random token: one tab cannot guess another's)."""

    def __init__(self) -> None:
        self.jobs: OrderedDict[str, Job] = OrderedDict()
        self.lock = threading.Lock()

    def start(self, plan: Plan, n: int) -> str:
        job = Job(n, plan.plan.objective)
        key = secrets.token_urlsafe(12)
        with self.lock:
            self.jobs[key] = job
            while len(self.jobs) > JOBS:
                old = next(iter(self.jobs))
                self.jobs.pop(old).cancel.set()
        threading.Thread(target=_run, args=(plan, job), name="planner-montecarlo", daemon=True).start()
        return key

    def get(self, key: str) -> Job | None:
        """The job (None when not kept), marked as watched."""
        with self.lock:
            job = self.jobs.get(key)
        if job is not None:
            job.polled = time.monotonic()
        return job

    def close(self) -> None:
        with self.lock:
            for job in self.jobs.values():
                job.cancel.set()


def _run(plan: Plan, job: Job) -> None:
    def on_point(_index: int, _records: list[Any]) -> None:
        job.done += 1
        now = time.monotonic()
        if now - job.started > MC_SECONDS or now - job.polled > UNWATCHED_SECONDS:
            job.cancel.set()  # too long, or its page has moved on (a new answer replaced it)

    try:
        job.result = montecarlo(
            plan, job.n, workers=1, on_point=on_point, cancel=job.cancel, time_limit=SOLVE_SECONDS, refine=False
        )
    except PlannerError as err:
        job.error = str(err)
    except Exception as err:  # shown on the page, not lost in a thread
        job.error = f"the Monte Carlo run failed: {err}"
    finally:
        job.finished = True


def job_html(key: str, job: Job) -> str:
    """The job's progress (the page polls it every half second) or, when done, P(harm), the range
    of each intervention's effect, and a tornado chart per intervention."""
    if job.error:
        return f'<p class="err" role="alert">{e(job.error)}</p>'
    if not job.finished or job.result is None:
        share = 100 * job.done / max(job.n, 1)
        return (
            f'<div id="mc-progress" hx-get="/montecarlo/{e(key)}" hx-trigger="load delay:500ms" hx-swap="outerHTML">'
            f'<progress max="{job.n}" value="{job.done}"></progress> {job.done} of {job.n} samples solved '
            f"({share:.0f}%)</div>"
        )
    mc = job.result
    s = mc.summary()
    rows = "".join(
        f"<tr><td>{e(str(r.intervention))}</td><td>{r.samples}</td><td>{r.p_harm:.2f}</td>"
        f"<td>{e(delta_cell(job.kind, r.p5))} to {e(delta_cell(job.kind, r.p95))}</td>"
        f"<td>{e(delta_cell(job.kind, r.mean))}</td><td>{100 * r.structural:.0f}%</td></tr>"
        for r in s.itertuples()
    )
    stopped = " (stopped early: these are the samples that finished)" if mc.interrupted else ""
    charts = "".join(
        f'<img class="chart" data-kind="tornado" alt="tornado of {e(str(name))}" '
        f'src="/montecarlo/{e(key)}/tornado/{k}.svg">'
        for k, name in enumerate(s.intervention)
    )
    return (
        f'<div id="mc-result"><p>{mc.samples.__len__()} samples of the plan\'s [uncertainty] table '
        f"(seed {mc.seed}){stopped}. P(harm): the share of samples where the intervention does worse "
        "than the baseline.</p>"
        "<table class='montecarlo'><thead><tr><th>intervention</th><th>samples</th><th>P(harm)</th>"
        "<th>5-95% of the effect</th><th>mean effect</th><th>structural</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>{charts}</div>"
    )


def tornado_svg(job: Job, index: int) -> str | None:
    """The tornado chart of the job's `index`-th intervention (None when there is none)."""
    if job.result is None:
        return None
    names = list(job.result.summary().intervention)
    if not 0 <= index < len(names):
        return None
    return svg(tornado_chart(job.result, intervention=names[index]))


def run_breakeven(
    plan: Plan, intervention: str, path: str, low: float | None = None, high: float | None = None
) -> BreakEven:
    """The break-even search of `intervention` over the number at `path`, from `low` to `high`
    (each by default the library's: 0 to 10x a positive value, else the value +-10)."""
    return breakeven(plan, intervention, path, low=low, high=high, time_limit=SOLVE_SECONDS, refine=False)


def bound(text: str | None, name: str) -> float | None:
    """A break-even range end from the page: blank is the default, else a finite number."""
    if text is None or not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise PlanError(f"break-even '{name}' must be a number, got {text[:40]!r}")
    return value


def breakeven_svg(plan: Plan, result: BreakEven) -> str:
    """The break-even's chart: the effect at every value solved, and the break-even value."""
    return svg(breakeven_chart(result, objective=plan.plan.objective))


def breakeven_html(result: BreakEven, chart: str) -> str:
    """The break-even's answer in words and its chart, inline."""
    body = chart[chart.index("<svg") :] if "<svg" in chart else ""
    value = "" if result.value is None else f" Break-even value: {result.value:.6g}."
    return (
        f'<p id="breakeven-answer">{e(result.reason)}{e(value)}</p>'
        f'<figure class="chart" data-kind="breakeven">{body}</figure>'
    )
