"""The check page: the verdict banner, the live preview with the pickers and the microphone test, the step cards with
their Details, the progress and Run / Cancel. The main window and the kiosk each show one; it is a view of a
:class:`RunController` (it never decides the order of a run, and never reads a device).

What only one of them has is not here: the main window adds its menus, the report tab and remembering the chosen
devices around the page; the kiosk its start screen, its report page and the wipe. The page is told what to offer
(the pickers, the snapshot, interview mode), never in which of the two it is.
"""

from __future__ import annotations

import html
import math
import os
import sys

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
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
from app.icons import COLOURS, status_icon
from app.mic_panel import MicPanel
from app.reword import keep, worded
from app.starting import application
from app.step_cards import PlanBCard, StepCard
from app.throughput_graph import ThroughputGraph
from app.workers import wind_down
from checks.api import CheckResult
from checks.report.model import Report, category_label, fix_first_text, format_value
from checks.report.steps import STEPS, fix_first_line, summarise, unchecked_names
from checks.sources.recording import GUIDED_TOTAL_S
from checks.text.wording import labelled, say, say_all

PREVIEW_MIN_PX = 400
"""The preview is at least this wide beside the steps (else they go under it)."""
STEP_COLUMN_CHARS = 46
"""The step cards want a column at least this many characters wide (else they go under the preview)."""
PREVIEW_MIN_HEIGHT_PX = 180
"""The preview is never lower than this (a 320-pixel-wide picture)."""
PREVIEW_SHARE_NARROW = 0.5
"""Above the steps, the preview takes at most this part of the page's visible height."""
_RESULT_ROLE = Qt.ItemDataRole.UserRole + 1
_STATUS_ROLE = Qt.ItemDataRole.UserRole + 2
_VERDICT_STATUS = {"ready": "pass", "warnings": "warn", "not_ready": "fail"}


def _status_text(status: str) -> str:
    """The status in words; the icon beside it carries the mark (✓ ! ✗), so neither relies on colour."""
    return say(f"status.{status}")


class CheckPage(QWidget):
    """One candidate's check, shown as it runs. ``pickers`` offers the camera, microphone and speaker pickers
    (``speaker``, the speakers chosen before); ``offer_snapshot`` the snapshot in the report; ``offer_interview_mode``
    the plan B card's way into interview mode (:attr:`interview_mode_wanted`)."""

    interview_mode_wanted = Signal()

    def __init__(self, controller: RunController, *, pickers: bool = True, speaker: str | None = None,
                 offer_snapshot: bool = True, offer_interview_mode: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.items: list[QTreeWidgetItem] = []
        self._make_banner()
        self._make_details()
        self._make_flow(pickers, speaker, offer_snapshot, offer_interview_mode)
        self._make_bottom()
        self.tabs = QTabWidget()
        """The checks, and whatever the page is shown with (the main window's report); no tab bar for one."""
        worded(self.tabs, "setAccessibleName", "ui.tabs")
        self.tabs.setTabBarAutoHide(True)
        self.tabs.addTab(self.flow_scroll, "")
        keep(self.tabs, "setTabText", lambda: say("ui.tab_checks"), 0)
        layout = QVBoxLayout(self)  # with the style's margins: nothing touches the screen's edge
        layout.addLayout(self.top)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(self.bottom)
        self._make_run_actions()
        self._order_tabs()
        self._connect()
        self.fill_tree()
        self._set_banner("waiting", say("ui.not_started"), "")
        self._refresh_cards()

    # -- the controller's state, read through -----------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.controller.running

    @property
    def results(self) -> list[CheckResult]:
        return list(self.controller.results.values())

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
        self.show_notice()
        self.top = QHBoxLayout()
        """The banner's row: the verdict, and at its right what the page is shown with adds (a button)."""
        self.top.addWidget(self.banner_icon, 0, Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        text.addWidget(self.banner)
        text.addWidget(self.fix_first)
        text.addWidget(self.server_notice)
        self.top.addLayout(text, 1)

    def show_notice(self) -> None:
        """Name the session's profile servers on a private network (hidden when there are none), in the language in
        use whenever it changes."""
        keep(self.server_notice, "setText", lambda: self.controller.session.notice)
        self.server_notice.setVisible(bool(self.controller.session.notice))

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

    def _make_flow(self, pickers: bool, speaker: str | None, offer_snapshot: bool,
                   offer_interview_mode: bool) -> None:
        """The guided flow: the preview with its coaching, then the steps, then plan B."""
        controller = self.controller
        config = controller.session.config
        self.camera_panel: CameraPanel | None = None
        if controller.has_camera:
            self.camera_panel = CameraPanel(config.thresholds, offer_snapshot=offer_snapshot)
            self.camera_panel.camera_wanted.connect(self._camera_wanted)
            if self.camera_panel.snapshot_box is not None:
                self.camera_panel.snapshot_box.toggled.connect(lambda on: setattr(controller, "picture", on))
        self.mic_panel: MicPanel | None = None
        if controller.has_mic:
            self.mic_panel = MicPanel(config.mic)
            self.mic_panel.attach(controller)
        self.throughput: ThroughputGraph | None = None
        if config.network.backend != "none" and any(c.category == "network" for c in controller.session.checks):
            self.throughput = ThroughputGraph()
        self.pickers: DevicePickers | None = None
        if pickers and (controller.has_camera or controller.has_mic):
            self.pickers = DevicePickers(config.camera.text, config.mic.text, speaker)
            self.pickers.camera.setEnabled(controller.has_camera)
            self.pickers.mic.setEnabled(controller.has_mic)
            self.pickers.speaker.setEnabled(self.mic_panel is not None)
            self.pickers.camera_chosen.connect(lambda text: controller.choose_camera(camera_spec(text)))
            self.pickers.mic_chosen.connect(lambda text: controller.choose_mic(mic_spec(text)))
            self.pickers.speaker_chosen.connect(self.use_speaker)
        if speaker:
            self.use_speaker(speaker)
        self.cards = {step: StepCard(step) for step, _ in STEPS}
        for card in self.cards.values():
            card.details_toggled.connect(self._details_toggled)
        self.plan_b = PlanBCard(offer_interview_mode=offer_interview_mode)
        self.plan_b.interview_mode.connect(self.interview_mode_wanted)
        self.devices = _column(self.pickers, self.mic_panel)
        """The pickers and the microphone test: under the preview."""
        if self.throughput is not None:
            self.devices.layout().addWidget(self.throughput, 1)
        self.steps = _column(*self.cards.values(), self.plan_b)
        """The step cards and the plan B: beside the preview on a wide page, under it on a narrow one."""
        self.steps.layout().addStretch(1)
        self.lead = QVBoxLayout()
        """The preview, and beside the steps the devices under it: what the steps stand beside. A layout, not a
        widget, so that the devices moving in and out of it keep their parent (and stay shown)."""
        if self.camera_panel is not None:
            self.lead.addWidget(self.camera_panel)
        self.flow = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.flow.addLayout(self.lead, 3)
        self.flow.addWidget(self.steps, 2)
        self.wide: bool | None = None
        """Whether the steps stand beside the preview (None until the page is first laid out)."""
        column = QVBoxLayout()
        column.addLayout(self.flow)
        column.addWidget(self.details_area)
        column.addStretch(1)  # what height is left goes below it all, never between the parts
        page = QWidget()
        page.setLayout(column)
        self.flow_scroll = _Scrolling()
        self.flow_scroll.setWidgetResizable(True)
        self.flow_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.flow_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no Tab stop of its own: Tab goes to what is inside
        self.flow_scroll.setWidget(page)
        self._reflow(wide=True)
        self._fit_timer = QTimer(self, singleShot=True, interval=40)
        self._fit_timer.timeout.connect(self._fit_page)
        self.flow_scroll.viewport().installEventFilter(self)

    def _reflow(self, wide: bool) -> None:
        """The steps beside the preview and the devices under it (``wide``), else one column: the preview, the
        steps, the devices, so that the verdict of each step stays near the top on a narrow page too. The order of
        the layouts is the order of reading (and of Tab) either way."""
        if wide == self.wide:
            return
        first = self.wide is None
        self.wide = wide
        lead = self.lead
        self.flow.removeWidget(self.devices)
        if wide:
            self.flow.setDirection(QBoxLayout.Direction.LeftToRight)
            lead.addWidget(self.devices)
            lead.addStretch(1)  # beside taller steps, the room left goes below the devices
        else:
            self.flow.setDirection(QBoxLayout.Direction.TopToBottom)
            lead.removeWidget(self.devices)
            lead.takeAt(lead.count() - 1)  # the stretch
            self.flow.addWidget(self.devices)
        for i in range(self.flow.count()):
            self.flow.setStretch(i, (3, 2, 0)[i] if wide else 0)
        if not first:  # (the first time, the page is not yet made: it orders Tab itself once it is)
            self._order_tabs()  # Tab in the new order

    def _fits_side_by_side(self, width: int) -> bool:
        """Whether the preview with the devices and the steps both have room for their words in ``width``: the
        steps a column of at least STEP_COLUMN_CHARS characters, the preview at least PREVIEW_MIN_PX wide. With
        neither a preview nor devices (a check of the network alone), the steps have the whole width."""
        if self.camera_panel is None and self.devices.layout().isEmpty():
            return False
        chars = self.steps.fontMetrics().averageCharWidth()
        left = max(self.devices.minimumSizeHint().width(), PREVIEW_MIN_PX)
        if self.camera_panel is not None:
            left = max(left, self.camera_panel.minimumSizeHint().width())
        right = max(self.steps.minimumSizeHint().width(), STEP_COLUMN_CHARS * chars)
        margins = self.flow_scroll.widget().layout().contentsMargins()
        return width >= left + right + self.flow.spacing() + margins.left() + margins.right()

    def _fit_preview(self) -> None:
        """The preview as large as its width allows for a 16:9 picture, but no taller than leaves the rest of its
        column in view (beside the steps), or than PREVIEW_SHARE_NARROW of the view (above them): on a low screen the
        picture is smaller, never the words."""
        if self.camera_panel is None:
            return
        view = self.camera_panel.view
        height = self.flow_scroll.viewport().height()
        around = self.camera_panel.minimumSizeHint().height() - view.minimumHeight()  # the hint, the snapshot box
        if self.wide:
            room = height - around - self.devices.sizeHint().height() - 4 * self.flow.spacing()
        else:
            room = int(height * PREVIEW_SHARE_NARROW) - around
        wanted = max(PREVIEW_MIN_HEIGHT_PX, min(room, view.width() * 9 // 16))
        if abs(wanted - view.height()) > self._scroll_bar_px():  # not back and forth as the scroll bar comes and goes
            view.setFixedHeight(wanted)

    def _scroll_bar_px(self) -> int:
        return self.flow_scroll.verticalScrollBar().sizeHint().width()

    def _fit_page(self) -> None:
        """Lay the page out for the width and height it has, and make it as tall as its words need. The scroll area
        hears of a card that needs more lines only by chance (a change in the page's smallest size), so after the
        cards' own layouts it is asked to measure the page again (setting "resizable" does that), whenever the words
        or the size change."""
        # the width as if the scroll bar were shown: the steps do not move as it comes and goes
        self._reflow(self._fits_side_by_side(self.flow_scroll.contentsRect().width() - self._scroll_bar_px()))
        self._fit_preview()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self.flow_scroll.widget().layout().invalidate()
        self.flow_scroll.setWidgetResizable(True)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)  # its parts placed at its new size now

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
        self.run_button.clicked.connect(self.controller.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.bottom = QHBoxLayout()
        self.bottom.addWidget(self.progress, 1)
        self.bottom.addWidget(self.progress_text)
        self.bottom.addWidget(self.run_button)
        self.bottom.addWidget(self.cancel_button)

    def _make_run_actions(self) -> None:
        """Run (F5, Ctrl+R) and Cancel (Esc) from the keyboard; the main window puts them in its File menu too."""
        self.run_action = QAction(self)
        worded(self.run_action, "setText", "ui.run")
        self.run_action.setShortcuts([QKeySequence("F5"), QKeySequence("Ctrl+R")])
        self.run_action.triggered.connect(self.controller.start)
        self.cancel_action = QAction(self)
        worded(self.cancel_action, "setText", "ui.cancel")
        self.cancel_action.setShortcut(QKeySequence("Esc"))
        self.cancel_action.setEnabled(False)
        self.cancel_action.triggered.connect(self.cancel)
        self.addActions([self.run_action, self.cancel_action])

    def _order_tabs(self) -> None:
        """Tab follows the page as it is read: the banner, the preview, the pickers, the microphone test, each step
        and plan B, the rows and words, then Run and Cancel (:func:`app.access.follow_layout`)."""
        follow_layout(self)

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

    def fill_tree(self) -> None:
        """A row for each check of the session (again after another profile was opened)."""
        self.tree.clear()
        self.items = []
        groups: dict[str, QTreeWidgetItem] = {}
        for loaded in self.controller.session.checks:
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

    # -- devices ----------------------------------------------------------------------------------

    def _camera_wanted(self, on: bool) -> None:
        if on:
            self.controller.open_camera()
        elif not self.running:  # the checks may be reading it
            self.controller.release_camera()

    def use_speaker(self, text: str) -> None:
        """Play through these speakers (``auto``: the system's default)."""
        if self.mic_panel is not None:
            self.mic_panel.playback.player.device = None if text == AUTO else text

    # -- running ----------------------------------------------------------------------------------

    def _phase_changed(self, phase: Phase) -> None:
        self._set_running(phase is not Phase.IDLE)
        self._show_phase(phase)
        if phase is Phase.RECORDING:
            if self.mic_panel is not None:  # the prompt to read aloud in view, on a small screen too
                self._fit_page()  # where the prompt's new lines put the meter, not where it was
                self.flow_scroll.ensureWidgetVisible(self.mic_panel.meter, 50, 150)
        elif phase is Phase.CHECKING:
            self.flow_scroll.verticalScrollBar().setValue(0)  # back to the steps, where the results come
            self._show_progress()  # from the take's bar to the checks' count

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
        if self.throughput is not None and any(i.startswith("network.") for i in ids):
            self.throughput.clear()
        for item in self.items:
            if item.data(0, Qt.ItemDataRole.UserRole) in ids:
                self._set_item_status(item, "waiting")
                item.setData(0, _RESULT_ROLE, None)
        self._show_progress()
        self._set_banner("running", say("ui.checking"), "")
        self._refresh_cards()

    def _show_progress(self) -> None:
        done, total = self.controller.progress()
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)
        self.progress_text.setText(say("ui.checking_progress", done=done, total=total))

    def _refresh_cards(self) -> None:
        controller = self.controller
        known = controller.known()
        pending = controller.pending()
        for step, categories in STEPS:
            ids = [c.id for c in controller.session.checks if c.category in categories]
            summary = summarise(step, [known[i] for i in ids if i in known], controller.report,
                                running=[i for i in ids if i in pending], expected=ids)
            self.cards[step].show_summary(summary)
            self.cards[step].setVisible(bool(ids))
        report = controller.report
        channels = report.backup_channels if report is not None else []
        checklist = list(report.checklist) if report is not None else say_all("report.checklist.items")
        self.plan_b.show_plan(channels, checklist)
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
            self._fit_page()  # laid out now, so that it is scrolled to where it is, not where it was hidden
            area = self.flow_scroll
            QTimer.singleShot(0, area, lambda: area.ensureWidgetVisible(self.details_area, 0, 0))
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
        self._refresh_cards()
        self._show_progress()

    def _show_result(self, item: QTreeWidgetItem, result: CheckResult, status: str | None = None) -> None:
        """A finished check's row; ``status`` is the report's ("info" where the profile does not require it)."""
        item.setData(0, _RESULT_ROLE, result)
        self._set_item_status(item, status or result.status.value, format_value(result))
        item.setToolTip(0, f"<p>{html.escape(result.summary)}</p>")  # a tooltip that looks like HTML is HTML
        if item is self.tree.currentItem():
            self._show_details()

    def _on_finished(self, report: Report) -> None:
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

    def retranslate(self) -> None:
        """What the page shows that is not worded (reword() does that): the rows, the banner, the cards, the
        details, again in the language in use. What the checks found keeps the language it was checked in."""
        self._set_running(self.running)
        self._reword_rows()
        if self.running:
            self._show_phase(self.controller.phase)
        elif self.controller.report is not None:
            self._show_verdict(self.controller.report)
        else:
            self._set_banner("waiting", say("ui.not_started"), "")
        self._refresh_cards()
        self._show_details()
        if self.camera_panel is not None:
            self.camera_panel.retranslate()

    def _reword_rows(self) -> None:
        titles = {c.id: c.title for c in self.controller.session.checks}
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
                parts.extend(f"<li><b>{e(r.title)}</b> — {e(labelled(_status_text(r.status.value), r.summary))}</li>"
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

    # -- the end ----------------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop the preview and the sound, cancel a run and release the devices (the window is closing, or the
        kiosk's student is done)."""
        if self.mic_panel is not None:
            self.mic_panel.stop()
        if self.camera_panel is not None:
            self.camera_panel.stop()
        self.controller.close()  # cancels a run, then releases the camera


class _Scrolling(QScrollArea):
    """The page's middle, which scrolls: it asks for no more height than its smallest, so that a page shown in a
    scroll area of its own (the kiosk's) is laid out as high as that shows, its verdict and Run in view; it takes
    the height the page has left."""

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self.minimumSizeHint().height())


def _column(*parts: QWidget | None) -> QWidget:
    """The parts given (None: left out), one under the other, in a widget of their own that a layout can move."""
    column = QWidget()
    layout = QVBoxLayout(column)
    layout.setContentsMargins(0, 0, 0, 0)
    for part in parts:
        if part is not None:
            layout.addWidget(part)
    return column


def make_app() -> QApplication:
    """The application, set up for the window and the kiosk alike."""
    app = application()
    # OpenCV's own worker threads cost more than they give for the preview's small pictures (they wait by spinning,
    # on a laptop's two or four cores shared with the meeting app): one thread per caller; see the README benchmark.
    import cv2

    cv2.setNumThreads(1)
    return app


def end_app(code: int, grace_s: float) -> int:
    """The app's exit code, once its event loop has ended: the workers still running wind down (at most
    ``grace_s``), then every window is deleted, children before parents, while the application still exists. Left
    to the interpreter's end, Qt's objects are deleted in no set order, and a window's destructor then reached
    widgets already gone (a crash, seen when another program destroyed the kiosk's window). Where some work did
    not end in time (a device that does not answer), the process ends here with ``code``: nothing is kept, so
    nothing is lost."""
    if not wind_down(grace_s):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    for window in QApplication.topLevelWidgets():
        window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return code
