"""The reply reader's faces for instructors: `powercoach feedback --jsonl`, the marking aid beside
each written answer in the Formgrader and the feedback, and the class's tally in the report."""

from __future__ import annotations

import json
import subprocess

import nbformat
import pytest
from conftest import BIN, REPO
from test_nbgrader_cycle import A, answers_file, cell, released, solution_key

SCENE = {"technique": "active-listening", "client_says": "The board wants numbers by Friday and I'm exhausted.",
         "context": "Fourth session with a chief executive after a hard quarter."}


def run_feedback(lines: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "powercoach"), "feedback", "--jsonl"], input="\n".join(lines) + "\n",
                          capture_output=True, text=True, timeout=60, cwd=REPO)


def test_feedback_jsonl_reads_each_line_and_a_bad_line_costs_only_itself():
    good = json.dumps({"id": "r1", **SCENE, "coach_says": "You should delegate the numbers and take Friday off."})
    clean = json.dumps({"id": "r2", **SCENE, "coach_says": "Exhausted, with Friday close. What matters most now?"})
    lines = [good, "{not json", json.dumps([1, 2]), json.dumps({"id": "x", **SCENE, "technique": "mind-reading",
             "coach_says": "Hm."}), "[" * 50_000 + "]" * 50_000, json.dumps({"id": "r3", **SCENE, "coach_says": 7}),
             clean]
    run = run_feedback(lines)
    out = [json.loads(line) for line in run.stdout.splitlines()]
    assert run.returncode == 1 and len(out) == len(lines)
    assert out[0]["id"] == "r1" and out[0]["pitfalls"][0] == "advice-giving"
    assert any(o["words"] and "should" in o["words"][0].lower() for o in out[0]["observations"])
    assert out[-1]["id"] == "r2" and out[-1]["pitfalls"] == []
    errors = run.stderr.splitlines()
    assert [e.split(":")[1].strip() for e in errors] == ["line 2", "line 3", "line 4", "line 5", "line 6"]
    assert all(o.get("error") and o["line"] == n for n, o in enumerate(out[1:6], 2))
    assert "Traceback" not in run.stderr


def test_the_marking_aid_shows_a_learners_words_as_text():
    from powercoach import reader
    from powercoach.exercise import reply_part as written_reply
    from powercoach.instructor.preprocessors import aid_markdown, md_text

    reply = written_reply("You should tell *them* [today](javascript:x) & move on.\n\nWhy: it is direct.")
    assert "Why" not in reply
    md = aid_markdown("Marking aid", reader.read(reply, **{k: SCENE[k] for k in ("technique", "client_says")}))
    assert "Advice-giving" in md and "You should" in md
    assert md_text("tell *them* [today](javascript:x)") == "tell &#42;them&#42; &#91;today&#93;(javascript:x)"
    assert md_text('<script>alert("x")</script>') == "&#60;script&#62;alert(\"x\")&#60;/script&#62;"
    markup = aid_markdown("Marking aid", reader.read("<img src=x onerror=alert(1)>"))
    assert "<img" not in markup and "code or markup" in markup


@pytest.mark.slow
def test_feedback_and_formgrader_notebook_carry_the_marking_aid_and_the_report_tallies_it(course):
    key = solution_key()
    course.nbgrader("generate_assignment", A, "--force")
    replies = {
        "advises": "I'd suggest you just sign the reports today, honestly, and move on.\n\nWhy: decisive.",
        "scripts": '<script>document.title="PWNED"</script> You should tell him. <img src=x onerror=alert(1)>',
        "listens": "Signing them feels like agreeing with something you doubt. What would it take to sign?",
    }
    for student, text in replies.items():
        nb = released()
        cell(nb, "reflection").source = text
        course.submit(student, A, nb, answers_file(key))
    course.nbgrader("autograde", A, "--create", "--force")
    for student in replies:
        graded = nbformat.read(course.root / "autograded" / student / A / f"{A}.ipynb", as_version=4)
        at = graded.cells.index(cell(graded, "reflection"))
        aid = graded.cells[at + 1]
        assert aid.cell_type == "markdown" and aid.source.startswith("**Marking aid from the reply reader"), student
        assert "<script" not in aid.source and "<img" not in aid.source
    advises = nbformat.read(course.root / "autograded" / "advises" / A / f"{A}.ipynb", as_version=4)
    assert "Advice-giving" in advises.cells[advises.cells.index(cell(advises, "reflection")) + 1].source
    course.nbgrader("generate_feedback", A, "--force")
    page = (course.root / "feedback" / "scripts" / A / f"{A}.html").read_text(encoding="utf-8")
    assert "Marking aid from the reply reader" in page
    run = subprocess.run([str(BIN / "powercoach"), "report", A], cwd=course.root, env=course.env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    report = (course.root / "reports" / A / "report.html").read_text(encoding="utf-8")
    assert "What the class's written answers tend to do" in report and "Advice-giving" in report
    assert "of the 3 written answers" in report
