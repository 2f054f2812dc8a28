import csv, glob, random, shutil
from pathlib import Path
M = Path("/work/main")
items = []
for f in sorted(glob.glob(str(M / "src/powercoach/data/bank/*.csv"))):
    items += list(csv.DictReader(open(f, encoding="utf-8")))
keyed = {r["item_id"]: r for r in csv.DictReader(open(M / "key/items.csv", encoding="utf-8"))}
random.Random(20261203).shuffle(items)
rows, mp = [], []
for n, it in enumerate(items, 1):
    rid = f"r{n:03d}"
    rows.append({"row_id": rid, "technique": it["technique"], "client_role": it["client_role"], "setting": it["setting"],
                 "context": it["context"], "client_says": it["client_says"], "coach_says": it["coach_says"]})
    k = keyed.get(it["item_id"], it)
    label, pitfall = (it["label"], it["pitfall"]) if it["use"] == "practice" else (k["label"], k["pitfall"])
    mp.append({"row_id": rid, "item_id": it["item_id"], "label": label, "pitfall": pitfall})
for path, rs in ((Path("blind/items.csv"), rows), (Path("key/map.csv"), mp)):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, list(rs[0])); w.writeheader(); w.writerows(rs)
for f in ("pitfalls.json", "techniques.json"):
    shutil.copy(M / "src/powercoach/data" / f, Path("blind") / f)
print(len(rows), sum(m["label"] == "poor" for m in mp))
