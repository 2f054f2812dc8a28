"""A class whose learners hand in what a hostile learner would, for every exercise, through the
real nbgrader cycle: release, submissions placed in the exchange's inbound folder (as a learner
can: it is theirs to write), collect, `powercoach grade`, generate and release feedback.

Links to the solution, the key, another learner's file, /etc/passwd and a device; a named
pipe; a hard link; 10,000 and 100,000 answer lines; deeply nested JSON; a deeply nested
expression; copied, re-ordered and re-labelled cells; marking cells that claim 200 points; huge
notebooks; typed lines hidden in `if`, functions, strings and comments. Each earns nothing it did
not answer, exposes nothing, gets a grade or a one-line reason, and leaves every other learner's
grade as it was.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess

import nbformat
import pytest
from conftest import BIN, KEY, Course
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.utils import notebook_hash
from test_nbgrader_cycle import ASSIGNMENTS, answers_file, cell, exercise_for, points_for, released, solution_key, wrong

pytestmark = pytest.mark.slow
STAMP = "2026-12-03 10:00:00.000000 UTC"
SECRET_MARKERS = ("root:x:0:0",)  # /etc/passwd; key text is checked with the key's own rationales


def typed_lines(answers: dict[str, str]) -> str:
    return "\n".join(f'answers["{q}"] = "{v}"' for q, v in answers.items())


def hidden_forms(answers: dict[str, str]) -> str:
    """Each answer written where grading must not read it: inside if, a function, a string, a comment."""
    forms = []
    for i, (q, v) in enumerate(answers.items()):
        line = f'answers["{q}"] = "{v}"'
        forms.append([f"if True:\n    {line}", f"def f{i}():\n    {line}", repr(line), f"# {line}"][i % 4])
    return "\n".join(forms)


def learners_for(a: str, root, inbound) -> dict[str, dict]:
    """What each learner hands in, and what it must earn ('n' is every question, None no grade)."""
    key = solution_key(a)
    n = points_for(key, a)  # every question right (a pitfall counts 2)
    qs = list(key)
    top = {q: key[q] for q in qs[::2]}
    rest = {q: key[q] for q in qs[1::2]}
    half_clicks = {q: (v if i % 2 == 0 else wrong(v)) for i, (q, v) in enumerate(key.items())}
    victim_folder = inbound / f"victim+{a}+{STAMP}+victim"

    def nb_with(extra: str = ""):
        nb = released(a)
        if extra:
            cell(nb, "answers").source += "\n" + extra
        return nb

    dup = nb_with()
    copy = nbformat.from_dict(json.loads(json.dumps(cell(dup, "answers"))))
    copy.source += "\n" + typed_lines({q: wrong(v) for q, v in key.items()})
    copy["id"] = "copied-answers"
    dup.cells.insert(dup.cells.index(cell(dup, "answers")) + 1, copy)
    mark_copy = nbformat.from_dict(json.loads(json.dumps(cell(dup, "mark-q1"))))
    mark_copy["id"] = "copied-mark-q1"
    dup.cells.insert(3, mark_copy)
    reordered = nb_with()
    reordered.cells.reverse()
    # Every marking cell claims 200 points, in its metadata and in a mark() call of its own: nbgrader
    # restores the instructor's cell (source and points) from the gradebook, so it earns the same.
    inflated = nb_with()
    for c in inflated.cells:
        meta = c.metadata.get("nbgrader", {})
        if meta.get("grade") and meta.get("grade_id", "").startswith("mark-q"):
            meta["points"] = 200
            c.source += ("\nfrom powercoach.marking import mark\n"
                         f'mark(globals().get("answers"), "Q{meta["grade_id"][6:]}", "any-item", points=200)')
    relabelled = nb_with()
    cell(relabelled, "answers").metadata["nbgrader"]["schema_version"] = 99
    huge = nb_with()
    huge.cells.append(nbformat.v4.new_markdown_cell("x" * (6 * 1024 * 1024)))
    many = nb_with()
    many.cells += [nbformat.v4.new_markdown_cell(f"note {i}") for i in range(1000)]
    deep = '{"exercise": ' + json.dumps(a) + ', "version": 1, "answers": ' + "[" * 30000 + "]" * 30000 + "}"

    return {
        "honest": dict(nb=nb_with(), answers=answers_file(key, a), earns=n),
        "victim": dict(nb=nb_with(), answers=answers_file(key, a), earns=n),
        "link_solution": dict(links={f"{a}.ipynb": root / "solutions" / a / f"{a}.ipynb"}, earns=None,
                              refused=[f"{a}.ipynb is a link"]),
        "links": dict(nb=nb_with(), links={
            f"{a}.answers.json": victim_folder / f"{a}.answers.json", "notes.html": root / "key" / "items.csv",
            "passwd.txt": "/etc/passwd", "data.bin": "/dev/zero", "keyfolder": root / "key"},
            fifo="pipe.txt", earns=0, refused=[f"{a}.answers.json is a link", "notes.html is a link",
                                               "pipe.txt is a named pipe", "keyfolder is a link"]),
        # A hard link to the instructor's files (as root here; on a class server the course folder
        # is out of a learner's reach, and fs.protected_hardlinks stops links to others' files).
        "hardlink": dict(hardlink={f"{a}.ipynb": root / "solutions" / a / f"{a}.ipynb",
                                   "notes.txt": root / "key" / "items.csv"},
                         earns=None, refused=[f"{a}.ipynb is a hard link", "notes.txt is a hard link"]),
        "lines_10k": dict(nb=nb_with("\n".join(f'answers["Q{i % len(qs) + 1}"] = "good"' for i in range(10_000))),
                          earns=0, says="no typed line counted"),
        "lines_100k": dict(nb=nb_with("\n".join(['answers["Q1"] = "good"'] * 100_000)), earns=0,
                           says="no typed line counted"),
        "deep_json": dict(nb=nb_with(), answers=deep, earns=0, says="nests more than"),
        "deep_expr": dict(nb=nb_with(typed_lines(key) + "\nx = " + "1+" * 5000 + "1"),
                          answers=answers_file(half_clicks, a), earns=points_for(qs[::2], a), says="nests too deeply"),
        "copied_cells": dict(nb=dup, answers=answers_file(key, a), earns=n, says="a copy of the exercise's cell"),
        "reordered": dict(nb=reordered, answers=answers_file(key, a), earns=n),
        "inflated_points": dict(nb=inflated, answers=answers_file(key, a), earns=n),
        "hidden_forms": dict(nb=nb_with(typed_lines(top) + "\n" + hidden_forms(rest)), earns=points_for(top, a),
                             says="Not counted"),
        "hidden_forms_broken": dict(nb=nb_with(typed_lines(top) + "\n" + hidden_forms(rest) + "\nanswers[Q1 = "),
                                    earns=0, says="does not read as Python"),
        "relabelled": dict(nb=relabelled, answers=answers_file(key, a), earns=None, error="metadata was changed"),
        "huge_notebook": dict(nb=huge, answers=answers_file(key, a), earns=None, refused=[f"{a}.ipynb is too large"]),
        "many_cells": dict(nb=many, answers=answers_file(key, a), earns=None, error=f"{len(many.cells):,} cells"),
    }


def hand_in(inbound, a: str, student: str, spec: dict) -> None:
    """Write a submission into the exchange's inbound folder, the way nbgrader submit lays it out."""
    folder = inbound / f"{student}+{a}+{STAMP}+{student}"
    folder.mkdir(parents=True)
    (folder / "timestamp.txt").write_text(STAMP)
    (folder / "submission_secret.txt").write_text(secrets.token_hex(16))
    if "nb" in spec:
        nbformat.write(spec["nb"], folder / f"{a}.ipynb")
    if spec.get("answers") is not None:
        (folder / f"{a}.answers.json").write_text(spec["answers"], encoding="utf-8")
    for name, target in spec.get("links", {}).items():
        (folder / name).symlink_to(target)
    for name, target in spec.get("hardlink", {}).items():
        os.link(target, folder / name)
    if spec.get("fifo"):
        os.mkfifo(folder / spec["fifo"])


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    root, exchange = base / "course", base / "exchange"
    root.mkdir()
    course = Course(root)
    with (root / "nbgrader_config.py").open("a") as f:
        f.write(f"\nc.Exchange.root = {str(exchange)!r}\n"
                "# One OS user plays every learner here; the owner check is tested on its own below.\n"
                "c.ExchangeCollect.check_owner = False\n")
    inbound = exchange / "powercoach" / "inbound"
    results = {}
    for a in ASSIGNMENTS:
        course.nbgrader("generate_assignment", a, "--force")
        course.nbgrader("release_assignment", a, "--force")
        class_ = learners_for(a, root, inbound)
        for student in ("victim", *[s for s in class_ if s != "victim"]):
            hand_in(inbound, a, student, class_[student])
        course.nbgrader("collect", a)
        grade = subprocess.run([str(BIN / "powercoach"), "grade", a, "--timeout", "30"], cwd=root, env=course.env,
                               capture_output=True, text=True, timeout=900)
        course.nbgrader("generate_feedback", a, "--force")
        course.nbgrader("release_feedback", a)
        scores = {}
        with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id="powercoach") as gb:
            for student in class_:
                try:
                    scores[student] = gb.find_submission(a, student).code_score
                except MissingEntry:
                    scores[student] = None
        results[a] = dict(class_=class_, grade=grade, scores=scores)
    return root, exchange, results


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_hostile_hand_in_earns_only_what_it_answered(hostile_class, assignment):
    _, _, results = hostile_class
    r = results[assignment]
    n = points_for(solution_key(assignment), assignment)
    want = {s: spec["earns"] for s, spec in r["class_"].items()}
    got = {s: (None if v is None else round(v)) for s, v in r["scores"].items()}
    assert got == want, r["grade"].stdout[-3000:] + r["grade"].stderr[-2000:]
    assert got["honest"] == got["victim"] == n  # everyone else graded as before


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_grade_table_says_why_in_one_line(hostile_class, assignment):
    _, _, results = hostile_class
    r = results[assignment]
    table = r["grade"].stdout
    assert r["grade"].returncode == 1, table  # some submissions could not be graded: said, and exit 1
    for student, spec in r["class_"].items():
        rows = table.split(f"\n{student} ", 1)[1].split("\n")
        block = "\n".join([rows[0]] + [line for line in rows[1:] if line.startswith(" ")][:8])
        for phrase in spec.get("refused", []):
            assert phrase in block, (student, block)
        if "error" in spec:
            assert "FAILED" in rows[0] and spec["error"] in block, (student, block)
        if spec["earns"] is not None:
            assert "graded" in rows[0], (student, block)
        assert "Traceback" not in block


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_nothing_is_followed_and_feedback_carries_only_generated_pages(hostile_class, assignment):
    root, exchange, results = hostile_class
    r = results[assignment]
    for top in (root / "submitted", root / "autograded", root / "feedback", exchange):
        for dirpath, dirnames, filenames in os.walk(top):
            for name in dirnames + filenames:
                path = os.path.join(dirpath, name)
                if "inbound" in path:
                    continue  # the learners' own folders, as they left them
                assert not os.path.islink(path), path
                assert name not in ("notes.html", "notes.txt", "passwd.txt", "data.bin", "pipe.txt", "keyfolder"), path
    released_pages = {p.name for p in (exchange / "powercoach" / "feedback").iterdir()}
    assert all(re.fullmatch(r"[0-9a-f]{32}\.html", p) for p in released_pages), released_pages
    graded = [s for s, v in r["scores"].items() if v is not None]
    assert sum(1 for x in results.values() for v in x["scores"].values() if v is not None) == len(released_pages)
    ours = {notebook_hash(secret=(root / "submitted" / s / assignment / "submission_secret.txt").read_text(),
                          notebook_id=assignment) + ".html" for s in graded}
    assert ours <= released_pages  # one page for each graded learner of this exercise, and nothing else
    for student in graded:
        page = (root / "feedback" / student / assignment / f"{assignment}.html").read_text(encoding="utf-8")
        for marker in SECRET_MARKERS:
            assert marker not in page, (student, marker)
        spec = r["class_"][student]
        for phrase in spec.get("refused", []):
            assert phrase in page and "it was not used" in page, (student, phrase)
        if "says" in spec:
            assert spec["says"] in page, (student, spec["says"])
    outbound = "".join(p.read_text(encoding="utf-8") for p in (exchange / "powercoach" / "feedback").iterdir())
    assert "root:x:0:0" not in outbound
    assert "item_id,technique" not in outbound  # the key's own file, had a link been followed


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_format_check_self_check_and_grading_read_typed_lines_alike(hostile_class, assignment, monkeypatch, capsys):
    import powercoach.exercise

    root, _, results = hostile_class
    r = results[assignment]
    for student in ("hidden_forms", "hidden_forms_broken", "deep_expr", "lines_10k"):
        folder = root / "submitted" / student / assignment
        source = cell(nbformat.read(folder / f"{assignment}.ipynb", as_version=4), "answers").source
        ex = exercise_for(assignment, folder)
        assert sum(m.points for m in ex.marks(KEY, source=source)) == r["scores"][student], student  # self-check
        monkeypatch.setattr(powercoach.exercise, "answer_cell_source", lambda source=source: source)
        ex.check_format()
        checked = capsys.readouterr().out
        graded = nbformat.read(root / "autograded" / student / assignment / f"{assignment}.ipynb", as_version=4)
        said = "".join(o.get("text", "") for o in cell(graded, "answers").outputs)
        not_counted = {line.strip() for line in said.split("Not counted", 1)[1].splitlines()[1:] if line.strip()}
        section = checked.split("will NOT count", 1)[1].split("Before you submit", 1)[0]
        listed = {line.strip()[2:] for line in section.splitlines() if line.startswith("  - ")}
        assert not_counted and listed == not_counted, (student, checked, said)


def test_collect_takes_a_submission_only_from_a_folder_its_learner_owns(course, tmp_path):
    """Another learner can write a folder named after you into the inbound (nbgrader only warns);
    collect skips it and takes your own latest submission."""
    import getpass

    me = getpass.getuser()
    a = "01-contracting"
    exchange = tmp_path / "exchange"
    with (course.root / "nbgrader_config.py").open("a") as f:
        f.write(f"\nc.Exchange.root = {str(exchange)!r}\nc.ExchangeCollect.check_owner = True\n")
    course.nbgrader("generate_assignment", a, "--force")
    course.nbgrader("release_assignment", a, "--force")
    inbound = exchange / "powercoach" / "inbound"
    key = solution_key(a)
    mine = dict(nb=released(a), answers=answers_file(key, a))
    hand_in(inbound, a, me, mine)
    forged = inbound / f"{me}+{a}+2026-12-03 11:00:00.000000 UTC+forged"
    shutil.copytree(inbound / f"{me}+{a}+{STAMP}+{me}", forged)
    (forged / f"{a}.answers.json").write_text(answers_file({}, a))
    os.chown(forged, 4242, 4242)  # a later folder in your name, made by another account
    run = course.nbgrader("collect", a)
    collected = json.loads((course.root / "submitted" / me / a / f"{a}.answers.json").read_text())
    assert collected["answers"] == key, run.stdout + run.stderr
    assert "belongs to" in run.stdout + run.stderr


def test_stock_autograde_goes_on_past_a_learners_changed_metadata_and_copied_cells(course):
    """With nbgrader's own `autograde` (the Formgrader's button too), a cell whose nbgrader
    metadata a learner changed stops that learner only, with a reason; copied cells are graded
    as the original."""
    a = "01-contracting"
    key = solution_key(a)
    course.nbgrader("generate_assignment", a, "--force")
    relabelled = released(a)
    cell(relabelled, "answers").metadata["nbgrader"]["schema_version"] = 99
    copied = released(a)
    twin = nbformat.from_dict(json.loads(json.dumps(cell(copied, "answers"))))
    twin["id"] = "twin"
    copied.cells.insert(copied.cells.index(cell(copied, "answers")) + 1, twin)
    course.submit("a_relabelled", a, relabelled, answers_file(key, a))
    course.submit("b_copied", a, copied, answers_file(key, a))
    course.submit("c_honest", a, released(a), answers_file(key, a))
    run = course.nbgrader("autograde", a, "--create", "--force", check=False)
    log = run.stdout + run.stderr
    assert "metadata was changed" in log and "KeyError" not in log
    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}", course_id="powercoach") as gb:
        assert gb.find_submission(a, "b_copied").code_score == points_for(key, a)
        assert gb.find_submission(a, "c_honest").code_score == points_for(key, a)


def test_grade_stops_a_learner_at_the_time_limit_and_goes_on(course):
    """A time limit far below what grading takes: every learner is stopped with the reason, the
    run finishes, and no score is left behind; the same class then grades in full. One worker, so
    each later learner would fall to a worker a stop has left half-way (a stop inside SQLAlchemy's
    mapper set-up once failed the next learner with "AttributeError: direction")."""
    a = "01-contracting"
    key = solution_key(a)
    course.nbgrader("generate_assignment", a, "--force")
    for student in ("ann", "ben", "cy"):
        course.submit(student, a, released(a), answers_file(key, a))

    def grade(*extra):
        return subprocess.run([str(BIN / "powercoach"), "grade", a, *extra], cwd=course.root,
                              env=course.env, capture_output=True, text=True, timeout=600)

    stopped = grade("--workers", "1", "--timeout", "0.01")
    assert stopped.returncode == 1
    assert stopped.stdout.count("grading took longer than 0.01 s and was stopped") == 3, stopped.stdout
    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}", course_id="powercoach") as gb:
        assert gb.find_assignment(a).submissions == []
    graded = grade("--workers", "2")
    full = points_for(key, a)
    assert graded.returncode == 0 and graded.stdout.count(f"{full:g} / {full:g}") == 3, graded.stdout


def test_grade_waits_for_a_locked_gradebook_and_says_when_it_stays_locked(course):
    """Another program holding the gradebook's write lock (the Formgrader saving a grade) delays
    grading and fails nobody; one that never lets go fails each learner after LOCK_TRIES fresh
    tries, with the reason, and leaves no score. (In CI two workers switching a fresh gradebook
    to WAL at once once failed a learner with "database is locked".)"""
    import io
    import sqlite3
    import threading

    from powercoach.instructor import autograde

    a = "01-contracting"
    key = solution_key(a)
    course.nbgrader("generate_assignment", a, "--force")
    for student in ("ann", "ben"):
        course.submit(student, a, released(a), answers_file(key, a))
    autograde.prepare_gradebook(autograde.course_directory(course.root))
    holder = sqlite3.connect(course.root / "gradebook.db", isolation_level=None, check_same_thread=False)
    assert holder.execute("PRAGMA journal_mode").fetchone() == ("wal",)

    holder.execute("BEGIN IMMEDIATE")  # held through the whole run
    out = io.StringIO()
    outcomes = autograde.grade(a, workers=2, root=str(course.root), out=out, lock_wait=0.2)
    holder.execute("ROLLBACK")
    assert [(o.student, o.ok) for o in outcomes] == [("ann", False), ("ben", False)]
    for o in outcomes:
        assert f"stayed locked by another program through {autograde.LOCK_TRIES} tries of 0.2 s" in o.error
    assert "2/2 graded" in out.getvalue()
    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}", course_id="powercoach") as gb:
        assert gb.find_assignment(a).submissions == []

    holder.execute("BEGIN IMMEDIATE")  # let go after 3 s: the workers wait for it
    threading.Timer(3, holder.execute, ("ROLLBACK",)).start()
    outcomes = autograde.grade(a, workers=2, root=str(course.root), out=io.StringIO())
    full = points_for(key, a)
    assert [(o.student, o.ok, o.score) for o in outcomes] == [("ann", True, full), ("ben", True, full)]
    holder.close()
