import csv, json
from pathlib import Path
M = Path("/work/main")
out = Path("/tmp/review-fix/blind"); key = Path("/tmp/review-fix/key"); key.mkdir(exist_ok=True)
def write(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, list(rows[0])); w.writeheader(); w.writerows(rows)
rows, krows = [], []
for name, sid in (("evidence-based-feedback", "evidence-based-feedback-bw5"), ("respectful-confidence", "respectful-confidence-bw5")):
    for s in json.loads((M / f"src/powercoach/data/best_worst/{name}.json").read_text()):
        if s["set_id"] == sid:
            rows.append({"set_id": sid, "technique": s["technique"], "client_role": s["client_role"], "setting": s["setting"],
                         "context": s["context"], "client_says": s["client_says"], **{f"option_{o['key']}": o["text"] for o in s["options"]}})
            krows.append({"set_id": sid, "best": s["best"], "worst": s["worst"]})
write(out / "best_worst.csv", rows); write(key / "best_worst.csv", krows)
ids = """respectful-confidence-p14 safe-space-a12 role-clarity-a07 constructive-challenge-a08 contracting-a08 naming-power-p12
reading-the-room-a06 courageous-questions-a10 constructive-challenge-p04 active-listening-a13 evidence-based-feedback-a02
boundaries-p09 reading-the-room-p07 contracting-p09""".split()
bank = {}
for f in (M / "src/powercoach/data/bank").glob("*.csv"):
    for r in csv.DictReader(open(f, encoding="utf-8")):
        bank[r["item_id"]] = r
keyed = {r["item_id"]: r for r in csv.DictReader(open(M / "key/items.csv", encoding="utf-8"))}
rows = []
for i in ids:
    b = bank[i]; k = keyed.get(i, {})
    rows.append({"item_id": i, "setting": b["setting"], "client_role": b["client_role"], "context": b["context"],
                 "client_says": b["client_says"], "coach_says": b["coach_says"], "label": b["label"] or k.get("label", ""),
                 "pitfall": b["pitfall"] or k.get("pitfall", ""), "rationale": b["rationale"] or k.get("rationale", "")})
write(out / "rationales.csv", rows)
t = next(t for t in json.loads((M / "src/powercoach/data/formats/transcripts.json").read_text())["items"] if t["id"] == "transcript-np-02")
lines = [f"[{n}] {x['speaker']}: {x['text']}" for n, x in enumerate(t["turns"], 1)]
(out / "transcript.md").write_text(f"{t['client_role']}, {t['setting']}\n\n{t['context']}\n\n" + "\n".join(lines)
    + f"\n\nKEYED: turn {t['turning_point']}, pitfall {t['pitfall']}\nNOTE ON THAT TURN: {t['turns'][int(t['turning_point'])-1].get('note','')}\nBETTER: {t['better']}\n")
nb = json.loads((M / "course/00-orientation.ipynb").read_text())
(out / "orientation_cells.md").write_text("\n\n".join(f"---- cell {c['id']}\n" + "".join(c["source"]) for c in nb["cells"]
    if c.get("id") in ("cell-02a-tendencies", "cell-02b", "cell-02c")), encoding="utf-8")
import shutil
for f in ("pitfalls.json", "techniques.json", "confidentiality.json"):
    shutil.copy(M / "src/powercoach/data" / f, out / f)
print(len(rows))
