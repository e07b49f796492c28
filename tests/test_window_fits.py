"""The window on the screens candidates' laptops have, opened as a candidate opens it (no size forced on it), on a
real X server with openbox and without a window manager: it fits the work area, every button and picker can be
reached whole, no text is cut off, nothing scrolls sideways, the verdict and Run / Cancel stay in view, and a step's
Details open in view. In English, German, Spanish and the pseudo-language 40 % longer."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from PySide6.QtGui import QImage

from tests.support.window_states import on_screen, opened_on
from tests.support.xserver import XServer, XUnavailable, wait_until

SCREENS = {
    "1280x720": (1280, 720, None),
    "1366x768": (1366, 768, None),
    "2560x1440 text 200%": (2560, 1440, 192),
}
"""A cheap laptop at 150 % (1280×720 of room), the most common cheap laptop, a large screen with text at 200 %."""


def shown_on(screen: str, lang: str, tmp_path, *, window_manager: bool = True, state: str = "one-problem") -> dict:
    width, height, font_dpi = SCREENS[screen] if screen in SCREENS else (*(int(n) for n in screen.split("x")), None)
    shot = tmp_path / "screen.png"
    try:
        shown = on_screen(width, height, state, "--lang", lang, "--details", "picture", "--root-shot", str(shot),
                          window_manager=window_manager, font_dpi=font_dpi)
    except XUnavailable as error:
        pytest.skip(str(error))
    picture = QImage(str(shot))
    assert shown["root_saved"] and (picture.width(), picture.height()) == (width, height)  # the whole screen
    return shown


def assert_fits(shown: dict) -> None:
    """The window inside the work area (in the X server's own pixels), nothing out of reach or cut off."""
    (x, y, w, h), (fx, fy, fw, fh) = shown["native"]["work_area"], shown["native"]["frame"]
    assert x <= fx and y <= fy and fx + fw <= x + w and fy + fh <= y + h, shown["native"]
    assert shown["out_of_reach"] == []  # the banner's button, Run, Cancel: on the screen; the rest scrolls to
    assert shown["clipped"] == []  # no label or button cut, nothing to scroll sideways
    assert shown["details_seen_px"] >= shown["details_px"] > 100  # Details opened in view, not below the edge


@pytest.mark.parametrize("lang", ["en", "de", "es", "fr"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_window_fits_and_every_control_is_in_reach(tmp_path, screen, lang):
    shown = shown_on(screen, lang, tmp_path)
    assert_fits(shown)
    assert shown["cards"] == {"picture": "fail", "sound": "pass", "connection": "pass"}  # the run went through


@pytest.mark.parametrize("screen", list(SCREENS))
def test_without_a_window_manager_the_window_fits_too(tmp_path, screen):
    assert_fits(shown_on(screen, "en", tmp_path, window_manager=False))


@pytest.mark.parametrize("screen", list(SCREENS))
def test_in_a_language_40_percent_longer_it_fits_too(tmp_path, screen):
    shown = shown_on(screen, "qps", tmp_path, state="all-good")
    assert_fits(shown)
    assert shown["banner"].startswith("[")


def test_on_a_large_screen_the_window_opens_at_its_own_size_not_filling_it(tmp_path):
    shown = shown_on("1920x1080", "en", tmp_path)
    assert_fits(shown)
    (_, _, w, h), (_, _, fw, fh) = shown["native"]["work_area"], shown["native"]["frame"]
    assert fw < w and fh < h and shown["wide"]  # a window, beside the meeting app; the steps beside the preview


def test_with_large_text_on_a_small_screen_the_steps_go_under_the_preview(tmp_path):
    try:
        shown = on_screen(1280, 720, "one-problem", "--text-scale", "2", "--details", "sound")
    except XUnavailable as error:
        pytest.skip(str(error))
    assert shown["wide"] is False  # reflowed, instead of a column of cards two words wide or a sideways scroll
    assert_fits(shown)


PANEL_PX = 48
WIDTH, HEIGHT = 1600, 960


def test_a_panel_at_the_top_of_the_screen_is_left_free(tmp_path):
    """A desktop's panel (here an xterm that reserves the top 48 pixels, as a panel does with _NET_WM_STRUT): the
    window opens in the rest, the work area openbox says, never under the panel. The screen would have room for the
    window at its own size without the panel, not with it."""
    if shutil.which("xterm") is None or shutil.which("xdotool") is None:
        pytest.skip("xterm and xdotool are needed (apt-get install xterm xdotool)")
    try:
        server = XServer(WIDTH, HEIGHT)
    except XUnavailable as error:
        pytest.skip(str(error))
    panel = None
    try:
        server.start_window_manager()
        panel = subprocess.Popen(["xterm", "-name", "interview-ready-panel", "-geometry", "20x2+0+0"], env=server.env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        found = server.run("xdotool", "search", "--sync", "--classname", "interview-ready-panel").stdout.split()
        assert found, "the panel's window did not show"
        strut = f"0, 0, {PANEL_PX}, 0, 0, 0, 0, 0, 0, {WIDTH - 1}, 0, 0"
        server.run("xprop", "-id", found[0], "-f", "_NET_WM_STRUT_PARTIAL", "32c", "-set", "_NET_WM_STRUT_PARTIAL",
                   strut)
        assert wait_until(lambda: f"0, {PANEL_PX}, {WIDTH}, {HEIGHT - PANEL_PX}" in server.run(
            "xprop", "-root", "_NET_WORKAREA").stdout, 10), "openbox did not leave room for the panel"
        shown = opened_on(server.env, "one-problem", "--details", "picture")
    finally:
        if panel is not None:
            panel.terminate()
            panel.wait(5)
        server.close()
    assert shown["native"]["work_area"] == [0, PANEL_PX, WIDTH, HEIGHT - PANEL_PX]
    assert_fits(shown)
