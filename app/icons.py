"""Status icons drawn in code: a coloured disc with the status mark, so status never relies on colour alone."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

from checks.text.wording import say

COLOURS = {
    "pass": "#1b7f3b",
    "warn": "#b35c00",
    "fail": "#c62828",
    "error": "#8e24aa",
    "skip": "#757575",
    "info": "#546e7a",
    "running": "#1565c0",
    "waiting": "#9e9e9e",
}


@cache
def status_icon(status: str, size: int = 64) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(COLOURS[status]))
    painter.drawEllipse(QRectF(2, 2, size - 4, size - 4))
    painter.setPen(QColor("white"))
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(size * 0.6))
    painter.setFont(font)
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, say(f"status_mark.{status}"))
    painter.end()
    icon = QIcon(pixmap)
    icon.addPixmap(pixmap, QIcon.Mode.Selected)  # keep the status colour on a selected row
    return icon
