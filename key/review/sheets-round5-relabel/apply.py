"""Replace the earlier blind judgements of every item rewritten on 3 December 2026 with this round's
(as round 2 replaced round 1's): the old ones judged text that no longer exists. Run once, from the
repository root: python key/review/sheets-round5-relabel/apply.py"""
import csv
from pathlib import Path

HERE, REVIEW = Path(__file__).parent, Path(__file__).parent.parent


def read(path):
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def sheet(folder, letter):
    ids = {r["row_id"]: r["item_id"] for r in read(folder / "map.csv")}
    return [dict(r, item_id=ids[r["row_id"]], reviewer=f"r5-{letter}") for r in read(folder / f"sheets-{letter}" / "items.csv")]


again = HERE / "again"
second = {r["item_id"] for r in read(again / "map.csv")} & {"respectful-confidence-a06", "respectful-confidence-p04"}
new = [r for L in "XY" for r in sheet(HERE, L) if r["item_id"] not in second]
new += [r for L in ("Z1", "Z2") for r in sheet(again, L) if r["item_id"] in second]
changed = {r["item_id"] for r in new}
CONF = {"3": "high", "2": "medium", "1": "low"}
for name, make in (
    ("blind_labels.csv", lambda r: {"judgement": r["label"], "confidence": CONF[r["confidence"]]}),
    ("pitfall_picks.csv", lambda r: {"pitfall": r["pitfall"]} if r["label"] == "poor" else None),
    ("plausibility.csv", lambda r: {"plausibility": r["realism"]}),
):
    rows = [r for r in read(REVIEW / name) if r["item_id"] not in changed]
    fields = list(rows[0])
    rows += [{"item_id": r["item_id"], "reviewer": r["reviewer"], **extra} for r in new if (extra := make(r))]
    rows.sort(key=lambda r: (r["item_id"], r["reviewer"]))
    with open(REVIEW / name, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
print(f"{len(changed)} items: earlier judgements replaced by this round's")
