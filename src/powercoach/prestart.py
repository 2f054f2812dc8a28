"""A Jupyter server extension: a course notebook's kernel starts as soon as its page is requested.

Opening ``/lab/tree/course/01-contracting.ipynb`` makes the browser load JupyterLab (about 2.7 s on
a 2-core machine) and only then ask the server for a kernel, which takes about another second to be
ready; the autorun extension (docs/autorun.md) can run the lesson only after that. Here the server
starts the notebook's session the moment it has served the page, so the kernel starts while the
browser is still loading JupyterLab, and JupyterLab finds the session for that path and connects to
it instead of starting one (it looks for a running session by path first).

It does only what JupyterLab would do a moment later anyway, and only for a course notebook:

- a page served with status 200 (so to a signed-in user: a request without a token is redirected
  to the login page and starts nothing), at ``/lab/tree/<path>.ipynb``, ``/doc/tree/<path>.ipynb``
  or Notebook 7's ``/notebooks/<path>.ipynb``;
- a notebook whose metadata holds ``"powercoach": {"autorun": true}``; any other notebook is left
  to JupyterLab, as before;
- no session for that path yet (a second tab, or a reload, reuses the running kernel);
- the kernel named in the notebook's ``kernelspec``.

While a start is under way, a request to create a session for the same path (JupyterLab's own,
through ``POST /api/sessions``) waits for it and then finds it, so a path never gets two kernels.
A path that is missing, not a notebook or names an unknown kernel starts nothing; JupyterLab
reports the problem as it would without this extension.

Enabled by the installed ``jupyter_server_config.d/powercoach.json``;
``{"ServerApp": {"jpserver_extensions": {"powercoach.prestart": false}}}`` turns it off.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import PurePosixPath
from urllib.parse import unquote

from tornado.web import OutputTransform

WAIT = 60  # seconds a session request waits for a start under way (a kernel that hangs must not hang the page)
PAGES = r"(?:lab/tree|doc/tree|notebooks)/(?P<path>.+\.ipynb)"


def wants_prestart(notebook: dict) -> bool:
    """A course notebook: the metadata the autorun extension runs on."""
    meta = notebook.get("metadata") or {}
    return isinstance(meta.get("powercoach"), dict) and meta["powercoach"].get("autorun") is True


class Prestarter:
    """Starts sessions for course notebooks on one server; at most one start per path at a time."""

    def __init__(self, serverapp):
        self.app = serverapp
        self.starting: dict[str, asyncio.Future] = {}
        sessions = serverapp.session_manager
        self.exists = sessions.session_exists

        async def session_exists(path):
            if path in self.starting:  # our start for this path is under way: wait for it, then count it
                await asyncio.wait([self.starting[path]], timeout=WAIT)  # never for ever: then as without us
            return await self.exists(path)

        # JupyterLab's POST /api/sessions asks this first; waiting on our start keeps one kernel per path.
        sessions.session_exists = session_exists

    def request(self, path: str) -> None:
        """Start ``path``'s session in the background, unless a start for it is under way."""
        if path not in self.starting:
            self.starting[path] = asyncio.ensure_future(self._start(path))
            self.starting[path].add_done_callback(lambda _: self.starting.pop(path, None))

    async def _start(self, path: str) -> str | None:
        """The id of the session started for ``path``, or None when there was nothing to start."""
        from jupyter_core.utils import ensure_async

        app = self.app
        try:
            if await self.exists(path):
                return None
            model = await ensure_async(app.contents_manager.get(path, content=True, type="notebook"))
            notebook = model.get("content") or {}
            if not wants_prestart(notebook):
                return None
            kernel = ((notebook.get("metadata") or {}).get("kernelspec") or {}).get("name")
            session = await app.session_manager.create_session(
                path=path, name=PurePosixPath(path).name, type="notebook",
                kernel_name=kernel or app.kernel_manager.default_kernel_name)
            app.log.info("powercoach: started the kernel of %s as its page was served", path)
            return session["id"]
        except Exception as error:  # noqa: BLE001 - missing, not a notebook, unknown kernel: JupyterLab says so itself
            app.log.debug("powercoach: no early kernel for %s: %s", path, error)
            return None


def transform_for(base_url: str, prestarter: Prestarter):
    """The tornado output transform that asks ``prestarter`` for a course notebook's page once it is served."""
    page = re.compile(rf"^{re.escape(base_url.rstrip('/') + '/')}{PAGES}$")

    class Prestart(OutputTransform):
        def __init__(self, request):
            self.request = request

        def transform_first_chunk(self, status_code, headers, chunk, finishing):
            found = page.match(self.request.path) if self.request.method == "GET" else None
            kind = headers.get("Content-Type", "").split(";")[0].strip().lower()
            if found and status_code == 200 and kind == "text/html":
                prestarter.request(unquote(found["path"]))
            return status_code, headers, chunk

    return Prestart


def _jupyter_server_extension_points():
    return [{"module": "powercoach.prestart"}]


def _load_jupyter_server_extension(serverapp):
    web_app = serverapp.web_app
    web_app.transforms.append(transform_for(web_app.settings.get("base_url", "/"), Prestarter(serverapp)))
    serverapp.log.info("powercoach: a course notebook's kernel starts as its page is served")
