"""The JupyterLab extension that runs a course notebook as it opens (labextension/, docs/autorun.md):
its committed build matches its sources, pip and `make` install all of it, and its guard runs the
course's own code cells and nothing a notebook's author could slip in."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import tomllib

import nbformat
import pytest
from conftest import REPO, notebooks

BUILT = REPO / "src" / "powercoach" / "labextension"
SOURCE = REPO / "labextension"


def build_script():
    spec = importlib.util.spec_from_file_location("build_labextension", REPO / "scripts" / "build_labextension.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_build_was_made_from_the_current_sources():
    recorded = (BUILT / "source-sha256.txt").read_text(encoding="utf-8").strip()
    assert recorded == build_script().source_hash(), (
        "labextension/ changed since src/powercoach/labextension was built: run `make labextension` and commit both")
    assert json.loads((BUILT / "schemas/@powercoach/autorun/plugin.json").read_text()) == \
        json.loads((SOURCE / "schema/plugin.json").read_text())


def test_the_build_is_small_and_complete():
    package = json.loads((BUILT / "package.json").read_text(encoding="utf-8"))
    assert package["name"] == "@powercoach/autorun"
    assert (BUILT / package["jupyterlab"]["_build"]["load"]).is_file()
    files = [p for p in BUILT.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 40_000  # our own code only; JupyterLab's packages are shared
    assert not any(p.suffix == ".map" for p in files)


def test_pip_and_make_install_every_built_file():
    data_files = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["data-files"]
    installed = set()
    for target, patterns in data_files.items():
        for pattern in patterns:
            for path in REPO.glob(pattern):
                installed.add(f"{target}/{path.name}")
    for path in BUILT.rglob("*"):
        if path.is_file():
            assert f"share/jupyter/labextensions/@powercoach/autorun/{path.relative_to(BUILT).as_posix()}" in installed
    make = subprocess.run(["make", "-n", "-B", ".venv/.lab-installed"], cwd=REPO, capture_output=True, text=True).stdout
    assert "cp -R src/powercoach/labextension .venv/share/jupyter/labextensions/@powercoach/autorun" in make


LEARNER_NOTEBOOKS = notebooks("course", "exercises")


def test_every_learner_notebook_asks_to_run_on_opening():
    for path in LEARNER_NOTEBOOKS + notebooks("solutions"):
        assert nbformat.read(path, as_version=4).metadata.get("powercoach") == {"autorun": True}, path


def guard(cells_per_notebook: list[list[str]]) -> list[list[bool]]:
    """Run labextension/guard.js under node: for each notebook, which of its code cells read as course code."""
    script = (f"import {{ isCourseCode }} from {json.dumps((SOURCE / 'guard.js').as_uri())};\n"
              "let input = ''; process.stdin.on('data', d => input += d); process.stdin.on('end', () => {\n"
              "  const out = JSON.parse(input).map(cells => {\n"
              "    const names = { imported: new Set(), assigned: new Set() };\n"
              "    return cells.map(source => isCourseCode(source, names)); });\n"
              "  process.stdout.write(JSON.stringify(out)); });\n")
    proc = subprocess.run(["node", "--input-type=module", "-e", script], input=json.dumps(cells_per_notebook),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def code_cells(path) -> list[str]:
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def test_the_guard_runs_every_code_cell_of_every_lesson_and_exercise():
    results = guard([code_cells(p) for p in LEARNER_NOTEBOOKS])
    for path, ok in zip(LEARNER_NOTEBOOKS, results, strict=True):
        assert ok and all(ok), f"{path.relative_to(REPO)}: cells not read as course code: {ok}"


SETUP = 'from powercoach.exercise import Exercise\n\nex = Exercise(\n    "01-contracting",\n    classify=["a"],\n)'
ANSWERS = "answers = ex.saved_answers()  # your clicks above"


@pytest.mark.parametrize("typed, ok", [
    ('answers["Q3"] = "poor"\nanswers[\'Q4\'] = \'good\'', True),  # what the exercise invites a learner to type
    ('answers["Q3"] = "poor"  # I changed my mind', True),
    ('import os', False),
    ('print("hello")', False),
    ('answers["Q3"] = open("/etc/passwd").read()', False),
    ('answers["Q3"] = "poor"; import os', False),
    ('answers["Q3"] = f"{__import__(\'os\').system(\'id\')}"', False),
    ('answers["Q3"] = "a\\" + __import__(\'os\').name + \\"b"', False),
    ('ex.__class__("x")', False),
    ('ex.show(__import__("os"))', False),
    ('ex.show(ex.__dict__)', False),
    ('exec("import os")', False),
    ('Exercise = exec\nExercise("import os")', False),
    ('if True:\n    answers["Q3"] = "poor"', False),
    ('!ls', False),
    ('%run evil.py', False),
    ('from powercoach.portable import restore\nrestore("x")', False),
    ('from os import system\nsystem("id")', False),
    ('answers = {"Q3": "poor"}', False),
    ('x = """\nimport os\n"""', False),
])
def test_the_guard_runs_a_learners_literal_answer_lines_and_nothing_else(typed, ok):
    [[setup, answers, cell]] = guard([[SETUP, ANSWERS, f"{ANSWERS}\n{typed}"]])
    assert setup and answers
    assert cell is ok, typed


def test_a_cell_that_uses_a_name_the_course_did_not_import_is_not_course_code():
    [[drill, other]] = guard([["from powercoach.widgets import ClassifyDrill\n\nClassifyDrill(\"contracting\")",
                               'PitfallDrill("contracting")']])
    assert drill and not other
