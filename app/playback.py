"""Playing sound back: the candidate's own recording ("hear yourself") and a test sound for the speakers.

:class:`Player` plays an array through a sounddevice output stream whose callback only copies the next part
of the array; a timer in the GUI thread notices the end (:class:`app.handoff.Handoff`). It never raises into the
window: a missing sound library or an output that cannot be opened becomes the ``failed`` signal with a sentence to
show::

    player = Player()
    player.finished.connect(...); player.failed.connect(show_message)
    player.play(recording.samples, recording.samplerate)   # or player.play(*speaker_test_sound())
    player.stop()

:class:`PlaybackPanel` is the same as a self-contained widget: "Hear yourself" and "Test the speakers" buttons
and a line of text.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.handoff import Handoff
from app.reword import unworded, worded
from checks.text.wording import say

TEST_SOUND_RATE = 48_000


def speaker_test_sound(rate: int = TEST_SOUND_RATE) -> tuple[np.ndarray, int]:
    """A short chime heard first on the left, then on the right, then on both (stereo float32), and its rate.

    Each note is 0.4 s at −12 dBFS peak with soft edges, so it is clear but never startling.
    """
    note_s, gap_s = 0.4, 0.15
    t = np.arange(round(note_s * rate)) / rate
    envelope = np.minimum(1.0, np.minimum(t, note_s - t) / 0.03)
    amplitude = 10 ** (-12 / 20)
    gap = np.zeros((round(gap_s * rate), 2), np.float32)
    parts = []
    for hz, sides in ((660.0, (1, 0)), (880.0, (0, 1)), (990.0, (1, 1))):
        note = (amplitude * envelope * np.sin(2 * np.pi * hz * t)).astype(np.float32)
        parts += [np.column_stack([note * sides[0], note * sides[1]]), gap]
    return np.concatenate(parts), rate


class Player(QObject):
    """Plays one array at a time on the default (or a chosen) output device."""

    started = Signal()
    finished = Signal()
    """Emitted when the sound has played to its end or was stopped."""
    failed = Signal(str)
    """The sentence to show when nothing can be played."""

    def __init__(self, parent: QObject | None = None, *, device: int | str | None = None) -> None:
        super().__init__(parent)
        self.device = device
        self._stream: Any = None
        self._data = np.zeros((0, 1), np.float32)
        self._cursor = 0
        self._ended: Handoff[bool] = Handoff(self._poll, interval_ms=50, capacity=1, parent=self)
        """The sound library's news that the sound has ended (from its thread), noticed on the GUI's timer."""

    @property
    def playing(self) -> bool:
        return self._stream is not None

    @property
    def position_s(self) -> float:
        """How far the sound has played, in seconds."""
        rate = self._stream.samplerate if self._stream is not None else 1
        return self._cursor / rate

    def play(self, samples: np.ndarray, samplerate: int) -> bool:
        """Start playing ``samples`` (frames × channels, or 1-D) at ``samplerate``; False if it cannot start."""
        self.stop()
        data = np.asarray(samples, dtype=np.float32)
        if len(data) == 0 or data.ndim not in (1, 2):
            self.failed.emit(say("playback.nothing"))
            return False
        data = np.clip(np.nan_to_num(data[:, None] if data.ndim == 1 else data), -1.0, 1.0)
        try:
            import sounddevice as sd
        except OSError:  # the PortAudio library is missing
            self.failed.emit(say("playback.no_portaudio"))
            return False
        self._data, self._cursor = data, 0
        self._ended.drain()  # the news of a sound stopped before is old
        try:
            stream = sd.OutputStream(samplerate=samplerate, channels=data.shape[1], dtype="float32",
                                     device=self.device, callback=self._callback,
                                     finished_callback=lambda: self._ended.push(True))
            stream.start()
        except Exception as error:  # PortAudioError, or ValueError for settings the device refuses
            self.failed.emit(say("playback.cannot_play", error=error))
            return False
        self._stream = stream
        self._ended.start()
        self.started.emit()
        return True

    def _callback(self, outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        chunk = self._data[self._cursor : self._cursor + frames]
        outdata[: len(chunk)] = chunk
        outdata[len(chunk) :] = 0
        self._cursor += len(chunk)
        if len(chunk) < frames:
            import sounddevice as sd

            raise sd.CallbackStop

    def _poll(self) -> None:
        if self._ended.drain():
            self.stop()

    def stop(self) -> None:
        """Stop playing (harmless when nothing plays); ``finished`` follows if something was playing."""
        self._ended.stop()
        stream, self._stream = self._stream, None
        if stream is None:
            return
        try:
            stream.stop()
            stream.close()
        except Exception:  # an output that vanished while playing is already gone
            pass
        self.finished.emit()


class PlaybackPanel(QWidget):
    """Two buttons, "Hear yourself" (the last recording) and "Test the speakers", and a line saying what happens.

    Give it the recording with :meth:`set_recording`; until then "Hear yourself" is disabled. While a sound plays
    its button reads "Stop". Messages (the speakers hint, or why nothing can be played) are shown as text.
    """

    def __init__(self, parent: QWidget | None = None, *, player: Player | None = None) -> None:
        super().__init__(parent)
        self.player = player or Player(self)
        self._recording: tuple[np.ndarray, int] | None = None
        self._playing: QPushButton | None = None
        self.hear_button = QPushButton()
        self.speakers_button = QPushButton()
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # it may quote the sound system's error
        self.message.setWordWrap(True)
        self._label_buttons()
        worded(self.message, "setAccessibleDescription", "playback.status")  # its name is what it says
        self.hear_button.setEnabled(False)
        self.hear_button.clicked.connect(self._hear)
        self.speakers_button.clicked.connect(self._speakers)
        self.player.finished.connect(self._finished)
        self.player.failed.connect(self._failed)
        buttons = QHBoxLayout()
        buttons.addWidget(self.hear_button)
        buttons.addWidget(self.speakers_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.message)

    def set_recording(self, samples: np.ndarray | None, samplerate: int = 0) -> None:
        """The recording "Hear yourself" plays (None or empty: nothing to play, the button is disabled)."""
        usable = samples is not None and len(samples) > 0 and samplerate > 0
        self._recording = (samples, samplerate) if usable else None
        self.hear_button.setEnabled(usable)

    def _label_buttons(self) -> None:
        for button, key in ((self.hear_button, "hear_yourself"), (self.speakers_button, "test_speakers")):
            worded(button, "setText", f"playback.{key}")
            worded(button, "setAccessibleName", f"playback.{key}", plain=True)

    def _toggle(self, button: QPushButton, sound: tuple[np.ndarray, int], hint: str | None) -> None:
        if self._playing is button:
            self.player.stop()
            return
        self.player.stop()
        if self.player.play(*sound):
            self._playing = button
            worded(button, "setText", "playback.stop")
            worded(button, "setAccessibleName", "playback.stop", plain=True)
            if hint is None:
                unworded(self.message, "setText", "")
            else:
                worded(self.message, "setText", hint)

    def _hear(self) -> None:
        if self._recording is not None:
            self._toggle(self.hear_button, self._recording, None)

    def _speakers(self) -> None:
        self._toggle(self.speakers_button, speaker_test_sound(), "playback.speakers_hint")

    def _finished(self) -> None:
        if self._playing is not None:  # "you should hear three notes" is over with the notes
            unworded(self.message, "setText", "")
        self._label_buttons()
        self._playing = None

    def _failed(self, message: str) -> None:
        self._finished()
        unworded(self.message, "setText", message)
