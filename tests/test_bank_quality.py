"""The bank's quality thresholds, and the measures behind them checked on known data."""

from __future__ import annotations

import copy

import pytest
from conftest import KEY

from powercoach import roleplay
from powercoach.errors import DataError
from powercoach.instructor import quality


def test_every_quality_figure_meets_its_target():
    failing = [f.line() for f in quality.figures(KEY) if not f.ok]
    assert failing == []


def test_report_command_prints_every_figure(capsys):
    from powercoach.bank.__main__ import main

    assert main(["report"]) == 0
    out = capsys.readouterr().out
    for name in ("length-only rule accuracy", "question-mark rule accuracy", "naive Bayes",
                 "Cohen's kappa", "fewest poor items for a pitfall", "role-plays"):
        assert name in out
    for use in ("practice", "assessment"):
        for rule in quality.SET_RULES:
            for pick in ("best", "worst"):
                assert f"best-and-worst, {use} sets: '{rule}' picks the {pick}" in out


def test_every_surface_rule_is_held_for_both_uses_and_both_picks():
    names = {f.name for f in quality.figures(KEY)}
    held = {n for n in names if n.startswith("best-and-worst, ")}
    assert len(held) == 2 * 2 * len(quality.SET_RULES) == 32
    for rule in ("ends with a question", "longest", "shortest", "has the most question marks", "starts with I"):
        assert rule in quality.SET_RULES


def _set(best, worst, *texts):
    options = [{"key": k, "text": t} for k, t in zip("ABCD", texts, strict=True)]
    return {"best": best, "worst": worst, "options": options}


def test_set_rules_find_a_planted_giveaway_and_share_ties():
    # The best is always the longest question, the worst always a short statement opening with "I".
    sets = [_set("A", "D", "What would it take, and who would you need on side for it?", "Tell me more.",
                 "What now?", "I see.")] * 6
    rules = quality.SET_RULES
    assert quality.set_rule_share(sets, rules["longest"], "best") == 1.0
    assert quality.set_rule_share(sets, rules["shortest"], "worst") == 0.5  # a tie of two: half a pick
    assert quality.set_rule_share(sets, rules["starts with I"], "worst") == 1.0
    assert quality.set_rule_share(sets, rules["does not end with a question"], "worst") == 0.5
    assert quality.set_rule_share(sets, rules["ends with a question"], "best") == 0.5
    assert quality.set_rule_share(sets, rules["has the most question marks"], "best") == 0.5
    # A rule that selects nothing is a blind guess among the four.
    assert quality.set_rule_share(sets[:1], lambda texts: [False] * 4, "best") == 0.25
    assert quality.set_rule_share(sets, rules["starts with I"], "best") == 0.0


def test_starts_with_i_reads_the_word_not_the_letter():
    pick = quality.SET_RULES["starts with I"]
    assert pick(["I'd rather not.", "It is late.", "'I hear you.'", "In short, no."]) == [True, False, True, False]


def test_kappa_on_known_values():
    assert quality.cohen_kappa(["good", "poor"] * 5, ["good", "poor"] * 5) == 1.0
    # 20 pairs: observed 0.7, expected 0.5 -> kappa 0.4
    a = ["good"] * 10 + ["poor"] * 10
    b = ["good"] * 7 + ["poor"] * 3 + ["poor"] * 7 + ["good"] * 3
    assert quality.cohen_kappa(a, b) == pytest.approx(0.4)


def test_surface_rules_find_a_planted_giveaway():
    labels = ["good", "poor"] * 20
    lengths = [30 if lab == "good" else 10 for lab in labels]
    assert quality.best_threshold_accuracy(lengths, labels) == 1.0
    texts = ["What now?" if lab == "poor" else "Go on." for lab in labels]
    assert quality.question_rule_accuracy(texts, labels) == 1.0
    words = ["splendid choice indeed" if lab == "good" else "terrible move there" for lab in labels]
    assert quality.naive_bayes_cv_accuracy(words, labels) == 1.0
    assert quality.naive_bayes_cv_accuracy(["same words here"] * 40, labels) <= 0.6


def test_near_duplicates_are_found():
    sim, a, b = quality.most_similar_pair({
        "x": "let us agree what success looks like before we start",
        "y": "let us agree what success looks like before we begin",
        "z": "tell me about the board meeting on friday"})
    assert {a, b} == {"x", "y"} and sim > 0.6


def _rp():
    return copy.deepcopy(next(iter(roleplay.roleplays().values())))


def test_roleplays_are_deep_and_every_path_ends():
    for rp in roleplay.roleplays().values():
        assert roleplay.decisions_to_end(rp) >= 4
        assert roleplay.path_count(rp) >= 3 ** 4


@pytest.mark.parametrize("break_it, message", [
    (lambda rp: rp["nodes"][rp["start"]]["choices"][0].update(next="nowhere"), "does not exist"),
    (lambda rp: rp["nodes"][rp["start"]]["choices"][1].update(
        next=rp["nodes"][rp["start"]]["choices"][0]["next"]), "different next node"),
    (lambda rp: rp["nodes"].update(orphan={"ending": True, "client_says": "x", "debrief": "y"}), "unreachable"),
    (lambda rp: rp["nodes"][rp["nodes"][rp["start"]]["choices"][0]["next"]]["choices"][0].update(
        next=rp["start"]), "cycle"),
    (lambda rp: rp["nodes"][rp["start"]]["choices"][0].update(quality="best"), "one each of"),
])
def test_a_broken_roleplay_is_rejected_with_a_reason(break_it, message):
    rp = _rp()
    break_it(rp)
    with pytest.raises(DataError, match=message):
        roleplay.validate(rp)


def test_a_shallow_roleplay_is_rejected():
    rp = _rp()
    first = rp["nodes"][rp["start"]]["choices"][0]
    ending = next(n for n, node in rp["nodes"].items() if node.get("ending"))
    first["next"] = ending
    with pytest.raises(DataError, match="after 1 decisions"):
        roleplay.validate(rp)
