"""The main window: every discovered check grouped by category with live status, a verdict, and the advice."""

from __future__ import annotations

import dataclasses
import html
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QLocale, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QDragEnterEvent, QDropEvent, QFont, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.access import announce, follow_layout
from app.camera_view import CameraPanel
from app.controller import Phase, RunController
from app.device_pickers import AUTO, DevicePickers, camera_spec, mic_spec
from app.export import copy_summary, open_mail_draft, send_to_recruiter
from app.icons import COLOURS, status_icon
from app.messages import ask, inform, warn
from app.mic_panel import MicPanel
from app.report_view import ReportView, confirm_and_open, dropped_profile
from app.reword import keep, offered_languages, reword, starting_language, worded
from app.screen_preview import add_preview_action
from app.session import UsageError, save_report
from app.starting import application
from app.step_cards import PlanBCard, StepCard
from app.throughput_graph import ThroughputGraph
from app.workers import RunWorker
from checks import __version__
from checks.api import CheckResult
from checks.files import NotSaved
from checks.history import History, data_dir, open_history
from checks.recording import GUIDED_TOTAL_S
from checks.report import Report, category_label, channel_text, fix_first_text, format_value
from checks.settings import load_choice, save_choice
from checks.sources.camera import FrameFeed
from checks.steps import STEPS, fix_first_line, summarise, unchecked_names
from checks.wording import language, language_name, say, say_all, set_language

if TYPE_CHECKING:
    from app.session import Session

SCREENSHOT_TIMEOUT_MS = 180_000
_RESULT_ROLE = Qt.ItemDataRole.UserRole + 1
_STATUS_ROLE = Qt.ItemDataRole.UserRole + 2
_VERDICT_STATUS = {"ready": "pass", "warnings": "warn", "not_ready": "fail"}


def _status_text(status: str) -> str:
    """The status in words; the icon beside it carries the mark (✓ ! ✗), so neither relies on colour."""
    return say(f"status.{status}")


class MainWindow(QMainWindow):
    run_finished = Signal(object)
    """Emitted with the :class:`Report` when a run has ended (finished or cancelled)."""

    def __init__(self, session: Session, demo: bool = False, kiosk: bool = False,
                 reload: Callable[[Path], Session] | None = None, controller: RunController | None = None) -> None:
        super().__init__()
        self.kiosk = kiosk
        self.reload = reload
        """Builds the session again with another profile (the command line's other choices kept)."""
        self.controller = controller or RunController(session, kiosk=kiosk, history=self._history, parent=self)
        keep(self, "setWindowTitle",
             lambda: f"{say('ui.app_name')} ({say('ui.demo_suffix')})" if demo else say("ui.app_name"))
        self.resize(1120, 760)
        self._pending: set[str] = set()
        self._live: dict[str, CheckResult] = {}
        self._make_banner()
        self._make_details()
        self._make_flow()
        self._make_bottom()
        self.report_view = ReportView()
        if not kiosk:  # the kiosk's own report page has no links that open anything
            self.report_view.link_requested.connect(lambda url: confirm_and_open(self, url))
        self.tabs = QTabWidget()
        worded(self.tabs, "setAccessibleName", "ui.tabs")
        self.tabs.addTab(self.flow_scroll, "")
        self.tabs.addTab(self.report_view, "")
        keep(self.tabs, "setTabText", lambda: say("ui.tab_checks"), 0)
        if not kiosk:
            keep(self.tabs, "setTabText", lambda: say("ui.tab_report"), 1)
        layout = QVBoxLayout()
        layout.addLayout(self.top)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(self.bottom)
        central = QWidget()
        central.setLayout(layout)
        self.setCentralWidget(central)
        self._order_tabs()
        if not kiosk:  # in kiosk mode the kiosk window owns leaving, the report page and the admin's controls
            self._make_menus()
        else:
            self._make_run_actions()
            self.report_button.hide()
            self.tabs.removeTab(self.tabs.indexOf(self.report_view))  # no hidden tab to switch to with Ctrl+Tab
            self.report_view.setParent(self)
            self.report_view.hide()
            self.tabs.tabBar().hide()
        self._connect()
        self._fill_tree()
        self._set_banner("waiting", say("ui.not_started"), "")
        self._refresh_cards()

    # -- the controller's state, read through -----------------------------------------------------------

    @property
    def session(self) -> Session:
        return self.controller.session

    @property
    def report(self) -> Report | None:
        return self.controller.report

    @property
    def results(self) -> list[CheckResult]:
        return list(self.controller.results.values())

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
        if self.controller.running:
            self.controller.cancel()
            self.cancel_button.setEnabled(False)
            self.cancel_action.setEnabled(False)
            self.progress_text.setText(say("ui.cancelling"))

    # -- building ---------------------------------------------------------------------------------

    def _make_banner(self) -> None:
        self.banner_icon = QLabel()
        self.banner_icon.setFixedSize(48, 48)
        self.banner = QLabel(say("ui.not_started"))
        worded(self.banner, "setAccessibleDescription", "ui.verdict_banner")  # its name is the verdict itself
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont(self.banner.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.banner.setFont(font)
        self.fix_first = QLabel()
        self.fix_first.setWordWrap(True)
        self.fix_first.setTextFormat(Qt.TextFormat.PlainText)  # it quotes a check's summary, which may contain "<"
        worded(self.fix_first, "setAccessibleDescription", "report.fix_first")
        self.server_notice = QLabel()  # a profile's servers on a private network, named before any traffic
        self.server_notice.setObjectName("server_notice")
        self.server_notice.setWordWrap(True)
        self.server_notice.setTextFormat(Qt.TextFormat.PlainText)  # it quotes the profile's server names
        keep(self.server_notice, "setText", lambda: self.session.notice)
        self.server_notice.setVisible(bool(self.session.notice))
        self.report_button = QPushButton()
        worded(self.report_button, "setText", "ui.see_report")
        worded(self.report_button, "setAccessibleName", "ui.see_report", plain=True)
        self.report_button.setEnabled(False)
        self.report_button.clicked.connect(self.show_report)
        self.top = QHBoxLayout()
        self.top.addWidget(self.banner_icon, 0, Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        text.addWidget(self.banner)
        text.addWidget(self.fix_first)
        text.addWidget(self.server_notice)
        self.top.addLayout(text, 1)
        self.top.addWidget(self.report_button, 0, Qt.AlignmentFlag.AlignTop)

    def _make_details(self) -> None:
        """Today's per-check rows and the chosen check's words: the Details of the step cards."""
        self.tree = QTreeWidget()
        worded(self.tree, "setAccessibleName", "ui.checks_list")
        keep(self.tree, "setHeaderLabels",
             lambda: [say("ui.column_check"), say("ui.column_status"), say("ui.column_value")])
        self.tree.setRootIsDecorated(False)
        self.tree.setItemsExpandable(False)
        self.tree.setIconSize(self.tree.iconSize().expandedTo(self.tree.iconSize() * 1.2))
        self.tree.setMinimumHeight(220)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.currentItemChanged.connect(lambda *_: self._show_details())
        self.details = QTextBrowser()
        worded(self.details, "setAccessibleName", "ui.details_pane")
        self.details.setOpenLinks(False)
        self.details.setMinimumHeight(160)
        self.details_area = QSplitter(Qt.Orientation.Horizontal)
        self.details_area.addWidget(self.tree)
        self.details_area.addWidget(self.details)
        self.details_area.setSizes([520, 400])
        self.details_area.hide()

    def _make_flow(self) -> None:
        """The guided flow: the preview with its coaching, then the steps, then plan B (and the report)."""
        session, kiosk = self.session, self.kiosk
        self.camera_panel: CameraPanel | None = None
        if self.controller.has_camera:
            self.camera_panel = CameraPanel(session.config.thresholds, offer_snapshot=not kiosk)
            self.camera_panel.camera_wanted.connect(self._camera_wanted)
            if self.camera_panel.snapshot_box is not None:
                self.camera_panel.snapshot_box.toggled.connect(lambda on: setattr(self.controller, "picture", on))
        self.mic_panel: MicPanel | None = None
        if self.controller.has_mic:
            self.mic_panel = MicPanel(session.config.mic)
            self.mic_panel.attach(self.controller)
        self.throughput: ThroughputGraph | None = None
        if session.config.network.backend != "none" and any(c.category == "network" for c in session.checks):
            self.throughput = ThroughputGraph()
        self.pickers: DevicePickers | None = None
        if not kiosk and (self.controller.has_camera or self.controller.has_mic):
            remembered = load_choice() if not kiosk else None
            self.pickers = DevicePickers(session.config.camera.text, session.config.mic.text,
                                         remembered.speaker if remembered else None)
            self.pickers.camera.setEnabled(self.controller.has_camera)
            self.pickers.mic.setEnabled(self.controller.has_mic)
            self.pickers.speaker.setEnabled(self.mic_panel is not None)
            self.pickers.camera_chosen.connect(self._camera_chosen)
            self.pickers.mic_chosen.connect(self._mic_chosen)
            self.pickers.speaker_chosen.connect(self._speaker_chosen)
            if self.mic_panel is not None and remembered is not None and remembered.speaker:
                self._speaker_chosen(remembered.speaker, remember=False)
        self.cards = {step: StepCard(step) for step, _ in STEPS}
        for card in self.cards.values():
            card.details_toggled.connect(self._details_toggled)
        self.plan_b = PlanBCard(offer_interview_mode=not self.kiosk)
        self.plan_b.interview_mode.connect(self.start_interview_mode)
        left = QVBoxLayout()
        if self.camera_panel is not None:
            left.addWidget(self.camera_panel, 3)
        if self.pickers is not None:
            left.addWidget(self.pickers)
        if self.mic_panel is not None:
            left.addWidget(self.mic_panel)
        if self.throughput is not None:
            left.addWidget(self.throughput, 1)
        left.addStretch(0)
        right = QVBoxLayout()
        for card in self.cards.values():
            right.addWidget(card)
        right.addWidget(self.plan_b)
        right.addStretch(1)
        row = QHBoxLayout()
        row.addLayout(left, 3)
        row.addLayout(right, 2)
        column = QVBoxLayout()
        column.addLayout(row, 1)
        column.addWidget(self.details_area)
        page = QWidget()
        page.setLayout(column)
        self.flow_scroll = QScrollArea()
        self.flow_scroll.setWidgetResizable(True)
        self.flow_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.flow_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no Tab stop of its own: Tab goes to what is inside
        self.flow_scroll.setWidget(page)
        self._fit_timer = QTimer(self, singleShot=True, interval=40)
        self._fit_timer.timeout.connect(self._fit_page)
        self.flow_scroll.viewport().installEventFilter(self)

    def _fit_page(self) -> None:
        """Make the page as tall as its words need at the width it has. The scroll area hears of a card that needs
        more lines only by chance (a change in the page's smallest size), so after the cards' own layouts it is asked
        to measure the page again (setting "resizable" does that), whenever the words or the width change."""
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self.flow_scroll.widget().layout().invalidate()
        self.flow_scroll.setWidgetResizable(True)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.flow_scroll.viewport():
            self._fit_timer.start()
        return super().eventFilter(watched, event)

    def _make_bottom(self) -> None:
        self.progress = QProgressBar()
        worded(self.progress, "setAccessibleName", "ui.progress_bar")
        self.progress_text = QLabel()
        self.run_button = QPushButton()
        self._label_run_button("ui.run")
        self.run_button.setDefault(True)
        self.cancel_button = QPushButton()
        worded(self.cancel_button, "setText", "ui.cancel")
        worded(self.cancel_button, "setAccessibleName", "ui.cancel", plain=True)
        self.cancel_button.setEnabled(False)
        self.run_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.bottom = QHBoxLayout()
        self.bottom.addWidget(self.progress, 1)
        self.bottom.addWidget(self.progress_text)
        self.bottom.addWidget(self.run_button)
        self.bottom.addWidget(self.cancel_button)

    def _order_tabs(self) -> None:
        """Tab follows the page as it is read: the banner, the preview, the pickers, the microphone test, each step
        and plan B, the rows and words, then Run and Cancel (:func:`app.access.follow_layout`)."""
        follow_layout(self.centralWidget())

    def _connect(self) -> None:
        c = self.controller
        c.phase_changed.connect(self._phase_changed)
        c.run_started.connect(self._run_started)
        c.check_started.connect(self._on_started)
        c.check_progress.connect(self._on_progress)
        c.take_progress.connect(self._take_progress)
        c.check_finished.connect(self._on_finished_one)
        c.run_finished.connect(self._on_finished)
        if self.camera_panel is not None:
            c.camera_opened.connect(self.camera_panel.start)
            c.camera_problem.connect(self.camera_panel.show_problem)
            c.camera_released.connect(self.camera_panel.show_off)
        if self.throughput is not None:
            c.check_progress.connect(self.throughput.on_check_progress)

    # -- building ---------------------------------------------------------------------------------

    def _make_run_actions(self) -> None:
        self.run_action = QAction(self)
        worded(self.run_action, "setText", "ui.run")
        self.run_action.setShortcuts([QKeySequence("F5"), QKeySequence("Ctrl+R")])
        self.run_action.triggered.connect(self.start)
        self.cancel_action = QAction(self)
        worded(self.cancel_action, "setText", "ui.cancel")
        self.cancel_action.setShortcut(QKeySequence("Esc"))
        self.cancel_action.setEnabled(False)
        self.cancel_action.triggered.connect(self.cancel)
        self.addActions([self.run_action, self.cancel_action])

    def _make_menus(self) -> None:
        self._make_run_actions()
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
        interview_action = QAction(self)  # interview mode (menus, and so this, never in a kiosk)
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

        open_one = getattr(self, "guardian", None)
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

    def _fill_tree(self) -> None:
        self.tree.clear()
        self.items: list[QTreeWidgetItem] = []
        groups: dict[str, QTreeWidgetItem] = {}
        for loaded in self.session.checks:
            parent = groups.get(loaded.category)
            if parent is None:
                parent = QTreeWidgetItem([category_label(loaded.category)])
                font = parent.font(0)
                font.setBold(True)
                parent.setFont(0, font)
                parent.setFlags(Qt.ItemFlag.ItemIsEnabled)
                parent.setData(0, Qt.ItemDataRole.UserRole, loaded.category)
                self.tree.addTopLevelItem(parent)
                groups[loaded.category] = parent
            item = QTreeWidgetItem(parent, [loaded.title, "", ""])
            item.setData(0, Qt.ItemDataRole.UserRole, loaded.id)
            self.items.append(item)
            self._set_item_status(item, "waiting")
        self.tree.expandAll()

    # -- the report, profiles, sharing ----------------------------------------------------------------

    def _history(self) -> History | None:
        """The results kept on this computer, only when the candidate opted in (never in kiosk mode)."""
        remember = getattr(self, "remember_action", None)
        return open_history(remember is not None and remember.isChecked(), allowed=not self.kiosk)

    def _remember_toggled(self, on: bool) -> None:
        if on or not History(data_dir()).path.exists():
            return
        if QMessageBox.question(self, say("ui.app_name"), say("ui.forget_question")) \
                == QMessageBox.StandardButton.Yes:
            History(data_dir()).clear()

    def show_report(self) -> None:
        self.tabs.setCurrentWidget(self.report_view)

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
        keep(self.server_notice, "setText", lambda: self.session.notice)
        self.server_notice.setVisible(bool(session.notice))
        self._fill_tree()
        self.report_view.clear()
        self.report_button.setEnabled(False)
        self.tabs.setCurrentIndex(0)
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
        self.progress_text.setText(say("ui.exported", name=path.name, folder=path.parent))
        announce(self.progress_text, self.progress_text.text())
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

    def _set_item_status(self, item: QTreeWidgetItem, status: str, value: str = "") -> None:
        item.setIcon(1, status_icon(status))
        item.setText(1, _status_text(status))
        item.setText(2, value)
        item.setData(1, Qt.ItemDataRole.AccessibleTextRole, say(f"status.{status}"))
        item.setData(1, _STATUS_ROLE, status)

    def _set_banner(self, status: str, headline: str, fix: str) -> None:
        self.banner_icon.setPixmap(status_icon(status).pixmap(48, 48))
        self.banner.setText(headline)
        self.banner.setAccessibleName(headline)  # a screen reader reads a label's name, never its text behind it
        self.banner.setStyleSheet(f"color: {COLOURS[status]};")
        self.fix_first.setText(fix)
        self.fix_first.setAccessibleName(fix)
        self.fix_first.setVisible(bool(fix))

    # -- running ----------------------------------------------------------------------------------

    def _camera_wanted(self, on: bool) -> None:
        if on:
            self.controller.open_camera()
        elif not self.running:  # the checks may be reading it
            self.controller.release_camera()

    def _camera_chosen(self, text: str) -> None:
        self.controller.choose_camera(camera_spec(text))
        self._remember(camera=text)

    def _mic_chosen(self, text: str) -> None:
        self.controller.choose_mic(mic_spec(text))
        self._remember(mic=text)

    def _speaker_chosen(self, text: str, remember: bool = True) -> None:
        if self.mic_panel is not None:
            self.mic_panel.playback.player.device = None if text == AUTO else text
        if remember:
            self._remember(speaker=text)

    def use_speaker(self, text: str) -> None:
        """Play through these speakers (``auto``: the system's default), without remembering them."""
        self._speaker_chosen(text, remember=False)

    def _remember(self, **choice: str) -> None:
        """Keep the device choice for next time (the only thing kept unasked; never in kiosk mode)."""
        if self.kiosk:
            return
        try:
            save_choice(dataclasses.replace(load_choice(), **choice))
        except OSError as error:
            self.progress_text.setText(say("ui.remember_failed", error=error.strerror or error))

    def _phase_changed(self, phase: Phase) -> None:
        self._set_running(phase is not Phase.IDLE)
        self._show_phase(phase)
        if phase is Phase.RECORDING:
            if self.mic_panel is not None:  # the prompt to read aloud in view, on a small screen too
                self.flow_scroll.ensureWidgetVisible(self.mic_panel.meter, 50, 150)
        elif phase is Phase.CHECKING:
            self.flow_scroll.verticalScrollBar().setValue(0)  # back to the steps, where the results come
            if self.progress.maximum() != max(1, self._total):  # from the take's bar to the checks' count
                self.progress.setRange(0, max(1, self._total))
                self.progress.setValue(0)
                self.progress_text.setText(say("ui.checking_progress", done=0, total=self._total))

    def _take_progress(self, elapsed: float) -> None:
        """The bar moves with the microphone take (before any check has run), then counts the checks."""
        if self.controller.phase is not Phase.RECORDING:
            return
        self.progress.setRange(0, 1000)
        self.progress.setValue(round(1000 * min(1.0, elapsed / GUIDED_TOTAL_S)))
        self.progress_text.setText(say("ui.take_progress", seconds=max(0, math.ceil(GUIDED_TOTAL_S - elapsed))))

    def _show_phase(self, phase: Phase) -> None:
        if phase is Phase.RECORDING:
            self._set_banner("running", say("ui.mic_first"), "")
        elif phase is Phase.CHECKING:
            self._set_banner("running", say("ui.checking"), "")

    def _run_started(self, ids: list[str]) -> None:
        self._pending = set(ids)
        self._live = {}
        if self.throughput is not None and any(i.startswith("network.") for i in ids):
            self.throughput.clear()
        for item in self.items:
            if item.data(0, Qt.ItemDataRole.UserRole) in self._pending:
                self._set_item_status(item, "waiting")
                item.setData(0, _RESULT_ROLE, None)
        self._total = len(ids)
        self.progress.setRange(0, max(1, len(ids)))
        self.progress.setValue(0)
        self.progress_text.setText(say("ui.checking_progress", done=0, total=len(ids)))
        self._set_banner("running", say("ui.checking"), "")
        self._refresh_cards()

    def _refresh_cards(self) -> None:
        pending = self._pending
        known = {**self.controller.results, **self._live}
        for step, categories in STEPS:
            ids = [c.id for c in self.session.checks if c.category in categories]
            summary = summarise(step, [known[i] for i in ids if i in known], self.report,
                                running=[i for i in ids if i in pending], expected=ids)
            self.cards[step].show_summary(summary)
            self.cards[step].setVisible(bool(ids))
        report = self.report
        channels = [channel_text(c) for c in report.backup_channels] if report is not None else []
        checklist = list(report.checklist) if report is not None else say_all("report.checklist.items")
        self.plan_b.show_lines(channels, checklist)
        self._fit_page()

    def _details_toggled(self, step: str, on: bool) -> None:
        if on:
            for other, card in self.cards.items():
                if other != step:
                    card.details_button.setChecked(False)
            categories = dict(STEPS)[step]
            for i in range(self.tree.topLevelItemCount()):
                group = self.tree.topLevelItem(i)
                group.setHidden(group.data(0, Qt.ItemDataRole.UserRole) not in categories)
            self.details_area.show()
            self.flow_scroll.ensureWidgetVisible(self.details_area)
        elif not any(card.details_button.isChecked() for card in self.cards.values()):
            self.details_area.hide()

    def _set_running(self, running: bool) -> None:
        if self.camera_panel is not None:
            self.camera_panel.toggle.setEnabled(not running)  # the checks may be reading the camera
        if self.pickers is not None:  # a device is chosen between runs (choosing one starts its step again)
            self.pickers.setEnabled(not running)
        self.run_button.setEnabled(not running)
        self.run_action.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.cancel_action.setEnabled(running)
        self._label_run_button("ui.run_again" if self.controller.results else "ui.run")

    def _label_run_button(self, key: str) -> None:
        worded(self.run_button, "setText", key)
        worded(self.run_button, "setAccessibleName", key, plain=True)  # spoken name = visible label

    def _item_for(self, check_id: str) -> QTreeWidgetItem | None:
        for item in self.items:
            if item.data(0, Qt.ItemDataRole.UserRole) == check_id and item.data(0, _RESULT_ROLE) is None:
                return item
        return None

    def _on_started(self, check_id: str) -> None:
        item = self._item_for(check_id)
        if item is not None:
            self._set_item_status(item, "running")

    def _on_progress(self, check_id: str, fraction: float, message: str) -> None:
        item = self._item_for(check_id)
        if item is not None and message:
            item.setText(2, message)

    def _on_finished_one(self, result: CheckResult, done: int, total: int) -> None:
        item = self._item_for(result.id)
        if item is not None:
            self._show_result(item, result)
        self._pending.discard(result.id)
        self._live[result.id] = result
        self._refresh_cards()
        self.progress.setValue(done)
        self.progress_text.setText(say("ui.checking_progress", done=done, total=total))

    def _show_result(self, item: QTreeWidgetItem, result: CheckResult, status: str | None = None) -> None:
        """A finished check's row; ``status`` is the report's ("info" where the profile does not require it)."""
        item.setData(0, _RESULT_ROLE, result)
        self._set_item_status(item, status or result.status.value, format_value(result))
        item.setToolTip(0, f"<p>{html.escape(result.summary)}</p>")  # a tooltip that looks like HTML is HTML
        if item is self.tree.currentItem():
            self._show_details()

    def _on_finished(self, report: Report) -> None:
        self._pending = set()
        self._live = {}
        if self.controller.history_error is not None:
            error = self.controller.history_error
            self.progress_text.setText(say("ui.remember_failed", error=error.strerror or error))
        else:
            self.progress_text.setText("")
        by_id = {r.id: r for r in report.results}
        for item in self.items:
            result = by_id.get(item.data(0, Qt.ItemDataRole.UserRole))
            if result is not None:
                self._show_result(item, result, report.status_key(result))
        self.report_view.set_report(report)
        self.report_button.setEnabled(True)
        for action in (getattr(self, "export_action", None), getattr(self, "send_action", None),
                       getattr(self, "copy_action", None)):
            if action is not None:
                action.setEnabled(True)
        self.progress.setValue(self.progress.maximum())
        self._show_verdict(report)
        announce(self.banner, f"{self.banner.text()} {self.fix_first.text()}".strip())
        self._set_running(False)
        first = report.fix_first
        if first is not None:
            item = next((i for i in self.items if i.data(0, Qt.ItemDataRole.UserRole) == first.id), None)
            self.tree.setCurrentItem(item)
        self._show_details()
        self._refresh_cards()
        self.run_finished.emit(report)

    def _show_verdict(self, report: Report) -> None:
        cancelled = self.controller.cancelled
        first = report.fix_first
        fix = ""
        if first is not None:
            fix = fix_first_line(first)
        elif report.results and not cancelled:
            fix = fix_first_text(report)
        skipped = unchecked_names(report.results)
        if skipped:
            fix = f"{fix} {say('ui.not_checked', titles=', '.join(skipped))}".strip()
        if cancelled and skipped and report.overall != "not_ready":  # stopped early: never claim "Ready"
            self._set_banner("skip", say("ui.cancelled"), fix)
        else:
            self._set_banner(_VERDICT_STATUS[report.overall], report.headline(), fix)

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
        for action in getattr(self, "language_actions", QActionGroup(self)).actions():
            action.setChecked(action.data() == language())
        self._set_running(self.running)
        self._reword_rows()
        if self.running:
            self._show_phase(self.controller.phase)
        elif self.report is not None:
            self._show_verdict(self.report)
            self.report_view.set_report(self.report)
        else:
            self._set_banner("waiting", say("ui.not_started"), "")
        if self.controller.results and not self.running:
            self.progress_text.setText(say("ui.language_next_run", language=language_name(language())))
        self._refresh_cards()
        self._show_details()
        if self.camera_panel is not None:
            self.camera_panel.retranslate()

    def _reword_rows(self) -> None:
        titles = {c.id: c.title for c in self.session.checks}
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            group.setText(0, category_label(group.data(0, Qt.ItemDataRole.UserRole)))
        for item in self.items:
            item.setText(0, titles.get(item.data(0, Qt.ItemDataRole.UserRole), item.text(0)))
            result = item.data(0, _RESULT_ROLE)
            value = format_value(result) if isinstance(result, CheckResult) else item.text(2)
            self._set_item_status(item, item.data(1, _STATUS_ROLE), value)

    # -- details pane -----------------------------------------------------------------------------

    def _show_details(self) -> None:
        item = self.tree.currentItem()
        result = item.data(0, _RESULT_ROLE) if item is not None else None
        e = html.escape
        if not isinstance(result, CheckResult):
            parts = [f"<p>{e(say('ui.select_hint'))}</p>"]
            if self.results:
                parts.append("<ul>")
                parts.extend(f"<li><b>{e(r.title)}</b> — {e(_status_text(r.status.value))}: {e(r.summary)}</li>"
                             for r in self.results)
                parts.append("</ul>")
            self.details.setHtml("".join(parts))
            return
        parts = [f"<h2>{e(result.title)}</h2>",
                 f"<p><b>{e(_status_text(result.status.value))}</b>"
                 + (f" — {e(format_value(result))}" if result.value is not None else "") + "</p>",
                 f"<p>{e(result.summary)}</p>"]
        if result.advice:
            parts.append(f"<h3>{e(say('ui.what_to_do'))}</h3><ul>")
            parts.extend(f"<li>{e(line)}</li>" for line in result.advice)
            parts.append("</ul>")
        self.details.setHtml("".join(parts))

    # -- closing ----------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.mic_panel is not None:
            self.mic_panel.stop()
        if self.camera_panel is not None:
            self.camera_panel.stop()
        self.controller.close()  # cancels a run, then releases the camera
        super().closeEvent(event)


def _save_screenshot(window: MainWindow, path: Path) -> None:
    QCoreApplication.processEvents()
    if not window.grab().save(str(path)):
        print(f"interview-ready: --screenshot: could not save {path}", file=sys.stderr)
        QApplication.exit(2)
        return
    QApplication.exit(0)


def make_app() -> QApplication:
    """The application, set up for the window and the kiosk alike."""
    app = application()
    # OpenCV's own worker threads cost more than they give for the preview's small pictures (they wait by spinning,
    # on a laptop's two or four cores shared with the meeting app): one thread per caller; see the README benchmark.
    import cv2

    cv2.setNumThreads(1)
    return app


def run_window(session: Session, screenshot: Path | None = None, demo: bool = False,
               reload: Callable[[Path], Session] | None = None, starting: QWidget | None = None,
               lang: str | None = None) -> int:
    """Show the window and run the checks at once; with ``screenshot``, save a grab when done and exit.
    ``starting``, the window shown while the app loaded, closes when this one shows. ``lang`` is the command line's
    ``--lang`` (else the one chosen last time, else the system's)."""
    app = make_app()
    set_language(starting_language(lang, load_choice().language, QLocale.system().uiLanguages()))
    window = MainWindow(session, demo=demo, reload=reload)
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
    return code
