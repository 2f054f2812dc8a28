"""nbgrader configuration for the powercoach course.

nbgrader's "source" assignments live in solutions/ and the generated student versions in
exercises/, so Binder learners find them in the repository. Instructors run every nbgrader
command from this folder (see README, "Grading a cohort").
"""

import os

c = get_config()  # noqa: F821 (nbgrader injects get_config)

c.CourseDirectory.course_id = "powercoach"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"

# A click-answered exercise runs in seconds; a minute means something is stuck.
c.Execute.timeout = 60

# A deleted test cell is put back (and graded) instead of silently scoring 0.
c.OverwriteCells.add_missing_cells = True

# The answer cell keeps its first lines (which read the learner's clicks); only the answer key
# between the solution markers is removed from the learner's copy.
c.ClearSolutions.code_stub = {"python": "# Your clicks above are your answers; see the note at the top."}

# Feedback shows the learner's answers, the right ones and why, never a hidden test's source.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
