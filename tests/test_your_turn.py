"""Your turn and Check my draft (issue #16), driven as a learner would: type, press, read.

The reader itself is tested on its own; here the faces: a practice scene (never an assessment
item), the reader's observations with their words marked and the learner's text escaped, the
limits stated once, two good replies, a self-rating kept with the attempt, and a draft check
that reads the saved notebook and writes nothing grading reads.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from html import escape, unescape

import nbformat
import pytest
from conftest import REPO

from powercoach import bank, catalog, reader, your_turn
from powercoach.errors import DataError
from powercoach.exercise import Exercise, reply_part, saved_draft
from powercoach.progress import Progress
from powercoach.widgets import DraftCheck, YourTurn

REPLY = 'You should just start & see, "fees <b outcomes". What would make these hours worthwhile for you?'
MARKUP = "<script>alert('x')</script> You should just start. What would make these hours worthwhile for you?"
LESSONS = sorted((REPO / "course").glob("[0-9][0-9]-*.ipynb"))
EXERCISES = sorted((REPO / "solutions").glob("*/*.ipynb")) + sorted((REPO / "exercises").glob("*/*.ipynb"))


def html_of(widget) -> str:
    """Every HTML value shown inside a widget, in order."""
    out = []
    for child in getattr(widget, "children", ()):
        out.append(getattr(child, "value", "") if type(getattr(child, "value", None)) is str else "")
        out.append(html_of(child))
    return "".join(out)


def test_your_turn_reads_the_reply_marks_its_words_and_escapes_the_learners_text(tmp_path):
    progress = Progress(tmp_path / "progress.json")
    w = YourTurn("contracting", progress=progress)
    row = bank.item(w.item_id)
    assert row["use"] == "practice" and row["technique"] == "contracting"
    assert escape(row["client_says"]) in w.scene.value and escape(row["coach_says"]) not in w.scene.value
    assert w.reply.description == "What would you say?" and w.read.description == "Read my reply"
    assert w.models.value == "" and w.rating_box.layout.display == "none"  # nothing before trying

    w.reply.value = REPLY
    w.read.click()
    shown = w.reading.value
    assert "<b outcomes" not in shown and "&amp; see, &quot;fees &lt;b outcomes&quot;" in shown  # shown as text
    assert "role='status'" in shown and "aria-live='polite'" in shown
    expected = reader.read(REPLY, technique="contracting", client_says=row["client_says"], context=row["context"])
    assert expected.observations  # at least its open question; which pitfalls it suspects is the reader's business
    assert reader.highlight_html(REPLY, expected.observations) in shown and "<mark>" in shown
    for o in expected.observations:  # each named in words, with its message, never colour alone
        label = "Possible pitfall" if o.kind == "pitfall" else "Strength"
        assert f"{label}: {escape(o.title)}" in shown and escape(o.message) in shown
    everything = html_of(w)
    assert everything.count(escape(reader.ABOUT)) == 1  # the limits, stated once

    models = w.models.value
    good = row["coach_says"] if row["label"] == "good" else row["better_response"]
    assert escape(good) in models and models.count("<li") == 2
    other = re.findall(r"<b>&ldquo;(.*?)&rdquo;</b>", models)[1]
    assert any(unescape(other) == bank.item(i)["coach_says"]
               for i in bank.item_ids("contracting", "practice", "good"))

    [attempt] = Progress(tmp_path / "progress.json").attempts()
    assert attempt["scene"] == w.item_id and attempt["reply"] == REPLY
    assert attempt["pitfalls"] == expected.pitfalls and attempt["strengths"] == expected.strengths
    assert attempt["rating"] == {} and attempt["saved"] and attempt["stamp"] > 0

    assert w.rating_box.layout.display == "" and len(w.ratings) == 3
    criteria = your_turn.rubric("contracting")
    assert all(escape(c) in html_of(w.rating_box) for c in criteria)
    assert [r.description for r in w.ratings] == ["Criterion 1", "Criterion 2", "Criterion 3"]
    assert list(w.ratings[0].options) == your_turn.ratings() == ["not yet", "partly", "yes"]
    w.ratings[0].value = "partly"
    w.ratings[2].value = "yes"
    assert "Saved your rating" in w.saved.value and "role='status'" in w.saved.value
    assert Progress(tmp_path / "progress.json").attempts()[0]["rating"] == {"1": "partly", "3": "yes"}


def test_each_observation_is_named_in_words_with_its_words_marked_in_the_escaped_reply():
    from powercoach.widgets.reading import reading_html

    reply = 'Fees & "targets" <b first: you should ask Kamau. What would you want?'
    start = reply.index("you should")
    question = reply.index("What")
    observations = [
        reader.Observation("pitfall", "advice-giving", "Advice-giving", "'you should' <reads> as advice",
                           ("you should",), ((start, start + 10),)),
        reader.Observation("strength", "open-question", "An open question", "It opens a door",
                           ("What would you want?",), ((question, len(reply)),))]
    shown = reading_html(reply, reader.Reading(observations=observations))
    assert "<b first" not in shown and "&lt;b first" in shown and "&amp;" in shown
    assert "<reads>" not in shown and "&lt;reads&gt;" in shown
    assert "Possible pitfall: Advice-giving</b> <code>[advice-giving]</code>" in shown
    assert "Strength: An open question</b> <code>[open-question]</code>" in shown
    assert "1 possible pitfall, 1 strength." in shown
    assert shown.index("Possible pitfall") < shown.index("Strength: An")  # pitfalls first
    assert "<mark>you should</mark>" in shown and "role='status'" in shown
    nothing = reading_html("Thank you.", reader.Reading(observations=[]))
    assert "noticed no pitfall and no strength" in nothing and "not a verdict" in nothing


def test_a_reply_in_markup_is_shown_as_text_with_the_readers_notice(tmp_path):
    progress = Progress(tmp_path / "progress.json")
    w = YourTurn("contracting", progress=progress)
    w.reply.value = MARKUP
    w.read.click()
    notice = reader.read(MARKUP, technique="contracting").notice
    assert notice and escape(notice) in w.reading.value and "role='status'" in w.reading.value
    assert "<script>" not in w.reading.value and escape(MARKUP) in w.reading.value
    assert progress.attempts() == [] and w.reply.value == MARKUP  # nothing kept, nothing lost


def test_the_progress_view_counts_the_replies_written(tmp_path):
    from powercoach.widgets import ProgressView

    progress = Progress(tmp_path / "progress.json")
    assert "no replies written yet" in html_of(ProgressView(progress))
    w = YourTurn("safe-space", progress=progress)
    for reply in ("What would you like to happen with what you've told me?", "That stays between us."):
        w.reply.value = reply
        w.read.click()
    assert "2 replies written" in html_of(ProgressView(Progress(tmp_path / "progress.json")))


def test_an_empty_reply_gets_a_plain_notice_and_nothing_is_kept(tmp_path):
    progress = Progress(tmp_path / "progress.json")
    w = YourTurn("boundaries", progress=progress)
    w.reply.value = "   "
    w.read.click()
    assert "role='status'" in w.reading.value and reader.read("   ").notice
    assert escape(reader.read("   ").notice) in w.reading.value
    assert progress.attempts() == [] and w.models.value == "" and w.rating_box.layout.display == "none"


def test_another_scene_moves_on_and_keeps_the_earlier_reply(tmp_path):
    progress = Progress(tmp_path / "progress.json")
    w = YourTurn("naming-power", progress=progress)
    first = w.item_id
    w.reply.value = "I notice you've asked about my other clients three times. What's that about for you?"
    w.read.click()
    w.another.click()
    assert w.item_id != first and w.reply.value == "" and w.reading.value == "" and w.models.value == ""
    assert escape(bank.item(w.item_id)["client_says"]) in w.scene.value
    assert [a["scene"] for a in progress.attempts()] == [first]
    assert sorted(YourTurn("naming-power", progress=progress).scenes) == sorted(
        bank.item_ids("naming-power", "practice"))


def test_the_capstones_your_turn_draws_practice_scenes_from_every_technique():
    w = YourTurn()
    assert {bank.item(i)["technique"] for i in w.scenes} == set(catalog.techniques())
    assert all(bank.item(i)["use"] == "practice" for i in w.scenes)
    assert "(module " in w.title.value


def test_an_assessment_scene_is_never_offered_for_practice():
    assessment = bank.item_ids("contracting", "assessment")[0]
    with pytest.raises(DataError, match="assessment item"):
        your_turn.scene(assessment)
    with pytest.raises(DataError):
        your_turn.model_replies(assessment)


def test_every_technique_has_a_three_criterion_rubric_in_the_data_file():
    data = json.loads((REPO / "src/powercoach/data/your_turn.json").read_text(encoding="utf-8"))
    assert set(data["rubrics"]) == set(catalog.techniques())
    assert all(len(your_turn.rubric(t)) == 3 for t in catalog.techniques())


# --- Check my draft ---------------------------------------------------------------------------

def exercise_copy(tmp_path, name="01-contracting"):
    folder = tmp_path / name
    shutil.copytree(REPO / "exercises" / name, folder)
    return folder


def write_reflection(folder, name, text):
    path = folder / f"{name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "reflection").source = text
    nbformat.write(nb, path)


def test_check_my_draft_reads_the_saved_answer_and_says_save_first_when_there_is_none(tmp_path):
    folder = exercise_copy(tmp_path)
    ex = Exercise("01-contracting", folder=folder)
    w = ex.check_draft("contracting-a06")
    assert isinstance(w, DraftCheck) and w.button.description == "Check my draft"
    assert w.check() is None
    assert "YOUR ANSWER HERE" in w.result.value and "Ctrl+S" in w.result.value and "role='status'" in w.result.value

    draft = ('"You should keep the hours open, it\'s your time. What would make them worth it for you?"\n\n'
             "Why: it asks for her own outcome instead of accepting that none is needed.")
    write_reflection(folder, "01-contracting", draft)
    read = w.check()
    assert read == "You should keep the hours open, it's your time. What would make them worth it for you?"
    row = bank.item("contracting-a06")
    expected = reader.read(read, technique="contracting", client_says=row["client_says"], context=row["context"])
    assert reader.highlight_html(read, expected.observations) in w.result.value
    assert "Why: it asks" not in unescape(w.result.value)  # the explanation is not read as the reply
    assert "as saved at" in w.result.value and "same as last time" not in w.result.value
    shown = [unescape(t) for t in re.findall(r"<b>&ldquo;(.*?)&rdquo;</b>", w.models.value)]
    practice = {bank.item(i)["coach_says"] for i in bank.item_ids("contracting", "practice", "good")}
    assert len(shown) == 2 and set(shown) <= practice  # good replies from practice scenes, nothing from key/
    w.check()
    assert "same as last time" in w.result.value  # unchanged since: save first if you edited
    assert html_of(w).count(escape(reader.ABOUT)) == 1


def test_a_pasted_draft_is_read_as_text(tmp_path):
    w = DraftCheck("01-contracting", "contracting-a06", tmp_path)  # no notebook here at all
    assert w.check() is None and "no saved 01-contracting.ipynb" in w.result.value
    w.paste.value = MARKUP
    assert w.check() == MARKUP.strip()
    assert "<script>" not in w.result.value and escape(MARKUP) in w.result.value
    assert "the draft you pasted" in w.result.value


def test_the_boxes_a_button_reads_send_their_text_on_leaving_not_per_keystroke(tmp_path):
    """Sent per keystroke, ipywidgets holds back the last keystrokes while the kernel is busy, and the
    button's click (its own message) can overtake them: a full CI run once read a reply without the
    typed text. Sent once on leaving the box (as Tab or a click on the button does), it arrives first."""
    turn = YourTurn("contracting", progress=Progress(tmp_path / "progress.json"))
    assert turn.reply.continuous_update is False
    assert DraftCheck("01-contracting", "contracting-a06", tmp_path).paste.continuous_update is False


def test_check_my_draft_writes_nothing_and_reads_no_key(tmp_path, monkeypatch):
    from powercoach import key

    def no_key(*_args, **_kwargs):
        raise AssertionError("Check my draft must not read the key")

    monkeypatch.setattr(key, "find", no_key)
    monkeypatch.setattr(key, "load", no_key)
    folder = exercise_copy(tmp_path)
    (folder / "01-contracting.answers.json").write_text('{"exercise": "01-contracting", "version": 1, '
                                                        '"answers": {"Q1": "good"}}', encoding="utf-8")
    write_reflection(folder, "01-contracting", '"What would make these hours worth it for you, whatever Kamau hopes?"')
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    w = Exercise("01-contracting", folder=folder).check_draft("contracting-a06")
    assert w.check()
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()} == before


@pytest.mark.parametrize("text, expected", [
    ('"I won\'t make that call for you. What would have to be true?"\n\nWhy: hands it back.',
     "I won't make that call for you. What would have to be true?"),
    ("What would success look like for you?\n\nWhy: it asks for an outcome.", "What would success look like for you?"),
    ("What would success look like?\n**Why:** it asks.", "What would success look like?"),
    ("Just the reply, no explanation.", "Just the reply, no explanation."),
    ("The moment: the founder.\n\nWhat I would say now: \u201cI won't make that call for you, and you'd trust me "
     "less if I did.\u201d\n\nTechnique: role clarity.",
     "I won't make that call for you, and you'd trust me less if I did."),
])
def test_the_reply_is_taken_from_a_reflection_without_its_explanation(text, expected):
    assert reply_part(text) == expected


def test_a_damaged_or_missing_notebook_gets_a_plain_message(tmp_path):
    (tmp_path / "01-contracting.ipynb").write_text("{not json", encoding="utf-8")
    assert "could not be read" in saved_draft("01-contracting", tmp_path).problem
    (tmp_path / "01-contracting.ipynb").write_text(json.dumps({"cells": [{"cell_type": "markdown"}]}))
    assert "no reflection answer cell" in saved_draft("01-contracting", tmp_path).problem


# --- where they appear ------------------------------------------------------------------------

@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lessons_01_to_12_end_their_practice_with_your_turn(path):
    module = int(path.name[:2])
    cells = nbformat.read(path, as_version=4).cells
    calls = [i for i, c in enumerate(cells) if c.cell_type == "code" and "YourTurn(" in c.source]
    if module == 0:
        assert calls == []  # the orientation introduces it in prose only
        assert "Your turn" in "".join(c.source for c in cells)
        return
    assert len(calls) == 1, path.name
    at = calls[0]
    cell = cells[at]
    assert cell.metadata["jupyter"]["source_hidden"] is True
    if module <= 12:
        assert f'YourTurn("{path.stem[3:]}")' in cell.source
        drills = [i for i, c in enumerate(cells) if c.cell_type == "code" and re.search(r"Drill\(|Picker\(", c.source)]
        assert drills and at > max(drills), "Your turn comes after the drills"
        assert cells[at + 1].source.startswith("## Self-check")
    else:
        assert "YourTurn()" in cell.source
    assert cells[at - 1].source.startswith("## Your turn")


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_every_exercise_has_a_locked_check_my_draft_cell_after_its_written_answer(path):
    cells = nbformat.read(path, as_version=4).cells
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in cells]
    at = ids.index("check-draft")
    assert ids[at - 1] == "reflection" and ids.count("check-draft") == 1
    cell = cells[at]
    meta = cell.metadata["nbgrader"]
    assert (cell.cell_type, meta["grade"], meta["solution"], meta["locked"], meta["schema_version"]) == (
        "code", False, False, True, 3)
    if "reflection-scene" in ids:
        scene = re.search(r'ex\.scene\("([^"]+)"\)', cells[ids.index("reflection-scene")].source).group(1)
        assert cell.source == f'ex.check_draft("{scene}")'
    else:
        assert cell.source == "ex.check_draft()"


@pytest.mark.slow
def test_pressing_check_my_draft_changes_nothing_grading_reads(course, tmp_path):
    """Two learners hand in the same clicks and the same written answer; one ran Check my draft
    (the cell, and its button) in a real kernel before submitting. nbgrader grades both the same,
    and running it left the answers file and the answer cells as they were."""
    from nbclient import NotebookClient
    from test_nbgrader_cycle import KEY, answers_file

    a = "01-contracting"
    course.nbgrader("generate_assignment", a, "--force")
    folder = exercise_copy(tmp_path, a)
    (folder / f"{a}.answers.json").write_text(answers_file(dict(list(KEY.items())[:7])), encoding="utf-8")
    write_reflection(folder, a, '"Nothing needs a target, and it is still your time. What would make it worth it?"')
    plain = nbformat.read(folder / f"{a}.ipynb", as_version=4)
    answers_before = (folder / f"{a}.answers.json").read_bytes()
    files_before = sorted(p.name for p in folder.iterdir())

    ran = nbformat.read(folder / f"{a}.ipynb", as_version=4)
    cell = next(c for c in ran.cells if c.metadata["nbgrader"]["grade_id"] == "check-draft")
    source = cell.source
    cell.source = f"_w = {source}\n_w.check()"  # run the cell and press its button
    NotebookClient(ran, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    assert "What would make it worth it?" in json.dumps(cell.outputs)  # the reader read the saved draft
    cell.source = source
    assert (folder / f"{a}.answers.json").read_bytes() == answers_before
    assert sorted(p.name for p in folder.iterdir()) == files_before  # nothing new beside the notebook
    graded_cells = {c.metadata["nbgrader"]["grade_id"]: c.source for c in ran.cells
                    if c.metadata["nbgrader"].get("solution") or c.metadata["nbgrader"].get("grade")}
    assert graded_cells == {c.metadata["nbgrader"]["grade_id"]: c.source for c in plain.cells
                            if c.metadata["nbgrader"].get("solution") or c.metadata["nbgrader"].get("grade")}

    course.submit("did_not_check", a, plain, answers_before.decode())
    course.submit("checked_draft", a, ran, answers_before.decode())
    course.nbgrader("autograde", a, "--create", "--force")
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}", course_id="powercoach") as gb:
        scores = {s: (gb.find_submission(a, s).code_score, gb.find_submission(a, s).max_score)
                  for s in ("did_not_check", "checked_draft")}
    assert scores["did_not_check"] == scores["checked_draft"] and scores["did_not_check"][0] == 7


def test_the_widgets_package_imports_the_reader_only_when_a_widget_needs_it(tmp_path):
    code = ("import sys, os\nos.environ['POWERCOACH_PROGRESS'] = os.path.join(sys.argv[1], 'p.json')\n"
            "import powercoach.widgets\nprint('powercoach.reader' in sys.modules)\n"
            "powercoach.widgets.ClassifyDrill('contracting')\nprint('powercoach.reader' in sys.modules)\n"
            "powercoach.widgets.YourTurn('contracting')\nprint('powercoach.reader' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "True"]
