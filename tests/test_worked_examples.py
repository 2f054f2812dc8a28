"""The lessons' worked examples do not teach a surface rule: a good reply is not always a question."""

from __future__ import annotations

import re

import nbformat
from conftest import REPO

LESSONS = sorted((REPO / "course").glob("[0-9][0-9]-*.ipynb"))
GOOD = re.compile(r"\*\*A good response\*\*\s*\n\s*\n((?:>.*(?:\n|$))+)")


def good_replies() -> dict[str, str]:
    found = {}
    for path in LESSONS:
        for cell in nbformat.read(path, as_version=4).cells:
            match = GOOD.search(cell.source) if cell.cell_type == "markdown" else None
            if match:
                quote = " ".join(line.lstrip("> ").strip() for line in match.group(1).splitlines())
                found[path.stem] = quote.strip().strip('"\u201c\u201d').strip()
    return found


def test_every_technique_lesson_has_a_worked_good_reply():
    assert len(good_replies()) == 12


def test_no_more_than_half_of_the_good_replies_end_on_a_question():
    replies = good_replies()
    questions = sorted(name for name, text in replies.items() if text.endswith("?"))
    assert len(questions) <= len(replies) / 2, questions
