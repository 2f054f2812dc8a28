"""Parallel autograde: every submitted learner of an assignment, N at a time.

nbgrader's own autograde grades one learner after another (nbgrader issue #174) and shows no
progress (#1456). Here each worker process keeps one NbGraderAPI and autogrades learners
handed to it, so grading uses every core, with nbgrader's own converter, config and gradebook.
One broken submission never stops the others: each learner has a time limit, anything in a
submission that is not a plain file of it is set aside first (``handin``), and a failed (re)grade
removes that learner's submission from the gradebook, so no stale score survives it.
"""

from __future__ import annotations

import glob
import multiprocessing
import os
import re
import shutil
import signal
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from ..errors import PowercoachError


@dataclass
class Outcome:
    student: str
    ok: bool
    seconds: float
    score: float | None = None
    max_score: float | None = None
    error: str = ""
    refused: tuple[str, ...] = ()
    retry: bool = False  # declined by an unsafe worker, or met a locked gradebook: graded again afresh
    locked: bool = False  # grading met a gradebook another writer held (counted against LOCK_TRIES)


def course_directory(root: str | os.PathLike = "."):
    """nbgrader's CourseDirectory as configured by the nbgrader_config.py in ``root``."""
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import PyFileConfigLoader

    config_file = Path(root) / "nbgrader_config.py"
    if not config_file.exists():
        raise PowercoachError(f"No nbgrader_config.py in {Path(root).resolve()}: run this from the course folder.")
    loader = PyFileConfigLoader(config_file.name, path=str(config_file.parent.resolve()))
    return CourseDirectory(config=loader.load_config())


def key_folder(coursedir) -> Path:
    """The key folder nbgrader_config.py gives MarkAnswers (key/ in the course root by default)."""
    section = coursedir.config.MarkAnswers
    return Path(section.key_folder) if "key_folder" in section else Path(coursedir.root) / "key"


def pool_of(coursedir) -> str:
    """The paper nbgrader_config.py says this course grades: ``class`` or ``self-study``."""
    section = coursedir.config.MarkAnswers
    return section.pool if "pool" in section else "self-study"


def needs_kernel(coursedir, assignment: str) -> bool:
    """Whether any notebook of the assignment is graded by running it (not marked as data)."""
    import nbformat

    from .preprocessors import marking_cells

    source = Path(coursedir.format_path(coursedir.source_directory, ".", assignment))
    return any(marking_cells(nbformat.read(nb, as_version=4)) is None for nb in sorted(source.glob("*.ipynb")))


def submitted_students(coursedir, assignment: str) -> list[str]:
    pattern = coursedir.format_path(coursedir.submitted_directory, "*", assignment)
    return sorted(Path(p).parent.name for p in glob.glob(pattern) if Path(p).is_dir())


_api = None
_unsafe = False  # this worker stopped a grading part-way; what it left (a module, a mapper) may be broken
DEFAULT_TIMEOUT = 60.0  # seconds per learner; a click-answered submission takes well under one
LOCK_WAIT = 30.0  # seconds a worker waits for another's write lock on the gradebook
_lock_wait = LOCK_WAIT
LOCK_TRIES = 3  # a learner whose grading still met a locked gradebook is graded afresh, this many times in all


class GradingTimeout(BaseException):
    """Raised in a worker when one learner's grading passes its time limit. A BaseException, so
    that nbgrader's own ``except Exception`` cannot swallow it and go on."""


def _on_alarm(signum, frame):
    raise GradingTimeout()


def _fast_sqlite(dbapi_connection, _record) -> None:
    """Each worker's connection to the gradebook: commits that do not wait for the disk
    (synchronous=NORMAL, safe in WAL mode: the SQLite docs say only a power cut can undo the
    last commits) and a patient wait for the other workers' write locks. The journal mode
    itself is set once, before any worker starts (``prepare_gradebook``)."""
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={int(_lock_wait * 1000)}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def prepare_gradebook(coursedir) -> None:
    """Create the gradebook if it is new and switch an SQLite one to write-ahead logging, once,
    here, before any worker opens it. nbgrader commits once per grade, and with SQLite's
    default rollback journal each commit waits for the disk (about 17 ms here, 26 commits a
    submission); in WAL mode it is a memory write. The mode stays with the file; nbgrader and
    the Formgrader read it as before. Switching needs the database to itself, so two workers
    each switching it as they started could meet and one fail with "database is locked" (seen
    in CI, and 1 run in 20 of two workers opening a fresh gradebook at once)."""
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import OperationalError

    try:
        with Gradebook(coursedir.db_url, course_id=coursedir.course_id) as gb:
            if gb.engine.dialect.name == "sqlite":
                with gb.engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    except OperationalError as err:
        raise PowercoachError(f"Cannot open the gradebook ({coursedir.db_url}): {err.orig}. If another program "
                              "has it open (the Formgrader saving, or a second powercoach grade), wait for it "
                              "and grade again; nothing was graded.") from None


def quiet_known_warnings() -> None:
    """Silence the one warning nbgrader's gradebook gives on every submission under SQLAlchemy 2
    ("Object of type <SubmittedAssignment> not in session, add operation along ... will not
    proceed"): nbgrader builds a submission's rows before adding them to the session, autoflush
    notices, and the rows are added a line later, so nothing is lost. Filtered by message,
    category and nbgrader's module only: every other warning, and every error, still shows."""
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", r"Object of type <Submitted\w+> not in session", SAWarning, r"nbgrader\.api")


def _init_worker(root: str, lock_wait: float = LOCK_WAIT) -> None:
    global _api, _lock_wait
    _lock_wait = lock_wait
    quiet_known_warnings()
    os.chdir(root)
    from nbgrader.apps import NbGraderAPI
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    coursedir = course_directory(root)
    if coursedir.db_url.startswith("sqlite") and not event.contains(Engine, "connect", _fast_sqlite):
        event.listen(Engine, "connect", _fast_sqlite)

    _api = NbGraderAPI(config=coursedir.config)
    _api.log.setLevel("ERROR")
    signal.signal(signal.SIGALRM, _on_alarm)


def _grade_one(job: tuple[str, str, float]) -> Outcome:
    global _unsafe
    assignment, student, limit = job
    if _unsafe:  # a stop can land inside an import or SQLAlchemy's mapper set-up, which no re-init repairs
        return Outcome(student, False, 0.0, retry=True)
    start = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        result = _api.autograde(assignment, student, force=True, create=True)
        ok, error = bool(result["success"]), (result.get("log") or "") + (result.get("error") or "")
        if ok and "error processing assignment" in (result.get("log") or ""):
            ok, error = False, result["log"]
        # NbGraderAPI catches everything, this too; nbgrader may also report it as another error
        if not ok and ("GradingTimeout" in error or time.monotonic() - start >= limit):
            raise GradingTimeout()
        error = "" if ok else _last_lines(error)
    except GradingTimeout:
        signal.setitimer(signal.ITIMER_REAL, 0)
        ok, error = False, (f"grading took longer than {limit:g} s and was stopped; the submission may be "
                            "unusually large (see refused/ and the notebook), or raise --timeout")
        _unsafe = True
    except Exception as err:  # a broken submission must not stop the pool
        ok, error = False, _last_lines(f"{err.__class__.__name__}: {err}")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    locked = not ok and "database is locked" in error  # another writer, not the submission: worth another go
    return Outcome(student, ok, time.monotonic() - start, error=error, retry=locked, locked=locked)


EXCEPTION_LINE = re.compile(r"^\s*[\w.]*(?:Error|Exception|Timeout)\w*: .+")


def _last_lines(text: str) -> str:
    """The exception that stopped grading, in one line (nbgrader's own wrapper left out)."""
    found = [line.strip() for line in text.splitlines()
             if EXCEPTION_LINE.match(line) and "NbGraderException" not in line]
    if not found:
        return "grading failed; run nbgrader autograde for this learner to see the log"
    reason = found[-1]
    if "SubmissionError" in reason:
        return reason.split("SubmissionError: ", 1)[1]
    if "CellTimeoutError" in reason:
        return "a cell ran past the time limit (Execute.timeout): the learner's code may loop forever. " + reason
    return reason


def progress_bar(total: int, out):
    """tqdm's bar: a live line in a terminal, a widget in a notebook, and in a log (not a
    terminal) a line every 10 s rather than a flood of redraws."""
    from tqdm.auto import tqdm

    live = hasattr(out, "isatty") and out.isatty()
    return tqdm(total=total, file=out, mininterval=0.2 if live else 10, ascii=not live, dynamic_ncols=live,
                bar_format="{bar:30}| {n_fmt}/{total_fmt} graded, {elapsed} elapsed, ETA {remaining}")


def forget_failed(db_url: str, course_id: str, assignment: str, students: list[str]) -> None:
    """Remove failed learners' submissions from the gradebook, so no earlier score survives."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url, course_id=course_id) as gb:
        for student in students:
            try:
                gb.remove_submission(assignment, student)
            except MissingEntry:
                pass


def add_scores(db_url: str, course_id: str, assignment: str, outcomes: list[Outcome]) -> None:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url, course_id=course_id) as gb:
        for o in outcomes:
            if o.ok:
                try:
                    sub = gb.find_submission(assignment, o.student)
                    o.score, o.max_score = sub.code_score, sub.max_code_score
                except MissingEntry:
                    o.ok, o.error = False, "no submission in the gradebook after grading"


def set_aside(coursedir, assignment: str, students: list[str]) -> dict[str, tuple[str, ...]]:
    """Check every submission before any worker reads it (handin.check_submission): what is
    not a plain file of the submission moves to refused/, with the reason for the table."""
    from . import handin

    refused_root = Path(coursedir.root) / "refused"
    found = {}
    for student in students:
        folder = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))
        found[student] = tuple(handin.describe(handin.check_submission(folder, refused_root, student, assignment)))
    return found


def grade(assignment: str, workers: int | None = None, root: str = ".", out=sys.stderr,
          timeout: float = DEFAULT_TIMEOUT, lock_wait: float = LOCK_WAIT) -> list[Outcome]:
    root = str(Path(root).resolve())
    coursedir = course_directory(root)
    students = submitted_students(coursedir, assignment)
    if not students:
        where = coursedir.format_path(coursedir.submitted_directory, "*", assignment)
        raise PowercoachError(f"No submissions of '{assignment}' in {where}. "
                              "Collect them first (nbgrader collect), or check the assignment name.")
    from .. import key, papers
    from .sandbox import check, wanted

    pool, folder = pool_of(coursedir), key_folder(coursedir)
    if pool == "class" and not folder.is_dir():
        raise PowercoachError(f"This course grades the class paper, but its key is not at {folder}: "
                              "run powercoach key unseal in the course folder (docs/deploy.md, 'The class key').")
    found = key.load(folder)  # a missing or broken key stops grading before it starts, with a message
    if found.pool != papers.USE[pool]:
        raise PowercoachError(f"{folder} is not the key of the {pool} pool that "
                              "nbgrader_config.py grades; see docs/deploy.md, 'The class key'.")
    if wanted() and needs_kernel(coursedir, assignment):
        check()  # stop before grading anything if the sandbox cannot run
    refused = set_aside(coursedir, assignment, students)
    workers = max(1, min(workers or os.cpu_count() or 1, len(students)))
    outcomes, todo = [], list(students)
    prepare_gradebook(coursedir)
    print(f"Grading {len(students)} submissions of {assignment} with {workers} workers.", file=out)
    locked_tries = dict.fromkeys(students, 0)
    with progress_bar(len(students), out) as bar:
        while todo:  # a round per fresh pool: learners a stopped worker declined go to the next one
            done = _grade_round(assignment, todo, min(workers, len(todo)), (root, lock_wait), timeout, bar)
            for o in done:
                if o.locked:
                    locked_tries[o.student] += 1
                    o.retry = locked_tries[o.student] < LOCK_TRIES
                    if not o.retry:  # out of tries: failed, and counted done
                        o.error = (f"the gradebook stayed locked by another program through {LOCK_TRIES} tries "
                                   f"of {lock_wait:g} s (the Formgrader saving, or a second powercoach grade?); "
                                   "nothing was recorded for this learner: grade again when it is free")
                        bar.update(1)
            todo = [o.student for o in done if o.retry]
            outcomes += [o for o in done if not o.retry]
    for o in outcomes:
        o.refused = refused.get(o.student, ())
    db_url, course_id = coursedir.db_url, coursedir.course_id
    failed = [o.student for o in outcomes if not o.ok]
    forget_failed(db_url, course_id, assignment, failed)
    for student in failed:  # nor a graded copy from an earlier round, which feedback would use
        shutil.rmtree(coursedir.format_path(coursedir.autograded_directory, student, assignment), ignore_errors=True)
    add_scores(db_url, course_id, assignment, outcomes)
    return sorted(outcomes, key=lambda o: o.student)


def _grade_round(assignment: str, students: list[str], workers: int, worker_args: tuple, timeout: float,
                 bar) -> list[Outcome]:
    """Grade ``students`` in a fresh pool of spawned workers, counting each learner done on the
    progress ``bar``. A learner a worker declined (``retry``) comes back for the next round."""
    start, outcomes = time.monotonic(), []
    pool = multiprocessing.get_context("spawn").Pool(workers, initializer=_init_worker, initargs=worker_args)
    try:
        results = pool.imap_unordered(_grade_one, [(assignment, s, timeout) for s in students])
        while len(outcomes) < len(students):
            try:
                # A worker stops its own learner at `timeout`; this only catches one stuck beyond it.
                outcomes.append(results.next(timeout=timeout + 60))
            except multiprocessing.TimeoutError:
                seen = {o.student for o in outcomes}
                stuck = [Outcome(s, False, time.monotonic() - start, error=(
                    f"grading did not finish within {timeout + 60:g} s; nothing was recorded for this learner"))
                    for s in students if s not in seen]
                outcomes += stuck
                bar.update(len(stuck))
                break
            bar.update(0 if outcomes[-1].retry else 1)
    finally:
        pool.terminate()
        pool.join()
    return outcomes


def summary(outcomes: list[Outcome]) -> str:
    width = max([len(o.student) for o in outcomes] + [7])
    lines = [f"{'learner':<{width}}  {'result':<7} {'score':>11} {'seconds':>8}"]
    for o in outcomes:
        score = f"{o.score:g} / {o.max_score:g}" if o.ok and o.score is not None else "-"
        lines.append(f"{o.student:<{width}}  {'graded' if o.ok else 'FAILED':<7} {score:>11} {o.seconds:>8.1f}")
        if not o.ok:
            lines.append(f"{'':<{width}}  -> {o.error or 'see nbgrader autograde --student ' + o.student}")
        for line in o.refused:
            lines.append(f"{'':<{width}}  refused: {line}")
    failed = sum(not o.ok for o in outcomes)
    lines.append(f"{len(outcomes) - failed} graded, {failed} failed.")
    return "\n".join(lines)
