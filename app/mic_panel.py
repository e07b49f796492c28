"""The guided microphone test, a view of the :class:`RunController`'s take: "stay quiet", then "read this sentence
aloud", with a live level meter, then "hear yourself", and the echo test on the candidate's press. The recording
stays in memory; the checks analyse it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.controller import Phase, RunController
from app.echo_test import CHECK_ID as ECHO_ID
from app.echo_test import EchoTestPanel
from app.level_meter import LevelMeter
from app.playback import PlaybackPanel
from app.reword import keep, unworded, worded
from checks.sources.mic import MicSpec
from checks.sources.recording import Recording, guided_prompt
from checks.text.wording import say


class MicPanel(QWidget):
    """The prompt, the sentence to read, the level meter, "Hear yourself" / "Test the speakers", and "Test for
    echo"."""

    def __init__(self, spec: MicSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        worded(self, "setAccessibleName", "ui.mic_panel")
        self.prompt = QLabel()
        worded(self.prompt, "setText", "ui.mic_ready")
        self.prompt.setWordWrap(True)
        self.prompt.setTextFormat(Qt.TextFormat.PlainText)
        worded(self.prompt, "setAccessibleDescription", "ui.mic_prompt")  # its name is the prompt itself
        font = QFont(self.prompt.font())
        font.setBold(True)
        self.prompt.setFont(font)
        self.sentence = QLabel()
        worded(self.sentence, "setText", "mic.guide.sentence")
        self.sentence.setWordWrap(True)
        worded(self.sentence, "setAccessibleDescription", "ui.mic_sentence")  # its name: the sentence to read
        big = QFont(self.sentence.font())
        big.setPointSizeF(big.pointSizeF() * 1.3)
        big.setItalic(True)
        self.sentence.setFont(big)
        self.sentence.hide()
        self.meter = LevelMeter()
        self.playback = PlaybackPanel()
        self.echo = EchoTestPanel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.addWidget(self.prompt)
        layout.addWidget(self.sentence)
        layout.addWidget(self.meter)
        layout.addWidget(self.playback)
        layout.addWidget(self.echo)
        self.take: Recording | None = None

    def attach(self, controller: RunController) -> None:
        """Show the controller's guided take: its prompts, its level, and the take to hear back."""
        controller.level_sink = self.meter.feed.push
        controller.phase_changed.connect(lambda phase: self.begin() if phase is Phase.RECORDING else None)
        controller.take_progress.connect(self.show_prompt)
        controller.take_done.connect(lambda take, problem: self.recorded(take) if take else self.failed(problem))
        # the echo test plays a sound and opens the microphone itself: only between runs, on the chosen microphone,
        # judged by the profile's thresholds; its result takes the place of the run's "not asked" row
        controller.phase_changed.connect(lambda phase: self.echo.setEnabled(phase is Phase.IDLE))
        self.echo.setEnabled(controller.phase is Phase.IDLE)
        self.echo.button.pressed.connect(lambda: self.echo.set_mic(controller.session.config.mic))
        profile = controller.session.profile
        self.echo.test.overrides = profile.threshold_overrides([ECHO_ID]) if profile else None
        self.echo.result_ready.connect(controller.add_result)

    def begin(self) -> None:
        """The guided take begins."""
        self.take = None
        self.meter.reset()
        self.meter.start()
        self.show_prompt(0.0)

    def show_prompt(self, elapsed: float) -> None:
        keep(self.prompt, "setText", lambda: guided_prompt(elapsed))
        self.sentence.setVisible(self.prompt.text() == say("mic.guide.speak"))

    def recorded(self, take: Recording) -> None:
        self.take = take
        self.quiet_meter()
        self.sentence.hide()
        worded(self.prompt, "setText", "mic.guide.done")
        self.playback.set_recording(take.samples, take.samplerate)

    def failed(self, problem: str) -> None:
        self.quiet_meter()
        self.sentence.hide()
        unworded(self.prompt, "setText", problem)

    def quiet_meter(self) -> None:
        """The take is over: the meter stops and shows silence (never the last word frozen as if still heard)."""
        self.meter.stop()
        self.meter.reset()

    def stop(self) -> None:
        """Stop showing the level and playing (the window is closing or being reset)."""
        self.meter.stop()
        self.playback.player.stop()
        self.echo.test.cancel()
