"""nbgrader configuration for the powercoach course.

nbgrader's "source" assignments live in solutions/ and the generated student versions in
exercises/, so Binder learners find them in the repository. The assessment answer key lives in
key/, read by the grader only. Instructors run every nbgrader command from this folder (see
README, "Grading a cohort").
"""

import os

c = get_config()  # noqa: F821 (nbgrader injects get_config)

c.CourseDirectory.course_id = "powercoach"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"

# A click-answered exercise runs in seconds; a minute means something is stuck.
c.Execute.timeout = 60

# A deleted test cell is put back (and graded) instead of silently scoring 0. Our subclass
# of OverwriteCells fixes nbgrader 0.9.6's put-back when a locked cell precedes the test cell.
c.OverwriteCells.add_missing_cells = True
c.Autograde.sanitize_preprocessors = [
    "powercoach.instructor.preprocessors.LimitCells",
    "powercoach.instructor.preprocessors.DeduplicateIds",
    "powercoach.instructor.preprocessors.CheckCellMetadata",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "powercoach.instructor.preprocessors.RestoreDeletedCells",
    "powercoach.instructor.preprocessors.CheckCellMetadata",
    "powercoach.instructor.preprocessors.MarkAnswers",
    "powercoach.instructor.preprocessors.ReadReflections",
]

# What a learner hands in is data and is never followed (powercoach.instructor.handin): collect
# copies plain files only, from folders their learner owns; before autograde reads a submission,
# links, pipes, devices, hard links to files elsewhere and oversized or too deeply nested notebooks
# are moved to refused/<learner>/<assignment>/ with the reason, which the feedback shows; feedback
# releases only the pages generated from the exercise's own notebooks.
from powercoach.instructor.handin import CheckSubmissions  # noqa: E402

c.ExchangeFactory.collect = "powercoach.instructor.handin.SafeCollect"
c.ExchangeFactory.release_feedback = "powercoach.instructor.handin.SafeReleaseFeedback"
c.Autograde.pre_convert_hook = CheckSubmissions(c.CourseDirectory.root)
c.MarkAnswers.refused_folder = os.path.join(c.CourseDirectory.root, "refused")

# ReadReflections (last above) adds a marking aid after each written answer: what the reply reader
# (powercoach.reader) notices in it, labelled as no mark; the Formgrader and the feedback show it.

# The answer cell keeps its first lines (which read the learner's clicks); only the answer key
# between the solution markers is removed from the learner's copy.
c.ClearSolutions.code_stub = {"python": "# To type an answer instead of clicking, add a line like:  answers[\"Q3\"] = \"poor\""}

# A click-answered exercise is marked as data: MarkAnswers (last of the sanitize steps above, once
# the marking cells are restored from the gradebook) reads the answers file as submitted and the
# literal answer lines of the answer cell, never running them, and marks them against the key;
# ExecuteUnmarked then starts no kernel for it. Any other notebook runs as usual, in the sandbox
# below, with code cells a learner added turned into notes in the feedback.
#
# Which paper (powercoach.papers): a course folder holding class-key/ (written by `powercoach key
# unseal`; docs/deploy.md) runs a class, and grades the class paper against that key; any other
# grades the self-study paper against the public key/. POWERCOACH_POOL, where set, decides.
_class_key = os.path.join(c.CourseDirectory.root, "class-key")
from powercoach import papers as _papers  # noqa: E402

if os.environ.get(_papers.ENV):
    c.MarkAnswers.pool = _papers.pool()
else:
    c.MarkAnswers.pool = "class" if os.path.isdir(_class_key) else "self-study"
c.MarkAnswers.key_folder = _class_key if c.MarkAnswers.pool == "class" else os.path.join(c.CourseDirectory.root, "key")
# In a class, each learner is marked on the paper drawn for their place on the class roster (roster.json, written
# by `powercoach roster add`, which deploy/setup-class.py runs); without it every learner shares one class paper.
_roster = os.path.join(c.CourseDirectory.root, "roster.json")
c.MarkAnswers.roster = _roster if c.MarkAnswers.pool == "class" and os.path.exists(_roster) else ""
c.Autograde.autograde_preprocessors = [
    "powercoach.instructor.preprocessors.SkipAddedCells",
    "powercoach.instructor.preprocessors.ExecuteUnmarked",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "powercoach.instructor.preprocessors.CheckCellMetadata",
]

# During autograde each learner's kernel (for a notebook that is not marked as data) runs in a bubblewrap sandbox: it sees its own
# submission folder and the installed software, never solutions/, the gradebook or this file.
# Without bubblewrap grading stops with a message; POWERCOACH_SANDBOX=off opts out.
c.Execute.kernel_manager_class = "powercoach.instructor.sandbox.SandboxKernelManager"

# Feedback shows the learner's answers, the right ones and why, never a hidden test's source
# or a traceback that could quote it.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "powercoach.instructor.preprocessors.HideTestErrors",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# Learner text is text (issue #15): a learner's Markdown, raw cells and outputs render without live
# HTML in the feedback and in the Formgrader's view of a submission (the same HTMLExporter config):
# one bleach allow-list keeps the instructor's formatting and shows any other tag as text. The
# feedback page also carries a Content-Security-Policy <meta> that allows no script at all. The
# Formgrader's page gets its policy as an HTTP header from powercoach.instructor.csp (a server
# extension; jupyter_server_config.json here and in deploy/etc/jupyter-instructor enable it).
from powercoach.instructor import safehtml as _safehtml  # noqa: E402

c.HTMLExporter.sanitize_html = True
c.HTMLExporter.filters = {"strip_files_prefix": "powercoach.instructor.safehtml.strip_files_prefix",
                          "clean_html": "powercoach.instructor.safehtml.clean_html"}
c.GenerateFeedback.HTMLExporter.template_name = "powercoach_feedback"
c.GenerateFeedback.HTMLExporter.extra_template_basedirs = _safehtml.feedback_template_dirs()
c.GenerateFeedback.HTMLExporter.extra_template_paths = _safehtml.feedback_template_paths()
