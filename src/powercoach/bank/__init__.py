"""The item bank as a learner's install holds it: every scene, and the answers of practice items.

The bank is stored as one CSV per technique under data/bank/ (so a writer edits one technique
at a time); best-and-worst sets sit beside it under data/best_worst/. An assessment item or set
here holds only what its question shows (the scene, the response, the four options): its label,
pitfall, rationale, better response and best/worst picks live in a key folder (see
``powercoach.key``), never in the package. Validation enforces that split. An item's ``use`` says
which: ``practice`` (answers here, for the lessons), ``assessment`` (the self-study pool: answers
in the public ``key/``) or ``class`` (the class pool: answers only sealed, in ``sealed/``).

``python -m powercoach.bank check`` validates the bank (with the key, where one is found) and
``python -m powercoach.bank report`` prints its quality figures.
"""

from __future__ import annotations

import csv
import random
from functools import cache
from pathlib import Path

from .. import catalog
from ..errors import DataError

COLUMNS = (
    "item_id", "technique", "module", "use", "label", "pitfall", "client_role", "client_gender",
    "setting", "sector", "context", "client_says", "coach_says", "rationale", "better_response",
)
LABELS = ("good", "poor")
USES = ("practice", "assessment", "class")
# Uses whose answers never sit in the package: the self-study pool (key/) and the class pool (sealed/).
KEYED = ("assessment", "class")
# Uses whose answers anyone may read: the package's practice items and the self-study pool (key/).
PUBLIC = ("practice", "assessment")
GENDERS = ("woman", "man")
# Columns every row fills; pitfall and better_response are filled exactly for poor rows.
ALWAYS = tuple(c for c in COLUMNS if c not in ("pitfall", "better_response"))
# What an answer is made of: in the package for practice items, in key/ for assessment items.
ANSWER_COLUMNS = ("label", "pitfall", "rationale", "better_response")
SCENE_COLUMNS = tuple(c for c in ALWAYS if c not in ANSWER_COLUMNS)

BANK_DIR = catalog.DATA / "bank"
BEST_WORST_DIR = catalog.DATA / "best_worst"


def read_rows(path) -> list[dict]:
    """Rows of one bank CSV, each tagged with its file and line for error messages."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"Bank file {path} is missing.") from None
    except UnicodeDecodeError:
        raise DataError(f"Bank file {path} is not UTF-8 text; save it as UTF-8 CSV.") from None
    reader = csv.DictReader(text.splitlines(keepends=True))
    header = tuple(reader.fieldnames or ())
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise DataError(f"{Path(path).name}: missing column(s) {', '.join(missing)}.")
    rows = []
    for row in reader:
        if None in row or any(v is None for v in row.values()):
            raise DataError(
                f"{Path(path).name}, line {reader.line_num}: wrong number of fields "
                "(an unquoted comma or quote?)."
            )
        rows.append({**{c: row[c].strip() for c in COLUMNS}, "_where": f"{Path(path).name}, line {reader.line_num}"})
    return rows


def validate_rows(rows: list[dict], with_answers: bool = False) -> None:
    """Check the BLUEPRINT schema; the first problem found is raised, naming row and column.

    In the package (``with_answers=False``) an assessment row must hold no answer; merged with
    the key (``with_answers=True``) every row must hold a complete one.
    """
    techniques = catalog.techniques()
    pitfalls = catalog.pitfalls()
    seen: dict[str, str] = {}
    for row in rows:
        where, item = row["_where"], row["item_id"] or "?"

        def fail(column: str, problem: str, where=where, item=item) -> None:
            raise DataError(f"{where} (item {item}), column '{column}': {problem}")

        if row["use"] in KEYED and not with_answers:
            for column in ANSWER_COLUMNS:
                if row[column]:
                    fail(column, f"an {row['use']} row in the package holds no answer (it would ship to every "
                         "learner); keep it in its key's items.csv and leave this column empty.")
            columns = SCENE_COLUMNS
        else:
            columns = ALWAYS
        for column in columns:
            if not row[column]:
                fail(column, "is empty; every row fills it.")
        if row["item_id"] in seen:
            fail("item_id", f"duplicates the id at {seen[row['item_id']]}.")
        seen[row["item_id"]] = where
        if row["technique"] not in techniques:
            fail("technique", f"'{row['technique']}' is not one of {', '.join(techniques)}.")
        expected_module = str(techniques[row["technique"]].module)
        if row["module"] != expected_module:
            fail("module", f"is {row['module']}, but {row['technique']} is module {expected_module}.")
        if row["use"] not in USES:
            fail("use", f"'{row['use']}' must be one of {', '.join(USES)}.")
        if row["client_gender"] not in GENDERS:
            fail("client_gender", f"'{row['client_gender']}' must be woman or man.")
        if columns is SCENE_COLUMNS:
            continue
        if row["label"] not in LABELS:
            fail("label", f"'{row['label']}' must be good or poor.")
        if row["label"] == "poor":
            if row["pitfall"] not in pitfalls:
                fail("pitfall", f"a poor row needs one of {', '.join(pitfalls)}; got '{row['pitfall']}'.")
            if not row["better_response"]:
                fail("better_response", "a poor row needs a better response.")
        else:
            if row["pitfall"]:
                fail("pitfall", "a good row has no pitfall; leave it empty.")
            if row["better_response"]:
                fail("better_response", "a good row has no better response; leave it empty.")


def _module_order(row: dict) -> tuple:
    return (catalog.techniques()[row["technique"]].module, row["use"], row["item_id"])


def read_bank(directory=None) -> list[dict]:
    """Every row of every bank file, validated, in module order (plain Python, no pandas)."""
    directory = Path(directory) if directory is not None else Path(str(BANK_DIR))
    files = sorted(directory.glob("*.csv"))
    if not files:
        raise DataError(f"No bank files (*.csv) in {directory}.")
    rows = [row for path in files for row in read_rows(path)]
    validate_rows(rows)
    return sorted(({**{c: r[c] for c in COLUMNS}, "module": int(r["module"])} for r in rows), key=_module_order)


def frame(rows_: list[dict]):
    """Rows as a DataFrame indexed by item_id, for analysis."""
    import pandas as pd

    return pd.DataFrame(rows_, columns=list(COLUMNS)).set_index("item_id", drop=False)


@cache
def rows() -> dict[str, dict]:
    """The installed bank by item id. Widgets and marking use this: it needs no pandas, so a
    lesson's first drill appears without pandas' import time."""
    return {r["item_id"]: r for r in read_bank()}


def item(item_id: str) -> dict:
    """One item as a plain dict; a clear error for an unknown id."""
    try:
        return dict(rows()[item_id])
    except KeyError:
        raise DataError(f"No item '{item_id}' in the bank.") from None


def item_ids(technique: str | None = None, use: str | None = None, label: str | None = None) -> list[str]:
    """Ids of the items of a technique, use and label, in module order."""
    if technique is not None and technique not in catalog.techniques():
        raise DataError(f"Unknown technique '{technique}'.")
    return [i for i, r in rows().items()
            if (technique is None or r["technique"] == technique) and (use is None or r["use"] == use)
            and (label is None or r["label"] == label)]


def sample(use: str = "practice", per_technique: int = 1, seed: int = 0, label: str | None = None) -> list[str]:
    """A few item ids from every technique, in module order: a warm-up across the course."""
    rng = random.Random(seed)
    return [i for t in catalog.techniques() for i in rng.sample(item_ids(t, use, label), per_technique)]


# --- best-and-worst sets ---------------------------------------------------------------------

SCENE_FIELDS = ("set_id", "technique", "use", "client_role", "client_gender", "setting", "sector",
                "context", "client_says", "options")
SET_FIELDS = SCENE_FIELDS + ("best", "worst")
OPTION_KEYS = ("A", "B", "C", "D")


def validate_sets(sets: list, source: str, with_answers: bool = False) -> None:
    """Practice sets (and, with the key merged in, every set) carry picks and a reason per
    option; an assessment set in the package carries only its scene and the options' text."""
    if not isinstance(sets, list):
        raise DataError(f"{source} must hold a list of sets.")
    for n, s in enumerate(sets, 1):
        where = f"{source}, set {n} ({s.get('set_id', '?') if isinstance(s, dict) else '?'})"
        if not isinstance(s, dict):
            raise DataError(f"{where} must be an object.")
        answered = with_answers or s.get("use") not in KEYED
        missing = [f for f in (SET_FIELDS if answered else SCENE_FIELDS) if not s.get(f)]
        if missing:
            raise DataError(f"{where} lacks {', '.join(missing)}.")
        if s["technique"] not in catalog.techniques():
            raise DataError(f"{where}: unknown technique '{s['technique']}'.")
        if s["use"] not in USES:
            raise DataError(f"{where}: use must be one of {', '.join(USES)}.")
        keys = [o.get("key") for o in s["options"] if isinstance(o, dict)]
        if tuple(keys) != OPTION_KEYS:
            raise DataError(f"{where}: needs four options keyed A, B, C, D in order.")
        if not answered:
            leaked = [f for f in ("best", "worst") if f in s] + [o["key"] for o in s["options"] if "reason" in o]
            if leaked:
                raise DataError(f"{where}: an assessment set in the package holds no answer ({', '.join(leaked)}); "
                                "keep picks and reasons in its key's best_worst.json.")
        for o in s["options"]:
            if not o.get("text") or (answered and not o.get("reason")):
                raise DataError(f"{where}, option {o['key']}: needs text{' and reason' if answered else ''}.")
        if answered and (s["best"] not in keys or s["worst"] not in keys or s["best"] == s["worst"]):
            raise DataError(f"{where}: best and worst must be two different keys of A-D.")


@cache
def best_worst_sets() -> dict[str, dict]:
    """Every best-and-worst set by set_id, as the package holds it."""
    out: dict[str, dict] = {}
    for path in sorted(Path(str(BEST_WORST_DIR)).glob("*.json")):
        sets = catalog.read_json(path)
        validate_sets(sets, path.name)
        for s in sets:
            if s["set_id"] in out:
                raise DataError(f"{path.name}: set id {s['set_id']} is used twice.")
            out[s["set_id"]] = s
    return out


def best_worst_set(set_id: str) -> dict:
    sets = best_worst_sets()
    if set_id not in sets:
        raise DataError(f"No best-and-worst set '{set_id}'.")
    return sets[set_id]
