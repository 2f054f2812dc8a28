"""A real JupyterLab on 127.0.0.1 and a real headless Chromium, started and stopped by tests."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from conftest import BIN, REPO, private_env

CHROMIUM = os.environ.get("POWERCOACH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def jupyterlab(tmp: Path):
    """Serve a temp copy of the course (so checkpoints never land in the repo)."""
    root = tmp / "served"
    for folder in ("course", "exercises"):
        shutil.copytree(REPO / folder, root / folder)
    env = private_env(tmp / "home")
    settings = Path(env["JUPYTER_CONFIG_DIR"]) / "lab/user-settings/@jupyterlab/apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    port, token = free_port(), secrets.token_hex(16)
    log = (tmp / "jupyterlab.log").open("w")
    proc = subprocess.Popen(
        [str(BIN / "jupyter"), "lab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not start: see {tmp / 'jupyterlab.log'}") from None
                time.sleep(0.3)
        yield base, token, root
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextmanager
def chromium(tmp: Path):
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"No Chromium at {CHROMIUM}: install Debian's chromium (make test does).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser):
    return browser.new_page(viewport={"width": 1400, "height": 1000})


def open_and_run_all(page, base: str, token: str, path: str) -> None:
    # ?reset starts from an empty workspace, so earlier tabs are not restored beside this one.
    page.goto(f"{base}/lab/tree/{path}?reset&token={token}")
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=60_000)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()


def save(page) -> None:
    page.keyboard.press("Control+s")
    page.wait_for_timeout(1000)
