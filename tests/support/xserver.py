"""A private X server (Xvfb), with or without a window manager (openbox), for tests that need a real window.

Xvfb picks a free display itself (``-displayfd``) and says its number once it accepts connections; the server and
the window manager are children of the test process and are stopped at the end. Needs the Debian packages xvfb
and openbox (and x11-utils, for :meth:`XServer.start_window_manager` to see the manager ready).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator


class XUnavailable(Exception):
    pass


def wait_until(ready: Callable[[], bool], seconds: float = 30) -> bool:
    """Poll ``ready`` until it is true (True) or ``seconds`` have passed (False)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if ready():
            return True
        time.sleep(0.05)
    return False


def _stop(process: subprocess.Popen | None) -> None:
    """End a child process: asked first, then made to."""
    if process is None:
        return
    process.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(5)
    if process.poll() is None:
        process.kill()
        process.wait()


class XServer:
    """One Xvfb screen of ``width`` × ``height``; a window manager can come and go on it."""

    def __init__(self, width: int = 1280, height: int = 800, timeout: float = 15) -> None:
        if shutil.which("Xvfb") is None:
            raise XUnavailable("Xvfb is not installed (apt-get install xvfb)")
        self.size = (width, height)
        read, write = os.pipe()
        self.server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", f"{width}x{height}x24",
                                        "-nolisten", "tcp", "-noreset"], pass_fds=(write,),
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(write)
        self.manager: subprocess.Popen | None = None
        end = time.monotonic() + timeout
        number = b""
        with os.fdopen(read, "rb") as pipe:
            while not number.endswith(b"\n") and time.monotonic() < end:
                chunk = pipe.read(1)
                if not chunk:
                    break
                number += chunk
        if not number.strip():
            self.close()
            raise XUnavailable("Xvfb did not start")
        self.name = f":{number.decode().strip()}"
        self.env = {**os.environ, "DISPLAY": self.name, "QT_QPA_PLATFORM": "xcb"}

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """A command on this display (``xprop``, ``xdotool``…), its output captured."""
        return subprocess.run(list(args), env=self.env, capture_output=True, text=True, timeout=10)

    def start_window_manager(self) -> None:
        """Start openbox and wait until it manages the screen (its _NET_SUPPORTING_WM_CHECK is set)."""
        if shutil.which("openbox") is None:
            raise XUnavailable("openbox is not installed (apt-get install openbox)")
        self.manager = subprocess.Popen(["openbox"], env=self.env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        if shutil.which("xprop") and not wait_until(
                lambda: "_NET_SUPPORTING_WM_CHECK(WINDOW)" in self.run("xprop", "-root").stdout):
            raise XUnavailable("openbox did not start")
        time.sleep(0.3)  # it reads its settings and grabs its keys just after

    def stop_window_manager(self) -> None:
        _stop(self.manager)
        self.manager = None

    def close(self) -> None:
        self.stop_window_manager()
        _stop(self.server)


@contextlib.contextmanager
def x_server(width: int = 1280, height: int = 800, window_manager: bool = True,
             timeout: float = 15) -> Iterator[dict[str, str]]:
    """Yield the environment for a client of a fresh X server (``DISPLAY`` set, Qt's platform xcb), with openbox
    running where it is installed and ``window_manager`` is asked for."""
    server = XServer(width, height, timeout)
    try:
        if window_manager and shutil.which("openbox") is not None:
            server.start_window_manager()
        yield server.env
    finally:
        server.close()
