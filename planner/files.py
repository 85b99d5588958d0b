"""Files in and out. Inputs: regular files only, read whole. Outputs: always whole or not at all
(temporary file, then an atomic rename), and checked for writability before a long solve."""
from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

_KINDS = {stat.S_IFIFO: "a pipe (FIFO)", stat.S_IFCHR: "a character device",
          stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a directory"}


class NotARegularFile(OSError):
    """A FIFO, device, socket or directory where a file was expected."""


def read_text(path: str | Path) -> str:
    """The text of a regular file (UTF-8; a leading byte-order mark is dropped).

    Anything else is refused with `NotARegularFile` instead of read: a FIFO waits for a writer
    that may never come, and /dev/zero never ends. The file is opened without blocking and
    checked through the open descriptor, so nothing can swap it in between."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        kind = stat.S_IFMT(os.fstat(fd).st_mode)
        if kind != stat.S_IFREG:
            raise NotARegularFile(f"it is {_KINDS.get(kind, 'a special file')}, not a regular file")
        with open(fd, "rb", closefd=False) as f:
            data = f.read()
    finally:
        os.close(fd)
    return data.decode("utf-8-sig")


def check_writable(path: str | Path) -> None:
    """Raise OSError (its message for a person) if `write_atomic(path, ...)` is bound to fail:
    `path` is a directory, or no new file can be created in its folder (or, where folders are
    missing and would be created, in the nearest one that exists)."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError("it is a directory")
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is not a folder")
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=folder)
    except OSError as e:
        raise OSError(f"no file can be created in {folder} ({e.strerror})") from None
    os.close(fd)
    os.unlink(probe)


def write_atomic(path: str | Path, text: str) -> Path:
    """Write `text` to `path` so that a reader (or a crash) never sees a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        _unlink(tmp)
        raise
    return path


def _unlink(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass
