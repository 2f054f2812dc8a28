"""Pictures a learner would rather look at than read. matplotlib loads only here, on first use."""

from __future__ import annotations

import io
import math

from . import catalog


def radar_png(profiles: list[tuple[str, dict[str, int]]]) -> bytes:
    """A radar chart of one or two self-assessment profiles (1-5 per technique), as PNG bytes.

    Lines differ in style as well as colour, so the chart reads without colour too.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    techniques = list(catalog.techniques().values())
    angles = [2 * math.pi * i / len(techniques) for i in range(len(techniques))]
    fig = plt.figure(figsize=(5.2, 5.2), dpi=90)
    ax = fig.add_subplot(projection="polar")
    for (label, ratings), style in zip(profiles, ("-o", "--s"), strict=False):
        values = [ratings.get(t.id, 0) for t in techniques]
        ax.plot(angles + angles[:1], values + values[:1], style, label=label, linewidth=2)
    ax.set_xticks(angles, [str(t.module) for t in techniques])
    ax.set_ylim(0, 5)
    ax.set_yticks([1, 2, 3, 4, 5])
    ax.legend(loc="lower right", bbox_to_anchor=(1.15, -0.12), fontsize=8)
    ax.set_title("Confidence per technique (module numbers)", fontsize=10)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()
