"""A private X server (Xvfb) with a window manager (openbox), for tests that need a real window.

Xvfb picks a free display itself (``-displayfd``); the server and the window manager are children of the test
process and are stopped at the end. Needs the Debian packages xvfb and openbox.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator


class XUnavailable(Exception):
    pass


@contextlib.contextmanager
def x_server(width: int = 1280, height: int = 800, timeout: float = 15) -> Iterator[dict[str, str]]:
    """Yield the environment for a client of a fresh X server (``DISPLAY`` set, Qt's platform xcb)."""
    if shutil.which("Xvfb") is None:
        raise XUnavailable("Xvfb is not installed (apt-get install xvfb)")
    read, write = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", f"{width}x{height}x24",
                               "-nolisten", "tcp", "-noreset"], pass_fds=(write,), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    os.close(write)
    manager = None
    try:
        end = time.monotonic() + timeout
        number = b""
        with os.fdopen(read, "rb") as pipe:
            while not number.endswith(b"\n") and time.monotonic() < end:
                chunk = pipe.read(1)
                if not chunk:
                    break
                number += chunk
        if not number.strip():
            raise XUnavailable("Xvfb did not start")
        env = {**os.environ, "DISPLAY": f":{number.decode().strip()}", "QT_QPA_PLATFORM": "xcb"}
        if shutil.which("openbox") is not None:
            manager = subprocess.Popen(["openbox"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        yield env
    finally:
        for process in (manager, server):
            if process is not None:
                process.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(5)
                if process.poll() is None:
                    process.kill()
                    process.wait()
