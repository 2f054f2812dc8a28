"""JupyterHub for one powercoach class on one server, the way The Littlest JupyterHub does it.

Every person is a system user (created by setup-class.py from the class list) who logs in with
their system password (PAM). Each single-user server runs as that user, in their own home, with
the class's Python in <prefix>. Learners see the Assignments tab only; the instructor's server
also gets <prefix>/etc/jupyter-instructor on its config path, which turns the Formgrader, Create
Assignment and Validate back on and names the course folder.

setup-class.py installs this file as <prefix>/etc/jupyterhub/jupyterhub_config.py and writes
the class's facts to <prefix>/etc/powercoach-class.json; change them by running it again.
"""

import json
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub injects get_config)

PREFIX = Path(__file__).resolve().parents[2]
FACTS = json.loads((PREFIX / "etc" / "powercoach-class.json").read_text(encoding="utf-8"))
INSTRUCTORS = set(FACTS["instructors"])
STATE = PREFIX / "var"

c.JupyterHub.bind_url = FACTS.get("url", "http://:80")
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.command = [FACTS["proxy"]]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")

# Who may log in: the people on the class list, with their system password.
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False
c.Authenticator.allowed_users = INSTRUCTORS | set(FACTS["learners"])

# Each server runs as its system user, in that user's home (0700: nobody else can look in).
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(PREFIX / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
# nbgrader shells out to alembic, and instructors run nbgrader and powercoach in a terminal.
c.Spawner.environment = {"PATH": f"{PREFIX / 'bin'}:/usr/local/bin:/usr/bin:/bin",
                         # which paper the exercises ask (powercoach.papers): the class paper once
                         # setup-class.py --class-key has unsealed its key for the instructor
                         "POWERCOACH_POOL": FACTS.get("pool", "self-study")}
if FACTS.get("roster"):  # in a class, each learner's paper of their own (powercoach.roster)
    c.Spawner.environment["POWERCOACH_ROSTER"] = FACTS["roster"]
c.Spawner.http_timeout = 60


def instructor_config(spawner):
    """The instructor's server also reads the instructor config (Formgrader on, course folder)."""
    if spawner.user.name in INSTRUCTORS:
        spawner.environment["JUPYTER_CONFIG_PATH"] = str(PREFIX / "etc" / "jupyter-instructor")
        # not on the class roster: the instructor's own notebooks preview the shared class paper
        spawner.environment.pop("POWERCOACH_ROSTER", None)


c.Spawner.pre_spawn_hook = instructor_config
