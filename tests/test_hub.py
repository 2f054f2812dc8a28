"""A real class on JupyterHub, end to end, as deploy/setup-class.py sets it up on one server.

One instructor and three learners are real system users (made here, removed afterwards); the hub
(behind configurable-http-proxy) runs as root and each server as its user. Exercise 01 goes all
the way round: release, fetch, answer (one learner by clicking in Chromium through the hub),
submit, collect, `powercoach grade` as the instructor, a reflection marked through the
Formgrader's API, feedback released and fetched. Learners' kernels then try to read what only
the instructor, or another learner, may read.

The class runs as a graded class does: set up with --class-key (a class key of made-up answers,
sealed for this test), so each learner is asked a paper of their own, drawn for their place on the
class roster, and is graded and given feedback on it.
"""

from __future__ import annotations

import json
import os
import re

import pytest
from browser import chromium, new_page, run_all_unless_autorun
from hubclass import Hub
from nbgrader.api import Gradebook
from test_nbgrader_cycle import KEY, TOTAL, answers_file, wrong, wrong_answer

from powercoach import key, papers
from powercoach.marking import expected

pytestmark = [pytest.mark.hub, pytest.mark.slow, pytest.mark.browser]
A = "01-contracting"
COURSE = {"course_id": "powercoach", "assignment_id": A}
REFLECTION_POINTS = 3


@pytest.fixture(scope="module")
def hub():
    if os.geteuid() != 0:
        pytest.fail("The hub test makes system users and runs JupyterHub as root: run make test as root (CI is).")
    h = Hub()
    try:
        setup = h.setup_class()
        assert setup.returncode == 0, setup.stdout + setup.stderr
        h.setup_output = setup.stdout
        h.start()
        h.spawn_all()
        made_up = key.load(h.class_key_folder)
        # each learner's right answers on their own paper: places follow the class list
        h.papers = {n: papers.drawn(A, place) for place, n in enumerate(h.learners)}
        h.right = {n: {q.qid: expected(q, made_up) for q in paper} for n, paper in h.papers.items()}
        h.rationale = {n: {q.item_id: made_up.item(q.item_id)["rationale"] for q in paper}
                       for n, paper in h.papers.items()}
        yield h
    finally:
        h.close()


def test_setup_class_lays_out_the_class_with_the_documented_permissions(hub):
    assert "Class ready" in hub.setup_output
    course = hub.course
    assert (course.stat().st_mode & 0o777) == 0o700 and course.owner() == hub.instructor
    for name in ("nbgrader_config.py", "solutions", "gradebook.db", "class-key", "roster.json"):
        assert (course / name).exists(), name
    assert json.loads((course / "roster.json").read_text())["places"] == {n: i for i, n in enumerate(hub.learners)}
    assert (hub.exchange.stat().st_mode & 0o7777) == 0o1777  # nbgrader: ugo+rw; sticky like /tmp
    for user in hub.users:
        home = course.parent if user == hub.instructor else course.parent.parent / user
        assert (home.stat().st_mode & 0o777) == 0o700, user
    assert set(hub.passwords()) == set(hub.users)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="powercoach") as gb:
        assert sorted(s.id for s in gb.students) == sorted(hub.learners)


def page_config(hub, user) -> dict:
    html = hub.server(user, "GET", "lab").text
    data = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(data.group(1))


def test_learners_get_the_assignments_tab_only_and_the_instructor_the_formgrader(hub):
    learner_only = ["@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                    "@jupyter/nbgrader:validate-assignment"]
    for user in hub.learners[:1] + [hub.instructor]:
        disabled = set(page_config(hub, user)["disabledExtensions"])
        if user == hub.instructor:
            assert not disabled & set(learner_only)
        else:
            assert set(learner_only) <= disabled
        assert "@jupyter/nbgrader:assignment-list" not in disabled
    learner = hub.learners[0]
    assert hub.server(learner, "GET", "formgrader/api/status", ok=False).status_code == 404
    assert hub.server(learner, "GET", "assignments", params={"course_id": "powercoach"}).ok
    assert hub.server(hub.instructor, "GET", "formgrader/api/status").ok


def test_learners_draw_from_the_roster_copy_and_the_instructor_previews_the_shared_paper(hub):
    code = ("import os; from powercoach import roster\n"
            "print(os.environ.get('POWERCOACH_POOL'), os.environ.get('POWERCOACH_ROSTER'), roster.learner_place())")
    learner = hub.run_code(hub.learners[2], code).split()
    assert learner[0] == "class" and learner[1].endswith("etc/powercoach-roster.json") and learner[2] == "2", learner
    assert hub.run_code(hub.instructor, code).split() == ["class", "None", "None"]


def answer_by_clicks(hub, learner, tmp_path, answers):
    """Log in as the learner through the hub, open the exercise, click every answer, save."""
    from powercoach import catalog

    with chromium(tmp_path) as browser:
        page = new_page(browser)
        try:
            page.goto(f"{hub.url}/hub/login")
            page.fill("#username_input", learner)
            page.fill("#password_input", hub.passwords()[learner])
            page.click("#login_submit")
            page.wait_for_url(re.compile(rf".*/user/{learner}/lab.*"), timeout=60_000)
            page.goto(f"{hub.url}/user/{learner}/lab/tree/{A}/{A}.ipynb?reset")
            page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=60_000)
            # What a learner sees of nbgrader: the assignment list, never the Formgrader.
            page.get_by_role("menuitem", name="Nbgrader", exact=True).click()
            menu = page.locator(".lm-Menu").last
            menu.get_by_text("Assignment List").wait_for(timeout=10_000)
            assert "Formgrader" not in menu.inner_text()
            page.keyboard.press("Escape")
            run_all_unless_autorun(page)
            questions = page.locator(".powercoach-question")
            questions.nth(len(answers) - 1).wait_for(timeout=60_000)
            assert questions.count() == len(answers)
            for n, answer in enumerate(answers.values()):
                q = questions.nth(n)
                q.scroll_into_view_if_needed()
                label = answer.capitalize() if answer in ("good", "poor") else catalog.pitfalls()[answer].title
                q.get_by_role("radio", name=label, exact=True).check()
                q.get_by_text(f"Saved: {answer}").wait_for(timeout=10_000)
            page.keyboard.press("Control+s")
            page.wait_for_timeout(1000)
        except Exception:
            page.screenshot(path=str(tmp_path / "hub-learner.png"), full_page=True)
            print(f"screenshot: {tmp_path / 'hub-learner.png'}")
            raise


PROBE = """
import glob, json, os
def attempt(label, how):
    try:
        how()
        result = "read"
    except PermissionError:
        result = "denied"
    except Exception as e:
        result = type(e).__name__
    print(json.dumps([label, result]))
attempt("course folder", lambda: os.listdir({course!r}))
attempt("course config", lambda: open({course!r} + "/nbgrader_config.py").read())
attempt("solutions", lambda: open({course!r} + "/solutions/{a}/{a}.ipynb").read())
attempt("key", lambda: os.listdir({course!r} + "/key"))
attempt("class key", lambda: open({course!r} + "/class-key/items.csv").read())
attempt("gradebook", lambda: open({course!r} + "/gradebook.db", "rb").read(1))
attempt("exchange inbound", lambda: os.listdir({exchange!r} + "/powercoach/inbound"))
attempt("exchange feedback", lambda: os.listdir({exchange!r} + "/powercoach/feedback"))
def find_submission():
    found = glob.glob({exchange!r} + "/powercoach/inbound/{other}+*")
    if not found:
        raise PermissionError("not found")
    open(found[0] + "/{a}.ipynb").read()
attempt("other learner's submission", find_submission)
attempt("other learner's home", lambda: open({other_home!r} + "/{a}/{a}.answers.json").read())
"""


def probe(hub, user, other):
    code = PROBE.format(course=str(hub.course), exchange=str(hub.exchange), a=A, other=other,
                        other_home=str(hub.course.parent.parent / other))
    return dict(json.loads(line) for line in hub.run_code(user, code).splitlines() if line.startswith("["))


def test_a_whole_cohort_goes_round_exercise_01_through_the_hub(hub, tmp_path):
    instructor, learners = hub.instructor, hub.learners
    fg = "formgrader/api/assignment/" + A
    for step in ("assign", "release"):
        result = hub.server(instructor, "POST", f"{fg}/{step}").json()
        assert result["success"], result
    for learner in learners:
        listed = hub.server(learner, "POST", "assignments/fetch", data=COURSE).json()
        assert any(a["assignment_id"] == A and a["status"] == "fetched" for a in listed["value"]), listed

    answer_by_clicks(hub, learners[0], tmp_path, hub.right[learners[0]])
    own = hub.right[learners[2]]
    half = dict(list(own.items())[:6]) | {q: wrong(own[q]) for q in list(own)[6:]}
    for learner, answers in ((learners[1], hub.right[learners[1]]), (learners[2], half)):
        hub.server(learner, "PUT", f"api/contents/{A}/{A}.answers.json",
                   json={"type": "file", "format": "text", "content": answers_file(answers)})
    for learner in learners:
        out = hub.server(learner, "POST", "assignments/submit", data=COURSE).json()
        assert out["success"], out

    collected = hub.server(instructor, "POST", f"{fg}/collect").json()
    assert collected["success"], collected
    out = hub.run_code(instructor, f"""
import subprocess
p = subprocess.run(["powercoach", "grade", "{A}"], cwd={str(hub.course)!r}, capture_output=True, text=True)
print(p.stdout[-3000:], p.stderr[-3000:], "EXIT", p.returncode)
""")
    assert out.rstrip().endswith("EXIT 0"), out

    submitted = hub.server(instructor, "GET", f"formgrader/api/submitted_notebooks/{A}/{A}").json()
    assert sorted(s["student"] for s in submitted) == sorted(learners)
    for s in submitted:  # the Formgrader shows each learner's own items, explained, and nobody else's
        page = hub.server(instructor, "GET", f"formgrader/submissions/{s['id']}/").text
        mine = hub.rationale[s["student"]]
        assert all(text in page for text in mine.values()), s["student"]
        others = {i: t for n, r in hub.rationale.items() if n != s["student"] for i, t in r.items() if i not in mine}
        assert others and not [i for i, t in others.items() if t in page], s["student"]
    for s in submitted:
        grades = hub.server(instructor, "GET", "formgrader/api/grades", params={"submission_id": s["id"]}).json()
        reflection = next(g for g in grades if g["name"] == "reflection")
        hub.server(instructor, "PUT", f"formgrader/api/grade/{reflection['id']}",
                   json={"manual_score": REFLECTION_POINTS})
        comments = hub.server(instructor, "GET", "formgrader/api/comments", params={"submission_id": s["id"]}).json()
        comment = next(c for c in comments if c["name"] == "reflection")
        hub.server(instructor, "PUT", f"formgrader/api/comment/{comment['id']}",
                   json={"manual_comment": f"Well argued, {s['student']}."})
    for step in ("generate_feedback", "release_feedback"):
        result = hub.server(instructor, "POST", f"{fg}/{step}").json()
        assert result["success"], (result.get("error") or "")[-4000:] + (result.get("log") or "")[-4000:]

    wanted = {learners[0]: TOTAL, learners[1]: TOTAL, learners[2]: 6}  # the first six, good-or-poor: 1 point each
    for learner in learners:
        assert hub.server(learner, "POST", "assignments/fetch_feedback", data=COURSE).json()["success"]
        folders = hub.server(learner, "GET", f"api/contents/{A}/feedback").json()["content"]
        assert len(folders) == 1, folders
        html = hub.server(learner, "GET", f"api/contents/{folders[0]['path']}/{A}.html").json()["content"]
        total = wanted[learner] + REFLECTION_POINTS
        assert f"Score: {float(total)}" in html, (learner, re.findall(r"Score: [\d.]+ / [\d.]+", html)[:1])
        assert f"Well argued, {learner}." in html
        mine = hub.rationale[learner]
        for other in learners:
            if other != learner:
                assert f"Well argued, {other}." not in html
                # the explanations of this learner's own items, and none of another's that they were not asked
                assert not [i for i in hub.rationale[other] if i not in mine and hub.rationale[other][i] in html]
        assert all(text in html for text in mine.values()), learner

    # What a learner's own kernel can reach, and (the same code) what the instructor's can.
    denied = probe(hub, learners[1], other=learners[0])
    assert set(denied.values()) == {"denied"}, json.dumps(denied)
    allowed = probe(hub, instructor, other=learners[0])
    readable = ["course folder", "course config", "solutions", "gradebook", "class key"]
    if (hub.course / "key").is_dir():  # the instructor-only answer key, once the course has one
        readable.append("key")
    for label in readable:
        assert allowed[label] == "read", allowed


PLANT = """
import json, os, shutil
inbound = {exchange!r} + "/powercoach/inbound"
stamp = "2030-01-01 00:00:00.000000 UTC"
mine = os.path.expanduser("~/{a}")
def attempt(label, how):
    try:
        how()
        print(json.dumps([label, "done"]))
    except Exception as e:
        print(json.dumps([label, type(e).__name__]))
def forged():  # a later submission in another learner's name, every answer wrong
    d = inbound + "/{victim}+{a}+" + stamp + "+forged"
    os.mkdir(d)
    shutil.copy(mine + "/{a}.ipynb", d)
    open(d + "/timestamp.txt", "w").write(stamp)
    open(d + "/{a}.answers.json", "w").write({wrong!r})
def linked():  # my own submission, made of links to what only the instructor or another learner may read
    d = inbound + "/{me}+{a}+" + stamp + "+links"
    os.mkdir(d)
    open(d + "/timestamp.txt", "w").write(stamp)
    os.symlink({course!r} + "/solutions/{a}/{a}.ipynb", d + "/{a}.ipynb")
    os.symlink({course!r} + "/key/items.csv", d + "/notes.html")
    os.symlink("/etc/passwd", d + "/passwd.txt")
    os.symlink({victim_home!r} + "/{a}/{a}.answers.json", d + "/{a}.answers.json")
attempt("forged", forged)
attempt("linked", linked)
attempt("list inbound", lambda: os.listdir(inbound))
attempt("hard link to the key", lambda: os.link({course!r} + "/key/items.csv", mine + "/k.csv"))
"""


def test_a_learner_cannot_plant_links_or_submit_in_anothers_name(hub):
    """After the cohort's round: one learner writes into the exchange what nbgrader would accept,
    a later submission in another learner's name and one of their own made of links, then the
    instructor collects and grades again. Nothing is followed and the other learner's grade holds."""
    instructor, learners = hub.instructor, hub.learners
    attacker, victim = learners[2], learners[1]
    inbound = hub.exchange / "powercoach" / "inbound"
    assert (inbound.stat().st_mode & 0o7777) == 0o3733 and inbound.owner() == instructor
    code = PLANT.format(exchange=str(hub.exchange), a=A, victim=victim, me=attacker, course=str(hub.course),
                        victim_home=str(hub.course.parent.parent / victim),
                        wrong=answers_file({q: wrong_answer(q) for q in KEY}))
    tried = dict(json.loads(line) for line in hub.run_code(attacker, code).splitlines() if line.startswith("["))
    assert tried == {"forged": "done", "linked": "done", "list inbound": "PermissionError",
                     "hard link to the key": "PermissionError"}, tried

    fg = "formgrader/api/assignment/" + A
    assert hub.server(instructor, "POST", f"{fg}/collect").json()["success"]
    out = hub.run_code(instructor, f"""
import subprocess
p = subprocess.run(["powercoach", "grade", "{A}"], cwd={str(hub.course)!r}, capture_output=True, text=True)
print(p.stdout[-3000:], "EXIT", p.returncode)
""")
    assert f"{A}.ipynb is a link to another file" in out and "EXIT 1" in out, out
    for step in ("generate_feedback", "release_feedback"):
        result = hub.server(instructor, "POST", f"{fg}/{step}").json()
        assert result["success"], (result.get("error") or "")[-3000:] + (result.get("log") or "")[-3000:]
    with Gradebook(f"sqlite:///{hub.course / 'gradebook.db'}", course_id="powercoach") as gb:
        assert gb.find_submission(A, victim).code_score == TOTAL  # the forged folder was skipped
        assert attacker not in {s.student.id for s in gb.find_assignment(A).submissions}
    listing = hub.run_code(instructor, f"""
import os
for top in ({str(hub.course / 'submitted')!r}, {str(hub.course / 'autograded')!r}, {str(hub.exchange)!r}):
    for d, dirs, files in os.walk(top):
        for n in dirs + files:
            p = os.path.join(d, n)
            if "/inbound/" not in p and (os.path.islink(p) or n in ("notes.html", "passwd.txt")):
                print("FOUND", p)
        for n in files:
            p = os.path.join(d, n)
            if "/feedback" in p and "root:x:0:0" in open(p, errors="ignore").read():
                print("LEAK", p)
""")
    assert "FOUND" not in listing and "LEAK" not in listing, listing
