"""What every face shares: the card a scene is shown in, feedback in words, a plain notice, and
radio buttons large enough to hit."""

from __future__ import annotations

from html import escape

import ipywidgets as W

from ..marking import Mark

OK_STYLE = "border-left:6px solid #1a7f37;background:#eef8f0"
NO_STYLE = "border-left:6px solid #b3261e;background:#fcefee"
#: a text box as wide as a scene card
BOX = {"width": "100%", "max_width": "760px"}
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


def status_html(text: str) -> str:
    return f"<div role='status' style='color:#6a4a00'>&#9888; {escape(text)}</div>" if text else ""


def keep_score(progress, module: int, activity: str, score: int, total: int):
    """Record a score in ``progress`` (the learner's own progress file when None); returns the
    progress used, to keep for the next score, and its warnings as a notice to show."""
    from ..progress import Progress

    progress = Progress() if progress is None else progress
    progress.record(module, activity, score, total)
    return progress, status_html(" ".join(progress.warnings))


#: WCAG 2.2 target size (2.5.8, AA): each radio button a 20 px target with its neighbour's centre at
#: least 28 px away (24 px is the minimum); and a focus ring a keyboard user can see (2.4.7) on radio
#: buttons and on lists, whose ipywidgets style only tints a 1 px border.
CONTROL_CSS = (
    "<style>"
    ".powercoach-radios .widget-radio-box label{display:flex;align-items:center;min-height:28px}"
    ".powercoach-radios .widget-radio-box input[type=radio]{width:20px;height:20px;margin:0 8px 0 0;flex:none}"
    ".powercoach-radios input[type=radio]:focus-visible,"
    ".powercoach-list select:focus-visible{outline:3px solid #1a5fb4 !important;outline-offset:2px}"
    "</style>"
)


def radios(**kwargs) -> W.RadioButtons:
    """Radio buttons styled by CONTROL_CSS; put ``control_style()`` beside them."""
    buttons = W.RadioButtons(**kwargs)
    buttons.add_class("powercoach-radios")
    return buttons


def control_style() -> W.HTML:
    """The style sheet for ``radios`` and lists of class ``powercoach-list``, in a widget that takes
    no room on the page."""
    return W.HTML(CONTROL_CSS, layout=W.Layout(display="none"))
