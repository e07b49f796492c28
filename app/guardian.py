"""Interview mode's small window: frameless, always on top, quiet while all is well.

It is a view of :class:`checks.guard.judgement.Status`: the watcher loop (:func:`checks.guard.watchers.run`) runs off
the GUI thread (:class:`app.workers.GuardWorker`) and reaches the window only through signals. *All good* is a tick and
"Connection good"; *trouble* is one line with the one thing to do now; *down* is the plan B card: the profile's backup
channel first (with a copy button and its ``tel:``/``mailto:`` link), what to say, and the general plan B reminders,
all taken from the report model (:func:`checks.report.model.build_report`). Its menu (⋯) holds the corners, Close and
the tick box for the optional microphone watcher (off by default; the microphone chosen in the main window; a level
only).

Nothing is saved but the corner the window sits in (a small file in the user's config folder) and, only when the
candidate asks for it after the interview, the record of states.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QMouseEvent
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLayout,
    QMenu,
    QMessageBox,
    QPushButton,
    QSystemTrayIcon,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.access import announce
from app.icons import status_icon
from app.messages import warn
from app.plan_b import PlanBView
from app.workers import GuardWorker
from checks.config.profile import Profile
from checks.guard.judgement import Change, Status
from checks.guard.watchers import Watch, guard_limits, stun_servers, timeline_record
from checks.report.model import Report, build_report
from checks.sources.mic import MicSpec
from checks.storage.files import NotSaved, write_atomically
from checks.text.wording import labelled, say

ICON_STATUS = {"checking": "waiting", "good": "pass", "trouble": "warn", "down": "fail"}
"""The report's status icons (a disc with a mark: never colour alone) for the guardian's states."""
BACKGROUND = {"checking": "#f5f5f5", "good": "#f1f8f3", "trouble": "#fff4e5", "down": "#fdecea"}
CORNERS = ("top-left", "top-right", "bottom-left", "bottom-right")
MARGIN = 16


def settings_path() -> Path:
    """The small settings file (the window's corner) in the user's config folder."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("interview-ready", appauthor=False)) / "guardian.json"


def exclude_from_capture(window: QWidget) -> bool:
    """Hide the window from screen sharing where the platform allows (Windows 10 2004 and later); best effort."""
    if sys.platform != "win32":
        return False
    import ctypes

    wda_exclude_from_capture = 0x11
    try:
        return bool(ctypes.windll.user32.SetWindowDisplayAffinity(ctypes.c_void_p(int(window.winId())),
                                                                  wda_exclude_from_capture))
    except (AttributeError, OSError):
        return False


class GuardianWindow(QWidget):
    """The small window. :meth:`show_status` is its only input."""

    record_saved = Signal(object)  # the timeline's lines, when the candidate chose to keep the record

    def __init__(self, channels: Sequence[Mapping[str, Any]] = (), reminders: Sequence[str] = (),
                 settings: Path | None = None, parent: QWidget | None = None, mic: MicSpec | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Tool | Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint)
        self.setWindowTitle(say("guard.title"))
        self.setAccessibleName(say("guard.window_name"))
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.channels = list(channels)
        self.reminders = list(reminders)
        self.settings = settings or settings_path()
        self.state: str | None = None
        self.changes: list[Change] = []
        self.worker: GuardWorker | None = None
        self._drag: QPoint | None = None
        self.tray: QSystemTrayIcon | None = None

        self.icon = QLabel()
        self.icon.setFixedSize(28, 28)
        self.name = QLabel()
        self.name.setObjectName("state")
        self.line = QLabel()
        self.line.setWordWrap(True)
        self.line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = QPushButton("×")
        self.close_button.setAccessibleName(say("guard.close"))
        self.close_button.setToolTip(say("guard.close"))
        self.close_button.setFixedWidth(32)
        self.close_button.clicked.connect(self.close)
        self.mic = mic if mic is not None and mic.kind not in ("file", "none") else MicSpec("auto")
        """The microphone the tick box watches: the one chosen in the main window, else the default one."""
        self.menu = QMenu(self)
        self.menu_button = QToolButton()
        self.menu_button.setText("⋯")
        self.menu_button.setAccessibleName(say("guard.menu"))
        self.menu_button.setToolTip(say("guard.menu"))
        self.menu_button.setMenu(self.menu)
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.mic_action = QAction(say("guard.mic_level"), self)
        self.mic_action.setCheckable(True)  # off by default
        self.mic_action.toggled.connect(self.watch_mic)
        self.menu.addAction(self.mic_action)
        self.menu.addSeparator()
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setObjectName("notice")
        self.notice.setVisible(False)
        head = QHBoxLayout()
        head.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.name)
        text.addWidget(self.line)
        text.addWidget(self.notice)
        head.addLayout(text, 1)
        head.addWidget(self.menu_button, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)

        self.card = PlanBView(at_hand=True)
        self.card.setAccessibleName(say("guard.plan_b_title"))
        self.card.layout().setContentsMargins(0, 6, 0, 0)
        self.card.show_plan(self.channels, self.reminders)
        self.action, self.copy_button, self.open_button = self.card.action, self.card.copy_button, self.card.open_button

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 8, 8)
        layout.addLayout(head)
        layout.addWidget(self.card)
        self._shortcuts()
        self.show_status(Status(0.0, "good", "checking"))  # nothing measured yet: never "good" at first

    # -- the view -----------------------------------------------------------------------------------------

    def show_status(self, status: Status) -> None:
        """Show one state: the icon and the state's name (never colour alone), the line, the plan B card. Called
        five times a second: nothing is redrawn unless the state or its sentence changed."""
        shown = (status.state, status.text(), self.font().key())
        if shown == getattr(self, "_shown", None):
            return
        self._shown = shown
        changed = self.state is not None and status.state != self.state
        self.icon.setPixmap(status_icon(ICON_STATUS[status.shown]).pixmap(28, 28))
        name = say(f"guard.state_names.{status.shown}")
        self.icon.setAccessibleName(name)
        self.name.setText(f"<b>{name}</b>")
        good = status.state == "good"
        self.line.setText(status.text())
        self.line.setVisible(not good or status.reason not in ("ok", "checking"))
        self.card.setVisible(status.state == "down")
        self.setAccessibleDescription(f"{name}. {status.text()}")
        if changed:
            self.notice.setVisible(False)  # told once; the next change replaces it
        self.setStyleSheet(f"GuardianWindow {{ background: {BACKGROUND[status.shown]}; border: 1px solid #888; }}"
                           "QLabel#tips { color: #333; } QToolButton::menu-indicator { image: none; width: 0; }")
        self._fit(status.state)
        self.state = status.state
        if changed:
            self.notify(name, status.text())
            announce(self, f"{name}. {status.text()}")  # a screen reader says it at once, as the notification

    def _fit(self, state: str) -> None:
        """Size the window to what it shows, in its corner."""
        layout = self.layout()
        for inner in layout.findChildren(QLayout):  # each keeps its own measure of a label whose text changed
            inner.invalidate()
        layout.invalidate()
        width = max(self._width(state), layout.totalMinimumSize().width())  # a longer state name is never cut
        self.setFixedWidth(width)
        layout.activate()
        self.setFixedHeight(max(layout.totalHeightForWidth(width), layout.totalMinimumSize().height()))
        if self.state is not None and self.isVisible():
            self.place(self.corner())

    def _width(self, state: str) -> float:
        """About 240 px when all is well, wider for a sentence or the card; grows with the font (200 % size)."""
        em = self.fontMetrics().averageCharWidth()
        return int({"good": 40, "trouble": 48, "down": 62}[state] * em)

    def notify(self, title: str, text: str) -> None:
        """A desktop notification on a change (where the desktop has a tray); best effort, never a sound."""
        if self.tray is None and QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(status_icon("info"), self)
            self.tray.show()
        if self.tray is not None and QSystemTrayIcon.supportsMessages():
            self.tray.showMessage(labelled(say("guard.notify_title"), title), text, QSystemTrayIcon.MessageIcon.NoIcon,
                                  8000)

    def bring_forward(self) -> None:
        """Raise the window and give it the keyboard (its menu button first): how a keyboard reaches it."""
        self.raise_()
        self.activateWindow()
        self.menu_button.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def copy_channel(self) -> None:
        self.card.copy_channel()

    # -- the corner ---------------------------------------------------------------------------------------

    def corner(self) -> str:
        try:
            corner = json.loads(self.settings.read_text(encoding="utf-8")).get("corner")
        except (OSError, ValueError, AttributeError):
            corner = None
        return corner if corner in CORNERS else "top-right"

    def save_corner(self, corner: str) -> None:
        with contextlib.suppress(OSError):  # a setting that cannot be kept is not worth an error
            self.settings.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.settings, json.dumps({"corner": corner}) + "\n")

    def place(self, corner: str) -> None:
        screen = self.screen() or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        x = area.left() + MARGIN if corner.endswith("left") else area.right() - self.width() - MARGIN
        y = area.top() + MARGIN if corner.startswith("top") else area.bottom() - self.height() - MARGIN
        self.move(x, y)

    def nearest_corner(self) -> str:
        screen = self.screen() or QGuiApplication.primaryScreen()
        centre = screen.availableGeometry().center()
        middle = self.frameGeometry().center()
        return f"{'top' if middle.y() < centre.y() else 'bottom'}-{'left' if middle.x() < centre.x() else 'right'}"

    def move_to(self, corner: str) -> None:
        self.place(corner)
        self.save_corner(corner)

    def _shortcuts(self) -> None:
        keys = {"top-left": "Ctrl+Alt+Left", "top-right": "Ctrl+Alt+Right", "bottom-left": "Ctrl+Alt+Down",
                "bottom-right": "Ctrl+Alt+End"}
        for corner, key in keys.items():
            action = QAction(say(f"guard.corner_names.{corner}"), self)
            action.setShortcut(QKeySequence(key))
            action.triggered.connect(lambda _=False, c=corner: self.move_to(c))
            self.addAction(action)
            self.menu.addAction(action)
        self.menu.addSeparator()
        self.menu.addAction(say("guard.close"), self.close)
        copy = QAction(say("guard.copy"), self)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.triggered.connect(self.copy_channel)
        self.addAction(copy)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._drag = event.globalPosition().toPoint() - self.frameGeometry().topLeft()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag is not None:
            self.move(event.globalPosition().toPoint() - self._drag)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag is not None:
            self._drag = None
            self.move_to(self.nearest_corner())
        super().mouseReleaseEvent(event)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.place(self.corner())
        exclude_from_capture(self)

    # -- the watcher --------------------------------------------------------------------------------------

    def watch_mic(self, on: bool) -> None:
        """The menu's tick box: watch the chosen microphone's level (the loop follows it), or stop."""
        if self.worker is not None:
            self.worker.watch.mic = self.mic if on else None

    def tell(self, text: str) -> None:
        """A watcher that cannot watch: said once, under the line; its tick box goes off."""
        self.notice.setText(text)
        self.notice.setVisible(True)
        with QSignalBlocker(self.mic_action):
            self.mic_action.setChecked(False)
        if self.worker is not None:
            self.worker.watch.mic = None
        self._fit(self.state or "good")

    def watch(self, watch: Watch) -> None:
        """Start the watcher loop; its statuses reach :meth:`show_status` through a signal."""
        self.worker = GuardWorker(watch)
        self.worker.status.connect(self.show_status)
        self.worker.timeline.connect(self._stopped)
        self.worker.signals.errored.connect(self._failed)
        self.worker.notice.connect(self.tell)
        self.started_at = time.perf_counter()
        self.worker.start()

    def _stopped(self, changes: list[Change]) -> None:
        self.changes = list(changes)

    def _failed(self, error: BaseException) -> None:
        """The watcher itself failed: told in the window, never a traceback."""
        self.line.setText(say("guard.failed", error=f"{type(error).__name__}: {error}"))
        self.line.setVisible(True)

    def closeEvent(self, event: Any) -> None:
        if self.worker is not None:
            self.worker.cancel()
            QApplication.processEvents()  # the last signal: the timeline
            worker, self.worker = self.worker, None
            if any(c.state != "good" for c in self.changes):
                self.offer_timeline()
            del worker
        if self.tray is not None:
            self.tray.hide()
        super().closeEvent(event)

    def offer_timeline(self) -> None:
        """Opt-in: save the record of states (times and numbers only) to add to the report."""
        ask = QMessageBox(QMessageBox.Icon.Question, say("guard.title"), say("guard.offer_timeline"), parent=self)
        save = ask.addButton(say("guard.save_timeline"), QMessageBox.ButtonRole.AcceptRole)
        ask.addButton(say("guard.discard_timeline"), QMessageBox.ButtonRole.RejectRole)
        ask.exec()
        if ask.clickedButton() is not save:
            return
        path, _ = QFileDialog.getSaveFileName(self, say("guard.save_timeline"), "interview-record.json",
                                              "JSON (*.json)")
        record = timeline_record(self.changes, time.perf_counter())
        if path:
            try:
                write_atomically(Path(path), json.dumps(record, indent=2) + "\n")
            except NotSaved as error:  # names the file and why; the record still goes into the report
                warn(self, str(error))
        self.record_saved.emit(list(record["lines"]))


def plan_b(profile: Profile | None, report: Report | None = None) -> tuple[list[dict], list[str]]:
    """The backup channels and the general reminders, as the report model builds them."""
    built = report or build_report([], profile)
    return [dict(c) for c in built.backup_channels], list(built.reminders)


def start_interview_mode(profile: Profile | None = None, report: Report | None = None,
                         stun: Sequence[tuple[str, int]] = (), mic: MicSpec | None = None) -> GuardianWindow:
    """Open interview mode's window and start watching (the main window's *Start interview mode*); ``mic`` is the
    microphone chosen there, for the menu's level tick box."""
    channels, reminders = plan_b(profile, report)
    window = GuardianWindow(channels, reminders, mic=mic)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    window.watch(Watch(stun_servers(stun, profile), guard_limits()))
    window.show()
    return window
