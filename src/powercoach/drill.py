"""State of a practice drill, kept apart from the widgets so it can be tested and reused.

A drill walks a shuffled list of questions; every answer is checked at once against the bank
(marking.mark_question) and remembered, so the score, the missed items and a retry round
follow from the answers alone.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .marking import Mark, Question, mark_question


@dataclass
class DrillState:
    questions: list[Question]
    position: int = 0
    marks: dict[str, Mark] = field(default_factory=dict)

    @classmethod
    def shuffled(cls, item_ids: list[str], kind: str = "classify", seed: int | None = 0) -> DrillState:
        """Questions over ``item_ids`` in an order fixed by ``seed``, so a class shares one order."""
        ids = list(item_ids)
        random.Random(seed).shuffle(ids)
        return cls([Question(item_id, kind, item_id) for item_id in ids])

    @property
    def current(self) -> Question:
        return self.questions[self.position]

    def answer(self, value: str) -> Mark:
        q = self.current
        result = mark_question(q, {q.qid: value})
        self.marks[q.qid] = result
        return result

    def move(self, step: int) -> None:
        self.position = max(0, min(len(self.questions) - 1, self.position + step))

    @property
    def answered(self) -> int:
        return len(self.marks)

    @property
    def score(self) -> int:
        return int(sum(m.points for m in self.marks.values()))

    @property
    def finished(self) -> bool:
        return self.answered == len(self.questions)

    def missed(self) -> list[Question]:
        return [q for q in self.questions if q.qid in self.marks and not self.marks[q.qid].points]

    def retry_missed(self) -> DrillState:
        """A new round over the questions answered wrongly, in the same order."""
        return DrillState(self.missed())
