"""Preview my screen share: a picture of the screen as the interviewer would see it, with the screen findings.

The picture is taken with ``QScreen.grabWindow(0)`` and kept in memory only while the dialog is open; it is never
written anywhere. Only when the candidate ticks the box (never in kiosk mode) is it put, as a JPEG, on the
``screen.display`` result of the report now shown, so that a report they save or send themselves contains it,
like the camera snapshot.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QImage, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.icons import status_icon
from app.reword import worded
from checks.api import MAX_PICTURE_BYTES, Picture
from checks.report.model import Report
from checks.text.wording import labelled, say

SHOWN = QSize(800, 450)
"""The picture is shown at most this big: about what an interviewer's call window gives a shared screen."""
KEPT_WIDTH = 1280
"""A picture put in a report is at most this wide."""
DISPLAY_CHECK = "screen.display"


def grab_screen() -> QPixmap | None:
    """The whole primary screen, in memory; None when there is no screen or the desktop does not allow it."""
    screen = QGuiApplication.primaryScreen()
    if screen is None:
        return None
    pixmap = screen.grabWindow(0)
    return None if pixmap.isNull() else pixmap


def to_picture(pixmap: QPixmap) -> Picture:
    """The screen as a report picture: a JPEG at most :data:`KEPT_WIDTH` wide and small enough for a report."""
    image = pixmap.toImage()
    if image.width() > KEPT_WIDTH:
        image = image.scaledToWidth(KEPT_WIDTH, Qt.TransformationMode.SmoothTransformation)
    for quality in (80, 60, 40, 25):
        data = _jpeg(image, quality)
        if len(data) <= MAX_PICTURE_BYTES:
            break
    else:
        image = image.scaledToWidth(image.width() // 2, Qt.TransformationMode.SmoothTransformation)
        data = _jpeg(image, 25)
    return Picture(data, image.width(), image.height(), say("screen_preview.picture_description"))


def _jpeg(image: QImage, quality: int) -> bytes:
    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "JPEG", quality)
    buffer.close()
    return bytes(array.data())


def with_screen_picture(report: Report, picture: Picture | None) -> Report:
    """The report with ``picture`` on its ``screen.display`` result (None takes it off again)."""
    results = tuple(dataclasses.replace(r, picture=picture) if r.id == DISPLAY_CHECK else r for r in report.results)
    return dataclasses.replace(report, results=results)


class ScreenPreview(QDialog):
    """The dialog. ``window`` is the main window: its ``report`` gives the findings and receives the picture."""

    def __init__(self, window: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        self.window_ = window
        self.setWindowTitle(say("screen_preview.title"))
        self.setAccessibleName(say("screen_preview.title"))
        self.pixmap: QPixmap | None = None

        intro = QLabel(say("screen_preview.intro"))
        intro.setWordWrap(True)
        self.picture = QLabel()
        self.picture.setAccessibleName(say("screen_preview.picture_name"))
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setMinimumSize(SHOWN)
        self.size_label = QLabel()
        self.size_label.setWordWrap(True)

        findings = QVBoxLayout()
        heading = QLabel(say("screen_preview.findings"))
        heading.setStyleSheet("font-weight: bold")
        findings.addWidget(heading)
        findings.addWidget(self.size_label)
        self.finding_rows: list[QLabel] = []
        for result in self._screen_results():
            row = QHBoxLayout()
            icon = QLabel()
            icon.setPixmap(status_icon(result.status.value).pixmap(20, 20))
            icon.setAccessibleName(say(f"status.{result.status.value}"))
            text = QLabel(f"{result.title} — {labelled(say(f'status.{result.status.value}'), result.summary)}"
                          + "".join(f"\n• {line}" for line in result.advice[-1:]))
            text.setWordWrap(True)
            text.setTextFormat(Qt.TextFormat.PlainText)
            row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
            row.addWidget(text, 1)
            findings.addLayout(row)
            self.finding_rows.append(text)
        if not self.finding_rows:
            none = QLabel(say("screen_preview.no_findings"))
            none.setWordWrap(True)
            findings.addWidget(none)
            self.finding_rows.append(none)
        findings.addStretch(1)
        side = QWidget()
        side.setLayout(findings)
        side.setMaximumWidth(360)

        self.include: QCheckBox | None = None
        if not getattr(window, "kiosk", False):
            self.include = QCheckBox(say("screen_preview.include"))
            self.include.setAccessibleName(say("screen_preview.include"))
            self.include.setToolTip(say("screen_preview.include_note"))
            self.include.setAccessibleDescription(say("screen_preview.include_note"))
            self.include.setEnabled(self._report() is not None and self._has_display_result())
            self.include.setChecked(self._current_picture() is not None)
            self.include.toggled.connect(self._include_changed)

        refresh = QPushButton(say("screen_preview.refresh"))
        refresh.setAccessibleName(say("screen_preview.refresh"))
        refresh.clicked.connect(self.take)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.addButton(refresh, QDialogButtonBox.ButtonRole.ActionRole)

        body = QHBoxLayout()
        body.addWidget(self.picture, 1)
        body.addWidget(side)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(body, 1)
        if self.include is not None:
            layout.addWidget(self.include)
        layout.addWidget(buttons)
        self.take()

    # -- the report ---------------------------------------------------------------------------------------------

    def _report(self) -> Report | None:
        report = getattr(self.window_, "report", None)
        return report if isinstance(report, Report) else None

    def _screen_results(self) -> list[Any]:
        report = self._report()
        return [r for r in report.results if r.category == "screen"] if report is not None else []

    def _has_display_result(self) -> bool:
        return any(r.id == DISPLAY_CHECK for r in self._screen_results())

    def _current_picture(self) -> Picture | None:
        return next((r.picture for r in self._screen_results() if r.id == DISPLAY_CHECK), None)

    def _include_changed(self, ticked: bool) -> None:
        report = self._report()
        if report is None:
            return
        picture = to_picture(self.pixmap) if ticked and self.pixmap is not None else None
        self.window_.controller.report = with_screen_picture(report, picture)
        view = getattr(self.window_, "report_view", None)
        if view is not None and view.report() is report:  # the report tab shows the picture too, ticks kept
            ticks = view.ticked()
            view.set_report(self.window_.report)
            for box in view.tick_boxes:
                box.setChecked(ticks.get(box.accessibleName(), False))

    # -- the picture --------------------------------------------------------------------------------------------

    def take(self) -> None:
        """Take the picture of the screen (again: this dialog is then on it too, as it would be in a share)."""
        screen = QGuiApplication.primaryScreen()
        self.pixmap = grab_screen()
        if screen is not None:
            size = screen.size()
            ratio = screen.devicePixelRatio()
            self.size_label.setText(say("screen_preview.size", width=round(size.width() * ratio),
                                        height=round(size.height() * ratio), percent=round(ratio * 100)))
        else:
            self.size_label.setText(say("screen_preview.no_screen"))
        if self.pixmap is None:
            self.picture.setText(say("screen_preview.no_picture") if screen is not None
                                 else say("screen_preview.no_screen"))
            self.picture.setWordWrap(True)
            self.picture.setAccessibleDescription(self.picture.text())
            return
        shown = self.pixmap.scaled(SHOWN.boundedTo(self.pixmap.size()), Qt.AspectRatioMode.KeepAspectRatio,
                                   Qt.TransformationMode.SmoothTransformation)
        self.picture.setPixmap(shown)
        self.picture.setAccessibleDescription(say("screen_preview.shown_at", width=shown.width(),
                                                  height=shown.height()))
        self.picture.setToolTip(self.picture.accessibleDescription())
        if self.include is not None and self.include.isChecked():
            self._include_changed(True)  # the report keeps the picture now shown

    def done(self, result: int) -> None:
        self.pixmap = None  # nothing of the screen is kept once the dialog closes (unless it was ticked)
        self.picture.clear()
        super().done(result)


def open_preview(window: Any) -> None:
    """Open the preview once the menu that asked for it has closed and the window is drawn again where the menu
    was: the picture shows the screen as a share would, never the app's own open menu."""
    if QApplication.activePopupWidget() is not None:  # still closing
        QTimer.singleShot(20, lambda: open_preview(window))
        return
    QGuiApplication.sync()  # the menu is gone from the window system too
    QApplication.processEvents()  # and the window below has heard that its pixels are to be drawn again
    window.repaint()
    QGuiApplication.sync()
    ScreenPreview(window).exec()


def add_preview_action(window: Any, menu: QMenu) -> QAction:
    """The menu item that opens the preview (the window's only hook)."""
    action = QAction(window)
    worded(action, "setText", "screen_preview.action")
    action.triggered.connect(lambda: QTimer.singleShot(0, lambda: open_preview(window)))
    menu.addAction(action)
    return action
