"""Build the browser-only edition: a static JupyterLite site that loads nothing from outside itself.

    python lite/build.py [--out build/lite] [--cache build/lite-cache]

Everything comes from the registries at build time and lands inside ``--out``:

- Pyodide, the Python that runs in the browser: ``npm pack pyodide@<the version the installed
  jupyterlite-pyodide-kernel was made for>`` (npm ships the runtime and ``pyodide-lock.json``
  but none of the package wheels the lock lists);
- the wheels the kernel and the lessons need, from PyPI with ``pip download`` at the versions
  the lock names (micropip, IPython and its dependencies, jedi), plus comm and ipywidgets at the
  versions installed here (so they match the widget manager the site ships), and a powercoach
  wheel built from this repository;
- the JupyterLite app (jupyterlite-core) with three extensions only: the Pyodide kernel and the
  widget manager, from their PyPI wheels, and powercoach's own @powercoach/autorun (which runs a
  course notebook as it opens), from its committed build in src/powercoach/labextension
  (nbgrader's and Voila's panels are left out).

The site's ``pyodide-lock.json`` is rewritten to list only the wheels the site holds, with their
real hashes, and the kernel preloads them (``loadPyodideOptions.packages``) and never falls back
to PyPI (``disablePyPIFallback``). The build ends by checking that no file of the site's
configuration points outside it. Nothing in the learner path needs a Pyodide-built package
(pandas, ssl, sqlite3 ...), which npm's pyodide does not carry.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent

#: what the kernel loads from the lock (micropip, then ipython and jedi), with their dependencies
LOCK_ROOTS = ["micropip", "packaging", "ipython", "jedi"]
#: not in Pyodide's lock: (name, import name, lock dependencies), pinned to the versions installed here
EXTRA = [("comm", "comm", []), ("ipywidgets", "ipywidgets", ["comm", "ipython", "traitlets"])]
#: the two JupyterLab extensions the site needs, as PyPI wheels
EXTENSIONS = ["jupyterlite-pyodide-kernel", "jupyterlab-widgets"]
#: powercoach's own JupyterLab extension, built and committed (`make labextension`)
AUTORUN = ROOT / "src" / "powercoach" / "labextension"
#: Pyodide's npm files the site needs at run time (no type stubs, consoles or source maps)
PYODIDE_FILES = ["pyodide.mjs", "pyodide.js", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip",
                 "package.json"]


def log(text: str) -> None:
    print(f"[lite] {text}", flush=True)


def run(*args: str, cwd: Path | None = None) -> None:
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"[lite] failed: {' '.join(args)}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyodide_version() -> str:
    from jupyterlite_pyodide_kernel.constants import PYODIDE_VERSION

    return PYODIDE_VERSION


def fetch_pyodide(cache: Path, version: str) -> Path:
    """npm's pyodide package, unpacked under the cache."""
    folder = cache / f"pyodide-{version}"
    if (folder / "pyodide-lock.json").exists():
        return folder
    npm = shutil.which("npm")
    if not npm:
        raise SystemExit("[lite] npm is needed to fetch Pyodide from the npm registry (apt-get install npm)")
    cache.mkdir(parents=True, exist_ok=True)
    log(f"npm pack pyodide@{version}")
    run(npm, "pack", f"pyodide@{version}", "--silent", cwd=cache)
    tgz = cache / f"pyodide-{version}.tgz"
    with tarfile.open(tgz) as tar:
        tar.extractall(cache / f"unpack-{version}", filter="data")
    shutil.move(cache / f"unpack-{version}" / "package", folder)
    shutil.rmtree(cache / f"unpack-{version}")
    tgz.unlink()
    return folder


def lock_closure(packages: dict, roots: list[str]) -> list[str]:
    seen: list[str] = []
    todo = [norm(r) for r in roots]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in packages:
            raise SystemExit(f"[lite] {name} is not in pyodide-lock.json; the kernel needs it")
        seen.append(name)
        todo.extend(norm(d) for d in packages[name]["depends"])
    return sorted(seen)


def pip_download(specs: list[str], dest: Path, python: str | None = None) -> None:
    """Wheels from PyPI; ``python`` is the browser's Python version (pure-Python wheels only)."""
    dest.mkdir(parents=True, exist_ok=True)
    log(f"pip download {len(specs)} wheels")
    target = ["--python-version", python, "--platform", "any", "--implementation", "py"] if python else []
    run(sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:", *target,
        "--dest", str(dest), *specs)


def wheel_for(folder: Path, name: str, version: str) -> Path:
    stem = re.sub(r"[-_.]+", "_", name).lower()
    for whl in folder.glob("*.whl"):
        parts = whl.name.split("-")
        if parts[0].lower() == stem and parts[1] == version:
            return whl
    raise SystemExit(f"[lite] no wheel for {name}=={version} in {folder}")


def build_powercoach_wheel(dest: Path) -> Path:
    """From a copy of the package's sources, so the build leaves nothing in the repository."""
    source = dest / "source"
    shutil.rmtree(source, ignore_errors=True)
    source.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for folder in ("src", "jupyter-config"):  # jupyter-config: pyproject's data-files
        shutil.copytree(ROOT / folder, source / folder, ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    for old in dest.glob("powercoach-*.whl"):
        old.unlink()
    log("building the powercoach wheel")
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(dest), str(source))
    return next(dest.glob("powercoach-*.whl"))


def assemble_pyodide(cache: Path, target: Path) -> list[str]:
    """Pyodide and the wheels it preloads in ``target``; returns the names to preload."""
    version = pyodide_version()
    npm_pkg = fetch_pyodide(cache, version)
    lock = json.loads((npm_pkg / "pyodide-lock.json").read_text(encoding="utf-8"))
    names = lock_closure(lock["packages"], LOCK_ROOTS)
    wheels = cache / "wheels"
    extra = [(n, imp, deps, importlib.metadata.version(n)) for n, imp, deps in EXTRA]
    pip_download([f"{n}=={lock['packages'][n]['version']}" for n in names]
                 + [f"{n}=={v}" for n, _, _, v in extra], wheels,
                 python=".".join(lock["info"]["python"].split(".")[:2]))
    target.mkdir(parents=True, exist_ok=True)
    for f in PYODIDE_FILES:
        shutil.copy2(npm_pkg / f, target / f)
    packages = {}
    for n in names:
        entry = dict(lock["packages"][n])
        whl = wheel_for(wheels, n, entry["version"])
        shutil.copy2(whl, target / whl.name)
        entry.update(file_name=whl.name, sha256=sha256(whl), unvendored_tests=False)
        packages[n] = entry
    own = build_powercoach_wheel(cache / "own")
    extra.append(("powercoach", "powercoach", ["ipywidgets"], own.name.split("-")[1]))
    for n, imp, deps, v in extra:
        whl = own if n == "powercoach" else wheel_for(wheels, n, v)
        shutil.copy2(whl, target / whl.name)
        packages[n] = {"name": n, "version": v, "file_name": whl.name, "install_dir": "site",
                       "sha256": sha256(whl), "package_type": "package", "imports": [imp],
                       "depends": deps, "unvendored_tests": False}
    lock["packages"] = dict(sorted(packages.items()))
    (target / "pyodide-lock.json").write_text(json.dumps(lock, indent=1), encoding="utf-8")
    log(f"pyodide {version} with {len(packages)} wheels: {', '.join(sorted(packages))}")
    return sorted(packages)


def extension_wheels(cache: Path) -> list[Path]:
    folder = cache / "extensions"
    specs = [f"{n}=={importlib.metadata.version(n)}" for n in EXTENSIONS]
    pip_download(specs, folder)
    return [wheel_for(folder, n, importlib.metadata.version(n)) for n in EXTENSIONS]


def contents(src: Path) -> None:
    """The learner's files: lessons and exercises, as committed (no outputs, no answers files)."""
    files = src / "files"
    shutil.rmtree(files, ignore_errors=True)
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "*.answers.json*", "__pycache__")
    for folder in ("course", "exercises"):
        shutil.copytree(ROOT / folder, files / folder, ignore=ignore)


def check_offline(out: Path) -> None:
    """No configuration in the site may point to another host."""
    offenders = []
    for cfg in out.rglob("jupyter-lite.json"):
        text = cfg.read_text(encoding="utf-8")
        offenders += [f"{cfg.relative_to(out)}: {u}" for u in re.findall(r"https?://[^\"' ]+", text)]
    lock = json.loads((out / "static/pyodide/pyodide-lock.json").read_text(encoding="utf-8"))
    for p in lock["packages"].values():
        if not (out / "static/pyodide" / p["file_name"]).exists():
            offenders.append(f"pyodide-lock.json lists {p['file_name']}, which the site does not hold")
    if offenders:
        raise SystemExit("[lite] the site would load files from outside itself:\n  " + "\n  ".join(offenders))


def build(out: Path, cache: Path) -> Path:
    out, cache = out.resolve(), cache.resolve()
    src = cache / "lite-dir"
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    preload = assemble_pyodide(cache, src / "static" / "pyodide")
    config = json.loads((HERE / "jupyter-lite.json").read_text(encoding="utf-8"))
    kernel = config["jupyter-config-data"]["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    kernel["loadPyodideOptions"]["packages"] = preload
    (src / "jupyter-lite.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
    contents(src)
    build_config = json.loads((HERE / "jupyter_lite_config.json").read_text(encoding="utf-8"))
    build_config["LiteBuildConfig"]["federated_extensions"] = [str(w) for w in extension_wheels(cache)] + [
        str(AUTORUN)]
    (src / "jupyter_lite_config.json").write_text(json.dumps(build_config, indent=1), encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    log(f"jupyter lite build -> {out}")
    lite = Path(sys.executable).parent / "jupyter-lite"
    args = [str(lite), "build", "--lite-dir", str(src), "--output-dir", str(out), "--contents", "files",
            "--ignore-sys-prefix", "--no-sourcemaps", "--no-unused-shared-packages"]
    run(*args, cwd=src)
    check_offline(out)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    log(f"done: {out} ({size / 1e6:.1f} MB)")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "lite")
    parser.add_argument("--cache", type=Path, default=ROOT / "build" / "lite-cache")
    args = parser.parse_args(argv)
    build(args.out, args.cache)
    return 0


if __name__ == "__main__":
    sys.exit(main())
