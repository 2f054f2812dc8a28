"""exercises/ is what nbgrader makes of solutions/, and gives nothing away."""

from __future__ import annotations

import json
import re

import nbformat
import pytest
from conftest import REPO, notebooks
from nbgrader.validator import Validator

SOLUTIONS = notebooks("solutions")
ASSIGNMENTS = sorted(p.parent.name for p in SOLUTIONS)


def test_every_solution_has_a_committed_exercise():
    assert ASSIGNMENTS
    exercises = sorted(p.parent.name for p in notebooks("exercises"))
    assert exercises == ASSIGNMENTS


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.parent.name)
def test_solutions_have_valid_nbgrader_metadata_and_pass_their_own_tests(path):
    # Validator runs the notebook: any failing test, error or metadata problem is reported.
    assert Validator().validate(str(path)) == {}


@pytest.mark.slow
def test_regenerating_exercises_reproduces_the_committed_files(course):
    for assignment in ASSIGNMENTS:
        course.nbgrader("generate_assignment", assignment, "--force")
        for fresh in sorted((course.root / "exercises" / assignment).rglob("*.ipynb")):
            committed = REPO / "exercises" / assignment / fresh.name
            assert json.loads(committed.read_text()) == json.loads(fresh.read_text()), (
                f"{committed.relative_to(REPO)} differs from what nbgrader generates: run `make exercises`")


def _secrets(nb) -> list[str]:
    """Lines only the instructor's copy should hold: solutions, hidden tests, exemplars."""
    found = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        for block in re.findall(r"(?s)### BEGIN (?:SOLUTION|HIDDEN TESTS)\n(.*?)### END", cell.source):
            found += block.splitlines()
        if meta.get("solution") and "### BEGIN SOLUTION" not in cell.source:
            found += cell.source.splitlines()
    return [line.strip() for line in found if len(line.strip()) > 12]


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.parent.name)
def test_no_solution_hidden_test_or_answer_key_reaches_learners(path):
    # Every exercise's help text shows the same typed example, whatever Q3's answer is.
    secrets = [s for s in _secrets(nbformat.read(path, as_version=4)) if s != 'answers["Q3"] = "poor"']
    assert len(secrets) > 10
    released = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "exercises").rglob("*")
                         if p.is_file())
    leaked = [s for s in secrets if s in released or json.dumps(s)[1:-1] in released]
    assert leaked == []
    for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "powercoach.marking import"):
        assert marker not in released
