"""nbgrader preprocessors for this course, switched on in nbgrader_config.py.

Each does one job, the way nbgrader's own preprocessors do. For a click-answered exercise,
autograde's sanitize steps end with ``MarkAnswers`` (it marks the answers, as submitted, as
data against the instructor's key), and its grading steps run ``ExecuteUnmarked`` (nbgrader's
Execute, which leaves such a notebook alone): no kernel starts and none of the learner's code
runs. Any other notebook is executed as nbgrader always does.
"""

from __future__ import annotations

import ast
import os
import re
import traceback

import jsonschema
import nbformat
from nbgrader.nbgraderformat import ValidationError
from nbgrader.nbgraderformat.common import (
    BaseMetadataValidator,
    SchemaMismatchError,
    SchemaTooNewError,
    SchemaTooOldError,
)
from nbgrader.nbgraderformat.v3 import MetadataValidatorV3
from nbgrader.preprocessors import Execute, NbGraderPreprocessor, OverwriteCells
from traitlets import Enum, Integer, Unicode

from .. import answers as learner_answers
from .. import key as keys
from .. import papers, roster
from ..errors import DataError
from ..exercise import reply_part
from ..marking import KINDS, Question, mark_question
from . import handin

ANSWER_CELL = "answers"  # grade_id of an exercise's answer cell


class SubmissionError(Exception):
    """A submission that cannot be graded, with the reason in one line for the instructor."""


class LimitCells(NbGraderPreprocessor):
    """Refuse a notebook with far more cells than an exercise has, before anything else reads it.

    The notebook's size and nesting were checked before nbgrader parsed it
    (``handin.CheckSubmissions``); this bounds the work every later step does per cell.
    """

    max_cells = Integer(400, help="Most cells a submitted notebook may have (an exercise has about 40).").tag(
        config=True)

    def preprocess(self, nb, resources):
        if len(nb.cells) > self.max_cells:
            raise SubmissionError(f"The notebook has {len(nb.cells):,} cells; an exercise has about 40 and grading "
                                  f"reads at most {self.max_cells}. Ask the learner to resubmit the exercise's own "
                                  "notebook.")
        return nb, resources


class DeduplicateIds(NbGraderPreprocessor):
    """nbgrader's DeduplicateIds, keeping the first cell of each grade id and saying so.

    A cell copied in JupyterLab keeps its nbgrader metadata. nbgrader keeps the last copy and
    empties the earlier one's metadata, which then breaks OverwriteCells with a bare
    ``KeyError: 'grade_id'`` and the learner gets no grade. Here the exercise's own cell (the
    first) stays what it is and each later copy becomes an ordinary cell with a note: a copied
    code cell is then shown, not run (SkipAddedCells), and graded as if it were not there.
    """

    note = ("Note: this cell is a copy of the exercise's cell '{grade_id}'; only the original, "
            "earlier in the notebook, was read when your work was graded.")

    def preprocess(self, nb, resources):
        seen = set()
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader")
            grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
            if grade_id is None:
                if meta is not None and not isinstance(meta, dict):
                    del cell.metadata["nbgrader"]
                continue
            if grade_id in seen:
                self.log.warning("Cell with id '%s' exists multiple times; keeping the first", grade_id)
                del cell.metadata["nbgrader"]
                cell.metadata["powercoach"] = {"copy_of": str(grade_id)[:100]}
                note = self.note.format(grade_id=str(grade_id)[:100])
                if cell.cell_type == "markdown":
                    cell.source = note + "\n\n" + cell.source
                else:  # shown, not run, by SkipAddedCells
                    cell.source = f"# {note}\n{cell.source}"
            else:
                seen.add(grade_id)
        return nb, resources


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
            "when your work is graded.\n\n{fence}python\n{source}\n{fence}")

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and "nbgrader" not in cell.metadata:
            import re  # here, not at the top: this fix stays inside this class

            # A fence longer than any run of backticks in the source, so the source cannot close it.
            fence = "`" * max(3, 1 + max(map(len, re.findall("`+", cell.source)), default=0))
            return nbformat.v4.new_markdown_cell(self.note.format(fence=fence, source=cell.source),
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


def marking_call(source: str) -> Question | None:
    """The question a marking cell names, read from its source: ``mark(<answers>, "Q1", "item-id")``
    with an optional ``kind="diagnose"`` and ``points=2``, all literals. Anything else is None. (What
    a right answer earns is the cell's own points, which MarkAnswers reads from its metadata.)"""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
             and getattr(n.func, "id", getattr(n.func, "attr", None)) == "mark"]
    if len(calls) != 1 or len(calls[0].args) != 3:
        return None
    call = calls[0]
    literals = [a.value for a in call.args[1:] if isinstance(a, ast.Constant) and type(a.value) is str]
    kinds = [k.value.value for k in call.keywords if k.arg == "kind" and isinstance(k.value, ast.Constant)]
    worth = [k for k in call.keywords if k.arg == "points" and isinstance(k.value, ast.Constant)
             and type(k.value.value) in (int, float)]
    if len(literals) != 2 or len(call.keywords) != len(kinds) + len(worth) or kinds[:1] and kinds[0] not in KINDS:
        return None
    return Question(literals[0], kinds[0] if kinds else "classify", literals[1])


def marking_cells(nb) -> dict[int, Question] | None:
    """Index -> question for every autograded test cell, when every one of them is a marking
    call (a click-answered exercise); else None. After nbgrader's OverwriteCells these sources
    are the instructor's, restored from the gradebook, so a learner cannot change them."""
    tests = {i: c for i, c in enumerate(nb.cells) if c.cell_type == "code"
             and c.metadata.get("nbgrader", {}).get("grade") and not c.metadata["nbgrader"].get("solution")}
    found = {i: marking_call(c.source) for i, c in tests.items()}
    if not found or any(q is None for q in found.values()):
        return None
    return found


class MarkAnswers(NbGraderPreprocessor):
    """Mark a click-answered exercise from its answers, read as data, against the key.

    The answers are the ``<notebook>.answers.json`` file submitted beside the notebook and the
    literal lines ``answers["Q3"] = "poor"`` in the answer cell's source (read with ``ast``,
    never run; a typed answer replaces a click). Each marking cell gets the verdict, the right
    answer and why as text and the points as its result, which nbgrader's SaveAutoGrades scores
    as it would an executed cell. Lines that do not count are named under the answer cell.
    A notebook whose marking cells are not all marking calls is left for ExecuteUnmarked.

    The marking cells name the self-study paper; with ``pool = "class"`` each question is marked
    on the class paper's item instead (``powercoach.papers``), against the class key: with a
    ``roster``, the paper drawn for the learner's place on it (nbgrader's student id). The pool and
    the paper are these settings and the student id alone, never anything in the submission.
    """

    key_folder = Unicode("key", help="The answer key folder of the pool graded: key/ (self-study) or class-key/ "
                         "(class, written by powercoach key unseal).").tag(config=True)
    pool = Enum(papers.POOLS, "self-study", help="Which paper the learners were asked: self-study or class.").tag(
        config=True)
    roster = Unicode("", help="The class roster (roster.json, written by powercoach roster add): in a class, each "
                     "learner is marked on the paper drawn for their place on it. Empty: every learner shares the "
                     "class paper.").tag(config=True)
    refused_folder = Unicode("refused", help="Where handin.CheckSubmissions records files it did not use.").tag(
        config=True)
    shown_lines = Integer(40, help="Lines of an oversized answer cell kept in the graded copy.").tag(config=True)

    def place_of(self, student: str) -> int | None:
        """The learner's place on the instructor's roster (nbgrader's student id, never the submission's
        word); None when this course has no roster or grades the self-study paper."""
        if self.pool != "class" or not self.roster:
            return None
        try:
            return roster.place(roster.read(self.roster), student, self.roster)
        except DataError as err:
            raise SubmissionError(str(err)) from None

    def preprocess(self, nb, resources):
        questions = marking_cells(nb)
        if questions is None:
            return nb, resources
        key = keys.load(self.key_folder)
        if key.pool != papers.USE[self.pool]:
            raise keys.KeyMissing(f"{self.key_folder} answers the {papers.POOL_OF_USE[key.pool]} "
                                  f"pool, but this course grades the {self.pool} pool; point MarkAnswers.key_folder "
                                  "at that pool's key.")
        exercise_id = resources["nbgrader"]["notebook"]  # as the notebook's Exercise(...) names itself
        paper = papers.for_pool(exercise_id, self.pool, [q for _, q in sorted(questions.items())],
                                self.place_of(resources.get("nbgrader", {}).get("student", "")))
        questions = dict(zip(sorted(questions), paper, strict=True))
        folder = resources.get("metadata", {}).get("path") or os.getcwd()
        clicked, problems = learner_answers.load(resources["nbgrader"]["notebook"], folder)
        cell = next((c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == ANSWER_CELL), None)
        answers, ignored = learner_answers.graded(clicked, cell.source if cell is not None else "")
        asked = {q.qid for q in questions.values()}
        answers = {q: v for q, v in answers.items() if q in asked}
        for n, (index, question) in enumerate(sorted(questions.items()), 1):
            result = mark_question(question, answers, key)
            worth = float(nb.cells[index].metadata["nbgrader"].get("points", 1))  # the instructor's cell, restored
            nb.cells[index].outputs = [
                nbformat.v4.new_output("stream", name="stdout", text=result.message + "\n"),
                nbformat.v4.new_output("execute_result", data={"text/plain": repr(result.points * worth)},
                                       execution_count=n)]
            nb.cells[index].execution_count = n
        info = resources.get("nbgrader", {})
        refused = handin.read_record(self.refused_folder, info.get("student", ""), info.get("assignment", ""))
        if cell is not None:
            notes = [f"Warning: {line}" for line in handin.describe(refused)]
            notes += [f"Warning: {p}." for p in problems]
            lines = cell.source.splitlines()
            if len(lines) > learner_answers.MAX_CELL_LINES or len(cell.source) > learner_answers.MAX_CELL_CHARS:
                kept = "\n".join(line[:200] for line in lines[:self.shown_lines])
                cell.source = kept + f"\n# ... {len(lines) - self.shown_lines:,} more lines not kept in the graded copy"
            if ignored:
                notes.append("Not counted (only lines like answers[\"Q3\"] = \"poor\" count):")
                notes += [f"  {line}" for line in ignored]
            text = "\n".join(notes) + "\n"
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)] if notes else []
        return nb, resources


class ExecuteUnmarked(Execute):
    """nbgrader's Execute for every notebook MarkAnswers does not mark; such a one starts no kernel."""

    def preprocess(self, nb, resources):
        if marking_cells(nb) is not None:
            return nb, resources
        return super().preprocess(nb, resources)


_VALIDATORS: dict[int, object] = {}  # nbgrader metadata schema version -> its compiled validator


def _compiled(version: int, schema: dict):
    if version not in _VALIDATORS:
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        _VALIDATORS[version] = cls(schema)
    return _VALIDATORS[version]


class _SchemaCompiledOnce(BaseMetadataValidator):
    """nbgrader's per-cell schema check, with the schema checked and compiled once per process.

    nbgrader calls ``jsonschema.validate`` for every cell, which first validates the schema
    itself: a third of a click-answered submission's grading time. Placed after
    MetadataValidatorV3 in the MRO, this is what V3's own checks call for the schema part.
    """

    def validate_cell(self, cell) -> None:
        if "nbgrader" not in cell.metadata:
            return
        version = cell.metadata["nbgrader"].get("schema_version", 0)
        if version < self.schema_version:
            raise SchemaTooOldError(f"Outdated schema version: {version} (expected {self.schema_version})",
                                    version, self.schema_version)
        if version > self.schema_version:
            raise SchemaTooNewError(f"Schema version is too new: {version} (expected {self.schema_version})",
                                    version, self.schema_version)
        error = jsonschema.exceptions.best_match(
            _compiled(self.schema_version, self.schema).iter_errors(cell.metadata["nbgrader"]))
        if error is not None:
            raise error


class _MetadataValidator(MetadataValidatorV3, _SchemaCompiledOnce):
    pass


class CheckCellMetadata(NbGraderPreprocessor):
    """nbgrader's CheckCellMetadata (the same checks), with the schema compiled once, and a
    learner's own failure: nbgrader's stops the whole class's autograde when one learner's cell
    carries another schema version; here that learner gets no grade and a one-line reason."""

    def preprocess(self, nb, resources):
        try:
            _MetadataValidator().validate_nb(nb)
        except (ValidationError, SchemaMismatchError, KeyError, TypeError, AttributeError) as err:
            self.log.error(traceback.format_exc())
            reason = str(getattr(err, "message", err)).splitlines()[0][:160] if str(err) else type(err).__name__
            raise SubmissionError(f"A cell's nbgrader metadata was changed in this submission ({reason}), so it "
                                  "cannot be graded as it is: ask the learner to copy their answers into a fresh "
                                  "copy of the exercise and resubmit.") from None
        return nb, resources


SCENE_CALL = re.compile(r"""ex\.scene\(\s*["']([\w-]+)["']\s*\)""")
def reflection_scenes(nb) -> list[tuple[int, str]]:
    """(index of each manually graded written answer, the bank item its scene shows), from the
    locked ``ex.scene("item")`` cell before it (restored from the gradebook, so the instructor's)."""
    found, scene = [], None
    for i, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("locked"):
            m = SCENE_CALL.search(cell.source)
            scene = m.group(1) if m else scene
        elif cell.cell_type == "markdown" and meta.get("grade") and meta.get("solution") and scene:
            found.append((i, scene))
    return found


def md_text(text: str) -> str:
    """A learner's words as Markdown that shows them as typed: HTML and Markdown markup escaped."""
    return "".join(f"&#{ord(c)};" if c in "\\`*_[]<>&#|{}!~" else c for c in " ".join(text.split()))


class ReadReflections(NbGraderPreprocessor):
    """A marking aid beside each written answer: what the reply reader notices in it.

    The reader (``powercoach.reader``) is formative: it reads words, not intent, and never gives
    a mark. For the instructor in the Formgrader (and the learner in the feedback) it adds a
    clearly labelled note after the answer: the pitfalls it suspects and the strengths it finds,
    each with the words that raised it, escaped so a learner's text stays text.
    """

    heading = "Marking aid from the reply reader (not a mark; it reads words, not intent)"

    def preprocess(self, nb, resources):
        from .. import bank, reader

        for index, item_id in reversed(reflection_scenes(nb)):
            try:
                row = bank.item(item_id)
            except Exception:
                continue
            reply = reply_part(nb.cells[index].source)  # as the learner's Check my draft reads it
            reading = reader.read(reply, technique=row["technique"], client_says=row["client_says"],
                                  context=row["context"])
            nb.cells.insert(index + 1, nbformat.v4.new_markdown_cell(aid_markdown(self.heading, reading)))
        return nb, resources


def aid_markdown(heading: str, reading) -> str:
    lines = [f"**{heading}.**", ""]
    if reading.notice:
        lines.append(f"- {md_text(reading.notice)}")
    elif not reading.observations:
        lines.append("- Nothing it recognises: read the reply against the rubric.")
    for o in reading.observations:
        words = ", ".join(f"\u201c{md_text(w)}\u201d" for w in o.words[:6])
        kind = "Pitfall it suspects" if o.kind == "pitfall" else "Strength"
        lines.append(f"- {kind}: **{md_text(o.title)}**" + (f" (words: {words})" if words else "")
                     + f". {md_text(o.message)}")
    return "\n".join(lines)
