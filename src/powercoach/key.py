"""The answer key: each item's right answer and why, wherever it is allowed to live.

Practice items and sets carry their answers in the package, because the drills need them.
Assessment items and sets do not: their answers live only in the instructor's course folder,
in ``key/`` beside ``solutions/`` (never in the package, ``exercises/`` or a release):

- ``key/items.csv``: ``item_id,label,pitfall,rationale,better_response`` per assessment item;
- ``key/best_worst.json``: ``[{"set_id", "best", "worst", "reasons": {"A": ..., "D": ...}}]``.

A :class:`Key` answers for both kinds. ``PRACTICE`` is the package alone (it raises
:class:`KeyMissing` for an assessment item); :func:`load` adds a key folder, validated against
the bank; :func:`find` looks for one (``POWERCOACH_KEY``, or ``key/`` in the current folder or
above it, as on Binder where the whole repository is checked out).
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from . import bank
from .errors import DataError, PowercoachError

ENV = "POWERCOACH_KEY"
ITEMS, SETS = "items.csv", "best_worst.json"
ITEM_COLUMNS = ("item_id", *bank.ANSWER_COLUMNS)


class KeyMissing(PowercoachError, LookupError):
    """An assessment answer was asked for where the instructor's key is not."""


@dataclass(frozen=True)
class Key:
    folder: Path | None = None
    answers: dict[str, dict] = field(default_factory=dict)  # assessment item id -> merged row
    picks: dict[str, dict] = field(default_factory=dict)  # assessment set id -> merged set

    def item(self, item_id: str) -> dict:
        """The item with its answer (label, pitfall, rationale, better response)."""
        row = bank.item(item_id)
        if row["use"] != "assessment":
            return row
        if item_id not in self.answers:
            raise KeyMissing(f"{item_id} is an assessment item; its answer is only in the instructor's key.")
        return dict(self.answers[item_id])

    def best_worst(self, set_id: str) -> dict:
        """The set with its best and worst picks and a reason per option."""
        s = bank.best_worst_set(set_id)
        if s["use"] != "assessment":
            return s
        if set_id not in self.picks:
            raise KeyMissing(f"{set_id} is an assessment set; its picks are only in the instructor's key.")
        return self.picks[set_id]

    def rows(self) -> list[dict]:
        """Every bank row with its answer, in module order (needs a key for assessment rows)."""
        return [self.item(i) for i in bank.rows()]

    def sets(self) -> dict[str, dict]:
        return {i: self.best_worst(i) for i in bank.best_worst_sets()}


PRACTICE = Key()


def _read_items(path: Path) -> dict[str, dict]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"The key has no {path.name} ({path}).") from None
    except UnicodeDecodeError:
        raise DataError(f"{path} is not UTF-8 text; save it as UTF-8 CSV.") from None
    reader = csv.DictReader(text.splitlines(keepends=True))
    missing = [c for c in ITEM_COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise DataError(f"{path.name}: missing column(s) {', '.join(missing)}.")
    out: dict[str, dict] = {}
    for row in reader:
        if None in row or any(v is None for v in row.values()):
            raise DataError(f"{path.name}, line {reader.line_num}: wrong number of fields (an unquoted comma?).")
        item_id = row["item_id"].strip()
        scene = bank.rows().get(item_id)
        if scene is None or scene["use"] != "assessment":
            raise DataError(f"{path.name}, line {reader.line_num}: '{item_id}' is not an assessment item of the bank.")
        if item_id in out:
            raise DataError(f"{path.name}, line {reader.line_num}: '{item_id}' has two answers.")
        out[item_id] = {**scene, **{c: row[c].strip() for c in bank.ANSWER_COLUMNS},
                        "module": str(scene["module"]), "_where": f"{path.name}, line {reader.line_num}"}
    lacking = [i for i, r in bank.rows().items() if r["use"] == "assessment" and i not in out]
    if lacking:
        raise DataError(f"{path.name} lacks the answer to {lacking[0]}"
                        + (f" and {len(lacking) - 1} more assessment items." if len(lacking) > 1 else "."))
    bank.validate_rows(list(out.values()), with_answers=True)
    return {i: {**{c: r[c] for c in bank.COLUMNS}, "module": int(r["module"])} for i, r in out.items()}


def _read_sets(path: Path) -> dict[str, dict]:
    from .catalog import read_json

    entries = read_json(path)
    if not isinstance(entries, list):
        raise DataError(f"{path.name} must hold a list of picks.")
    merged: dict[str, dict] = {}
    for n, entry in enumerate(entries, 1):
        set_id = entry.get("set_id") if isinstance(entry, dict) else None
        scene = bank.best_worst_sets().get(set_id)
        if scene is None or scene["use"] != "assessment":
            raise DataError(f"{path.name}, entry {n}: '{set_id}' is not an assessment set of the bank.")
        reasons = entry.get("reasons")
        if not isinstance(reasons, dict):
            raise DataError(f"{path.name}, entry {n} ({set_id}): needs 'reasons', one per option A to D.")
        merged[set_id] = {**scene, "best": entry.get("best"), "worst": entry.get("worst"),
                          "options": [{**o, "reason": reasons.get(o["key"])} for o in scene["options"]]}
    lacking = [i for i, s in bank.best_worst_sets().items() if s["use"] == "assessment" and i not in merged]
    if lacking:
        raise DataError(f"{path.name} lacks the picks of {', '.join(lacking)}.")
    bank.validate_sets(list(merged.values()), path.name, with_answers=True)
    return merged


@cache
def _load(folder: str) -> Key:
    path = Path(folder)
    return Key(path, _read_items(path / ITEMS), _read_sets(path / SETS))


def load(folder: str | os.PathLike) -> Key:
    """The key in ``folder``, validated against the bank (loaded once per process)."""
    path = Path(folder).resolve()
    if not path.is_dir():
        raise DataError(f"No answer key folder at {path}.")
    return _load(str(path))


def find(start: str | os.PathLike | None = None) -> Key | None:
    """The key named by POWERCOACH_KEY, or the nearest ``key/`` folder from ``start`` (default:
    the current folder) upwards; None where there is none (a learner's own machine or a class)."""
    named = os.environ.get(ENV)
    if named:
        return load(named)
    here = Path(start or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "key" / ITEMS).is_file():
            return load(folder / "key")
    return None


def require(found: Key | None) -> Key:
    if found is None:
        raise KeyMissing("No answer key here: it lives in the instructor's course folder, in key/ beside "
                         f"solutions/. Run this from that folder, or set {ENV} to the key's path.")
    return found
