"""The start page's widgets: session note, download and restore buttons, study times."""

from __future__ import annotations

import base64
import json
import re

import nbformat

from powercoach import answers as answers_file
from powercoach import studytime
from powercoach.progress import Progress
from powercoach.widgets import StartPage


def course(root):
    for ex in ("01-contracting", "02-role-clarity"):
        (root / "exercises" / ex).mkdir(parents=True)
    (root / "course").mkdir()
    return root


def downloaded(page) -> dict:
    page.prepare.click()
    html = page.link.value
    assert "download='powercoach-progress-" in html
    uri = re.search(r"href='(data:[^']+)'", html).group(1)
    assert uri.startswith("data:application/json;base64,")
    return json.loads(base64.b64decode(uri.split(",", 1)[1]))


def upload(page, content: bytes, name="progress.json"):
    """What the browser sends when a file is picked, through the widget's own deserialiser."""
    page.upload.set_state({"value": [{"name": name, "type": "application/json", "size": len(content),
                                      "content": memoryview(content), "last_modified": 1_760_000_000_000}]})


def test_download_button_then_restore_button_carries_the_work_to_another_home(tmp_path):
    home = course(tmp_path / "home")
    progress = Progress(home / "progress.json")
    progress.record(1, "classify", 11, 14)
    answers_file.save("01-contracting", {"Q1": "good"}, home / "exercises/01-contracting")
    data = downloaded(StartPage(progress, home, environ={}))
    assert data["activities"]["01/classify"]["score"] == 11
    assert data["answers"]["01-contracting"]["Q1"]["value"] == "good"

    other = course(tmp_path / "binder")
    page = StartPage(Progress(other / "progress.json"), other, environ={})
    assert "not started" in page.view.children[1].children[1].value
    upload(page, json.dumps(data).encode())
    assert "Restored: 1 drill scores" in page.message.value and "&#10003;" in page.message.value
    assert page.view.children[1].children[0].value == 11  # the bar moved without reopening the page
    assert "11 of 14 points" in page.view.children[1].children[1].value
    assert answers_file.load("01-contracting", other / "exercises/01-contracting")[0] == {"Q1": "good"}


def test_a_bad_file_gets_a_message_and_nothing_changes(tmp_path):
    home = course(tmp_path)
    progress = Progress(home / "progress.json")
    progress.record(1, "classify", 3, 14)
    page = StartPage(progress, home, environ={})
    upload(page, b'{"cells": []}', "lesson.ipynb")
    assert "lesson.ipynb: Not restored: this is not a powercoach progress file" in page.message.value
    assert "Nothing here was changed" in page.message.value and "&#10007;" in page.message.value
    assert Progress(home / "progress.json").by_module() == {1: (3, 14)}
    page.message.value = ""
    upload(page, b'{"cells": []}', "lesson.ipynb")  # the same file once more is read again
    assert "Not restored" in page.message.value


def test_the_session_note_says_plainly_what_binder_and_the_browser_keep(tmp_path):
    home = course(tmp_path)
    binder = StartPage(Progress(home / "p.json"), home, environ={"BINDER_LAUNCH_HOST": "https://mybinder.org/"})
    text = binder.session.value
    assert "temporary Binder session" in text and "10 minutes" in text and "keeps nothing" in text
    assert "Prepare my progress" in text and "Restore a progress file" in text
    local = StartPage(Progress(home / "p.json"), home, environ={})
    assert "temporary" not in local.session.value and str(home / "p.json") in local.session.value


def test_study_times_are_shown_for_each_module_and_the_course_with_the_method(tmp_path):
    from conftest import REPO

    page = StartPage(Progress(tmp_path / "p.json"), REPO / "course", environ={})
    table = page.children[-1].value
    assert "The whole course" in table and "words a minute" in table
    assert "<td>13</td><td>Capstone" in table and "<td>0</td><td>Power, rank" in table  # named from the lessons
    body = table.split("<tbody>")[1].split("</tbody>")[0]
    assert body.count("<tr>") == len(list((REPO / "course").glob("[0-9][0-9]-*.ipynb")))


def test_the_estimate_counts_words_and_prices_items_as_stated(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(" ".join(["word"] * (studytime.WORDS_PER_MINUTE * 2))),
        nbformat.v4.new_code_cell('from powercoach.widgets import ClassifyDrill\n'
                                  'ClassifyDrill(items=["a", "b", "c", "d"])'),
        nbformat.v4.new_code_cell('ex.show("Q1")\nex.show("Q2")'),
        nbformat.v4.new_code_cell('RolePlayPlayer("rp-x")'),
    ]
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    est = studytime.notebook(path)
    assert est.words == studytime.WORDS_PER_MINUTE * 2
    assert est.items == {"drill scene": 4, "exercise question": 2, "role-play": 1}
    s = studytime.SECONDS
    assert est.minutes == 2 + (4 * s["drill scene"] + 2 * s["exercise question"] + s["role-play"]) / 60
    assert [studytime.describe(m) for m in (0, 4, 5.1, 61, 120)] == ["5 min", "5 min", "10 min", "1 h 5 min", "2 h"]


def test_the_drill_count_matches_what_the_lesson_widget_shows():
    from conftest import REPO

    from powercoach.widgets import ClassifyDrill, PitfallDrill

    est = studytime.notebook(REPO / "course/01-contracting.ipynb")  # a good-or-poor and a pitfall drill
    shown = len(ClassifyDrill("contracting").state.questions) + len(PitfallDrill("contracting").state.questions)
    assert est.items["drill scene"] == shown
