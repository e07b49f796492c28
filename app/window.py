"""The main window: the check page (app/check_page.py) with the menus, the report tab, profiles, exports, the
languages and remembering the chosen devices around it."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QCoreApplication, QLocale, QPoint, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QMainWindow, QMenu, QMessageBox, QPushButton, QWidget

from app.access import announce, follow_layout
from app.check_page import CheckPage, end_app, make_app
from app.controller import RunController
from app.export import copy_summary, open_mail_draft, send_to_recruiter
from app.messages import ask, inform, warn
from app.report_view import ReportView, confirm_and_open, dropped_profile
from app.reword import keep, offered_languages, reword, starting_language, worded
from app.screen_preview import add_preview_action
from app.session import UsageError, save_report
from checks import __version__
from checks.api import CheckResult
from checks.report.model import Report
from checks.sources.camera import FrameFeed
from checks.storage.files import NotSaved
from checks.storage.history import History, data_dir, open_history
from checks.storage.settings import load_choice, save_choice
from checks.text.wording import language, language_name, say, set_language

if TYPE_CHECKING:
    from app.guardian import GuardianWindow
    from app.session import Session
    from app.workers import RunWorker

__all__ = ["MainWindow", "make_app", "run_window"]

SCREENSHOT_TIMEOUT_MS = 180_000
PREFERRED_SIZE = QSize(1400, 900)
"""The window's size with text of the usual size, where the screen has room for it."""
USUAL_LINE_PX = 15
"""The height of a line of the usual text (9–10 pt at 96 dpi): larger text, a larger window."""
FRAME_PX = QSize(16, 48)
"""Room left for the window manager's frame and title bar."""


def _on_page(name: str) -> property:
    """A part of the check page, read through the window (``window.banner`` is ``window.page.banner``)."""
    return property(attrgetter(f"page.{name}"), doc=f"The check page's ``{name}``.")


def fit_to_screen(window: QWidget) -> None:
    """Open ``window`` no larger than its screen's work area (the screen less its panels and docks): at
    PREFERRED_SIZE (in step with the text size) where that fits with the window's frame, else filling the work area
    (maximised; without a window manager, as large as it). Called before the window is first shown."""
    area, wanted, fits = _opening_size(window)
    window.resize(wanted)
    if fits:
        window.move(area.center() - QPoint(wanted.width() // 2, (wanted.height() + FRAME_PX.height()) // 2))
    else:
        window.move(area.topLeft())
        window.setWindowState(Qt.WindowState.WindowMaximized)


def _opening_size(window: QWidget) -> tuple[QRect, QSize, bool]:
    """The screen's work area, the window's size in it, and whether that is PREFERRED_SIZE (else the work area)."""
    area = window.screen().availableGeometry()
    scale = max(1.0, window.fontMetrics().height() / USUAL_LINE_PX)
    wanted = PREFERRED_SIZE * scale
    if wanted.width() + FRAME_PX.width() <= area.width() and wanted.height() + FRAME_PX.height() <= area.height():
        return area, wanted, True
    return area, area.size() - FRAME_PX, False


class MainWindow(QMainWindow):
    run_finished = Signal(object)
    """Emitted with the :class:`Report` when a run has ended (finished or cancelled)."""

    def __init__(self, session: Session, demo: bool = False,
                 reload: Callable[[Path], Session] | None = None) -> None:
        super().__init__()
        self.reload = reload
        """Builds the session again with another profile (the command line's other choices kept)."""
        self.controller = RunController(session, history=self._history, parent=self)
        keep(self, "setWindowTitle",
             lambda: f"{say('ui.app_name')} ({say('ui.demo_suffix')})" if demo else say("ui.app_name"))
        remembered = load_choice()
        self.page = CheckPage(self.controller, speaker=remembered.speaker or None)
        """The check itself, as the kiosk shows it too."""
        if self.page.pickers is not None:  # a choice is remembered for next time
            self.page.pickers.camera_chosen.connect(lambda text: self._remember(camera=text))
            self.page.pickers.mic_chosen.connect(lambda text: self._remember(mic=text))
            self.page.pickers.speaker_chosen.connect(lambda text: self._remember(speaker=text))
        self.page.interview_mode_wanted.connect(self.start_interview_mode)
        self.report_button = QPushButton()
        worded(self.report_button, "setText", "ui.see_report")
        worded(self.report_button, "setAccessibleName", "ui.see_report", plain=True)
        self.report_button.setEnabled(False)
        self.report_button.clicked.connect(self.show_report)
        self.page.top.addWidget(self.report_button, 0, Qt.AlignmentFlag.AlignTop)
        self.report_view = ReportView()
        self.report_view.link_requested.connect(lambda url: confirm_and_open(self, url))
        self.page.tabs.addTab(self.report_view, "")
        keep(self.page.tabs, "setTabText", lambda: say("ui.tab_report"), 1)
        self.setCentralWidget(self.page)
        self.guardian: GuardianWindow | None = None
        """Interview mode's window, once opened."""
        self._make_menus()
        follow_layout(self.page)  # Tab: the page as it is read, the banner's button included
        self.controller.run_finished.connect(self._on_finished)  # after the page has shown the run's end
        self.resize(_opening_size(self)[1])  # placed (and maximised where need be) by fit_to_screen when shown

    # -- the controller's state, read through -----------------------------------------------------------

    @property
    def session(self) -> Session:
        return self.controller.session

    @property
    def report(self) -> Report | None:
        return self.controller.report

    @property
    def results(self) -> list[CheckResult]:
        return self.page.results

    @property
    def camera_feed(self) -> FrameFeed | None:
        return self.controller.camera_feed

    @property
    def worker(self) -> RunWorker | None:
        return self.controller.worker

    @property
    def running(self) -> bool:
        return self.controller.running

    def open_camera(self) -> None:
        self.controller.open_camera()

    def release_camera(self) -> None:
        self.controller.release_camera()

    def start_when_ready(self) -> None:
        self.controller.start_when_ready()

    def start(self) -> None:
        self.controller.start()

    def cancel(self) -> None:
        self.page.cancel()

    # -- the check page's parts, read through ------------------------------------------------------------

    tabs = _on_page("tabs")
    banner = _on_page("banner")
    fix_first = _on_page("fix_first")
    server_notice = _on_page("server_notice")
    camera_panel = _on_page("camera_panel")
    pickers = _on_page("pickers")
    mic_panel = _on_page("mic_panel")
    throughput = _on_page("throughput")
    cards = _on_page("cards")
    plan_b = _on_page("plan_b")
    flow_scroll = _on_page("flow_scroll")
    details_area = _on_page("details_area")
    tree = _on_page("tree")
    items = _on_page("items")
    details = _on_page("details")
    progress = _on_page("progress")
    progress_text = _on_page("progress_text")
    run_button = _on_page("run_button")
    cancel_button = _on_page("cancel_button")
    run_action = _on_page("run_action")
    cancel_action = _on_page("cancel_action")

    # -- building ---------------------------------------------------------------------------------

    def _make_menus(self) -> None:
        self.setAcceptDrops(self.reload is not None)
        open_action = QAction(self)
        worded(open_action, "setText", "ui.open_profile")
        open_action.setShortcut(QKeySequence.StandardKey.Open)
        open_action.triggered.connect(self.choose_profile)
        open_action.setEnabled(self.reload is not None)
        self.export_action = QAction(self)
        worded(self.export_action, "setText", "ui.export")
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        self.export_action.triggered.connect(self.export_report)
        self.send_action = QAction(self)
        worded(self.send_action, "setText", "ui.send")
        self.send_action.triggered.connect(self.send_to_recruiter)
        self.copy_action = QAction(self)
        worded(self.copy_action, "setText", "ui.copy_summary")
        self.copy_action.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.copy_action.triggered.connect(lambda: self.report is not None and copy_summary(self.report))
        self.remember_action = QAction(self)
        worded(self.remember_action, "setText", "ui.remember")
        self.remember_action.setCheckable(True)
        self.remember_action.setChecked(History(data_dir()).path.exists())  # the file is the opt-in
        self.remember_action.toggled.connect(self._remember_toggled)
        for action in (self.export_action, self.send_action, self.copy_action):
            action.setEnabled(False)
        quit_action = QAction(self)
        worded(quit_action, "setText", "ui.quit")
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        about_action = QAction(self)
        worded(about_action, "setText", "ui.about")
        about_action.triggered.connect(
            lambda: QMessageBox.about(self, say("ui.app_name"), say("ui.about_text", version=__version__)))
        file_menu = QMenu(self.menuBar())
        worded(file_menu, "setTitle", "ui.menu_file")
        self.menuBar().addMenu(file_menu)
        file_menu.addActions([self.run_action, self.cancel_action])
        file_menu.addSeparator()
        file_menu.addActions([open_action, self.export_action, self.send_action, self.copy_action])
        file_menu.addSeparator()
        file_menu.addAction(self.remember_action)
        add_preview_action(self, file_menu)
        interview_action = QAction(self)
        worded(interview_action, "setText", "guard.start")
        worded(interview_action, "setToolTip", "guard.start_tip")
        interview_action.setShortcut(QKeySequence("Ctrl+Shift+I"))  # again while it is open: focus on its window
        interview_action.triggered.connect(self.start_interview_mode)
        file_menu.addAction(interview_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        self.menuBar().addMenu(self._make_language_menu())
        help_menu = QMenu(self.menuBar())
        worded(help_menu, "setTitle", "ui.menu_help")
        help_menu.addAction(about_action)
        self.menuBar().addMenu(help_menu)

    def _make_language_menu(self) -> QMenu:
        """Language (Alt+L): each language named in its own language; the one in use is ticked."""
        self.language_menu = QMenu(self.menuBar())
        worded(self.language_menu, "setTitle", "ui.menu_language")
        self.language_actions = QActionGroup(self)
        for code, name in offered_languages():
            action = QAction(name, self.language_actions)
            action.setCheckable(True)
            action.setChecked(code == language())
            action.setData(code)
            action.triggered.connect(lambda _on=False, code=code: self.choose_language(code))
            self.language_menu.addAction(action)
        return self.language_menu

    def start_interview_mode(self) -> None:
        """Open interview mode's small window (app/guardian.py) with this session's profile and servers."""
        from app.guardian import start_interview_mode

        open_one = self.guardian
        if open_one is not None and shiboken6.isValid(open_one) and open_one.isVisible():
            open_one.bring_forward()  # one guardian at a time; asking again reaches it from the keyboard
            return
        stun = [(s.host, s.port) for s in self.session.config.network.stun]
        self.guardian = start_interview_mode(self.session.profile, self.report, stun, self.session.config.mic)
        self.guardian.record_saved.connect(self._add_interview_record)

    def _add_interview_record(self, lines: list[str]) -> None:
        """The candidate opted in: interview mode's record goes into the report they send."""
        if self.controller.report is not None:
            self.controller.report = dataclasses.replace(self.controller.report, interview_record=tuple(lines))
            self.report_view.set_report(self.controller.report)

    # -- the report, profiles, sharing ----------------------------------------------------------------

    def _history(self) -> History | None:
        """The results kept on this computer, only when the candidate opted in."""
        return open_history(self.remember_action.isChecked())

    def _remember_toggled(self, on: bool) -> None:
        if on or not History(data_dir()).path.exists():
            return
        if QMessageBox.question(self, say("ui.app_name"), say("ui.forget_question")) \
                == QMessageBox.StandardButton.Yes:
            History(data_dir()).clear()

    def show_report(self) -> None:
        self.page.tabs.setCurrentWidget(self.report_view)

    def choose_profile(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, say("ui.open_profile").replace("&", ""), "",
                                              say("ui.profile_filter"))
        if path:
            self.load_profile(Path(path))

    def load_profile(self, path: Path) -> bool:
        """Apply a recruiter's profile and check again; a bad profile is explained, and nothing changes."""
        if self.reload is None or self.running:
            return False
        try:
            session = self.reload(path)
        except UsageError as error:  # the message names the line and field
            warn(self, str(error))
            return False
        self.controller.set_session(session)
        self.page.show_notice()
        self.page.fill_tree()
        self.report_view.clear()
        self.report_button.setEnabled(False)
        self.page.tabs.setCurrentIndex(0)
        self.start()
        return True

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.reload is not None and dropped_profile(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = dropped_profile(event.mimeData())
        if path is not None:
            event.acceptProposedAction()
            self.load_profile(path)

    def export_report(self) -> None:
        if self.report is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, say("ui.export").replace("&", ""), "interview-ready-report.pdf",
                                              say("ui.export_filter"))
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> bool:
        """Save the report as ``path`` (PDF, HTML or JSON by the name's ending) and say so: where it is saved, in
        words and to a screen reader, else the file and why not in a message box (the old file is then unchanged).
        True when saved."""
        if self.report is None:
            return False
        try:
            save_report(self.report, path)
        except NotSaved as error:
            warn(self, str(error))
            return False
        except ValueError as error:  # a kind of file the report is not saved as
            warn(self, say("ui.export_failed", path=path, error=error))
            return False
        self.page.progress_text.setText(say("ui.exported", name=path.name, folder=path.parent))
        announce(self.page.progress_text, self.page.progress_text.text())
        return True

    def send_to_recruiter(self) -> None:
        """Save PDF and JSON and open a mail draft to the profile's address; nothing is sent by itself."""
        if self.report is None:
            return
        folder = QFileDialog.getExistingDirectory(self, say("ui.send_folder"))
        if not folder:
            return
        try:
            sent = send_to_recruiter(self.report, Path(folder))
        except NotSaved as error:  # names the file, and why
            warn(self, str(error))
            return
        if sent.mailto is None:
            inform(self, say("ui.sent_no_address", pdf=sent.pdf, json=sent.json))
        elif ask(self, say("ui.sent_open_draft", pdf=sent.pdf, json=sent.json)):
            open_mail_draft(sent)

    def _remember(self, **choice: str) -> None:
        """Keep the device choice (or the language) for next time: the only thing kept unasked."""
        try:
            save_choice(dataclasses.replace(load_choice(), **choice))
        except OSError as error:
            self.page.progress_text.setText(say("ui.remember_failed", error=error.strerror or error))

    def use_speaker(self, text: str) -> None:
        """Play through these speakers (``auto``: the system's default), without remembering them."""
        self.page.use_speaker(text)

    def _on_finished(self, report: Report) -> None:
        self.report_view.set_report(report)
        self.report_button.setEnabled(True)
        for action in (self.export_action, self.send_action, self.copy_action):
            action.setEnabled(True)
        self.run_finished.emit(report)

    # -- the language -----------------------------------------------------------------------------

    def choose_language(self, code: str) -> None:
        """Speak ``code`` from now on, say everything shown again in it, and remember it for next time."""
        set_language(code)
        self.retranslate()
        self._remember(language=code)

    def retranslate(self) -> None:
        """Every text the window shows, again in the language in use. What comes from the wording is said anew;
        what the checks found keeps the language it was checked in, and a line says the next check speaks the new
        one."""
        reword(self)
        for action in self.language_actions.actions():
            action.setChecked(action.data() == language())
        self.page.retranslate()
        if self.report is not None and not self.running:
            self.report_view.set_report(self.report)
        if self.controller.results and not self.running:
            self.page.progress_text.setText(say("ui.language_next_run", language=language_name(language())))

    # -- closing ----------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        self.page.stop()
        super().closeEvent(event)


def _save_screenshot(window: MainWindow, path: Path) -> None:
    QCoreApplication.processEvents()
    if not window.grab().save(str(path)):
        print(f"interview-ready: --screenshot: could not save {path}", file=sys.stderr)
        QApplication.exit(2)
        return
    QApplication.exit(0)


def run_window(session: Session, screenshot: Path | None = None, demo: bool = False,
               reload: Callable[[Path], Session] | None = None, starting: QWidget | None = None,
               lang: str | None = None) -> int:
    """Show the window and run the checks at once; with ``screenshot``, save a grab when done and exit.
    ``starting``, the window shown while the app loaded, closes when this one shows. ``lang`` is the command line's
    ``--lang`` (else the one chosen last time, else the system's)."""
    app = make_app()
    set_language(starting_language(lang, load_choice().language, QLocale.system().uiLanguages()))
    window = MainWindow(session, demo=demo, reload=reload)
    fit_to_screen(window)
    window.show()
    if starting is not None:
        starting.close()
    if window.pickers is not None:
        window.pickers.refresh()
    if screenshot is not None:
        save = lambda: _save_screenshot(window, screenshot)  # noqa: E731
        window.run_finished.connect(lambda _: QTimer.singleShot(300, save))
        QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, window.cancel)
    window.open_camera()
    QTimer.singleShot(0, window.start_when_ready)
    code = int(app.exec())
    window.close()  # releases the camera and stops the threads before the interpreter exits
    return end_app(code, session.config.thresholds.runner("grace_s") + 2)
