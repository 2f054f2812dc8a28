"""The files a fresh machine and Binder rely on agree with each other."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

from conftest import REPO


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[;]", requirement.strip(), maxsplit=1)[0].lower()


def _environment_pip_deps() -> dict[str, str]:
    lines = (REPO / "environment.yml").read_text(encoding="utf-8").splitlines()
    start = lines.index("  - pip:")
    deps = [line.strip()[2:] for line in lines[start + 1:] if line.strip().startswith("- ")]
    return {_name(d): d.replace(" ", "") for d in deps}


def test_environment_yml_lists_exactly_the_runtime_dependencies():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = {_name(d): d.replace(" ", "") for d in project["dependencies"]}
    assert _environment_pip_deps() == runtime


def test_binder_pins_a_python_pandas_supports_and_installs_the_project_without_deps():
    env = (REPO / "environment.yml").read_text(encoding="utf-8")
    assert re.search(r"^\s+- python=3\.1[1-9]\b", env, re.M)
    post = REPO / "postBuild"
    assert post.stat().st_mode & 0o111, "postBuild must be executable"
    assert "pip install --no-deps ." in post.read_text(encoding="utf-8")


def test_nbgrader_config_maps_solutions_and_exercises():
    from traitlets.config import Config, PyFileConfigLoader

    loader = PyFileConfigLoader("nbgrader_config.py", path=str(REPO))
    loader.load_config()
    c: Config = loader.config
    assert c.CourseDirectory.source_directory == "solutions"
    assert c.CourseDirectory.release_directory == "exercises"
    assert c.CourseDirectory.course_id == "powercoach"
    assert c.OverwriteCells.add_missing_cells is True
    assert c.Execute.timeout > 0
    assert "nbgrader.preprocessors.ClearHiddenTests" in c.GenerateFeedback.preprocessors


def test_import_is_light():
    """`import powercoach` must not pull in pandas, ipywidgets or matplotlib."""
    code = ("import sys, powercoach, powercoach.catalog, powercoach.marking; "
            "print(','.join(m for m in ('pandas', 'ipywidgets', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""  # the bank (pandas) loads on first use, not on import
    out = subprocess.run([sys.executable, "-c", "import sys, powercoach; print('pandas' in sys.modules)"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_lessons_and_exercises_need_neither_pandas_nor_matplotlib():
    """A lesson's widgets and an exercise's marking stay quick: no heavy library is imported."""
    code = ("import sys\n"
            "from powercoach.widgets import ClassifyDrill, PitfallDrill, SelfAssessment, TechniqueSpotter\n"
            "from powercoach.marking import mark\n"
            "ClassifyDrill('contracting').good.click(); PitfallDrill('boundaries'); TechniqueSpotter()\n"
            "SelfAssessment('baseline'); mark({'Q1': 'good'}, 'Q1', 'contracting-a01')\n"
            "print('HEAVY:' + ','.join(m for m in ('pandas', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "HEAVY:"


def test_readme_starts_with_the_two_commands():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    head = readme[:2500]
    assert "make lab" in head and "make test" in head
    make = subprocess.run(["make", "-n", "test"], cwd=REPO, capture_output=True, text=True)
    # make test installs the Debian packages first (before the venv), then runs the tests.
    assert "scripts/system-packages.sh test" in make.stdout and "pytest" in make.stdout
    assert make.stdout.index("system-packages.sh") < make.stdout.index("pytest")
    script = (REPO / "scripts" / "system-packages.sh").read_text(encoding="utf-8")
    assert all(p in script for p in ("chromium", "bubblewrap", "npm", "apt-get install"))
    # CI does nothing but the README's command.
    ci = [line for line in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
          if line.strip() and not line.startswith(("#", "set ", "cd "))]
    assert ci == ["make test"]
