"""The code-free view: Voila on 127.0.0.1 in headless Chromium, pages ready as they open.

These tests fail (never skip) when Chromium is missing: .ci/run installs it.
"""

from __future__ import annotations

import json

import pytest
from browser import chromium, new_page, voila, your_turn_by_keyboard

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("voila")
    with voila(tmp) as server, chromium(tmp) as browser:
        yield server, browser, tmp


@pytest.fixture
def page(site):
    (_, _, _), browser, tmp = site
    page = new_page(browser)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    page.screenshot(path=str(tmp / "last-voila.png"), full_page=True)
    page.close()
    assert not errors, errors


def test_the_start_page_is_ready_as_it_opens_and_its_link_lands_on_the_lesson_whose_drill_answers(site, page):
    (base, token, _), _, _ = site
    page.goto(f"{base}/voila/render/course/start.ipynb?token={token}")
    start = page.locator(".powercoach-start")
    start.wait_for(timeout=60_000)
    assert "Your progress" in start.inner_text() and "Prepare my progress file" in start.inner_text()
    assert "The whole course" in start.inner_text()
    assert page.locator(".jp-InputArea-editor").count() == 0  # no code anywhere
    # The course map's link opens the lesson, in the same code-free view.
    page.get_by_role("link", name="Contract shared goals and sign-off").click()
    page.wait_for_url("**/voila/render/course/01-contracting.ipynb**", timeout=30_000)
    drill = page.locator(".powercoach-drill").first  # lesson 01 has a good-or-poor and a pitfall drill
    drill.wait_for(timeout=60_000)
    assert "Scene 1 of 14" in drill.inner_text()
    drill.get_by_role("button", name="Good").click()
    feedback = drill.locator("[role=status]")
    feedback.wait_for(timeout=15_000)
    assert ("Correct." in feedback.inner_text() or "Not quite." in feedback.inner_text())
    assert "The answer is" in feedback.inner_text()
    assert "of 1 answered" in drill.inner_text()


def test_an_exercise_click_is_saved_beside_the_notebook(site, page):
    (base, token, root), _, _ = site
    answers = root / "exercises/01-contracting/01-contracting.answers.json"
    assert not answers.exists()
    page.goto(f"{base}/voila/render/exercises/01-contracting/01-contracting.ipynb?token={token}")
    first = page.locator(".powercoach-question").first
    first.wait_for(timeout=60_000)
    first.get_by_role("radio", name="Poor", exact=True).check()
    first.get_by_text("Saved: poor").wait_for(timeout=15_000)
    data = json.loads(answers.read_text(encoding="utf-8"))
    assert data["exercise"] == "01-contracting" and data["answers"] == {"Q1": "poor"}


def test_the_download_button_gives_a_progress_file_and_the_restore_button_takes_one_in_voila(site, page):
    (base, token, root), _, tmp = site
    page.goto(f"{base}/voila/render/course/start.ipynb?token={token}")
    page.locator(".powercoach-start").wait_for(timeout=60_000)
    page.get_by_role("button", name="Prepare my progress file").click()
    link = page.locator("a.powercoach-download")
    link.wait_for(timeout=15_000)
    with page.expect_download() as event:
        link.click()
    saved = tmp / "downloaded.json"
    event.value.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["format"] == "powercoach-progress" and data["version"] == 1
    # Restore: a file that is not ours is refused, then the downloaded one is taken.
    foreign = tmp / "notes.json"
    foreign.write_text('{"cells": []}', encoding="utf-8")

    def restore(path):
        with page.expect_file_chooser() as chooser:
            page.locator(".powercoach-start .widget-upload").click()
        chooser.value.set_files(str(path))

    restore(foreign)
    message = page.locator(".powercoach-restore")
    message.wait_for(timeout=15_000)
    assert "notes.json: Not restored: this is not a powercoach progress file" in message.inner_text()
    assert "Nothing here was changed" in message.inner_text()
    data["activities"]["05/classify"] = {"module": 5, "activity": "classify", "score": 6, "total": 21, "best": 6,
                                         "stamp": 1_800_000_000.0, "updated": "2027-01-15 08:00"}
    saved.write_text(json.dumps(data), encoding="utf-8")
    restore(saved)
    page.get_by_text("Restored: 1 drill scores").wait_for(timeout=15_000)
    page.get_by_text("6 of 21 points in drills").wait_for(timeout=15_000)


def test_your_turn_reads_a_typed_reply_by_keyboard_alone_in_voila(site, page):
    (base, token, _), _, _ = site
    page.goto(f"{base}/voila/render/course/01-contracting.ipynb?token={token}")
    your_turn_by_keyboard(page, page.locator(".powercoach-yourturn"))
