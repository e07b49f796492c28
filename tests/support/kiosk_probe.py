"""A real kiosk in its own process on a real X display, tried as a student would; prints what it saw as JSON.

Run by tests/test_kiosk_x11.py as ``python -m tests.support.kiosk_probe SCENARIO PROFILE`` with ``DISPLAY`` set and
``QT_QPA_PLATFORM=xcb``: the kiosk is shown the way ``interview-ready --kiosk`` shows it, on the demo media.
The probe only measures (window geometry from ``xwininfo``, every button's place on the screen, what the
clipboard holds, whether the window is mapped and active); the test decides what is right. A crash of the kiosk
ends this process, which the test sees as a missing "alive" line.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, Qt, QTimer, QUrl
from PySide6.QtGui import QClipboard, QDesktopServices, QGuiApplication, QRegion
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QInputDialog, QLabel, QMessageBox, QScrollArea, QWidget
from shiboken6 import isValid

from app.cli import make_parser
from app.kiosk import KioskWindow, show_kiosk
from app.session import resolve
from checks.config.kiosk import KioskConfig, hash_pin
from checks.text.wording import PSEUDO, set_language
from tests.support.window_states import clipped_texts

PIN = "135790"


def say_fact(**fact) -> None:
    print(json.dumps(fact), flush=True)


def wait(ms: int, until=None) -> bool:
    """Let the kiosk run for up to ``ms`` (real events from the X server), sooner when ``until()`` holds."""
    end = time.monotonic() + ms / 1000
    while time.monotonic() < end:
        QApplication.processEvents()
        if until is not None and until():
            return True
        time.sleep(0.01)
    return until is None or bool(until())


def x11(*args: str, stdin: str | None = None) -> str:
    """Run an X11 tool while the kiosk keeps answering the X server (it may own the selection being read)."""
    output = subprocess.DEVNULL if stdin is not None else subprocess.PIPE  # xclip -i stays, serving the text
    process = subprocess.Popen(list(args), stdin=subprocess.PIPE, stdout=output, stderr=subprocess.DEVNULL,
                               text=True)
    if stdin is not None:
        process.stdin.write(stdin)
    process.stdin.close()
    end = time.monotonic() + 10
    while process.poll() is None and time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.01)
    if process.poll() is None:
        process.kill()
    return process.stdout.read() if process.stdout is not None else ""


def xwininfo(wid: int) -> dict[str, object]:
    info: dict[str, object] = {}
    for line in x11("xwininfo", "-id", str(wid)).splitlines():
        key, _, value = line.strip().partition(":")
        if key in ("Absolute upper-left X", "Absolute upper-left Y", "Width", "Height"):
            info[key.split()[-1].lower()] = int(value)
        elif key == "Map State":
            info["map_state"] = value.strip()
    return info


def active_window() -> int | None:
    """The window with the keyboard: the window manager's active one, or X's input focus where there is none."""
    text = x11("xdotool", "getactivewindow").strip() or x11("xdotool", "getwindowfocus").strip()
    return int(text) if text.isdigit() else None


def on_top(wid: int) -> bool:
    """Whether the topmost mapped window on the screen is ``wid`` or the window manager's frame around it."""
    ours = {wid}
    window = wid
    while True:
        match = re.search(r"Parent window id: (0x[0-9a-f]+)", x11("xwininfo", "-tree", "-id", str(window)))
        if match is None or "(the root window)" in x11("xwininfo", "-tree", "-id", str(window)).split(
                "Parent window id:")[1].splitlines()[0]:
            break
        window = int(match.group(1), 16)
        ours.add(window)
    for line in x11("xwininfo", "-root", "-children").splitlines():  # top first
        match = re.match(r"\s+(0x[0-9a-f]+) .*\s(\d+)x(\d+)\+(-?\d+)\+(-?\d+)\s", line)
        if match is None or int(match.group(2)) * int(match.group(3)) <= 1 or min(
                int(match.group(2)) + int(match.group(4)), int(match.group(3)) + int(match.group(5))) <= 0:
            continue  # the window manager's own off-screen helpers
        if "IsViewable" in x11("xwininfo", "-id", match.group(1)):
            return int(match.group(1), 16) in ours
    return False


def window_facts(window: KioskWindow, stacking: bool = False) -> dict[str, object]:
    screen = window.screen().geometry()
    wid = int(window.winId())
    return {"x11": xwininfo(wid), "active": active_window() == wid, "on_top": stacking and on_top(wid),
            "screen": [screen.x(), screen.y(), screen.width(), screen.height()],
            "minimized": window.isMinimized(), "visible": window.isVisible(),
            "grabbed": getattr(window, "keeper", None) is not None and window.keeper.grabbed,
            "exposed": window.windowHandle().isExposed(), "fullscreen": window.isFullScreen()}


def page_facts(window: KioskWindow, name: str) -> None:
    """Every button and link of the page shown: where it is on the screen, and whether it can be seen at all."""
    wait(300)
    page = window.stack.currentWidget()
    controls = []
    for widget in page.findChildren(QWidget):
        if not isinstance(widget, QAbstractButton) or not widget.isVisibleTo(page):
            continue
        top_left = widget.mapToGlobal(widget.rect().topLeft())
        rect = QRect(top_left, widget.size())
        controls.append({"name": widget.accessibleName() or widget.text(),
                         "rect": [rect.x(), rect.y(), rect.width(), rect.height()],
                         "visible": widget.isVisible() and not widget.visibleRegion().isEmpty(),
                         # all of it shows (no part scrolled out of sight): reached without scrolling
                         "whole": widget.isVisible() and QRegion(widget.rect()).subtracted(
                             widget.visibleRegion()).isEmpty()})
    say_fact(page=name, window=window_facts(window), controls=controls, clipped=clipped_texts(page))
    if os.environ.get("KIOSK_TEST_SHOTS"):  # what the student sees, for a person to look at
        x11("import", "-window", "root", str(Path(os.environ["KIOSK_TEST_SHOTS"]) / f"{name.replace(' ', '-')}.png"))


def session(profile: str | None, only: str):
    args = ["--demo", "--network", "none", "--only", only]
    return resolve(make_parser().parse_args(args + (["--profile", profile] if profile else [])))


def answer_every_box(button: QMessageBox.StandardButton) -> QTimer:
    """Answer every message box the kiosk opens with ``button`` (as a student who clicks "Yes" to anything)."""
    timer = QTimer()

    def poll() -> None:
        widget = QApplication.activeModalWidget()
        if isinstance(widget, QMessageBox):
            say_fact(box=widget.text())
            target = widget.button(button) or widget.defaultButton()
            if target is not None:
                target.click()
            else:
                widget.accept()

    timer.timeout.connect(poll)
    timer.start(50)
    return timer


def run_student(window: KioskWindow) -> None:
    QTest.mouseClick(window.start_button, Qt.MouseButton.LeftButton)
    if not wait(60_000, window.report_button.isEnabled):
        say_fact(error="the run did not finish")


def scenario_pages(window: KioskWindow) -> None:
    """The start, check and report pages (the "pseudo" scenario: in the pseudo-language, every sentence 40 %
    longer)."""
    page_facts(window, "start")
    run_student(window)
    page_facts(window, "check")
    QTest.mouseClick(window.report_button, Qt.MouseButton.LeftButton)
    page_facts(window, "report")


def scenario_fit(window: KioskWindow) -> None:
    scenario_pages(window)
    window.idle.timeout.emit()  # the idle time is up: its countdown bar on top of the report page must not push
    # anything off-screen
    page_facts(window, "report with countdown")


def _links() -> list[QLabel]:
    return [w for w in QApplication.allWidgets() if isinstance(w, QLabel) and "<a " in w.text()]


def scenario_links(window: KioskWindow) -> None:
    timer = answer_every_box(QMessageBox.StandardButton.Yes)
    run_student(window)
    page = window.page
    tree = page.tree
    tree.setFocus()
    for key in (Qt.Key.Key_Tab, Qt.Key.Key_PageDown, Qt.Key.Key_Backtab, Qt.Key.Key_PageUp):
        QTest.keyClick(tree, key, Qt.KeyboardModifier.ControlModifier)
        say_fact(key=int(key), tab=page.tabs.currentIndex(), tabs=page.tabs.count())
        x11("xdotool", "key", "--window", str(int(window.winId())), "ctrl+Tab")
        wait(100)
    QTest.mouseClick(window.report_button, Qt.MouseButton.LeftButton)
    wait(300)
    links = _links()
    say_fact(links=[w.text() for w in links])
    clicked = 0
    for label in links:  # every link the app holds, on the kiosk's page or not: clicked, and activated by keyboard
        if label.isVisible():
            clicked += click_link(label)
            label.setFocus()
            QTest.keyClick(label, Qt.Key.Key_Tab)
            QTest.keyClick(label, Qt.Key.Key_Return)
            wait(200)
        for href in _hrefs(label.text()):  # also those of labels no student can see
            label.linkActivated.emit(href)
            wait(200)
    say_fact(clicked=clicked)
    for url in ("https://example.org/", "mailto:a@example.org", "tel:+441234", "file:///etc/passwd",
                "zoommtg://zoom.us/join", "msteams:/meet", "ftp://example.org/"):
        say_fact(url=url, opened=QDesktopServices.openUrl(QUrl(url)))
    from app.report_view import confirm_and_open

    say_fact(confirm_and_open=confirm_and_open(window, "https://example.org/"))
    wait(1000)  # a launched program would have written its line by now
    timer.stop()


def click_link(label: QLabel) -> int:
    """Click the link in ``label`` with the mouse where the pointer turns into a hand, as a student would."""
    area = label.parentWidget()
    while area is not None and not isinstance(area, QScrollArea):
        area = area.parentWidget()
    if area is not None:  # scrolled to it, as a student would
        area.ensureWidgetVisible(label)
        wait(100)
    for y in range(2, label.height(), 6):
        for x in range(2, label.width(), 8):
            QTest.mouseMove(label, QPoint(x, y))
            if label.cursor().shape() == Qt.CursorShape.PointingHandCursor:
                QTest.mouseClick(label, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(x, y))
                wait(200)
                return 1
    return 0


def _hrefs(text: str) -> list[str]:
    import re

    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', text)]


def scenario_dialog_wipe(window: KioskWindow) -> None:
    """A box left open (the link question, the PIN prompt) while the idle wipe runs."""
    QTest.mouseClick(window.start_button, Qt.MouseButton.LeftButton)
    wait(500)
    page = window.page
    results = []
    for parent in (page, window):
        QTimer.singleShot(300, window.reset)  # the wipe, while the box waits for an answer
        answer = QMessageBox.question(parent, "Open this link?", "https://example.org/")
        results.append(int(answer))
        wait(300)
        say_fact(after_wipe=[type(w).__name__ for w in _open_boxes(window)], page=window.page is not None)
        if window.page is None:
            QTest.mouseClick(window.start_button, Qt.MouseButton.LeftButton)
            wait(500)
    say_fact(answers=results)


def _open_boxes(window: KioskWindow) -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if w is not window and w.isVisible()]


def scenario_selection(window: KioskWindow) -> None:
    clipboard = QGuiApplication.clipboard()
    say_fact(supports_selection=clipboard.supportsSelection())
    x11("xclip", "-selection", "primary", "-i", stdin="the last student's text")
    x11("xclip", "-selection", "clipboard", "-i", stdin="copied text")
    wait(300)
    say_fact(before=x11("xclip", "-selection", "primary", "-o"), clipboard=x11("xclip", "-selection", "clipboard",
                                                                            "-o"))
    window.reset()
    wait(500)
    say_fact(after_external=x11("xclip", "-selection", "primary", "-o"),
             clipboard=x11("xclip", "-selection", "clipboard", "-o"))
    clipboard.setText("selected in the kiosk", QClipboard.Mode.Selection)  # what a drag-select in the app does
    wait(300)
    say_fact(before_own=x11("xclip", "-selection", "primary", "-o"))
    window.reset()
    wait(500)
    say_fact(after_own=x11("xclip", "-selection", "primary", "-o"))


def scenario_front(window: KioskWindow) -> None:
    wid = str(int(window.winId()))
    covering: list[subprocess.Popen] = []
    say_fact(step="shown", window=window_facts(window, stacking=True))
    for step, command in (("windowminimize", ["xdotool", "windowminimize", wid]),
                          ("super+d", ["xdotool", "key", "super+d"]),
                          ("alt+space", ["xdotool", "key", "alt+space"]),
                          ("windowunmap", ["xdotool", "windowunmap", wid]),
                          ("another window", ["xmessage", "-geometry", "800x600+0+0", "another program"])):
        if command[0] == "xmessage":
            covering.append(subprocess.Popen(command, stderr=subprocess.DEVNULL))
        else:
            subprocess.run(command, timeout=10)
        wait(150)
        x11("xdotool", "key", "Escape")  # closes openbox's window menu if alt+space opened it
        wait(1000, lambda: window_facts(window)["x11"].get("map_state") == "IsViewable"
             and active_window() == int(window.winId()) and on_top(int(window.winId())))
        say_fact(step=step, window=window_facts(window, stacking=True))
    for process in covering:
        process.kill()
    wait(500)
    # the admin's way out still works with the keyboard held: real keys, typed into the real PIN prompt
    asked: list[bool] = []

    def prompt_in_front() -> None:
        prompt = QApplication.activeModalWidget()
        if isinstance(prompt, QInputDialog) and prompt.isActiveWindow() and not asked:
            asked.append(True)

    watch = QTimer()
    watch.timeout.connect(prompt_in_front)
    watch.start(50)
    typist = subprocess.Popen(["sh", "-c", f"sleep 1.5; xdotool type --delay 30 {PIN}; xdotool key Return"])
    x11("xdotool", "key", "ctrl+alt+a")  # the prompt waits for its answer inside this call
    left = wait(5000, lambda: window.unlocked)
    typist.wait(10)
    watch.stop()
    say_fact(pin_asked=bool(asked), left_with_pin=left)


TERMINAL = "kiosk-test-terminal"
SWITCHES = {"alt-tab": ["xdotool", "key", "alt+Tab"],  # the window manager's switcher (openbox)
            "windowactivate": ["xdotool", "windowactivate"],  # another program asks the window manager for it
            "windowfocus": ["xdotool", "windowfocus"]}  # and takes X's input focus for it (also with no manager)


def start_terminal(window: KioskWindow) -> tuple[subprocess.Popen, str]:
    """A real xterm running a shell in ``$KIOSK_TEST_FOLDER``, behind the kiosk (which takes the front again)."""
    terminal = subprocess.Popen(["xterm", "-name", TERMINAL, "-e", "sh"], cwd=os.environ["KIOSK_TEST_FOLDER"],
                                stderr=subprocess.DEVNULL)
    found: list[str] = []

    def viewable() -> bool:
        found[:] = x11("xdotool", "search", "--classname", TERMINAL).split()
        return bool(found) and xwininfo(int(found[0])).get("map_state") == "IsViewable"

    wait(15_000, viewable)
    wait(3000, lambda: active_window() == int(window.winId()))
    return terminal, found[0] if found else "0"


def scenario_foreign_window(window: KioskWindow) -> None:
    """A terminal behind the kiosk. While each box of the way out is up (the PIN prompt, "That PIN is not right",
    "Too many wrong PINs"), the terminal is made active in every way there is (Alt+Tab, a window manager's
    activation, X's input focus) and a command is typed after each (``>NAME;``, which makes a file: no space and no
    letter O, which would press a message box's OK), then Return. The test looks for the files; the probe says
    which window was active after each switch. Then, the kiosk left, the same is typed into the terminal on
    purpose: the control that typing reaches it at all."""
    terminal, terminal_id = start_terminal(window)
    seen: list[QWidget] = []

    def attack_the_box() -> None:
        box = QApplication.activeModalWidget()
        if box is None or any(box is b for b in seen) or not box.isActiveWindow():
            return
        seen.append(box)
        name = f"b{len(seen)}"
        ours = {int(w.winId()) for w in QApplication.topLevelWidgets() if w.isVisible()}
        for number, (how, command) in enumerate(SWITCHES.items(), 1):
            x11(*command, *([] if how == "alt-tab" else [terminal_id]))
            began = time.monotonic()  # the switch is asked for when the command returns; how long until it is undone
            # undone, and still so half a second later: a busy window manager may act on the request after a first
            # look found the box active (seen: the terminal made active after the look, the kiosk taking it back)
            since: list[float] = []

            def undone(since: list[float] = since) -> bool:
                if not (active_window() in ours and box.isActiveWindow()):
                    since.clear()
                    return False
                since[:] = since or [time.monotonic()]
                return time.monotonic() - since[0] >= 0.5

            wait(5000, undone)
            say_fact(box=name, text=" ".join(label.text() for label in box.findChildren(QLabel) if label.text()),
                     how=how, active_ours=active_window() in ours, box_active=box.isActiveWindow(),
                     undone_s=round((since[0] if since else time.monotonic()) - began, 2),
                     qt_active=type(QApplication.activeWindow()).__name__,
                     x_active=active_window(), box_id=int(box.winId()), main_id=int(window.winId()))
            x11("xdotool", "type", "--delay", "20", f">{name}-{number};")
        subprocess.Popen(["xdotool", "key", "Return"])  # answers the box; the next one is attacked in its turn
        QTimer.singleShot(3000, lambda: isValid(box) and box.isVisible() and box.reject())  # the Return went astray

    attacker = QTimer()
    attacker.timeout.connect(attack_the_box)
    attacker.start(50)
    x11("xdotool", "key", "ctrl+alt+a")  # the prompt, then "not right", each with its own loop inside this call
    wait(5000, lambda: QApplication.activeModalWidget() is None and len(seen) >= 2)
    while window.gate.wait_left() <= 0:  # three more wrong PINs, as a student guessing would give
        window.gate.try_pin("000000")
    x11("xdotool", "key", "ctrl+alt+a")  # "Too many wrong PINs"
    wait(5000, lambda: QApplication.activeModalWidget() is None and len(seen) >= 3)
    attacker.stop()
    window.leave()
    wait(500)
    for command in list(SWITCHES.values())[1:]:  # the control: with the kiosk gone the terminal gets the keys
        x11(*command, terminal_id)
    wait(3000, lambda: active_window() == int(terminal_id))
    x11("xdotool", "type", "--delay", "20", ">control")
    x11("xdotool", "key", "Return")
    wait(5000, lambda: (Path(os.environ["KIOSK_TEST_FOLDER"]) / "control").exists())
    terminal.kill()
    terminal.wait()


SCENARIOS = {"fit": scenario_fit, "pseudo": scenario_pages, "links": scenario_links,
             "dialog_wipe": scenario_dialog_wipe,
             "selection": scenario_selection, "front": scenario_front, "foreign_window": scenario_foreign_window}


def main() -> int:
    name, profile = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] != "-" else None
    app = QApplication.instance() or QApplication(sys.argv[:1])
    only = "camera.device,mic.device" if name in ("fit", "links", "pseudo") else "camera.device"
    if name == "pseudo":
        set_language(PSEUDO)
    pin = {"pin_hash": hash_pin(PIN)} if name in ("front", "foreign_window") else {}
    window = show_kiosk(KioskWindow(session(profile, only), KioskConfig.model_construct(
        **{**KioskConfig().model_dump(), "idle_timeout_s": 3600, **pin})))
    wait(1500, lambda: window_facts(window)["x11"].get("map_state") == "IsViewable")
    SCENARIOS[name](window)
    if not window.unlocked:
        window.leave()
    app.processEvents()
    say_fact(alive=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
