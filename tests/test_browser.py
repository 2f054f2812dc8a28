"""A learner's view: JupyterLab in headless Chromium, driven by clicks.

These tests fail (never skip) when Chromium is missing: make test installs it.
"""

from __future__ import annotations

import nbformat
import pytest
from browser import (
    check_wcag,
    chromium,
    jupyterlab,
    new_page,
    open_and_run_all,
    save,
    wait_until_run_all_is_done,
    your_turn_by_keyboard,
)
from conftest import REPO, Course
from nbgrader.api import Gradebook
from test_nbgrader_cycle import KEY, TOTAL

pytestmark = pytest.mark.browser


@pytest.fixture
def lab(tmp_path):
    with jupyterlab(tmp_path) as server, chromium(tmp_path) as browser:
        page = new_page(browser)
        yield server, page
        shot = tmp_path / "last-screen.png"  # kept with pytest's temp folders, for a failed run
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot: {shot}")


def test_lesson_drill_answers_a_click_with_feedback_and_hides_code(lab):
    (base, token, _), page = lab
    open_and_run_all(page, base, token, "course/01-contracting.ipynb")
    # Lesson 01 holds a good-or-poor drill, a pitfall drill and a best-and-worst picker. Wait for
    # the picker (the last cell) so Run All has stopped scrolling, then bring the first drill into
    # view. JupyterLab may skip drawing cells out of sight, so read text from the DOM.
    page.locator(".powercoach-bestworst").wait_for(timeout=60_000)
    drill = page.locator(".powercoach-drill").first
    drill.scroll_into_view_if_needed()
    drill.get_by_text("Scene 1 of 14").wait_for(timeout=10_000)
    assert "Scene 1 of 14" in drill.text_content()
    drill.get_by_role("button", name="Good").click()
    feedback = drill.locator("[role=status]")
    feedback.wait_for(timeout=10_000)
    text = feedback.text_content()
    assert "Correct." in text or "Not quite." in text
    assert "The answer is" in text
    assert "Score so far: " in drill.text_content() and "of 1 answered" in drill.text_content()
    # The keyboard alone works too: focus a button, press Enter or Space.
    drill.get_by_role("button", name="Next").focus()
    page.keyboard.press("Enter")
    drill.get_by_text("Scene 2 of 14").wait_for(timeout=10_000)
    drill.get_by_role("button", name="Poor").focus()
    page.keyboard.press("Space")
    drill.get_by_text("of 2 answered").wait_for(timeout=10_000)
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
        assert gb.find_submission("01-contracting", "learner").code_score == TOTAL


LESSONS = sorted(p.name for p in (REPO / "course").glob("*.ipynb"))


@pytest.fixture(scope="module")
def shared_lab(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lab")
    with jupyterlab(tmp) as server, chromium(tmp) as browser:
        yield server, browser, tmp


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_lesson_runs_in_jupyterlab_with_its_widgets_and_no_error(shared_lab, lesson):
    (base, token, _), browser, tmp = shared_lab
    page = new_page(browser)
    try:
        open_and_run_all(page, base, token, f"course/{lesson}")
        # as many as the notebook has: JupyterLab may attach a long notebook's cells to the page a few at a time
        n = sum(c.cell_type == "code" for c in nbformat.read(REPO / "course" / lesson, as_version=4).cells)
        assert n >= 1
        # Every code cell of a lesson shows a widget, and nothing shows an error.
        page.wait_for_function(
            """n => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell')]
                   .filter(c => c.querySelector('.jp-OutputArea-output .jupyter-widgets')).length === n""",
            arg=n, timeout=90_000)
        panel = page.locator(".jp-NotebookPanel:visible")
        assert panel.locator("[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
        assert panel.locator("[data-mime-type='application/vnd.jupyter.error']").count() == 0
        assert "Error displaying widget" not in panel.inner_text()
        assert panel.locator(".jp-CodeCell .jp-InputArea-editor:visible").count() == 0
        check_wcag(page, "jupyterlab", f"course/{lesson}", jupyterlab_page=True)  # WCAG 2.2 AA (axe-core)
    except Exception:
        page.screenshot(path=str(tmp / f"{lesson}.png"), full_page=True)
        print(f"screenshot: {tmp / (lesson + '.png')}")
        print(page.evaluate("""() => { const p = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
            return {autorun: p && p.dataset.powercoachAutorun, widgets: [...p.querySelectorAll('.jp-CodeCell')].map(
              c => !!c.querySelector('.jp-OutputArea-output .jupyter-widgets'))}; }"""))
        raise
    finally:
        page.close()


def test_a_best_and_worst_item_answers_clicks_with_feedback_on_every_option(shared_lab):
    (base, token, _), browser, _ = shared_lab
    page = new_page(browser)
    from powercoach import bank

    open_and_run_all(page, base, token, "course/02-role-clarity.ipynb")
    picker = page.locator(".jp-NotebookPanel:visible .powercoach-bestworst")
    picker.wait_for(timeout=60_000)
    picker.scroll_into_view_if_needed()
    first = next(s for s in bank.best_worst_sets().values()
                 if s["technique"] == "role-clarity" and s["use"] == "practice")
    shown = picker.text_content()  # from the DOM: nothing scrolls it into sight before it is drawn
    assert first["options"][0]["text"][:40] in shown
    best_box, worst_box = picker.locator(".widget-radio-box").nth(0), picker.locator(".widget-radio-box").nth(1)
    best_box.get_by_role("radio", name=first["best"], exact=True).check()
    worst_box.get_by_role("radio", name=first["worst"], exact=True).check()
    picker.get_by_role("button", name="Check").click()
    feedback = picker.locator("[role=status]")
    feedback.wait_for(timeout=10_000)
    assert "Both picks right" in feedback.inner_text() and "2 of 2 points" in feedback.inner_text()
    assert feedback.locator("li").count() == 4


def test_your_turn_reads_a_typed_reply_by_keyboard_alone(shared_lab):
    """Lesson 01's Your turn: type a reply in the labelled box, Tab to Read my reply, press Enter;
    the observations (the learner's text shown as text) and two good replies appear."""
    (base, token, _), browser, tmp = shared_lab
    page = new_page(browser)
    try:
        open_and_run_all(page, base, token, "course/01-contracting.ipynb")
        page.locator(".jp-NotebookPanel:visible .powercoach-yourturn").wait_for(timeout=60_000)
        wait_until_run_all_is_done(page)
        your_turn_by_keyboard(page, page.locator(".jp-NotebookPanel:visible .powercoach-yourturn"))
    except Exception:
        page.screenshot(path=str(tmp / "your-turn.png"), full_page=True)
        print(f"screenshot: {tmp / 'your-turn.png'}")
        raise
    finally:
        page.close()
