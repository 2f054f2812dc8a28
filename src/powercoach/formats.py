"""Four more practice formats for the lessons (issue #17, item 7), so the lessons do not all drill
the same way. Each format's content is one JSON file under ``data/formats/``, validated here:

==============  ======================  ===============================================================
kind            file                    what the learner does
==============  ======================  ===============================================================
``transcript``  ``transcripts.json``    reads a short exchange and picks the coach's turn where the
                                        client's power got to the coach
``two_good``    ``two_good.json``       chooses between two sound replies the one that better fits this
                                        client at this moment (no wrong option: a reasoned better fit)
``contrast``    ``contrast.json``       sorts short replies into pitfalls that learners confuse, with
                                        what tells them apart (a contrast table)
``ladder``      ``ladder.json``         marks each part of a coach's feedback as what was observed, its
                                        impact, or an interpretation (Argyris's ladder of inference)
==============  ======================  ===============================================================

Plain Python, no ipywidgets: the widgets in ``widgets/formats.py`` only show what the functions
here return. Everything here is practice, with the answers in the data; nothing is graded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from . import catalog
from .errors import DataError

FILES = {"transcript": "transcripts.json", "two_good": "two_good.json", "contrast": "contrast.json",
         "ladder": "ladder.json"}
SCENE = ("id", "technique", "client_role", "setting", "context")
MIN_TURNS, MAX_TURNS = 5, 8
LADDER_KINDS = {"observation": "what was seen or heard", "impact": "its effect, owned by the speaker",
                "interpretation": "a label, motive, guess or hearsay"}


@dataclass(frozen=True)
class Feedback:
    """What a choice earns: whether it matched (None where no option is wrong), a verdict in words,
    and the explanation line by line."""

    right: bool | None
    verdict: str
    lines: list[str] = field(default_factory=list)


def _text(entry: dict, key: str, where: str) -> str:
    value = entry.get(key) if isinstance(entry, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise DataError(f"{where} lacks '{key}' (a non-empty text).")
    return value


def _list(entry: dict, key: str, where: str, least: int = 1) -> list:
    value = entry.get(key)
    if not isinstance(value, list) or len(value) < least:
        raise DataError(f"{where}: '{key}' must be a list of at least {least}.")
    return value


def _scene(entry: dict, where: str) -> None:
    if not isinstance(entry, dict):
        raise DataError(f"{where} must be an object.")
    for key in SCENE:
        _text(entry, key, where)
    if entry["technique"] not in catalog.techniques():
        raise DataError(f"{where}: unknown technique '{entry['technique']}'.")


def _pitfall(value, where: str) -> None:
    if value not in catalog.pitfalls():
        raise DataError(f"{where}: unknown pitfall '{value}'; use an id from pitfalls.json.")


def validate_transcript(t: dict, where: str) -> None:
    _scene(t, where)
    turns = _list(t, "turns", where, MIN_TURNS)
    if len(turns) > MAX_TURNS:
        raise DataError(f"{where}: {len(turns)} turns; a transcript holds {MIN_TURNS} to {MAX_TURNS}.")
    for n, turn in enumerate(turns, 1):
        if not isinstance(turn, dict) or turn.get("speaker") not in ("client", "coach"):
            raise DataError(f"{where}, turn {n}: 'speaker' must be 'client' or 'coach'.")
        _text(turn, "text", f"{where}, turn {n}")
        if turn["speaker"] == "coach":
            _text(turn, "note", f"{where}, turn {n} (every coach turn explains itself)")
    point = t.get("turning_point")
    if not isinstance(point, int) or isinstance(point, bool) or not 1 <= point <= len(turns):
        raise DataError(f"{where}: 'turning_point' must be a turn number from 1 to {len(turns)}.")
    if turns[point - 1]["speaker"] != "coach":
        raise DataError(f"{where}: 'turning_point' (turn {point}) must be one of the coach's turns.")
    _pitfall(t.get("pitfall"), where)
    _text(t, "better", where)


def validate_two_good(s: dict, where: str) -> None:
    _scene(s, where)
    _text(s, "client_says", where)
    options = _list(s, "options", where, 2)
    if len(options) != 2:
        raise DataError(f"{where}: needs exactly two options, both sound.")
    for n, option in enumerate(options, 1):
        for key in ("key", "text", "why"):
            _text(option, key, f"{where}, option {n}")
    if [o["key"] for o in options] != ["A", "B"]:
        raise DataError(f"{where}: the options' keys are 'A' and 'B', in that order.")
    if s.get("better") not in ("A", "B"):
        raise DataError(f"{where}: 'better' must be 'A' or 'B'.")
    _text(s, "trade_off", where)


def validate_contrast(g: dict, where: str) -> None:
    for key in ("id", "technique", "title"):
        _text(g, key, where)
    if g["technique"] not in catalog.techniques():
        raise DataError(f"{where}: unknown technique '{g['technique']}'.")
    tells = g.get("tells")
    if not isinstance(tells, dict) or not 2 <= len(tells) <= 3:
        raise DataError(f"{where}: 'tells' must name two or three confusable pitfalls, each with what tells it apart.")
    for pitfall, tell in tells.items():
        _pitfall(pitfall, where)
        if not isinstance(tell, str) or not tell.strip():
            raise DataError(f"{where}: the tell of '{pitfall}' is empty.")
    replies = _list(g, "replies", where, 2 * len(tells))
    seen = set()
    for n, reply in enumerate(replies, 1):
        at = f"{where}, reply {n}"
        for key in ("id", "client_role", "client_says", "text", "pitfall", "why"):
            _text(reply, key, at)
        if reply["pitfall"] not in tells:
            raise DataError(f"{at}: pitfall '{reply['pitfall']}' is not one of this table's ({', '.join(tells)}).")
        if reply["id"] in seen:
            raise DataError(f"{at}: the id '{reply['id']}' is used twice.")
        seen.add(reply["id"])
    short = [p for p in tells if sum(r["pitfall"] == p for r in replies) < 2]
    if short:
        raise DataError(f"{where}: each pitfall needs at least two replies to sort; too few for {', '.join(short)}.")


def validate_ladder(d: dict, where: str) -> None:
    _scene(d, where)
    _text(d, "client_says", where)
    parts = _list(d, "parts", where, 3)
    for n, part in enumerate(parts, 1):
        for key in ("text", "kind", "why"):
            _text(part, key, f"{where}, part {n}")
        if part["kind"] not in LADDER_KINDS:
            raise DataError(f"{where}, part {n}: kind '{part['kind']}' must be one of {', '.join(LADDER_KINDS)}.")
    if len({p["kind"] for p in parts}) < 2:
        raise DataError(f"{where}: the parts must hold at least two kinds, or there is nothing to tell apart.")
    _text(d, "rewrite", where)


VALIDATORS = {"transcript": validate_transcript, "two_good": validate_two_good, "contrast": validate_contrast,
              "ladder": validate_ladder}


def parse(kind: str, raw, source: str | None = None) -> dict[str, dict]:
    """The entries of one format's file by id, validated; a DataError names the entry at fault."""
    if kind not in FILES:
        raise DataError(f"Unknown practice format '{kind}'; the formats are {', '.join(FILES)}.")
    source = source or FILES[kind]
    entries = raw.get("items") if isinstance(raw, dict) else None
    if not isinstance(entries, list) or not entries:
        raise DataError(f"{source} needs a non-empty list under 'items'.")
    out: dict[str, dict] = {}
    for n, entry in enumerate(entries, 1):
        where = f"{source}, item {n} ({entry.get('id', '?') if isinstance(entry, dict) else '?'})"
        VALIDATORS[kind](entry, where)
        if entry["id"] in out:
            raise DataError(f"{where}: the id is used twice.")
        if entry.get("use", "practice") != "practice":
            raise DataError(f"{where}: these formats hold practice items only (no 'use: assessment').")
        out[entry["id"]] = entry
    return out


@cache
def load(kind: str) -> dict[str, dict]:
    if kind not in FILES:
        raise DataError(f"Unknown practice format '{kind}'; the formats are {', '.join(FILES)}.")
    return parse(kind, catalog.read_json(catalog.DATA / "formats" / FILES[kind]))


def items(kind: str, technique: str | None = None, ids: list[str] | None = None) -> list[dict]:
    """A format's entries: those named by ``ids`` (in that order), else a technique's, else all."""
    every = load(kind)
    if ids is not None:
        unknown = [i for i in ids if i not in every]
        if unknown:
            raise DataError(f"No {kind} item with id {', '.join(unknown)}.")
        return [every[i] for i in ids]
    chosen = [e for e in every.values() if technique is None or e["technique"] == technique]
    if not chosen:
        raise DataError(f"No {kind} items for {technique or 'any technique'}.")
    return chosen


def mark_transcript(t: dict, turn: int) -> Feedback:
    """The learner picked coach turn number ``turn`` (1-based) as where power got to the coach."""
    turns = t["turns"]
    if not 1 <= turn <= len(turns) or turns[turn - 1]["speaker"] != "coach":
        raise ValueError(f"Turn {turn} is not one of the coach's turns.")
    point = t["turning_point"]
    pitfall = catalog.pitfalls()[t["pitfall"]].title
    if turn == point:
        lines = [turns[turn - 1]["note"], f"The pitfall: {pitfall}.", f"A reply that holds its ground: {t['better']}"]
        return Feedback(True, f"Yes: turn {turn} is where the client's power got to the coach.", lines)
    lines = [f"Turn {turn}: {turns[turn - 1]['note']}", f"Look again at turn {point}: {turns[point - 1]['note']}",
             f"The pitfall there: {pitfall}.", f"A reply that holds its ground: {t['better']}"]
    return Feedback(False, f"Not that one: the turn is {point}.", lines)


def mark_two_good(s: dict, key: str) -> Feedback:
    """Both options are sound; say which fits this client better now, and why, without calling one wrong."""
    if key not in ("A", "B"):
        raise ValueError("Choose A or B.")
    by_key = {o["key"]: o for o in s["options"]}
    better, other = by_key[s["better"]], by_key["B" if s["better"] == "A" else "A"]
    lines = [f"{better['key']} (the better fit): {better['why']}", f"{other['key']} (also sound): {other['why']}",
             f"The trade-off: {s['trade_off']}"]
    if key == s["better"]:
        return Feedback(True, f"{key} is the better fit here.", lines)
    return Feedback(False, f"{key} is sound, but {s['better']} fits this client better at this moment.", lines)


def mark_contrast(group: dict, reply_id: str, pitfall: str) -> Feedback:
    """The learner sorted one reply under ``pitfall``; the feedback names the tell of each."""
    reply = next((r for r in group["replies"] if r["id"] == reply_id), None)
    if reply is None:
        raise ValueError(f"No reply '{reply_id}' in {group['id']}.")
    if pitfall not in group["tells"]:
        raise ValueError(f"'{pitfall}' is not one of this table's pitfalls.")
    titles = catalog.pitfalls()
    right = reply["pitfall"]
    lines = [reply["why"], f"What tells {titles[right].title.lower()} apart: {group['tells'][right]}"]
    if pitfall == right:
        return Feedback(True, f"Yes: {titles[right].title.lower()}.", lines)
    lines.append(f"And {titles[pitfall].title.lower()}, which you chose: {group['tells'][pitfall]}")
    return Feedback(False, f"Not {titles[pitfall].title.lower()}: this is {titles[right].title.lower()}.", lines)


def mark_ladder(d: dict, answers: dict[int, str]) -> Feedback:
    """The learner marked each part (1-based) as observation, impact or interpretation."""
    parts = d["parts"]
    missing = [n for n in range(1, len(parts) + 1) if answers.get(n) not in LADDER_KINDS]
    if missing:
        raise ValueError(f"Mark every part first; not yet marked: {', '.join(map(str, missing))}.")
    lines, right = [], 0
    for n, part in enumerate(parts, 1):
        ok = answers[n] == part["kind"]
        right += ok
        said = "right" if ok else f"you said {answers[n]}"
        lines.append(f"Part {n} is {part['kind']} ({said}): {part['why']}")
    lines.append(f"Kept to the lower rungs: {d['rewrite']}")
    return Feedback(right == len(parts), f"{right} of {len(parts)} parts marked right.", lines)
