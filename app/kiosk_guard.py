"""What keeps a student inside the kiosk and the kiosk on the whole screen.

- :func:`refuse_opening_links`: from then on, for the rest of the process, no URL is handed to another program
  (browser, dialler, mail client, file manager): the :class:`QDesktopServices` handler of every scheme a link
  may have refuses it, and :func:`app.report_view.confirm_and_open` and :func:`app.export.open_mail_draft`
  refuse before asking (:func:`opening_refused`).
- :func:`clear_clipboards`: the clipboard, the X11 PRIMARY selection and the macOS find buffer, emptied.
- :func:`close_windows_of`: closes every dialog and other window before the wipe destroys its parent (a box
  still waiting for an answer when its parent goes is a double free).
- :func:`fill_screen` and :func:`scrolled`: the window takes exactly its screen's geometry (with a window
  manager or without one), and content that is taller than the screen scrolls instead of growing the window.
- :class:`FrontKeeper`: the kiosk comes back at once when it is minimised, hidden or covered, and holds the
  keyboard (X11) while it is in front, so the window manager's keys do not reach the desktop.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QFrame, QScrollArea, QWidget

REFUSED_SCHEMES = (
    "http", "https", "ftp", "ftps", "sftp", "file", "mailto", "tel", "callto", "sip", "sips", "sms", "smsto",
    "facetime", "facetime-audio", "skype", "msteams", "ms-teams", "zoommtg", "zoomus", "webex", "wbx", "meet",
    "slack", "discord", "whatsapp", "tg", "xmpp", "irc", "ircs", "news", "nntp", "ssh", "telnet", "vnc", "rdp",
    "smb", "nfs", "afp", "webcal", "magnet", "steam", "geo", "maps", "market", "intent", "data", "javascript",
    "about", "chrome", "edge", "vscode", "x-github-client", "ms-settings", "settings", "help", "ghelp", "man",
    "info", "appstream", "apt", "snap", "flatpak", "trash", "computer", "recent", "network", "admin",
)


class _Refusal(QObject):
    """Takes the URLs Qt would hand to another program, and drops them (nothing about them is kept)."""

    def __init__(self) -> None:
        super().__init__(QApplication.instance())
        self.refused = 0

    @Slot(QUrl)
    def refuse(self, _url: QUrl) -> None:
        self.refused += 1


_refusal: _Refusal | None = None


def refuse_opening_links() -> None:
    """From now on, in this process, nothing opens another program (kiosk mode; it is never undone)."""
    global _refusal
    if _refusal is None:
        _refusal = _Refusal()
        for scheme in REFUSED_SCHEMES:
            QDesktopServices.setUrlHandler(scheme, _refusal, "refuse")


def opening_refused() -> bool:
    """Whether :func:`refuse_opening_links` is in force (checked by every place that would open a link)."""
    return _refusal is not None


def close_windows_of(keep: QWidget) -> int:
    """Close every visible window of the app but ``keep``, before the wipe: dialogs are answered "Cancel"
    (a waiting ``QMessageBox.question`` returns), others are closed; a dialog that belongs to a widget the
    wipe is about to destroy is handed to ``keep``, so it is destroyed only by the code that opened it."""
    closed = 0
    for widget in QApplication.topLevelWidgets():
        if widget is keep or not widget.isWindow() or not widget.isVisible():
            continue
        if widget.parentWidget() not in (None, keep):
            widget.setParent(keep, widget.windowFlags())
        if isinstance(widget, QDialog):
            widget.reject()
        else:
            widget.close()
        widget.hide()
        closed += 1
    return closed


def clear_clipboards() -> None:
    """Empty the clipboard, the X11 PRIMARY selection (what selecting text fills) and the macOS find buffer."""
    clipboard = QGuiApplication.clipboard()
    clipboard.clear(clipboard.Mode.Clipboard)
    for mode, supported in ((clipboard.Mode.Selection, clipboard.supportsSelection()),
                            (clipboard.Mode.FindBuffer, clipboard.supportsFindBuffer())):
        if supported:
            clipboard.setText("", mode)  # owning it first makes the clear reach other programs' text too
            clipboard.clear(mode)


def fill_screen(window: QWidget) -> None:
    """Give ``window`` exactly its screen's geometry, also where no window manager honours "full screen"."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    geometry = screen.geometry()
    window.setMinimumSize(0, 0)
    window.setFixedSize(geometry.size())
    window.setGeometry(geometry)


def scrolled(widget: QWidget) -> QScrollArea:
    """``widget`` in a frameless scroll area: it may then be taller than the screen without growing the window."""
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    area.setAccessibleName(widget.accessibleName())
    return area


class FrontKeeper(QObject):
    """Keeps ``window`` full screen and in front until :meth:`stop`: minimised, hidden, covered or left inactive
    for another program, it is shown again at once; while it is the active window it grabs the keyboard (X11),
    which is let go whenever one of the app's own dialogs (the PIN prompt) is shown."""

    CHECK_MS = 250
    REMAP_WAIT_S = 1.5

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.active = True
        self.grabbed = False
        self._remapped = 0.0
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(0)
        self._soon.timeout.connect(self.restore)
        self._watch = QTimer(self)
        self._watch.setInterval(self.CHECK_MS)
        self._watch.timeout.connect(self._check)
        self._watch.start()
        window.installEventFilter(self)
        QApplication.instance().installEventFilter(self)
        QApplication.instance().applicationStateChanged.connect(lambda *_: self._check())
        if not window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint:  # set before it is shown, as the kiosk does
            window.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint)
            window.showFullScreen()  # a changed flag hides a window

    def stop(self) -> None:
        self.active = False
        self._watch.stop()
        self._soon.stop()
        self._grab(False)
        QApplication.instance().removeEventFilter(self)
        self.window.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.active:
            return False
        kind = event.type()
        if watched is self.window:
            if kind in (QEvent.Type.WindowStateChange, QEvent.Type.Hide, QEvent.Type.WindowDeactivate):
                self._check()
            elif kind == QEvent.Type.WindowActivate:
                self._grab(True)
        elif kind == QEvent.Type.Show and isinstance(watched, QWidget) and watched.isWindow():
            self._grab(False)  # the app's own dialog: it needs the keys
        return False

    def _own_window_in_front(self) -> bool:
        front = QApplication.activeModalWidget() or QApplication.activePopupWidget() or QApplication.activeWindow()
        return front is not None and front is not self.window

    def _check(self) -> None:
        if not self.active:
            return
        if not self._in_front():
            self._soon.start()
        elif not self._own_windows_shown():
            self.window.raise_()  # covered by another program's window where no window manager keeps it on top
            if not self.grabbed:
                self._grab(True)  # X refuses the grab until the window is viewable again

    def _own_windows_shown(self) -> bool:
        """A dialog, menu or tooltip of the app is up (raising the kiosk would hide it)."""
        return any(w is not self.window and w.isVisible() for w in QApplication.topLevelWidgets())

    def _shown(self) -> bool:
        """Shown full screen and mapped (the window manager's "show desktop" unmaps it behind Qt's back)."""
        window, handle = self.window, self.window.windowHandle()
        return (window.isVisible() and not window.isMinimized() and window.isFullScreen()
                and handle is not None and handle.isExposed())

    def _in_front(self) -> bool:
        return self._shown() and (self.window.isActiveWindow() or self._own_window_in_front())

    @Slot()
    def restore(self) -> None:
        if not self.active:
            return
        window, handle = self.window, self.window.windowHandle()
        if window.isVisible() and not window.isMinimized() and handle is not None and not handle.isExposed():
            if time.monotonic() - self._remapped < self.REMAP_WAIT_S:
                return  # mapped again just now: the window manager is still at it
            window.hide()  # unmapped behind Qt's back: mapped again below, which a window manager honours
            self._remapped = time.monotonic()
        if not self._shown():
            fill_screen(window)
            window.showFullScreen()
        if not self._own_window_in_front():
            window.raise_()
            window.activateWindow()
            self._grab(True)

    def _grab(self, on: bool) -> None:
        handle = self.window.windowHandle()
        if handle is None or QGuiApplication.platformName() != "xcb":
            return
        if on and self._own_window_in_front():
            return
        self.grabbed = handle.setKeyboardGrabEnabled(on) and on
