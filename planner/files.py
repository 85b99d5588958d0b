"""Files in and out. Inputs: regular files only, read whole. Outputs: checked before a long solve
(`check_output`) and written whole or not at all (`write_atomic`: a temporary file, then an atomic
rename), only ever as a regular file, never through a symlink, and never over a file the plan
reads. Every command that writes goes through these two functions."""

from __future__ import annotations

import codecs
import os
import stat
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from planner.errors import UsageError

if TYPE_CHECKING:  # annotations only: importing matplotlib at run time is slow
    from matplotlib.figure import Figure

_KINDS = {
    stat.S_IFIFO: "a pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a directory",
    stat.S_IFLNK: "a symbolic link",
}


class NotARegularFile(OSError):
    """A FIFO, device, socket, directory or symlink where a regular file was expected."""


def read_text(path: str | Path) -> str:
    """The text of a regular file (UTF-8; a leading byte-order mark is dropped), whole; anything
    else is refused unread (`text_lines`)."""
    return "".join(text_lines(path))


def text_lines(path: str | Path) -> Iterator[str]:
    """The lines of a regular file as text (UTF-8, a leading byte-order mark dropped), read as they
    are needed, so that a huge file's first bad row is found without reading the rest.

    Anything else is refused with `NotARegularFile` instead of read: a FIFO waits for a writer
    that may never come, and /dev/zero never ends. The file is opened without blocking and
    checked through the open descriptor, so nothing can swap it in between."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with open(fd, "rb") as f:
        kind = stat.S_IFMT(os.fstat(fd).st_mode)
        if kind != stat.S_IFREG:
            raise NotARegularFile(f"it is {_KINDS.get(kind, 'a special file')}, not a regular file")
        decode = codecs.getincrementaldecoder("utf-8-sig")()
        pending = ""
        for chunk in iter(lambda: f.read(1 << 16), b""):
            *complete, pending = (pending + decode.decode(chunk)).split("\n")
            for line in complete:
                yield line + "\n"
        pending += decode.decode(b"", final=True)
        if pending:
            yield pending


def check_output(path: str | Path, *, reads: Mapping[str | Path, str] = {}, option: str = "-o") -> None:
    """Before any solve: refuse (a one-line `UsageError` naming `option` and `path`) an output that
    `write_atomic` would fail on or that would destroy something a user wrote: anything but a
    regular file or a new name (a FIFO, device, folder or symlink), one of the files in `reads`
    (each with what it is in words: the plan file, a data file it names), under any of its names,
    or a folder that is missing or cannot take a new file."""
    path = Path(path)
    where = f"{option} {path}" if option else str(path)
    try:
        _existing_mode(path)
    except OSError as e:
        raise UsageError(f"{where}: cannot write: {e}") from None
    if path.exists():
        here = os.stat(path)
        for read, what in reads.items():
            try:
                there = os.stat(read)
            except OSError:  # a file that does not exist cannot be replaced
                continue
            if (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino):
                raise UsageError(f"{where}: that is {what}, which the output would replace")
    folder = path.parent
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=folder)
    except OSError as e:
        raise UsageError(f"{where}: cannot write: no file can be created in {folder} ({e.strerror})") from None
    os.close(fd)
    os.unlink(probe)


def write_atomic(path: str | Path, content: str | bytes | Callable[[BinaryIO], None]) -> Path:
    """Write `content` (text as UTF-8, bytes, or a function that writes to a binary file, such as
    a figure's savefig) to `path` so that a reader, or a crash, never sees half a file.

    A new file gets the mode the umask allows (0666 & ~umask), as `open()` would give it; a file
    replaced keeps its mode. A symlink, FIFO, device or folder at `path` is refused, never
    followed or replaced; so is a missing folder (nothing is created silently). A failure raises
    `UsageError` naming the file, and leaves the old file as it was."""
    path = Path(path)
    try:
        mode = _existing_mode(path)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise UsageError(f"{path}: cannot write: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            if isinstance(content, str):
                f.write(content.encode("utf-8"))
            elif isinstance(content, bytes):
                f.write(content)
            elif callable(content):
                content(f)
            else:
                raise TypeError(f"cannot write {type(content).__name__} to a file")
            f.flush()
            os.fchmod(f.fileno(), _umask_mode() if mode is None else mode)
            os.fsync(f.fileno())
        _existing_mode(path)  # again just before the rename: nothing swapped in meanwhile
        os.replace(tmp, path)
    except OSError as e:
        _unlink(tmp)
        raise UsageError(f"{path}: cannot write: {e.strerror or e}") from None
    except BaseException:
        _unlink(tmp)
        raise
    return path


def write_figure(path: str | Path, fig: Figure, **savefig: Any) -> Path:
    """A matplotlib figure to `path` through `write_atomic`, in the format its suffix names."""
    path = Path(path)
    return write_atomic(path, lambda f: fig.savefig(f, format=path.suffix.lower().lstrip("."), **savefig))


def _existing_mode(path: Path) -> int | None:
    """The permission bits of the regular file at `path`, or None for a new name in an existing
    folder; `NotARegularFile` or `FileNotFoundError` (with a message for a person) otherwise."""
    try:
        st = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        st = None
    if st is not None:
        kind = stat.S_IFMT(st.st_mode)
        if kind != stat.S_IFREG:
            raise NotARegularFile(
                f"it is {_KINDS.get(kind, 'a special file')}; only a regular file or a new name can be written"
            )
        return stat.S_IMODE(st.st_mode)
    folder = path.parent
    if folder.is_dir():
        return None
    nearest = next(p for p in folder.parents if p.exists()) if not folder.exists() else folder
    if not nearest.is_dir():
        raise NotADirectoryError(f"{nearest} is not a folder")
    raise FileNotFoundError(f"the folder {folder} does not exist (create it first)")


def _umask_mode() -> int:
    """0666 without the process's umask bits: the mode `open()` gives a new file."""
    mask = os.umask(0o077)  # the only way to read it; restrictive for the instant it is set
    os.umask(mask)
    return 0o666 & ~mask


def _unlink(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass
