"""The deploy files: the Zero to JupyterHub values against the chart's schema, and the class list."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import jsonschema
import pytest
import yaml
from conftest import REPO

DATA = REPO / "tests" / "data"
VALUES = REPO / "deploy" / "z2jh" / "values.yaml"


def merged(defaults: dict, override: dict) -> dict:
    """Helm's merge of a values file over the chart's defaults (maps merge, the rest replaces)."""
    out = dict(defaults)
    for k, v in override.items():
        out[k] = merged(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def check(values: dict) -> None:
    schema = json.loads((DATA / "z2jh-values.schema.json").read_text(encoding="utf-8"))
    defaults = yaml.safe_load((DATA / "z2jh-values.yaml").read_text(encoding="utf-8"))
    jsonschema.validate(merged(defaults, values), schema)


def test_the_z2jh_values_file_passes_the_charts_schema():
    check(yaml.safe_load(VALUES.read_text(encoding="utf-8")))


def test_the_schema_check_catches_a_misspelt_key():
    values = yaml.safe_load(VALUES.read_text(encoding="utf-8"))
    values["singleuser"]["defaultURL"] = "/lab"
    with pytest.raises(jsonschema.ValidationError):
        check(values)


def test_the_values_give_learners_and_the_instructor_the_same_panels_as_one_server():
    values = yaml.safe_load(VALUES.read_text(encoding="utf-8"))
    files = values["singleuser"]["extraFiles"]
    etc = REPO / "deploy" / "etc"
    learner_lab = json.loads((etc / "jupyter/labconfig/page_config.json").read_text())
    assert files["learner-lab-extensions"]["data"] == learner_lab
    assert files["instructor-lab-extensions"]["data"] == json.loads(
        (etc / "jupyter-instructor/labconfig/page_config.json").read_text())
    learner = json.loads((etc / "jupyter/jupyter_server_config.d/powercoach-learner.json").read_text())
    assert files["learner-server-extensions"]["data"] == learner


@pytest.mark.parametrize("csv, message", [
    ("username,role\nAlice,learner\nbob,instructor\n", "cannot be a system user name"),
    ("username,role\nalice,teacher\n", "must be instructor or learner"),
    ("username,role\nalice,learner\n", "exactly one instructor"),
    ("name,role\nalice,learner\n", "has no username column"),
    ("username,role\nbob,instructor\nalice,learner\nalice,learner\n", "more than once"),
])
def test_setup_class_explains_a_bad_class_list(tmp_path, csv, message):
    people = tmp_path / "people.csv"
    people.write_text(csv, encoding="utf-8")
    proc = subprocess.run([sys.executable, REPO / "deploy" / "setup-class.py", "--people", people,
                           "--prefix", tmp_path / "prefix", "--no-systemd"], capture_output=True, text=True)
    assert proc.returncode == 1
    assert message in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("content, message", [
    (None, "Cannot read the class key's passphrase"),
    ("\n", "should hold the class key's passphrase"),
])
def test_setup_class_explains_a_missing_or_empty_passphrase_file(tmp_path, content, message):
    people = tmp_path / "people.csv"
    people.write_text("username,role\nbob,instructor\nalice,learner\n", encoding="utf-8")
    secret = tmp_path / "passphrase.txt"
    if content is not None:
        secret.write_text(content, encoding="utf-8")
    proc = subprocess.run([sys.executable, REPO / "deploy" / "setup-class.py", "--people", people, "--class-key",
                           secret, "--prefix", tmp_path / "prefix", "--no-systemd"], capture_output=True, text=True)
    assert proc.returncode == 1
    assert message in proc.stderr and "Traceback" not in proc.stderr and not (tmp_path / "prefix").exists()


@pytest.mark.parametrize("pool", ["class", "self-study", None])
def test_the_hub_tells_learners_which_paper_the_class_asks(tmp_path, pool):
    """The hub config, run as JupyterHub runs it, puts setup-class.py's pool in every server's environment."""
    import shutil

    from traitlets.config import Config

    (tmp_path / "etc" / "jupyterhub").mkdir(parents=True)
    config = tmp_path / "etc" / "jupyterhub" / "jupyterhub_config.py"
    shutil.copy(REPO / "deploy/etc/jupyterhub/jupyterhub_config.py", config)
    facts = {"instructors": ["bob"], "learners": ["alice"], "proxy": "chp", "url": "http://127.0.0.1:1",
             "course_dir": "/home/bob/powercoach", "exchange": "/srv/x", "course_id": "powercoach"}
    if pool:
        facts["pool"] = pool
    (tmp_path / "etc" / "powercoach-class.json").write_text(json.dumps(facts))
    c = Config()
    exec(compile(config.read_text(), str(config), "exec"), {"get_config": lambda: c, "__file__": str(config)})
    assert c.Spawner.environment["POWERCOACH_POOL"] == (pool or "self-study")


SYSTEM_PACKAGES = REPO / "scripts" / "system-packages.sh"


def run_system_packages(tmp_path, user: str, tools: tuple[str, ...]):
    """Run scripts/system-packages.sh as ``user`` on a PATH holding only ``tools``, so every
    package looks missing and nothing is installed. The script goes in on stdin: the clone
    may sit in a folder other users cannot enter."""
    import shutil

    tmp_path.chmod(0o755)
    bin_ = tmp_path / "bin"
    bin_.mkdir(mode=0o755)
    for tool in tools:
        os.symlink(shutil.which(tool), bin_ / tool)
    runuser = shutil.which("runuser", path="/usr/sbin:/sbin:/usr/bin")
    with SYSTEM_PACKAGES.open() as script:
        return subprocess.run([runuser, "-u", user, "--", "/bin/sh", "-s", "test"], stdin=script,
                              env={"PATH": str(bin_), "PYTHON": "/nonexistent"}, capture_output=True,
                              text=True, timeout=60)


@pytest.mark.parametrize("tools", [("id",), ("id", "apt-get")], ids=["no apt-get", "not root, no sudo"])
def test_system_packages_stops_with_the_command_to_run_when_it_cannot_install(tmp_path, tools):
    if os.geteuid() != 0:
        pytest.fail("This test runs the script as another user: run make test as root (CI is).")
    proc = run_system_packages(tmp_path, "nobody", tools)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "sudo apt-get install -y bubblewrap chromium npm" in lines[0], lines[0]
