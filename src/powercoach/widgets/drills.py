"""Practice drills: good or poor, name the pitfall, spot the technique; one scene at a time."""

from __future__ import annotations

import ipywidgets as W

from .. import bank, catalog
from ..drill import DrillState
from ..marking import Mark
from .common import control_style, feedback_html, keep_score, radios, scene_html


class _Drill(W.VBox):
    """What every drill shares: a scene, feedback, Previous/Next, score, retry of the missed.

    A subclass supplies the answer controls (``controls``) and calls ``choose(value)``.
    """

    kind = "classify"
    prompt = ""

    def __init__(self, ids: list[str], seed: int | None, module: int | None, activity: str, progress=None):
        self.state = DrillState.shuffled(ids, self.kind, seed)
        self.module, self.activity, self._progress = module, activity, progress
        self.title, self.scene, self.feedback, self.score, self.notice = (W.HTML() for _ in range(5))
        self.prev = W.Button(description="Previous", tooltip="Previous scene", icon="arrow-left")
        self.next = W.Button(description="Next", tooltip="Next scene", icon="arrow-right")
        self.retry = W.Button(description="Retry the ones I missed", layout=W.Layout(display="none"))
        self.prev.on_click(lambda _: self.go(-1))
        self.next.on_click(lambda _: self.go(1))
        self.retry.on_click(lambda _: self.start_retry())
        super().__init__([self.title, self.scene, self.controls(), self.feedback,
                          W.HBox([self.prev, self.next, self.retry]), self.score, self.notice])
        self.add_class("powercoach-drill")
        self.render()

    def controls(self) -> W.Widget:
        raise NotImplementedError

    def choose(self, value: str) -> Mark:
        result = self.state.answer(value)
        if self.state.finished:
            self._record()
        self.render()
        return result

    def _record(self) -> None:
        if self.module is None or self.activity.endswith("-retry"):
            return  # a retry round holds only the missed scenes; the first full round counts
        self._progress, self.notice.value = keep_score(self._progress, self.module, self.activity, self.state.score,
                                                       len(self.state.questions))

    def go(self, step: int) -> None:
        self.state.move(step)
        self.render()

    def start_retry(self) -> None:
        if self.state.missed():
            self.state = self.state.retry_missed()
            self.activity = self.activity.removesuffix("-retry") + "-retry"
            self.render()

    def reset_controls(self) -> None:
        """Show the current answer (if any) in the controls; subclasses with inputs override."""

    def render(self) -> None:
        s = self.state
        q = s.current
        self.title.value = f"<b>Scene {s.position + 1} of {len(s.questions)}</b>: {self.prompt}"
        self.scene.value = scene_html(bank.item(q.item_id))
        result = s.marks.get(q.qid)
        self.feedback.value = feedback_html(result) if result else ""
        self.reset_controls()
        self.prev.disabled = s.position == 0
        self.next.disabled = s.position == len(s.questions) - 1
        self.score.value = f"Score so far: {s.score} of {s.answered} answered ({len(s.questions)} scenes)."
        if s.finished:
            missed = len(s.missed())
            self.score.value += f" <b>Done.</b> {'Well done: none missed.' if not missed else f'{missed} missed.'}"
        self.retry.layout.display = "" if s.finished and s.missed() else "none"


def _ids(technique, items, per_technique, use, seed, label=None) -> list[str]:
    if items is not None:
        return list(items)
    if per_technique:
        return bank.sample(use, per_technique, seed or 0, label)
    return bank.item_ids(technique, use, label)


def _module(technique: str | None) -> int:
    return catalog.techniques()[technique].module if technique else 0


class ClassifyDrill(_Drill):
    """Good or poor? One scene at a time, with the rationale straight after each answer.

    ``ClassifyDrill("contracting")`` drills a technique's practice items; ``items=`` picks
    items by id instead, and ``per_technique=1`` one item from every technique. The order is
    shuffled with ``seed`` so a class shares one order.
    """

    prompt = "is the coach's response good or poor?"

    def __init__(self, technique: str | None = None, *, items: list[str] | None = None,
                 per_technique: int | None = None, use: str = "practice", seed: int | None = 0, progress=None):
        ids = _ids(technique, items, per_technique, use, seed)
        super().__init__(ids, seed, _module(technique), "classify", progress)

    def controls(self) -> W.Widget:
        self.good = W.Button(description="Good", tooltip="This response is good coaching", icon="check")
        self.poor = W.Button(description="Poor", tooltip="This response is poor coaching", icon="times")
        self.good.on_click(lambda _: self.choose("good"))
        self.poor.on_click(lambda _: self.choose("poor"))
        return W.HBox([self.good, self.poor])


class _PickDrill(_Drill):
    """A drill answered by picking one of many options, then pressing Check."""

    def options(self) -> list[tuple[str, str]]:
        raise NotImplementedError

    def controls(self) -> W.Widget:
        self.picker = radios(options=self.options(), value=None, description="Your answer",
                             layout=W.Layout(width="auto"))
        self.check = W.Button(description="Check", tooltip="Check your answer", icon="question")
        self.check.on_click(lambda _: self.choose(self.picker.value) if self.picker.value else None)
        return W.VBox([self.picker, self.check, control_style()])

    def reset_controls(self) -> None:
        result = self.state.marks.get(self.state.current.qid)
        self.picker.value = result.answer if result else None


class PitfallDrill(_PickDrill):
    """Name the pitfall of a poor response; the feedback says why."""

    kind = "diagnose"
    prompt = "this response is poor. Which pitfall is it mainly?"

    def __init__(self, technique: str | None = None, *, items: list[str] | None = None,
                 use: str = "practice", seed: int | None = 0, progress=None):
        ids = _ids(technique, items, None, use, seed, label="poor")
        super().__init__(ids, seed, _module(technique), "pitfall", progress)

    def options(self):
        return [(p.title, p.id) for p in catalog.pitfalls().values()]


class TechniqueSpotter(_PickDrill):
    """Which of the twelve techniques does this good response show?"""

    kind = "technique"
    prompt = "this response is good. Which technique does it show best?"

    def __init__(self, technique: str | None = None, *, items: list[str] | None = None,
                 per_technique: int | None = 1, use: str = "practice", seed: int | None = 0, progress=None):
        ids = _ids(technique, items, None if technique else per_technique, use, seed, label="good")
        super().__init__(ids, seed, _module(technique), "spot-technique", progress)

    def options(self):
        return [(f"{t.module}. {t.title}", t.id) for t in catalog.techniques().values()]
