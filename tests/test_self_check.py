"""Self-check for a learner studying alone: the grader's marks where the key is at hand, and
nothing of the key where it is not."""

from __future__ import annotations

import json

from conftest import KEY, REPO

from powercoach import answers, bank
from powercoach.exercise import Exercise
from powercoach.progress import Progress
from powercoach.widgets import SelfCheck


def exercise(folder) -> Exercise:
    ids = bank.item_ids("contracting", "assessment")
    poor = [i for i in ids if KEY.item(i)["label"] == "poor"]
    return Exercise("01-contracting", classify=ids[:4], diagnose=poor[:1], folder=folder)


def secrets() -> list[str]:
    rows = [r for r in KEY.rows() if r["use"] == "assessment"]
    return [t[:50] for r in rows for t in (r["rationale"], r["better_response"]) if t]


def test_self_check_marks_clicks_and_typed_lines_as_the_grader_does_and_records_it(tmp_path):
    ex = exercise(tmp_path)
    right = {q.qid: KEY.item(q.item_id)["label" if q.kind == "classify" else "pitfall"] for q in ex.questions}
    answers.save("01-contracting", {"Q1": right["Q1"], "Q2": "maybe", "Q3": right["Q3"]}, tmp_path)
    wrong_q3 = "poor" if right["Q3"] == "good" else "good"
    typed = "\n".join(["answers = ex.saved_answers()", f'answers["Q3"] = "{wrong_q3}"',
                       f'answers["Q5"] = "{right["Q5"]}"', f'answers.update(Q4="{right["Q4"]}")'])
    marks = ex.marks(KEY, source=typed)
    # Q3 typed over its click; Q4's update() does not count; Q5, a pitfall, counts 2 as grading counts it
    assert [m.points for m in marks] == [1, 0, 0, 0, 2]
    progress = Progress(tmp_path / "progress.json")
    check = SelfCheck(ex, KEY, progress)
    check.exercise.marks = lambda key: marks
    assert check.check() == 3
    assert "3 of 6 points" in check.result.value and "2 of 5 questions right" in check.result.value
    assert "the answer is" in check.result.value
    assert progress.data["activities"]["01/self-check"]["score"] == 3


def test_without_the_key_nothing_of_the_answers_is_shown_or_held(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("POWERCOACH_KEY", raising=False)
    ex = exercise(tmp_path)
    views = [ex.show(q.qid) for q in ex.questions] + [ex.self_check()]
    assert "Your instructor grades this exercise" in views[-1].children[0].value

    def every(widget):
        yield widget
        for child in getattr(widget, "children", ()):
            yield from every(child)

    states = json.dumps([w.get_state() for v in views for w in every(v)], default=str)
    leaked = [s for s in secrets() if s in states]
    assert leaked == [] and "the answer is" not in states and "Check my answers" not in states


def test_every_exercise_offers_the_self_check():
    import nbformat

    for path in sorted((REPO / "exercises").glob("*/*.ipynb")):
        sources = [c.source for c in nbformat.read(path, as_version=4).cells]
        assert "ex.self_check()" in sources, path.name
