"""The echo test in the window: a "Test for echo" button that runs ``mic.echo`` off the GUI thread.

The test plays a sound, so it runs only when the candidate presses the button. :class:`EchoTest` runs the check
through an ordinary :class:`~checks.engine.runner.Runner` (which opens the chosen microphone, and closes it after) on
the global thread pool (:class:`app.workers.RunWorker`); its result reaches the GUI only through signals::

    test = EchoTest(MicSpec.parse("auto"))
    test.progress.connect(show_message)          # "Playing a short test sound…"
    test.finished.connect(add_to_report)         # one CheckResult (pass, warn, fail or skip)
    test.start()                                 # test.cancel() stops it at once

:class:`EchoTestPanel` is the same as a self-contained widget: the button, and a line of text that says what is
happening and then what was found.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from app.reword import unworded, worded
from app.workers import RunWorker
from checks.api import CheckResult
from checks.builtin.echo import asked
from checks.engine.discovery import discover
from checks.engine.runner import RunConfig, Runner
from checks.engine.thresholds import Thresholds
from checks.sources.mic import MicSpec

CHECK_ID = "mic.echo"


def echo_runner(mic: MicSpec, overrides: Mapping[str, Any] | None = None,
                opened: Mapping[str, Any] | None = None) -> Runner:
    """A runner of ``mic.echo`` alone, asked to play its sound, on ``mic`` (a profile's ``overrides`` honoured;
    ``opened`` sources, such as a microphone the window already holds, used as they are)."""
    checks = [c for c in discover(CHECK_ID) if c.id == CHECK_ID]
    return Runner(checks, RunConfig(mic=mic, thresholds=Thresholds(asked(overrides)), opened=dict(opened or {})))


class EchoTest(QObject):
    """One echo test at a time, on the global thread pool; results only through signals."""

    started = Signal()
    progress = Signal(str)
    """What the test is doing, to show."""
    finished = Signal(object)
    """The ``mic.echo`` :class:`CheckResult`."""

    def __init__(self, mic: MicSpec | None = None, parent: QObject | None = None, *,
                 overrides: Mapping[str, Any] | None = None, opened: Mapping[str, Any] | None = None) -> None:
        super().__init__(parent)
        self.mic = mic or MicSpec("auto")
        self.overrides = overrides
        """A profile's threshold overrides (None: the defaults)."""
        self.opened = opened
        """A microphone the window already holds (``{"mic": source}``): used as it is, never closed."""
        self._worker: RunWorker | None = None

    @property
    def running(self) -> bool:
        return self._worker is not None

    def start(self) -> bool:
        """Start the test (False when one is already running)."""
        if self._worker is not None:
            return False
        worker = RunWorker(echo_runner(self.mic, self.overrides, self.opened))
        worker.check_progress.connect(lambda _id, _fraction, message: message and self.progress.emit(message))
        worker.when_done(self._done)  # a test that failed or was stopped says so as its result; the button works again
        self._worker = worker
        self.started.emit()
        worker.start()
        return True

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.quit()

    def _done(self, results: list[CheckResult]) -> None:
        self._worker = None
        for result in results:
            if result.id == CHECK_ID:
                self.finished.emit(result)


class EchoTestPanel(QWidget):
    """A "Test for echo" button and a line saying what happens, then the finding and its advice."""

    result_ready = Signal(object)
    """The ``mic.echo`` :class:`CheckResult`, for the report."""

    def __init__(self, parent: QWidget | None = None, *, test: EchoTest | None = None) -> None:
        super().__init__(parent)
        self.test = test or EchoTest(parent=self)
        self.button = QPushButton()
        worded(self.button, "setText", "echo_test.button")
        worded(self.button, "setAccessibleName", "echo_test.button", plain=True)
        self.message = QLabel()
        worded(self.message, "setText", "echo_test.hint")
        self.message.setWordWrap(True)
        worded(self.message, "setAccessibleDescription", "echo_test.status")  # its name is what it says
        self.button.clicked.connect(self._clicked)
        self.test.started.connect(self._started)
        self.test.progress.connect(lambda text: unworded(self.message, "setText", text))
        self.test.finished.connect(self._finished)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.button)
        layout.addWidget(self.message)

    def set_mic(self, mic: MicSpec) -> None:
        """The microphone the next test listens with (the one chosen in the window)."""
        self.test.mic = mic

    def _clicked(self) -> None:
        self.test.start()

    def _started(self) -> None:
        self.button.setEnabled(False)
        worded(self.message, "setText", "mic.echo.progress")

    def _finished(self, result: CheckResult) -> None:
        self.button.setEnabled(True)
        unworded(self.message, "setText", " ".join([result.summary, *result.advice]))
        self.result_ready.emit(result)
