"""Pictures of interview mode's window in its three states, for the README.

    DISPLAY=:75 .venv/bin/python -m tests.support.shoot_guardian docs         # a real X11 window (ImageMagick's import)
    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.support.shoot_guardian /tmp/shots   # offscreen (Qt's grab)

Each state is the guard's own judgement of a probe sequence (tests/support/guardkit.py); the plan B card shows an
example profile's dial-in.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.guardian import GuardianWindow, plan_b
from checks.config.profile import parse_profile
from tests.support.guardkit import statuses

EXAMPLE = parse_profile('organisation = "Acme Hiring"\n[[backup_channels]]\nkind = "dial_in"\n'
                        'value = "+44 20 7946 0000,,123456#"\n[[backup_channels]]\nkind = "email"\n'
                        'label = "Sam at Acme"\nvalue = "sam@acme.example"\n')


def settle(app: QApplication, seconds: float = 0.4) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def main(folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    channels, reminders = plan_b(EXAMPLE)
    with tempfile.TemporaryDirectory() as settings:
        window = GuardianWindow(channels, reminders, settings=Path(settings) / "guardian.json")
        window.show()
        for state, status in statuses().items():
            window.show_status(status)
            settle(app)
            path = folder / f"guardian-{state}.png"
            x11 = app.platformName() == "xcb" and os.environ.get("DISPLAY")
            if x11:  # the window as the X server shows it
                subprocess.run(["import", "-window", str(int(window.winId())), str(path)], check=True, timeout=30)
            else:
                window.grab().save(str(path))
            print(path, f"{window.width()}x{window.height()}", "x11" if x11 else "offscreen")
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs")))
