"""The graded exercise's questions (radio groups that save each click) and "Check my answers"."""

from __future__ import annotations

from html import escape

import ipywidgets as W

from .. import bank, catalog
from ..draws import relabel
from ..marking import POINTS
from .common import NO_STYLE, OK_STYLE, control_style, keep_score, radios, scene_html, status_html


class ChoiceQuestion(W.VBox):
    """One graded question: the scene and a labelled radio group; reports each choice."""

    def __init__(self, qid: str, kind: str, item_id: str, value: str | None, on_choice):
        row = bank.item(item_id)
        if kind == "classify":
            prompt = "Is the coach's response good or poor?"
            options = [("Good", "good"), ("Poor", "poor")]
        elif kind == "technique":
            prompt = "This response is good. Which technique does it show best?"
            options = [(f"{t.module}. {t.title}", t.id) for t in catalog.techniques().values()]
        else:
            prompt = "This response is poor. Which pitfall is it mainly?"
            options = [(p.title, p.id) for p in catalog.pitfalls().values()]
        self.qid = qid
        self.radio = radios(options=options, value=value if value in dict(options).values() else None,
                            description=qid, layout=W.Layout(width="auto"))
        self.status = W.HTML(self._status(value))

        def changed(change):
            on_choice(qid, change["new"])
            self.status.value = self._status(change["new"])

        self.radio.observe(changed, names="value")
        super().__init__([W.HTML(f"<b>{qid}.</b> {prompt}"), W.HTML(scene_html(row)), self.radio, self.status,
                          control_style()])
        self.add_class("powercoach-question")

    @staticmethod
    def _status(value) -> str:
        if value is None:
            return "<i>Not answered yet.</i>"
        return f"Saved: <b>{escape(str(value))}</b>. You can change it until you submit."




class BestWorstQuestion(W.VBox):
    """One graded best-and-worst set: the scene, four responses, and two labelled radio groups."""

    def __init__(self, best_qid: str, worst_qid: str, set_id: str, best: str | None, worst: str | None, on_choice,
                 order: tuple[str, ...] = ()):
        s = relabel(bank.best_worst_sets()[set_id], order)  # this learner's letters for the four responses
        options = "".join(f"<li><b>{o['key']}.</b> &ldquo;{escape(o['text'])}&rdquo;</li>" for o in s["options"])
        letters = ["A", "B", "C", "D"]
        self.best = radios(options=letters, value=best if best in letters else None,
                           description=f"{best_qid} best")
        self.worst = radios(options=letters, value=worst if worst in letters else None,
                            description=f"{worst_qid} worst")
        self.status = W.HTML()

        def changed(qid):
            def handler(change):
                on_choice(qid, change["new"])
                self._update()
            return handler

        self.best.observe(changed(best_qid), names="value")
        self.worst.observe(changed(worst_qid), names="value")
        super().__init__([
            W.HTML(f"<b>{best_qid} and {worst_qid}.</b> Which response is the best, and which the worst?"),
            W.HTML(scene_html(s, with_response=False)
                   + f"<ol style='list-style:none;max-width:760px;padding-left:8px'>{options}</ol>"),
            W.HBox([self.best, self.worst]), self.status, control_style()])
        self.add_class("powercoach-question")
        self._update()

    def _update(self) -> None:
        b, w = self.best.value, self.worst.value
        if b is None or w is None:
            self.status.value = "<i>Pick a best and a worst response.</i>"
        elif b == w:
            self.status.value = status_html("The same response is marked best and worst; change one of them.")
        else:
            self.status.value = f"Saved: best <b>{b}</b>, worst <b>{w}</b>. You can change them until you submit."


class SelfCheck(W.VBox):
    """"Check my answers" for a learner studying alone with the key at hand: every question marked
    as the grader would, with the right answer and why, recorded as a self-check. Without the key
    it says who grades the exercise and shows nothing of the answers."""

    def __init__(self, exercise, key, progress=None):
        self.exercise, self.key, self._progress = exercise, key, progress
        self.result = W.HTML()
        if key is None:
            note = (f"<b>Your instructor grades this exercise.</b> Your clicks are saved in "
                    f"<code>{escape(exercise.id)}.answers.json</code> beside this notebook; submit it with the "
                    "notebook, and your feedback will show your score, the right answers and why.")
            super().__init__([W.HTML(note)])
            return
        self.button = W.Button(description="Check my answers", icon="check",
                               tooltip="Mark your saved answers against the course's key")
        self.button.on_click(lambda _: self.check())
        super().__init__([W.HTML("You are studying with the course's answer key at hand, so you can check your "
                                 "own work: your clicks and typed lines are marked as your instructor's grading "
                                 "would mark them."), self.button, self.result])
        self.add_class("powercoach-selfcheck")

    def check(self) -> int:
        marks = self.exercise.marks(self.key)
        score, most = int(sum(m.points for m in marks)), int(self.exercise.points())
        rows = "".join(
            f"<li style='{OK_STYLE if m.points else NO_STYLE};padding:4px 8px;margin:3px 0;list-style:none'>"
            f"<b>{'Right' if m.points else 'Not right'}.</b> {escape(m.message)}</li>" for m in marks)
        self._progress, notice = keep_score(self._progress, int(self.exercise.id[:2]), "self-check", score, most)
        right = sum(bool(m.points) for m in marks)
        self.result.value = (f"<p><b>{score} of {most} points</b> ({right} of {len(marks)} questions right; a pitfall "
                             f"counts {POINTS['diagnose']}).</p><ul style='padding:0'>{rows}</ul>{notice}")
        return score
