"""The window in each state a candidate meets, shown on a real X server (Xvfb), for the tests, the README's pictures
and the benchmark. Run in its own process (Qt's platform is chosen once per process)::

    DISPLAY=:71 python -m tests.window_states STATE [--out FILE.png] [--text-scale 2] [--size 1280x720]

It prints one JSON line: the state reached, the window id, and the step cards' labels whose text does not fit.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "assets" / "demo"

STATES: dict[str, list[str]] = {
    "first-start": ["--demo"],
    "running": ["--demo"],
    "all-good": ["--demo", "--only", "camera.device,camera.exposure,camera.framing,camera.sharpness,mic.*,"
                 "system.power"],
    "one-problem": ["--camera", str(ROOT / "assets" / "demo" / "no-such-camera.mp4"), "--mic",
                    str(DEMO / "speech.wav"), "--network", "none", "--only", "camera.*,mic.*,system.power"],
    "no-devices": ["--camera", "auto", "--mic", "auto", "--network", "none"],
}
"""The command line of each state: real media, or this machine's (missing) devices."""


def label_clipped(label) -> bool:
    """Whether a label's text needs more room than the label has, laid out as Qt lays it out (wrapped at spaces,
    and inside a long word where it must)."""
    from PySide6.QtCore import Qt

    room = label.contentsRect()
    if label.wordWrap():
        needed = label.fontMetrics().boundingRect(room, int(Qt.TextFlag.TextWordWrap), label.text())
        return needed.height() > room.height() + 1 or needed.width() > room.width() + 1
    return label.fontMetrics().horizontalAdvance(label.text()) > room.width() + 1


def clipped_labels(window) -> list[str]:
    """The step cards' labels (and the banner) whose text does not fit."""
    labels = [label for card in [*window.cards.values(), window.plan_b] if card.isVisible() for label in card.labels()]
    return [label.text()[:60] for label in [*labels, window.banner, window.fix_first]
            if label.isVisible() and label.text() and label_clipped(label)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("state", choices=sorted(STATES))
    parser.add_argument("--out", type=Path)
    parser.add_argument("--text-scale", type=float, default=1.0)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--measure-s", type=float, default=0.0,
                        help="first-start: measure the whole process's processor use over this long, with the live "
                             "preview running (after 2 s to settle)")
    args = parser.parse_args(argv)
    started = time.monotonic()

    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from app.cli import make_parser
    from app.session import resolve
    from app.window import MainWindow, make_app

    app = make_app()  # as the app starts
    if args.text_scale != 1.0:
        font = app.font()
        font.setPointSizeF(font.pointSizeF() * args.text_scale)
        app.setFont(font)
    session = resolve(make_parser().parse_args(STATES[args.state]))
    window = MainWindow(session, demo="--demo" in STATES[args.state])
    width, height = (int(n) for n in args.size.split("x"))
    window.resize(width, height)
    window.show()
    answer: dict[str, object] = {"state": args.state}

    def first_window() -> None:
        answer["first_window_s"] = round(time.monotonic() - started, 3)

    QTimer.singleShot(0, first_window)

    def finish() -> None:
        QApplication.processEvents()
        answer["window_id"] = int(window.winId())
        answer["clipped"] = clipped_labels(window)
        answer["banner"] = window.banner.text()
        answer["cards"] = {step: card.summary.status for step, card in window.cards.items()
                           if card.isVisible() and card.summary is not None}
        if args.out is not None:
            picture = QGuiApplication.primaryScreen().grabWindow(window.winId())  # from the X server
            answer["saved"] = bool(picture.save(str(args.out)))
        window.close()
        app.quit()

    def later(ms: int) -> None:
        QTimer.singleShot(ms, finish)

    measured: list[tuple[float, float]] = []

    per_thread: list[dict[str, float]] = []

    def threads_now() -> dict[str, float]:
        import threading

        import psutil

        names = {t.native_id: t.name for t in threading.enumerate()}
        names[threading.main_thread().native_id] = "GUI (painting, conversion, scaling)"
        return {names.get(t.id, "Qt and other threads"): t.user_time + t.system_time
                for t in psutil.Process().threads()}

    def mark() -> None:
        used = os.times()
        per_thread.append(threads_now())
        if len(per_thread) == 2:
            wall = time.monotonic() - measured[0][0]
            answer["cpu_by_thread"] = {name: round((cpu - per_thread[0].get(name, 0.0)) / wall, 3)
                                       for name, cpu in per_thread[1].items()
                                       if cpu - per_thread[0].get(name, 0.0) > 0.001 * wall}
        measured.append((time.monotonic(), used.user + used.system))
        if len(measured) == 2:
            (t0, c0), (t1, c1) = measured
            answer["cpu_core_fraction"] = round((c1 - c0) / (t1 - t0), 3)
            answer["preview_frames"] = window.camera_panel.view.painted if window.camera_panel else 0

    def measure(_feed: object) -> None:
        if args.measure_s <= 0:
            later(1500)
            return
        QTimer.singleShot(2000, mark)
        QTimer.singleShot(int(2000 + 1000 * args.measure_s), mark)
        later(int(2100 + 1000 * args.measure_s))

    if args.state == "first-start":
        window.controller.open_camera()
        window.controller.camera_opened.connect(measure)
        window.controller.camera_problem.connect(lambda _text: later(500))
    elif args.state == "running":
        window.controller.open_camera()
        seen: list[str] = []
        window.controller.check_finished.connect(
            lambda result, *_: (seen.append(result.id), later(250) if len(seen) == 1 else None))
        window.controller.start_when_ready()
    else:
        window.controller.open_camera()
        window.run_finished.connect(lambda _report: later(1200))
        window.controller.start_when_ready()
    QTimer.singleShot(180_000, finish)
    app.exec()
    print(json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
