"""Learn the reply reader's weights (a development step; scikit-learn is a test extra only).

The reader's run-time code is a small interpreter of ``src/powercoach/data/reader/en.json``; this
script fits the one learned part of that file, ``model``: a multinomial logistic regression over
the reader's NAMED features (``reader.evidence``: each pitfall's hand-written cue evidence, word
classes, strengths, questions, the client's words given back, the scene's technique), with the
classes "good" and the twelve pitfalls. Only the weights are written; every feature keeps its
name, so each suspicion can say which words raised it.

It trains ONLY on the bank's practice items (and the best and worst options of its practice sets)
and the development set (evaluation/reader/dev.csv),
never on assessment items or the validation corpus. Cross-validation on those rows picks the
regularisation and the flagging threshold were chosen on a fresh batch of the dev set held out
(``--holdout``); then the model is fitted on all of them.

    .venv/bin/python scripts/train_reader.py            # cross-validate, fit, write the model
    .venv/bin/python scripts/train_reader.py --dry-run  # cross-validate and print only
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

from sklearn.linear_model import LogisticRegression

from powercoach import reader, reader_eval

DATA_FILE = Path(reader._data_path("en"))
GRID_C = (0.03, 0.1, 0.3, 1.0)
GRID_TAU = (0.35, 0.45, 0.55, 0.65)  # flag when P(good) is below this
# C was chosen with --holdout on the dev set's third batch (dev-89 to dev-127), written fresh and
# read by the reader only then: C=0.1 gave good clean 95.2%, poor flagged 72.2%, gold among flagged
# 76.9%, first 61.5% there (tau 0.55); larger C fitted the cues' own rows and generalised worse.
# The flagging threshold tau is then the largest whose cross-validated good-clean figure stays at or
# above MIN_GOOD_CLEAN: cross-validation is optimistic here, so the margin over the 85% target.
CHOSEN_C, CHOSEN_WEIGHT = 0.1, None
MIN_GOOD_CLEAN = 88.0
FOLDS, SEED = 5, 16


def dump(raw: dict) -> str:
    """JSON for a person to read: one entry a line, but short lists (words, weights) on one line."""
    text = json.dumps(raw, indent=1, ensure_ascii=False)
    flat = re.compile(r'\[\n\s*((?:(?:-?[\d.e-]+|"(?:[^"\\\n]|\\.)*"),?\s*)+)\]')
    return flat.sub(lambda m: "[" + " ".join(m.group(1).split()) + "]", text) + "\n"


# The practice best-and-worst sets add examples: each best option is a good reply, and each worst
# option a poor one, with the primary pitfall I read in it and its reason (my labels; the sets name none).
WORST_PITFALL = {
    "active-listening-bw1": "self-focus", "active-listening-bw2": "advice-giving",
    "boundaries-bw1": "boundary-breach", "boundaries-bw2": "deference",
    "constructive-challenge-bw1": "aggression", "constructive-challenge-bw2": "judgement",
    "contracting-bw1": "advice-giving", "contracting-bw2": "flattery",
    "courageous-questions-bw1": "judgement", "courageous-questions-bw2": "assumption",
    "ego-and-purpose-bw1": "self-focus", "ego-and-purpose-bw2": "self-focus",
    "evidence-based-feedback-bw1": "boundary-breach", "evidence-based-feedback-bw2": "judgement",
    "naming-power-bw1": "deference", "naming-power-bw2": "collusion",
    "reading-the-room-bw1": "assumption", "reading-the-room-bw2": "self-focus",
    "respectful-confidence-bw1": "deference", "respectful-confidence-bw2": "deference",
    "role-clarity-bw1": "rescuing", "role-clarity-bw2": "aggression",
    "safe-space-bw1": "judgement", "safe-space-bw2": "boundary-breach",
}


def best_worst_rows() -> list[dict]:
    out = []
    for path in sorted((reader_eval.BANK.parent / "best_worst").glob("*.json")):
        for s in json.loads(path.read_text(encoding="utf-8")):
            if s["use"] != "practice":
                continue
            options = {o["key"]: o["text"] for o in s["options"]}
            scene = {k: s[k] for k in ("technique", "client_says", "context")}
            out.append({**scene, "coach_says": options[s["best"]], "label": "good", "pitfall": ""})
            out.append({**scene, "coach_says": options[s["worst"]], "label": "poor",
                        "pitfall": WORST_PITFALL[s["set_id"]]})
    return out


def rows() -> list[dict]:
    dev = reader_eval._read_csv(reader_eval.DEV, ("coach_says", "label", "pitfall"))
    return reader_eval.bank_rows("practice") + best_worst_rows() + dev


def vectors(data: list[dict]) -> tuple[list[str], list[list[float]], list[str]]:
    xs = [reader.evidence(r["coach_says"], r.get("technique") or None, r.get("client_says", ""),
                          r.get("context", ""))[1] for r in data]
    names = sorted({n for x in xs for n in x})
    return names, [[x[n][0] if n in x else 0.0 for n in names] for x in xs], \
        [r["pitfall"] if r["label"] == "poor" else "good" for r in data]


def fit(names, X, y, c: float, weight) -> dict:
    lr = LogisticRegression(C=c, max_iter=5000, class_weight=weight)
    lr.fit(X, y)
    classes = list(lr.classes_)
    return {"classes": classes, "features": names,
            "coef": {k: [round(float(w), 4) for w in lr.coef_[i]] for i, k in enumerate(classes)},
            "intercept": {k: round(float(lr.intercept_[i]), 4) for i, k in enumerate(classes)}}


def with_all_classes(model: dict) -> dict:
    """A fold may lack a rare pitfall: give it weights that never win."""
    for p in reader.data("en")["pitfalls"]:
        if p not in model["coef"]:
            model["classes"].append(p)
            model["coef"][p] = [0.0] * len(model["features"])
            model["intercept"][p] = -50.0
    return model


def cross_validate(data, names, X, y, c, weight, taus) -> dict:
    order = list(range(len(data)))
    random.Random(SEED).shuffle(order)
    folds = [order[i::FOLDS] for i in range(FOLDS)]
    preds: dict[float, dict[int, list[str]]] = {t: {} for t in taus}
    d = reader.data("en")
    saved = d.get("model")
    try:
        for k in range(FOLDS):
            test = set(folds[k])
            train = [i for i in order if i not in test]
            model = with_all_classes(fit(names, [X[i] for i in train], [y[i] for i in train], c, weight))
            for t in taus:
                d["model"] = {**model, "flag_below_good": t, "also_within": 0.5, "max_pitfalls": 3, "min_gain": 0.3}
                for i in test:
                    r = data[i]
                    preds[t][i] = reader.read(r["coach_says"], r.get("technique") or None,
                                              r.get("client_says", ""), r.get("context", "")).pitfalls
    finally:
        if saved is None:
            d.pop("model", None)
        else:
            d["model"] = saved
    out = {}
    idx = {id(r): i for i, r in enumerate(data)}
    for t in taus:
        out[t] = reader_eval.figures(data, lambda r, t=t: preds[t][idx[id(r)]])
    return out


def holdout(path: Path) -> None:
    data = rows()
    fresh = reader_eval._read_csv(path, ("coach_says", "label", "pitfall"))
    reader.data("en").pop("model", None)
    names, X, y = vectors(data)
    d = reader.data("en")
    for weight in (None, "balanced"):
        for c in GRID_C:
            model = with_all_classes(fit(names, X, y, c, weight))
            for t in GRID_TAU + (0.75,):
                d["model"] = {**model, "flag_below_good": t, "also_within": 0.5, "max_pitfalls": 3, "min_gain": 0.3}
                f = reader_eval.figures(fresh, lambda r: reader.read(r["coach_says"], r.get("technique") or None,
                                                                     r.get("client_says", ""),
                                                                     r.get("context", "")).pitfalls)
                print(f"C={c:<5} weight={str(weight):<8} tau={t:.2f}: good clean {f['good_clean']:5.1f}  "
                      f"poor flagged {f['poor_flagged']:5.1f}  gold among {f['gold_among_flagged']}  "
                      f"first {f['gold_first']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dry-run", action="store_true")
    ap.add_argument("--holdout", type=Path, help="a CSV of fresh labelled replies (dev.csv's columns): "
                    "fit on the usual rows and print each setting's figures on it, to choose honestly")
    args = ap.parse_args()
    if args.holdout:
        return holdout(args.holdout)
    data = rows()
    d = reader.data("en")
    d.pop("model", None)  # features never depend on the model, but start clean
    names, X, y = vectors(data)
    print(f"{len(data)} rows ({y.count('good')} good), {len(names)} named features")
    taus = tuple(round(0.40 + 0.025 * i, 3) for i in range(9))
    chosen = None
    for t, f in cross_validate(data, names, X, y, CHOSEN_C, CHOSEN_WEIGHT, taus).items():
        print(f"cross-validated (optimistic: the cues were written from these rows), C={CHOSEN_C} tau={t:.3f}: "
              f"good clean {f['good_clean']:5.1f}  poor flagged {f['poor_flagged']:5.1f}  "
              f"gold among {f['gold_among_flagged']}  first {f['gold_first']}")
        if f["good_clean"] >= MIN_GOOD_CLEAN:
            chosen = t
    c, weight, t = CHOSEN_C, CHOSEN_WEIGHT, chosen
    print(f"chosen: C={c}, tau={t} (the largest whose cross-validated good-clean is >= {MIN_GOOD_CLEAN}%)")
    if args.dry_run:
        return
    model = fit(names, X, y, c, weight)
    model.update({"flag_below_good": t, "also_within": 0.5, "max_pitfalls": 3, "min_gain": 0.3,
                  "_about": (f"Learned by scripts/train_reader.py (multinomial logistic regression, C={c}, "
                             f"class weight {weight}) on the bank's practice items and evaluation/reader/dev.csv "
                             "only. coef[class][i] weighs features[i]; a reply is flagged when P(good) < "
                             "flag_below_good, naming the pitfalls within also_within of the most likely one, "
                             "each with the words of the features that raised it by more than min_gain.")})
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    raw["model"] = model
    DATA_FILE.write_text(dump(raw), encoding="utf-8")
    print(f"wrote the model into {DATA_FILE}")


if __name__ == "__main__":
    main()
