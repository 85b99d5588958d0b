"""What the chart tests look at, shared by tests/report/test_charts.py and tests/report/test_analysis_charts.py:
a figure's pixels, whether it is drawn at all, and its artists by gid."""
from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def pixels(fig) -> np.ndarray:
    """The figure as RGB pixels (a 60 dpi PNG, read back); the figure is closed."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=60)
    plt.close(fig)
    buf.seek(0)
    return mpimg.imread(buf)[..., :3]


def assert_drawn(px: np.ndarray) -> None:
    """Not blank: some ink, and more than a few flat colours."""
    ink = (px < 0.9).any(axis=2).mean()      # share of pixels that are not (near) white
    assert ink > 0.02, f"only {ink:.1%} of the image is drawn"
    assert len(np.unique(px.reshape(-1, 3).round(2), axis=0)) > 5


def assert_not_blank(fig) -> None:
    assert_drawn(pixels(fig))


def gid(ax, name: str) -> list:
    """The artists of `ax` the chart tagged with gid `name`."""
    return [a for a in ax.get_children() if a.get_gid() == name]
