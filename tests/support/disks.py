"""Small real disks for the tests of saving: a tmpfs of a fixed size mounted on a folder (root only), filled up with
a file, turned read-only, or holding an immutable file (``chattr +i``)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path


def unavailable() -> str | None:
    """Why a disk cannot be mounted here (None when it can)."""
    if os.geteuid() != 0:
        return "mounting a tmpfs needs root"
    for tool in ("mount", "umount", "chattr"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None


def _run(*argv: str) -> None:
    done = subprocess.run(list(argv), capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, f"{' '.join(argv)}: {done.stderr}"


@contextlib.contextmanager
def small_disk(folder: Path, size: str = "1m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted on ``folder`` (made if need be) for the block; unmounted after, also after a
    failure (an immutable file on it is released first)."""
    import pytest

    why = unavailable()
    if why:
        pytest.skip(why)
    folder.mkdir(parents=True, exist_ok=True)
    _run("mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder))
    try:
        yield folder
    finally:
        subprocess.run(["chattr", "-R", "-i", str(folder)], capture_output=True, timeout=30)
        _run("umount", str(folder))


def fill(folder: Path) -> None:
    """Fill the disk of ``folder`` to the last byte with a file (``filler``)."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        with contextlib.suppress(OSError):  # ENOSPC: full
            while os.write(fd, b"\0" * 4096):
                pass
    finally:
        os.close(fd)
    assert os.statvfs(folder).f_bavail == 0


def read_only(folder: Path) -> None:
    """Remount the disk of ``folder`` read-only."""
    _run("mount", "-o", "remount,ro", str(folder))


def immutable(path: Path) -> None:
    """Make ``path`` immutable: not even root may replace, change or remove it."""
    _run("chattr", "+i", str(path))
