"""Write the published pass standards into the notebooks that state them (after `standard write`).

Each exercise's intro cell in solutions/ states its standards in one line that starts with
"**Pass standard:**" (``powercoach.instructor.standard.sentence``); the start page states the
course's. This rewrites those lines from the data files; then regenerate exercises/ with
`make exercises`. Tests check every notebook states exactly what the data says.

    .venv/bin/python scripts/state_standards.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from powercoach.instructor import standard  # noqa: E402

LINE = re.compile(r"^\*\*Pass standard:\*\*.*$", re.M)


def main() -> int:
    changed = 0
    for path in sorted((REPO / "solutions").glob("*/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        said = standard.sentence(path.stem)
        for cell in nb.cells:
            if cell.cell_type == "markdown" and LINE.search(cell.source):
                new = LINE.sub(lambda _, said=said: said, cell.source, count=1)
                changed += new != cell.source
                cell.source = new
        nbformat.write(nb, path)
    start = REPO / "course" / "start.ipynb"
    nb = nbformat.read(start, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and "**What counts as a pass.**" in cell.source:
            head = cell.source.split("**What counts as a pass.**")[0]
            new = head + standard.course_paragraph()
            changed += new != cell.source
            cell.source = new
    nbformat.write(nb, start)
    print(f"{changed} notebook cells rewritten; now run: make exercises")
    return 0


if __name__ == "__main__":
    sys.exit(main())
