"""The four extra practice formats (issue #17, item 7): their data files load and validate, bad data
gets a message naming the entry and the fault, the feedback logic explains every choice, and the
widgets pass clicks to the core as a click would."""

from __future__ import annotations

import copy
import subprocess
import sys
from html import unescape

import pytest

from powercoach import bank, catalog, formats
from powercoach.errors import DataError


def first(kind: str) -> dict:
    return copy.deepcopy(next(iter(formats.load(kind).values())))


def test_every_format_loads_practice_content_for_known_techniques():
    for kind in formats.FILES:
        entries = formats.load(kind)
        assert entries, kind
        for entry in entries.values():
            assert entry["technique"] in catalog.techniques()
    assert len(formats.load("transcript")) >= 2 and len(formats.load("two_good")) >= 3
    assert len(formats.load("contrast")) == 3 and len(formats.load("ladder")) >= 2


def test_the_contrast_tables_cover_the_pairs_learners_confuse():
    pairs = {frozenset(g["tells"]) for g in formats.load("contrast").values()}
    assert pairs == {frozenset({"advice-giving", "rescuing"}), frozenset({"deference", "flattery", "avoidance"}),
                     frozenset({"judgement", "aggression"})}


def test_new_ids_do_not_clash_with_each_other_or_the_bank():
    ids = [e["id"] for kind in formats.FILES for e in formats.load(kind).values()]
    ids += [r["id"] for g in formats.load("contrast").values() for r in g["replies"]]
    assert len(ids) == len(set(ids))
    taken = {r["item_id"] for r in bank.read_bank()} | set(bank.best_worst_sets())
    assert not taken & set(ids)


@pytest.mark.parametrize("kind, break_it, message", [
    ("transcript", lambda t: t.update(turning_point=1), "must be one of the coach's turns"),
    ("transcript", lambda t: t.update(turning_point=99), "a turn number from 1 to"),
    ("transcript", lambda t: t["turns"][1].pop("note"), "turn 2 (every coach turn explains itself) lacks 'note'"),
    ("transcript", lambda t: t.update(turns=t["turns"][:4]), "'turns' must be a list of at least 5"),
    ("transcript", lambda t: t.update(turns=t["turns"] * 2), "a transcript holds 5 to 8"),
    ("transcript", lambda t: t.update(pitfall="shyness"), "unknown pitfall 'shyness'"),
    ("two_good", lambda s: s.update(better="C"), "'better' must be 'A' or 'B'"),
    ("two_good", lambda s: s["options"].pop(), "'options' must be a list of at least 2"),
    ("two_good", lambda s: s.pop("trade_off"), "lacks 'trade_off'"),
    ("two_good", lambda s: s.update(technique="charisma"), "unknown technique 'charisma'"),
    ("contrast", lambda g: g["replies"][0].update(pitfall="collusion"), "is not one of this table's"),
    ("contrast", lambda g: g["replies"][1].update(id=g["replies"][0]["id"]), "is used twice"),
    ("contrast", lambda g: g["tells"].update(collusion="x", judgement="y"), "two or three confusable pitfalls"),
    ("ladder", lambda d: d["parts"][0].update(kind="opinion"), "kind 'opinion' must be one of"),
    ("ladder", lambda d: [p.update(kind="observation") for p in d["parts"]], "at least two kinds"),
    ("ladder", lambda d: d.update(use="assessment"), "practice items only"),
])
def test_bad_data_gets_a_message_naming_the_entry_and_the_fault(kind, break_it, message):
    entry = first(kind)
    break_it(entry)
    with pytest.raises(DataError, match="item 1 .*" + message.replace("(", r"\(").replace(")", r"\)")):
        formats.parse(kind, {"items": [entry]})


def test_a_file_without_items_or_with_a_repeated_id_is_refused():
    with pytest.raises(DataError, match="non-empty list under 'items'"):
        formats.parse("ladder", {"things": []})
    entry = first("ladder")
    with pytest.raises(DataError, match="item 2 .*the id is used twice"):
        formats.parse("ladder", {"items": [entry, entry]})
    with pytest.raises(DataError, match="Unknown practice format 'quiz'"):
        formats.load("quiz")
    with pytest.raises(DataError, match="No ladder item with id nope"):
        formats.items("ladder", ids=["nope"])


def test_the_transcript_explains_the_right_turn_and_any_wrong_pick():
    t = formats.load("transcript")["transcript-np-01"]
    point = t["turning_point"]
    right = formats.mark_transcript(t, point)
    assert right.right is True and t["turns"][point - 1]["note"] in right.lines
    assert any(t["better"] in line for line in right.lines)
    other = next(n for n, turn in enumerate(t["turns"], 1) if turn["speaker"] == "coach" and n != point)
    wrong = formats.mark_transcript(t, other)
    assert wrong.right is False and f"the turn is {point}" in wrong.verdict
    joined = " ".join(wrong.lines)
    assert t["turns"][other - 1]["note"] in joined and t["turns"][point - 1]["note"] in joined
    with pytest.raises(ValueError, match="not one of the coach's turns"):
        formats.mark_transcript(t, 1)


def test_two_good_replies_name_the_better_fit_and_the_trade_off_without_calling_either_wrong():
    s = formats.load("two_good")["twogood-rr-02"]
    other = "B" if s["better"] == "A" else "A"
    better, fair = formats.mark_two_good(s, s["better"]), formats.mark_two_good(s, other)
    assert better.right is True and fair.right is False
    assert "sound" in fair.verdict and "wrong" not in fair.verdict.lower()
    for result in (better, fair):
        assert any(s["trade_off"] in line for line in result.lines)
        assert all(any(o["why"] in line for line in result.lines) for o in s["options"])


def test_the_contrast_feedback_gives_the_tell_of_the_right_pitfall_and_of_the_one_chosen():
    g = formats.load("contrast")["contrast-judgement-aggression"]
    reply = next(r for r in g["replies"] if r["pitfall"] == "judgement")
    ok = formats.mark_contrast(g, reply["id"], "judgement")
    assert ok.right is True and reply["why"] in ok.lines and any(g["tells"]["judgement"] in x for x in ok.lines)
    no = formats.mark_contrast(g, reply["id"], "aggression")
    assert no.right is False and "this is judgement" in no.verdict
    assert any(g["tells"]["aggression"] in x for x in no.lines)
    with pytest.raises(ValueError):
        formats.mark_contrast(g, reply["id"], "flattery")


def test_the_ladder_counts_right_parts_and_explains_each():
    d = formats.load("ladder")["ladder-ebf-01"]
    right = {n: p["kind"] for n, p in enumerate(d["parts"], 1)}
    assert formats.mark_ladder(d, right).right is True
    wrong = right | {1: "interpretation"}
    result = formats.mark_ladder(d, wrong)
    assert result.right is False and result.verdict == f"{len(d['parts']) - 1} of {len(d['parts'])} parts marked right."
    assert result.lines[0].startswith("Part 1 is observation (you said interpretation)")
    assert d["rewrite"] in result.lines[-1]
    with pytest.raises(ValueError, match="not yet marked: 2"):
        formats.mark_ladder(d, {1: "observation"} | {n: "impact" for n in range(3, len(d["parts"]) + 1)})


def test_the_core_imports_without_ipywidgets():
    code = ("import sys; sys.modules['ipywidgets'] = None\n"
            "from powercoach import formats; print(len(formats.load('contrast')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "3"


# The widgets, driven through their Python API as a click would drive them.

def test_transcript_picker_offers_only_coach_turns_and_explains_the_pick():
    from powercoach.widgets import TranscriptPicker

    w = TranscriptPicker("naming-power")
    t = w.current
    coach = [n for n, turn in enumerate(t["turns"], 1) if turn["speaker"] == "coach"]
    assert [v for _, v in w.turn.options] == coach
    w.check.click()
    assert "Pick one of the coach" in unescape(w.feedback.value)
    w.turn.value = t["turning_point"]
    w.check.click()
    assert "role='status'" in w.feedback.value and "Yes: turn" in w.feedback.value
    assert unescape(t["turns"][t["turning_point"] - 1]["note"]) in unescape(w.feedback.value)
    assert "1 of 1 answered" in w.score.value
    w.next.click()
    assert w.turn.value is None and w.feedback.value == "" and w.next.disabled


def test_better_fit_never_marks_a_sound_reply_with_a_cross():
    from powercoach.widgets import BetterFit

    w = BetterFit("reading-the-room")
    s = w.current
    w.pick.value = "B" if s["better"] == "A" else "A"
    w.check.click()
    assert "&#10007;" not in w.feedback.value and "fits this client better" in w.feedback.value
    assert "No choice here is wrong" in w.score.value and "0 of 1" in w.score.value
    w.pick.value = s["better"]
    w.check.click()
    assert "&#10003;" in w.feedback.value and "0 of 1" in w.score.value  # the first answer counts


def test_contrast_table_shows_the_tells_and_fills_the_sorted_table():
    from powercoach.widgets import ContrastTable

    w = ContrastTable("contrast-deference-flattery-avoidance")
    assert w.children[0] is w.table and "<th scope='row'" in w.table.value
    for tell in w.group["tells"].values():
        assert tell in unescape(w.table.value)
    assert len(w.pick.options) == 3 and w.sorted.value.count("none sorted yet") == 3
    reply = w.current
    wrong = next(p for p in w.group["tells"] if p != reply["pitfall"])
    w.pick.value = wrong
    w.check.click()
    assert "Not " in w.feedback.value and unescape(reply["why"]) in unescape(w.feedback.value)
    assert "you first said" in w.sorted.value and w.sorted.value.count("none sorted yet") == 2
    assert ContrastTable("contrast-deference-flattery-avoidance", seed=0).entries == w.entries


def test_ladder_sort_asks_for_every_part_then_explains_each():
    from powercoach.widgets import LadderSort

    w = LadderSort("evidence-based-feedback")
    d = w.current
    assert len(w.pickers) == len(d["parts"])
    w.pickers[0].value = d["parts"][0]["kind"]
    assert w.submit() is None and "not yet marked: part 2" in w.feedback.value
    for picker, part in zip(w.pickers, d["parts"], strict=True):
        picker.value = part["kind"]
    w.check.click()
    assert f"{len(d['parts'])} of {len(d['parts'])} parts marked right" in w.feedback.value
    w.next.click()
    assert all(p.value is None for p in w.pickers) and len(w.pickers) == len(w.current["parts"])


def test_learner_facing_text_is_escaped():
    from powercoach.widgets.formats import card, feedback_block

    html = card({"client_role": "<script>x</script>", "setting": "s", "context": "c"})
    assert "<script>" not in html and "&lt;script&gt;" in html
    block = feedback_block(formats.Feedback(True, "<u>verdict</u>", ["<i>line</i>"]))
    assert "<u>" not in block and "<i>" not in block and "&lt;u&gt;" in block and "&lt;i&gt;" in block


def test_study_time_prices_the_new_formats_as_the_widgets_count_them():
    from conftest import REPO

    from powercoach import studytime
    from powercoach.widgets import BetterFit, ContrastTable, LadderSort, TranscriptPicker

    expected = {
        "02-role-clarity": ("contrast reply", len(ContrastTable("contrast-advice-rescuing").entries)),
        "05-reading-the-room": ("better-fit scene", len(BetterFit("reading-the-room").entries)),
        "10-evidence-based-feedback": ("ladder feedback", len(LadderSort("evidence-based-feedback").entries)),
        "11-naming-power": ("transcript", len(TranscriptPicker("naming-power").entries)),
    }
    for stem, (item, n) in expected.items():
        assert studytime.notebook(REPO / "course" / f"{stem}.ipynb").items.get(item) == n, stem


def format_texts() -> dict[str, list[str]]:
    """Every learner-visible text of the new formats, by id."""
    out: dict[str, list[str]] = {}
    for t in formats.load("transcript").values():
        out[t["id"]] = [t["context"], t["better"], *(turn["text"] for turn in t["turns"])]
    for s in formats.load("two_good").values():
        out[s["id"]] = [s["context"], s["client_says"], *(o["text"] for o in s["options"])]
    for g in formats.load("contrast").values():
        for r in g["replies"]:
            out[r["id"]] = [r["client_says"], r["text"]]
    for d in formats.load("ladder").values():
        out[d["id"]] = [d["context"], d["client_says"], d["rewrite"], *(p["text"] for p in d["parts"])]
    return out


def test_no_new_practice_text_shares_eight_words_with_an_assessment_item():
    from test_no_graded_items_in_lessons import assessment_texts, grams

    graded = {}
    for item_id, texts in assessment_texts().items():
        for text in texts:
            for gram in grams(text):
                graded.setdefault(gram, item_id)
    assert graded, "the assessment items' texts should be readable here"
    leaks = [(fid, graded[g]) for fid, texts in format_texts().items() for text in texts for g in grams(text)
             if g in graded]
    assert leaks == []


def test_each_format_keeps_first_answers_in_the_progress_file_as_a_drill_does(tmp_path):
    """The start page counts the new formats: the first answers that matched, out of all the entries, in
    the module of the entries' technique; a second try at a scene changes nothing."""
    from powercoach.progress import Progress
    from powercoach.widgets import BetterFit, ContrastTable, LadderSort, TranscriptPicker
    from powercoach.widgets.start_page import ProgressView

    progress = Progress(tmp_path / "progress.json")
    t = TranscriptPicker("naming-power", progress=progress)
    t.turn.value = t.current["turning_point"]
    t.check.click()
    t.turn.value = next(v for _, v in t.turn.options if v != t.current["turning_point"])
    t.check.click()  # a second try: feedback, but the first answer stands
    b = BetterFit("reading-the-room", progress=progress)
    b.pick.value = "B" if b.current["better"] == "A" else "A"  # sound, but not the better fit: no point
    b.check.click()
    c = ContrastTable("contrast-judgement-aggression", progress=progress)
    c.pick.value = c.current["pitfall"]
    c.check.click()
    ladder = LadderSort("evidence-based-feedback", progress=progress)
    for picker, part in zip(ladder.pickers, ladder.current["parts"], strict=True):
        picker.value = part["kind"]
    ladder.check.click()
    module = {k: catalog.techniques()[k].module for k in
              ("naming-power", "reading-the-room", "constructive-challenge", "evidence-based-feedback")}
    found = Progress(tmp_path / "progress.json").by_module()
    assert found[module["naming-power"]] == (1, len(t.entries))
    assert found[module["reading-the-room"]] == (0, len(b.entries))
    assert found[module["constructive-challenge"]] == (1, len(c.entries))
    assert found[module["evidence-based-feedback"]] == (1, len(ladder.entries))
    shown = " ".join(child.value for row in ProgressView(Progress(tmp_path / "progress.json")).children[1:-2]
                     for child in row.children if hasattr(child, "value") and isinstance(child.value, str))
    assert f"1 of {len(t.entries)} points in drills" in shown
