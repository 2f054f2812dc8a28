"""Check my draft: the reader's observations on an exercise's written answer, before it is submitted.

It reads the reflection answer cell of the saved notebook (``exercise.saved_draft``) or, when the
learner pastes one, the text in the box; then only the words to the client (``exercise.reply_part``).
The scene it reads against is the reflection scene's text (technique, context, what the client
said), never anything from the key. It gives no mark and writes nothing: not the notebook, not
the answers file, not progress.
"""

from __future__ import annotations

import time

import ipywidgets as W

from .. import bank, your_turn
from .. import exercise as core
from .common import BOX, status_html
from .reading import about_html, reading_html
from .your_turn import models_html


class DraftCheck(W.VBox):
    """A button that reads your saved (or pasted) draft and shows what the reader notices."""

    def __init__(self, exercise_id: str, item_id: str | None = None, folder=None):
        self.exercise_id, self.item_id, self.folder = exercise_id, item_id, folder
        self.last_saved: str | None = None
        intro = W.HTML(
            "<div style='max-width:760px'><b>Check my draft</b> (optional, no mark). Save the notebook first "
            "(Ctrl+S, or Cmd+S on a Mac), then press the button: the reader reads your words to the client in "
            "the answer cell above (the first passage in quotation marks, or else the text before your "
            "<i>Why</i>) and says what a listener may hear. Nothing here changes your answer or your grade. "
            "You can paste a draft into the box instead.</div>")
        # Sent once, on leaving the box, so the button never reads a stale text (see YourTurn.reply).
        self.paste = W.Textarea(value="", description="Or paste a draft here", rows=3, continuous_update=False,
                                placeholder="Leave empty to read the answer cell of your saved notebook.",
                                style={"description_width": "initial"}, layout=W.Layout(**BOX))
        self.button = W.Button(description="Check my draft", icon="search", layout=W.Layout(width="auto"),
                               tooltip="Read your saved answer (or the pasted draft) and show what the reader notices")
        self.result = W.HTML()
        self.button.on_click(lambda _: self.check())
        self.models = W.HTML()
        super().__init__([intro, W.HTML(about_html()), self.paste, W.HBox([self.button]), self.result, self.models])
        self.add_class("powercoach-draftcheck")

    def check(self) -> str | None:
        """Read the draft; returns the words read (None when there was nothing to read)."""
        self.models.value = ""
        pasted = self.paste.value.strip()
        if pasted:
            text, source = pasted, "the draft you pasted"
        else:
            draft = core.saved_draft(self.exercise_id, self.folder)
            if draft.text is None:
                self.result.value = status_html(draft.problem)
                return None
            text = draft.text
            try:
                when = time.localtime(draft.path.stat().st_mtime)
                source = f"your notebook as saved at {time.strftime('%H:%M', when)}"
            except OSError:
                source = "your saved notebook"
            if text == self.last_saved:
                source += " (the same as last time: if you have changed it since, save first with Ctrl+S)"
            self.last_saved = text
        reply = core.reply_part(text)
        try:
            reading = your_turn.read(reply, self.item_id)
        except Exception as err:  # a damaged reader data file must not look like the learner's fault
            self.result.value = status_html(f"The reader could not read this draft ({err.__class__.__name__}: {err}).")
            return None
        self.result.value = reading_html(reply, reading, f"What the reader noticed in {source}")
        if not reading.notice and self.item_id is not None:
            technique = bank.item(self.item_id)["technique"]  # the scene's technique: no answer, no key
            self.models.value = models_html(your_turn.practice_replies(technique, 2, self.item_id))
        return reply
