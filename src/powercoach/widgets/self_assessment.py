"""The self-assessment: confidence in each technique, as sliders and a radar chart."""

from __future__ import annotations

from html import escape

import ipywidgets as W

from .. import catalog
from .common import status_html


class SelfAssessment(W.VBox):
    """How confident are you in each technique? Sliders, a radar chart, and an earlier profile beside it."""

    def __init__(self, label: str = "baseline", progress=None):
        from ..progress import Progress

        self.label = label
        self.progress = progress if progress is not None else Progress()
        self.sliders = {
            t.id: W.IntSlider(value=3, min=1, max=5, description=f"{t.module}. {t.title}",
                              style={"description_width": "360px"}, layout=W.Layout(width="620px"))
            for t in catalog.techniques().values()
        }
        self.save = W.Button(description=f"Save my {label} profile", icon="save")
        self.save.on_click(lambda _: self.store())
        self.chart = W.HTML()
        self.caption = W.HTML()
        self.notice = W.HTML(status_html(" ".join(self.progress.warnings)))
        intro = W.HTML("Rate your confidence in each technique today, from 1 (new to me) to 5 (I do this well "
                       "under pressure). This measures how confident you feel, not how well you coach: the drills "
                       "and exercises show that. Use Tab and the arrow keys to move the sliders.")
        super().__init__([intro, *self.sliders.values(), self.save, self.chart, self.caption, self.notice])
        self.add_class("powercoach-selfassessment")
        self.draw()

    def ratings(self) -> dict[str, int]:
        return {k: s.value for k, s in self.sliders.items()}

    def store(self) -> None:
        self.progress.add_profile(self.label, self.ratings())
        self.notice.value = status_html(" ".join(self.progress.warnings))
        self.draw()

    def draw(self) -> None:
        from ..pictures import radar_svg

        earlier = [p for p in self.progress.profiles() if p["label"] != self.label]
        lines = [(f"now ({self.label})", self.ratings())]
        if earlier:
            lines.append((f"{earlier[-1]['label']} ({earlier[-1]['saved']})", earlier[-1]["ratings"]))
        self.chart.value = radar_svg(lines)
        names = {t.id: t.title for t in catalog.techniques().values()}
        text = "; ".join(f"{names[k]} {v}" for k, v in self.ratings().items())
        if earlier:
            change = [f"{names[k]} {v - earlier[-1]['ratings'].get(k, v):+d}" for k, v in self.ratings().items()
                      if v != earlier[-1]["ratings"].get(k, v)]
            text += f". Compared with {earlier[-1]['label']}: {', '.join(change) or 'no change'}."
        self.caption.value = f"<p>Your profile (the chart shows the same): {escape(text)}</p>"
