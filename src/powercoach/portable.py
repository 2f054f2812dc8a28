"""The progress file a learner carries between sessions: drill scores, profiles and exercise answers.

Binder keeps nothing after a session and a browser may evict a JupyterLite site's storage, so
the start page lets a learner download everything as one JSON file and restore it later. The
file (``FORMAT``, ``VERSION``) holds:

- ``activities``: the progress record's drill and check scores, one entry per activity;
- ``profiles``: the self-assessment profiles;
- ``answers``: per exercise, per question, the answer and when it was given;
- ``attempts`` (optional, added later within format 1): the replies written in *Your turn*, each
  with its scene, the text, the pitfalls and strengths the reader suspected, the learner's own
  rating and its stamp. A file without it (made before it existed) restores as before, and a
  powercoach that predates it ignores it.

**Newer** means a later ``stamp`` (seconds since 1970, UTC). Restoring merges entry by entry:
an activity, a profile or an answer from the file replaces the one here only when its stamp is
later, so restoring an old file over newer work, or a new file over older work, always keeps the
newer entry. (A merged activity also keeps the best score either side reached.) A file that is
damaged, belongs to something else, or has another format version is refused before anything is
written, with a message that says what is wrong.

Attempts merge by their ``id`` (scene and the time written): the later stamp wins, so a rating
given since is kept.

Answers files (``answers.py``) carry no times of their own, so this module keeps the time each
answer was first seen in the progress record (``answer_stamps``): an answer whose stamp is
unknown, or whose value changed since, takes its file's modification time.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import answers as answers_file
from .progress import Progress, now, stamp_of

FORMAT = "powercoach-progress"
VERSION = 1
EXERCISE_ID = re.compile(r"^\d\d-[a-z0-9-]+$")
QUESTION_ID = re.compile(r"^Q\d{1,3}$")
MAX_BYTES = 5_000_000
MAX_ANSWER = 200
MAX_REPLY = 4000  # as your_turn.MAX_REPLY
ATTEMPT_ID = re.compile(r"^[a-z0-9-]{1,80}@\d{1,12}(\.\d{1,3})?$")


class Refused(ValueError):
    """A file that cannot be restored; the message is meant for the learner."""


@dataclass
class Outcome:
    ok: bool
    message: str
    changed: dict[str, int] = field(default_factory=dict)


#: set by BinderHub in every session it launches (its spawner's environment)
BINDER_VARIABLES = ("BINDER_LAUNCH_HOST", "BINDER_REPO_URL", "BINDER_REF_URL", "BINDER_REQUEST",
                    "BINDER_PERSISTENT_REQUEST")


def session_kind(environ=None, platform: str | None = None) -> str:
    """'binder' (temporary: nothing kept), 'browser' (JupyterLite: kept in this browser) or 'local'."""
    import os
    import sys

    environ = os.environ if environ is None else environ
    if (platform or sys.platform) == "emscripten":
        return "browser"
    if any(environ.get(v) for v in BINDER_VARIABLES):
        return "binder"
    return "local"


def course_root(start: str | Path | None = None) -> Path:
    """The folder that holds ``course/`` and ``exercises/``: the nearest one above ``start``."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "exercises").is_dir() or (folder / "course").is_dir():
            return folder
    return here


def exercise_folders(root: Path) -> dict[str, Path]:
    base = root / "exercises"
    if not base.is_dir():
        return {}
    return {p.name: p for p in sorted(base.iterdir()) if p.is_dir() and EXERCISE_ID.match(p.name)}


def _stamped_answers(progress: Progress, root: Path) -> dict[str, dict[str, dict]]:
    """Every saved answer under ``root/exercises`` with the time it was given."""
    ledger = progress.data.get("answer_stamps") if type(progress.data.get("answer_stamps")) is dict else {}
    out: dict[str, dict[str, dict]] = {}
    for ex_id, folder in exercise_folders(root).items():
        saved, _ = answers_file.load(ex_id, folder)
        if not saved:
            continue
        mtime = round(answers_file.path_for(ex_id, folder).stat().st_mtime, 3)
        known = ledger.get(ex_id) if type(ledger.get(ex_id)) is dict else {}
        entries = {}
        for qid, value in saved.items():
            seen = known.get(qid)
            if type(seen) is dict and seen.get("value") == value and type(seen.get("stamp")) in (int, float):
                entries[qid] = {"value": value, "stamp": float(seen["stamp"])}
            else:
                entries[qid] = {"value": value, "stamp": mtime}
        out[ex_id] = entries
    return out


def export(progress: Progress, root: str | Path) -> dict:
    """Everything the learner would lose with this session, as one JSON-ready dict.

    The time each answer was first seen is remembered in the record, so an answer keeps its own
    time when another answer in the same file changes later.
    """
    progress.reload()
    answers = _stamped_answers(progress, Path(root))
    if answers != progress.data.get("answer_stamps", {}):
        progress.data["answer_stamps"] = answers
        progress.save()
    return {
        "format": FORMAT, "version": VERSION, "exported": now(),
        # records written before stamps existed get their minute as the stamp
        "activities": {k: {**v, "stamp": stamp_of(v)} for k, v in progress.data["activities"].items()},
        "profiles": [{**p, "stamp": stamp_of(p)} for p in progress.data["profiles"]],
        "answers": answers,
        "attempts": progress.attempts(),
    }


def dumps(progress: Progress, root: str | Path) -> str:
    return json.dumps(export(progress, root), indent=1, sort_keys=True) + "\n"


def filename() -> str:
    import time

    return f"powercoach-progress-{time.strftime('%Y-%m-%d')}.json"


def _number(value) -> bool:
    return type(value) in (int, float) and value >= 0


def parse(content: str | bytes) -> dict:
    """The file's data, checked; ``Refused`` says what is wrong with it."""
    if isinstance(content, bytes | bytearray | memoryview):
        if len(content) > MAX_BYTES:
            raise Refused(f"the file is {len(content) // 1_000_000} MB; a progress file is far smaller, "
                          "so this is not one")
        try:
            content = bytes(content).decode("utf-8")
        except UnicodeDecodeError:
            raise Refused("the file is not text (it may be another kind of file, or damaged)") from None
    try:
        data = json.loads(content)
    except json.JSONDecodeError as err:
        raise Refused(f"the file is damaged: it is not valid JSON ({err.msg} at line {err.lineno})") from None
    if type(data) is not dict or data.get("format") != FORMAT:
        raise Refused("this is not a powercoach progress file (download one from the start page's "
                      "'Download my progress' button)")
    version = data.get("version")
    if version != VERSION:
        if type(version) is int and version < VERSION:
            why = f"it was made by an older powercoach (file format {version})"
        elif type(version) is int:
            why = f"it was made by a newer powercoach (file format {version}); update this course to restore it"
        else:
            why = "its format version is missing or not a number"
        raise Refused(f"this progress file cannot be read here: {why}; this page reads format {VERSION}")
    problems = list(_problems(data))
    if problems:
        shown = "; ".join(problems[:3]) + ("; ..." if len(problems) > 3 else "")
        raise Refused(f"the file is damaged: {shown}")
    return data


def _problems(data: dict):
    activities, profiles, answers = data.get("activities"), data.get("profiles"), data.get("answers")
    if type(activities) is not dict:
        yield "'activities' is missing or not an object"
    else:
        for key, e in activities.items():
            ok = (type(e) is dict and type(e.get("module")) is int and type(e.get("activity")) is str
                  and key == f"{e['module']:02d}/{e['activity']}"
                  and all(_number(e.get(f)) for f in ("score", "total", "best", "stamp"))
                  and e["score"] <= e["total"] and e["best"] <= e["total"])
            if not ok:
                yield f"activity '{key}' is not a drill score"
    if type(profiles) is not list:
        yield "'profiles' is missing or not a list"
    else:
        for n, p in enumerate(profiles, 1):
            ok = (type(p) is dict and type(p.get("label")) is str and _number(p.get("stamp"))
                  and type(p.get("ratings")) is dict
                  and all(type(k) is str and type(v) is int and 1 <= v <= 5 for k, v in p["ratings"].items()))
            if not ok:
                yield f"profile {n} is not a self-assessment"
    if type(answers) is not dict:
        yield "'answers' is missing or not an object"
    else:
        for ex_id, entries in answers.items():
            if not EXERCISE_ID.match(str(ex_id)) or type(entries) is not dict:
                yield f"'{ex_id}' is not an exercise"
                continue
            for qid, e in entries.items():
                if not (QUESTION_ID.match(qid) and type(e) is dict and type(e.get("value")) is str
                        and 0 < len(e["value"]) <= MAX_ANSWER and _number(e.get("stamp"))):
                    yield f"answer {ex_id} {qid} is not a saved click"
    attempts = data.get("attempts", [])
    if type(attempts) is not list:
        yield "'attempts' is not a list"
    else:
        for n, a in enumerate(attempts, 1):
            if not _attempt_ok(a):
                yield f"practice reply {n} is not a Your turn reply"


def _short_strings(value, most: int, length: int) -> bool:
    return type(value) is list and len(value) <= most and all(type(v) is str and len(v) <= length for v in value)


def _attempt_ok(a) -> bool:
    return (type(a) is dict and type(a.get("id")) is str and bool(ATTEMPT_ID.match(a["id"]))
            and type(a.get("scene")) is str and a["id"].startswith(a["scene"] + "@")
            and type(a.get("technique")) is str and len(a["technique"]) <= 60
            and type(a.get("reply")) is str and len(a["reply"]) <= MAX_REPLY
            and _short_strings(a.get("pitfalls"), 20, 60) and _short_strings(a.get("strengths"), 20, 60)
            and type(a.get("rating")) is dict and len(a["rating"]) <= 20
            and all(type(k) is str and len(k) <= 3 and type(v) is str and len(v) <= 40 for k, v in a["rating"].items())
            and _number(a.get("stamp")))


def _written_at(attempt: dict) -> float:
    """When a reply was first written: the time in its id (its stamp moves on when it is rated)."""
    try:
        return float(str(attempt.get("id")).rsplit("@", 1)[1])
    except (IndexError, ValueError):
        return stamp_of(attempt)


def _profile_key(p: dict) -> tuple:
    return (p["label"], round(stamp_of(p), 3), json.dumps(p["ratings"], sort_keys=True))


def restore(content: str | bytes, progress: Progress, root: str | Path) -> Outcome:
    """Merge a downloaded progress file into this record and these answers files."""
    try:
        incoming = parse(content)
    except Refused as err:
        return Outcome(False, f"Not restored: {err}. Nothing here was changed.")
    root = Path(root)
    progress.reload()
    changed = {"activities": 0, "profiles": 0, "answers": 0, "attempts": 0}

    activities = progress.data["activities"]
    for key, theirs in incoming["activities"].items():
        ours = activities.get(key)
        if ours is None or stamp_of(theirs) > stamp_of(ours):
            merged = dict(theirs)
            if ours is not None:
                merged["best"] = max(theirs["best"], ours.get("best", 0))
            activities[key] = merged
            changed["activities"] += 1

    have = {_profile_key(p) for p in progress.data["profiles"]}
    for p in incoming["profiles"]:
        if _profile_key(p) not in have:
            progress.data["profiles"].append(dict(p))
            have.add(_profile_key(p))
            changed["profiles"] += 1
    progress.data["profiles"].sort(key=stamp_of)

    ours_by_id = {a.get("id"): a for a in progress.attempts()}
    for theirs in incoming.get("attempts", []):
        ours = ours_by_id.get(theirs["id"])
        if ours is None or theirs["stamp"] > stamp_of(ours):
            ours_by_id[theirs["id"]] = dict(theirs)
            changed["attempts"] += 1
    if changed["attempts"]:
        from .progress import MAX_ATTEMPTS

        written = sorted(ours_by_id.values(), key=_written_at)
        progress.data["attempts"] = written[-MAX_ATTEMPTS:]  # in the order they were written

    local = _stamped_answers(progress, root)
    ledger = progress.data.setdefault("answer_stamps", {})
    failures, written = [], set()
    for ex_id, entries in incoming["answers"].items():
        ours = local.get(ex_id, {})
        merged = dict(ours)
        taken = 0
        for qid, theirs in entries.items():
            if qid not in ours or theirs["stamp"] > ours[qid]["stamp"]:
                merged[qid] = {"value": theirs["value"], "stamp": float(theirs["stamp"])}
                taken += 1
        if not taken:
            continue
        folder = root / "exercises" / ex_id
        try:
            folder.mkdir(parents=True, exist_ok=True)
            answers_file.save(ex_id, {q: e["value"] for q, e in sorted(merged.items())}, folder)
        except OSError as err:
            failures.append(f"{ex_id} ({err.strerror or err})")
            continue
        ledger[ex_id] = merged
        written.add(ex_id)
        changed["answers"] += taken
    for ex_id, entries in local.items():  # remember when each local answer was first seen
        if ex_id not in written:
            ledger[ex_id] = entries

    saved = progress.save()
    parts = [f"{changed['activities']} drill scores", f"{changed['profiles']} profiles",
             f"{changed['answers']} exercise answers", f"{changed['attempts']} practice replies"]
    if not any(changed.values()):
        message = "Restored: everything in the file was already here, or older than what is here."
    else:
        message = f"Restored: {', '.join(parts)} taken from the file; newer entries here were kept."
    if failures:
        message += f" These exercises could not be written: {', '.join(failures)}."
    if not saved:
        message += " " + " ".join(progress.warnings)
    return Outcome(saved and not failures, message, changed)
