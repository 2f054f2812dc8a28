"""WCAG 2.2 AA, checked by a standard tool: axe-core (4.12, bundled by axe-playwright-python) with its
WCAG 2.0, 2.1 and 2.2 A and AA rules, on every page a learner opens.

- Voila (the code-free view): the start page, every lesson and every exercise. Nothing on those
  pages is JupyterLab's, so any critical or serious violation is ours and fails the test.
- JupyterLab (the class route): the start page, a lesson and an exercise after Run All. A violation
  inside a notebook's cells is ours and fails; one in JupyterLab's own chrome (menus, side bars,
  status bar, and in the cells the code editors and heading collapse buttons) is not ours to fix
  and is only recorded.

Every violation found, of any impact, and the seconds from opening each Voila page to its first
widget go to test-artifacts/accessibility.json: the timing report of issue #19.
"""

from __future__ import annotations

import json
import time

import pytest
from browser import chromium, jupyterlab, new_page, open_and_run_all, voila, wait_until_run_all_is_done
from conftest import REPO

pytestmark = pytest.mark.browser

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING = ("critical", "serious")
PAGES = (["course/start.ipynb"] + sorted(f"course/{p.name}" for p in (REPO / "course").glob("[0-9]*.ipynb"))
         + sorted(f"exercises/{p.parent.name}/{p.name}" for p in (REPO / "exercises").glob("*/*.ipynb")))
REPORT = REPO / "test-artifacts" / "accessibility.json"
#: what is ours in JupyterLab: what the cells render (Markdown, widgets); the code editors and the
#: cells' collapse buttons are JupyterLab's
OURS = ".jp-RenderedMarkdown, .jp-OutputArea-output"


def axe_violations(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}
    return Axe().run(page, options=options).response["violations"]


def brief(violations: list[dict]) -> list[dict]:
    return [{"rule": v["id"], "impact": v["impact"], "help": v["help"], "count": len(v["nodes"]),
             "first": v["nodes"][0]["target"], "html": v["nodes"][0]["html"][:200]} for v in violations]


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


@pytest.fixture(scope="module")
def report():
    found: dict = {"tool": "axe-core (axe-playwright-python)", "rules": WCAG_AA, "voila": {}, "jupyterlab": {}}
    yield found
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(found, indent=1), encoding="utf-8")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("a11y-chromium")
    with chromium(tmp) as browser:
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
def test_every_voila_page_meets_wcag_2_2_aa(voila_site, report, path):
    (base, token, _), browser = voila_site
    page = new_page(browser)
    try:
        start = time.monotonic()
        page.goto(f"{base}/voila/render/{path}?token={token}")
        page.locator(".jupyter-widgets").first.wait_for(timeout=60_000)
        first_widget = time.monotonic() - start
        settle(page)
        violations = axe_violations(page)
    finally:
        page.close()
    report["voila"][path] = {"first_widget_s": round(first_widget, 2), "violations": brief(violations)}
    failing = [v for v in brief(violations) if v["impact"] in FAILING]
    assert not failing, json.dumps(failing, indent=1)


@pytest.mark.parametrize("path", ["course/start.ipynb", "course/01-contracting.ipynb",
                                  "exercises/01-contracting/01-contracting.ipynb"])
def test_our_cells_in_jupyterlab_meet_wcag_2_2_aa(lab, browser, report, path):
    base, token, _ = lab
    page = new_page(browser)
    try:
        open_and_run_all(page, base, token, path)
        wait_until_run_all_is_done(page)
        settle(page)
        violations = axe_violations(page)
        ours, chrome = [], []
        for v in violations:
            inside = [n for n in v["nodes"] if page.evaluate(
                "([sel, ours]) => !!document.querySelector(sel)?.closest(ours)", [n["target"][-1], OURS])]
            (ours if inside else chrome).append({**v, "nodes": inside or v["nodes"]})
    finally:
        page.close()
    report["jupyterlab"][path] = {"ours": brief(ours), "jupyterlab_chrome": brief(chrome)}
    failing = [v for v in brief(ours) if v["impact"] in FAILING]
    assert not failing, json.dumps(failing, indent=1)
