"""The technique and pitfall catalogues (data/techniques.json, data/pitfalls.json).

Loaded once and validated, so every other module can trust ids and titles.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from .errors import DataError

DATA = resources.files("powercoach") / "data"

TECHNIQUE_FIELDS = ("id", "module", "title", "summary", "good", "poor", "icf")
PITFALL_FIELDS = ("id", "title", "description")


@dataclass(frozen=True)
class Technique:
    id: str
    module: int
    title: str
    summary: str
    good: str
    poor: str
    icf: tuple[int, ...]


@dataclass(frozen=True)
class Pitfall:
    id: str
    title: str
    description: str


def read_json(path: Path | resources.abc.Traversable):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{path} is missing: reinstall powercoach (pip install -e .).") from None
    except json.JSONDecodeError as err:
        raise DataError(
            f"{path} is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})."
        ) from None


def _require(entry: dict, fields: tuple[str, ...], where: str) -> None:
    if not isinstance(entry, dict):
        raise DataError(f"{where} must be an object with {', '.join(fields)}.")
    missing = [f for f in fields if entry.get(f) in (None, "", [])]
    if missing:
        raise DataError(f"{where} lacks {', '.join(missing)}.")


def _entries(entries: list, fields: tuple[str, ...], kind: str, source: str):
    """(where, entry) for each complete entry with a new id; else a DataError naming it."""
    seen: set[str] = set()
    for n, entry in enumerate(entries, 1):
        where = f"{source}, {kind} {n} ({entry.get('id', '?') if isinstance(entry, dict) else '?'})"
        _require(entry, fields, where)
        if entry["id"] in seen:
            raise DataError(f"{where}: the id is used twice.")
        seen.add(entry["id"])
        yield where, entry


def parse_techniques(raw: dict, source: str = "techniques.json") -> dict[str, Technique]:
    """Validate the technique catalogue; the message names the entry at fault."""
    icf = raw.get("icf_competencies", {}) if isinstance(raw, dict) else {}
    entries = raw.get("techniques") if isinstance(raw, dict) else None
    if not isinstance(entries, list) or not entries:
        raise DataError(f"{source} needs a non-empty list under 'techniques'.")
    out: dict[str, Technique] = {}
    for where, entry in _entries(entries, TECHNIQUE_FIELDS, "technique", source):
        bad = [c for c in entry["icf"] if str(c) not in icf]
        if bad:
            raise DataError(f"{where}: unknown ICF competency {bad}; use 1 to 8.")
        out[entry["id"]] = Technique(**{**entry, "icf": tuple(entry["icf"])})
    modules = sorted(t.module for t in out.values())
    if modules != list(range(1, len(out) + 1)):
        raise DataError(f"{source}: modules must be numbered 1 to {len(out)} once each.")
    return out


def parse_pitfalls(raw: list, source: str = "pitfalls.json") -> dict[str, Pitfall]:
    if not isinstance(raw, list) or not raw:
        raise DataError(f"{source} must be a non-empty list of pitfalls.")
    return {entry["id"]: Pitfall(**{k: entry[k] for k in PITFALL_FIELDS})
            for _, entry in _entries(raw, PITFALL_FIELDS, "pitfall", source)}


@cache
def _techniques_file() -> dict:
    return read_json(DATA / "techniques.json")


@cache
def techniques() -> dict[str, Technique]:
    """The twelve techniques by id, in module order."""
    return parse_techniques(_techniques_file())


@cache
def pitfalls() -> dict[str, Pitfall]:
    """The twelve pitfalls by id, in taxonomy order."""
    return parse_pitfalls(read_json(DATA / "pitfalls.json"))


@cache
def icf_competencies() -> dict[int, str]:
    return {int(k): v for k, v in _techniques_file()["icf_competencies"].items()}


def technique_for_module(module: int) -> Technique:
    for t in techniques().values():
        if t.module == module:
            return t
    raise DataError(f"No technique for module {module}; modules run from 1 to {len(techniques())}.")


CONFIDENTIALITY_FIELDS = ("code", "standard", "code_examples", "limits", "statement", "spoken", "tell_first")


@cache
def confidentiality() -> dict:
    """The limits of confidentiality as the course states them (data/confidentiality.json).

    Checked here: every field and every limit is complete. tests/test_confidentiality.py holds the
    lessons to this wording.
    """
    raw = read_json(DATA / "confidentiality.json")
    _require(raw, CONFIDENTIALITY_FIELDS, "confidentiality.json")
    for i, limit in enumerate(raw["limits"]):
        _require(limit, ("id", "code", "plain", "spoken"), f"confidentiality.json limit {i + 1}")
    return raw


STANDARD_FILES = {"self-study": "pass_standards.json", "class": "class_pass_standards.json"}


@cache
def pass_standards(pool: str = "self-study") -> dict:
    """Each exercise's pass standard and the course's for ``pool``'s papers (data/pass_standards.json
    for self-study, data/class_pass_standards.json for a class), as a panel of coach educators set
    them (powercoach.instructor.standard holds the method and the check)."""
    name = STANDARD_FILES[pool]
    raw = read_json(DATA / name)
    _require(raw, ("method", "judges", "exercises", "course"), name)
    for exercise, s in raw["exercises"].items():
        _require(s, ("pass", "of"), f"{name} {exercise}")
        if not 0 < s["pass"] <= s["of"]:
            raise DataError(f"{name}: {exercise} passes at {s['pass']} of {s['of']} points.")
    return raw
