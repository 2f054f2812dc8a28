"""Build the JupyterLab extension in labextension/ into src/powercoach/labextension (`make labextension`).

The built bundle is committed, so a learner's machine needs no node: pip (a wheel, Binder's postBuild)
installs it under share/jupyter/labextensions/@powercoach/autorun and `make` copies it into .venv.
The build records a SHA-256 of the sources it was built from in source-sha256.txt; tests/test_labextension.py
fails when the sources changed without a rebuild. Needs node and `npm ci` in labextension/ first.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "labextension"
BUILT = REPO / "src" / "powercoach" / "labextension"
SOURCES = ("index.js", "guard.js", "package.json", "package-lock.json", "schema/plugin.json")
HASH_FILE = "source-sha256.txt"


def source_hash(folder: Path = SOURCE) -> str:
    """One SHA-256 over the extension's source files, each named, in a fixed order."""
    digest = hashlib.sha256()
    for name in SOURCES:
        digest.update(name.encode() + b"\0" + (folder / name).read_bytes() + b"\0")
    return digest.hexdigest()


def main() -> int:
    import jupyterlab

    builder = SOURCE / "node_modules" / "@jupyterlab" / "builder" / "lib" / "build-labextension.js"
    if not builder.exists():
        print(f"No {builder.relative_to(REPO)}: run `npm ci` in labextension/ first (make labextension does).")
        return 1
    core = Path(jupyterlab.__file__).parent / "staging"  # JupyterLab's own shared-package versions
    shutil.rmtree(BUILT, ignore_errors=True)
    subprocess.run(["node", str(builder), "--core-path", str(core), str(SOURCE)], check=True)
    (BUILT / "static" / "third-party-licenses.json").unlink(missing_ok=True)  # empty: no third-party code is bundled
    (BUILT / HASH_FILE).write_text(source_hash() + "\n", encoding="utf-8")
    size = sum(p.stat().st_size for p in BUILT.rglob("*") if p.is_file())
    print(f"Built {BUILT.relative_to(REPO)} ({size / 1024:.1f} KiB) from source {source_hash()[:12]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
