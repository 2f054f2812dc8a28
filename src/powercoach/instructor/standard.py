"""Pass standards by a modified Angoff panel (Angoff 1971; as ICF sets its credentialing exam's pass
mark): each judge pictures the borderline coach and rates every graded question (the chance they
answer it right) and every written part (the points they would earn); an exercise's standard is
the sum, question by question, of the judges' mean ratings. The course's standard is the sum of
the exercises' standards over the sum of their points (compensatory: a strong exercise can make
up for a weak one).

Each pool's papers have their own panel and standards (``--pool``):

- self-study: the sheets, which hold the public key's answers, are in ``key/review/angoff/``; the
  standards in ``data/pass_standards.json``.
- class: the full sheets (each row's text, answer and reason, and the judges' notes) are sealed with
  the class key (``class-key/review/angoff/``). ``ratings`` copies what the standards need and
  nothing of an answer (exercise, question, item, kind, points; each judge's ratings without notes)
  to ``sealed/class-angoff-ratings/``, committed so ``check`` runs anywhere; the standards are in
  ``data/class_pass_standards.json``.

The standards are not answers and ship with the course so a learner can see them. ``check``
recomputes the data file from the sheets and says where they differ:

    python -m powercoach.instructor.standard show [--pool class]   # the standards and the panel's spread
    python -m powercoach.instructor.standard write [--pool class]  # recompute the data file from the sheets
    python -m powercoach.instructor.standard check [--pool class]  # fails when data file and sheets disagree
    python -m powercoach.instructor.standard ratings --sheets class-key/review/angoff  # the class's public copy
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import statistics
import sys
from pathlib import Path

from ..catalog import STANDARD_FILES
from ..catalog import pass_standards as published
from ..errors import PowercoachError

REPO = Path(__file__).resolve().parents[3]
SHEETS = REPO / "key" / "review" / "angoff"
PUBLIC_SHEETS = {"self-study": SHEETS, "class": REPO / "sealed" / "class-angoff-ratings"}
PUBLIC_ITEM_FIELDS = ["exercise", "question", "kind", "points", "item"]  # nothing of an answer
PUBLIC_JUDGE_FIELDS = ["exercise", "question", "item", "rating"]  # no notes: a note may name an answer
METHOD = ("Modified Angoff: each judge rated, for the borderline coach, the chance of answering each clicked "
          "question right and the points each written part would earn; the standard is the sum of the judges' "
          "mean ratings, each clicked question's times its points.")
SLOT_METHOD = (" In a class every learner answers a paper of their own: the judges rated every item of every "
               "slot, and a learner's standard is the sum of the expected points of their own questions and "
               "written part; an exercise's standard here is the mean over all the papers the draw gives.")


def read_sheets(folder: Path = SHEETS) -> tuple[list[dict], dict[str, list[dict]]]:
    """(the rated rows, each judge's sheet), every sheet checked against the rows: a judge rates every
    row of the exercises they rate, in order, and every exercise has at least two judges."""
    items_path = folder / "items.csv"
    if not items_path.exists():
        raise PowercoachError(f"No Angoff items at {items_path}: run scripts/angoff_sheets.py first.")
    with items_path.open(encoding="utf-8", newline="") as f:
        items = list(csv.DictReader(f))
    judges = {}
    for path in sorted(folder.glob("judge-*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        rated = {r["exercise"] for r in rows}
        mine = [r for r in items if r["exercise"] in rated]
        if [(r["exercise"], r["question"], r["item"]) for r in rows] != \
                [(r["exercise"], r["question"], r["item"]) for r in mine]:
            raise PowercoachError(f"{path.name} does not rate the rows of items.csv in their order.")
        for r, item in zip(rows, mine, strict=True):
            rating, points = float(r["rating"]), float(item["points"])
            top = points if item["kind"] == "written" else 1.0  # a clicked question is rated as a chance
            if not 0 <= rating <= top:
                raise PowercoachError(f"{path.name}: {r['exercise']} {r['question']} is rated {rating}, "
                                      f"outside 0 to {top:g}.")
            # what the borderline coach is expected to earn: the points of a written part; the chance of
            # a right click times the question's points
            r["earned"] = rating if item["kind"] == "written" else rating * points
        judges[path.stem.removeprefix("judge-")] = rows
    for exercise in dict.fromkeys(r["exercise"] for r in items):
        if sum(any(r["exercise"] == exercise for r in rows) for rows in judges.values()) < 2:
            raise PowercoachError(f"An Angoff panel needs at least two judges' sheets in {folder} for {exercise}.")
    return items, judges


SLOT_ROW = re.compile(r"^S(\d+)v([012])(?:-(best|worst))?$")  # a class slot's variant (and a set's pick)


def _by_judge(items: list[dict], judges: dict[str, list[dict]]) -> list[dict[str, float]]:
    """Per row of ``items``, judge -> the points they expect the borderline coach to earn there."""
    out: list[dict[str, float]] = [{} for _ in items]
    at = {(r["exercise"], r["question"], r["item"]): i for i, r in enumerate(items)}
    for j, rows in judges.items():
        for r in rows:
            out[at[(r["exercise"], r["question"], r["item"])]][j] = r["earned"]
    return out


def paper_standards(items: list[dict], judges: dict[str, list[dict]]) -> tuple[dict, dict]:
    """For a panel that rated every variant of every class slot (questions S<slot>v<variant>): per
    exercise its standard (the mean over all papers the draw gives), the lowest and highest paper's
    and the judges' spread; and the points the panel expects on the written part and on every question
    (a question's mean rating times its points), which a learner's own paper sums to its standard
    (``papers.standard_of``, the same sum as here)."""
    from .. import draws, papers

    ratings = _by_judge(items, judges)
    standards_, means = {}, {}
    for exercise in dict.fromkeys(r["exercise"] for r in items):
        rows = [(r, ratings[i]) for i, r in enumerate(items) if r["exercise"] == exercise]
        who = sorted({j for _, rated in rows for j in rated})
        slots: dict[int, dict[int, list[tuple[str, dict]]]] = {}  # slot -> variant -> (question, its ratings)
        written = {j: 0.0 for j in who}
        of = 0.0
        for r, rated in rows:
            m = SLOT_ROW.match(r["question"])
            if m is None:  # the written part
                for j in who:
                    written[j] += rated[j]
                of += float(r["points"])
                continue
            slots.setdefault(int(m.group(1)), {}).setdefault(int(m.group(2)), []).append(
                (papers.item_key(r["item"], r["kind"]), rated))
            of += float(r["points"]) if m.group(2) == "0" else 0.0
        rated_ = {"written": round(statistics.mean(written.values()), 4),
                  "questions": {k: round(statistics.mean(r.values()), 4)
                                for variants in slots.values() for qs in variants.values() for k, r in qs}}
        order = sorted(slots)
        words = draws.code(len(slots))
        each = [papers.paper_points(rated_, [k for n, v in zip(order, w, strict=True) for k, _ in slots[n][v]])
                for w in words]
        sums = [statistics.mean(written[j] + sum(r[j] for n, v in zip(order, w, strict=True) for _, r in slots[n][v])
                                for w in words) for j in who]
        standards_[exercise] = {"pass": round(statistics.mean(each), 1), "of": round(of),
                                "judges_sd": round(statistics.stdev(sums), 2),
                                "standard_error": round(statistics.stdev(sums) / len(sums) ** 0.5, 2),
                                "lowest_paper": round(min(each), 1), "highest_paper": round(max(each), 1)}
        means[exercise] = rated_
    return standards_, means


def standards(folder: Path = SHEETS) -> dict:
    """Per exercise: the standard (points), its maximum, and how far the judges' sums spread; for a
    panel of the class slots, also each question's expected points (``ratings``) and the range of papers."""
    items, judges = read_sheets(folder)
    if any(SLOT_ROW.match(r["question"]) for r in items):
        exercises, ratings = paper_standards(items, judges)
        passing, total = sum(e["pass"] for e in exercises.values()), sum(e["of"] for e in exercises.values())
        return {"method": METHOD + SLOT_METHOD, "judges": len(judges), "exercises": dict(sorted(exercises.items())),
                "course": {"pass": round(passing, 1), "of": total, "share": round(passing / total, 3)},
                "ratings": dict(sorted(ratings.items()))}
    out: dict[str, dict] = {}
    for i, item in enumerate(items):
        e = out.setdefault(item["exercise"], {"points": 0.0, "of": 0.0, "by_judge": dict.fromkeys(judges, 0.0)})
        ratings = {j: rows[i]["earned"] for j, rows in judges.items()}
        e["points"] += statistics.mean(ratings.values())
        e["of"] += float(item["points"])
        for j, r in ratings.items():
            e["by_judge"][j] += r
    exercises = {}
    for name, e in sorted(out.items()):
        sums = list(e["by_judge"].values())
        exercises[name] = {"pass": round(e["points"], 1), "of": round(e["of"]),
                           "judges_sd": round(statistics.stdev(sums), 2),
                           "standard_error": round(statistics.stdev(sums) / len(sums) ** 0.5, 2)}
    passing, total = sum(e["pass"] for e in exercises.values()), sum(e["of"] for e in exercises.values())
    return {"method": METHOD, "judges": len(judges), "exercises": exercises,
            "course": {"pass": round(passing, 1), "of": total, "share": round(passing / total, 3)}}


def chance_by_guessing(folder: Path = SHEETS, pool: str = "self-study") -> dict[str, float]:
    """Per exercise, the chance that clicking at random, with full marks on the written part, still
    reaches the published standard (for a class, the mean over its papers): how far a guess goes once
    the standard is in place."""
    from ..marking import choices

    items, _ = read_sheets(folder)
    out = {}
    for name, s in published(pool)["exercises"].items():
        rows = [r for r in items if r["exercise"] == name and not _other_variant(r)]  # one paper's questions
        written = sum(float(r["points"]) for r in rows if r["kind"] == "written")
        dist = {0.0: 1.0}  # points from clicks -> probability, one question at a time
        for r in rows:
            if r["kind"] != "written":
                p, points = 1 / len(choices(r["kind"])), float(r["points"])
                nxt: dict[float, float] = {}
                for k, v in dist.items():
                    nxt[k] = nxt.get(k, 0.0) + v * (1 - p)
                    nxt[k + points] = nxt.get(k + points, 0.0) + v * p
                dist = nxt
        out[name] = sum(v for k, v in dist.items() if k + written >= s["pass"] - 1e-9)
    return out


def _other_variant(row: dict) -> bool:
    """A class slot's second or third variant (one paper asks one variant of each slot)."""
    m = SLOT_ROW.match(row["question"])
    return m is not None and m.group(2) != "0"


def public_ratings(private: Path, public: Path) -> int:
    """Copy of a panel's sheets that holds no answer: the rows' places and points, the ratings; rows."""
    items, judges = read_sheets(private)
    public.mkdir(parents=True, exist_ok=True)
    for name, rows, fields in [("items", items, PUBLIC_ITEM_FIELDS),
                               *[(f"judge-{j}", r, PUBLIC_JUDGE_FIELDS) for j, r in judges.items()]]:
        with (public / f"{name}.csv").open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
    return len(items)


def sentence(exercise: str, found: dict | None = None, in_class: dict | None = None) -> str:
    """What a learner reads about an exercise's standards, word for word in its notebook: the
    self-study paper's and, since a class answers a paper of its own, the class paper's."""
    found, in_class = found or published(), in_class or published("class")
    s, c = found["exercises"][exercise], in_class["exercises"][exercise]
    head = (f"**Pass standard:** {s['pass']:g} of the {s['of']} points when you study alone, set by a panel of "
            f"{found['judges']} coach educators as what a coach just ready for senior clients would score (a "
            f"modified Angoff panel).")
    if "lowest_paper" not in c:
        return (head + f" In a class the questions come from a paper of its own, with its own standard set the "
                f"same way: {c['pass']:g} of the {c['of']} points.")
    return (head + f" In a class each learner answers a paper of their own, with its own standard set the same "
            f"way: {c['lowest_paper']:g} to {c['highest_paper']:g} of the {c['of']} points, {c['pass']:g} on "
            "average; the notebook shows yours as it starts.")


def course_paragraph(found: dict | None = None, in_class: dict | None = None) -> str:
    """What the start page says counts as a pass, with the course's standards."""
    s, c = (found or published())["course"], (in_class or published("class"))["course"]
    mine = ("where each learner answers papers of their own, each with its own standard set the same way, the "
            f"course is passed with about {c['pass']:g} of the {c['of']} points ({100 * c['share']:.0f}%, "
            "the sum of your own papers' standards)")
    return ("**What counts as a pass.** Each exercise states its pass standard near the top, about two thirds of\n"
            "its points, set by a panel of coach educators as what a coach just ready for senior clients would\n"
            f"score. The course is passed with {s['pass']:g} of the {s['of']} points of all thirteen exercises "
            f"together\n({100 * s['share']:.0f}%), so a strong exercise can make up for a weaker one. In a class, "
            f"{mine}.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m powercoach.instructor.standard")
    parser.add_argument("command", choices=["show", "write", "check", "ratings"])
    parser.add_argument("--pool", choices=sorted(PUBLIC_SHEETS), default="self-study")
    parser.add_argument("--sheets", type=Path, help="the panel's sheets (default: the pool's committed ones)")
    args = parser.parse_args(argv)
    sheets = args.sheets or PUBLIC_SHEETS[args.pool]
    try:
        if args.command == "ratings":
            rows = public_ratings(sheets, PUBLIC_SHEETS["class"])
            print(f"wrote {PUBLIC_SHEETS['class']}: {rows} rows, ratings only")
            return 0
        found = standards(sheets)
    except (PowercoachError, OSError, ValueError, KeyError) as err:
        print(f"powercoach standard: {err}", file=sys.stderr)
        return 2
    target = Path(__file__).resolve().parents[1] / "data" / STANDARD_FILES[args.pool]
    if args.command == "write":
        target.write_text(json.dumps(found, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {target}")
    elif args.command == "check":
        published.cache_clear()
        if published(args.pool) != found:
            print(f"{target} differs from what the sheets in {sheets} give: run `write`.", file=sys.stderr)
            return 1
        print("pass standards match the panel's sheets")
    else:
        print(f"{found['judges']} judges. {found['method']}")
        guess = chance_by_guessing(sheets, args.pool)
        for name, e in found["exercises"].items():
            papers = f"; papers from {e['lowest_paper']:g} to {e['highest_paper']:g}" if "lowest_paper" in e else ""
            print(f"  {name:<28} {e['pass']:>5g} of {e['of']:>2}{papers}  (judges' sums spread sd {e['judges_sd']:g}, "
                  f"standard error {e['standard_error']:g}; random clicks with a full written mark pass "
                  f"{100 * guess[name]:.2g}% of the time)")
        c = found["course"]
        print(f"  {'course':<28} {c['pass']:>5g} of {c['of']:>2}  ({100 * c['share']:.0f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
