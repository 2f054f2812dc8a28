"""A learner's answers to a click-answered exercise, as data: the answers file and typed lines.

Clicks never reach nbgrader (FIELD_NOTES), so each click is saved to
``<exercise>.answers.json`` next to the notebook; nbgrader carries that file through submit,
collect and autograde. A learner who prefers typing adds lines like ``answers["Q3"] = "poor"``
to the answer cell; :func:`typed` reads those from the cell's source without running it.
Reading never fails: a damaged, oversized, deeply nested or linked file (or a pipe or device in
its place) gives a warning and no answers, and a damaged file is kept as ``.bak`` before anything
overwrites it, so nothing a learner did is lost.
"""

from __future__ import annotations

import ast
import json
import os
import tempfile
from pathlib import Path

from . import safefile

VERSION = 1
MAX_BYTES = 64 * 1024  # a full exercise's answers take about 1 KB
# An answer cell holds its first line and a typed line per question (about 14): far below these.
MAX_CELL_LINES = 200
MAX_CELL_CHARS = 20_000
# The answer cell's own first line, which gathers the clicks in a learner's kernel.
CLICKS_LINE = "answers = ex.saved_answers()"


def path_for(exercise_id: str, folder: str | os.PathLike | None = None) -> Path:
    return Path(folder or os.getcwd()) / f"{exercise_id}.answers.json"


def parse(text: str, exercise_id: str) -> tuple[dict[str, str], list[str]]:
    """(answers, warnings) from the file's text. Only string answers keyed by string survive."""
    if safefile.json_depth(text) > safefile.MAX_JSON_DEPTH:
        return {}, [f"the file nests more than {safefile.MAX_JSON_DEPTH} levels deep, so it is not an answers file"]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        return {}, [f"the file is damaged (not JSON: {err.msg} at line {err.lineno})"]
    if type(data) is not dict or type(data.get("answers")) is not dict:
        return {}, ["the file does not hold an 'answers' object"]
    warnings = []
    if data.get("exercise") != exercise_id:
        warnings.append(f"the file belongs to exercise '{data.get('exercise')}', not '{exercise_id}'")
        return {}, warnings
    answers = {}
    for key, value in data["answers"].items():
        if type(value) is str:
            answers[key] = value
        else:
            warnings.append(f"the answer to {key} is not a word and was ignored")
    return answers, warnings


def load(exercise_id: str, folder=None) -> tuple[dict[str, str], list[str]]:
    path = path_for(exercise_id, folder)
    try:
        content, problem = safefile.read_plain(path, MAX_BYTES)
    except FileNotFoundError:
        return {}, []
    if problem:
        return {}, [f"{path.name} {problem}; it was ignored"]
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return {}, [f"{path.name} could not be read (it is not UTF-8 text)"]
    answers, warnings = parse(text, exercise_id)
    return answers, [f"{path.name}: {w}" for w in warnings]


def save(exercise_id: str, answers: dict[str, str], folder=None) -> Path:
    """Write atomically; a file we cannot read back as ours is kept as .bak first."""
    path = path_for(exercise_id, folder)
    if path.exists():
        _, warnings = load(exercise_id, folder)
        if warnings:
            path.replace(path.with_name(path.name + ".bak"))
    payload = json.dumps({"exercise": exercise_id, "version": VERSION, "answers": answers},
                         indent=1, sort_keys=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(payload + "\n")
    os.replace(tmp, path)
    return path


def _literal_answer(node: ast.stmt) -> tuple[str, str] | None:
    """(question, word) for a statement ``answers["Qn"] = "word"``, else None."""
    if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
        return None
    target, value = node.targets[0], node.value
    if (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and target.value.id == "answers"
            and isinstance(target.slice, ast.Constant) and type(target.slice.value) is str
            and isinstance(value, ast.Constant) and type(value.value) is str):
        return target.slice.value, value.value
    return None


def _is_clicks_line(node: ast.stmt) -> bool:
    """Whether the statement is the cell's own ``answers = ex.saved_answers()``."""
    return (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == "answers" and isinstance(node.value, ast.Call) and not node.value.args
            and not node.value.keywords and isinstance(node.value.func, ast.Attribute)
            and node.value.func.attr == "saved_answers" and isinstance(node.value.func.value, ast.Name)
            and node.value.func.value.id == "ex")


def _shown(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 80 else text[:77] + "..."


def typed(source: str) -> tuple[dict[str, str], list[str]]:
    """(answers, not counted) from an answer cell's source, never executed.

    The one reading of typed answers, shared by the format check, the self-check and grading.
    Only top-level statements of the exact form ``answers["Q3"] = "poor"`` count, in order (a
    later line wins); one inside an ``if``, a function, a string or a comment does not. Every
    other statement but the cell's own first line is named in ``not counted``. A cell that does
    not parse, or is larger than grading reads, counts no typed line and says why.
    """
    lines = source.splitlines()
    if len(source) > MAX_CELL_CHARS or len(lines) > MAX_CELL_LINES:
        return {}, [f"the answer cell has {len(lines):,} line{'s' * (len(lines) != 1)} and {len(source):,} "
                    f"characters; grading reads "
                    f"cells of at most {MAX_CELL_LINES} lines and {MAX_CELL_CHARS:,} characters, so no typed "
                    "line counted (your clicks still do). Keep only the answer lines."]
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        where = f"line {err.lineno}: " if err.lineno else ""
        return {}, [f"{where}{_shown(err.text or '')} -- the cell does not read as Python ({err.msg}), so no "
                    "typed line counted (your clicks still do). Fix or delete that line."]
    except (RecursionError, MemoryError, ValueError):
        return {}, ["the cell nests too deeply to read, so no typed line counted (your clicks still do). "
                    "Keep only the answer lines."]
    answers, ignored = {}, []
    for stmt in tree.body:
        found = _literal_answer(stmt)
        if found:
            answers[found[0]] = found[1]
            continue
        if _is_clicks_line(stmt):
            continue
        ignored.append(f"line {stmt.lineno}: {_shown(lines[stmt.lineno - 1])}")
    return answers, ignored


def graded(clicked: dict[str, str], source: str) -> tuple[dict[str, str], list[str]]:
    """What is marked: the clicks, then the typed lines (a typed answer replaces a click)."""
    answers, ignored = typed(source)
    return {**clicked, **answers}, ignored
