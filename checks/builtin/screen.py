"""``screen.notifications``, ``screen.apps`` and ``screen.display``: what the interviewer may see on a shared screen.

Each reads only what this system shows without asking, and says "not checked" with the reason where it cannot see
(never a guess). ``screen.apps`` compares process names with the list in ``assets/screen_apps.toml`` and keeps
only the names that match; nothing else about the user's programs is kept or reported.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from checks.api import RULE, Check, CheckContext, CheckResult, Status
from checks.builtin.system import Finding
from checks.sources.screen import Display, ScreenSource
from checks.text.resources import load_toml_asset
from checks.text.wording import say

# -- notifications -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Banners:
    """Whether the desktop will show notification banners: ``show`` None when it cannot be read (``reason``)."""

    desktop: str
    """``gnome``, ``kde``, ``windows``, ``macos``, or ``other``."""
    show: bool | None
    reason: str = ""


def _command(args: list[str], seconds: float) -> str | None:
    """The output of a small command, or None when it is not installed, fails or takes too long."""
    if shutil.which(args[0]) is None:
        return None
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=seconds, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _gnome_banners(seconds: float) -> Banners:
    out = _command(["gsettings", "get", "org.gnome.desktop.notifications", "show-banners"], seconds)
    if out in ("true", "false"):
        return Banners("gnome", out == "true")
    return Banners("gnome", None, "gnome_unreadable")


def _kde_banners(seconds: float) -> Banners:
    out = _command(["gdbus", "call", "--session", "--dest", "org.freedesktop.Notifications", "--object-path",
                    "/org/freedesktop/Notifications", "--method", "org.freedesktop.DBus.Properties.Get",
                    "org.freedesktop.Notifications", "Inhibited"], seconds)
    if out in ("(<true>,)", "(<false>,)"):
        return Banners("kde", out == "(<false>,)")
    return Banners("kde", None, "kde_unreadable")


def _windows_banners() -> Banners:  # pragma: no cover - Windows only
    import winreg
    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER,
                            r"Software\Microsoft\Windows\CurrentVersion\Notifications\Settings") as key:
            enabled, _ = winreg.QueryValueEx(key, "NOC_GLOBAL_SETTING_TOASTS_ENABLED")
        if enabled == 0:
            return Banners("windows", False)
    except OSError:
        pass
    import ctypes
    state = ctypes.c_int()
    if ctypes.windll.shell32.SHQueryUserNotificationState(ctypes.byref(state)) != 0:  # type: ignore[attr-defined]
        return Banners("windows", None, "windows_unreadable")
    return Banners("windows", state.value == 5)  # QUNS_ACCEPTS_NOTIFICATIONS; quiet time, busy, presenting: off


def _macos_banners() -> Banners:  # pragma: no cover - macOS only
    path = Path.home() / "Library" / "DoNotDisturb" / "DB" / "Assertions.json"
    try:
        data = json.loads(path.read_text())
        records = [r for entry in data.get("data", []) for r in entry.get("storeAssertionRecords", [])]
    except (OSError, ValueError, AttributeError, TypeError):  # not there, not ours to read, or another layout
        return Banners("macos", None, "macos_unreadable")
    return Banners("macos", not records)


def read_banners(session: str, desktops: Iterable[str], seconds: float, platform: str | None = None) -> Banners:
    """Whether notification banners will show, read from this desktop's own setting."""
    platform = platform or sys.platform
    desktops = tuple(desktops)
    if platform == "win32":
        try:
            return _windows_banners()
        except (OSError, AttributeError, ValueError):  # pragma: no cover - an older Windows without these calls
            return Banners("windows", None, "windows_unreadable")
    if platform == "darwin":
        return _macos_banners()
    if "gnome" in desktops or "unity" in desktops:
        return _gnome_banners(seconds)
    if "kde" in desktops:
        return _kde_banners(seconds)
    return Banners("other", None, "no_desktop" if session == "none" else "unknown_desktop")


def assess_banners(banners: Banners) -> Finding:
    if banners.show is None:
        return Finding(Status.SKIP, "not_checked", {"reason": say(f"screen.notifications.reason.{banners.reason}")})
    if banners.show:
        return Finding(Status.WARN, f"on_{banners.desktop}")
    return Finding(Status.PASS, "off")


class _ScreenCheck(Check):
    """A check of the screen: given the run's one :class:`ScreenSource`."""

    category = "screen"
    requires = frozenset({"screen"})

    def run(self, context: CheckContext) -> CheckResult:
        return self.inspect(context, context.screen)  # type: ignore[arg-type]  # required, so opened

    def inspect(self, context: CheckContext, screen: ScreenSource) -> CheckResult:
        raise NotImplementedError


class Notifications(_ScreenCheck):
    id = "screen.notifications"
    verdicts = frozenset({Status.WARN})
    order = 10

    def inspect(self, context: CheckContext, screen: ScreenSource) -> CheckResult:
        seconds = min(float(context.thresholds["command_s"]), context.time_left())
        banners = read_banners(screen.session, screen.desktops, seconds)
        finding = assess_banners(banners)
        return self.worded(finding, details={"desktop": banners.desktop, "banners": banners.show})


# -- apps -----------------------------------------------------------------------------------------------------


def platform_key(platform: str | None = None) -> str:
    """The table of ``assets/screen_apps.toml`` for this system."""
    platform = platform or sys.platform
    return {"win32": "windows", "darwin": "macos"}.get(platform, "linux")


def app_list(platform: str | None = None) -> dict[str, list[str]]:
    """The apps to look for on this system: the name shown, and the process names it runs as."""
    return dict(load_toml_asset("screen_apps.toml")[platform_key(platform)])


def running_apps(process_names: Iterable[str], apps: Mapping[str, list[str]]) -> list[str]:
    """The apps (by their shown names, in the list's order) whose process name is among ``process_names``.
    The process names are only compared, never kept."""
    wanted = {name.casefold(): app for app, names in apps.items() for name in names}
    found = {wanted[name.casefold()] for name in process_names if name and name.casefold() in wanted}
    return [app for app in apps if app in found]


def join_names(names: list[str]) -> str:
    """``Slack``, ``Slack and Steam``, ``Slack, Discord and Steam``."""
    if len(names) <= 1:
        return "".join(names)
    return say("screen.apps.join", first=", ".join(names[:-1]), last=names[-1])


def _process_names() -> Iterable[str]:
    for proc in psutil.process_iter(["name"]):
        name = proc.info.get("name")
        if isinstance(name, str):
            yield name


class Apps(_ScreenCheck):
    id = "screen.apps"
    verdicts = frozenset({Status.WARN})
    order = 20

    def inspect(self, context: CheckContext, screen: ScreenSource) -> CheckResult:
        found = running_apps(_process_names(), app_list())
        if not found:
            return self.worded(Finding(Status.PASS, "none"))
        key = "running.one" if len(found) == 1 else "running.other"
        finding = Finding(Status.WARN, key, {"apps": join_names(found)})
        return self.worded(finding, value=len(found), unit="apps", details={"apps": ", ".join(found)})


# -- display --------------------------------------------------------------------------------------------------


def assess_display(display: Display, limits: Mapping[str, Any]) -> tuple[Status, list[Finding]]:
    """The status, and the findings on the screen's size and on its open windows (each said in turn)."""
    found: list[Finding] = []
    if display.width is None or display.height is None:
        found.append(Finding(Status.SKIP, "size_unknown",
                             {"reason": say(f"screen.display.reason.{display.size_reason}")}))
    else:
        scale = display.scale or 1.0
        fields = {"width": display.width, "height": display.height, "percent": round(scale * 100)}
        large = display.width / scale >= float(limits["warn_logical_width"])
        found.append(Finding(Status.WARN, "large", fields) if large else Finding(Status.PASS, "size", fields))
    if display.windows is None:
        found.append(Finding(Status.SKIP, "windows_unknown",
                             {"reason": say(f"screen.display.reason.{display.windows_reason}")}))
    elif display.windows >= int(limits["warn_windows"]):
        found.append(Finding(Status.WARN, "many_windows", {"n": display.windows}))
    else:
        found.append(Finding(Status.PASS, "windows", {"n": display.windows}))
    statuses = {f.status for f in found}
    status = Status.WARN if Status.WARN in statuses else Status.PASS if Status.PASS in statuses else Status.SKIP
    return status, found


class DisplayCheck(_ScreenCheck):
    id = "screen.display"
    verdicts = frozenset({Status.WARN})
    order = 30

    def inspect(self, context: CheckContext, screen: ScreenSource) -> CheckResult:
        display = screen.display()
        status, (first, *also) = assess_display(display, context.thresholds)
        deciding = next(f for f in (first, *also) if f.status is status)  # the rule the result is known by
        details = {RULE: deciding.key, "session": screen.session, "width": display.width, "height": display.height,
                   "scale": display.scale, "monitors": display.monitors, "windows": display.windows}
        return self.worded(first, also=also, status=status, value=display.windows,
                           unit="windows" if display.windows is not None else "", details=details)
