"""The progress file a learner carries: download, restore, merge by time, refuse what is not ours."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from powercoach import answers as answers_file
from powercoach import portable
from powercoach.progress import Progress


def course_copy(root):
    """A course root with two (empty) exercise folders, as a fresh Binder session has."""
    for ex in ("01-contracting", "02-role-clarity"):
        (root / "exercises" / ex).mkdir(parents=True)
    (root / "course").mkdir()
    return root


def answer(root, ex, answers, when):
    folder = root / "exercises" / ex
    path = answers_file.save(ex, answers, folder)
    os.utime(path, (when, when))


def filled(tmp_path, name="home"):
    root = course_copy(tmp_path / name)
    progress = Progress(root / "progress.json")
    progress.record(1, "classify", 9, 14)
    progress.record(2, "pitfall", 3, 7)
    progress.add_profile("baseline", {"contracting": 2, "role-clarity": 4})
    answer(root, "01-contracting", {"Q1": "good", "Q2": "poor", "Q9": "advice-giving"}, 1_800_000_000)
    return root, progress


def snapshot(root, progress):
    """Everything restore could change, as plain data."""
    progress.reload()
    saved = {ex: answers_file.load(ex, folder)[0] for ex, folder in portable.exercise_folders(root).items()}
    return json.loads(json.dumps(progress.data["activities"])), progress.data["profiles"], saved


def test_download_then_restore_into_an_empty_home_gives_back_the_same_progress_and_answers(tmp_path):
    root, progress = filled(tmp_path)
    text = portable.dumps(progress, root)
    data = json.loads(text)
    assert data["format"] == portable.FORMAT and data["version"] == portable.VERSION
    assert data["answers"]["01-contracting"]["Q9"]["value"] == "advice-giving"

    empty_root = course_copy(tmp_path / "elsewhere")
    fresh = Progress(empty_root / "progress.json")
    outcome = portable.restore(text.encode(), fresh, empty_root)
    assert outcome.ok, outcome.message
    assert outcome.changed == {"activities": 2, "profiles": 1, "answers": 3, "attempts": 0}
    before, after = snapshot(root, progress), snapshot(empty_root, Progress(empty_root / "progress.json"))
    assert after == before
    assert Progress(empty_root / "progress.json").by_module() == {1: (9, 14), 2: (3, 7)}
    # Restoring the same file again changes nothing and says so.
    again = portable.restore(text, fresh, empty_root)
    assert again.ok and not any(again.changed.values()) and "already here" in again.message
    # The restored home exports what the first home exported.
    assert portable.export(fresh, empty_root)["answers"] == data["answers"]


def test_a_newer_file_over_older_progress_and_the_reverse_both_keep_the_newer_entries(tmp_path):
    old_root, old = filled(tmp_path, "old")
    old_file = portable.dumps(old, old_root)

    new_root = tmp_path / "new"
    shutil.copytree(old_root, new_root)
    new = Progress(new_root / "progress.json")
    new.record(1, "classify", 12, 14)  # later and better
    new.add_profile("capstone", {"contracting": 5, "role-clarity": 5})
    answer(new_root, "01-contracting", {"Q1": "poor", "Q2": "poor", "Q9": "advice-giving"}, 1_900_000_000)
    new_file = portable.dumps(new, new_root)

    # newer file over older progress: the newer entries arrive
    outcome = portable.restore(new_file, Progress(old_root / "progress.json"), old_root)
    assert outcome.ok, outcome.message
    mine = Progress(old_root / "progress.json")
    assert mine.data["activities"]["01/classify"]["score"] == 12
    assert [p["label"] for p in mine.profiles()] == ["baseline", "capstone"]
    assert answers_file.load("01-contracting", old_root / "exercises/01-contracting")[0]["Q1"] == "poor"
    assert mine.data["activities"]["02/pitfall"]["score"] == 3  # untouched entry stays

    # older file over newer progress: nothing newer is lost
    later = snapshot(new_root, new)
    outcome = portable.restore(old_file, Progress(new_root / "progress.json"), new_root)
    assert outcome.ok and outcome.changed == {"activities": 0, "profiles": 0, "answers": 0, "attempts": 0}
    assert snapshot(new_root, Progress(new_root / "progress.json")) == later


def test_merging_takes_each_entry_on_its_own_time(tmp_path):
    """Two homes each with something newer: a restore both ways ends with the same, newest of each."""
    a_root, a = filled(tmp_path, "a")
    b_root = tmp_path / "b"
    shutil.copytree(a_root, b_root)
    b = Progress(b_root / "progress.json")
    a.record(1, "classify", 4, 14)       # a: newer drill 1 (but a lower score)
    b.record(2, "pitfall", 7, 7)         # b: newer drill 2
    answer(a_root, "02-role-clarity", {"Q3": "good"}, 1_850_000_000)
    answer(b_root, "01-contracting", {"Q1": "poor", "Q2": "poor", "Q9": "advice-giving"}, 1_950_000_000)
    a_file, b_file = portable.dumps(a, a_root), portable.dumps(b, b_root)
    assert portable.restore(b_file, a, a_root).ok and portable.restore(a_file, b, b_root).ok
    assert snapshot(a_root, a) == snapshot(b_root, b)
    entry = a.data["activities"]["01/classify"]
    assert entry["score"] == 4 and entry["best"] == 9  # the newer score, the best ever kept
    assert a.data["activities"]["02/pitfall"]["score"] == 7
    assert answers_file.load("01-contracting", a_root / "exercises/01-contracting")[0]["Q1"] == "poor"
    assert answers_file.load("02-role-clarity", b_root / "exercises/02-role-clarity")[0] == {"Q3": "good"}


def _export(tmp_path):
    root, progress = filled(tmp_path, "source")
    return portable.export(progress, root)


BAD = {
    "damaged": (lambda d: json.dumps(d)[:-40], "damaged: it is not valid JSON"),
    "not text": (lambda d: b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "not text"),
    "foreign": (lambda d: json.dumps({"cells": [], "nbformat": 4}), "not a powercoach progress file"),
    "a list": (lambda d: "[1, 2, 3]", "not a powercoach progress file"),
    "older format": (lambda d: json.dumps({**d, "version": 0}), "older powercoach (file format 0)"),
    "newer format": (lambda d: json.dumps({**d, "version": 2}), "newer powercoach (file format 2)"),
    "no version": (lambda d: json.dumps({k: v for k, v in d.items() if k != "version"}), "version is missing"),
    "bad score": (lambda d: json.dumps({**d, "activities": {"01/classify": {**d["activities"]["01/classify"],
                                                                         "score": "nine"}}}),
                  "activity '01/classify' is not a drill score"),
    "bad path": (lambda d: json.dumps({**d, "answers": {"../../etc": {"Q1": {"value": "x", "stamp": 1}}}}),
                 "'../../etc' is not an exercise"),
    "bad answer": (lambda d: json.dumps({**d, "answers": {"01-contracting": {"Q1": {"value": 3, "stamp": 1}}}}),
                   "answer 01-contracting Q1 is not a saved click"),
    "bad profile": (lambda d: json.dumps({**d, "profiles": [{"label": "x", "ratings": {"a": 9}, "stamp": 1}]}),
                    "profile 1 is not a self-assessment"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_damaged_foreign_and_wrong_version_files_are_refused_and_change_nothing(tmp_path, case):
    make, why = BAD[case]
    content = make(_export(tmp_path))
    root, progress = filled(tmp_path, "home")
    before = snapshot(root, progress)
    files_before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    outcome = portable.restore(content.encode() if isinstance(content, str) else content, progress, root)
    assert not outcome.ok
    assert why in outcome.message, outcome.message
    assert outcome.message.startswith("Not restored:") and outcome.message.endswith("Nothing here was changed.")
    assert snapshot(root, progress) == before
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == files_before


def test_a_drill_in_another_notebook_does_not_undo_a_restore(tmp_path):
    """A lesson's kernel loaded progress before the restore; its next score must not drop what came in."""
    root, progress = filled(tmp_path)
    text = portable.dumps(progress, root)
    home = course_copy(tmp_path / "fresh")
    lesson_kernel = Progress(home / "progress.json")  # loaded while still empty
    assert portable.restore(text, Progress(home / "progress.json"), home).ok
    lesson_kernel.record(3, "classify", 5, 5)
    assert Progress(home / "progress.json").by_module() == {1: (9, 14), 2: (3, 7), 3: (5, 5)}


def test_session_kind_comes_from_binderhubs_variables_and_the_browser_platform():
    assert portable.session_kind({}, "linux") == "local"
    assert portable.session_kind({"BINDER_LAUNCH_HOST": "https://mybinder.org/"}, "linux") == "binder"
    assert portable.session_kind({"BINDER_REPO_URL": "https://example.org/repo"}, "linux") == "binder"
    assert portable.session_kind({}, "emscripten") == "browser"


def test_a_record_from_before_stamps_exports_and_restores_with_its_minute_as_the_time(tmp_path):
    root = course_copy(tmp_path / "old")
    (root / "progress.json").write_text(json.dumps({"version": 1, "activities": {
        "01/classify": {"module": 1, "activity": "classify", "score": 5, "total": 14, "best": 7,
                        "updated": "2026-11-20 18:05"}},
        "profiles": [{"label": "baseline", "ratings": {"contracting": 3}, "saved": "2026-11-20 18:00"}]}))
    text = portable.dumps(Progress(root / "progress.json"), root)
    fresh = course_copy(tmp_path / "fresh")
    outcome = portable.restore(text, Progress(fresh / "progress.json"), fresh)
    expected = {"activities": 1, "profiles": 1, "answers": 0, "attempts": 0}
    assert outcome.ok and outcome.changed == expected, outcome.message
    restored = Progress(fresh / "progress.json")
    assert restored.by_module() == {1: (7, 14)} and restored.profiles()[0]["ratings"] == {"contracting": 3}
    # A later drill in the old home is newer than the restored copy, by its stamp.
    Progress(root / "progress.json").record(1, "classify", 2, 14)
    again = portable.restore(portable.dumps(Progress(root / "progress.json"), root), restored, fresh)
    assert again.changed["activities"] == 1 and restored.data["activities"]["01/classify"]["score"] == 2


def test_an_answer_keeps_its_own_time_when_another_answer_in_its_file_changes_later(tmp_path):
    root, progress = filled(tmp_path)
    first = portable.export(progress, root)["answers"]["01-contracting"]
    answer(root, "01-contracting", {"Q1": "good", "Q2": "good", "Q9": "advice-giving"}, 1_900_000_000)
    later = portable.export(progress, root)["answers"]["01-contracting"]
    assert later["Q2"]["stamp"] == 1_900_000_000 and later["Q1"]["stamp"] == first["Q1"]["stamp"] == 1_800_000_000


def _attempt(scene="contracting-p01", reply="What would tell you this was worth the time?"):
    return {"scene": scene, "technique": scene.rsplit("-", 1)[0], "reply": reply,
            "pitfalls": ["deference"], "strengths": ["open-question"], "rating": {}}


def test_your_turn_attempts_travel_in_the_progress_file_and_a_later_rating_wins(tmp_path):
    root, progress = filled(tmp_path)
    first = progress.add_attempt(_attempt(reply="<script>alert(1)</script> What do you want from this?"))
    second = progress.add_attempt(_attempt("boundaries-p02", "We agreed ninety minutes."))
    text = portable.dumps(progress, root)
    assert [a["id"] for a in json.loads(text)["attempts"]] == [first, second]

    fresh_root = course_copy(tmp_path / "fresh")
    fresh = Progress(fresh_root / "progress.json")
    outcome = portable.restore(text, fresh, fresh_root)
    assert outcome.ok and outcome.changed["attempts"] == 2, outcome.message
    back = Progress(fresh_root / "progress.json").attempts()
    assert [(a["scene"], a["reply"], a["pitfalls"], a["strengths"]) for a in back] == [
        ("contracting-p01", "<script>alert(1)</script> What do you want from this?", ["deference"], ["open-question"]),
        ("boundaries-p02", "We agreed ninety minutes.", ["deference"], ["open-question"])]
    assert all(type(a["stamp"]) is float and a["saved"] for a in back)

    # the learner rates the first reply here; the old file restored over it keeps the rating
    assert fresh.rate_attempt(first, {"1": "partly", "2": "yes", "3": "not yet"})
    outcome = portable.restore(text, fresh, fresh_root)
    assert outcome.ok and outcome.changed["attempts"] == 0
    assert Progress(fresh_root / "progress.json").attempts()[0]["rating"] == {"1": "partly", "2": "yes", "3": "not yet"}
    # and the rated one, carried back, replaces the unrated one there
    outcome = portable.restore(portable.dumps(fresh, fresh_root), progress, root)
    assert outcome.changed["attempts"] == 1 and progress.attempts()[0]["rating"]["2"] == "yes"
    assert not fresh.rate_attempt("contracting-p01@1.000", {"1": "yes"})  # an unknown reply is not invented


def test_a_file_from_before_attempts_still_restores_and_a_bad_attempt_is_refused(tmp_path):
    root, progress = filled(tmp_path)
    data = json.loads(portable.dumps(progress, root))
    del data["attempts"]
    fresh_root = course_copy(tmp_path / "fresh")
    outcome = portable.restore(json.dumps(data), Progress(fresh_root / "progress.json"), fresh_root)
    assert outcome.ok and outcome.changed["activities"] == 2 and outcome.changed["attempts"] == 0

    progress.add_attempt(_attempt())
    for bad in ({"reply": "x" * 5000}, {"id": "../../key@1"}, {"pitfalls": "deference"}, {"rating": {"1": 3}},
                {"stamp": -1}):
        data = json.loads(portable.dumps(progress, root))
        data["attempts"][0].update(bad)
        before = (fresh_root / "progress.json").read_text()
        outcome = portable.restore(json.dumps(data), Progress(fresh_root / "progress.json"), fresh_root)
        assert not outcome.ok and "practice reply 1" in outcome.message
        assert "Nothing here was changed" in outcome.message
        assert (fresh_root / "progress.json").read_text() == before


def test_progress_keeps_only_the_newest_attempts(tmp_path, monkeypatch):
    from powercoach import progress as progress_module

    monkeypatch.setattr(progress_module, "MAX_ATTEMPTS", 3)
    p = Progress(tmp_path / "progress.json")
    ids = [p.add_attempt(_attempt(reply=f"reply {n}")) for n in range(5)]
    assert [a["reply"] for a in Progress(tmp_path / "progress.json").attempts()] == ["reply 2", "reply 3", "reply 4"]
    assert len(set(ids)) == 5
