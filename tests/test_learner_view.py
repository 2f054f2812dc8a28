"""`make lab` and Binder show a self-learner no nbgrader instructor panels (learner-view/)."""

from __future__ import annotations

import json
import re
import subprocess
import urllib.error
import urllib.request

import pytest
from browser import jupyterlab
from conftest import REPO

pytestmark = pytest.mark.slow

INSTRUCTOR = ["@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
              "@jupyter/nbgrader:validate-assignment"]


def make_lab_config_path() -> str:
    out = subprocess.run(["make", "-n", "-p", "lab"], cwd=REPO, capture_output=True, text=True).stdout
    found = re.search(r"^lab: JUPYTER_CONFIG_PATH := (.+)$", out, re.M)
    assert found, "make lab does not set JUPYTER_CONFIG_PATH"
    return found.group(1).strip()


def page_and_formgrader(base: str, token: str) -> tuple[dict, int]:
    html = urllib.request.urlopen(f"{base}/lab?token={token}", timeout=20).read().decode()
    config = json.loads(re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', html, re.S).group(1))
    try:
        status = urllib.request.urlopen(f"{base}/formgrader?token={token}", timeout=20).status
    except urllib.error.HTTPError as err:
        status = err.code
    return config, status


def test_make_labs_learner_view_hides_the_instructor_panels_and_the_formgrader(tmp_path):
    path = make_lab_config_path()
    assert path.split(":")[0] == str(REPO / "learner-view")
    with jupyterlab(tmp_path / "learner", {"JUPYTER_CONFIG_PATH": path}) as (base, token, _):
        config, formgrader = page_and_formgrader(base, token)
    disabled = config.get("disabledExtensions", [])
    assert all(name in disabled for name in INSTRUCTOR), disabled
    assert "@jupyter/nbgrader:assignment-list" not in disabled
    assert formgrader == 404
    # The same server without the learner view has them: the check above can fail.
    with jupyterlab(tmp_path / "instructor") as (base, token, _):
        config, formgrader = page_and_formgrader(base, token)
    assert not any(name in config.get("disabledExtensions", []) for name in INSTRUCTOR)
    assert formgrader == 200


def test_binders_postbuild_disables_the_same_extensions():
    post = (REPO / "postBuild").read_text(encoding="utf-8")
    for name in INSTRUCTOR:
        assert f"jupyter labextension disable --level=sys_prefix {name}" in post
    server = json.loads((REPO / "learner-view/jupyter_server_config.d/powercoach-learner-view.json").read_text())
    for ext, on in server["ServerApp"]["jpserver_extensions"].items():
        assert not on and f"jupyter server extension disable --sys-prefix {ext}" in post
