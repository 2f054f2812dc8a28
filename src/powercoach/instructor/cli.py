"""The instructor's command line: ``powercoach grade``, ``report``, ``feedback``, ``key`` and ``roster``."""

from __future__ import annotations

import argparse
import os
import sys

from ..errors import PowercoachError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="powercoach", description="Instructor tools for the powercoach course.")
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grade", help="autograde every submitted learner of an assignment, in parallel")
    g.add_argument("assignment", help="for example 01-contracting")
    g.add_argument("--workers", type=int, default=None, help="parallel workers (default: the number of cores)")
    g.add_argument("--course", default=".", help="the course folder holding nbgrader_config.py (default: here)")
    g.add_argument("--timeout", type=float, default=None,
                   help="seconds one learner's grading may take before it is stopped (default: 60)")
    g.add_argument("--no-sandbox", action="store_true",
                   help="run learners' code WITHOUT the bubblewrap sandbox (only if you trust every submission)")
    r = sub.add_parser("report", help="item analysis: which questions the class got wrong, and why")
    r.add_argument("assignment")
    r.add_argument("--course", default=".", help="the course folder holding nbgrader_config.py (default: here)")
    r.add_argument("--out", default=None, help="folder for report.html and items.csv (default: reports/<assignment>)")
    r.add_argument("--first-attempt", action="store_true",
                   help="analyse each learner's first submission in the exchange, not the latest one graded")
    f = sub.add_parser("feedback", help="the reply reader on written replies: one JSON object per line in and out")
    f.add_argument("--jsonl", action="store_true", required=True,
                   help='read {"id", "technique", "client_says", "context", "coach_says"} per line on standard input; '
                        'write {"id", "pitfalls", "observations"} per line')
    k = sub.add_parser("key", help="the class pool's answer key: unseal it (instructors) or seal it (authors)")
    ksub = k.add_subparsers(dest="action", required=True)
    u = ksub.add_parser("unseal", help="write the class key into your private course folder")
    u.add_argument("--to", default=None, help="where to write it (default: class-key/ in --course)")
    s = ksub.add_parser("seal", help="seal a plain class key folder (authors; commit the sealed/ files it writes)")
    s.add_argument("--from", dest="source", default=None, help="the plain key folder (default: class-key/ in --course)")
    for a in (u, s):
        a.add_argument("--course", default=".", help="the course folder holding sealed/ (default: here)")
        a.add_argument("--passphrase-file", default=None,
                       help="a file holding the passphrase (else POWERCOACH_PASSPHRASE, else a prompt)")
    o = sub.add_parser("roster", help="the class roster: each learner's place, which decides the paper drawn for them")
    osub = o.add_subparsers(dest="action", required=True)
    add = osub.add_parser("add", help="give learners not on the roster the next places (made if missing)")
    add.add_argument("learners", nargs="*", help="learner ids (nbgrader student ids; on the hub, user names)")
    add.add_argument("--gradebook", action="store_true", help="also add every student in the course's gradebook")
    add.add_argument("--course", default=".", help="the course folder; its roster.json is written (default: here)")
    add.add_argument("--copy-to", default=None,
                     help="also write the learners' copy here, for POWERCOACH_ROSTER (deploy/setup-class.py does)")
    return parser


def roster_command(args) -> int:
    import shutil
    from pathlib import Path

    from .. import roster

    course = Path(args.course)
    learners = list(args.learners)
    if args.gradebook:
        from nbgrader.api import Gradebook

        from .autograde import course_directory

        coursedir = course_directory(str(course))
        with Gradebook(coursedir.db_url, course_id=coursedir.course_id) as gb:
            learners += sorted(s.id for s in gb.students if s.id not in learners)
    if not learners:
        raise PowercoachError("Name the learners to add, or pass --gradebook to add every student of the gradebook.")
    before = roster.read(course / roster.FILE) if (course / roster.FILE).exists() else {}
    places = roster.add(course / roster.FILE, learners)
    if args.copy_to:
        shutil.copyfile(course / roster.FILE, args.copy_to)
    added = len(places) - len(before)
    print(f"{added} learner{'s' * (added != 1)} added to {course / roster.FILE}; it has {len(places)}, each with a "
          "paper of their own in every class exercise" + (f"; copied to {args.copy_to}." if args.copy_to else "."))
    return 0


def key_command(args) -> int:
    from pathlib import Path

    from .. import key as keys
    from . import seal

    course = Path(args.course)
    secret = seal.passphrase(args.passphrase_file)
    if args.action == "unseal":
        to = Path(args.to) if args.to else course / keys.CLASS_FOLDER
        written = seal.unseal(course / seal.SEALED, secret, to)
        print(f"Wrote the class key ({len(written)} files) to {to}. Keep it private: it holds every class answer.")
        return 0
    source = Path(args.source) if args.source else course / keys.CLASS_FOLDER
    keys.load(source)  # a key that does not answer every class item of the bank is not sealed
    envelope = seal.seal(source, secret, course / seal.SEALED, course / seal.FINGERPRINTS, public_root=course)
    covers = envelope["covers"]
    print(f"Sealed {len(covers['items'])} items, {len(covers['sets'])} sets and {len(covers['files'])} files into "
          f"{course / seal.SEALED}; commit it with {course / seal.FINGERPRINTS}.")
    return 0


MAX_LINE = 200_000  # characters in one JSON line; the reader itself reads at most 2,000 of a reply
FIELDS = ("technique", "client_says", "context", "coach_says")


def feedback_jsonl(lines, out, err) -> int:
    """The reply reader over JSON lines: a malformed line gets a one-line error (on standard error,
    and as {"line", "error"} in its place) and the rest go on. Returns how many lines failed."""
    import json

    from .. import catalog, reader
    from ..safefile import MAX_JSON_DEPTH, json_depth

    techniques, failed = set(catalog.techniques()), 0
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        problem, record = None, None
        if len(line) > MAX_LINE:
            problem = f"the line is {len(line):,} characters long; at most {MAX_LINE:,}"
        elif json_depth(line) > MAX_JSON_DEPTH:
            problem = "the line nests too deeply to be one reply"
        else:
            try:
                record = json.loads(line)
            except ValueError as e:
                problem = f"not JSON ({e.__class__.__name__}: {str(e)[:80]})"
        if problem is None and type(record) is not dict:
            problem = "expected a JSON object with id, technique, client_says, context and coach_says"
        if problem is None:
            bad = [k for k in FIELDS if k in record and type(record[k]) is not str]
            if bad or type(record.get("coach_says")) is not str:
                problem = "coach_says must be text" if not bad else f"{', '.join(bad)} must be text"
            elif record.get("technique") not in (None, "", *techniques):
                problem = (f"unknown technique {str(record['technique'])[:40]!r}; "
                           f"use one of {', '.join(sorted(techniques))}")
        if problem:
            failed += 1
            print(f"powercoach feedback: line {n}: {problem}", file=err)
            print(json.dumps({"line": n, "error": problem}), file=out)
            continue
        reading = reader.read(record["coach_says"], technique=record.get("technique") or None,
                              client_says=record.get("client_says") or "", context=record.get("context") or "")
        result = reading.to_dict()
        print(json.dumps({"id": record.get("id"), "pitfalls": result["pitfalls"],
                          "observations": result["observations"], "notice": result.get("notice")}), file=out)
    return failed


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "grade":
            from .autograde import DEFAULT_TIMEOUT, grade, summary

            if args.no_sandbox:
                os.environ["POWERCOACH_SANDBOX"] = "off"
            if args.workers is not None and args.workers < 1:
                raise PowercoachError("--workers must be 1 or more.")
            if args.timeout is not None and args.timeout <= 0:
                raise PowercoachError("--timeout must be a number of seconds above 0.")
            outcomes = grade(args.assignment, args.workers, args.course, timeout=args.timeout or DEFAULT_TIMEOUT)
            print(summary(outcomes))
            return 1 if any(not o.ok for o in outcomes) else 0
        if args.command == "key":
            return key_command(args)
        if args.command == "roster":
            return roster_command(args)
        if args.command == "feedback":
            return 1 if feedback_jsonl(sys.stdin, sys.stdout, sys.stderr) else 0
        if args.command == "report":
            from .report import write_report

            paths = write_report(args.assignment, args.course, args.out, args.first_attempt)
            print("\n".join(f"wrote {p}" for p in paths))
            return 0
    except PowercoachError as err:
        print(f"powercoach: {err}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    sys.exit(main())
