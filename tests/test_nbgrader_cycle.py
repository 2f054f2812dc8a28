"""The exercises through the real nbgrader CLI and gradebook, in a temp course.

One autograde run grades a whole class of fabricated submissions of exercise 01, the way an
instructor would: right, blank, partly right, malformed and code-typed ones side by side. Then
every exercise is graded for right, blank, half-right, malformed, typed-plus-clicked and
attacking submissions. Grading reads answers as data: only the answers file and literal typed
lines count, and code in the answer cell earns nothing.
"""

from __future__ import annotations

import csv
import json
import re

import nbformat
import pytest
from conftest import REPO
from nbgrader.api import Gradebook

pytestmark = pytest.mark.slow
A = "01-contracting"


def solution_key(assignment: str = A) -> dict[str, str]:
    """The solution's answers, read from its answer cell as the grader reads typed lines."""
    from powercoach.answers import typed

    nb = nbformat.read(REPO / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "answers")
    return typed(cell.source.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION")[0])[0]


KEY = solution_key()
WRONG = {"good": "poor", "poor": "good"}


def worth(assignment: str = A) -> dict[str, float]:
    """Each question's points, as its marking cell in solutions/ states them (a pitfall counts 2)."""
    from powercoach.instructor.preprocessors import marking_cells

    nb = nbformat.read(REPO / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    return {q.qid: float(nb.cells[i].metadata["nbgrader"]["points"]) for i, q in marking_cells(nb).items()}


def points_for(qids, assignment: str = A) -> float:
    """What answering ``qids`` right earns."""
    w = worth(assignment)
    return sum(w[q] for q in qids)


TOTAL = points_for(KEY)


def answers_file(answers, assignment: str = A) -> str:
    return json.dumps({"exercise": assignment, "version": 1, "answers": answers})


def released(assignment: str = A):
    return nbformat.read(REPO / "exercises" / assignment / f"{assignment}.ipynb", as_version=4)


def cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def typed(lines: str):
    nb = released()
    cell(nb, "answers").source += "\n" + lines
    return nb


def wrong(answer: str) -> str:
    if answer in WRONG:
        return WRONG[answer]
    if answer in "ABCD":
        return "ABCD"[("ABCD".index(answer) + 1) % 4]
    return "flattery" if answer != "flattery" else "judgement"


def wrong_answer(q: str) -> str:
    return wrong(KEY[q])


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Generate, submit a class of 13 fabricated learners, autograde, feedback and export."""
    from conftest import Course

    root = tmp_path_factory.mktemp("cycle") / "course"
    root.mkdir()
    course = Course(root)
    course.nbgrader("generate_assignment", A, "--force")
    n = len(KEY)
    half = dict(list(KEY.items())[:6]) | {q: wrong_answer(q) for q in list(KEY)[6:8]}
    class_ = {
        "clicked_all_right": (released(), answers_file(KEY)),
        "typed_all_right": (typed("\n".join(f'answers["{q}"] = "{v}"' for q, v in KEY.items())), None),
        "blank": (released(), None),
        "partly_right": (released(), answers_file(half)),
        "unknown_label": (released(), answers_file(KEY | {"Q1": "maybe", "Q9": "rudeness"})),
        "wrong_type": (typed("answers = list(answers.values())"), answers_file(KEY)),
        "str_subclass": (typed(
            "class Anything(str):\n    def __eq__(self, other):\n        return True\n"
            "    __hash__ = str.__hash__\n"
            f"answers = {{f'Q{{i}}': Anything('good') for i in range(1, {n + 1})}}"), None),
        "corrupt_file": (released(), '{"exercise": "01-contracting", "answers": {"Q1": "go'),
        "tampered_file": (released(), json.dumps({"exercise": A, "score": 99, "answers": {
            "Q1": [KEY["Q1"], WRONG[KEY["Q1"]]], "Q2": KEY["Q2"], "Q3": {"good": True}}})),
    }
    deleted = released()
    deleted.cells.remove(cell(deleted, "mark-q1"))
    class_["deleted_test_cell"] = (deleted, answers_file(KEY))
    edited = released()
    cell(edited, "mark-q2").source = "2.0"
    cell(edited, "setup").source += "\nex.check_format = print"
    class_["edited_locked_cells"] = (edited, answers_file({"Q2": wrong_answer("Q2")}))
    for student, (nb, answers) in class_.items():
        course.submit(student, A, nb, answers)
    run = course.nbgrader("autograde", A, "--create", "--force", check=False)
    course.nbgrader("generate_feedback", A, "--force")
    course.nbgrader("export", "--to", str(root / "grades.csv"))
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id="powercoach") as gb:
        scores = {s: gb.find_submission(A, s).code_score for s in class_}
    return course, run, scores, TOTAL


@pytest.mark.parametrize("student, expected", [
    ("clicked_all_right", "n"), ("typed_all_right", "n"), ("blank", 0), ("partly_right", 6),
    ("unknown_label", "n-2"), ("wrong_type", "n"), ("str_subclass", 0), ("corrupt_file", 0),
    ("tampered_file", 1), ("deleted_test_cell", "n"), ("edited_locked_cells", 0),
])
def test_each_submission_gets_the_score_its_answers_earn(graded, student, expected):
    _, run, scores, total = graded
    expected = {"n": total, "n-2": total - points_for(["Q1", "Q9"])}.get(expected, expected)  # Q1, Q9 unknown
    assert run.returncode == 0, run.stderr[-2000:]
    assert scores[student] == expected


def test_autograde_says_why_in_each_learners_notebook(graded):
    course = graded[0]

    def outputs(student):
        nb = nbformat.read(course.root / "autograded" / student / A / f"{A}.ipynb", as_version=4)
        return "\n".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))

    assert "no points, 'maybe' is not one of: good, poor" in outputs("unknown_label")
    assert "Not counted" in outputs("wrong_type") and "answers = list(answers.values())" in outputs("wrong_type")
    assert "Not counted" in outputs("str_subclass") and "class Anything(str):" in outputs("str_subclass")
    assert "damaged" in outputs("corrupt_file")
    assert "Q1: correct" in outputs("deleted_test_cell")
    for student in ("clicked_all_right", "blank", "wrong_type", "corrupt_file"):
        nb = nbformat.read(course.root / "autograded" / student / A / f"{A}.ipynb", as_version=4)
        errors = [o for c in nb.cells for o in c.get("outputs", [])
                  if o.output_type == "error" or o.get("name") == "stderr"]
        assert errors == [], (student, errors)


def test_feedback_names_the_right_answer_and_never_shows_hidden_tests(graded):
    course = graded[0]
    html = (course.root / "feedback" / "partly_right" / A / f"{A}.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", re.sub(r"(?s)<(style|script).*?</\1>", "", html))
    assert "Q7: you answered" in text and "the answer is" in text
    for secret in ("BEGIN HIDDEN TESTS", "powercoach.marking", "mark(globals()", "Traceback (most recent"):
        assert secret not in text, secret


def test_export_writes_every_learner(graded):
    course, _, scores, _ = graded
    with (course.root / "grades.csv").open(encoding="utf-8") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    assert set(rows) == set(scores)
    assert float(rows["clicked_all_right"]["score"]) == graded[3]
    assert float(rows["blank"]["score"]) == 0


ASSIGNMENTS = sorted(p.name for p in (REPO / "solutions").iterdir() if p.is_dir())


@pytest.fixture(scope="module")
def every_exercise(tmp_path_factory):
    """Each exercise graded for right, blank, half-right, malformed, typed, typed-over-clicked
    and attacking submissions (code that would patch the marking and its module, read the key,
    patch builtins, exit the kernel and loop forever, around literal lines for every other
    question), with a spy on kernel starts."""
    from conftest import Course

    root = tmp_path_factory.mktemp("every") / "course"
    root.mkdir()
    course = Course(root)
    course.spy_on_kernels()
    expected, scores = {}, {}
    for a in ASSIGNMENTS:
        course.nbgrader("generate_assignment", a, "--force")
        key = solution_key(a)
        half = {q: (v if i % 2 == 0 else wrong(v)) for i, (q, v) in enumerate(key.items())}
        malformed = dict(key)
        first, second = list(key)[:2]
        malformed[first] = "maybe"
        malformed[second] = [key[second]]
        typed_half = "\n".join(f'answers["{q}"] = "{v}"' for q, v in list(key.items())[::2])
        attack = ("import powercoach.marking as m, builtins, sys, types\nm.mark = lambda *a, **k: 1.0\n"
                  "sys.modules['powercoach.marking'] = types.SimpleNamespace(mark=lambda *a, **k: 1.0)\n"
                  "from powercoach import key\nanswers.update({q: 'good' for q in ('Q1', 'Q2')})\n"
                  "builtins.float = lambda *a: 1.0\n" + typed_half + "\nimport os\nif os.getpid():\n"
                  "    os._exit(0)\nwhile True:\n    pass")
        even = points_for(list(key)[::2], a)  # what the even questions earn
        cases = {
            "right": (None, answers_file(key, a), points_for(key, a)),
            "blank": (None, None, 0),
            "half": (None, answers_file(half, a), even),
            "malformed": (None, answers_file(malformed, a), points_for(key, a) - points_for([first, second], a)),
            "typed": ("\n".join(f'answers["{q}"] = "{v}"' for q, v in key.items()), None, points_for(key, a)),
            "typed_and_clicked": (typed_half, answers_file({q: wrong(v) for q, v in key.items()}, a), even),
            "attack": (attack, None, even),
        }
        for name, (lines, answers, points) in cases.items():
            nb = released(a)
            if lines:
                cell(nb, "answers").source += "\n" + lines
            course.submit(f"{name}", a, nb, answers)
            expected[(a, name)] = points
        run = course.nbgrader("autograde", a, "--create", "--force", check=False)
        assert run.returncode == 0, run.stderr[-3000:]
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id="powercoach") as gb:
        for a, name in expected:
            scores[(a, name)] = gb.find_submission(a, name).code_score
    assert not course.kernel_log.exists(), course.kernel_log.read_text()  # no kernel started for any exercise
    return expected, scores, root


def test_every_exercise_has_enough_autograded_questions_in_two_formats():
    for a in ASSIGNMENTS:
        nb = nbformat.read(REPO / "solutions" / a / f"{a}.ipynb", as_version=4)
        tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
        manual = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "markdown"]
        kinds = {k for c in tests for k in ("diagnose", "best", "worst") if f'kind="{k}"' in c.source}
        kinds |= {"classify"} if any("kind=" not in c.source for c in tests) else set()
        assert len(tests) >= 8 and len(manual) == 1, a
        assert len(kinds) >= 2, (a, kinds)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_exercise_grades_right_blank_half_malformed_typed_and_attacking(every_exercise, assignment):
    expected, scores, _ = every_exercise
    got = {name: scores[(a, name)] for a, name in scores if a == assignment}
    want = {name: expected[(a, name)] for a, name in expected if a == assignment}
    assert got == want


def exercise_for(assignment: str, folder):
    """The exercise as its setup cell builds it, reading its answers from ``folder``."""
    import ast

    from powercoach.exercise import Exercise

    nb = nbformat.read(REPO / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    call = next(n for n in ast.walk(ast.parse(cell(nb, "setup").source)) if isinstance(n, ast.Call) and n.keywords)
    return Exercise(assignment, **{k.arg: ast.literal_eval(k.value) for k in call.keywords}, folder=folder)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_self_check_gives_exactly_the_marks_grading_gives(every_exercise, assignment):
    from conftest import KEY as ANSWER_KEY

    _, scores, root = every_exercise
    for (a, name), score in scores.items():
        if a != assignment:
            continue
        folder = root / "submitted" / name / a
        source = cell(nbformat.read(folder / f"{a}.ipynb", as_version=4), "answers").source
        marks = exercise_for(a, folder).marks(ANSWER_KEY, source=source)
        assert sum(m.points for m in marks) == score, (a, name)
