"""A paper of their own for each learner in a class (issue #18, part 2), through the real nbgrader CLI,
gradebook, feedback and report, on a made-up class key (as test_class_pool.py: CI has no passphrase).

The grader draws each learner's paper from its own roster.json and nbgrader's student id, never from
what a submission says: a learner who hands in another learner's answers file, or writes another's
item ids and place into their own, earns only what those answers earn on their own paper.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess

import nbformat
import pytest
from conftest import BIN, Course
from nbgrader.api import Gradebook
from test_class_pool import made_up_class_key
from test_nbgrader_cycle import answers_file, released, worth

from powercoach import bank, catalog, key, papers, roster
from powercoach.marking import expected, mark_question

pytestmark = pytest.mark.slow
A, CAP = "01-contracting", "13-capstone"
PLACES = {"ann": 0, "ben": 1, "cat": 2, "dan": 3}


def right(assignment: str, learner: str, class_key) -> dict[str, str]:
    return {q.qid: expected(q, class_key) for q in papers.drawn(assignment, PLACES[learner])}


def earns(assignment: str, learner: str, answers: dict, class_key) -> float:
    w = worth(assignment)  # a question's points are its place's (Q9 to Q11, the pitfalls: 2), whatever it asks
    paper = papers.drawn(assignment, PLACES[learner])
    return sum(mark_question(q, answers, class_key).points * w[q.qid] for q in paper)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("draws") / "course"
    root.mkdir()
    c = Course(root)
    made_up_class_key(root / "class-key")
    roster.add(root / roster.FILE, list(PLACES))
    class_key = key.load(root / "class-key")
    submitted = {}
    for a in (A, CAP):
        c.nbgrader("generate_assignment", a, "--force")
        ann = right(a, "ann", class_key)
        own = {name: right(a, name, class_key) for name in PLACES}
        copied = json.loads(answers_file(ann, a))
        copied.update({"place": 0, "student": "ann", "paper": [q.item_id for q in papers.drawn(a, 0)]})
        cases = {
            "ann": json.dumps({"exercise": a, "version": 1, "answers": ann}),
            "ben": answers_file(ann, a),  # ann's answers file, handed in as ben's
            "cat": json.dumps(copied),  # ann's answers, with ann's place, name and items written in
            "dan": answers_file(own["dan"], a),
            "eve": answers_file(ann, a),  # not on the roster
        }
        for name, text in cases.items():
            c.submit(name, a, released(a), text)
            submitted[(a, name)] = json.loads(text)["answers"]
        run = subprocess.run([str(BIN / "powercoach"), "grade", a, "--workers", "2"], cwd=root, env=c.env,
                             capture_output=True, text=True, timeout=600)
        submitted[(a, "run")] = run
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id="powercoach") as gb:
        scores = {(a, s): gb.find_submission(a, s).code_score for a in (A, CAP) for s in PLACES}
    c.nbgrader("generate_feedback", A, "--force")
    return c, class_key, submitted, scores


def test_two_learners_are_asked_different_items_in_a_different_order():
    for a in (A, CAP):
        first, second = (papers.drawn(a, PLACES[n]) for n in ("ann", "ben"))
        assert [(q.qid, q.kind) for q in first] == [(q.qid, q.kind) for q in second]
        items = [[q.item_id for q in p] for p in (first, second)]
        assert items[0] != items[1] and set(items[0]) != set(items[1])
        shared = set(items[0]) & set(items[1])
        assert len(shared) <= len(set(items[0])) // 2  # at most half their items
        assert [i for i in items[0] if i in shared] != [i for i in items[1] if i in shared] or len(shared) < 2
    sets = {q.item_id: q.options for q in papers.drawn(CAP, 0)}
    other = {q.item_id: q.options for q in papers.drawn(CAP, 1)}
    assert any(sets[s] != other[s] for s in set(sets) & set(other))  # the same set under other letters


def test_each_learner_is_marked_on_their_own_paper_and_a_copied_answers_file_earns_only_its_matches(course):
    c, class_key, submitted, scores = course
    for a in (A, CAP):
        run = submitted[(a, "run")]
        full = sum(worth(a).values())
        ann = submitted[(a, "ann")]
        assert scores[(a, "ann")] == scores[(a, "dan")] == full, run.stdout[-2000:] + run.stderr[-2000:]
        for copier in ("ben", "cat"):
            assert scores[(a, copier)] == earns(a, copier, ann, class_key)
        assert earns(a, "ben", ann, class_key) < full - 2  # copying is worth much less than answering


def test_a_learner_not_on_the_roster_is_not_graded_and_the_instructor_is_told_why(course):
    c, _, submitted, _ = course
    run = submitted[(A, "run")]
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "'eve' is not on the class roster" in run.stdout + run.stderr
    assert "powercoach roster add eve" in run.stdout + run.stderr
    with Gradebook(f"sqlite:///{c.root / 'gradebook.db'}", course_id="powercoach") as gb:
        assert not (c.root / "autograded" / "eve" / A).exists() or gb.find_submission(A, "eve").code_score == 0


def test_the_feedback_explains_each_learners_own_items_and_nothing_of_anothers(course):
    c = course[0]
    own = {n: {q.item_id for q in papers.drawn(A, PLACES[n])} for n in ("ann", "ben")}
    for me, other in (("ann", "ben"), ("ben", "ann")):
        html = (c.root / "feedback" / me / A / f"{A}.html").read_text(encoding="utf-8")
        for item in own[me]:
            assert f"Invented rationale for {item}." in html, (me, item)
        for item in own[other] - own[me]:
            assert f"Invented rationale for {item}." not in html, (me, item)


def test_the_report_gives_each_item_its_statistics_across_the_learners_who_saw_it(course, tmp_path):
    c, class_key, submitted, _ = course
    run = subprocess.run([str(BIN / "powercoach"), "report", CAP, "--out", str(tmp_path)], cwd=c.root, env=c.env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    with (tmp_path / "items.csv").open(encoding="utf-8") as f:
        rows = {r["question"]: r for r in csv.DictReader(f)}
    seen = {}
    for name, place in PLACES.items():
        for q in papers.drawn(CAP, place):
            seen.setdefault(f"{q.item_id} {q.kind}", []).append(name)
    assert set(rows) == set(seen)
    for col, names in seen.items():
        row = rows[col]
        assert int(row["learners"]) == len(names)
        ref, kind = col.split()
        right_letter = class_key.best_worst(ref)[kind]  # the set's own letter, whatever each learner was shown
        assert row["right_answer"] == right_letter
        got = [mark_question(next(q for q in papers.drawn(CAP, PLACES[n]) if q.item_id == ref and q.kind == kind),
                             submitted[(CAP, n)], class_key).points for n in names]
        assert float(row["difficulty"]) == pytest.approx(sum(got) / len(got))
        assert float(row[f"share_{right_letter}"]) == pytest.approx(sum(got) / len(got))
    exercise = next(csv.DictReader((tmp_path / "exercise.csv").open(encoding="utf-8")))
    assert int(exercise["questions"]) == 24 and int(exercise["learners"]) == len(PLACES)


def _run_released(tmp_path, user: str, roster_path, assignment: str = A):
    from nbclient import NotebookClient

    nb = released(assignment)
    env = {papers.ENV: "class", roster.ENV: str(roster_path), "JUPYTERHUB_USER": user}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        NotebookClient(nb, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        for k, v in saved.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    return nb


def test_a_learners_notebook_shows_their_own_items_and_letters(tmp_path):
    path = roster.add(tmp_path / "roster.json", list(PLACES)) and tmp_path / "roster.json"
    nb = _run_released(tmp_path, "ben", path)
    shown = json.dumps(nb)  # outputs and widget state, where the scenes are
    mine, annes = papers.drawn(A, 1), papers.drawn(A, 0)
    of = catalog.pass_standards("class")["exercises"][A]["of"]
    assert f"Its pass standard is {papers.standard_of(A, mine):g} of the {of} points" in shown
    for item in {q.item_id for q in mine}:
        assert said(item) in shown, item
    for item in {q.item_id for q in annes} - {q.item_id for q in mine}:
        assert said(item) not in shown, item
    # the capstone: each set's responses under this learner's own letters
    from html import escape

    shown = json.dumps(_run_released(tmp_path, "ben", path, CAP))
    for q in papers.drawn(CAP, 1)[::2]:
        text = {o["key"]: o["text"] for o in bank.best_worst_sets()[q.item_id]["options"]}
        for letter, original in zip("ABCD", q.options, strict=True):
            assert json.dumps(f"<b>{letter}.</b> &ldquo;{escape(text[original])}")[1:-1] in shown


def said(item: str) -> str:
    """An item's client words as a shown scene holds them (HTML-escaped, inside JSON)."""
    from html import escape

    return json.dumps(escape(bank.item(item)["client_says"])[:40])[1:-1]


def test_a_learner_not_on_the_roster_is_told_so_and_nothing_breaks(tmp_path):
    path = roster.add(tmp_path / "roster.json", list(PLACES)) and tmp_path / "roster.json"
    (tmp_path / f"{A}.answers.json").write_text(answers_file({"Q1": "good"}), encoding="utf-8")
    nb = _run_released(tmp_path, "zed", path)
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert not any(o.get("output_type") == "error" for o in outputs)
    text = json.dumps(outputs)
    assert "'zed' is not on the class roster" in text and "Your saved answers are kept" in text
    assert json.loads((tmp_path / f"{A}.answers.json").read_text())["answers"] == {"Q1": "good"}
    assert nbformat.validate(nb) is None


def test_the_roster_command_adds_the_gradebooks_learners_after_those_already_placed(course, tmp_path):
    import shutil

    c = course[0]
    for name in ("nbgrader_config.py", "gradebook.db"):
        shutil.copy(c.root / name, tmp_path / name)
    (tmp_path / "nbgrader_config.py").write_text((c.root / "nbgrader_config.py").read_text().replace(
        "os.path.dirname(os.path.abspath(__file__))", repr(str(tmp_path))))
    copy = tmp_path / "learners-roster.json"

    def run(*args):
        return subprocess.run([str(BIN / "powercoach"), "roster", "add", *args, "--course", str(tmp_path)],
                              env=c.env, capture_output=True, text=True, timeout=120)

    first = run("dan", "ann")
    assert first.returncode == 0 and "2 learners added" in first.stdout, first.stderr
    second = run("--gradebook", "--copy-to", str(copy))
    assert second.returncode == 0, second.stderr
    places = roster.read(tmp_path / roster.FILE)
    assert places == {"dan": 0, "ann": 1, "ben": 2, "cat": 3, "eve": 4} == roster.read(copy)
    (tmp_path / roster.FILE).write_text("{", encoding="utf-8")
    broken = run("zed")
    assert broken.returncode == 2 and "could not be read" in broken.stderr and "Traceback" not in broken.stderr
    assert (tmp_path / roster.FILE).read_text() == "{"  # nothing lost


def test_the_report_holds_each_learner_to_their_own_papers_standard(course, tmp_path):
    c = course[0]
    written = {"ann": 3, "ben": 3, "cat": 0, "dan": 1}
    with Gradebook(f"sqlite:///{c.root / 'gradebook.db'}", course_id="powercoach") as gb:
        for name, points in written.items():
            grade = gb.find_grade("reflection", A, A, name)
            grade.manual_score = points
        gb.db.commit()
        totals = {n: gb.find_submission(A, n).score for n in written}
    held = {n: papers.standard_of(A, papers.drawn(A, PLACES[n])) for n in written}
    assert len(set(held.values())) > 1  # the papers' standards differ, so the check means something
    run = subprocess.run([str(BIN / "powercoach"), "report", A, "--out", str(tmp_path)], cwd=c.root, env=c.env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    exercise = next(csv.DictReader((tmp_path / "exercise.csv").open(encoding="utf-8")))
    assert int(exercise["standard_at_or_above"]) == sum(totals[n] >= held[n] for n in written)
    assert float(exercise["standard_lowest_held"]) == min(held.values())
    assert float(exercise["standard_highest_held"]) == max(held.values())
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    of = catalog.pass_standards("class")["exercises"][A]["of"]
    assert f"each learner's own paper's, from {min(held.values()):g} to {max(held.values()):g} of {of} points" in html
