#!/usr/bin/env python3
"""Set up a powercoach class on one Debian/Ubuntu server: run as root, see docs/deploy.md.

    sudo python3 deploy/setup-class.py --people people.csv

What it does, in order (each step is safe to run again; nothing existing is overwritten):
1. installs the class's Python (powercoach, nbgrader, JupyterLab, JupyterHub) in --prefix,
   readable by everyone, and configurable-http-proxy from npm in <prefix>/node;
2. creates a system user for each person in the class list, with a private home (0700) and a
   new password, written to --passwords (root only) for you to hand out;
3. makes nbgrader's exchange folder, world-writable with the sticky bit (mode 1777), and the course's
   inbound folder in it, write-only for learners and sticky (3733);
4. makes the instructor's course folder <home>/powercoach (nbgrader_config.py, solutions/, key/,
   sealed/, gradebook.db with the learners in it), readable by the instructor alone (0700); with
   --class-key, unseals the class pool's key into its class-key/, and every learner is asked a
   class paper of their own (POWERCOACH_POOL=class) whose answers no learner can look up, drawn for
   their place on the class roster (roster.json in the course folder, the grader's; a copy that
   learners read at <prefix>/etc/powercoach-roster.json); a learner added later gets the next place;
5. writes the configuration (deploy/etc/ and <prefix>/etc/powercoach-class.json) and, unless
   --no-systemd, starts the hub as the systemd service powercoach-hub.

Only the Python standard library is used, so it runs with the server's own python3.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import pwd
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent
COURSE_ID = "powercoach"
ROLES = ("instructor", "learner")
COLUMNS = ("username", "role", "first_name", "last_name", "email")
USERNAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
PROXY_PACKAGE = "configurable-http-proxy@5"


class SetupError(Exception):
    """Something the person running the script can fix; the message says how."""


def read_people(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise SetupError(f"No class list at {path}: make a CSV like deploy/people.example.csv.")
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in ("username", "role") if c not in (reader.fieldnames or [])]
        if missing:
            raise SetupError(f"{path} has no {', '.join(missing)} column: its first line must be "
                             f"{','.join(COLUMNS)} (see deploy/people.example.csv).")
        people = []
        for line, row in enumerate(reader, start=2):
            person = {c: (row.get(c) or "").strip() for c in COLUMNS}
            if not USERNAME.match(person["username"]):
                raise SetupError(f"{path}, line {line}: '{person['username']}' cannot be a system user name "
                                 "(use lower-case letters, digits, - or _, starting with a letter, at most 32).")
            if person["role"] not in ROLES:
                raise SetupError(f"{path}, line {line}: role '{person['role']}' must be instructor or learner.")
            people.append(person)
    names = [p["username"] for p in people]
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise SetupError(f"{path} lists {', '.join(twice)} more than once.")
    if [p["role"] for p in people].count("instructor") != 1:
        raise SetupError(f"{path} must list exactly one instructor (the course folder is theirs alone).")
    return people


def run(*cmd, **kw) -> None:
    cmd = [shutil.which(str(cmd[0])) or str(cmd[0]), *map(str, cmd[1:])]  # found on our PATH, not env's
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode:
        raise SetupError(f"'{' '.join(map(str, cmd))}' failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")


def install_software(prefix: Path, source: Path, skip: bool) -> None:
    if not skip:
        print(f"Installing powercoach, nbgrader, JupyterLab and JupyterHub in {prefix} ...")
        if not (prefix / "bin" / "python").exists():
            run(sys.executable, "-m", "venv", prefix)
        run(prefix / "bin" / "python", "-m", "pip", "install", "--quiet", f"{source}[hub]")
    for program in ("jupyterhub", "jupyterhub-singleuser", "nbgrader", "powercoach"):
        if not (prefix / "bin" / program).exists():
            raise SetupError(f"{prefix} has no {program}: run again without --skip-install.")
    # Learners' servers run this Python as themselves: everyone reads it, only root writes it.
    run("chmod", "-R", "a+rX,go-w", prefix)


def install_proxy(prefix: Path, proxy: str | None) -> str:
    if proxy:
        if not os.access(proxy, os.X_OK):
            raise SetupError(f"--proxy {proxy} is not an executable configurable-http-proxy.")
        return proxy
    local = prefix / "node" / "node_modules" / ".bin" / "configurable-http-proxy"
    if not local.exists():
        if not shutil.which("npm"):
            raise SetupError("npm is missing: run 'apt-get install -y npm', then this script again.")
        print("Installing configurable-http-proxy from npm ...")
        run("npm", "install", "--prefix", prefix / "node", "--no-audit", "--no-fund", PROXY_PACKAGE)
    return str(local)


def make_users(people, home_base: Path | None, passwords: Path) -> dict[str, str]:
    """Create each missing system user; return the new users' passwords."""
    new = {}
    for p in people:
        name = p["username"]
        try:
            pwd.getpwnam(name)
            print(f"User {name} exists already: kept as it is.")
        except KeyError:
            comment = " ".join(x for x in (p["first_name"], p["last_name"]) if x) or name
            run("useradd", "--create-home", "--shell", "/bin/bash", "--comment", comment,
                *(["--base-dir", home_base] if home_base else []), name)
            new[name] = secrets.token_urlsafe(9)
        home = Path(pwd.getpwnam(name).pw_dir)
        os.chmod(home, 0o700)  # a learner's work is theirs alone
    if new:
        run("chpasswd", input="".join(f"{n}:{pw}\n" for n, pw in new.items()))
        passwords.parent.mkdir(parents=True, exist_ok=True)
        fresh = not passwords.exists()
        fd = os.open(passwords, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            if fresh:
                w.writerow(["username", "password"])
            w.writerows(new.items())
        os.chmod(passwords, 0o600)
    return new


def make_exchange(exchange: Path, instructor: str) -> None:
    # nbgrader's docs: the exchange root must be readable and writable by everyone. The sticky bit
    # (as on /tmp) also stops one account from deleting or renaming another's folder there.
    exchange.mkdir(parents=True, exist_ok=True)
    os.chmod(exchange, 0o1777)
    # The course's own folders, made now as nbgrader's release would make them (it keeps folders
    # that exist), but with the sticky bit on inbound too: nbgrader makes it 2733, so a learner
    # who learnt the name of another's submission could rename or delete it; with 3733 nobody
    # but its owner and the instructor can.
    user = pwd.getpwnam(instructor)
    course = exchange / COURSE_ID
    for name, mode in (("", 0o755), ("outbound", 0o755), ("inbound", 0o3733), ("feedback", 0o711)):
        folder = course / name
        folder.mkdir(exist_ok=True)
        os.chown(folder, user.pw_uid, user.pw_gid)
        os.chmod(folder, mode)


def as_user(name: str, prefix: Path, *cmd, cwd: Path, extra: dict | None = None) -> None:
    home = pwd.getpwnam(name).pw_dir
    env = {**(extra or {}), "HOME": home, "USER": name, "LOGNAME": name, "PATH": f"{prefix / 'bin'}:/usr/bin:/bin",
           "JUPYTER_CONFIG_PATH": str(prefix / "etc" / "jupyter-instructor"), "LANG": "C.UTF-8"}
    if os.environ.get("LD_LIBRARY_PATH"):  # a Python built with its libpython elsewhere
        env["LD_LIBRARY_PATH"] = os.environ["LD_LIBRARY_PATH"]
    run("runuser", "-u", name, "--", *cmd, cwd=cwd, env=env)


def make_course(instructor: str, learners, prefix: Path, source: Path, passphrase: str | None = None) -> Path:
    user = pwd.getpwnam(instructor)
    course = Path(user.pw_dir) / COURSE_ID
    if course.exists():
        print(f"Course folder {course} exists already: kept; new learners are added to its gradebook.")
    else:
        course.mkdir(mode=0o700)
        shutil.copy(source / "nbgrader_config.py", course / "nbgrader_config.py")
        for folder in ("solutions", "key", "sealed"):  # the answers stay with the instructor, never the package
            if (source / folder).is_dir():
                shutil.copytree(source / folder, course / folder)
    with (course / "students.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "first_name", "last_name", "email"])
        w.writerows([p["username"], p["first_name"], p["last_name"], p["email"]] for p in learners)
    run("chown", "-R", f"{user.pw_uid}:{user.pw_gid}", course)
    os.chmod(course, 0o700)
    as_user(instructor, prefix, prefix / "bin" / "nbgrader", "db", "student", "import", "students.csv", cwd=course)
    if passphrase is not None:  # the class key, written by the instructor's own account into their 0700 folder
        as_user(instructor, prefix, prefix / "bin" / "powercoach", "key", "unseal", cwd=course,
                extra={"POWERCOACH_PASSPHRASE": passphrase})
        # each learner's place on the class roster, in the order of the class list; places never move
        as_user(instructor, prefix, prefix / "bin" / "powercoach", "roster", "add",
                *(p["username"] for p in learners), cwd=course)
        shutil.copyfile(course / "roster.json", prefix / "etc" / "powercoach-roster.json")
        os.chmod(prefix / "etc" / "powercoach-roster.json", 0o644)  # learners read it: places, never answers
    return course


def read_passphrase(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        secret = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as e:
        raise SetupError(f"Cannot read the class key's passphrase from {path} ({e.__class__.__name__}).") from None
    if not secret:
        raise SetupError(f"{path} is empty; it should hold the class key's passphrase (docs/deploy.md).")
    return secret


def write_config(prefix: Path, facts: dict) -> None:
    for folder in ("jupyter", "jupyter-instructor", "jupyterhub"):
        shutil.copytree(HERE / "etc" / folder, prefix / "etc" / folder, dirs_exist_ok=True)
    (prefix / "etc" / "powercoach-class.json").write_text(json.dumps(facts, indent=2) + "\n", encoding="utf-8")
    state = prefix / "var"
    state.mkdir(exist_ok=True)
    os.chmod(state, 0o700)  # the hub's database and cookie secret
    run("chmod", "-R", "a+rX,go-w", prefix / "etc")


def start_service(prefix: Path) -> None:
    unit = (HERE / "powercoach-hub.service").read_text(encoding="utf-8").replace("@PREFIX@", str(prefix))
    Path("/etc/systemd/system/powercoach-hub.service").write_text(unit, encoding="utf-8")
    run("systemctl", "daemon-reload")
    run("systemctl", "enable", "--now", "powercoach-hub")
    run("systemctl", "restart", "powercoach-hub")  # picks up a changed class list


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Set up a powercoach class on this server (run as root).")
    ap.add_argument("--people", type=Path, required=True,
                    help="class list CSV: username,role,first_name,last_name,email (see deploy/people.example.csv)")
    ap.add_argument("--prefix", type=Path, default=Path("/opt/powercoach"), help="where the class's software goes")
    ap.add_argument("--exchange", type=Path, default=Path("/srv/nbgrader/exchange"), help="nbgrader's exchange folder")
    ap.add_argument("--home-base", type=Path, default=None, help="make new users' homes here (default: /home)")
    ap.add_argument("--passwords", type=Path, default=Path("/root/powercoach-passwords.csv"),
                    help="where new users' first passwords are written (root only)")
    ap.add_argument("--url", default="http://:80", help="address the hub listens on (default: port 80 on all)")
    ap.add_argument("--source", type=Path, default=SOURCE, help="the powercoach checkout to install from")
    ap.add_argument("--proxy", default=None, help="an installed configurable-http-proxy to use instead of npm's")
    ap.add_argument("--skip-install", action="store_true", help="the prefix already holds the software")
    ap.add_argument("--no-systemd", action="store_true", help="write everything but do not start the service")
    ap.add_argument("--class-key", type=Path, default=None, metavar="PASSPHRASE_FILE",
                    help="unseal the class pool's key with the passphrase in this file, and ask learners the class "
                         "paper (docs/deploy.md, 'The class key'); without it the class is asked the self-study paper")
    args = ap.parse_args(argv)
    # useradd, chpasswd and runuser live in sbin, which a sudo or CI PATH may lack.
    os.environ["PATH"] = os.environ.get("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin"
    try:
        people = read_people(args.people)
        passphrase = read_passphrase(args.class_key)
        if os.geteuid() != 0:
            raise SetupError("Run this as root: sudo python3 deploy/setup-class.py --people ...")
        prefix, exchange = args.prefix.resolve(), args.exchange.resolve()
        instructor = next(p["username"] for p in people if p["role"] == "instructor")
        learners = [p for p in people if p["role"] == "learner"]
        install_software(prefix, args.source.resolve(), args.skip_install)
        proxy = install_proxy(prefix, args.proxy)
        new = make_users(people, args.home_base, args.passwords)
        make_exchange(exchange, instructor)
        facts = {"course_id": COURSE_ID, "exchange": str(exchange), "instructors": [instructor],
                 "learners": [p["username"] for p in learners], "proxy": proxy, "url": args.url,
                 "course_dir": str(Path(pwd.getpwnam(instructor).pw_dir) / COURSE_ID),
                 "pool": "class" if passphrase is not None else "self-study"}
        if passphrase is not None:
            facts["roster"] = str(prefix / "etc" / "powercoach-roster.json")
        write_config(prefix, facts)
        course = make_course(instructor, learners, prefix, args.source.resolve(), passphrase)
        if not args.no_systemd:
            start_service(prefix)
    except SetupError as e:
        print(f"setup-class: {e}", file=sys.stderr)
        return 1
    print(f"Class ready: course folder {course} (instructor {instructor}), {len(learners)} learners, "
          f"exchange {exchange}.")
    if new:
        print(f"First passwords of the {len(new)} new users are in {args.passwords} (readable by root only).")
    print("The hub " + ("is running as the service powercoach-hub" if not args.no_systemd else "is not started (--no-systemd)")
          + f", listening on {args.url}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
