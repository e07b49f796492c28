"""Background work for the window on the global QThreadPool; results reach the GUI only through signals."""

from __future__ import annotations

from PySide6.QtCore import QObject, QThreadPool, Signal

from checks.api import CheckResult
from checks.runner import RunListener, Runner
from checks.sources import SourceError
from checks.sources.camera import CameraSpec, open_camera


class RunSignals(QObject):
    """Signals of a run. Created in the GUI thread, so connected slots run there."""

    check_started = Signal(str)
    check_progress = Signal(str, float, str)
    check_finished = Signal(object, int, int)
    finished = Signal(object)  # list[CheckResult], in the order of the runner's checks


class _Relay(RunListener):
    def __init__(self, signals: RunSignals) -> None:
        self.signals = signals

    def check_started(self, check_id: str) -> None:
        self.signals.check_started.emit(check_id)

    def check_progress(self, check_id: str, fraction: float, message: str) -> None:
        self.signals.check_progress.emit(check_id, fraction, message)

    def check_finished(self, result: CheckResult, done: int, total: int) -> None:
        self.signals.check_finished.emit(result, done, total)


class RunWorker:
    """Runs one :class:`Runner` on the global thread pool. It never touches a widget."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.signals = RunSignals()
        runner.listener = _Relay(self.signals)

    def start(self) -> None:
        # The pool gets a plain callable: Qt owns and frees its wrapper; this object stays the window's.
        QThreadPool.globalInstance().start(self.run)

    def cancel(self) -> None:
        self.runner.cancel()

    def run(self) -> None:
        self.signals.finished.emit(self.runner.run())


class OpenSignals(QObject):
    opened = Signal(object)  # a CameraSource
    failed = Signal(object)  # a SourceError


class OpenCameraWorker:
    """Opens the camera off the GUI thread (a camera can take seconds to answer)."""

    def __init__(self, spec: CameraSpec) -> None:
        self.spec = spec
        self.signals = OpenSignals()

    def start(self) -> None:
        QThreadPool.globalInstance().start(self.run)

    def run(self) -> None:
        try:
            source = open_camera(self.spec)
        except SourceError as error:
            self.signals.failed.emit(error)
            return
        except Exception as error:  # a driver fault still becomes a message, not a crash
            self.signals.failed.emit(SourceError("camera.failed", error=f"{type(error).__name__}: {error}"))
            return
        self.signals.opened.emit(source)
