"""A real JupyterLab on 127.0.0.1 and a real headless Chromium, started and stopped by tests."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from conftest import BIN, REPO, private_env

#: axe-core's WCAG 2.0, 2.1 and 2.2 A and AA rules; critical and serious violations fail a test
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING = ("critical", "serious")
#: what is ours in JupyterLab: what the cells render (Markdown, widgets); the code editors, the
#: cells' collapse buttons and everything around the notebook are JupyterLab's
OURS = ".jp-RenderedMarkdown, .jp-OutputArea-output"
A11Y_REPORTS = REPO / "test-artifacts" / "accessibility"

CHROMIUM = os.environ.get("POWERCOACH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def jupyterlab(tmp: Path, extra_env: dict[str, str] | None = None, autorun: bool = True):
    """Serve a temp copy of the course (so checkpoints never land in the repo). With autorun=False the
    learner has turned off the setting that runs a course notebook as it opens (docs/autorun.md)."""
    root = tmp / "served"
    for folder in ("course", "exercises"):
        shutil.copytree(REPO / folder, root / folder)
    env = {**private_env(tmp / "home"), **(extra_env or {})}
    settings = Path(env["JUPYTER_CONFIG_DIR"]) / "lab/user-settings/@jupyterlab/apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    if not autorun:
        ours = Path(env["JUPYTER_CONFIG_DIR"]) / "lab/user-settings/@powercoach/autorun"
        ours.mkdir(parents=True, exist_ok=True)
        (ours / "plugin.jupyterlab-settings").write_text(json.dumps({"autorun": False}))
    port, token = free_port(), secrets.token_hex(16)
    log = (tmp / "jupyterlab.log").open("w")
    proc = subprocess.Popen(
        [str(BIN / "jupyter"), "lab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not start: see {tmp / 'jupyterlab.log'}") from None
                time.sleep(0.3)
        yield base, token, root
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextmanager
def chromium(tmp: Path, extra_args: list[str] | None = None):
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"No Chromium at {CHROMIUM}: install Debian's chromium (make test does).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + (extra_args or []))
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser):
    return browser.new_page(viewport={"width": 1400, "height": 1000})


AUTORUN_SETTLED = ("done", "stopped", "error", "skipped", "off", "no-kernel")


def autorun_state(page, timeout: int = 90_000) -> str:
    """What powercoach's extension did with the notebook on screen once it has settled: `done` (ran it as
    it opened), `skipped` (no course metadata), `off` (the setting is off), `stopped` (code the course did
    not write), `error` or `no-kernel`. It marks the notebook's panel (labextension/index.js)."""
    handle = page.wait_for_function(
        """states => { const p = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
                       const s = p && p.dataset.powercoachAutorun; return states.includes(s) && s; }""",
        arg=list(AUTORUN_SETTLED), timeout=timeout)
    return handle.json_value()


def run_all_unless_autorun(page) -> None:
    """Run All, unless the extension already ran the notebook as it opened: a second run would replace
    every widget while a test clicks them."""
    if autorun_state(page) != "done":
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()


def open_and_run_all(page, base: str, token: str, path: str) -> None:
    # ?reset starts from an empty workspace, so earlier tabs are not restored beside this one.
    page.goto(f"{base}/lab/tree/{path}?reset&token={token}")
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=60_000)
    run_all_unless_autorun(page)


def wait_until_run_all_is_done(page, timeout: int = 90_000) -> None:
    """The kernel is idle again and Run All has settled on the last cell, so it no longer moves the focus."""
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=timeout)
    page.wait_for_timeout(1000)


def save(page) -> None:
    page.keyboard.press("Control+s")
    page.wait_for_timeout(1000)


def served_copy(tmp: Path) -> Path:
    """A temp copy of what a learner opens: the lessons and the exercises (never the key)."""
    root = tmp / "served"
    for folder in ("course", "exercises"):
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns("*.answers.json*"))
    return root


def wait_for_http(url: str, proc: subprocess.Popen, log: Path, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start: see {log}") from None
            time.sleep(0.3)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


@contextmanager
def voila(tmp: Path):
    """Voila on 127.0.0.1 with a token, over a temp copy of the course; yields (base, token, root)."""
    root = served_copy(tmp)
    env = private_env(tmp / "home")
    port, token = free_port(), secrets.token_hex(16)
    log_path = tmp / "voila.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [str(BIN / "voila"), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1", f"--token={token}",
         f"--Voila.root_dir={root}", "--show_tracebacks=True", str(root)],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{base}/voila/tree?token={token}", proc, log_path, "Voila")
        yield base, token, root
    finally:
        stop(proc)
        log.close()


YOUR_TURN_REPLY = 'You should just start & see, "fees <b outcomes". What would make these hours worth it for you?'


def your_turn_by_keyboard(page, turn, timeout: int = 60_000) -> None:
    """Drive a Your turn widget with the keyboard only and check what it shows: type in the
    labelled box, Tab to *Read my reply*, press Enter; observations (the learner's text shown as
    text, the triggering words marked), two good replies and the self-rating appear."""
    turn.wait_for(timeout=timeout)
    turn.scroll_into_view_if_needed()
    box = turn.get_by_role("textbox", name="What would you say?")
    box.focus()
    page.keyboard.type(YOUR_TURN_REPLY)
    assert box.input_value() == YOUR_TURN_REPLY  # the focus stayed in the box while typing
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Read my reply" in focused, focused
    page.keyboard.press("Enter")
    reading = turn.locator(".powercoach-reading")
    reading.wait_for(timeout=30_000)
    assert reading.get_attribute("role") == "status"
    text = reading.inner_text()
    assert '& see, "fees <b outcomes"' in text  # the learner's text is shown as text, never as markup
    assert "Possible pitfall" in text or "Strength" in text
    assert reading.locator("mark").count() >= 1
    models = turn.locator(".powercoach-models")
    models.wait_for(timeout=10_000)
    assert models.locator("li").count() == 2
    partly = turn.get_by_role("radio", name="partly")  # the self-rating, a group per criterion
    partly.nth(2).wait_for(timeout=10_000)
    assert partly.count() == 3


def axe_violations(page) -> list[dict]:
    """axe-core 4.12 (bundled by axe-playwright-python) on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}
    return Axe().run(page, options=options).response["violations"]


def brief(violations: list[dict]) -> list[dict]:
    return [{"rule": v["id"], "impact": v["impact"], "help": v["help"], "count": len(v["nodes"]),
             "first": v["nodes"][0]["target"], "html": v["nodes"][0]["html"][:200]} for v in violations]


def check_wcag(page, route: str, path: str, jupyterlab_page: bool = False, **extra) -> None:
    """Run axe on the page; record every violation in test-artifacts/accessibility/; fail on a
    critical or serious one that is ours (in JupyterLab, inside what a cell renders)."""
    ours, theirs = [], []
    for v in axe_violations(page):
        if not jupyterlab_page:
            ours.append(v)
            continue
        inside = [n for n in v["nodes"] if page.evaluate(
            "([sel, ours]) => !!document.querySelector(sel)?.closest(ours)", [n["target"][-1], OURS])]
        outside = [n for n in v["nodes"] if n not in inside]
        if inside:
            ours.append({**v, "nodes": inside})
        if outside:
            theirs.append({**v, "nodes": outside})
    A11Y_REPORTS.mkdir(parents=True, exist_ok=True)
    record = {"route": route, "page": path, "rules": WCAG_AA, "ours": brief(ours), **extra}
    if jupyterlab_page:
        record["jupyterlab_chrome"] = brief(theirs)
    (A11Y_REPORTS / f"{route}-{path.replace('/', '_')}.json").write_text(json.dumps(record, indent=1),
                                                                        encoding="utf-8")
    failing = [v for v in brief(ours) if v["impact"] in FAILING]
    assert not failing, json.dumps(failing, indent=1)


def settle(page, timeout: float = 15) -> None:
    """Wait until the number of widgets on the page stops changing (the last cells have rendered)."""
    seen, since, deadline = -1, time.monotonic(), time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = page.locator(".jupyter-widgets").count()
        if now != seen:
            seen, since = now, time.monotonic()
        elif time.monotonic() - since > 1.0:
            return
        page.wait_for_timeout(200)
