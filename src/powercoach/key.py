"""The answer key: each item's right answer and why, wherever it is allowed to live.

Practice items and sets carry their answers in the package, because the drills need them.
Assessment items and sets do not. They come in two pools (``bank.KEYED``), each with a key
folder of the same shape:

- the **self-study pool** (``use`` = ``assessment``): its key is ``key/`` in the repository, public,
  so a self-learner can check an exercise (on Binder, or in a copy of the whole course);
- the **class pool** (``use`` = ``class``): its key is committed only sealed
  (``sealed/class-key.sealed``); an instructor unseals it into ``class-key/`` in their private
  course folder (``powercoach key unseal``), which git ignores.

A key folder holds ``items.csv`` (``item_id,label,pitfall,rationale,better_response``) and
``best_worst.json`` (``[{"set_id", "best", "worst", "reasons": {"A": ..., "D": ...}}]``) for every
item and set of its pool, and nothing of the other pool.

A :class:`Key` answers for practice items and for its own pool. ``PRACTICE`` is the package alone
(it raises :class:`KeyMissing` for any pool's item); :func:`load` reads a key folder, validated
against the bank; :func:`find` looks for the self-study key (``POWERCOACH_KEY``, or ``key/`` in
the current folder or above it, as on Binder where the whole repository is checked out).
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
CLASS_FOLDER = "class-key"  # where ``powercoach key unseal`` writes the class pool's key, in the course folder
WHERE = {"assessment": "the self-study key (key/)", "class": "the class key, which is sealed; an instructor "
         "unseals it into class-key/ with: powercoach key unseal"}
ITEMS, SETS = "items.csv", "best_worst.json"
ITEM_COLUMNS = ("item_id", *bank.ANSWER_COLUMNS)


class KeyMissing(PowercoachError, LookupError):
    """An assessment answer was asked for where the instructor's key is not."""


@dataclass(frozen=True)
class Key:
    folder: Path | None = None
    answers: dict[str, dict] = field(default_factory=dict)  # item id of this key's pool -> merged row
    picks: dict[str, dict] = field(default_factory=dict)  # set id of this key's pool -> merged set
    pool: str | None = None  # "assessment" (self-study) or "class"; None for the package alone

    def item(self, item_id: str) -> dict:
        """The item with its answer (label, pitfall, rationale, better response)."""
        row = bank.item(item_id)
        if row["use"] == "practice":
            return row
        if item_id not in self.answers:
            raise KeyMissing(f"{item_id} is a {_pool_name(row['use'])} item; "
                             f"its answer is only in {WHERE[row['use']]}.")
        return dict(self.answers[item_id])

    def best_worst(self, set_id: str) -> dict:
        """The set with its best and worst picks and a reason per option."""
        s = bank.best_worst_set(set_id)
        if s["use"] == "practice":
            return s
        if set_id not in self.picks:
            raise KeyMissing(f"{set_id} is a {_pool_name(s['use'])} set; its picks are only in {WHERE[s['use']]}.")
        return self.picks[set_id]

    def rows(self, uses=bank.PUBLIC) -> list[dict]:
        """Every bank row of ``uses`` with its answer, in module order (needs this key's pool)."""
        return [self.item(i) for i, r in bank.rows().items() if r["use"] in uses]

    def sets(self, uses=bank.PUBLIC) -> dict[str, dict]:
        return {i: self.best_worst(i) for i, s in bank.best_worst_sets().items() if s["use"] in uses}


def _pool_name(use: str) -> str:
    return "self-study assessment" if use == "assessment" else "class-pool"


PRACTICE = Key()


def _read_items(path: Path) -> tuple[str, dict[str, dict]]:
    """(pool, answers): a key's items.csv answers every item of one pool, the pool of its first row."""
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
    pool = None
    for row in reader:
        if None in row or any(v is None for v in row.values()):
            raise DataError(f"{path.name}, line {reader.line_num}: wrong number of fields (an unquoted comma?).")
        item_id = row["item_id"].strip()
        scene = bank.rows().get(item_id)
        if scene is None or scene["use"] not in bank.KEYED:
            raise DataError(f"{path.name}, line {reader.line_num}: '{item_id}' is not an assessment item "
                            "of the bank.")
        pool = pool or scene["use"]
        if scene["use"] != pool:
            raise DataError(f"{path.name}, line {reader.line_num}: '{item_id}' is a {_pool_name(scene['use'])} item, "
                            f"but this key answers the {_pool_name(pool)} pool; keep each pool's key in its own "
                            "folder.")
        if item_id in out:
            raise DataError(f"{path.name}, line {reader.line_num}: '{item_id}' has two answers.")
        out[item_id] = {**scene, **{c: row[c].strip() for c in bank.ANSWER_COLUMNS},
                        "module": str(scene["module"]), "_where": f"{path.name}, line {reader.line_num}"}
    if pool is None:
        raise DataError(f"{path.name} answers no item.")
    lacking = [i for i, r in bank.rows().items() if r["use"] == pool and i not in out]
    if lacking:
        raise DataError(f"{path.name} lacks the answer to {lacking[0]}"
                        + (f" and {len(lacking) - 1} more items of its pool." if len(lacking) > 1 else "."))
    bank.validate_rows(list(out.values()), with_answers=True)
    return pool, {i: {**{c: r[c] for c in bank.COLUMNS}, "module": int(r["module"])} for i, r in out.items()}


def _read_sets(path: Path, pool: str) -> dict[str, dict]:
    from .catalog import read_json

    entries = read_json(path)
    if not isinstance(entries, list):
        raise DataError(f"{path.name} must hold a list of picks.")
    out: dict[str, dict] = {}
    for n, entry in enumerate(entries, 1):
        set_id = entry.get("set_id") if isinstance(entry, dict) else None
        scene = bank.best_worst_sets().get(set_id)
        if scene is None or scene["use"] != pool:
            raise DataError(f"{path.name}, entry {n}: '{set_id}' is not a {_pool_name(pool)} set of the bank.")
        reasons = entry.get("reasons")
        if not isinstance(reasons, dict):
            raise DataError(f"{path.name}, entry {n} ({set_id}): needs 'reasons', one per option A to D.")
        out[set_id] = {**scene, "best": entry.get("best"), "worst": entry.get("worst"),
                       "options": [{**o, "reason": reasons.get(o["key"])} for o in scene["options"]]}
    lacking = [i for i, s in bank.best_worst_sets().items() if s["use"] == pool and i not in out]
    if lacking:
        raise DataError(f"{path.name} lacks the picks of {', '.join(lacking)}.")
    bank.validate_sets(list(out.values()), path.name, with_answers=True)
    return out


@cache
def _load(folder: str) -> Key:
    path = Path(folder)
    pool, answers = _read_items(path / ITEMS)
    return Key(path, answers, _read_sets(path / SETS, pool), pool)


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
