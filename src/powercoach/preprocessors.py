"""nbgrader preprocessors for this course, switched on in nbgrader_config.py.

Each does one job, the way nbgrader's own preprocessors do.
"""

from __future__ import annotations

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor, OverwriteCells


class RestoreDeletedCells(OverwriteCells):
    """OverwriteCells whose put-back of deleted grade cells works beside locked cells.

    nbgrader 0.9.6 puts a deleted grade cell back after the cell that preceded it in the
    source notebook, but looks that cell up only among grade and solution cells: when it is
    a locked cell (a heading, a format check), autograde fails with a KeyError and the learner
    gets no grade at all. Here the nearest preceding source cell that the submission still
    has is used, whatever its kind.
    """

    def add_missing_grade_cells(self, nb, resources):
        source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        source_cells = source_nb.source_cells
        source_ids = [c.name for c in source_cells]
        solution_ids = {c.name for c in source_nb.solution_cells}

        def position(grade_id):
            for i, cell in enumerate(nb.cells):
                if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
                    return i
            return None

        for grade_cell in source_nb.grade_cells:
            if position(grade_cell.name) is not None:
                continue
            self.log.warning("Missing grade cell %s encountered, adding to notebook", grade_cell.name)
            index = source_ids.index(grade_cell.name)
            cell = self.missing_cell_transform(source_cells[index], grade_cell.max_score,
                                               is_solution=grade_cell.name in solution_ids)
            before = (position(name) for name in reversed(source_ids[:index]))
            anchor = next((i for i in before if i is not None), -1)
            nb.cells.insert(anchor + 1, cell)
        return nb, resources


class SkipAddedCells(NbGraderPreprocessor):
    """Turn code cells a learner added into notes, so autograde runs only the exercise's cells.

    Click-answered exercises need no code from the learner; the answer cell (which has nbgrader
    metadata) still runs for typed answers. The feedback shows the added code and says why it
    did not run.
    """

    note = ("**Not run during grading.** You added this cell; only the exercise's own cells run "
            "when your work is graded.\n\n```python\n{source}\n```")

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and "nbgrader" not in cell.metadata:
            return nbformat.v4.new_markdown_cell(self.note.format(source=cell.source),
                                                 metadata={"powercoach": {"skipped": True}}), resources
        return cell, resources


class HideTestErrors(NbGraderPreprocessor):
    """Remove tracebacks and stderr from test cells in feedback; they can quote hidden tests."""

    message = "This check could not run, so it scored 0. Your instructor can see why in the gradebook."

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade"):
            kept = [o for o in cell.outputs if o.output_type != "error" and o.get("name") != "stderr"]
            if len(kept) != len(cell.outputs):
                kept.append(nbformat.v4.new_output("stream", name="stdout", text=self.message))
            cell.outputs = kept
        return cell, resources
