"""The app on a private accessibility bus, read as a screen reader reads it (tests/support/atspi_tree.py).

Run inside its own D-Bus session, on an X display (``DISPLAY`` set)::

    dbus-run-session -- python -m tests.support.screen_reader APP-ARGUMENTS... -- STEPS...

It starts the AT-SPI bus (at-spi-bus-launcher), the app as ``interview-ready APP-ARGUMENTS`` with Qt's
accessibility on, then the reader with the system's Python (pyatspi), and prints the reader's JSON. The app and the
bus end with it. Needs the Debian packages at-spi2-core, dbus-daemon (dbus-run-session) and python3-pyatspi.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.xserver import _stop

ROOT = Path(__file__).resolve().parents[2]
BUS_LAUNCHER = Path("/usr/libexec/at-spi-bus-launcher")
SYSTEM_PYTHON = Path("/usr/bin/python3")


def unavailable() -> str | None:
    """Why the screen reader's view cannot be had on this machine (None: it can)."""
    import shutil

    if not BUS_LAUNCHER.exists() or shutil.which("dbus-run-session") is None:
        return "the accessibility bus is not installed (apt-get install at-spi2-core dbus-daemon)"
    found = subprocess.run([str(SYSTEM_PYTHON), "-c", "import pyatspi"], capture_output=True)
    if found.returncode != 0:
        return "pyatspi is not installed (apt-get install python3-pyatspi)"
    return None


def main(argv: list[str]) -> int:
    split = argv.index("--")
    app_args, steps = argv[:split], argv[split + 1:]
    bus = subprocess.Popen([str(BUS_LAUNCHER), "--launch-immediately"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    env = {**os.environ, "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1", "QT_ACCESSIBILITY": "1"}
    app = subprocess.Popen([sys.executable, "-m", "app", *app_args], cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        reader = subprocess.run([str(SYSTEM_PYTHON), str(ROOT / "tests" / "support" / "atspi_tree.py"), str(app.pid),
                                 *steps],
                                capture_output=True, text=True, timeout=600, env=os.environ)
        sys.stderr.write(reader.stderr[-3000:])
        print(reader.stdout)
        return reader.returncode
    finally:
        _stop(app)
        _stop(bus)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
