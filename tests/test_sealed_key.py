"""The class pool's key is committed only sealed (issue #18, part 1).

- Sealing and unsealing give back a key folder exactly; a wrong passphrase says so in one line
  and writes nothing; a damaged seal says so.
- The committed seal covers every class item and set of the bank.
- No class answer appears in plain text anywhere in the repository, its whole history
  included: checked with the seal's fingerprints (digests of every eight-word run of the class
  key's answer texts), so the check needs no passphrase, and by the shape of every file that
  names a class item. The wheel (test_learner_install) and the browser-only site (test_lite)
  are scanned the same way.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest
from conftest import BIN, REPO

from powercoach import bank, papers
from powercoach import key as keys
from powercoach.instructor import seal, standard

SEALED, PRINTS = REPO / seal.SEALED, REPO / seal.FINGERPRINTS
CLASS_IDS = {i for i, r in bank.rows().items() if r["use"] == "class"}
CLASS_SETS = {i for i, s in bank.best_worst_sets().items() if s["use"] == "class"}


def cli(*args, cwd, env=None):
    return subprocess.run([str(BIN / "powercoach"), *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def test_seal_then_unseal_gives_back_the_key_folder_exactly(tmp_path):
    source = REPO / "key"  # any key folder will do; the public one is at hand
    sealed = tmp_path / "sealed" / "k.sealed"
    envelope = seal.seal(source, "correct horse battery", sealed, tmp_path / "prints.json")
    rationale = next(r for r in csv.DictReader(io.StringIO((source / "items.csv").read_text())))["rationale"]
    assert rationale[:30] not in sealed.read_text() and envelope["covers"]["items"][0].startswith("active-listening")
    written = seal.unseal(sealed, "correct horse battery", tmp_path / "out")
    want = {p.relative_to(source).as_posix(): p.read_bytes() for p in source.rglob("*") if p.is_file()}
    got = {p.relative_to(tmp_path / "out").as_posix(): p.read_bytes() for p in written}
    assert got == want and len(got) > 20
    # a fresh salt each time: the same folder never seals to the same bytes
    again = seal.seal(source, "correct horse battery", tmp_path / "again.sealed", None)
    assert again["token"] != envelope["token"] and again["sha256"] == envelope["sha256"]


def test_a_wrong_passphrase_says_so_in_one_line_and_writes_nothing(tmp_path):
    course = tmp_path / "course"
    (course / "sealed").mkdir(parents=True)
    seal.seal(REPO / "key", "the right one", course / seal.SEALED, None)
    (tmp_path / "wrong.txt").write_text("not the right one\n")
    run = cli("key", "unseal", "--passphrase-file", str(tmp_path / "wrong.txt"), cwd=course)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.strip().count("\n") == 0 and "passphrase does not open" in run.stderr
    assert "Traceback" not in run.stderr
    assert sorted(p.name for p in course.iterdir()) == ["sealed"]
    # the right one, from the environment, writes the key where grading looks for it
    run = cli("key", "unseal", cwd=course, env={seal.PASSPHRASE_ENV: "the right one"})
    assert run.returncode == 0, run.stderr
    assert (course / keys.CLASS_FOLDER / "items.csv").read_bytes() == (REPO / "key/items.csv").read_bytes()
    assert oct((course / keys.CLASS_FOLDER).stat().st_mode & 0o777) == "0o700"
    # a wrong passphrase later leaves that copy as it was
    before = {p: p.read_bytes() for p in (course / keys.CLASS_FOLDER).rglob("*") if p.is_file()}
    run = cli("key", "unseal", "--passphrase-file", str(tmp_path / "wrong.txt"), cwd=course)
    assert run.returncode == 2
    assert {p: p.read_bytes() for p in (course / keys.CLASS_FOLDER).rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("damage, says", [
    (lambda e: e.update(token=e["token"][:-20] + "A" * 20), "does not open"),
    (lambda e: e.update(format="something else"), "not a sealed key of this version"),
    (lambda e: e.pop("kdf"), "damaged"),
])
def test_a_damaged_seal_says_so_and_writes_nothing(tmp_path, damage, says):
    sealed = tmp_path / "k.sealed"
    envelope = seal.seal(REPO / "key", "pass", sealed, None)
    damage(envelope)
    sealed.write_text(json.dumps(envelope))
    with pytest.raises(seal.SealError, match=says):
        seal.unseal(sealed, "pass", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_unsealing_again_replaces_the_old_copy_whole(tmp_path):
    sealed = tmp_path / "k.sealed"
    seal.seal(REPO / "key", "pass", sealed, None)
    out = tmp_path / "class-key"
    out.mkdir()
    (out / "stale.csv").write_text("left from an older key")
    seal.unseal(sealed, "pass", out)
    assert not (out / "stale.csv").exists() and (out / "items.csv").is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".class-key")] == []


def test_a_folder_that_is_not_a_key_is_not_sealed(tmp_path):
    (tmp_path / "items.csv").write_text("item_id\n")
    with pytest.raises(seal.SealError, match="not a key folder"):
        seal.seal(tmp_path, "pass", tmp_path / "k.sealed", None)
    (tmp_path / "best_worst.json").symlink_to("/etc/passwd")
    with pytest.raises(seal.SealError, match="link"):
        seal.seal(tmp_path, "pass", tmp_path / "k.sealed", None)


def test_the_committed_seal_covers_every_class_item_and_set_with_its_reviews():
    envelope = seal.read_envelope(SEALED)
    covers = envelope["covers"]
    assert set(covers["items"]) == CLASS_IDS and len(CLASS_IDS) == 396  # 33 per technique
    assert set(covers["sets"]) == CLASS_SETS and len(CLASS_SETS) == 36  # 3 per technique
    assert {"items.csv", "best_worst.json", "review/blind_labels.csv", "review/pitfall_picks.csv",
            "review/culture_items.csv"} <= set(covers["files"])
    assert envelope["kdf"]["name"] == "scrypt" and envelope["kdf"]["n"] >= 2**15
    prints = json.loads(PRINTS.read_text())
    # rationales (396), better responses (252) and option reasons (144), each of 20 words or more
    assert len(prints["digests"]) > 750 * 10


def test_the_fingerprints_find_a_quoted_answer_and_nothing_else(tmp_path):
    """The scan below is only as good as this: fingerprints of a known key find its texts."""
    prints = seal.Fingerprints(seal.fingerprints(seal.read_folder(REPO / "key")))
    row = next(r for r in keys.load(REPO / "key").rows() if r["use"] == "assessment" and r["label"] == "poor")
    assert prints.quoted(f"Someone wrote: {row['rationale'].upper()} (copied)") > 5
    assert prints.quoted(f"Someone wrote: {row['better_response']}") > 3
    assert prints.quoted((REPO / "course/01-contracting.ipynb").read_text()) == 0


def quoting_files(root) -> list[str]:
    """Files under ``root`` (and members of wheels and zips there) that quote a class answer."""
    import zipfile

    prints = seal.Fingerprints.read(PRINTS)
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.suffix in (".whl", ".zip"):
            with zipfile.ZipFile(path) as z:
                found += [f"{path}!{n}" for n in z.namelist()
                          if prints.quoted(z.read(n).decode("utf-8", errors="ignore"))]
        elif prints.quoted(path.read_bytes().decode("utf-8", errors="ignore")):
            found.append(str(path))
    return found


def tracked_files() -> list[str]:
    out = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z"], capture_output=True, check=True).stdout
    return [n for n in out.decode().split("\0") if n]


def history_blobs() -> list[bytes]:
    """Every file version the repository's history holds, on every branch."""
    return seal.history(REPO)


def test_no_class_answer_is_in_the_repository_or_anywhere_in_its_history():
    prints = seal.Fingerprints.read(PRINTS)
    assert (REPO / ".git").exists(), "run the tests from a git clone: the history is part of what is checked"
    files = tracked_files()
    assert "class-key/items.csv" not in files and not [f for f in files if f.startswith("class-key/")]
    for name in files:
        path = REPO / name
        if name in (seal.SEALED.as_posix(), seal.FINGERPRINTS.as_posix()) or not path.is_file():
            continue
        assert prints.quoted(path.read_bytes().decode("utf-8", errors="ignore")) == 0, (
            f"{name} quotes the class key (eight words in a row of a sealed answer); see sealed/README.md")
    blobs = history_blobs()
    assert len(blobs) > len(files)
    leaked = [b[:80] for b in blobs if prints.quoted(b.decode("utf-8", errors="ignore"))]
    assert leaked == []


def test_every_file_that_names_a_class_item_holds_only_its_scene():
    """A label or pitfall is too short to fingerprint: a file naming a class item is checked by shape."""
    allowed = {f"src/powercoach/data/bank/{t}.csv" for t in bank.catalog.techniques()}
    allowed |= {f"src/powercoach/data/best_worst/{t}.json" for t in bank.catalog.techniques()}
    allowed |= {"src/powercoach/data/class_papers.json", "src/powercoach/data/class_slots.json",
                "src/powercoach/data/class_pass_standards.json", seal.SEALED.as_posix(), seal.FINGERPRINTS.as_posix()}
    ratings = standard.PUBLIC_SHEETS["class"].relative_to(REPO)  # the class panel's ratings, places and points only
    allowed |= {p.relative_to(REPO).as_posix() for p in (REPO / ratings).glob("*.csv")}
    naming = []
    for name in tracked_files():
        path = REPO / name
        text = path.read_text(encoding="utf-8", errors="ignore") if path.is_file() else ""
        if any(i in text for i in CLASS_IDS | CLASS_SETS):
            naming.append(name)
    assert set(naming) <= allowed, sorted(set(naming) - allowed)
    for name in naming:
        if name.startswith(ratings.as_posix()):
            header = (REPO / name).read_text(encoding="utf-8").splitlines()[0].split(",")
            assert header in (standard.PUBLIC_ITEM_FIELDS, standard.PUBLIC_JUDGE_FIELDS), (name, header)
        elif name.endswith(".csv"):
            for row in csv.DictReader(io.StringIO((REPO / name).read_text(encoding="utf-8"))):
                if row["item_id"] in CLASS_IDS:
                    assert not any(row[c] for c in bank.ANSWER_COLUMNS), (name, row["item_id"])
        elif name.endswith(("class_papers.json", "class_slots.json")):  # ids in lists, nothing else
            parts = json.loads((REPO / name).read_text(encoding="utf-8")).values()
            ids = [i for p in parts for v in p.values() for x in v for i in (x if isinstance(x, list) else [x])]
            assert set(ids) <= CLASS_IDS | CLASS_SETS, name
        elif name.endswith("class_pass_standards.json"):  # each question's mean Angoff rating: a number
            for rated in json.loads((REPO / name).read_text(encoding="utf-8"))["ratings"].values():
                for question, rating in rated["questions"].items():
                    item, _, pick = question.partition(" ")
                    assert item in CLASS_IDS | CLASS_SETS and pick in ("", "best", "worst"), question
                    assert type(rating) is float, (question, rating)
        elif "best_worst" in name:
            for s in json.loads((REPO / name).read_text(encoding="utf-8")):
                if s["set_id"] in CLASS_SETS:
                    assert not {"best", "worst", "reasons"} & set(s) and not any("reason" in o for o in s["options"])


def test_every_exercise_has_a_class_paper_of_its_own_shape_over_class_items():
    import nbformat

    from powercoach.instructor.preprocessors import marking_cells

    seen = set()
    for path in sorted((REPO / "solutions").glob("*/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        own = [q for _, q in sorted(marking_cells(nb).items())]
        paper = papers.for_pool(path.stem, "class", own)
        assert [(q.qid, q.kind) for q in paper] == [(q.qid, q.kind) for q in own]
        used = {q.item_id for q in paper}
        assert used <= CLASS_IDS | CLASS_SETS and not used & seen  # no item is asked in two exercises
        seen |= used
    assert len(seen) >= 12 * 11 + 12


def test_a_class_learner_is_asked_the_class_paper_and_cannot_check_it_against_the_public_key(tmp_path, monkeypatch):
    from powercoach.exercise import Exercise

    monkeypatch.setenv(papers.ENV, "class")
    monkeypatch.setenv(keys.ENV, str(REPO / "key"))  # even with the public key at hand
    ex = Exercise("01-contracting", classify=_self_study("classify"),
                  diagnose=_self_study("diagnose"), folder=tmp_path)
    assert ex.pool == "class" and {q.item_id for q in ex.questions} <= CLASS_IDS
    assert ex.self_check().key is None  # "your instructor grades this exercise"
    monkeypatch.delenv(papers.ENV)
    ex = Exercise("01-contracting", classify=_self_study("classify"), diagnose=_self_study("diagnose"),
                  folder=tmp_path)
    assert ex.pool == "self-study" and ex.self_check().key is not None


def _self_study(part: str) -> list[str]:
    import ast

    import nbformat

    nb = nbformat.read(REPO / "solutions/01-contracting/01-contracting.ipynb", as_version=4)
    setup = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    call = next(n for n in ast.walk(ast.parse(setup.source)) if isinstance(n, ast.Call))
    return ast.literal_eval(next(k.value for k in call.keywords if k.arg == part))


def test_python_dash_m_bank_reports_the_class_pool_only_with_its_key(tmp_path):
    run = subprocess.run([sys.executable, "-m", "powercoach.bank", "report", "--class"], cwd=tmp_path,
                         capture_output=True, text=True)
    assert run.returncode == 1 and "unseal the class key first" in run.stderr and "Traceback" not in run.stderr
