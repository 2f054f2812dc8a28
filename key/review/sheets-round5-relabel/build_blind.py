"""Blind packet: every bank item whose scene or reply changed since f4fef5e, and the two best-and-worst
sets whose options changed after their blind review, shuffled, with no label."""
import csv, io, json, random, shutil, subprocess
from pathlib import Path
M = Path("/work/main")
def rows_at(rev, path):
    text = subprocess.run(["git", "-C", str(M), "show", f"{rev}:{path}"], capture_output=True, text=True).stdout
    return {r["item_id"]: r for r in csv.DictReader(io.StringIO(text))}
changed = []
for f in sorted((M / "src/powercoach/data/bank").glob("*.csv")):
    rel = f.relative_to(M).as_posix()
    old, new = rows_at("f4fef5e", rel), {r["item_id"]: r for r in csv.DictReader(open(f, encoding="utf-8"))}
    for i, r in new.items():
        if i not in old or any(old[i][c] != r[c] for c in ("context", "client_says", "coach_says")):
            changed.append(r)
random.Random(5).shuffle(changed)
rows, mp = [], []
for n, it in enumerate(changed, 1):
    rows.append({"row_id": f"x{n:02d}", **{c: it[c] for c in ("technique", "client_role", "setting", "context", "client_says", "coach_says")}})
    mp.append({"row_id": f"x{n:02d}", "item_id": it["item_id"]})
def write(path, rs):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, list(rs[0])); w.writeheader(); w.writerows(rs)
write("/tmp/relabel/blind/items.csv", rows); write("/tmp/relabel/key/map.csv", mp)
sets, keys = [], []
for name, sid in (("evidence-based-feedback", "evidence-based-feedback-bw5"), ("respectful-confidence", "respectful-confidence-bw5")):
    s = next(s for s in json.loads((M / f"src/powercoach/data/best_worst/{name}.json").read_text()) if s["set_id"] == sid)
    sets.append({"set_id": sid, "technique": s["technique"], "client_role": s["client_role"], "setting": s["setting"],
                 "context": s["context"], "client_says": s["client_says"], **{f"option_{o['key']}": o["text"] for o in s["options"]}})
    keys.append({"set_id": sid, "best": s["best"], "worst": s["worst"]})
write("/tmp/relabel/blind/best_worst.csv", sets); write("/tmp/relabel/key/best_worst.csv", keys)
for f in ("pitfalls.json", "techniques.json", "confidentiality.json"):
    shutil.copy(M / "src/powercoach/data" / f, Path("/tmp/relabel/blind") / f)
print(len(rows), [m["item_id"] for m in mp])
