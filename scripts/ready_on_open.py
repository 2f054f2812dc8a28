"""Seconds from opening lesson 01 in JupyterLab to its first drill, with the server's early kernel
start (powercoach.prestart) on and off, in alternating runs on fresh servers (issue #19):

    .venv/bin/python scripts/ready_on_open.py [--runs 5]

Each run: a new JupyterLab server that has served nothing, a new headless Chromium page, page.goto
until the first drill shows (the autorun extension runs the lesson either way). Prints each run's
seconds and the page's own phases, then the medians and their ratio. Needs the test extra
(Playwright, Debian's chromium); ``make test`` installs both.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from browser import chromium, jupyterlab, new_page  # noqa: E402
from test_autorun import PANEL, PHASES  # noqa: E402

LESSON = "course/01-contracting.ipynb"


def one_run(prestart: bool) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        config = tmp / "home/jupyter/config"  # the server's own config folder (tests/conftest.private_env)
        config.mkdir(parents=True)
        (config / "jupyter_server_config.json").write_text(
            json.dumps({"ServerApp": {"jpserver_extensions": {"powercoach.prestart": prestart}}}))
        with jupyterlab(tmp) as (base, token, _), chromium(tmp) as browser:
            page = new_page(browser)
            page.add_init_script(PHASES)
            start = time.monotonic()
            page.goto(f"{base}/lab/tree/{LESSON}?reset&token={token}")
            page.locator(f"{PANEL} .powercoach-drill").first.get_by_text("Scene 1 of").wait_for(timeout=90_000)
            return time.monotonic() - start, page.evaluate("window.powercoachPhases")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each, alternating")
    runs = parser.parse_args(argv).runs
    seconds: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(runs):
        for prestart in (True, False):
            took, phases = one_run(prestart)
            seconds[prestart].append(took)
            print(f"prestart {'on ' if prestart else 'off'}: first drill {took:.2f} s after page.goto; "
                  f"page clock {phases}", flush=True)
    on, off = statistics.median(seconds[True]), statistics.median(seconds[False])
    print(f"median: on {on:.2f} s ({min(seconds[True]):.2f}-{max(seconds[True]):.2f}), "
          f"off {off:.2f} s ({min(seconds[False]):.2f}-{max(seconds[False]):.2f}); on/off = {on / off:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
