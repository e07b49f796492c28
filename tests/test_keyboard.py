"""The window with the keyboard only: Tab goes through the page in the order it is read, the focused control has a
ring a sighted keyboard user sees (at least 2 px, 3:1 against what it was before), and Space and Enter press every
kind of button."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QAccessible, QImage
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from app.access import contrast, install, reading_order
from app.cli import make_parser
from app.session import resolve
from app.window import MainWindow
from checks.text.wording import say
from tests.conftest import DEMO

ARGS = ["--camera", str(DEMO / "camera.avi"), "--mic", str(DEMO / "speech.wav"), "--network", "none", "--only",
        "camera.device,mic.level,system.power"]
"""The demo's camera and microphone (so the preview, the pickers and the microphone test are on the page), and two
quick checks."""


@pytest.fixture
def window(qtbot):
    install(QApplication.instance())
    shown = MainWindow(resolve(make_parser().parse_args(ARGS)))
    qtbot.addWidget(shown)
    shown.resize(1366, 900)
    shown.show()
    qtbot.waitExposed(shown)
    with qtbot.waitSignal(shown.run_finished, timeout=60_000):
        shown.start()
    yield shown
    shown.close()


def tab_stops(qtbot, window: MainWindow) -> list[QWidget]:
    """Where Tab goes, from the first control of the page round to it again."""
    first = window.report_button
    first.setFocus()
    qtbot.waitUntil(first.hasFocus)
    stops = [first]
    for _ in range(80):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        if QApplication.focusWidget() is first:
            return stops
        stops.append(QApplication.focusWidget())
    raise AssertionError("Tab never came back to the first control")


def test_tab_follows_the_page_as_it_is_read(qtbot, window):
    stops = tab_stops(qtbot, window)
    playback, pickers = window.mic_panel.playback, window.pickers
    assert stops.index(playback.speakers_button) < stops.index(window.run_button)  # it came after Run again
    assert stops[:2] == [window.report_button, window.tabs.tabBar()]  # the banner, the tabs, then the page
    assert stops.index(window.camera_panel.toggle) < stops.index(pickers.camera) < stops.index(pickers.mic) \
        < stops.index(pickers.speaker) < stops.index(playback.hear_button) < stops.index(playback.speakers_button)
    cards = [card.details_button for card in window.cards.values() if card.isVisible()]
    assert cards and stops.index(playback.speakers_button) < stops.index(cards[0])
    assert stops[-1:] == [window.run_button]  # Cancel is off between runs
    shown = [w for w in reading_order(window.centralWidget()) if w in stops]
    assert stops == shown


def _pixel(image: QImage, point: QPoint):
    return image.pixelColor(point) if image.rect().contains(point) else None


def ring_sides(before: QImage, after: QImage, rect: QRect, visible: QRect) -> dict[str, bool]:
    """For each side of ``rect`` (the control, in the window): whether a band of 2 px along it, outside it where it
    is in view else over its edge, changed with at least 3:1 contrast when the control took the focus."""
    middle = rect.center()
    sides = {"top": (QPoint(middle.x(), rect.top()), QPoint(0, -1)),
             "bottom": (QPoint(middle.x(), rect.bottom()), QPoint(0, 1)),
             "left": (QPoint(rect.left(), middle.y()), QPoint(-1, 0)),
             "right": (QPoint(rect.right(), middle.y()), QPoint(1, 0))}
    found = {}
    for side, (edge, out) in sides.items():
        outside = [edge + out * 2, edge + out]
        inside = [edge, edge - out]
        band = outside if all(visible.contains(p) for p in outside) else inside

        def changed(p: QPoint) -> bool:
            was, now = _pixel(before, p), _pixel(after, p)
            return was is not None and now is not None and contrast(was, now) >= 3

        found[side] = all(changed(p) for p in band)
    return found


def test_the_focused_control_has_a_ring_of_2_px_at_3_to_1(qtbot, window):
    stops = tab_stops(qtbot, window)
    for widget in stops:
        other = stops[(stops.index(widget) + 1) % len(stops)]
        other.setFocus()
        qtbot.waitUntil(other.hasFocus)
        before = window.grab().toImage()
        widget.setFocus()
        qtbot.waitUntil(widget.hasFocus)
        after = window.grab().toImage()
        top_left = widget.mapTo(window, QPoint(0, 0))
        rect = QRect(top_left, widget.size())
        seen = widget.visibleRegion().boundingRect().translated(top_left)
        parent = widget.parentWidget()
        visible = QRect(parent.mapTo(window, QPoint(0, 0)), parent.size()) if parent else window.rect()
        if seen.height() < widget.height() or seen.width() < widget.width():
            continue  # scrolled partly out of view: the sides are checked where it is whole
        sides = ring_sides(before, after, rect, visible.intersected(window.rect()))
        assert all(sides.values()), (type(widget).__name__, widget.accessibleName(), sides)


def test_space_and_enter_press_buttons_tick_boxes_and_open_the_report(qtbot, window):
    report, tabs = window.report_button, window.tabs
    for key in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter):
        tabs.setCurrentIndex(0)
        report.setFocus()
        qtbot.waitUntil(report.hasFocus)
        qtbot.keyClick(report, key)
        qtbot.waitUntil(lambda: tabs.currentWidget() is window.report_view)
    tabs.setCurrentIndex(0)
    details = next(card.details_button for card in window.cards.values() if card.isVisible())
    box = window.camera_panel.snapshot_box
    for key in (Qt.Key.Key_Space, Qt.Key.Key_Return):
        for button in (details, box):
            was = button.isChecked()
            button.setFocus()
            qtbot.waitUntil(button.hasFocus)
            qtbot.keyClick(button, key)
            qtbot.waitUntil(lambda button=button, was=was: button.isChecked() != was)


def test_a_screen_reader_reads_every_label_by_what_it_says(qtbot, window):
    """A label's accessible name is what a screen reader reads (it has no text behind it on Linux): a fixed name
    ("Overall verdict", "Camera hint") would hide the verdict or the hint. Their role goes in the description."""
    hidden = []
    for label in window.findChildren(QLabel):
        text = label.text().replace("&", "").strip()
        if not label.isVisible() or not text or label.textFormat() == Qt.TextFormat.RichText:
            continue
        name = QAccessible.queryAccessibleInterface(label).text(QAccessible.Text.Name)
        if text not in name:
            hidden.append((name, text[:50]))
    assert hidden == []
    assert window.banner.accessibleDescription() == say("ui.verdict_banner")
