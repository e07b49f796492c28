"""screen.*: real processes named like chat apps, GNOME's setting through a real GSettings backend, and real X11
windows under Xvfb (with and without a window manager)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import jsonschema
import pytest

from checks.api import Status
from checks.builtin.screen import app_list, assess_display, join_names, running_apps
from checks.engine import registry as devices
from checks.engine.discovery import discover
from checks.engine.runner import RunConfig, Runner
from checks.engine.thresholds import Thresholds
from checks.sources.screen import Display, ScreenSource, session_kind
from checks.text.wording import say, say_all
from tests.conftest import ROOT, run_cli
from tests.support.xserver import XServer, XUnavailable

DISPLAY = ":79"
LIMITS = Thresholds().for_check("screen.display")


def run_one(check_id: str, config: RunConfig | None = None):
    [result] = Runner(discover(check_id), config).run()
    return result


# -- screen.apps -------------------------------------------------------------------------------------------------


@pytest.fixture
def fake_apps(tmp_path):
    """Real processes whose names are those of chat apps: /bin/sleep copied under those names and started."""
    started = []

    def start(*names: str) -> None:
        for name in names:
            path = tmp_path / name
            shutil.copy("/bin/sleep", path)
            started.append(subprocess.Popen([str(path), "60"]))
        time.sleep(0.1)

    yield start
    for proc in started:
        proc.kill()
        proc.wait()


def test_running_chat_apps_are_named(fake_apps):
    fake_apps("slack", "Discord")
    result = run_one("screen.apps")
    assert result.status is Status.WARN
    assert result.summary == "Slack and Discord are running."
    assert result.details == {"rule": "running.other", "apps": "Slack, Discord"}
    assert (result.value, result.unit) == (2, "apps")  # a figure has its unit (tests/test_plain_words.py)
    assert any("Quit Slack and Discord" in line for line in result.advice)  # named: the card shows this alone


def test_one_app_is_named_alone(fake_apps):
    fake_apps("slack")
    result = run_one("screen.apps")
    assert (result.status, result.summary) == (Status.WARN, "Slack is running.")


def test_with_no_listed_app_running_it_passes():
    result = run_one("screen.apps")
    assert result.status is Status.PASS and result.details == {"rule": "none"}


def test_nothing_else_about_the_processes_is_reported(fake_apps):
    fake_apps("slack")
    text = json.dumps(run_one("screen.apps").to_dict())
    assert "sleep" not in text and "python" not in text.lower() and str(os.getpid()) not in text


def test_matching_ignores_case_and_keeps_the_lists_order():
    apps = {"Slack": ["slack"], "Steam": ["steam"], "VLC": ["vlc"]}
    assert running_apps(["bash", "STEAM", "slack", "slack", ""], apps) == ["Slack", "Steam"]
    assert running_apps(["bash"], apps) == []
    assert join_names(["Slack", "Discord", "Steam"]) == "Slack, Discord and Steam"


def test_every_system_has_its_list_of_app_names():
    for platform in ("linux", "win32", "darwin"):
        apps = app_list(platform)
        assert len(apps) >= 15
        assert all(names and all(isinstance(n, str) and n for n in names) for names in apps.values())


# -- screen.notifications -----------------------------------------------------------------------------------------


@pytest.fixture
def gnome(tmp_path, monkeypatch):
    """A GNOME session whose settings live in a real GSettings backend (GLib's keyfile backend, in tmp_path)."""
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "ubuntu:GNOME")
    monkeypatch.setenv("GSETTINGS_BACKEND", "keyfile")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))

    def gsettings(*args: str) -> None:
        subprocess.run(["gsettings", *args], check=True, timeout=10)

    return gsettings


def test_gnome_with_banners_on_needs_attention_with_the_way_to_turn_them_off(gnome):
    gnome("set", "org.gnome.desktop.notifications", "show-banners", "true")
    result = run_one("screen.notifications")
    assert result.status is Status.WARN and result.details == {"rule": "on_gnome", "desktop": "gnome", "banners": True}
    assert any("gsettings set org.gnome.desktop.notifications show-banners false" in a for a in result.advice)


def test_gnome_with_banners_off_passes(gnome):
    gnome("set", "org.gnome.desktop.notifications", "show-banners", "false")
    result = run_one("screen.notifications")
    assert result.status is Status.PASS and result.details["banners"] is False


def test_gnome_without_the_schema_is_not_checked(gnome, monkeypatch, tmp_path):
    monkeypatch.setenv("GSETTINGS_SCHEMA_DIR", str(tmp_path))  # a schema folder without GNOME's schemas
    monkeypatch.setenv("XDG_DATA_DIRS", str(tmp_path))
    result = run_one("screen.notifications")
    assert result.status is Status.SKIP and "GNOME's notification setting could not be read" in result.summary


def test_kde_without_its_notification_service_is_not_checked(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "KDE")
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    result = run_one("screen.notifications")
    assert result.status is Status.SKIP and "KDE" in result.summary and result.details["banners"] is None


def test_another_desktop_is_not_checked_never_guessed(monkeypatch):
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "Openbox")
    monkeypatch.setenv("DISPLAY", DISPLAY)
    result = run_one("screen.notifications")
    assert result.status is Status.SKIP
    assert result.summary.startswith("Not checked on this system: this desktop does not tell")
    assert any("do-not-disturb" in a for a in result.advice)


def test_screen_checks_are_skipped_when_the_screen_is_off():
    results = Runner(discover("screen.*"), RunConfig(screen="none")).run()
    assert len(results) == 3 and all(r.status is Status.SKIP for r in results)
    assert {r.summary for r in results} == {"Screen checks are turned off."}


# -- screen.display ------------------------------------------------------------------------------------------------


def test_display_decisions():
    big = assess_display(Display(3840, 2160, 1.0, 1, 3), LIMITS)
    scaled = assess_display(Display(3840, 2160, 2.0, 1, 3), LIMITS)
    cluttered = assess_display(Display(1920, 1080, 1.0, 1, 40), LIMITS)
    unknown = assess_display(Display(size_reason="wayland", windows_reason="wayland"), LIMITS)
    assert big[0] is Status.WARN and [f.key for f in big[1]] == ["large", "windows"]
    assert scaled[0] is Status.PASS and [f.key for f in scaled[1]] == ["size", "windows"]
    assert scaled[1][0].fields == {"width": 3840, "height": 2160, "percent": 200} and scaled[1][1].fields == {"n": 3}
    assert cluttered[0] is Status.WARN and [(f.status, f.key) for f in cluttered[1]] == [
        (Status.PASS, "size"), (Status.WARN, "many_windows")]
    assert unknown[0] is Status.SKIP and [f.key for f in unknown[1]] == ["size_unknown", "windows_unknown"]
    assert "Wayland" in unknown[1][0].fields["reason"]


def test_the_display_check_says_each_finding_in_turn_with_the_advice_of_those_that_need_it(monkeypatch):
    """Sizes and windows worded through Check.worded: the sentences in turn, the advice of the one that warns."""
    from checks.builtin.screen import DisplayCheck

    check = DisplayCheck()
    status, (first, *also) = assess_display(Display(1920, 1080, 1.0, 1, 40), LIMITS)
    result = check.worded(first, also=also, status=status)
    assert result.status is Status.WARN
    assert result.summary == "Your screen is 1920 × 1080 at 100% scaling. 40 windows are open."
    assert result.advice[-1].startswith("Close what you will not show")
    status, (first, *also) = assess_display(Display(3840, 2160, 2.0, 1, 1), LIMITS)
    assert check.worded(first, also=also, status=status).summary.endswith("1 window is open.")
    assert check.worded(first, also=also, status=status).advice == ()


def test_session_kinds():
    assert session_kind({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, "linux") == "wayland"
    assert session_kind({"DISPLAY": ":0"}, "linux") == "x11"
    assert session_kind({}, "linux") == "none"
    assert session_kind({}, "win32") == "windows" and session_kind({}, "darwin") == "macos"


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_for(condition, seconds: float = 10) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.1)


@pytest.fixture
def xvfb(monkeypatch):
    """A real X server (3840 × 2160, a 4K screen) for this test, with DISPLAY pointing at it; the programs the test
    starts on it go in the list and are stopped after."""
    try:
        server = XServer(3840, 2160)
    except XUnavailable as error:
        pytest.skip(str(error))
    monkeypatch.setenv("DISPLAY", server.name)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("XDG_SESSION_TYPE", "x11")
    others: list[subprocess.Popen[bytes]] = []
    yield others
    for proc in others:
        proc.terminate()
        proc.wait(10)
    server.close()


def _windows_listed() -> int | None:
    source = ScreenSource()
    try:
        return source.display().windows
    finally:
        source.close()


def test_real_x11_windows_under_a_window_manager_are_counted(xvfb):
    env = dict(os.environ)
    xvfb.append(_start(["openbox"], env))
    _wait_for(lambda: _windows_listed() is not None)
    xvfb.extend(_start(["xterm"], env) for _ in range(3))
    _wait_for(lambda: _windows_listed() == 3)
    result = run_one("screen.display")
    assert result.value == 3 and result.details["windows"] == 3 and "3 windows are open." in result.summary
    assert result.details["width"] == 3840 and result.status is Status.WARN  # a 4K screen at 100 %
    crowded = run_one("screen.display", RunConfig(thresholds=Thresholds({"screen.display": {
        "warn_windows": 3, "warn_logical_width": 7680}})))
    assert crowded.status is Status.WARN and crowded.summary.endswith("3 windows are open.")
    assert any("share one window" in a for a in crowded.advice)


def test_without_a_window_manager_the_windows_are_not_counted_and_it_says_why(xvfb):
    result = run_one("screen.display")
    assert result.details["windows"] is None and result.value is None
    assert "no window manager is running" in result.summary
    assert "3840 × 2160" in result.summary


@pytest.mark.parametrize(("env", "reason"), [
    ({"WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}, "a Wayland desktop does not show"),
    ({}, "there is no screen in this session"),
])
def test_wayland_and_no_display_are_not_checked_with_the_reason(monkeypatch, env, reason):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = run_one("screen.display")
    assert result.status is Status.SKIP and reason in result.summary
    assert result.details["width"] is None and result.details["windows"] is None


# -- the registry --------------------------------------------------------------------------------------------------


def test_every_registered_category_and_device_is_in_the_schema_and_the_wording():
    enum = json.loads((ROOT / "assets" / "report.schema.json").read_text())[
        "properties"]["checks"]["items"]["properties"]["category"]["enum"]
    assert enum == list(devices.CATEGORIES)
    assert say("category.screen") == "Your screen" and devices.CATEGORIES.index("screen") == 4
    for entry in devices.DEVICES:
        assert say(f"runner.{entry.off_key}.summary") and say_all(f"runner.{entry.needs_key}.summary")
        if entry.timeout is not None:
            assert Thresholds().runner(entry.timeout) > 0
            assert say(f"sources.{entry.name}.open_timeout.summary", seconds="5")


# -- the command line: list-checks, JSON (against the schema), text and HTML -----------------------------------


NO_DEVICES = ("--camera", "none", "--mic", "none", "--network", "none")


def test_the_screen_checks_in_list_checks_json_text_and_html(fake_apps, tmp_path):
    fake_apps("slack")
    html = tmp_path / "report.html"
    screen = (*NO_DEVICES, "--only", "screen.*")
    with ThreadPoolExecutor(max_workers=5) as pool:  # a process each, at the same time: none waits for a clock
        listed, as_json, text, _, off = (done.stdout for done in pool.map(lambda args: run_cli(*args), [
            ("list-checks",), ("check", *screen, "--json"), ("check", *screen),
            ("check", *screen, "--report", str(html)), ("check", *screen, "--screen", "none")]))
    assert all(i in listed for i in ("screen.notifications", "screen.apps", "screen.display"))
    report = json.loads(as_json)
    jsonschema.validate(report, json.loads((ROOT / "assets" / "report.schema.json").read_text()))
    assert [c["category"] for c in report["checks"]] == ["screen"] * 3
    assert any("do-not-disturb" in line for line in report["checklist"])
    assert any("screen sharing fails" in line for line in report["reminders"])
    assert "Your screen" in text and "Slack is running." in text
    assert "Your screen" in html.read_text() and "Slack is running." in html.read_text()
    assert off.count("Screen checks are turned off.") == 3


def test_every_reason_the_code_gives_has_its_words():
    banners = set(re.findall(r'Banners\("\w+", None, "(\w+)"\)', (ROOT / "checks/builtin/screen.py").read_text()))
    banners |= {"no_desktop", "unknown_desktop"}
    source = (ROOT / "checks/sources/screen.py").read_text()
    display = set(re.findall(r'(?:size|windows)_reason="(\w+)"', source))
    display |= {"no_x11", "no_xlib", "wayland", "macos", "none"}
    assert len(banners) >= 6 and len(display) >= 6
    for reason in banners:
        assert say(f"screen.notifications.reason.{reason}")
    for reason in display:
        assert say(f"screen.display.reason.{reason}")
