"""Writing files so that a crash, a full disk or a pulled plug never leaves half of one behind."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(path: Path, private: bool = False) -> Iterator[Path]:
    """A temporary file beside ``path`` to write; it replaces ``path`` when the block ends, or is removed.
    The file is readable by its owner only when ``private`` (0600, whatever the umask), else by everyone (0644)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # created 0600
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o600 if private else 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomically(path: Path, text: str, private: bool = False) -> None:
    """Write ``text`` (UTF-8) to ``path``: the old file stays whole until the new one is complete (see
    :func:`replacing` for ``private``)."""
    with replacing(path, private) as tmp, open(tmp, "w", encoding="utf-8") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())  # on disk before it replaces the old file: a crash leaves one or the other


class NotAFile(OSError):
    """The path is something other than a regular file (a pipe, a device, a folder): it is not read."""


def read_limited(path: Path, limit: int) -> bytes:
    """At most ``limit`` + 1 bytes of the regular file at ``path`` (one more than allowed tells it is too large).

    A named pipe or a device would block the reader until someone writes to it, or never end: it is opened without
    waiting and refused at once (:class:`NotAFile`), as is a folder. Other failures raise :class:`OSError`.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotAFile(f"{path} is not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as file:
            return file.read(limit + 1)
    finally:
        os.close(fd)
