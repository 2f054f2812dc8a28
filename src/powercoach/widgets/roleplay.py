"""Branching role-plays: each choice changes what the client says next, then a debrief."""

from __future__ import annotations

from html import escape

import ipywidgets as W

from .. import roleplay
from .common import CARD_STYLE, control_style, radios


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
        self.choices = radios(options=[], value=None, description="You say",
                              layout=W.Layout(width="auto"))
        self.say = W.Button(description="Say this", tooltip="Say the selected response", icon="comment")
        self.again = W.Button(description="Start again", icon="refresh")
        self.say.on_click(lambda _: self.choose(self._index()) if self.choices.value is not None else None)
        self.again.on_click(lambda _: self.restart())
        super().__init__([self.header, self.transcript, self.client, self.choices, self.say, self.debrief, self.again,
                          control_style()])
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
