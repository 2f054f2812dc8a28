"""nbgrader settings every account on the class server shares (learners and the instructor).

setup-class.py installs this file in <prefix>/etc/jupyter/, which is on the Jupyter config path
of everyone who runs the class's Python. It reads the class's facts from
<prefix>/etc/powercoach-class.json, which setup-class.py writes.
"""

import json
from pathlib import Path

c = get_config()  # noqa: F821 (nbgrader injects get_config)

_facts = json.loads((Path(__file__).resolve().parents[1] / "powercoach-class.json").read_text(encoding="utf-8"))
c.CourseDirectory.course_id = _facts["course_id"]
# nbgrader's file exchange: world-writable with the sticky bit (setup-class.py makes it so).
c.Exchange.root = _facts["exchange"]
