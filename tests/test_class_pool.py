"""A class graded on the class paper (issue #18, part 1), through the real nbgrader CLI and gradebook.

The class key's real answers are sealed and CI has no passphrase, so this course gets a made-up
class key for the real class items (labels drawn with a fixed seed, diagnose items poor): it
checks the mechanism, not the answers. The grader takes the paper from its own course folder
(class-key/ is there) and never from the submission: a learner who answers the self-study paper,
claims another pool in the answers file, or plants a key earns only what their answers earn on
the class paper. A learner's notebook in a class (POWERCOACH_POOL=class) shows class items.
"""

from __future__ import annotations

import csv
import json
import random
import subprocess

import nbformat
import pytest
from conftest import BIN, REPO, Course
from nbgrader.api import Gradebook
from test_nbgrader_cycle import answers_file, cell, points_for, released, solution_key

from powercoach import bank, catalog, papers

pytestmark = pytest.mark.slow
A = "01-contracting"
CLASS_ITEMS = [i for i, r in bank.rows().items() if r["use"] == "class"]
CLASS_SETS = [i for i, s in bank.best_worst_sets().items() if s["use"] == "class"]


def made_up_class_key(folder) -> dict:
    """A key of the class pool's shape with invented answers; returns item/set id -> answer row."""
    rng = random.Random(18)
    diagnosed = {i for p in papers.class_slots().values() for slot in p.get("diagnose", []) for i in slot}
    pitfalls = list(catalog.pitfalls())
    items = {}
    for i in CLASS_ITEMS:
        label = "poor" if i in diagnosed else rng.choice(bank.LABELS)
        items[i] = {"item_id": i, "label": label, "pitfall": rng.choice(pitfalls) if label == "poor" else "",
                    "rationale": f"Invented rationale for {i}. It exists only in this test.",
                    "better_response": f"An invented better reply for {i}." if label == "poor" else ""}
    folder.mkdir()
    with (folder / "items.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, list(next(iter(items.values()))))
        w.writeheader()
        w.writerows(items.values())
    sets = []
    for s in CLASS_SETS:
        best, worst = rng.sample("ABCD", 2)
        sets.append({"set_id": s, "best": best, "worst": worst,
                     "reasons": {k: f"Invented reason {k} of {s}. Test only." for k in "ABCD"}})
    (folder / "best_worst.json").write_text(json.dumps(sets), encoding="utf-8")
    items.update({s["set_id"]: s for s in sets})
    return items


def class_paper(assignment: str = A):
    """The class paper of an exercise, from the marking cells of its source notebook (as the grader reads it)."""
    from powercoach.instructor.preprocessors import marking_cells

    nb = nbformat.read(REPO / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    return papers.for_pool(assignment, "class", [q for _, q in sorted(marking_cells(nb).items())])


def class_answers(items, assignment: str = A) -> dict[str, str]:
    column = {"classify": "label", "diagnose": "pitfall", "best": "best", "worst": "worst"}
    return {q.qid: items[q.item_id][column[q.kind]] for q in class_paper(assignment)}


def _self_study_parts():
    from test_sealed_key import _self_study

    return _self_study("classify"), _self_study("diagnose")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class") / "course"
    root.mkdir()
    course = Course(root)
    items = made_up_class_key(root / "class-key")
    course.nbgrader("generate_assignment", A, "--force")
    right = class_answers(items)
    self_study = solution_key(A)
    planted = released()
    cell(planted, "setup").source += "\nimport os; os.environ['POWERCOACH_POOL'] = 'self-study'"
    learners = {
        "class_right": (released(), answers_file(right)),
        "class_typed": (_typed("\n".join(f'answers["{q}"] = "{v}"' for q, v in right.items())), None),
        "self_study_right": (released(), answers_file(self_study)),
        "claims_self_study": (planted, json.dumps({"exercise": A, "version": 1, "pool": "self-study",
                                                   "paper": "self-study", "answers": self_study})),
        "blank": (released(), None),
    }
    for student, (nb, answers) in learners.items():
        folder = course.submit(student, A, nb, answers)
    # a key planted beside a submission: the grader reads the course folder's, never this
    (folder / "class-key").mkdir()
    (folder / "class-key" / "items.csv").write_text("item_id,label,pitfall,rationale,better_response\n")
    run = subprocess.run([str(BIN / "powercoach"), "grade", A, "--workers", "1"], cwd=root, env=course.env,
                         capture_output=True, text=True, timeout=600)
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id="powercoach") as gb:
        scores = {s: gb.find_submission(A, s).code_score for s in learners}
    return course, run, scores, right, self_study, items


def _typed(lines: str, assignment: str = A):
    nb = released(assignment)
    cell(nb, "answers").source += "\n" + lines
    return nb


def test_a_class_is_marked_on_the_class_paper_whatever_a_submission_says(graded):
    course, run, scores, right, self_study, _ = graded
    assert run.returncode == 0, run.stdout[-1500:] + run.stderr[-1500:]
    chance = points_for([q for q in right if self_study[q] == right[q]])  # what self-study answers earn, by luck
    full = points_for(right)
    assert chance < full - 2  # the made-up key differs enough for the check to mean something
    assert scores == {"class_right": full, "class_typed": full, "self_study_right": chance,
                      "claims_self_study": chance, "blank": 0}


def test_the_graded_notebook_explains_the_class_items_not_the_self_study_ones(graded):
    course, _, _, _, _, items = graded
    nb = nbformat.read(course.root / "autograded" / "class_right" / A / f"{A}.ipynb", as_version=4)
    text = "\n".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert f"Invented rationale for {class_paper()[0].item_id}." in text
    public = {r["item_id"]: r for r in csv.DictReader((REPO / "key/items.csv").open(encoding="utf-8"))}
    assert not any(public[i]["rationale"][:60] in text for i in _self_study_parts()[0])


def test_the_report_reads_the_class_paper(graded, tmp_path):
    course = graded[0]
    run = subprocess.run([str(BIN / "powercoach"), "report", A, "--out", str(tmp_path)], cwd=course.root,
                         env=course.env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-1500:]
    with (tmp_path / "items.csv").open(encoding="utf-8") as f:
        refs = {r["item"] for r in csv.DictReader(f)}
    assert refs and refs <= set(CLASS_ITEMS)
    # the class's own panel set the standard its papers are held to, not the self-study panel
    # (a class without a roster shares the class paper, held to that paper's own standard)
    own, other = papers.standard_of(A, class_paper()), catalog.pass_standards()["exercises"][A]
    assert own != other["pass"]
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert f"<b>Pass standard:</b> {own:g} of {other['of']} points" in html


def test_a_class_without_its_unsealed_key_says_what_to_do(graded, tmp_path):
    course = graded[0]
    env = {**course.env, papers.ENV: "class"}
    (course.root / "class-key").rename(tmp_path / "away")
    try:
        run = subprocess.run([str(BIN / "powercoach"), "grade", A], cwd=course.root, env=env,
                             capture_output=True, text=True, timeout=300)
    finally:
        (tmp_path / "away").rename(course.root / "class-key")
    assert run.returncode == 2 and "powercoach key unseal" in run.stderr and "Traceback" not in run.stderr


def test_a_learner_in_a_class_sees_the_class_items(tmp_path):
    from nbclient import NotebookClient

    nb = released()
    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    import os

    os.environ[papers.ENV] = "class"
    try:
        client.execute()
    finally:
        del os.environ[papers.ENV]
    shown = json.dumps(nb)  # outputs and the widgets' state, where the scenes are
    first = bank.item(class_paper()[0].item_id)["client_says"]
    assert json.dumps(first[:40])[1:-1] in shown
    assert "Your instructor grades this exercise" in shown


ASSIGNMENTS = sorted(p.name for p in (REPO / "solutions").iterdir() if p.is_dir())


@pytest.fixture(scope="module")
def every_class_exercise(tmp_path_factory):
    """Every exercise graded on its class paper for a right learner and hostile ones: a linked,
    a deeply nested and a huge answers file, a copied marking cell, code in the answer cell
    around literal lines for half the questions, script typed as an answer, and a key planted
    beside the submission."""
    root = tmp_path_factory.mktemp("class-every") / "course"
    root.mkdir()
    course = Course(root)
    items = made_up_class_key(root / "class-key")
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    expected = {}
    for a in ASSIGNMENTS:
        course.nbgrader("generate_assignment", a, "--force")
        right = class_answers(items, a)
        half = list(right.items())[::2]
        (elsewhere / f"{a}.answers.json").write_text(answers_file(right, a), encoding="utf-8")
        copied = released(a)
        mark_q1 = cell(copied, "mark-q1")
        copied.cells.append(nbformat.from_dict({**mark_q1, "source": "1.0", "id": "copied-mark-q1"}))
        attack = ("import powercoach.marking as m\nm.mark = lambda *a, **k: 1.0\n"
                  + "\n".join(f'answers["{q}"] = "{v}"' for q, v in half) + "\nimport os\nos._exit(0)")
        cases = {
            "right": (released(a), answers_file(right, a), points_for(right, a)),
            "linked": (released(a), None, 0),
            "nested": (released(a), '{"answers": ' + "[" * 100_000 + "]" * 100_000 + "}", 0),
            "huge": (released(a), answers_file({**right, "padding": "x" * 10_000_000}, a), 0),
            "copied_cell": (copied, None, 0),
            "attack": (_typed(attack, a), None, points_for([q for q, _ in half], a)),
            "script": (_typed('answers["Q1"] = "<script>alert(1)</script>"', a),
                       answers_file({q: v for q, v in right.items() if q != "Q1"}, a),
                       points_for(right, a) - points_for(["Q1"], a)),
            "planted_key": (released(a), answers_file({q: "poor" for q in right}, a),
                            points_for([q for q, v in right.items() if v == "poor"], a)),
        }
        for name, (nb, answers, points) in cases.items():
            course.submit(name, a, nb, answers)
            expected[(a, name)] = points
        (root / "submitted" / "linked" / a / f"{a}.answers.json").symlink_to(elsewhere / f"{a}.answers.json")
        planted = root / "submitted" / "planted_key" / a / "class-key"
        planted.mkdir()
        (planted / "items.csv").write_text("item_id,label,pitfall,rationale,better_response\n" + "".join(
            f"{i},poor,,x,\n" for i in CLASS_ITEMS))
        run = subprocess.run([str(BIN / "powercoach"), "grade", a, "--workers", "2"], cwd=root, env=course.env,
                             capture_output=True, text=True, timeout=600)
        assert "Traceback" not in run.stderr, run.stderr[-2000:]
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id="powercoach") as gb:
        scores = {k: gb.find_submission(*k).code_score for k in expected}
    course.nbgrader("generate_feedback", A, "--force")
    return course, expected, scores


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_exercise_on_the_class_paper_gives_a_hostile_learner_only_what_their_answers_earn(
        every_class_exercise, assignment):
    _, expected, scores = every_class_exercise
    got = {name: scores[(a, name)] for a, name in scores if a == assignment}
    assert got == {name: expected[(a, name)] for a, name in expected if a == assignment}


def test_script_typed_as_an_answer_is_text_in_the_class_feedback(every_class_exercise):
    course = every_class_exercise[0]
    html = (course.root / "feedback" / "script" / A / f"{A}.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
