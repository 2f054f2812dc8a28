"""Every link from page to page (start page, lessons, exercises) lands on a page that exists.

The lessons' and exercises' closing links (to the exercise, to the next lesson) are checked as
they appear; the code-free view (Voila) and the browser-only site follow the same relative links.
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote, urlsplit

import pytest
from conftest import REPO, notebooks

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)[^)]*\)|href=['\"]([^'\"]+)['\"]")
PAGES = notebooks("course", "exercises")


def page_links(path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for a, b in LINK.findall("".join(cell["source"])):
            target = a or b
            parts = urlsplit(target)
            if not parts.scheme and not target.startswith("#") and parts.path.endswith(".ipynb"):
                out.append(unquote(parts.path))
    return out


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(REPO)) for p in PAGES])
def test_every_link_to_another_page_lands_on_one(page):
    missing = [t for t in page_links(page) if not (page.parent / t).resolve().is_file()]
    assert not missing, f"{page.relative_to(REPO)} links to pages that do not exist: {missing}"


def test_the_start_page_links_every_lesson_and_every_exercise():
    start = REPO / "course/start.ipynb"
    targets = {(start.parent / t).resolve() for t in page_links(start)}
    lessons = set((REPO / "course").glob("[0-9][0-9]-*.ipynb"))
    exercises = set((REPO / "exercises").glob("*/*.ipynb"))
    assert lessons | exercises <= targets, sorted(str(p) for p in (lessons | exercises) - targets)
