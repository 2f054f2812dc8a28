"""Shuffle the v5 scenes with a fixed seed and write corpus.csv, blind.csv and writer_labels.csv
into the parent folder. Imports nothing from powercoach."""
import csv, os, random, shutil
from scenes import SCENES

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
MAX_RUN, MAX_ALT = 4, 6

items = []
for si, (tech, role, sector, context, says, replies) in enumerate(SCENES):
    for label, pitfall, text in replies:
        items.append(dict(scene=si, technique=tech, client_role=role, sector=sector,
                          context=context, client_says=says, coach_says=text,
                          label=label, pitfall=pitfall))

def ok(seq, it):
    if seq and seq[-1]["scene"] == it["scene"]:
        return False
    labs = [x["label"] for x in seq] + [it["label"]]
    run = 1
    for a, b in zip(reversed(labs[:-1]), reversed(labs[1:])):
        if a != b: break
        run += 1
    if run > MAX_RUN: return False
    alt = 1
    for a, b in zip(reversed(labs[:-1]), reversed(labs[1:])):
        if a == b: break
        alt += 1
    return alt <= MAX_ALT

def build(seed):
    rng = random.Random(seed)
    for attempt in range(10000):
        pool = items[:]
        rng.shuffle(pool)
        seq = []
        while pool:
            cands = [i for i, it in enumerate(pool) if ok(seq, it)]
            if not cands: break
            # prefer scenes with many replies left, to avoid a dead end at the tail
            left = {}
            for it in pool: left[it["scene"]] = left.get(it["scene"], 0) + 1
            best = max(left[pool[i]["scene"]] for i in cands)
            cands = [i for i in cands if left[pool[i]["scene"]] == best]
            seq.append(pool.pop(rng.choice(cands)))
        if not pool:
            return seq
    raise SystemExit("no valid order found")

seq = build(20261215)
cols = ["reply_id", "technique", "client_role", "sector", "context", "client_says", "coach_says"]
with open(os.path.join(OUT, "corpus.csv"), "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f); w.writerow(cols)
    for n, it in enumerate(seq, 1):
        w.writerow([f"v5-{n:03d}"] + [it[c] for c in cols[1:]])
with open(os.path.join(OUT, "writer_labels.csv"), "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f); w.writerow(["reply_id", "label", "pitfall"])
    for n, it in enumerate(seq, 1):
        w.writerow([f"v5-{n:03d}", it["label"], it["pitfall"]])
shutil.copyfile(os.path.join(OUT, "corpus.csv"), os.path.join(OUT, "blind.csv"))
print("wrote", len(seq), "rows")
