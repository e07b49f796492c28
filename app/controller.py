"""The run's state machine: open the camera, record the guided microphone take, run the checks, build the report.

A :class:`RunController` owns the devices and the workers and says what happens through signals; the main window,
its step cards and the kiosk are views of it (they never decide the order of a run, and never read a device).
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal

from app.workers import OpenCameraWorker, RecordWorker, RunWorker, as_source_error
from checks.api import CheckResult
from checks.engine.runner import Runner
from checks.report.model import Report, build_report
from checks.sources.camera import CameraSource, CameraSpec, FrameFeed
from checks.sources.mic import MicSpec
from checks.sources.recording import RecordedMic, Recording
from checks.storage.history import History

if TYPE_CHECKING:
    from app.session import Session


class Phase(enum.Enum):
    IDLE = "idle"
    """Nothing is running (before the first run, or after one)."""
    RECORDING = "recording"
    """The guided microphone take: the candidate is asked to be quiet, then to speak."""
    CHECKING = "checking"
    """The checks run (on the preview's camera and the take)."""


class RunController(QObject):
    """One candidate's runs. Create it, connect the views, then :meth:`open_camera` and :meth:`start`."""

    phase_changed = Signal(object)  # Phase
    camera_opened = Signal(object)  # FrameFeed
    camera_problem = Signal(str)  # the problem in words
    camera_released = Signal()
    take_progress = Signal(object)  # seconds recorded (a float)
    take_done = Signal(object, str)  # Recording or None, and the problem in words when None
    check_started = Signal(str)
    check_progress = Signal(str, float, str)
    check_finished = Signal(object, int, int)  # CheckResult, done, total
    run_started = Signal(object)  # the ids of the checks this run runs
    run_finished = Signal(object)  # Report
    """A run has ended (finished, cancelled, or its worker failed): the report of every check's latest result."""

    def __init__(self, session: Session, *, kiosk: bool = False,
                 history: Callable[[], History | None] | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.kiosk = kiosk
        self.history = history or (lambda: None)
        self.phase = Phase.IDLE
        self.report: Report | None = None
        self.results: dict[str, CheckResult] = {}
        """Every check's latest result, as of the last run's end."""
        self.run_ids: list[str] = []
        """The checks of the run going on (empty between runs)."""
        self.fresh: dict[str, CheckResult] = {}
        """The results the run going on has found so far (they join :attr:`results` when it ends)."""
        self.take: Recording | None = None
        self.camera_feed: FrameFeed | None = None
        self.level_sink: Callable[[Any], None] | None = None
        """Where the take's sound blocks go while recording (the level meter's feed); any thread calls it."""
        self.picture = False
        """The candidate opted in to a snapshot in the report (never in kiosk mode)."""
        self.cancelled = False
        self.worker: RunWorker | None = None
        self._recorder: RecordWorker | None = None
        self._opener: OpenCameraWorker | None = None
        self._camera_pending = False
        self._start_when_ready = False
        self._only: frozenset[str] | None = None
        self._closed = False
        self.history_error: OSError | None = None
        self._open_timer = QTimer(self)
        self._open_timer.setSingleShot(True)
        self._open_timer.timeout.connect(self._camera_done)

    # -- what the session offers --------------------------------------------------------------------------

    @property
    def has_camera(self) -> bool:
        return self.session.config.camera.kind != "none"

    @property
    def has_mic(self) -> bool:
        return self.session.config.mic.kind != "none" and any(c.category == "mic" for c in self.session.checks)

    @property
    def running(self) -> bool:
        return self.phase is not Phase.IDLE

    def set_session(self, session: Session) -> None:
        """Another profile (or devices): the results so far are dropped."""
        self.session = session
        self.results = {}
        self.report = None

    def pending(self) -> set[str]:
        """The checks of the run going on that have not finished yet."""
        return {i for i in self.run_ids if i not in self.fresh}

    def known(self) -> dict[str, CheckResult]:
        """Every check's newest result: the last run's, updated by what the run going on has found so far."""
        return {**self.results, **self.fresh}

    def progress(self) -> tuple[int, int]:
        """How many of the run's checks have finished, of how many."""
        return len(self.fresh), len(self.run_ids)

    def _set_phase(self, phase: Phase) -> None:
        self.phase = phase
        self.phase_changed.emit(phase)

    # -- the camera ------------------------------------------------------------------------------------------

    def open_camera(self) -> None:
        """Open the camera for the preview (the camera checks read the same feed)."""
        if not self.has_camera or self._camera_pending or self.camera_feed is not None:
            return
        self._camera_pending = True
        worker = OpenCameraWorker(self.session.config.camera)
        worker.signals.returned.connect(self._camera_opened)
        worker.signals.errored.connect(self._camera_failed)
        self._opener = worker  # kept until it has answered
        worker.start()
        self._open_timer.start(int(1000 * self.session.config.thresholds.runner("open_camera_s")))

    def release_camera(self) -> None:
        """Stop the preview and release the camera (its light goes off)."""
        self._camera_pending = False
        if self.camera_feed is not None:
            self.camera_feed.close()
            self.camera_feed = None
        self.camera_released.emit()

    def choose_camera(self, spec: CameraSpec) -> None:
        """Use another camera: release this one, open that one, and check the picture again."""
        self._choose(dataclasses.replace(self.session.config, camera=spec), "camera")

    def choose_mic(self, spec: MicSpec) -> None:
        """Use another microphone and check the sound again."""
        self._choose(dataclasses.replace(self.session.config, mic=spec), "mic")

    def _choose(self, config: Any, category: str) -> None:
        if self.running:
            return
        self.session = dataclasses.replace(self.session, config=config)
        if category == "camera":
            self.release_camera()
            self.open_camera()
        if any(c.category == category for c in self.session.checks):
            self.start_when_ready({category})

    def _camera_opened(self, source: CameraSource) -> None:
        if not self._camera_pending:  # too late, or released meanwhile
            source.close()
            return
        self.camera_feed = FrameFeed(source)
        self.camera_opened.emit(self.camera_feed)
        self._camera_done()

    def _camera_failed(self, error: BaseException) -> None:
        if self._camera_pending:
            self.camera_problem.emit(as_source_error(error, "camera").summary)
        self._camera_done()

    def _camera_done(self) -> None:
        """The camera opened, failed, or never answered (then the checks will say so)."""
        self._camera_pending = False
        self._opener = None
        self._open_timer.stop()
        if self._start_when_ready:
            self._start_when_ready = False
            self.start(self._only)

    # -- a run -------------------------------------------------------------------------------------------------

    def start_when_ready(self, only: set[str] | None = None) -> None:
        """Run as soon as the camera preview is open (at once when it is not being opened)."""
        if self._camera_pending:
            self._start_when_ready = True
            self._only = frozenset(only) if only else None
        else:
            self.start(only)

    def checks_for(self, only: set[str] | frozenset[str] | None) -> list[Any]:
        return [c for c in self.session.checks if only is None or c.category in only]

    def start(self, only: set[str] | frozenset[str] | None = None) -> None:
        """Run the checks (of the categories ``only``, else all): first the guided take when the microphone
        is checked, then the checks on it."""
        if self.running or self._closed:
            return
        self._only = frozenset(only) if only else None
        self.cancelled = False
        checks = self.checks_for(self._only)
        self.run_ids = [c.id for c in checks]
        self.fresh = {}
        self.run_started.emit(list(self.run_ids))
        if self.has_mic and any(c.category == "mic" for c in checks):
            self._set_phase(Phase.RECORDING)
            self.take = None
            recorder = RecordWorker(self.session.config.mic, on_block=self._block)
            recorder.signals.yielded.connect(self.take_progress)
            recorder.signals.returned.connect(self._take_recorded)
            recorder.signals.errored.connect(self._take_failed)
            self._recorder = recorder
            recorder.start()
        else:
            self._launch(None)

    def _block(self, block: Any) -> None:
        sink = self.level_sink
        if sink is not None:
            sink(block)

    def _take_recorded(self, take: Recording) -> None:
        self._recorder = None
        self.take = take
        self.take_done.emit(take, "")
        self._launch(take)

    def _take_failed(self, error: BaseException) -> None:
        self._recorder = None
        self.take_done.emit(None, as_source_error(error, "mic").summary)
        self._launch(None)

    def _launch(self, take: Recording | None) -> None:
        if self._closed:
            return
        opened: dict[str, object] = {}
        if self.camera_feed is not None:
            opened["camera"] = self.camera_feed.reader()
        if take is not None and len(take.samples):
            opened["mic"] = RecordedMic(take)
        config = dataclasses.replace(self.session.config, opened=opened, picture=self.picture and not self.kiosk)
        self._set_phase(Phase.CHECKING)
        self.worker = RunWorker(Runner(self.checks_for(self._only), config))
        self.worker.check_started.connect(self.check_started)
        self.worker.check_progress.connect(self.check_progress)
        self.worker.check_finished.connect(self._check_finished)
        self.worker.when_done(self._finished)  # returned, failed, or stopped: one result per check
        self.worker.start()
        if self.cancelled:  # stopped during the microphone take: every check ends as "not checked"
            self.worker.quit()

    def _check_finished(self, result: CheckResult, done: int, total: int) -> None:
        self.fresh[result.id] = result
        self.check_finished.emit(result, done, total)

    def cancel(self) -> None:
        self.cancelled = True
        if self._recorder is not None:
            self._recorder.end_take()  # what was recorded is still heard back; the checks on it are stopped
        if self.worker is not None:
            self.worker.quit()

    def add_result(self, result: CheckResult) -> None:
        """A check run on its own between runs (the echo test, on the candidate's press) takes its place in the
        report; the history is not written again for it."""
        if not self.running:
            self._finished([result], remember=False)

    def _finished(self, results: list[CheckResult], remember: bool = True) -> None:
        self.worker = None
        self.run_ids, self.fresh = [], {}
        for result in results:
            self.results[result.id] = result
        ordered = [self.results[c.id] for c in self.session.checks if c.id in self.results]
        history = self.history()
        previous = history.last() if history is not None else None
        report = build_report(ordered, self.session.profile, self.session.config.thresholds, previous)
        self.history_error = None
        if remember and history is not None and ordered and not self.cancelled:
            try:
                history.add(report)
            except OSError as error:
                self.history_error = error
        self.report = report
        self._set_phase(Phase.IDLE)
        self.run_finished.emit(report)

    # -- the end ---------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Stop everything and release the devices (the window is closing, or the kiosk's student is done)."""
        self._closed = True
        self._camera_pending = False
        self._start_when_ready = False
        self.cancel()
        if self.worker is not None or self._recorder is not None:
            grace_ms = int(1000 * (self.session.config.thresholds.runner("grace_s") + 2))
            QThreadPool.globalInstance().waitForDone(grace_ms)
        self.release_camera()  # only after the checks that read it have stopped
