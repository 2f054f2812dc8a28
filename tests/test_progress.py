"""The learner's progress file: damaged or unwritable never means a crash or a lost file."""

import json

import pytest

from powercoach.progress import Progress


def test_scores_and_profiles_survive_a_reload(tmp_path):
    path = tmp_path / "progress.json"
    p = Progress(path)
    p.record(1, "classify", 10, 14)
    p.record(1, "classify", 8, 14)
    p.add_profile("baseline", {"contracting": 3})
    again = Progress(path)
    assert again.by_module() == {1: (10, 14)}  # the best score counts
    assert again.profiles()[0]["ratings"] == {"contracting": 3}
    assert again.warnings == []


def test_the_path_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("POWERCOACH_PROGRESS", str(tmp_path / "mine.json"))
    Progress().record(2, "classify", 1, 1)
    assert (tmp_path / "mine.json").exists()


@pytest.mark.parametrize("content", ["{not json", json.dumps([1, 2, 3]), "\udcff"])
def test_a_damaged_file_is_kept_as_backup_and_a_fresh_record_starts(tmp_path, content):
    path = tmp_path / "progress.json"
    path.write_text(content, encoding="utf-8", errors="surrogateescape")
    p = Progress(path)
    assert p.by_module() == {} and "fresh record starts" in p.warnings[0]
    backups = list(tmp_path.glob("progress.json.*.bak"))
    assert len(backups) == 1
    assert backups[0].read_bytes() == content.encode("utf-8", errors="surrogateescape")
    p.record(3, "classify", 1, 2)
    assert Progress(path).by_module() == {3: (1, 2)}


def test_a_path_that_cannot_be_a_file_warns_and_keeps_the_record_in_memory(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    p = Progress(blocker / "progress.json")
    p.record(1, "classify", 1, 1)
    assert p.by_module() == {1: (1, 1)}
    assert "cannot be saved" in p.warnings[0] and "POWERCOACH_PROGRESS" in p.warnings[0]
