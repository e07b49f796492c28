"""The main window, driven as a user would: run, read the verdict, cancel, use the keyboard, close."""

from __future__ import annotations

import itertools
import subprocess
import sys
import threading
import time
from importlib.metadata import EntryPoint

import pytest
from PySide6.QtCore import Qt, QThreadPool, QTimer
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QApplication, QPushButton, QTreeWidgetItem

from app.cli import make_parser
from app.session import Session, resolve
from app.window import MainWindow
from checks.api import CATEGORIES, ENTRY_POINT_GROUP, NOT_ASKED, Check, CheckContext, CheckResult, Status
from checks.engine.discovery import LoadedCheck, Plugin
from checks.report.model import Report
from checks.text.wording import say
from tests.conftest import ROOT

RUN_TIMEOUT_MS = 60_000
FINAL_STATUSES = {say(f"status.{s.value}") for s in Status}
OFF = ("--camera", "none", "--mic", "none", "--network", "none")
"""Every device off: the run is quick and needs no hardware."""

_release_hang = threading.Event()
"""Set at the end of each test, so a check that ignores its deadline does not outlive the test."""


# -- checks defined here, loaded as a plugin would be --------------------------------------------------


class SlowCheck(Check):
    """Waits 30 s, but stops at once on cancel, as a well-behaved check does."""

    id = "network.slow"
    title = "Slow test check"
    category = "network"
    deadline_s = 60

    def run(self, context: CheckContext) -> CheckResult:
        context.progress(0.0, "Waiting a long time…")
        context.sleep(30)
        return self.result(Status.PASS, "Waited.")


class HangingCheck(Check):
    """Ignores cancel and its deadline of 1 s."""

    id = "network.hanging"
    title = "Hanging test check"
    category = "network"
    deadline_s = 1

    def run(self, context: CheckContext) -> CheckResult:
        _release_hang.wait(30)
        return self.result(Status.PASS, "Finally done.")


class RaisingCheck(Check):
    id = "system.raising"
    title = "Raising test check"
    category = "system"

    def run(self, context: CheckContext) -> CheckResult:
        raise RuntimeError("the plugin broke")


class MarkupCheck(Check):
    """Fails with text that looks like HTML; the window must show it literally."""

    id = "system.markup"
    title = "Markup <i>test</i> check"
    category = "system"

    def run(self, context: CheckContext) -> CheckResult:
        return self.result(Status.FAIL, "Found <b>x</b> & more", ["Close <script>alert(1)</script> now."])


def as_plugin(check: Check) -> LoadedCheck:
    """A loaded check made the way discovery makes one, from an entry point in the checks group."""
    name = type(check).__name__
    entry_point = EntryPoint(name=check.id, value=f"{__name__}:{name}", group=ENTRY_POINT_GROUP)
    return LoadedCheck(Plugin(check.id, "interview-ready-tests", "0.0", entry_point), check=check)


def session_for(*argv: str, extra: tuple[Check, ...] = ()) -> Session:
    session = resolve(make_parser().parse_args(list(argv)))
    session.checks.extend(as_plugin(check) for check in extra)
    return session


# -- helpers to read the window -----------------------------------------------------------------------


def rows(window: MainWindow) -> dict[str, QTreeWidgetItem]:
    return {item.data(0, Qt.ItemDataRole.UserRole): item for item in window.items}


def status_of(window: MainWindow, check_id: str) -> str:
    return rows(window)[check_id].text(1)


def shown_text(text: str, text_format: Qt.TextFormat = Qt.TextFormat.AutoText) -> str:
    """What a label or tooltip with ``text`` actually shows: Qt renders text that looks like HTML as HTML."""
    rich = text_format == Qt.TextFormat.RichText or (
        text_format == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(text))
    if not rich:
        return text
    document = QTextDocument()
    document.setHtml(text)
    return document.toPlainText()


@pytest.fixture
def open_window(qtbot):
    """Show a window for a session; at the end, release hung checks and let any run end."""
    windows: list[MainWindow] = []

    def make(session: Session) -> MainWindow:
        window = MainWindow(session)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    _release_hang.set()
    for window in windows:
        if window.running:
            with qtbot.waitSignal(window.run_finished, timeout=RUN_TIMEOUT_MS):
                window.cancel()
    assert QThreadPool.globalInstance().waitForDone(10_000)
    _release_hang.clear()


def run_to_end(qtbot, window: MainWindow, timeout: int = RUN_TIMEOUT_MS) -> Report:
    with qtbot.waitSignal(window.run_finished, timeout=timeout) as blocker:
        qtbot.mouseClick(window.run_button, Qt.MouseButton.LeftButton)
    report = blocker.args[0]
    assert isinstance(report, Report)
    return report


def activate(qtbot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


# -- the tests -------------------------------------------------------------------------------------------


def test_lists_every_check_under_its_category_all_waiting(open_window):
    session = session_for()
    window = open_window(session)

    headings = [window.tree.topLevelItem(i) for i in range(window.tree.topLevelItemCount())]
    shown = {h.text(0): [h.child(j).data(0, Qt.ItemDataRole.UserRole) for j in range(h.childCount())]
             for h in headings}
    expected: dict[str, list[str]] = {}
    for loaded in session.checks:
        expected.setdefault(say(f"category.{loaded.category}"), []).append(loaded.id)
    assert shown == expected
    assert {"camera.device", "mic.device", "system.power", "system.cpu"} <= {c.id for c in session.checks}
    assert list(shown) == [say(f"category.{c}") for c in CATEGORIES if any(x.category == c for x in session.checks)]
    for heading in headings:
        assert heading.isExpanded()
        assert not heading.flags() & Qt.ItemFlag.ItemIsSelectable  # a heading is not a check
    titles = {loaded.id: loaded.title for loaded in session.checks}
    for check_id, item in rows(window).items():
        assert item.text(0) == titles[check_id]
        assert item.text(1) == say("status.waiting")
    assert window.banner.text() == say("ui.not_started")
    assert window.run_button.isEnabled() and not window.cancel_button.isEnabled()


@pytest.mark.slow
def test_demo_run_ends_with_final_statuses_and_the_headline(qtbot, open_window):
    window = open_window(session_for("--demo"))

    report = run_to_end(qtbot, window)

    assert len(report.results) == len(window.items)
    for check_id, item in rows(window).items():
        assert item.text(1) in FINAL_STATUSES, (check_id, item.text(1))
    # The demo picture and recording are always good; the computer's own load may vary.
    assert status_of(window, "camera.device") == say("status.pass")
    assert status_of(window, "mic.device") == say("status.pass")
    assert window.banner.text() == report.headline()
    assert report.overall in ("ready", "warnings")
    assert window.progress.value() == window.progress.maximum()
    assert window.run_button.isEnabled()
    assert window.run_button.text() == say("ui.run_again")
    assert not window.cancel_button.isEnabled()
    assert not window.running


def test_not_checked_names_only_what_a_candidate_expects_never_the_echo_test_not_asked_for(qtbot, open_window):
    window = open_window(session_for("--demo", "--camera", "none", "--network", "none", "--only", "mic.*"))
    report = run_to_end(qtbot, window)
    by_id = {r.id: r for r in report.results}
    assert by_id["mic.echo"].status is Status.SKIP and by_id["mic.echo"].details["reason"] == NOT_ASKED
    assert by_id["mic.dropouts"].status is Status.SKIP  # a file is not judged for dropouts: that is left out
    banner = window.fix_first.text()
    assert say("ui.not_checked", titles=by_id["mic.dropouts"].title) in banner
    assert by_id["mic.echo"].title not in banner
    # the sound card counts the dropouts as not checked, never the echo test nobody asked for
    assert window.cards["sound"].summary.headline == say("steps.partly", what=by_id["mic.dropouts"].title)


def test_missing_camera_file_is_the_one_problem_with_its_advice(qtbot, open_window, tmp_path):
    missing = tmp_path / "no-such-video.mp4"
    window = open_window(session_for("--demo", "--camera", str(missing), "--only", "camera.*,mic.*"))

    report = run_to_end(qtbot, window)

    assert window.banner.text() == "Not ready: 1 problem"
    assert [r.id for r in report.problems] == ["camera.device"]
    assert window.tree.currentItem() is rows(window)["camera.device"]
    assert status_of(window, "camera.device") == say("status.fail")
    assert status_of(window, "mic.device") == say("status.pass")
    details = window.details.toPlainText()
    assert str(missing) in details
    assert "Check the file name given with --camera." in details
    assert say("ui.what_to_do") in details
    banner = shown_text(window.fix_first.text(), window.fix_first.textFormat())
    assert say("sources.camera.no_file.headline") in banner  # plain words first, then the exact fix
    assert "Check the file name given with --camera." in banner and str(missing) not in banner


def test_text_from_a_check_is_shown_literally_never_as_html(qtbot, open_window):
    window = open_window(session_for(*OFF, "--only", "system.power", extra=(MarkupCheck(),)))

    run_to_end(qtbot, window)

    item = rows(window)["system.markup"]
    assert window.tree.currentItem() is item  # the only problem is selected
    details = window.details.toPlainText()
    assert "Markup <i>test</i> check" in details
    assert "Found <b>x</b> & more" in details
    assert "Close <script>alert(1)</script> now." in details
    assert "Found <b>x</b> & more" in shown_text(window.fix_first.text(), window.fix_first.textFormat())
    assert shown_text(item.toolTip(0)) == "Found <b>x</b> & more"
    # With nothing selected, the overview lists every result, escaped as well.
    window.tree.setCurrentItem(None)
    assert "Found <b>x</b> & more" in window.details.toPlainText()


@pytest.mark.parametrize("how", ["button", "escape"])
def test_cancel_stops_a_slow_check_and_the_window_is_usable_again(qtbot, open_window, how):
    window = open_window(session_for(*OFF, "--only", "system.power", extra=(SlowCheck(),)))
    activate(qtbot, window)
    qtbot.mouseClick(window.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: status_of(window, "network.slow") == say("status.running"), timeout=10_000)
    qtbot.waitUntil(lambda: rows(window)["network.slow"].text(2) == "Waiting a long time…")
    assert not window.run_button.isEnabled() and window.cancel_button.isEnabled()

    started = time.monotonic()
    with qtbot.waitSignal(window.run_finished, timeout=10_000) as blocker:
        if how == "button":
            qtbot.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
        else:
            qtbot.keyClick(window.tree, Qt.Key.Key_Escape)
    assert time.monotonic() - started < 5

    report = blocker.args[0]
    slow = next(r for r in report.results if r.id == "network.slow")
    assert slow.status is Status.SKIP
    assert status_of(window, "network.slow") == say("status.skip")
    assert window.banner.text() == say("ui.cancelled") and window.progress_text.text() == ""
    # Not everything was checked, so the window must not claim "Ready" or wish good luck.
    assert window.banner.text() == say("ui.cancelled")
    assert say("report.nothing_to_fix") not in window.fix_first.text()
    assert say("ui.not_checked", titles=say("category.network")) in window.fix_first.text()  # all of it
    assert window.run_button.isEnabled() and not window.cancel_button.isEnabled()
    assert window.run_button.text() == say("ui.run_again")

    # The window is usable: a second run starts from a clean slate and can be stopped again.
    qtbot.mouseClick(window.run_button, Qt.MouseButton.LeftButton)
    assert window.running
    assert status_of(window, "network.slow") in (say("status.waiting"), say("status.running"))
    qtbot.waitUntil(lambda: status_of(window, "network.slow") == say("status.running"), timeout=10_000)
    with qtbot.waitSignal(window.run_finished, timeout=10_000):
        qtbot.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
    assert status_of(window, "network.slow") == say("status.skip")


def test_keyboard_f5_runs_and_tab_moves_through_the_window(qtbot, open_window):
    window = open_window(session_for(*OFF, "--only", "system.power"))
    activate(qtbot, window)

    with qtbot.waitSignal(window.run_finished, timeout=RUN_TIMEOUT_MS):
        qtbot.keyClick(window, Qt.Key.Key_F5)
        assert window.running or window.results
    assert status_of(window, "system.power") in FINAL_STATUSES

    # The flow's order: the one step offered (the computer is part of "Your connection"), its Details, plan B's
    # button under it, then Run.
    card = window.cards["connection"]
    assert card.isVisible() and not window.cards["picture"].isVisible() and not window.details_area.isVisible()
    card.details_button.setFocus()
    qtbot.waitUntil(card.details_button.hasFocus)
    qtbot.keyClick(card.details_button, Qt.Key.Key_Tab)
    assert window.plan_b.interview_button.hasFocus()
    qtbot.keyClick(window.plan_b.interview_button, Qt.Key.Key_Tab)
    assert window.run_button.hasFocus()  # the hidden rows are skipped
    qtbot.keyClick(card.details_button, Qt.Key.Key_Space)  # Details opens the rows, next in the order
    assert window.details_area.isVisible() and card.details_button.isChecked()
    window.plan_b.interview_button.setFocus()
    qtbot.keyClick(window.plan_b.interview_button, Qt.Key.Key_Tab)
    assert window.tree.hasFocus()
    qtbot.keyClick(window.tree, Qt.Key.Key_Tab)
    assert window.details.hasFocus()
    qtbot.keyClick(window.details, Qt.Key.Key_Tab)
    assert window.run_button.hasFocus()

    # Space on the focused button runs again.
    with qtbot.waitSignal(window.run_finished, timeout=RUN_TIMEOUT_MS):
        qtbot.keyClick(window.run_button, Qt.Key.Key_Space)


def test_every_control_has_an_accessible_name(qtbot, open_window):
    window = open_window(session_for(*OFF, "--only", "system.power"))
    buttons = window.findChildren(QPushButton)
    assert window.run_button in buttons and window.cancel_button in buttons
    for widget in [*buttons, window.tree, window.details, window.banner, window.progress]:
        assert widget.accessibleName().strip(), widget

    # After a run, the button's spoken name still matches what it shows.
    run_to_end(qtbot, window)
    assert window.run_button.accessibleName() == window.run_button.text().replace("&", "")


def test_a_check_past_its_deadline_is_an_error_and_the_window_stays_live(qtbot, open_window):
    window = open_window(session_for(*OFF, "--only", "system.*", extra=(HangingCheck(), RaisingCheck())))
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(50)

    started = time.monotonic()
    report = run_to_end(qtbot, window, timeout=30_000)
    timer.stop()
    elapsed = time.monotonic() - started

    by_id = {r.id: r for r in report.results}
    assert by_id["network.hanging"].status is Status.ERROR
    assert "did not finish within 1 seconds" in by_id["network.hanging"].summary
    assert by_id["system.raising"].status is Status.ERROR
    assert by_id["system.raising"].details["error"] == "RuntimeError: the plugin broke"
    assert status_of(window, "network.hanging") == say("status.error")
    assert status_of(window, "system.raising") == say("status.error")
    for check_id in ("system.power", "system.cpu"):
        assert by_id[check_id].status in (Status.PASS, Status.WARN)
        assert status_of(window, check_id) in (say("status.pass"), say("status.warn"))
    assert window.banner.text() == "Not ready: 2 problems"
    # The event loop kept running during the run: the timer fired about every 50 ms, never stalled for long.
    assert len(ticks) >= elapsed / 0.05 / 4
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert max(gaps, default=0) < 1.0


@pytest.mark.slow
def test_screenshot_end_to_end(tmp_path, cli):
    shot = tmp_path / "w.png"
    done = cli("--demo", "--screenshot", str(shot))
    assert done.returncode == 0, done.stderr
    image = QImage(str(shot))
    assert not image.isNull()
    assert image.width() > 600 and image.height() > 400


def test_the_getting_ready_card_closes_when_the_window_shows(tmp_path):
    code = ("import sys\nfrom app.starting import show_starting\nfrom app.cli import make_parser\n"
            "card = show_starting()\nfrom app.session import resolve\nfrom app.window import run_window\n"
            "session = resolve(make_parser().parse_args(['--camera', 'none', '--mic', 'none', '--network', 'none', "
            "'--only', 'system.power']))\nfrom PySide6.QtCore import QTimer\n"  # the event loop's first moment:
            "QTimer.singleShot(0, lambda: print('card visible' if card.isVisible() else 'card closed'))\n"
            f"code = run_window(session, screenshot=__import__('pathlib').Path({str(tmp_path / 'w.png')!r}), "
            "starting=card)\nsys.exit(code)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"})

    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["card", "closed"]
    assert not QImage(str(tmp_path / "w.png")).isNull()


def test_closing_during_a_run_cancels_promptly(qtbot, open_window):
    window = open_window(session_for(*OFF, "--only", "system.power", extra=(SlowCheck(),)))
    qtbot.mouseClick(window.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: status_of(window, "network.slow") == say("status.running"), timeout=10_000)
    worker = window.worker
    assert worker is not None

    started = time.monotonic()
    assert window.close()
    assert time.monotonic() - started < 5
    assert not window.isVisible()
    assert worker.runner.cancelled
    assert QThreadPool.globalInstance().activeThreadCount() == 0  # the run has really ended
    with qtbot.waitSignal(window.run_finished, timeout=5_000) as blocker:
        QApplication.processEvents()
    assert next(r for r in blocker.args[0].results if r.id == "network.slow").status is Status.SKIP



def test_choosing_another_camera_checks_the_picture_again_and_is_remembered(qtbot, open_window, tmp_path,
                                                                            monkeypatch):
    from checks.storage.settings import load_choice
    from tests.conftest import DEMO
    from tests.support import scenes

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    other = scenes.plain_video(tmp_path / "other.avi")
    window = open_window(session_for("--camera", str(DEMO / "camera.avi"), "--mic", "none", "--network", "none",
                                     "--only", "camera.device,system.power"))
    pickers = window.pickers
    assert pickers is not None and pickers.hint.text() == say("steps.devices_hint")
    assert pickers.camera.currentData() == str(DEMO / "camera.avi") and pickers.camera.accessibleName()
    first = run_to_end(qtbot, window)
    pickers.offer(pickers.camera, str(other), "Other camera", select=False)
    with qtbot.waitSignal(window.run_finished, timeout=RUN_TIMEOUT_MS) as blocker:
        pickers.choose(pickers.camera, str(other))
    again = {r.id: r for r in blocker.args[0].results}
    assert again["system.power"] == {r.id: r for r in first.results}["system.power"]  # not run again
    assert window.session.config.camera.path == other and window.camera_feed is not None
    assert again["camera.device"].status in (Status.PASS, Status.WARN, Status.FAIL)
    assert window.cards["picture"].summary.status != "running"
    assert load_choice().camera == str(other)


def test_the_microphone_prompt_is_in_view_while_it_is_read_then_the_steps_on_a_small_window(qtbot, open_window):
    from PySide6.QtCore import QPoint

    from app.controller import Phase

    window = open_window(session_for("--demo", "--only", "camera.device,mic.device"))
    window.resize(1280, 480)
    qtbot.waitUntil(lambda: window.height() <= 480)
    viewport = window.flow_scroll.viewport()
    meter = window.mic_panel.meter

    def in_view() -> bool:
        top = meter.mapTo(viewport, QPoint(0, 0)).y()
        return top >= 0 and top + meter.height() <= viewport.height()

    window.flow_scroll.verticalScrollBar().setValue(0)
    assert not in_view()  # below the fold at this size
    seen: list[bool] = []
    window.controller.phase_changed.connect(lambda phase: seen.append(in_view()) if phase is Phase.RECORDING
                                            else None)
    run_to_end(qtbot, window)
    assert seen == [True]
    assert window.flow_scroll.verticalScrollBar().value() == 0  # then back to the steps and their results
