"""Start-up: `planner compare models/serial_parallel_toy.toml` end to end against a plain script that
builds the same model in raw highspy and solves it, each a fresh process, in the same run.

The plain script imports numpy and highspy, loads the toy baseline's whole MIP (the planner's own
arrays, written once to an .npz before any timing), passes it to a fresh Highs and runs it: the
least any tool that solves this model in Python pays (interpreter, numpy, HiGHS, one solve). The
planner's figure is the command as a user types it, from process start to exit: its imports, the
plan's parsing and checks, the baseline and intervention solves, the verdict's robustness, and the
table. Both run with Python's bytecode cache on (as an installed package is; PYTHONDONTWRITEBYTECODE
is removed from their environment), after one untimed warm-up run each.

Prints the median of `--runs` runs of each (taking turns, so drifts in load hit both alike), their
difference, and for scale the planner's import-only time (`import planner.cli`, then the modules
`compare` loads) and `compare --no-flip` (the same without the verdict's break-even search);
`--modules` lists the third-party packages `compare` imports; `--phases` times each phase of
`compare` inside one fresh process (numpy and highspy, pydantic, the plan schema's classes, rich,
the rest of the imports, reading the plan, the comparison's solves, the flip searches, the table),
the median of `--runs` processes, with the interpreter's own start: what the difference is made of.

    .venv/bin/python benchmarks/startup.py            # 15 runs each
    .venv/bin/python benchmarks/startup.py --runs 5 --modules --phases
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, median  # noqa: E402

TOY = ROOT / "models" / "serial_parallel_toy.toml"

RAW = r"""
import sys
import numpy as np
import highspy

m = np.load(sys.argv[1])
h = highspy.Highs()
h.setOptionValue("output_flag", False)
h.passModel(int(m["n"]), len(m["lower"]), len(m["values"]), highspy.MatrixFormat.kRowwise.value,
            int(m["sense"]), float(m["offset"]), m["cost"], m["lb"], m["ub"], m["lower"], m["upper"],
            m["starts"], m["index"], m["values"], m["integer"])
h.run()
print(h.getInfo().objective_function_value)
"""

IMPORTS = "import planner.cli.main, planner.cli.plan_cmds, planner.analysis.compare, planner.analysis.robustness"

MODULES = r"""
import sys
from planner.cli import main
code = main(["compare", sys.argv[1]])
third = sorted({m.split(".")[0] for m in sys.modules} & {"pandas", "matplotlib", "pyomo", "scipy", "pyscipopt",
                                                          "rich", "pydantic", "numpy", "highspy", "distributed"})
print("IMPORTED", " ".join(third), file=sys.stderr)
"""


PHASES = r"""
import json, sys, time
laps, t = {}, time.perf_counter()
def lap(name):
    global t
    now = time.perf_counter()
    laps[name], t = now - t, now
import numpy, highspy
lap("numpy + highspy (the raw script's too)")
import pydantic, annotated_types
from pydantic import BaseModel, ConfigDict, Discriminator, PrivateAttr, Tag, ValidationError, model_validator
lap("pydantic import")
import planner.plan.schema
lap("plan schema: its tables' classes")
import rich.console, rich.table
lap("rich (the table)")
import planner.cli.main, planner.cli.plan_cmds, planner.analysis.compare, planner.analysis.robustness
import planner.report.terminal
lap("the rest of compare's imports (planner)")
import planner
plan = planner.load(sys.argv[1])
lap("plan file read and validated (the schema's validator built on first use)")
from planner.analysis.compare import compare
comparison = compare(plan)
lap("compare: the baseline and intervention solves")
from planner.analysis.robustness import verdict_robustness
robustness = verdict_robustness(plan, comparison)
lap("robustness: the flip searches")
import io
from rich.console import Console
from planner.report import print_comparison, print_robustness
out = Console(file=io.StringIO(), width=80)
print_comparison(comparison, out)
print_robustness(comparison, robustness, out)
lap("the table printed")
print(json.dumps(laps))
"""


def phases(python: str, env: dict, runs: int) -> None:
    """Median seconds of each phase of `compare` inside one fresh process, in order, over `runs`
    processes: what the difference to the raw script is made of."""
    import json

    rows: list[dict[str, float]] = []
    for _ in range(runs):
        done = subprocess.run([python, "-c", PHASES, str(TOY)], env=env, cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"phases failed:\n{done.stderr[-2000:]}")
        rows.append(json.loads(done.stdout.splitlines()[-1]))
    start = [timed([python, "-c", "pass"], env) for _ in range(runs)]
    print(f"phases of compare in one process (median of {runs}); the interpreter's start alone: {median(start):.3f} s")
    for name in rows[0]:
        print(f"  {median([r[name] for r in rows]):.3f} s  {name}")


def save_toy_model(path: Path) -> None:
    """The toy baseline's whole MIP as arrays (the planner's own, as Model.linear_model builds it)."""
    import highspy
    import numpy as np

    import planner
    from planner.pipeline.session import Model

    lm = Model(planner.load(TOY)).linear_model
    col = lm.arrays()
    starts, index, values, lower, upper = lm.csr()
    sense = highspy.ObjSense.kMaximize if lm.sense == "max" else highspy.ObjSense.kMinimize
    np.savez(
        path,
        n=lm.n,
        sense=sense.value,
        offset=lm.offset,
        cost=col["cost"],
        lb=col["lb"],
        ub=col["ub"],
        lower=lower,
        upper=upper,
        starts=starts[:-1].astype(np.int32),
        index=index.astype(np.int32),
        values=values,
        integer=col["integer"].astype(np.int32),
    )


def timed(cmd: list[str], env: dict) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stderr[-2000:]}")
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--modules", action="store_true", help="list the packages `planner compare` imports")
    ap.add_argument("--phases", action="store_true", help="also time each phase of compare in one process")
    args = ap.parse_args()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")}
    python = sys.executable
    planner_cmd = [str(Path(python).parent / "planner"), "compare", str(TOY)]
    print(f"load average {os.getloadavg()[0]:.2f}; {args.runs} runs each")
    with tempfile.TemporaryDirectory() as tmp:
        arrays = Path(tmp) / "toy.npz"
        save_toy_model(arrays)
        raw_cmd = [python, "-c", RAW, str(arrays)]
        import_cmd = [python, "-c", IMPORTS]
        for cmd in (raw_cmd, planner_cmd, import_cmd):  # warm-up: bytecode caches, the file system's
            timed(cmd, env)
        no_flip_cmd = [*planner_cmd, "--no-flip"]
        raw, plan, imports, no_flip = [], [], [], []
        for _ in range(args.runs):
            raw.append(timed(raw_cmd, env))
            plan.append(timed(planner_cmd, env))
            imports.append(timed(import_cmd, env))
            no_flip.append(timed(no_flip_cmd, env))
    r, p, i, nf = median(raw), median(plan), median(imports), median(no_flip)
    print(f"raw highspy script (numpy + highspy + the toy's MIP): {r:.3f} s (median; min {min(raw):.3f})")
    print(f"planner compare {TOY.relative_to(ROOT)}: {p:.3f} s (median; min {min(plan):.3f})")
    print(f"difference: {p - r:+.3f} s   (target: within 0.1 s)")
    print(f"for scale: planner imports alone ({IMPORTS.removeprefix('import ')}): {i:.3f} s; "
          f"compare --no-flip (no break-even search for the verdict's robustness): {nf:.3f} s ({nf - r:+.3f} s)")
    if args.modules:
        done = subprocess.run([python, "-c", MODULES, str(TOY)], env=env, cwd=ROOT, capture_output=True, text=True)
        print(next((line for line in done.stderr.splitlines() if line.startswith("IMPORTED")), done.stderr[-500:]))
    if args.phases:
        phases(python, env, args.runs)


if __name__ == "__main__":
    main()
