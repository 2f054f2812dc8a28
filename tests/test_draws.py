"""The draw's code: two learners share at most 5 of 11 items (at most 6 of 12 sets), and a roster of
up to the code's size gets distinct papers."""

from __future__ import annotations

from itertools import combinations

import pytest

from powercoach import draws


@pytest.mark.parametrize(("slots", "size", "most_shared"), [(11, 243, 5), (12, 729, 6)])
def test_any_two_papers_share_at_most_the_codes_bound(slots, size, most_shared):
    words = draws.code(slots)
    assert len(words) == len(set(words)) == size
    assert words[0] == (0,) * slots
    assert all(len(w) == slots and set(w) <= {0, 1, 2} for w in words)
    assert max(draws.shared(a, b) for a, b in combinations(words, 2)) == most_shared


def test_the_extended_code_is_linear_and_sums_to_zero():
    words = set(draws.golay12())
    a, b = draws.golay12()[5], draws.golay12()[77]
    assert tuple((x + y) % 3 for x, y in zip(a, b, strict=True)) in words
    assert all(sum(w) % 3 == 0 for w in words)


@pytest.mark.parametrize("exercise", range(13))
def test_sixty_learners_get_sixty_papers_that_share_at_most_half(exercise):
    slots = 12 if exercise == 12 else 11
    papers = [draws.codeword(slots, place, exercise) for place in range(60)]
    assert len(set(papers)) == 60
    assert max(draws.shared(a, b) for a, b in combinations(papers, 2)) <= slots // 2


def test_a_roster_beyond_the_code_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="more than 243 learners"):
        draws.codeword(11, 243)
    with pytest.raises(ValueError, match="11"):
        draws.code(10)


def test_a_paper_takes_one_variant_per_slot():
    slots = [[f"s{k}v{v}" for v in range(3)] for k in range(11)]
    word = draws.codeword(11, 7, 3)
    assert draws.paper(slots, word) == [f"s{k}v{d}" for k, d in enumerate(word)]
    with pytest.raises(ValueError):
        draws.paper(slots[:10], word)


def test_the_class_slots_hold_every_class_item_once_and_todays_paper_as_variant_zero():
    from powercoach import bank, papers

    slots = papers.class_slots()
    assert set(slots) == set(papers.class_papers())
    for exercise, parts in slots.items():
        assert {part: [s[0] for s in v] for part, v in parts.items()} == papers.class_papers()[exercise]
        assert [len(v) for v in parts.values()] in ([8, 3], [12])
    items = [i for parts in slots.values() for part in ("classify", "diagnose") for s in parts.get(part, []) for i in s]
    sets = [i for parts in slots.values() for s in parts.get("best_worst", []) for i in s]
    assert sorted(items) == sorted(i for i, r in bank.rows().items() if r["use"] == "class")
    assert sorted(sets) == sorted(i for i, s in bank.best_worst_sets().items() if s["use"] == "class")
    for parts in slots.values():  # a slot asks about one technique: the exercise's own, or the capstone's set
        for v in parts.values():
            for s in v:
                assert len({i.rsplit("-c", 1)[0] for i in s}) == 1


@pytest.mark.parametrize("exercise", range(13))
def test_sixty_learners_papers_from_the_class_slots_share_at_most_half_their_items(exercise):
    from powercoach import papers

    name, parts = list(papers.class_slots().items())[exercise]
    slots = [s for part in ("classify", "diagnose", "best_worst") for s in parts.get(part, [])]
    drawn = [draws.paper(slots, draws.codeword(len(slots), place, exercise)) for place in range(60)]
    assert len({tuple(p) for p in drawn}) == 60
    most = max(len(set(a) & set(b)) for a, b in combinations(drawn, 2))
    assert most <= len(slots) // 2, name


@pytest.mark.parametrize("text", ['["a list"]', '{"01-contracting": {"classify": [["one", "two"]]}}',
                                  '{"01-contracting": {"labels": [["a", "b", "c"]]}}', "{not json"])
def test_a_malformed_slots_file_says_what_is_wrong(tmp_path, monkeypatch, text):
    from powercoach import papers
    from powercoach.errors import PowercoachError

    bad = tmp_path / "class_slots.json"
    bad.write_text(text, encoding="utf-8")
    monkeypatch.setattr(papers, "SLOTS", bad)
    papers.class_slots.cache_clear()
    try:
        with pytest.raises(PowercoachError, match="class_slots.json"):
            papers.class_slots()
    finally:
        papers.class_slots.cache_clear()


def test_a_drawn_paper_takes_each_question_from_its_own_part_of_the_slots():
    from powercoach import papers

    slots = papers.class_slots()
    for exercise, parts in slots.items():
        for place in (0, 1, 59):
            paper = papers.drawn(exercise, place)
            kinds = {"classify": ["classify"], "diagnose": ["diagnose"], "best_worst": ["best", "worst"]}
            want = [k for part in papers.PARTS for s in parts.get(part, []) for k in kinds[part]]
            assert [q.kind for q in paper] == want
            for part, part_slots in parts.items():
                asked = [q.item_id for q in paper if q.kind in kinds[part]][::len(kinds[part])]
                variants = [set(s) for s in part_slots]
                assert all(sum(i in v for i in asked) == 1 for v in variants), (exercise, place, part)
            assert paper == papers.drawn(exercise, place)  # the same place, the same paper, every time


def test_relabelling_a_set_moves_its_picks_with_its_responses():
    s = {"options": [{"key": k, "text": f"text {k}"} for k in "ABCD"], "best": "A", "worst": "C"}
    shown = draws.relabel(s, ("C", "A", "D", "B"))
    assert [(o["key"], o["text"]) for o in shown["options"]] == [("A", "text C"), ("B", "text A"), ("C", "text D"),
                                                                ("D", "text B")]
    assert (shown["best"], shown["worst"]) == ("B", "A")
    assert draws.relabel(s, ()) is s


def test_a_best_and_worst_answer_is_marked_in_the_letters_the_learner_was_shown():
    from powercoach import bank
    from powercoach.marking import expected, mark_question
    from powercoach.papers import Question

    set_id = next(i for i, s in bank.best_worst_sets().items() if s["use"] == "practice")
    original = bank.best_worst_sets()[set_id]["best"]
    order = tuple(sorted("ABCD", key=lambda k: k != original))[::-1]  # the best response shown last, as D
    q = Question("Q1", "best", set_id, order)
    assert expected(q) == "D"
    assert mark_question(q, {"Q1": "D"}).points == 1.0
    assert mark_question(q, {"Q1": original}).points == (1.0 if original == "D" else 0.0)
    assert "Q1: correct, D." in mark_question(q, {"Q1": "d"}).message


def test_the_roster_keeps_places_and_refuses_what_is_not_a_roster(tmp_path, monkeypatch):
    from powercoach import roster
    from powercoach.errors import DataError

    path = tmp_path / "roster.json"
    assert roster.add(path, ["ann", "ben"]) == {"ann": 0, "ben": 1}
    assert roster.add(path, ["cat", "ann"]) == {"ann": 0, "ben": 1, "cat": 2}  # ann keeps her place
    monkeypatch.setenv(roster.ENV, str(path))
    monkeypatch.setenv("JUPYTERHUB_USER", "cat")
    assert roster.learner_place() == 2
    monkeypatch.setenv("JUPYTERHUB_USER", "zed")
    with pytest.raises(DataError, match="'zed' is not on the class roster.*powercoach roster add zed"):
        roster.learner_place()
    monkeypatch.delenv(roster.ENV)
    assert roster.learner_place() is None
    bad = {"not JSON": "{", "two share a place": '{"version": 1, "places": {"a": 0, "b": 0}}',
           "a place is not a number": '{"version": 1, "places": {"a": "0"}}',
           "a name with a slash": '{"version": 1, "places": {"../a": 0}}',
           "beyond the code": '{"version": 1, "places": {"a": 243}}', "no version": '{"places": {}}',
           "nested": "[" * 100_000 + "]" * 100_000}
    for what, text in bad.items():
        path.write_text(text, encoding="utf-8")
        with pytest.raises(DataError, match=f"roster {path}") as err:
            roster.read(path)
        assert "Traceback" not in str(err.value), what
    with pytest.raises(DataError, match="no class roster"):
        roster.read(tmp_path / "missing.json")
    path.unlink()
    with pytest.raises(DataError, match="at most 243"):
        roster.add(path, [f"l{i}" for i in range(244)])
    assert not path.exists()  # nothing written
    with pytest.raises(DataError, match="cannot be a learner id"):
        roster.add(path, ["a b"])
