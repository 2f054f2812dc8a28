"""powercoach grade and the sandbox, on a class of real submissions graded by real nbgrader.

One class of 24 learners: 20 ordinary ones with random errors, one broken notebook, and
hostile ones that try to read the answer key, damage the gradebook, run added cells, loop
forever, or break a hidden test. `powercoach grade --workers 4` must give exactly the scores
serial `nbgrader autograde` gives, grade everyone it can, and let no learner reach the course.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess

import nbformat
import pytest
from conftest import BIN, Course
from nbgrader.api import Gradebook
from test_nbgrader_cycle import A, answers_file, released, solution_key, typed, wrong

pytestmark = pytest.mark.slow
KEY = solution_key()


def ordinary_class(n: int = 20, seed: int = 1) -> dict[str, dict]:
    rng = random.Random(seed)
    return {f"learner{i:02d}": {q: (v if rng.random() > 0.3 else wrong(v)) for q, v in KEY.items()}
            for i in range(n)}


def hostile(root) -> dict:
    probe = (
        "import glob, os\n"
        f"ROOT = {str(root)!r}\n"
        "seen = [p for p in glob.glob('../../../**', recursive=True) + glob.glob(ROOT + '/**', recursive=True)\n"
        "        if any(s in p for s in ('solutions', 'gradebook', 'nbgrader_config', 'learner'))]\n"
        "print('SEEN', seen)\n"
        "for target in (ROOT + '/gradebook.db', ROOT + '/nbgrader_config.py', '../../../gradebook.db'):\n"
        "    try:\n"
        "        open(target, 'ab').write(b'corrupt')\n"
        "        print('WROTE', target)\n"
        "    except OSError as err:\n"
        "        print('BLOCKED', type(err).__name__)\n"
    )
    added = released()
    added.cells.insert(3, nbformat.v4.new_code_cell("open('ran.txt', 'w').write('added cell ran')\nprint('ADDED RAN')"))
    return {
        "hostile_reader": (typed(probe), answers_file(KEY)),
        "added_cell": (added, answers_file(KEY)),
        "endless_loop": (typed("while True:\n    pass"), answers_file(KEY)),
        "breaks_hidden_test": (typed("import sys\nsys.modules['powercoach.grading'] = None"), answers_file(KEY)),
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("tools")
    courses = {}
    for name in ("serial", "parallel"):
        (base / name).mkdir()
        course = Course(base / name)
        with (course.root / "nbgrader_config.py").open("a") as f:
            f.write("\nc.Execute.timeout = 8  # the endless loop should not hold the test up\n")
        course.nbgrader("generate_assignment", A, "--force")
        for student, answers in ordinary_class().items():
            course.submit(student, A, released(), answers_file(answers))
        for student, (nb, answers) in hostile(course.root).items():
            course.submit(student, A, nb, answers)
        broken = course.submit("broken", A, released(), answers_file(KEY))
        (broken / f"{A}.ipynb").write_text('{"cells": [', encoding="utf-8")
        courses[name] = course
    serial = courses["serial"].nbgrader("autograde", A, "--create", "--force", check=False)
    parallel = subprocess.run([str(BIN / "powercoach"), "grade", A, "--workers", "4"], cwd=courses["parallel"].root,
                              env=courses["parallel"].env, capture_output=True, text=True, timeout=900)
    return courses, serial, parallel


def scores(course) -> dict[str, float]:
    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}", course_id="powercoach") as gb:
        return {s.student.id: s.code_score for s in gb.assignment_submissions(A)}


def test_parallel_grading_gives_exactly_the_serial_scores(graded):
    courses, serial, parallel = graded
    # Plain nbgrader leaves a score of 0 for the two it could not grade; powercoach grade
    # reports them as failed instead (see the tests below).
    want = {s: v for s, v in scores(courses["serial"]).items() if s not in ("broken", "endless_loop")}
    got = scores(courses["parallel"])
    assert len(want) == 23 and got == want
    for student, answers in ordinary_class().items():
        assert got[student] == sum(answers[q] == v for q, v in KEY.items())


def test_no_grade_is_lost_or_duplicated_with_four_workers(graded):
    courses, _, _ = graded
    with Gradebook(f"sqlite:///{courses['parallel'].root / 'gradebook.db'}", course_id="powercoach") as gb:
        subs = gb.assignment_submissions(A)
        assert sorted(s.student.id for s in subs) == sorted(set(s.student.id for s in subs))
        for sub in subs:
            assert len(sub.notebooks[0].grades) == len(KEY) + 1  # every question and the reflection
            assert all(g.score is not None for g in sub.notebooks[0].grades if g.name != "reflection")


def test_a_broken_submission_is_reported_and_the_rest_are_graded(graded):
    _, _, parallel = graded
    assert parallel.returncode == 1, parallel.stdout + parallel.stderr
    assert re.search(r"^broken\s+FAILED", parallel.stdout, re.M)
    assert "NotJSONError: Notebook does not appear to be JSON" in parallel.stdout
    assert "23 graded, 2 failed." in parallel.stdout
    assert "/25 graded" in parallel.stderr and "ETA" in parallel.stderr  # the progress bar


def test_a_failed_regrade_leaves_no_stale_score(graded, tmp_path):
    courses, _, _ = graded
    course = courses["parallel"]
    before = scores(course)
    assert "learner00" in before
    (course.root / "submitted" / "learner00" / A / f"{A}.ipynb").write_text("not a notebook", encoding="utf-8")
    run = subprocess.run([str(BIN / "powercoach"), "grade", A, "--workers", "2"], cwd=course.root, env=course.env,
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 1 and re.search(r"^learner00\s+FAILED", run.stdout, re.M)
    after = scores(course)
    assert "learner00" not in after
    assert {k: v for k, v in after.items() if k != "learner00"} == {k: v for k, v in before.items() if k != "learner00"}


def _outputs(course, student) -> str:
    nb = nbformat.read(course.root / "autograded" / student / A / f"{A}.ipynb", as_version=4)
    return "\n".join(o.get("text", "") + o.get("evalue", "") for c in nb.cells for o in c.get("outputs", []))


def test_learner_code_cannot_see_or_touch_the_course(graded):
    courses, _, _ = graded
    for course in courses.values():
        out = _outputs(course, "hostile_reader")
        assert "SEEN []" in out, out[:2000]
        assert "WROTE" not in out and out.count("BLOCKED") == 3
        assert (course.root / "gradebook.db").read_bytes()[-7:] != b"corrupt"
        assert b"corrupt" not in (course.root / "nbgrader_config.py").read_bytes()
    assert scores(courses["parallel"])["hostile_reader"] == len(KEY)


def test_an_added_code_cell_is_not_run_and_the_feedback_says_so(graded):
    course = graded[0]["parallel"]
    assert "ADDED RAN" not in _outputs(course, "added_cell")
    assert not (course.root / "autograded" / "added_cell" / A / "ran.txt").exists()
    course.nbgrader("generate_feedback", A, "--student", "added_cell", "--force")
    html = (course.root / "feedback" / "added_cell" / A / f"{A}.html").read_text(encoding="utf-8")
    assert "Not run during grading." in html


def test_an_endless_loop_times_out_and_grading_goes_on(graded):
    courses, _, parallel = graded
    assert re.search(r"^endless_loop\s+FAILED", parallel.stdout, re.M)
    assert "a cell ran past the time limit" in parallel.stdout
    assert "endless_loop" not in scores(courses["parallel"])  # no made-up 0 in the gradebook
    assert re.search(r"^learner19\s+graded", parallel.stdout, re.M)


def test_feedback_for_a_failing_hidden_test_shows_neither_its_source_nor_a_traceback(graded):
    course = graded[0]["parallel"]
    assert "Traceback" in json.dumps(nbformat.read(
        course.root / "autograded" / "breaks_hidden_test" / A / f"{A}.ipynb", as_version=4))
    course.nbgrader("generate_feedback", A, "--student", "breaks_hidden_test", "--force")
    html = (course.root / "feedback" / "breaks_hidden_test" / A / f"{A}.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", re.sub(r"(?s)<(style|script).*?</\1>", "", html))
    for secret in ("mark(globals()", "powercoach.grading import", "Traceback", "ImportError", "BEGIN HIDDEN"):
        assert secret not in text, secret
    assert "This check could not run" in text


def test_grading_stops_with_a_message_when_the_sandbox_cannot_run(graded, tmp_path):
    course = graded[0]["parallel"]
    env = dict(course.env, PATH=str(tmp_path))  # no bwrap on this PATH
    shutil.copy(BIN / "powercoach", tmp_path / "powercoach")
    run = subprocess.run([str(BIN / "python"), "-m", "powercoach.cli", "grade", A], cwd=course.root, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 2
    assert "bubblewrap (bwrap) is not installed" in run.stderr and "POWERCOACH_SANDBOX=off" in run.stderr
    assert "Traceback" not in run.stderr


def expected_matrix() -> dict[str, dict[str, int]]:
    """What each graded learner of the serial course should score per question."""
    rows = {s: {q: int(a[q] == v) for q, v in KEY.items()} for s, a in ordinary_class().items()}
    rows |= {s: dict.fromkeys(KEY, 1) for s in ("hostile_reader", "added_cell")}
    rows |= {"breaks_hidden_test": dict.fromkeys(KEY, 0)}  # endless_loop and broken could not be graded
    return rows


def test_item_analysis_matches_the_known_cohort(graded):
    import numpy as np

    from powercoach.report import analyse, collect

    course = graded[0]["serial"]
    questions, scores, chosen = collect(A, str(course.root))
    want = expected_matrix()
    assert sorted(scores.index) == sorted(want)  # submissions that could not be graded are left out
    stats = analyse(questions, scores, chosen)
    matrix = np.array([[want[s][q] for q in KEY] for s in sorted(want)], dtype=float)
    for j, q in enumerate(KEY):
        assert stats.loc[q, "difficulty"] == pytest.approx(matrix[:, j].mean())
        rest = matrix.sum(axis=1) - matrix[:, j]
        assert stats.loc[q, "discrimination"] == pytest.approx(np.corrcoef(matrix[:, j], rest)[0, 1])
        ordinary_wrong = sum(a[q] != KEY[q] for a in ordinary_class().values())
        if ordinary_wrong >= 2:
            assert stats.loc[q, "most_chosen_wrong"] == wrong(KEY[q])
        assert stats.loc[q, "right_answer"] == KEY[q]


def test_flags_on_planted_items():
    import pandas as pd

    from powercoach.report import flags, item_statistics

    strong = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]
    scores = pd.DataFrame({
        "easy": [1] * 10, "hard": [0] * 9 + [1], "reversed": [1 - s for s in strong],
        "a": strong, "b": strong, "c": strong,
    })
    stats = item_statistics(scores)
    assert stats.loc["easy", "difficulty"] == 1.0 and stats.loc["hard", "difficulty"] == 0.1
    assert stats.loc["reversed", "discrimination"] < 0 < stats.loc["a", "discrimination"]
    marked = flags(stats)
    assert marked["easy"] == "too easy" and marked["hard"].startswith("too hard")
    assert "discriminates negatively" in marked["reversed"] and marked["a"] == ""


def test_report_command_writes_html_and_csv(graded, tmp_path):
    import pandas as pd

    course = graded[0]["serial"]
    run = subprocess.run([str(BIN / "powercoach"), "report", A, "--out", str(tmp_path)], cwd=course.root,
                         env=course.env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Item analysis: 01-contracting" in html and "data:image/png;base64," in html
    assert "Pitfalls: right answer against answer given" in html
    items = pd.read_csv(tmp_path / "items.csv", index_col=0)
    assert list(items.index) == list(KEY) and {"difficulty", "discrimination", "flag"} <= set(items.columns)


def test_the_instructor_notebook_shows_the_same_report(graded):
    from conftest import REPO
    from nbclient import NotebookClient

    course = graded[0]["serial"]
    nb = nbformat.read(REPO / "docs" / "item-analysis.ipynb", as_version=4)
    nb.cells[1].source = f'ASSIGNMENT = "{A}"\nCOURSE = {str(course.root)!r}'
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    html = nb.cells[2].outputs[0]["data"]["text/html"]
    assert "Item analysis: 01-contracting" in html and "Flagged questions" in html


def test_report_without_grades_says_what_to_do(tmp_path):
    from conftest import REPO

    shutil.copy(REPO / "nbgrader_config.py", tmp_path)
    run = subprocess.run([str(BIN / "powercoach"), "report", A], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 2 and "grade the assignment first" in run.stderr and "Traceback" not in run.stderr
