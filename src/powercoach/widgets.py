"""The course's widgets, composed from standard ipywidgets.

Thin faces over the core: a widget shows a scene, passes a click to the core (drill.py,
grading.py, answers.py) and shows what the core says. Every control has a text label and
keyboard focus, and feedback always says in words whether an answer was right, so colour is
never the only signal.
"""

from __future__ import annotations

from html import escape

import ipywidgets as W

from . import bank, catalog
from .drill import DrillState
from .grading import Mark

OK_STYLE = "border-left:6px solid #1a7f37;background:#eef8f0"
NO_STYLE = "border-left:6px solid #b3261e;background:#fcefee"
CARD_STYLE = "border:1px solid #c8c8c8;border-radius:6px;padding:10px 14px;margin:4px 0;max-width:760px"


def scene_html(row: dict, with_response: bool = True) -> str:
    """A scene as a card: who, what is going on, what the client said, what the coach said."""
    parts = [
        f"<div style='{CARD_STYLE}'>",
        f"<div><b>Client:</b> {escape(row['client_role'])} ({escape(row['setting'])})</div>",
        f"<div style='margin:6px 0;color:#333'><i>{escape(row['context'])}</i></div>",
        f"<div><b>The client says:</b> &ldquo;{escape(row['client_says'])}&rdquo;</div>",
    ]
    if with_response:
        parts.append("<div style='margin-top:6px'><b>The coach says:</b> "
                     f"&ldquo;{escape(row['coach_says'])}&rdquo;</div>")
    parts.append("</div>")
    return "".join(parts)


def feedback_html(result: Mark) -> str:
    verdict = "&#10003; Correct." if result.points else "&#10007; Not quite."
    style = OK_STYLE if result.points else NO_STYLE
    detail = escape(f"The answer is {result.expected}. {result.why}")
    return (f"<div role='status' aria-live='polite' style='{style};padding:8px 12px;max-width:760px'>"
            f"<b>{verdict}</b> {detail}</div>")


def techniques_table() -> W.HTML:
    """The twelve techniques as a table, from the catalogue."""
    icf = catalog.icf_competencies()
    rows = "".join(
        f"<tr><td>{t.module}</td><td><b>{escape(t.title)}</b></td><td>{escape(t.summary)}</td>"
        f"<td>{escape(', '.join(f'{c} {icf[c]}' for c in t.icf))}</td></tr>"
        for t in catalog.techniques().values()
    )
    return W.HTML(
        "<table style='border-collapse:collapse;max-width:900px'><caption>The twelve techniques</caption>"
        "<thead><tr><th>Module</th><th>Technique</th><th>The idea</th><th>ICF competencies (2019)</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def pitfalls_table() -> W.HTML:
    """The twelve pitfalls as a table, from the catalogue."""
    rows = "".join(f"<tr><td><b>{escape(p.title)}</b></td><td>{escape(p.description)}</td></tr>"
                   for p in catalog.pitfalls().values())
    return W.HTML("<table style='border-collapse:collapse;max-width:900px'><caption>The twelve pitfalls</caption>"
                  f"<thead><tr><th>Pitfall</th><th>What it looks like</th></tr></thead><tbody>{rows}</tbody></table>")


class ClassifyDrill(W.VBox):
    """Good or poor? One scene at a time, with the rationale straight after each answer.

    ``ClassifyDrill("contracting")`` drills a technique's practice items; ``items=`` picks
    items by id instead, and ``per_technique=1`` one item from every technique. The order is
    shuffled with ``seed`` so a class shares one order.
    """

    def __init__(self, technique: str | None = None, *, items: list[str] | None = None,
                 per_technique: int | None = None, use: str = "practice", seed: int | None = 0):
        if items is not None:
            ids = list(items)
        elif per_technique:
            ids = bank.sample(use, per_technique, seed or 0)
        else:
            ids = list(bank.items(technique, use).index)
        self.state = DrillState.shuffled(ids, "classify", seed)
        self.title = W.HTML()
        self.scene = W.HTML()
        self.good = W.Button(description="Good", tooltip="This response is good coaching", icon="check")
        self.poor = W.Button(description="Poor", tooltip="This response is poor coaching", icon="times")
        self.feedback = W.HTML()
        self.prev = W.Button(description="Previous", tooltip="Previous scene", icon="arrow-left")
        self.next = W.Button(description="Next", tooltip="Next scene", icon="arrow-right")
        self.retry = W.Button(description="Retry the ones I missed", layout=W.Layout(display="none"))
        self.score = W.HTML()
        self.good.on_click(lambda _: self.choose("good"))
        self.poor.on_click(lambda _: self.choose("poor"))
        self.prev.on_click(lambda _: self.go(-1))
        self.next.on_click(lambda _: self.go(1))
        self.retry.on_click(lambda _: self.start_retry())
        super().__init__([
            self.title, self.scene, W.HBox([self.good, self.poor]), self.feedback,
            W.HBox([self.prev, self.next, self.retry]), self.score,
        ])
        self.add_class("powercoach-drill")
        self.render()

    def choose(self, label: str) -> Mark:
        result = self.state.answer(label)
        self.render()
        return result

    def go(self, step: int) -> None:
        self.state.move(step)
        self.render()

    def start_retry(self) -> None:
        if self.state.missed():
            self.state = self.state.retry_missed()
            self.render()

    def render(self) -> None:
        s = self.state
        q = s.current
        self.title.value = f"<b>Scene {s.position + 1} of {len(s.questions)}</b>: is the coach's response good or poor?"
        self.scene.value = scene_html(bank.item(q.item_id))
        result = s.marks.get(q.qid)
        self.feedback.value = feedback_html(result) if result else ""
        self.prev.disabled = s.position == 0
        self.next.disabled = s.position == len(s.questions) - 1
        self.score.value = f"Score so far: {s.score} of {s.answered} answered ({len(s.questions)} scenes)."
        if s.finished:
            missed = len(s.missed())
            self.score.value += f" <b>Done.</b> {'Well done: none missed.' if not missed else f'{missed} missed.'}"
        self.retry.layout.display = "" if s.finished and s.missed() else "none"


class ChoiceQuestion(W.VBox):
    """One graded question: the scene and a labelled radio group; reports each choice."""

    def __init__(self, qid: str, kind: str, item_id: str, value: str | None, on_choice):
        row = bank.item(item_id)
        if kind == "classify":
            prompt = "Is the coach's response good or poor?"
            options = [("Good", "good"), ("Poor", "poor")]
        else:
            prompt = "This response is poor. Which pitfall is it mainly?"
            options = [(p.title, p.id) for p in catalog.pitfalls().values()]
        self.qid = qid
        self.radio = W.RadioButtons(options=options, value=value if value in dict(options).values() else None,
                                    description=qid, layout=W.Layout(width="auto"))
        self.status = W.HTML(self._status(value))

        def changed(change):
            on_choice(qid, change["new"])
            self.status.value = self._status(change["new"])

        self.radio.observe(changed, names="value")
        super().__init__([W.HTML(f"<b>{qid}.</b> {prompt}"), W.HTML(scene_html(row)), self.radio, self.status])
        self.add_class("powercoach-question")

    @staticmethod
    def _status(value) -> str:
        if value is None:
            return "<i>Not answered yet.</i>"
        return f"Saved: <b>{escape(str(value))}</b>. You can change it until you submit."
