"""The window on a real X server (Xvfb and openbox): each state a candidate meets, and no step card's text cut
off at 1280×720, at normal and at 200 % text size."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from PySide6.QtGui import QImage

from tests.conftest import ROOT
from tests.support.xserver import XUnavailable, x_server


@pytest.fixture(scope="module")
def display():
    try:
        with x_server() as env:
            yield env
    except XUnavailable as error:
        pytest.skip(str(error))


def show(display: dict[str, str], state: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "tests.support.window_states", state, *args], env=display, cwd=ROOT,
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("scale", ["1", "2"])
def test_the_step_cards_show_all_their_text_at_1280x720(display, tmp_path, scale):
    shown = show(display, "one-problem", "--size", "1280x720", "--text-scale", scale, "--out",
                 str(tmp_path / "window.png"))
    assert shown["clipped"] == []
    assert shown["cards"] == {"picture": "fail", "sound": "pass", "connection": "pass"}
    assert shown["banner"] == "Not ready: 1 problem"  # the missing camera once, not once per camera check
    picture = QImage(str(tmp_path / "window.png"))
    assert shown["saved"] and picture.width() >= 1000 and picture.height() >= 600  # grabbed from the X server


def test_with_no_devices_each_step_says_what_is_missing(display):
    shown = show(display, "no-devices", "--size", "1280x720")
    assert shown["clipped"] == []
    assert shown["cards"]["picture"] == "fail" and shown["cards"]["sound"] == "fail"


def test_the_clipping_finder_sees_text_cut_off(qtbot):
    from PySide6.QtWidgets import QLabel

    from tests.support.window_states import label_clipped

    label = QLabel("Your picture looks good, and the light on your face is even.")
    label.setWordWrap(True)
    qtbot.addWidget(label)
    label.setFixedSize(120, 200)
    label.show()
    assert not label_clipped(label)
    label.setFixedSize(120, label.fontMetrics().height())  # room for one line of several
    assert label_clipped(label)
    label.setWordWrap(False)
    label.setFixedSize(2000, 40)
    assert not label_clipped(label)


@pytest.mark.parametrize("state", ["first-start", "running", "all-good", "one-problem", "no-devices"])
def test_in_a_language_40_percent_longer_no_label_or_button_is_cut_off(display, tmp_path, state):
    shot = tmp_path / f"{state}.png"
    shown = show(display, state, "--size", "1280x720", "--lang", "qps", "--out", str(shot))
    assert shown["clipped"] == [], state
    assert shown["banner"].startswith("[") and shown["saved"]  # the pseudo-language's, grabbed from the X server


def test_the_clipping_finder_sees_a_button_squeezed_and_a_label_off_the_window(qtbot):
    from PySide6.QtWidgets import QLabel, QPushButton, QWidget

    from tests.support.window_states import clipped_texts

    root = QWidget()
    qtbot.addWidget(root)
    root.resize(300, 200)
    button = QPushButton("A button with a long label that does not fit", root)
    label = QLabel("Seen", root)
    root.show()
    button.resize(button.sizeHint())
    label.move(10, 100)
    assert clipped_texts(root) == []
    button.resize(80, button.sizeHint().height())
    label.move(280, 100)
    assert clipped_texts(root) == ["QLabel: Seen", "QPushButton: A button with a long label that does not fit"]
