"""The limits of confidentiality are stated once (data/confidentiality.json), and every lesson that
lists them uses that wording, so no lesson can drop a limit or promise more than the others."""

from __future__ import annotations

import re

import nbformat
import pytest
from conftest import REPO, notebooks

from powercoach import catalog

LIMITS = catalog.confidentiality()

# How a passage may name each of the three limits the Code itself gives as examples.
KINDS = {
    "illegal-activity": re.compile(r"\billegal|\bunlawful", re.I),
    "required-by-law": re.compile(r"legal duty|required by law|law requires|law obliges|court order|subpoena", re.I),
    "danger": re.compile(r"risk of (serious )?harm|serious harm|danger to", re.I),
}
UNCONDITIONAL = re.compile(r"\b(single|one|only) (exception|limit)\b|before anyone else", re.I)


def plain(text: str) -> str:
    """Markdown passage as words: quote marks and line breaks gone, spaces collapsed."""
    text = re.sub(r"^\s*>\s?", "", text, flags=re.M)
    return re.sub(r"\s+", " ", text).strip()


def passages(source: str) -> list[str]:
    """Paragraphs of a markdown cell, with each list item on its own."""
    out = []
    for para in re.split(r"\n\s*\n", source):
        out.extend(p for p in re.split(r"\n(?=- |\d+\. )", para) if p.strip())
    return out


def kinds_named(text: str) -> set[str]:
    return {k for k, pattern in KINDS.items() if pattern.search(text)}


def states_the_list(text: str) -> bool:
    text = plain(text)
    return LIMITS["statement"] in text or LIMITS["spoken"] in text


def statements_of_the_limits(path) -> list[str]:
    """Every passage of a notebook that names two or more kinds of limit, i.e. lists them."""
    nb = nbformat.read(path, as_version=4)
    return [p for c in nb.cells if c.cell_type == "markdown" for p in passages(c.source) if len(kinds_named(p)) >= 2]


def test_the_data_file_holds_one_list_of_four_limits_including_illegal_activity():
    ids = [limit["id"] for limit in LIMITS["limits"]]
    assert ids == ["illegal-activity", "required-by-law", "danger", "agreed"]
    for limit in LIMITS["limits"]:
        assert limit["plain"] in LIMITS["statement"], limit["id"]
        assert limit["spoken"] in LIMITS["spoken"], limit["id"]
    for limit in LIMITS["limits"][:3]:
        assert limit["code"] in LIMITS["code_examples"], limit["id"]
    assert LIMITS["code"] == "ICF Code of Ethics (2025)"


def test_a_partial_list_is_caught_and_the_full_one_passes():
    partial = "The limits: a serious risk of harm to someone, or something the law obliges me to report."
    assert len(kinds_named(partial)) >= 2 and not states_the_list(partial)
    full = f"> There are limits:\n> {LIMITS['spoken']}."
    assert states_the_list(full)


@pytest.mark.parametrize("path", notebooks("course"), ids=lambda p: p.stem)
def test_every_statement_of_the_limits_in_a_lesson_uses_the_one_list(path):
    wrong = [plain(p)[:160] for p in statements_of_the_limits(path) if not states_the_list(p)]
    assert not wrong, f"{path.name} lists limits of confidentiality in its own words: {wrong}"


@pytest.mark.parametrize("name", ["03-boundaries", "06-safe-space"])
def test_the_boundaries_and_safe_space_lessons_state_the_limits(name):
    found = statements_of_the_limits(REPO / "course" / f"{name}.ipynb")
    assert found and all(states_the_list(p) for p in found)


def test_lesson_06_promises_to_tell_the_client_first_only_whenever_possible():
    nb = nbformat.read(REPO / "course" / "06-safe-space.ipynb", as_version=4)
    text = plain("\n".join(c.source for c in nb.cells if c.cell_type == "markdown"))
    assert LIMITS["tell_first"] in text


@pytest.mark.parametrize("path", notebooks("course"), ids=lambda p: p.stem)
def test_no_lesson_promises_a_single_exception_or_always_being_told_first(path):
    nb = nbformat.read(path, as_version=4)
    hits = [m.group(0) for c in nb.cells if c.cell_type == "markdown" for m in UNCONDITIONAL.finditer(c.source)]
    assert not hits, f"{path.name}: {hits}"
