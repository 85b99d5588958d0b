"""PSPLIB single-mode RCPSP instances (`.sm` files) as plans.

PSPLIB (Kolisch & Sprecher 1996, "PSPLIB - A project scheduling library", EJOR 96:205-216) is the
standard library of resource-constrained project scheduling problems: jobs with fixed durations,
finish-to-start precedences and per-period demands on renewable resources of fixed capacity;
minimise the makespan. In the planner's terms each job is a stream that, once started, is worked
every period until done (`contiguous`) by exactly one crew unit (`fixed_crew`, with
`effort = min_duration = duration`), the resources are pools, and the objective is `earliest`.

    rcpsp = parse("j30/j301_1.sm")
    starts = serial_sgs(rcpsp)           # a feasible schedule: its makespan is the plan horizon
    plan = to_plan(rcpsp, "j301_1")      # a plan dict (docs/plan-file.md)
    write_toml(plan, "j301_1.toml", comment=header_comment(rcpsp, published_optimum("j30/j301_1.sm")))

Only the standard library is used here (and planner.errors), so `planner import-psplib` starts
at once. See docs/psplib.md.
"""
from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from planner.errors import PlanError

SUFFIX = ".sm"
SEPARATOR = re.compile(r"^\s*\*{5,}\s*$")


@dataclass
class Rcpsp:
    """One single-mode RCPSP instance. Jobs are indexed from 0 in file order; `names` holds the
    job numbers of the file ("1" is the dummy source, the last is the dummy sink)."""

    names: list[str]
    durations: list[int]
    successors: list[list[int]]          # 0-based indices of each job's successors
    requests: list[list[int]]            # jobs x K: units of each renewable resource per period
    capacities: list[int]                # K: units of each renewable resource available per period
    horizon: int | None = None           # the file's own horizon (an upper bound), if given
    source: str = ""                     # the file it came from
    resource_names: list[str] = field(default_factory=list)

    def __post_init__(self):
        if not self.resource_names:
            self.resource_names = [f"R{k + 1}" for k in range(len(self.capacities))]

    @property
    def n(self) -> int:
        return len(self.durations)

    @property
    def predecessors(self) -> list[list[int]]:
        preds: list[list[int]] = [[] for _ in range(self.n)]
        for i, succ in enumerate(self.successors):
            for j in succ:
                preds[j].append(i)
        return preds

    def topological_order(self) -> list[int]:
        """Jobs so that every job comes after its predecessors (Kahn; ties by index)."""
        import heapq
        indeg = [len(p) for p in self.predecessors]
        ready = [i for i in range(self.n) if indeg[i] == 0]
        heapq.heapify(ready)
        order = []
        while ready:
            i = heapq.heappop(ready)
            order.append(i)
            for j in self.successors[i]:
                indeg[j] -= 1
                if indeg[j] == 0:
                    heapq.heappush(ready, j)
        if len(order) != self.n:
            raise PlanError("the precedence relations contain a cycle", file=self.source or None)
        return order

    def earliest_starts(self) -> list[int]:
        """Critical-path earliest starts (precedences only, unlimited resources)."""
        es = [0] * self.n
        for i in self.topological_order():
            for j in self.successors[i]:
                es[j] = max(es[j], es[i] + self.durations[i])
        return es

    def critical_path_length(self) -> int:
        """The makespan with unlimited resources: a lower bound on the optimum."""
        es = self.earliest_starts()
        return max((es[i] + self.durations[i] for i in range(self.n)), default=0)


# --- parsing -------------------------------------------------------------------------------------

class _Lines:
    """The file's lines with 1-based numbers, for errors that say where."""

    def __init__(self, path: Path, text: str):
        self.path, self.lines, self.k = str(path), text.splitlines(), 0

    def error(self, message: str, line: int | None = None) -> PlanError:
        line = self.k if line is None else line
        return PlanError(f"line {line}: {message}" if line else message, file=self.path)

    def find(self, pattern: str, what: str) -> int:
        """Advance to the next line matching `pattern` (case-insensitive); its number."""
        rx = re.compile(pattern, re.I)
        while self.k < len(self.lines):
            self.k += 1
            if rx.search(self.lines[self.k - 1]):
                return self.k
        raise self.error(f"no {what} found (is this a PSPLIB single-mode .sm file?)", line=0)

    def next(self, what: str) -> str:
        if self.k >= len(self.lines):
            raise self.error(f"the file ends where {what} was expected", line=len(self.lines))
        self.k += 1
        return self.lines[self.k - 1]

    def ints(self, text: str, what: str) -> list[int]:
        try:
            return [int(x) for x in text.split()]
        except ValueError:
            raise self.error(f"{what}: expected whole numbers, got {text.strip()!r}") from None


def _field(lines: _Lines, label: str, what: str) -> int:
    """The number after the colon on the line starting with `label` (e.g. 'horizon : 158')."""
    k = lines.find(r"^\s*" + label, what)
    text = lines.lines[k - 1]
    m = re.search(r":\s*(-?\d+)", text)
    if not m:
        raise lines.error(f"{what}: expected a whole number after ':', got {text.strip()!r}")
    return int(m.group(1))


def parse(path: str | Path) -> Rcpsp:
    """Read a PSPLIB single-mode `.sm` file. Any problem is a PlanError naming the file and line."""
    from planner.files import read_text  # a regular file only: a FIFO would wait for a writer forever
    path = Path(path)
    try:
        text = read_text(path)
    except FileNotFoundError:
        raise PlanError("no such file", file=str(path)) from None
    except UnicodeDecodeError:
        raise PlanError("not a text file (is this a PSPLIB .sm file?)", file=str(path)) from None
    except OSError as e:
        raise PlanError(f"cannot read: {e.strerror or e}", file=str(path)) from None
    return parse_text(text, path)


def parse_text(text: str, path: str | Path = "<text>") -> Rcpsp:
    """`parse` for the contents of a file (`path` is only used in error messages)."""
    lines = _Lines(Path(path), text)
    n = _field(lines, r"jobs\b", "'jobs (incl. supersource/sink )' line")
    if n < 1:
        raise lines.error(f"the number of jobs must be at least 1, got {n}")
    lines.k = 0
    horizon = None
    if any(re.match(r"^\s*horizon\b", ln, re.I) for ln in lines.lines):
        horizon = _field(lines, r"horizon\b", "'horizon' line")
    lines.k = 0
    K = _field(lines, r"-\s*renewable\b", "'- renewable' line")
    n_nonrenewable = _field(lines, r"-\s*nonrenewable\b", "'- nonrenewable' line")
    n_doubly = _field(lines, r"-\s*doubly constrained\b", "'- doubly constrained' line")
    if K < 0 or n_nonrenewable < 0 or n_doubly < 0:
        raise lines.error("resource counts cannot be negative")
    extra = n_nonrenewable + n_doubly

    # PRECEDENCE RELATIONS: jobnr. #modes #successors successors...
    lines.find(r"^\s*PRECEDENCE RELATIONS", "'PRECEDENCE RELATIONS:' section")
    lines.next("the precedence table's header")
    successors: list[list[int]] = []
    for j in range(1, n + 1):
        row = lines.next(f"the precedence row of job {j}")
        values = lines.ints(row, f"precedence row of job {j}")
        if len(values) < 3:
            raise lines.error(f"precedence row of job {j}: expected 'jobnr #modes #successors successors...', "
                              f"got {row.strip()!r}")
        job, modes, count, succ = values[0], values[1], values[2], values[3:]
        if job != j:
            raise lines.error(f"expected the precedence row of job {j}, got job {job}")
        if modes != 1:
            raise lines.error(f"job {j} has {modes} modes; only single-mode instances (.sm) are supported")
        if count != len(succ):
            raise lines.error(f"job {j} announces {count} successors but lists {len(succ)}")
        for s in succ:
            if not 1 <= s <= n:
                raise lines.error(f"job {j}: successor {s} is not a job (1..{n})")
            if s == j:
                raise lines.error(f"job {j} is its own successor")
        successors.append(sorted(set(s - 1 for s in succ)))

    # REQUESTS/DURATIONS: jobnr. mode duration R 1 ... R K (then N and D columns)
    lines.find(r"^\s*REQUESTS/DURATIONS", "'REQUESTS/DURATIONS:' section")
    header = lines.next("the requests table's header")
    if not re.match(r"^\s*jobnr", header, re.I):
        raise lines.error(f"expected the header 'jobnr. mode duration R 1 ...', got {header.strip()!r}")
    while True:
        row = lines.next("the requests of job 1")
        if not re.match(r"^\s*-+\s*$", row):
            lines.k -= 1
            break
    durations: list[int] = []
    requests: list[list[int]] = []
    for j in range(1, n + 1):
        row = lines.next(f"the requests row of job {j}")
        values = lines.ints(row, f"requests row of job {j}")
        if len(values) != 3 + K + extra:
            raise lines.error(f"requests row of job {j}: expected {3 + K + extra} numbers (job, mode, "
                              f"duration and {K + extra} resources), got {len(values)}")
        if values[0] != j:
            raise lines.error(f"expected the requests row of job {j}, got job {values[0]}")
        if values[2] < 0:
            raise lines.error(f"job {j}: negative duration {values[2]}")
        if any(v < 0 for v in values[3:]):
            raise lines.error(f"job {j}: negative resource request")
        if any(values[3 + K:]):
            raise lines.error(f"job {j} uses a nonrenewable or doubly constrained resource; only "
                              "renewable resources are supported")
        durations.append(values[2])
        requests.append(values[3:3 + K])

    # RESOURCEAVAILABILITIES: a header line (R 1 R 2 ...), then the capacities
    lines.find(r"^\s*RESOURCEAVAILABILITIES", "'RESOURCEAVAILABILITIES:' section")
    lines.next("the availabilities header")
    row = lines.next("the resource availabilities")
    capacities = lines.ints(row, "resource availabilities")
    if len(capacities) != K + extra:
        raise lines.error(f"resource availabilities: expected {K + extra} numbers, got {len(capacities)}")
    if any(c < 0 for c in capacities):
        raise lines.error("resource availabilities cannot be negative")
    capacities = capacities[:K]
    for j in range(n):
        for k in range(K):
            if requests[j][k] > capacities[k]:
                raise lines.error(f"job {j + 1} needs {requests[j][k]} units of R{k + 1}, more than its "
                                  f"capacity {capacities[k]}: no schedule exists")
    rcpsp = Rcpsp(names=[str(j) for j in range(1, n + 1)], durations=durations, successors=successors,
                  requests=requests, capacities=capacities, horizon=horizon, source=str(path))
    rcpsp.topological_order()  # a cycle is an error here, not a hang later
    return rcpsp


# --- a feasible schedule -------------------------------------------------------------------------

def latest_finish(rcpsp: Rcpsp, horizon: int | None = None) -> list[int]:
    """Latest finish times with unlimited resources, counted back from `horizon` (default the
    sum of all durations)."""
    T = sum(rcpsp.durations) if horizon is None else horizon
    lf = [T] * rcpsp.n
    for i in reversed(rcpsp.topological_order()):
        for j in rcpsp.successors[i]:
            lf[i] = min(lf[i], lf[j] - rcpsp.durations[j])
    return lf


def serial_sgs(rcpsp: Rcpsp, priority: list[float] | None = None) -> list[int]:
    """Start times from the serial schedule-generation scheme: repeatedly take the eligible job
    (all predecessors scheduled) of least priority value (default: latest finish time, ties by
    job number) and start it at the earliest period at which its predecessors are finished and
    every resource has room for its whole duration. Always feasible."""
    n, K = rcpsp.n, len(rcpsp.capacities)
    prio = latest_finish(rcpsp) if priority is None else priority
    T = sum(rcpsp.durations) + 1
    free = [[c] * T for c in rcpsp.capacities]  # free[k][t]: units of resource k left in period t
    preds = rcpsp.predecessors
    remaining = [len(p) for p in preds]
    start = [-1] * n
    eligible = {i for i in range(n) if remaining[i] == 0}
    while eligible:
        i = min(eligible, key=lambda j: (prio[j], j))
        eligible.remove(i)
        d, req = rcpsp.durations[i], rcpsp.requests[i]
        t = max((start[p] + rcpsp.durations[p] for p in preds[i]), default=0)
        while any(free[k][tau] < req[k] for k in range(K) if req[k] for tau in range(t, t + d)):
            t += 1
        start[i] = t
        for k in range(K):
            if req[k]:
                for tau in range(t, t + d):
                    free[k][tau] -= req[k]
        for j in rcpsp.successors[i]:
            remaining[j] -= 1
            if remaining[j] == 0:
                eligible.add(j)
    return start


def makespan(rcpsp: Rcpsp, starts: list[int]) -> int:
    return max((s + d for s, d in zip(starts, rcpsp.durations)), default=0)


def violations(rcpsp: Rcpsp, starts: list[float]) -> list[str]:
    """What is wrong with a schedule (start times per job): broken precedences and periods in
    which a resource is over its capacity. Empty when the schedule is feasible."""
    out = []
    for i, succ in enumerate(rcpsp.successors):
        for j in succ:
            if starts[j] < starts[i] + rcpsp.durations[i] - 1e-9:
                out.append(f"job {rcpsp.names[j]} starts at {starts[j]:g}, before job {rcpsp.names[i]} "
                           f"ends at {starts[i] + rcpsp.durations[i]:g}")
    if any(s < -1e-9 for s in starts):
        out.append("a job starts before time 0")
    T = int(math.ceil(max((s + d for s, d in zip(starts, rcpsp.durations)), default=0)))
    for k, cap in enumerate(rcpsp.capacities):
        use = [0] * (T + 1)
        for i, s in enumerate(starts):
            if rcpsp.requests[i][k]:
                for t in range(int(round(s)), int(round(s)) + rcpsp.durations[i]):
                    use[t] += rcpsp.requests[i][k]
        for t, u in enumerate(use):
            if u > cap:
                out.append(f"{rcpsp.resource_names[k]} uses {u} > {cap} in period {t}")
    return out


# --- the plan ------------------------------------------------------------------------------------

FREE_POOL = "unconstrained"


def stream_name(rcpsp: Rcpsp, i: int) -> str:
    return f"job{rcpsp.names[i]}"


def _real_predecessors(rcpsp: Rcpsp) -> list[list[int]]:
    """Each job's predecessors among the jobs of positive duration: a zero-duration job (the dummy
    source and sink, or any other) is bypassed, its predecessors linked to its successors."""
    preds = rcpsp.predecessors
    real: list[list[int]] = [[] for _ in range(rcpsp.n)]
    for j in rcpsp.topological_order():
        found: list[int] = []
        for p in preds[j]:
            found.extend([p] if rcpsp.durations[p] > 0 else real[p])
        real[j] = sorted(set(found))
    return real


def to_plan(rcpsp: Rcpsp, source_name: str, *, horizon: int | None = None) -> dict:
    """The instance as a plan dict (docs/psplib.md has the mapping). `horizon` defaults to the
    makespan of the serial SGS schedule, so the plan always has a feasible schedule."""
    if horizon is None:
        horizon = makespan(rcpsp, serial_sgs(rcpsp))
    jobs = [i for i in range(rcpsp.n) if rcpsp.durations[i] > 0]
    if not jobs:
        raise PlanError("every job has zero duration: there is nothing to schedule", file=rcpsp.source or None)
    preds = _real_predecessors(rcpsp)
    free_jobs = [i for i in jobs if not any(rcpsp.requests[i])]
    pools = [{"name": name, "supply": cap} for name, cap in zip(rcpsp.resource_names, rcpsp.capacities)]
    if free_jobs:
        pools.append({"name": FREE_POOL, "supply": len(free_jobs)})
    streams = []
    for i in jobs:
        crew = {rcpsp.resource_names[k]: r for k, r in enumerate(rcpsp.requests[i]) if r > 0} or {FREE_POOL: 1}
        stream = {"name": stream_name(rcpsp, i), "crew": crew, "effort": rcpsp.durations[i],
                  "min_duration": rcpsp.durations[i], "contiguous": True, "fixed_crew": True}
        if preds[i]:
            stream["after"] = [stream_name(rcpsp, p) for p in preds[i]]
        streams.append(stream)
    return {
        "plan": {"name": f"PSPLIB {source_name}", "start_year": 0, "horizon": max(1, horizon), "step": 1,
                 "objective": "earliest"},
        "pools": pools,
        "streams": streams,
        "goal": {"required": [s["name"] for s in streams]},
    }


def instance_name(path: str | Path) -> str:
    """'.../j301_1.sm' -> 'j301_1'."""
    return Path(path).name.removesuffix(SUFFIX)


def load_plan(path: str | Path):
    """A validated `Plan` straight from a `.sm` file (what `planner solve FILE.sm` uses)."""
    from planner.plan.schema import from_dict
    rcpsp = parse(path)
    return from_dict(to_plan(rcpsp, instance_name(path)), source=path)


# --- published optima ----------------------------------------------------------------------------

def read_optima(folder: str | Path) -> dict[str, dict]:
    """Published figures from the CSV files in `folder`: {instance: {"optimum", "lb", "ub"}}.
    Reads `*optimum*.csv` (`problem,optimum`, from ptal/kobe-scheduling; all proven) and the UGent
    best-known tables (`*bks*.csv`: semicolon-separated, latin-1, a header row starting with
    'ID;'; columns 'LB value', 'UB value', 'OPT value', the last empty while open)."""
    folder = Path(folder)
    found: dict[str, dict] = {}
    for f in sorted(folder.glob("*bks*.csv")):
        rows = f.read_text(encoding="latin-1").splitlines()
        start = next((k for k, r in enumerate(rows) if r.startswith("ID;")), None)
        if start is None:
            continue
        for rec in csv.DictReader(rows[start:], delimiter=";"):
            ref = (rec.get("Ref1") or "").strip()
            if not ref.endswith(SUFFIX):  # the notes and references below the table
                continue
            name = instance_name(ref)
            lb, ub, opt = (_int(rec.get(c)) for c in ("LB value", "UB value", "OPT value"))
            opt = opt if opt else None  # an open instance has OPT value 0
            if name:
                found[name] = {"optimum": opt if opt is not None else (lb if lb is not None and lb == ub else None),
                               "lb": lb, "ub": ub}
    for f in sorted(folder.glob("*optimum*.csv")):
        with f.open(encoding="utf-8", newline="") as fh:
            for rec in csv.DictReader(fh):
                name, opt = instance_name((rec.get("problem") or "").strip()), _int(rec.get("optimum"))
                if name and opt is not None:
                    found[name] = {"optimum": opt, "lb": opt, "ub": opt}
    return found


def _int(text) -> int | None:
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return None


def published(path: str | Path) -> dict | None:
    """The published figures for the instance at `path`, from CSV files in its folder or the folder
    above (the layout of ../shared/psplib and tests/data/psplib), or None."""
    path = Path(path)
    for folder in (path.parent, path.parent.parent):
        try:
            figures = read_optima(folder).get(instance_name(path))
        except (OSError, UnicodeDecodeError, csv.Error):
            continue
        if figures:
            return figures
    return None


def published_optimum(path: str | Path) -> int | None:
    figures = published(path)
    return figures["optimum"] if figures else None


# --- TOML ----------------------------------------------------------------------------------------

def header_comment(rcpsp: Rcpsp, optimum: int | None = None, horizon: int | None = None) -> str:
    """The comment at the top of an imported plan: where it comes from and what is known of it."""
    name = instance_name(rcpsp.source) if rcpsp.source else "(unnamed)"
    lines = [f"PSPLIB instance {name} ({rcpsp.source}), imported by `planner import-psplib`.",
             "Source: Kolisch & Sprecher (1996), PSPLIB - A project scheduling library, EJOR 96:205-216.",
             f"{rcpsp.n - 2 if rcpsp.n >= 2 else rcpsp.n} jobs (besides the dummy source and sink), "
             f"{len(rcpsp.capacities)} renewable resources; one year = one period.",
             f"Critical-path lower bound: {rcpsp.critical_path_length()}."]
    if horizon is not None:
        lines.append(f"Horizon {horizon}: the makespan of a serial schedule-generation pass (latest finish first).")
    lines.append(f"Published optimum makespan: {optimum}." if optimum is not None
                 else "Published optimum makespan: not known here.")
    return "\n".join(lines)


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(k: str) -> str:
    return k if _BARE_KEY.match(k) else _string(k)


def _string(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch in "\b\t\n\f\r":
            out.append({"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        text = repr(v)
        return text if any(c in text for c in ".en") else text + ".0"
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(str(k))} = {_value(x)}" for k, x in v.items()) + " }" if v else "{}"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def to_toml(data: dict, comment: str = "") -> str:
    """TOML text for a plan dict: top-level scalars first, then a `[table]` per dict and a
    `[[table]]` per list of dicts; anything deeper is written inline."""
    out = [f"# {line}".rstrip() for line in comment.splitlines()]
    if out:
        out.append("")
    scalars = {k: v for k, v in data.items() if not _is_table(v) and not _is_table_array(v)}
    for k, v in scalars.items():
        out.append(f"{_key(k)} = {_value(v)}")
    if scalars:
        out.append("")
    for k, v in data.items():
        if _is_table(v):
            out.append(f"[{_key(k)}]")
            out.extend(f"{_key(str(kk))} = {_value(vv)}" for kk, vv in v.items())
            out.append("")
        elif _is_table_array(v):
            for item in v:
                out.append(f"[[{_key(k)}]]")
                out.extend(f"{_key(str(kk))} = {_value(vv)}" for kk, vv in item.items())
                out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _is_table(v) -> bool:
    return isinstance(v, dict)


def _is_table_array(v) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def write_toml(data: dict, path: str | Path, *, comment: str = "") -> None:
    """Write a plan dict as TOML (atomically: a failed write leaves no half-written plan)."""
    from planner.files import write_atomic
    write_atomic(Path(path), to_toml(data, comment))
