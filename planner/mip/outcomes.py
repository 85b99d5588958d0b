"""Research bets as outcome scenarios: which attempt at each bet works, and the plan each outcome
leaves (docs/model.md, "Research bets").

A bet is a stream with `success` < 1. Its outcome is the attempt that works (1..N) or none; the
outcomes of all bets together are an outcome scenario. Attempts that cannot finish before the last
period any deadline counts are cut off first (`reach`): whether they would work never shows, so
the outcomes "works at attempt k > reach" and "never works" are one scenario, which keeps the count
at prod(reach + 1) instead of prod(attempts + 1).

In one outcome scenario the plan is deterministic: bet b that works at attempt k is a chain of k-1
failed attempts ("b #1", ...) and then b itself, each with b's whole effort and min_duration; one
that never works is its `reach` failed attempts and b, which can never start. Every attempt is keyed
(stream, attempt number) alike in every scenario, so the policy MIP (mip/policy.py) can link them.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass

import numpy as np

from planner.instance.copies import copy_streams
from planner.instance.instance import AnyPrecedence, Instance, Precedence
from planner.structure import NEVER, critical_path, last_useful_period

MAX_SCENARIOS = 4096
"""The most outcome scenarios a plan may have (the product of reach + 1 over its bets). Each is a
copy of the plan's MIP: past this the policy MIP is too large to solve in minutes."""

Key = tuple[str, int]  # (stream, attempt number): the same attempt in every scenario


@dataclass(frozen=True)
class Outcome:
    """One outcome scenario: per bet (in `Bets.streams` order) the attempt that works, 0 for none
    within reach; and its probability."""

    works_at: tuple[int, ...]
    probability: float


@dataclass(frozen=True)
class Bets:
    """The bets of one plan variant and its outcome scenarios."""

    streams: tuple[int, ...]  # stream indices of the bets
    reach: tuple[int, ...]  # attempts at each that can finish in time
    finishes: tuple[tuple[int, ...], ...]  # earliest finish period of each attempt within reach
    outcomes: tuple[Outcome, ...]

    def names(self, inst: Instance) -> list[str]:
        return [inst.streams[b] for b in self.streams]


def attempt_finishes(inst: Instance, b: int, earliest_start: int) -> list[int]:
    """The earliest finish period of each attempt at stream b in turn, each starting the period
    after the one before it is known, while they fall at or before the last useful period."""
    last = last_useful_period(inst) if inst.objective != "earliest" else inst.periods - 1
    per_period = inst.max_progress[b]
    out: list[int] = []
    start = earliest_start
    for _ in range(int(inst.attempts[b])):
        if start >= inst.periods:
            break
        cum = np.cumsum(per_period[start:])
        hit = np.flatnonzero(cum >= inst.effort[b] * (1 - 1e-9))
        if not hit.size or start + int(hit[0]) > last:
            break
        out.append(start + int(hit[0]))
        start = out[-1] + 1
    return out


def bets_of(inst: Instance) -> Bets:
    """The variant's bets, their reach and their outcome scenarios (probabilities summing to 1).
    A certain stream (`success = 1`) needs one attempt and is no bet, whatever its `attempts`."""
    cp = critical_path(inst)
    streams, reach, finishes, choices = [], [], [], []
    for b in np.flatnonzero(inst.success < 1):
        es = int(cp.earliest_start[b])
        fin = attempt_finishes(inst, int(b), es) if cp.earliest_finish[b] != NEVER else []
        p = float(inst.success[b])
        # works at attempt k (1..reach) with p (1-p)^(k-1); none within reach: (1-p)^reach
        probs = [(k, p * (1 - p) ** (k - 1)) for k in range(1, len(fin) + 1)] + [(0, (1 - p) ** len(fin))]
        if len(fin) == 0:
            continue  # not even one attempt can finish in time: it never shows, no branching
        streams.append(int(b))
        reach.append(len(fin))
        finishes.append(tuple(fin))
        choices.append(probs)
    count = int(np.prod([len(c) for c in choices])) if choices else 1
    if count > MAX_SCENARIOS:
        raise ValueError(
            f"{count:,} outcome scenarios (attempts that can finish in time, plus one, multiplied over "
            f"{len(streams)} bets); at most {MAX_SCENARIOS:,} are solved (fewer bets or attempts)"
        )
    outcomes = tuple(
        Outcome(tuple(k for k, _ in combo), float(np.prod([q for _, q in combo])))
        for combo in itertools.product(*choices)
    )
    return Bets(tuple(streams), tuple(reach), tuple(finishes), outcomes)


def scenario_instance(inst: Instance, bets: Bets, outcome: Outcome) -> tuple[Instance, list[Key]]:
    """The deterministic plan of one outcome scenario, and the key of each of its streams.

    The plan's own streams keep their places (a bet's own index is its working attempt, or the
    unreachable stand-in when it never works); failed attempts are appended after them. `any`
    groups keep only the members that can still work; a group left with one member is a plain
    precedence or requirement."""
    S = len(inst.streams)
    keys: list[Key] = [(n, 1) for n in inst.streams]
    source = list(range(S))  # the plan stream each scenario stream copies
    precedences = list(inst.precedences)
    never = np.zeros(S, bool)
    first_attempt = list(range(S))  # where each stream's first attempt is
    for b, k, reach in zip(bets.streams, outcome.works_at, bets.reach):
        failed = (k - 1) if k else reach
        prev = None
        for a in range(1, failed + 1):
            idx = len(source)
            source.append(b)
            keys.append((inst.streams[b], a))
            # the first attempt waits for what the bet waits for; each later one for the one before
            if prev is None:
                precedences += [dataclasses.replace(p, succ=idx) for p in inst.precedences if p.succ == b]
                first_attempt[b] = idx
            else:
                precedences.append(Precedence(prev, idx, 0.0, 0))
            prev = idx
        keys[b] = (inst.streams[b], failed + 1)
        if prev is not None:  # the bet itself (its working attempt) comes after its failures
            precedences = [p for p in precedences if p.succ != b] + [Precedence(prev, b, 0.0, 0)]
        never[b] = k == 0
    src = np.array(source)
    scen = _copy_streams(
        inst, src, [inst.streams[s] if i < S else f"{keys[i][0]} #{keys[i][1]}" for i, s in enumerate(source)]
    )
    release = scen.release.copy()
    release[:S][never] = inst.periods * inst.step + 1.0  # never works: can never start
    any_after: list[AnyPrecedence] = []
    required = scen.required.copy()
    for g in inst.any_after:  # a bet's group binds its first attempt (the later ones wait for it)
        members = tuple(m for m in g.members if not never[m]) or g.members[:1]
        succ = first_attempt[g.succ]
        if len(members) == 1:
            precedences.append(Precedence(members[0], succ, g.lag, g.gap))
        else:
            any_after.append(AnyPrecedence(members, succ, g.lag, g.gap))
    any_required = []
    for group in inst.any_required:
        members = tuple(m for m in group if not never[m]) or group[:1]
        if len(members) == 1:
            required[members[0]] = True
        else:
            any_required.append(members)
    scen = dataclasses.replace(
        scen,
        release=release,
        required=required,
        precedences=precedences,
        any_after=any_after,
        any_required=any_required,
        success=np.ones(len(source)),
        attempts=np.ones(len(source), int),
    )
    # copies are not required and have no value: only the working attempt counts
    scen.value[S:] = 0.0
    return scen, keys


def _copy_streams(inst: Instance, source: np.ndarray, names: list[str]) -> Instance:
    """`inst` with stream i a copy of stream source[i] (instance/copies.py); failed copies (past the
    plan's own streams) are neither required nor in a milestone."""
    return copy_streams(inst, source, names, counted=np.arange(len(source)) < len(inst.streams))
