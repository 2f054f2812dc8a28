"""More practice formats (issue #17, item 7): an annotated transcript, choosing between two good
replies, a pitfall contrast table and climbing down the ladder of inference.

Thin faces over ``powercoach.formats``: each shows one entry at a time, passes a choice to the
core's ``mark_*`` function and shows its explained feedback in a live region. Every control has
a text label, and every verdict is said in words, so colour is never the only signal.
"""

from __future__ import annotations

import random
from html import escape

import ipywidgets as W

from .. import catalog, formats
from ..formats import Feedback
from .common import CARD_STYLE, NO_STYLE, OK_STYLE, control_style, keep_score, radios, status_html

#: feedback on a sound reply that was not the better fit: neither right nor wrong
FAIR_STYLE = "border-left:6px solid #1a5fb4;background:#eef3fb"


def feedback_block(result: Feedback) -> str:
    """Explained feedback in a polite live region; the verdict is in words, the colour only repeats it."""
    if result.right is True:
        style, sign = OK_STYLE, "&#10003;"
    elif result.right is False:
        style, sign = NO_STYLE, "&#10007;"
    else:
        style, sign = FAIR_STYLE, "&#8594;"
    items = "".join(f"<li>{escape(line)}</li>" for line in result.lines)
    return (f"<div role='status' aria-live='polite' style='{style};padding:8px 12px;max-width:760px'>"
            f"<b>{sign} {escape(result.verdict)}</b><ul>{items}</ul></div>")


def card(entry: dict, extra: str = "") -> str:
    """Who the client is, where, and what is going on; then ``extra`` (already escaped HTML)."""
    return (f"<div style='{CARD_STYLE}'><div><b>Client:</b> {escape(entry['client_role'])} "
            f"({escape(entry['setting'])})</div><div style='margin:6px 0;color:#333'><i>{escape(entry['context'])}"
            f"</i></div>{extra}</div>")


class _Stepper(W.VBox):
    """One entry at a time, with Previous/Next and a running count of first answers that matched.

    Each first answer is kept in the learner's progress file as ``activity`` of the entries' module
    (the start page counts it as it counts a drill): the latest count of first answers that matched,
    out of all the entries, and the best such count so far. Entries of several techniques record nothing.
    """

    def __init__(self, entries: list[dict], body: list[W.Widget], activity: str, progress=None,
                 technique: str | None = None):
        self.entries, self.position = entries, 0
        self.results: dict[str, Feedback] = {}
        techniques = {technique} if technique else {e["technique"] for e in entries}
        self.module = catalog.techniques()[techniques.pop()].module if len(techniques) == 1 else None
        self.activity, self._progress = activity, progress
        self.title, self.scene, self.feedback, self.score, self.notice = (W.HTML() for _ in range(5))
        self.prev = W.Button(description="Previous", tooltip="Previous scene", icon="arrow-left")
        self.next = W.Button(description="Next", tooltip="Next scene", icon="arrow-right")
        self.prev.on_click(lambda _: self.go(-1))
        self.next.on_click(lambda _: self.go(1))
        super().__init__([self.title, self.scene, *body, self.feedback, W.HBox([self.prev, self.next]),
                          self.score, self.notice, control_style()])
        self.add_class("powercoach-drill")
        self.render()

    @property
    def current(self) -> dict:
        return self.entries[self.position]

    def go(self, step: int) -> None:
        self.position = max(0, min(len(self.entries) - 1, self.position + step))
        self.render()

    def keep(self, key: str, result: Feedback) -> Feedback:
        first = key not in self.results
        self.results.setdefault(key, result)  # the first answer counts; later ones still get feedback
        self.feedback.value = feedback_block(result)
        self.render_score()
        if first:
            self._record()
        return result

    def _record(self) -> None:
        if self.module is None:
            return
        hits = sum(r.right is True for r in self.results.values())
        self._progress, self.notice.value = keep_score(self._progress, self.module, self.activity, hits, self.total)

    def render_score(self) -> None:
        hits = sum(r.right is True for r in self.results.values())
        self.score.value = f"First answers that matched: {hits} of {len(self.results)} answered ({self.total} in all)."

    @property
    def total(self) -> int:
        return len(self.entries)

    def render(self) -> None:
        self.prev.disabled = self.position == 0
        self.next.disabled = self.position == len(self.entries) - 1
        self.feedback.value = ""
        self.render_score()


class TranscriptPicker(_Stepper):
    """Read a short exchange; pick the coach's turn where the client's power got to the coach."""

    def __init__(self, technique: str | None = None, *, items: list[str] | None = None, progress=None):
        self.turn = radios(options=[], value=None, description="The turn", layout=W.Layout(width="auto"))
        self.check = W.Button(description="Check", tooltip="Check the turn you picked", icon="question")
        self.check.on_click(lambda _: self.submit())
        super().__init__(formats.items("transcript", technique, items), [self.turn, self.check], "transcript",
                         progress)
        self.add_class("powercoach-transcript")

    def submit(self) -> Feedback | None:
        if self.turn.value is None:
            self.feedback.value = status_html("Pick one of the coach's turns, then press Check.")
            return None
        return self.keep(self.current["id"], formats.mark_transcript(self.current, self.turn.value))

    def render(self) -> None:
        t = self.current
        rows = "".join(
            f"<li style='margin:4px 0'><b>Turn {n}, {'coach' if turn['speaker'] == 'coach' else 'client'}:</b> "
            f"&ldquo;{escape(turn['text'])}&rdquo;</li>" for n, turn in enumerate(t["turns"], 1))
        self.title.value = (f"<b>Transcript {self.position + 1} of {len(self.entries)}</b>: at which of the coach's "
                            "turns did the client's power get to the coach?")
        self.scene.value = card(t, f"<ol style='list-style:none;padding-left:4px;margin:6px 0'>{rows}</ol>")
        self.turn.options = [(f"Turn {n} (coach)", n) for n, turn in enumerate(t["turns"], 1)
                             if turn["speaker"] == "coach"]
        self.turn.value = None
        super().render()


class BetterFit(_Stepper):
    """Two sound replies: pick the one that better fits this client at this moment."""

    def __init__(self, technique: str | None = None, *, items: list[str] | None = None, progress=None):
        self.pick = radios(options=[("Reply A", "A"), ("Reply B", "B")], value=None, description="Better fit")
        self.check = W.Button(description="Check", tooltip="Check your choice", icon="question")
        self.check.on_click(lambda _: self.submit())
        super().__init__(formats.items("two_good", technique, items), [self.pick, self.check], "better-fit", progress)
        self.add_class("powercoach-betterfit")

    def submit(self) -> Feedback | None:
        if self.pick.value is None:
            self.feedback.value = status_html("Choose reply A or reply B, then press Check.")
            return None
        result = formats.mark_two_good(self.current, self.pick.value)
        # neither reply is wrong: a sound reply that is the less good fit is not marked with a cross
        return self.keep(self.current["id"], result if result.right else Feedback(None, result.verdict, result.lines))

    def render(self) -> None:
        s = self.current
        options = "".join(f"<li style='margin:4px 0'><b>Reply {o['key']}:</b> &ldquo;{escape(o['text'])}&rdquo;</li>"
                          for o in s["options"])
        self.title.value = (f"<b>Scene {self.position + 1} of {len(self.entries)}</b>: both replies are sound. "
                            "Which fits this client better, right now?")
        self.scene.value = card(s, f"<div><b>The client says:</b> &ldquo;{escape(s['client_says'])}&rdquo;</div>"
                                   f"<ul style='list-style:none;padding-left:4px;margin:6px 0'>{options}</ul>")
        self.pick.value = None
        super().render()

    def render_score(self) -> None:
        hits = sum(r.right is True for r in self.results.values())
        self.score.value = (f"Better fit found first time: {hits} of {len(self.results)} answered "
                            f"({self.total} in all). No choice here is wrong.")


def tells_table(group: dict) -> str:
    """The contrast table: each confusable pitfall and what tells it apart."""
    titles = catalog.pitfalls()
    rows = "".join(f"<tr><th scope='row' style='text-align:left;padding:4px 8px;vertical-align:top'>"
                   f"{escape(titles[p].title)}</th><td style='padding:4px 8px'>{escape(tell)}</td></tr>"
                   for p, tell in group["tells"].items())
    return (f"<table style='border-collapse:collapse;max-width:760px;margin:6px 0'><caption style='text-align:left'>"
            f"<b>{escape(group['title'])}</b> What tells them apart</caption><thead><tr>"
            "<th scope='col' style='text-align:left;padding:4px 8px'>Pitfall</th>"
            "<th scope='col' style='text-align:left;padding:4px 8px'>The tell</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")


class ContrastTable(_Stepper):
    """Sort short replies into pitfalls learners confuse, with the table of what tells them apart.

    ``ContrastTable("contrast-judgement-aggression")`` shows one table; the replies come in an order
    fixed by ``seed``, and the sorted ones fill a second table, each under the pitfall it shows, with
    the learner's first choice beside it.
    """

    def __init__(self, group: str, *, seed: int | None = 0, progress=None):
        self.group = formats.items("contrast", ids=[group])[0]
        replies = list(self.group["replies"])
        random.Random(seed).shuffle(replies)  # a fixed order per seed, so a class shares one order
        titles = catalog.pitfalls()
        self.table, self.sorted = W.HTML(tells_table(self.group)), W.HTML()
        self.pick = radios(options=[(titles[p].title, p) for p in self.group["tells"]], value=None,
                           description="Pitfall")
        self.check = W.Button(description="Check", tooltip="Check the pitfall you chose", icon="question")
        self.check.on_click(lambda _: self.submit())
        self.chosen: dict[str, str] = {}
        super().__init__(replies, [self.pick, self.check], "contrast", progress, self.group["technique"])
        self.children = (self.table, *self.children, self.sorted)
        self.add_class("powercoach-contrast")
        self.render_sorted()

    def submit(self) -> Feedback | None:
        if self.pick.value is None:
            self.feedback.value = status_html("Choose the pitfall this reply shows, then press Check.")
            return None
        reply = self.current
        self.chosen.setdefault(reply["id"], self.pick.value)
        result = self.keep(reply["id"], formats.mark_contrast(self.group, reply["id"], self.pick.value))
        self.render_sorted()
        return result

    def _first(self, reply_id: str, pitfall: str) -> str:
        first = self.chosen[reply_id]
        if first == pitfall:
            return "you sorted it here"
        return f"you first said {escape(catalog.pitfalls()[first].title.lower())}"

    def render_sorted(self) -> None:
        titles = catalog.pitfalls()
        cells = []
        for p in self.group["tells"]:
            done = [r for r in self.group["replies"] if r["pitfall"] == p and r["id"] in self.chosen]
            lines = "".join(f"<li>&ldquo;{escape(r['text'])}&rdquo; ({self._first(r['id'], p)})</li>" for r in done)
            cells.append(f"<td style='vertical-align:top;padding:4px 8px'><ul style='margin:0;padding-left:18px'>"
                         f"{lines or '<li>none sorted yet</li>'}</ul></td>")
        heads = "".join(f"<th scope='col' style='text-align:left;padding:4px 8px'>{escape(titles[p].title)}</th>"
                        for p in self.group["tells"])
        self.sorted.value = (f"<table style='border-collapse:collapse;max-width:760px;margin:6px 0'>"
                             f"<caption style='text-align:left'><b>Sorted so far</b> (each reply under the pitfall it "
                             f"shows)</caption><thead><tr>{heads}</tr></thead><tbody><tr>{''.join(cells)}</tr></tbody>"
                             "</table>")

    def render(self) -> None:
        r = self.current
        self.title.value = (f"<b>Reply {self.position + 1} of {len(self.entries)}</b>: which of these pitfalls "
                            "does the coach's reply show?")
        self.scene.value = (f"<div style='{CARD_STYLE}'><div><b>Client:</b> {escape(r['client_role'])}</div>"
                            f"<div style='margin-top:6px'><b>The client says:</b> &ldquo;{escape(r['client_says'])}"
                            f"&rdquo;</div><div style='margin-top:6px'><b>The coach says:</b> "
                            f"&ldquo;{escape(r['text'])}&rdquo;</div></div>")
        self.pick.value = None
        super().render()


class LadderSort(_Stepper):
    """Mark each part of a coach's feedback as observation, impact or interpretation."""

    def __init__(self, technique: str | None = None, *, items: list[str] | None = None, progress=None):
        self.parts_box = W.VBox()
        self.check = W.Button(description="Check", tooltip="Check how you marked the parts", icon="question")
        self.check.on_click(lambda _: self.submit())
        self.pickers: list[W.RadioButtons] = []
        super().__init__(formats.items("ladder", technique, items), [self.parts_box, self.check], "ladder", progress)
        self.add_class("powercoach-ladder")

    def submit(self) -> Feedback | None:
        answers = {n: p.value for n, p in enumerate(self.pickers, 1)}
        missing = [str(n) for n, v in answers.items() if v is None]
        if missing:
            self.feedback.value = status_html(f"Mark every part first; not yet marked: part {', '.join(missing)}.")
            return None
        return self.keep(self.current["id"], formats.mark_ladder(self.current, answers))

    def render(self) -> None:
        d = self.current
        self.title.value = (f"<b>Feedback {self.position + 1} of {len(self.entries)}</b>: mark each part as an "
                            "observation, an impact or an interpretation.")
        self.scene.value = card(d, f"<div><b>The client says:</b> &ldquo;{escape(d['client_says'])}&rdquo;</div>"
                                   "<div style='margin-top:6px'><b>The coach's feedback, in parts:</b></div>")
        options = [(f"{kind} ({meaning})", kind) for kind, meaning in formats.LADDER_KINDS.items()]
        self.pickers, rows = [], []
        for n, part in enumerate(d["parts"], 1):
            text = W.HTML(f"<div style='max-width:760px;margin-top:8px'><b>Part {n}:</b> "
                          f"&ldquo;{escape(part['text'])}&rdquo;</div>")
            picker = radios(options=options, value=None, description=f"Part {n}", layout=W.Layout(width="auto"))
            self.pickers.append(picker)
            rows += [text, picker]
        self.parts_box.children = rows
        super().render()
