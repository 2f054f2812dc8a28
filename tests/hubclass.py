"""A real class on JupyterHub for tests: system users, deploy/setup-class.py, hub, proxy, kernels.

Everything lives under one temp folder in /tmp (mode 0755, so the class's users can reach the
software in it; the repository itself may sit in a folder only root can enter). Users, servers,
kernels, the hub and the proxy are removed afterwards, even when a test fails.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
from browser import free_port
from conftest import REPO

ENV = Path(sys.prefix)  # the project's .venv
PROXY = ENV / "node" / "node_modules" / ".bin" / "configurable-http-proxy"


def world_usable(path: Path) -> bool:
    path = path.resolve()
    return path.stat().st_mode & 0o005 == 0o005 and all(p.stat().st_mode & 0o001 for p in path.parents)


def everyones_python(base: Path) -> Path:
    """The interpreter under the project's venv, or, where other users cannot reach it (pyenv's
    under /root, say), a hard-linked copy of its installation in ``base``. Its libpython is then
    found through LD_LIBRARY_PATH (``library_path``), as its built-in run path is under /root."""
    python = Path(os.path.realpath(ENV / "bin" / "python3"))
    if world_usable(python):
        return python
    home = Path(sys.base_prefix)
    copy = base / "python"
    stdlib = f"lib/python{sys.version_info.major}.{sys.version_info.minor}"
    unused = shutil.ignore_patterns("test", "idlelib", "tkinter", "turtledemo", "site-packages", "__phello__")
    (copy / "lib").mkdir(parents=True)
    shutil.copytree(home / stdlib, copy / stdlib, copy_function=link_or_copy, ignore=unused, symlinks=True)
    for lib in (home / "lib").glob("libpython*"):
        shutil.copy(lib, copy / "lib" / lib.name, follow_symlinks=False)
    (copy / "bin").mkdir()
    link_or_copy(python, copy / "bin" / python.name)
    return copy / "bin" / python.name


def link_or_copy(src, dst) -> None:
    try:
        os.link(src, dst)
    except OSError:  # another filesystem
        shutil.copy2(src, dst)


def library_path(base: Path) -> str:
    return str(base / "python" / "lib") if (base / "python").exists() else ""


def class_environment(base: Path) -> Path:
    """The class's Python, readable by every user: the project's venv, hard-linked into ``base``,
    with powercoach installed as a wheel (not editable) the way setup-class.py installs it.

    A fresh `pip install` of everything takes over a minute here; linking takes a second."""
    env = base / "env"
    site = f"lib/python{sys.version_info.major}.{sys.version_info.minor}/site-packages"
    (env / site).parent.mkdir(parents=True)
    try:
        subprocess.run(["cp", "-al", ENV / site, env / site], check=True, capture_output=True)
    except subprocess.CalledProcessError:  # another filesystem: copy instead
        subprocess.run(["cp", "-a", ENV / site, env / site], check=True)
    if (ENV / "lib64").is_symlink():
        os.symlink("lib", env / "lib64")
    python = everyones_python(base)
    (env / "pyvenv.cfg").write_text(f"home = {python.parent}\ninclude-system-site-packages = false\n")
    shutil.copytree(ENV / "etc", env / "etc", symlinks=True)
    shutil.copytree(ENV / "share", env / "share", symlinks=True)
    (env / "bin").mkdir()
    old = f"#!{ENV}/bin/"
    for script in (ENV / "bin").iterdir():
        target = env / "bin" / script.name
        if script.name.startswith("python"):
            continue
        if script.is_symlink():
            link = os.readlink(script)
            if not link.startswith(str(REPO)):
                os.symlink(link, target)
            continue
        data = script.read_bytes()
        if data.startswith(old.encode()):
            data = f"#!{env}/bin/".encode() + data[len(old):]
        target.write_bytes(data)
        target.chmod(script.stat().st_mode & 0o777)
    os.symlink(python, env / "bin" / "python3")
    for name in ("python", python.name):
        os.symlink("python3", env / "bin" / name)
    build = base / "build"
    build.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, build / name)
    for folder in ("src", "jupyter-config"):  # jupyter-config: pyproject's data-files
        shutil.copytree(REPO / folder, build / folder, ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    subprocess.run([env / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-deps", str(build)],
                   check=True, capture_output=True, env=dict(os.environ, LD_LIBRARY_PATH=library_path(base)))
    shutil.rmtree(build)
    return env


def kill_user_processes(uid: int) -> None:
    """SIGKILL every process owned by ``uid`` (a user this test made), by its pid."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    os.kill(int(entry.name), signal.SIGKILL)
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                pass


class Hub:
    """A class set up by deploy/setup-class.py in a temp folder, and its hub on 127.0.0.1."""

    def __init__(self):
        self.base = Path(tempfile.mkdtemp(prefix="powercoach-hub-", dir="/tmp"))
        self.base.chmod(0o755)
        tag = uuid.uuid4().hex[:6]
        self.instructor = f"pci{tag}"
        self.learners = [f"pcl{tag}{n}" for n in "abc"]
        self.users = [self.instructor, *self.learners]
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = secrets.token_hex(32)
        self.proc = None
        self.log = self.base / "jupyterhub.log"

    # set-up -----------------------------------------------------------------------------------
    def setup_class(self) -> subprocess.CompletedProcess:
        self.env = class_environment(self.base)
        homes = self.base / "homes"
        homes.mkdir(mode=0o755)
        people = self.base / "people.csv"
        people.write_text("username,role,first_name,last_name,email\n"
                          f"{self.instructor},instructor,Test,Instructor,i@example.org\n"
                          + "".join(f"{n},learner,Learner,{n[-1].upper()},{n}@example.org\n" for n in self.learners),
                          encoding="utf-8")
        self.exchange = self.base / "exchange"
        self.passwords_file = self.base / "passwords.csv"
        source, passphrase = self.class_source()
        return subprocess.run(
            [sys.executable, REPO / "deploy" / "setup-class.py", "--people", people, "--prefix", self.env,
             "--exchange", self.exchange, "--home-base", homes, "--passwords", self.passwords_file,
             "--url", self.url, "--proxy", PROXY, "--skip-install", "--no-systemd", "--source", source,
             "--class-key", passphrase],
            capture_output=True, text=True, timeout=300, env=self.process_env())

    def class_source(self) -> tuple[Path, Path]:
        """A course source like the repository's whose sealed class key holds made-up answers (CI has no
        passphrase for the real one), and the passphrase's file: the class runs as a graded class does,
        with the class paper drawn for each learner's place on the roster."""
        from test_class_pool import made_up_class_key

        source = self.base / "source"
        source.mkdir()
        shutil.copy(REPO / "nbgrader_config.py", source)
        for folder in ("solutions", "key"):
            shutil.copytree(REPO / folder, source / folder)
        self.class_key_folder = self.base / "made-up-class-key"
        made_up_class_key(self.class_key_folder)
        passphrase = self.base / "passphrase.txt"
        passphrase.write_text(secrets.token_hex(16), encoding="utf-8")
        subprocess.run([self.env / "bin" / "powercoach", "key", "seal", "--from", self.class_key_folder, "--course",
                        source, "--passphrase-file", passphrase], check=True, capture_output=True,
                       env=self.process_env())
        return source, passphrase

    def process_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IPYTHON"))}
        env["PATH"] = f"{self.env / 'bin'}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
        if library_path(self.base):
            env["LD_LIBRARY_PATH"] = library_path(self.base)
        return env

    @property
    def course(self) -> Path:
        return Path(pwd.getpwnam(self.instructor).pw_dir) / "powercoach"

    def passwords(self) -> dict[str, str]:
        rows = self.passwords_file.read_text(encoding="utf-8").splitlines()[1:]
        return dict(r.split(",", 1) for r in rows)

    def start(self) -> None:
        config = self.base / "test_config.py"
        config.write_text(
            f"load_subconfig({str(self.env / 'etc/jupyterhub/jupyterhub_config.py')!r})\n"
            f"c.JupyterHub.services = [{{'name': 'powercoach-test', 'api_token': {self.token!r}}}]\n"
            "c.JupyterHub.load_roles = [{'name': 'powercoach-test', 'services': ['powercoach-test'], 'scopes': "
            "['admin:users', 'admin:servers', 'access:servers', 'list:users', 'read:users', 'admin:server_state']}]\n"
            f"c.JupyterHub.hub_port = {free_port()}\n"
            f"c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{free_port()}'\n"
            # the copied interpreter's libpython (see everyones_python)
            f"c.Spawner.environment = dict(c.Spawner.environment, LD_LIBRARY_PATH={library_path(self.base)!r})\n",
            encoding="utf-8")
        env = self.process_env()
        self.logf = self.log.open("w")
        self.proc = subprocess.Popen([self.env / "bin" / "jupyterhub", "-f", config], cwd=self.env / "var",
                                     env=env, stdout=self.logf, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{self.url}/hub/api/", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"JupyterHub did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.3)

    def spawn_all(self, timeout: float = 90) -> None:
        """Start every user's server (spawn requests block, so in threads) and wait until ready."""
        threads = [threading.Thread(target=self.api, args=("POST", f"users/{u}/server"), kwargs={"ok": False})
                   for u in self.users]
        for t in threads:
            t.start()
        deadline = time.monotonic() + timeout
        waiting = set(self.users)
        while waiting:
            for u in list(waiting):
                server = self.api("GET", f"users/{u}").json().get("servers", {}).get("")
                if server and server.get("ready"):
                    waiting.discard(u)
            if time.monotonic() > deadline:
                raise RuntimeError(f"servers of {sorted(waiting)} not ready:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.5)
        for t in threads:
            t.join()

    # requests ---------------------------------------------------------------------------------
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}

    def api(self, method: str, path: str, ok: bool = True, **kw) -> requests.Response:
        r = requests.request(method, f"{self.url}/hub/api/{path}", headers=self.headers(), timeout=60, **kw)
        if ok:
            assert r.ok, f"{method} {path}: {r.status_code} {r.text[:500]}"
        return r

    def server(self, user: str, method: str, path: str, ok: bool = True, timeout: float = 120,
               **kw) -> requests.Response:
        r = requests.request(method, f"{self.url}/user/{user}/{path}", headers=self.headers(), timeout=timeout, **kw)
        if ok:
            assert r.ok, f"{user}: {method} {path}: {r.status_code} {r.text[:1000]}"
        return r

    def run_code(self, user: str, code: str, timeout: float = 180) -> str:
        """Run ``code`` in a new kernel of ``user``'s own server; return what it printed."""
        import websocket

        kernel = self.server(user, "POST", "api/kernels", json={"name": "python3"}).json()["id"]
        ws_url = f"ws://127.0.0.1:{self.port}/user/{user}/api/kernels/{kernel}/channels"
        ws = websocket.create_connection(ws_url, header=[f"Authorization: token {self.token}"], timeout=timeout)
        try:
            msg_id = uuid.uuid4().hex
            ws.send(json.dumps({
                "header": {"msg_id": msg_id, "username": user, "session": uuid.uuid4().hex,
                           "msg_type": "execute_request", "version": "5.3"},
                "parent_header": {}, "metadata": {}, "channel": "shell",
                "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                            "allow_stdin": False, "stop_on_error": True}}))
            out, error = [], None
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                msg = json.loads(ws.recv())
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = msg["header"]["msg_type"]
                if kind == "stream":
                    out.append(msg["content"]["text"])
                elif kind == "error":
                    error = "\n".join(msg["content"]["traceback"])
                elif kind == "status" and msg["content"]["execution_state"] == "idle":
                    break
            else:
                raise TimeoutError(f"code in {user}'s kernel did not finish in {timeout} s")
        finally:
            ws.close()
            self.server(user, "DELETE", f"api/kernels/{kernel}", ok=False)
        if error:
            raise AssertionError(f"code in {user}'s kernel failed:\n{error}\n{''.join(out)}")
        return "".join(out)

    # teardown ---------------------------------------------------------------------------------
    def close(self) -> None:
        if self.proc is not None:
            # Stop the servers by pid (a DELETE through the hub waits up to 10 s for each), then
            # the hub, then the proxy.
            pids = []
            for u in self.users:
                try:
                    state = self.api("GET", f"users/{u}", ok=False).json().get("servers", {}).get("", {})
                    pid = (state.get("state") or {}).get("pid")
                    if pid:
                        os.kill(pid, signal.SIGTERM)
                        pids.append(pid)
                except (requests.RequestException, ValueError, OSError):
                    pass
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            pid_file = self.env / "var" / "jupyterhub-proxy.pid"
            if pid_file.exists():
                pids.append(int(pid_file.read_text().strip() or 0))
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, ValueError, OSError):
                    pass
            self.logf.close()
        for u in self.users:
            try:
                uid = pwd.getpwnam(u).pw_uid
            except KeyError:
                continue
            kill_user_processes(uid)
            subprocess.run(["userdel", "-r", u], capture_output=True)
        shutil.rmtree(self.base, ignore_errors=True)
