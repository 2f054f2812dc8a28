"""The answers file a click-answered exercise saves: tolerant to read, careful to write."""

import json

from powercoach import answers


def test_round_trip(tmp_path):
    answers.save("01-contracting", {"Q1": "good"}, tmp_path)
    assert answers.load("01-contracting", tmp_path) == ({"Q1": "good"}, [])


def test_a_missing_file_means_no_answers_and_no_warning(tmp_path):
    assert answers.load("01-contracting", tmp_path) == ({}, [])


def test_a_corrupt_file_warns_and_is_kept_as_backup_on_next_save(tmp_path):
    path = answers.path_for("01-contracting", tmp_path)
    path.write_text('{"exercise": "01-contracting", "answers": {"Q1": "go', encoding="utf-8")
    found, warnings = answers.load("01-contracting", tmp_path)
    assert found == {} and "damaged" in warnings[0]
    answers.save("01-contracting", {"Q2": "poor"}, tmp_path)
    assert path.with_name(path.name + ".bak").read_text(encoding="utf-8").endswith('"go')
    assert answers.load("01-contracting", tmp_path) == ({"Q2": "poor"}, [])


def test_tampered_values_are_dropped_not_promoted(tmp_path):
    path = answers.path_for("01-contracting", tmp_path)
    path.write_text(json.dumps({"exercise": "01-contracting", "score": 100, "answers": {
        "Q1": ["good", "poor"], "Q2": {"any": True}, "Q3": "poor"}}), encoding="utf-8")
    found, warnings = answers.load("01-contracting", tmp_path)
    assert found == {"Q3": "poor"}
    assert len(warnings) == 2


def test_another_exercises_file_is_not_used(tmp_path):
    path = answers.path_for("02-role-clarity", tmp_path)
    path.write_text(json.dumps({"exercise": "01-contracting", "answers": {"Q1": "good"}}))
    found, warnings = answers.load("02-role-clarity", tmp_path)
    assert found == {} and "belongs to exercise '01-contracting'" in warnings[0]
