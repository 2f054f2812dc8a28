"""The class roster: each learner's place, which decides the paper drawn for them (``powercoach.draws``).

``roster.json`` holds ``{"version": 1, "places": {"<learner id>": <place>, ...}}``: places 0, 1, 2 ...
in the order learners joined, never reused or moved, so a learner who joins late changes nobody
else's paper. The learner id is nbgrader's student id, which on the class's hub is the user name.

Two copies, written together by ``powercoach roster add`` (``deploy/setup-class.py`` runs it):

- the instructor's, ``roster.json`` in the course folder: the grader's (``MarkAnswers.roster``), so a
  learner is marked on the paper of their own place, never on what a submission says;
- the learners', readable by every learner (on the hub ``<prefix>/etc/powercoach-roster.json``, named
  by ``POWERCOACH_ROSTER``), from which a learner's notebook shows them their paper.

A roster says which items each learner is asked, never an answer.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import tempfile
from pathlib import Path

from .errors import DataError

ENV = "POWERCOACH_ROSTER"
FILE = "roster.json"
VERSION = 1
LEARNER_ID = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")  # nbgrader student ids and system user names
MAX_BYTES = 1_000_000
MAX_LEARNERS = 243  # distinct papers of an 11-question exercise (powercoach.draws)


def read(path: str | os.PathLike) -> dict[str, int]:
    """Learner id -> place, from a roster file; a clear message naming the file if it is not one."""
    path = Path(path)
    fix = ("Mend it by hand (places 0, 1, 2 ... in the order learners joined), or, before any paper is released, move "
           "it aside and run: powercoach roster add --gradebook")
    try:
        if path.stat().st_size > MAX_BYTES:
            raise DataError(f"The class roster {path} is larger than a roster can be. {fix}")
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"There is no class roster at {path}. {fix}") from None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as err:
        raise DataError(f"The class roster {path} could not be read ({type(err).__name__}). {fix}") from None
    places = data.get("places") if type(data) is dict and data.get("version") == VERSION else None
    if type(places) is not dict or not all(
            type(k) is str and LEARNER_ID.match(k) and type(v) is int and v >= 0 for k, v in places.items()):
        raise DataError(f"The class roster {path} must hold {{\"version\": 1, \"places\": {{learner id: place}}}} "
                        f"with whole-number places. {fix}")
    if any(v >= MAX_LEARNERS for v in places.values()):
        raise DataError(f"The class roster {path} has a place of {MAX_LEARNERS} or more; the draw gives "
                        f"distinct papers to {MAX_LEARNERS} learners (places 0 to {MAX_LEARNERS - 1}). {fix}")
    if len(set(places.values())) != len(places):
        raise DataError(f"The class roster {path} gives two learners the same place, so they would share a paper. "
                        f"{fix}")
    return places


def add(path: str | os.PathLike, learners: list[str]) -> dict[str, int]:
    """Give each learner not yet on the roster the next free place, and write the roster atomically
    (made if missing). Learners already on it keep their place. Returns the whole roster."""
    path = Path(path)
    bad = [name for name in learners if not LEARNER_ID.match(name)]
    if bad:
        raise DataError(f"{', '.join(map(repr, bad[:5]))} cannot be a learner id (letters, digits, . _ @ -, at most "
                        "64 characters).")
    places = read(path) if path.exists() else {}
    for name in learners:
        if name not in places:
            places[name] = max(places.values(), default=-1) + 1
    if len(places) > MAX_LEARNERS:
        raise DataError(f"A class roster holds at most {MAX_LEARNERS} learners (the draw's distinct papers); "
                        f"this would make {len(places)}. Split the class into two courses. Nothing was written.")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"version": VERSION, "places": places}, f, indent=1)
        f.write("\n")
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    return places


def place(places: dict[str, int], learner: str, where: str | os.PathLike) -> int:
    """The learner's place; a message saying who can fix it when they are not on the roster."""
    if learner not in places:
        raise DataError(f"'{learner}' is not on the class roster ({where}), so no paper was drawn for them. The "
                        f"instructor adds them with: powercoach roster add {learner} (deploy/setup-class.py does it "
                        "for everyone in its class list).")
    return places[learner]


def learner_id() -> str:
    """Who is working here: the hub user, else the system user."""
    return os.environ.get("JUPYTERHUB_USER") or getpass.getuser()


def learner_place() -> int | None:
    """This learner's place on the roster ``POWERCOACH_ROSTER`` names; None where no roster is named
    (every learner is then asked the shared class paper)."""
    path = os.environ.get(ENV, "").strip()
    if not path:
        return None
    return place(read(path), learner_id(), path)
