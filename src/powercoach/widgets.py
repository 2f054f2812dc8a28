"""The course's widgets, composed from standard ipywidgets.

Thin faces over the core: a widget shows a scene, passes a click to the core (drill.py,
marking.py, answers.py) and shows what the core says. Every control has a text label and
keyboard focus, and feedback always says in words whether an answer was right, so colour is
never the only signal.
"""

from __future__ import annotations

import re
from html import escape

import ipywidgets as W

from . import bank, catalog, roleplay
from .drill import DrillState
from .key import PRACTICE
from .marking import Mark, mark_best_worst

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


def status_html(text: str) -> str:
    return f"<div role='status' style='color:#6a4a00'>&#9888; {escape(text)}</div>" if text else ""


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
        from .progress import Progress

        if self._progress is None:
            self._progress = Progress()
        self._progress.record(self.module, self.activity, self.state.score, len(self.state.questions))
        self.notice.value = status_html(" ".join(self._progress.warnings))

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
        self.picker = W.RadioButtons(options=self.options(), value=None, description="Your answer",
                                     layout=W.Layout(width="auto"))
        self.check = W.Button(description="Check", tooltip="Check your answer", icon="question")
        self.check.on_click(lambda _: self.choose(self.picker.value) if self.picker.value else None)
        return W.VBox([self.picker, self.check])

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
        self.best = W.RadioButtons(options=letters, value=None, description="Best")
        self.worst = W.RadioButtons(options=letters, value=None, description="Worst")
        self.check = W.Button(description="Check", tooltip="Check your picks", icon="question")
        self.prev = W.Button(description="Previous", icon="arrow-left")
        self.next = W.Button(description="Next", icon="arrow-right")
        self.check.on_click(lambda _: self.submit())
        self.prev.on_click(lambda _: self.go(-1))
        self.next.on_click(lambda _: self.go(1))
        super().__init__([self.title, self.scene, W.HBox([self.best, self.worst]), self.check, self.feedback,
                          W.HBox([self.prev, self.next]), self.score])
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


class RolePlayPlayer(W.VBox):
    """A branching conversation: each choice changes what the client says next, then a debrief."""

    def __init__(self, roleplay_id: str):
        self.rp = roleplay.roleplays()[roleplay_id]
        self.walk = roleplay.Walk(self.rp)
        self.header = W.HTML(
            f"<div style='{CARD_STYLE}'><b>{escape(self.rp['title'])}</b><br>"
            f"<b>Client:</b> {escape(self.rp['client_role'])} ({escape(self.rp['setting'])})<br>"
            f"<i>{escape(self.rp['premise'])}</i></div>")
        self.transcript, self.client, self.debrief = W.HTML(), W.HTML(), W.HTML()
        self.choices = W.RadioButtons(options=[], value=None, description="You say",
                                      layout=W.Layout(width="auto"))
        self.say = W.Button(description="Say this", tooltip="Say the selected response", icon="comment")
        self.again = W.Button(description="Start again", icon="refresh")
        self.say.on_click(lambda _: self.choose(self._index()) if self.choices.value is not None else None)
        self.again.on_click(lambda _: self.restart())
        super().__init__([self.header, self.transcript, self.client, self.choices, self.say, self.debrief, self.again])
        self.add_class("powercoach-roleplay")
        self.render()

    def _index(self) -> int:
        return [c["text"] for c in self.walk.current["choices"]].index(self.choices.value)

    def choose(self, index: int) -> dict:
        choice = self.walk.choose(index)
        self.render()
        return choice

    def restart(self) -> None:
        self.walk = roleplay.Walk(self.rp)
        self.render()

    def render(self) -> None:
        lines = []
        for name, choice in self.walk.path:
            lines.append(f"<div><b>Client:</b> &ldquo;{escape(self.rp['nodes'][name]['client_says'])}&rdquo;</div>")
            lines.append(f"<div style='margin-left:24px'><b>You:</b> &ldquo;{escape(choice['text'])}&rdquo; "
                         f"<i>({choice['quality']}: {escape(choice['feedback'])})</i></div>")
        self.transcript.value = "".join(lines)
        node = self.walk.current
        self.client.value = (f"<div style='{CARD_STYLE}'><b>Client:</b> "
                             f"&ldquo;{escape(node['client_says'])}&rdquo;</div>")
        finished = self.walk.finished
        self.choices.options = [] if finished else [c["text"] for c in node["choices"]]
        self.choices.value = None
        self.choices.layout.display = self.say.layout.display = "none" if finished else ""
        self.again.layout.display = "" if finished else "none"
        self.debrief.value = self._debrief() if finished else ""

    def _debrief(self) -> str:
        best = self.walk.best_path()
        rows = "".join(
            f"<tr><td>{n}</td><td>{escape(mine['text'])} <i>({mine['quality']})</i></td>"
            f"<td>{escape(top['text'])}</td></tr>"
            for n, ((_, mine), (_, top)) in enumerate(zip(self.walk.path, best, strict=False), 1))
        return (f"<div role='status' style='{CARD_STYLE}'><b>Debrief.</b> {escape(self.walk.current['debrief'])}"
                f"<p>You took the best move {self.walk.best_count()} times out of {len(self.walk.path)}.</p>"
                "<table><caption>Your path beside the best path</caption><thead><tr><th>Turn</th>"
                f"<th>You said</th><th>The best move</th></tr></thead><tbody>{rows}</tbody></table></div>")


class SelfAssessment(W.VBox):
    """How confident are you in each technique? Sliders, a radar chart, and an earlier profile beside it."""

    def __init__(self, label: str = "baseline", progress=None):
        from .progress import Progress

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
                       "under pressure). Use Tab and the arrow keys to move the sliders.")
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
        from .pictures import radar_svg

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


class ProgressView(W.VBox):
    """Modules and scores, each with a progress bar, from the learner's progress file."""

    def __init__(self, progress=None):
        from .progress import Progress

        self.progress = progress if progress is not None else Progress()
        super().__init__()
        self.add_class("powercoach-progress")
        self.refresh()

    def refresh(self) -> None:
        self.progress.reload()
        done = self.progress.by_module()
        rows = []
        for t in catalog.techniques().values():
            points, total = done.get(t.module, (0, 0))
            bar = W.IntProgress(value=points, min=0, max=max(total, 1), description=f"Module {t.module}",
                                layout=W.Layout(width="360px"))
            words = f"{points} of {total} points in drills" if total else "not started"
            rows.append(W.HBox([bar, W.HTML(f"{escape(t.title)}: {words}")]))
        notice = W.HTML(status_html(" ".join(self.progress.warnings)))
        self.children = [W.HTML("<b>Your progress</b>"), *rows, notice]


def study_times_table(root=None) -> W.HTML:
    """How long each module takes (lesson and exercise) and the whole course, with how it was estimated."""
    from . import portable, studytime

    root = portable.course_root(root)
    titles = {t.module: t.title for t in catalog.techniques().values()}
    per_module = studytime.course(root)
    for module, parts in per_module.items():
        if module not in titles:
            titles[module] = re.sub(r"^Module \d+\s*[:.-]\s*", "", studytime.heading(parts["path"]))
    total = studytime.Estimate()
    rows = []
    for module, parts in per_module.items():
        lesson, exercise = parts["lesson"], parts.get("exercise")
        both = lesson + exercise if exercise else lesson
        total += both
        rows.append(f"<tr><td>{module}</td><td>{escape(titles[module])}</td>"
                    f"<td>{studytime.describe(lesson.minutes)}</td>"
                    f"<td>{studytime.describe(exercise.minutes) if exercise else 'none'}</td>"
                    f"<td>{studytime.describe(both.minutes)}</td></tr>")
    return W.HTML(
        "<table class='powercoach-times' style='border-collapse:collapse;max-width:760px'>"
        "<caption>How long each module takes</caption><thead><tr><th>Module</th><th>Topic</th><th>Lesson</th>"
        f"<th>Exercise</th><th>Together</th></tr></thead><tbody>{''.join(rows)}</tbody>"
        f"<tfoot><tr><td></td><td><b>The whole course</b></td><td></td><td></td>"
        f"<td><b>{studytime.describe(total.minutes)}</b></td></tr></tfoot></table>"
        f"<p style='max-width:760px'><i>{escape(studytime.method())}</i></p>")


SESSION_NOTES = {
    "binder": ("<b>This is a temporary Binder session.</b> Binder shuts it down after 10 minutes without "
               "activity (and after 6 hours at most), and keeps nothing afterwards: not your drill scores, not "
               "your profiles, not your exercise answers. To keep your work, click <b>Prepare my progress "
               "file</b> below and then the download link, before you stop or step away. Next time, open the "
               "course and restore that file here with <b>Restore a progress file</b>."),
    "browser": ("<b>This course runs entirely in your browser.</b> Your work is kept in this browser's storage "
                "for this site only: another browser or device will not see it, and clearing the site's data "
                "(or a private window) removes it. Download your progress file from time to time, and restore "
                "it here if your work is ever missing."),
    "local": ("Your drill scores and profiles are kept in your progress file ({path}), and your exercise "
              "answers beside each exercise. To move them to another computer or a Binder session, download "
              "your progress file and restore it there."),
}


class StartPage(W.VBox):
    """The start page's own part: where the work is kept, progress, download and restore, study times."""

    def __init__(self, progress=None, root=None, environ=None):
        from . import portable
        from .progress import Progress

        self.progress = progress if progress is not None else Progress()
        self.root = portable.course_root(root)
        self.kind = portable.session_kind(environ)
        note = SESSION_NOTES[self.kind].format(path=escape(str(self.progress.path)))
        self.session = W.HTML(f"<div role='note' class='powercoach-session' style='{CARD_STYLE}'>{note}</div>")
        self.view = ProgressView(self.progress)
        self.prepare = W.Button(description="Prepare my progress file", icon="download", layout=W.Layout(width="auto"),
                                tooltip="Collect your drill scores, profiles and exercise answers into one file")
        self.link = W.HTML()
        self.upload = W.FileUpload(accept=".json", multiple=False, description="Restore a progress file",
                                   layout=W.Layout(width="auto"))
        self.message = W.HTML()
        self.prepare.on_click(lambda _: self.make_download())
        self.upload.observe(self._uploaded, names="value")
        keep = W.HTML("<b>Keep your work.</b> The file holds your drill scores, self-assessment profiles and "
                      "exercise answers. Restoring adds what the file has and keeps whatever is newer here.")
        super().__init__([self.session, self.view, keep, W.HBox([self.prepare, self.link]), W.HBox([self.upload]),
                          self.message, study_times_table(self.root)])
        self.add_class("powercoach-start")

    def make_download(self) -> str:
        """Offer the file as a link (a data: URI with ``download``), which works in JupyterLab and Voila."""
        import base64

        from . import portable

        text = portable.dumps(self.progress, self.root)
        name = portable.filename()
        uri = "data:application/json;base64," + base64.b64encode(text.encode("utf-8")).decode("ascii")
        self.link.value = (f"<a class='powercoach-download' download='{name}' href='{uri}' "
                           f"style='font-weight:bold'>Download {escape(name)}</a> (click to save it)")
        return text

    def _uploaded(self, change) -> None:
        files = change["new"]
        if not files:
            return
        item = files[0]
        self.restore(bytes(item["content"]), item.get("name", "the file"))
        self.upload.value = ()  # so picking the same file again is seen as a new upload

    def restore(self, content: bytes, name: str = "the file"):
        from . import portable

        outcome = portable.restore(content, self.progress, self.root)
        style = OK_STYLE if outcome.ok else NO_STYLE
        mark = "&#10003;" if outcome.ok else "&#10007;"
        self.message.value = (f"<div role='status' aria-live='polite' class='powercoach-restore' "
                              f"style='{style};padding:8px 12px;max-width:760px'>{mark} {escape(name)}: "
                              f"{escape(outcome.message)}</div>")
        self.view.refresh()
        return outcome


class BestWorstQuestion(W.VBox):
    """One graded best-and-worst set: the scene, four responses, and two labelled radio groups."""

    def __init__(self, best_qid: str, worst_qid: str, set_id: str, best: str | None, worst: str | None, on_choice):
        s = bank.best_worst_sets()[set_id]
        options = "".join(f"<li><b>{o['key']}.</b> &ldquo;{escape(o['text'])}&rdquo;</li>" for o in s["options"])
        letters = ["A", "B", "C", "D"]
        self.best = W.RadioButtons(options=letters, value=best if best in letters else None,
                                   description=f"{best_qid} best")
        self.worst = W.RadioButtons(options=letters, value=worst if worst in letters else None,
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
            W.HBox([self.best, self.worst]), self.status])
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
        score = int(sum(m.points for m in marks))
        rows = "".join(
            f"<li style='{OK_STYLE if m.points else NO_STYLE};padding:4px 8px;margin:3px 0;list-style:none'>"
            f"<b>{'Right' if m.points else 'Not right'}.</b> {escape(m.message)}</li>" for m in marks)
        from .progress import Progress

        if self._progress is None:
            self._progress = Progress()
        self._progress.record(int(self.exercise.id[:2]), "self-check", score, len(marks))
        notice = status_html(" ".join(self._progress.warnings))
        self.result.value = f"<p><b>{score} of {len(marks)} right.</b></p><ul style='padding:0'>{rows}</ul>{notice}"
        return score
