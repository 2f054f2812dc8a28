"""Reading a file a learner handed in, without following it anywhere.

A learner's folder can hold a symbolic link (to the key, a solution, another learner's file),
a hard link, a named pipe (which blocks whoever opens it) or a device (``/dev/zero`` never
ends). Whatever reads such a folder as the instructor opens each file with ``O_NOFOLLOW`` and
``O_NONBLOCK``, checks what it opened with ``fstat`` (so a file swapped for a link between a
check and the read changes nothing), and reads a bounded number of bytes.
"""

from __future__ import annotations

import os
import re
import stat

MAX_JSON_DEPTH = 32  # an answers file is 3 deep, a notebook about 8


def refusal(st: os.stat_result, links_inside: int = 1) -> str | None:
    """Why a file with this ``lstat``/``fstat`` result is not read, or None for a plain file.

    ``links_inside`` is how many names the file has inside the folder being read; a regular
    file with more names than that is a hard link to a file elsewhere.
    """
    mode = st.st_mode
    if stat.S_ISLNK(mode):
        return "is a link to another file"
    if stat.S_ISFIFO(mode):
        return "is a named pipe, not a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a file"
    if stat.S_ISDIR(mode):
        return "is a folder"
    if not stat.S_ISREG(mode):
        return "is not a plain file"
    if st.st_nlink > links_inside:
        return "is a hard link to a file outside the submission"
    return None


def open_plain(path: str | os.PathLike, dir_fd: int | None = None) -> tuple[int | None, str | None]:
    """(file descriptor, None) for a plain file, never following a link; else (None, why)."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, dir_fd=dir_fd)
    except FileNotFoundError:
        raise
    except OSError as err:
        try:
            st = os.lstat(path, dir_fd=dir_fd)
        except OSError:
            return None, f"could not be opened ({err.strerror})"
        return None, refusal(st) or f"could not be opened ({err.strerror})"
    problem = refusal(os.fstat(fd))
    if problem:
        os.close(fd)
        return None, problem
    return fd, None


def read_plain(path: str | os.PathLike, max_bytes: int) -> tuple[bytes | None, str | None]:
    """(content, None), or (None, why it was not read). A missing file raises FileNotFoundError."""
    fd, problem = open_plain(path)
    if fd is None:
        return None, problem
    try:
        size = os.fstat(fd).st_size
        if size > max_bytes:
            return None, f"is too large ({size:,} bytes; at most {max_bytes:,})"
        chunks, total = [], 0
        while total <= max_bytes:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > max_bytes:
            return None, f"is too large (over {max_bytes:,} bytes)"
        return b"".join(chunks), None
    finally:
        os.close(fd)


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)


def json_depth(text: str, stop_at: int = MAX_JSON_DEPTH) -> int:
    """How deeply arrays and objects nest in JSON ``text`` (strings skipped), counted without
    parsing it, so nesting that would exhaust a parser's stack is found first. Stops counting
    past ``stop_at``."""
    depth = deepest = 0
    for token in _JSON_TOKENS.finditer(text):
        c = token.group()[0]
        if c in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop_at:
                    return deepest
        elif c in "]}":
            depth -= 1
    return deepest
