"""Students one after another in a real kiosk window, each run clicked through as a student does, in a process of
its own, for the memory test (tests/test_kiosk.py)::

    MALLOC_ARENA_MAX=1 QT_QPA_PLATFORM=offscreen python -m tests.support.kiosk_students PICTURE SOUND \
        --warm-up 15 --measured 30

It prints one JSON line: the process's resident memory after the warm-up and after every measured student (kB, after
collecting garbage and handing the C heap's free pages back), the threads and widgets after the warm-up and at the
end (the app's own threads, the workers still at work, and every thread of the process), and whether the last
student's page is gone.

A process of its own, because resident memory is the whole process's: in a test worker, what earlier tests left (their
threads, their caches) moves with it. The test runs it with one malloc arena: with one per thread (glibc's default), a
camera frame freed in a worker thread's arena could stay resident whatever ``malloc_trim`` does, and a few frames' worth
(2.7 MB each) came and went in steps with the machine's load, which no kept object caused.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import ctypes.util
import gc
import json
import sys
import threading
import time
from pathlib import Path


def live_rss_kb() -> int:
    """The process's resident memory (kB) after collecting garbage and handing the C heap's free pages back to the
    system (glibc's ``malloc_trim``), so that memory freed but kept by the allocator does not count as kept."""
    import psutil

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: the figure is the plain one
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    return psutil.Process().memory_info().rss // 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("picture", type=Path)
    parser.add_argument("sound", type=Path)
    parser.add_argument("--warm-up", type=int, default=15)
    parser.add_argument("--measured", type=int, default=30)
    parser.add_argument("--only", default="camera.device,camera.framing,mic.device")
    args = parser.parse_args(argv)

    from PySide6.QtCore import QEventLoop, Qt, QThreadPool, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.check_page import end_app
    from app.cli import make_parser
    from app.kiosk import KioskWindow
    from app.session import resolve
    from app.workers import at_work
    from checks.config.kiosk import KioskConfig

    app = QApplication([])
    app.setQuitOnLastWindowClosed(False)  # the window is left and deleted at the end, not by closing it
    session = resolve(make_parser().parse_args(["--camera", str(args.picture), "--mic", str(args.sound),
                                                "--network", "none", "--only", args.only]))
    window = KioskWindow(session, KioskConfig(), fullscreen=False)
    window.show()

    def wait(done, timeout_s: float) -> bool:
        """Run the event loop (a real one: deferred deletions happen in it) until ``done()`` or the time is up."""
        end = time.monotonic() + timeout_s
        loop = QEventLoop()
        timer = QTimer()
        timer.timeout.connect(lambda: loop.quit() if done() or time.monotonic() > end else None)
        timer.start(20)
        if not done():
            loop.exec()
        timer.stop()
        return bool(done())

    reset: list[bool] = []
    window.reset_done.connect(lambda: reset.append(True))

    def student() -> None:
        QTest.mouseClick(window.start_button, Qt.MouseButton.LeftButton)
        if not wait(window.report_button.isEnabled, 30):
            raise SystemExit("the run did not end within 30 s")
        QTest.mouseClick(window.report_button, Qt.MouseButton.LeftButton)
        reset.clear()
        window.reset()
        if not wait(lambda: bool(reset), 5):
            raise SystemExit("the kiosk was not wiped within 5 s")

    def ours() -> list[str]:
        """The threads the app started (not the pools' threads, which Python lists as "dummy" once they ran Python
        code, and never forgets: they stay idle in their pool, up to its size, and are no leak)."""
        return [t.name for t in threading.enumerate() if not isinstance(t, threading._DummyThread)]

    def os_threads() -> int:
        """Every thread of the process, the pools' idle ones too."""
        import psutil

        return psutil.Process().num_threads()

    for _ in range(args.warm_up):
        student()
    threads = len(ours())
    os_before = os_threads()
    widgets = len(QApplication.allWidgets())
    rss = [live_rss_kb()]
    for _ in range(args.measured):
        student()
        rss.append(live_rss_kb())
    # a thread of the last student's run may still be on its way out (a worker's last signal, a device closing)
    wait(lambda: len(ours()) <= threads and not at_work(), 5)
    print(json.dumps({"rss_kb": rss, "threads": threads, "threads_left": ours(), "at_work": at_work(),
                      "os_threads": os_before, "os_threads_left": os_threads(),
                      "pool_size": QThreadPool.globalInstance().maxThreadCount(),
                      "widgets": widgets, "widgets_left": len(QApplication.allWidgets()),
                      "page_gone": window.page is None}), flush=True)
    window.leave()
    return end_app(0, session.config.thresholds.runner("grace_s") + 2)


if __name__ == "__main__":
    sys.exit(main())
