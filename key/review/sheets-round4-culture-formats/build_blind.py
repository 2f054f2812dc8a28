"""Blind packets for the culture and formats branches: what a reviewer sees has no key."""
import csv, json, subprocess
from pathlib import Path
F = Path("/work/wt-formats/src/powercoach/data/formats")
C = Path("/work/wt-culture")
out = Path("/tmp/review-content/blind"); out.mkdir(exist_ok=True)
key = Path("/tmp/review-content/key"); key.mkdir(exist_ok=True)
# 1. contrast replies: sort into the table's pitfalls
rows, krows = [], []
for t in json.loads((F / "contrast.json").read_text())["items"]:
    for r in t["replies"]:
        rows.append({"reply_id": r["id"], "choices": " / ".join(t["tells"]), "client_role": r["client_role"],
                     "client_says": r["client_says"], "coach_says": r["text"]})
        krows.append({"reply_id": r["id"], "pitfall": r["pitfall"]})
def write(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, list(rows[0])); w.writeheader(); w.writerows(rows)
write(out / "contrast.csv", rows); write(key / "contrast.csv", krows)
# 2. transcripts: pick the coach turn where power got to the coach
rows, krows = [], []
for t in json.loads((F / "transcripts.json").read_text())["items"]:
    lines = [f"[{i}] {turn['speaker']}: {turn['text']}" for i, turn in enumerate(t["turns"], 1)]
    rows.append({"transcript_id": t["id"], "client_role": t["client_role"], "setting": t["setting"],
                 "context": t["context"], "turns": "\n".join(lines)})
    krows.append({"transcript_id": t["id"], "turning_point": t["turning_point"], "pitfall": t["pitfall"]})
write(out / "transcripts.csv", rows); write(key / "transcripts.csv", krows)
# 3. two good replies: the better fit
rows, krows = [], []
for t in json.loads((F / "two_good.json").read_text())["items"]:
    rows.append({"item_id": t["id"], "client_role": t["client_role"], "setting": t["setting"], "context": t["context"],
                 "client_says": t["client_says"], **{f"option_{o['key']}": o["text"] for o in t["options"]}})
    krows.append({"item_id": t["id"], "better": t["better"]})
write(out / "two_good.csv", rows); write(key / "two_good.csv", krows)
# 4. ladder parts: observation, impact or interpretation
rows, krows = [], []
for t in json.loads((F / "ladder.json").read_text())["items"]:
    for i, p in enumerate(t["parts"], 1):
        rows.append({"part_id": f"{t['id']}#{i}", "client_role": t["client_role"], "context": t["context"],
                     "client_says": t["client_says"], "part": p["text"]})
        krows.append({"part_id": f"{t['id']}#{i}", "kind": p["kind"]})
write(out / "ladder.csv", rows); write(key / "ladder.csv", krows)
# 5. the culture branch's three new best-and-worst sets, options as the learner sees them
rows, krows = [], []
for name in ("reading-the-room", "constructive-challenge"):
    for s in json.loads((C / f"src/powercoach/data/best_worst/{name}.json").read_text()):
        if s["set_id"] not in ("reading-the-room-bw5", "reading-the-room-bw6", "constructive-challenge-bw5"):
            continue
        rows.append({"set_id": s["set_id"], "technique": s["technique"], "client_role": s["client_role"],
                     "setting": s["setting"], "context": s["context"], "client_says": s["client_says"],
                     **{f"option_{o['key']}": o["text"] for o in s["options"]}})
        krows.append({"set_id": s["set_id"], "best": s["best"], "worst": s["worst"]})
write(out / "best_worst.csv", rows); write(key / "best_worst.csv", krows)
print({p.name: sum(1 for _ in open(p)) - 1 for p in out.glob("*.csv")})
