"""Long fuzzing run: the generators of tests/oracles/test_fuzz.py (tests/fuzzplans.py) for many cases.

    python benchmarks/fuzz_long.py                    # 3000 cases, seed 0
    python benchmarks/fuzz_long.py --cases 20000 --seed 7
    python benchmarks/fuzz_long.py --replay huge_number 11647   # one case, verbose

Each case is a valid plan or one mutation of it (see tests/fuzzplans.py for the kinds). The
contract allows two outcomes: a verified optimal schedule (re-checked independently), or a
`planner.PlanError` that names its table. The summary counts cases tried, solved, refused (by
kind, and by the key or first words of the error), contract violations, unexpected exceptions
(each distinct one printed with its traceback) and timeouts. Exit status 1 if anything but the
two allowed outcomes happened.
"""
from __future__ import annotations

import argparse
import collections
import random
import re
import sys
import time
import traceback
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fuzzplans import KINDS, CaseTimeout, ContractViolation, dumps, make_case, run_case  # noqa: E402

# share of each kind among the cases (valid plans most often: they exercise the solver)
WEIGHTS = {"valid": 20, "unicode": 5, "prob_close": 5, "huge_horizon": 5, "huge_number": 8,
           "negative_value": 4, "wrong_type": 6, "missing_key": 5, "unknown_key": 5, "unknown_name": 6,
           "cycle": 4, "nonfinite": 5, "negative": 7, "prob_off": 4, "empty": 4, "nested_garbage": 7}
assert set(WEIGHTS) == set(KINDS)


def case_plan(seed: int, cases: int):
    """(index, kind, case seed) for every case of a run: reproducible from the run's seed."""
    kinds, weights = zip(*WEIGHTS.items())
    for i in range(cases):
        rng = random.Random(f"{seed}:{i}")
        yield i, rng.choices(kinds, weights)[0], rng.getrandbits(32)


def _signature(e: BaseException) -> str:
    tb = traceback.extract_tb(e.__traceback__)
    frames = [f for f in tb if "/planner/" in f.filename] or tb
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
    return f"{type(e).__name__} at {where}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--time-limit", type=float, default=5.0, help="solver time limit per solve (s)")
    ap.add_argument("--timeout", type=float, default=60.0, help="wall-clock limit per case (s)")
    ap.add_argument("--replay", nargs=2, metavar=("KIND", "SEED"), help="run one case and show it")
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore", category=RuntimeWarning)   # numpy overflow noise from extreme inputs

    if args.replay:
        kind, seed = args.replay[0], int(args.replay[1])
        case = make_case(kind, random.Random(seed))
        print(f"{kind} seed {seed}: {case.note} (expect: {case.expect})\n{dumps(case.data)}\n")
        out = run_case(case, time_limit=args.time_limit, via_file=seed % 3 == 0, wall_clock=args.timeout)
        print(f"outcome: {out.status} {out.group}")
        return 0

    start = time.perf_counter()
    tried = 0
    by_kind: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    refused_groups: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    unexpected: dict[str, list] = collections.defaultdict(list)   # signature -> [(kind, seed, exc text)]
    violations: dict[str, list] = collections.defaultdict(list)
    timeouts: list[tuple[str, int]] = []
    for i, kind, seed in case_plan(args.seed, args.cases):
        tried += 1
        try:
            case = make_case(kind, random.Random(seed))
            out = run_case(case, time_limit=args.time_limit, via_file=seed % 3 == 0, wall_clock=args.timeout)
        except CaseTimeout:
            by_kind[kind]["timeout"] += 1
            timeouts.append((kind, seed))
            print(f"[{i}] TIMEOUT {kind} seed {seed}", flush=True)
            continue
        except ContractViolation as e:
            by_kind[kind]["violation"] += 1
            first_line = str(e).split("\n")[0]
            sig = re.sub(r"[-+]?\d[\d.e+-]*", "#", first_line)[:90]
            violations[sig].append((kind, seed, str(e)))
            if len(violations[sig]) == 1:
                print(f"[{i}] CONTRACT VIOLATION {kind} seed {seed}: {str(e)[:1500]}", flush=True)
            continue
        except Exception as e:   # noqa: BLE001 - anything else is what we are looking for
            by_kind[kind]["exception"] += 1
            sig = _signature(e)
            unexpected[sig].append((kind, seed, f"{type(e).__name__}: {e}"))
            if len(unexpected[sig]) <= 1:
                print(f"[{i}] UNEXPECTED {sig} ({kind} seed {seed}, {case.note}):", flush=True)
                traceback.print_exception(e, file=sys.stdout)
                print(f"    plan: {dumps(case.data)[:1500]}\n", flush=True)
            continue
        by_kind[kind][out.status] += 1
        if out.status == "refused":
            refused_groups[kind][out.group] += 1
        if (i + 1) % 500 == 0:
            print(f"... {i + 1} cases, {time.perf_counter() - start:.0f} s", flush=True)
    elapsed = time.perf_counter() - start

    total = collections.Counter()
    for c in by_kind.values():
        total.update(c)
    cols = ["solved", "infeasible", "refused", "violation", "exception", "timeout"]
    print(f"\n== fuzz_long: {tried} cases, seed {args.seed}, {elapsed:.1f} s ==\n")
    print(f"{'kind':<16}" + "".join(f"{c:>11}" for c in cols))
    for kind in WEIGHTS:
        if kind in by_kind:
            print(f"{kind:<16}" + "".join(f"{by_kind[kind][c]:>11}" for c in cols))
    print(f"{'total':<16}" + "".join(f"{total[c]:>11}" for c in cols))
    print("\n(solved: optimal and verified; infeasible: objective 'earliest' reported infeasible and no "
          "simple schedule meets the goal either)")

    print("\nrefused, by kind and by the error's key (or first words):")
    for kind in WEIGHTS:
        groups = refused_groups.get(kind)
        if groups:
            top = ", ".join(f"{g} x{n}" for g, n in groups.most_common(6))
            more = len(groups) - 6
            print(f"  {kind:<16}{sum(groups.values()):>5}  {top}" + (f", ... (+{more} more)" if more > 0 else ""))

    if violations:
        print("\ncontract violations:")
        for sig, hits in sorted(violations.items(), key=lambda kv: -len(kv[1])):
            kinds = collections.Counter(k for k, _, _ in hits)
            print(f"  x{len(hits):<4} {sig}")
            print(f"        kinds: {dict(kinds)}; replay: --replay {hits[0][0]} {hits[0][1]}")
    if unexpected:
        print("\nunexpected exceptions (traceback of the first of each printed above):")
        for sig, hits in sorted(unexpected.items(), key=lambda kv: -len(kv[1])):
            kinds = collections.Counter(k for k, _, _ in hits)
            print(f"  x{len(hits):<4} {sig}: {hits[0][2][:120]}")
            print(f"        kinds: {dict(kinds)}; replay: --replay {hits[0][0]} {hits[0][1]}")
    if timeouts:
        print(f"\ntimeouts (> {args.timeout:g} s): " + ", ".join(f"{k} {s}" for k, s in timeouts[:20]))
    bad = total["violation"] + total["exception"] + total["timeout"]
    print(f"\n{'FAIL' if bad else 'OK'}: {bad} case(s) outside the contract's two outcomes")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
