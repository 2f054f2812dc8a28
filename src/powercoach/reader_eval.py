"""How well the reply reader reads: ``python -m powercoach.reader evaluate`` (issue #16).

Side by side, for the reader and a named baseline (``data/reader/baseline-<lang>.json``: a few
phrases per pitfall, no weights, no scene), on each data set, reported separately:

1. held out: the validation corpus v5 (``evaluation/reader/validation-v5/``; ``--corpus DIR``), whose
   gold labels come from the blind reviewers' sheets (see :func:`gold`); when it is absent the
   report says so and gives the rest;
2. a second check: the bank's assessment items, with their labels from the instructor's key
   (``key/items.csv``); never trained on;
3. what the reader was tuned on (not held-out figures): the validation corpora v1, v2, v3 and v4
   (``evaluation/reader/validation/``, ``validation-v2/``, ``validation-v3/`` and ``validation-v4/``, each
   looked at once, see its FIRST_LOOK.md, tuned on since), the
   author's check set (``evaluation/reader/check.csv``), the development set
   (``evaluation/reader/dev.csv``) and the bank's practice items.

Figures: good replies with no pitfall flagged; poor replies with some pitfall flagged; of the
flagged poor replies, how often the gold pitfall is among those flagged and named first; precision
and recall per pitfall; a confusion table (gold pitfall x first suspected, and "none").
``python -m powercoach.reader check`` validates the data file. Stdlib only.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from . import reader

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "evaluation" / "reader" / "validation-v5"  # held out: never read while the reader is built
CORPUS_V1 = REPO / "evaluation" / "reader" / "validation"  # looked at once (FIRST_LOOK.md), tuned on since
CORPUS_V2 = REPO / "evaluation" / "reader" / "validation-v2"  # looked at once (FIRST_LOOK.md), tuned on since
CORPUS_V3 = REPO / "evaluation" / "reader" / "validation-v3"  # looked at once (FIRST_LOOK.md), tuned on since
CORPUS_V4 = REPO / "evaluation" / "reader" / "validation-v4"  # looked at once (FIRST_LOOK.md), tuned on since
DEV = REPO / "evaluation" / "reader" / "dev.csv"
CHECK = REPO / "evaluation" / "reader" / "check.csv"
BANK = Path(__file__).resolve().parent / "data" / "bank"
KEY = REPO / "key"
SCENE = ("technique", "client_says", "context")
TARGETS = {"good_clean": 85.0, "poor_flagged": 75.0, "gold_among_flagged": 60.0, "gold_first": 45.0}


class EvalError(Exception):
    """A data set is missing or malformed; the message says which and how."""


# --- data sets ---------------------------------------------------------------------------------

def _read_csv(path: Path, needed: tuple[str, ...]) -> list[dict]:
    try:
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
            fields = rows[0].keys() if rows else ()
    except FileNotFoundError:
        raise EvalError(f"No file at {path}.") from None
    except UnicodeDecodeError:
        raise EvalError(f"{path} is not UTF-8 text.") from None
    missing = [c for c in needed if rows and c not in fields]
    if missing:
        raise EvalError(f"{path.name}: missing column(s) {', '.join(missing)}.")
    return [{k: (v or "").strip() for k, v in r.items() if k} for r in rows]


def gold(corpus: Path) -> tuple[list[dict], dict]:
    """The corpus replies whose gold label the reviewers agree on, and what was kept and why.

    A reply is kept only when every reviewer sheet gives it the same label; a poor reply only when
    at least two reviewers (a strict majority when there are three or more sheets) name the same
    pitfall, which is its gold pitfall.
    """
    replies = _read_csv(corpus / "corpus.csv", ("reply_id", "technique", "client_says", "coach_says"))
    sheets = sorted((corpus / "review").glob("*.csv"))
    if not sheets:
        raise EvalError(f"No reviewer sheets in {corpus / 'review'}.")
    reviews = [{r["reply_id"]: r for r in _read_csv(s, ("reply_id", "label", "pitfall"))} for s in sheets]
    need = max(2, len(sheets) // 2 + 1)
    kept, dropped = [], {"not reviewed by every sheet": 0, "labels differ": 0, "no pitfall agreed": 0}
    for row in replies:
        rid = row["reply_id"]
        got = [rv.get(rid) for rv in reviews]
        if any(g is None for g in got):
            dropped["not reviewed by every sheet"] += 1
            continue
        labels = {g["label"].lower() for g in got}
        if len(labels) != 1 or labels - {"good", "poor"}:
            dropped["labels differ"] += 1
            continue
        label = labels.pop()
        pitfall = ""
        if label == "poor":
            counts: dict[str, int] = {}
            for g in got:
                if g["pitfall"]:
                    counts[g["pitfall"]] = counts.get(g["pitfall"], 0) + 1
            best = [p for p, n in counts.items() if n >= need]
            if len(best) != 1:
                dropped["no pitfall agreed"] += 1
                continue
            pitfall = best[0]
        kept.append({**row, "label": label, "pitfall": pitfall})
    info = {"replies": len(replies), "sheets": len(sheets), "kept": len(kept), "dropped": dropped}
    writer_path = corpus / "writer_labels.csv"
    if writer_path.exists():
        writer = {r["reply_id"]: r for r in _read_csv(writer_path, ("reply_id", "label", "pitfall"))}
        both = [r for r in kept if r["reply_id"] in writer]
        same_label = sum(writer[r["reply_id"]]["label"].lower() == r["label"] for r in both)
        poor = [r for r in both if r["label"] == "poor"]
        same_pitfall = sum(writer[r["reply_id"]]["pitfall"] == r["pitfall"] for r in poor)
        info["writer_vs_gold"] = {"compared": len(both), "label_agree_pct": _pct(same_label, len(both)),
                                  "poor_compared": len(poor), "pitfall_agree_pct": _pct(same_pitfall, len(poor))}
    return kept, info


def bank_rows(use: str) -> list[dict]:
    """The bank's rows of one use (practice or assessment), read as plain CSV."""
    rows = []
    for path in sorted(BANK.glob("*.csv")):
        rows += [r for r in _read_csv(path, ("item_id", "use")) if r["use"] == use]
    return rows


def assessment(key: Path) -> list[dict]:
    """The bank's assessment items with their labels from the instructor's key (evaluation only)."""
    answers = {r["item_id"]: r for r in _read_csv(key / "items.csv", ("item_id", "label", "pitfall"))}
    return [{**r, "label": answers[r["item_id"]]["label"], "pitfall": answers[r["item_id"]]["pitfall"]}
            for r in bank_rows("assessment") if r["item_id"] in answers]


# --- the two readers ---------------------------------------------------------------------------

def baseline_data(lang: str = "en") -> dict:
    path = reader._data_path(lang).parent / f"baseline-{lang}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def baseline(reply: str, phrases: dict[str, list[str]]) -> list[str]:
    """Keyword lists alone: pitfalls whose phrases occur, most phrases first (no weights, no scene)."""
    low = reply.lower()
    hits = {p: sum(w.lower() in low for w in words) for p, words in phrases.items()}
    order = list(phrases)
    return sorted((p for p, n in hits.items() if n), key=lambda p: (-hits[p], order.index(p)))


def _reader(row: dict) -> list[str]:
    return reader.read(row["coach_says"], row.get("technique") or None, row.get("client_says", ""),
                       row.get("context", "")).pitfalls


# --- figures -----------------------------------------------------------------------------------

def _pct(n: int, d: int) -> float | None:
    return round(100.0 * n / d, 1) if d else None


def figures(rows: list[dict], predict) -> dict:
    """Every figure for one reader on one labelled data set."""
    pitfall_ids = [p["id"] for p in json.loads((BANK.parent / "pitfalls.json").read_text(encoding="utf-8"))]
    good = [r for r in rows if r["label"] == "good"]
    poor = [r for r in rows if r["label"] == "poor"]
    pred = {id(r): predict(r) for r in rows}
    flagged = [r for r in poor if pred[id(r)]]
    among = sum(r["pitfall"] in pred[id(r)] for r in flagged)
    first = sum(pred[id(r)][0] == r["pitfall"] for r in flagged)
    per = {}
    for p in pitfall_ids:
        tp = sum(r["label"] == "poor" and r["pitfall"] == p and p in pred[id(r)] for r in rows)
        said = sum(p in pred[id(r)] for r in rows)
        gold_n = sum(r["label"] == "poor" and r["pitfall"] == p for r in rows)
        per[p] = {"gold": gold_n, "flagged": said, "precision": _pct(tp, said), "recall": _pct(tp, gold_n)}
    confusion: dict[str, dict[str, int]] = {}
    for r in rows:
        g = r["pitfall"] if r["label"] == "poor" else "(good)"
        f = pred[id(r)][0] if pred[id(r)] else "none"
        confusion.setdefault(g, {}).setdefault(f, 0)
        confusion[g][f] += 1
    return {"n": len(rows), "good": len(good), "poor": len(poor),
            "good_clean": _pct(sum(not pred[id(r)] for r in good), len(good)),
            "poor_flagged": _pct(len(flagged), len(poor)),
            "gold_among_flagged": _pct(among, len(flagged)),
            "gold_first": _pct(first, len(flagged)),
            "gold_first_of_all_poor": _pct(first, len(poor)),
            "per_pitfall": per, "confusion": confusion}


def evaluate(corpus: Path | None = CORPUS, key: Path | None = KEY, dev: Path | None = DEV, lang: str = "en",
             check_set: Path | None = None, corpus_v1: Path | None = None, corpus_v2: Path | None = None,
             corpus_v3: Path | None = None, corpus_v4: Path | None = None) -> dict:
    """Figures for the reader and the baseline on each data set that is present.

    ``corpus`` is the held-out corpus (by default validation corpus v5); ``corpus_v1`` to ``corpus_v4``
    the earlier validation corpora, which the reader has been tuned on since each was looked at once.
    """
    phrases = baseline_data(lang)["pitfalls"]
    sets: list[tuple[str, str, list[dict] | None, dict]] = []
    if corpus is not None:
        corpus = Path(corpus)
        name = "validation corpus v5" if corpus.resolve() == CORPUS.resolve() else f"the corpus in {corpus}"
        if not (corpus / "corpus.csv").exists():
            sets.append(("validation", f"held out: {name}", None, {
                "missing": f"No file at {corpus / 'corpus.csv'}: the held-out {name} is not here, so there are "
                           "no held-out figures (the other data sets are reported as usual)."}))
        else:
            try:
                rows, info = gold(corpus)
                sets.append(("validation", f"held out: {name}, reviewers' gold", rows, info))
            except EvalError as e:
                sets.append(("validation", f"held out: {name}", None, {"missing": str(e)}))
    if key is not None:
        try:
            rows = assessment(key)
            sets.append(("assessment", "second check, never trained on: the bank's assessment items "
                         "(key/items.csv)", rows, {}))
        except EvalError as e:
            sets.append(("assessment", "second check: the bank's assessment items", None, {"missing": str(e)}))
    for name, version, folder in (("validation-v4", "v4", corpus_v4), ("validation-v3", "v3", corpus_v3),
                                  ("validation-v2", "v2", corpus_v2), ("validation-v1", "v1", corpus_v1)):
        if folder is None:
            continue
        title = f"TUNED ON: validation corpus {version} (looked at once, see FIRST_LOOK.md; tuned on since)"
        try:
            rows, info = gold(folder)
            sets.append((name, title + ", reviewers' gold", rows, {**info, "tuned_on": True}))
        except EvalError as e:
            sets.append((name, title, None, {"missing": str(e), "tuned_on": True}))
    if check_set is not None:
        title = "TUNED ON: the author's check set (evaluation/reader/check.csv; read once, tuned on since)"
        try:
            sets.append(("check", title, _read_csv(check_set, ("coach_says", "label", "pitfall")),
                         {"tuned_on": True}))
        except EvalError as e:
            sets.append(("check", title, None, {"missing": str(e), "tuned_on": True}))
    if dev is not None:
        try:
            sets.append(("dev", "TUNED ON: the development set (evaluation/reader/dev.csv)",
                         _read_csv(dev, ("coach_says", "label", "pitfall")), {"tuned_on": True}))
        except EvalError as e:
            sets.append(("dev", "TUNED ON: the development set", None, {"missing": str(e), "tuned_on": True}))
        sets.append(("practice", "TUNED ON: the bank's practice items", bank_rows("practice"), {"tuned_on": True}))
    out = {}
    for name, title, rows, info in sets:
        entry = {"title": title, **info}
        if rows is not None:
            entry["reader"] = figures(rows, _reader)
            entry["baseline"] = figures(rows, lambda r: baseline(r["coach_says"], phrases))
            entry["beats_baseline"] = _beats(entry["reader"], entry["baseline"])
            entry["meets_targets"] = {k: (entry["reader"][k] or 0) >= t for k, t in TARGETS.items()}
        out[name] = entry
    return out


def _beats(a: dict, b: dict) -> dict:
    return {k: (a[k] or 0) > (b[k] or 0) for k in TARGETS}


# --- the report --------------------------------------------------------------------------------

def _f(v) -> str:
    return "  -  " if v is None else f"{v:5.1f}"


def report(results: dict) -> str:
    lines = []
    for entry in results.values():
        lines.append(f"== {entry['title']}")
        if "missing" in entry:
            lines.append(f"   not evaluated: {entry['missing']}")
            continue
        if "kept" in entry:
            d = entry["dropped"]
            lines.append(f"   {entry['replies']} replies, {entry['sheets']} reviewer sheets: kept {entry['kept']}, "
                         "dropped " + ", ".join(f"{n} ({why})" for why, n in d.items()))
            if "writer_vs_gold" in entry:
                w = entry["writer_vs_gold"]
                lines.append(f"   writer vs gold: label {_f(w['label_agree_pct'])}% of {w['compared']}, "
                             f"pitfall {_f(w['pitfall_agree_pct'])}% of {w['poor_compared']} poor")
        r, b = entry["reader"], entry["baseline"]
        lines.append(f"   {r['n']} replies ({r['good']} good, {r['poor']} poor)     reader  baseline  target")
        names = {"good_clean": "good, no pitfall flagged  %", "poor_flagged": "poor, some pitfall flagged %",
                 "gold_among_flagged": "gold among flagged (of flagged poor) %",
                 "gold_first": "gold named first (of flagged poor) %",
                 "gold_first_of_all_poor": "gold named first (of all poor) %"}
        for k, label in names.items():
            t = TARGETS.get(k)
            lines.append(f"   {label:<40} {_f(r[k])}   {_f(b[k])}   {'' if t is None else f'>= {t:.0f}'}")
        lines.append("   per pitfall: gold n, reader precision/recall %, baseline precision/recall %")
        for p, v in r["per_pitfall"].items():
            bv = b["per_pitfall"][p]
            lines.append(f"     {p:<16} {v['gold']:3d}   {_f(v['precision'])} / {_f(v['recall'])}"
                         f"    {_f(bv['precision'])} / {_f(bv['recall'])}")
        for who, fig in (("reader", r), ("baseline", b)):
            lines.append(f"   confusion ({who}): gold (rows) x first suspected (columns)")
            cols = sorted({c for row in fig["confusion"].values() for c in row} - {"none"}) + ["none"]
            short = {c: c[:6] for c in cols}
            lines.append("     " + " " * 16 + " ".join(f"{short[c]:>6}" for c in cols))
            for g in sorted(fig["confusion"]):
                row = fig["confusion"][g]
                lines.append(f"     {g:<16}" + " ".join(f"{row.get(c, 0) or '.':>6}" for c in cols))
        lines.append("")
    return "\n".join(lines)


def check(lang: str = "en") -> list[str]:
    """Problems in the data file (empty list when it is sound)."""
    import re

    from .catalog import pitfalls

    problems = []
    d = reader.data(lang)
    ids = set(pitfalls())
    for p in d["pitfalls"]:
        if p not in ids:
            problems.append(f"pitfalls: '{p}' is not in pitfalls.json")
    for p in baseline_data(lang)["pitfalls"]:
        if p not in ids:
            problems.append(f"baseline: '{p}' is not in pitfalls.json")
    for kind in ("pitfalls", "strengths"):
        for target, spec in d[kind].items():
            if not str(spec.get("message", "")).strip():
                problems.append(f"{kind}.{target}: empty message")
            for cue in spec.get("cues", []):
                try:
                    re.compile(cue["pattern"])
                except (re.error, KeyError) as e:
                    problems.append(f"{kind}.{target}.{cue.get('id')}: pattern does not compile ({e})")
                if "message" in cue and not str(cue["message"]).strip():
                    problems.append(f"{kind}.{target}.{cue.get('id')}: empty message")
    for name, f in d["features"].items():
        if "message" in f and not f["message"].strip():
            problems.append(f"features.{name}: empty message")
        for ref, where in (("pitfall", ids), ("strength", set(d["strengths"]))):
            if ref in f and f[ref] not in where:
                problems.append(f"features.{name}: unknown {ref} '{f[ref]}'")
    for k, v in d["notices"].items():
        if not v.strip():
            problems.append(f"notices.{k}: empty message")
    for name, wc in d.get("word_classes", {}).items():
        try:
            re.compile(reader.expand(wc["pattern"], d.get("lexicons", {})))
        except (re.error, KeyError) as e:
            problems.append(f"word_classes.{name}: pattern does not compile ({e})")
    model = d.get("model")
    if model:
        if set(model["classes"]) != ids | {"good"}:
            problems.append("model: its classes must be 'good' and every pitfall id")
        n = len(model["features"])
        for cls in model["classes"]:
            if len(model["coef"].get(cls, ())) != n or cls not in model["intercept"]:
                problems.append(f"model: class '{cls}' needs one weight per feature and an intercept")
        known = ("lex:", "wc:", "strength:", "q:", "client:", "context:", "technique:")
        for f in model["features"]:
            kind, _, rest = f.partition(":")
            if not f.startswith(known) or (kind == "wc" and rest not in d.get("word_classes", {})) \
                    or (kind == "lex" and rest not in ids) or (kind == "strength" and rest not in d["strengths"]):
                problems.append(f"model: feature '{f}' is not one the reader computes")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m powercoach.reader", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    ev = sub.add_parser("evaluate", help="figures for the reader and the baseline")
    ev.add_argument("--corpus", type=Path, default=CORPUS,
                    help="the held-out corpus folder (default: evaluation/reader/validation-v5)")
    ev.add_argument("--corpus-v4", type=Path, default=CORPUS_V4,
                    help="the validation corpus v4 (tuned on since its first look)")
    ev.add_argument("--corpus-v3", type=Path, default=CORPUS_V3,
                    help="the validation corpus v3 (tuned on since its first look)")
    ev.add_argument("--corpus-v2", type=Path, default=CORPUS_V2,
                    help="the validation corpus v2 (tuned on since its first look)")
    ev.add_argument("--corpus-v1", type=Path, default=CORPUS_V1,
                    help="the validation corpus v1 (tuned on since its first look)")
    ev.add_argument("--key", type=Path, default=KEY, help="the instructor's key folder (assessment labels)")
    ev.add_argument("--dev", type=Path, default=DEV, help="the development set (tuned on)")
    ev.add_argument("--check", type=Path, default=CHECK, help="the author's check set (tuned on)")
    ev.add_argument("--only", choices=("validation", "assessment", "validation-v4", "validation-v3", "validation-v2",
                                       "validation-v1", "check", "dev", "practice"),
                    action="append",
                    help="evaluate only these data sets")
    ev.add_argument("--json", action="store_true", help="print the figures as JSON")
    sub.add_parser("check", help="validate the data file")
    args = parser.parse_args(argv)
    if args.command == "check":
        problems = check()
        print("\n".join(problems) if problems else "The reader's data file is sound.")
        return 1 if problems else 0
    only = set(args.only or ())
    results = evaluate(args.corpus if not only or "validation" in only else None,
                       args.key if not only or "assessment" in only else None,
                       args.dev if not only or only & {"dev", "practice"} else None,
                       check_set=args.check if not only or "check" in only else None,
                       corpus_v1=args.corpus_v1 if not only or "validation-v1" in only else None,
                       corpus_v2=args.corpus_v2 if not only or "validation-v2" in only else None,
                       corpus_v3=args.corpus_v3 if not only or "validation-v3" in only else None,
                       corpus_v4=args.corpus_v4 if not only or "validation-v4" in only else None)
    if only:
        results = {k: v for k, v in results.items() if k in only}
    try:
        print(json.dumps(results, indent=1) if args.json else report(results))
    except BrokenPipeError:  # piped into head: stop quietly
        sys.stderr.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
