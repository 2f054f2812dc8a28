"""Pass standards set by a modified Angoff panel (issue #18): the published standards are exactly what
the judges' sheets give, every exercise states its own word for word, the start page states the
course's, and a broken sheet is refused with a message."""

from __future__ import annotations

import csv
import json
import shutil

import pytest
from conftest import REPO

from powercoach import catalog, papers
from powercoach.errors import PowercoachError
from powercoach.instructor import standard

EXERCISES = sorted(p.name for p in (REPO / "solutions").iterdir() if p.is_dir())


def test_the_published_standards_are_what_the_panels_sheets_give():
    found = standard.standards()
    assert catalog.pass_standards() == found
    assert found["judges"] >= 3
    assert sorted(found["exercises"]) == EXERCISES
    for name, s in found["exercises"].items():
        # above what random answering expects, below full marks
        assert 0 < s["pass"] < s["of"], name
    assert standard.main(["check"]) == 0


def test_the_class_standards_are_what_the_class_panels_ratings_give():
    """The class papers had a panel of their own; its ratings are committed without anything of an
    answer (no text, no keyed answer, no reason, no note) so this check runs without the passphrase."""
    folder = standard.PUBLIC_SHEETS["class"]
    found = standard.standards(folder)
    assert catalog.pass_standards("class") == found
    assert found["judges"] >= 3 and sorted(found["exercises"]) == EXERCISES
    assert all(0 < s["lowest_paper"] <= s["pass"] <= s["highest_paper"] < s["of"] for s in found["exercises"].values())
    assert standard.main(["check", "--pool", "class"]) == 0
    for sheet in folder.glob("*.csv"):
        header = sheet.read_text(encoding="utf-8").splitlines()[0].split(",")
        assert header == (standard.PUBLIC_ITEM_FIELDS if sheet.name == "items.csv" else standard.PUBLIC_JUDGE_FIELDS)
    items = list(csv.DictReader((folder / "items.csv").open(encoding="utf-8")))
    # every item of every slot is rated, by at least three judges
    slot_items = {i for parts in papers.class_slots().values() for part in parts.values() for s in part for i in s}
    assert {r["item"] for r in items if r["kind"] != "written"} == slot_items
    judges = [list(csv.DictReader(j.open(encoding="utf-8"))) for j in folder.glob("judge-*.csv")]
    for exercise in EXERCISES:
        assert sum(any(r["exercise"] == exercise for r in rows) for rows in judges) >= 3, exercise


def test_each_learners_paper_is_held_to_the_sum_of_its_own_questions_ratings():
    """A learner's standard is the written part's mean rating plus each of their own questions' mean
    rating; the exercise's published standard is the mean over every paper the draw gives."""
    import statistics

    from powercoach import draws

    rated = catalog.pass_standards("class")["ratings"]
    for exercise in EXERCISES:
        s = catalog.pass_standards("class")["exercises"][exercise]
        r = rated[exercise]
        every = []
        slots = papers.class_slots()[exercise]
        for place in range(len(draws.code(sum(len(v) for v in slots.values())))):
            paper = papers.drawn(exercise, place)
            want = round(r["written"] + sum(r["questions"][papers.item_key(q.item_id, q.kind)] for q in paper), 4)
            assert papers.standard_of(exercise, paper) == round(want, 1)
            every.append(want)
        assert s["pass"] == round(statistics.mean(every), 1)
        assert s["lowest_paper"] == round(min(every), 1) and s["highest_paper"] == round(max(every), 1)


def test_a_panel_may_split_its_exercises_between_judges_but_each_needs_two(tmp_path):
    folder = tmp_path / "split"
    shutil.copytree(standard.PUBLIC_SHEETS["class"], folder)
    judges = sorted(folder.glob("judge-*.csv"))
    rows = {j: list(csv.DictReader(j.open(encoding="utf-8"))) for j in judges}
    first = rows[judges[0]][0]["exercise"]
    raters = [j for j in judges if any(r["exercise"] == first for r in rows[j])]
    for j in raters[1:]:  # leave one judge on the first exercise
        kept = [r for r in rows[j] if r["exercise"] != first]
        with j.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=standard.PUBLIC_JUDGE_FIELDS)
            writer.writeheader()
            writer.writerows(kept)
    with pytest.raises(PowercoachError, match=f"at least two judges.*{first}"):
        standard.standards(folder)


def test_public_ratings_copy_only_places_points_and_ratings(tmp_path):
    """`ratings` drops every column a judge saw but a learner must not: the text, answer, reason, notes."""
    private = tmp_path / "private"
    shutil.copytree(standard.SHEETS, private)  # the self-study sheets stand in for the class's
    assert standard.public_ratings(private, tmp_path / "public") == 169
    for sheet in (tmp_path / "public").glob("*.csv"):
        rows = list(csv.DictReader(sheet.open(encoding="utf-8")))
        assert not {"keyed", "why", "shown", "scene", "note"} & set(rows[0])
    assert standard.standards(tmp_path / "public") == standard.standards(private)


def test_the_standards_hold_numbers_and_the_method_only():
    """No answer reaches the learner's install through the standards: only numbers and the method."""
    for pool, name in catalog.STANDARD_FILES.items():
        raw = json.loads((REPO / "src/powercoach/data" / name).read_text(encoding="utf-8"))
        per_paper = pool == "class"  # a class's papers differ: each question's mean rating, for each paper's sum
        assert set(raw) == {"method", "judges", "exercises", "course"} | ({"ratings"} if per_paper else set())
        for s in raw["exercises"].values():
            assert set(s) == {"pass", "of", "judges_sd", "standard_error"} | (
                {"lowest_paper", "highest_paper"} if per_paper else set())
            assert all(isinstance(v, (int, float)) for v in s.values())
        for r in raw.get("ratings", {}).values():
            assert set(r) == {"written", "questions"} and isinstance(r["written"], float)
            assert all(isinstance(v, float) and 0 <= v <= 2 for v in r["questions"].values())  # expected points


@pytest.mark.parametrize("exercise", EXERCISES)
def test_every_exercise_states_its_standard(exercise):
    wanted = standard.sentence(exercise)
    for folder in ("solutions", "exercises"):
        text = (REPO / folder / exercise / f"{exercise}.ipynb").read_text(encoding="utf-8")
        assert json.dumps(wanted)[1:-1] in text, f"{folder}/{exercise} does not state: {wanted}"


def test_the_start_page_states_the_course_standard():
    text = (REPO / "course/start.ipynb").read_text(encoding="utf-8")
    for pool in catalog.STANDARD_FILES:
        c = catalog.pass_standards(pool)["course"]
        assert f"{c['pass']:g} of the {c['of']} points" in text, pool


def broken_copy(tmp_path, edit):
    folder = tmp_path / "angoff"
    shutil.copytree(standard.SHEETS, folder)
    judge = sorted(folder.glob("judge-*.csv"))[0]
    with judge.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    edit(rows)
    with judge.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return folder


def test_a_broken_sheet_is_refused_with_a_message(tmp_path, capsys):
    def out_of_range(rows):
        rows[0]["rating"] = "1.7"

    folder = broken_copy(tmp_path, out_of_range)
    with pytest.raises(PowercoachError, match="outside 0 to 1"):
        standard.standards(folder)
    assert standard.main(["show", "--sheets", str(folder)]) == 2
    assert "outside 0 to 1" in capsys.readouterr().err

    def reordered(rows):
        rows[0], rows[1] = rows[1], rows[0]

    with pytest.raises(PowercoachError, match="does not rate the rows"):
        standard.standards(broken_copy(tmp_path / "b", reordered))


def test_a_changed_rating_changes_the_standard_and_check_says_so(tmp_path, capsys):
    def lower(rows):
        rows[0]["rating"] = "0"

    folder = broken_copy(tmp_path, lower)
    before = standard.standards()["exercises"]
    after = standard.standards(folder)["exercises"]
    first = next(iter(after))
    assert after[first]["pass"] < before[first]["pass"]
    assert standard.main(["check", "--sheets", str(folder)]) == 1
    assert "run `write`" in capsys.readouterr().err


def test_the_chance_a_guess_passes_is_worked_out_exactly():
    """Exercise 01: 8 good-or-poor questions (1 point, a guess right half the time) and 3 pitfall
    questions (2 points, a guess right 1 time in 12), 3 written points; its standard (11 of 17) needs
    8 of the 14 clicked points with full written marks. Worked by hand with the binomial sums."""
    from math import comb

    s = catalog.pass_standards()["exercises"]["01-contracting"]
    need = s["pass"] - 3 - 1e-9
    by_hand = sum(comb(8, a) / 2 ** 8 * comb(3, b) * (1 / 12) ** b * (11 / 12) ** (3 - b)
                  for a in range(9) for b in range(4) if a + 2 * b >= need)
    assert standard.chance_by_guessing()["01-contracting"] == pytest.approx(by_hand)
    assert standard.chance_by_guessing()["01-contracting"] < 0.05


def test_a_pitfall_is_worth_two_points_so_a_guess_is_worth_less():
    """Every pitfall question counts 2 points (its marking cell's points), and with those weights a
    random clicker's expected share of the clicked points falls from 4.25 of 11 to 4.5 of 14."""
    import nbformat

    from powercoach.instructor.preprocessors import marking_cells
    from powercoach.marking import POINTS

    for exercise in EXERCISES[:-1]:  # the capstone asks best-and-worst only
        nb = nbformat.read(REPO / "solutions" / exercise / f"{exercise}.ipynb", as_version=4)
        worth = {q.kind: nb.cells[i].metadata["nbgrader"]["points"] for i, q in marking_cells(nb).items()}
        assert worth == {"classify": 1, "diagnose": 2} == {k: POINTS[k] for k in worth}, exercise
        assert sum(nb.cells[i].metadata["nbgrader"]["points"] for i in marking_cells(nb)) == 14
