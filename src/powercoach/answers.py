"""The answers file a click-answered exercise saves beside its notebook.

Clicks never reach nbgrader (FIELD_NOTES), so each click is saved to
``<exercise>.answers.json`` next to the notebook; nbgrader carries that file through submit,
collect and autograde, and the exercise's answer cell reads it back. Reading never fails:
a damaged file gives a warning and no answers, and it is kept as ``.bak`` before anything
overwrites it, so nothing a learner did is lost.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

VERSION = 1


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
