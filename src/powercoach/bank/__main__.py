"""``python -m powercoach.bank check|report``: validate the bank, or print its quality figures.

Both read the instructor's key where one is found (``key/`` above the current folder, or
``POWERCOACH_KEY``), since the package alone holds no assessment answers.
"""

from __future__ import annotations

import sys

from ..errors import PowercoachError


def main(argv: list[str] | None = None) -> int:
    from .. import key

    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] not in (["check"], ["report"]):
        print("usage: python -m powercoach.bank {check|report}")
        return 2
    found = key.find()
    if argv[0] == "report":
        from ..instructor.quality import print_report

        return print_report(key.require(found))
    if found is None:
        from . import best_worst_sets, rows

        print(f"The package's bank is valid: {len(rows())} items, {len(best_worst_sets())} best-and-worst sets "
              "(no answer key found, so assessment answers were not checked).")
        return 0
    print(f"The bank and the key in {found.folder} are valid: {len(found.rows())} items, "
          f"{len(found.sets())} best-and-worst sets.")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except PowercoachError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(1)
