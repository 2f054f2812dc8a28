"""The bank loader: the real bank is valid, and a broken bank names its row and column."""

import csv
import shutil

import pytest
from conftest import KEY

from powercoach import bank
from powercoach.errors import DataError


def test_the_bank_with_the_key_is_valid_and_complete_for_contracting():
    frame = bank.frame(KEY.rows())
    assert frame["item_id"].is_unique
    contracting = frame[frame["technique"] == "contracting"]
    counts = contracting["use"].value_counts()
    assert counts["practice"] >= 12 and counts["assessment"] >= 12
    poor = frame[frame["label"] == "poor"]
    assert (poor["pitfall"] != "").all() and (poor["better_response"] != "").all()


def _copy_bank(tmp_path):
    target = tmp_path / "bank"
    shutil.copytree(str(bank.BANK_DIR), target)
    return target


def _edit(path, line_no, column, value):
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rows[line_no - 2][column] = value
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=bank.COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.parametrize("column, value, message", [
    ("label", "okay", r"contracting.csv, line 3 .*column 'label': 'okay' must be good or poor"),
    ("technique", "charm", r"line 3 .*column 'technique': 'charm' is not one of"),
    ("use", "exam", r"line 3 .*column 'use': 'exam' must be one of practice, assessment, class"),
    ("coach_says", "", r"line 3 .*column 'coach_says': is empty"),
    ("module", "7", r"line 3 .*column 'module': is 7, but contracting is module 1"),
])
def test_a_bad_cell_is_reported_with_row_and_column(tmp_path, column, value, message):
    folder = _copy_bank(tmp_path)
    _edit(folder / "contracting.csv", 3, column, value)
    with pytest.raises(DataError, match=message):
        bank.read_bank(folder)


def test_a_poor_row_without_pitfall_or_better_response_is_rejected(tmp_path):
    folder = _copy_bank(tmp_path)
    rows = list(csv.DictReader((folder / "contracting.csv").open(encoding="utf-8")))
    line = next(n for n, r in enumerate(rows, 2) if r["label"] == "poor" and r["use"] == "practice")
    _edit(folder / "contracting.csv", line, "pitfall", "")
    with pytest.raises(DataError, match=rf"line {line} .*column 'pitfall': a poor row needs one of"):
        bank.read_bank(folder)
    _edit(folder / "contracting.csv", line, "pitfall", "flattery")
    _edit(folder / "contracting.csv", line, "better_response", "")
    with pytest.raises(DataError, match=rf"line {line} .*column 'better_response'"):
        bank.read_bank(folder)


def test_a_duplicate_id_names_both_rows(tmp_path):
    folder = _copy_bank(tmp_path)
    rows = list(csv.DictReader((folder / "contracting.csv").open(encoding="utf-8")))
    _edit(folder / "contracting.csv", 4, "item_id", rows[0]["item_id"])
    with pytest.raises(DataError, match=r"line 4 .*duplicates the id at contracting.csv, line 2"):
        bank.read_bank(folder)


def test_a_missing_column_is_named(tmp_path):
    folder = _copy_bank(tmp_path)
    path = folder / "contracting.csv"
    text = path.read_text(encoding="utf-8").replace("rationale,", "explanation,", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=r"contracting.csv: missing column\(s\) rationale"):
        bank.read_bank(folder)


def test_an_unknown_item_is_a_clear_error():
    with pytest.raises(DataError, match="No item 'nope-a99'"):
        bank.item("nope-a99")


def test_best_and_worst_sets_are_valid():
    sets = KEY.sets()
    assert sets, "no best-and-worst sets"
    bad = dict(next(iter(sets.values())), worst=next(iter(sets.values()))["best"])
    with pytest.raises(DataError, match="best and worst must be two different keys"):
        bank.validate_sets([bad], "x.json", with_answers=True)


def test_an_assessment_row_in_the_package_that_holds_an_answer_is_rejected(tmp_path):
    folder = _copy_bank(tmp_path)
    rows = list(csv.DictReader((folder / "contracting.csv").open(encoding="utf-8")))
    line = next(n for n, r in enumerate(rows, 2) if r["use"] == "assessment")
    _edit(folder / "contracting.csv", line, "label", "good")
    with pytest.raises(DataError, match=rf"line {line} .*'label': an assessment row in the package holds no answer"):
        bank.read_bank(folder)


def test_an_assessment_set_in_the_package_that_holds_its_picks_is_rejected():
    merged = next(s for s in KEY.sets().values() if s["use"] == "assessment")
    with pytest.raises(DataError, match="holds no answer"):
        bank.validate_sets([merged], "x.json")
    bank.validate_sets([merged], "x.json", with_answers=True)
