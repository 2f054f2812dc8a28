"""nbgrader settings for the instructor only: where the course folder is.

The hub puts <prefix>/etc/jupyter-instructor first on the instructor's JUPYTER_CONFIG_PATH, so
the Formgrader, `nbgrader ...` and `powercoach grade` find the course from any folder. The
course folder's own nbgrader_config.py (the course's grading settings) is loaded after this.
"""

import json
from pathlib import Path

c = get_config()  # noqa: F821 (nbgrader injects get_config)

_facts = json.loads((Path(__file__).resolve().parents[1] / "powercoach-class.json").read_text(encoding="utf-8"))
c.CourseDirectory.root = _facts["course_dir"]
