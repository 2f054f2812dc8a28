"""The self-assessment: confidence in each technique (not competence), as a labelled choice per
technique and a radar chart."""

from __future__ import annotations

from html import escape

import ipywidgets as W

from .. import catalog
from .common import control_style, status_html

#: the confidence scale, 1 to 5, as a learner reads it in each technique's list
SCALE = [("1: new to me", 1), ("2", 2), ("3", 3), ("4", 4), ("5: I do this well under pressure", 5)]


class SelfAssessment(W.VBox):
    """How confident are you in each technique? A list per technique, a radar chart, and an earlier
    profile beside it. Lists, not sliders: a list's label is its accessible name (ipywidgets ties
    them with ``for``), where a slider's handle has none (axe-core: aria-input-field-name)."""

    def __init__(self, label: str = "baseline", progress=None):
        from ..progress import Progress

        self.label = label
        self.progress = progress if progress is not None else Progress()
        self.scales = {
            t.id: W.Dropdown(options=SCALE, value=3, description=f"{t.module}. {t.title}",
                             style={"description_width": "360px"}, layout=W.Layout(width="700px"))
            for t in catalog.techniques().values()
        }
        for scale in self.scales.values():
            scale.add_class("powercoach-list")
        self.save = W.Button(description=f"Save my {label} profile", icon="save")
        self.save.on_click(lambda _: self.store())
        self.chart = W.HTML()
        self.caption = W.HTML()
        self.notice = W.HTML(status_html(" ".join(self.progress.warnings)))
        intro = W.HTML("Rate your <b>confidence</b> in each technique today, from 1 (new to me) to 5 (I do this "
                       "well under pressure). This measures how confident you feel, not how well you coach: the "
                       "drills and exercises show that. Use Tab to move between techniques and the arrow keys "
                       "to choose.")
        super().__init__([intro, *self.scales.values(), self.save, self.chart, self.caption, self.notice,
                          control_style()])
        self.add_class("powercoach-selfassessment")
        self.draw()

    def ratings(self) -> dict[str, int]:
        return {k: s.value for k, s in self.scales.items()}

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
