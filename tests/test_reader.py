"""The reply reader (issue #16): observations name the right words, odd input gets a plain notice,
the data file is sound, and the evaluation computes what a hand count gives."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from powercoach import reader, reader_eval

REPO = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).parent / "data" / "reader"
DATA_FILE = REPO / "src" / "powercoach" / "data" / "reader" / "en.json"

# One reply per pitfall, with a scene where it matters, and words the reader must name.
PITFALL_REPLIES = [
    ("advice-giving", "role-clarity", "Which option would you pick?",
     "If I were you, I'd go with the slower plan and tell the board on Monday.", "If I were you"),
    ("flattery", "respectful-confidence", "I built this firm from nothing.",
     "That is a remarkable achievement, and few leaders could have pulled it off. Where next?", "remarkable"),
    ("deference", "naming-power", "Just follow my agenda today.",
     "Of course, Minister, whatever works best for you. I'll follow your lead on the order.",
     "whatever works best for you"),
    ("collusion", "constructive-challenge", "My finance director went behind my back to the board.",
     "You're right, she should have come to you first. I'd be furious too.", "she should have"),
    ("rescuing", "active-listening", "I have to tell my oldest colleague he is out.",
     "Let me take that off your plate: I'll write the exact words tonight and send them over.", "Let me take"),
    ("interrogation", "courageous-questions", "The survey results were poor.",
     "Did you read it? Was it fair? Are the numbers right? Do you trust them?", "Did you read it?"),
    ("judgement", "evidence-based-feedback", "How did I come across in the meeting?",
     "Honestly, you were defensive with the auditors, and that is exactly the habit that hurts you.",
     "you were defensive"),
    ("aggression", "respectful-confidence", "What can someone like you teach someone like me?",
     "Seriously? Come on, that's an excuse, and you know it.", "Come on"),
    ("avoidance", "reading-the-room", "Anyway. The senate voted against me. Let's do the speech.",
     "Fair enough, let's leave the senate aside for another time and move on to the speech.", "for another time"),
    ("boundary-breach", "safe-space", "Does my deputy talk about me in his sessions?",
     "I can't go into detail, of course. What I would say is that it came through strongly from the finance team.",
     "What I would say is"),
    ("self-focus", "ego-and-purpose", "Have you ever run anything this size?",
     "In my experience, and I've worked with dozens of chief executives, believe me, this is normal.",
     "In my experience"),
    ("assumption", "active-listening", "The trial failed on Friday.",
     "You must be devastated, and it's natural to be grieving right now.", "You must be devastated"),
]

STRENGTH_REPLIES = [
    ("open-question", "courageous-questions", "",
     "What would your harshest board member say you are avoiding?", "What"),
    ("single-question", "courageous-questions", "", "Which call from that week would you want back?",
     "Which call from that week would you want back?"),
    ("client-words", "active-listening", "Eight months of work, and she never read the summary.",
     "Eight months of work, and the summary went unread.", "months"),
    ("observation", "evidence-based-feedback", "",
     "What I saw: twice you finished his sentence, and he stopped talking.", "What I saw"),
    ("names-process", "naming-power", "",
     "Look at what just happened: you're interviewing me, the way you would a supplier.", "look at what just happened"),
    ("holds-boundary", "boundaries", "Can you call me tonight?",
     "We agreed I'm not on call out of hours, and that stands. Let's look at Thursday.", "We agreed"),
]


def _spans_are_words(reading, reply):
    for o in reading.observations:
        assert o.words and len(o.words) == len(o.spans)
        for w, (s, e) in zip(o.words, o.spans, strict=True):
            assert reply[s:e] == w


@pytest.mark.parametrize("pitfall,technique,client,reply,word", PITFALL_REPLIES, ids=[p[0] for p in PITFALL_REPLIES])
def test_each_pitfall_names_its_words(pitfall, technique, client, reply, word):
    r = reader.read(reply, technique, client)
    assert r.notice is None
    assert r.pitfalls[0] == pitfall, r.to_dict()
    obs = r.observations[0]
    assert obs.kind == "pitfall" and obs.id == pitfall and obs.title and obs.message
    # the trigger is named, alone or inside a longer marked run (overlapping triggers are merged into one span)
    assert any(word.lower() in w.lower() for w in obs.words), obs.words
    assert word.lower() in obs.message.lower()
    _spans_are_words(r, reply)


@pytest.mark.parametrize("strength,technique,client,reply,word", STRENGTH_REPLIES, ids=[s[0] for s in STRENGTH_REPLIES])
def test_each_strength_names_its_words(strength, technique, client, reply, word):
    r = reader.read(reply, technique, client)
    assert strength in r.strengths, r.to_dict()
    obs = next(o for o in r.observations if o.id == strength)
    assert obs.kind == "strength" and obs.title == reader.STRENGTHS[strength] and obs.message
    assert any(w.lower() == word.lower() for w in obs.words), obs.words
    _spans_are_words(r, reply)


def test_observations_list_pitfalls_before_strengths_and_to_dict_has_the_contract():
    reply = "If I were you, I'd go with the slower plan. What do you think?"
    r = reader.read(reply, "role-clarity")
    kinds = [o.kind for o in r.observations]
    assert kinds == sorted(kinds, key=lambda k: k != "pitfall") and "strength" in kinds
    d = r.to_dict()
    assert set(d) == {"pitfalls", "observations", "notice"} and d["pitfalls"] == r.pitfalls
    assert set(d["observations"][0]) == {"kind", "id", "title", "message", "words", "spans"}
    json.dumps(d)


def test_holding_a_boundary_depends_on_the_technique():
    reply = "That isn't my role. What would you say to her yourself?"
    assert "holds-boundary" in reader.read(reply, "role-clarity").strengths
    assert "holds-boundary" not in reader.read(reply, "courageous-questions").strengths


def test_client_words_need_the_scene():
    reply = "Eight months of work, and the summary went unread."
    assert "client-words" not in reader.read(reply, "active-listening").strengths
    client = "Eight months of work; no one read the summary"
    assert "client-words" in reader.read(reply, "active-listening", client).strengths


def _practice_good():
    rows = reader_eval.bank_rows("practice")
    return [r for r in rows if r["label"] == "good"]


@pytest.mark.parametrize("item_id", ["active-listening-p02", "boundaries-p04", "courageous-questions-p01",
                                     "evidence-based-feedback-p02", "naming-power-p01", "safe-space-p02"])
def test_good_practice_replies_raise_no_pitfall(item_id):
    row = next(r for r in _practice_good() if r["item_id"] == item_id)
    r = reader.read(row["coach_says"], row["technique"], row["client_says"], row["context"])
    assert r.notice is None and r.pitfalls == [], r.to_dict()


@pytest.mark.parametrize("reply,kind", [
    ("", "empty"), ("   \n\t ", "empty"),
    ("x" * 100_000, "too_long"), ("I hear you. " * 20_000, "too_long"),
    ("Creo que deberías hablar con el consejo antes de tomar una decisión sobre el futuro de la empresa.",
     "not_english"),
    ("Ich glaube, Sie sollten mit dem Vorstand sprechen, bevor Sie eine Entscheidung über die Firma treffen.",
     "not_english"),
    ("这是一个很长的回答，但它不是英文的。我们应该谈谈董事会。", "not_english"),
    ("import os; os.system('x')", "code"), ("<script>alert(1)</script>", "code"),
    ("def f(x):\n    return x == 1", "code"),
])
def test_odd_replies_get_a_plain_notice(reply, kind):
    r = reader.read(reply)
    notices = reader.data("en")["notices"]
    expected = notices[kind].format(max=reader.MAX_CHARS, n=len(reply)) if kind == "too_long" else notices[kind]
    assert r.notice == expected
    assert r.observations == [] and r.pitfalls == [] and r.to_dict()["notice"] == expected


def test_non_strings_and_short_english_do_not_raise():
    assert reader.read(None).notice
    assert reader.read("Yes.").notice is None
    assert reader.read("Go on.", "active-listening", "").pitfalls == []


def test_highlight_escapes_html_and_names_each_mark_in_text():
    reply = "<script>alert(1)</script> If I were you, I'd go with C & tell them. What do you think?"
    # code-like text is refused by read(); the highlighter must still escape whatever it is given
    obs = reader.read(reply.replace("<script>alert(1)</script>", "Well,"), "role-clarity").observations
    shifted = [reader.Observation(o.kind, o.id, o.title, o.message, o.words,
                                  tuple((s + len("<script>alert(1)</script>") - len("Well,"),
                                         e + len("<script>alert(1)</script>") - len("Well,")) for s, e in o.spans))
               for o in obs]
    out = reader.highlight_html(reply, shifted)
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "C &amp; " in out and " & " not in out
    assert "<mark>If I were you</mark><sup>[advice-giving]</sup>" in out
    assert re.search(r"<mark>[^<]*What[^<]*</mark><sup>\[[^\]]*open-question", out)
    assert reader.highlight_html("a < b", []) == "a &lt; b"


def test_about_and_strengths_come_from_the_data_file():
    d = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    assert reader.ABOUT == d["about"] and "never a mark" in reader.ABOUT and "English" in reader.ABOUT
    assert set(reader.STRENGTHS) >= {"open-question", "single-question", "client-words", "observation",
                                     "names-process", "holds-boundary"}
    assert d["_about"].strip()


def test_the_data_file_validates():
    assert reader_eval.check() == []
    d = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    pitfall_ids = {p["id"] for p in json.loads((DATA_FILE.parents[1] / "pitfalls.json").read_text())}
    assert set(d["pitfalls"]) == pitfall_ids
    for kind in ("pitfalls", "strengths"):
        for spec in d[kind].values():
            assert spec["message"].strip()
            for cue in spec["cues"]:
                re.compile(cue["pattern"])
                assert cue.get("message", spec["message"]).strip()


def test_every_observation_on_the_tuning_data_names_real_words():
    rows = reader_eval.bank_rows("practice") + reader_eval._read_csv(REPO / "evaluation" / "reader" / "dev.csv", ())
    suspected = 0
    for row in rows:
        r = reader.read(row["coach_says"], row["technique"], row["client_says"], row["context"])
        assert r.notice is None, row
        _spans_are_words(r, row["coach_says"])
        assert len(r.pitfalls) == len(set(r.pitfalls)) <= 3
        suspected += bool(r.pitfalls)
    assert 0 < suspected < len(rows)


def test_check_reports_a_broken_data_file(monkeypatch):
    broken = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    broken["pitfalls"]["no-such-pitfall"] = {"message": "", "cues": [{"id": "x", "pattern": "(unclosed"}]}
    monkeypatch.setattr(reader, "data", lambda lang="en": broken)
    broken["model"] = {**broken["model"], "features": broken["model"]["features"] + ["wc:no-such-class"]}
    problems = reader_eval.check()
    assert any("no-such-pitfall" in p and "pitfalls.json" in p for p in problems)
    assert any("no-such-class" in p for p in problems) and any("one weight per feature" in p for p in problems)
    assert any("does not compile" in p for p in problems)
    assert any("empty message" in p for p in problems)


def test_no_assessment_reply_is_in_the_data_files():
    text = "".join(p.read_text(encoding="utf-8") for p in DATA_FILE.parent.glob("*.json"))
    plain = text.replace("\\", "").lower()
    for row in reader_eval.bank_rows("assessment"):
        for sentence in re.split(r"(?<=[.?!])\s+", row["coach_says"]):
            if len(sentence) >= 40:
                assert sentence.lower() not in plain, (row["item_id"], sentence)


@pytest.mark.parametrize("corpus", ["CORPUS_V1", "CORPUS_V2", "CORPUS_V3", "CORPUS_V4"])
def test_no_validation_v1_to_v4_sentence_is_in_the_data_files(corpus):
    # v1 to v4 are tuned on since their first looks, but their sentences are never copied into the word lists
    text = "".join(p.read_text(encoding="utf-8") for p in DATA_FILE.parent.glob("*.json"))
    plain = text.replace("\\", "").lower()
    rows, _ = reader_eval.gold(getattr(reader_eval, corpus))
    assert len(rows) > 100
    for row in rows:
        for sentence in re.split(r"(?<=[.?!])\s+", row["coach_says"]):
            if len(sentence) >= 40:
                assert sentence.lower() not in plain, (row["reply_id"], sentence)


def test_import_powercoach_does_not_load_the_reader():
    code = ("import sys, powercoach; "
            "print(any(m.startswith('powercoach.reader') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_evaluate_on_the_fixture_gives_the_hand_count():
    # Hand count: 3 sheets, so a poor reply needs 2 reviewers on one pitfall. r4 labels differ, r5 has
    # three different pitfalls, r6 is missing from sheet c: kept r1 (good), r2 (advice-giving),
    # r3 (flattery: a and b), r7 (avoidance). The reader flags r2 and r3 with the gold first (r3 as
    # flattery alone) and misses r7 (those readings are asserted first); the baseline finds "of course"
    # and "remarkable" in r3 and names deference first.
    kept, _ = reader_eval.gold(FIXTURE)
    said = {r["reply_id"]: reader.read(r["coach_says"], r["technique"], r["client_says"], r["context"]).pitfalls
            for r in kept}
    # what the count assumes
    assert said == {"r1": [], "r2": ["advice-giving"], "r3": ["flattery"], "r7": []}
    results = reader_eval.evaluate(FIXTURE, None, None)
    v = results["validation"]
    assert (v["replies"], v["sheets"], v["kept"]) == (7, 3, 4)
    assert v["dropped"] == {"not reviewed by every sheet": 1, "labels differ": 1, "no pitfall agreed": 1}
    assert v["writer_vs_gold"] == {"compared": 4, "label_agree_pct": 100.0, "poor_compared": 3,
                                   "pitfall_agree_pct": 66.7}
    r, b = v["reader"], v["baseline"]
    assert (r["good"], r["poor"]) == (1, 3)
    assert (r["good_clean"], r["poor_flagged"], r["gold_among_flagged"], r["gold_first"]) == (100.0, 66.7, 100.0, 100.0)
    assert (b["good_clean"], b["poor_flagged"], b["gold_among_flagged"], b["gold_first"]) == (100.0, 66.7, 100.0, 50.0)
    assert r["per_pitfall"]["avoidance"] == {"gold": 1, "flagged": 0, "precision": None, "recall": 0.0}
    assert r["per_pitfall"]["advice-giving"] == {"gold": 1, "flagged": 1, "precision": 100.0, "recall": 100.0}
    assert b["per_pitfall"]["deference"] == {"gold": 0, "flagged": 1, "precision": 0.0, "recall": None}
    assert r["per_pitfall"]["deference"] == {"gold": 0, "flagged": 0, "precision": None, "recall": None}
    assert r["confusion"] == {"(good)": {"none": 1}, "advice-giving": {"advice-giving": 1},
                              "flattery": {"flattery": 1}, "avoidance": {"none": 1}}
    assert b["confusion"]["flattery"] == {"deference": 1}


def test_evaluate_command_prints_json_and_text():
    cmd = [sys.executable, "-m", "powercoach.reader", "evaluate", "--corpus", str(FIXTURE), "--only", "validation"]
    out = subprocess.run(cmd + ["--json"], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout)["validation"]["kept"] == 4
    text = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    assert "kept 4" in text and "baseline" in text and "confusion" in text


def test_evaluate_says_plainly_when_the_corpus_is_missing(tmp_path):
    results = reader_eval.evaluate(tmp_path / "nowhere", None, None)
    assert "No file at" in results["validation"]["missing"]
    assert "not evaluated" in reader_eval.report(results)


@pytest.mark.parametrize("name", ["dev.csv", "check.csv"])
def test_the_dev_and_check_sets_have_the_corpus_columns_and_labels(name):
    path = REPO / "evaluation" / "reader" / name
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    cols = {"reply_id", "technique", "client_role", "sector", "context", "client_says", "coach_says",
            "label", "pitfall"}
    assert cols <= set(rows[0])
    pitfall_ids = {p["id"] for p in json.loads((DATA_FILE.parents[1] / "pitfalls.json").read_text())}
    for r in rows:
        assert r["label"] in {"good", "poor"}
        assert r["pitfall"] in pitfall_ids if r["label"] == "poor" else not r["pitfall"]


def test_an_unknown_language_or_a_stray_semicolon_is_handled_plainly():
    assert "reads English" in reader.read("Bonjour, comment allez-vous aujourd'hui ?", lang="fr").notice
    assert reader.read("I hear you; go on.", "active-listening").notice is None


def test_the_held_out_corpus_is_v5_and_its_absence_is_said_plainly(tmp_path, monkeypatch):
    assert reader_eval.CORPUS.name == "validation-v5"
    assert reader_eval.CORPUS_V1.name == "validation" and reader_eval.CORPUS_V2.name == "validation-v2"
    assert reader_eval.CORPUS_V3.name == "validation-v3" and reader_eval.CORPUS_V4.name == "validation-v4"
    monkeypatch.setattr(reader_eval, "CORPUS", tmp_path / "validation-v5")
    results = reader_eval.evaluate(reader_eval.CORPUS, None, None, corpus_v1=FIXTURE, corpus_v2=FIXTURE,
                                   corpus_v3=FIXTURE, corpus_v4=FIXTURE)
    v5 = results["validation"]
    assert v5["title"] == "held out: validation corpus v5" and "reader" not in v5
    assert "not here" in v5["missing"] and "validation-v5" in v5["missing"]
    for name, version in (("validation-v1", "v1"), ("validation-v2", "v2"), ("validation-v3", "v3"),
                          ("validation-v4", "v4")):
        v = results[name]  # the rest is still reported
        assert v["kept"] == 4 and v["tuned_on"] and "reader" in v
        title = f"TUNED ON: validation corpus {version} (looked at once, see FIRST_LOOK.md; tuned on since)"
        assert title in v["title"]
    text = reader_eval.report(results)
    assert "held out: validation corpus v5\n   not evaluated:" in text
    assert text.index("TUNED ON: validation corpus v4") < text.index("TUNED ON: validation corpus v3") \
        < text.index("TUNED ON: validation corpus v2") < text.index("TUNED ON: validation corpus v1")


@pytest.mark.parametrize("version", ["v4", "v3", "v2", "v1"])
def test_only_a_tuned_on_corpus_reports_it_alone(version):
    name = f"validation-{version}"
    cmd = [sys.executable, "-m", "powercoach.reader", "evaluate", f"--corpus-{version}", str(FIXTURE),
           "--only", name, "--json"]
    out = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
    assert list(out) == [name] and out[name]["kept"] == 4
    assert out[name]["title"].startswith(f"TUNED ON: validation corpus {version} (looked at once")
    assert out[name]["reader"]["poor_flagged"] == 66.7


_TWICE = re.compile(r"\b(\w+)\b\W{1,4}\b\1\b", re.IGNORECASE)


def test_a_message_never_says_a_word_twice_in_a_row():
    # A quoted trigger used to sit next to the same word in the message text: "'... on that one?': one
    # question", "... and 'and you know it'", "... happens next); 'next' (...)", "'she', 'she'".
    one = reader.read("Shall I take the lead on that one?", "naming-power")
    msg = next(o.message for o in one.observations if o.id == "single-question")
    assert msg.startswith("'Shall I take the lead on that…': one question"), msg
    assert one.observations[-1].words == ("Shall I take the lead on that one?",)  # the words themselves are whole
    assert reader._quote("and you know it", "in 'simply not credible' and ", " (sarcasm)") == "'…you know it'"
    assert reader._quote("next", "next) and ", "") == "'next'"  # a one-word quote is never emptied
    rows = reader_eval._read_csv(reader_eval.DEV, ("coach_says",)) + reader_eval._read_csv(reader_eval.CHECK, ())
    said = 0
    for row in rows:
        r = reader.read(row["coach_says"], row["technique"] or None, row["client_says"], row["context"])
        for o in r.observations:
            said += 1
            assert not _TWICE.search(o.message), (row["reply_id"], o.message)
    assert said > 300


def test_training_leaves_each_of_v1_to_v4_out_and_never_reads_the_held_out_corpus(monkeypatch):
    # scripts/train_reader.py chooses its settings by leaving each tuned-on corpus out in turn; since round five
    # v4 is one of them. Its rows come from v1 to v4 and the other tuning sets, never from the held-out folder.
    monkeypatch.syspath_prepend(str(REPO / "scripts"))
    import train_reader

    assert train_reader.CORPORA == ("validation-v1", "validation-v2", "validation-v3", "validation-v4")
    opened = []
    real_gold = reader_eval.gold
    monkeypatch.setattr(reader_eval, "gold", lambda folder: (opened.append(Path(folder).name), real_gold(folder))[1])
    rows = train_reader.rows()
    assert opened == ["validation", "validation-v2", "validation-v3", "validation-v4"]
    sources = {r["source"] for r in rows}
    assert set(train_reader.CORPORA) <= sources
    assert sum(r["source"] == "validation-v4" for r in rows) > 100
