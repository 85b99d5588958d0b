"""resolve's per-plan sharing is a cache: it must give every variant the numbers a fresh resolve
gives, whatever order variants of different plans come in, and under concurrent threads (a web
session or a notebook may resolve plans from several threads at once).

The reference is each variant resolved right after a *different* plan, so that nothing of its
own plan is kept: `_Shared` is made anew for it. Then the same variants are resolved in mixed
orders, and from 4 threads at once, 400 times, and every Instance field and the cached values
the pipeline reads (caps, staff bound, order, critical path) must be equal, array for array.
"""
import dataclasses
import random
import threading

import numpy as np
import pytest

import planner
from planner.instance.resolve import resolve
from planner.structure import critical_path

from plans import ROOT

CACHED = ("release_period", "order", "own_cap", "rate_cap", "staff_bound", "max_progress", "has_dynamics")


def _plans():
    shipped = [planner.load(ROOT / "models" / name) for name in ("field_realistic.toml", "generations.toml",
                                                                  "diminishing_returns.toml", "serial_lair.toml")]
    # the same plan under other numbers: a new Plan object, equal in everything but one value
    other = shipped[0].with_changes({"pools.technical.supply.growth": 0.15})
    return shipped + [other]


def _numbers(inst):
    """Every field and every cached value the pipeline reads, as plain comparable values."""
    out = {f.name: getattr(inst, f.name) for f in dataclasses.fields(inst)}
    out.update({name: getattr(inst, name) for name in CACHED})
    cp = critical_path(inst)
    out["critical_path"] = (cp.earliest_finish, cp.goal_finish, cp.chain)
    return out


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def _agree(got, want):
    bad = [k for k in want if not _same(got[k], want[k])]
    assert not bad, bad


@pytest.fixture(scope="module")
def cases():
    plans = _plans()
    cases = [(p, iv) for p in plans for iv in [None] + [iv.name for iv in p.interventions]]
    reference = {}
    for k, (p, iv) in enumerate(cases):
        resolve(plans[(plans.index(p) + 1) % len(plans)])  # another plan last: nothing of p is kept
        reference[k] = _numbers(resolve(p, iv))
    return cases, reference


def test_variants_in_any_order_get_a_fresh_resolves_numbers(cases):
    cases, reference = cases
    order = list(range(len(cases))) * 3
    random.Random(7).shuffle(order)
    for k in order:
        p, iv = cases[k]
        _agree(_numbers(resolve(p, iv)), reference[k])


def test_concurrent_threads_get_a_fresh_resolves_numbers(cases):
    cases, reference = cases
    errors: list[BaseException] = []

    def work(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for _ in range(100):
                k = rng.randrange(len(cases))
                p, iv = cases[k]
                _agree(_numbers(resolve(p, iv)), reference[k])
        except BaseException as e:  # noqa: BLE001 - reported below, in the test's thread
            errors.append(e)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert not errors, errors[0]


def test_a_variant_changed_after_resolving_does_not_change_the_next(cases):
    """Each variant holds copies: writing into one Instance's arrays (as no caller should, but a
    notebook might) leaves the next variant of the same plan as a fresh resolve gives it."""
    cases, reference = cases
    k = next(k for k, (p, iv) in enumerate(cases) if iv is not None)
    p, iv = cases[k]
    first = resolve(p, None)
    for name in ("supply", "productivity", "effort", "crew", "own_cap", "release_period"):
        getattr(first, name)[...] = 0
    first.order.reverse()
    _agree(_numbers(resolve(p, iv)), reference[k])
