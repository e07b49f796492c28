"""The live camera preview: the picture as the interviewer will see it, framing guides, and one coaching hint.

The camera is read by a :class:`FrameFeed` thread; the view pulls the newest frame on a display-rate timer, so the
GUI never queues a backlog. Analysis runs off the GUI thread (a :class:`Coach` worker) a few times a second on the
newest frame, and its verdict is smoothed so that the hint does not flicker; what it finds reaches the view only
through its signal. Frames stay in memory and are never saved.
"""

from __future__ import annotations

from collections.abc import Generator

import cv2
import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from app.icons import COLOURS, status_icon
from app.reword import worded
from app.workers import GeneratorWorker
from checks.analysis.camera import GUIDE_EYES_Y, GUIDE_X, analyse_frame
from checks.analysis.faces import Box, HaarFaceDetector
from checks.analysis.smoothing import Steady
from checks.api import Finding
from checks.builtin.camera import LiveMotion, hint_text, live_hint
from checks.engine.thresholds import Thresholds
from checks.sources.camera import FrameFeed
from checks.text.wording import say

DISPLAY_MS = 33  # about 30 pictures a second
ANALYSE_EVERY_S = 0.2  # verdicts five times a second
THOROUGH_EVERY = 5  # with no face in view, look for a distant face once a second


class Coach(GeneratorWorker):
    """Analyses the newest frame a few times a second; yields the face seen and the smoothed hint to show (its check
    and finding), or None while no hint has held steady yet. It lasts as long as the preview."""

    lasting = True

    def __init__(self, feed: FrameFeed, thresholds: Thresholds) -> None:
        super().__init__()
        self.feed = feed
        self.thresholds = thresholds
        self.quick = HaarFaceDetector(passes=((320, 0.08),))
        self.thorough = HaarFaceDetector()
        self.movement = LiveMotion()

    def steps(self) -> Generator[tuple[Box | None, tuple[str, Finding] | None], None, None]:
        steady: Steady[tuple[str, str]] = Steady()
        seen, misses = 0, 0
        while not self.rest(ANALYSE_EVERY_S):
            seq, frame = self.feed.latest()
            if frame is None or seq == seen:
                continue
            seen = seq
            detector = self.thorough if misses and misses % THOROUGH_EVERY == 0 else self.quick
            try:
                analysis = analyse_frame(frame, detector)
            except ValueError:
                continue
            misses = 0 if analysis.faces else misses + 1
            moving = self.movement.update(frame, analysis, self.thresholds)
            check_id, finding = live_hint(analysis, self.thresholds, moving)
            held = steady.update((check_id, finding.key)) == (check_id, finding.key)
            yield analysis.face, (check_id, finding) if held else None


class CameraView(QWidget):
    """Paints the newest frame, mirrored like a mirror, with the face box and the framing guides."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(320, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        worded(self, "setAccessibleName", "ui.camera_preview")
        self.image: QImage | None = None
        self.face: Box | None = None
        self.message = say("ui.camera_starting")
        self.painted = 0
        """How many pictures were shown (for the benchmark: pictures per second)."""

    def show_frame(self, frame: np.ndarray, face: Box | None) -> None:
        """Show a frame: scaled once, here, to the size it is painted at, and mirrored in the same pass, so that
        painting is a plain copy (no scaling in the paint, no extra copy of the picture)."""
        h, w = frame.shape[:2]
        ratio = self.devicePixelRatioF()
        scale = min(1.0, max(1.0, self.width() * ratio) / w, max(1.0, self.height() * ratio) / h)
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        small = cv2.resize(frame, size, interpolation=cv2.INTER_LINEAR) if scale < 1 else frame
        self._pixels = cv2.flip(small, 1)  # a mirror, as people expect to see themselves; kept for the image
        ph, pw = self._pixels.shape[:2]
        self.image = QImage(self._pixels.data, pw, ph, self._pixels.strides[0], QImage.Format.Format_BGR888)
        self.image.setDevicePixelRatio(ratio)
        self.face = face
        self.painted += 1
        self.update()

    def show_message(self, text: str) -> None:
        self.image, self.face, self.message = None, None, text
        self.update()

    def _picture_rect(self) -> QRectF:
        assert self.image is not None
        w, h = self.image.deviceIndependentSize().width(), self.image.deviceIndependentSize().height()
        scale = min(self.width() / w, self.height() / h)
        return QRectF((self.width() - w * scale) / 2, (self.height() - h * scale) / 2, w * scale, h * scale)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#202124"))
        if self.image is None:
            painter.setPen(QColor("white"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message)
            return
        rect = self._picture_rect()
        if abs(rect.width() - self.image.deviceIndependentSize().width()) < 1:
            painter.drawImage(rect.topLeft(), self.image)  # already at its painted size: a plain copy
        else:  # the widget is larger than the camera's picture
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(rect, self.image)
        guide = QPen(QColor(255, 255, 255, 150), 1, Qt.PenStyle.DashLine)
        painter.setPen(guide)
        middle = rect.left() + GUIDE_X * rect.width()  # mirrored about the middle: the same line
        painter.drawLine(QPointF(middle, rect.top()), QPointF(middle, rect.bottom()))
        eyes = rect.top() + GUIDE_EYES_Y * rect.height()
        painter.drawLine(QPointF(rect.left(), eyes), QPointF(rect.right(), eyes))
        if self.face is not None:
            f = self.face
            box = QRectF(rect.left() + (1 - f.x - f.w) * rect.width(), rect.top() + f.y * rect.height(),
                         f.w * rect.width(), f.h * rect.height())
            painter.setPen(QPen(QColor("#7CFC00"), 2))
            painter.drawRect(box)


class CameraPanel(QWidget):
    """The preview with its hint line (icon and words) underneath, a button to turn the camera off, and the opt-in
    to a snapshot in the report."""

    camera_wanted = Signal(bool)
    """The candidate turned the camera on (True) or off (False)."""

    def __init__(self, thresholds: Thresholds, parent: QWidget | None = None, *, offer_snapshot: bool = True) -> None:
        super().__init__(parent)
        self.thresholds = thresholds
        self.view = CameraView()
        self.hint_icon = QLabel()
        self.hint_icon.setFixedSize(28, 28)
        self.hint = QLabel(say("ui.camera_starting"))
        self.hint.setTextFormat(Qt.TextFormat.PlainText)  # it may name a device or a file
        worded(self.hint, "setAccessibleDescription", "ui.camera_hint")  # its name is the hint itself
        self.hint.setWordWrap(True)
        font = QFont(self.hint.font())
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.hint.setFont(font)
        self.toggle = QPushButton()
        self.toggle.clicked.connect(lambda: self.camera_wanted.emit(self.feed is None))
        row = QHBoxLayout()
        row.addWidget(self.hint_icon)
        row.addWidget(self.hint, 1)
        row.addWidget(self.toggle)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        self.snapshot_box: QCheckBox | None = None
        """The opt-in to a camera snapshot in the report (unticked at start; never offered in kiosk mode)."""
        if offer_snapshot:
            self.snapshot_box = QCheckBox()
            worded(self.snapshot_box, "setText", "picture.opt_in")
            worded(self.snapshot_box, "setAccessibleName", "picture.opt_in")
            worded(self.snapshot_box, "setAccessibleDescription", "picture.opt_in_note")
            worded(self.snapshot_box, "setToolTip", "picture.opt_in_note")
            layout.addWidget(self.snapshot_box)
        self.feed: FrameFeed | None = None
        self.coach: Coach | None = None
        self._face: Box | None = None
        self._coached: tuple[str, Finding] | None = None
        """The coach's last steady hint (its check and finding), worded again when the language changes."""
        self._coach_hint = ("waiting", say("ui.camera_starting"))
        self._shown = 0
        self.timer = QTimer(self)
        self.timer.setInterval(DISPLAY_MS)
        self.timer.timeout.connect(self._tick)
        self._message: tuple[str, str] | None = ("waiting", "ui.camera_starting")
        """The hint while no picture is coached (its status and wording key); None for a problem's own words."""
        self._problem = False  # the camera could not be opened: the preview says there is no picture
        self._set_hint("waiting", say("ui.camera_starting"))
        self._set_toggle(on=True)

    def start(self, feed: FrameFeed) -> None:
        self.stop()
        self.feed = feed
        self._face, self._coached = None, None
        self._coach_hint = ("waiting", say("ui.camera_starting"))
        coach = Coach(feed, self.thresholds)
        coach.signals.yielded.connect(self._coach_found)  # no closure over the coach: it would outlive the preview
        self.coach = coach
        coach.start()
        self._message = None
        self._problem = False
        self.timer.start()
        self._set_toggle(on=True)

    def show_problem(self, text: str) -> None:
        """No preview: the camera could not be opened. The hint says why, once (the Camera check says what to do);
        the empty preview says only that there is no picture."""
        self.stop()
        self._message = None
        self._problem = True
        self.view.show_message(say("ui.camera_no_picture"))
        self._set_hint("fail", text)

    def stop(self) -> None:
        self.timer.stop()
        if self.coach is not None:
            self.coach.quit()
            self.coach.wait(2.0)
            self.coach = None
        self.feed = None
        self._set_toggle(on=False)

    def show_off(self) -> None:
        """The camera is released: nothing is seen until the candidate turns it on or runs the checks."""
        self.stop()
        self._message = ("skip", "ui.camera_is_off")
        self._problem = False
        self.retranslate()

    def retranslate(self) -> None:
        """The hint and the preview's message again in the language in use (the fixed texts follow by themselves)."""
        if self.coach is not None:
            self._coach_hint = self._worded_hint()
        elif self._message is not None:
            status, key = self._message
            self.view.show_message(say(key))
            self._set_hint(status, say(key))
        elif self._problem:  # the reason under it stays as it was found
            self.view.show_message(say("ui.camera_no_picture"))

    def _set_toggle(self, on: bool) -> None:
        key = "ui.camera_turn_off" if on else "ui.camera_turn_on"
        worded(self.toggle, "setText", key)
        worded(self.toggle, "setAccessibleName", key)

    def _set_hint(self, status: str, text: str) -> None:
        if (status, text) == getattr(self, "_hint_shown", None):  # 30 times a second: restyle only on a change
            return
        self._hint_shown = (status, text)
        self.hint.setText(text)
        self.hint_icon.setPixmap(status_icon(status).pixmap(28, 28))
        self.hint.setStyleSheet(f"color: {COLOURS[status]};")

    def _coach_found(self, found: tuple[Box | None, tuple[str, Finding] | None]) -> None:
        """What the coach saw in the newest frame: the face, and the hint when one has held steady (a coach stopped
        meanwhile is no longer heard)."""
        if self.coach is None or self.sender() is not self.coach.signals:
            return
        face, hint = found
        self._face = face
        if hint is not None:
            self._coached = hint
            self._coach_hint = self._worded_hint()

    def _worded_hint(self) -> tuple[str, str]:
        if self._coached is None:
            return "waiting", say("ui.camera_starting")
        check_id, finding = self._coached
        return finding.status.value, hint_text(check_id, finding)

    def _tick(self) -> None:
        if self.feed is None or self.coach is None:
            return
        seq, frame = self.feed.latest()
        if frame is not None and seq != self._shown:
            self._shown = seq
            self.view.show_frame(frame, self._face)
        self._set_hint(*self._coach_hint)
