"""Marking: answer normalising and scoring, the same rules for drills, graders and reports.

Pure functions over plain values and a :class:`~powercoach.key.Key`: the drills mark practice
items against the package (``key.PRACTICE``); the instructor's grader
(``powercoach.instructor.preprocessors.MarkAnswers``) marks an exercise's answers, read as data,
against the instructor's key; a self-learner's check uses the key where the course folder has it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from . import bank, catalog
from . import key as keys
from .draws import relabel
from .key import Key
from .papers import Question

KINDS = ("classify", "diagnose", "technique", "best", "worst")
#: what a right answer earns in a graded exercise. A pitfall is one of twelve, so a guess finds it one time
#: in twelve against one in two for good-or-poor: it counts double, and random clicking earns less. Every
#: marking cell of solutions/ states the same points (tests/test_pass_standard.py holds them to it).
POINTS = {"classify": 1, "diagnose": 2, "technique": 1, "best": 1, "worst": 1}
OPTION_KEYS = bank.OPTION_KEYS


@dataclass(frozen=True)
class Mark:
    points: float
    answer: str | None
    expected: str
    message: str
    why: str = ""


def choices(kind: str) -> tuple[str, ...]:
    if kind == "classify":
        return bank.LABELS
    if kind == "diagnose":
        return tuple(catalog.pitfalls())
    if kind == "technique":
        return tuple(catalog.techniques())
    if kind in ("best", "worst"):
        return OPTION_KEYS
    raise ValueError(f"Unknown question kind '{kind}'; use one of {', '.join(KINDS)}.")


def normalise(kind: str, value) -> tuple[str | None, str | None]:
    """(answer, problem): the canonical answer, or None and what is wrong with the value.

    Only a plain ``str`` counts (a subclass could claim to equal every answer); case, spaces
    and a pitfall's title form ("Boundary breach") are forgiven.
    """
    if value is None or (type(value) is str and not value.strip()):
        return None, "not answered yet"
    if type(value) is not str:
        return None, f"the answer must be a word in quotes, like \"{choices(kind)[0]}\", not {type(value).__name__}"
    word = "-".join(value.strip().lower().replace("_", " ").replace("-", " ").split())
    if kind in ("best", "worst"):
        word = word.upper()
    if word in choices(kind):
        return word, None
    return None, f"'{value.strip()}' is not one of: {', '.join(choices(kind))}"


def shown_set(question: Question, key: Key = keys.PRACTICE) -> dict:
    """A best-and-worst question's set with its picks, under the letters this learner was shown."""
    return relabel(key.best_worst(question.item_id), question.options)


def expected(question: Question, key: Key = keys.PRACTICE) -> str:
    if question.kind in ("best", "worst"):
        return shown_set(question, key)[question.kind]
    row = key.item(question.item_id)
    if question.kind == "classify":
        return row["label"]
    if question.kind == "technique":
        if row["label"] != "good":
            raise ValueError(f"{question.item_id} is a poor item; spot the technique in good items only.")
        return row["technique"]
    if row["label"] != "poor":
        raise ValueError(f"{question.item_id} is a good item; only poor items can be diagnosed.")
    return row["pitfall"]


def explain(question: Question, key: Key = keys.PRACTICE) -> str:
    """Why the expected answer is right, from the key."""
    if question.kind in ("best", "worst"):
        s = shown_set(question, key)
        option = next(o for o in s["options"] if o["key"] == s[question.kind])
        return option["reason"]
    row = key.item(question.item_id)
    text = row["rationale"]
    if question.kind == "classify" and row["label"] == "poor":
        text += f" Pitfall: {catalog.pitfalls()[row['pitfall']].title}. A better response: \"{row['better_response']}\""
    return text


def answer_of(answers, qid: str):
    """The learner's raw answer to one question; anything but a plain dict holds none."""
    if type(answers) is not dict:
        return None
    return answers.get(qid)


def mark_question(question: Question, answers, key: Key = keys.PRACTICE) -> Mark:
    right = expected(question, key)
    if answers is not None and type(answers) is not dict:
        return Mark(0.0, None, right, (
            f"{question.qid}: no points. `answers` must be a dict such as "
            f"{{\"{question.qid}\": \"{choices(question.kind)[0]}\"}}, not {type(answers).__name__}."
        ))
    answer, problem = normalise(question.kind, answer_of(answers, question.qid))
    why = explain(question, key)
    if problem:
        verdict = f"no points, {problem}. The answer is {right}"
    elif answer == right:
        verdict = f"correct, {right}"
    else:
        verdict = f"you answered {answer}; the answer is {right}"
    points = 1.0 if answer == right else 0.0
    return Mark(points, answer, right, f"{question.qid}: {verdict}. {why}", why)


def mark(answers, qid: str, item_id: str, kind: str = "classify", points: float = 1) -> float:
    """What an exercise's marking cell says: print the verdict and return the points (``points`` for a
    right answer, the question's worth as its cell states it; 0 otherwise).

    The instructor's grader never runs this in a kernel: it reads the call's arguments from the
    cell and marks the answers file itself (instructor.preprocessors.MarkAnswers). Run in a
    kernel (the solutions notebooks in the course folder), it marks against the key it finds
    there; during nbgrader's autograde it refuses, since a submission folder could hold a key,
    unless POWERCOACH_KEY names the key (stock nbgrader in ``make bench`` runs it that way).
    """
    if os.environ.get("NBGRADER_EXECUTION") == "autograde" and not os.environ.get(keys.ENV):
        print(f"{qid}: not marked. This exercise is marked from its answers file, without running code; "
              "switch on powercoach.instructor.preprocessors.MarkAnswers in nbgrader_config.py.")
        return 0.0
    result = mark_question(Question(qid, kind, item_id), answers, keys.require(keys.find()))
    print(result.message)
    return result.points * points


def format_problems(questions: list[Question], answers) -> list[str]:
    """What a learner must fix before submitting: missing or malformed answers, one line each."""
    if answers is not None and type(answers) is not dict:
        return [f"`answers` must be a dict, like {{\"Q1\": \"good\"}}; it is a {type(answers).__name__}."]
    problems = []
    for q in questions:
        _, problem = normalise(q.kind, answer_of(answers, q.qid))
        if problem:
            problems.append(f"{q.qid}: {problem}.")
    known = {q.qid for q in questions}
    extra = sorted(k for k in (answers or {}) if k not in known)
    if extra:
        problems.append(f"Not questions in this exercise (ignored): {', '.join(map(str, extra))}.")
    return problems


def mark_best_worst(bw_set: dict, best, worst) -> tuple[int, list[str]]:
    """Credit for each correct pick (0, 1 or 2) and a line of feedback per option.

    The ICF credentialing exam's format: one point for the best, one for the worst.
    """
    picks = {}
    for role, value in (("best", best), ("worst", worst)):
        picks[role] = value.strip().upper() if type(value) is str else None
    points = int(picks["best"] == bw_set["best"]) + int(picks["worst"] == bw_set["worst"])
    lines = []
    for option in bw_set["options"]:
        key = option["key"]
        verdict = "the best" if key == bw_set["best"] else "the worst" if key == bw_set["worst"] else "in between"
        mine = [r for r in ("best", "worst") if picks[r] == key]
        you = f" You picked it as {' and '.join(mine)}." if mine else ""
        lines.append(f"{key} is {verdict}.{you} {option['reason']}")
    return points, lines
