"""PSPLIB single-mode RCPSP instances (`.sm` files): the parser.

PSPLIB (Kolisch & Sprecher 1996, "PSPLIB - A project scheduling library", EJOR 96:205-216) is the
standard library of resource-constrained project scheduling problems: jobs with fixed durations,
finish-to-start precedences and per-period demands on renewable resources of fixed capacity;
minimise the makespan. The rest of the route to a plan lives beside this module:

    rcpsp = psplib.parse("j30/j301_1.sm")
    starts = reference.serial_sgs(rcpsp)       # a feasible schedule: its makespan is the plan horizon
    plan = conversion.to_plan(rcpsp, "j301_1")  # a plan dict (docs/plan-file.md)
    plan_file.write_toml(plan, "j301_1.toml",
                         comment=plan_file.header_comment(rcpsp, optima.published_optimum("j30/j301_1.sm")))

Only the standard library is used here (and planner.errors), so `planner import-psplib` starts
at once. See docs/psplib.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from planner.errors import PlanError

SUFFIX = ".sm"


@dataclass
class Rcpsp:
    """One single-mode RCPSP instance. Jobs are indexed from 0 in file order; `names` holds the
    job numbers of the file ("1" is the dummy source, the last is the dummy sink)."""

    names: list[str]
    durations: list[int]
    successors: list[list[int]]  # 0-based indices of each job's successors
    requests: list[list[int]]  # jobs x K: units of each renewable resource per period
    capacities: list[int]  # K: units of each renewable resource available per period
    horizon: int | None = None  # the file's own horizon (an upper bound), if given
    source: str = ""  # the file it came from
    resource_names: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
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
            raise lines.error(
                f"precedence row of job {j}: expected 'jobnr #modes #successors successors...', got {row.strip()!r}"
            )
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
            raise lines.error(
                f"requests row of job {j}: expected {3 + K + extra} numbers (job, mode, "
                f"duration and {K + extra} resources), got {len(values)}"
            )
        if values[0] != j:
            raise lines.error(f"expected the requests row of job {j}, got job {values[0]}")
        if values[2] < 0:
            raise lines.error(f"job {j}: negative duration {values[2]}")
        if any(v < 0 for v in values[3:]):
            raise lines.error(f"job {j}: negative resource request")
        if any(values[3 + K :]):
            raise lines.error(
                f"job {j} uses a nonrenewable or doubly constrained resource; only renewable resources are supported"
            )
        durations.append(values[2])
        requests.append(values[3 : 3 + K])

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
                raise lines.error(
                    f"job {j + 1} needs {requests[j][k]} units of R{k + 1}, more than its "
                    f"capacity {capacities[k]}: no schedule exists"
                )
    rcpsp = Rcpsp(
        names=[str(j) for j in range(1, n + 1)],
        durations=durations,
        successors=successors,
        requests=requests,
        capacities=capacities,
        horizon=horizon,
        source=str(path),
    )
    rcpsp.topological_order()  # a cycle is an error here, not a hang later
    return rcpsp


def instance_name(path: str | Path) -> str:
    """'.../j301_1.sm' -> 'j301_1'."""
    return Path(path).name.removesuffix(SUFFIX)
