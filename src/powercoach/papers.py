"""Which items an exercise asks: its self-study paper, or its class paper.

An exercise notebook names its **self-study paper** (the items of its setup cell, from the
self-study pool, whose answers are public in ``key/``). A class is asked the **class paper**
instead: the same questions of the same kinds, over items of the class pool, whose answers are
sealed. So the notebook's prose (how many questions, of which kind) holds on both routes. Each
learner on the class roster (``powercoach.roster``) gets a paper of their own, drawn from the
class pool's slots (``data/class_slots.json``, ``drawn``); without a roster, every learner shares
the class paper of ``data/class_papers.json``.

Which paper a learner sees: ``POWERCOACH_POOL=class`` in the environment (a class's hub sets it
for every user; ``deploy/setup-class.py``); anything else, the self-study paper. Which paper an
instructor grades is the grader's own setting (``MarkAnswers.pool``), never what a submission
says: a learner who changed their environment to see the self-study paper is still marked on
the class paper.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache

from . import bank, catalog, draws
from .errors import DataError

ENV = "POWERCOACH_POOL"
POOLS = ("self-study", "class")
USE = {"self-study": "assessment", "class": "class"}  # a pool's items carry this bank ``use``
POOL_OF_USE = {use: name for name, use in USE.items()}
PAPERS = catalog.DATA / "class_papers.json"
SLOTS = catalog.DATA / "class_slots.json"
PARTS = ("classify", "diagnose", "best_worst")


@dataclass(frozen=True)
class Question:
    qid: str
    kind: str
    item_id: str
    options: tuple[str, ...] = ()  # a best-and-worst set's option keys in the order its letters show them


def pool() -> str:
    """The pool this learner's environment asks for: ``class`` or ``self-study``."""
    return "class" if os.environ.get(ENV, "").strip().lower() == "class" else "self-study"


def check_pool(name: str) -> str:
    if name not in POOLS:
        raise DataError(f"Unknown pool '{name}'; use one of {', '.join(POOLS)}.")
    return name


def build(classify=(), diagnose=(), best_worst=()) -> list[Question]:
    """Questions numbered Q1, Q2, ... in the order classify, diagnose, best-and-worst; a
    best-and-worst set asks two questions (its best, then its worst)."""
    kinds = ([("classify", i) for i in classify] + [("diagnose", i) for i in diagnose]
             + [(k, s) for s in best_worst for k in ("best", "worst")])
    return [Question(f"Q{n}", kind, item) for n, (kind, item) in enumerate(kinds, 1)]


def _read_parts(path, what: str, entries: str, entry_ok) -> dict:
    """``path``'s object: exercise id -> ``what``, an object of parts (of ``PARTS``), each a list of
    ``entries`` that ``entry_ok`` accepts; a clear message naming the file otherwise."""
    data = catalog.read_json(path)
    if not isinstance(data, dict):
        raise DataError(f"{path.name} must hold an object: exercise id -> {what}.")
    for exercise_id, parts in data.items():
        if not isinstance(parts, dict) or set(parts) - set(PARTS) or not all(
                isinstance(v, list) and all(entry_ok(e) for e in v) for v in parts.values()):
            raise DataError(f"{path.name}, {exercise_id}: {what} must be an object with lists of {entries} under "
                            f"{', '.join(PARTS)}.")
    return data


@cache
def class_papers() -> dict[str, dict[str, list[str]]]:
    """Exercise id -> its class paper, ``{"classify": [...], "diagnose": [...], "best_worst": [...]}``."""
    return _read_parts(PAPERS, "its class paper", "ids", lambda i: type(i) is str)


@cache
def class_slots() -> dict[str, dict[str, list[list[str]]]]:
    """Exercise id -> its slots (``data/class_slots.json``): per part of its class paper, one slot per
    question, each three items of the class pool that may be asked there. Variant 0 of every slot is
    the class paper's item (``class_papers``). The per-learner draw (``powercoach.draws``) picks a
    variant per slot for each learner on a class roster (``drawn``)."""
    return _read_parts(SLOTS, "its slots", "three ids each",
                       lambda s: isinstance(s, list) and len(s) == 3 and all(type(i) is str for i in s))


def asked_good_or_poor() -> set[str]:
    """Every class item a paper may ask as good-or-poor (a classify slot's variants): the items whose
    labels must not show on their surface. Diagnose items are asked as poor, for their pitfall."""
    return {i for parts in class_slots().values() for slot in parts.get("classify", []) for i in slot}


def drawn(exercise_id: str, place: int) -> list[Question]:
    """The class paper of the learner at ``place`` on the class roster: one variant of each slot
    (``powercoach.draws``), the questions of each part in an order of their own, and each
    best-and-worst set's responses under letters of their own."""
    slots = class_slots().get(exercise_id)
    if slots is None:
        raise DataError(f"{exercise_id} has no slots in {SLOTS.name}.")
    d = draws.draw(exercise_id, {p: slots[p] for p in PARTS if p in slots}, place)
    paper = build(*(d.parts.get(p, ()) for p in PARTS))
    return [Question(q.qid, q.kind, q.item_id, d.options.get(q.item_id, ())) for q in paper]


def questions(exercise_id: str, pool_name: str, classify=(), diagnose=(), best_worst=(),
              place: int | None = None) -> list[Question]:
    """The questions of ``exercise_id`` for ``pool_name``, given its self-study paper."""
    return for_pool(exercise_id, pool_name, build(classify, diagnose, best_worst), place)


def for_pool(exercise_id: str, pool_name: str, paper: list[Question], place: int | None = None) -> list[Question]:
    """``paper`` (the self-study paper, as the notebook names it) as ``pool_name`` asks it: in a class,
    the paper drawn for the learner at ``place`` on the class roster, or with no roster
    (``place`` None) the class paper every learner shares.

    Every item must be of the pool asked for; a class paper must have the self-study paper's
    shape (the same question ids and kinds in the same order)."""
    check_pool(pool_name)
    if pool_name == "class":
        parts = class_papers().get(exercise_id)
        if parts is None:
            raise DataError(f"{exercise_id} has no class paper in {PAPERS.name}.")
        own = build(*(parts.get(p, ()) for p in PARTS)) if place is None else drawn(exercise_id, place)
        if [(q.qid, q.kind) for q in own] != [(q.qid, q.kind) for q in paper]:
            raise DataError(f"{exercise_id}'s class paper asks {_shape(own)}, but its notebook asks {_shape(paper)}; "
                            f"give both the same questions in {PAPERS.name}.")
        paper = own
    for q in paper:
        found = bank.best_worst_set(q.item_id) if q.kind in ("best", "worst") else bank.item(q.item_id)
        if found["use"] != USE[pool_name]:
            raise DataError(f"{exercise_id}, {q.qid}: {q.item_id} is not an item of the {pool_name} pool.")
    return paper


def _shape(paper: list[Question]) -> str:
    kinds = [q.kind for q in paper]
    return ", ".join(f"{kinds.count(k)} {k}" for k in dict.fromkeys(kinds))


def item_key(item_id: str, kind: str) -> str:
    """What a question asks, across papers: its item, or its set and which pick."""
    return f"{item_id} {kind}" if kind in ("best", "worst") else item_id


def standard_of(exercise_id: str, paper: list[Question]) -> float | None:
    """The pass standard of a learner's own class paper (``drawn``): the class panel's mean rating of
    the written part and of each question on it (``data/class_pass_standards.json``); None where the
    panel rated no slots for the exercise."""
    rated = catalog.pass_standards("class").get("ratings", {}).get(exercise_id)
    if rated is None:
        return None
    return round(paper_points(rated, [item_key(q.item_id, q.kind) for q in paper]), 1)


def paper_points(rated: dict, keys: list[str]) -> float:
    """The written part's mean rating plus each question's (``keys``, by ``item_key``), to 4 places so the
    order of the sum cannot change it."""
    return round(rated["written"] + sum(rated["questions"][k] for k in keys), 4)
