"""The window in each state a candidate meets, shown on a real X server (Xvfb), for the tests, the README's pictures
and the benchmark. Run in its own process (Qt's platform is chosen once per process)::

    DISPLAY=:71 python -m tests.window_states STATE [--out FILE.png] [--text-scale 2] [--size 1280x720]

It prints one JSON line: the state reached, the window id, and the step cards' labels whose text does not fit.
"""

from __future__ import annotations

import argparse
import json
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
    parser.add_argument("--hold-s", type=float, default=0.0, help="keep the window up this long first (benchmark)")
    args = parser.parse_args(argv)
    started = time.monotonic()

    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from app.cli import make_parser
    from app.controller import Phase
    from app.session import resolve
    from app.window import MainWindow

    app = QApplication(sys.argv[:1])
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

    if args.state == "first-start":
        window.controller.open_camera()
        window.controller.camera_opened.connect(lambda _feed: later(int(1000 * max(args.hold_s, 1.5))))
        window.controller.camera_problem.connect(lambda _text: later(500))
    elif args.state == "running":
        window.controller.open_camera()
        window.controller.phase_changed.connect(lambda phase: later(4500) if phase is Phase.RECORDING else None)
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
