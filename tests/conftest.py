"""Shared helpers: the repository's paths and a throwaway nbgrader course built from it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _key():
    from powercoach import key

    return key.load(REPO / "key")


KEY = _key()  # the instructor's answer key, which tests may read and learners never have


def notebooks(*folders: str) -> list[Path]:
    return sorted(p for f in folders for p in (REPO / f).rglob("*.ipynb")
                  if ".ipynb_checkpoints" not in p.parts)


def private_env(home: Path) -> dict[str, str]:
    """An environment whose Jupyter and IPython state lives under ``home`` only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IPYTHON"))}
    for sub in ("tmp", "jupyter/config", "jupyter/data", "jupyter/runtime", "ipython"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    env.update(
        HOME=str(home), TMPDIR=str(home / "tmp"), JUPYTER_CONFIG_DIR=str(home / "jupyter/config"),
        JUPYTER_DATA_DIR=str(home / "jupyter/data"), JUPYTER_RUNTIME_DIR=str(home / "jupyter/runtime"),
        IPYTHONDIR=str(home / "ipython"), PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        JUPYTER_PLATFORM_DIRS="1", PYDEVD_DISABLE_FILE_VALIDATION="1",
    )
    return env


class Course:
    """A temp nbgrader course made of this repo's config and solutions, driven by the real CLI."""

    def __init__(self, root: Path):
        self.root = root
        self.env = private_env(root.parent / "home")
        shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
        shutil.copytree(REPO / "solutions", root / "solutions")
        shutil.copytree(REPO / "key", root / "key")

    @property
    def kernel_log(self) -> Path:
        return self.root.parent / "kernels.log"

    def spy_on_kernels(self) -> None:
        """Log every kernel grading starts (tests/support/kernelspy.py), to show when none does."""
        with (self.root / "nbgrader_config.py").open("a") as f:
            f.write("\nc.Execute.timeout = 20\nc.Execute.kernel_manager_class = 'kernelspy.SpyKernelManager'\n")
        self.env["PYTHONPATH"] = str(REPO / "tests" / "support")
        self.env["POWERCOACH_KERNEL_LOG"] = str(self.kernel_log)

    def nbgrader(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run([str(BIN / "nbgrader"), *args], cwd=self.root, env=self.env,
                              capture_output=True, text=True, timeout=600)
        if check and proc.returncode:
            raise AssertionError(f"nbgrader {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
        return proc

    def submit(self, student: str, assignment: str, notebook, answers_json: str | None = None) -> Path:
        """Place a submission where `nbgrader collect` would put it."""
        import nbformat

        folder = self.root / "submitted" / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, folder / f"{assignment}.ipynb")
        if answers_json is not None:
            (folder / f"{assignment}.answers.json").write_text(answers_json, encoding="utf-8")
        (folder / "timestamp.txt").write_text("2026-11-28 10:00:00.000000 UTC")
        return folder


@pytest.fixture(scope="session", autouse=True)
def private_home(tmp_path_factory):
    """Kernels, Jupyter and IPython started by tests write under a temp home, never the real one."""
    home = tmp_path_factory.mktemp("home")
    saved = dict(os.environ)
    private = private_env(home)
    os.environ.clear()
    os.environ.update(private)
    yield home
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture
def course(tmp_path) -> Course:
    root = tmp_path / "course"
    root.mkdir()
    return Course(root)
