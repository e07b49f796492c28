"""The plan B, one widget wherever it is shown: the guided flow's last card (:class:`app.step_cards.PlanBCard`) and
interview mode's window (:class:`app.guardian.GuardianWindow`).

It shows the report model's backup channels (:attr:`checks.report.model.Report.backup_channels`) and a list of reminders
(the checklist, or the general reminders). Before the interview (``at_hand=False``) every channel is a line, as the
report names it, and the reminders follow. During it (``at_hand=True``: the call has dropped) the first channel is the
thing to do now, larger, with its Call or Open link and a Copy button; the other channels follow, then what to say,
then the reminders under their heading.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QFont, QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from checks.guard.judgement import channel_action
from checks.report.model import channel_text
from checks.text.wording import labelled, say


def _line(*, selectable: bool = False, name: str = "") -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)  # a profile's channel may contain "<"
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    return label


def _heading(key: str) -> QLabel:
    return QLabel(f"<b>{say(key)}</b>")


def _bullets(lines: Sequence[str]) -> str:
    return "\n".join(f"• {line}" for line in lines)


class PlanBView(QWidget):
    """The backup channels and the reminders; :meth:`show_plan` fills it (again whenever the report changes)."""

    def __init__(self, parent: QWidget | None = None, *, at_hand: bool = False) -> None:
        super().__init__(parent)
        self.at_hand = at_hand
        self.channels: list[dict[str, Any]] = []
        self.lines: list[str] = []
        """The plan in words, in the order shown (for a screen reader's description)."""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.action = _line(selectable=True, name="action")
        """The first channel as the thing to do now (``at_hand``)."""
        self.open_button = QPushButton()
        self.copy_button = QPushButton()
        self.others = _line(selectable=at_hand)
        """The channels as lines (before the interview), or the channels after the first (``at_hand``)."""
        self.what_to_say = _line()
        self.reminders = _line(name="tips")
        self._link = ""
        self.reminders_title: QLabel | None = None
        if at_hand:
            self._hand_parts(layout)
        else:
            for label in (self.others, self.reminders):  # as the step cards' own lines
                label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
                layout.addWidget(label)

    def labels(self) -> list[QLabel]:
        """The labels that show the plan (the parts shown before the interview first)."""
        return [self.others, self.reminders, *([self.action, self.what_to_say] if self.at_hand else [])]

    def _hand_parts(self, layout: QVBoxLayout) -> None:
        layout.addWidget(_heading("guard.plan_b_title"))
        bigger = QFont(self.action.font())
        bigger.setBold(True)
        bigger.setPointSizeF(bigger.pointSizeF() * 1.25)
        self.action.setFont(bigger)
        layout.addWidget(self.action)
        buttons = QHBoxLayout()
        self.open_button.setDefault(True)
        self.open_button.clicked.connect(lambda: self._link and QDesktopServices.openUrl(QUrl(self._link)))
        self.copy_button.clicked.connect(self.copy_channel)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.others)
        layout.addWidget(_heading("guard.what_to_say_title"))
        self.what_to_say.setText(say("guard.what_to_say"))
        layout.addWidget(self.what_to_say)
        self.reminders_title = _heading("guard.reminders_title")
        layout.addWidget(self.reminders_title)
        layout.addWidget(self.reminders)

    def show_plan(self, channels: Sequence[Mapping[str, Any]], reminders: Sequence[str]) -> None:
        """Show these channels (as the report lists them) and reminders."""
        self.channels = [dict(c) for c in channels]
        if self.at_hand:
            first = self.channels[0] if self.channels else None
            self._show_first(first)
            listed = [channel_action(c) for c in self.channels[1:]]
            self.others.setText("\n".join(listed))
            self.lines = [self.action.text(), *listed, self.what_to_say.text(), *reminders]
        else:
            listed = [channel_text(c) for c in self.channels]
            self.others.setText(_bullets(listed))
            self.lines = [*listed, *reminders]
        self.others.setVisible(bool(listed))
        self.reminders.setText(_bullets(reminders))
        self.reminders.setVisible(bool(reminders))
        if self.reminders_title is not None:
            self.reminders_title.setVisible(bool(reminders))
        self.setAccessibleDescription(" ".join(self.lines))

    def _show_first(self, first: dict[str, Any] | None) -> None:
        self.action.setText(channel_action(first) if first else say("guard.no_channel"))
        self._link = str(first.get("link") or "") if first else ""
        self.copy_button.setText(say("guard.copy"))
        self.copy_button.setAccessibleName(labelled(say("guard.copy"), first["value"]) if first else say("guard.copy"))
        self.copy_button.setVisible(first is not None)
        self.open_button.setText(say("guard.call") if self._link.startswith("tel:") else say("guard.open"))
        self.open_button.setAccessibleName(labelled(self.open_button.text(), first["value"]) if first else "")
        self.open_button.setToolTip(self._link)
        self.open_button.setVisible(bool(self._link))

    def copy_channel(self) -> None:
        """The first channel's number or address to the clipboard (the button then says it was copied)."""
        if self.channels:
            QGuiApplication.clipboard().setText(str(self.channels[0].get("value", "")))
            self.copy_button.setText(say("guard.copied"))
