"""A learner's view: JupyterLab in headless Chromium, driven by clicks.

These tests fail (never skip) when Chromium is missing: .ci/run installs it.
"""

from __future__ import annotations

import nbformat
import pytest
from browser import chromium, jupyterlab, open_and_run_all, save
from conftest import Course
from nbgrader.api import Gradebook
from test_nbgrader_cycle import KEY

pytestmark = pytest.mark.browser


@pytest.fixture
def lab(tmp_path):
    with jupyterlab(tmp_path) as server, chromium(tmp_path) as page:
        yield server, page
        shot = tmp_path / "last-screen.png"  # kept with pytest's temp folders, for a failed run
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot: {shot}")


def test_lesson_drill_answers_a_click_with_feedback_and_hides_code(lab):
    (base, token, _), page = lab
    open_and_run_all(page, base, token, "course/01-contracting.ipynb")
    drill = page.locator(".powercoach-drill")
    drill.wait_for(timeout=60_000)
    assert "Scene 1 of 14" in drill.inner_text()
    drill.get_by_role("button", name="Good").click()
    feedback = drill.locator("[role=status]")
    feedback.wait_for(timeout=10_000)
    text = feedback.inner_text()
    assert "Correct." in text or "Not quite." in text
    assert "The answer is" in text
    assert "Score so far: " in drill.inner_text() and "of 1 answered" in drill.inner_text()
    # Lessons show prose and widgets: no code editor is visible.
    assert page.locator(".jp-CodeCell .jp-InputArea-editor:visible").count() == 0
    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0


def test_an_exercise_answered_only_by_clicks_gets_full_marks_from_nbgrader(lab, tmp_path):
    (base, token, root), page = lab
    open_and_run_all(page, base, token, "exercises/01-contracting/01-contracting.ipynb")
    questions = page.locator(".powercoach-question")
    questions.nth(len(KEY) - 1).wait_for(timeout=60_000)
    assert questions.count() == len(KEY)
    for n, answer in enumerate(KEY.values()):
        q = questions.nth(n)
        q.scroll_into_view_if_needed()
        label = answer.capitalize() if answer in ("good", "poor") else None
        if label is None:
            from powercoach import catalog

            label = catalog.pitfalls()[answer].title
        q.get_by_role("radio", name=label, exact=True).check()
        q.get_by_text(f"Saved: {answer}").wait_for(timeout=10_000)
    save(page)
    folder = root / "exercises" / "01-contracting"
    assert (folder / "01-contracting.answers.json").exists()

    (tmp_path / "grading").mkdir()
    course = Course(tmp_path / "grading")
    course.nbgrader("generate_assignment", "01-contracting", "--force")
    nb = nbformat.read(folder / "01-contracting.ipynb", as_version=4)
    course.submit("learner", "01-contracting", nb,
                  (folder / "01-contracting.answers.json").read_text(encoding="utf-8"))
    course.nbgrader("autograde", "01-contracting", "--create", "--force")
    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}", course_id="powercoach") as gb:
        assert gb.find_submission("01-contracting", "learner").code_score == len(KEY)
