"""A Jupyter server extension for the instructor's server: a Content-Security-Policy on the pages
that show a learner's work, so that a sanitiser bypass still runs no script as the instructor.

- The Formgrader's view of a submission (``…/formgrader/submissions/<id>/``): nbgrader's page has
  inline scripts of its own (two in its head, one after its navigation bar, two ``onclick``
  handlers on the show/hide-name icons) and loads the rest from ``…/formgrader/static/`` and
  MathJax (``HTMLExporter.mathjax_url``; formgrade.js stops half-way through its set-up without
  it). Everything before the notebook's container in the page is nbgrader's template; the
  learner's notebook is rendered after it. The policy allows the folders of the template's own
  script files (not the whole origin, which also serves files a learner handed in through
  ``/files/``) and the SHA-256 hashes of its inline scripts and handlers. A script anywhere in the
  notebook, even one that got past the sanitiser, has no hash and does not run. Hashes rather than
  a nonce, since the page is rendered by nbconvert inside nbgrader's handler and a nonce would have
  to be put into its template; hashes rather than a sandboxed iframe, since the grade fields live
  in the same document as the notebook.
- Any HTML or SVG file served through ``/files/`` (feedback, a learner's submitted ``.html``):
  ``safehtml.FEEDBACK_CSP``, no script at all, beside Jupyter's own ``sandbox`` policy.

Each policy is sent as an extra ``Content-Security-Policy`` header: Jupyter's own policy
(``frame-ancestors``, the report URI) stays, and the browser enforces both. These responses are
also marked ``Cache-Control: no-store``, so no 304 revalidation can swap the policy out.

Enable it in the server config: ``{"ServerApp": {"jpserver_extensions": {"powercoach.instructor.csp": true}}}``.
"""

from __future__ import annotations

import base64
import hashlib
import re

from tornado.web import OutputTransform

from .safehtml import FEEDBACK_CSP

HEADER = "Content-Security-Policy"
# Never cached: a browser revalidating a cached page gets a 304 with Jupyter's policy only (tornado sends
# no body and no Content-Type with it), which would replace the stored policy that carried ours.
NO_STORE = "no-store"
_INLINE_SCRIPT = re.compile(rb"<script\b(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>", re.S | re.I)
_HANDLER = re.compile(rb"""\son[a-z]+\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_SCRIPT_FILE = re.compile(rb"""<script\b[^>]*\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_NOTEBOOK = re.compile(rb"""<div\b[^>]*\bid\s*=\s*["']?notebook-container\b""", re.I)


def _sha256(text: bytes) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text).digest()).decode() + "'"


def page_scripts(html: bytes) -> tuple[list[bytes], list[bytes], list[str]]:
    """(inline scripts, inline event handlers, script file addresses) of nbgrader's own template:
    those before the notebook's container. No container found: nothing (the page's own scripts then
    do not run either)."""
    import html as entities

    found = _NOTEBOOK.search(html)
    if not found:
        return [], [], []
    head = html[:found.start()]
    handlers = [entities.unescape((a or b).decode()).encode() for a, b in _HANDLER.findall(head)]
    files = [entities.unescape((a or b or c).decode()) for a, b, c in _SCRIPT_FILE.findall(head)]
    return [m.group(1) for m in _INLINE_SCRIPT.finditer(head)], handlers, files


def formgrader_policy(html: bytes, page_url: str) -> str:
    """The policy for a submission page at ``page_url``: the folders of the template's own script
    files and the hashes of its inline scripts and handlers."""
    from urllib.parse import urljoin, urlsplit

    scripts, handlers, files = page_scripts(html)
    folders = set()
    for src in files:
        url = urlsplit(urljoin(page_url, src))
        if url.scheme in ("http", "https"):
            folders.add(f"{url.scheme}://{url.netloc}{url.path.rsplit('/', 1)[0]}/")
    sources = sorted(folders) + sorted({_sha256(s) for s in scripts} | {_sha256(h) for h in handlers})
    if handlers:
        sources.append("'unsafe-hashes'")  # lets the hashes match onclick="..." too
    allowed = " ".join(sources) or "'none'"
    return (f"script-src {allowed}; "
            "object-src 'none'; base-uri 'self'; frame-src 'none'; form-action 'self'")


def transform_for(base_url: str):
    """The tornado output transform for a server whose base URL is ``base_url``."""
    base = re.escape(base_url.rstrip("/") + "/")
    submission = re.compile(rf"^{base}formgrader/submissions/[^/]+/?$")
    files = re.compile(rf"^{base}files/")

    class ContentSecurityPolicy(OutputTransform):
        def __init__(self, request):
            self.request = request

        def transform_first_chunk(self, status_code, headers, chunk, finishing):
            kind = headers.get("Content-Type", "").split(";")[0].strip().lower()
            path = self.request.path
            if kind == "text/html" and status_code == 200 and submission.match(path):
                page = f"{self.request.protocol}://{self.request.host}{path}"
                # Not the whole page in this chunk (never so for nbgrader's handler): no scripts, fail closed.
                headers.add(HEADER, formgrader_policy(chunk if finishing else b"", page))
                headers["Cache-Control"] = NO_STORE
            elif kind in ("text/html", "image/svg+xml") and files.match(path):
                headers.add(HEADER, FEEDBACK_CSP)
                headers["Cache-Control"] = NO_STORE
            return status_code, headers, chunk

    return ContentSecurityPolicy


def _jupyter_server_extension_points():
    return [{"module": "powercoach.instructor.csp"}]


def _load_jupyter_server_extension(serverapp):
    web_app = serverapp.web_app
    # First, so it sees the page before tornado's gzip transform compresses it.
    web_app.transforms.insert(0, transform_for(web_app.settings.get("base_url", "/")))
    serverapp.log.info("powercoach: Content-Security-Policy on Formgrader submission pages and /files/ HTML")
