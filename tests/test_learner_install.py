"""What a learner installs: the wheel holds no assessment answer, and the course runs from it.

The wheel is built from this repository and installed into a fresh virtual environment whose
only powercoach is that wheel (its dependencies are borrowed from the test environment through
a .pth file, so nothing is downloaded). Every file in the wheel is scanned for every assessment
answer; every lesson and exercise notebook then runs top to bottom from that install, in a
folder with no key above it, as on a learner's machine or a class hub.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from conftest import KEY, REPO, notebooks

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    build = tmp_path_factory.mktemp("build")
    shutil.copytree(REPO, build / "src-copy", ignore=shutil.ignore_patterns(".venv", ".git", "*.egg-info", "build"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out),
                    str(build / "src-copy")], check=True, capture_output=True, text=True)
    return next(out.glob("powercoach-*.whl"))


@pytest.fixture(scope="module")
def learner_python(wheel, tmp_path_factory) -> Path:
    venv = tmp_path_factory.mktemp("learner") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True)
    return python


def answers_in_the_key() -> list[str]:
    """Every assessment answer text: rationales, better responses and option reasons."""
    texts = []
    for row in KEY.rows():
        if row["use"] == "assessment":
            texts += [row["rationale"], row["better_response"]]
    for s in KEY.sets().values():
        if s["use"] == "assessment":
            texts += [o["reason"] for o in s["options"]]
    return [t[:60] for t in texts if t]


def test_no_file_in_the_wheel_holds_an_assessment_answer(wheel):
    secrets = answers_in_the_key()
    assert len(secrets) > 300  # the scan looks for something real
    assessed = {r["item_id"] for r in KEY.rows() if r["use"] == "assessment"}
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        assert not [n for n in names if "/key/" in n or "/review/" in n or n.startswith("key/")]
        for name in names:
            text = z.read(name).decode("utf-8", errors="ignore")
            leaked = [s for s in secrets if s in text]
            assert leaked == [], (name, leaked[:2])
            if name.endswith(".csv"):
                for row in csv.DictReader(io.StringIO(text)):
                    if row.get("item_id") in assessed or row.get("use") == "assessment":
                        assert not any(row.get(c) for c in ("label", "pitfall", "rationale", "better_response",
                                                             "judgement")), (name, row.get("item_id"))
            if name.endswith(".json") and "best_worst" in name:
                for s in json.loads(text):
                    if s["use"] == "assessment":
                        assert "best" not in s and "worst" not in s and not any("reason" in o for o in s["options"])


def test_no_file_in_the_wheel_quotes_a_class_answer(wheel):
    """The class key's answers are sealed; its fingerprints find any of their text in the wheel."""
    from test_sealed_key import quoting_files

    assert quoting_files(wheel.parent) == []


def test_the_installed_package_is_the_wheel_and_finds_no_key(learner_python, tmp_path):
    code = ("import powercoach, powercoach.key as k; print(powercoach.__file__); print(k.find())")
    out = subprocess.run([str(learner_python), "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    where, found = out.stdout.split()
    assert str(learner_python.parent.parent) in where and found == "None"


def test_the_wheel_installs_the_extension_that_runs_a_lesson_as_it_opens(learner_python, tmp_path):
    """pip puts @powercoach/autorun (docs/autorun.md) where JupyterLab finds it, with nothing to build."""
    built = json.loads((REPO / "src/powercoach/labextension/package.json").read_text(encoding="utf-8"))
    installed = learner_python.parent.parent / "share/jupyter/labextensions/@powercoach/autorun"
    assert (installed / built["jupyterlab"]["_build"]["load"]).is_file()
    assert (installed / "schemas/@powercoach/autorun/plugin.json").is_file()
    # What JupyterLab's server reads to list the page's extensions, from that environment's paths.
    code = ("import json; from jupyter_core.paths import jupyter_path; "
            "from jupyterlab_server.config import get_federated_extensions; "
            "print(json.dumps(get_federated_extensions(jupyter_path('labextensions'))))")
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "JUPYTER_PLATFORM_DIRS": "1"}
    out = subprocess.run([str(learner_python), "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                         check=True, timeout=120)
    found = json.loads(out.stdout)["@powercoach/autorun"]
    assert Path(found["ext_path"]).resolve() == installed.resolve()
    assert found["jupyterlab"]["_build"]["load"] == built["jupyterlab"]["_build"]["load"]


RUN = r"""
import json, sys
import nbformat
from nbclient import NotebookClient

problems = {}
for path in sys.argv[1:]:
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import powercoach; print('FROM', powercoach.__file__)"))
    NotebookClient(nb, timeout=300, startup_timeout=180, kernel_name="python3",
                   resources={"metadata": {"path": str(__import__("pathlib").Path(path).parent)}}).execute()
    bad = [(i, o.get("name") or o.output_type, o.get("text", "") or o.get("evalue", ""))
           for i, c in enumerate(nb.cells) if c.cell_type == "code" for o in c.outputs
           if o.output_type == "error" or o.get("name") == "stderr"]
    problems[path] = {"bad": bad, "from": nb.cells[-1].outputs[0]["text"]}
print(json.dumps(problems))
"""


@pytest.mark.parametrize("folder", ["course", "exercises"])
def test_every_lesson_and_exercise_runs_from_the_wheel(learner_python, tmp_path, folder):
    work = tmp_path / "learner-home"
    shutil.copytree(REPO / folder, work / folder)
    paths = [str(work / p.relative_to(REPO)) for p in notebooks(folder)]
    env = {"HOME": str(work), "PATH": str(learner_python.parent), "POWERCOACH_PROGRESS": str(work / "progress.json")}
    out = subprocess.run([str(learner_python), "-c", RUN, *paths], cwd=work, capture_output=True, text=True,
                         env=env, timeout=1200)
    assert out.returncode == 0, out.stderr[-3000:]
    results = json.loads(out.stdout.strip().splitlines()[-1])
    assert len(results) == len(paths) >= 13
    for path, result in results.items():
        assert result["bad"] == [], (path, result["bad"])
        assert str(learner_python.parent.parent) in result["from"], path


def test_drills_give_their_feedback_from_the_wheel(learner_python, tmp_path):
    code = ("from powercoach.widgets import ClassifyDrill, BestWorstPicker\n"
            "d = ClassifyDrill('contracting'); d.good.click(); print('FEEDBACK', len(d.feedback.value))\n"
            "b = BestWorstPicker('contracting'); b.best.value = 'A'; b.worst.value = 'B'; b.submit()\n"
            "print('BW', len(b.feedback.value))\n")
    out = subprocess.run([str(learner_python), "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         env={"HOME": str(tmp_path), "POWERCOACH_PROGRESS": str(tmp_path / "p.json")}, check=True)
    lines = dict(line.split() for line in out.stdout.splitlines())
    assert int(lines["FEEDBACK"]) > 100 and int(lines["BW"]) > 100
