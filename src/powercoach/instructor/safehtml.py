"""Learner text is text: the HTML nbconvert makes of a notebook keeps formatting, never live script.

nbgrader renders a learner's Markdown with nbconvert's HTMLExporter, raw HTML included, in the
feedback HTML (``generate_feedback``) and in the Formgrader's view of a submission, which runs on
the instructor's own Jupyter server. ``nbgrader_config.py`` turns on the exporter's
``sanitize_html`` (cell outputs cleaned, JavaScript and widget outputs dropped) and replaces two
of its Jinja filters with the ones below, so that every Markdown cell goes through one bleach
allow-list: headings, emphasis, lists, tables, code, quotes and links to http(s), mailto or
relative addresses keep their formatting; any other tag is shown as text (``<script>`` appears as
the characters the learner typed), event-handler attributes and ``javascript:`` links are removed.

- ``strip_files_prefix``: nbconvert's filter, then the clean-up. Both the classic template's and
  nbgrader's formgrade template's Markdown blocks pipe ``markdown2html | strip_files_prefix``
  (the formgrade template never calls ``clean_html``, so ``sanitize_html`` alone leaves the
  Formgrader's view live).
- ``clean_html``: what the classic template calls on outputs, raw cells and (with
  ``sanitize_html``) Markdown; nbconvert's own allow-list there has no headings, paragraphs or
  table headers and would show an instructor's headings as escaped tags.

The Content-Security-Policy that the feedback file carries in a ``<meta>`` (the
``powercoach_feedback`` template next to this file) is ``FEEDBACK_CSP``: no script at all, so a
sanitiser bypass still does nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "templates"

# No script, no plug-ins, no forms, no base-URL tricks, nothing fetched from elsewhere: the file is
# read from disk, inside JupyterLab or through Jupyter's /files/, and needs only its own styles.
FEEDBACK_CSP = ("default-src 'none'; script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; "
                "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:")

TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "details",
    "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var",
})
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_CLASSED = {"span", "div", "pre", "code", "a", "table"}  # pygments' highlighting, nbconvert's anchor links
_IMAGE_DATA = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,", re.I)


def _attribute(tag: str, name: str, value: str) -> bool:
    if name == "class":
        return tag in _CLASSED
    if name == "id":
        return tag in _HEADINGS  # nbconvert's heading anchors; no id elsewhere to clobber the page's own
    if tag == "a":
        return name == "title" or name == "href" and not value.strip().lower().startswith("data:")
    if tag == "img":
        if name == "src":
            return not value.strip().lower().startswith("data:") or bool(_IMAGE_DATA.match(value.strip()))
        return name in ("alt", "title", "width", "height")
    if tag in ("td", "th"):
        return name in ("align", "colspan", "rowspan", "style")
    if tag in ("col", "colgroup"):
        return name == "span"
    return (tag, name) in {("ol", "start"), ("details", "open"), ("abbr", "title"), ("q", "cite"),
                           ("blockquote", "cite")}


@lru_cache(maxsize=1)
def _cleaner():
    import bleach
    from bleach.css_sanitizer import CSSSanitizer

    return bleach.Cleaner(
        tags=TAGS, attributes=_attribute, protocols={"http", "https", "mailto", "data"},
        css_sanitizer=CSSSanitizer(allowed_css_properties=["text-align"]), strip=False, strip_comments=True)


def clean_html(html) -> str:
    """``html`` with only the allowed tags and attributes live; any other tag shown as text."""
    html = html.decode() if isinstance(html, bytes) else str(html)
    return _cleaner().clean(html)


def strip_files_prefix(html) -> str:
    """nbconvert's ``strip_files_prefix``, then ``clean_html``."""
    from nbconvert.filters.strings import strip_files_prefix as nbconvert_strip

    return clean_html(nbconvert_strip(str(html)))


def _nbgrader_templates() -> Path:
    import nbgrader

    return Path(nbgrader.__file__).parent / "server_extensions" / "formgrader"


def feedback_template_dirs() -> list[str]:
    """``HTMLExporter.extra_template_basedirs`` for feedback: the ``powercoach_feedback`` template
    first, then nbgrader's own (its ``feedback`` template, which ours extends)."""
    return [str(TEMPLATES), str(_nbgrader_templates() / "templates")]


def feedback_template_paths() -> list[str]:
    """``HTMLExporter.extra_template_paths`` for feedback: nbgrader's bootstrap CSS (which
    GenerateFeedback puts there) and nbgrader's template folder, so ours can extend
    ``feedback/index.html.j2`` by that name."""
    return [str(_nbgrader_templates() / "static" / "node_modules" / "bootstrap" / "dist" / "css"),
            str(_nbgrader_templates() / "templates")]
