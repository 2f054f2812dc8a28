"""Write the sheets an Angoff panel rates to set each exercise's pass standard (issue #18).

One row per graded question of every exercise in solutions/, as a learner sees it, with its keyed
answer and the reason (a judge needs both), and one row per written part with its rubric. The
sheet holds assessment answers, so it goes to the key folder it was written from:

    .venv/bin/python scripts/angoff_sheets.py                    # self-study papers -> key/review/angoff/
    .venv/bin/python scripts/angoff_sheets.py --key PRIVATE/class-key  # class papers -> its review/angoff/

The class key's sheets are sealed with it (``powercoach key seal``), never committed in the clear.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from powercoach import bank, key, papers  # noqa: E402
from powercoach.instructor.preprocessors import reflection_scenes  # noqa: E402
from powercoach.instructor.report import questions_from_source  # noqa: E402

FIELDS = ["exercise", "question", "kind", "points", "item", "scene", "shown", "keyed", "why"]


def scene(row: dict) -> str:
    return (f"{row['client_role']} ({row['setting']}). {row['context']} "
            f"The client says: \u201c{row['client_says']}\u201d")


def rows_for(path: Path, k: key.Key) -> list[dict]:
    nb = nbformat.read(path, as_version=4)
    exercise = path.parent.name
    out = []
    for q, meta in questions_from_source(path, k, papers.POOL_OF_USE[k.pool]).iterrows():
        if meta["kind"] in ("best", "worst"):
            s = k.best_worst(meta["ref"])
            options = " | ".join(f"{o['key']}. {o['text']}" for o in s["options"])
            out.append({"exercise": exercise, "question": q, "kind": meta["kind"], "points": int(meta["points"]),
                        "item": meta["ref"],
                        "scene": scene(s), "shown": options, "keyed": meta["answer"],
                        "why": s["options"][ord(meta["answer"]) - 65].get("reason", "")})
        else:
            row = k.item(meta["ref"])
            prompt = {"classify": "good or poor?", "diagnose": "which pitfall (of 12)?"}.get(meta["kind"], meta["kind"])
            out.append({"exercise": exercise, "question": q, "kind": meta["kind"], "points": int(meta["points"]),
                        "item": meta["ref"],
                        "scene": scene(row), "shown": f"The coach says: \u201c{row['coach_says']}\u201d ({prompt})",
                        "keyed": meta["answer"], "why": row.get("rationale", "")})
    scenes = dict(reflection_scenes(nb))
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader", {})
        if not (cell.cell_type == "markdown" and meta.get("grade") and meta.get("solution")):
            continue  # only the written parts, marked by the instructor
        rubric = next((c.source for c in reversed(nb.cells[:index]) if c.cell_type == "markdown"
                       and "points" in c.source and "|" in c.source), "")
        item_id = scenes.get(index, "")
        setting = scene(bank.item(item_id)) if item_id else "(the learner chooses the moment)"  # a practice scene
        out.append({"exercise": exercise, "question": "written", "kind": "written", "points": meta.get("points", 0),
                    "item": item_id, "scene": setting,
                    "shown": "The learner writes their own response and says why.", "keyed": "", "why": rubric})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--key", type=Path, default=REPO / "key", help="the key folder whose papers are rated")
    folder = parser.parse_args(argv).key
    k = key.load(folder)
    rows = [r for nb in sorted((REPO / "solutions").glob("*/*.ipynb")) for r in rows_for(nb, k)]
    out = folder / "review" / "angoff" / "items.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {out}: {len(rows)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
