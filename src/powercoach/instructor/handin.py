"""What a learner hands in is data: it is read where it lies and never followed.

nbgrader copies a submission three times as the instructor (collect: exchange -> submitted;
autograde: submitted -> autograded; generate_feedback: autograded -> feedback), and Python's
copies follow symbolic links: a link to the solution, the key or another learner's file would
come back as that file (FIELD_NOTES). Here every step that touches a submission walks it
without following anything:

- ``SafeCollect`` (nbgrader's collect) copies plain files only, each opened with O_NOFOLLOW
  relative to its folder's descriptor, and takes a learner's submission only from a folder
  that learner owns.
- ``CheckSubmissions`` (autograde's pre-convert hook, and ``powercoach grade`` before it starts)
  moves anything in ``submitted/<learner>/<assignment>`` that is not a plain file of the
  submission (a link, a pipe, a device, a hard link to a file elsewhere, an oversized or
  too-deeply-nested notebook) into ``refused/<learner>/<assignment>/`` before nbgrader reads it.
- ``SafeReleaseFeedback`` releases only the feedback pages generated from the exercise's own
  notebooks, never a file the learner handed in.

What was refused, and why, is kept in ``refused/<learner>/<assignment>/refused.json``;
MarkAnswers puts it in the learner's feedback and ``powercoach grade`` in its table.
"""

from __future__ import annotations

import fnmatch
import glob
import json
import os
import stat
import time
from pathlib import Path

from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback

from ..safefile import MAX_JSON_DEPTH, json_depth, open_plain, read_plain, refusal

MAX_NOTEBOOK_BYTES = 5 * 1024 * 1024  # an exercise notebook with its outputs is about 60 KB
RECORD = "refused.json"


# -- walking a folder without following anything ------------------------------------------------

def _walk(fd: int, prefix: str = ""):
    """(relative path, lstat result) for everything below the open folder ``fd``; folders are
    entered through descriptors opened with O_NOFOLLOW, so no link is ever followed."""
    for entry in sorted(os.listdir(fd)):
        st = os.lstat(entry, dir_fd=fd)
        rel = f"{prefix}{entry}"
        if stat.S_ISDIR(st.st_mode):
            try:
                sub = os.open(entry, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            except OSError:
                yield rel, st
                continue
            try:
                yield from _walk(sub, rel + "/")
            finally:
                os.close(sub)
        else:
            yield rel, st


def _open_folder(path: str | os.PathLike) -> int:
    return os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)


def inspect(folder: str | os.PathLike) -> tuple[list[str], dict[str, str]]:
    """(plain files, refused: path -> why) of a submission folder, paths relative to it."""
    fd = _open_folder(folder)
    try:
        entries = list(_walk(fd))
    finally:
        os.close(fd)
    names = {}
    for _, st in entries:
        if stat.S_ISREG(st.st_mode):
            names[(st.st_dev, st.st_ino)] = names.get((st.st_dev, st.st_ino), 0) + 1
    files, refused = [], {}
    for rel, st in entries:
        if stat.S_ISDIR(st.st_mode):
            continue
        why = refusal(st, names.get((st.st_dev, st.st_ino), 1))
        if why is None and rel.endswith(".ipynb"):
            why = notebook_refusal(Path(folder) / rel)
        if why:
            refused[rel] = why
        else:
            files.append(rel)
    return files, refused


def notebook_text(path: Path) -> tuple[str | None, str | None]:
    """(the notebook's text, None), or (None, why it is not read at all: not a plain file, too
    large, or nested too deeply to parse safely). Opened with O_NOFOLLOW; a missing file raises."""
    content, why = read_plain(path, MAX_NOTEBOOK_BYTES)
    if why:
        return None, why
    text = content.decode("utf-8", errors="replace")
    if json_depth(text) > MAX_JSON_DEPTH:
        return None, f"nests more than {MAX_JSON_DEPTH} levels deep, so it is not a notebook this course reads"
    return text, None


def notebook_refusal(path: Path) -> str | None:
    """Why a notebook file is not read at all (see ``notebook_text``), or None."""
    return notebook_text(path)[1]


# -- the record of what was refused --------------------------------------------------------------

def record_folder(refused_root: str | os.PathLike, student: str, assignment: str) -> Path:
    return Path(refused_root) / student / assignment


def read_record(refused_root, student: str, assignment: str) -> dict[str, str]:
    path = record_folder(refused_root, student, assignment) / RECORD
    try:
        return json.loads(path.read_text(encoding="utf-8"))["refused"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def write_record(refused_root, student: str, assignment: str, refused: dict[str, str], step: str) -> None:
    folder = record_folder(refused_root, student, assignment)
    earlier = read_record(refused_root, student, assignment)
    if not refused and not earlier:
        return
    folder.mkdir(parents=True, exist_ok=True)
    merged = {**earlier, **refused}
    (folder / RECORD).write_text(json.dumps({"step": step, "time": time.strftime("%Y-%m-%d %H:%M:%S"),
                                             "refused": merged}, indent=1), encoding="utf-8")


def clear_record(refused_root, student: str, assignment: str) -> None:
    path = record_folder(refused_root, student, assignment) / RECORD
    if path.exists():
        path.unlink()


def describe(refused: dict[str, str]) -> list[str]:
    """One line a learner can read per refused file."""
    return [f"{name} {why}; it was not used." for name, why in sorted(refused.items())]


# -- collect ----------------------------------------------------------------------------------------

def copy_plain(src: str | os.PathLike, dest: str | os.PathLike, ignore=(), include=("*",),
               max_file_size: int | None = None) -> dict[str, str]:
    """Copy the plain files of ``src`` to ``dest`` (created), never following a link; return
    what was left out and why. Names matching ``ignore`` are skipped silently, as nbgrader does."""
    _, refused_here = inspect(src)
    refused = {}
    os.makedirs(dest, exist_ok=True)
    fd = _open_folder(src)
    try:
        for rel, st in _walk(fd):
            parts = rel.split("/")
            if any(fnmatch.fnmatch(p, pat) for p in parts for pat in ignore):
                continue
            if stat.S_ISDIR(st.st_mode):
                os.makedirs(Path(dest) / rel, exist_ok=True)
                continue
            if rel in refused_here:
                refused[rel] = refused_here[rel]
                continue
            if not any(fnmatch.fnmatch(parts[-1], pat) for pat in include):
                continue
            if max_file_size and st.st_size > 1000 * max_file_size:
                refused[rel] = f"is too large ({st.st_size:,} bytes)"
                continue
            why = _copy_one(fd, rel, Path(dest) / rel)
            if why:
                refused[rel] = why
    finally:
        os.close(fd)
    return refused


def _copy_one(root_fd: int, rel: str, target: Path) -> str | None:
    """Copy one file, opened relative to the submission's own folder descriptor, component by
    component with O_NOFOLLOW, so a folder swapped for a link mid-copy is refused too."""
    parts = rel.split("/")
    fds = []
    try:
        here = root_fd
        for part in parts[:-1]:
            here = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=here)
            fds.append(here)
        fd, why = open_plain(parts[-1], dir_fd=here)
        if fd is None:
            return why
        with os.fdopen(fd, "rb") as source:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as out:
                while chunk := source.read(1 << 16):
                    out.write(chunk)
        return None
    except OSError as err:
        return f"could not be read ({err.strerror})"
    finally:
        for f in fds:
            os.close(f)


class SafeCollect(ExchangeCollect):
    """nbgrader's collect, copying plain files only, from folders their learner owns.

    Stock collect follows links as the instructor and only warns when a folder in the inbound
    carries another learner's name (``check_owner``); here such a folder is skipped, the
    learner's own latest submission is taken, and what was left out is recorded for feedback.
    """

    def init_src(self):
        super().init_src()
        if not (self.check_owner and _pwd is not None):
            return
        all_records = [self._path_to_record(f) for f in glob.glob(os.path.join(
            self.inbound_path, "{}+{}+*".format(self.coursedir.student_id or "*", self.coursedir.assignment_id)))]
        kept = []
        for rec in all_records:
            owner = _owner(os.path.join(self.inbound_path, rec["filename"]))
            if owner == rec["username"]:
                kept.append(rec)
            else:
                self.log.warning("Skipping %s: it names %s but belongs to %s", rec["filename"], rec["username"], owner)
        latest = {}
        on_time = self.before_duedate and self.duedate is not None
        for rec in self._sort_by_timestamp(kept):  # newest first, as nbgrader picks
            if on_time and rec["timestamp"] > self.duedate and rec["username"] not in latest:
                continue
            latest.setdefault(rec["username"], rec)
        for rec in self._sort_by_timestamp(kept):  # nothing before the due date: the newest, as nbgrader does
            latest.setdefault(rec["username"], rec)
        chosen = {r["username"] for r in self.src_records}
        self.src_records = [latest[u] for u in sorted(chosen | set(latest)) if u in latest]

    def do_copy(self, src, dest, log=None):
        if os.path.islink(src) or not os.path.isdir(src):
            self.log.warning("Skipping %s: not a folder", src)
            return
        size = sum(st.st_size for _, st in _walk_path(src) if stat.S_ISREG(st.st_mode))
        if size > 1000 * self.coursedir.max_dir_size:
            raise RuntimeError(f"Directory size is too big. Size is {size}, maximum size is "
                               f"{1000 * self.coursedir.max_dir_size}")
        refused = copy_plain(src, dest, ignore=self.coursedir.ignore, include=self.coursedir.include,
                             max_file_size=self.coursedir.max_file_size)
        student, assignment = Path(dest).parent.name, Path(dest).name
        root = Path(self.coursedir.root) / "refused"
        clear_record(root, student, assignment)
        write_record(root, student, assignment, refused, "collect")
        for name, why in refused.items():
            self.log.warning("Not collected for %s: %s %s", student, name, why)


def _walk_path(path):
    fd = _open_folder(path)
    try:
        yield from _walk(fd)
    finally:
        os.close(fd)


try:
    import pwd as _pwd
except ImportError:  # Windows
    _pwd = None


def _owner(path: str) -> str:
    try:
        return _pwd.getpwuid(os.lstat(path).st_uid).pw_name
    except (KeyError, OSError):
        return "unknown"


# -- autograde ---------------------------------------------------------------------------------------

def check_submission(folder: Path, refused_root, student: str, assignment: str) -> dict[str, str]:
    """Move what is not a plain file of the submission out of ``folder`` into the refused
    folder (a link is moved as a link, never opened) and record why; returns the record."""
    try:
        _, refused = inspect(folder)
    except OSError as err:
        refused = {".": f"could not be read ({err.strerror})"}
        write_record(refused_root, student, assignment, refused, "autograde")
        return read_record(refused_root, student, assignment)
    keep = record_folder(refused_root, student, assignment) / "files"
    for rel in refused:
        target = keep / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() or target.is_symlink():
            target.unlink()
        os.rename(Path(folder) / rel, target)
    write_record(refused_root, student, assignment, refused, "autograde")
    return read_record(refused_root, student, assignment)


class CheckSubmissions:
    """Autograde's ``pre_convert_hook``: check every submission of the assignment being graded
    before nbgrader copies or reads it. nbgrader calls it once per learner, naming the learner
    or ``*``; each folder is checked once per process."""

    def __init__(self, root: str | os.PathLike, submitted: str = "submitted", refused: str = "refused"):
        self.root, self.submitted, self.refused = Path(root), submitted, refused
        self.done: set[Path] = set()

    def __call__(self, assignment: str, student: str, notebooks=None, **_):
        for folder in sorted(glob.glob(str(self.root / self.submitted / (student or "*") / assignment))):
            folder = Path(folder)
            if folder in self.done or folder.is_symlink() or not folder.is_dir():
                continue
            self.done.add(folder)
            check_submission(folder, self.root / self.refused, folder.parent.name, assignment)


# -- feedback ----------------------------------------------------------------------------------------

class SafeReleaseFeedback(ExchangeReleaseFeedback):
    """nbgrader's release_feedback for the pages generated from the exercise's own notebooks
    only: a file the learner handed in under an ``.html`` name never goes back out, and
    nothing is followed."""

    def copy_files(self):
        from nbgrader.api import Gradebook, MissingEntry
        from nbgrader.utils import notebook_hash

        assignment = self.coursedir.assignment_id
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                names = sorted(nb.name for nb in gb.find_assignment(assignment).notebooks)
            except MissingEntry:
                names = []
        excluded = set(filter(None, (self.coursedir.student_id_exclude or "").split(",")))
        for folder in sorted(glob.glob(self.src_path)):
            student = Path(folder).parent.name
            if student in excluded or os.path.islink(folder):
                continue
            try:
                secret = read_plain(Path(folder) / "submission_secret.txt", 4096)[0]
                stamp = read_plain(Path(folder) / "timestamp.txt", 4096)[0]
            except FileNotFoundError:
                secret = stamp = None
            if secret is None or stamp is None:
                self.log.warning("Not releasing feedback for %s: no submission secret or timestamp", student)
                continue
            for name in names:
                page = Path(folder) / f"{name}.html"
                try:
                    content, why = read_plain(page, 50 * 1024 * 1024)
                except FileNotFoundError:
                    continue
                if content is None:
                    self.log.warning("Not releasing %s: it %s", page, why)
                    continue
                checksum = notebook_hash(secret=secret.decode(), notebook_id=name)
                tmp = os.path.join(self.dest_path, f"{checksum}-tmp.html")
                with open(tmp, "wb") as out:
                    out.write(content)
                os.chmod(tmp, 0o644)  # learners fetch it (nbgrader's own copy keeps the page's 644)
                os.replace(tmp, os.path.join(self.dest_path, f"{checksum}.html"))
                self.log.info("Releasing feedback for student '%s' on assignment '%s/%s/%s' (%s)",
                              student, self.coursedir.course_id, assignment, name, stamp.decode().strip())
