"""A graded exercise: its questions, the learner's saved clicks, and a format check.

The setup cell of an exercise notebook builds one ``Exercise``; question cells show
``ex.show("Q1")``; the answer cell reads ``ex.saved_answers()``; the marking cells name
``marking.mark`` with the same question ids and items, which the instructor's grader reads
as data (it never runs the learner's notebook).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

from . import answers as answers_file
from . import bank, catalog, papers, roster
from . import key as keys
from .errors import DataError
from .marking import POINTS, Mark, choices, format_problems, mark_question


def answer_cell_source() -> str | None:
    """The source of the answer cell as last run in this kernel (from IPython's history)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    history = shell.user_ns.get("In", []) if shell is not None else []
    return next((src for src in reversed(history) if answers_file.CLICKS_LINE in src), None)


#: what nbgrader leaves in a markdown answer cell of the learner's version
PLACEHOLDER = "YOUR ANSWER HERE"
REFLECTION_CELL = "reflection"
MAX_NOTEBOOK_BYTES = 20_000_000
_QUOTED = re.compile(r"[\"\u201c]([^\"\u201c\u201d]{20,})[\"\u201d]")
_AFTER_REPLY = re.compile(r"^\W*(?:\d[.)]\s*)?(?:why|because|technique|my reason|explanation)\b", re.I | re.M)


@dataclass(frozen=True)
class Draft:
    """The reflection as last saved: ``text`` when there is one to read, else ``problem`` says why not."""
    text: str | None
    problem: str | None = None
    path: Path | None = None


def saved_draft(exercise_id: str, folder=None) -> Draft:
    """The reflection answer cell of ``<exercise_id>.ipynb`` in ``folder``, as saved on disk.

    Read as plain JSON (no kernel, no nbformat), and only read: nothing is written anywhere.
    """
    path = Path(folder or ".") / f"{exercise_id}.ipynb"
    save_first = "Save the notebook first (Ctrl+S, or Cmd+S on a Mac), then press the button again"
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            return Draft(None, f"{path.name} is too large to read here; paste your draft into the box instead.", path)
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Draft(None, f"There is no saved {path.name} in this folder (was the notebook renamed?). "
                     "Paste your draft into the box instead.", path)
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return Draft(None, f"{path.name} could not be read as a notebook; paste your draft into the box instead.",
                     path)
    cells = notebook.get("cells") if type(notebook) is dict else None
    for cell in cells if type(cells) is list else []:
        meta = cell.get("metadata") if type(cell) is dict else None
        nbgrader = meta.get("nbgrader") if type(meta) is dict else None
        if type(nbgrader) is dict and nbgrader.get("grade_id") == REFLECTION_CELL:
            source = cell.get("source", "")
            text = "".join(source) if type(source) is list else source if type(source) is str else ""
            if not text.strip():
                return Draft(None, f"Your saved answer cell is empty. {save_first}.", path)
            if text.strip() == PLACEHOLDER:
                return Draft(None, f"Your saved answer cell still reads {PLACEHOLDER}. {save_first}.", path)
            return Draft(text, None, path)
    return Draft(None, f"{path.name} has no reflection answer cell; paste your draft into the box instead.", path)


def reply_part(draft: str) -> str:
    """The words to the client in a reflection: the first quoted passage (of 20 characters or
    more), else the text before a line that starts the explanation (Why, Because, Technique ...)."""
    quoted = _QUOTED.search(draft)
    if quoted:
        return quoted.group(1).strip()
    after = _AFTER_REPLY.search(draft)
    head = draft[: after.start()] if after and after.start() > 0 else draft
    return head.strip()


class Exercise:
    """Questions are numbered Q1, Q2, ... in the order classify, diagnose, best-and-worst; a
    best-and-worst set asks two questions (its best, then its worst).

    The arguments name the self-study paper; in a class (``POWERCOACH_POOL=class``) the same
    questions are asked over the class pool's items (``powercoach.papers``): the paper drawn for this
    learner's place on the class roster that ``POWERCOACH_ROSTER`` names, or without one the class
    paper every learner shares."""

    def __init__(self, exercise_id: str, classify: list[str] = (), diagnose: list[str] = (),
                 best_worst: list[str] = (), folder=None, pool: str | None = None):
        self.id = exercise_id
        self.folder = folder
        self.pool = papers.pool() if pool is None else pool
        self.problem = None  # why this learner's questions cannot be shown, if they cannot
        try:
            place = roster.learner_place() if self.pool == "class" else None
        except DataError as err:  # not on the class roster, or no roster to read: say so, keep every click
            place, self.problem = None, str(err)
            print(f"Your questions cannot be shown yet. {self.problem}\nYour saved answers are kept.")
        # an unknown id fails here, in the setup cell, with a clear message
        self.questions = [] if self.problem else papers.questions(exercise_id, self.pool, classify, diagnose,
                                                                   best_worst, place)
        self._by_id = {q.qid: q for q in self.questions}
        self.standard = papers.standard_of(exercise_id, self.questions) if self.questions and self.pool == "class" \
            else None
        if self.standard is not None:
            of = catalog.pass_standards("class")["exercises"][exercise_id]["of"]
            mine = ("Your paper is your own: its questions are drawn for you. Its" if place is not None
                    else "This paper's")
            print(f"{mine} pass standard is {self.standard:g} of the {of} points: the sum of what the panel expects "
                  "a coach just ready for senior clients to earn on each of its questions.")

    def saved_answers(self) -> dict[str, str]:
        """The clicks saved beside the notebook (a fresh dict each call)."""
        saved, warnings = answers_file.load(self.id, self.folder)
        for w in warnings:
            print(f"Warning: {w}. Your clicks from now on start a fresh answers file; "
                  "the old one is kept with the ending .bak.")
        return {q: v for q, v in saved.items() if q in self._by_id}

    def _save_choice(self, qid: str, value: str | None) -> None:
        current, _ = answers_file.load(self.id, self.folder)
        if value is None:
            current.pop(qid, None)
        else:
            current[qid] = value
        answers_file.save(self.id, current, self.folder)

    def show(self, qid: str):
        """The widget for one question; a best-and-worst set shows its two questions together."""
        from .widgets import BestWorstQuestion, ChoiceQuestion, status_html

        if self.problem:
            import ipywidgets as W

            return W.HTML(status_html(f"{qid} cannot be shown: {self.problem}"))
        q = self._by_id[qid]
        saved, _ = answers_file.load(self.id, self.folder)
        if q.kind in ("best", "worst"):
            pair = [p for p in self.questions if p.item_id == q.item_id and p.kind in ("best", "worst")]
            best, worst = (next(p for p in pair if p.kind == k) for k in ("best", "worst"))
            return BestWorstQuestion(best.qid, worst.qid, q.item_id, saved.get(best.qid), saved.get(worst.qid),
                                     self._save_choice, q.options)
        return ChoiceQuestion(q.qid, q.kind, q.item_id, saved.get(qid), self._save_choice)

    def check_format(self, answers=None) -> bool:
        """Print what is missing or malformed; True when every answer is in the right form.

        It checks what grading will read, with grading's own reader: the saved clicks and the
        literal typed lines of the answer cell as last run (``answers``, the cell's variable, is
        not used: grading never runs the cell). Lines that will not count are named.
        """
        if self.problem:
            print(f"Your answers cannot be checked yet. {self.problem}")
            return False
        source = answer_cell_source()
        clicked, _ = answers_file.load(self.id, self.folder)
        answers, ignored = answers_file.graded(clicked, source or "")
        if ignored:
            print("These lines in the answer cell will NOT count when your work is graded; only lines like "
                  'answers["Q3"] = "poor" do:')
            for line in ignored:
                print("  -", line.replace("\n", " "))
        problems = format_problems(self.questions, answers)
        if not problems:
            print(f"{'Apart from those lines, a' if ignored else 'A'}ll {len(self.questions)} questions are answered "
                  "in the right form. Save the notebook and submit it when you are ready.")
            return not ignored
        print("Before you submit, check these:")
        for p in problems:
            print("  -", p)
        names = {"classify": "Good-or-poor", "diagnose": "Pitfall", "technique": "Technique",
                 "best": "Best-and-worst"}
        for kind in dict.fromkeys("best" if q.kind == "worst" else q.kind for q in self.questions):
            print(f"{names[kind]} answers are one of: {', '.join(choices(kind))}.")
        return False

    def scene(self, item_id: str):
        """A scene without the coach's response, for a reflection question."""
        from IPython.display import HTML

        from .widgets import scene_html

        return HTML(scene_html(bank.item(item_id), with_response=False))

    def marks(self, key: keys.Key, source: str | None = None) -> list[Mark]:
        """Each question marked as the grader marks it: the saved clicks, then the literal typed
        lines of the answer cell (``source``, or the cell as last run in this kernel); a right
        answer earns its question's points (``marking.POINTS``)."""
        clicked, _ = answers_file.load(self.id, self.folder)
        graded, _ = answers_file.graded(clicked, answer_cell_source() if source is None else source)
        return [replace(m, points=m.points * POINTS[q.kind])
                for q, m in ((q, mark_question(q, graded, key)) for q in self.questions)]

    def points(self) -> float:
        """What every question right earns (the written part aside)."""
        return float(sum(POINTS[q.kind] for q in self.questions))

    def check_draft(self, item_id: str | None = None):
        """"Check my draft": the reader's observations on the saved reflection (or a pasted draft)
        for the reflection scene ``item_id``. No mark; it reads neither the key nor the answers
        file and writes nothing."""
        from .widgets import DraftCheck

        return DraftCheck(self.id, item_id, self.folder)

    def self_check(self):
        """"Check my answers" where the instructor's key is in the course folder (studying alone
        with the whole repository, as on Binder); elsewhere, a note that the instructor grades it."""
        from .widgets import SelfCheck

        found = keys.find(self.folder)  # the self-study key; a class's answers are never at a learner's hand
        return SelfCheck(self, found if found is not None and found.pool == papers.USE[self.pool] else None)
