"""Which variant of each slot a learner is asked: a paper of their own (issue #18, part 2).

An exercise is a list of slots (its 8 good-or-poor and 3 pitfall questions; the capstone's 12
best-and-worst sets), each filled from 3 variants of the class pool. A learner's paper is a
**codeword** of a ternary code, one digit (0, 1 or 2) per slot: the variant they are asked there.
Codes with a large minimum distance bound how many items two learners share:

- 11 slots: the ternary Golay code [12, 6, 6], shortened to its 243 codewords with a 0 in the
  last place, that place deleted: [11, 5, 6]. Any two codewords differ in at least 6 of 11 places,
  so two learners share at most 5 of their 11 items.
- 12 slots: the extended ternary Golay code [12, 6, 6] itself, 729 codewords: two learners share
  at most 6 of 12 best-and-worst sets, half.

Codeword 0 (all zeros) is the class paper of ``data/class_papers.json``. Which codeword a learner gets
is their place on the class roster (``powercoach.roster``: distinct for up to 243 learners), never what
a notebook or an answers file says. Within each part the questions come in an order of the learner's
own, and the four responses of each best-and-worst set under letters of their own (``relabel``), both
from a generator seeded by the exercise and the place. ``papers.drawn`` turns a draw into questions.
Pure: no I/O.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from itertools import product

#: generator polynomial of the cyclic ternary Golay code of length 11, lowest degree first:
#: g(x) = 2 + x^2 + 2x^3 + x^4 + x^5  (that is, -1 + x^2 - x^3 + x^4 + x^5)
GOLAY_G = (2, 0, 1, 2, 1, 1)


@cache
def golay12() -> tuple[tuple[int, ...], ...]:
    """The 729 codewords of the extended ternary Golay code, in a fixed order (all zeros first)."""
    rows = [tuple(GOLAY_G[i - s] if 0 <= i - s < len(GOLAY_G) else 0 for i in range(11)) for s in range(6)]
    words = []
    for coeffs in product(range(3), repeat=6):
        word = [sum(c * r[i] for c, r in zip(coeffs, rows, strict=True)) % 3 for i in range(11)]
        words.append(tuple(word + [(-sum(word)) % 3]))  # the parity digit: every codeword sums to 0
    return tuple(words)


@cache
def code(slots: int) -> tuple[tuple[int, ...], ...]:
    """Codewords for an exercise of ``slots`` slots: 243 for 11 (shortened Golay), 729 for 12."""
    if slots == 12:
        return golay12()
    if slots == 11:
        return tuple(w[:11] for w in golay12() if w[11] == 0)
    raise ValueError(f"No code for {slots} slots; an exercise has 11 (8 good-or-poor, 3 pitfall) or 12 (capstone).")


def shared(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    """How many slots two papers fill with the same variant (the items two learners share)."""
    return sum(x == y for x, y in zip(a, b, strict=True))


def codeword(slots: int, place: int, exercise: int = 0) -> tuple[int, ...]:
    """The codeword of the learner at ``place`` on the roster (0, 1, 2 ...) for an exercise.

    Distinct places get distinct codewords within an exercise; each exercise walks the code from a start
    and with a step of its own (coprime to the code's size), so the same two learners are not always the
    closest pair. Place 0 of exercise 0 is the all-zeros paper."""
    words = code(slots)
    if not 0 <= place < len(words):
        raise ValueError(f"A class of more than {len(words)} learners needs a second code; "
                         f"place {place} is out of range.")
    step = 1 + 3 * exercise  # never a multiple of 3, so coprime to the code's size (a power of 3)
    return words[(place * step + exercise) % len(words)]


def paper(slots: list[list[str]], word: tuple[int, ...]) -> list[str]:
    """The items a codeword asks, one per slot, in slot order."""
    if len(slots) != len(word) or any(len(s) != 3 for s in slots):
        raise ValueError("A paper has one digit per slot and 3 variants in every slot.")
    return [s[d] for s, d in zip(slots, word, strict=True)]


LETTERS = ("A", "B", "C", "D")


def exercise_index(exercise_id: str) -> int:
    """0 for exercise 01, 1 for 02 ... (each exercise walks the code its own way)."""
    return int(exercise_id[:2]) - 1


@dataclass(frozen=True)
class Draw:
    """One learner's paper: per part (in question order) the items asked, and per best-and-worst set
    the original option keys in the order its letters A, B, C, D show them."""

    word: tuple[int, ...]
    parts: dict[str, list[str]]
    options: dict[str, tuple[str, ...]]


def draw(exercise_id: str, slots: dict[str, list[list[str]]], place: int) -> Draw:
    """The paper of the learner at ``place`` for ``exercise_id``, whose slots (part -> slots, in the
    order the notebook asks the parts) are ``slots``."""
    flat = [(part, slot) for part, part_slots in slots.items() for slot in part_slots]
    word = codeword(len(flat), place, exercise_index(exercise_id))
    chosen = paper([slot for _, slot in flat], word)
    rng = random.Random(f"powercoach-draw:{exercise_id}:{place}")  # str seeds are stable across Pythons
    parts = {}
    for part in slots:
        items = [item for (p, _), item in zip(flat, chosen, strict=True) if p == part]
        rng.shuffle(items)
        parts[part] = items
    options = {s: tuple(rng.sample(LETTERS, len(LETTERS))) for s in parts.get("best_worst", [])}
    return Draw(word, parts, options)


def relabel(bw_set: dict, order: tuple[str, ...]) -> dict:
    """A best-and-worst set (from the bank or a key) as a learner sees it: letter A shows the option
    ``order[0]`` ..., with its best and worst picks (where it has them) under the letters shown."""
    if not order:
        return bw_set
    shown = {original: LETTERS[i] for i, original in enumerate(order)}
    by_key = {o["key"]: o for o in bw_set["options"]}
    out = {**bw_set, "options": [{**by_key[original], "key": shown[original]} for original in order]}
    for pick in ("best", "worst"):
        if pick in bw_set:
            out[pick] = shown[bw_set[pick]]
    return out
