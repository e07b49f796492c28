"""The screen a candidate would share: which kind of desktop session it is, its size and scaling, its windows.

Only what the system exposes without asking is read: on X11 through Xlib (ctypes, no extra package), on Windows
through user32; a Wayland session and macOS do not show other programs' windows to us, and this says so
(:attr:`Display.reason`) rather than guessing. Nothing here takes a picture of the screen.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import sys
from dataclasses import dataclass
from typing import Any

_XA_WINDOW = 33  # the predefined X11 atom of the type WINDOW


def session_kind(environ: dict[str, str] | os._Environ[str] | None = None, platform: str | None = None) -> str:
    """``windows``, ``macos``, ``wayland``, ``x11``, or ``none`` (no display at all, e.g. a server or offscreen)."""
    env = os.environ if environ is None else environ
    platform = platform or sys.platform
    if platform == "win32":
        return "windows"
    if platform == "darwin":
        return "macos"
    if env.get("WAYLAND_DISPLAY") or env.get("XDG_SESSION_TYPE", "").lower() == "wayland":
        return "wayland"
    if env.get("DISPLAY"):
        return "x11"
    return "none"


def desktop_names(environ: dict[str, str] | os._Environ[str] | None = None) -> tuple[str, ...]:
    """The desktop environment as ``XDG_CURRENT_DESKTOP`` names it, lower case (``("ubuntu", "gnome")``)."""
    env = os.environ if environ is None else environ
    return tuple(part.strip().lower() for part in env.get("XDG_CURRENT_DESKTOP", "").split(":") if part.strip())


@dataclass(frozen=True)
class Display:
    """What is known of the shared screen. A value is None when it cannot be read; ``reason`` says why
    (a wording key under ``screen.display.reason``)."""

    width: int | None = None
    height: int | None = None
    scale: float | None = None
    monitors: int | None = None
    windows: int | None = None
    size_reason: str = ""
    windows_reason: str = ""


class _Xlib:
    """The few Xlib calls needed, through ctypes. Every call is on one open display connection."""

    def __init__(self, name: str | None) -> None:
        path = ctypes.util.find_library("X11")
        if path is None:
            raise ModuleNotFoundError("libX11 is not installed")
        x = ctypes.CDLL(path)
        x.XOpenDisplay.restype = ctypes.c_void_p
        x.XOpenDisplay.argtypes = [ctypes.c_char_p]
        for fn in ("XDefaultScreen", "XCloseDisplay"):
            getattr(x, fn).argtypes = [ctypes.c_void_p]
        x.XDisplayWidth.argtypes = x.XDisplayHeight.argtypes = [ctypes.c_void_p, ctypes.c_int]
        x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        x.XDefaultRootWindow.restype = ctypes.c_ulong
        x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        x.XInternAtom.restype = ctypes.c_ulong
        x.XGetWindowProperty.argtypes = [
            ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_long, ctypes.c_long, ctypes.c_int,
            ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_void_p)]
        x.XFree.argtypes = [ctypes.c_void_p]
        x.XResourceManagerString.argtypes = [ctypes.c_void_p]
        x.XResourceManagerString.restype = ctypes.c_char_p
        self.x = x
        self.display = x.XOpenDisplay(name.encode() if name else None)
        if not self.display:
            raise OSError(f"the display {name or ''} does not answer")

    def close(self) -> None:
        if self.display:
            self.x.XCloseDisplay(self.display)
            self.display = None

    def size(self) -> tuple[int, int, int]:
        """The width and height of the first (primary if marked) monitor, and how many monitors there are."""
        screen = self.x.XDefaultScreen(self.display)
        width, height = self.x.XDisplayWidth(self.display, screen), self.x.XDisplayHeight(self.display, screen)
        monitors = _monitors(self.display, self.x.XDefaultRootWindow(self.display))
        if monitors:
            primary = next((m for m in monitors if m[0]), monitors[0])
            return primary[1], primary[2], len(monitors)
        return width, height, 1

    def scale(self) -> float:
        """The text scaling X11 programs are told (``Xft.dpi`` / 96); 1.0 when nothing says otherwise."""
        resources = self.x.XResourceManagerString(self.display)
        match = re.search(rb"^Xft\.dpi:\s*([0-9.]+)", resources or b"", re.MULTILINE)
        return float(match.group(1)) / 96 if match else 1.0

    def window_count(self) -> int | None:
        """How many windows the window manager lists (``_NET_CLIENT_LIST``); None without a window manager."""
        atom = self.x.XInternAtom(self.display, b"_NET_CLIENT_LIST", 1)
        if not atom:
            return None
        kind, size = ctypes.c_ulong(), ctypes.c_int()
        count, after, data = ctypes.c_ulong(), ctypes.c_ulong(), ctypes.c_void_p()
        status = self.x.XGetWindowProperty(
            self.display, self.x.XDefaultRootWindow(self.display), atom, 0, 4096, 0, _XA_WINDOW,
            ctypes.byref(kind), ctypes.byref(size), ctypes.byref(count), ctypes.byref(after), ctypes.byref(data))
        if data:
            self.x.XFree(data)
        if status != 0 or kind.value != _XA_WINDOW:
            return None
        return int(count.value)


class _MonitorInfo(ctypes.Structure):
    _fields_ = [("name", ctypes.c_ulong), ("primary", ctypes.c_int), ("automatic", ctypes.c_int),
                ("noutput", ctypes.c_int), ("x", ctypes.c_int), ("y", ctypes.c_int), ("width", ctypes.c_int),
                ("height", ctypes.c_int), ("mwidth", ctypes.c_int), ("mheight", ctypes.c_int),
                ("outputs", ctypes.c_void_p)]


def _monitors(display: Any, root: int) -> list[tuple[bool, int, int]]:
    """The monitors RandR reports (primary?, width, height); empty when RandR is not there."""
    path = ctypes.util.find_library("Xrandr")
    if path is None:
        return []
    xrandr = ctypes.CDLL(path)
    xrandr.XRRGetMonitors.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.POINTER(ctypes.c_int)]
    xrandr.XRRGetMonitors.restype = ctypes.POINTER(_MonitorInfo)
    xrandr.XRRFreeMonitors.argtypes = [ctypes.POINTER(_MonitorInfo)]
    count = ctypes.c_int()
    info = xrandr.XRRGetMonitors(display, root, 1, ctypes.byref(count))
    if not info:
        return []
    try:
        return [(bool(info[i].primary), info[i].width, info[i].height) for i in range(count.value)
                if info[i].width > 0 and info[i].height > 0]
    finally:
        xrandr.XRRFreeMonitors(info)


def _windows_display() -> Display:  # pragma: no cover - Windows only
    user32 = ctypes.windll.user32  # type: ignore[attr-defined]
    user32.SetProcessDPIAware()  # the real pixels, not the scaled-down ones
    width, height = user32.GetSystemMetrics(0), user32.GetSystemMetrics(1)
    monitors = user32.GetSystemMetrics(80)  # SM_CMONITORS
    dpi = user32.GetDpiForSystem() if hasattr(user32, "GetDpiForSystem") else 96
    return Display(width, height, dpi / 96, monitors, windows_reason="not_counted")


class ScreenSource:
    """The screen for one run: its session kind and desktop, and (on X11) one open display connection."""

    def __init__(self, environ: dict[str, str] | None = None) -> None:
        env = dict(os.environ if environ is None else environ)
        self.session = session_kind(env)
        self.desktops = desktop_names(env)
        self._xlib: _Xlib | None = None
        self._problem = ""
        if self.session == "x11":
            try:
                self._xlib = _Xlib(env.get("DISPLAY"))
            except ModuleNotFoundError:
                self._problem = "no_xlib"
            except OSError:
                self._problem = "no_x11"

    def close(self) -> None:
        if self._xlib is not None:
            self._xlib.close()
            self._xlib = None

    def display(self) -> Display:
        """The shared screen as far as this system shows it."""
        if self._xlib is not None:
            width, height, monitors = self._xlib.size()
            windows = self._xlib.window_count()
            return Display(width, height, self._xlib.scale(), monitors, windows,
                           windows_reason="" if windows is not None else "no_window_manager")
        if self.session == "windows":  # pragma: no cover - Windows only
            try:
                return _windows_display()
            except (OSError, AttributeError, ValueError):
                return Display(size_reason="unreadable", windows_reason="not_counted")
        reason = self._problem or self.session  # wayland, macos, none, no_x11, no_xlib
        return Display(size_reason=reason, windows_reason=reason)


def open_screen(spec: str = "auto") -> ScreenSource:
    """The screen of this session (``spec`` is ``auto``; ``none`` never reaches here: the runner skips it)."""
    return ScreenSource()
