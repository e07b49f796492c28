"""The main window: every discovered check grouped by category with live status, a verdict, and the advice."""

from __future__ import annotations

import dataclasses
import html
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QFont, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.camera_view import CameraPanel
from app.cli import UsageError, save_report
from app.export import copy_summary, open_mail_draft, send_to_recruiter
from app.icons import COLOURS, status_icon
from app.messages import ask, inform, warn
from app.mic_panel import MicPanel
from app.report_view import ReportView, confirm_and_open, dropped_profile
from app.screen_preview import add_preview_action
from app.throughput_graph import ThroughputGraph
from app.workers import OpenCameraWorker, RunWorker
from checks import __version__
from checks.api import CheckResult
from checks.history import History, data_dir, open_history
from checks.recording import RecordedMic, Recording
from checks.report import Report, build_report, category_label, fix_first_text, format_value
from checks.runner import Runner
from checks.sources import SourceError
from checks.sources.camera import CameraSource, FrameFeed
from checks.wording import say

if TYPE_CHECKING:
    from app.cli import Session

SCREENSHOT_TIMEOUT_MS = 180_000
_RESULT_ROLE = Qt.ItemDataRole.UserRole + 1
_VERDICT_STATUS = {"ready": "pass", "warnings": "warn", "not_ready": "fail"}


def _status_text(status: str) -> str:
    """The status in words; the icon beside it carries the mark (✓ ! ✗), so neither relies on colour."""
    return say(f"status.{status}")


class MainWindow(QMainWindow):
    run_finished = Signal(object)
    """Emitted with the :class:`Report` when a run has ended (finished or cancelled)."""

    def __init__(self, session: Session, demo: bool = False, kiosk: bool = False,
                 reload: Callable[[Path], Session] | None = None) -> None:
        super().__init__()
        self.kiosk = kiosk
        self.reload = reload
        """Builds the session again with another profile (the command line's other choices kept)."""
        self.report: Report | None = None
        self.session = session
        self.worker: RunWorker | None = None
        self.results: list[CheckResult] = []
        title = say("ui.app_name")
        self.setWindowTitle(f"{title} ({say('ui.demo_suffix')})" if demo else title)
        self.resize(1120, 760)

        self.banner_icon = QLabel()
        self.banner_icon.setFixedSize(48, 48)
        self.banner = QLabel(say("ui.not_started"))
        self.banner.setAccessibleName(say("ui.verdict_banner"))
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
        self.fix_first.setAccessibleName(say("report.fix_first"))

        self.tree = QTreeWidget()
        self.tree.setAccessibleName(say("ui.checks_list"))
        self.tree.setHeaderLabels([say("ui.column_check"), say("ui.column_status"), say("ui.column_value")])
        self.tree.setRootIsDecorated(False)
        self.tree.setItemsExpandable(False)
        self.tree.setIconSize(self.tree.iconSize().expandedTo(self.tree.iconSize() * 1.2))
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.currentItemChanged.connect(lambda *_: self._show_details())

        self.details = QTextBrowser()
        self.details.setAccessibleName(say("ui.details_pane"))
        self.details.setOpenLinks(False)

        self.camera_panel: CameraPanel | None = None
        self.camera_feed: FrameFeed | None = None
        self._camera_pending = False
        self._start_when_ready = False
        self._cancel_requested = False
        self._waiting_for_mic = False
        self._open_worker: OpenCameraWorker | None = None
        self._open_timer = QTimer(self)
        self._open_timer.setSingleShot(True)
        self._open_timer.timeout.connect(self._camera_open_timed_out)
        right = QSplitter(Qt.Orientation.Vertical)
        if session.config.camera.kind != "none":
            self.camera_panel = CameraPanel(session.config.thresholds, offer_snapshot=not kiosk)
            self.camera_panel.camera_wanted.connect(self._camera_wanted)
            right.addWidget(self.camera_panel)
        self.mic_panel: MicPanel | None = None
        if session.config.mic.kind != "none" and any(c.category == "mic" for c in session.checks):
            self.mic_panel = MicPanel(session.config.mic)
            self.mic_panel.recorded.connect(self._mic_recorded)
            right.addWidget(self.mic_panel)
        right.addWidget(self.details)
        self.throughput: ThroughputGraph | None = None
        if session.config.network.backend != "none" and any(c.category == "network" for c in session.checks):
            self.throughput = ThroughputGraph()
            right.addWidget(self.throughput)
        right.setSizes([330, 190, 190, 140][: right.count()])
        splitter = QSplitter()
        splitter.addWidget(self.tree)
        splitter.addWidget(right)
        splitter.setSizes([520, 460])

        self.progress = QProgressBar()
        self.progress.setAccessibleName(say("ui.progress_bar"))
        self.progress_text = QLabel()
        self.run_button = QPushButton(say("ui.run"))
        self.run_button.setAccessibleName(say("ui.run").replace("&", ""))
        self.run_button.setDefault(True)
        self.cancel_button = QPushButton(say("ui.cancel"))
        self.cancel_button.setAccessibleName(say("ui.cancel").replace("&", ""))
        self.cancel_button.setEnabled(False)
        self.run_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)

        top = QHBoxLayout()
        top.addWidget(self.banner_icon, 0, Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        text.addWidget(self.banner)
        text.addWidget(self.fix_first)
        top.addLayout(text, 1)
        self.report_button = QPushButton(say("ui.see_report"))
        self.report_button.setAccessibleName(say("ui.see_report").replace("&", ""))
        self.report_button.setEnabled(False)
        self.report_button.clicked.connect(self.show_report)
        top.addWidget(self.report_button, 0, Qt.AlignmentFlag.AlignTop)
        bottom = QHBoxLayout()
        bottom.addWidget(self.progress, 1)
        bottom.addWidget(self.progress_text)
        bottom.addWidget(self.run_button)
        bottom.addWidget(self.cancel_button)
        self.report_view = ReportView()
        self.report_view.link_requested.connect(lambda url: confirm_and_open(self, url))
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(say("ui.tabs"))
        self.tabs.addTab(splitter, say("ui.tab_checks"))
        self.tabs.addTab(self.report_view, say("ui.tab_report"))
        layout = QVBoxLayout()
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)
        central = QWidget()
        central.setLayout(layout)
        self.setCentralWidget(central)
        self.setTabOrder(self.tree, self.details)
        self.setTabOrder(self.details, self.run_button)
        self.setTabOrder(self.run_button, self.cancel_button)

        if not kiosk:  # in kiosk mode the kiosk window owns leaving, the report page and the admin's controls
            self._make_menus()
        else:
            self._make_run_actions()
            self.report_button.hide()
            self.tabs.tabBar().hide()
        self._fill_tree()
        self._set_banner("waiting", say("ui.not_started"), "")

    # -- building ---------------------------------------------------------------------------------

    def _make_run_actions(self) -> None:
        self.run_action = QAction(say("ui.run"), self)
        self.run_action.setShortcuts([QKeySequence("F5"), QKeySequence("Ctrl+R")])
        self.run_action.triggered.connect(self.start)
        self.cancel_action = QAction(say("ui.cancel"), self)
        self.cancel_action.setShortcut(QKeySequence("Esc"))
        self.cancel_action.setEnabled(False)
        self.cancel_action.triggered.connect(self.cancel)
        self.addActions([self.run_action, self.cancel_action])

    def _make_menus(self) -> None:
        self._make_run_actions()
        self.setAcceptDrops(self.reload is not None)
        open_action = QAction(say("ui.open_profile"), self)
        open_action.setShortcut(QKeySequence.StandardKey.Open)
        open_action.triggered.connect(self.choose_profile)
        open_action.setEnabled(self.reload is not None)
        self.export_action = QAction(say("ui.export"), self)
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        self.export_action.triggered.connect(self.export_report)
        self.send_action = QAction(say("ui.send"), self)
        self.send_action.triggered.connect(self.send_to_recruiter)
        self.copy_action = QAction(say("ui.copy_summary"), self)
        self.copy_action.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.copy_action.triggered.connect(lambda: self.report is not None and copy_summary(self.report))
        self.remember_action = QAction(say("ui.remember"), self)
        self.remember_action.setCheckable(True)
        self.remember_action.setChecked(History(data_dir()).path.exists())  # the file is the opt-in
        self.remember_action.toggled.connect(self._remember_toggled)
        for action in (self.export_action, self.send_action, self.copy_action):
            action.setEnabled(False)
        quit_action = QAction(say("ui.quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        about_action = QAction(say("ui.about"), self)
        about_action.triggered.connect(
            lambda: QMessageBox.about(self, say("ui.app_name"), say("ui.about_text", version=__version__)))
        file_menu = self.menuBar().addMenu(say("ui.menu_file"))
        file_menu.addActions([self.run_action, self.cancel_action])
        file_menu.addSeparator()
        file_menu.addActions([open_action, self.export_action, self.send_action, self.copy_action])
        file_menu.addSeparator()
        file_menu.addAction(self.remember_action)
        add_preview_action(self, file_menu)
        interview_action = QAction(say("guard.start"), self)  # interview mode (menus, and so this, never in a kiosk)
        interview_action.setToolTip(say("guard.start_tip"))
        interview_action.triggered.connect(self.start_interview_mode)
        file_menu.addAction(interview_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        self.menuBar().addMenu(say("ui.menu_help")).addAction(about_action)

    def start_interview_mode(self) -> None:
        """Open interview mode's small window (app/guardian.py) with this session's profile and servers."""
        from app.guardian import start_interview_mode

        stun = [(s.host, s.port) for s in self.session.config.network.stun]
        self.guardian = start_interview_mode(self.session.profile, self.report, stun)
        self.guardian.record_saved.connect(self._add_interview_record)

    def _add_interview_record(self, lines: list[str]) -> None:
        """The candidate opted in: interview mode's record goes into the report they send."""
        if self.report is not None:
            self.report = dataclasses.replace(self.report, interview_record=tuple(lines))

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
        self.session = session
        self._fill_tree()
        self.report = None
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
        if not path:
            return
        try:
            save_report(self.report, Path(path))
        except (OSError, ValueError) as error:
            warn(self, say("ui.export_failed", path=path, error=error))

    def send_to_recruiter(self) -> None:
        """Save PDF and JSON and open a mail draft to the profile's address; nothing is sent by itself."""
        if self.report is None:
            return
        folder = QFileDialog.getExistingDirectory(self, say("ui.send_folder"))
        if not folder:
            return
        try:
            sent = send_to_recruiter(self.report, Path(folder))
        except (OSError, ValueError) as error:
            warn(self, say("ui.export_failed", path=folder, error=error))
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

    def _set_banner(self, status: str, headline: str, fix: str) -> None:
        self.banner_icon.setPixmap(status_icon(status).pixmap(48, 48))
        self.banner.setText(headline)
        self.banner.setStyleSheet(f"color: {COLOURS[status]};")
        self.fix_first.setText(fix)
        self.fix_first.setVisible(bool(fix))

    # -- running ----------------------------------------------------------------------------------

    # -- the camera preview -------------------------------------------------------------------------

    def open_camera(self) -> None:
        """Open the camera for the preview (and for the camera checks, which share it)."""
        if self.camera_panel is None or self._camera_pending:
            return
        self._camera_pending = True
        worker = OpenCameraWorker(self.session.config.camera)
        worker.signals.opened.connect(self._camera_opened)
        worker.signals.failed.connect(self._camera_failed)
        self._open_worker = worker  # kept until it has answered
        worker.start()
        self._open_timer.start(int(1000 * self.session.config.thresholds.runner("open_camera_s")))

    def _camera_wanted(self, on: bool) -> None:
        if on:
            self.open_camera()
        elif not self.running:  # the checks may be reading it
            self.release_camera()

    def release_camera(self) -> None:
        """Stop the preview and release the camera (its light goes off)."""
        self._camera_pending = False
        if self.camera_panel is not None:
            self.camera_panel.show_off()
        if self.camera_feed is not None:
            self.camera_feed.close()
            self.camera_feed = None

    def _camera_opened(self, source: CameraSource) -> None:
        if not self._camera_pending or self.camera_panel is None:  # too late, or the window is closing
            source.close()
            return
        self.camera_feed = FrameFeed(source)
        self.camera_panel.start(self.camera_feed)
        self._camera_done()

    def _camera_failed(self, error: SourceError) -> None:
        if self.camera_panel is not None:
            self.camera_panel.show_problem(error.summary)
        self._camera_done()

    def _camera_open_timed_out(self) -> None:
        if self._camera_pending:  # the camera never answered: the checks will say so
            self._camera_done()

    def _camera_done(self) -> None:
        self._camera_pending = False
        self._open_timer.stop()
        if self._start_when_ready:
            self._start_when_ready = False
            self.start()

    def start_when_ready(self) -> None:
        """Run the checks as soon as the camera preview is open (at once when there is none)."""
        if self._camera_pending:
            self._start_when_ready = True
        else:
            self.start()

    @property
    def running(self) -> bool:
        return self.worker is not None or (self.mic_panel is not None and self.mic_panel.recording)

    def start(self) -> None:
        if self.running:
            return
        self._cancel_requested = False
        self._waiting_for_mic = False
        self.results = []
        for item in self.items:
            self._set_item_status(item, "waiting")
            item.setData(0, _RESULT_ROLE, None)
        self.progress.setRange(0, max(1, len(self.items)))
        self.progress.setValue(0)
        self.progress_text.setText(say("ui.checking_progress", done=0, total=len(self.items)))
        self._set_banner("running", say("ui.checking"), "")
        self._set_running(True)
        if self.mic_panel is not None:  # first the guided microphone test; the checks analyse that take
            self._set_banner("running", say("ui.mic_first"), "")
            self._waiting_for_mic = True
            self.mic_panel.start()
        else:
            self._launch(None)

    def _mic_recorded(self, take: Recording | None) -> None:
        if not self._waiting_for_mic:
            return
        self._waiting_for_mic = False
        self._set_banner("running", say("ui.checking"), "")
        self._launch(take)
        if self._cancel_requested:  # stopped during the microphone test: every check ends as "not checked"
            self.worker.cancel()

    def _launch(self, take: Recording | None) -> None:
        """Run the checks, on the preview's camera and the guided take where there are such."""
        opened: dict[str, object] = {}
        if self.camera_feed is not None:
            opened["camera"] = self.camera_feed.reader()
        if take is not None and len(take.samples):
            opened["mic"] = RecordedMic(take)
        box = self.camera_panel.snapshot_box if self.camera_panel is not None else None
        config = dataclasses.replace(self.session.config, opened=opened,
                                     picture=box is not None and box.isChecked() and not self.kiosk)
        self.worker = RunWorker(Runner(self.session.checks, config))
        self.worker.signals.check_started.connect(self._on_started)
        self.worker.signals.check_progress.connect(self._on_progress)
        if self.throughput is not None:
            self.throughput.clear()
            self.worker.signals.check_progress.connect(self.throughput.on_check_progress)
        self.worker.signals.check_finished.connect(self._on_finished_one)
        self.worker.signals.finished.connect(self._on_finished)
        self.worker.start()

    def cancel(self) -> None:
        self._cancel_requested = True
        if self.mic_panel is not None and self.mic_panel.recording:
            self.mic_panel.cancel()
            self.cancel_button.setEnabled(False)
            self.cancel_action.setEnabled(False)
            self.progress_text.setText(say("ui.cancelling"))
        if self.worker is not None:
            self.worker.cancel()
            self.cancel_button.setEnabled(False)
            self.cancel_action.setEnabled(False)
            self.progress_text.setText(say("ui.cancelling"))

    def _set_running(self, running: bool) -> None:
        if self.camera_panel is not None:
            self.camera_panel.toggle.setEnabled(not running)  # the checks may be reading the camera
        self.run_button.setEnabled(not running)
        self.run_action.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.cancel_action.setEnabled(running)
        self.run_button.setText(say("ui.run_again") if self.results else say("ui.run"))
        self.run_button.setAccessibleName(self.run_button.text().replace("&", ""))  # spoken name = visible label

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
        self.progress.setValue(done)
        self.progress_text.setText(say("ui.checking_progress", done=done, total=total))

    def _show_result(self, item: QTreeWidgetItem, result: CheckResult, status: str | None = None) -> None:
        """A finished check's row; ``status`` is the report's ("info" where the profile does not require it)."""
        item.setData(0, _RESULT_ROLE, result)
        self._set_item_status(item, status or result.status.value, format_value(result))
        item.setToolTip(0, f"<p>{html.escape(result.summary)}</p>")  # a tooltip that looks like HTML is HTML
        if item is self.tree.currentItem():
            self._show_details()

    def _on_finished(self, results: list[CheckResult]) -> None:
        cancelled = self.worker is not None and self.worker.runner.cancelled
        self.worker = None
        self.results = list(results)
        history = self._history()
        previous = history.last() if history is not None else None
        report = build_report(results, self.session.profile, self.session.config.thresholds, previous)
        if history is not None and results and not cancelled:
            try:
                history.add(report)
            except OSError as error:
                self.progress_text.setText(say("ui.remember_failed", error=error.strerror or error))
        for item, result in zip(self.items, results, strict=True):
            self._show_result(item, result, report.status_key(result))
        self.report = report
        self.report_view.set_report(report)
        self.report_button.setEnabled(True)
        for action in (getattr(self, "export_action", None), getattr(self, "send_action", None),
                       getattr(self, "copy_action", None)):
            if action is not None:
                action.setEnabled(True)
        self.progress.setValue(self.progress.maximum())
        self.progress_text.setText("")
        first = report.fix_first
        fix = ""
        if first is not None or (results and not cancelled):
            fix = fix_first_text(report)
        skipped = _skipped_names(report)
        if skipped:
            fix = f"{fix} {say('ui.not_checked', titles=', '.join(skipped))}".strip()
        if cancelled and skipped and report.overall != "not_ready":  # stopped early: never claim "Ready"
            self._set_banner("skip", say("ui.cancelled"), fix)
        else:
            self._set_banner(_VERDICT_STATUS[report.overall], report.headline(), fix)
        self._set_running(False)
        if first is not None:
            self.tree.setCurrentItem(self.items[results.index(first)])
        self._show_details()
        self.run_finished.emit(report)

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
        self._camera_pending = False
        self._waiting_for_mic = False
        if self.mic_panel is not None:
            self.mic_panel.stop()
        if self.camera_panel is not None:
            self.camera_panel.stop()
        if self.worker is not None:
            self.worker.cancel()
            grace_ms = int(1000 * (self.session.config.thresholds.runner("grace_s") + 2))
            QThreadPool.globalInstance().waitForDone(grace_ms)
        if self.camera_feed is not None:  # released only after the checks that read it have stopped
            self.camera_feed.close()
            self.camera_feed = None
        super().closeEvent(event)


def _skipped_names(report: Report) -> list[str]:
    """What was not checked: a whole category by its name, else the checks by their titles."""
    names: list[str] = []
    for category, results in report.by_category():
        skipped = [r.title for r in results if r.status.value == "skip"]
        if skipped and len(skipped) == len(results):
            names.append(category_label(category))
        else:
            names.extend(skipped)
    return names


def _save_screenshot(window: MainWindow, path: Path) -> None:
    QCoreApplication.processEvents()
    if not window.grab().save(str(path)):
        print(f"interview-ready: --screenshot: could not save {path}", file=sys.stderr)
        QApplication.exit(2)
        return
    QApplication.exit(0)


def run_window(session: Session, screenshot: Path | None = None, demo: bool = False,
               reload: Callable[[Path], Session] | None = None) -> int:
    """Show the window and run the checks at once; with ``screenshot``, save a grab when done and exit."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(say("ui.app_name"))
    app.setApplicationVersion(__version__)
    window = MainWindow(session, demo=demo, reload=reload)
    window.show()
    if screenshot is not None:
        save = lambda: _save_screenshot(window, screenshot)  # noqa: E731
        window.run_finished.connect(lambda _: QTimer.singleShot(300, save))
        QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, window.cancel)
    window.open_camera()
    QTimer.singleShot(0, window.start_when_ready)
    code = int(app.exec())
    window.close()  # releases the camera and stops the threads before the interpreter exits
    return code
