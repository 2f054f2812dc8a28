"""Your turn: write your own reply to a practice scene, see what the reader notices, compare, rate it.

``YourTurn("contracting")`` in a lesson, after its drills; ``YourTurn()`` takes scenes from every
technique (the capstone). The scene is a bank practice item (never an assessment item). Each
reply read is kept in the learner's progress with what the reader suspected and, once given,
the learner's own rating against the technique's rubric (``data/your_turn.json``). Nothing here
is a mark. The reader is imported when the widget is built, not with the widgets package.
"""

from __future__ import annotations

from html import escape

import ipywidgets as W

from .. import catalog
from .. import your_turn as core
from .common import BOX, CARD_STYLE, control_style, radios, scene_html, status_html
from .reading import about_html, reading_html

KEPT = ("Your reply is kept in your progress file with what the reader noticed (on this computer or in this "
        "browser only; it is sent nowhere).")


def models_html(replies: list[dict]) -> str:
    """Good replies to compare with, each with whom it was said to."""
    items = []
    for m in replies:
        if m["same_scene"]:
            lead = "To this client:"
        else:
            lead = f"To another client of this technique, who said &ldquo;{escape(m['client_says'])}&rdquo;:"
        items.append(f"<li style='margin:6px 0'>{lead}<br><b>&ldquo;{escape(m['text'])}&rdquo;</b></li>")
    return (f"<div class='powercoach-models' style='{CARD_STYLE}'><b>{len(items)} good replies to compare with"
            "</b> (from the course's practice scenes; yours can be good in another way):"
            f"<ol>{''.join(items)}</ol></div>")


class YourTurn(W.VBox):
    """A practice scene, a box for your reply, the reader's observations, two good replies, a self-rating."""

    def __init__(self, technique: str | None = None, *, seed: int | None = 0, progress=None):
        self.technique = technique
        self.scenes = core.scene_ids(technique, seed)
        if not self.scenes:
            raise ValueError(f"No practice scenes for {technique or 'any technique'}.")
        self.position = 0
        self._progress = progress
        self.attempt_id: str | None = None
        self.read_reply: str | None = None
        self.title, self.scene, self.reading, self.models, self.saved, self.notice = (W.HTML() for _ in range(6))
        self.about = W.HTML(about_html())
        # The box sends its text once, when the learner leaves it (continuous_update=False). Sent at each
        # keystroke, ipywidgets holds back the last ones while the kernel is busy, and the click on
        # "Read my reply" (a message of its own) can reach the kernel first and read a stale text.
        self.reply = W.Textarea(value="", placeholder="Type what you would say to this client, in your own words.",
                                description="What would you say?", rows=4, continuous_update=False,
                                style={"description_width": "initial"}, layout=W.Layout(**BOX))
        self.read = W.Button(description="Read my reply", icon="search", layout=W.Layout(width="auto"),
                             tooltip="Show what the reader notices in your reply, then good replies to compare")
        self.another = W.Button(description="Another scene", icon="refresh", layout=W.Layout(width="auto"),
                                tooltip="A new scene to answer (your replies so far are kept)")
        self.read.on_click(lambda _: self.check())
        self.another.on_click(lambda _: self.next_scene())
        self.rubric_intro = W.HTML()
        self.ratings: list[W.RadioButtons] = []
        self.rating_box = W.VBox(layout=W.Layout(display="none"))
        super().__init__([self.title, self.about, self.scene, self.reply, W.HBox([self.read, self.another]),
                          self.reading, self.models, self.rating_box, self.saved, self.notice, control_style()])
        self.add_class("powercoach-yourturn")
        self.render()

    @property
    def item_id(self) -> str:
        return self.scenes[self.position]

    @property
    def progress(self):
        if self._progress is None:
            from ..progress import Progress

            self._progress = Progress()
        return self._progress

    def render(self) -> None:
        """Show the current scene with an empty reply box; nothing read yet."""
        row = core.scene(self.item_id)
        t = catalog.techniques()[row["technique"]]
        where = "" if self.technique else f" (module {t.module}: {escape(t.title)})"
        self.title.value = (f"<b>Your turn, scene {self.position + 1} of {len(self.scenes)}</b>{where}: "
                            "what would you say to this client? Write it as you would say it, then press "
                            "<i>Read my reply</i>.")
        self.scene.value = scene_html(row, with_response=False)
        self.reply.value = ""
        self.reading.value = self.models.value = self.saved.value = ""
        self.attempt_id = self.read_reply = None
        self.rating_box.layout.display = "none"

    def check(self) -> None:
        """Read the reply, keep it as an attempt, show the observations, the good replies and the rubric."""
        reply = self.reply.value
        try:
            reading = core.read(reply, self.item_id)
        except Exception as err:  # a damaged reader data file must not cost the learner their text
            self.reading.value = status_html(f"The reader could not read this reply ({err.__class__.__name__}: "
                                             f"{err}). Your text is still in the box.")
            return
        self.reading.value = reading_html(reply, reading)
        if reading.notice:
            return
        self.read_reply = reply
        self.attempt_id = self.progress.add_attempt(core.attempt(self.item_id, reply, reading))
        self.notice.value = status_html(" ".join(self.progress.warnings))
        self.saved.value = f"<div role='status' aria-live='polite'>{KEPT}</div>"
        self.models.value = self._models_html()
        self._build_rating()

    def _models_html(self) -> str:
        return models_html(core.model_replies(self.item_id, 2))

    def _build_rating(self) -> None:
        technique = core.scene(self.item_id)["technique"]
        scale = core.ratings()
        criteria = core.rubric(technique)
        rows: list[W.Widget] = [W.HTML(
            "<b>Rate your own reply</b> against this technique's rubric (the one your instructor uses for the "
            "exercise's written answer, made general). It is for you: no mark, kept only in your progress.")]
        self.ratings = []
        for n, text in enumerate(criteria, 1):
            radio = radios(options=scale, value=None, description=f"Criterion {n}",
                           layout=W.Layout(width="auto"))
            radio.observe(self._rated, names="value")
            self.ratings.append(radio)
            rows += [W.HTML(f"<div style='max-width:760px;margin-top:6px'><b>{n}.</b> {escape(text)}</div>"), radio]
        self.rating_box.children = rows
        self.rating_box.layout.display = ""

    def rating(self) -> dict[str, str]:
        return {str(n): r.value for n, r in enumerate(self.ratings, 1) if r.value is not None}

    def _rated(self, _change=None) -> None:
        if self.attempt_id is None:
            return
        rating = self.rating()
        if self.progress.rate_attempt(self.attempt_id, rating):
            words = "; ".join(f"criterion {k}: {v}" for k, v in rating.items())
            self.saved.value = (f"<div role='status' aria-live='polite'>Saved your rating ({escape(words)}) "
                                "with this reply in your progress.</div>")
        self.notice.value = status_html(" ".join(self.progress.warnings))

    def next_scene(self) -> None:
        self.position = (self.position + 1) % len(self.scenes)
        self.render()
