"""Run a learner's notebook in a bubblewrap sandbox during autograde.

nbgrader starts one kernel per submission and runs it with the instructor's rights, so code in
a submission could read the answer key (solutions/), the gradebook or the config, or damage
them. With ``c.Execute.kernel_manager_class = "powercoach.sandbox.SandboxKernelManager"`` the
kernel instead starts inside bubblewrap (Debian package ``bubblewrap``): it sees the installed
software read-only, its own submission folder read-write, an empty private scratch folder and
home (discarded afterwards), and nothing else of the course. Outside autograde (validate,
lessons) kernels start as usual.

If bubblewrap is missing or cannot run, grading stops with a message, unless the instructor
opts out with ``POWERCOACH_SANDBOX=off``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

from ..errors import PowercoachError

OPT_OUT = "POWERCOACH_SANDBOX"
SYSTEM = ("/usr", "/bin", "/lib", "/lib64", "/sbin", "/etc")


class SandboxUnavailable(PowercoachError, RuntimeError):
    pass


def software_paths() -> list[str]:
    """Folders holding the interpreter and the installed packages, this package included."""
    import powercoach

    package_root = Path(powercoach.__file__).resolve().parent.parent
    paths = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), package_root}
    return sorted(str(p) for p in paths if p.exists())


def command(kernel_cmd: list[str], workdir: str, connection_file: str) -> list[str]:
    """The bubblewrap command that starts ``kernel_cmd`` seeing only ``workdir`` and software."""
    args = ["bwrap", "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-ipc",
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/sandbox-tmp", "--tmpfs", "/sandbox-home"]
    for path in SYSTEM:
        args += ["--ro-bind-try", path, path]
    for path in software_paths():
        args += ["--ro-bind", path, path]
    args += ["--ro-bind", connection_file, connection_file, "--bind", workdir, workdir, "--chdir", workdir,
             "--setenv", "HOME", "/sandbox-home", "--setenv", "IPYTHONDIR", "/sandbox-home/.ipython",
             "--setenv", "MPLCONFIGDIR", "/sandbox-home/.matplotlib", "--setenv", "TMPDIR", "/sandbox-tmp",
             # The parent pid is not visible in the new pid namespace; --die-with-parent covers it.
             "--unsetenv", "JPY_PARENT_PID",
             # Everything not bound above (the skeleton of folders leading to the submission, even
             # under /tmp) is read-only, so the submission, scratch and home are all it can write.
             "--remount-ro", "/"]
    return args + ["--", *kernel_cmd]


@cache
def check() -> None:
    """Raise SandboxUnavailable with what to do, unless a trial sandbox runs."""
    if not shutil.which("bwrap"):
        raise SandboxUnavailable(
            "bubblewrap (bwrap) is not installed, so learners' code cannot be sandboxed during grading. "
            "Install it (Debian/Ubuntu: apt-get install bubblewrap), or grade without a sandbox at your own "
            f"risk by setting {OPT_OUT}=off.")
    trial = subprocess.run(["bwrap", "--ro-bind", "/", "/", "--unshare-pid", "--", "true"],
                           capture_output=True, text=True)
    if trial.returncode:
        raise SandboxUnavailable(
            f"bubblewrap is installed but cannot create a sandbox here ({trial.stderr.strip() or 'no reason given'}). "
            f"Run grading on a machine that allows user namespaces, or set {OPT_OUT}=off to grade unsandboxed.")


def wanted() -> bool:
    return os.environ.get(OPT_OUT, "on").lower() not in ("off", "0", "no", "false")


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager that wraps the kernel in bubblewrap while nbgrader autogrades."""

    async def _async_pre_start_kernel(self, **kw):
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        if os.environ.get("NBGRADER_EXECUTION") != "autograde":
            return cmd, kw
        if not wanted():
            self.log.warning("Grading WITHOUT a sandbox (%s=off): learners' code runs with your rights.", OPT_OUT)
            return cmd, kw
        check()
        workdir = str(Path(kw.get("cwd") or os.getcwd()).resolve())
        return command(cmd, workdir, str(Path(self.connection_file).resolve())), kw
