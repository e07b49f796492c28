"""The guided microphone test: "stay quiet", then "read this sentence aloud", with a live level meter, then
"hear yourself". The recording stays in memory; the microphone checks analyse it.
"""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.level_meter import LevelMeter
from app.playback import PlaybackPanel
from checks.recording import GUIDED_TOTAL_S, Recording, guided_prompt, guided_take, record
from checks.sources import SourceError
from checks.sources.mic import MicSpec, open_mic
from checks.wording import say


class _Signals(QObject):
    elapsed = Signal(float)
    recorded = Signal(object)  # Recording
    failed = Signal(object)  # SourceError


class GuidedRecording:
    """Opens the microphone, records the guided take in a pool thread, feeds the meter, and closes it again."""

    def __init__(self, spec: MicSpec, meter: LevelMeter, seconds: float = GUIDED_TOTAL_S) -> None:
        self.spec = spec
        self.meter = meter
        self.seconds = seconds
        self.cancel = threading.Event()
        self.signals = _Signals()

    def start(self) -> None:
        QThreadPool.globalInstance().start(self.run)

    def run(self) -> None:
        try:
            mic = open_mic(self.spec)
        except SourceError as error:
            self.signals.failed.emit(error)
            return
        started = time.monotonic()  # the prompt's clock starts with the take, so "stay quiet" is its start
        try:
            take = record(mic, self.seconds, cancel=self.cancel, on_block=self.meter.feed.push,
                          progress=lambda _f: self.signals.elapsed.emit(time.monotonic() - started))
        except SourceError as error:
            self.signals.failed.emit(error)
            return
        finally:
            mic.close()
        self.signals.recorded.emit(guided_take(take))


class MicPanel(QWidget):
    """The prompt, the sentence to read, the level meter, and "Hear yourself" / "Test the speakers"."""

    recorded = Signal(object)
    """The guided take is done: a :class:`Recording`, or None when the microphone could not be used."""

    def __init__(self, spec: MicSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.setAccessibleName(say("ui.mic_panel"))
        self.prompt = QLabel(say("ui.mic_ready"))
        self.prompt.setWordWrap(True)
        self.prompt.setTextFormat(Qt.TextFormat.PlainText)
        self.prompt.setAccessibleName(say("ui.mic_prompt"))
        font = QFont(self.prompt.font())
        font.setBold(True)
        self.prompt.setFont(font)
        self.sentence = QLabel(say("mic.guide.sentence"))
        self.sentence.setWordWrap(True)
        self.sentence.setAccessibleName(say("ui.mic_sentence"))
        big = QFont(self.sentence.font())
        big.setPointSizeF(big.pointSizeF() * 1.3)
        big.setItalic(True)
        self.sentence.setFont(big)
        self.sentence.hide()
        self.meter = LevelMeter()
        self.playback = PlaybackPanel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.addWidget(self.prompt)
        layout.addWidget(self.sentence)
        layout.addWidget(self.meter)
        layout.addWidget(self.playback)
        self.take: Recording | None = None
        self.job: GuidedRecording | None = None

    @property
    def recording(self) -> bool:
        return self.job is not None

    def start(self) -> None:
        """Begin the guided take; :attr:`recorded` tells when it is over."""
        if self.job is not None:
            return
        self.take = None
        self.meter.reset()
        self.meter.start()
        self._show_prompt(0.0)
        self.job = GuidedRecording(self.spec, self.meter)
        self.job.signals.elapsed.connect(self._show_prompt)
        self.job.signals.recorded.connect(self._recorded)
        self.job.signals.failed.connect(self._failed)
        self.job.start()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel.set()

    def _show_prompt(self, elapsed: float) -> None:
        self.prompt.setText(guided_prompt(elapsed))
        self.prompt.setAccessibleName(self.prompt.text())
        self.sentence.setVisible(self.prompt.text() == say("mic.guide.speak"))

    def _recorded(self, take: Recording) -> None:
        self.job = None
        self.take = take
        self.meter.stop()
        self.sentence.hide()
        self.prompt.setText(say("mic.guide.done"))
        self.playback.set_recording(take.samples, take.samplerate)
        self.recorded.emit(take)

    def _failed(self, error: SourceError) -> None:
        self.job = None
        self.meter.stop()
        self.sentence.hide()
        self.prompt.setText(error.summary)
        self.recorded.emit(None)

    def stop(self) -> None:
        """Stop recording and playing (the window is closing or being reset)."""
        self.cancel()
        self.meter.stop()
        self.playback.player.stop()
