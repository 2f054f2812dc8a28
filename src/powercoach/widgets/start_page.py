"""The start page: where work is kept, progress per module, download and restore, study times."""

from __future__ import annotations

import re
from html import escape

import ipywidgets as W

from .. import catalog
from .common import CARD_STYLE, NO_STYLE, OK_STYLE, status_html


class ProgressView(W.VBox):
    """Modules and scores, each with a progress bar, from the learner's progress file."""

    def __init__(self, progress=None):
        from ..progress import Progress

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
        attempts = self.progress.attempts()
        written = (f"<i>Your turn:</i> {len(attempts)} repl{'y' if len(attempts) == 1 else 'ies'} written, the latest "
                   f"on {escape(str(attempts[-1].get('saved', '')))}." if attempts
                   else "<i>Your turn:</i> no replies written yet.")
        notice = W.HTML(status_html(" ".join(self.progress.warnings)))
        self.children = [W.HTML("<b>Your progress</b>"), *rows, W.HTML(written), notice]


def study_times_table(root=None) -> W.HTML:
    """How long each module takes (lesson and exercise) and the whole course, with how it was estimated."""
    from .. import portable, studytime

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
        from .. import portable
        from ..progress import Progress

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
        keep = W.HTML("<b>Keep your work.</b> The file holds your drill scores, self-assessment profiles, "
                      "exercise answers and the replies you wrote in <i>Your turn</i>. Restoring adds what the "
                      "file has and keeps whatever is newer here.")
        super().__init__([self.session, self.view, keep, W.HBox([self.prepare, self.link]), W.HBox([self.upload]),
                          self.message, study_times_table(self.root)])
        self.add_class("powercoach-start")

    def make_download(self) -> str:
        """Offer the file as a link (a data: URI with ``download``), which works in JupyterLab and Voila."""
        import base64

        from .. import portable

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
        from .. import portable

        outcome = portable.restore(content, self.progress, self.root)
        style = OK_STYLE if outcome.ok else NO_STYLE
        mark = "&#10003;" if outcome.ok else "&#10007;"
        self.message.value = (f"<div role='status' aria-live='polite' class='powercoach-restore' "
                              f"style='{style};padding:8px 12px;max-width:760px'>{mark} {escape(name)}: "
                              f"{escape(outcome.message)}</div>")
        self.view.refresh()
        return outcome
