"""The atlas as a heat map (`atlas_chart`) and as a section of the HTML report (`atlas_section`):
P(harm) of the intervention for each deadline preset (rows) and parallelization preset (columns),
each cell written with its P(harm) and mean effect, so the answer can be read against every
published forecast and exponent at once."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from planner.analysis.atlas import AtlasResult
from planner.report.sections import Chart, Section


def atlas_chart(result: AtlasResult, ax: Axes | None = None) -> Figure:
    """Heat map of P(harm) (0 = never harmful, 1 = always), rows deadline presets, columns
    parallelization presets; each cell also gives the mean effect (pp for a probability objective)."""
    rows, cols = list(result.deadlines), list(result.parallelization)
    grid = np.full((len(rows), len(cols)), np.nan)
    for c in result.cells:
        grid[rows.index(c.deadline), cols.index(c.parallelization)] = c.p_harm
    if ax is None:
        _, ax = plt.subplots(figsize=(1.9 * len(cols) + 3.2, 0.6 * len(rows) + 1.8))
    fig = ax.get_figure()
    assert isinstance(fig, Figure)  # an Axes of a figure, not of a subfigure
    image = ax.imshow(grid, cmap="RdYlGn_r", vmin=0.0, vmax=1.0, aspect="auto")
    scale, unit = (100.0, " pp") if result.objective_kind == "probability" else (1.0, "")
    for c in result.cells:
        i, j = rows.index(c.deadline), cols.index(c.parallelization)
        text = "no samples" if c.samples == 0 else f"{c.p_harm:.2f}\n{c.mean * scale:+.3g}{unit}"
        ax.text(j, i, text, ha="center", va="center", fontsize=8)
    ax.set_xticks(range(len(cols)), cols, rotation=20, ha="right")
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel("parallelization preset")
    ax.set_ylabel("deadline preset")
    samples = f"{result.samples_per_cell} samples per cell" if result.samples_per_cell > 1 else "one solve per cell"
    ax.set_title(f"{result.intervention}: P(harm) and mean effect ({samples})", fontsize=10)
    fig.colorbar(image, ax=ax, label="P(harm)")
    fig.tight_layout()
    return fig


def atlas_section(result: AtlasResult) -> Section:
    """The atlas as a report section (`html_report(..., sections=[atlas_section(result)])`): its
    cells as a table, then the heat map."""
    scale, unit = (100.0, " (pp)") if result.objective_kind == "probability" else (1.0, "")
    samples = (
        f"{result.samples_per_cell} samples per cell of the plan's [uncertainty]"
        if result.samples_per_cell > 1
        else "one solve per cell"
    )
    rows = [
        [
            c.deadline,
            c.parallelization,
            f"{c.p_harm:.2f}",
            *(f"{x * scale:+.3g}" for x in (c.mean, c.p5, c.p95)),
            str(c.samples),
        ]
        for c in result.cells
    ]
    return Section(
        title=f"Atlas: '{result.intervention}' against the published forecasts and exponents",
        text=f"Each cell fixes one deadline preset and one parallelization preset (docs/presets.md) "
        f"and runs {samples}; the parallelization preset is set on {', '.join(result.streams)}.",
        head=["deadline", "parallelization", "P(harm)", f"mean{unit}", f"p5{unit}", f"p95{unit}", "samples"],
        rows=rows,
        charts=[Chart("atlas", "atlas", "P(harm) and mean effect per pair of presets.", atlas_chart(result))],
    )
