"""The presets' numbers typed from their sources (docs/presets.md), independently of the planner's
own data file (planner/plan/presets.toml): the tests pin the planner to these.

Deadline presets: (calendar year, cumulative probability of arrival by then), as published.
Parallelization presets: the exponent (aifm: Beta(3.3, 2.8), whose median the tests compute).
"""

DEADLINES = {
    # Samotsvety, "Update to Samotsvety AGI timelines" (2023-01-24), aggregate (mean) row:
    # 10% 2026, P(2030) 0.31, 50% 2041, P(2050) 0.63, P(2100) 0.81, 90% 2164.
    "samotsvety-2023": [(2026, 0.10), (2030, 0.31), (2041, 0.50), (2050, 0.63), (2100, 0.81), (2164, 0.90)],
    # Grace et al., "Thousands of AI Authors on the Future of AI" (ESPAI 2023), HLMI: 10% 2027, 50% 2047.
    "espai-2023-hlmi": [(2027, 0.10), (2047, 0.50)],
    # AI 2027 timelines forecast, Lifland: superhuman coder median 2030, 80% CI 2026-2050.
    "ai2027-superhuman-coder": [(2026, 0.10), (2030, 0.50), (2050, 0.90)],
    # Cotra 2020 bio-anchors draft report: 10% by 2031, median 2052.
    "cotra-2020": [(2031, 0.10), (2052, 0.50)],
    # Cotra 2022 two-year update: ~15% by 2030, ~35% by 2036, median ~2040, ~60% by 2050.
    "cotra-2022": [(2030, 0.15), (2036, 0.35), (2040, 0.50), (2050, 0.60)],
}

PARALLELIZATION = {"ftm-conservative": 0.2, "ftm-best-guess": 0.7, "ftm-aggressive": 0.99}
AIFM_BETA = (3.3, 2.8)


def years_after(name: str, start_year: float) -> list[list[float]]:
    """A deadline preset as percentiles points for a plan starting in `start_year` (docs/presets.md:
    points at or before start_year are dropped, the others keep their published probability)."""
    return [[y - start_year, p] for y, p in DEADLINES[name] if y > start_year]


def beta_quantiles(a: float, b: float, qs: list[float], n: int = 400_000) -> list[float]:
    """Quantiles of Beta(a, b) by midpoint integration of its density (the test's own route)."""
    import numpy as np

    x = (np.arange(n) + 0.5) / n
    pdf = x ** (a - 1) * (1 - x) ** (b - 1)
    cdf = np.cumsum(pdf) / pdf.sum()
    return [float(x[np.searchsorted(cdf, q)]) for q in qs]


def exponent(name: str) -> float:
    """A parallelization preset's point value: the published exponent, or aifm's Beta median."""
    return PARALLELIZATION[name] if name in PARALLELIZATION else beta_quantiles(*AIFM_BETA, [0.5])[0]
