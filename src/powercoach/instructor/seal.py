"""The class key, sealed: ``powercoach key seal`` (authors) and ``powercoach key unseal`` (instructors).

The class pool's answers (``class-key/``: ``items.csv``, ``best_worst.json`` and the blind
reviewers' sheets, whose labels are as good as answers) are committed only as
``sealed/class-key.sealed``: every file of the folder in one JSON bundle, encrypted with
``cryptography``'s Fernet (AES-128-CBC with an HMAC-SHA256) under a key derived from a passphrase
with scrypt (n = 2**15, r = 8, p = 1, a fresh 16-byte salt at every seal). The envelope also
says, in the clear, what the bundle covers (item and set ids, file names: the ids are public
anyway) and the SHA-256 of the plain bundle, which unsealing checks.

``sealed/class-key.fingerprints.json`` lets anyone check, without the passphrase, that no
answer text of the class key appears anywhere (the repository and its history, a wheel, a
release, the browser-only site): salted SHA-256 digests of every run of eight words of its
rationales, better responses and option reasons, leaving out the runs that the public course
already holds when it is sealed (a rationale quotes the public reply it explains, and a phrase
such as "what do you want to do with that" is nobody's secret). An eight-word run of text
nobody has seen cannot be guessed from its digest; a leaked copy matches at once.

Rotating a leaked passphrase: unseal with the old one, seal again with a new one, commit the
new ``sealed/`` files (docs/deploy.md, "The class key").
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from ..errors import PowercoachError

FORMAT = "powercoach-sealed-key/1"
SEALED = Path("sealed") / "class-key.sealed"
FINGERPRINTS = Path("sealed") / "class-key.fingerprints.json"
PASSPHRASE_ENV = "POWERCOACH_PASSPHRASE"
SCRYPT = {"n": 2**15, "r": 8, "p": 1}
MAX_BUNDLE = 20_000_000  # bytes of plain files in a key folder
RUN = 8  # words in a fingerprinted run
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


class SealError(PowercoachError):
    """A seal or unseal that cannot be done, with what to do in one line."""


def _fernet(passphrase: str, salt: bytes, params: dict):
    try:
        from cryptography.fernet import Fernet
        from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
    except ImportError:
        raise SealError("Sealing needs the cryptography package: pip install 'powercoach[instructor]'.") from None
    if not passphrase:
        raise SealError("The passphrase is empty.")
    derived = Scrypt(salt=salt, length=32, n=params["n"], r=params["r"], p=params["p"]).derive(passphrase.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def read_folder(folder: Path) -> dict[str, str]:
    """Every file of a key folder, relative path -> text (plain UTF-8 files only; no links)."""
    folder = Path(folder)
    if not (folder / "items.csv").is_file() or not (folder / "best_worst.json").is_file():
        raise SealError(f"{folder} is not a key folder: it needs items.csv and best_worst.json.")
    files, total = {}, 0
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            raise SealError(f"{path} is a link; a key folder holds plain files only.")
        if not path.is_file():
            continue
        total += path.stat().st_size
        if total > MAX_BUNDLE:
            raise SealError(f"{folder} holds more than {MAX_BUNDLE:,} bytes; is it the right folder?")
        try:
            files[path.relative_to(folder).as_posix()] = path.read_bytes().decode("utf-8")  # line ends as they are
        except UnicodeDecodeError:
            raise SealError(f"{path} is not UTF-8 text.") from None
    return files


def _answer_texts(files: dict[str, str]) -> list[str]:
    """The free text of a key: rationales, better responses and option reasons."""
    import csv

    texts = [r[c] for r in csv.DictReader(files["items.csv"].splitlines(keepends=True))
             for c in ("rationale", "better_response") if r.get(c)]
    for s in json.loads(files["best_worst.json"]):
        texts += [v for v in (s.get("reasons") or {}).values() if isinstance(v, str)]
    return texts


def runs(text: str, size: int = RUN) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower().replace("\u2019", "'"))
    return {tuple(words[i:i + size]) for i in range(len(words) - size + 1)}


def _digest(salt: str, run: tuple[str, ...]) -> str:
    return hashlib.sha256(f"{salt}:{' '.join(run)}".encode()).hexdigest()[:16]


PUBLIC_SUFFIXES = {".csv", ".json", ".ipynb", ".md", ".txt", ".py", ".html", ".svg", ".yaml", ".yml"}
PRIVATE_PARTS = {"sealed", "class-key", ".git", ".venv", "build", "node_modules", "__pycache__"}


def public_runs(root: Path) -> set[tuple[str, ...]]:
    """Every eight-word run of the text files of a course folder, but for the keys being sealed."""
    out: set[tuple[str, ...]] = set()
    for path in Path(root).rglob("*"):
        rel = path.relative_to(root).parts
        if path.suffix in PUBLIC_SUFFIXES and path.is_file() and not PRIVATE_PARTS & set(rel) \
                and not any(p.startswith(".class-key") for p in rel):
            out |= runs(path.read_bytes().decode("utf-8", errors="ignore"))
    for blob in history(root):  # what the repository ever published is public too
        out |= runs(blob.decode("utf-8", errors="ignore"))
    return out


def history(root: Path) -> list[bytes]:
    """Every file version in the history of the git repository at ``root`` (none without git)."""
    import subprocess

    def git(*args, data=None):
        return subprocess.run(["git", "-C", str(root), *args], input=data, capture_output=True, check=True).stdout

    if not (Path(root) / ".git").exists():
        return []
    objects = git("rev-list", "--all", "--objects").decode().split("\n")
    ids = "\n".join(line.split(" ")[0] for line in objects if line.strip()) + "\n"
    kinds = git("cat-file", "--batch-check=%(objectname) %(objecttype)", data=ids.encode()).decode().split("\n")
    blobs = "\n".join(line.split()[0] for line in kinds if line.endswith(" blob")) + "\n"
    data, out, at = git("cat-file", "--batch", data=blobs.encode()), [], 0
    while at < len(data):
        header_end = data.index(b"\n", at)
        size = int(data[at:header_end].split()[2])
        out.append(data[header_end + 1:header_end + 1 + size])
        at = header_end + 1 + size + 1
    return out


def fingerprints(files: dict[str, str], salt: str | None = None, public: set | frozenset = frozenset()) -> dict:
    """Digests of the key's secret runs: those of its answer texts that ``public`` does not hold."""
    salt = salt or os.urandom(8).hex()
    digests = sorted({_digest(salt, r) for t in _answer_texts(files) for r in runs(t) if r not in public})
    return {"format": FORMAT, "salt": salt, "words": RUN, "digests": digests}


class Fingerprints:
    """A class key's fingerprints, to ask of any text whether it quotes the key."""

    def __init__(self, data: dict):
        self.salt, self.size, self.digests = data["salt"], data["words"], set(data["digests"])

    @classmethod
    def read(cls, path: Path) -> Fingerprints:
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def quoted(self, text: str) -> int:
        """How many eight-word runs of ``text`` are runs of the class key's answer texts."""
        return sum(_digest(self.salt, r) in self.digests for r in runs(text, self.size))


def _covers(files: dict[str, str]) -> dict:
    import csv

    items = sorted(r["item_id"] for r in csv.DictReader(files["items.csv"].splitlines(keepends=True)))
    sets = sorted(s.get("set_id", "") for s in json.loads(files["best_worst.json"]))
    return {"items": items, "sets": sets, "files": sorted(files)}


def seal(folder: Path, passphrase: str, out: Path = SEALED, prints: Path | None = FINGERPRINTS,
         public_root: Path | None = None) -> dict:
    """Seal the key folder into ``out`` (and write its fingerprints, leaving out the runs the
    course folder ``public_root`` already holds); returns the envelope."""
    files = read_folder(folder)
    plain = json.dumps(files, sort_keys=True, ensure_ascii=False).encode()
    salt = os.urandom(16)
    token = _fernet(passphrase, salt, SCRYPT).encrypt(plain)
    envelope = {"format": FORMAT, "kdf": {"name": "scrypt", **SCRYPT, "salt": base64.b64encode(salt).decode()},
                "cipher": "fernet", "covers": _covers(files), "sha256": hashlib.sha256(plain).hexdigest(),
                "token": token.decode()}
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(envelope, indent=1) + "\n", encoding="utf-8")
    if prints is not None:
        public = public_runs(public_root) if public_root is not None else frozenset()
        Path(prints).write_text(json.dumps(fingerprints(files, public=public)) + "\n", encoding="utf-8")
    return envelope


def read_envelope(sealed: Path) -> dict:
    try:
        envelope = json.loads(Path(sealed).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SealError(f"There is no sealed key at {sealed}; run this from the course folder.") from None
    except (OSError, UnicodeDecodeError, ValueError):
        raise SealError(f"{sealed} is not a sealed key (damaged?); take it again from the repository.") from None
    if not isinstance(envelope, dict) or envelope.get("format") != FORMAT:
        raise SealError(f"{sealed} is not a sealed key of this version ({FORMAT}).")
    return envelope


def open_sealed(sealed: Path, passphrase: str) -> dict[str, str]:
    """The key folder's files from a sealed key; a wrong passphrase raises SealError."""
    try:
        from cryptography.fernet import InvalidToken
    except ImportError:
        raise SealError("Unsealing needs the cryptography package: pip install 'powercoach[instructor]'.") from None
    envelope = read_envelope(sealed)
    try:
        kdf = envelope["kdf"]
        fernet = _fernet(passphrase, base64.b64decode(kdf["salt"]), kdf)
        plain = fernet.decrypt(envelope["token"].encode())
    except InvalidToken:
        raise SealError(f"The passphrase does not open {sealed}; nothing was written.") from None
    except (KeyError, TypeError, ValueError):
        raise SealError(f"{sealed} is damaged; take it again from the repository. Nothing was written.") from None
    if hashlib.sha256(plain).hexdigest() != envelope.get("sha256"):
        raise SealError(f"{sealed} opened but its contents do not match its checksum; nothing was written.")
    return json.loads(plain)


def unseal(sealed: Path, passphrase: str, to: Path) -> list[Path]:
    """Write the class key into ``to`` (replacing an older copy there as a whole); nothing is
    written unless the passphrase opens the seal and every file is safe to write."""
    files = open_sealed(sealed, passphrase)
    to = Path(to).resolve()
    for name in files:
        target = (to / name).resolve()
        if to not in target.parents:
            raise SealError(f"{sealed} names a file outside the key folder ({name}); nothing was written.")
    to.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".class-key-", dir=to.parent))
    try:
        os.chmod(staging, 0o700)
        for name, text in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
        if to.exists():
            old = Path(tempfile.mkdtemp(prefix=".class-key-old-", dir=to.parent))
            os.replace(to, old / "key")
            os.replace(staging, to)
            shutil.rmtree(old)
        else:
            os.replace(staging, to)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [to / name for name in sorted(files)]


def passphrase(file: str | None) -> str:
    """The passphrase from ``--passphrase-file``, ``POWERCOACH_PASSPHRASE`` or a prompt."""
    if file:
        try:
            return Path(file).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as e:
            raise SealError(f"Cannot read the passphrase file {file} ({e.__class__.__name__}).") from None
    if os.environ.get(PASSPHRASE_ENV):
        return os.environ[PASSPHRASE_ENV]
    if sys.stdin.isatty():
        return getpass.getpass("Passphrase of the class key: ")
    raise SealError(f"No passphrase: give --passphrase-file, set {PASSPHRASE_ENV}, or run this in a terminal.")
