"""Learner text is text (issue #15): a learner's Markdown or added cell never runs as script.

One learner's reflection carries the classic vectors (script, iframe srcdoc, img onerror, svg
onload, details ontoggle, a javascript: link) and an added code cell closes the code fence around
it; each would set ``window.__pwned``. Through the real cycle (generate_assignment, submit,
autograde, generate_feedback): every exercise's feedback has the no-script policy first in its
head and nothing live from the learner; then, for exercise 01, headless Chromium loads the feedback
from disk and through Jupyter's /files/, and the Formgrader's view of the submission on a real
Jupyter server: no marker is set, each page has its Content-Security-Policy (a meta in the file, a
header from the server), the learner's words are there as text, the instructor's table and bold
still render, the Formgrader's own scripts load and save grades, and a script injected past the
sanitiser (as a new bypass would be) is still refused.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from conftest import BIN, REPO, Course, private_env

A = "01-contracting"
ASSIGNMENTS = sorted(p.name for p in (REPO / "solutions").iterdir() if p.is_dir())
WORDS = "I would name the silence in the room before the chair does."
VECTORS = """
<script>window.__pwned = 1</script>
<iframe srcdoc="<script>parent.__pwned = 2</script>"></iframe>
<img src=x onerror="window.__pwned = 3">
<svg onload="window.__pwned = 4"><circle r="5"/></svg>
<details open ontoggle="window.__pwned = 5"><summary>more</summary>hidden</details>
[read this](javascript:window.__pwned=6) and <a href="javascript:window.__pwned=7">this</a>
<object data="javascript:window.__pwned=8"></object>
"""
ADDED = 'notes = 1\n```\n<img src=x onerror="window.__pwned = 9">\n```\n<script>window.__pwned = 10</script>'
TABLE = "\n\n| Power move | Counter |\n|---|---|\n| **Silence** | Name it |\n"
PWNED = re.compile(r"__pwned")


def hostile(nb):
    """The released notebook as the hostile learner hands it in."""
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "reflection")
    cell.source = f"**{WORDS}**\n{VECTORS}"
    nb.cells.append(nbformat.v4.new_code_cell(ADDED))
    nb.cells.append(nbformat.v4.new_raw_cell('<script>window.__pwned = 11</script>',
                                             metadata={"raw_mimetype": "text/html"}))
    return nb


def normal(nb):
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "reflection")
    cell.source = "I would ask what a good outcome looks like for the board, and for her."
    return nb


class Live(HTMLParser):
    """What in a page could run: script text, on* handlers, javascript: URLs, frames and plug-ins."""

    def __init__(self):
        super().__init__()
        self.found, self._script = [], False

    def handle_starttag(self, tag, attrs):
        if tag in ("iframe", "frame", "object", "embed", "svg"):
            self.found.append(f"<{tag}>")
        self._script = tag == "script"
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}={value}")

    def handle_data(self, data):
        if self._script:
            self.found.append(data)

    def handle_endtag(self, tag):
        self._script = False


def live_markers(html: str) -> list[str]:
    parser = Live()
    parser.feed(html)
    return [f for f in parser.found if PWNED.search(f)]


# --- the pieces, without nbgrader ----------------------------------------------------------------

def test_the_allow_list_keeps_the_instructors_formatting():
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    from powercoach.instructor.safehtml import clean_html

    source = ("## Part 1\n\nSome **bold** and *emphasis*, `code`, a [guide](https://example.org/guide), "
              "a [lesson](../course/01-contracting.ipynb), [mail](mailto:a@example.org).\n\n"
              "- one\n- two\n\n1. first\n\n> quoted\n" + TABLE + "\n```python\nx = 1 < 2\n```\n")
    html = clean_html(markdown2html_mistune(source))
    for kept in ("<h2", "<strong>bold</strong>", "<em>emphasis</em>", "<code>code</code>", "<ul>", "<ol>",
                 "<blockquote>", "<table>", "<th>Power move</th>", "<td><strong>Silence</strong></td>",
                 'href="https://example.org/guide"', 'href="../course/01-contracting.ipynb"',
                 'href="mailto:a@example.org"', "<pre>"):
        assert kept in html, (kept, html)
    assert "&lt;h2" not in html and "&lt;table" not in html


def test_learner_markup_comes_out_as_text():
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    from powercoach.instructor.safehtml import clean_html, strip_files_prefix

    for render in (clean_html, strip_files_prefix):
        html = render(markdown2html_mistune(f"**{WORDS}**\n{VECTORS}"))
        assert live_markers(html) == [], html
        assert f"<strong>{WORDS}</strong>" in html
        assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html  # what the learner typed, as text
        assert not re.search(r"(?i)<(script|iframe|svg|object)\b", html)
        assert clean_html(html) == html  # cleaning twice (both filters run in the classic template) is stable


def test_an_added_cell_stays_code_whatever_backticks_it_holds():
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    from powercoach.instructor.preprocessors import SkipAddedCells

    for source in (ADDED, "a = '````'\n````\n<b>out</b>", "plain = 1"):
        cell, _ = SkipAddedCells().preprocess_cell(nbformat.v4.new_code_cell(source), {}, 0)
        html = markdown2html_mistune(cell.source)
        assert cell.cell_type == "markdown" and html.count("<pre") == 1, html
        after_code = html.split("</pre>", 1)[1]
        assert "<" not in re.sub(r"</?(div|p)[^>]*>", "", after_code), html  # nothing rendered after the code
        assert not re.search(r"<(img|script|b)\b", html), html


def test_the_feedback_template_carries_the_documented_policy():
    from powercoach.instructor.safehtml import FEEDBACK_CSP, TEMPLATES

    template = (TEMPLATES / "powercoach_feedback" / "index.html.j2").read_text(encoding="utf-8")
    assert f'content=\\"{FEEDBACK_CSP}\\"' in template
    assert "script-src 'none'" in FEEDBACK_CSP and "default-src 'none'" in FEEDBACK_CSP


def test_the_formgrader_policy_allows_only_the_templates_own_scripts():
    from powercoach.instructor.csp import formgrader_policy, page_scripts

    page = (b'<html><head><script>var a = 1;</script><script src="/formgrader/static/js/x.js"></script>'
            b'<script src="https://cdn.example.org/mathjax/2.7.7/latest.js?config=x"></script></head>'
            b'<body><span onclick="toggle_name(true);"></span><script>nav();</script>'
            b'<div class="container" id="notebook-container"><script>window.__pwned = 1</script>'
            b'<script src="/files/submitted/mallory/evil.js"></script>'
            b'<img src=x onerror="window.__pwned = 2"></div></body></html>')
    scripts, handlers, files = page_scripts(page)
    assert scripts == [b"var a = 1;", b"nav();"] and handlers == [b"toggle_name(true);"]
    assert files == ["/formgrader/static/js/x.js", "https://cdn.example.org/mathjax/2.7.7/latest.js?config=x"]
    policy = formgrader_policy(page, "http://127.0.0.1:1/formgrader/submissions/abc/")
    script_src = policy.split(";")[0].split()
    assert script_src[:3] == ["script-src", "http://127.0.0.1:1/formgrader/static/js/",
                              "https://cdn.example.org/mathjax/2.7.7/"]
    assert len([s for s in script_src if s.startswith("'sha256-")]) == 3 and script_src[-1] == "'unsafe-hashes'"
    assert "'self'" not in script_src and "'unsafe-inline'" not in script_src
    assert formgrader_policy(page.replace(b"notebook-container", b"elsewhere"), "x").startswith("script-src 'none';")


def test_every_instructor_server_config_enables_the_policy():
    import yaml

    name = "powercoach.instructor.csp"
    for path in ("jupyter-config/jupyter_server_config.d/powercoach.json",
                 "deploy/etc/jupyter-instructor/jupyter_server_config.d/powercoach-instructor.json"):
        assert json.loads((REPO / path).read_text())["ServerApp"]["jpserver_extensions"][name] is True, path
    values = yaml.safe_load((REPO / "deploy/z2jh/values.yaml").read_text(encoding="utf-8"))
    files = values["singleuser"]["extraFiles"]
    assert files["instructor-server-extensions"]["data"]["ServerApp"]["jpserver_extensions"][name] is True
    assert "jupyter-config/jupyter_server_config.d/powercoach.json" in (REPO / "pyproject.toml").read_text()
    assert "jupyter-config/jupyter_server_config.d/powercoach.json" in (REPO / "Makefile").read_text()


def test_the_item_analysis_report_escapes_what_learners_typed(tmp_path):
    import pandas as pd

    from powercoach.instructor import report

    evil = '<img src=x onerror="window.__pwned=1">'
    stats = pd.DataFrame({"learners": [3], "difficulty": [0.1], "discrimination": [-0.2], "kind": ["classify"],
                          "item": ["contracting-a05"], "technique": ["contracting"], "right_answer": ["good"],
                          "most_chosen_wrong": [evil], "flag": ["too hard"]}, index=pd.Index(["Q1"], name="question"))
    shares = pd.DataFrame({"good": [0.1], evil: [0.9]}, index=["Q1"])
    confusion = pd.DataFrame({"good": [1], evil: [2]},
                             index=pd.MultiIndex.from_tuples([("contracting", "good")], names=["group", "right"]))
    a = report.Analysis(evil, stats, shares, {"kr20": 0.5, "sem": 1.0, "questions": 1, "learners": 3},
                        confusion, confusion.droplevel(0))
    html = report.html_report(a)
    assert live_markers(html) == [] and "<img src=x" not in html and "&lt;img src=x" in html
    assert "<h1>" in html and "<table" in html


# --- the real cycle --------------------------------------------------------------------------------

def class_of_two(root: Path, assignments: list[str]) -> Course:
    """A temp course where 'mallory' hands in the hostile notebook and 'nora' a normal one, graded and
    given feedback by the real nbgrader CLI. The instructor's intro of exercise 01 gains a table."""
    root.mkdir(parents=True)
    course = Course(root)
    intro_path = root / "solutions" / A / f"{A}.ipynb"
    nb = nbformat.read(intro_path, as_version=4)
    nb.cells[0].source += TABLE
    nbformat.write(nb, intro_path)
    for a in ASSIGNMENTS:
        if a not in assignments:
            shutil.rmtree(root / "solutions" / a)
    which = "*" if len(assignments) > 1 else assignments[0]  # nbgrader takes a glob: one run for all
    course.nbgrader("generate_assignment", which, "--force")
    for a in assignments:
        released = root / "exercises" / a / f"{a}.ipynb"
        course.submit("mallory", a, hostile(nbformat.read(released, as_version=4)))
        course.submit("nora", a, normal(nbformat.read(released, as_version=4)))
    course.nbgrader("autograde", which, "--create", "--force")
    course.nbgrader("generate_feedback", which, "--force")
    return course


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory) -> Course:
    """Every exercise handed in by both learners, graded and given feedback: one nbgrader cycle that
    the feedback check and the browser test share."""
    return class_of_two(tmp_path_factory.mktemp("learner-text") / "course", ASSIGNMENTS)


@pytest.mark.slow
def test_every_exercises_feedback_allows_no_script_and_shows_the_learners_words(graded_class):
    from powercoach.instructor.safehtml import FEEDBACK_CSP

    course = graded_class
    for a in ASSIGNMENTS:
        for student in ("mallory", "nora"):
            html = (course.root / "feedback" / student / a / f"{a}.html").read_text(encoding="utf-8")
            head = html.split("<head>", 1)[1].lstrip()
            assert head.startswith("<meta") and FEEDBACK_CSP in head.split(">", 1)[0], (a, student)
            assert live_markers(html) == [], (a, student, live_markers(html))
        mallory = (course.root / "feedback" / "mallory" / a / f"{a}.html").read_text(encoding="utf-8")
        assert WORDS in mallory and "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in mallory, a


# --- in a real browser -----------------------------------------------------------------------------

def instructor_lab(tmp: Path, course: Course):
    """``jupyter lab`` on 127.0.0.1 with a token over the temp course, nbgrader's Formgrader on, and
    the class server's instructor config (which enables the policy) in a private config dir."""
    from browser import free_port, wait_for_http

    env = private_env(tmp / "home")
    config_d = Path(env["JUPYTER_CONFIG_DIR"]) / "jupyter_server_config.d"
    config_d.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "deploy/etc/jupyter-instructor/jupyter_server_config.d/powercoach-instructor.json", config_d)
    settings = Path(env["JUPYTER_CONFIG_DIR"]) / "lab/user-settings/@jupyterlab/apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    port, token = free_port(), secrets.token_hex(16)
    log_path = tmp / "server.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [str(BIN / "jupyter"), "lab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={course.root}"],
        cwd=course.root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    wait_for_http(f"{base}/api/status?token={token}", proc, log_path, "Jupyter server")
    return proc, log, log_path, base, token


def policies(response) -> list[str]:
    headers = response.headers_array  # a method of a page's Response, a property of an APIResponse
    headers = headers() if callable(headers) else headers
    return [h["value"] for h in headers if h["name"].lower() == "content-security-policy"]


@pytest.mark.slow
@pytest.mark.browser
def test_feedback_and_formgrader_run_no_learner_script_in_chromium(graded_class, tmp_path):
    from browser import chromium, new_page, stop
    from nbgrader.api import Gradebook

    from powercoach.instructor.safehtml import FEEDBACK_CSP

    course = graded_class
    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}", course_id="powercoach") as gb:
        ids = {s: gb.find_submission_notebook(A, A, s).id for s in ("mallory", "nora")}
        auto = gb.find_grade("mark-q1", A, A, "nora").auto_score
    feedback = course.root / "feedback" / "mallory" / A / f"{A}.html"
    bypass = tmp_path / "bypass.html"  # the feedback file as if a new trick got a script past the sanitiser
    bypass.write_text(feedback.read_text(encoding="utf-8").replace(
        "<body>", "<body><script>window.__pwned = 'bypass'</script><img src=x onerror=\"window.__pwned = 'b2'\">"))
    proc, log, log_path, base, token = instructor_lab(tmp_path, course)
    try:
        with chromium(tmp_path) as browser:
            page = new_page(browser)
            refused = []
            page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)

            def settle_and_check(where: str):
                page.wait_for_timeout(600)  # onerror, onload and ontoggle fire right after load
                assert page.evaluate("window.__pwned") is None, where

            # 1. The feedback file opened from disk: the policy is the first thing in its head.
            page.goto(feedback.as_uri())
            settle_and_check("feedback from disk")
            first = page.evaluate("[document.head.firstElementChild.httpEquiv,"
                                  " document.head.firstElementChild.content]")
            assert first == ["Content-Security-Policy", FEEDBACK_CSP]
            text = page.inner_text("body")
            assert WORDS in text and "<script>window.__pwned = 1</script>" in text
            assert page.locator("table th", has_text="Power move").count() == 1
            assert page.locator("td strong", has_text="Silence").count() == 1
            page.goto(bypass.as_uri())
            settle_and_check("feedback with an injected script")
            control = tmp_path / "control.html"  # the same injection without the policy does run
            no_policy = re.sub(r"<meta[^>]*Content-Security-Policy[^>]*>", "", bypass.read_text(encoding="utf-8"))
            control.write_text(no_policy)
            page.goto(control.as_uri())
            page.wait_for_timeout(600)
            assert page.evaluate("window.__pwned") in ("bypass", "b2")

            # 2. The same file through Jupyter's /files/: the server adds the policy as a header.
            response = page.goto(f"{base}/files/feedback/mallory/{A}/{A}.html?token={token}")
            assert response.ok and FEEDBACK_CSP in policies(response)
            assert response.headers["cache-control"] == "no-store"
            settle_and_check("feedback through /files/")
            assert WORDS in page.inner_text("body")

            # 3. The Formgrader's view of the normal learner: its own scripts load the grades and save one.
            refused.clear()
            response = page.goto(f"{base}/formgrader/submissions/{ids['nora']}/?token={token}")
            header = [p for p in policies(response) if p.startswith("script-src")]
            assert response.ok and len(header) == 1 and "'sha256-" in header[0] and "'unsafe-inline'" not in header[0]
            assert response.headers["cache-control"] == "no-store"
            page.wait_for_function("() => document.getElementById('mark-q1').placeholder !== ''", timeout=20_000)
            assert float(page.get_attribute("#mark-q1", "placeholder")) == auto
            assert refused == []  # the template's own scripts all allowed (MathJax's CDN too: unreachable here)
            with page.expect_response(lambda r: "/formgrader/api/grade/" in r.url and r.request.method == "PUT"):
                page.fill("#reflection", "2")
                page.press("#reflection", "Tab")
            page.locator("span.glyphicon-eye-open.name-hidden").click()  # an onclick handler of the template
            page.locator("a.name-shown").first.wait_for(state="visible", timeout=5_000)

            # 4. The hostile learner in the Formgrader: nothing runs, the words are text, grading still works.
            response = page.goto(f"{base}/formgrader/submissions/{ids['mallory']}/?token={token}")
            assert [p for p in policies(response) if p.startswith("script-src")]
            settle_and_check("formgrader")
            page.wait_for_function("() => document.getElementById('mark-q1').placeholder !== ''", timeout=20_000)
            text = page.inner_text("#notebook-container")
            assert WORDS in text and "<script>window.__pwned = 1</script>" in text
            assert 'onerror="window.__pwned = 9"' in text  # the added cell's source, still code
            assert "Marking aid from the reply reader" in text  # issue #16: beside the written answer
            assert page.locator("#notebook-container table th", has_text="Power move").count() == 1

            # 5. A script injected past the sanitiser into the Formgrader's page runs without the
            #    server's policy (so the injection is real) and is refused with it, while the page's
            #    own scripts still run.
            url = f"{base}/formgrader/submissions/{ids['mallory']}/"
            with_policy = []

            def inject(route):
                real = route.fetch()
                body = real.text().replace('id="notebook-container">', 'id="notebook-container"><script>'
                                           "window.__pwned = 'bypass'</script>", 1)
                assert "window.__pwned = 'bypass'" in body
                headers = {"content-type": "text/html; charset=UTF-8"}
                if with_policy:
                    headers["content-security-policy"] = next(p for p in policies(real) if p.startswith("script-src"))
                route.fulfill(status=real.status, body=body, headers=headers)

            page.route(url, inject)
            page.goto(url)
            page.wait_for_timeout(600)
            assert page.evaluate("window.__pwned") == "bypass"
            with_policy.append(True)
            page.goto(url)
            settle_and_check("formgrader with an injected script")
            page.wait_for_function("() => document.getElementById('mark-q1').placeholder !== ''", timeout=20_000)
            page.unroute(url)

            # 6. In JupyterLab's HTML viewer, even with "Trust HTML" on (scripts allowed, same origin as
            #    the server), the feedback's policy stops an injected script; without it, it runs.
            for name, text in (("control.html", no_policy), ("bypass.html", bypass.read_text(encoding="utf-8"))):
                (course.root / name).write_text(text, encoding="utf-8")
                page.goto(f"{base}/lab/tree/{name}?reset&token={token}")
                page.get_by_text("Trust HTML").click()
                page.wait_for_timeout(1500)
                frames = [f for f in page.frames if f.url.startswith("blob:")]
                assert frames and frames[-1].evaluate("document.body.innerText").count(WORDS) == 1, name
                marker = frames[-1].evaluate("window.__pwned")
                assert marker is None if name == "bypass.html" else marker in ("bypass", "b2"), (name, marker)
    finally:
        stop(proc)
        log.close()
    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}", course_id="powercoach") as gb:
        assert gb.find_grade("reflection", A, A, "nora").manual_score == 2
    assert "powercoach: Content-Security-Policy" in log_path.read_text()
