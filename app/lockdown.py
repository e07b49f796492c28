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
- :class:`FrontKeeper`: the kiosk comes back at once when it is minimised, hidden or covered; the app's window in
  front (the kiosk, or a dialog of its own such as the PIN prompt) holds the keyboard (X11), so the window
  manager's keys (Alt+Tab) do not reach the desktop, and another program's window made active is undone at once;
  a kiosk window destroyed from outside is reported (:attr:`FrontKeeper.lost`), so the kiosk can exit.
- :func:`no_bus_autolaunch`: where no session bus runs, nothing starts one (D-Bus "autolaunch" would leave a
  ``dbus-daemon`` behind and write ``~/.dbus``).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import stat
import sys
import time
from collections.abc import Callable, MutableMapping

from PySide6.QtCore import QAbstractNativeEventFilter, QByteArray, QEvent, QObject, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QFrame, QScrollArea, QWidget

NO_BUS = "unix:path=/dev/null/no-session-bus"
"""A session bus address that never exists (nothing can be made under /dev/null): a connection fails at once."""
_XCB_DESTROY_NOTIFY = 17

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


def no_bus_autolaunch(environ: MutableMapping[str, str] | None = None) -> bool:
    """Where no session bus runs, make sure nothing starts one: called before the app's first window.

    Qt (its platform theme and accessibility) and GLib's tools connect to the session bus; where none is named
    (``DBUS_SESSION_BUS_ADDRESS``) and none is at ``$XDG_RUNTIME_DIR/bus``, libdbus "autolaunches" one with
    ``dbus-launch --autolaunch``: a ``dbus-daemon`` that outlives the app and a file in ``~/.dbus``. Naming an
    address that can never exist (a path under ``/dev/null``) makes every such connection fail at once instead,
    in this process and in the programs it starts. True when the address was set."""
    environ = os.environ if environ is None else environ
    if environ.get("DBUS_SESSION_BUS_ADDRESS") or sys.platform != "linux":
        return False
    runtime = environ.get("XDG_RUNTIME_DIR")
    if runtime:
        with contextlib.suppress(OSError):
            if stat.S_ISSOCK(os.stat(os.path.join(runtime, "bus")).st_mode):
                return False  # the user's own bus: libdbus and GLib find it there
    environ["DBUS_SESSION_BUS_ADDRESS"] = NO_BUS
    return True


class _DestroyWatch(QAbstractNativeEventFilter):
    """Calls ``destroyed(window_id)`` for each X window destroyed that the app is told about (DestroyNotify)."""

    def __init__(self, destroyed: Callable[[int], None]) -> None:
        super().__init__()
        self.destroyed = destroyed

    def nativeEventFilter(self, kind: QByteArray | bytes, message: object) -> tuple[bool, int]:
        address = int(message)  # a shiboken VoidPtr, whose truth is its (unknown, so 0) size: never tested as such
        if (bytes(kind) == b"xcb_generic_event_t" and address
                and ctypes.c_uint8.from_address(address).value & 0x7F == _XCB_DESTROY_NOTIFY):
            # xcb_destroy_notify_event_t: response_type, pad, sequence (2 bytes), event, window (4 bytes each)
            self.destroyed(ctypes.c_uint32.from_address(address + 8).value)
        return False, 0


class FrontKeeper(QObject):
    """Keeps ``window`` full screen and in front until :meth:`stop`: minimised, hidden, covered or left inactive
    for another program, it is shown again at once. No other program's window stays active while it runs: the
    app's window in front (``window``, or a modal dialog of the app's own such as the PIN prompt) holds the keyboard
    (X11), re-taken at once when a dialog opens or closes, and another program's window that becomes active anyway
    (``xdotool windowactivate``) is left again within :attr:`CHECK_MS`. A menu of the app (a list opened from a
    picker) holds the keyboard itself while it is open, as Qt does for every popup.

    :attr:`lost` is emitted when ``window``'s X window is destroyed from outside (``xdotool windowclose``): Qt
    cannot show it again, so the kiosk exits and its session starts it again."""

    lost = Signal()

    CHECK_MS = 250
    GRAB_RETRY_MS = 20
    REMAP_WAIT_S = 1.5

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.active = True
        self.holder: QWidget | None = None
        """The app's window whose X window holds the keyboard grab (None: none, or a popup's own grab)."""
        self._remapped = 0.0
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(0)
        self._soon.timeout.connect(self.restore)
        self._regrab = QTimer(self)  # until the window in front is viewable: X refuses a grab on it before
        self._regrab.setInterval(self.GRAB_RETRY_MS)
        self._regrab.timeout.connect(self.hold_keyboard)
        self._watch = QTimer(self)
        self._watch.setInterval(self.CHECK_MS)
        self._watch.timeout.connect(self._check)
        self._watch.start()
        self._window_id = int(window.winId())
        self._destroy_watch = _DestroyWatch(self._destroyed)
        QApplication.instance().installNativeEventFilter(self._destroy_watch)
        window.installEventFilter(self)
        QApplication.instance().installEventFilter(self)
        QApplication.instance().applicationStateChanged.connect(lambda *_: self._check())
        if not window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint:  # set before it is shown, as the kiosk does
            window.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint)
            window.showFullScreen()  # a changed flag hides a window
            self._window_id = int(window.winId())

    @property
    def grabbed(self) -> bool:
        """The keyboard is held by one of the app's windows (X11)."""
        return self.holder is not None

    def stop(self) -> None:
        self.active = False
        self._watch.stop()
        self._soon.stop()
        self._regrab.stop()
        self._release()
        QApplication.instance().removeNativeEventFilter(self._destroy_watch)
        QApplication.instance().removeEventFilter(self)
        self.window.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.active:
            return False
        kind = event.type()
        if watched is self.window:
            if kind in (QEvent.Type.WindowStateChange, QEvent.Type.Hide, QEvent.Type.WindowDeactivate):
                self._check()
            elif kind == QEvent.Type.WinIdChange:
                self._window_id = int(self.window.winId())
        if kind in (QEvent.Type.Show, QEvent.Type.Hide, QEvent.Type.WindowActivate) and isinstance(
                watched, QWidget) and watched.isWindow():
            self.hold_keyboard()  # a dialog of the app opened or closed: the keyboard follows it at once,
            self._regrab.start()  # and once more just after (a closing popup lets go of the keyboard after this)
        return False

    def _destroyed(self, window_id: int) -> None:
        if self.active and window_id == self._window_id:
            self.stop()
            QTimer.singleShot(0, self.lost.emit)  # after this X event, not inside its handling

    def _front(self) -> QWidget | None:
        """The app's window that should have the keyboard: a modal dialog of the app's, else the kiosk; None
        while a popup (a picker's list) is open, which holds the keyboard itself."""
        if QApplication.activePopupWidget() is not None:
            return None
        modal = QApplication.activeModalWidget()
        return modal if modal is not None and modal.isVisible() else self.window

    def _check(self) -> None:
        if not self.active:
            return
        if not self._in_front():
            self._soon.start()
            return
        if not self._own_windows_shown():
            self.window.raise_()  # covered by another program's window where no window manager keeps it on top
        self.hold_keyboard()

    def _own_windows_shown(self) -> bool:
        """A dialog, menu or tooltip of the app is up (raising the kiosk would hide it)."""
        return any(w is not self.window and w.isVisible() for w in QApplication.topLevelWidgets())

    def _shown(self) -> bool:
        """Shown full screen and mapped (the window manager's "show desktop" unmaps it behind Qt's back)."""
        window, handle = self.window, self.window.windowHandle()
        return (window.isVisible() and not window.isMinimized() and window.isFullScreen()
                and handle is not None and handle.isExposed())

    def _in_front(self) -> bool:
        """Shown, and one of the app's own windows is the active one (not another program's)."""
        return self._shown() and (QApplication.activeWindow() is not None
                                  or QApplication.activePopupWidget() is not None)

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
        front = self._front() or window
        if QApplication.activeWindow() is None:
            window.raise_()
            front.raise_()
            front.activateWindow()
        self.hold_keyboard()

    @Slot()
    def hold_keyboard(self) -> None:
        """Grab the keyboard for the app's window in front (X11); retried until X grants it."""
        if not self.active:
            return
        front = self._front()
        if front is None or QGuiApplication.platformName() != "xcb":
            self.holder = None  # a popup's own grab, or no X11
            self._regrab.stop()
            return
        handle = front.windowHandle()
        # a grab for another window of the same client moves the grab at once: there is no moment without one,
        # and a refused one (the dialog not viewable yet) leaves the grab where it was until the next try
        if handle is not None and handle.setKeyboardGrabEnabled(True):
            self.holder = front
            self._regrab.stop()
        else:
            self._regrab.start()

    def _release(self) -> None:
        handle = self.window.windowHandle()
        if self.holder is not None and handle is not None and QGuiApplication.platformName() == "xcb":
            handle.setKeyboardGrabEnabled(False)  # ungrabs whichever of the client's windows held it
        self.holder = None
