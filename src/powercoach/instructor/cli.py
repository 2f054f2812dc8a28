"""The instructor's command line: ``powercoach grade`` and ``powercoach report``."""

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
    return parser


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
        if args.command == "report":
            from .report import write_report

            paths = write_report(args.assignment, args.course, args.out)
            print("\n".join(f"wrote {p}" for p in paths))
            return 0
    except PowercoachError as err:
        print(f"powercoach: {err}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    sys.exit(main())
