"""The browser-only edition: built by lite/build.py from the registries, served on 127.0.0.1, and
driven in Chromium with every other address unreachable.

Fails (never skips) without npm, Chromium or the registries: `make test` needs all three.
"""

from __future__ import annotations

import functools
import http.server
import json
import sys
import threading

import pytest
from browser import autorun_state, check_wcag, chromium, run_all_unless_autorun, settle, your_turn_by_keyboard
from conftest import REPO
from test_accessibility import PAGES

pytestmark = [pytest.mark.lite, pytest.mark.browser, pytest.mark.slow]

OFFLINE = ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
IDLE = "Python (Pyodide) | Idle"


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def lite_site(tmp_path_factory):
    sys.path.insert(0, str(REPO / "lite"))
    try:
        import build as lite_build
    finally:
        sys.path.pop(0)
    tmp = tmp_path_factory.mktemp("lite")
    return lite_build.build(tmp / "site", tmp / "cache")


@pytest.fixture(scope="module")
def served(lite_site, tmp_path_factory):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(lite_site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    tmp = tmp_path_factory.mktemp("lite-browser")
    try:
        with chromium(tmp, extra_args=OFFLINE) as browser:
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
            requests: list[str] = []
            context.on("request", lambda r: requests.append(r.url))
            yield f"http://127.0.0.1:{server.server_address[1]}", context, requests, tmp
            context.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def open_and_run_all(page, base: str, path: str) -> None:
    # An empty workspace first, so no earlier tab (and its kernel) is restored beside this one.
    page.goto(f"{base}/lab/index.html?reset")
    page.locator(".jp-Launcher").wait_for(timeout=60_000)
    page.goto(f"{base}/lab/index.html?path={path}")
    page.get_by_text(IDLE).wait_for(timeout=120_000)
    # powercoach's extension runs a course notebook as it opens here too; Run All only if it did not.
    run_all_unless_autorun(page)


def settled(page, timeout: int = 120_000) -> None:
    """Autorun has finished and the kernel is idle again, and the widgets have stopped appearing."""
    assert autorun_state(page, timeout) == "done"
    page.get_by_text(IDLE).wait_for(timeout=timeout)
    settle(page, timeout=60)


def outside(requests: list[str], base: str) -> list[str]:
    return [u for u in requests if not u.startswith((base + "/", "data:", "blob:"))]


def test_the_site_holds_pyodide_and_every_wheel_its_lock_lists(lite_site):
    pyodide = lite_site / "static/pyodide"
    lock = json.loads((pyodide / "pyodide-lock.json").read_text())
    assert {"micropip", "ipython", "ipywidgets", "powercoach"} <= set(lock["packages"])
    for entry in lock["packages"].values():
        assert (pyodide / entry["file_name"]).exists(), entry["file_name"]
    config = json.loads((lite_site / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.mjs" and kernel["disablePyPIFallback"] is True
    assert (lite_site / "files/course/01-contracting.ipynb").exists()
    assert (lite_site / "extensions/@powercoach/autorun/package.json").exists()  # runs a lesson as it opens
    assert not list((lite_site / "files").rglob("*.answers.json"))


def test_the_site_quotes_no_class_answer(lite_site):
    """Nothing the browser-only site serves (its wheels opened too) holds a class answer's text."""
    from test_sealed_key import quoting_files

    assert quoting_files(lite_site) == []


def test_a_lesson_loads_offline_its_drill_answers_a_click_and_your_turn_reads_a_reply(served):
    base, context, requests, tmp = served
    page = context.new_page()
    try:
        open_and_run_all(page, base, "course/01-contracting.ipynb")
        assert autorun_state(page) == "done"  # powercoach's extension ran it as it opened, no Run All
        # Lesson 01's practice ends with Your turn after two drills and a best-and-worst picker:
        # wait for it, so Run All has finished scrolling, then bring the first drill into view and
        # read the DOM's text (JupyterLab may not draw cells out of sight), as tests/test_browser.py does.
        page.locator(".powercoach-yourturn").wait_for(state="attached", timeout=240_000)
        page.get_by_text(IDLE).wait_for(timeout=120_000)
        drill = page.locator(".powercoach-drill").first
        drill.scroll_into_view_if_needed(timeout=30_000)
        drill.get_by_text("Scene 1 of 14").wait_for(timeout=30_000)
        drill.get_by_role("button", name="Good").click()
        feedback = drill.locator("[role=status]")
        feedback.wait_for(timeout=30_000)
        assert "The answer is" in feedback.text_content()
        assert "of 1 answered" in drill.text_content()
        # Your turn, by keyboard alone: the reader runs in the browser's Python too.
        your_turn_by_keyboard(page, page.locator(".powercoach-yourturn"), timeout=30_000)
        check_wcag(page, "lite", "course/01-contracting.ipynb", jupyterlab_page=True)  # WCAG 2.2 AA (axe-core)
    finally:
        page.screenshot(path=str(tmp / "lite-lesson.png"), full_page=True)
        page.close()
    assert any(u.endswith("/static/pyodide/pyodide.asm.wasm") for u in requests)
    assert outside(requests, base) == []


def test_an_exercise_answer_persists_in_the_browser_and_the_progress_file_downloads(served):
    base, context, requests, tmp = served
    page = context.new_page()
    try:
        open_and_run_all(page, base, "exercises/01-contracting/01-contracting.ipynb")
        first = page.locator(".powercoach-question").first
        first.wait_for(timeout=120_000)
        first.get_by_role("radio", name="Poor", exact=True).check()
        first.get_by_text("Saved: poor").wait_for(timeout=20_000)
        check_wcag(page, "lite", "exercises/01-contracting/01-contracting.ipynb", jupyterlab_page=True)
        # Check my draft reads the notebook as saved on the browser's drive: its answer cell is
        # still nbgrader's placeholder, so it asks the learner to save first.
        draft = page.locator(".powercoach-draftcheck")
        draft.scroll_into_view_if_needed(timeout=30_000)
        draft.get_by_role("button", name="Check my draft").click()
        draft.get_by_text("still reads YOUR ANSWER HERE").wait_for(timeout=30_000)
        page.wait_for_timeout(1500)  # the drive writes through to IndexedDB
        # A new page (new kernel) reads it back from the browser's storage.
        page.close()
        page = context.new_page()
        open_and_run_all(page, base, "course/start.ipynb")
        page.locator(".powercoach-start").wait_for(timeout=120_000)
        page.get_by_role("button", name="Prepare my progress file").click()
        link = page.locator("a.powercoach-download")
        link.wait_for(timeout=30_000)
        with page.expect_download() as event:
            link.click()
        saved = tmp / "lite-progress.json"
        event.value.save_as(saved)
        data = json.loads(saved.read_text(encoding="utf-8"))
        assert data["format"] == "powercoach-progress"
        assert data["answers"]["01-contracting"]["Q1"]["value"] == "poor"
        assert "runs entirely in your browser" in page.locator(".powercoach-session").inner_text()
        check_wcag(page, "lite", "course/start.ipynb", jupyterlab_page=True)
    finally:
        page.screenshot(path=str(tmp / "lite-start.png"), full_page=True)
        page.close()
    assert outside(requests, base) == []


CHECKED_ABOVE = {"course/01-contracting.ipynb", "exercises/01-contracting/01-contracting.ipynb", "course/start.ipynb"}


@pytest.mark.parametrize("path", [p for p in PAGES if p not in CHECKED_ABOVE])
def test_every_other_page_of_the_site_meets_wcag_2_2_aa(served, path):
    """axe-core on every page of the browser-only site the tests above do not open (issue #19): the
    start page, every lesson and every exercise are checked here or there, each run by the extension
    as it opened, offline."""
    base, context, requests, tmp = served
    page = context.new_page()
    try:
        open_and_run_all(page, base, path)
        settled(page)
        check_wcag(page, "lite", path, jupyterlab_page=True)
    finally:
        page.close()
    assert outside(requests, base) == []
