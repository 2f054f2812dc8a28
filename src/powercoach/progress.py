"""The learner's own record: drill scores per module, self-assessment profiles and the replies
written in *Your turn* (``attempts``: scene, reply, what the reader suspected, the learner's own
rating, when).

Kept in a small JSON file in the learner's home (``~/.powercoach/progress.json``, or the path in
``POWERCOACH_PROGRESS``). A damaged file is set aside as a backup and a fresh record starts; an
unwritable place keeps the record in memory for this session. Either way the learner gets a
warning, never a traceback, and nothing earlier is lost.

Every activity and profile carries ``stamp``, seconds since 1970 (UTC) when it was written, so a
restored progress file (``portable.py``) can tell which of two entries is newer. Each change
re-reads the file first: a drill in another notebook, or a restore on the start page, may have
written it since this record was loaded.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

VERSION = 1
#: the newest replies kept (a learner practising daily for a year stays well under this)
MAX_ATTEMPTS = 500


#: in the browser-only edition (Pyodide), files persist only on the site's drive (IndexedDB)
BROWSER_DRIVE = Path("/drive")


def default_path() -> Path:
    if os.environ.get("POWERCOACH_PROGRESS"):
        return Path(os.environ["POWERCOACH_PROGRESS"])
    if sys.platform == "emscripten" and BROWSER_DRIVE.is_dir():
        return BROWSER_DRIVE / "my-progress" / "progress.json"
    return Path.home() / ".powercoach" / "progress.json"


def empty() -> dict:
    return {"version": VERSION, "activities": {}, "profiles": []}


def now() -> float:
    return round(time.time(), 3)


def stamp_of(entry: dict) -> float:
    """When an entry was written: its ``stamp``, or for records older than stamps, its minute."""
    if type(entry.get("stamp")) in (int, float):
        return float(entry["stamp"])
    text = entry.get("updated") or entry.get("saved")
    try:
        return time.mktime(time.strptime(text, "%Y-%m-%d %H:%M"))
    except (TypeError, ValueError):
        return 0.0


def valid(data) -> bool:
    return (type(data) is dict and type(data.get("activities")) is dict
            and type(data.get("profiles")) is list)


class Progress:
    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path else default_path()
        self.warnings: list[str] = []
        self.data = self._load()

    def reload(self) -> None:
        """Pick up what another notebook (or a restore) wrote; keep memory if the file is unusable."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            return
        if valid(data):
            self.data = data

    def _load(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, NotADirectoryError):
            return empty()
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            return self._set_aside(f"could not be read ({err.__class__.__name__})")
        if not valid(data):
            return self._set_aside("is not a progress record")
        return data

    def _set_aside(self, why: str) -> dict:
        backup = self.path.with_name(f"{self.path.name}.{time.strftime('%Y%m%d-%H%M%S')}.bak")
        try:
            self.path.replace(backup)
            kept = f"it was kept as {backup.name}"
        except OSError:
            kept = "it was left where it is"
        self.warnings.append(f"Your progress file {self.path} {why}; {kept}, and a fresh record starts now.")
        return empty()

    def save(self) -> bool:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".progress", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(self.data, handle, indent=1, sort_keys=True)
            os.replace(tmp, self.path)
            return True
        except OSError as err:
            message = (f"Your progress cannot be saved to {self.path} ({err.strerror or err}); it is kept "
                       "for this session only. Set POWERCOACH_PROGRESS to a file you can write.")
            if message not in self.warnings:
                self.warnings.append(message)
            return False

    def record(self, module: int, activity: str, score: int, total: int) -> None:
        """Keep the latest and the best score of an activity (a drill, an exercise check)."""
        self.reload()
        key = f"{module:02d}/{activity}"
        old = self.data["activities"].get(key, {})
        self.data["activities"][key] = {
            "module": module, "activity": activity, "score": score, "total": total,
            "best": max(score, old.get("best", 0)), "updated": time.strftime("%Y-%m-%d %H:%M"), "stamp": now(),
        }
        self.save()

    def by_module(self) -> dict[int, tuple[int, int]]:
        """(points, out of) per module, from each activity's best score."""
        out: dict[int, tuple[int, int]] = {}
        for entry in self.data["activities"].values():
            points, total = out.get(entry["module"], (0, 0))
            out[entry["module"]] = (points + entry["best"], total + entry["total"])
        return out

    def add_profile(self, label: str, ratings: dict[str, int]) -> None:
        self.reload()
        self.data["profiles"].append({"label": label, "ratings": dict(ratings),
                                      "saved": time.strftime("%Y-%m-%d %H:%M"), "stamp": now()})
        self.save()

    def profiles(self) -> list[dict]:
        return list(self.data["profiles"])

    def attempts(self) -> list[dict]:
        """The replies written in *Your turn*, oldest first (a record older than attempts has none)."""
        found = self.data.get("attempts")
        return [dict(a) for a in found if type(a) is dict] if type(found) is list else []

    def add_attempt(self, entry: dict) -> str:
        """Keep one reply (``your_turn.attempt``) with its time; returns its id for a later rating."""
        self.reload()
        kept = self.attempts()
        stamp = max([now()] + [float(a.get("stamp", 0)) + 0.001 for a in kept if a.get("scene") == entry["scene"]])
        stamp = round(stamp, 3)  # two replies to one scene within a millisecond still get their own ids
        attempt_id = f"{entry['scene']}@{stamp:.3f}"
        kept.append({**entry, "id": attempt_id, "saved": time.strftime("%Y-%m-%d %H:%M"), "stamp": stamp})
        self.data["attempts"] = kept[-MAX_ATTEMPTS:]
        self.save()
        return attempt_id

    def rate_attempt(self, attempt_id: str, rating: dict[str, str]) -> bool:
        """Store the learner's self-rating of a reply; False when that reply is no longer kept."""
        self.reload()
        kept = self.attempts()
        for a in kept:
            if a.get("id") == attempt_id:
                a["rating"], a["stamp"] = dict(rating), max(now(), float(a.get("stamp", 0)))
                self.data["attempts"] = kept
                self.save()
                return True
        return False
