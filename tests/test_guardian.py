"""Interview mode's window: the three states as the guard judges them, the plan B card from the report model,
the corner it remembers, the keyboard, and the watcher reaching it through signals."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QMenu, QPushButton

from app.guardian import GuardianWindow, plan_b
from checks.config.profile import parse_profile
from checks.guard.watchers import Watch, guard_limits
from checks.report.model import build_report
from checks.text.wording import say
from tests.support.guardkit import statuses

PROFILE = parse_profile('organisation = "Acme"\n[[backup_channels]]\nkind = "dial_in"\n'
                        'value = "+44 20 7946 0000,,123456#"\n[[backup_channels]]\nkind = "email"\n'
                        'value = "sam@acme.example"\n')


@pytest.fixture
def window(qtbot, tmp_path):
    channels, reminders = plan_b(PROFILE)
    window = GuardianWindow(channels, reminders, settings=tmp_path / "guardian.json")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_before_anything_is_measured_it_says_checking_not_good(window):
    assert window.name.text() == f"<b>{say('guard.state_names.checking')}</b>"
    assert say("guard.state_names.good") not in window.accessibleDescription()
    window.show_status(statuses()["good"])
    assert window.name.text() == f"<b>{say('guard.state_names.good')}</b>"


def test_good_is_small_and_quiet(window):
    window.show_status(statuses()["good"])
    assert window.name.text() == f"<b>{say('guard.state_names.good')}</b>"
    assert not window.line.isVisible() and not window.card.isVisible()
    assert window.width() < 320 and window.height() < 90
    flags = window.windowFlags()
    assert flags & Qt.WindowType.WindowStaysOnTopHint and flags & Qt.WindowType.FramelessWindowHint
    assert flags & Qt.WindowType.Tool


def test_trouble_is_one_line_with_the_thing_to_do(window):
    window.show_status(statuses()["trouble"])
    assert window.line.isVisible() and not window.card.isVisible()
    assert "losing packets" in window.line.text() and "turn off your video" in window.line.text()
    assert window.icon.accessibleName() == say("guard.state_names.trouble")  # text and icon, not colour alone
    assert say("guard.state_names.trouble") in window.accessibleDescription()


def test_down_shows_the_plan_b_card_with_the_dial_in_first(window, qtbot):
    window.show_status(statuses()["down"])
    assert window.card.isVisible()
    assert window.action.text() == "Call the dial-in: +44 20 7946 0000, PIN 123456"
    assert window.open_button.isVisible() and window.open_button.toolTip().startswith("tel:")
    texts = " ".join(w.text() for w in window.card.findChildren(type(window.action)))
    assert "calling in now" in texts and "Write to" in texts
    assert all(r in texts for r in plan_b(PROFILE)[1])  # the report's reminders, not written again
    qtbot.mouseClick(window.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "+44 20 7946 0000,,123456#"
    for button in window.findChildren(QPushButton):
        assert button.accessibleName() and button.focusPolicy() & Qt.FocusPolicy.TabFocus


def test_without_a_profile_the_card_says_what_to_do(qtbot, tmp_path):
    window = GuardianWindow([], plan_b(None)[1], settings=tmp_path / "g.json")
    qtbot.addWidget(window)
    window.show_status(statuses()["down"])
    assert window.action.text() == say("guard.no_channel") and not window.copy_button.isVisibleTo(window)


def test_the_corner_is_remembered_and_reachable_by_keyboard(window, qtbot, tmp_path):
    window.move_to("bottom-left")
    assert json.loads((tmp_path / "guardian.json").read_text()) == {"corner": "bottom-left"}
    area = window.screen().availableGeometry()
    assert window.x() < area.center().x() and window.y() > area.center().y()
    assert window.nearest_corner() == "bottom-left"
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    assert window.corner() == "top-right"
    again = GuardianWindow(settings=tmp_path / "guardian.json")
    qtbot.addWidget(again)
    assert again.corner() == "top-right"


def test_a_broken_settings_file_is_ignored(qtbot, tmp_path):
    (tmp_path / "g.json").write_text("{not json")
    window = GuardianWindow(settings=tmp_path / "g.json")
    qtbot.addWidget(window)
    assert window.corner() == "top-right"


def test_text_survives_double_size_and_longer_words(window):
    font = window.font()
    font.setPointSizeF(font.pointSizeF() * 2)
    window.setFont(font)
    window.show_status(statuses()["down"])
    for label in (window.line, window.action):
        assert label.heightForWidth(label.width()) <= label.height() + 1


def test_the_watcher_reaches_the_window_through_signals(window, qtbot):
    """A real watcher loop on loopback (nothing answers there): its statuses arrive in the GUI thread."""
    window.watch(Watch([("127.0.0.1", 9)], guard_limits(), power=None, cpu=False))
    with qtbot.waitSignal(window.worker.status, timeout=10000):
        pass
    qtbot.waitUntil(lambda: window.state == "trouble", timeout=10000)
    assert window.line.text() == say("guard.reasons.never_answered")
    worker = window.worker
    worker.cancel()
    qtbot.waitUntil(lambda: bool(window.changes), timeout=5000)
    assert [c.state for c in window.changes] == ["good", "trouble"]
    window.worker = None


def test_the_main_window_starts_interview_mode(qtbot):
    from app.cli import make_parser
    from app.session import resolve
    from app.window import MainWindow

    session = resolve(make_parser().parse_args(["--camera", "none", "--mic", "none", "--network", "none",
                                                "--stun", "127.0.0.1:9", "--only", "system.power"]))
    main = MainWindow(session)
    qtbot.addWidget(main)
    (action,) = [a for menu in main.menuBar().findChildren(QMenu) for a in menu.actions()
                 if a.text() == say("guard.start")]
    action.trigger()
    guardian = main.guardian
    qtbot.waitExposed(guardian)
    assert guardian.isVisible() and guardian.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert guardian.worker.watch.servers == [("127.0.0.1", 9)]
    assert action.shortcut().toString() == "Ctrl+Shift+I"
    action.trigger()  # again while it is open: the same window, the keyboard in it
    assert main.guardian is guardian and guardian.focusWidget() is guardian.menu_button
    assert guardian.mic.kind == "auto"  # the main window's microphone is "none": the tick box would use the default
    main.controller.report = build_report([], None)
    guardian.record_saved.emit(["14:12–14:13 connection down, 48 s"])  # what "Save the record" sends
    assert main.report.interview_record == ("14:12–14:13 connection down, 48 s",)
    guardian.worker.cancel()
    guardian.worker = None
    guardian.close()


def test_kiosk_mode_does_not_offer_it(qtbot, tmp_path, monkeypatch):
    from app.cli import make_parser
    from app.kiosk import KioskWindow
    from app.session import resolve
    from checks.config.kiosk import KioskConfig

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # the kiosk's wrong-PIN count
    session = resolve(make_parser().parse_args(["--camera", "none", "--mic", "none", "--network", "none",
                                                "--only", "system.power"]))
    kiosk = KioskWindow(session, KioskConfig(), fullscreen=False)
    qtbot.addWidget(kiosk)
    kiosk.begin()
    texts = [a.text() for a in kiosk.findChildren(QAction)]
    assert texts and say("guard.start") not in texts
    assert kiosk.page.plan_b.interview_button.isHidden()
    kiosk.leave()


def test_the_plan_b_card_starts_interview_mode(qtbot):
    from PySide6.QtCore import Qt as QtCore

    from app.cli import make_parser
    from app.session import resolve
    from app.window import MainWindow

    session = resolve(make_parser().parse_args(["--camera", "none", "--mic", "none", "--network", "none",
                                                "--stun", "127.0.0.1:9", "--only", "system.power"]))
    main = MainWindow(session)
    qtbot.addWidget(main)
    button = main.plan_b.interview_button
    assert not button.isHidden() and button.accessibleName() == say("guard.start").replace("&", "")
    qtbot.mouseClick(button, QtCore.MouseButton.LeftButton)
    guardian = main.guardian
    qtbot.waitExposed(guardian)
    assert guardian.worker.watch.servers == [("127.0.0.1", 9)]
    guardian.worker.cancel()
    guardian.worker = None
    guardian.close()


def test_the_three_states_render_offscreen(qtbot, tmp_path):
    from PySide6.QtGui import QColor, QImage

    from app.guardian import BACKGROUND
    from tests.support.shoot_guardian import main as shoot

    assert shoot(tmp_path) == 0
    for state in ("good", "trouble", "down"):
        image = QImage(str(tmp_path / f"guardian-{state}.png"))
        assert image.width() >= 200 and image.height() >= 40, state
        inside = image.pixelColor(image.width() // 2, 3)  # the background, just inside the border
        assert inside == QColor(BACKGROUND[state]), (state, inside.name())
    heights = {state: QImage(str(tmp_path / f"guardian-{state}.png")).height() for state in ("good", "down")}
    assert heights["down"] > 3 * heights["good"]  # the plan B card


def test_the_three_states_as_real_x11_windows(tmp_path):
    """Under a private Xvfb: the pictures are taken from the X server (ImageMagick's import), as in the README."""
    import shutil
    import subprocess
    import sys

    from tests.conftest import ROOT
    from tests.support.xserver import XUnavailable, x_server

    if not shutil.which("import"):
        pytest.skip("ImageMagick is needed (.ci/setup.sh installs it)")
    try:
        with x_server(1280, 800, window_manager=False) as env:
            done = subprocess.run([sys.executable, "-m", "tests.support.shoot_guardian", str(tmp_path)],
                                  capture_output=True, text=True, timeout=120, cwd=ROOT, env=env)
    except XUnavailable as error:
        pytest.skip(str(error))
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()]
    assert [r[2] for r in rows] == ["x11"] * 3
    for path, size, _ in rows:
        identify = subprocess.run(["identify", "-format", "%wx%h", path], capture_output=True, text=True, timeout=30)
        assert identify.stdout == size, (path, identify.stdout, size)


def test_the_menu_offers_the_microphone_watcher_off_by_default_and_tells_once_when_it_cannot(window, qtbot):
    """The real watcher loop asked to watch a microphone this machine does not have: told once, the box unticked,
    the connection still watched."""
    from checks.sources.mic import MicSpec

    assert window.menu_button.accessibleName() == say("guard.menu")
    assert window.menu_button.focusPolicy() & Qt.FocusPolicy.TabFocus
    texts = [a.text() for a in window.menu.actions()]
    assert say("guard.mic_level") in texts and say("guard.corner_names.bottom-left") in texts
    assert not window.mic_action.isChecked()
    window.mic = MicSpec.parse("no such microphone")
    window.watch(Watch([("127.0.0.1", 9)], guard_limits(), power=None, cpu=False))
    assert window.worker.watch.mic is None  # off until ticked
    told = []
    window.worker.notice.connect(told.append)
    window.mic_action.setChecked(True)
    assert window.worker.watch.mic == window.mic
    qtbot.waitUntil(lambda: bool(told), timeout=10000)
    assert told == [window.notice.text()] and "no such microphone" in told[0]
    assert window.notice.isVisible() or window.state == "trouble"  # shown until the next change of state
    assert window.notice.text().startswith(say("guard.mic_unavailable", error="x")[:30])
    assert not window.mic_action.isChecked() and window.worker.watch.mic is None
    qtbot.waitUntil(lambda: window.state == "trouble", timeout=10000)  # the connection is watched all the same
    assert told == [window.notice.text()]  # once
    window.worker.cancel()
    window.worker = None


@pytest.mark.parametrize("double", [False, True])
def test_every_state_fits_40_percent_longer_sentences(qtbot, tmp_path, double):
    """The pseudo-language (every sentence 40 % longer, accented), at 1× and 2× text: no label of any state, nor
    the microphone notice, is cut off."""
    from PySide6.QtWidgets import QLabel

    from checks.text import wording

    wording.set_language(wording.PSEUDO)
    try:
        channels, reminders = plan_b(PROFILE)
        window = GuardianWindow(channels, reminders, settings=tmp_path / "g.json")
        qtbot.addWidget(window)
        if double:
            font = window.font()
            font.setPointSizeF(font.pointSizeF() * 2)
            window.setFont(font)
        window.show()
        qtbot.waitExposed(window)
        shown = statuses()
        for state in ("good", "trouble", "down"):
            window.show_status(shown[state])
            if state == "trouble":
                window.tell(wording.say("guard.mic_unavailable", error="no such microphone"))
            for label in window.findChildren(QLabel):
                if not label.isVisibleTo(window) or not label.text():
                    continue
                if label.wordWrap():
                    assert label.heightForWidth(label.width()) <= label.height() + 1, (state, label.text())
                else:
                    assert label.sizeHint().width() <= label.width() + 1, (state, label.text())
            assert window.name.text().count("<b>") == 1
    finally:
        wording.set_language("en")


def test_a_record_that_cannot_be_saved_is_told_and_still_goes_into_the_report(window, qtbot, tmp_path):
    """*Save the record* onto a file that may not be changed (``chattr +i``): a message box names the file and why;
    the record still goes into the report, and the file is unchanged."""
    from PySide6.QtWidgets import QMessageBox

    from tests.support.dialogs import answering
    from tests.support.disks import immutable, small_disk

    with small_disk(tmp_path / "S") as disk:
        path = disk / "interview-record.json"
        path.write_text("{}")
        immutable(path)
        with answering(choose=path) as seen, qtbot.waitSignal(window.record_saved, timeout=10_000) as saved:
            window.offer_timeline()
        assert seen[0][1] == say("guard.offer_timeline")
        told = say("files.not_saved_kept", path=path, reason=say("files.reasons.not_allowed"))
        assert seen[-1] == (QMessageBox.Icon.Warning, told)
        assert saved.args[0] and path.read_text() == "{}"
