"""The screen-share preview opened from the File menu as a candidate opens it, on a real X display: prints, as
JSON, how far the picture differs from the window where the menu was (0: the window as drawn, no menu in it).

Run by tests/test_screen_preview.py as ``python -m tests.support.share_probe`` with ``DISPLAY`` set and
``QT_QPA_PLATFORM=xcb``.
"""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QPoint, QRect, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.cli import make_parser
from app.screen_preview import ScreenPreview
from app.session import resolve
from app.window import MainWindow, make_app
from checks.text.wording import say

ARGS = ["--camera", "none", "--mic", "none", "--network", "none", "--only", "system.power"]


def main() -> int:
    app = make_app()
    window = MainWindow(resolve(make_parser().parse_args(ARGS)))
    window.resize(900, 600)
    window.show()
    QTest.qWaitForWindowExposed(window)
    QTest.qWait(500)
    menu = window.menuBar().actions()[0].menu()
    action = next(a for a in menu.actions() if a.text() == say("screen_preview.action"))
    window.menuBar().setActiveAction(window.menuBar().actions()[0])  # the File menu opens, as clicked
    for _ in range(100):
        if menu.isVisible():
            break
        QTest.qWait(50)
    QTest.qWait(300)
    where = QRect(menu.mapToGlobal(QPoint(0, 0)), menu.size())
    answer: dict = {}

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ScreenPreview):
            QTimer.singleShot(50, look)
            return
        shot = dialog.pixmap.toImage()
        drawn = window.grab().toImage()
        origin = window.mapToGlobal(QPoint(0, 0))
        differ = total = 0
        for x in range(where.left() + 2, where.right() - 2, 3):
            for y in range(where.top() + 2, where.bottom() - 2, 3):
                inside = QPoint(x, y) - origin
                if not drawn.rect().contains(inside) or not shot.rect().contains(QPoint(x, y)):
                    continue
                total += 1
                a, b = shot.pixelColor(x, y), drawn.pixelColor(inside)
                differ += max(abs(a.red() - b.red()), abs(a.green() - b.green()), abs(a.blue() - b.blue())) > 24
        answer.update(menu=[where.x(), where.y(), where.width(), where.height()], sampled=total,
                      differing=round(differ / max(1, total), 3))
        dialog.reject()
        app.quit()

    QTimer.singleShot(0, look)
    rect = menu.actionGeometry(action)
    QTest.mouseClick(menu, Qt.MouseButton.LeftButton, pos=rect.center())  # the candidate's click on the item
    QTimer.singleShot(20_000, app.quit)
    app.exec()
    print(json.dumps(answer))
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
