"""Widgets driven through their Python API, as a click would drive them."""

from html import unescape

from conftest import KEY

from powercoach import answers, bank
from powercoach.exercise import Exercise
from powercoach.widgets import ClassifyDrill


def test_classify_drill_gives_feedback_keeps_score_and_retries_missed():
    drill = ClassifyDrill("contracting")
    n = len(drill.state.questions)
    assert n == len(bank.item_ids("contracting", "practice"))
    assert "Scene 1 of" in drill.title.value and drill.feedback.value == ""
    wrong = []
    for i in range(n):
        row = bank.item(drill.state.current.item_id)
        right = row["label"]
        pick = right if i % 3 else ("poor" if right == "good" else "good")
        (drill.good if pick == "good" else drill.poor).click()
        if pick == right:
            assert "Correct." in drill.feedback.value
        else:
            wrong.append(row["item_id"])
            assert "Not quite." in drill.feedback.value
        assert f"The answer is {right}." in drill.feedback.value
        assert row["rationale"] in unescape(drill.feedback.value)
        drill.next.click()
    assert drill.state.score == n - len(wrong)
    assert f"Score so far: {n - len(wrong)} of {n}" in drill.score.value
    assert drill.retry.layout.display == ""
    drill.retry.click()
    assert [q.item_id for q in drill.state.questions] == wrong
    assert drill.retry.layout.display == "none"


def test_the_order_is_shuffled_by_seed():
    a = [q.item_id for q in ClassifyDrill("contracting", seed=1).state.questions]
    b = [q.item_id for q in ClassifyDrill("contracting", seed=1).state.questions]
    c = [q.item_id for q in ClassifyDrill("contracting", seed=2).state.questions]
    assert a == b and a != c and sorted(a) == sorted(c)


def test_previous_and_next_keep_answers():
    drill = ClassifyDrill("contracting")
    drill.good.click()
    first = drill.feedback.value
    drill.next.click()
    assert drill.feedback.value == ""
    drill.prev.click()
    assert drill.feedback.value == first and drill.prev.disabled


def test_exercise_questions_save_each_click_beside_the_notebook(tmp_path):
    ids = bank.item_ids("contracting", "assessment")
    poor = [i for i in ids if KEY.item(i)["label"] == "poor"]
    ex = Exercise("01-contracting", classify=ids[:2], diagnose=poor[:1], folder=tmp_path)
    q1 = ex.show("Q1")
    q1.radio.value = "poor"
    assert "Saved: <b>poor</b>" in q1.status.value
    ex.show("Q3").radio.value = "flattery"
    assert answers.load("01-contracting", tmp_path)[0] == {"Q1": "poor", "Q3": "flattery"}
    assert ex.saved_answers() == {"Q1": "poor", "Q3": "flattery"}
    assert ex.show("Q1").radio.value == "poor"  # reopened notebook shows the saved choice
    q1.radio.value = None
    assert ex.saved_answers() == {"Q3": "flattery"}


def test_format_check_lists_what_to_fix(tmp_path, capsys):
    ids = bank.item_ids("contracting", "assessment")[:2]
    ex = Exercise("01-contracting", classify=ids, folder=tmp_path)
    answers.save("01-contracting", {"Q1": "good"}, tmp_path)
    assert not ex.check_format()
    assert "Q2: not answered yet." in capsys.readouterr().out
    answers.save("01-contracting", {"Q1": "good", "Q2": "Poor"}, tmp_path)
    assert ex.check_format({"Q1": "ignored: grading never runs the cell"})


def test_pitfall_drill_checks_the_pitfall_and_explains(tmp_path):
    from powercoach.progress import Progress
    from powercoach.widgets import PitfallDrill

    progress = Progress(tmp_path / "p.json")
    drill = PitfallDrill("contracting", progress=progress)
    assert all(bank.item(q.item_id)["label"] == "poor" for q in drill.state.questions)
    for _ in drill.state.questions:
        right = bank.item(drill.state.current.item_id)["pitfall"]
        drill.picker.value = right
        drill.check.click()
        assert "Correct." in drill.feedback.value
        drill.next.click()
    assert drill.state.score == len(drill.state.questions)
    assert progress.by_module() == {1: (drill.state.score, drill.state.score)}


def test_technique_spotter_offers_all_twelve_and_marks_the_technique():
    from powercoach.widgets import TechniqueSpotter

    spot = TechniqueSpotter()
    assert len(spot.picker.options) == 12 and len(spot.state.questions) == 12
    row = bank.item(spot.state.current.item_id)
    wrong = next(v for _, v in spot.picker.options if v != row["technique"])
    spot.picker.value = wrong
    spot.check.click()
    assert "Not quite." in spot.feedback.value and f"The answer is {row['technique']}" in spot.feedback.value


def test_best_and_worst_gives_a_point_per_right_pick_and_feedback_on_every_option():
    from powercoach.widgets import BestWorstPicker

    picker = BestWorstPicker("contracting")
    s = picker.current
    picker.best.value, picker.worst.value = s["best"], s["worst"]
    assert picker.submit() == 2 and "Both picks right" in picker.feedback.value
    for option in s["options"]:
        assert unescape(option["reason"]) in unescape(picker.feedback.value)
    other = next(k for k in "ABCD" if k not in (s["best"], s["worst"]))
    picker.best.value, picker.worst.value = other, s["worst"]
    assert picker.submit() == 1 and "One pick right" in picker.feedback.value
    picker.best.value = picker.worst.value = other
    assert picker.submit() is None and "cannot be both" in picker.feedback.value
    picker.next.click()
    assert picker.best.value is None and picker.feedback.value == ""


def test_roleplay_changes_what_the_client_says_and_ends_in_a_debrief():
    from powercoach import roleplay
    from powercoach.widgets import RolePlayPlayer

    rp_id = next(iter(roleplay.roleplays()))
    player = RolePlayPlayer(rp_id)
    first_line = player.client.value
    seen = set()
    for index in range(3):
        player.restart()
        player.choose(index)
        seen.add(player.client.value)
    assert len(seen) == 3 and first_line not in seen
    player.restart()
    while not player.walk.finished:
        worst = next(i for i, c in enumerate(player.walk.current["choices"]) if c["quality"] == "poor")
        player.choices.value = player.walk.current["choices"][worst]["text"]
        player.say.click()
    assert player.walk.best_count() == 0 and len(player.walk.path) >= 4
    assert "Debrief." in player.debrief.value and "Your path beside the best path" in player.debrief.value
    assert player.choices.layout.display == "none" and player.again.layout.display == ""


def test_self_assessment_saves_a_profile_and_compares_with_the_earlier_one(tmp_path):
    from powercoach.progress import Progress
    from powercoach.widgets import SelfAssessment

    progress = Progress(tmp_path / "progress.json")
    first = SelfAssessment("baseline", progress=progress)
    first.scales["contracting"].value = 2
    first.save.click()
    later = SelfAssessment("capstone", progress=Progress(tmp_path / "progress.json"))
    later.scales["contracting"].value = 4
    later.draw()
    assert later.chart.value.startswith("<svg") and later.chart.value.count("<polygon points=") == 5 + 2
    assert "aria-label='Radar chart" in later.chart.value and "stroke-dasharray='6,4'" in later.chart.value
    assert "Compared with baseline" in later.caption.value
    assert "Contract shared goals and sign-off +2" in later.caption.value


def test_progress_view_shows_a_bar_per_module(tmp_path):
    from powercoach.progress import Progress
    from powercoach.widgets import ProgressView

    progress = Progress(tmp_path / "p.json")
    progress.record(1, "classify", 9, 14)
    view = ProgressView(progress=progress)
    bars = [box.children[0] for box in view.children[1:13]]
    assert bars[0].value == 9 and bars[0].max == 14 and bars[1].value == 0
    assert "9 of 14 points" in view.children[1].children[1].value
