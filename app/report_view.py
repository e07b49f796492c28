"""The readiness report as a widget: the verdict, the fix that matters most, every check, and the plan B.

Left: the verdict banner (icon and words), the fixes in order of importance, then the checks by category with ✓ ! ✗
(icon and word), the measured value, the limit and the advice; checks the profile does not require say
"For information". Right, always visible: the interview (local time and a countdown), the backup channels and
reminders, and the pre-interview checklist, each with a tick box.

Text from a profile is shown as plain text; links are shown in full and only :attr:`ReportView.link_requested` is
emitted when one is activated: the window decides whether to open it.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from PySide6.QtCore import QMimeData, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont, QMouseEvent, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.export import figure_image
from app.icons import COLOURS, status_icon
from app.lockdown import opening_refused
from app.messages import ask
from app.reword import unworded, when_text, worded
from checks.api import CheckResult
from checks.report.export import VERDICT_STATUS, Figure, figures, has_picture, interview_lines
from checks.report.model import Report, category_label, channel_text, fix_first_text, format_value
from checks.text.wording import labelled, say

ICON_SIZE = 20
FIGURE_WIDTH = 520


def _label(text: str, *, bold: bool = False, size: float | None = None, muted: bool = False) -> QLabel:
    """A plain-text label (never rich text: profile text cannot become markup), wrapped, selectable."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAccessibleName(text)
    if bold or size:
        font = QFont(label.font())
        font.setBold(bold)
        if size:
            font.setPointSizeF(font.pointSizeF() * size)
        label.setFont(font)
    if muted:
        label.setStyleSheet("color: #555555;")
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    return label


def _icon(status: str, size: int = ICON_SIZE) -> QLabel:
    label = QLabel()
    label.setPixmap(status_icon(status).pixmap(size, size))
    label.setFixedSize(size, size)
    label.setAccessibleName(say(f"status.{status}") if status != "info" else say("status.info"))
    return label


class _TickLabel(QLabel):
    """The wrapped text of a tick box; clicking it ticks the box too."""

    def __init__(self, text: str, box: QCheckBox) -> None:
        super().__init__(text)
        self.box = box
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setBuddy(box)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.box.toggle()
        super().mouseReleaseEvent(event)


class ReportView(QWidget):
    """Shows a :class:`~checks.report.model.Report`. ``set_report(report)`` fills it; ``clear()`` empties it."""

    link_requested = Signal(str)
    """A link (http(s), mailto or tel, already validated) the user activated; the window confirms and opens it."""

    def __init__(self, parent: QWidget | None = None, now: Callable[[], datetime] | None = None,
                 countdown_every_ms: int = 30_000) -> None:
        """``now`` is the clock and ``countdown_every_ms`` how often the interview's countdown moves on (a test
        passes its own)."""
        super().__init__(parent)
        worded(self, "setAccessibleName", "report.title")
        self._now = now or (lambda: datetime.now(timezone.utc))
        self._report: Report | None = None
        self.tick_boxes: list[QCheckBox] = []
        self.countdown_label: QLabel | None = None
        self.banner = _label("", bold=True, size=1.6)
        worded(self.banner, "setAccessibleName", "ui.verdict_banner")
        self.banner_icon = QLabel()
        self.banner_icon.setFixedSize(40, 40)
        self.fix_first = _label("", size=1.15)
        worded(self.fix_first, "setAccessibleName", "report.fix_first")
        banner_row = QHBoxLayout()
        banner_row.addWidget(self.banner_icon)
        banner_row.addWidget(self.banner, 1)
        self.banner_frame = QFrame()
        self.banner_frame.setObjectName("verdict")
        banner_box = QVBoxLayout(self.banner_frame)
        banner_box.addLayout(banner_row)
        banner_box.addWidget(self.fix_first)

        self._left = QVBoxLayout()
        self._right = QVBoxLayout()
        left_widget, right_widget = QWidget(), QWidget()
        left_widget.setLayout(self._left)
        right_widget.setLayout(self._right)
        self.left_scroll, self.right_scroll = QScrollArea(), QScrollArea()
        for scroll, widget, name in ((self.left_scroll, left_widget, "report.checks"),
                                     (self.right_scroll, right_widget, "report.backup")):
            scroll.setWidget(widget)
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            worded(scroll, "setAccessibleName", name)
            scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        columns = QHBoxLayout()
        columns.addWidget(self.left_scroll, 3)
        columns.addWidget(self.right_scroll, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner_frame)
        layout.addLayout(columns, 1)

        self._timer = QTimer(self)
        self._timer.setInterval(countdown_every_ms)
        self._timer.timeout.connect(self._update_countdown)
        self.clear()

    # -- filling ---------------------------------------------------------------------------------------------

    def report(self) -> Report | None:
        return self._report

    def clear(self) -> None:
        """Empty the view (before a run)."""
        self._report = None
        self._timer.stop()
        self.tick_boxes = []
        self.countdown_label = None
        for layout in (self._left, self._right):
            _empty(layout)
        worded(self.banner, "setText", "ui.not_started")
        worded(self.banner, "setAccessibleName", "ui.verdict_banner")
        worded(self.fix_first, "setAccessibleName", "report.fix_first")
        self.banner_icon.clear()
        self.fix_first.setText("")
        self.fix_first.hide()
        self.banner_frame.setStyleSheet("")

    def set_report(self, report: Report) -> None:
        """Show ``report``: verdict, fixes, checks, interview, plan B and checklist (tick boxes start unticked)."""
        self.clear()
        self._report = report
        status = VERDICT_STATUS[report.overall]
        unworded(self.banner, "setText", report.headline())
        unworded(self.banner, "setAccessibleName", labelled(say("ui.verdict_banner"), report.headline()))
        self.banner_icon.setPixmap(status_icon(status).pixmap(40, 40))
        self.banner_icon.setAccessibleName(say(f"status.{status}"))
        self.banner_frame.setStyleSheet(f"#verdict {{ border-left: 8px solid {COLOURS[status]}; }}")
        self.fix_first.setText(fix_first_text(report))
        unworded(self.fix_first, "setAccessibleName", self.fix_first.text())
        self.fix_first.show()
        self._fill_left(report)
        self._fill_right(report)
        if self.countdown_label is not None:
            self._timer.start()

    def _fill_left(self, report: Report) -> None:
        fixes = report.fixes()
        if len(fixes) > 1:
            box, inner = _group(say("report.fixes"))
            for number, r in enumerate(fixes, 1):
                inner.addLayout(self._row(report, r, prefix=f"{number}. "))
            self._left.addWidget(box)
        if report.changes:
            box, inner = _group(say("report.changes"))
            for line in report.changes:
                inner.addWidget(_label(line))
            self._left.addWidget(box)
        for category, results in report.by_category():
            box, inner = _group(category_label(category))
            for r in results:
                inner.addLayout(self._row(report, r, with_figures=True))
            self._left.addWidget(box)
        self._left.addStretch(1)

    def _row(self, report: Report, r: CheckResult, prefix: str = "", with_figures: bool = False) -> QHBoxLayout:
        key = report.status_key(r)
        row = QHBoxLayout()
        row.addWidget(_icon(key), 0, Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        text.setSpacing(2)
        value = f" — {format_value(r)}" if r.value is not None else ""
        text.addWidget(_label(labelled(f"{prefix}{r.title}", f"{report.status_label(r)}{value}"), bold=True))
        body = [r.summary] + ([] if report.is_info(r) else [f"• {line}" for line in r.advice])
        text.addWidget(_label("\n".join(body)))
        notes = [report.info_note()] if report.is_info(r) else []
        if report.limits.get(r.id):
            notes.append(report.limits[r.id])
        if notes:
            text.addWidget(_label("\n".join(notes), muted=True))
        for figure in figures(r) if with_figures else ():
            text.addWidget(_figure(figure))
            text.addWidget(_label(f"{figure.title}. {figure.description}", muted=True))
        row.addLayout(text, 1)
        return row

    def _fill_right(self, report: Report) -> None:
        lines = interview_lines(report, self._now(), when_text)
        if lines:
            box, inner = _group(say("report.interview"))
            for line in lines:
                if line["link"]:
                    inner.addWidget(self._link(line["text"] or "", line["link"]))
                else:
                    label = _label(line["text"] or "")
                    if line["kind"] == "starts":
                        self.countdown_label = label
                    inner.addWidget(label)
            self._right.addWidget(box)
        backup, inner = _group(say("report.backup"))
        inner.addWidget(_label(say("report.backup_intro"), muted=True))
        for channel in report.backup_channels:
            inner.addLayout(self._tick(channel_text(channel)))
            if channel.get("link") and channel.get("link") != channel.get("value"):
                inner.addWidget(self._link("", str(channel["link"])))
        for line in report.reminders:
            inner.addLayout(self._tick(line))
        self._right.addWidget(backup)
        if report.checklist:
            box, inner = _group(say("report.checklist_title"))
            for line in report.checklist:
                inner.addLayout(self._tick(line))
            self._right.addWidget(box)
        note = "report.export_note_picture" if has_picture(report) else "report.export_note"
        self._right.addWidget(_label(say(note), muted=True))
        self._right.addStretch(1)

    def _tick(self, text: str) -> QHBoxLayout:
        box = QCheckBox()
        box.setAccessibleName(say("report.tick", text=text))
        self.tick_boxes.append(box)
        row = QHBoxLayout()
        row.addWidget(box, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(_TickLabel(text, box), 1)
        return row

    def _link(self, text: str, url: str) -> QLabel:
        """A link shown in full (escaped); activating it only emits :attr:`link_requested`."""
        label = QLabel(f"{html.escape(text)} <a href=\"{html.escape(url, quote=True)}\">{html.escape(url)}</a>")
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        label.setOpenExternalLinks(False)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                      | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        label.setAccessibleName(f"{text} {url}".strip())
        label.linkActivated.connect(lambda _=None, u=url: self.link_requested.emit(u))
        return label

    def _update_countdown(self) -> None:
        if self._report is None or self.countdown_label is None:
            return
        for line in interview_lines(self._report, self._now(), when_text):
            if line["kind"] == "starts":
                self.countdown_label.setText(line["text"] or "")
                self.countdown_label.setAccessibleName(line["text"] or "")

    def ticked(self) -> dict[str, bool]:
        """Each tick box's text and whether it is ticked (the state lives only in the window)."""
        return {b.accessibleName(): b.isChecked() for b in self.tick_boxes}


SAFE_SCHEMES = ("http", "https", "mailto", "tel")


def confirm_and_open(parent: QWidget | None, url: str) -> bool:
    """Show the whole link and open it only if the user agrees (and it is http(s), mailto or tel; never in kiosk
    mode)."""
    link = QUrl(url)
    if link.scheme().lower() not in SAFE_SCHEMES or opening_refused():
        return False
    return ask(parent, say("report.open_link", link=url), title=say("report.open_link_title")) \
        and QDesktopServices.openUrl(link)


def dropped_profile(mime: QMimeData) -> Path | None:
    """The profile in a drag-and-drop: exactly one local ``.toml`` file, else None (for dragEnter and drop)."""
    urls = mime.urls() if mime.hasUrls() else []
    if len(urls) != 1 or not urls[0].isLocalFile():
        return None
    path = Path(urls[0].toLocalFile())
    return path if path.suffix.lower() == ".toml" else None


def _figure(figure: Figure) -> QLabel:
    """A plot or the snapshot, at its own size (never wider than :data:`FIGURE_WIDTH`), named for screen readers."""
    label = QLabel()
    ratio = label.devicePixelRatioF()
    width = min(figure.width, FIGURE_WIDTH)
    pixmap = QPixmap.fromImage(figure_image(figure, scale=ratio)).scaledToWidth(
        round(width * ratio), Qt.TransformationMode.SmoothTransformation)
    pixmap.setDevicePixelRatio(ratio)
    label.setPixmap(pixmap)
    label.setAccessibleName(figure.title)
    label.setAccessibleDescription(figure.description)
    label.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return label


def _group(title: str) -> tuple[QGroupBox, QVBoxLayout]:
    """A titled, named section and its layout. The title is a wrapping label, so that a long title in a large
    font (kiosk mode) never makes the section wider than its column."""
    box = QGroupBox()
    box.setAccessibleName(title)
    layout = QVBoxLayout(box)
    layout.addWidget(_label(title, bold=True, size=1.1))
    return box, layout


def _empty(layout: QVBoxLayout | QHBoxLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item.widget() is not None:
            item.widget().deleteLater()
        elif item.layout() is not None:
            _empty(item.layout())
