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


A = "01-contracting"
GOOD = json.dumps({"exercise": A, "version": 1, "answers": {"Q1": "good"}})


def test_the_self_check_and_grading_never_follow_a_link_pipe_device_or_hard_link(tmp_path):
    """answers.load is what the self-check, the format check and grading read: none of these is
    read, nothing blocks (a pipe or /dev/zero would), and each says why."""
    import os

    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(GOOD)
    cases = {
        "link": lambda p: p.symlink_to(elsewhere),
        "device": lambda p: p.symlink_to("/dev/zero"),
        "pipe": lambda p: os.mkfifo(p),
        "hard link": lambda p: os.link(elsewhere, p),
    }
    for name, make in cases.items():
        folder = tmp_path / name.replace(" ", "-")
        folder.mkdir()
        make(answers.path_for(A, folder))
        found, warnings = answers.load(A, folder)
        assert found == {} and len(warnings) == 1, name
    assert "is a link" in answers.load(A, tmp_path / "link")[1][0]
    assert "named pipe" in answers.load(A, tmp_path / "pipe")[1][0]
    assert "hard link" in answers.load(A, tmp_path / "hard-link")[1][0]


def test_deeply_nested_json_is_refused_before_parsing(tmp_path):
    deep = '{"exercise": "' + A + '", "answers": ' + "[" * 30000 + "]" * 30000 + "}"
    assert len(deep) < answers.MAX_BYTES
    answers.path_for(A, tmp_path).write_text(deep)
    found, warnings = answers.load(A, tmp_path)
    assert found == {} and "nests more than" in warnings[0]


def test_typed_lines_count_only_as_plain_top_level_lines():
    source = "\n".join([
        "answers = ex.saved_answers()  # your clicks above",
        'answers["Q1"] = "good"',
        "if True:", '    answers["Q2"] = "poor"',
        "def later():", '    answers["Q3"] = "poor"',
        '"answers[\'Q4\'] = \'good\'"',
        '# answers["Q5"] = "good"',
        'answers["Q6"] = "poor"; answers["Q7"] = "good"',
    ])
    found, ignored = answers.typed(source)
    assert found == {"Q1": "good", "Q6": "poor", "Q7": "good"}
    assert [line.split(":")[0] for line in ignored] == ["line 3", "line 5", "line 7"]


def test_a_cell_that_does_not_parse_counts_no_typed_line_and_says_where():
    found, ignored = answers.typed('answers["Q1"] = "good"\nanswers["Q2"] = "poor\nif x:\n    answers["Q3"] = "good"')
    assert found == {} and len(ignored) == 1
    assert ignored[0].startswith("line 2:") and "does not read as Python" in ignored[0]


def test_huge_and_deep_cells_are_refused_quickly_with_a_reason():
    many = "\n".join(['answers["Q1"] = "good"'] * 100_000)
    found, ignored = answers.typed(many)
    assert found == {} and "100,000 lines" in ignored[0]
    found, ignored = answers.typed('answers["Q1"] = "good"\nx = ' + "1+" * 5000 + "1")
    assert found == {} and "nests too deeply" in ignored[0]
