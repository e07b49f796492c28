"""Background work for the window: the one way ``app/`` runs work off the GUI thread; results reach the GUI only
through signals.

Every worker is a :class:`Worker`: its :meth:`~Worker.work` runs in a pool thread and the outcome arrives as
``started``, then ``returned`` (the value) or ``errored`` (the exception: a worker never dies silently), then
``finished`` — always, so a view waiting for a worker is never left waiting. :meth:`~Worker.quit` asks the work to
stop (cooperatively: the work looks at :attr:`~Worker.quitting`, or rests with :meth:`~Worker.rest`); a worker that
was asked to quit never emits ``returned`` (nobody wants its value any more), but ``finished`` still comes. A
:class:`GeneratorWorker` yields as it goes; each value arrives as ``yielded``, and it stops between values when asked
to quit. A worker whose work lasts as long as a view is open (``lasting``: the camera coach, interview mode's
watcher) runs on a pool of its own, so the global pool's few threads stay free for the checks.

A :class:`RunWorker` runs the checks; :meth:`RunWorker.when_done` hands its views one result per check however the
run ended (returned, failed, or stopped), so no view words a failed or stopped run on its own.

When the app's event loop has ended, :func:`wind_down` asks every worker still running to quit and waits for the
pools, before the interpreter tears the signals' objects down under a running thread (which crashed the process).
A worker whose listener has gone (its signals' object deleted) finishes quietly: nobody is left to tell.

The sound card's callbacks are no workers (the sound library calls them on its own thread): they hand their data to
the GUI through :class:`app.handoff.Handoff`.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Generator
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal

from checks.api import CheckResult, Status
from checks.engine.runner import RunListener, Runner, crashed_result, problem_result
from checks.guard.judgement import Change
from checks.guard.watchers import Watch
from checks.guard.watchers import run as run_watch
from checks.sources import SourceError
from checks.sources.camera import CameraSource, CameraSpec, open_camera
from checks.sources.mic import MicSpec, open_mic
from checks.sources.recording import GUIDED_TOTAL_S, Recording, guided_take, record


class WorkerSignals(QObject):
    """A worker's signals. Created in the GUI thread, so the slots connected to them run there."""

    started = Signal()
    yielded = Signal(object)
    returned = Signal(object)
    errored = Signal(object)  # the exception
    finished = Signal()


_running: set[Worker] = set()
_running_lock = threading.Lock()
_lasting_pool: QThreadPool | None = None


def _pool(lasting: bool) -> QThreadPool:
    """The global pool, or (for work that lasts as long as its view) the pool of lasting work, made when first used:
    one thread for each such worker, so that it never holds one of the few threads the checks are waiting for."""
    global _lasting_pool
    if not lasting:
        return QThreadPool.globalInstance()
    if _lasting_pool is None:
        _lasting_pool = QThreadPool()
        _lasting_pool.setMaxThreadCount(16)  # a coach and a watcher at most, in practice
    return _lasting_pool


def wind_down(timeout_s: float) -> bool:
    """The app's end: every worker still running is asked to quit, then the pools are waited for (at most
    ``timeout_s`` in all). False if some work did not end in time (a device that does not answer): the caller then
    ends the process without the interpreter's teardown, which would delete objects a running thread still uses
    (:func:`app.check_page.end_app`)."""
    with _running_lock:
        running = list(_running)
    for worker in running:
        worker.quit()
    ends = time.monotonic() + max(0.0, timeout_s)
    done = True
    for pool in (QThreadPool.globalInstance(), _lasting_pool):
        if pool is not None:
            done = pool.waitForDone(max(0, int((ends - time.monotonic()) * 1000))) and done
    return done


def at_work() -> list[str]:
    """The workers still running (their class names): none when every view has ended its work."""
    with _running_lock:
        return sorted(type(worker).__name__ for worker in _running)


def _tell(signal: Any, *args: Any) -> None:
    """Emit, unless the listener's side is gone (the signals' object deleted as its view closed)."""
    with contextlib.suppress(RuntimeError):  # "Signal source has been deleted": nobody is left to tell
        signal.emit(*args)


class Worker:
    """One piece of work on a thread pool. Override :meth:`work`; it never touches a widget."""

    lasting = False
    """True for work that lasts as long as its view (it runs on a pool of its own; see :func:`_pool`)."""

    def __init__(self) -> None:
        self.signals = WorkerSignals()
        self._quit = threading.Event()
        self._ended = threading.Event()
        self.running = False

    def start(self) -> None:
        # The pool gets a plain callable: Qt owns and frees its wrapper; this object stays its owner's.
        self.running = True
        self._ended.clear()
        with _running_lock:
            _running.add(self)
        _pool(self.lasting).start(self.run)

    def quit(self) -> None:
        """Ask the work to stop as soon as it can; ``returned`` will not come, ``finished`` will."""
        self._quit.set()

    @property
    def quitting(self) -> bool:
        return self._quit.is_set()

    def rest(self, seconds: float) -> bool:
        """Wait ``seconds`` in the work, unless asked to quit meanwhile; True when asked (the work then ends)."""
        return self._quit.wait(seconds)

    def wait(self, timeout_s: float) -> bool:
        """Wait (in the GUI thread) until the work has ended, at most ``timeout_s``; False if it has not. The
        signals it emitted are delivered when the event loop runs next."""
        return not self.running or self._ended.wait(timeout_s)

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
            if not self.quitting:  # asked to quit: nobody wants the value any more
                _tell(self.signals.returned, value)
        finally:
            self.running = False  # before "finished", so whoever waits for it sees the worker done
            with _running_lock:
                _running.discard(self)
            self._ended.set()
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
                value = next(steps)
                if self.quitting:  # asked while the value was being made: it is not told either
                    steps.close()
                    return None
                _tell(self.signals.yielded, value)
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
        self.worker.found[result.id] = result  # before it is told, so the views' "finished" finds it
        _tell(self.worker.check_finished, result, done, total)


class RunSignals(QObject):
    check_started = Signal(str)
    check_progress = Signal(str, float, str)
    check_finished = Signal(object, int, int)
    done = Signal(object)  # one result per check, however the run ended (see RunWorker.when_done)


class RunWorker(Worker):
    """Runs one :class:`Runner`; returns its results in the order of its checks. Quitting cancels the run (the
    checks still running are told to stop; ``returned`` does not come): :meth:`when_done` is how a view learns the
    results however the run ended."""

    def __init__(self, runner: Runner) -> None:
        super().__init__()
        self.runner = runner
        self.found: dict[str, CheckResult] = {}
        """The results the checks have reported so far (written in the run's threads; read once it has ended)."""
        self.progress = RunSignals()
        self.check_started = self.progress.check_started
        self.check_progress = self.progress.check_progress
        self.check_finished = self.progress.check_finished
        runner.listener = _Relay(self)

    def quit(self) -> None:
        super().quit()
        self.runner.cancel()

    def work(self) -> list[CheckResult]:
        try:
            results = self.runner.run()  # stopped, it still ends with a result for each check ("not checked")
        except BaseException as error:
            _tell(self.progress.done, self.results(error))
            raise
        _tell(self.progress.done, results)
        return results

    def results(self, error: BaseException | None = None) -> list[CheckResult]:
        """One result per check of a run that ended without returning them: what each check reported, else "stopped
        unexpectedly" (the run itself failed with ``error``) or "not checked" (the run was stopped)."""
        def result(check: Any) -> CheckResult:
            if check.id in self.found:
                return self.found[check.id]
            if error is not None:
                return crashed_result(check, error)
            return problem_result(check, Status.SKIP, "cancelled")

        return [result(c) for c in self.runner.checks]

    def when_done(self, take: Callable[[list[CheckResult]], None]) -> None:
        """Hand ``take`` (in the GUI thread) one result per check, once, however the run ends: the runner's results
        (when it was stopped, "not checked" for each check that had not finished: ``returned`` does not come after
        :meth:`quit`); if the run itself failed, "stopped unexpectedly" for each check that had reported nothing. The
        one place a failed or stopped run is put in words for the views."""
        self.progress.done.connect(take)


class OpenCameraWorker(Worker):
    """Opens the camera off the GUI thread (a camera can take seconds to answer); returns the source."""

    def __init__(self, spec: CameraSpec) -> None:
        super().__init__()
        self.spec = spec

    def work(self) -> CameraSource | None:
        source = open_camera(self.spec)
        if self.quitting:  # nobody will take it: its light goes off again
            source.close()
            return None
        return source


class RecordWorker(Worker):
    """Opens the microphone, records the guided take, and closes it again; ``yielded`` carries the seconds
    recorded so far and ``returned`` the :class:`Recording`. Blocks go to ``on_block`` (a level meter's feed).
    :meth:`end_take` ends the take early and still returns what was recorded (a run being stopped: the candidate
    can still hear it back); :meth:`quit` drops it."""

    def __init__(self, spec: MicSpec, on_block: Callable[[Any], None] | None = None,
                 seconds: float = GUIDED_TOTAL_S) -> None:
        super().__init__()
        self.spec = spec
        self.on_block = on_block
        self.seconds = seconds
        self._enough = threading.Event()

    def end_take(self) -> None:
        """Stop recording now; ``returned`` brings the take recorded so far."""
        self._enough.set()

    def quit(self) -> None:
        super().quit()
        self._enough.set()

    def work(self) -> Recording:
        mic = open_mic(self.spec)
        started = time.monotonic()  # the prompt's clock starts with the take, so "stay quiet" is its start
        try:
            take = record(mic, self.seconds, cancel=self._enough, on_block=self.on_block,
                          progress=lambda _f: _tell(self.signals.yielded, time.monotonic() - started))
        finally:
            mic.close()
        return guided_take(take)


class GuardSignals(QObject):
    status = Signal(object)  # a Status, on every evaluation
    notice = Signal(str)  # a sentence to tell once (the microphone cannot be watched)
    timeline = Signal(object)  # the list of Change, once the watch has stopped


class GuardWorker(Worker):
    """Interview mode's watcher loop (:func:`checks.guard.watchers.run`) for the whole interview: ``status`` on every
    evaluation, ``notice`` for a watcher that cannot watch, and ``timeline`` when it stops. Quitting is how a watch
    ends, so the timeline has a signal of its own (``returned`` never comes after :meth:`quit`); a watch that fails
    says so through ``errored``."""

    lasting = True

    def __init__(self, watch: Watch) -> None:
        super().__init__()
        self.watch = watch
        self.watching = GuardSignals()
        self.status = self.watching.status
        self.notice = self.watching.notice
        self.timeline = self.watching.timeline

    def cancel(self, wait_s: float = 3.0) -> None:
        """End the watch and wait for it (its last signals arrive when the event loop runs next)."""
        self.quit()
        self.wait(wait_s)

    def work(self) -> list[Change]:
        guard = run_watch(self.watch, self._quit, lambda status, _changed: _tell(self.status, status),
                          lambda text: _tell(self.notice, text))
        _tell(self.timeline, list(guard.changes))
        return list(guard.changes)


def as_source_error(error: BaseException, device: str) -> SourceError:
    """A worker's exception as the device's problem in words (a driver fault still becomes a message)."""
    if isinstance(error, SourceError):
        return error
    return SourceError(f"{device}.failed", error=f"{type(error).__name__}: {error}")
