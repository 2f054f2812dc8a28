"""``python -m powercoach.bank check|report [--class]``: validate the bank, or print its quality figures.

Both read the self-study key where one is found (``key/`` above the current folder, or
``POWERCOACH_KEY``), since the package alone holds no assessment answers. With ``--class`` they
read the class pool's key instead, unsealed in ``class-key/`` here (``powercoach key unseal``):
its figures are the class pool's alone, from its own blind reviews.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import PowercoachError


def main(argv: list[str] | None = None) -> int:
    from .. import key

    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] not in (["check"], ["report"]) or argv[1:] not in ([], ["--class"]):
        print("usage: python -m powercoach.bank {check|report} [--class]")
        return 2
    if argv[1:] == ["--class"]:
        folder = Path(key.CLASS_FOLDER)
        if not folder.is_dir():
            raise key.KeyMissing(f"No {key.CLASS_FOLDER}/ here: unseal the class key first (powercoach key unseal).")
        found, uses = key.load(folder), ("class",)
    else:
        from . import PUBLIC

        found, uses = key.find(), PUBLIC
    if argv[0] == "report":
        from ..instructor.quality import print_report

        return print_report(key.require(found), uses)
    if found is None:
        from . import best_worst_sets, rows

        print(f"The package's bank is valid: {len(rows())} items, {len(best_worst_sets())} best-and-worst sets "
              "(no answer key found, so assessment answers were not checked).")
        return 0
    print(f"The bank and the key in {found.folder} are valid: {len(found.rows(uses))} items, "
          f"{len(found.sets(uses))} best-and-worst sets.")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except PowercoachError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(1)
