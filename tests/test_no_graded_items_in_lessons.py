"""No graded item reaches a learner through the lessons: not by id, and not by its words.

Lessons may show practice items only. An assessment item (a bank row with use == "assessment")
or an assessment best-and-worst set must not appear anywhere under course/, neither by its id nor
by any run of eight words shared with its scene or responses (context, client_says, coach_says,
or any option's text). The assessment items are read through the package's own readers, which
keep the scene text after the answer key moves out of the package, so this test keeps working.
"""

from __future__ import annotations

import re
from functools import cache

import nbformat
import pytest
from conftest import REPO

from powercoach import bank

N = 8  # words in a shared run that counts as a leak
COURSE = REPO / "course"
TEXT_SUFFIXES = {".ipynb", ".md", ".svg", ".txt", ".html"}


def words(text: str) -> list[str]:
    """Lower-case words, with curly and straight apostrophes removed and punctuation dropped."""
    text = text.lower().replace("\u2019", "").replace("\u2018", "").replace("'", "")
    return re.findall(r"[a-z0-9]+", text)


def grams(text: str, n: int = N) -> set[str]:
    w = words(text)
    return {" ".join(w[i:i + n]) for i in range(len(w) - n + 1)}


def assessment_texts() -> dict[str, list[str]]:
    """Every assessment item's and set's learner-visible text, by id."""
    out: dict[str, list[str]] = {}
    for row in bank.read_bank():
        if row.get("use") in bank.KEYED:
            out[row["item_id"]] = [row.get(f) or "" for f in ("context", "client_says", "coach_says")]
    for set_id, s in bank.best_worst_sets().items():
        if s.get("use") in bank.KEYED:
            texts = [s.get("context") or "", s.get("client_says") or ""]
            texts += [o.get("text") or "" for o in s.get("options") or []]
            out[set_id] = texts
    return out


@cache
def course_texts() -> dict[str, str]:
    """The text of every file under course/ a learner can open; notebooks by their cell sources."""
    out = {}
    for path in sorted(COURSE.rglob("*")):
        if not path.is_file() or path.suffix not in TEXT_SUFFIXES or ".ipynb_checkpoints" in path.parts:
            continue
        name = str(path.relative_to(REPO))
        if path.suffix == ".ipynb":
            nb = nbformat.read(path, as_version=4)
            out[name] = "\n\n".join(c.source for c in nb.cells)
        else:
            out[name] = path.read_text(encoding="utf-8")
    return out


def id_hits(text: str, ids) -> list[str]:
    return [i for i in ids if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text)]


def shared_runs(text: str, index: dict[str, set[str]]) -> dict[str, list[str]]:
    hits: dict[str, list[str]] = {}
    for g in grams(text):
        for item_id in index.get(g, ()):
            hits.setdefault(item_id, []).append(g)
    return hits


@pytest.fixture(scope="module")
def assessment():
    texts = assessment_texts()
    index: dict[str, set[str]] = {}
    for item_id, parts in texts.items():
        for part in parts:
            for g in grams(part):
                index.setdefault(g, set()).add(item_id)
    return texts, index


def test_the_checks_have_assessment_items_and_lessons_to_compare(assessment):
    texts, index = assessment
    assert len(texts) >= 100 and len(index) > 1000
    assert any(k.startswith("contracting-a") for k in texts)
    assert any(s.get("use") == "assessment" for s in bank.best_worst_sets().values())
    assert len([n for n in course_texts() if n.endswith(".ipynb")]) >= 15


def test_the_checks_catch_a_planted_leak(assessment):
    """A lesson that quoted an assessment scene, or named an item, would fail."""
    texts, index = assessment
    item_id, parts = next((k, v) for k, v in texts.items() if len(words(v[0])) >= N)
    lesson = f"## Self-check\n\nConsider this. {parts[0].upper()} What would you say?"
    assert item_id in shared_runs(lesson, index)
    assert id_hits(f"See item {item_id}.", texts) == [item_id]
    # A longer id sharing a prefix is not mistaken for this one, and vice versa.
    assert id_hits(f"See {item_id}9.", [item_id]) == []


@pytest.mark.parametrize("name", sorted(course_texts()))
def test_no_assessment_item_or_set_is_named_in_course(name, assessment):
    texts, _ = assessment
    found = id_hits(course_texts()[name], texts)
    assert found == [], f"{name} names graded item(s) {found}: use a practice item or your own scene"


@pytest.mark.parametrize("name", sorted(course_texts()))
def test_no_course_text_shares_eight_words_with_an_assessment_item(name, assessment):
    _, index = assessment
    hits = shared_runs(course_texts()[name], index)
    report = {k: sorted(v)[:2] for k, v in hits.items()}
    assert report == {}, f"{name} repeats graded item text {report}: rewrite it in your own words"
