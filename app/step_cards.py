"""The guided flow's step cards: one status (icon and word), what it means in plain words, the one thing to fix,
and "Details" for the per-check rows. A card is a view: it shows a :class:`~checks.report.steps.StepSummary`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QSizePolicy, QWidget

from app.icons import status_icon
from app.plan_b import PlanBView
from app.reword import keep, mnemonic_free, worded
from checks.report.steps import StepSummary
from checks.text.wording import say

ICON_PX = 32


def _label(bold: bool = False) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)  # a check's summary may contain "<"
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    if bold:
        font = QFont(label.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        label.setFont(font)
    return label


class StepCard(QFrame):
    """One step of the flow ("Your picture")."""

    details_toggled = Signal(str, bool)
    """The step and whether its details are to be shown."""

    def __init__(self, step: str, parent: QWidget | None = None, *, with_details: bool = True) -> None:
        super().__init__(parent)
        self.step = step
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName(f"step_{step}")
        self.icon = QLabel()
        self.icon.setFixedSize(ICON_PX, ICON_PX)
        self.title = _label(bold=True)
        worded(self.title, "setText", f"steps.{step}.title")
        self.status = _label()
        self.headline = _label()
        self.fix = _label()
        self.details_button = QPushButton()
        worded(self.details_button, "setText", "steps.details")
        self.details_button.setCheckable(True)
        self.details_button.setVisible(with_details)
        self.details_button.toggled.connect(lambda on: self.details_toggled.emit(self.step, on))
        keep(self.details_button, "setAccessibleName",
             lambda: f"{mnemonic_free(say('steps.details'))}: {say(f'steps.{step}.title')}")
        grid = QGridLayout(self)
        grid.addWidget(self.icon, 0, 0, 2, 1, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.title, 0, 1)
        grid.addWidget(self.status, 1, 1)
        grid.addWidget(self.headline, 2, 1)
        grid.addWidget(self.fix, 3, 1)
        grid.addWidget(self.details_button, 0, 2, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(1, 1)
        self.summary: StepSummary | None = None

    def show_summary(self, summary: StepSummary) -> None:
        self.summary = summary
        word = say(f"status.{summary.status}")
        self.icon.setPixmap(status_icon(summary.status).pixmap(ICON_PX, ICON_PX))
        self.icon.setAccessibleName(word)
        self.status.setText(word)
        self.headline.setText(summary.headline)
        self.fix.setText(summary.fix)
        self.fix.setVisible(bool(summary.fix))
        name = say("steps.card_name", title=summary.title, status=word)
        self.setAccessibleName(name)
        self.setAccessibleDescription(summary.accessible_description())
        self.details_button.setAccessibleDescription(summary.accessible_description())

    def labels(self) -> list[QLabel]:
        return [self.title, self.status, self.headline, self.fix]


class PlanBCard(StepCard):
    """"Your plan B": the backup channels and the checklist, in words (the plan B widget interview mode shows too), and
    (outside the kiosk) the way into interview mode, which keeps the plan B at hand during the call."""

    interview_mode = Signal()

    def __init__(self, parent: QWidget | None = None, *, offer_interview_mode: bool = True) -> None:
        super().__init__("plan_b", parent, with_details=False)
        self.status.hide()
        self.headline.hide()
        self.fix.hide()
        self.icon.setPixmap(status_icon("info").pixmap(ICON_PX, ICON_PX))
        worded(self, "setAccessibleName", "steps.plan_b.title")
        self.plan = PlanBView()
        self.interview_button = QPushButton()
        worded(self.interview_button, "setText", "guard.start")
        worded(self.interview_button, "setToolTip", "guard.start_tip")
        worded(self.interview_button, "setAccessibleName", "guard.start", plain=True)
        worded(self.interview_button, "setAccessibleDescription", "guard.start_tip")
        self.interview_button.setVisible(offer_interview_mode)
        self.interview_button.clicked.connect(self.interview_mode.emit)
        grid = self.layout()
        grid.addWidget(self.plan, 2, 1, 2, 1)
        grid.addWidget(self.interview_button, 4, 1, Qt.AlignmentFlag.AlignLeft)

    def show_plan(self, channels: Sequence[Mapping[str, Any]], checklist: Sequence[str]) -> None:
        """The report's backup channels and its checklist."""
        self.plan.show_plan(channels, checklist)
        self.setAccessibleDescription(self.plan.accessibleDescription())

    def labels(self) -> list[QLabel]:
        return [self.title, *self.plan.labels()]
