"""Item analysis for an assignment: which questions the class got wrong, and why.

Reads nbgrader's gradebook (a score per question), the autograded notebooks (what each learner
answered, from the marking messages), the source notebook (which bank item each question asks
about) and the instructor's key (the right answers). Per question: difficulty (Moodle's facility
index), discrimination (the corrected item-total correlation, Moodle's discrimination index),
discriminative efficiency, effective weight, the score a random guess expects, the share right in
each fifth of the class (PrairieLearn's quintile plot), the share choosing each option (distractor
analysis) and the most chosen wrong answer; for the exercise: its reliability (KR-20), error
ratio, standard error and the score random answering expects. The definitions follow Moodle's
"Quiz statistics calculations" (docs.moodle.org). The statistics are pure functions over
DataFrames so a test can check them on a cohort worked by hand.
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

import pandas as pd

from .. import bank, catalog
from .. import key as keys
from ..errors import PowercoachError
from ..marking import Question, expected

EASY, HARD = 0.9, 0.3
REPORT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"  # report.html: no script


# --- the statistics ----------------------------------------------------------------------------

def item_statistics(scores: pd.DataFrame, worth: pd.Series | None = None) -> pd.DataFrame:
    """Per question (column of marks): difficulty (Moodle's facility index: the mean mark as a share
    of the question's points, ``worth``, 1 where not given) and discrimination.

    Discrimination is the correlation between the question's mark and the learner's marks on the
    other questions (point-biserial for a right-or-wrong question), so an item does not correlate
    with itself.
    """
    total = scores.sum(axis=1)
    rows = []
    for q in scores.columns:
        item = scores[q].astype(float)
        rest = (total - item).astype(float)
        r = item.corr(rest) if item.std() > 0 and rest.std() > 0 else float("nan")
        top = float(worth[q]) if worth is not None and q in worth else 1.0
        rows.append({"question": q, "learners": int(item.notna().sum()), "difficulty": float(item.mean()) / top,
                     "discrimination": float(r)})
    return pd.DataFrame(rows).set_index("question")


def reliability(scores: pd.DataFrame) -> dict[str, float]:
    """KR-20 (Kuder and Richardson 1937) of the questions' marks, its error ratio and standard error.

    KR-20 = k / (k - 1) * (1 - sum(var(question)) / var(total)), with population variances: for a
    right-or-wrong question var = p * q (p the share right, q = 1 - p), and where questions carry
    different points it is the same formula in its general form (Cronbach's alpha). Error ratio =
    100 * sqrt(1 - KR-20); SEM = sd(total) * sqrt(1 - KR-20). NaN where it is undefined (fewer than
    two questions or learners, or every learner with the same total).
    """
    k, n = scores.shape[1], scores.shape[0]
    total = scores.sum(axis=1)
    variance = float(total.var(ddof=0)) if n else 0.0
    if k < 2 or n < 2 or variance == 0:
        return {"kr20": float("nan"), "error_ratio": float("nan"), "sem": float("nan"), "questions": k,
                "learners": n}
    kr20 = k / (k - 1) * (1 - float(scores.var(axis=0, ddof=0).sum()) / variance)
    error_ratio = 100 * max(0.0, 1 - kr20) ** 0.5  # Moodle's ER: the share of the spread that is error
    sem = variance ** 0.5 * error_ratio / 100  # Moodle's SE: the same as the SEM
    return {"kr20": kr20, "error_ratio": error_ratio, "sem": sem, "questions": k, "learners": n}


def examiner_statistics(scores: pd.DataFrame, questions: pd.DataFrame) -> pd.DataFrame:
    """Per question: random-guess score, effective weight and discriminative efficiency (%), over
    the learners who were asked it (a score of NaN: not asked).

    - random_guess: the expected score of answering at random, 1 / the number of options;
    - effective_weight: 100 * sqrt(cov(item, total)) / sum over items of the same, the share of the
      spread of totals the item carries (NaN where the covariance is negative: it pulls against
      the rest, and Moodle does not compute it either);
    - discriminative_efficiency: 100 * cov(item, rest) / the largest covariance the two could have
      with the same scores (both sorted the same way): how much of the discrimination the item's
      difficulty allows it actually reaches.
    """
    from ..marking import choices

    total = scores.sum(axis=1)

    def seen(q):  # the learners who were asked q (with per-learner papers, not everyone was)
        return scores[q].notna()

    covs = {q: float(((scores.loc[seen(q), q] - scores.loc[seen(q), q].mean())
                      * (total[seen(q)] - total[seen(q)].mean())).mean()) for q in scores.columns}
    roots = {q: c ** 0.5 for q, c in covs.items() if c > 0}
    rows = []
    for q in scores.columns:
        item = scores.loc[seen(q), q].astype(float)
        rest = total[seen(q)] - item
        c = float(((item - item.mean()) * (rest - rest.mean())).mean())
        a, b = sorted(item), sorted(rest)
        ma, mb = sum(a) / len(a), sum(b) / len(b)
        cmax = sum((x - ma) * (y - mb) for x, y in zip(a, b, strict=True)) / len(a)
        rows.append({"question": q, "random_guess": 1 / len(choices(questions.loc[q, "kind"])),
                     "effective_weight": 100 * roots[q] / sum(roots.values()) if q in roots else float("nan"),
                     "discriminative_efficiency": 100 * c / cmax if cmax > 0 else float("nan")})
    return pd.DataFrame(rows).set_index("question")


def quintiles(scores: pd.DataFrame, worth: pd.Series | None = None) -> pd.DataFrame:
    """Per question, the share right (the mean mark over its points, ``worth``) among each fifth of the
    class by total score, lowest fifth first (PrairieLearn's quintile plot): a good item rises from
    left to right. Learners are ranked by total, ties broken by their order; fewer than five learners
    leave fifths empty. A question's share in a fifth is over the learners of that fifth who were asked it."""
    total = scores.sum(axis=1)
    rank = total.rank(method="first")
    fifth = ((rank - 1) * 5 // len(total)).astype(int) + 1 if len(total) else rank
    shares = scores / (worth.reindex(scores.columns).fillna(1.0) if worth is not None else 1.0)
    return shares.groupby(fifth).mean().T.reindex(columns=range(1, 6)).rename(columns=lambda k: f"Q{k}")


def guessing(questions: pd.DataFrame) -> dict[str, float]:
    """The score a learner who answers every clicked question at random expects, in points and as
    a share of the clicked questions' points (a question's ``points``, 1 where not given)."""
    from ..marking import choices

    worth = questions["points"] if "points" in questions else pd.Series(1.0, index=questions.index)
    points = float(sum(w / len(choices(kind)) for kind, w in zip(questions["kind"], worth, strict=True)))
    total = float(worth.sum())
    return {"random_guess_points": points, "random_guess_share": points / total if total else 0.0,
            "clicked_points": total}


def option_shares(chosen: pd.DataFrame, questions: pd.DataFrame) -> pd.DataFrame:
    """Per question, the share of learners choosing each option, blank and invalid answers included
    (distractor analysis: a wrong option nobody picks does no work)."""
    from ..marking import choices

    rows = {}
    for q in chosen.columns:
        counts, asked = chosen[q].value_counts(), chosen[q].notna().sum()  # NaN: not asked this question
        options = list(choices(questions.loc[q, "kind"])) + ["(blank)", "(invalid)"]
        rows[q] = {o: float(counts.get(o, 0)) / asked if asked else 0.0 for o in options}
    return pd.DataFrame.from_dict(rows, orient="index").fillna(0.0)


def flags(stats: pd.DataFrame) -> pd.Series:
    def flag(row) -> str:
        out = []
        if row["difficulty"] >= EASY:
            out.append("too easy")
        if row["difficulty"] <= HARD:
            out.append("too hard")
        if row["discrimination"] < 0:
            out.append("discriminates negatively")
        return ", ".join(out)

    return stats.apply(flag, axis=1)


def most_chosen_wrong(chosen: pd.DataFrame, key: pd.Series) -> pd.Series:
    """Per question, the wrong answer most learners gave (blank and invalid included)."""
    out = {}
    for q in chosen.columns:
        wrong = chosen[q].dropna()[chosen[q].dropna() != key[q]]
        out[q] = wrong.value_counts().index[0] if len(wrong) else ""
    return pd.Series(out, name="most_chosen_wrong")


def confusion(chosen: pd.DataFrame, questions: pd.DataFrame, kinds: tuple[str, ...],
              by: str | None = None) -> pd.DataFrame:
    """Counts of (right answer, answer given) over questions of ``kinds``, optionally per ``by``."""
    rows = []
    for q, meta in questions.iterrows():
        if meta["kind"] in kinds:
            for answer in chosen[q].dropna():
                rows.append({"group": meta[by] if by else "", "right": meta["answer"], "given": answer})
    if not rows:
        return pd.DataFrame()
    keys = ["group", "right"] if by else ["right"]
    return pd.DataFrame(rows).groupby(keys + ["given"]).size().unstack("given", fill_value=0)


# --- reading a graded assignment ---------------------------------------------------------------

def questions_from_source(path: Path, key: keys.Key, pool: str = "self-study") -> pd.DataFrame:
    """The questions of a source notebook as ``pool`` asks them, with the key's answers."""
    import nbformat

    from .. import papers
    from .preprocessors import marking_cells

    nb = nbformat.read(path, as_version=4)
    found = marking_cells(nb)
    if not found:
        raise PowercoachError(f"{path} has no marking cells (mark(...) in hidden tests).")
    paper = papers.for_pool(path.stem, pool, [q for _, q in sorted(found.items())])
    rows = [{"question": q.qid, "ref": q.item_id, "kind": q.kind,
             "grade_id": nb.cells[i].metadata["nbgrader"]["grade_id"],
             "points": float(nb.cells[i].metadata["nbgrader"].get("points", 1))}
            for i, q in zip(sorted(found), paper, strict=True)]
    frame = pd.DataFrame(rows).set_index("question")
    frame["answer"] = [expected(Question(q, r.kind, r.ref), key) for q, r in frame.iterrows()]
    frame["technique"] = [technique_of(r.kind, r.ref) for r in frame.itertuples()]
    return frame


def technique_of(kind: str, ref: str) -> str:
    return bank.best_worst_sets()[ref]["technique"] if kind in ("best", "worst") else bank.item(ref)["technique"]


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []))


ANSWERED = re.compile(r"^(Q\d+): (?:correct, (\S+?)\.|you answered (\S+?); the answer is)", re.M)


def chosen_from_output(text: str, qid: str) -> str:
    for m in ANSWERED.finditer(text):
        if m.group(1) == qid:
            return m.group(2) or m.group(3)
    if f"{qid}: no points, not answered yet" in text:
        return "(blank)"
    return "(invalid)"


def collect(assignment: str, root: str = "."):
    """(questions, scores, chosen): one row per graded learner, one column per question."""
    import nbformat
    from nbgrader.api import Gradebook

    from .autograde import course_directory, key_folder, pool_of

    coursedir = course_directory(root)
    if not Path(coursedir.root, "gradebook.db").exists() and coursedir.db_url.endswith("gradebook.db"):
        raise PowercoachError(f"No gradebook in {Path(coursedir.root).resolve()}: grade the assignment first.")
    source = Path(coursedir.format_path(coursedir.source_directory, ".", assignment)) / f"{assignment}.ipynb"
    if not source.exists():
        raise PowercoachError(f"No source notebook {source}: is '{assignment}' an assignment of this course?")
    questions = questions_from_source(source, keys.load(key_folder(coursedir)), pool_of(coursedir))
    by_grade_id = {r.grade_id: q for q, r in questions.iterrows()}
    scores, chosen = {}, {}
    with Gradebook(coursedir.db_url, course_id=coursedir.course_id) as gb:
        for sub in gb.assignment_submissions(assignment):
            student = sub.student.id
            folder = coursedir.format_path(coursedir.autograded_directory, student, assignment)
            graded = Path(folder) / f"{assignment}.ipynb"
            if not graded.exists():
                continue  # failed or not yet graded
            cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c
                     for c in nbformat.read(graded, as_version=4).cells}
            grades = {g.name: g.score or 0.0 for g in sub.notebooks[0].grades}  # a mark; no grade: nothing earned
            scores[student] = {q: grades.get(gid, 0.0) for gid, q in by_grade_id.items()}
            chosen[student] = {q: chosen_from_output(_text(cells[gid]), q) if gid in cells else "(invalid)"
                               for gid, q in by_grade_id.items()}
    if not scores:
        raise PowercoachError(f"No graded submissions of '{assignment}' yet: run powercoach grade {assignment} first.")
    order = list(questions.index)
    return (questions, pd.DataFrame.from_dict(scores, orient="index")[order].astype(float),
            pd.DataFrame.from_dict(chosen, orient="index")[order])


def first_attempts(assignment: str, root: str = "."):
    """(questions, scores, chosen) from each learner's FIRST submission in nbgrader's exchange,
    marked as data the way grading marks it (the same reader of the answers file and the answer
    cell's literal lines, the same key and paper), for the statistics of a first attempt where
    learners submitted more than once (nbgrader keeps and grades only the latest).

    Read as the instructor and never followed: a submission folder that is a link, or (as
    nbgrader's collect checks) not owned by the learner it names, is skipped, and the notebook
    is read with O_NOFOLLOW within the size and nesting limits grading uses."""
    import nbformat
    from nbgrader.utils import parse_utc

    from .. import answers as learner_answers
    from ..marking import mark_question
    from .autograde import course_directory, key_folder, pool_of
    from .handin import _owner, notebook_text
    from .preprocessors import ANSWER_CELL

    coursedir = course_directory(root)
    source = Path(coursedir.format_path(coursedir.source_directory, ".", assignment)) / f"{assignment}.ipynb"
    if not source.exists():
        raise PowercoachError(f"No source notebook {source}: is '{assignment}' an assignment of this course?")
    key = keys.load(key_folder(coursedir))
    questions = questions_from_source(source, key, pool_of(coursedir))
    own = learners_papers(coursedir, assignment)
    config = coursedir.config
    exchange = Path(config.Exchange.root if "root" in config.Exchange else "/srv/nbgrader/exchange")
    inbound = exchange / coursedir.course_id / "inbound"
    if not inbound.is_dir():
        raise PowercoachError(f"No exchange inbound folder at {inbound}: first attempts are read from nbgrader's "
                              "exchange (set c.Exchange.root in nbgrader_config.py).")
    check_owner = config.ExchangeCollect.check_owner if "check_owner" in config.ExchangeCollect else True
    earliest: dict[str, tuple] = {}
    for path in inbound.glob(f"*+{assignment}+*"):
        parts = path.name.rsplit("+", 3)
        if len(parts) < 3 or parts[1] != assignment or path.is_symlink() or not path.is_dir():
            continue
        try:
            when = parse_utc(parts[2])
        except (ValueError, OverflowError):
            continue
        if check_owner and _owner(str(path)) != parts[0]:
            continue  # a folder planted under another learner's name
        if parts[0] not in earliest or when < earliest[parts[0]][0]:
            earliest[parts[0]] = (when, path)
    scores, chosen = {}, {}
    for student, (_, folder) in sorted(earliest.items()):
        clicked, _ = learner_answers.load(assignment, folder)
        cell_source = ""
        try:
            text, _ = notebook_text(folder / f"{assignment}.ipynb")  # None: a link, too large or too deep
            if text is not None:  # the answer cell, found as MarkAnswers finds it
                nb = nbformat.reads(text, as_version=4)
                cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == ANSWER_CELL)
                cell_source = cell.source if type(cell.source) is str else ""
        except Exception:  # noqa: BLE001 (a learner's file can be anything; what cannot be read counts as blank)
            cell_source = ""
        given, _ = learner_answers.graded(clicked, cell_source)
        paper = (own and own(student)) or [Question(q, r.kind, r.ref) for q, r in questions.iterrows()]
        marks = {q.qid: mark_question(q, given, key) for q in paper}
        scores[student] = {q: m.points * questions.loc[q, "points"] for q, m in marks.items()}  # marks, as graded
        chosen[student] = {q: m.answer if m.answer is not None else "(blank)" if given.get(q) in (None, "")
                           else "(invalid)" for q, m in marks.items()}
    if not scores:
        raise PowercoachError(f"No submissions of '{assignment}' in {inbound}.")
    order = list(questions.index)
    return (questions, pd.DataFrame.from_dict(scores, orient="index")[order].astype(float),
            pd.DataFrame.from_dict(chosen, orient="index")[order])


def learners_papers(coursedir, assignment: str):
    """A function: student id -> that learner's own paper (``papers.drawn``, from the grader's roster);
    None where the course shares one paper (self-study, or a class without a roster). A learner not
    on the roster was not graded (MarkAnswers refuses), so has no paper here either."""
    from .. import papers, roster
    from .autograde import pool_of

    section = coursedir.config.MarkAnswers
    path = section.roster if "roster" in section else ""
    if pool_of(coursedir) != "class" or not path:
        return None
    try:
        places = roster.read(path)
    except Exception as err:  # noqa: BLE001 (a DataError with the file's name and the fix)
        raise PowercoachError(str(err)) from None
    return lambda student: papers.drawn(assignment, places[student]) if student in places else None


def per_item(own: dict, scores: pd.DataFrame, chosen: pd.DataFrame, key: keys.Key, worth: pd.Series):
    """(questions, scores, chosen) with a column per item (per set and pick) instead of per question,
    NaN where a learner was not asked it: the statistics of each item across the learners who saw it.
    ``own`` is each learner's paper and ``worth`` each question's points (an item asked as Q9 is worth
    Q9's); a best-and-worst answer is turned back from the letters that learner was shown to the
    set's own letters."""
    from .. import papers
    from ..draws import LETTERS

    rows, by_item, picks = {}, {}, {}
    for student, paper in own.items():
        for q in paper:
            col = papers.item_key(q.item_id, q.kind)
            rows[col] = {"ref": q.item_id, "kind": q.kind,
                         "answer": expected(Question(q.qid, q.kind, q.item_id), key),
                         "technique": technique_of(q.kind, q.item_id), "points": float(worth[q.qid])}
            by_item.setdefault(student, {})[col] = scores.loc[student, q.qid]
            given = chosen.loc[student, q.qid]
            if q.kind in ("best", "worst") and q.options and given in LETTERS:
                given = q.options[LETTERS.index(given)]
            picks.setdefault(student, {})[col] = given
    order = sorted(rows)
    questions = pd.DataFrame.from_dict(rows, orient="index").loc[order]
    questions.index.name = "question"
    return (questions, pd.DataFrame.from_dict(by_item, orient="index").reindex(columns=order).astype(float),
            pd.DataFrame.from_dict(picks, orient="index").reindex(columns=order))


def pass_standing(assignment: str, root: str = ".") -> dict | None:
    """The exercise's pass standard and how many learners reach it, among those whose written part is
    marked (nbgrader's total: clicks and written part); None when the exercise has no standard."""
    from nbgrader.api import Gradebook

    from .. import papers
    from .autograde import course_directory, pool_of

    coursedir = course_directory(root)
    standard = catalog.pass_standards(pool_of(coursedir))["exercises"].get(assignment)  # the class's own papers
    if standard is None:
        return None
    own = learners_papers(coursedir, assignment)
    with Gradebook(coursedir.db_url, course_id=coursedir.course_id) as gb:
        subs = gb.assignment_submissions(assignment)
        marked = [(sub.student.id, sub.score) for sub in subs if not sub.needs_manual_grade]
        waiting = len(subs) - len(marked)
    # each learner is held to their own paper's standard where they have one, else the exercise's
    shared = standard["pass"]  # a class without a roster shares the class paper, which has a standard of its own
    if own is None and pool_of(coursedir) == "class" and assignment in papers.class_papers():
        parts = papers.class_papers()[assignment]
        shared = papers.standard_of(assignment, papers.build(*(parts.get(p, ()) for p in papers.PARTS))) or shared
    held = {s: (papers.standard_of(assignment, own(s)) if own and own(s) else None) or shared for s, _ in marked}
    out = {"pass": shared, "of": standard["of"], "marked": len(marked),
           "at_or_above": sum(score >= held[s] for s, score in marked), "waiting_for_marking": waiting}
    if own is not None:  # each learner held to their own paper's standard
        out.update(lowest_held=min(held.values(), default=shared), highest_held=max(held.values(), default=shared))
    return out


def worth_of(questions: pd.DataFrame) -> pd.Series | None:
    """Each question's points, where the frame says them."""
    return questions["points"] if "points" in questions else None


def analyse(questions: pd.DataFrame, scores: pd.DataFrame, chosen: pd.DataFrame) -> pd.DataFrame:
    stats = item_statistics(scores, worth_of(questions)).join(examiner_statistics(scores, questions))
    stats["kind"] = questions["kind"]
    stats["item"] = questions["ref"]
    stats["technique"] = questions["technique"]
    stats["right_answer"] = questions["answer"]
    stats["most_chosen_wrong"] = most_chosen_wrong(chosen, questions["answer"])
    stats["flag"] = flags(stats)
    return stats


@dataclass
class Analysis:
    assignment: str
    stats: pd.DataFrame  # one row per question
    shares: pd.DataFrame  # share choosing each option, per question
    reliability: dict
    techniques: pd.DataFrame  # good/poor confusion per technique
    pitfalls: pd.DataFrame  # right pitfall against pitfall given
    written: pd.DataFrame | None = None  # what the reply reader notices in the written answers
    quintiles: pd.DataFrame | None = None  # share right per fifth of the class, per question
    guessing: dict | None = None  # what random answering expects
    standing: dict | None = None  # the pass standard and who reaches it
    attempts: str = "latest"  # "first": each learner's first submission, from the exchange

    @property
    def learners(self) -> int:
        return self.reliability["learners"]


def analysis(assignment: str, root: str = ".", first_attempt: bool = False) -> Analysis:
    """The item analysis of the graded submissions, or (``first_attempt``) of each learner's first
    submission in the exchange; the written part and the pass standard need the gradebook, so a
    first-attempt analysis leaves them out."""
    from .autograde import course_directory, key_folder

    if first_attempt:
        questions, scores, chosen = first_attempts(assignment, root)
        written, standing = None, None
    else:
        questions, scores, chosen = collect(assignment, root)
        written, standing = written_tally(assignment, root, list(scores.index)), pass_standing(assignment, root)
    # With a paper of their own for each learner, a question (Q1) asks different items of different
    # learners: the exercise's figures stay per question, each item's are across the learners who saw it.
    coursedir = course_directory(root)
    own = learners_papers(coursedir, assignment)
    own_papers = {s: own(s) for s in scores.index} if own else {}
    items = (questions, scores, chosen)
    if own_papers and all(p is not None for p in own_papers.values()):
        items = per_item(own_papers, scores, chosen, keys.load(key_folder(coursedir)), questions["points"])
    iq, isc, ich = items
    return Analysis(assignment, analyse(iq, isc, ich), option_shares(ich, iq), reliability(scores),
                    confusion(ich, iq, ("classify",), "technique"), confusion(ich, iq, ("diagnose",)), written,
                    quintiles(isc, worth_of(iq)), guessing(questions), standing,
                    "first" if first_attempt else "latest")


def written_tally(assignment: str, root: str, learners: list[str]) -> pd.DataFrame:
    """Per pitfall and strength, how many of the class's written answers the reply reader finds it
    in (what this class tends to do under pressure): a marking aid, never a mark."""
    import nbformat

    from .. import bank, catalog, reader
    from ..exercise import reply_part
    from .autograde import course_directory
    from .preprocessors import reflection_scenes

    coursedir = course_directory(root)
    counts: dict[tuple[str, str], int] = {}
    replies = 0
    for student in learners:
        path = Path(coursedir.format_path(coursedir.autograded_directory, student, assignment)) / f"{assignment}.ipynb"
        if not path.exists():
            continue
        nb = nbformat.read(path, as_version=4)
        for index, item_id in reflection_scenes(nb):
            row = bank.item(item_id)
            text = reply_part(nb.cells[index].source)
            if not text or "YOUR ANSWER HERE" in text:
                continue
            replies += 1
            found = reader.read(text, technique=row["technique"], client_says=row["client_says"],
                                context=row["context"])
            for o in {(o.kind, o.id) for o in found.observations}:
                counts[o] = counts.get(o, 0) + 1
    titles = {p.id: p.title for p in catalog.pitfalls().values()} | reader.STRENGTHS
    rows = [{"kind": kind, "observation": titles.get(ident, ident), "replies": n,
             "share": n / replies if replies else 0.0} for (kind, ident), n in counts.items()]
    frame = pd.DataFrame(rows, columns=["kind", "observation", "replies", "share"])
    frame.attrs["replies"] = replies
    return frame.sort_values(["kind", "replies"], ascending=[True, False]).reset_index(drop=True)


# --- the report --------------------------------------------------------------------------------

def _plot(stats: pd.DataFrame) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 3.6), dpi=90)
    x = range(len(stats))
    a.bar(x, stats["difficulty"], color="#34538c", hatch=["//" if f else "" for f in stats["flag"]])
    a.axhline(EASY, ls="--", c="grey")
    a.axhline(HARD, ls=":", c="grey")
    a.set(title="Share correct (hatched: flagged)", ylim=(0, 1), xticks=list(x), xticklabels=stats.index)
    b.bar(x, stats["discrimination"].fillna(0), color="#8c5a34")
    b.axhline(0, c="black", lw=0.8)
    b.set(title="Discrimination (point-biserial)", ylim=(-1, 1), xticks=list(x), xticklabels=stats.index)
    for ax in (a, b):
        ax.tick_params(axis="x", labelrotation=90, labelsize=8)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _quintile_plot(fifths: pd.DataFrame) -> str:
    """Small multiples: per question, the share right in each fifth of the class, lowest first."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cols = 6
    rows = (len(fifths) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(11, 1.9 * rows), dpi=90, sharey=True, squeeze=False)
    for ax, (q, row) in zip(axes.flat, fifths.iterrows(), strict=False):
        ax.plot(range(1, 6), row.values, marker="o", color="#34538c")
        ax.set(title=str(q), ylim=(-0.05, 1.05), xticks=range(1, 6))
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(fifths):]:
        ax.axis("off")
    fig.supxlabel("fifth of the class by total score (1 = lowest)", fontsize=9)
    fig.supylabel("share right", fontsize=9)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _standing_html(standing: dict | None) -> str:
    if standing is None:
        return ""
    held = (f"each learner's own paper's, from {standing['lowest_held']:g} to {standing['highest_held']:g} of "
            f"{standing['of']} points among the learners marked ({standing['pass']:g} on average over all papers)"
            if "lowest_held" in standing else f"{standing['pass']:g} of {standing['of']} points")
    return (f"<p><b>Pass standard:</b> {held} (clicks and written part), "
            "set by a modified Angoff panel (python -m powercoach.instructor.standard show). "
            f"<b>At or above it:</b> {standing['at_or_above']} of the {standing['marked']} learners whose written "
            f"part is marked; {standing['waiting_for_marking']} still wait for marking.</p>")


def _examiner_html(a: Analysis) -> str:
    rel, guess = a.reliability, a.guessing or {}
    text = _standing_html(a.standing) + (
            f"<p><b>Error ratio:</b> {rel.get('error_ratio', float('nan')):.1f}% "
            "(100 &times; &radic;(1 &minus; KR-20): the share of the spread of scores that is measurement error: "
            "the smaller the better). "
            f"<b>Random answering</b> expects {guess.get('random_guess_points', float('nan')):.2f} of "
            f"{guess.get('clicked_points', rel['questions']):g} points "
            f"({100 * guess.get('random_guess_share', float('nan')):.0f}%): a score near "
            "it says nothing about the learner. Per question, <i>random_guess</i> is that expectation, "
            "<i>effective_weight</i> the share (%) of the spread of totals the question carries (equal weights "
            "would be 100 / questions), and <i>discriminative_efficiency</i> how much of the discrimination its "
            "difficulty allows it reaches (%). Definitions as in Moodle's quiz statistics.</p>")
    if a.quintiles is None or not len(a.quintiles):
        return text
    return (text + "<h2>Share right by fifth of the class (quintile plots)</h2><p>Learners ranked by total "
            "score and split into fifths; a good question rises from the lowest fifth (1) to the highest (5). "
            "A flat line does not tell strong from weak; a falling one misleads the strong.</p>"
            "<img alt='Per question, a line of the share right in each fifth of the class, lowest fifth first' "
            f"src='data:image/png;base64,{_quintile_plot(a.quintiles)}'>{(a.quintiles * 100).round(0).to_html()}")


def _table(frame: pd.DataFrame, what: str, names: dict | None = None) -> str:
    if not len(frame):
        return f"<p>No {what} questions.</p>"
    return (frame.rename(index=names, level=0) if names else frame).to_html()


def html_report(a: Analysis) -> str:
    titles = {t.id: t.title for t in catalog.techniques().values()}
    stats = a.stats
    flagged = stats[stats["flag"] != ""]
    items = "".join(f"<li><b>{escape(str(q))}</b> ({escape(r['item'])}): {escape(r['flag'])}; most chosen wrong "
                    f"answer: {escape(str(r['most_chosen_wrong']) or 'none')}</li>" for q, r in flagged.iterrows())
    rel = a.reliability
    shares = (a.shares.loc[:, (a.shares > 0).any()] * 100).round(0).astype(int).astype(str) + "%"
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Item analysis: {escape(a.assignment)}</title>"
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #bbb;padding:3px 8px;font-size:14px}</style></head><body>"
        f"<h1>Item analysis: {escape(a.assignment)}{' (first attempts)' if a.attempts == 'first' else ''}</h1>"
        f"<p>{a.learners} {'learners, each on their first submission' if a.attempts == 'first' else 'graded learners'}."
        " Difficulty is the share "
        "who got a question right; discrimination is the point-biserial correlation of the question with the rest "
        f"of the score. Flags: too easy (&ge; {EASY}), too hard (&le; {HARD}), negative discrimination.</p>"
        f"<p><b>Reliability (KR-20):</b> {rel['kr20']:.2f} over {rel['questions']} questions; "
        f"<b>standard error of measurement:</b> {rel['sem']:.2f} points. KR-20 runs from 0 to 1; for a short "
        "classroom exercise 0.5 to 0.7 is usual, and a low value says the questions measure different things.</p>"
        f"{_examiner_html(a)}"
        "<img alt='Bar charts of share correct and discrimination per question' "
        f"src='data:image/png;base64,{_plot(stats)}'>"
        f"<h2>Flagged questions</h2><ul>{items or '<li>None.</li>'}</ul>"
        f"<h2>Every question</h2>{stats.round(3).to_html()}"
        "<h2>Which option learners chose (distractor analysis)</h2><p>Share of learners per answer; an option "
        f"nobody chose is left out.</p>{shares.to_html()}"
        f"<h2>Good and poor, per technique</h2>{_table(a.techniques, 'classify', titles)}"
        f"<h2>Pitfalls: right answer against answer given</h2>{_table(a.pitfalls, 'pitfall')}"
        f"{_written_html(a.written)}"
        "</body></html>")


def _written_html(written: pd.DataFrame | None) -> str:
    if written is None:
        return ""
    head = ("<h2>What the class's written answers tend to do (reply reader)</h2><p>How many of the "
            f"{written.attrs.get('replies', 0)} written answers the reply reader finds each pitfall or strength "
            "in. It reads words, not intent, and gives no mark: a pointer for the debrief, not a verdict.</p>")
    if not len(written):
        return head + "<p>Nothing found (or no written answers yet).</p>"
    shown = written.assign(share=(written["share"] * 100).round(0).astype(int).astype(str) + "%")
    return head + shown.to_html(index=False)


def show(assignment: str, root: str = "."):
    """For the instructor notebook: the same figures as the report, or what is missing."""
    from IPython.display import HTML

    try:
        return HTML(html_report(analysis(assignment, root)))
    except PowercoachError as err:
        return HTML(f"<p><b>No report yet.</b> {escape(str(err))}</p>")


def write_report(assignment: str, root: str = ".", out: str | None = None, first_attempt: bool = False) -> list[Path]:
    """report.html, items.csv (a row per question, with the share choosing each option) and
    exercise.csv (reliability); of each learner's first submission with ``first_attempt``."""
    a = analysis(assignment, root, first_attempt)
    folder = Path(out) if out else Path(root) / "reports" / (assignment + ("-first-attempt" if first_attempt else ""))
    folder.mkdir(parents=True, exist_ok=True)
    html, items, exercise = folder / "report.html", folder / "items.csv", folder / "exercise.csv"
    # Every learner-derived string in the page is escaped; the file also allows no script at all.
    policy = f'<meta http-equiv="Content-Security-Policy" content="{REPORT_CSP}">'
    page = html_report(a).replace("<head>", "<head>" + policy, 1)
    html.write_text(page, encoding="utf-8")
    table = a.stats.join(a.shares.add_prefix("share_"))
    if a.quintiles is not None:
        table = table.join(a.quintiles.add_prefix("right_in_fifth_"))
    table.to_csv(items)
    standing = {f"standard_{k}": v for k, v in (a.standing or {}).items()}
    pd.DataFrame([{"assignment": assignment, **a.reliability, **(a.guessing or {}), **standing}]).to_csv(
        exercise, index=False)
    return [html, items, exercise]
