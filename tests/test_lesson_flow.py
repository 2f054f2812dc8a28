"""The lessons read as a course: each ends pointing onward, practice instructions are written
for their technique rather than pasted, lesson 01 drills naming the pitfall, and the worked
examples meet the range of senior clients the course promises."""

from __future__ import annotations

import re
from functools import cache

import nbformat
import pytest
from conftest import REPO

from powercoach import catalog

COURSE = REPO / "course"
LESSONS = sorted(p.name for p in COURSE.glob("[0-9][0-9]-*.ipynb"))
LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


@cache
def cells(name: str):
    return nbformat.read(COURSE / name, as_version=4).cells


def lesson_for(module: int) -> str:
    return next(n for n in LESSONS if n.startswith(f"{module:02d}-"))


def test_there_are_fourteen_lessons_one_per_module():
    assert [n[:2] for n in LESSONS] == [f"{m:02d}" for m in range(14)]
    techniques = {t.module: t.id for t in catalog.techniques().values()}
    for module, tid in techniques.items():
        assert lesson_for(module) == f"{module:02d}-{tid}.ipynb"


@pytest.mark.parametrize("name", LESSONS)
def test_each_lesson_ends_with_links_that_work(name):
    last = cells(name)[-1]
    assert last.cell_type == "markdown", "a lesson ends with prose, not code"
    final_line = last.source.strip().splitlines()[-1]
    links = [target for _, target in LINK.findall(final_line)]
    assert links, f"{name}: the last line should link to what comes next"
    for target in links:
        assert not re.match(r"[a-z]+://", target), f"{name}: {target} should be a relative link"
        assert (COURSE / target).resolve().is_file(), f"{name}: link target {target} does not exist"
    module = int(name[:2])
    stem = name.removesuffix(".ipynb")
    if 1 <= module <= 13:
        assert f"../exercises/{stem}/{stem}.ipynb" in links, f"{name}: link to its exercise"
    if module < 13:
        assert lesson_for(module + 1) in links, f"{name}: link to the next lesson"


def practice_paragraphs(name: str) -> list[str]:
    """The instruction paragraphs of a lesson's practice sections (headings left out)."""
    out = []
    for cell in cells(name):
        if cell.cell_type != "markdown":
            continue
        heading = cell.source.lstrip().splitlines()[0] if cell.source.strip() else ""
        if not re.match(r"#+\s*(Practice|Warm-up|Spot the technique|How the role-plays work)", heading):
            continue
        body = cell.source.split("\n", 1)[1] if "\n" in cell.source else ""
        out += [" ".join(p.split()) for p in re.split(r"\n\s*\n", body) if p.strip()]
    return out


def sentences(paragraph: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?:;])\s+", paragraph) if len(s.split()) >= 10]


def test_every_lesson_with_drills_has_practice_instructions():
    for name in LESSONS:
        if any("Drill(" in c.source or "Picker(" in c.source for c in cells(name)):
            assert practice_paragraphs(name), f"{name} has drills but no practice instructions"


def test_no_two_lessons_share_a_practice_instruction_word_for_word():
    seen: dict[str, str] = {}
    clashes = []
    for name in LESSONS:
        for paragraph in practice_paragraphs(name):
            for text in [paragraph, *sentences(paragraph)]:
                key = text.lower()
                if key in seen and seen[key] != name:
                    clashes.append((seen[key], name, text))
                seen.setdefault(key, name)
    assert clashes == [], "write each lesson's practice instructions for its own technique:\n" + \
        "\n".join(f"{a} and {b}: {t}" for a, b, t in clashes)


def test_lesson_01_drills_naming_the_pitfall_as_its_exercise_grades_it():
    sources = [c.source for c in cells(lesson_for(1))]
    code = [s for s in sources if "PitfallDrill(" in s]
    assert code and 'PitfallDrill("contracting")' in code[0]
    at = sources.index(code[0])
    assert "pitfall" in sources[at - 1].lower(), "the drill is introduced by its own instructions"


def worked_example_clients() -> dict[str, str]:
    out = {}
    for name in LESSONS:
        for cell in cells(name):
            m = re.search(r"\*\*The client:\*\*\s*(.+?)(?:\.|,\s*in\s)", " ".join(cell.source.split()))
            if m:
                out[name] = m.group(1).lower()
    return out


def test_worked_examples_cover_the_senior_roles_the_course_promises():
    clients = worked_example_clients()
    assert len(clients) >= 12, clients
    roles = {"chief executive": r"chief executive", "board member or chair": r"\bchair|board",
             "founder": r"founder", "senior partner": r"senior partner", "minister": r"minister",
             "chief surgeon": r"surgery|surgeon", "general": r"\bgeneral\b"}
    missing = [role for role, pattern in roles.items()
               if not any(re.search(pattern, c) for c in clients.values())]
    assert missing == [], f"no worked example features a {missing}: {clients}"
    ceo_like = [n for n, c in clients.items() if re.match(r"(group )?(chief executive|managing director)", c)]
    assert len(ceo_like) <= len(clients) // 2, f"most worked examples are chief executives: {ceo_like}"


def test_best_and_worst_introductions_differ_and_name_the_icf_exam_once():
    """Issue #17 ("sameness"): every best-and-worst introduction mentioned the ICF exam. It is named
    where the format first appears (lesson 01); the others each open differently."""
    intros = {name: c.source for name in LESSONS for c in cells(name)
              if c.cell_type == "markdown" and c.source.startswith("## Practice: best and worst")}
    assert len(intros) >= 10
    naming = [name for name, text in intros.items() if "ICF" in text and "exam" in text]
    assert naming == [lesson_for(1)], naming
    openings = [re.split(r"(?<=[.?!])\s", text.split("\n\n", 1)[1])[0] for text in intros.values()]
    assert len(set(openings)) == len(openings), openings
