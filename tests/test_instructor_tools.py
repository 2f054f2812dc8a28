"""powercoach grade, kernel-free marking and the sandbox, on classes graded by real nbgrader.

Exercise 01 is click-answered, so it is marked as data: a class of 20 ordinary learners, one
broken notebook, and hostile learners whose code would patch the marking, read the key, patch
builtins, exit the kernel or loop forever, plus doctored answers files and renamed or missing
notebooks. Each earns exactly what its literal answers earn, no kernel starts for any of them,
and `powercoach grade --workers 2` gives exactly the scores serial `nbgrader autograde` gives.
A small notebook that is not click-answered still runs, in the bubblewrap sandbox.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess

import nbformat
import pytest
from conftest import BIN, REPO, Course
from nbgrader.api import Gradebook
from test_nbgrader_cycle import TOTAL, A, answers_file, points_for, released, solution_key, typed, worth, wrong

pytestmark = pytest.mark.slow
KEY = solution_key()
FIRST = next(iter(KEY))
PROBE = "99-probe"  # an assignment that is not click-answered: its test runs in a kernel


def ordinary_class(n: int = 20, seed: int = 1) -> dict[str, dict]:
    rng = random.Random(seed)
    return {f"learner{i:02d}": {q: (v if rng.random() > 0.3 else wrong(v)) for q, v in KEY.items()}
            for i in range(n)}


def literal(q: str, v: str) -> str:
    return f'answers["{q}"] = "{v}"'


# Code a learner might type into the answer cell to earn marks without answering. None of it
# runs; each earns exactly what its literal answer lines (and its answers file) earn.
ATTACKS = {
    "patches_marking": ("import powercoach.marking as m\nm.mark = lambda *a, **k: 1.0\n"
                        "m.mark_question = lambda *a, **k: None", None, 0),
    "patches_module": ("import sys, types\nsys.modules['powercoach.marking'] = types.SimpleNamespace("
                       "mark=lambda *a, **k: 1.0)", None, 0),
    "reads_key": ("from powercoach import key\nK = key.find('/')\n"
                  "answers.update({q: 'good' for q in ('Q1', 'Q2', 'Q3')})\n" + literal(FIRST, KEY[FIRST]), None, 1),
    "patches_builtins": ("import builtins\nbuiltins.float = lambda *a: 1.0\nbuiltins.print = lambda *a, **k: None",
                         "half", points_for(list(KEY)[: len(KEY) // 2])),
    "exits_kernel": (literal(FIRST, KEY[FIRST]) + "\nimport os\nos._exit(0)", None, 1),
    "loops_forever": ("while True:\n    pass", "all", TOTAL),
    "dict_literal": ("answers = " + json.dumps(KEY), None, 0),
}


def hostile() -> dict:
    half = dict(list(KEY.items())[: len(KEY) // 2])
    files = {"all": answers_file(KEY), "half": answers_file(half), None: None}
    cls = {name: (typed(code), files[f], points) for name, (code, f, points) in ATTACKS.items()}
    added = released()
    added.cells.insert(3, nbformat.v4.new_code_cell("open('ran.txt', 'w').write('added cell ran')\nprint('ADDED RAN')"))
    cls["added_cell"] = (added, answers_file(KEY), TOTAL)
    other = json.loads(answers_file(KEY))
    other["exercise"] = "02-role-clarity"
    cls["other_exercises_file"] = (released(), json.dumps(other), 0)
    cls["huge_file"] = (released(), answers_file(KEY)[:-1] + ', "pad": "' + "x" * 30_000_000 + '"}', 0)
    return cls


def plant(course: Course, student: str, how: str) -> None:
    """Submissions whose files are wrong in ways answers alone cannot be."""
    folder = course.submit(student, A, released(), answers_file(KEY))
    if how == "symlink":  # the answers file is a link to a full answers file outside the submission
        target = course.root.parent / "elsewhere.answers.json"
        target.write_text(answers_file(KEY), encoding="utf-8")
        (folder / f"{A}.answers.json").unlink()
        (folder / f"{A}.answers.json").symlink_to(target)
    elif how == "renamed":
        (folder / f"{A}.ipynb").rename(folder / "my-answers.ipynb")
    elif how == "missing":
        (folder / f"{A}.ipynb").unlink()
    elif how == "planted_key":  # a key/ of the learner's own making inside the submission
        shutil.copytree(course.root / "key", folder / "key")
        (folder / "key" / "items.csv").write_text("item_id,label,pitfall,rationale,better_response\n")


# None: no notebook to grade, so no grade (powercoach grade reports it FAILED; plain nbgrader
# records a placeholder 0 for a renamed one).
PLANTED = {"symlink": 0, "renamed": None, "missing": None, "planted_key": TOTAL}


def probe_assignment(course: Course) -> None:
    """A notebook graded the ordinary way: a solution cell and an assert test."""
    meta = {"schema_version": 3, "locked": False}
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION", metadata={"nbgrader": {
            **meta, "grade": False, "solution": True, "grade_id": "answer"}}),
        nbformat.v4.new_code_cell("assert x == 1", metadata={"nbgrader": {
            **meta, "grade": True, "solution": False, "locked": True, "grade_id": "test", "points": 1}}),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    (course.root / "solutions" / PROBE).mkdir()
    nbformat.write(nb, course.root / "solutions" / PROBE / f"{PROBE}.ipynb")
    course.nbgrader("generate_assignment", PROBE, "--force")


def sandbox_probe(root) -> str:
    return (
        "import glob, os\n"
        f"ROOT = {str(root)!r}\n"
        "seen = [p for p in glob.glob('../../../**', recursive=True) + glob.glob(ROOT + '/**', recursive=True)\n"
        "        if any(s in p for s in ('solutions', 'gradebook', 'nbgrader_config', 'key', 'learner'))]\n"
        "print('SEEN', seen)\n"
        "for target in (ROOT + '/gradebook.db', ROOT + '/nbgrader_config.py', ROOT + '/key/items.csv'):\n"
        "    try:\n"
        "        open(target, 'ab').write(b'corrupt')\n"
        "        print('WROTE', target)\n"
        "    except OSError as err:\n"
        "        print('BLOCKED', type(err).__name__)\n"
        "x = 1\n"
    )


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("tools")
    courses = {}
    for name in ("serial", "parallel"):
        (base / name).mkdir()
        course = Course(base / name)
        course.spy_on_kernels()
        course.nbgrader("generate_assignment", A, "--force")
        for student, answers in ordinary_class().items():
            course.submit(student, A, released(), answers_file(answers))
        for student, (nb, answers, _) in hostile().items():
            course.submit(student, A, nb, answers)
        for how in PLANTED:
            plant(course, how, how)
        broken = course.submit("broken", A, released(), answers_file(KEY))
        (broken / f"{A}.ipynb").write_text('{"cells": [', encoding="utf-8")
        courses[name] = course
    serial = courses["serial"].nbgrader("autograde", A, "--create", "--force", check=False)
    parallel = subprocess.run([str(BIN / "powercoach"), "grade", A, "--workers", "2"], cwd=courses["parallel"].root,
                              env=courses["parallel"].env, capture_output=True, text=True, timeout=900)
    return courses, serial, parallel


def scores(course, assignment=A) -> dict[str, float]:
    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}", course_id="powercoach") as gb:
        return {s.student.id: s.code_score for s in gb.assignment_submissions(assignment)}


def kernels_started(course) -> list[str]:
    return course.kernel_log.read_text().splitlines() if course.kernel_log.exists() else []


def test_parallel_grading_gives_exactly_the_serial_scores(graded):
    courses, serial, parallel = graded
    # Plain nbgrader leaves a score of 0 for the notebook it could not read; powercoach grade
    # reports it as failed instead (see below).
    ungradable = {"broken", *(s for s, p in PLANTED.items() if p is None)}
    want = {s: v for s, v in scores(courses["serial"]).items() if s not in ungradable}
    got = scores(courses["parallel"])
    assert len(want) == 20 + len(hostile()) + len(PLANTED) - 2 and got == want
    for student, answers in ordinary_class().items():
        assert got[student] == points_for([q for q, v in KEY.items() if answers[q] == v])


@pytest.mark.parametrize("student", [*ATTACKS, "added_cell", "other_exercises_file", "huge_file", *PLANTED])
def test_learner_code_and_doctored_files_earn_only_what_literal_answers_earn(graded, student):
    courses, _, _ = graded
    points = {name: p for name, (_, _, p) in hostile().items()} | PLANTED
    assert scores(courses["parallel"]).get(student) == points[student]
    assert scores(courses["serial"]).get(student) in ({points[student]} if points[student] is not None else {None, 0})


def test_no_kernel_starts_for_a_click_answered_exercise(graded):
    courses, _, _ = graded
    for course in courses.values():
        assert kernels_started(course) == []
        assert "ADDED RAN" not in _outputs(course, "added_cell")
        assert not (course.root / "autograded" / "added_cell" / A / "ran.txt").exists()


def test_lines_that_do_not_count_are_named_in_the_feedback(graded):
    course = graded[0]["parallel"]
    out = _outputs(course, "patches_marking")
    assert "Not counted" in out and "line 4: m.mark = lambda *a, **k: 1.0" in out
    assert "is a link to another file" in _outputs(course, "symlink")
    assert f"{A}.answers.json is too large" in _outputs(course, "huge_file")
    assert "belongs to exercise '02-role-clarity'" in _outputs(course, "other_exercises_file")
    course.nbgrader("generate_feedback", A, "--student", "added_cell", "--force")
    html = (course.root / "feedback" / "added_cell" / A / f"{A}.html").read_text(encoding="utf-8")
    assert "Not run during grading." in html


def test_no_grade_is_lost_or_duplicated_with_two_workers(graded):
    courses, _, _ = graded
    with Gradebook(f"sqlite:///{courses['parallel'].root / 'gradebook.db'}", course_id="powercoach") as gb:
        subs = gb.assignment_submissions(A)
        assert sorted(s.student.id for s in subs) == sorted(set(s.student.id for s in subs))
        for sub in subs:
            assert len(sub.notebooks[0].grades) == len(KEY) + 1  # every question and the reflection
            assert all(g.score is not None for g in sub.notebooks[0].grades if g.name != "reflection")


def test_a_broken_submission_is_reported_and_the_rest_are_graded(graded):
    _, _, parallel = graded
    total = 20 + len(hostile()) + len(PLANTED) + 1
    assert parallel.returncode == 1, parallel.stdout + parallel.stderr
    for student in ("broken", "missing", "renamed"):
        assert re.search(rf"^{student}\s+FAILED", parallel.stdout, re.M)
    assert "NotJSONError: Notebook does not appear to be JSON" in parallel.stdout
    assert f"{total - 3} graded, 3 failed." in parallel.stdout
    assert f"/{total} graded" in parallel.stderr and "ETA" in parallel.stderr  # the progress bar
    # a quiet terminal: the real errors above show; nbgrader's known gradebook warning does not
    assert "Warning" not in parallel.stderr and "Traceback" not in parallel.stderr, parallel.stderr


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


def _outputs(course, student, assignment=A) -> str:
    nb = nbformat.read(course.root / "autograded" / student / assignment / f"{assignment}.ipynb", as_version=4)
    return "\n".join(o.get("text", "") + o.get("evalue", "") for c in nb.cells for o in c.get("outputs", []))


@pytest.fixture(scope="module")
def probed(graded):
    """The notebook that is graded by running it: honest, hostile and endless submissions."""
    course = graded[0]["parallel"]
    probe_assignment(course)
    released_probe = nbformat.read(course.root / "exercises" / PROBE / f"{PROBE}.ipynb", as_version=4)
    for student, code in (("honest", "x = 1"), ("hostile_reader", sandbox_probe(course.root)),
                          ("endless_loop", "while True:\n    pass")):
        nb = nbformat.from_dict(json.loads(json.dumps(released_probe)))
        nb.cells[0].source = code
        course.submit(student, PROBE, nb)
    before = len(kernels_started(course))
    run = subprocess.run([str(BIN / "powercoach"), "grade", PROBE, "--workers", "2"], cwd=course.root,
                         env=course.env, capture_output=True, text=True, timeout=900)
    return course, run, len(kernels_started(course)) - before


def test_a_notebook_that_is_not_click_answered_still_runs_in_the_sandbox(probed):
    course, run, started = probed
    assert started == 3  # the spy sees a kernel per submission here, so its silence above means something
    assert scores(course, PROBE) == {"honest": 1.0, "hostile_reader": 1.0}
    out = _outputs(course, "hostile_reader", PROBE)
    assert "SEEN []" in out, out[:2000]
    assert "WROTE" not in out and out.count("BLOCKED") == 3
    assert (course.root / "gradebook.db").read_bytes()[-7:] != b"corrupt"
    assert b"corrupt" not in (course.root / "nbgrader_config.py").read_bytes()


def test_an_endless_loop_times_out_and_grading_goes_on(probed):
    course, run, _ = probed
    assert re.search(r"^endless_loop\s+FAILED", run.stdout, re.M)
    assert "a cell ran past the time limit" in run.stdout
    assert "endless_loop" not in scores(course, PROBE)  # no made-up 0 in the gradebook


def test_grading_stops_with_a_message_when_the_sandbox_cannot_run(probed, tmp_path):
    course = probed[0]
    env = dict(course.env, PATH=str(tmp_path))  # no bwrap on this PATH
    for assignment, stops in ((PROBE, True), (A, False)):
        run = subprocess.run([str(BIN / "python"), "-m", "powercoach.instructor.cli", "grade", assignment],
                             cwd=course.root, env=env, capture_output=True, text=True, timeout=300)
        if stops:
            assert run.returncode == 2
            assert "bubblewrap (bwrap) is not installed" in run.stderr and "POWERCOACH_SANDBOX=off" in run.stderr
            assert "Traceback" not in run.stderr
        else:  # marking as data needs no sandbox
            assert "bubblewrap" not in run.stderr and "graded" in run.stdout, run.stderr[-2000:]


def test_grading_without_the_key_stops_with_a_message(graded, tmp_path):
    course = graded[0]["parallel"]
    shutil.move(course.root / "key", tmp_path / "key")
    try:
        run = subprocess.run([str(BIN / "powercoach"), "grade", A], cwd=course.root, env=course.env,
                             capture_output=True, text=True, timeout=300)
    finally:
        shutil.move(tmp_path / "key", course.root / "key")
    assert run.returncode == 2 and "No answer key folder" in run.stderr and "Traceback" not in run.stderr


def expected_matrix() -> dict[str, dict[str, int]]:
    """What each graded learner of the serial course should score per question."""
    rows = {s: {q: int(a[q] == v) for q, v in KEY.items()} for s, a in ordinary_class().items()}
    return rows


def test_item_analysis_matches_the_known_cohort(graded, tmp_path):
    import numpy as np

    from powercoach.instructor.report import analyse, collect, option_shares

    course = graded[0]["serial"]
    questions, scores_, chosen = collect(A, str(course.root))
    want = expected_matrix()
    ordinary = sorted(want)
    stats = analyse(questions.loc[list(KEY)], scores_.loc[ordinary], chosen.loc[ordinary])
    matrix = np.array([[want[s][q] for q in KEY] for s in ordinary], dtype=float)  # right (1) or not (0)
    marks = matrix * np.array([worth()[q] for q in KEY])  # what each earned: a pitfall counts 2
    shares = option_shares(chosen.loc[ordinary], questions)
    for j, q in enumerate(KEY):
        assert stats.loc[q, "difficulty"] == pytest.approx(matrix[:, j].mean())  # the facility index
        rest = marks.sum(axis=1) - marks[:, j]
        assert stats.loc[q, "discrimination"] == pytest.approx(np.corrcoef(matrix[:, j], rest)[0, 1])
        ordinary_wrong = sum(a[q] != KEY[q] for a in ordinary_class().values())
        if ordinary_wrong >= 2:
            assert stats.loc[q, "most_chosen_wrong"] == wrong(KEY[q])
        assert stats.loc[q, "right_answer"] == KEY[q]
        assert shares.loc[q, KEY[q]] == pytest.approx(matrix[:, j].mean())
        assert shares.loc[q, wrong(KEY[q])] == pytest.approx(1 - matrix[:, j].mean())


def test_statistics_on_a_fabricated_cohort_with_known_values():
    import pandas as pd

    from powercoach.instructor.report import flags, item_statistics, option_shares, reliability

    strong = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]
    scores_ = pd.DataFrame({
        "easy": [1] * 10, "hard": [0] * 9 + [1], "reversed": [1 - s for s in strong],
        "a": strong, "b": strong, "c": strong,
    })
    stats = item_statistics(scores_)
    assert stats.loc["easy", "difficulty"] == 1.0 and stats.loc["hard", "difficulty"] == 0.1
    assert stats.loc["reversed", "discrimination"] < 0 < stats.loc["a", "discrimination"]
    marked = flags(stats)
    assert marked["easy"] == "too easy" and marked["hard"].startswith("too hard")
    assert "discriminates negatively" in marked["reversed"] and marked["a"] == ""
    # KR-20 worked by hand: 4 learners, 3 questions.
    # totals 3, 2, 1, 0 (variance 1.25); p = .75, .5, .25 (sum of pq = .1875 + .25 + .1875 = .625);
    # KR-20 = 3/2 * (1 - .625 / 1.25) = 0.75; SEM = sqrt(1.25) * sqrt(0.25) = 0.559.
    hand = pd.DataFrame({"Q1": [1, 1, 1, 0], "Q2": [1, 1, 0, 0], "Q3": [1, 0, 0, 0]})
    rel = reliability(hand)
    assert rel["kr20"] == pytest.approx(0.75) and rel["sem"] == pytest.approx(1.25 ** 0.5 * 0.5)
    assert reliability(pd.DataFrame({"Q1": [1, 1], "Q2": [1, 1]}))["kr20"] != reliability(hand)["kr20"]  # NaN
    questions = pd.DataFrame({"kind": ["classify", "best"]}, index=["Q1", "Q2"])
    chosen = pd.DataFrame({"Q1": ["good", "good", "poor", "(blank)"], "Q2": ["A", "B", "A", "(invalid)"]})
    shares = option_shares(chosen, questions)
    assert shares.loc["Q1", "good"] == 0.5 and shares.loc["Q1", "(blank)"] == 0.25
    assert shares.loc["Q2", "A"] == 0.5 and shares.loc["Q2", "C"] == 0 and shares.loc["Q2", "(invalid)"] == 0.25


def test_examiner_statistics_on_cohorts_worked_by_hand():
    """Moodle's quiz statistics and PrairieLearn's quintiles on cohorts small enough to work by hand."""
    import pandas as pd

    from powercoach.instructor.report import examiner_statistics, guessing, quintiles, reliability

    # 4 learners, 3 questions; totals T = 3, 2, 1, 0 (mean 1.5).
    hand = pd.DataFrame({"Q1": [1, 1, 1, 0], "Q2": [1, 1, 0, 0], "Q3": [1, 0, 0, 0]})
    questions = pd.DataFrame({"kind": ["classify", "best", "diagnose"]}, index=["Q1", "Q2", "Q3"])
    stats = examiner_statistics(hand, questions)
    # Random guess: 1/2 (good or poor), 1/4 (A-D), 1/12 (twelve pitfalls).
    assert list(stats["random_guess"]) == pytest.approx([1 / 2, 1 / 4, 1 / 12])
    g = guessing(questions)
    assert g["random_guess_points"] == pytest.approx(1 / 2 + 1 / 4 + 1 / 12)
    assert g["random_guess_share"] == pytest.approx((1 / 2 + 1 / 4 + 1 / 12) / 3)
    # Effective weight: cov(Q, T) = .375, .5, .375 (population); sqrt = .6124, .7071, .6124.
    roots = [0.375 ** 0.5, 0.5 ** 0.5, 0.375 ** 0.5]
    assert list(stats["effective_weight"]) == pytest.approx([100 * r / sum(roots) for r in roots])
    assert stats["effective_weight"].sum() == pytest.approx(100)
    # A perfect (Guttman) pattern reaches all the discrimination its difficulty allows.
    assert list(stats["discriminative_efficiency"]) == pytest.approx([100, 100, 100])
    # Error ratio 100 * sqrt(1 - .75) = 50; SE = sd(T) * 50 / 100 = sqrt(1.25) / 2.
    rel = reliability(hand)
    assert rel["error_ratio"] == pytest.approx(50) and rel["sem"] == pytest.approx(1.25 ** 0.5 / 2)

    # Discriminative efficiency below 100: item X = 1, 0, 1, 0 against rest R = 2, 2, 1, 0.
    # Deviations X: .5, -.5, .5, -.5; R (mean 1.25): .75, .75, -.25, -1.25; cov = (.375 - .375 - .125
    # + .625) / 4 = .125. Sorted together (X 0, 0, 1, 1; R 0, 1, 2, 2) cov = .375; efficiency 33.3%.
    rest = pd.DataFrame({"X": [1, 0, 1, 0], "A": [1, 1, 1, 0], "B": [1, 1, 0, 0]})
    de = examiner_statistics(rest, pd.DataFrame({"kind": ["classify"] * 3}, index=["X", "A", "B"]))
    assert de.loc["X", "discriminative_efficiency"] == pytest.approx(100 * 0.125 / 0.375)
    # An item that pulls against the rest has no effective weight (Moodle leaves it out too).
    against = pd.DataFrame({"up": [1, 1, 1, 0, 0, 0], "up2": [1, 1, 0, 1, 0, 0], "down": [0, 0, 0, 1, 1, 1]})
    ew = examiner_statistics(against, pd.DataFrame({"kind": ["classify"] * 3}, index=list(against.columns)))
    assert pd.isna(ew.loc["down", "effective_weight"])
    assert ew["effective_weight"].sum() == pytest.approx(100)

    # Quintiles: ten learners ranked by total, two per fifth; Q rises 0, 0, .5, 1, 1 from the lowest fifth.
    ten = pd.DataFrame({"Q": [0, 0, 0, 0, 1, 0, 1, 1, 1, 1], "R": [0, 0, 1, 1, 1, 1, 1, 1, 1, 1],
                        "S": [0, 1, 0, 1, 0, 1, 1, 1, 1, 1]})
    fifths = quintiles(ten)
    # totals: 0, 1, 1, 2, 2, 2, 3, 3, 3, 3 -> fifths (ties by order): {0,1}, {2,3}, {4,5}, {6,7}, {8,9}
    assert list(fifths.loc["Q"]) == pytest.approx([0, 0, 0.5, 1, 1])
    assert list(fifths.columns) == ["Q1", "Q2", "Q3", "Q4", "Q5"]
    assert quintiles(hand).loc["Q1"].isna().sum() == 1  # four learners leave a fifth empty

    # Questions of different points (a pitfall counts 2): marks A = 1, 1, 1, 0 (of 1), B = 2, 2, 0, 0 (of 2).
    # Totals 3, 3, 1, 0 (mean 1.75, population variance 6.75 / 4 = 1.6875); var A = .1875, var B = 1;
    # KR-20 in its general form = 2 * (1 - 1.1875 / 1.6875) = 16/27. Facility of B = mean mark 1 / 2 points.
    from powercoach.instructor.report import item_statistics

    weighted = pd.DataFrame({"A": [1, 1, 1, 0], "B": [2, 2, 0, 0]})
    worth = pd.Series({"A": 1.0, "B": 2.0})
    assert reliability(weighted)["kr20"] == pytest.approx(16 / 27)
    assert item_statistics(weighted, worth).loc["B", "difficulty"] == pytest.approx(0.5)
    assert list(quintiles(weighted, worth).loc["B"].dropna()) == pytest.approx([0, 0, 1, 1])


def test_report_command_writes_html_and_csv(graded, tmp_path):
    import pandas as pd

    course = graded[0]["serial"]
    run = subprocess.run([str(BIN / "powercoach"), "report", A, "--out", str(tmp_path)], cwd=course.root,
                         env=course.env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Item analysis: 01-contracting" in html and "data:image/png;base64," in html
    assert "Pitfalls: right answer against answer given" in html and "Reliability (KR-20)" in html
    assert "distractor analysis" in html
    items = pd.read_csv(tmp_path / "items.csv", index_col=0)
    assert list(items.index) == list(KEY) and {"difficulty", "discrimination", "flag", "share_good"} <= set(items)
    exercise = pd.read_csv(tmp_path / "exercise.csv")
    assert {"kr20", "sem"} <= set(exercise.columns) and 0 < exercise.loc[0, "kr20"] <= 1


def test_the_instructor_notebook_shows_the_same_report(graded):
    from nbclient import NotebookClient

    course = graded[0]["serial"]
    nb = nbformat.read(REPO / "docs" / "item-analysis.ipynb", as_version=4)
    nb.cells[1].source = f'ASSIGNMENT = "{A}"\nCOURSE = {str(course.root)!r}'
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    html = nb.cells[2].outputs[0]["data"]["text/html"]
    assert "Item analysis: 01-contracting" in html and "Flagged questions" in html and "KR-20" in html


def test_report_without_grades_says_what_to_do(tmp_path):
    shutil.copy(REPO / "nbgrader_config.py", tmp_path)
    run = subprocess.run([str(BIN / "powercoach"), "report", A], cwd=tmp_path, capture_output=True, text=True,
                         env=dict(os.environ))
    assert run.returncode == 2 and "grade the assignment first" in run.stderr and "Traceback" not in run.stderr
