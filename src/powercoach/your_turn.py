"""Your turn: the learner writes their own reply to a practice scene (issue #16, "Say it yourself").

The core behind the *Your turn* widget and *Check my draft*: which scenes a learner may answer
(practice items only, never an assessment item), the good replies to compare with, the
self-rating rubric (``data/your_turn.json``), and the record of an attempt that progress and
the portable progress file keep. The reader (``powercoach.reader``) is imported only when a
reply is read, so nothing here slows ``import powercoach``.

Nothing here is a mark: the reader's observations and the learner's own rating are formative.
"""

from __future__ import annotations

import random
from functools import cache

from . import bank, catalog
from .errors import DataError

RUBRIC_FILE = "your_turn.json"
#: how much of a reply an attempt keeps (the reader reads at most reader.MAX_CHARS)
MAX_REPLY = 4000
SCENE_FIELDS = ("item_id", "technique", "client_role", "setting", "context", "client_says")


@cache
def _rubric_data() -> dict:
    data = catalog.read_json(catalog.DATA / RUBRIC_FILE)
    ratings, rubrics = data.get("ratings"), data.get("rubrics")
    if not (isinstance(ratings, list) and len(ratings) >= 2 and all(isinstance(r, str) and r for r in ratings)):
        raise DataError(f"{RUBRIC_FILE}: 'ratings' must list at least two rating words.")
    if not isinstance(rubrics, dict) or set(rubrics) != set(catalog.techniques()):
        raise DataError(f"{RUBRIC_FILE}: 'rubrics' needs one entry for each of the twelve techniques.")
    for technique, criteria in rubrics.items():
        if not (isinstance(criteria, list) and criteria and all(isinstance(c, str) and c for c in criteria)):
            raise DataError(f"{RUBRIC_FILE}: the rubric of '{technique}' must be a list of criteria.")
    return data


def ratings() -> list[str]:
    """The rating scale, lowest first (e.g. not yet, partly, yes)."""
    return list(_rubric_data()["ratings"])


def rubric(technique: str) -> list[str]:
    """The self-rating criteria for a technique's replies."""
    try:
        return list(_rubric_data()["rubrics"][technique])
    except KeyError:
        raise DataError(f"No self-rating rubric for technique '{technique}'.") from None


def scene_ids(technique: str | None = None, seed: int | None = 0) -> list[str]:
    """The practice scenes a learner may answer (a technique's, or every technique's), shuffled by ``seed``."""
    ids = bank.item_ids(technique, "practice")
    random.Random(seed).shuffle(ids)
    return ids


def scene(item_id: str) -> dict:
    """What the learner sees of a practice scene: who, what is going on, what the client said.

    An assessment item is refused: its scene belongs to a graded exercise.
    """
    row = bank.item(item_id)
    if row["use"] != "practice":
        raise DataError(f"{item_id} is an assessment item; Your turn uses practice scenes only.")
    return {f: row[f] for f in SCENE_FIELDS}


def good_reply(row: dict) -> str:
    """A practice item's good reply: its response when that is good, else its better response."""
    return row["coach_says"] if row["label"] == "good" else row["better_response"]


def model_replies(item_id: str, count: int = 2) -> list[dict]:
    """Good replies to compare with, from the technique's practice items: first the one written for
    this scene, then good replies to other scenes of the same technique (with what that client said)."""
    scene(item_id)  # practice scenes only
    row = bank.item(item_id)
    out = [{"item_id": item_id, "same_scene": True, "client_says": row["client_says"], "text": good_reply(row)}]
    others = [i for i in bank.item_ids(row["technique"], "practice", "good") if i != item_id]
    random.Random(item_id).shuffle(others)
    for other in others[: max(0, count - 1)]:
        o = bank.item(other)
        out.append({"item_id": other, "same_scene": False, "client_says": o["client_says"], "text": o["coach_says"]})
    return out


def practice_replies(technique: str, count: int = 2, seed: str | int = 0) -> list[dict]:
    """Good replies from a technique's practice scenes (what the client said, and the reply), for a
    scene that is not itself a practice scene (an exercise's written answer)."""
    ids = bank.item_ids(technique, "practice", "good")
    random.Random(seed).shuffle(ids)
    return [{"item_id": i, "same_scene": False, "client_says": bank.item(i)["client_says"],
             "text": bank.item(i)["coach_says"]} for i in ids[:count]]


def read(reply: str, item_id: str | None = None, technique: str | None = None, client_says: str = "",
         context: str = ""):
    """The reader's reading of a reply to a scene (the reader is imported here, on first use)."""
    from . import reader

    if item_id is not None:
        row = bank.item(item_id)  # a scene's text only: technique, context, what the client said
        technique, client_says, context = row["technique"], row["client_says"], row["context"]
    return reader.read(reply, technique=technique, client_says=client_says, context=context)


def attempt(item_id: str, reply: str, reading) -> dict:
    """An attempt as progress keeps it (no time yet: ``Progress.add_attempt`` stamps it)."""
    return {"scene": item_id, "technique": bank.item(item_id)["technique"], "reply": reply[:MAX_REPLY],
            "pitfalls": list(reading.pitfalls), "strengths": list(reading.strengths), "rating": {}}


def valid_rating(rating) -> bool:
    """A self-rating: criterion number (as text, "1", "2", ...) to one of the rating words."""
    scale = ratings()
    return (type(rating) is dict and len(rating) <= 20
            and all(type(k) is str and k.isdigit() and type(v) is str and v in scale for k, v in rating.items()))
