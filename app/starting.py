"""The first moments: whether there is a screen at all, the application object, and a small window that says the
app is getting ready while the checks, OpenCV and NumPy load (a second or more on a slow laptop).

Nothing here imports more than Qt's widgets, and Qt only when a window is made.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from checks import __version__
from checks.text.wording import say

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QWidget


def no_screen() -> bool:
    """True on Linux with no display to open a window on (Qt would abort there)."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def application() -> QApplication:
    """The application, named, with the keyboard aids (:mod:`app.access`), for the window and the kiosk alike."""
    from PySide6.QtWidgets import QApplication

    from app.access import install

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(say("ui.app_name"))
    app.setApplicationVersion(__version__)
    install(app)  # the focus ring and Enter on buttons
    return app


def show_starting(full_screen: bool = False) -> QWidget:
    """Show at once a small window that says the app is getting ready; close it when the main window shows.
    ``full_screen`` for the kiosk: the whole screen says it from the first moment, not a desktop and a small card."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel

    app = application()
    window = QLabel(say("ui.starting"))
    window.setWindowTitle(say("ui.app_name"))
    window.setAccessibleName(say("ui.app_name"))
    window.setAccessibleDescription(say("ui.starting"))
    window.setAlignment(Qt.AlignmentFlag.AlignCenter)
    window.setWordWrap(True)
    window.setMargin(40)
    font = window.font()
    font.setPointSizeF(font.pointSizeF() * 1.5)
    window.setFont(font)
    window.setMinimumWidth(window.fontMetrics().averageCharWidth() * 36)
    if full_screen:
        from app.lockdown import fill_screen  # Qt only, as this module

        fill_screen(window)  # also where no window manager honours "full screen"
        window.showFullScreen()
    else:
        window.show()
    app.processEvents()  # drawn now, before the long imports that follow
    return window
