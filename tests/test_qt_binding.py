"""The Qt binding in use keeps Python's reference counts right on the paths the app uses all the time.

PySide6 6.12.0 released one reference too many on every ``Signal.emit()`` (and on thread-pool callables): after a
few thousand the interpreter aborts, which a kiosk running all day would reach. pyproject.toml excludes it.
"""

from __future__ import annotations

import subprocess
import sys

CODE = """
import threading
from PySide6.QtCore import QCoreApplication, QObject, QThreadPool, Signal

class Signals(QObject):
    progress = Signal(str, float, str)

app = QCoreApplication([])
signals = Signals()
for _ in range(3000):
    signals.progress.emit("camera.device", 0.5, "Reading pictures")
def emit_from_thread():
    for _ in range(3000):
        signals.progress.emit("mic.device", 0.5, "Listening")
thread = threading.Thread(target=emit_from_thread)
thread.start()
thread.join()
for _ in range(1000):
    QThreadPool.globalInstance().start(lambda: None)
QThreadPool.globalInstance().waitForDone()
print("clean")
"""


def test_emitting_signals_and_pool_jobs_for_a_long_day_does_not_corrupt_the_interpreter():
    done = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "clean", done.stderr[-2000:]
