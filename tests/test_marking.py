"""Marking rules shared by drills, the grader, self-checks and reports."""

import pytest
from conftest import KEY

from powercoach import bank, key, marking
from powercoach.marking import Question


def _items(label):
    return [r["item_id"] for r in KEY.rows()
            if r["technique"] == "contracting" and r["use"] == "assessment" and r["label"] == label]


GOOD, POOR = _items("good")[0], _items("poor")[0]


@pytest.mark.parametrize("raw, expected", [
    ("good", "good"), ("  Poor ", "poor"), ("POOR", "poor"),
])
def test_classify_answers_are_forgiving_about_case_and_spaces(raw, expected):
    assert marking.normalise("classify", raw) == (expected, None)


@pytest.mark.parametrize("raw", ["Boundary breach", "boundary_breach", "Boundary-Breach"])
def test_pitfall_titles_are_accepted(raw):
    assert marking.normalise("diagnose", raw) == ("boundary-breach", None)


@pytest.mark.parametrize("raw, problem", [
    (None, "not answered yet"), ("", "not answered yet"), ("maybe", "'maybe' is not one of"),
    (1, "must be a word in quotes"), (["good"], "not list"),
])
def test_malformed_answers_say_what_is_wrong(raw, problem):
    answer, message = marking.normalise("classify", raw)
    assert answer is None and problem in message


class EqualsEverything(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


def test_a_str_subclass_that_equals_everything_earns_nothing():
    q = Question("Q1", "classify", GOOD)
    result = marking.mark_question(q, {"Q1": EqualsEverything("good")}, KEY)
    assert result.points == 0 and "must be a word" in result.message


def test_a_dict_subclass_earns_nothing():
    class Sneaky(dict):
        def get(self, *a):
            return "good"

    assert marking.mark_question(Question("Q1", "classify", GOOD), Sneaky(), KEY).points == 0


def test_mark_prints_the_right_answer_and_why(capsys):
    assert marking.mark({"Q1": "good"}, "Q1", POOR) == 0.0
    out = capsys.readouterr().out
    assert "you answered good; the answer is poor" in out
    assert KEY.item(POOR)["rationale"][:40] in out and "A better response" in out
    assert marking.mark({"Q1": "poor"}, "Q1", POOR) == 1.0


def test_diagnose_checks_the_pitfall():
    pitfall = KEY.item(POOR)["pitfall"]
    q = Question("Q2", "diagnose", POOR)
    assert marking.mark_question(q, {"Q2": pitfall}, KEY).points == 1
    other = next(p for p in marking.choices("diagnose") if p != pitfall)
    assert marking.mark_question(q, {"Q2": other}, KEY).points == 0
    with pytest.raises(ValueError, match="only poor items can be diagnosed"):
        marking.expected(Question("Q3", "diagnose", GOOD), KEY)


def test_answers_that_are_not_a_dict_get_zero_and_a_message():
    result = marking.mark_question(Question("Q1", "classify", GOOD), ["good"], KEY)
    assert result.points == 0 and "must be a dict" in result.message


def test_format_problems_list_missing_malformed_and_unknown():
    qs = [Question("Q1", "classify", GOOD), Question("Q2", "classify", POOR),
          Question("Q3", "diagnose", POOR)]
    problems = marking.format_problems(qs, {"Q1": "good", "Q2": "meh", "Q9": "good"})
    assert problems == [
        "Q2: 'meh' is not one of: good, poor.",
        "Q3: not answered yet.",
        "Not questions in this exercise (ignored): Q9.",
    ]
    assert marking.format_problems(qs, {"Q1": "good", "Q2": "poor", "Q3": "flattery"}) == []


def test_the_package_alone_cannot_mark_an_assessment_item_and_says_why():
    with pytest.raises(key.KeyMissing, match=r"only in the self-study key \(key/\)"):
        marking.mark_question(Question("Q1", "classify", GOOD), {"Q1": "good"})
    assert bank.item(GOOD)["label"] == "" and bank.item(POOR)["rationale"] == ""


def test_mark_refuses_to_mark_in_a_kernel_during_autograde(monkeypatch, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert marking.mark({"Q1": "poor"}, "Q1", POOR) == 0.0
    assert "MarkAnswers" in capsys.readouterr().out
