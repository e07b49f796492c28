"""Writing files so that a crash, a full disk or a pulled plug never leaves half of one behind, and a file that
could not be written is told, never passed off as saved.

Every file the app writes (reports, the interview record, remembered results and settings) goes through
:func:`replacing`: the new content goes to a temporary file beside the old one, is flushed to the disk, read back
and checked (a PDF, JSON or HTML that is whole), and only then takes the old file's place; the folder is flushed
too, so the change survives a power cut. When anything fails the old file stays as it was and :class:`NotSaved`
says why in plain words.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from checks.text.wording import say

REASONS = {
    errno.ENOSPC: "full", getattr(errno, "EDQUOT", errno.ENOSPC): "full", errno.EFBIG: "full",
    errno.EROFS: "read_only_disk",
    errno.EACCES: "not_allowed", errno.EPERM: "not_allowed",
    errno.ENOENT: "no_folder", errno.ENOTDIR: "no_folder",
    errno.EISDIR: "a_folder",
    errno.ENAMETOOLONG: "name_too_long",
}
"""The system's error numbers a person can act on: the wording key (``files.reasons.*``) saying each in plain
words with its fix; any other is ``disk_error``."""
ALL_REASONS = (*dict.fromkeys(REASONS.values()), "read_only_file", "incomplete", "disk_error")

LOW_SPACE = 64 * 1024
"""Free bytes below which a file that came out short is put down to the full disk (a writer that fails without
saying why, as Qt's PDF writer does, leaves only a short or empty file)."""


class NotSaved(OSError):
    """A file that could not be written; the old file at ``path``, if any, is unchanged. ``reason`` is the
    ``files.reasons.*`` key; ``details`` the system's own words, for a log (never shown as the message)."""

    def __init__(self, path: Path, reason: str, details: str = "", code: int = 0, kept: bool = False) -> None:
        super().__init__(code, say(f"files.reasons.{reason}"), str(path))
        self.path, self.reason, self.details, self.kept = Path(path), reason, details, kept

    def __str__(self) -> str:
        return say("files.not_saved_kept" if self.kept else "files.not_saved", path=self.path,
                   reason=self.strerror)


def _umask() -> int:
    """The process's umask, without changing it even for a moment (another thread may be creating a file)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)  # no /proc (macOS, Windows): the only way to read it is to set it
    os.umask(mask)
    return mask


def file_mode(private: bool) -> int:
    """The mode of a new file: the owner's alone when ``private`` (0600, whatever the umask), else as the umask
    says (0644 under the usual 022)."""
    return 0o600 if private else 0o666 & ~_umask()


def _whole_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:] and b"startxref" in data[-1024:]


def _whole_json(data: bytes) -> bool:
    try:
        json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return False
    return True


def _whole_html(data: bytes) -> bool:
    try:
        text = data.decode("utf-8").strip().lower()
    except UnicodeDecodeError:
        return False
    return text.startswith(("<!doctype html", "<html")) and text.endswith("</html>")


WHOLE: dict[str, Callable[[bytes], bool]] = {".pdf": _whole_pdf, ".json": _whole_json, ".html": _whole_html}
"""How a file of each kind is known to be whole when read back (any other kind: what was meant to be written, or
not empty when a writer wrote it)."""


def check_whole(path: Path, data: bytes, expected: bytes | None = None) -> bool:
    """True when ``data``, read back from ``path``, is a whole file of its kind (and is ``expected``, if given)."""
    if expected is not None and data != expected:
        return False
    whole = WHOLE.get(path.suffix.lower())
    return whole(data) if whole is not None else expected is not None or bool(data)


def _free_bytes(folder: Path) -> float:
    if not hasattr(os, "statvfs"):  # Windows
        return float("inf")
    found = os.statvfs(folder)
    return found.f_bavail * found.f_frsize


def _why_protected(path: Path) -> str:
    """Why an existing file may not be changed: its disk is read-only, the file is (no one may write it), or it is
    protected otherwise (immutable, another user's)."""
    if hasattr(os, "statvfs") and os.statvfs(path.parent).f_flag & os.ST_RDONLY:
        return "read_only_disk"
    return "read_only_file" if not path.stat().st_mode & 0o222 else "not_allowed"


def _fsync_folder(folder: Path) -> None:
    """Flush the folder (the new name in it) to the disk; where folders cannot be opened (Windows) or flushed,
    the file's own flush is all there is."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as error:
        if error.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def _not_saved(path: Path, error: OSError, kept: bool) -> NotSaved:
    code = error.errno or 0
    return NotSaved(path, REASONS.get(code, "disk_error"), f"{type(error).__name__}: {error}", code, kept)


@contextmanager
def replacing(path: Path, private: bool = False, expected: bytes | None = None) -> Iterator[Path]:
    """A temporary file beside ``path`` to write; when the block ends it is flushed, read back and checked (see
    :data:`WHOLE`; byte for byte when ``expected`` is given), then replaces ``path`` and the folder is flushed.
    On any failure the temporary file is removed, the old file stays, and :class:`NotSaved` says why.
    The file is readable by its owner only when ``private`` (0600, whatever the umask), else as the umask says."""
    path = Path(path)
    kept = path.exists()
    if kept and not path.is_dir() and not os.access(path, os.W_OK):  # protected: a rename could get round it
        raise NotSaved(path, _why_protected(path), kept=True)
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # created 0600
        os.close(fd)
    except OSError as error:
        raise _not_saved(path, error, kept) from error
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "r+b") as file:
            os.fsync(file.fileno())  # on disk before it replaces the old file: a crash leaves one or the other
            data = file.read()
        if not check_whole(path, data, expected):
            full = _free_bytes(path.parent) < LOW_SPACE
            raise NotSaved(path, "full" if full else "incomplete", f"{len(data)} bytes read back", kept=kept)
        os.chmod(tmp, file_mode(private))
        os.replace(tmp, path)
    except NotSaved:
        tmp.unlink(missing_ok=True)
        raise
    except OSError as error:
        tmp.unlink(missing_ok=True)
        raise _not_saved(path, error, kept) from error
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    try:
        _fsync_folder(path.parent)
    except OSError as error:  # the new file is in place, but may not outlive a power cut
        raise _not_saved(path, error, kept=False) from error


def save_file(path: Path, data: bytes, private: bool = False) -> None:
    """Write ``data`` to ``path`` whole or not at all (see :func:`replacing`)."""
    with replacing(path, private, expected=data) as tmp:
        tmp.write_bytes(data)


def write_atomically(path: Path, text: str, private: bool = False) -> None:
    """Write ``text`` (UTF-8) to ``path``: the old file stays whole until the new one is complete and checked (see
    :func:`replacing`)."""
    save_file(path, text.encode("utf-8"), private)


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
