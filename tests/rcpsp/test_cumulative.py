"""SCIP's cumulative constraints beside HiGHS on project-scheduling targets
(planner/rcpsp/cumulative.py, planner/rcpsp/rival.py, search.GoalSearch.ask).

Expected answers come from this file's own brute force over start times (`brute_force`: every
start in every window, checked period by period against the pools' supply) on tiny plans, from
hand arithmetic for the integer scaling and the blocking jobs, and from the published optima of
the PSPLIB sample. The rival's thread is tested with forced faults: a HiGHS that never answers (so
SCIP answers every question), a SCIP schedule that is wrong (which must not reach the result), a
cut time budget, Ctrl-C, solves running concurrently, and a HiGHS left to stop in its own thread
after the rival answered (that thread must end). The goal-period search around them is tested
for the questions it asks: none once proven out of reach, and a question cut by its share of the
time asked again once the candidates below it are settled.
"""
from __future__ import annotations

import csv
import itertools
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from plans import fast_first

import planner
from planner.rcpsp import genetic
from planner.rcpsp import propagate
from planner.rcpsp import conversion, psplib
from planner.pipeline import assemble, search, session
from planner.rcpsp import rival
from planner.instance.resolve import resolve
from planner.plan.schema import from_dict
from planner.solvers.status import RawSolution, SolveOptions
from planner.rcpsp import cumulative
from planner.solvers.highs import HighsBackend
from planner.structure import critical_path, due_by
from plans import ROOT

DATA = ROOT / "tests" / "data" / "psplib"


def optima() -> dict[str, int]:
    with (DATA / "j30_optimum_kobe.csv").open(newline="") as f:
        return {r["problem"].removesuffix(".sm"): int(r["optimum"]) for r in csv.DictReader(f)}


def rigid_plan(jobs: dict, supply, horizon: int) -> dict:
    """A plan of rigid streams on one pool `staff`: jobs {name: (periods, FTE, [after])}, each one
    crew unit of that many FTE for that many periods (as the PSPLIB importer maps a job)."""
    streams = [{"name": n, "crew": {"staff": fte}, "effort": d, "min_duration": d, "contiguous": True,
                "fixed_crew": True, **({"after": after} if after else {})} for n, (d, fte, after) in jobs.items()]
    return {"plan": {"name": "rigid", "start_year": 0, "horizon": horizon, "step": 1, "objective": "earliest"},
            "pools": [{"name": "staff", "supply": supply}], "streams": streams,
            "goal": {"required": list(jobs)}}


def brute_force(jobs: dict, supply: list[float], T: int) -> bool:
    """Whether every job can be done by the end of period T (0-based: runs end by T + 1), by
    trying every combination of starts."""
    names = list(jobs)
    ranges = [range(0, T + 2 - jobs[n][0]) for n in names]
    for starts in itertools.product(*ranges):
        s = dict(zip(names, starts))
        if any(s[n] < s[p] + jobs[p][0] for n in names for p in jobs[n][2]):
            continue
        load = np.zeros(T + 1)
        for n in names:
            load[s[n]:s[n] + jobs[n][0]] += jobs[n][1]
        if np.all(load <= np.asarray(supply[:T + 1]) + 1e-9):
            return True
    return False


# Three jobs on a pool whose supply dips in periods 2-3: b must follow a; c (1.5 FTE) cannot run
# beside a or b (1 FTE each) where the supply is 2, and nothing of 1.5 FTE fits where it is 1.
JOBS = {"a": (2, 1.0, []), "b": (2, 1.0, ["a"]), "c": (2, 1.5, [])}
SUPPLY = [2.0, 2.0, 1.0, 1.0, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5]


def narrowed(plan_dict: dict, T: int):
    inst = resolve(from_dict(plan_dict, source="rigid.toml"), None, None)
    return propagate.narrow(inst, critical_path(inst), due_by(inst, T))


def test_scale_and_blocking_jobs_by_hand():
    w = narrowed(rigid_plan(JOBS, SUPPLY, 10), 7)
    target = cumulative.build(w.jobs)
    assert target.scale == 2                       # 1.5 FTE and 2.5 supply: halves
    assert sorted(target.demand[:, 0].tolist()) == [2, 2, 3]
    assert target.capacity.tolist() == [5]         # 2.5 FTE, the largest supply, doubled
    end = int(max(w.jobs.lst + w.jobs.d))
    deficit = [5 - 2 * s for s in SUPPLY[:end]]    # what the blocking jobs must take, per period
    covered = [0] * end
    for t, n, q in target.blocks[0]:
        for u in range(t, t + n):
            covered[u] += q
    assert covered == deficit
    assert all(q > 0 for _, _, q in target.blocks[0])


def test_no_small_common_scale_means_no_cumulative_model():
    jobs = {"a": (2, 0.123457, []), "b": (1, 1.0, [])}
    w = narrowed(rigid_plan(jobs, 2.0, 6), 3)
    assert w.jobs is not None and cumulative.build(w.jobs) is None


@pytest.mark.parametrize("T", range(3, 9))
def test_cumulative_answers_match_brute_force(T):
    """Every makespan candidate: SCIP's cumulative model is feasible exactly when some
    combination of starts is, and a schedule it returns passes this file's own check."""
    expected = brute_force(JOBS, SUPPLY, T)
    w = narrowed(rigid_plan(JOBS, SUPPLY, 10), T)
    if w is None:   # the window rules already rule it out: they must be right
        assert not expected
        return
    backend = cumulative.CumulativeBackend()
    backend.load(cumulative.build(w.jobs))
    raw = backend.solve(SolveOptions(time_limit=30))
    assert raw.status == ("optimal" if expected else "infeasible"), (T, raw.status)
    if expected:
        inst = resolve(from_dict(rigid_plan(JOBS, SUPPLY, 10), source="rigid.toml"), None, None)
        start = {inst.streams[i]: int(s) for i, s in zip(w.jobs.streams, raw.x)}
        load = np.zeros(12)
        for n, (d, fte, after) in JOBS.items():
            assert start[n] + d <= T + 1
            assert all(start[n] >= start[p] + JOBS[p][0] for p in after)
            load[start[n]:start[n] + d] += fte
        assert np.all(load[:10] <= np.asarray(SUPPLY) + 1e-9)


def test_solve_of_the_dipping_plan_equals_brute_force():
    best = min(T for T in range(3, 10) if brute_force(JOBS, SUPPLY, T))
    result = planner.solve(from_dict(rigid_plan(JOBS, SUPPLY, 10), source="rigid.toml"), time_limit=30)
    assert result.status == "optimal"
    assert result.objective == pytest.approx(best + 1)   # `earliest`: years until the goal is met


# --- the rival under forced faults ----------------------------------------------------------------

class StallingHighs(HighsBackend):
    """A HiGHS that never answers a question SCIP is racing: it only polls `watch` until SCIP has
    answered (or the time limit passes). Questions without a rival are solved as usual."""

    def solve(self, options):
        if self.watch is None:
            return super().solve(options)
        began = time.perf_counter()
        while not self.watch(time.perf_counter() - began):
            if options.time_limit is not None and time.perf_counter() - began > options.time_limit:
                return RawSolution("time_limit", None, None, None, None, 0.0, "stalled")
            time.sleep(0.01)
        return RawSolution("time_limit", None, None, None, None, 0.0, "stopped: the rival answered first")


@pytest.fixture
def scip_answers(monkeypatch):
    """Every project-scheduling question answered by SCIP: HiGHS stalls, the rival starts at once,
    and there is no start schedule (which often reaches the window bound, leaving nothing to ask).
    Yields the list of SCIP's answers, in the order they came."""
    monkeypatch.setattr(rival, "RIVAL_GRACE", 0.0)
    monkeypatch.setattr(genetic, "rigid_schedule", lambda *a, **k: None)
    for module in (session, search, assemble):   # every solver the pipeline asks for
        monkeypatch.setattr(module, "get_backend", lambda name="highs": StallingHighs())
    answers = []
    stop = cumulative.Rival.stop

    def recorded(self):
        raw = stop(self)
        answers.append(None if raw is None else raw.status)
        return raw

    monkeypatch.setattr(cumulative.Rival, "stop", recorded)
    yield answers


@pytest.mark.parametrize("name", ["j301_1", "j302_1", "j3022_1"])
def test_scip_answers_alone_reach_the_published_optimum(scip_answers, name):
    """Instances whose optimum lies above the critical path (all their questions go to SCIP)."""
    result = planner.solve(conversion.load_plan(DATA / f"{name}.sm"), time_limit=60)
    assert result.status == "optimal"
    assert result.objective == optima()[name]
    assert scip_answers and set(scip_answers) <= {"optimal", "infeasible"}


def test_a_wrong_schedule_from_scip_never_reaches_the_result(monkeypatch, scip_answers):
    """SCIP's schedules are pinned into the target MIP and solved by HiGHS; one that breaks the
    plan (every job at its earliest start, which overloads the pools: the optimum lies above the
    critical path) is refused there, and HiGHS answers alone."""
    read = cumulative.CumulativeBackend.read
    wrongs = []

    def wrong(self, runtime):
        raw = read(self, runtime)
        if raw.x is not None:
            raw.x = self.target.jobs.est.astype(float)
            wrongs.append(raw.x)
        return raw

    monkeypatch.setattr(cumulative.CumulativeBackend, "read", wrong)
    result = planner.solve(conversion.load_plan(DATA / "j301_1.sm"), time_limit=60)
    assert wrongs   # SCIP did answer with a schedule, and it was wrong
    assert result.status == "optimal"
    assert result.objective == optima()["j301_1"]


def _threads_after(before: int, wait: float = 5.0) -> int:
    end = time.perf_counter() + wait
    while threading.active_count() > before and time.perf_counter() < end:
        time.sleep(0.05)
    return threading.active_count()


HARD = DATA / "hard" / "j3013_1.sm"   # neither solver settles it in seconds


@pytest.fixture
def rivals_ran(monkeypatch):
    """How many rivals had started SCIP when they were stopped, and whether each was still running."""
    ran = []
    stop = cumulative.Rival.stop

    def recorded(self):
        if self._thread is not None:
            ran.append(self._thread.is_alive())
        return stop(self)

    monkeypatch.setattr(cumulative.Rival, "stop", recorded)
    return ran


def test_a_cut_time_budget_stops_both_solvers(rivals_ran):
    before = threading.active_count()
    began = time.perf_counter()
    result = planner.solve(conversion.load_plan(HARD), time_limit=4)
    took = time.perf_counter() - began
    assert result.status == "time_limit"
    assert result.objective >= optima()["j3013_1"]
    assert took < 4 + 20       # HiGHS's root can overrun its clock by seconds (docs/solver-notes.md)
    assert rivals_ran          # SCIP was racing when the clock ran out
    assert _threads_after(before) == before


@pytest.mark.slow
def test_ctrl_c_stops_both_solvers_and_the_next_solve_is_clean(rivals_ran):
    before = threading.active_count()
    # no time limit: the start schedule's search takes 1 s, HiGHS's grace 0.5 s, then both run
    timer = threading.Timer(3.0, lambda: signal.raise_signal(signal.SIGINT))
    timer.start()
    try:
        result = planner.solve(conversion.load_plan(HARD))
    finally:
        timer.cancel()
    assert result.status == "interrupted"
    assert rivals_ran and rivals_ran[-1]   # SCIP was still running when Ctrl-C came, and was stopped
    assert _threads_after(before) == before
    again = planner.solve(conversion.load_plan(DATA / "j301_1.sm"), time_limit=60)
    assert again.status == "optimal" and again.objective == optima()["j301_1"]


@pytest.mark.slow
def test_concurrent_solves_each_get_their_own_answer(scip_answers):
    names = ["j301_1", "j302_1", "j3022_1"]
    out: dict = {}

    def one(name):
        out[name] = planner.solve(conversion.load_plan(DATA / f"{name}.sm"), time_limit=60)

    workers = [threading.Thread(target=one, args=(n,)) for n in names]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert {n: (r.status, r.objective) for n, r in out.items()} == {n: ("optimal", optima()[n]) for n in names}


def test_highs_returns_soon_after_the_rival_answers_and_its_thread_ends_later():
    """A preempted HiGHS may be deep in a round of root cuts; the solve returns within
    PREEMPTED_WAIT (plus a poll) without reading the still-running object, and HiGHS's thread
    ends on its own afterwards."""
    from planner.mip.target import build_target
    from planner.solvers import highs
    plan = conversion.load_plan(HARD)
    inst = resolve(plan, None, None)
    w = propagate.narrow(inst, critical_path(inst), due_by(inst, optima()["j3013_1"] - 2))
    assert w is not None
    before = threading.active_count()
    backend = HighsBackend()
    backend.load(build_target(inst, w.cp, w.due))
    backend.watch = lambda seconds: seconds > 0.3     # a rival that answers after 0.3 s
    began = time.perf_counter()
    raw = backend.solve(SolveOptions(time_limit=60))
    took = time.perf_counter() - began
    assert raw.status == "no_solution" and "rival" in raw.message   # HiGHS takes minutes on this one
    assert took < 0.3 + highs.PREEMPTED_WAIT + 1.0
    assert _threads_after(before, wait=60) == before


def test_ctrl_c_during_the_start_schedule_reports_the_schedule_in_hand():
    """A Ctrl-C before any solver runs (the window bound, then the genetic start schedule, which
    runs 1 s on this instance) ends the solve as one during the search does: `interrupted`, with
    the best schedule so far, verified, and no KeyboardInterrupt out of `solve`."""
    plan = conversion.load_plan(HARD)
    timer = threading.Timer(0.4, lambda: signal.raise_signal(signal.SIGINT))
    timer.start()
    try:
        result = planner.solve(plan)
    finally:
        timer.cancel()
    assert result.status == "interrupted"
    assert result.objective is None or result.objective >= optima()["j3013_1"]
    again = planner.solve(conversion.load_plan(DATA / "j301_1.sm"), time_limit=60)
    assert again.status == "optimal" and again.objective == optima()["j301_1"]


@pytest.mark.parametrize("name", fast_first(["j3022_1", "search/j3021_2"], 1, ids=str))
def test_no_period_is_asked_once_proven_out_of_reach(name, monkeypatch):
    """The search proves every candidate before the optimum out of reach; the tie-break that
    follows (GoalSearch.earliest_goal) must not ask any of those periods again (it used to restart at
    the critical path and re-prove them all)."""
    asked = []
    ask = search.GoalSearch.ask

    def record(self, period, options, clock, share=None):
        out = ask(self, period, options, clock, share)
        asked.append((period, out.stop.status if out.kind == "stopped" else out.kind))
        return out

    monkeypatch.setattr(search.GoalSearch, "ask", record)
    # no start schedule: the search, not the genetic heuristic, finds the plans
    monkeypatch.setattr(genetic, "rigid_schedule", lambda *a, **k: None)
    rcpsp = psplib.parse(DATA / f"{name}.sm")
    res = planner.solve(from_dict(conversion.to_plan(rcpsp, name), source=f"{name}.sm"), time_limit=60, threads=2)
    assert res.status == "optimal" and round(res.goal_completion_years) == optima()[Path(name).name]
    assert any(a == "found" for _, a in asked)  # the search had questions to ask
    for k, (period, _) in enumerate(asked):
        out_of_reach = [p for p, a in asked[:k] if a in ("infeasible", "ruled_out")]
        assert not out_of_reach or period > max(out_of_reach), asked


@pytest.mark.slow
def test_halving_questions_out_of_their_share_leave_the_search_going(monkeypatch):
    """A question asked by halving gets only a share of the time left. When that share runs out
    (forced here: every such question answers `time_limit` at once), the search settles the
    candidates below it and then asks it again with no cap, and still proves the published
    optimum. The lowest candidate is never capped."""
    asked = []
    ask = search.GoalSearch.ask

    def cut_every_share(self, period, options, clock, share=None):
        if share is not None:
            assert 0 < share < options.time_limit - clock.total
            asked.append((period, share, "cut"))
            return search.Answer(search.Kind.STOPPED, stop=RawSolution("time_limit", None, None, None, None, 0.0,
                                                                       "time limit reached"))
        out = ask(self, period, options, clock)
        asked.append((period, share, out.stop.status if out.kind == "stopped" else out.kind))
        return out

    monkeypatch.setattr(search.GoalSearch, "ask", cut_every_share)
    # no start schedule and no window bound: the search halves from the first period up
    monkeypatch.setattr(genetic, "rigid_schedule", lambda *a, **k: None)
    monkeypatch.setattr(propagate, "first_open", lambda *a, **k: 0)
    name = "j3021_2"  # critical path 42, optimum 59, serial schedule 74: many candidates to halve
    rcpsp = psplib.parse(DATA / "search" / f"{name}.sm")
    res = planner.solve(from_dict(conversion.to_plan(rcpsp, name), source=f"{name}.sm"), time_limit=60, threads=2)
    optimum = optima()[name]
    assert res.status == "optimal" and round(res.goal_completion_years) == optimum
    cuts = [k for k, (_, _, a) in enumerate(asked) if a == "cut"]
    assert cuts, asked  # the search did halve
    for k in cuts:
        period = asked[k][0]
        if period + 1 < optimum:  # out of reach: it must be asked again, uncapped, to prove it
            again = [j for j in range(k + 1, len(asked)) if asked[j][0] == period]
            assert again and asked[again[0]][1] is None and asked[again[0]][2] in ("infeasible", "ruled_out"), asked
            # ... and only once every candidate below it was settled: the one before it just was
            assert asked[again[0] - 1][0] == period - 1, asked
            assert asked[again[0] - 1][2] in ("infeasible", "ruled_out"), asked
