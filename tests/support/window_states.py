"""The window in each state a candidate meets, shown on a real X server (Xvfb), for the tests, the README's pictures
and the benchmark. Run in its own process (Qt's platform is chosen once per process)::

    DISPLAY=:71 python -m tests.support.window_states STATE [--out FILE.png] [--text-scale 2] [--size 1280x720]
        [--lang de] [--size opened] [--details picture] [--root-shot SCREEN.png]

It prints one JSON line: the state reached, the window id, every label and button whose text does not fit, every
control out of reach, and where the window lies in the screen's work area. ``--lang qps`` is the pseudo-language,
every sentence 40 % longer, for the layout tests; ``--size opened`` leaves the window at the size it opened at on
this screen. :func:`on_screen` does all that on a fresh X server of a given size.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "assets" / "demo"

STATES: dict[str, list[str]] = {
    "first-start": ["--demo"],
    "running": ["--demo"],
    "all-good": ["--demo", "--only", "camera.device,camera.exposure,camera.framing,camera.sharpness,mic.*,"
                 "system.power"],
    "one-problem": ["--camera", str(ROOT / "assets" / "demo" / "no-such-camera.avi"), "--mic",
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


def rich_text_clipped(label) -> bool:
    """Whether a rich-text label's text, laid out at the label's width, needs more room than the label has."""
    from PySide6.QtGui import QTextDocument

    room = label.contentsRect()
    document = QTextDocument()
    document.setDefaultFont(label.font())
    document.setDocumentMargin(0)
    document.setHtml(label.text())
    document.setTextWidth(room.width())
    return document.size().height() > room.height() + 1 or document.idealWidth() > room.width() + 1


def button_clipped(button) -> bool:
    """Whether a button (push button, check box) was given less room than its text and mark need."""
    wanted = button.sizeHint()
    return wanted.width() > button.width() + 1 or wanted.height() > button.height() + 1


def outside(widget, root) -> bool:
    """Whether part of ``widget`` lies outside ``root`` (where nobody sees it) when no scroll area holds it."""
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QAbstractScrollArea

    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        if isinstance(parent, QAbstractScrollArea):
            return False  # it scrolls into view
        parent = parent.parentWidget()
    return not root.rect().contains(QRect(widget.mapTo(root, widget.rect().topLeft()), widget.size()))


def out_of_reach(window) -> list[str]:
    """Every visible control (button, tick box, picker) of ``window`` that a candidate cannot reach whole on the
    screen: outside the screen's work area, outside the window, or (in a scroll area) wider than its view or in a
    view that is itself off the screen. A control in a scroll area is reached by scrolling up and down."""
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QComboBox, QTabBar

    area = window.screen().availableGeometry()
    seen = QRect(window.mapToGlobal(QPoint(0, 0)), window.size()).intersected(area)  # the window's inside
    found = []
    for widget in window.findChildren(QAbstractButton) + window.findChildren(QComboBox):
        if not widget.isVisible() or isinstance(widget.parent(), QTabBar):
            continue
        holder, parent = widget, widget.parentWidget()
        while parent is not None and parent is not window and not isinstance(parent, QAbstractScrollArea):
            parent = parent.parentWidget()
        if isinstance(parent, QAbstractScrollArea):
            holder = parent.viewport()
            if widget.width() > holder.width() + 1:
                found.append(f"wider than its view: {type(widget).__name__}: {_text(widget)}")
                continue
        rect = QRect(holder.mapToGlobal(QPoint(0, 0)), holder.size()) if holder is not widget else \
            QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())
        if not seen.contains(rect):
            found.append(f"off the screen: {type(widget).__name__}: {_text(widget)}")
    return found


def _text(control) -> str:
    """What a button or a picker says (its first 40 characters)."""
    from PySide6.QtWidgets import QComboBox

    return (control.currentText() if isinstance(control, QComboBox) else control.text())[:40]


def clipped_texts(root) -> list[str]:
    """Every label and button in ``root`` whose text is cut off (too little room, or partly outside the window), and
    every part that has to be scrolled sideways to be read."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import Qt as GuiQt
    from PySide6.QtWidgets import QAbstractButton, QLabel, QScrollArea, QTabBar

    found = []
    for widget in root.findChildren(QLabel) + root.findChildren(QAbstractButton):
        if not widget.isVisible() or not widget.text() or isinstance(widget.parent(), QTabBar):
            continue
        if isinstance(widget, QLabel):
            rich = widget.textFormat() == Qt.TextFormat.RichText or (
                widget.textFormat() == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(widget.text()))
            cut = rich_text_clipped(widget) if rich else label_clipped(widget)
        else:
            cut = button_clipped(widget)
        if cut or outside(widget, root):
            found.append(f"{type(widget).__name__}: {widget.text()[:60]}")
    for area in root.findChildren(QScrollArea):  # wider than its view: the text at the right is out of sight
        if area.isVisible() and area.widget() is not None and area.widget().width() > area.viewport().width() + 1:
            found.append(f"scrolls sideways: {area.accessibleName() or area.objectName() or 'a scroll area'}")
    tabs = root.findChildren(QTabBar)
    for bar in tabs:
        found += [f"tab: {bar.tabText(i)[:60]}" for i in range(bar.count())
                  if bar.isVisible() and bar.tabRect(i).width() < bar.tabSizeHint(i).width()]
    return found


def native_frame(window_id: int) -> dict[str, list[int]]:
    """Where the X server has the window, its frame included, and the work area of its screen (``_NET_WORKAREA``,
    else the whole screen), in the server's own pixels: the truth that Qt's sizes (rounded where the scale is not
    whole) only approximate. Empty without xwininfo and xprop (Debian's x11-utils)."""
    import re
    import shutil
    import subprocess

    if shutil.which("xwininfo") is None or shutil.which("xprop") is None:
        return {}

    def numbers(*command: str) -> str:
        return subprocess.run(command, capture_output=True, text=True, timeout=10).stdout

    info = numbers("xwininfo", "-id", str(window_id))
    x, y, w, h = (int(re.search(rf"{key}:\s+(-?\d+)", info).group(1))
                  for key in ("Absolute upper-left X", "Absolute upper-left Y", "Width", "Height"))
    extents = re.findall(r"\d+", numbers("xprop", "-id", str(window_id), "_NET_FRAME_EXTENTS").split("=")[-1])
    left, right, top, bottom = (int(n) for n in extents) if len(extents) == 4 else (0, 0, 0, 0)
    root = numbers("xwininfo", "-root")
    screen = [0, 0, *(int(re.search(rf"{key}:\s+(\d+)", root).group(1)) for key in ("Width", "Height"))]
    workarea = re.findall(r"\d+", numbers("xprop", "-root", "_NET_WORKAREA").split("=")[-1])
    return {"frame": [x - left, y - top, w + left + right, h + top + bottom],
            "work_area": [int(n) for n in workarea[:4]] if len(workarea) >= 4 else screen}


def on_screen(width: int, height: int, state: str, *args: str, window_manager: bool = True,
              font_dpi: int | None = None) -> dict:
    """Open the window in ``state`` as a candidate would, on a fresh X server of ``width`` × ``height`` (with openbox
    or without a window manager; ``font_dpi``: Qt's QT_FONT_DPI, 192 for text at 200 %), and return what
    :func:`main` found. Raises :class:`tests.support.xserver.XUnavailable` without Xvfb."""
    from tests.support.xserver import x_server

    with x_server(width, height, window_manager=window_manager) as env:
        return opened_on(env, state, *args, font_dpi=font_dpi)


def opened_on(env: dict[str, str], state: str, *args: str, font_dpi: int | None = None) -> dict:
    """:func:`on_screen` on the X server ``env`` names (its ``DISPLAY``)."""
    import subprocess

    if font_dpi is not None:
        env = {**env, "QT_FONT_DPI": str(font_dpi)}
    done = subprocess.run([sys.executable, "-m", "tests.support.window_states", state, "--size", "opened", *args],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=240)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("state", choices=sorted(STATES))
    parser.add_argument("--out", type=Path)
    parser.add_argument("--text-scale", type=float, default=1.0)
    parser.add_argument("--size", default="1280x720",
                        help="the window's size; 'opened': as it opens on this screen, unchanged")
    parser.add_argument("--details", help="open this step's Details (picture, sound…) before looking")
    parser.add_argument("--root-shot", type=Path, help="a picture of the whole screen (ImageMagick's import)")
    parser.add_argument("--lang", default="en", help="the language to show it in (qps: the pseudo-language)")
    parser.add_argument("--measure-s", type=float, default=0.0,
                        help="first-start: measure the whole process's processor use over this long, with the live "
                             "preview running (after 2 s to settle)")
    args = parser.parse_args(argv)
    started = time.monotonic()

    from PySide6.QtCore import QPoint, QTimer
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from app.check_page import end_app
    from app.cli import make_parser
    from app.session import resolve
    from app.window import MainWindow, fit_to_screen, make_app
    from checks.text.wording import set_language

    app = make_app()  # as the app starts
    set_language(args.lang)
    if args.text_scale != 1.0:
        font = app.font()
        font.setPointSizeF(font.pointSizeF() * args.text_scale)
        app.setFont(font)
    session = resolve(make_parser().parse_args(STATES[args.state]))
    window = MainWindow(session, demo="--demo" in STATES[args.state])
    if args.size == "opened":
        fit_to_screen(window)  # as the app opens it
    else:
        width, height = (int(n) for n in args.size.split("x"))
        window.resize(width, height)
    window.show()
    answer: dict[str, object] = {"state": args.state}

    def first_window() -> None:
        answer["first_window_s"] = round(time.monotonic() - started, 3)

    QTimer.singleShot(0, first_window)

    def settle(seconds: float) -> None:
        end = time.monotonic() + seconds  # a text set a moment ago has its room after a few rounds of layout
        while time.monotonic() < end:
            QApplication.processEvents()
            time.sleep(0.01)

    def finish() -> None:
        settle(0.2)
        if args.details:
            window.cards[args.details].details_button.click()
            settle(0.5)
            view, area = window.flow_scroll.viewport(), window.details_area
            top = area.mapTo(view, QPoint(0, 0)).y()
            answer["details_seen_px"] = max(0, min(view.height(), top + area.height()) - max(0, top)) \
                if area.isVisible() else 0
            answer["details_px"] = min(area.height(), view.height())
        answer["window_id"] = int(window.winId())
        answer["clipped"] = clipped_texts(window)
        answer["out_of_reach"] = out_of_reach(window)
        answer["native"] = native_frame(int(window.winId()))
        answer["wide"] = window.page.wide
        answer["banner"] = window.banner.text()
        answer["cards"] = {step: card.summary.status for step, card in window.cards.items()
                           if card.isVisible() and card.summary is not None}
        if args.root_shot is not None:
            import subprocess

            settle(0.3)  # painted as it was measured (the screen is taken while the app waits)
            answer["root_saved"] = subprocess.run(["import", "-window", "root", str(args.root_shot)],
                                                  timeout=60).returncode == 0
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
    print(json.dumps(answer), flush=True)
    # ended as the app ends: its workers wound down, its windows deleted while Qt still runs (left to the
    # interpreter's end, a worker still running crashed the process now and then after this line)
    return end_app(0, session.config.thresholds.runner("grace_s") + 2)


if __name__ == "__main__":
    sys.exit(main())
