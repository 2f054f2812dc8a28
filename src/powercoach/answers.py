"""A learner's answers to a click-answered exercise, as data: the answers file and typed lines.

Clicks never reach nbgrader (FIELD_NOTES), so each click is saved to
``<exercise>.answers.json`` next to the notebook; nbgrader carries that file through submit,
collect and autograde. A learner who prefers typing adds lines like ``answers["Q3"] = "poor"``
to the answer cell; :func:`typed` reads those from the cell's source without running it.
Reading never fails: a damaged, oversized or linked file gives a warning and no answers, and a
damaged file is kept as ``.bak`` before anything overwrites it, so nothing a learner did is lost.
"""

from __future__ import annotations

import ast
import json
import os
import tempfile
from pathlib import Path

VERSION = 1
MAX_BYTES = 64 * 1024  # a full exercise's answers take about 1 KB
# The answer cell's own first line, which gathers the clicks in a learner's kernel.
CLICKS_LINE = "answers = ex.saved_answers()"


def path_for(exercise_id: str, folder: str | os.PathLike | None = None) -> Path:
    return Path(folder or os.getcwd()) / f"{exercise_id}.answers.json"


def parse(text: str, exercise_id: str) -> tuple[dict[str, str], list[str]]:
    """(answers, warnings) from the file's text. Only string answers keyed by string survive."""
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
        if path.is_symlink():
            return {}, [f"{path.name} is a link to another file, not an answers file; it was ignored"]
        if path.stat().st_size > MAX_BYTES:
            return {}, [f"{path.name} is too large to be an answers file ({path.stat().st_size} bytes); it was ignored"]
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, []
    except (OSError, UnicodeDecodeError) as err:
        return {}, [f"{path.name} could not be read ({err.__class__.__name__})"]
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


def _statements(source: str) -> list[tuple[int, str, ast.stmt | None]]:
    """(line number, text, statement or None) for each statement; a cell that does not parse
    is read line by line, so one broken line costs only itself."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        out = []
        for n, line in enumerate(source.splitlines(), 1):
            try:
                body = ast.parse(line.strip()).body if line.strip() else []
            except SyntaxError:
                body = [None]
            out += [(n, line.strip(), stmt) for stmt in body]
        return out
    return [(stmt.lineno, ast.get_source_segment(source, stmt) or "", stmt) for stmt in tree.body]


def typed(source: str) -> tuple[dict[str, str], list[str]]:
    """(answers, not counted) from an answer cell's source, never executed.

    Only literal lines ``answers["Q3"] = "poor"`` count, in order (a later line wins). Every
    other line but the cell's own first one is named in ``not counted``.
    """
    answers, ignored = {}, []
    for n, text, stmt in _statements(source):
        found = _literal_answer(stmt) if stmt is not None else None
        if found:
            answers[found[0]] = found[1]
        elif stmt is None or ast.unparse(stmt) != CLICKS_LINE:
            shown = text if len(text) <= 80 else text[:77] + "..."
            ignored.append(f"line {n}: {shown}")
    return answers, ignored


def graded(clicked: dict[str, str], source: str) -> tuple[dict[str, str], list[str]]:
    """What is marked: the clicks, then the typed lines (a typed answer replaces a click)."""
    answers, ignored = typed(source)
    return {**clicked, **answers}, ignored
