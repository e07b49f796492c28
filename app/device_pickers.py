"""Camera, microphone and speaker pickers, with the hint to choose the same ones in the meeting app.

The lists come from :mod:`checks.sources.listing` off the GUI thread; a choice goes to the :class:`RunController` (which
re-opens that device and checks that step again) and is remembered in the small settings file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QWidget

from app.reword import keep, worded
from app.workers import Worker
from checks.sources.camera import CameraSpec
from checks.sources.listing import all_devices
from checks.sources.mic import MicSpec
from checks.text.wording import say

AUTO = "auto"


def camera_spec(text: str) -> CameraSpec:
    """The camera a picker's choice names (``auto``, an index, a file)."""
    return CameraSpec.parse(text)


def mic_spec(text: str) -> MicSpec:
    """The microphone a picker's choice names: ``auto``, a file, else (part of) the sound system's name for it."""
    return MicSpec.parse(text) if text == AUTO or Path(text).is_file() else MicSpec.parse_name(text)


class ListDevicesWorker(Worker):
    def work(self) -> dict[str, list[dict[str, Any]]]:
        return all_devices()


def _entry_label(spec_text: str) -> str:
    return say("devices.demo_file", name=Path(spec_text).name)


class DevicePickers(QWidget):
    """Three pickers; each emits the chosen device as the command line would name it (``auto``, ``1``, a name)."""

    camera_chosen = Signal(str)
    mic_chosen = Signal(str)
    speaker_chosen = Signal(str)
    listed = Signal()
    """The device lists arrived."""

    def __init__(self, camera: str | None, mic: str | None, speaker: str | None,
                 parent: QWidget | None = None, *, stacked: bool = False) -> None:
        """``stacked`` puts the pickers one under the other (the kiosk's large text), else side by side."""
        super().__init__(parent)
        worded(self, "setAccessibleName", "steps.devices_hint")
        self.camera = self._combo("camera_picker", camera)
        self.mic = self._combo("mic_picker", mic)
        self.speaker = self._combo("speaker_picker", speaker)
        self.hint = QLabel()
        worded(self.hint, "setText", "steps.devices_hint")
        self.hint.setWordWrap(True)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.labels: list[QLabel] = []
        for column, (key, combo) in enumerate((("camera_picker", self.camera), ("mic_picker", self.mic),
                                               ("speaker_picker", self.speaker))):
            label = QLabel()
            worded(label, "setText", f"devices.{key}")
            label.setBuddy(combo)
            self.labels.append(label)
            if stacked:
                grid.addWidget(label, column, 0)
                grid.addWidget(combo, column, 1)
            else:
                grid.addWidget(label, 0, column)
                grid.addWidget(combo, 1, column)
                grid.setColumnStretch(column, 1)
        if stacked:
            grid.setColumnStretch(1, 1)
            grid.addWidget(self.hint, 3, 0, 1, 2)
        else:
            grid.addWidget(self.hint, 2, 0, 1, 3)
        self.camera.activated.connect(lambda _i: self.camera_chosen.emit(self.camera.currentData()))
        self.mic.activated.connect(lambda _i: self.mic_chosen.emit(self.mic.currentData()))
        self.speaker.activated.connect(lambda _i: self.speaker_chosen.emit(self.speaker.currentData()))
        self.worker: ListDevicesWorker | None = None

    def _combo(self, key: str, current: str | None) -> QComboBox:
        combo = QComboBox()
        worded(combo, "setAccessibleName", f"devices.{key}")
        worded(combo, "setAccessibleDescription", "devices.picker_description")
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(12)
        combo.addItem("", AUTO)
        keep(combo, "setItemText", lambda: say("devices.default"), 0)
        if current and current != AUTO and current != "none":
            self.offer(combo, current, _entry_label(current) if ("/" in current or "\\" in current) else current)
        return combo

    def offer(self, combo: QComboBox, spec_text: str, label: str, select: bool = True) -> None:
        """Add a choice (if new) and, with ``select``, show it as chosen."""
        index = combo.findData(spec_text)
        if index < 0:
            combo.addItem(label, spec_text)
            index = combo.count() - 1
        if select:
            combo.setCurrentIndex(index)

    def refresh(self) -> None:
        """List the devices again (in a pool thread)."""
        self.worker = ListDevicesWorker()
        self.worker.signals.returned.connect(self._listed)
        self.worker.start()

    def _listed(self, found: dict[str, list[dict[str, Any]]]) -> None:
        for combo, kind, by_name in ((self.camera, "cameras", False), (self.mic, "microphones", True),
                                     (self.speaker, "speakers", True)):
            for device in found.get(kind, []):
                data = device["name"] if by_name else str(device["index"])
                label = device["name"] if by_name else f"{device['name']} ({device['index']})"
                index = combo.findData(data)
                if index >= 0:
                    combo.setItemText(index, label)
                else:
                    self.offer(combo, data, label, select=False)
        self.listed.emit()

    def choices(self) -> dict[str, str]:
        """What is chosen now, by device (``camera``, ``mic``, ``speaker``), as the command line would name it."""
        return {"camera": self.camera.currentData(), "mic": self.mic.currentData(),
                "speaker": self.speaker.currentData()}

    def select(self, combo: QComboBox, spec_text: str | None) -> None:
        """Show ``spec_text`` as chosen (the default where it is none or not offered), without announcing it."""
        index = combo.findData(spec_text) if spec_text else -1
        combo.setCurrentIndex(max(0, index))

    def choose(self, combo: QComboBox, spec_text: str) -> None:
        """Choose as the user would (selecting the entry and activating it)."""
        index = combo.findData(spec_text)
        combo.setCurrentIndex(index)
        combo.activated.emit(index)

