"""Kiosk mode for a shared machine: one student after another, nothing kept, nobody leaving the app.

Start screen → the full check with the live preview → the report with the plan B and a QR code of the summary
→ Done. After "Done", and after a time without a touch or a key (with a visible countdown first), everything is
wiped: results, frames, sound, the clipboard; the camera and microphone are released (each student gets a new
check page, which opens the devices and closes them again). Leaving kiosk mode needs the admin PIN.
"""

from __future__ import annotations

import dataclasses
import gc
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.access import follow_layout
from app.check_page import CheckPage, end_app, make_app
from app.controller import RunController
from app.device_pickers import AUTO, DevicePickers, camera_spec, mic_spec
from app.lockdown import (
    FrontKeeper,
    clear_clipboards,
    close_windows_of,
    fill_screen,
    no_bus_autolaunch,
    refuse_opening_links,
    scrolled,
)
from app.report_view import ReportView
from app.reword import choose_language, keep, offered_languages, worded
from checks.config.kiosk import KioskConfig, PinGate, pin_state_path
from checks.report.export import summary_text
from checks.report.model import Report
from checks.text.wording import language, language_name, say, set_language

if TYPE_CHECKING:
    from app.session import Session

EXIT_WINDOW_LOST = 3
"""The kiosk's window was destroyed by another program: the kiosk exits with this, so its session starts it again."""
QR_MAX_CHARS = 1200  # a QR code a phone reads easily from a screen
STYLE = """
QWidget { font-size: 17pt; color: #000000; background: #ffffff; }
QPushButton { min-height: 64px; padding: 8px 28px; font-size: 19pt; font-weight: bold;
              color: #ffffff; background: #0b3d91; border: 3px solid #000000; border-radius: 10px; }
QPushButton:focus { border: 4px solid #ff9900; }
QPushButton:disabled { background: #8a8a8a; }
QPushButton:checked { color: #0b3d91; background: #ffffff; border: 5px solid #0b3d91; }
QRadioButton[choice="true"] { min-height: 64px; padding: 8px 28px; font-size: 19pt; font-weight: bold;
              color: #0b3d91; background: #ffffff; border: 3px solid #0b3d91; border-radius: 10px; }
QRadioButton[choice="true"]:checked { color: #ffffff; background: #0b3d91; border: 3px solid #000000; }
QRadioButton[choice="true"]:focus { border: 4px solid #ff9900; }
QRadioButton[choice="true"]::indicator { image: none; border: none; width: 0px; height: 0px; }
QLabel#title { font-size: 34pt; font-weight: bold; }
QCheckBox::indicator { width: 32px; height: 32px; }
QLabel#countdown { font-size: 22pt; font-weight: bold; color: #ffffff; background: #8b0000; padding: 16px; }
"""


def qr_pixmap(text: str, scale: int = 4) -> QPixmap:
    """A QR code of ``text`` (cut to what a phone reads easily), made in memory."""
    import io

    import segno

    buffer = io.BytesIO()
    segno.make(text[:QR_MAX_CHARS], error="m", micro=False).save(buffer, kind="png", scale=scale, border=3)
    pixmap = QPixmap()
    pixmap.loadFromData(buffer.getvalue(), "PNG")
    return pixmap


def _big_button(key: str) -> QPushButton:
    button = QPushButton()
    worded(button, "setText", key, plain=True)
    worded(button, "setAccessibleName", key, plain=True)
    return button


class KioskWindow(QWidget):
    """The kiosk: a full-screen stack of start, check and report pages with an idle reset and a PIN lock."""

    reset_done = Signal()
    """Everything of the last student was wiped."""

    def __init__(self, session: Session, config: KioskConfig, fullscreen: bool = True) -> None:
        super().__init__()
        self.session = session
        self.config = config
        refuse_opening_links()  # nothing in kiosk mode ever opens another program
        self.gate = PinGate(config.pin_hash, state=pin_state_path())
        self.keeper: FrontKeeper | None = None
        self.unlocked = False
        self.page: CheckPage | None = None
        """This student's check page (the main window's, without its menus and report tab)."""
        self.controller: RunController | None = None
        """This student's run; the check page (:attr:`page`) is a view of it."""
        self.report: Report | None = None
        self.default_language = config.language or language()
        """The start screen's language, again after each wipe (each student may choose another)."""
        set_language(self.default_language)
        worded(self, "setWindowTitle", "ui.app_name")
        self.setStyleSheet(STYLE)
        worded(self, "setAccessibleName", "kiosk.name")

        self.stack = QStackedWidget()
        self.start_page = self._make_start_page()
        self.check_page, self.check_holder = self._make_check_page()
        self.report_page = self._make_report_page()
        for page in (self.start_page, self.check_page, self.report_page):
            self.stack.addWidget(page)
        self.countdown = QLabel()
        self.countdown.setObjectName("countdown")
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.countdown.setWordWrap(True)  # never wider than the screen
        worded(self.countdown, "setAccessibleName", "kiosk.countdown_name")
        self.countdown.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.countdown)
        layout.addWidget(scrolled(self.stack), 1)  # only where even the pages at their smallest do not fit
        for area in self.findChildren(QScrollArea):  # no Tab stop of their own: Tab goes to what is inside
            area.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.timeout.connect(self._idle_warning)
        self.tick = QTimer(self)
        self.tick.setInterval(1000)
        self.tick.timeout.connect(self._count_down)
        self._left = 0
        QApplication.instance().installEventFilter(self)
        admin = QShortcut(QKeySequence("Ctrl+Alt+A"), self)
        admin.setContext(Qt.ShortcutContext.ApplicationShortcut)
        admin.activated.connect(self.ask_to_leave)
        if fullscreen:
            self.setWindowFlag(Qt.WindowType.FramelessWindowHint)
            self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint)
        self._restart_idle()

    # -- pages --------------------------------------------------------------------------------------------

    def _make_start_page(self) -> QWidget:
        content = QWidget()
        title = QLabel()
        worded(title, "setText", "kiosk.title")
        title.setObjectName("title")
        title.setWordWrap(True)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        note = QLabel()
        worded(note, "setText", "kiosk.privacy")
        worded(note, "setAccessibleName", "kiosk.privacy")
        note.setWordWrap(True)
        note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.server_notice = QLabel()  # the profile's servers on a private network, named before Start
        self.server_notice.setObjectName("server_notice")
        self.server_notice.setTextFormat(Qt.TextFormat.PlainText)
        self.server_notice.setWordWrap(True)
        self.server_notice.setAlignment(Qt.AlignmentFlag.AlignCenter)
        keep(self.server_notice, "setText", lambda: self.session.notice)
        self.server_notice.setVisible(bool(self.session.notice))
        self.start_button = _big_button("kiosk.start")
        self.start_button.clicked.connect(self.begin)
        self.pickers = self._make_pickers()
        column = QVBoxLayout(content)
        column.addStretch(1)
        column.addWidget(self._make_language_picker())
        column.addWidget(title)
        column.addWidget(note)
        column.addWidget(self.server_notice)
        column.addSpacing(40)
        if self.pickers is not None:
            column.addWidget(self.pickers)
        column.addStretch(2)
        page = QWidget()
        page_column = QVBoxLayout(page)
        page_column.addWidget(scrolled(content), 1)  # large text scrolls instead of growing past the screen
        page_column.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignCenter)  # Start always on the screen
        if self.pickers is not None:
            QWidget.setTabOrder(self.pickers.speaker, self.start_button)  # Tab: the pickers, then Start
        return page

    def _make_pickers(self) -> DevicePickers | None:
        """The window's camera, microphone and speaker pickers, for this student only (nothing is remembered)."""
        config = self.session.config
        has_camera, has_mic = config.camera.kind != "none", config.mic.kind != "none"
        if not (has_camera or has_mic):
            return None
        pickers = DevicePickers(config.camera.text, config.mic.text, None, stacked=True)
        pickers.camera.setEnabled(has_camera)
        pickers.mic.setEnabled(has_mic)
        pickers.speaker.setEnabled(has_mic)
        pickers.refresh()
        return pickers

    def student_session(self) -> Session:
        """The kiosk's session with the devices this student chose on the start screen."""
        if self.pickers is None:
            return self.session
        chosen = self.pickers.choices()
        config = self.session.config
        if self.pickers.camera.isEnabled():
            config = dataclasses.replace(config, camera=camera_spec(chosen["camera"]))
        if self.pickers.mic.isEnabled():
            config = dataclasses.replace(config, mic=mic_spec(chosen["mic"]))
        return dataclasses.replace(self.session, config=config)

    def _reset_pickers(self) -> None:
        """Back to the devices the kiosk was started with (the lists were read when it started)."""
        if self.pickers is None:
            return
        config = self.session.config
        self.pickers.select(self.pickers.camera, config.camera.text)
        self.pickers.select(self.pickers.mic, config.mic.text)
        self.pickers.select(self.pickers.speaker, AUTO)

    def _make_language_picker(self) -> QWidget:
        """One big button per language, each named in its own language; the one in use is filled and marked with a
        tick (not by its colour alone). They are radio buttons, one choice of several: a screen reader says "radio
        button, checked, 2 of 3"; Tab reaches them, the arrow keys or Space choose. Hidden when the app speaks one
        language only."""
        picker = QWidget()
        picker.setObjectName("languages")
        worded(picker, "setAccessibleName", "kiosk.language_picker")
        row = QHBoxLayout(picker)
        row.addStretch(1)
        self.language_buttons = QButtonGroup(self)
        self.language_buttons.setExclusive(True)
        for code, name in offered_languages():
            button = QRadioButton(name)
            button.setObjectName(f"language_{code}")
            button.setAccessibleName(name)
            button.setProperty("language", code)
            button.setProperty("choice", True)  # the style of a choice, not of an action
            button.clicked.connect(lambda _on=False, code=code: self.choose_language(code))
            self.language_buttons.addButton(button)
            row.addWidget(button)
        row.addStretch(1)
        picker.setVisible(len(self.language_buttons.buttons()) > 1)
        self._mark_language(language())
        return picker

    def _mark_language(self, code: str) -> None:
        for button in self.language_buttons.buttons():
            chosen = button.property("language") == code
            button.setChecked(chosen)
            name = language_name(button.property("language"))
            button.setText(f"{say('status_mark.pass')} {name}" if chosen else name)

    def choose_language(self, code: str) -> None:
        """This student's language: the start screen says everything again in it, and so does the check."""
        choose_language(code, self)
        if self.page is not None:
            self.page.retranslate()
        self._mark_language(code)

    def _make_check_page(self) -> tuple[QWidget, QVBoxLayout]:
        page = QWidget()
        held = QWidget()
        holder = QVBoxLayout(held)
        holder.setContentsMargins(0, 0, 0, 0)
        self.report_button = _big_button("kiosk.show_report")
        self.report_button.setEnabled(False)
        self.report_button.clicked.connect(self.show_report)
        self.over_button = _big_button("kiosk.start_over")
        self.over_button.clicked.connect(self.reset)
        bar = QHBoxLayout()
        bar.addWidget(self.over_button)
        bar.addStretch(1)
        bar.addWidget(self.report_button)
        column = QVBoxLayout(page)
        column.addWidget(scrolled(held), 1)  # the check page scrolls; the buttons below stay on the screen
        column.addLayout(bar)
        return page, holder

    def _make_report_page(self) -> QWidget:
        page = QWidget()
        self.report_view = ReportView()
        self.qr = QLabel()
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        worded(self.qr, "setAccessibleName", "kiosk.qr_name")
        qr_note = QLabel()
        worded(qr_note, "setText", "kiosk.qr_note")
        qr_note.setWordWrap(True)
        self.print_button = _big_button("kiosk.print")
        self.print_button.clicked.connect(self.print_report)
        self.print_button.setVisible(_printer_available())
        self.again_button = _big_button("kiosk.check_again")
        self.again_button.clicked.connect(self.check_again)
        self.done_button = _big_button("kiosk.done")
        self.done_button.clicked.connect(self.reset)
        code = QWidget()
        code_column = QVBoxLayout(code)
        code_column.setContentsMargins(0, 0, 0, 0)
        code_column.addWidget(self.qr)
        code_column.addWidget(qr_note)
        code_column.addStretch(1)
        side = scrolled(code)
        side.setMaximumWidth(340)
        row = QHBoxLayout()
        row.addWidget(scrolled(self.report_view), 1)  # at large text the report scrolls, never the buttons
        row.addWidget(side, 0)
        bar = QHBoxLayout()  # one row of buttons under it all, as on the check page: on the screen at any text size
        bar.addWidget(self.print_button)
        bar.addStretch(1)
        bar.addWidget(self.again_button)
        bar.addWidget(self.done_button)
        column = QVBoxLayout(page)
        column.addLayout(row, 1)
        column.addLayout(bar)
        return page

    # -- the student's way through ----------------------------------------------------------------------

    def begin(self) -> None:
        """A new check page for this student: it opens the camera and microphone and runs the checks. The devices
        were chosen on the start screen; nothing is remembered, no snapshot offered, no interview mode."""
        self._drop_page()
        session = self.student_session()
        self.controller = RunController(session, kiosk=True)
        self.controller.run_finished.connect(lambda _report: self.report_button.setEnabled(True))
        speaker = self.pickers.speaker.currentData() if self.pickers is not None else None
        self.page = CheckPage(self.controller, pickers=False, speaker=speaker if speaker != AUTO else None,
                              offer_snapshot=False, offer_interview_mode=False)
        self.check_holder.addWidget(self.page)
        follow_layout(self.check_page)  # Tab: the check, then Start over and Show my report
        self.report_button.setEnabled(False)
        self.stack.setCurrentWidget(self.check_page)
        self.controller.open_camera()
        self.controller.start_when_ready()
        self._restart_idle()

    def show_report(self) -> None:
        if self.controller is None or self.controller.report is None:
            return
        self.report = self.controller.report
        self.report_view.set_report(self.report)
        self.qr.setPixmap(qr_pixmap(summary_text(self.report)))
        self.controller.release_camera()  # the report needs no camera: release it now
        self.stack.setCurrentWidget(self.report_page)
        self.done_button.setFocus()

    def check_again(self) -> None:
        self.begin()

    def print_report(self) -> None:
        if self.report is None:
            return
        from PySide6.QtPrintSupport import QPrinter

        from app.export import print_document

        print_document(self.report).print_(QPrinter())

    def reset(self) -> None:
        """Wipe everything of this student and go back to the start screen."""
        close_windows_of(self)  # a box still open would be destroyed under its own feet with its parent
        self._drop_page()
        self.report = None
        self.report_view.clear()
        self.qr.clear()
        self.report_button.setEnabled(False)
        self._reset_pickers()
        clear_clipboards()
        self._stop_countdown()
        self.choose_language(self.default_language)  # the next student starts in the kiosk's own language
        self.stack.setCurrentWidget(self.start_page)
        self.start_button.setFocus()
        gc.collect()
        self._restart_idle()
        self.reset_done.emit()

    def _drop_page(self) -> None:
        if self.page is not None:
            page, self.page = self.page, None
            self.check_holder.removeWidget(page)
            page.stop()  # cancels a run and releases the camera and microphone
            page.setParent(None)
            page.deleteLater()
        if self.controller is not None:
            controller, self.controller = self.controller, None
            controller.close()
            controller.deleteLater()

    # -- idle reset ------------------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress, QEvent.Type.TouchBegin,
                            QEvent.Type.Wheel):
            self._restart_idle()
        return False

    def _restart_idle(self) -> None:
        self._stop_countdown()
        if self.stack.currentWidget() is self.start_page and self.page is None:
            self.idle.stop()  # nothing to wipe
            return
        self.idle.start(1000 * max(0, self.config.idle_timeout_s - self.config.warning_s))

    def _idle_warning(self) -> None:
        self._left = self.config.warning_s
        self._show_countdown()
        self.tick.start()

    def _count_down(self) -> None:
        self._left -= 1
        if self._left <= 0:
            self.reset()
        else:
            self._show_countdown()

    def _show_countdown(self) -> None:
        self.countdown.setText(say("kiosk.countdown", seconds=self._left))
        self.countdown.setAccessibleName(self.countdown.text())
        self.countdown.show()

    def _stop_countdown(self) -> None:
        self.tick.stop()
        self.countdown.hide()

    # -- lock-down -------------------------------------------------------------------------------------------

    def ask_to_leave(self) -> None:
        """The admin's way out: Ctrl+Alt+A, then the PIN."""
        wait = self.gate.wait_left()
        if wait > 0:
            QMessageBox.warning(self, say("ui.app_name"), say("kiosk.pin_wait", seconds=round(wait)))
            return
        if not self.gate.open:
            pin, ok = QInputDialog.getText(self, say("ui.app_name"), say("kiosk.pin_prompt"),
                                           QLineEdit.EchoMode.Password)
            if not ok:
                return
            if not self.gate.try_pin(pin):
                QMessageBox.warning(self, say("ui.app_name"), say("kiosk.pin_wrong"))
                return
        self.leave()

    def leave(self) -> None:
        """Leave kiosk mode (after the PIN): wipe, release the devices, close."""
        self._end()
        self.close()

    def window_lost(self) -> None:
        """Another program destroyed the kiosk's X window (``xdotool windowclose``): Qt cannot show it again, and
        a kiosk living on without a window would keep its session from starting a new one. Wipe, and exit
        non-zero (the session's loop starts the kiosk again)."""
        print(f"interview-ready: {say('cli.kiosk_window_lost', code=EXIT_WINDOW_LOST)}", file=sys.stderr)
        close_windows_of(self)  # a PIN prompt's own loop returns, so the app's can end
        self._end()
        clear_clipboards()
        QApplication.instance().exit(EXIT_WINDOW_LOST)

    def _end(self) -> None:
        """The end of the kiosk: the lock-down stops, the student's window and devices are released."""
        self.unlocked = True
        if self.keeper is not None:
            self.keeper.stop()
        self._drop_page()
        QApplication.instance().removeEventFilter(self)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:  # Escape never leaves the kiosk
            event.accept()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Alt+F4 and the window manager's close are refused until the PIN was given."""
        if not self.unlocked:
            event.ignore()
            return
        super().closeEvent(event)


def _printer_available() -> bool:
    try:
        from PySide6.QtPrintSupport import QPrinterInfo
    except ImportError:  # pragma: no cover - a Qt build without printing
        return False
    return bool(QPrinterInfo.availablePrinters())


def run_kiosk(session: Session, config: KioskConfig, starting: QWidget | None = None) -> int:
    """Run the kiosk; ``starting``, the full-screen card shown while the app loaded, closes once the kiosk shows."""
    no_bus_autolaunch()  # before Qt's first look for a session bus (the command line calls it earlier still)
    app = make_app()
    if config.pin_hash is None:
        print(f"interview-ready: {say('cli.kiosk_no_pin')}", file=sys.stderr)
    show_kiosk(KioskWindow(session, config))
    if starting is not None:
        starting.close()
    return end_app(int(app.exec()), session.config.thresholds.runner("grace_s") + 2)


def show_kiosk(window: KioskWindow) -> KioskWindow:
    """Show the kiosk as a student meets it: exactly on its whole screen, and kept in front."""
    fill_screen(window)
    window.showFullScreen()
    window.screen().geometryChanged.connect(lambda *_: fill_screen(window))
    window.keeper = FrontKeeper(window)
    window.keeper.lost.connect(window.window_lost)
    return window
