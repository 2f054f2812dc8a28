"""The reader's observations on a learner's reply, as HTML (shared by Your turn and Check my draft).

Every observation is named in words ("Possible pitfall", "Strength") and the words that
triggered it are marked in the reply itself by ``reader.highlight_html`` (a <mark> plus a
bracketed tag), so nothing depends on colour. The learner's text is escaped by that function;
everything else learner-side that is shown here is escaped too. The block is a live region, so
a screen reader announces it when it changes.
"""

from __future__ import annotations

from html import escape

from .common import CARD_STYLE

PITFALL_STYLE = "border-left:6px solid #b3261e;padding:4px 10px;margin:4px 0;list-style:none"
STRENGTH_STYLE = "border-left:6px solid #1a7f37;padding:4px 10px;margin:4px 0;list-style:none"


def about_html() -> str:
    """The reader's limits, stated once where the reader appears (the reader is imported here)."""
    from .. import reader

    return (f"<div role='note' class='powercoach-reader-about' style='max-width:760px;font-size:0.95em'>"
            f"<b>About the reader.</b> {escape(reader.ABOUT)}</div>")


def _observation(o) -> str:
    label = "&#9888; Possible pitfall" if o.kind == "pitfall" else "&#10003; Strength"
    style = PITFALL_STYLE if o.kind == "pitfall" else STRENGTH_STYLE
    words = ", ".join(f"&ldquo;{escape(w)}&rdquo;" for w in o.words)
    heard = f" <span>(the words: {words})</span>" if words else ""
    return (f"<li class='powercoach-observation powercoach-{escape(o.kind)}' style='{style}'>"
            f"<b>{label}: {escape(o.title)}</b> <code>[{escape(o.id)}]</code>{heard}<br>{escape(o.message)}</li>")


def reading_html(reply: str, reading, heading: str = "What the reader noticed") -> str:
    """The reply with its triggering words marked, then each observation and its message."""
    from .. import reader

    if reading.notice:
        mine = (f"<p>What you wrote:</p><blockquote style='white-space:pre-wrap;margin:4px 0 8px 12px'>"
                f"{escape(reply[:4000])}</blockquote>") if reply.strip() else ""
        return (f"<div role='status' aria-live='polite' class='powercoach-reading' style='{CARD_STYLE}'>"
                f"<p><b>{escape(heading)}.</b> &#9888; {escape(reading.notice)}</p>{mine}</div>")
    pitfalls = [o for o in reading.observations if o.kind == "pitfall"]
    strengths = [o for o in reading.observations if o.kind != "pitfall"]
    parts = [f"<div role='status' aria-live='polite' class='powercoach-reading' style='{CARD_STYLE}'>",
             f"<p><b>{escape(heading)}.</b> {len(pitfalls)} possible pitfall{'s' * (len(pitfalls) != 1)}, "
             f"{len(strengths)} strength{'s' * (len(strengths) != 1)}.</p>",
             "<p>Your reply, with the words the reader noticed marked:</p>",
             "<blockquote class='powercoach-highlight' style='white-space:pre-wrap;margin:4px 0 8px 12px'>"
             f"{reader.highlight_html(reply, reading.observations)}</blockquote>"]
    if reading.observations:
        parts.append(f"<ul style='padding:0;margin:0'>{''.join(_observation(o) for o in pitfalls + strengths)}</ul>")
    else:
        parts.append("<p>The reader noticed no pitfall and no strength it knows. That is not a verdict either way: "
                     "compare your reply with the good replies below.</p>")
    parts.append("</div>")
    return "".join(parts)
