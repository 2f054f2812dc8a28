"""Best and worst: four responses to one scene, pick the best and the worst (the ICF exam's format)."""

from __future__ import annotations

from html import escape

import ipywidgets as W

from .. import bank
from ..key import PRACTICE
from ..marking import mark_best_worst
from .common import NO_STYLE, OK_STYLE, control_style, radios, scene_html, status_html


class BestWorstPicker(W.VBox):
    """Four responses to one scene: pick the best and the worst (the ICF exam's format).

    A point for each correct pick, and feedback on every option.
    """

    def __init__(self, technique: str | None = None, *, sets: list[str] | None = None, use: str = "practice"):
        every = bank.best_worst_sets()
        if sets is None:
            sets = [k for k, v in every.items()
                    if v["use"] == use and (technique is None or v["technique"] == technique)]
        if not sets:
            raise ValueError(f"No best-and-worst sets for {technique or 'any technique'} ({use}).")
        self.sets = [PRACTICE.best_worst(k) for k in sets]  # an assessment set raises KeyMissing
        self.position = 0
        self.points: dict[str, int] = {}
        self.title, self.scene, self.feedback, self.score = (W.HTML() for _ in range(4))
        letters = ["A", "B", "C", "D"]
        self.best = radios(options=letters, value=None, description="Best")
        self.worst = radios(options=letters, value=None, description="Worst")
        self.check = W.Button(description="Check", tooltip="Check your picks", icon="question")
        self.prev = W.Button(description="Previous", icon="arrow-left")
        self.next = W.Button(description="Next", icon="arrow-right")
        self.check.on_click(lambda _: self.submit())
        self.prev.on_click(lambda _: self.go(-1))
        self.next.on_click(lambda _: self.go(1))
        super().__init__([self.title, self.scene, W.HBox([self.best, self.worst]), self.check, self.feedback,
                          W.HBox([self.prev, self.next]), self.score, control_style()])
        self.add_class("powercoach-bestworst")
        self.render()

    @property
    def current(self) -> dict:
        return self.sets[self.position]

    def submit(self) -> int | None:
        if self.best.value is None or self.worst.value is None:
            self.feedback.value = status_html("Pick one response as best and one as worst, then press Check.")
            return None
        if self.best.value == self.worst.value:
            self.feedback.value = status_html(
                "One response cannot be both the best and the worst: pick two different ones.")
            return None
        points, lines = mark_best_worst(self.current, self.best.value, self.worst.value)
        self.points[self.current["set_id"]] = points
        style = OK_STYLE if points == 2 else NO_STYLE
        verdict = {2: "&#10003; Both picks right.", 1: "&#189; One pick right.",
                   0: "&#10007; Neither pick right."}[points]
        items = "".join(f"<li>{escape(line)}</li>" for line in lines)
        self.feedback.value = (f"<div role='status' aria-live='polite' style='{style};padding:8px 12px;"
                               f"max-width:760px'><b>{verdict}</b> ({points} of 2 points)<ul>{items}</ul></div>")
        self.render_score()
        return points

    def go(self, step: int) -> None:
        self.position = max(0, min(len(self.sets) - 1, self.position + step))
        self.render()

    def render_score(self) -> None:
        self.score.value = f"Score so far: {sum(self.points.values())} of {2 * len(self.points)} points."

    def render(self) -> None:
        s = self.current
        options = "".join(f"<li><b>{o['key']}.</b> &ldquo;{escape(o['text'])}&rdquo;</li>" for o in s["options"])
        self.title.value = (f"<b>Scene {self.position + 1} of {len(self.sets)}</b>: "
                            "which response is the best, and which the worst?")
        self.scene.value = (scene_html(s, with_response=False)
                            + f"<ol style='list-style:none;max-width:760px;padding-left:8px'>{options}</ol>")
        self.best.value = self.worst.value = None
        self.feedback.value = ""
        self.prev.disabled = self.position == 0
        self.next.disabled = self.position == len(self.sets) - 1
        self.render_score()
