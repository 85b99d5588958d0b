"""The policy MIP of a plan with research bets: one copy of the plan's MIP per outcome scenario
(mip/outcomes.py), weighted by its probability, tied together by non-anticipativity
(docs/model.md, "Research bets").

Two scenarios must allocate alike in every period in which what is known is the same. It is
enough to tie scenarios that differ in one bet only, and there only adjacent outcomes (works at
attempt k, and at k + 1 or never): scenarios farther apart are tied through the chain between
them, and each link of it holds until the earliest outcome the two ends differ in is revealed
(Goel & Grossmann's reduced set for endogenous uncertainty). Each such pair differs first when
attempt k finishes; the outcome is known at the end of that period. So, per pair and attempt
key (stream, attempt number):
  - periods up to the attempt's earliest possible finish: the two scenarios share one column
    (`merge`), no rows at all; identical rows left behind are dropped;
  - later periods: |u_w - u_w'| <= M * c_w[attempt k, t-1] ("tied until it is known"), one pair
    of rows per period, M the crew-unit bound, c the scenario's own completion binary.
A lazy c (0 although the attempt is done) only keeps the pair tied longer, which can never help
the objective; c cannot claim a finish the progress does not reach.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from planner.instance.instance import Instance
from planner.mip.formulation import build
from planner.mip.linear import INF, Family, LinearModel
from planner.mip.outcomes import Bets, Key, Outcome, bets_of, scenario_instance
from planner.structure import critical_path, last_useful_period

MERGED = ("u", "w", "c")  # per-stream blocks whose forced-equal cells share a column


@dataclass
class Scenario:
    """One outcome scenario inside the policy MIP: its plan, keys and column indices."""

    outcome: Outcome
    instance: Instance
    keys: list[Key]
    blocks: dict[str, np.ndarray]  # block name -> index into the policy MIP's columns (-1: fixed at 0)


@dataclass
class PolicyModel:
    lm: LinearModel
    bets: Bets
    scenarios: list[Scenario]
    stats: dict[str, int] = field(default_factory=dict)  # columns, rows, ties, merged columns


def build_policy(inst: Instance, bets: Bets | None = None, *, clairvoyant: bool = False) -> PolicyModel:
    """The policy MIP of a plan variant with bets (`probability` or `value`); `clairvoyant`: without
    non-anticipativity, every outcome known from the start (for the value of knowing them)."""
    bets = bets or bets_of(inst)
    last = last_useful_period(inst)
    parts: list[tuple[Outcome, Instance, list[Key], LinearModel]] = []
    for o in bets.outcomes:
        si, keys = scenario_instance(inst, bets, o)
        cp = critical_path(si)
        # one window rule for every scenario (earliest start to the last useful period): the
        # structure's latest finishes differ between outcomes and would cut a tied column in one
        lm = build(si, cp, (cp.earliest_start, np.full(len(si.streams), last)))
        parts.append((o, si, keys, lm))
    joint, scenarios = _stack(parts)
    pairs = [] if clairvoyant else _pairs(bets, scenarios)
    merge_a, merge_b, tie_rows = _ties(scenarios, pairs, joint, bets)
    model = _merge(joint, merge_a, merge_b, scenarios)
    stats = {
        "scenarios": len(scenarios),
        "pairs": len(pairs),
        "tie_rows": tie_rows,
        "columns_before_merge": joint.n,
        "columns": model.n,
        "rows": model.num_rows,
    }
    return PolicyModel(model, bets, scenarios, stats)


def _stack(parts: list[tuple[Outcome, Instance, list[Key], LinearModel]]) -> tuple[LinearModel, list[Scenario]]:
    """One LinearModel holding every scenario's columns and rows side by side, its costs weighted
    by the scenario's probability."""
    joint = LinearModel(sense=parts[0][3].sense)
    scenarios = []
    for o, si, keys, lm in parts:
        off = joint.n
        col = lm.arrays()
        joint.lb.append(col["lb"])
        joint.ub.append(col["ub"])
        joint.integer.append(col["integer"].astype(bool))
        joint.cost.append(col["cost"] * o.probability)
        joint.offset += lm.offset * o.probability
        for f in lm.families:
            joint.families.append(Family(f.name, f.rows, f.cols + off, f.vals, f.lower, f.upper, f.parts))
        blocks = {name: np.where(b.index >= 0, b.index + off, -1) for name, b in lm.blocks.items()}
        joint.n += lm.n
        scenarios.append(Scenario(o, si, keys, blocks))
    return joint, scenarios


def _pairs(bets: Bets, scenarios: list[Scenario]) -> list[tuple[int, int, int, int]]:
    """(w, w', bet, attempt): scenarios equal but in one bet, which works at `attempt` in w and
    at the next attempt (or never) in w'."""
    index = {s.outcome.works_at: k for k, s in enumerate(scenarios)}
    out = []
    for k, s in enumerate(scenarios):
        for j, reach in enumerate(bets.reach):
            a = s.outcome.works_at[j]
            if a == 0:
                continue
            nxt = list(s.outcome.works_at)
            nxt[j] = a + 1 if a < reach else 0
            out.append((k, index[tuple(nxt)], j, a))
    return out


def _key_cells(s: Scenario, name: str, keys: list[Key]) -> np.ndarray:
    """(len(keys), H) the scenario's columns of block `name` for each key (-1 where absent)."""
    where = {k: i for i, k in enumerate(s.keys)}
    index = s.blocks[name]
    out = np.full((len(keys), index.shape[1]), -1)
    for r, key in enumerate(keys):
        if key in where:
            out[r] = index[where[key]]
    return out


def _ties(
    scenarios: list[Scenario], pairs: list[tuple[int, int, int, int]], joint: LinearModel, bets: Bets
) -> tuple[np.ndarray, np.ndarray, int]:
    """Non-anticipativity for every pair: the columns to merge, and the tie rows added to `joint`."""
    ub = np.concatenate(joint.ub) if joint.ub else np.zeros(0)
    merge_a: list[np.ndarray] = []
    merge_b: list[np.ndarray] = []
    zero: list[np.ndarray] = []
    rows = 0
    for w, w2, j, attempt in pairs:
        s, s2 = scenarios[w], scenarios[w2]
        keys = sorted(set(s.keys) | set(s2.keys))
        b = bets.streams[j]  # in w the bet's own index is its working attempt
        c = s.blocks["c"][b]  # the attempt that works in w: its completion is the revelation
        known = np.r_[-1, c[:-1]]  # column of "revealed by the end of t - 1" (-1: cannot be yet)
        forced = known < 0
        for name in MERGED:
            a_cells, b_cells = _key_cells(s, name, keys), _key_cells(s2, name, keys)
            both = (a_cells >= 0) & (b_cells >= 0) & forced[None, :]
            merge_a.append(a_cells[both])
            merge_b.append(b_cells[both])
            only = ((a_cells >= 0) ^ (b_cells >= 0)) & forced[None, :] & (name == "u")
            zero.append(np.where(a_cells >= 0, a_cells, b_cells)[only])
        ua, ub_ = _key_cells(s, "u", keys), _key_cells(s2, "u", keys)
        kk, tt = np.nonzero(((ua >= 0) | (ub_ >= 0)) & ~forced[None, :])
        if kk.size:
            x, y, r = ua[kk, tt], ub_[kk, tt], known[tt]
            M = np.maximum(np.where(x >= 0, ub[np.maximum(x, 0)], 0.0), np.where(y >= 0, ub[np.maximum(y, 0)], 0.0))
            M = np.where(np.isfinite(M), M, 1e9)
            for sign in (1.0, -1.0):
                joint.add_rows(
                    f"tied[{s.instance.streams[b]}#{attempt}]",
                    [(x, sign), (y, -sign), (r, -M)],
                    -INF,
                    0.0,
                )
            rows += 2 * kk.size
    if zero:
        z = np.concatenate(zero)
        if z.size:
            joint.ub = [np.concatenate(joint.ub)]
            joint.ub[0][z] = 0.0
    empty = np.zeros(0, int)
    return (np.concatenate(merge_a) if merge_a else empty), (np.concatenate(merge_b) if merge_b else empty), rows


def _merge(joint: LinearModel, a: np.ndarray, b: np.ndarray, scenarios: list[Scenario]) -> LinearModel:
    """`joint` with the columns in each pair (a[k], b[k]) made one (bounds intersected, costs
    added), and rows made identical by it dropped. Updates the scenarios' block indices."""
    n = joint.n
    label = np.arange(n)
    if a.size:
        while True:  # union by smallest label, with pointer jumping, until stable
            m = np.minimum(label[a], label[b])
            before = label.copy()
            np.minimum.at(label, a, m)
            np.minimum.at(label, b, m)
            label = label[label]
            if np.array_equal(label, before):
                break
    roots, new = np.unique(label, return_inverse=True)
    col = joint.arrays()
    lb = np.full(roots.size, -INF)
    ubv = np.full(roots.size, INF)
    np.maximum.at(lb, new, col["lb"])
    np.minimum.at(ubv, new, col["ub"])
    integer = np.zeros(roots.size, bool)
    np.logical_or.at(integer, new, col["integer"].astype(bool))
    cost = np.zeros(roots.size)
    np.add.at(cost, new, col["cost"])
    out = LinearModel(sense=joint.sense, offset=joint.offset)
    out.lb, out.ub, out.integer, out.cost, out.n = [lb], [np.maximum(ubv, lb)], [integer], [cost], int(roots.size)
    rng = np.random.default_rng(0)
    h1, h2 = rng.random(roots.size), rng.random(roots.size)
    for f in joint.families:
        cols = new[f.cols]
        out.families.append(_dedupe(Family(f.name, f.rows, cols, f.vals, f.lower, f.upper, None), h1, h2))
    for s in scenarios:
        s.blocks = {k: np.where(v >= 0, new[np.maximum(v, 0)] if new.size else -1, -1) for k, v in s.blocks.items()}
    return out


def _dedupe(f: Family, h1: np.ndarray, h2: np.ndarray) -> Family:
    """The family without rows that repeat another exactly (same columns, coefficients, bounds)."""
    m = len(f.lower)
    if m < 2:
        return f
    order = np.lexsort((f.cols, f.rows))
    rows, cols, vals = f.rows[order], f.cols[order], f.vals[order]
    s1 = np.zeros(m)
    s2 = np.zeros(m)
    np.add.at(s1, rows, h1[cols] * vals)
    np.add.at(s2, rows, h2[cols] * (vals + np.pi))
    nnz = np.bincount(rows, minlength=m)
    sig = np.stack([s1, s2, f.lower, f.upper, nnz.astype(float)], axis=1)
    _, first = np.unique(sig, axis=0, return_index=True)
    keep = np.zeros(m, bool)
    keep[first] = True
    renumber = np.cumsum(keep) - 1
    sel = keep[rows]
    return Family(f.name, renumber[rows[sel]], cols[sel], vals[sel], f.lower[keep], f.upper[keep], None)


def earliest_progress(pm: PolicyModel, objective: float, tolerance: float) -> LinearModel:
    """The tie-break model: the policy MIP with its objective held within `tolerance` of `objective`,
    maximising the progress held early (each scenario's progress over its periods, weighted by its
    probability, per unit of effort), so that of the equally good policies the one that does its
    work as early as the plan allows is reported."""
    lm = pm.lm
    col = lm.arrays()
    out = LinearModel(sense="max", offset=0.0)
    out.lb, out.ub, out.integer, out.n = [col["lb"]], [col["ub"]], [col["integer"]], lm.n
    out.families = list(lm.families)
    cost = np.zeros(lm.n)
    for s in pm.scenarios:
        w = s.blocks["w"]
        scale = s.outcome.probability / np.maximum(s.instance.effort, 1e-12)[:, None] * np.ones(w.shape)
        np.add.at(cost, w[w >= 0], scale[w >= 0])
    out.cost = [cost / max(1.0, float(cost.sum()))]
    nz = np.flatnonzero(col["cost"])
    terms = [(np.array([j]), float(col["cost"][j])) for j in nz]  # one row over every costed column
    if terms and lm.sense == "max":
        out.add_rows("objective_kept", terms, objective - tolerance - lm.offset, INF)
    elif terms:
        out.add_rows("objective_kept", terms, -INF, objective + tolerance - lm.offset)
    return out
