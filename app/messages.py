"""Message boxes that show their text exactly as written.

A message may quote a profile's error, a plugin's text or a file's name: none of it is ever read as rich text, so
no tag in it becomes a link to click or a picture to load.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from checks.text.wording import say

_Icon = QMessageBox.Icon
_Button = QMessageBox.StandardButton


def plain_message(parent: QWidget | None, text: str, *, icon: _Icon = _Icon.Warning, title: str | None = None,
                  question: bool = False) -> bool:
    """Show ``text`` as plain text (selectable, no links) and wait; True when a question is answered Yes."""
    buttons = _Button.Yes | _Button.No if question else _Button.Ok
    box = QMessageBox(_Icon.Question if question else icon, title or say("ui.app_name"), text, buttons, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    try:
        return box.exec() == _Button.Yes
    finally:
        box.deleteLater()


def warn(parent: QWidget | None, text: str) -> None:
    plain_message(parent, text)


def inform(parent: QWidget | None, text: str) -> None:
    plain_message(parent, text, icon=_Icon.Information)


def ask(parent: QWidget | None, text: str, title: str | None = None) -> bool:
    return plain_message(parent, text, title=title, question=True)
