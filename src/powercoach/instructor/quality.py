"""The bank's quality figures: size, balance, spread, surface cues, near-duplicates, and
agreement with blind reviewers, over the whole bank (the package's items with the key's answers).

``python -m powercoach.bank report`` prints them; tests assert the same thresholds, so the
numbers a writer sees are the numbers CI enforces.
"""

from __future__ import annotations

import csv
import math
import random
import re
from collections import Counter
from dataclasses import dataclass
from itertools import combinations

from .. import bank, catalog, papers, roleplay
from ..key import Key


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    target: str
    ok: bool

    def line(self) -> str:
        fraction = isinstance(self.value, float) and not self.value.is_integer()
        shown = f"{self.value:.3f}" if fraction else f"{self.value:g}"
        return f"[{'ok' if self.ok else 'FAIL'}] {self.name}: {shown} (target {self.target})"


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


# --- surface cues ------------------------------------------------------------------------------

def best_threshold_accuracy(values: list[float], labels: list[str]) -> float:
    """Accuracy of the best one-cut rule on a single number, in either direction."""
    best = 0.0
    n = len(values)
    for cut in sorted(set(values)):
        above_good = sum((v > cut) == (lab == "good") for v, lab in zip(values, labels, strict=True)) / n
        best = max(best, above_good, 1 - above_good)
    return best


def question_rule_accuracy(texts: list[str], labels: list[str]) -> float:
    hit = sum(("?" in t) == (lab == "good") for t, lab in zip(texts, labels, strict=True)) / len(texts)
    return max(hit, 1 - hit)


def naive_bayes_cv_accuracy(texts: list[str], labels: list[str], folds: int = 5, seed: int = 0) -> float:
    """Cross-validated accuracy of a multinomial naive Bayes on bags of words."""
    order = list(range(len(texts)))
    random.Random(seed).shuffle(order)
    docs = [Counter(words(t)) for t in texts]
    correct = 0
    for k in range(folds):
        test = set(order[k::folds])
        counts = {lab: Counter() for lab in bank.LABELS}
        priors = Counter()
        for i in order:
            if i not in test:
                counts[labels[i]].update(docs[i])
                priors[labels[i]] += 1
        vocab = set().union(*counts.values())
        totals = {lab: sum(c.values()) for lab, c in counts.items()}
        for i in test:
            scores = {lab: math.log(priors[lab]) + sum(
                n * math.log((counts[lab][w] + 1) / (totals[lab] + len(vocab))) for w, n in docs[i].items())
                for lab in bank.LABELS}
            correct += max(scores, key=scores.get) == labels[i]
    return correct / len(texts)


def most_similar_pair(texts: dict[str, str]) -> tuple[float, str, str]:
    """Highest Jaccard similarity of word trigram sets between two responses."""
    grams = {k: {tuple(w[i:i + 3]) for i in range(len(w) - 2)} for k, w in ((k, words(t)) for k, t in texts.items())}
    best = (0.0, "", "")
    for a, b in combinations(grams, 2):
        if grams[a] and grams[b]:
            sim = len(grams[a] & grams[b]) / len(grams[a] | grams[b])
            best = max(best, (sim, a, b))
    return best


# Surface rules for best-and-worst sets. Each selects the option(s) of a set that a learner
# reading for surface alone would pick; ties share the pick (a rule selecting three options
# earns a third when one of them is keyed), and a rule selecting nothing is a blind guess
# among all four. Length is counted in words. Each rule comes with its opposite, since a
# learner can use a cue either way ("the worst is the statement").
def _ends_with_question(text: str) -> bool:
    return text.rstrip().endswith("?")


def _starts_with_i(text: str) -> bool:
    return re.match(r"\W*I\b", text.strip()) is not None


def _extreme(measure, pick_max: bool):
    def rule(texts: list[str]) -> list[bool]:
        values = [measure(t) for t in texts]
        target = max(values) if pick_max else min(values)
        return [v == target for v in values]
    return rule


SET_RULES = {
    "ends with a question": lambda texts: [_ends_with_question(t) for t in texts],
    "does not end with a question": lambda texts: [not _ends_with_question(t) for t in texts],
    "longest": _extreme(lambda t: len(words(t)), True),
    "shortest": _extreme(lambda t: len(words(t)), False),
    "has the most question marks": _extreme(lambda t: t.count("?"), True),
    "has the fewest question marks": _extreme(lambda t: t.count("?"), False),
    "starts with I": lambda texts: [_starts_with_i(t) for t in texts],
    "does not start with I": lambda texts: [not _starts_with_i(t) for t in texts],
}


def set_rule_share(sets: list[dict], rule, pick: str) -> float:
    """Expected share of sets in which ``rule`` picks the keyed ``pick`` ("best" or "worst"):
    per set, the fraction of the rule's selected options that are keyed (all four when the
    rule selects none), averaged over the sets."""
    total = 0.0
    for s in sets:
        keys = [o["key"] for o in s["options"]]
        chosen = rule([o["text"] for o in s["options"]])
        selected = [k for k, c in zip(keys, chosen, strict=True) if c] or keys
        total += selected.count(s[pick]) / len(selected)
    return total / len(sets)


def sentences(text: str) -> int:
    return len([s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if len(words(s)) >= 3])


# --- agreement ---------------------------------------------------------------------------------

def cohen_kappa(a: list[str], b: list[str]) -> float:
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in set(a) | set(b)) / (n * n)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def read_reviews(key: Key, name: str) -> list[dict]:
    """A blind reviewers' sheet; they sit with the key (key/review/), since reviewers' labels
    of assessment items are as good as the answers."""
    with (key.folder / "review" / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


# --- the report --------------------------------------------------------------------------------

PUBLIC = bank.PUBLIC  # what the public key answers; the class pool is reported on its own


def figures(key: Key, uses: tuple[str, ...] = PUBLIC) -> list[Figure]:
    """Every figure over the bank's items of ``uses`` with the key's answers: the practice items
    and the self-study pool (with ``key/``), or the class pool alone (with ``class-key/``, whose
    review sheets sit in its own review/ folder). Counts scale with the number of uses."""
    frame = bank.frame(key.rows(uses))
    out: list[Figure] = []

    def add(name, value, target, ok):
        out.append(Figure(name, value, target, bool(ok)))

    least = 168 * len(uses)
    add("items", len(frame), f">= {least}", len(frame) >= least)
    cells = frame.groupby(["technique", "use"])
    add("fewest items in a technique x use", int(cells.size().min()), ">= 14", cells.size().min() >= 14)
    # What a learner could read off an item's surface is measured over the items asked good-or-poor:
    # all of them in the public pools; in the class pool, its classify slots' variants (a diagnose
    # item is asked as poor, for its pitfall).
    asked = frame
    if uses == ("class",):
        asked = frame.loc[sorted(papers.asked_good_or_poor() & set(frame.index))]
        slots = [s for parts in papers.class_slots().values() for s in parts.get("classify", [])]
        same = sum(len({frame.loc[i, "label"] for i in s}) == 1 for s in slots)
        add("classify slots whose three items share one label", same, "= 0", same == 0)
    good_share = asked.groupby(["technique", "use"])["label"].apply(lambda s: (s == "good").mean())
    add("lowest good share in a technique x use", float(good_share.min()), ">= 0.40", good_share.min() >= 0.4)
    add("highest good share in a technique x use", float(good_share.max()), "<= 0.60", good_share.max() <= 0.6)
    add("techniques covered", frame["technique"].nunique(), "= 12", frame["technique"].nunique() == 12)

    poor = frame[frame["label"] == "poor"]
    per_pitfall = poor.groupby("pitfall").agg(items=("item_id", "size"), techniques=("technique", "nunique"))
    per_pitfall = per_pitfall.reindex(list(catalog.pitfalls()), fill_value=0)
    least = 4 * len(uses)
    add("fewest poor items for a pitfall", int(per_pitfall["items"].min()), f">= {least}",
        per_pitfall["items"].min() >= least)
    add("fewest techniques for a pitfall", int(per_pitfall["techniques"].min()), ">= 4",
        per_pitfall["techniques"].min() >= 4)

    add("distinct client roles", frame["client_role"].str.lower().nunique(), ">= 30",
        frame["client_role"].str.lower().nunique() >= 30)
    add("distinct sectors", frame["sector"].str.lower().nunique(), ">= 12", frame["sector"].str.lower().nunique() >= 12)
    countries = frame["setting"].str.split(",").str[-1].str.strip().nunique()
    add("distinct countries", countries, ">= 12", countries >= 12)
    women = float((frame["client_gender"] == "woman").mean())
    add("share of clients who are women", women, "0.40 to 0.60", 0.4 <= women <= 0.6)

    sets = key.sets(uses).values()
    per_technique = Counter(s["technique"] for s in sets)
    fewest_sets = min(per_technique.get(t, 0) for t in catalog.techniques())
    least = 4 if "practice" in uses else 1
    add("fewest best-and-worst sets for a technique", fewest_sets, f">= {least}", fewest_sets >= least)
    for use in uses:
        chosen = [s for s in sets if s["use"] == use]
        for name, rule in SET_RULES.items():
            for pick in ("best", "worst"):
                share = set_rule_share(chosen, rule, pick)
                add(f"best-and-worst, {use} sets: '{name}' picks the {pick}", share, "<= 0.35", share <= 0.35)
    if "practice" in uses:
        rps = roleplay.roleplays().values()
        add("role-plays (validated)", len(rps), ">= 3", len(rps) >= 3)
        depth = min(roleplay.decisions_to_end(r) for r in rps)
        add("fewest decisions on a role-play path", depth, ">= 4", depth >= 4)

    texts, labels = list(asked["coach_says"]), list(asked["label"])
    lengths = [len(words(t)) for t in texts]
    add("length-only rule accuracy", best_threshold_accuracy(lengths, labels), "<= 0.65",
        best_threshold_accuracy(lengths, labels) <= 0.65)
    add("question-mark rule accuracy", question_rule_accuracy(texts, labels), "<= 0.65",
        question_rule_accuracy(texts, labels) <= 0.65)
    med = asked.assign(n=lengths).groupby("label")["n"].median()
    ratio = float(min(med) / max(med))
    add("median length ratio, shorter/longer label", ratio, ">= 0.80", ratio >= 0.8)
    nb = naive_bayes_cv_accuracy(texts, labels)
    add("bag-of-words naive Bayes, 5-fold accuracy", nb, "< 0.75", nb < 0.75)

    short = int(sum(sentences(r) < 2 for r in frame["rationale"]))
    add("rationales under two sentences", short, "= 0", short == 0)
    sim, _, _ = most_similar_pair(dict(zip(frame["item_id"], frame["coach_says"], strict=True)))
    add("most similar pair of coach responses (trigram Jaccard)", sim, "< 0.50", sim < 0.5)

    labels_by_id = frame["label"].to_dict()
    blind = read_reviews(key, "blind_labels.csv")
    kappa = cohen_kappa([r["judgement"] for r in blind], [labels_by_id[r["item_id"]] for r in blind])
    add("blind review: Cohen's kappa with the bank's labels", kappa, ">= 0.90", kappa >= 0.9)
    reviewed = {r["item_id"] for r in blind}
    add("items with a blind review", len(reviewed & set(frame.index)), f"= {len(frame)}",
        reviewed >= set(frame.index))
    gap = plausibility_gap(key, labels_by_id)
    add("blind review: mean plausibility, good minus poor (1 to 5 scale)", gap, "<= 0.30", abs(gap) <= 0.3)
    gap = plausibility_gap(key, labels_by_id, "realism.csv", "realism")
    add("one-sitting realism, every item, good minus poor (1 to 5 scale)", gap, "<= 0.30", abs(gap) <= 0.3)
    share = majority_pitfall_share(key, frame)
    add("blind review: poor items whose reviewers' majority names the bank's pitfall", share, ">= 0.95",
        share >= 0.95)
    culture = read_reviews(key, "culture_items.csv")
    cells = Counter((frame.loc[r["item_id"], "technique"], frame.loc[r["item_id"], "use"]) for r in culture)
    fewest = min(cells.get((t, u), 0) for t in catalog.techniques() for u in uses)
    add("fewest scenes where the setting changes the move, per technique x use", fewest, ">= 1", fewest >= 1)
    better = [r for r in read_reviews(key, "better_responses.csv") if r["column"] == "better_response"]
    share = sum(r["judgement"] == "good" for r in better) / len(better)
    add("better responses judged good by blind reviewers", share, ">= 0.95", share >= 0.95)
    return out


def plausibility_gap(key: Key, labels_by_id: dict[str, str], sheet: str = "plausibility.csv",
                     column: str = "plausibility") -> float:
    """Mean rating of good responses minus that of poor ones, from blind reviewers: their plausibility
    as reviewed item by item (``plausibility.csv``), or the realism of every item rated on one scale in
    one sitting by raters who saw no labels (``realism.csv``, key/review/realism-round4/)."""
    ratings = {label: [] for label in bank.LABELS}
    for r in read_reviews(key, sheet):
        ratings[labels_by_id[r["item_id"]]].append(int(r[column]))
    return sum(ratings["good"]) / len(ratings["good"]) - sum(ratings["poor"]) / len(ratings["poor"])


def majority_pitfall_share(key: Key, frame) -> float:
    """Share of poor items whose reviewers' most-picked pitfall (strict majority) is the bank's."""
    picks: dict[str, Counter] = {}
    for r in read_reviews(key, "pitfall_picks.csv"):
        picks.setdefault(r["item_id"], Counter())[r["pitfall"]] += 1
    poor = frame[frame["label"] == "poor"]
    hits = 0
    for item_id, pitfall in zip(poor["item_id"], poor["pitfall"], strict=True):
        counts = picks.get(item_id, Counter())
        hits += counts[pitfall] * 2 > sum(counts.values())
    return hits / len(poor)


def disagreements(key: Key, uses: tuple[str, ...] = PUBLIC) -> list[str]:
    labels_by_id = {r["item_id"]: r["label"] for r in key.rows(uses)}
    return sorted({r["item_id"] for r in read_reviews(key, "blind_labels.csv")
                   if r["judgement"] != labels_by_id[r["item_id"]]})


def print_report(key: Key, uses: tuple[str, ...] = PUBLIC) -> int:
    found = figures(key, uses)
    print(f"powercoach item bank: quality figures ({', '.join(uses)})\n")
    for f in found:
        print(f.line())
    disputed = disagreements(key, uses)
    if disputed:
        print(f"\nItems a blind reviewer labelled differently ({len(disputed)}): {', '.join(disputed)}")
    failed = [f for f in found if not f.ok]
    print(f"\n{len(found) - len(failed)} of {len(found)} figures meet their target.")
    return 1 if failed else 0
