"""Kiosk mode: the student loop, the wipe (after Done and when idle), the PIN lock, and many students in a row."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import soundfile
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

from app.cli import make_parser
from app.kiosk import KioskWindow
from app.session import resolve
from checks.api import Status
from checks.config.kiosk import KioskConfig, hash_pin
from checks.report.export import summary_text
from checks.text.wording import say
from tests.support import scenes

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kiosk-media")
    picture = folder / "student.png"
    cv2.imwrite(str(picture), scenes.place(scenes.wall(1280, 720)).frame)
    sound = folder / "student.wav"
    t = np.arange(16000 * 2) / 16000
    soundfile.write(sound, (0.1 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 16000)
    return picture, sound


def _session(media, only="camera.*"):
    picture, sound = media
    return resolve(make_parser().parse_args(["--camera", str(picture), "--mic", str(sound), "--network", "none",
                                             "--only", only]))


def _config(**fields) -> KioskConfig:
    return KioskConfig.model_construct(**{**KioskConfig().model_dump(), **fields})  # short timeouts for tests


@pytest.fixture
def kiosk(qtbot, media, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # the wrong-PIN count of these kiosks
    windows = []

    def make(config: KioskConfig | None = None, only="camera.*"):
        window = KioskWindow(_session(media, only), config or _config(), fullscreen=False)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.leave() if not window.unlocked else None


def _run_student(qtbot, window: KioskWindow) -> None:
    qtbot.mouseClick(window.start_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.check_page
    qtbot.waitUntil(window.report_button.isEnabled, timeout=30_000)
    qtbot.mouseClick(window.report_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.report_page


def test_the_student_loop_ends_wiped(qtbot, kiosk, tmp_path):
    window = kiosk()
    assert window.stack.currentWidget() is window.start_page
    _run_student(qtbot, window)
    report = window.report
    assert report is not None and window.report_view.report() is report
    assert window.page is not None and window.controller.camera_feed is None  # the report page needs no camera
    assert window.page.camera_panel is None or window.page.camera_panel.snapshot_box is None  # never offered
    assert all(r.picture is None for r in report.results)
    feed_source_closed = True
    QGuiApplication.clipboard().setText(summary_text(report))
    with qtbot.waitSignal(window.reset_done, timeout=5000):
        qtbot.mouseClick(window.done_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.start_page
    assert window.page is None and window.report is None and window.report_view.report() is None
    assert window.qr.pixmap().isNull() and QGuiApplication.clipboard().text() == ""
    assert feed_source_closed


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbarimg (Debian package zbar-tools) is not installed")
def test_the_qr_code_decodes_to_the_summary(qtbot, kiosk, tmp_path):
    window = kiosk()
    _run_student(qtbot, window)
    path = tmp_path / "qr.png"
    assert window.qr.pixmap().save(str(path))
    done = subprocess.run(["zbarimg", "--quiet", "--raw", str(path)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == summary_text(window.report).strip()


def test_the_kiosks_check_window_has_no_report_tab_and_no_links_that_open(qtbot, kiosk):
    from app.report_view import ReportView, confirm_and_open

    window = kiosk()
    qtbot.mouseClick(window.start_button, Qt.MouseButton.LeftButton)
    page = window.page
    assert page.tabs.count() == 1 and page.tabs.currentIndex() == 0  # nothing for Ctrl+Tab to switch to
    assert page.tabs.tabBar().isHidden() and not page.findChildren(ReportView)  # the kiosk's own page has it
    assert confirm_and_open(window, "https://example.org/") is False  # refused before any question


def test_the_kiosks_sound_step_offers_the_echo_test_between_runs(qtbot, kiosk):
    window = kiosk(only="mic.device,mic.echo")
    qtbot.mouseClick(window.start_button, Qt.MouseButton.LeftButton)
    echo = window.page.mic_panel.echo
    assert echo.button.accessibleName() and not echo.isHidden()
    qtbot.waitUntil(window.report_button.isEnabled, timeout=30_000)
    assert echo.isEnabled()  # the run is over: the student may press it (it plays a sound, so only when pressed)
    assert {r.id: r.status for r in window.page.results}["mic.echo"] is Status.SKIP  # never played unasked


def test_the_start_screen_offers_the_windows_pickers_for_this_student_only(qtbot, kiosk, media, tmp_path,
                                                                           monkeypatch):
    from app.device_pickers import AUTO, DevicePickers

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # where the window would remember a choice
    picture, sound = media
    videos = [scenes.plain_video(tmp_path / f"camera-{n}.avi") for n in (1, 2)]
    window = kiosk(only="camera.device,mic.device")
    pickers = window.pickers
    assert isinstance(pickers, DevicePickers) and window.start_page.isAncestorOf(pickers)
    assert pickers.camera.currentData() == str(picture) and pickers.mic.currentData() == str(sound)
    assert pickers.hint.text() and pickers.camera.accessibleName() and pickers.speaker.isEnabled()
    chain, widget = [pickers.camera], pickers.camera  # Tab: the pickers, then Start
    while len(chain) < 4:
        widget = widget.nextInFocusChain()
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isEnabled():
            chain.append(widget)
    assert chain == [pickers.camera, pickers.mic, pickers.speaker, window.start_button]
    for n, video in enumerate(videos, 1):
        pickers.offer(pickers.camera, str(video), f"Camera {n}", select=False)
    for video in videos:  # one student after another, each with another camera
        pickers.choose(pickers.camera, str(video))
        pickers.choose(pickers.speaker, AUTO)
        _run_student(qtbot, window)
        assert window.controller.session.config.camera.path == video
        device = {r.id: r for r in window.report.results}["camera.device"]
        assert device.status is Status.PASS and device.details["source"] == "file", device.summary
        assert video.name in device.summary
        with qtbot.waitSignal(window.reset_done, timeout=5000):
            qtbot.mouseClick(window.done_button, Qt.MouseButton.LeftButton)
        # the wipe goes back to the kiosk's own devices: the next student does not inherit the choice
        assert pickers.choices() == {"camera": str(picture), "mic": str(sound), "speaker": AUTO}
        assert window.student_session().config.camera.path == picture
    assert not (tmp_path / "config" / "interview-ready").exists()  # nothing remembered (the window's devices.json)


def test_idle_wipes_everything_after_a_visible_countdown(qtbot, kiosk):
    window = kiosk(_config(idle_timeout_s=3, warning_s=2))
    qtbot.mouseClick(window.start_button, Qt.MouseButton.LeftButton)
    controller = window.controller
    qtbot.waitUntil(lambda: controller.camera_feed is not None or bool(controller.results), timeout=20_000)
    qtbot.waitUntil(window.countdown.isVisible, timeout=5_000)
    assert "seconds" in window.countdown.text()
    with qtbot.waitSignal(window.reset_done, timeout=10_000):
        pass
    assert window.stack.currentWidget() is window.start_page and window.page is None
    assert controller.camera_feed is None  # the camera was released
    assert not window.countdown.isVisible()


def test_a_touch_during_the_countdown_keeps_the_session(qtbot, kiosk):
    window = kiosk(_config(idle_timeout_s=3, warning_s=2))
    qtbot.mouseClick(window.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.countdown.isVisible, timeout=10_000)
    qtbot.mouseClick(window.report_button, Qt.MouseButton.LeftButton)  # any touch counts
    assert not window.countdown.isVisible() and window.page is not None


def _answer_dialogs(answers: list[str]) -> QTimer:
    """Answer the app's real PIN dialogs with ``answers`` in turn, and dismiss its message boxes."""
    timer = QTimer()

    def poll() -> None:
        widget = QApplication.activeModalWidget()
        if isinstance(widget, QInputDialog) and answers:
            widget.setTextValue(answers.pop(0))
            widget.accept()
        elif isinstance(widget, QMessageBox):
            widget.accept()

    timer.timeout.connect(poll)
    timer.start(20)
    return timer


def test_leaving_needs_the_pin_and_wrong_pins_are_rate_limited(qtbot, kiosk):
    window = kiosk(_config(pin_hash=hash_pin("432100")))
    window.close()
    assert window.isVisible() and not window.unlocked  # close (Alt+F4, the window manager) is refused
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.isVisible()
    timer = _answer_dialogs(["000000", "111111", "222222", "432100"])
    try:
        for _ in range(3):
            window.ask_to_leave()
        assert window.isVisible() and window.gate.wait_left() > 0
        window.ask_to_leave()  # the right PIN, but too soon: refused without asking
        assert window.isVisible() and not window.unlocked
        restarted = kiosk(_config(pin_hash=window.config.pin_hash))  # as after a crash and a restart
        assert restarted.gate.wait_left() > 0 and restarted.gate.failures == 3  # no fresh guesses
        restarted.leave()
        later = window.gate.clock() + window.gate.wait_left() + 1
        window.gate.clock = lambda: later  # the wait is over
        assert window.gate.wait_left() == 0
        window.ask_to_leave()
    finally:
        timer.stop()
    assert window.unlocked and not window.isVisible()


WARM_UP = 15
"""Students before memory is measured: caches, the face model, Qt's and the allocator's first rounds."""
MEASURED = 30
"""Students whose memory is measured, one after another."""
STRETCH = 4
"""The growth per student is the median, over every stretch of this many students, of the rise across it."""
GROWTH_PER_STUDENT_KB = 15
"""What each student may leave behind at most. It leaves 1 to 4 kB; the Python objects that changing the language
once made for every inner object of the window left 28; a session that kept one camera frame would leave 2700 kB."""


@pytest.mark.slow
def test_students_in_a_row_leave_nothing_behind(media):
    """Memory after every student, in a kiosk of its own process (tests/support/kiosk_students.py, one malloc
    arena): a leak lifts every stretch alike, while the allocator's one-off steps lift only the few stretches they
    fall in, which the median leaves out. The whole rise stays under the 8 MB that bounded 160 students too."""
    picture, sound = media
    done = subprocess.run([sys.executable, "-m", "tests.support.kiosk_students", str(picture), str(sound),
                           "--warm-up", str(WARM_UP), "--measured", str(MEASURED)], capture_output=True, text=True,
                          cwd=ROOT, timeout=600, env={**os.environ, "MALLOC_ARENA_MAX": "1",
                                                      "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0 and done.stdout, done.stderr[-2000:]
    found = json.loads(done.stdout.splitlines()[-1])
    rss = found["rss_kb"]
    per_student_kb = statistics.median((later - earlier) / STRETCH
                                       for earlier, later in zip(rss, rss[STRETCH:], strict=False))
    assert per_student_kb < GROWTH_PER_STUDENT_KB, f"memory grew by {per_student_kb:.0f} kB per student: {rss}"
    grown_mb = (rss[-1] - rss[0]) / 2**10
    assert grown_mb < 8, f"memory grew by {grown_mb:.1f} MB over {MEASURED} students: {rss}"
    # a thread or a worker that stays after the last student's run (given 5 s to end) is a leak
    assert len(found["threads_left"]) <= found["threads"], f"threads left behind: {found['threads_left']}"
    assert not found["at_work"], f"workers still at work: {found['at_work']}"
    # the thread pool may have started a thread the warm-up did not need (up to its size); a thread a student left
    # would add one for each of them
    assert found["os_threads_left"] <= found["os_threads"] + found["pool_size"], found
    assert found["page_gone"]
    assert found["widgets_left"] <= found["widgets"]


def test_the_kiosk_says_getting_ready_on_its_whole_screen_until_it_shows(tmp_path):
    # The same path as 'interview-ready --kiosk': the full-screen card first, closed once the kiosk is up.
    code = ("import sys\nfrom PySide6.QtCore import QTimer\nfrom app.starting import show_starting\n"
            "card = show_starting(full_screen=True)\n"
            "print('full' if card.isFullScreen() and card.geometry() == card.screen().geometry() else 'small')\n"
            "from app.cli import make_parser\nfrom app.session import resolve\nfrom app.kiosk import run_kiosk\n"
            "from checks.config.kiosk import KioskConfig\nfrom PySide6.QtWidgets import QApplication\n"
            "session = resolve(make_parser().parse_args(['--kiosk', '--camera', 'none', '--mic', 'none', "
            "'--network', 'none', '--only', 'system.power']))\n"
            "def look():\n"
            "    kiosk = [w for w in QApplication.topLevelWidgets() if w.isVisible()]\n"
            "    print('card', 'visible' if card.isVisible() else 'closed', len(kiosk), kiosk[0].isFullScreen())\n"
            "    QApplication.instance().exit(0)\n"
            "QTimer.singleShot(1500, look)\nsys.exit(run_kiosk(session, KioskConfig(), starting=card))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen",
                               "LANG": "C.UTF-8"})

    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["full", "card", "closed", "1", "True"]
    assert f"interview-ready: {say('cli.kiosk_no_pin')}" in done.stderr  # worded, in the language


@pytest.mark.skipif(sys.platform != "linux", reason="D-Bus's autolaunch is the Linux desktop's")
def test_where_no_session_bus_runs_the_kiosk_names_one_that_cannot_be_started(tmp_path):
    import socket

    from app.lockdown import NO_BUS, no_bus_autolaunch

    named = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1000/bus"}
    assert not no_bus_autolaunch(named) and named["DBUS_SESSION_BUS_ADDRESS"] == "unix:path=/run/user/1000/bus"
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    none_there = {"XDG_RUNTIME_DIR": str(runtime)}  # a runtime folder without a bus in it
    assert no_bus_autolaunch(none_there) and none_there["DBUS_SESSION_BUS_ADDRESS"] == NO_BUS
    with socket.socket(socket.AF_UNIX) as bus:  # the user's own bus, where libdbus and GLib look without a name
        bus.bind(str(runtime / "bus"))
        own = {"XDG_RUNTIME_DIR": str(runtime)}
        assert not no_bus_autolaunch(own) and "DBUS_SESSION_BUS_ADDRESS" not in own
    nothing = {}
    assert no_bus_autolaunch(nothing) and nothing["DBUS_SESSION_BUS_ADDRESS"] == NO_BUS
    with socket.socket(socket.AF_UNIX) as client, pytest.raises(OSError):  # and nothing can ever be there
        client.connect(NO_BUS.removeprefix("unix:path="))
