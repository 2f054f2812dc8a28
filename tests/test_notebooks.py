"""Every notebook is committed clean and runs top to bottom without an error or stderr.

Lessons and exercises run from the learner's install (test_learner_install.py); the
instructor's notebooks (solutions, docs) run here, with the key at hand.
"""

from __future__ import annotations

import shutil

import nbformat
import pytest
from conftest import REPO, notebooks
from nbclient import NotebookClient

ALL = notebooks("course", "solutions", "exercises", "docs")
INSTRUCTORS = notebooks("solutions", "docs")
LESSONS = notebooks("course")


def test_there_are_notebooks_to_check():
    names = {p.name for p in ALL}
    assert {"start.ipynb", "00-orientation.ipynb", "01-contracting.ipynb"} <= names
    assert len([p for p in ALL if "solutions" in p.parts]) >= 1


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(REPO)))
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert dirty == [], f"cells {dirty} hold outputs: clear them before committing"


@pytest.mark.parametrize("path", INSTRUCTORS, ids=lambda p: str(p.relative_to(REPO)))
def test_instructors_notebooks_run_top_to_bottom_without_error_or_stderr(path, tmp_path, monkeypatch):
    # Run a copy beside copies of its neighbours (images, answers files) so the repo stays clean;
    # a solution's marking cells mark against the key, as in the instructor's course folder.
    monkeypatch.setenv("POWERCOACH_KEY", str(REPO / "key"))
    work = tmp_path / path.parent.name
    shutil.copytree(path.parent, work)
    nb = nbformat.read(work / path.name, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(work)}}).execute()
    problems = [(i, o.get("name") or o.output_type, o.get("text", "") or o.get("evalue", ""))
                for i, c in enumerate(nb.cells) if c.cell_type == "code" for o in c.outputs
                if o.output_type == "error" or o.get("name") == "stderr"]
    assert problems == []


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lessons_show_prose_and_widgets_not_code(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, cell.source
            assert len(cell.source.splitlines()) <= 3, "lesson code cells stay one or two calls"
