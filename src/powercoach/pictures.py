"""Pictures a learner would rather look at than read, drawn as SVG (no plotting library, so a
lesson does not wait for one to import)."""

from __future__ import annotations

import math
from html import escape

from . import catalog

STYLES = (("#34538c", ""), ("#8c5a34", "6,4"))  # colour and dash: the lines differ without colour too


def radar_svg(profiles: list[tuple[str, dict[str, int]]], size: int = 420, top: int = 5) -> str:
    """A radar chart of one or two self-assessment profiles (1 to ``top`` per technique)."""
    techniques = list(catalog.techniques().values())
    c, r = size / 2, size / 2 - 50
    angle = [2 * math.pi * i / len(techniques) - math.pi / 2 for i in range(len(techniques))]

    def point(i: int, value: float) -> str:
        return f"{c + r * value / top * math.cos(angle[i]):.1f},{c + r * value / top * math.sin(angle[i]):.1f}"

    rings = "".join(
        f"<polygon points='{' '.join(point(i, level) for i in range(len(techniques)))}' fill='none' stroke='#ccc'/>"
        for level in range(1, top + 1))
    spokes = "".join(
        f"<line x1='{c}' y1='{c}' x2='{point(i, top).split(',')[0]}' y2='{point(i, top).split(',')[1]}' stroke='#ccc'/>"
        f"<text x='{point(i, top + 0.7).split(',')[0]}' y='{point(i, top + 0.7).split(',')[1]}' font-size='13' "
        f"text-anchor='middle' dominant-baseline='middle'>{t.module}</text>"
        for i, t in enumerate(techniques))
    lines, legend = [], []
    for n, ((label, ratings), (colour, dash)) in enumerate(zip(profiles, STYLES, strict=False)):
        pts = " ".join(point(i, ratings.get(t.id, 0)) for i, t in enumerate(techniques))
        lines.append(f"<polygon points='{pts}' fill='{colour}' fill-opacity='0.12' stroke='{colour}' "
                     f"stroke-width='2.5' stroke-dasharray='{dash}'/>")
        y = size - 16 + 16 * n
        legend.append(f"<line x1='10' y1='{y}' x2='40' y2='{y}' stroke='{colour}' stroke-width='2.5' "
                      f"stroke-dasharray='{dash}'/><text x='46' y='{y + 4}' font-size='12'>{escape(label)}</text>")
    summary = "; ".join(escape(label) + ": " + ", ".join(f"module {t.module} {ratings.get(t.id, 0)}"
                                                        for t in techniques) for label, ratings in profiles)
    return (f"<svg xmlns='http://www.w3.org/2000/svg' width='{size}' height='{size + 22}' role='img' "
            f"aria-label='Radar chart of confidence per technique. {summary}'>"
            f"<text x='{c}' y='14' font-size='13' text-anchor='middle'>Confidence per technique (module numbers)</text>"
            f"<g transform='translate(0,12)'>{rings}{spokes}{''.join(lines)}</g>{''.join(legend)}</svg>")
