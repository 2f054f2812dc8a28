"""WCAG 2.2 AA, checked by a standard tool: axe-core (4.12, bundled by axe-playwright-python) with its
WCAG 2.0, 2.1 and 2.2 A and AA rules (tests/browser.py: check_wcag), on every page a learner opens.

- Voila (the code-free view), here: the start page, every lesson and every exercise. Nothing on
  those pages is JupyterLab's, so any critical or serious violation is ours and fails the test.
- JupyterLab (the class route): the start page and every exercise here, every lesson in
  test_browser.py (which runs them anyway). A violation inside what a cell renders is ours and
  fails; one in JupyterLab's own chrome (menus, side bars, status bar, and in the cells the code
  editors and heading collapse buttons) is not ours to fix and is only recorded.
- The browser-only site: every page too, in test_lite.py (it builds and serves the site).

Every violation found, of any impact, goes to test-artifacts/accessibility/, one file per page,
with each Voila page's seconds from opening to its first widget (the timing report of issue #19).
"""

from __future__ import annotations

import time

import pytest
from browser import (
    axe_violations,
    check_wcag,
    chromium,
    jupyterlab,
    new_page,
    open_and_run_all,
    settle,
    voila,
    wait_until_run_all_is_done,
)
from conftest import REPO

pytestmark = pytest.mark.browser

EXERCISES = sorted(f"exercises/{p.parent.name}/{p.name}" for p in (REPO / "exercises").glob("*/*.ipynb"))
PAGES = ["course/start.ipynb"] + sorted(f"course/{p.name}" for p in (REPO / "course").glob("[0-9]*.ipynb")) + EXERCISES


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with chromium(tmp_path_factory.mktemp("a11y-chromium")) as browser:
        yield browser


@pytest.fixture(scope="module")
def voila_site(tmp_path_factory, browser):
    with voila(tmp_path_factory.mktemp("a11y-voila")) as server:
        yield server, browser


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with jupyterlab(tmp_path_factory.mktemp("a11y-lab")) as server:
        yield server


def test_axe_finds_what_it_is_asked_to_find(voila_site):
    """The check can fail: an unnamed slider and a tiny, crowded pair of radio buttons are reported."""
    _, browser = voila_site
    page = new_page(browser)
    page.set_content("<html lang='en'><head><title>t</title></head><body><main>"
                     "<div role='slider' tabindex='0' aria-valuenow='3' aria-valuemin='1' aria-valuemax='5'></div>"
                     "<input type='radio' name='a' aria-label='A' style='display:block;width:8px;height:8px;margin:0'>"
                     "<input type='radio' name='a' aria-label='B' style='display:block;width:8px;height:8px;margin:0'>"
                     "</main></body></html>")
    rules = {v["id"] for v in axe_violations(page)}
    page.close()
    assert {"aria-input-field-name", "target-size"} <= rules, rules


@pytest.mark.parametrize("path", PAGES)
def test_every_voila_page_meets_wcag_2_2_aa(voila_site, path):
    (base, token, _), browser = voila_site
    page = new_page(browser)
    try:
        start = time.monotonic()
        page.goto(f"{base}/voila/render/{path}?token={token}")
        page.locator(".jupyter-widgets").first.wait_for(timeout=60_000)
        first_widget = round(time.monotonic() - start, 2)
        settle(page)
        check_wcag(page, "voila", path, first_widget_s=first_widget)
    finally:
        page.close()


@pytest.mark.parametrize("path", ["course/start.ipynb"] + EXERCISES)
def test_our_cells_in_jupyterlab_meet_wcag_2_2_aa(lab, browser, path):
    base, token, _ = lab
    page = new_page(browser)
    try:
        open_and_run_all(page, base, token, path)
        wait_until_run_all_is_done(page)
        settle(page)
        check_wcag(page, "jupyterlab", path, jupyterlab_page=True)
    finally:
        page.close()
