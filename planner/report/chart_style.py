"""What every chart shares: the Agg backend (charts go to files and HTML, never a display), the
colours, and a figure of its own unless the caller passes an `ax`."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # never a display: charts go to files and HTML
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

SERIAL, PARALLEL, DEADLINE = "#c0504d", "#4f81bd", "#d62728"
HARM_COLOUR, GAIN_COLOUR = "#c0504d", "#4f81bd"


def chart_axes(ax: Axes | None, size: tuple[float, float] = (9, 4.5)) -> tuple[Figure, Axes]:
    """`ax` and its figure, or a new figure of `size` inches with one axes."""
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]  # a subfigure's axes draw as well; callers pass a figure's
    fig, new = plt.subplots(figsize=size, layout="constrained")
    return fig, new
