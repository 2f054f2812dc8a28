"""How long a lesson, an exercise and the whole course take: an estimate from what they hold.

The estimate counts two things in each notebook and prices them with the rates below:

- the words of its prose (markdown cells), read at ``WORDS_PER_MINUTE``;
- its interactive items, each with a stated time: a drill scene, an exercise question, a
  best-and-worst set, a role-play, the self-assessment, a written reflection.

Drills are counted the way the widgets pick their scenes (the same bank calls), read from the
code cell without running it. The rates are deliberate guesses for careful study, stated on the
start page, so a learner can judge the figure.
"""

from __future__ import annotations

import ast
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from . import bank

WORDS_PER_MINUTE = 180
SECONDS = {
    "drill scene": 45,          # read a scene, answer, read the explanation
    "exercise question": 60,    # read a scene and decide, without feedback
    "best-and-worst set": 120,  # four responses to weigh
    "role-play": 300,           # a branching conversation and its debrief
    "self-assessment": 120,     # twelve ratings
    "reflection": 420,          # a short written answer
    "written reply": 300,       # Your turn: write a reply, read the reader's notes, compare, rate
    "table": 60,                # a reference table to skim
    "transcript": 180,          # read a short exchange, find the turn, read the notes
    "better-fit scene": 90,     # two sound replies to weigh and a trade-off to read
    "contrast reply": 45,       # sort a short reply and read the tells
    "ladder feedback": 150,     # mark each part of a piece of feedback, read why
}
#: the extra practice formats (powercoach.formats): the widget, the format it shows, the item it prices
FORMAT_WIDGETS = {"TranscriptPicker": ("transcript", "transcript"), "BetterFit": ("two_good", "better-fit scene"),
                  "LadderSort": ("ladder", "ladder feedback")}


def _rate(seconds: int) -> str:
    return f"{seconds} s" if seconds % 60 else f"{seconds // 60} min"


RATES_TEXT = (f"prose at {WORDS_PER_MINUTE} words a minute, plus "
              + ", ".join(f"{_rate(s)} per {k}" for k, s in SECONDS.items()))


@dataclass
class Estimate:
    words: int = 0
    items: dict[str, int] = field(default_factory=dict)

    @property
    def minutes(self) -> float:
        return self.words / WORDS_PER_MINUTE + sum(SECONDS[k] * n for k, n in self.items.items()) / 60

    def __add__(self, other: Estimate) -> Estimate:
        items = dict(self.items)
        for k, n in other.items.items():
            items[k] = items.get(k, 0) + n
        return Estimate(self.words + other.words, items)


def _literal(node, default=None):
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError):
        return default


def _drill_scenes(name: str, args: list, kwargs: dict) -> int:
    technique = _literal(args[0]) if args else _literal(kwargs.get("technique"))
    items = _literal(kwargs.get("items"))
    use = _literal(kwargs.get("use"), "practice")
    if items is not None:
        return len(items)
    label = {"PitfallDrill": "poor", "TechniqueSpotter": "good"}.get(name)
    per = _literal(kwargs.get("per_technique"), 1 if name == "TechniqueSpotter" else None)
    if per and not (name == "TechniqueSpotter" and technique):
        return len(bank.sample(use, per, 0, label))
    return len(bank.item_ids(technique, use, label))


def _best_worst_sets(args: list, kwargs: dict) -> int:
    sets = _literal(kwargs.get("sets"))
    if sets is not None:
        return len(sets)
    technique = _literal(args[0]) if args else _literal(kwargs.get("technique"))
    use = _literal(kwargs.get("use"), "practice")
    return sum(1 for s in bank.best_worst_sets().values()
               if s["use"] == use and (technique is None or s["technique"] == technique))


def _format_items(name: str, args: list, kwargs: dict) -> tuple[str, int]:
    """What a widget of the extra practice formats shows, counted the way the widget picks it."""
    from . import formats

    if name == "ContrastTable":
        group = _literal(args[0]) if args else _literal(kwargs.get("group"))
        return "contrast reply", len(formats.load("contrast")[group]["replies"])
    kind, item = FORMAT_WIDGETS[name]
    technique = _literal(args[0]) if args else _literal(kwargs.get("technique"))
    ids = _literal(kwargs.get("items"))
    return item, len(formats.items(kind, technique, ids))


def _code_items(source: str) -> dict[str, int]:
    out: dict[str, int] = {}

    def add(kind: str, n: int = 1) -> None:
        out[kind] = out.get(kind, 0) + n

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return out
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        kwargs = {k.arg: k.value for k in node.keywords if k.arg}
        if name in ("ClassifyDrill", "PitfallDrill", "TechniqueSpotter"):
            add("drill scene", _drill_scenes(name, node.args, kwargs))
        elif name == "BestWorstPicker":
            add("best-and-worst set", _best_worst_sets(node.args, kwargs))
        elif name == "RolePlayPlayer":
            add("role-play")
        elif name in FORMAT_WIDGETS or name == "ContrastTable":
            add(*_format_items(name, node.args, kwargs))
        elif name == "SelfAssessment":
            add("self-assessment")
        elif name == "YourTurn":
            add("written reply")
        elif name in ("techniques_table", "pitfalls_table"):
            add("table")
        elif name == "show" and isinstance(func, ast.Attribute):
            add("exercise question")
    return out


def notebook(path: str | Path) -> Estimate:
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    est = Estimate()
    for cell in nb.get("cells", []):
        source = "".join(cell.get("source", []))
        grading = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "markdown":
            if grading.get("solution"):
                est += Estimate(0, {"reflection": 1})
            else:
                est += Estimate(len(source.split()))
        elif cell.get("cell_type") == "code":
            est += Estimate(0, _code_items(source))
    return est


def heading(path: str | Path) -> str:
    """A notebook's first top-level heading, without the '#', or its file name."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            for line in "".join(cell.get("source", [])).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return Path(path).stem


def course(root: str | Path) -> dict[int, dict[str, Estimate]]:
    """Per module: the lesson's and the exercise's estimate (an exercise only where one exists),
    and the lesson's path (``"path"``)."""
    root = Path(root)
    out: dict[int, dict[str, Estimate]] = {}
    lessons = {int(p.name[:2]): p for p in sorted((root / "course").glob("[0-9][0-9]-*.ipynb"))}
    for module, lesson in lessons.items():
        parts = {"lesson": notebook(lesson), "path": lesson}
        exercise = root / "exercises" / lesson.stem / f"{lesson.stem}.ipynb"
        if exercise.exists():
            parts["exercise"] = notebook(exercise)
        out[module] = parts
    return out


def describe(minutes: float) -> str:
    """Rounded up to 5 minutes: '35 min', '1 h 10 min'."""
    total = max(5, math.ceil(round(minutes, 6) / 5) * 5)
    hours, mins = divmod(total, 60)
    if not hours:
        return f"{mins} min"
    return f"{hours} h" + (f" {mins} min" if mins else "")


def method() -> str:
    return ("How these times are estimated: the words of each page's text and its items are counted, "
            f"and priced at {RATES_TEXT}. Each figure is rounded up to 5 minutes; your own pace may differ.")
