import csv, json
from pathlib import Path
C = Path("/work/wt-culture")
ids = """naming-power-p12 evidence-based-feedback-p14 role-clarity-p02 constructive-challenge-p04 contracting-p09
courageous-questions-p12 boundaries-p09 safe-space-p13 reading-the-room-p07 respectful-confidence-p14
active-listening-a13 boundaries-a14 constructive-challenge-a08 contracting-a08 courageous-questions-a10
ego-and-purpose-a14 evidence-based-feedback-a02 naming-power-a08 reading-the-room-a06 role-clarity-a07
safe-space-a12""".split()
bank = {}
for f in (C / "src/powercoach/data/bank").glob("*.csv"):
    for r in csv.DictReader(open(f, encoding="utf-8")):
        bank[r["item_id"]] = r
keyed = {r["item_id"]: r for r in csv.DictReader(open(C / "key/items.csv", encoding="utf-8"))}
rows = []
for i in ids:
    b = bank[i]; k = keyed.get(i, {})
    rows.append({"item_id": i, "setting": b["setting"], "client_role": b["client_role"], "context": b["context"],
                 "client_says": b["client_says"], "coach_says": b["coach_says"],
                 "label": b["label"] or k.get("label", ""), "pitfall": b["pitfall"] or k.get("pitfall", ""),
                 "rationale": b["rationale"] or k.get("rationale", "")})
assert all(r["rationale"] and r["label"] for r in rows), [r["item_id"] for r in rows if not r["rationale"]]
with open("blind/rationales.csv", "w", newline="") as f:
    w = csv.DictWriter(f, list(rows[0])); w.writeheader(); w.writerows(rows)
nb = json.loads((C / "course/00-orientation.ipynb").read_text())
text = []
for c in nb["cells"]:
    if c["cell_type"] == "markdown" and c.get("id") in ("cell-00", "cell-02a", "cell-02a-coach", "cell-02a-tendencies", "cell-02b", "cell-02c", "cell-11"):
        text.append(f"---- cell {c['id']}\n" + "".join(c["source"]))
Path("blind/orientation_cells.md").write_text("\n\n".join(text), encoding="utf-8")
print(len(rows), len(text))
