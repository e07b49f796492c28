"""A live graph of network speed over time: Mbit/s against seconds, one line per direction.

Feed it samples directly, or hand it the runner's progress (``check_progress(check_id, fraction, message)``):
the throughput checks report ``"… 12.3 Mbit/s"`` several times a second, and :meth:`ThroughputGraph.on_check_progress`
turns those messages into samples (time taken from its own clock, per check)::

    graph = ThroughputGraph()
    graph.add_sample(1.5, 9.8)                          # seconds since the transfer began, Mbit/s
    graph.on_check_progress("network.upload", 0.4, "Measuring upload speed… 4.2 Mbit/s")
"""

from __future__ import annotations

import re
import time

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Slot
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.reword import number_text, unworded, worded
from checks.text.wording import say

MBPS = re.compile(r"(\d+(?:\.\d+)?) Mbit/s")
DIRECTIONS = {"network.download": "download", "network.upload": "upload"}
COLOURS = {"download": QColor(30, 110, 200), "upload": QColor(200, 110, 20)}


def mbps_in(message: str) -> float | None:
    """The Mbit/s figure in a progress message, or None."""
    match = MBPS.search(message)
    return float(match.group(1)) if match else None


class ThroughputGraph(QWidget):
    """Mbit/s over time. Lines: download (blue, solid) and upload (orange, dashed); the latest value as text."""

    def __init__(self, parent: QWidget | None = None, *, window_s: float = 10.0, max_points: int = 1000) -> None:
        super().__init__(parent)
        self.window_s = window_s
        self.max_points = max_points
        self.series: dict[str, list[tuple[float, float]]] = {"download": [], "upload": []}
        self.direction = "download"
        self._started: dict[str, float] = {}
        worded(self, "setAccessibleName", "throughput_graph.name")
        worded(self, "setAccessibleDescription", "throughput_graph.empty")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(80)

    def sizeHint(self) -> QSize:
        return QSize(320, 120)

    # -- feeding ----------------------------------------------------------------------------------------------

    @Slot(float, float)
    def add_sample(self, t_s: float, mbps: float) -> None:
        """One sample of the current direction: ``t_s`` seconds since its transfer began, ``mbps`` Mbit/s."""
        if not (t_s >= 0 and mbps >= 0):  # also drops NaN
            return
        points = self.series[self.direction]
        points.append((float(t_s), float(mbps)))
        del points[:-self.max_points]
        text = say("throughput_graph.latest", direction=say(f"throughput_graph.{self.direction}"),
                   mbps=number_text(mbps, 1))
        unworded(self, "setAccessibleDescription", text)
        self.setToolTip(text)
        self.update()

    @Slot(str)
    def set_direction(self, direction: str) -> None:
        """``download`` or ``upload``: where the next samples go."""
        if direction not in self.series:
            raise ValueError(f"direction must be download or upload, not {direction!r}")
        self.direction = direction

    @Slot(str, float, str)
    def on_check_progress(self, check_id: str, fraction: float, message: str) -> None:
        """A runner progress report; samples are taken from the throughput checks' messages."""
        direction = DIRECTIONS.get(check_id)
        mbps = mbps_in(message) if direction else None
        if direction is None or mbps is None:
            return
        now = time.monotonic()
        started = self._started.setdefault(direction, now)
        self.set_direction(direction)
        self.add_sample(now - started, mbps)

    @Slot()
    def clear(self) -> None:
        for points in self.series.values():
            points.clear()
        self._started.clear()
        self.direction = "download"
        worded(self, "setAccessibleDescription", "throughput_graph.empty")
        self.setToolTip("")
        self.update()

    # -- painting ---------------------------------------------------------------------------------------------

    def scale(self) -> tuple[float, float]:
        """The axes' ends: (seconds, Mbit/s), rounded up to readable values."""
        points = [p for series in self.series.values() for p in series]
        seconds = max([self.window_s, *(t for t, _ in points)])
        top = max([1.0, *(m for _, m in points)])
        for nice in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000):
            if top <= nice:
                return seconds, float(nice)
        return seconds, top

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.base())
        text_height = painter.fontMetrics().height()
        plot = QRectF(self.rect()).adjusted(4, text_height + 4, -4, -4)
        seconds, top = self.scale()
        painter.setPen(QPen(palette.mid().color(), 1))
        painter.drawRect(plot)
        for style, direction in ((Qt.PenStyle.SolidLine, "download"), (Qt.PenStyle.DashLine, "upload")):
            points = self.series[direction]
            if not points:
                continue
            polygon = QPolygonF([QPointF(plot.left() + plot.width() * t / seconds,
                                         plot.bottom() - plot.height() * min(m, top) / top) for t, m in points])
            painter.setPen(QPen(COLOURS[direction], 2, style))
            painter.drawPolyline(polygon)
        painter.setPen(palette.text().color())
        painter.drawText(QRectF(4, 2, self.width() - 8, text_height), Qt.AlignmentFlag.AlignLeft,
                         self.accessibleDescription())
        painter.drawText(QRectF(4, 2, self.width() - 8, text_height), Qt.AlignmentFlag.AlignRight,
                         f"{number_text(top, 0 if top.is_integer() else 1)} Mbit/s")
        painter.end()
