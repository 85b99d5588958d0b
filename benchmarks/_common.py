"""Helpers shared by the benchmark scripts: medians, plain tables, JSON output, a silenced HiGHS."""
from __future__ import annotations

import json
import os
import platform
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(v, digits: int = 3) -> str:
    """Seconds and ratios to a fixed number of significant-looking decimals; None as '-'."""
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return str(v)
    if v != 0 and abs(v) < 10 ** -digits:
        return f"{v:.1e}"
    return f"{v:.{digits}f}"


def table(headers: list[str], rows: list[list], title: str | None = None) -> str:
    """A plain fixed-width table; numbers right-aligned, text left-aligned."""
    cells = [[fmt(c) if not isinstance(c, str) else c for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[k]) for r in cells]) for k, h in enumerate(headers)]
    numeric = [all(not isinstance(row[k], str) or row[k] in ("-",) or _looks_numeric(row[k])
                   for row in rows) for k in range(len(headers))]

    def line(values):
        return "  ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)).rstrip()

    out = []
    if title:
        out.append(title)
    out.append(line(headers))
    out.append("  ".join("-" * w for w in widths))
    out.extend(line(r) for r in cells)
    return "\n".join(out)


def _looks_numeric(s: str) -> bool:
    try:
        float(s.rstrip("x"))
        return True
    except ValueError:
        return False


from planner.solvers.highs import stdout_to_devnull  # noqa: E402


def fresh_highs():
    import highspy
    with stdout_to_devnull():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    return h


def raw_highs_solve(mps_path: str, *, time_limit: float, gap: float = 1e-6) -> dict:
    """Read an MPS file into a fresh, silent Highs and time only `run()`."""
    h = fresh_highs()
    with stdout_to_devnull():
        h.readModel(str(mps_path))
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", float(gap))
    h.setOptionValue("time_limit", float(time_limit))
    start = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - start
    info = h.getInfo()
    status = h.getModelStatus().name
    has_plan = info.primal_solution_status == 2
    return {"seconds": seconds, "status": "optimal" if status == "kOptimal" else status.removeprefix("k"),
            "objective": float(info.objective_function_value) if has_plan else None,
            "gap": float(info.mip_gap) if has_plan else None}


def raw_highs_model(lm, *, time_limit: float | None = None, gap: float = 1e-6) -> dict:
    """Pass a LinearModel into a fresh, silent Highs (untimed) and time only `run()`: HiGHS's own
    time on that MIP, with HiGHS's defaults otherwise."""
    import highspy
    import numpy as np

    col = lm.arrays()
    starts, index, values, lower, upper = lm.csr()
    h = fresh_highs()
    sense = highspy.ObjSense.kMaximize if lm.sense == "max" else highspy.ObjSense.kMinimize
    h.passModel(lm.n, len(lower), len(values), highspy.MatrixFormat.kRowwise.value, sense.value, lm.offset,
                col["cost"], col["lb"], col["ub"], lower, upper, starts[:-1].astype(np.int32),
                index.astype(np.int32), values, col["integer"].astype(np.int32))
    h.setOptionValue("mip_rel_gap", float(gap))
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    start = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - start
    info = h.getInfo()
    status = h.getModelStatus().name
    has_plan = info.primal_solution_status == 2
    return {"seconds": seconds, "status": "optimal" if status == "kOptimal" else status.removeprefix("k"),
            "objective": float(info.objective_function_value) if has_plan else None,
            "gap": float(info.mip_gap) if has_plan else None}


def commit() -> str | None:
    """The checked-out commit (read-only `git rev-parse`), so figures can be tied to the code."""
    import subprocess
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True, timeout=10)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def environment() -> dict:
    import highspy  # noqa: F401
    from importlib.metadata import version
    return {"commit": commit(), "python": platform.python_version(), "highspy": version("highspy"), "numpy": version("numpy"),
            "machine": platform.machine(), "cpus": os.cpu_count(),
            "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
            "when": time.strftime("%Y-%m-%d %H:%M:%S")}


def print_environment() -> None:
    env = environment()
    load = env["load_average"]
    print(f"commit {env['commit']}, python {env['python']}, highspy {env['highspy']}, numpy {env['numpy']}, "
          f"{env['cpus']} cpus, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}" if load else "")


def write_json(path: str | None, payload: dict) -> None:
    if not path:
        return
    payload = {"environment": environment(), **payload}
    Path(path).write_text(json.dumps(payload, indent=2, default=_default) + "\n", encoding="utf-8")
    print(f"\nwrote {path}")


def _default(o):
    try:
        import numpy as np
        if isinstance(o, np.generic):
            return o.item()
        if isinstance(o, np.ndarray):
            return o.tolist()
    except ImportError:
        pass
    return str(o)
