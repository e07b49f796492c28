"""Text from outside (a profile's errors, a plugin's text, file names) is shown as plain text: no tag becomes a link."""

from __future__ import annotations

import re

from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from app.cli import make_parser
from app.messages import ask, warn
from app.session import resolve
from app.window import MainWindow
from tests.conftest import ROOT

ARGS = ["--camera", "none", "--mic", "none", "--network", "none", "--only", "system.power"]
LINK = "<a href='file:///etc/passwd'>Click here</a>"


class _Opened(QObject):
    """Stands in for the desktop's file handler: every URL Qt would hand to another program lands here."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url.toString())


def _inspect_boxes(seen: list[dict]) -> QTimer:
    """Look at each message box the app shows (its label as the user sees it), click on its text, then close it."""
    timer = QTimer()

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            return
        label = box.findChild(QLabel, "qt_msgbox_label")
        seen.append({"format": box.textFormat(), "label_format": label.textFormat(), "text": box.text(),
                     "links": bool(label.textInteractionFlags() & Qt.TextInteractionFlag.LinksAccessibleByMouse)})
        for x in range(5, label.width(), 12):  # click along the text, where a link would be
            for y in range(3, label.height(), 8):
                QApplication.sendEvent(label, _click(label, x, y, press=True))
                QApplication.sendEvent(label, _click(label, x, y, press=False))
        box.done(QMessageBox.StandardButton.No)

    timer.timeout.connect(poll)
    timer.start(30)
    return timer


def _click(widget, x, y, press):
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtGui import QMouseEvent

    kind = QEvent.Type.MouseButtonPress if press else QEvent.Type.MouseButtonRelease
    point = QPointF(x, y)
    return QMouseEvent(kind, point, widget.mapToGlobal(point), Qt.MouseButton.LeftButton,
                       Qt.MouseButton.LeftButton if press else Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)


def test_a_profile_error_with_a_link_in_it_is_shown_as_plain_text(qtbot, tmp_path):
    profile = tmp_path / "evil.toml"
    profile.write_text(f'"{LINK}" = 1\n')
    parsed = make_parser().parse_args(ARGS)
    window = MainWindow(resolve(parsed),
                        reload=lambda path: resolve(make_parser().parse_args([*ARGS, "--profile", str(path)])))
    qtbot.addWidget(window)
    window.show()
    opened = _Opened()
    QDesktopServices.setUrlHandler("file", opened, "open")
    seen: list[dict] = []
    timer = _inspect_boxes(seen)
    try:
        assert window.load_profile(profile) is False
    finally:
        timer.stop()
        QDesktopServices.unsetUrlHandler("file")
    assert seen and LINK in seen[0]["text"] and str(profile) in seen[0]["text"]
    assert seen[0]["format"] == seen[0]["label_format"] == Qt.TextFormat.PlainText
    assert not seen[0]["links"] and opened.urls == []


def test_questions_are_plain_text_too(qtbot):
    seen: list[dict] = []
    timer = _inspect_boxes(seen)
    try:
        assert ask(None, f"Open {LINK}?") is False
        warn(None, f"Could not save {LINK}.pdf")
    finally:
        timer.stop()
    assert [s["format"] for s in seen] == [Qt.TextFormat.PlainText] * 2 and not any(s["links"] for s in seen)


def test_no_message_box_in_the_app_shows_text_other_than_its_own_wording_as_rich_text():
    """QMessageBox's static functions guess the format (rich text when it looks like HTML): they may only show the
    app's own wording; anything quoting outside text goes through app/messages.py."""
    static = re.compile(r"QMessageBox\.(?:warning|information|critical|question|about)\(\s*[^,]+,\s*(say\([^)]*\)),\s*"
                        r"(\S[^\n]*)")
    calls = 0
    for path in (ROOT / "app").glob("*.py"):
        source = path.read_text()
        calls += len(re.findall(r"QMessageBox\.(?:warning|information|critical|question|about)\(", source))
        for _title, text in static.findall(source):
            calls -= 1
            assert re.match(r"say\(\"[a-z_.]+\"(, (seconds|version)=[^,]+)?\)", text), (path.name, text)
    assert calls == 0  # every static call was looked at
