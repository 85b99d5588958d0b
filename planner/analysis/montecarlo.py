"""Monte Carlo over a plan's inputs: sample the `[uncertainty]` table, solve every sample's baseline
and interventions, and report the distribution of each intervention's effect.

All samples are drawn here, in the calling process, before any solve, from one seed: the numbers
depend on the seed and `n` only, never on how many workers solve them or in which order they
finish. Each sample is a whole plan built with `Plan.with_changes`, so a draw that breaks a plan
rule is an error naming the sample and the path, not a silently odd solve.

    [uncertainty]
    seed = 20260101
    "deadline.distribution.median" = { kind = "lognormal", median = 26, sigma = 0.2 }
    "interventions.\\"capabilities work\\".deadline_shift" = { kind = "triangular", low = -2, mode = -1, high = -0.25 }

Kinds and their parameters: lognormal (median, sigma), normal (mean, sd), uniform (low, high),
triangular (low, mode, high), beta (alpha, beta, scaled to [low, high], default [0, 1]), choice
(values, optional weights). `min` and `max` truncate lognormal and normal draws (by rejection, so
the truncated shape is the distribution's own).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from planner.analysis.runner import OnPoint, Outcome, Point, check_workers, run
from planner.errors import PlanError
from planner.pipeline.arguments import MAX_SAMPLES, check_flag, optional, whole
from planner.plan.paths import did_you_mean, get, split_path
from planner.plan.presets import expand_uncertainty
from planner.plan.schema import Plan

if TYPE_CHECKING:
    import pandas as pd

HARM = 1e-9
"""An effect below -HARM is harm; smaller differences are solver tolerance."""

KINDS: dict[str, tuple[set, set]] = {  # kind -> (required parameters, optional ones)
    "lognormal": ({"median", "sigma"}, {"min", "max"}),
    "normal": ({"mean", "sd"}, {"min", "max"}),
    "uniform": ({"low", "high"}, set()),
    "triangular": ({"low", "mode", "high"}, set()),
    "beta": ({"alpha", "beta"}, {"low", "high"}),
    "choice": ({"values"}, {"weights"}),
}


@dataclass(frozen=True)
class Draw:
    """One uncertain input: the plan path it sets and its distribution."""

    path: str
    kind: str
    params: dict

    def sample(self, rng: np.random.Generator, n: int) -> list:
        p = self.params
        if self.kind == "choice":
            weights = np.asarray(p.get("weights") or [1.0] * len(p["values"]), dtype=float)
            picks = rng.choice(len(p["values"]), size=n, p=weights / weights.sum())
            return [p["values"][k] for k in picks]
        if self.kind == "uniform":
            return rng.uniform(p["low"], p["high"], n).tolist()
        if self.kind == "triangular":
            return rng.triangular(p["low"], p["mode"], p["high"], n).tolist()
        if self.kind == "beta":
            lo, hi = p.get("low", 0.0), p.get("high", 1.0)
            return (lo + (hi - lo) * rng.beta(p["alpha"], p["beta"], n)).tolist()
        out = np.empty(0)
        lo, hi = p.get("min", -math.inf), p.get("max", math.inf)
        for _ in range(1000):  # rejection: keeps the distribution's own shape inside [min, max]
            x = (
                rng.lognormal(math.log(p["median"]), p["sigma"], n)
                if self.kind == "lognormal"
                else rng.normal(p["mean"], p["sd"], n)
            )
            out = np.concatenate([out, x[(x >= lo) & (x <= hi)]])
            if len(out) >= n:
                return out[:n].tolist()
        raise PlanError(
            f"the truncation [{lo:g}, {hi:g}] keeps almost none of the distribution",
            table="[uncertainty]",
            key=self.path,
        )


def parse_uncertainty(table: dict | None, plan: Plan) -> tuple[int, list[Draw]]:
    """The seed and the draws of an `[uncertainty]` table, every path checked against the plan."""
    if not table:
        raise PlanError(
            "the plan has no [uncertainty] table to sample (see docs/analysis.md)",
            file=str(plan.source) if plan.source else None,
            table="[uncertainty]",
        )
    where = dict(file=str(plan.source) if plan.source else None, table="[uncertainty]")
    table = expand_uncertainty(table, file=where["file"]) or {}  # `{ preset = "aifm" }` as its distribution
    seed = table.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise PlanError("needs 'seed', a whole number >= 0, so that a run can be repeated", key="seed", **where)
    draws = []
    for path, spec in _leaves({k: v for k, v in table.items() if k != "seed"}):
        split_path(path)
        if not isinstance(spec, dict) or "kind" not in spec:
            raise PlanError("a distribution is a table with 'kind' (" + ", ".join(KINDS) + ")", key=path, **where)
        kind = spec["kind"]
        if kind not in KINDS:
            raise PlanError(f"unknown kind '{kind}'" + did_you_mean(kind, list(KINDS)), key=path, **where)
        required, optional = KINDS[kind]
        params = {k: v for k, v in spec.items() if k != "kind"}
        missing, extra = required - set(params), set(params) - required - optional
        if missing:
            raise PlanError(f"{kind} needs {', '.join(sorted(missing))}", key=path, **where)
        if extra:
            bad = sorted(extra)[0]
            raise PlanError(
                f"unknown parameter '{bad}' for {kind}" + did_you_mean(bad, sorted(required | optional)),
                key=path,
                **where,
            )
        _check_params(kind, params, path, where)
        get(plan, path)  # the path must name a value of this plan
        draws.append(Draw(path, kind, params))
    if not draws:
        raise PlanError("names no uncertain input", **where)
    return seed, draws


def _leaves(table: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(path, distribution) pairs: TOML turns unquoted dotted keys into nested tables."""
    for key, value in table.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and "kind" not in value:
            yield from _leaves(value, path)
        else:
            yield path, value


def _check_params(kind: str, p: dict, path: str, where: dict) -> None:
    def number(name):
        v = p[name]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise PlanError(f"'{name}' must be a finite number, got {v!r}", key=path, **where)
        return v

    nums = {k: number(k) for k in p if k not in ("values", "weights")}
    problem = None
    if kind == "lognormal" and not (nums["median"] > 0 and nums["sigma"] > 0):
        problem = "median and sigma must be > 0"
    elif kind == "normal" and not nums["sd"] > 0:
        problem = "sd must be > 0"
    elif kind == "uniform" and not nums["low"] < nums["high"]:
        problem = "needs low < high"
    elif kind == "triangular" and not nums["low"] <= nums["mode"] <= nums["high"] > nums["low"]:
        problem = "needs low <= mode <= high and low < high"
    elif kind == "beta" and not (nums["alpha"] > 0 and nums["beta"] > 0 and nums.get("low", 0) < nums.get("high", 1)):
        problem = "needs alpha, beta > 0 and low < high"
    elif kind == "choice":
        values, weights = p["values"], p.get("weights")
        if not isinstance(values, list) or not values:
            problem = "'values' must be a non-empty list"
        elif weights is not None and (
            not isinstance(weights, list)
            or len(weights) != len(values)
            or any(not isinstance(w, (int, float)) or w < 0 for w in weights)
            or sum(weights) <= 0
        ):
            problem = "'weights' must be one non-negative number per value, not all zero"
    if "min" in nums and "max" in nums and not nums["min"] < nums["max"]:
        problem = "needs min < max"
    if problem:
        raise PlanError(f"{kind}: {problem}", key=path, **where)


def draw_samples(seed: int, draws: list[Draw], n: int) -> list[dict[str, Any]]:
    """n samples {path: value}; each input has its own stream from the seed, so adding an input
    does not change the draws of the others."""
    streams = np.random.SeedSequence(seed).spawn(len(draws))
    columns = {d.path: d.sample(np.random.default_rng(s), n) for d, s in zip(draws, streams)}
    return [{path: _plain(values[k]) for path, values in columns.items()} for k in range(n)]


def _plain(x: Any) -> Any:
    return x.item() if hasattr(x, "item") else x


@dataclass(frozen=True)
class MonteCarloResult:
    """Every sample drawn from the plan's `[uncertainty]` table and every variant solved at it."""

    seed: int
    inputs: list[str]
    samples: list[dict[str, Any]]
    outcome: Outcome
    objective_kind: str = "probability"  # the plan's objective: for `earliest` a positive effect is harm

    def harm(self, effects: ArrayLike) -> np.ndarray:
        """Which effects are harm: below -HARM, or above HARM for `earliest` (a later goal)."""
        import numpy as np

        d = np.asarray(effects, dtype=float)
        return d > HARM if self.objective_kind == "earliest" else d < -HARM

    @property
    def interrupted(self) -> bool:
        return self.outcome.interrupted

    def to_frame(self) -> pd.DataFrame:
        """One row per sample and variant: `sample`, each sampled input, `variant`, `objective`,
        `status`, `goal_year`, `delta`, `structural`."""
        import pandas as pd

        rows: list[dict[str, Any]] = []
        for k, (values, records) in enumerate(zip(self.samples, self.outcome.records)):
            for r in records or []:
                rows.append(
                    {
                        "sample": k,
                        **values,
                        "variant": r["variant"],
                        "objective": r["objective"],
                        "status": r["status"],
                        "goal_year": r["goal_year"],
                        "delta": r["delta"],
                        "structural": r["structural"],
                    }
                )
        return pd.DataFrame(
            rows, columns=["sample", *self.inputs, "variant", "objective", "status", "goal_year", "delta", "structural"]
        )

    def summary(self) -> pd.DataFrame:
        """Per intervention: samples, mean effect, percentiles, P(harm) (`harm`: delta < 0, or > 0
        for `earliest`), the share
        of samples where the effect is structural, and the input its effect follows most."""
        import pandas as pd

        frame = self.to_frame()
        rows = []
        for name, g in frame[frame.variant != "baseline"].groupby("variant", sort=False):
            d = g["delta"].dropna()
            top = self.tornado(name)
            rows.append(
                {
                    "intervention": name,
                    "samples": len(d),
                    "mean": d.mean(),
                    "p5": d.quantile(0.05),
                    "p50": d.quantile(0.5),
                    "p95": d.quantile(0.95),
                    "p_harm": float(self.harm(d).mean()),
                    "structural": float(g["structural"].mean()),
                    "top_input": top.iloc[0]["input"]
                    if len(top) and pd.notna(top.iloc[0]["rank_correlation"])
                    else None,
                }
            )
        return pd.DataFrame(
            rows, columns=["intervention", "samples", "mean", "p5", "p50", "p95", "p_harm", "structural", "top_input"]
        )

    def tornado(self, intervention: str) -> pd.DataFrame:
        """Spearman rank correlation of each sampled input with the intervention's effect, largest
        first (NaN where the input or the effect does not vary). Inputs that set another
        intervention (`interventions."OTHER"...`) cannot change this one's effect and are left out:
        a correlation there is sampling noise."""
        import pandas as pd

        frame = self.to_frame()
        g = frame[frame.variant == intervention]
        rows = []
        for path in self.inputs:
            if _sets_other_intervention(path, intervention):
                continue
            x = pd.to_numeric(g[path], errors="coerce")
            ok = x.notna() & g["delta"].notna()
            rho = (
                x[ok].rank().corr(g["delta"][ok].rank())
                if ok.sum() > 2 and x[ok].nunique() > 1 and g["delta"][ok].nunique() > 1
                else math.nan
            )
            rows.append({"input": path, "rank_correlation": rho})
        out = pd.DataFrame(rows, columns=["input", "rank_correlation"])
        return out.reindex(
            out["rank_correlation"].abs().sort_values(ascending=False, na_position="last").index
        ).reset_index(drop=True)

    def to_dict(self) -> dict[str, Any]:
        summary = self.summary()
        clean = lambda f: f.astype(object).where(f.notna(), None).to_dict(orient="records")  # noqa: E731
        return {
            "seed": self.seed,
            "samples": len(self.samples),
            "inputs": self.inputs,
            "not_run": self.outcome.not_run,
            "interrupted": self.interrupted,
            "where": self.outcome.where,
            "interventions": clean(summary),
            "tornado": {name: clean(self.tornado(name)) for name in summary["intervention"]},
        }


def _check_samples(plan: Plan, samples: list[dict[str, Any]]) -> None:
    """Every sample applied to the plan in order; the first that breaks a plan rule is a PlanError
    naming it and its draws."""
    for k, values in enumerate(samples):
        check_sample(plan, k, values)


def check_sample(plan: Plan, k: int, values: dict[str, Any]) -> None:
    """Sample `k` applied to the plan: a PlanError naming it and its draws if it breaks a plan rule."""
    try:
        plan.with_changes(values)
    except PlanError as e:
        drawn = ", ".join(f"{p} = {v:.6g}" if isinstance(v, float) else f"{p} = {v}" for p, v in values.items())
        raise PlanError(
            f"sample {k} ({drawn}): {e.detail} (narrow or truncate its distribution in [uncertainty])",
            file=e.file,
            table=e.table,
            key=e.key,
        ) from None


def _sets_other_intervention(path: str, intervention: str) -> bool:
    parts = split_path(path)
    return len(parts) > 1 and parts[0] == "interventions" and parts[1] != intervention


def montecarlo(
    plan: Plan,
    n: int = 500,
    *,
    seed: int | None = None,
    interventions: list[str] | None = None,
    workers: int | None = None,
    scheduler: Any = None,  # an address, or a distributed Client or cluster
    on_point: OnPoint | None = None,
    cancel: threading.Event | None = None,
    fast: bool = True,
    **options: Any,
) -> MonteCarloResult:
    """Sample the plan's `[uncertainty]` table `n` times and solve every sample's variants.

    `n`: samples (1 to MAX_SAMPLES). `seed`: whole number >= 0 (default: the table's `seed`); the
    numbers depend on the seed and `n` only, not on the workers. `interventions`: the names solved
    beside the baseline (default: all). `workers`, `scheduler`, `on_point`, `cancel` and
    `options`: as `sweep`'s. A draw that breaks a plan rule raises PlanError naming the sample.
    `fast` (default True): each sample is checked where it is solved, not first one by one here
    (an error still names the first bad sample), and a variant the critical-path bound settles is
    not handed to the solver a second time (`confirm=False`, see `Model.solve`; pass
    `confirm=True` to keep that check): its plan is still re-checked by verification. The numbers
    equal those of `fast=False`, the plain path (docs/analysis.md, "Speed").

    Returns a MonteCarloResult: `to_frame()` one row per sample and variant, `summary()` per
    intervention (mean effect, percentiles, P(harm), share structural, top input), `tornado(name)`
    (rank correlation of each input with the effect), `to_dict()`."""
    n = whole(n, "n", 1, MAX_SAMPLES)
    seed = optional(whole, seed, "seed", lo=0)  # numpy's SeedSequence takes whole numbers >= 0
    check_workers(workers)
    fast = check_flag(fast, "fast")
    table_seed, draws = parse_uncertainty(plan.uncertainty, plan)
    seed = table_seed if seed is None else seed
    if interventions is not None:
        for name in interventions:
            plan.intervention(name)
    samples = draw_samples(seed, draws, n)
    if fast:
        options.setdefault("confirm", False)
    else:
        _check_samples(plan, samples)
    options.pop("cross_check", None)
    try:
        outcome = run(
            [Point(plan, interventions, values) for values in samples],
            options,
            workers=workers,
            scheduler=scheduler,
            on_point=on_point,
            cancel=cancel,
        )
    except PlanError:  # a bad draw met in a worker: name the first bad sample, as the plain path does
        _check_samples(plan, samples)
        raise
    return MonteCarloResult(seed, [d.path for d in draws], samples, outcome, plan.plan.objective)
