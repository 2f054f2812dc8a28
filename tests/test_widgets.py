"""Widgets driven through their Python API, as a click would drive them."""

from html import unescape

from powercoach import answers, bank
from powercoach.exercise import Exercise
from powercoach.widgets import ClassifyDrill


def test_classify_drill_gives_feedback_keeps_score_and_retries_missed():
    drill = ClassifyDrill("contracting")
    n = len(drill.state.questions)
    assert n == len(bank.items("contracting", "practice"))
    assert "Scene 1 of" in drill.title.value and drill.feedback.value == ""
    wrong = []
    for i in range(n):
        row = bank.item(drill.state.current.item_id)
        right = row["label"]
        pick = right if i % 3 else ("poor" if right == "good" else "good")
        (drill.good if pick == "good" else drill.poor).click()
        if pick == right:
            assert "Correct." in drill.feedback.value
        else:
            wrong.append(row["item_id"])
            assert "Not quite." in drill.feedback.value
        assert f"The answer is {right}." in drill.feedback.value
        assert row["rationale"] in unescape(drill.feedback.value)
        drill.next.click()
    assert drill.state.score == n - len(wrong)
    assert f"Score so far: {n - len(wrong)} of {n}" in drill.score.value
    assert drill.retry.layout.display == ""
    drill.retry.click()
    assert [q.item_id for q in drill.state.questions] == wrong
    assert drill.retry.layout.display == "none"


def test_the_order_is_shuffled_by_seed():
    a = [q.item_id for q in ClassifyDrill("contracting", seed=1).state.questions]
    b = [q.item_id for q in ClassifyDrill("contracting", seed=1).state.questions]
    c = [q.item_id for q in ClassifyDrill("contracting", seed=2).state.questions]
    assert a == b and a != c and sorted(a) == sorted(c)


def test_previous_and_next_keep_answers():
    drill = ClassifyDrill("contracting")
    drill.good.click()
    first = drill.feedback.value
    drill.next.click()
    assert drill.feedback.value == ""
    drill.prev.click()
    assert drill.feedback.value == first and drill.prev.disabled


def test_exercise_questions_save_each_click_beside_the_notebook(tmp_path):
    ids = list(bank.items("contracting", "assessment").index)
    poor = [i for i in ids if bank.item(i)["label"] == "poor"]
    ex = Exercise("01-contracting", classify=ids[:2], diagnose=poor[:1], folder=tmp_path)
    q1 = ex.show("Q1")
    q1.radio.value = "poor"
    assert "Saved: <b>poor</b>" in q1.status.value
    ex.show("Q3").radio.value = "flattery"
    assert answers.load("01-contracting", tmp_path)[0] == {"Q1": "poor", "Q3": "flattery"}
    assert ex.saved_answers() == {"Q1": "poor", "Q3": "flattery"}
    assert ex.show("Q1").radio.value == "poor"  # reopened notebook shows the saved choice
    q1.radio.value = None
    assert ex.saved_answers() == {"Q3": "flattery"}


def test_format_check_lists_what_to_fix(tmp_path, capsys):
    ids = list(bank.items("contracting", "assessment").index)[:2]
    ex = Exercise("01-contracting", classify=ids, folder=tmp_path)
    assert not ex.check_format({"Q1": "good"})
    assert "Q2: not answered yet." in capsys.readouterr().out
    assert ex.check_format({"Q1": "good", "Q2": "Poor"})
