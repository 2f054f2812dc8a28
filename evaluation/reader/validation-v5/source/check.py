"""Check every constraint of validation corpus v5 on the written CSV files (not on the source).
Run from anywhere: python3 check.py [folder]. Exits non-zero if any check fails.
Imports and runs no powercoach code."""
import csv, glob, os, statistics as st, sys
from collections import Counter, defaultdict

D = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
# repository root, to confirm that roles and sectors are new: $POWERCOACH_REPO, else the repository this
# folder sits in (evaluation/reader/validation-v5 -> three levels up)
REPO = os.environ.get("POWERCOACH_REPO") or os.path.normpath(os.path.join(os.path.abspath(D), "..", "..", ".."))
EARLIER = ["validation", "validation-v2", "validation-v3", "validation-v4"]

TECHS = ["contracting", "role-clarity", "boundaries", "active-listening", "reading-the-room",
         "safe-space", "courageous-questions", "respectful-confidence", "constructive-challenge",
         "evidence-based-feedback", "naming-power", "ego-and-purpose"]
PITS = ["deference", "flattery", "collusion", "advice-giving", "rescuing", "interrogation",
        "judgement", "aggression", "avoidance", "boundary-breach", "self-focus", "assumption"]
COLS = ["reply_id", "technique", "client_role", "sector", "context", "client_says", "coach_says"]

fails = []
def check(cond, msg):
    if not cond: fails.append(msg)

def read(name):
    with open(os.path.join(D, name), encoding="utf-8", newline="") as f:
        r = csv.reader(f); head = next(r); return head, [dict(zip(head, row)) for row in r]

head, rows = read("corpus.csv")
check(head == COLS, f"corpus.csv columns {head}")
lhead, lrows = read("writer_labels.csv")
check(lhead == ["reply_id", "label", "pitfall"], f"writer_labels.csv columns {lhead}")
# blind.csv is written by build.py for the reviewers' folder and not kept here; compared when present
if os.path.exists(os.path.join(D, "blind.csv")):
    with open(os.path.join(D, "corpus.csv"), "rb") as a, open(os.path.join(D, "blind.csv"), "rb") as b:
        check(a.read() == b.read(), "blind.csv is not byte-for-byte corpus.csv")

# ids
check(len(rows) == 192, f"{len(rows)} rows, expected 192")
check([r["reply_id"] for r in rows] == [f"v5-{i:03d}" for i in range(1, len(rows) + 1)], "ids not v5-001.. in file order")
check([r["reply_id"] for r in lrows] == [r["reply_id"] for r in rows], "writer_labels ids differ from corpus ids")
check(all(all(r[c].strip() for c in COLS) for r in rows), "empty cell in corpus.csv")
lab = {r["reply_id"]: r for r in lrows}

# labels and pitfalls
for r in lrows:
    check(r["label"] in ("good", "poor"), f"{r['reply_id']}: bad label {r['label']}")
    if r["label"] == "good": check(r["pitfall"] == "", f"{r['reply_id']}: good with pitfall")
    else: check(r["pitfall"] in PITS, f"{r['reply_id']}: bad pitfall {r['pitfall']}")
labels = [lab[r["reply_id"]]["label"] for r in rows]
check(Counter(labels) == Counter(good=96, poor=96), f"label counts {Counter(labels)}")

# scenes
scene_key = lambda r: (r["technique"], r["client_role"], r["sector"], r["context"], r["client_says"])
scenes = defaultdict(list)
for r in rows:
    check(r["technique"] in TECHS, f"{r['reply_id']}: unknown technique {r['technique']}")
    scenes[scene_key(r)].append(r)
check(len(scenes) == 48, f"{len(scenes)} scenes, expected 48")
check(Counter(k[0] for k in scenes) == Counter({t: 4 for t in TECHS}), "not 4 scenes per technique")
for k, rs in scenes.items():
    ls = Counter(lab[r["reply_id"]]["label"] for r in rs)
    check(ls == Counter(good=2, poor=2), f"scene {k[1]}: labels {ls}")
    ps = [lab[r["reply_id"]]["pitfall"] for r in rs if lab[r["reply_id"]]["label"] == "poor"]
    check(len(set(ps)) == len(ps), f"scene {k[1]}: poor replies share a pitfall {ps}")
    check(len(set(r["coach_says"] for r in rs)) == 4, f"scene {k[1]}: duplicate reply")
check(len(set(k[1] for k in scenes)) == 48, "roles not all different")
check(len(set(k[2] for k in scenes)) == 48, "sectors not all different")
check(len(set(k[3] for k in scenes)) == 48, "contexts not all different")

# pitfalls: 8 each, over 8 different techniques
by_pit = defaultdict(list)
for r in rows:
    l = lab[r["reply_id"]]
    if l["label"] == "poor": by_pit[l["pitfall"]].append(r["technique"])
for p in PITS:
    check(len(by_pit[p]) == 8, f"pitfall {p}: {len(by_pit[p])} replies, expected 8")
    check(len(set(by_pit[p])) == 8, f"pitfall {p}: only {len(set(by_pit[p]))} techniques")
check(Counter(r["technique"] for r in rows) == Counter({t: 16 for t in TECHS}), "not 16 replies per technique")

# shuffle rules
keys = [scene_key(r) for r in rows]
adj = [rows[i]["reply_id"] for i in range(1, len(rows)) if keys[i] == keys[i - 1]]
check(not adj, f"same-scene replies adjacent at {adj}")
run = longest_run = 1
alt = longest_alt = 1
for i in range(1, len(labels)):
    run = run + 1 if labels[i] == labels[i - 1] else 1
    alt = alt + 1 if labels[i] != labels[i - 1] else 1
    longest_run, longest_alt = max(longest_run, run), max(longest_alt, alt)
check(longest_run <= 4, f"label run of {longest_run}")
check(longest_alt <= 6, f"labels alternate for {longest_alt} rows")

# surface balance
stats = {}
for k in ("good", "poor"):
    t = [r["coach_says"].strip() for r, l in zip(rows, labels) if l == k]
    stats[k] = dict(q=100 * sum(x.endswith("?") for x in t) / len(t),
                    anyq=100 * sum("?" in x for x in t) / len(t),
                    mean=st.mean(map(len, t)), median=st.median(map(len, t)),
                    lo=min(map(len, t)), hi=max(map(len, t)))
qgap = abs(stats["good"]["q"] - stats["poor"]["q"])
lgap = 100 * abs(stats["good"]["mean"] - stats["poor"]["mean"]) / max(stats["good"]["mean"], stats["poor"]["mean"])
check(qgap <= 5, f"'?' ending gap {qgap:.1f} points")
check(lgap <= 10, f"mean length gap {lgap:.1f}%")

# no role or sector reused from v1, v2, v3, v4 or the bank; every earlier corpus must be found
old_roles, old_secs = set(), set()
earlier = [os.path.join(REPO, "evaluation", "reader", v, "corpus.csv") for v in EARLIER]
bank = glob.glob(os.path.join(REPO, "src", "powercoach", "data", "bank", "*.csv"))
missing = [p for p in earlier if not os.path.exists(p)]
check(not missing, f"earlier corpora not found (set POWERCOACH_REPO): {missing}")
check(bool(bank), f"item bank not found under {REPO} (set POWERCOACH_REPO)")
for p in [p for p in earlier if os.path.exists(p)] + bank:
    with open(p, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            old_roles.add(r.get("client_role", "").strip().lower()); old_secs.add(r.get("sector", "").strip().lower())
if old_roles:
    reused_r = sorted(k[1] for k in scenes if k[1].strip().lower() in old_roles)
    reused_s = sorted(k[2] for k in scenes if k[2].strip().lower() in old_secs)
    check(not reused_r, f"roles reused: {reused_r}")
    check(not reused_s, f"sectors reused: {reused_s}")

for k, s in stats.items():
    print(f"{k}: ends '?' {s['q']:.1f}%  any '?' {s['anyq']:.1f}%  mean {s['mean']:.1f}  median {s['median']:.1f}  "
          f"shortest/longest {s['lo']}/{s['hi']}")
print(f"gaps: '?' ending {qgap:.1f} points, mean length {lgap:.1f}%; longest run {longest_run}, longest alternation {longest_alt}"
      + f"; roles and sectors compared with {len(old_roles)} roles and {len(old_secs)} sectors of v1-v4 and the bank")
if fails:
    print("FAILED:"); [print(" -", m) for m in fails]; sys.exit(1)
print("all checks pass")
