"""Learn the reply reader's weights (a development step; scikit-learn is a test extra only).

The reader's run-time code is a small interpreter of ``src/powercoach/data/reader/en.json``; this
script fits the one learned part of that file, ``model``: a multinomial logistic regression over
the reader's NAMED features (``reader.evidence``: each pitfall's hand-written cue evidence, word
classes, strengths, questions, the client's words given back, the scene's technique), with the
classes "good" and the twelve pitfalls. Only the weights are written; every feature keeps its
name, so each suspicion can say which words raised it.

It trains on the tuning data only: the bank's practice items (and the best and worst options of its
practice sets), the development set (evaluation/reader/dev.csv), the author's check set
(evaluation/reader/check.csv) and the validation corpora v1 to v4 with their reviewers' gold
(evaluation/reader/validation/, validation-v2/, validation-v3/, validation-v4/: each looked at once, see
its FIRST_LOOK.md, tuned on since). Never on the bank's assessment items, and never on the held-out
corpus v5 (validation-v5/, which this script never opens).

The settings (regularisation C, class weights, and the flagging threshold tau) are chosen by
LEAVE ONE CORPUS OUT: fit on everything except validation corpus v1 and score v1; the same for v2,
v3 and v4. Each corpus was written by a different writer, as the next held-out corpus will be, so this
is the closest the tuning data comes to a new writer (cross-validation by scene keeps the other
replies of the same writer in training, and flatters). The rule: among the settings whose
leave-one-corpus-out good-clean figure is at least MIN_GOOD_CLEAN pooled over the four corpora and
MIN_GOOD_CLEAN_CORPUS on each, the one with the most poor replies flagged plus gold named first
(pooled; a tie goes to the cleaner setting). Read fresh, a new writer's good replies have stayed clean
up to about 4 points less often than these estimates said (v3: 93.8 left out, 89.6 at its first look)
and once as often (v4: 97.9 both), so 95 pooled and 92 on each aims at about 93 on the next corpus and
near 88 for the hardest writer, above the 85% target and the baseline's 86 to 90. Cross-validation by
scene is printed beside it, for the chosen setting only (it never chooses). Then the model is fitted on
all of it.

Even leave-one-corpus-out is optimistic: the word classes and general word lists were written after
reading those corpora's misses.

    .venv/bin/python scripts/train_reader.py            # cross-validate, fit, write the model
    .venv/bin/python scripts/train_reader.py --dry-run  # cross-validate and print only
    .venv/bin/python scripts/train_reader.py --without dev-214  # fit without a fresh dev batch, to read it once
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
GRID_WEIGHT = (None, "balanced")
GRID_TAU = tuple(round(0.30 + 0.025 * i, 3) for i in range(21))  # flag when P(good) is below this
# The baseline (keyword lists) keeps most good replies clean by flagging little (90.1% on v1); the
# reader must beat it on every figure, and cross-validation is optimistic: on dev batch 5, read fresh,
# good clean was 91.7% where cross-validation had said 94.1% (poor flagged 79.2% against 79.6%); on
# batch 6, read fresh, the reader only tied the baseline's good clean (95.8%) while flagging 83.3% of
# poor replies. Poor flagged has room above its 75% target and good clean little above the baseline's,
# hence the margin.
# Leave-one-corpus-out good clean, pooled over v1 to v4, and on each corpus (71 to 96 good replies each:
# one reply is 1.0 to 1.4 points). Read fresh, good clean has come in up to about 4 points below this estimate
# (v3's first look gave 89.6% where round three's features, fitted without v3, give 93.8%) and once above it
# (v4's first look gave 97.9%, round four's features fitted without v4 give 97.9% at the same tau). Round four
# asked 96 / 94 and left v4 at 97.9% good clean, 13 points over the 85% target, while poor flagged missed its
# 75% (69.8%). Round five asks 95 pooled and 92 on each corpus: the hardest writer should then stay near 88 even
# 4 points below its estimate, and a typical one about 93, still above the baseline's 86 to 90.
MIN_GOOD_CLEAN = 95.0
MIN_GOOD_CLEAN_CORPUS = 92.0
CORPORA = ("validation-v1", "validation-v2", "validation-v3", "validation-v4")
FOLDS, SEEDS = 5, (16, 17)
SHOWN = {"also_within": 0.5, "max_pitfalls": 3, "min_gain": 0.3}


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
    # Sets against type added on 3 December 2026, after round five's weights were fit: the next refit reads them.
    "reading-the-room-bw5": "judgement", "reading-the-room-bw6": "assumption",
    "constructive-challenge-bw5": "judgement",
    "evidence-based-feedback-bw5": "judgement", "respectful-confidence-bw5": "deference",
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
    """Every tuning row, each with its source."""
    def tag(rs, source):
        return [{**r, "source": source} for r in rs]

    dev = reader_eval._read_csv(reader_eval.DEV, ("coach_says", "label", "pitfall"))
    check = reader_eval._read_csv(reader_eval.CHECK, ("coach_says", "label", "pitfall"))
    v1, _ = reader_eval.gold(reader_eval.CORPUS_V1)
    v2, _ = reader_eval.gold(reader_eval.CORPUS_V2)
    v3, _ = reader_eval.gold(reader_eval.CORPUS_V3)
    v4, _ = reader_eval.gold(reader_eval.CORPUS_V4)
    return (tag(reader_eval.bank_rows("practice"), "practice") + tag(best_worst_rows(), "best-worst")
            + tag(dev, "dev") + tag(check, "check") + tag(v1, "validation-v1") + tag(v2, "validation-v2")
            + tag(v3, "validation-v3") + tag(v4, "validation-v4"))


def evidence(data: list[dict]) -> list[tuple[dict, dict]]:
    return [reader.evidence(r["coach_says"], r.get("technique") or None, r.get("client_says", ""),
                            r.get("context", "")) for r in data]


def vectors(ev) -> tuple[list[str], list[list[float]]]:
    names = sorted({n for _, x in ev for n in x})
    return names, [[x[n][0] if n in x else 0.0 for n in names] for _, x in ev]


def labels(data: list[dict]) -> list[str]:
    return [r["pitfall"] if r["label"] == "poor" else "good" for r in data]


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


def scene_folds(data: list[dict], seed: int) -> list[list[int]]:
    """FOLDS folds of row indices; the replies to one scene always share a fold."""
    scenes: dict[tuple, list[int]] = {}
    for i, r in enumerate(data):
        scenes.setdefault((r.get("technique", ""), r.get("client_says", ""), r.get("context", "")), []).append(i)
    keys = sorted(scenes)
    random.Random(seed).shuffle(keys)
    folds: list[list[int]] = [[] for _ in range(FOLDS)]
    for k in sorted(keys, key=lambda k: -len(scenes[k])):  # largest scenes first, into the smallest fold
        min(folds, key=len).extend(scenes[k])
    return folds


def cross_validate(data, ev, names, X, y, c, weight, taus) -> dict[float, list[dict[int, list[str]]]]:
    """For each tau, one prediction map per seed (row index -> suspected pitfalls)."""
    d = reader.data("en")
    out: dict[float, list[dict[int, list[str]]]] = {t: [] for t in taus}
    for seed in SEEDS:
        preds: dict[float, dict[int, list[str]]] = {t: {} for t in taus}
        for test in scene_folds(data, seed):
            held = set(test)
            train = [i for i in range(len(data)) if i not in held]
            model = with_all_classes(fit(names, [X[i] for i in train], [y[i] for i in train], c, weight))
            for t in taus:
                m = {**model, "flag_below_good": t, **SHOWN}
                for i in test:
                    found, x = ev[i]
                    preds[t][i] = reader.decide(data[i]["coach_says"], found, x, {**d, "model": m})[0]
        for t in taus:
            out[t].append(preds[t])
    return out


def leave_one_corpus_out(data, ev, names, X, y, c, weight, taus, corpora) -> dict[float, dict[int, list[str]]]:
    """For each tau, one prediction map over the rows of every corpus, each corpus scored by a model fitted
    on everything else."""
    d = reader.data("en")
    out: dict[float, dict[int, list[str]]] = {t: {} for t in taus}
    for source in corpora:
        train = [i for i, r in enumerate(data) if r["source"] != source]
        test = [i for i, r in enumerate(data) if r["source"] == source]
        model = with_all_classes(fit(names, [X[i] for i in train], [y[i] for i in train], c, weight))
        for t in taus:
            m = {**model, "flag_below_good": t, **SHOWN}
            for i in test:
                out[t][i] = reader.decide(data[i]["coach_says"], *ev[i], {**d, "model": m})[0]
    return out


def loco_figures(data: list[dict], pred: dict[int, list[str]], corpora) -> dict:
    """Figures of the leave-one-corpus-out predictions, per corpus and pooled over the corpora."""
    out = {}
    for source in list(corpora) + ["pooled"]:
        sub = [i for i, r in enumerate(data)
               if (r["source"] == source if source != "pooled" else r["source"] in corpora)]
        idx = {id(data[i]): i for i in sub}
        out[source] = reader_eval.figures([data[i] for i in sub], lambda r, idx=idx: pred[idx[id(r)]])
    return out


def mean_figures(data: list[dict], pred_maps: list[dict[int, list[str]]]) -> dict:
    """The figures of each seed's predictions, averaged (per-pitfall tables of the first seed)."""
    idx = {id(r): i for i, r in enumerate(data)}
    runs = [reader_eval.figures(data, lambda r, p=p: p[idx[id(r)]]) for p in pred_maps]
    out = dict(runs[0])
    for k in ("good_clean", "poor_flagged", "gold_among_flagged", "gold_first", "gold_first_of_all_poor"):
        out[k] = round(sum(f[k] or 0 for f in runs) / len(runs), 1)
    return out


def line(f: dict) -> str:
    return (f"good clean {f['good_clean']:5.1f}  poor flagged {f['poor_flagged']:5.1f}  "
            f"gold among {f['gold_among_flagged']:5.1f}  first {f['gold_first']:5.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dry-run", action="store_true")
    ap.add_argument("--without", help="leave out the dev rows from this reply_id on (a fresh batch, for a first look)")
    args = ap.parse_args()
    data = rows()
    if args.without:
        start = int(args.without.rsplit("-", 1)[1])
        data = [r for r in data if not (r["source"] == "dev" and int(r["reply_id"].rsplit("-", 1)[1]) >= start)]
    d = reader.data("en")
    d.pop("model", None)  # features never depend on the model, but start clean
    ev = evidence(data)
    names, X = vectors(ev)
    y = labels(data)
    counts = {s: sum(r["source"] == s for r in data) for s in dict.fromkeys(r["source"] for r in data)}
    print(f"{len(data)} rows ({y.count('good')} good; {counts}), {len(names)} named features, "
          f"{FOLDS}-fold cross-validation by scene, seeds {SEEDS}")
    phrases = reader_eval.baseline_data("en")["pitfalls"]
    base = reader_eval.figures(data, lambda r: reader_eval.baseline(r["coach_says"], phrases))
    print(f"baseline (keyword lists, nothing learned) on the same rows: {line(base)}")
    corpora = [s for s in CORPORA if s in counts]
    results = []
    for weight in GRID_WEIGHT:
        for c in GRID_C:
            loco = leave_one_corpus_out(data, ev, names, X, y, c, weight, GRID_TAU, corpora)
            for t in GRID_TAU:
                results.append((c, weight, t, loco_figures(data, loco[t], corpora), loco[t]))

    def part(maps, source):
        sub = [i for i, r in enumerate(data) if r["source"] == source]
        return mean_figures([data[i] for i in sub], [{j: m[i] for j, i in enumerate(sub)} for m in maps])

    # The rule: leave-one-corpus-out is the guide (each corpus was written by someone else, as the next one
    # will be). Among the settings whose LOCO good clean is at least MIN_GOOD_CLEAN pooled over the corpora
    # and MIN_GOOD_CLEAN_CORPUS on each, the one with the most poor replies flagged plus gold named first.
    ok = [r for r in results if r[3]["pooled"]["good_clean"] >= MIN_GOOD_CLEAN
          and all(r[3][s]["good_clean"] >= MIN_GOOD_CLEAN_CORPUS for s in corpora)]
    ok.sort(key=lambda r: (-(r[3]["pooled"]["poor_flagged"] + r[3]["pooled"]["gold_first_of_all_poor"]),
                           -r[3]["pooled"]["good_clean"]))  # a tie goes to the cleaner setting
    print(f"best settings with leave-one-corpus-out good clean >= {MIN_GOOD_CLEAN}% pooled and >= "
          f"{MIN_GOOD_CLEAN_CORPUS}% on each corpus (ranked by LOCO poor flagged + gold first of all poor):")
    for c, weight, t, lf, _ in ok[:10]:
        print(f"  C={c:<5} weight={str(weight):<8} tau={t:.3f}: LOCO {line(lf['pooled'])}   | "
              + " | ".join(f"{s[-2:]}: {lf[s]['good_clean']:5.1f} / {lf[s]['poor_flagged']:5.1f}" for s in corpora))
    if not ok:
        raise SystemExit("No setting keeps enough good replies clean; loosen nothing, rethink the features.")
    c, weight, t, lf, _ = ok[0]
    # Cross-validation by scene never chooses (it flatters: the writer's other replies stay in training), so it
    # is run only for the chosen setting, to print beside leave-one-corpus-out.
    maps = cross_validate(data, ev, names, X, y, c, weight, (t,))[t]
    f = mean_figures(data, maps)
    print(f"chosen: C={c}, class weight {weight}, tau={t}")
    print("leave one corpus out (fit on everything but the corpus, score it once), chosen settings:")
    for source in corpora + ["pooled"]:
        rows_ = [r for r in data if r["source"] == source] if source != "pooled" else \
            [r for r in data if r["source"] in corpora]
        bf = reader_eval.figures(rows_, lambda r: reader_eval.baseline(r["coach_says"], phrases))
        print(f"  {source:<14} n={len(rows_):3d} reader   {line(lf[source])}")
        print(f"  {'':<14}       baseline {line(bf)}")
        if source != "pooled":
            weak = [f"{p} {v['recall']:.0f}" for p, v in lf[source]["per_pitfall"].items()
                    if v["gold"] and (v["recall"] or 0) < 50]
            print(f"  {'':<14}       recall under 50%: {', '.join(weak) or 'none'}")
    print("leave one corpus out per pitfall, pooled: gold n, precision / recall %")
    for p, v in lf["pooled"]["per_pitfall"].items():
        print(f"  {p:<16} {v['gold']:3d}  {reader_eval._f(v['precision'])} / {reader_eval._f(v['recall'])}")
    print(f"cross-validated by scene ({FOLDS} folds, seeds {SEEDS}; optimistic), chosen settings:")
    print(f"  all tuning data   reader   {line(f)}")
    print(f"  {'':<17} baseline {line(base)}")
    for source in counts:
        these = [r for r in data if r["source"] == source]
        pf = part(maps, source)
        bf = reader_eval.figures(these, lambda r: reader_eval.baseline(r["coach_says"], phrases))
        print(f"  {source:<14} n={len(these):3d} reader {line(pf)}")
        print(f"  {'':<14}       baseline {line(bf)}")
    if args.dry_run:
        return
    model = fit(names, X, y, c, weight)
    model.update({"flag_below_good": t, **SHOWN,
                  "_about": (f"Learned by scripts/train_reader.py (multinomial logistic regression, C={c}, "
                             f"class weight {weight}) on the tuning "
                             "data only: the bank's practice items and best/worst options, evaluation/reader/"
                             "dev.csv and check.csv, and the validation corpora v1 to v4 (reviewers' gold); "
                             "C, class weight and tau chosen by leave-one-corpus-out. "
                             "coef[class][i] weighs features[i]; a reply is flagged when P(good) < "
                             "flag_below_good, naming the pitfalls within also_within of the most likely one, "
                             "each with the words of the features that raised it by more than min_gain.")})
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    raw["model"] = model
    DATA_FILE.write_text(dump(raw), encoding="utf-8")
    print(f"wrote the model into {DATA_FILE}")


if __name__ == "__main__":
    main()
