"""`powercoach report --first-attempt` (issue #18, part 4): the statistics of each learner's first
submission, read from nbgrader's exchange where a learner submitted more than once (nbgrader
collects and grades only the latest), marked as data the way grading marks it.
"""

from __future__ import annotations

import csv
import json
import subprocess

import pytest
from conftest import BIN, Course
from test_nbgrader_cycle import answers_file, released, solution_key, wrong

A = "01-contracting"


def hand_in(inbound, student: str, when: str, answers: dict | None, notebook=None):
    """A submission as `nbgrader submit` leaves it in the exchange."""
    import nbformat

    folder = inbound / f"{student}+{A}+{when}+{student[:2]}{len(when)}"
    folder.mkdir(parents=True)
    nbformat.write(notebook or released(), folder / f"{A}.ipynb")
    if answers is not None:
        (folder / f"{A}.answers.json").write_text(answers_file(answers), encoding="utf-8")
    (folder / "timestamp.txt").write_text(when)
    return folder


@pytest.fixture
def course(tmp_path):
    root = tmp_path / "course"
    root.mkdir()
    course = Course(root)
    exchange = tmp_path / "exchange"
    with (root / "nbgrader_config.py").open("a") as f:
        f.write(f"\nc.Exchange.root = {str(exchange)!r}\n")
    return course, exchange / "powercoach" / "inbound"


def report(course, tmp_path, *extra):
    return subprocess.run([str(BIN / "powercoach"), "report", A, "--first-attempt", "--out", str(tmp_path / "out"),
                           *extra], cwd=course.root, env=course.env, capture_output=True, text=True, timeout=300)


def test_the_first_submission_of_each_learner_is_the_one_analysed(course, tmp_path):
    course, inbound = course
    with (course.root / "nbgrader_config.py").open("a") as f:
        f.write("c.ExchangeCollect.check_owner = False\n")  # the test's files are all root's
    right = solution_key(A)
    all_wrong = {q: wrong(v) for q, v in right.items()}
    hand_in(inbound, "ada", "2026-11-28 09:00:00.000000 UTC", all_wrong)
    hand_in(inbound, "ada", "2026-11-28 11:00:00.000000 UTC", right)  # her later, right one is not her first
    hand_in(inbound, "ben", "2026-11-28 10:00:00.000000 UTC", right)
    typed = released()
    answers_cell = next(c for c in typed.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "answers")
    answers_cell.source += '\nanswers["Q1"] = "' + right["Q1"] + '"\nimport os; os.system("touch /tmp/pwned")'
    hand_in(inbound, "cid", "2026-11-28 10:30:00.000000 UTC", None, typed)  # typed Q1 only, and some code
    (inbound / f"eve+{A}+2026-11-28 08:00:00.000000 UTC+x").symlink_to(inbound / next(
        p.name for p in inbound.iterdir() if p.name.startswith("ben+")))  # a link is never followed
    (inbound / f"not-a-submission+{A}+yesterday+x").mkdir()
    # a first attempt that is hostile: a notebook nested too deeply, an answers file too large, script typed
    deep = hand_in(inbound, "dee", "2026-11-28 10:40:00.000000 UTC", {**right, "padding": "x" * 200_000})
    (deep / f"{A}.ipynb").write_text('{"cells": ' + "[" * 50_000 + "]" * 50_000 + "}")
    script = released()
    cell_ = next(c for c in script.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "answers")
    cell_.source += '\nanswers["Q1"] = "<script>alert(1)</script>"'
    hand_in(inbound, "sam", "2026-11-28 10:50:00.000000 UTC", None, script)
    run = report(course, tmp_path)
    assert run.returncode == 0, run.stderr
    with (tmp_path / "out" / "items.csv").open(encoding="utf-8") as f:
        rows = {r["question"]: r for r in csv.DictReader(f)}
    assert set(rows) == set(right)
    assert float(rows["Q1"]["difficulty"]) == pytest.approx(2 / 5)  # ben and cid (typed)
    assert float(rows["Q2"]["difficulty"]) == pytest.approx(1 / 5)  # ben only: ada's first was all wrong
    assert float(rows["Q2"]["share_(blank)"]) == pytest.approx(3 / 5)  # cid, dee (nothing readable), sam
    assert float(rows["Q1"]["share_(invalid)"]) == pytest.approx(1 / 5)  # sam's script
    assert {int(float(r["learners"])) for r in rows.values()} == {5}  # no eve, no folder without a date
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "(first attempts)" in html and "5 learners, each on their first submission" in html
    assert "<script>alert" not in html
    assert not __import__("os").path.exists("/tmp/pwned")


def test_a_folder_that_is_not_its_learners_own_is_skipped(course, tmp_path):
    """nbgrader's collect checks the owner; so does this (here every folder is root's, not ada's)."""
    course, inbound = course
    hand_in(inbound, "ada", "2026-11-28 09:00:00.000000 UTC", solution_key(A))
    run = report(course, tmp_path)
    assert run.returncode == 2 and "No submissions of '01-contracting'" in run.stderr


def test_without_an_exchange_it_says_where_it_looked(course, tmp_path):
    course, inbound = course
    run = report(course, tmp_path)
    assert run.returncode == 2 and "No exchange inbound folder" in run.stderr and "Traceback" not in run.stderr
    assert json.dumps(run.stderr).count("\\n") <= 1


def test_first_attempts_in_a_class_are_marked_on_each_learners_own_paper(course, tmp_path):
    """With a class roster, each first submission is marked on its learner's own drawn paper; a learner
    who hands in another's answers earns only what they earn on their own paper, item by item."""
    from test_class_pool import made_up_class_key

    from powercoach import key, papers, roster
    from powercoach.marking import expected, mark_question

    course, inbound = course
    with (course.root / "nbgrader_config.py").open("a") as f:
        f.write("c.ExchangeCollect.check_owner = False\n")
    made_up_class_key(course.root / "class-key")
    roster.add(course.root / roster.FILE, ["ada", "ben"])
    k = key.load(course.root / "class-key")
    own = {n: papers.drawn(A, place) for place, n in enumerate(("ada", "ben"))}
    adas = {q.qid: expected(q, k) for q in own["ada"]}
    hand_in(inbound, "ada", "2026-11-28 09:00:00.000000 UTC", adas)
    hand_in(inbound, "ada", "2026-11-28 11:00:00.000000 UTC", {})  # a later, blank one is not her first
    hand_in(inbound, "ben", "2026-11-28 10:00:00.000000 UTC", adas)  # ada's answers, handed in as ben's
    run = report(course, tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    rows = {r["question"]: r for r in csv.DictReader((tmp_path / "out" / "items.csv").open(encoding="utf-8"))}
    marks: dict[str, list[float]] = {}
    for name in ("ada", "ben"):
        for q in own[name]:
            marks.setdefault(papers.item_key(q.item_id, q.kind), []).append(mark_question(q, adas, k).points)
    assert set(rows) == set(marks)
    for item, got in marks.items():
        assert int(rows[item]["learners"]) == len(got)
        assert float(rows[item]["difficulty"]) == pytest.approx(sum(got) / len(got)), item
    assert sum(sum(g) for g in marks.values()) < 2 * len(adas)  # ben did not earn ada's marks
