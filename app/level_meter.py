"""A live microphone level meter: a dBFS bar with peak hold and a clip indicator, and the level in plain words
("A little quiet", "Good: your voice is clear"), judged by the microphone level check's own limits.

The audio side only copies blocks into a bounded queue (:class:`app.handoff.Handoff`, safe from any thread, never
blocks); a timer in the GUI thread drains the queue and repaints, so the audio callback never waits for the
screen. Feed it from a sounddevice callback or from ``checks.sources.recording.record(on_block=meter.feed.push)``::

    meter = LevelMeter()
    meter.start()                      # the timer runs (25 updates a second by default)
    meter.feed.push(block)             # from the audio thread: float samples, (frames,) or (frames, channels)
    meter.stop()
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.handoff import Handoff
from app.reword import worded
from checks.analysis.audio import FLOOR_DBFS, block_levels
from checks.engine.thresholds import Thresholds
from checks.text.wording import say

LEVEL_WORDS = ("very_quiet", "quiet", "good", "loud")
"""The level's words (``level_meter.words``), quietest first."""
CLIP_DBFS = -0.1
"""A peak at or above this is shown as clipping (the top of the range was reached)."""


def as_block(block: np.ndarray) -> np.ndarray:
    """A copy of a sound block as float samples (the audio library reuses its buffer)."""
    return np.array(block, dtype=np.float32, copy=True)


class LevelMeter(QWidget):
    """A horizontal dBFS bar (RMS), a peak-hold mark, a clip indicator and the level as text."""

    levelChanged = Signal(float, float, bool)
    """Emitted on every update that drained sound."""

    def __init__(self, parent: QWidget | None = None, *, floor_dbfs: float = -60.0, interval_ms: int = 40,
                 hold_s: float = 1.5, clip_hold_s: float = 2.0, capacity: int = 64,
                 clock: Callable[[], float] = time.monotonic, thresholds: Thresholds | None = None) -> None:
        super().__init__(parent)
        limits = (thresholds or Thresholds()).for_check("mic.level")
        self.bands = tuple(zip((float(limits[k]) for k in ("fail_quiet_dbfs", "warn_quiet_dbfs", "warn_loud_dbfs")),
                               LEVEL_WORDS, strict=False))
        """The level's word below each limit (the microphone level check's), and "loud" above the last."""
        self.clock = clock
        """Seconds, for the peak hold and the clip mark (a test passes its own)."""
        self.feed: Handoff[np.ndarray] = Handoff(self.update_from_feed, interval_ms=interval_ms, capacity=capacity,
                                                 copy=as_block, parent=self)
        """Where the sound blocks go, from any thread; the meter drains it on its timer."""
        self.floor_dbfs = floor_dbfs
        self.hold_s = hold_s
        self.clip_hold_s = clip_hold_s
        self.level_dbfs = FLOOR_DBFS
        self.peak_dbfs = FLOOR_DBFS
        self.clipping = False
        self.updates = 0
        """How many timer ticks have run (for the benchmark: updates per second)."""
        self._peak_at = 0.0
        self._clip_at = -1e9
        worded(self, "setAccessibleName", "level_meter.name")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(28)
        self._describe()

    # -- control ------------------------------------------------------------------------------------------------

    def start(self) -> None:
        self.feed.start()

    def stop(self) -> None:
        self.feed.stop()

    @property
    def running(self) -> bool:
        return self.feed.running

    def reset(self) -> None:
        """Back to silence: no level, no held peak, no clip mark; queued blocks are dropped."""
        self.feed.drain()
        self.level_dbfs = self.peak_dbfs = FLOOR_DBFS
        self.clipping = False
        self._clip_at = -1e9
        self._describe()
        self.update()

    # -- updates ------------------------------------------------------------------------------------------------

    def update_from_feed(self) -> None:
        """Drain the queue and show the level of what arrived (the timer calls this)."""
        self.updates += 1
        blocks = self.feed.drain()
        now = self.clock()
        if blocks:
            data = np.concatenate([b.reshape(-1) for b in blocks])
            rms, peak = block_levels(data)
            self.level_dbfs = rms
            if peak >= self.peak_dbfs or now - self._peak_at > self.hold_s:
                self.peak_dbfs, self._peak_at = peak, now
            if peak >= CLIP_DBFS:
                self._clip_at = now
        elif now - self._peak_at > self.hold_s:
            self.peak_dbfs = self.level_dbfs
        self.clipping = now - self._clip_at <= self.clip_hold_s
        self._describe()
        self.update()
        if blocks:
            self.levelChanged.emit(self.level_dbfs, self.peak_dbfs, self.clipping)

    def text(self) -> str:
        """The level in plain words, as shown beside the bar and given to screen readers (the figures in dBFS are
        the checks', in Details and the report)."""
        if self.level_dbfs <= self.floor_dbfs:
            value = say("level_meter.silent")
        else:
            word = next((word for limit, word in self.bands if self.level_dbfs < limit), LEVEL_WORDS[-1])
            value = say(f"level_meter.words.{word}")
        return say("level_meter.clip") if self.clipping else value  # never "good" and "distorting" at once

    def _describe(self) -> None:
        self.setAccessibleDescription(self.text())
        self.setToolTip(self.text())

    # -- drawing ------------------------------------------------------------------------------------------------

    def _x(self, dbfs: float, width: float) -> float:
        fraction = (max(self.floor_dbfs, min(0.0, dbfs)) - self.floor_dbfs) / -self.floor_dbfs
        return fraction * width

    def sizeHint(self) -> QSize:
        return QSize(360, 28)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.text()
        metrics = painter.fontMetrics()
        shown = [say(f"level_meter.words.{word}") for word in LEVEL_WORDS] + [say("level_meter.clip")]
        text_width = max(metrics.horizontalAdvance(text) for text in shown) + 12
        bar = QRectF(1, 4, max(40.0, self.width() - text_width - 2), self.height() - 8)
        painter.setPen(QColor("#616161"))
        painter.setBrush(QColor("#eeeeee"))
        painter.drawRect(bar)
        level_x = self._x(self.level_dbfs, bar.width())
        colour = "#c62828" if self.clipping else ("#b35c00" if self.level_dbfs > -10 else "#1b7f3b")
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(colour))
        painter.drawRect(QRectF(bar.left(), bar.top(), level_x, bar.height()))
        painter.setPen(QColor("#212121"))
        for mark in range(int(self.floor_dbfs), 1, 10):  # a tick every 10 dB
            x = bar.left() + self._x(mark, bar.width())
            painter.drawLine(int(x), int(bar.bottom()) - 4, int(x), int(bar.bottom()))
        if self.peak_dbfs > self.floor_dbfs:
            x = bar.left() + self._x(self.peak_dbfs, bar.width())
            painter.fillRect(QRectF(x - 1.5, bar.top(), 3, bar.height()), QColor("#212121"))
        painter.setPen(self.palette().windowText().color())
        painter.drawText(QRectF(bar.right() + 8, 0, text_width, self.height()),
                         int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), text)
        painter.end()
