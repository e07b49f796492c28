"""Background work for the window on the global QThreadPool; results reach the GUI only through signals.

Every worker is a :class:`Worker`: its :meth:`~Worker.work` runs in a pool thread and the outcome arrives as
``started``, then ``returned`` (the value) or ``errored`` (the exception: a worker never dies silently), then
``finished`` — always, so a view waiting for a worker is never left waiting. :meth:`~Worker.quit` asks the work to
stop (cooperatively: the work looks at :attr:`~Worker.quitting`). A :class:`GeneratorWorker` yields as it goes;
each value arrives as ``yielded``, and it stops between values when asked to quit.

When the app's event loop has ended, :func:`wind_down` asks every worker still running to quit and waits for the
pool, before the interpreter tears the signals' objects down under a running thread (which crashed the process).
A worker whose listener has gone (its signals' object deleted) finishes quietly: nobody is left to tell.
"""

from __future__ import annotations

import contextlib
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


_running: set[Worker] = set()
_running_lock = threading.Lock()


def wind_down(timeout_s: float) -> bool:
    """The app's end: every worker still running is asked to quit, then the pool is waited for (at most
    ``timeout_s``). False if some work did not end in time (a device that does not answer): the caller then ends
    the process without the interpreter's teardown, which would delete objects a running thread still uses
    (:func:`app.check_page.end_app`)."""
    with _running_lock:
        running = list(_running)
    for worker in running:
        worker.quit()
    return QThreadPool.globalInstance().waitForDone(max(0, int(timeout_s * 1000)))


def _tell(signal: Any, *args: Any) -> None:
    """Emit, unless the listener's side is gone (the signals' object deleted as its view closed)."""
    with contextlib.suppress(RuntimeError):  # "Signal source has been deleted": nobody is left to tell
        signal.emit(*args)


class Worker:
    """One piece of work on the global thread pool. Override :meth:`work`; it never touches a widget."""

    def __init__(self) -> None:
        self.signals = WorkerSignals()
        self._quit = threading.Event()
        self.running = False

    def start(self) -> None:
        # The pool gets a plain callable: Qt owns and frees its wrapper; this object stays its owner's.
        self.running = True
        with _running_lock:
            _running.add(self)
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
        _tell(self.signals.started)
        try:
            value = self.work()
        except BaseException as error:  # whatever goes wrong becomes a signal, never a stuck window
            _tell(self.signals.errored, error)
        else:
            _tell(self.signals.returned, value)
        finally:
            self.running = False  # before "finished", so whoever waits for it sees the worker done
            with _running_lock:
                _running.discard(self)
            _tell(self.signals.finished)


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
                _tell(self.signals.yielded, next(steps))
        except StopIteration as done:
            return done.value


class _Relay(RunListener):
    def __init__(self, worker: RunWorker) -> None:
        self.worker = worker

    def check_started(self, check_id: str) -> None:
        _tell(self.worker.check_started, check_id)

    def check_progress(self, check_id: str, fraction: float, message: str) -> None:
        _tell(self.worker.check_progress, check_id, fraction, message)

    def check_finished(self, result: CheckResult, done: int, total: int) -> None:
        _tell(self.worker.check_finished, result, done, total)


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
                          progress=lambda _f: _tell(self.signals.yielded, time.monotonic() - started))
        finally:
            mic.close()
        return guided_take(take)


def as_source_error(error: BaseException, device: str) -> SourceError:
    """A worker's exception as the device's problem in words (a driver fault still becomes a message)."""
    if isinstance(error, SourceError):
        return error
    return SourceError(f"{device}.failed", error=f"{type(error).__name__}: {error}")
