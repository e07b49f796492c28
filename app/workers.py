"""Background work for the window on the global QThreadPool; results reach the GUI only through signals.

Every worker is a :class:`Worker`: its :meth:`~Worker.work` runs in a pool thread and the outcome arrives as
``started``, then ``returned`` (the value) or ``errored`` (the exception: a worker never dies silently), then
``finished`` — always, so a view waiting for a worker is never left waiting. :meth:`~Worker.quit` asks the work to
stop (cooperatively: the work looks at :attr:`~Worker.quitting`). A :class:`GeneratorWorker` yields as it goes;
each value arrives as ``yielded``, and it stops between values when asked to quit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal

from checks.api import CheckResult
from checks.recording import GUIDED_TOTAL_S, Recording, guided_take, record
from checks.runner import RunListener, Runner
from checks.sources import SourceError
from checks.sources.camera import CameraSource, CameraSpec, open_camera
from checks.sources.mic import MicSpec, open_mic


class WorkerSignals(QObject):
    """A worker's signals. Created in the GUI thread, so the slots connected to them run there."""

    started = Signal()
    yielded = Signal(object)
    returned = Signal(object)
    errored = Signal(object)  # the exception
    finished = Signal()


class Worker:
    """One piece of work on the global thread pool. Override :meth:`work`; it never touches a widget."""

    def __init__(self) -> None:
        self.signals = WorkerSignals()
        self._quit = threading.Event()
        self.running = False

    def start(self) -> None:
        # The pool gets a plain callable: Qt owns and frees its wrapper; this object stays its owner's.
        self.running = True
        QThreadPool.globalInstance().start(self.run)

    def quit(self) -> None:
        """Ask the work to stop as soon as it can."""
        self._quit.set()

    @property
    def quitting(self) -> bool:
        return self._quit.is_set()

    def work(self) -> Any:
        raise NotImplementedError

    def run(self) -> None:
        """The pool thread's body (callable directly, in any thread, for a synchronous run)."""
        self.signals.started.emit()
        try:
            value = self.work()
        except BaseException as error:  # whatever goes wrong becomes a signal, never a stuck window
            self.signals.errored.emit(error)
        else:
            self.signals.returned.emit(value)
        finally:
            self.running = False  # before "finished", so whoever waits for it sees the worker done
            self.signals.finished.emit()


class GeneratorWorker(Worker):
    """A worker whose :meth:`steps` yields values (``yielded``) and returns its result (``returned``)."""

    def steps(self) -> Generator[Any, None, Any]:
        raise NotImplementedError

    def work(self) -> Any:
        steps = self.steps()
        try:
            while True:
                if self.quitting:
                    steps.close()
                    return None
                self.signals.yielded.emit(next(steps))
        except StopIteration as done:
            return done.value


class _Relay(RunListener):
    def __init__(self, worker: RunWorker) -> None:
        self.worker = worker

    def check_started(self, check_id: str) -> None:
        self.worker.check_started.emit(check_id)

    def check_progress(self, check_id: str, fraction: float, message: str) -> None:
        self.worker.check_progress.emit(check_id, fraction, message)

    def check_finished(self, result: CheckResult, done: int, total: int) -> None:
        self.worker.check_finished.emit(result, done, total)


class RunSignals(QObject):
    check_started = Signal(str)
    check_progress = Signal(str, float, str)
    check_finished = Signal(object, int, int)


class RunWorker(Worker):
    """Runs one :class:`Runner`; returns its results in the order of its checks. Quitting cancels the run."""

    def __init__(self, runner: Runner) -> None:
        super().__init__()
        self.runner = runner
        self.progress = RunSignals()
        self.check_started = self.progress.check_started
        self.check_progress = self.progress.check_progress
        self.check_finished = self.progress.check_finished
        runner.listener = _Relay(self)

    def quit(self) -> None:
        super().quit()
        self.runner.cancel()

    def work(self) -> list[CheckResult]:
        return self.runner.run()


class OpenCameraWorker(Worker):
    """Opens the camera off the GUI thread (a camera can take seconds to answer); returns the source."""

    def __init__(self, spec: CameraSpec) -> None:
        super().__init__()
        self.spec = spec

    def work(self) -> CameraSource:
        return open_camera(self.spec)


class RecordWorker(Worker):
    """Opens the microphone, records the guided take, and closes it again; ``yielded`` carries the seconds
    recorded so far and ``returned`` the :class:`Recording`. Blocks go to ``on_block`` (a level meter's feed)."""

    def __init__(self, spec: MicSpec, on_block: Callable[[Any], None] | None = None,
                 seconds: float = GUIDED_TOTAL_S) -> None:
        super().__init__()
        self.spec = spec
        self.on_block = on_block
        self.seconds = seconds

    def work(self) -> Recording:
        mic = open_mic(self.spec)
        started = time.monotonic()  # the prompt's clock starts with the take, so "stay quiet" is its start
        try:
            take = record(mic, self.seconds, cancel=self._quit, on_block=self.on_block,
                          progress=lambda _f: self.signals.yielded.emit(time.monotonic() - started))
        finally:
            mic.close()
        return guided_take(take)


def as_source_error(error: BaseException, device: str) -> SourceError:
    """A worker's exception as the device's problem in words (a driver fault still becomes a message)."""
    if isinstance(error, SourceError):
        return error
    return SourceError(f"{device}.failed", error=f"{type(error).__name__}: {error}")
