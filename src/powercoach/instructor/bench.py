"""Benchmarks (``make bench``): grading speed against plain nbgrader, and the learner's budgets.

Every figure is a ratio against the plain tool, measured on this machine in this run:
- grading: a synthetic cohort graded by serial ``nbgrader autograde`` and by
  ``powercoach grade`` with 1 and with N workers (seconds per submission, peak memory);
- ``import powercoach`` against a bare Python start (budget: under 0.3 s);
- a click in a drill and in an exercise, in kernel time (budget: under 100 ms);
- the reply reader on a 1,000-character reply (budget: under 50 ms);
- what drawing each learner's own class paper adds to grading a submission (target: within 5%);
- a lesson run top to bottom against a one-cell notebook (budget: at most 1.5x).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
ASSIGNMENT = "01-contracting"


# --- measuring ---------------------------------------------------------------------------------

def tree_rss(root_pid: int) -> int:
    """Resident memory (bytes) of a process and all its descendants, read from /proc."""
    parents, rss = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [root_pid]
    children: dict[int, list[int]] = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


def run_measured(cmd: list[str], cwd: Path, env: dict) -> tuple[float, int, subprocess.CompletedProcess]:
    """Wall seconds and peak memory of a command with everything it starts."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]

    def sample():
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_rss(proc.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    sampler.join()
    return time.monotonic() - start, peak[0], subprocess.CompletedProcess(cmd, proc.returncode, out, err)


# --- grading -----------------------------------------------------------------------------------

# nbgrader as it ships: the course's folders and nothing else, so autograde runs every notebook in
# a kernel of its own and the marking cells mark from there (POWERCOACH_KEY names the key).
STOCK_CONFIG = """c = get_config()
c.CourseDirectory.course_id = "powercoach"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
"""


def make_course(folder: Path, learners: int, error_rate: float, seed: int, env: dict, stock: bool = False) -> Path:
    import nbformat

    from .. import key as keys
    from ..marking import Question, expected

    root = folder / "course"
    root.mkdir(parents=True)
    if stock:
        (root / "nbgrader_config.py").write_text(STOCK_CONFIG)
    else:
        shutil.copy(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "solutions", root / "solutions")
    shutil.copytree(REPO / "key", root / "key")
    subprocess.run([str(BIN / "nbgrader"), "generate_assignment", ASSIGNMENT, "--force"], cwd=root, env=env,
                   check=True, capture_output=True)
    released = nbformat.read(REPO / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    from ..exercise import Exercise

    questions = Exercise(ASSIGNMENT, **_exercise_items()).questions
    answer_key = keys.load(REPO / "key")
    key = {q.qid: expected(Question(q.qid, q.kind, q.item_id), answer_key) for q in questions}
    rng = random.Random(seed)
    for n in range(learners):
        answers = {q: (v if rng.random() > error_rate else "poor" if v == "good" else "good" if v == "poor"
                       else "flattery") for q, v in key.items()}
        folder_n = root / "submitted" / f"learner{n:03d}" / ASSIGNMENT
        folder_n.mkdir(parents=True)
        nbformat.write(released, folder_n / f"{ASSIGNMENT}.ipynb")
        (folder_n / f"{ASSIGNMENT}.answers.json").write_text(json.dumps({"exercise": ASSIGNMENT, "answers": answers}))
        (folder_n / "timestamp.txt").write_text("2026-11-28 10:00:00.000000 UTC")
    return root


def _exercise_items() -> dict:
    """The question items of the benchmark's exercise, read from its setup cell."""
    import ast

    import nbformat

    nb = nbformat.read(REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    setup = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    call = next(n for n in ast.walk(ast.parse(setup.source)) if isinstance(n, ast.Call) and n.keywords)
    return {k.arg: ast.literal_eval(k.value) for k in call.keywords}


def scores(root: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id="powercoach") as gb:
        return {s.student.id: s.code_score for s in gb.assignment_submissions(ASSIGNMENT)}


def bench_grading(learners: int, workers: int, env: dict, tmp: Path) -> dict:
    runs = {}
    plans = [("nbgrader autograde (stock, serial)",
              [str(BIN / "nbgrader"), "autograde", ASSIGNMENT, "--create", "--force"])]
    for n in sorted({1, workers}):
        plans.append((f"powercoach grade --workers {n}",
                      [str(BIN / "powercoach"), "grade", ASSIGNMENT, "--workers", str(n)]))
    results = {}
    for name, cmd in plans:
        stock = name.startswith("nbgrader")
        root = make_course(tmp / name.replace(" ", "_").replace(",", ""), learners, 0.25, 7, env, stock)
        run_env = dict(env, POWERCOACH_KEY=str(root / "key")) if stock else env
        seconds, peak, proc = run_measured(cmd, root, run_env)
        results[name] = scores(root)
        runs[name] = {"seconds": round(seconds, 2), "seconds_per_submission": round(seconds / learners, 3),
                      "peak_memory_mib": round(peak / 2**20, 1), "exit": proc.returncode}
        print(f"  {name}: {seconds:.1f}s ({seconds / learners:.2f}s per submission), "
              f"peak {peak / 2**20:.0f} MiB", flush=True)
    baseline = runs[plans[0][0]]["seconds"]
    for name in runs:
        runs[name]["speed_vs_nbgrader"] = round(baseline / runs[name]["seconds"], 2)
    same = all(r == results[plans[0][0]] and len(r) == learners for r in results.values())
    return {"learners": learners, "runs": runs, "same_scores": same}


def profile_grading(tmp: Path, env: dict, learners: int = 8) -> dict:
    """Where one worker's time goes when it grades click-answered submissions: its own time
    (tottime) per package, as shares, from cProfile in this process."""
    import cProfile
    import pstats

    from . import autograde

    root = make_course(tmp / "profile", learners, 0.25, 7, env)
    saved = os.getcwd()
    try:
        autograde._init_worker(str(root))
        # imports and caches are not the steady state
        autograde._grade_one((ASSIGNMENT, "learner000", autograde.DEFAULT_TIMEOUT))
        profiler = cProfile.Profile()
        profiler.enable()
        for n in range(1, learners):
            autograde._grade_one((ASSIGNMENT, f"learner{n:03d}", autograde.DEFAULT_TIMEOUT))
        profiler.disable()
    finally:
        os.chdir(saved)
    by_package: dict[str, float] = {}
    for (filename, _, _), (_, _, tottime, _, _) in pstats.Stats(profiler).stats.items():
        parts = Path(filename).parts
        package = next((p for p in ("sqlalchemy", "jsonschema", "nbformat", "nbconvert", "nbgrader", "powercoach",
                                    "traitlets", "sqlite3", "json") if p in parts), "other")
        by_package[package] = by_package.get(package, 0.0) + tottime
    total = sum(by_package.values()) or 1.0
    return {"submissions": learners - 1, "seconds_per_submission": round(total / (learners - 1), 3),
            "share_by_package": {k: round(v / total, 3) for k, v in sorted(by_package.items(), key=lambda kv: -kv[1])}}


# --- learner budgets ---------------------------------------------------------------------------

def bench_import(env: dict, repeats: int = 5) -> dict:
    def timed(code: str) -> float:
        samples = []
        for _ in range(repeats):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], env=env, check=True)
            samples.append(time.perf_counter() - start)
        return statistics.median(samples)

    bare, ours = timed("pass"), timed("import powercoach")
    return {"python_start_s": round(bare, 3), "import_powercoach_s": round(ours, 3),
            "import_cost_s": round(ours - bare, 3), "ratio": round(ours / bare, 2)}


def bench_clicks(tmp: Path, clicks: int = 40) -> dict:
    from ..exercise import Exercise
    from ..widgets import ClassifyDrill

    drill = ClassifyDrill("contracting")
    drill_ms = []
    for i in range(clicks):
        start = time.perf_counter()
        (drill.good if i % 2 else drill.poor).click()
        drill.next.click()
        drill_ms.append((time.perf_counter() - start) * 1000)
        if drill.state.position == len(drill.state.questions) - 1:
            drill.state.position = 0
    ex = Exercise(ASSIGNMENT, **_exercise_items(), folder=tmp)
    question = ex.show("Q1")
    save_ms = []
    for i in range(clicks):
        start = time.perf_counter()
        question.radio.value = "good" if i % 2 else "poor"
        save_ms.append((time.perf_counter() - start) * 1000)
    return {"drill_click_ms_median": round(statistics.median(drill_ms), 2),
            "drill_click_ms_max": round(max(drill_ms), 2),
            "exercise_click_ms_median": round(statistics.median(save_ms), 2),
            "exercise_click_ms_max": round(max(save_ms), 2)}


def bench_draw(tmp: Path, per_submission_s: float, learners: int = 60) -> dict:
    """What MarkAnswers does more for a learner's own class paper than for the shared one: read the
    roster, find the place, draw the paper (median per learner; the first draw also loads the slots)."""
    from .. import papers, roster

    path = tmp / "roster.json"
    roster.add(path, [f"learner{i}" for i in range(learners)])
    shared = papers.build(*(papers.class_papers()[ASSIGNMENT].get(p, ()) for p in papers.PARTS))

    def timed(place_of) -> list[float]:
        samples = []
        for i in range(learners):
            start = time.perf_counter()
            papers.for_pool(ASSIGNMENT, "class", shared, place_of(i))
            samples.append(time.perf_counter() - start)
        return samples

    timed(lambda i: None)
    first = timed(lambda i: roster.place(roster.read(path), f"learner{i}", path))[0]
    plain = statistics.median(timed(lambda i: None))
    drawn = statistics.median(timed(lambda i: roster.place(roster.read(path), f"learner{i}", path)))
    extra = drawn - plain
    return {"shared_paper_ms": round(plain * 1000, 3), "own_paper_ms": round(drawn * 1000, 3),
            "first_own_paper_ms": round(first * 1000, 3), "extra_ms_per_submission": round(extra * 1000, 3),
            "share_of_grading_a_submission": round(extra / per_submission_s, 5), "learners": learners}


def bench_reader(calls: int = 60) -> dict:
    """reader.read on a 1,000-character reply with its scene: the first call (loads and compiles the
    data file) and the median of the rest."""
    from .. import reader

    reply = ("You've told me the board backed the plan, and that two of them said nothing in the meeting. "
             "I noticed you smiled as you said it. What do you make of their silence? " * 10)[:1000]
    client = "The board backed me. Two of them said nothing, but that's how they are."
    start = time.perf_counter()
    reader.read(reply, "reading-the-room", client)
    first = time.perf_counter() - start
    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        reader.read(reply, "reading-the-room", client)
        samples.append(time.perf_counter() - start)
    return {"first_call_ms": round(first * 1000, 2), "read_ms_median": round(statistics.median(samples) * 1000, 2),
            "calls": calls}


def bench_lesson(tmp: Path, repeats: int = 3) -> dict:
    import nbformat
    from nbclient import NotebookClient

    def run(nb) -> float:
        start = time.perf_counter()
        # the kernel logs errors only: its one warning, "running over TCP without encryption", is
        # about a kernel on 127.0.0.1 that only this process talks to
        NotebookClient(nb, timeout=300, kernel_name="python3", extra_arguments=["--log-level=ERROR"],
                       resources={"metadata": {"path": str(tmp)}}).execute()
        return time.perf_counter() - start

    one_cell = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    run(one_cell)  # warm the disk cache before anything is timed
    out = {}
    for lesson in ("01-contracting", "13-capstone"):
        path = REPO / "course" / f"{lesson}.ipynb"
        ours, plain = [], []
        for _ in range(repeats):  # interleaved, so a slow moment of the machine hits both
            plain.append(run(one_cell))
            ours.append(run(nbformat.read(path, as_version=4)))
        o, p = statistics.median(ours), statistics.median(plain)
        out[lesson] = {"lesson_s": round(o, 2), "one_cell_s": round(p, 2), "ratio": round(o / p, 2)}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m powercoach.bench")
    parser.add_argument("--learners", type=int, default=60)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--out", default=str(REPO / "bench-results" / "bench.json"))
    parser.add_argument("--repeats", type=int, default=5, help="runs per lesson timing (median is kept)")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="powercoach-bench-"))
    home = tmp / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IPYTHON"))}
    env.update(HOME=str(home), IPYTHONDIR=str(home / "ipython"), JUPYTER_CONFIG_DIR=str(home / "jupyter"),
               JUPYTER_DATA_DIR=str(home / "data"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", POWERCOACH_PROGRESS=str(home / "progress.json"))
    os.environ.update({k: env[k] for k in ("HOME", "IPYTHONDIR", "JUPYTER_RUNTIME_DIR", "POWERCOACH_PROGRESS")})
    try:
        print(f"Grading {args.learners} synthetic learners (25% wrong answers), {os.cpu_count()} cores:", flush=True)
        report = {"cores": os.cpu_count(), "grading": bench_grading(args.learners, args.workers, env, tmp)}
        report["grading_profile"] = profile_grading(tmp, env)
        report["import"] = bench_import(env)
        report["clicks"] = bench_clicks(tmp)
        report["reader"] = bench_reader()
        one = report["grading"]["runs"]["powercoach grade --workers 1"]["seconds_per_submission"]
        report["draw"] = bench_draw(tmp, one)
        report["lessons"] = bench_lesson(tmp, args.repeats)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1))
    g = report["grading"]["runs"]
    print("\nResults (ratios against the plain tool, this machine, this run):")
    for name, r in g.items():
        print(f"  {name:<32} {r['speed_vs_nbgrader']:>5.2f}x nbgrader  {r['seconds_per_submission']:.2f}s/submission"
              f"  peak {r['peak_memory_mib']:.0f} MiB")
    print(f"  same scores from every run: {report['grading']['same_scores']}")
    prof = report["grading_profile"]
    shares = ", ".join(f"{k} {v:.0%}" for k, v in prof["share_by_package"].items())
    print(f"  what is left per submission (one worker, profiled, {prof['seconds_per_submission']}s): {shares}")
    i = report["import"]
    print(f"  import powercoach: {i['import_cost_s']:.3f}s over a bare Python start ({i['ratio']}x; budget 0.3 s)")
    c = report["clicks"]
    print(f"  drill click: median {c['drill_click_ms_median']} ms, max {c['drill_click_ms_max']} ms; "
          f"exercise click: median {c['exercise_click_ms_median']} ms (budget 100 ms)")
    r = report["reader"]
    print(f"  reply reader, 1,000 characters: median {r['read_ms_median']} ms over {r['calls']} calls "
          f"(first call {r['first_call_ms']} ms; budget 50 ms)")
    d = report["draw"]
    print(f"  a learner's own class paper: +{d['extra_ms_per_submission']} ms per submission over the shared paper "
          f"({100 * d['share_of_grading_a_submission']:.3f}% of grading one; target within 5%)")
    for lesson, r in report["lessons"].items():
        print(f"  lesson {lesson}: {r['lesson_s']}s vs one-cell notebook {r['one_cell_s']}s = {r['ratio']}x "
              "(budget 1.5x)")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
