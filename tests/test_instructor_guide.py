"""The instructor guide's commands, run in its order on a temp course with a real exchange.

Each instructor command is taken from docs/instructor-guide.md, so the guide cannot drift from
what works. Learners fetch, click (their answers file) and submit with nbgrader's own commands.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess

import pytest
from conftest import BIN, REPO, Course, private_env
from nbgrader.api import Gradebook
from test_nbgrader_cycle import points_for, solution_key

pytestmark = pytest.mark.slow
A = "01-contracting"
GUIDE = (REPO / "docs" / "instructor-guide.md").read_text(encoding="utf-8")
COMMANDS = [line.strip() for line in GUIDE.splitlines() if line.startswith("    nbgrader ")]


def test_the_guide_names_every_step():
    verbs = [c.split()[1] for c in COMMANDS]
    assert verbs == ["db", "generate_assignment", "release_assignment", "collect", "autograde",
                     "generate_feedback", "release_feedback", "export"]


def test_the_guide_grades_a_cohort_end_to_end(tmp_path):
    root = tmp_path / "course"
    root.mkdir()
    course = Course(root)
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    (root / "students.csv").write_text("id,first_name,last_name,email\nalice,Alice,Moreau,a@example.org\n"
                                       "bongani,Bongani,Dube,b@example.org\n", encoding="utf-8")

    def instructor(verb: str, *extra: str):
        command = next(c for c in COMMANDS if c.split()[1] == verb)
        args = command.split()[1:]
        args = [re.sub(r"^--Exchange.root=.*", f"--Exchange.root={exchange}", a) for a in args]
        if verb == "collect":
            args.append("--ExchangeCollect.check_owner=False")  # every learner here is the same OS user
        return course.nbgrader(*args, *extra)

    def learner(student: str, *args: str):
        home = tmp_path / student
        home.mkdir(exist_ok=True)
        # Each learner has a home of their own (nbgrader keeps its submission cache there).
        proc = subprocess.run([str(BIN / "nbgrader"), *args, "--course", "powercoach", f"--student={student}",
                               f"--Exchange.root={exchange}"], cwd=home, env=private_env(tmp_path / f"{student}-home"),
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-2000:]
        return home

    instructor("db")
    instructor("generate_assignment")
    instructor("release_assignment")
    key = solution_key(A)
    for student, answers in (("alice", key), ("bongani", dict(list(key.items())[:5]))):
        home = learner(student, "fetch_assignment", A)
        (home / A / f"{A}.answers.json").write_text(json.dumps({"exercise": A, "answers": answers}))
        learner(student, "submit", A)
    instructor("collect")
    instructor("autograde")
    # Step 5: what the Formgrader stores when the instructor marks a reflection.
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id="powercoach") as gb:
        grade = gb.find_grade("reflection", A, A, "alice")
        grade.manual_score = 2
        gb.find_comment("reflection", A, A, "alice").manual_comment = "Clear outcome; name the pitfall next time."
        gb.db.commit()
    instructor("generate_feedback")
    instructor("release_feedback")
    home = learner("alice", "fetch_feedback", A)
    fetched = list((home / A / "feedback").rglob(f"{A}.html"))
    assert len(fetched) == 1, "a learner fetches only their own feedback"
    feedback = fetched[0].read_text(encoding="utf-8")
    assert "Clear outcome; name the pitfall next time." in feedback and "Q1: correct" in feedback
    instructor("export")
    with (root / "grades.csv").open(encoding="utf-8") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    assert float(rows["alice"]["score"]) == points_for(key, A) + 2
    assert float(rows["bongani"]["score"]) == 5
