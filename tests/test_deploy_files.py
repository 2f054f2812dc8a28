"""The deploy files: the Zero to JupyterHub values against the chart's schema, and the class list."""

from __future__ import annotations

import json
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
