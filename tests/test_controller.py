"""The run's state machine, with no widget: its phases and signals, a failing worker, a re-run of one step."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QThreadPool

from app.cli import make_parser
from app.controller import Phase, RunController
from app.session import Session, resolve
from app.workers import GeneratorWorker, Worker
from checks.api import Check, CheckContext, CheckResult, Status
from checks.report.model import Report
from checks.sources.camera import CameraSpec
from tests.conftest import DEMO
from tests.support import scenes

TIMEOUT_MS = 60_000


def session_for(*args: str) -> Session:
    return resolve(make_parser().parse_args(list(args)))


@pytest.fixture
def controllers(qtbot):
    made: list[RunController] = []

    def make(session: Session) -> RunController:
        controller = RunController(session)
        made.append(controller)
        return controller

    yield make
    for controller in made:
        controller.close()
    assert QThreadPool.globalInstance().waitForDone(10_000)


def test_a_run_goes_through_the_take_and_the_checks_to_a_report(qtbot, controllers):
    controller = controllers(session_for("--camera", str(DEMO / "camera.avi"), "--mic", str(DEMO / "speech.wav"),
                                         "--network", "none", "--only", "camera.device,mic.device,mic.level"))
    phases: list[Phase] = []
    controller.phase_changed.connect(phases.append)
    finished: list[str] = []
    controller.check_finished.connect(lambda result, done, total: finished.append(result.id))
    takes = []
    controller.take_done.connect(lambda take, problem: takes.append((take, problem)))
    with qtbot.waitSignal(controller.camera_opened, timeout=TIMEOUT_MS):
        controller.open_camera()
    assert controller.camera_feed is not None
    with qtbot.waitSignal(controller.run_finished, timeout=TIMEOUT_MS) as blocker:
        controller.start()
        assert controller.running
    report = blocker.args[0]
    assert isinstance(report, Report) and report is controller.report
    assert phases == [Phase.RECORDING, Phase.CHECKING, Phase.IDLE] and not controller.running
    assert sorted(finished) == ["camera.device", "mic.device", "mic.level"]
    assert len(takes) == 1 and takes[0][0] is not None and takes[0][1] == ""
    assert {r.id: r.status for r in report.results}["mic.device"] is Status.PASS
    with qtbot.waitSignal(controller.camera_released, timeout=1000):
        controller.release_camera()
    assert controller.camera_feed is None


def test_choosing_another_camera_reopens_it_and_checks_only_the_picture_again(qtbot, controllers, tmp_path):
    other = scenes.plain_video(tmp_path / "other.avi")  # a second "camera", of another size than the demo's
    controller = controllers(session_for("--camera", str(DEMO / "camera.avi"), "--mic", "none", "--network", "none",
                                         "--only", "camera.device,system.power"))
    with qtbot.waitSignal(controller.camera_opened, timeout=TIMEOUT_MS):
        controller.open_camera()
    with qtbot.waitSignal(controller.run_finished, timeout=TIMEOUT_MS):
        controller.start()
    first = {r.id: r for r in controller.report.results}
    started: list[list[str]] = []
    controller.run_started.connect(started.append)
    with qtbot.waitSignal(controller.run_finished, timeout=TIMEOUT_MS) as blocker:
        controller.choose_camera(CameraSpec.parse(str(other)))
    again = {r.id: r for r in blocker.args[0].results}
    assert started == [["camera.device"]]  # only the picture's step ran again
    assert again["system.power"] is first["system.power"]  # the other step's result is kept as it was
    assert again["camera.device"] is not first["camera.device"]
    assert "320" in again["camera.device"].summary or again["camera.device"].value == 240
    assert controller.camera_feed is not None and controller.session.config.camera.path == other


class Exploding(Worker):
    def work(self) -> None:
        raise RuntimeError("the driver fell over")


class Counting(GeneratorWorker):
    def steps(self):
        yield from range(3)
        return "done"


def test_a_worker_that_raises_says_so_and_always_finishes(qtbot):
    worker = Exploding()
    errors = []
    worker.signals.errored.connect(errors.append)
    with qtbot.waitSignals([worker.signals.started, worker.signals.finished], timeout=5000):
        worker.start()
    assert [str(e) for e in errors] == ["the driver fell over"] and not worker.running


def test_a_generator_worker_yields_then_returns_and_stops_when_asked(qtbot):
    worker = Counting()
    yielded, returned = [], []
    worker.signals.yielded.connect(yielded.append)
    worker.signals.returned.connect(returned.append)
    with qtbot.waitSignal(worker.signals.finished, timeout=5000):
        worker.start()
    assert yielded == [0, 1, 2] and returned == ["done"]


class Endless(GeneratorWorker):
    """Yields a count every 10 ms until it is asked to quit; notes whether its steps were closed."""

    def __init__(self) -> None:
        super().__init__()
        self.closed = threading.Event()

    def steps(self):
        count = 0
        try:
            while not self.rest(0.01):
                count += 1
                yield count
        finally:
            self.closed.set()
        return "never asked for"


def test_quitting_stops_the_work_withholds_its_value_and_still_finishes(qtbot):
    worker = Endless()
    yielded, returned, errors = [], [], []
    worker.signals.yielded.connect(yielded.append)
    worker.signals.returned.connect(returned.append)
    worker.signals.errored.connect(errors.append)
    with qtbot.waitSignal(worker.signals.yielded, timeout=5000):
        worker.start()
    with qtbot.waitSignal(worker.signals.finished, timeout=5000):
        worker.quit()
    assert worker.closed.is_set() and not worker.running  # the work stopped, its generator closed
    seen = len(yielded)
    qtbot.wait(100)
    assert len(yielded) == seen and returned == [] and errors == []  # nothing more, and no value after quitting
    waiting = Waiting()
    told = []
    waiting.signals.returned.connect(told.append)
    waiting.quit()  # before it starts: the work sees it at once
    with qtbot.waitSignal(waiting.signals.finished, timeout=5000):
        waiting.start()
    assert waiting.wait(1) and waiting.asked_to_quit and told == []


class Waiting(Worker):
    """Work that runs until it is asked to quit, as a camera being opened or a take being recorded does."""

    def __init__(self) -> None:
        super().__init__()
        self.began = threading.Event()
        self.asked_to_quit = False

    def work(self) -> str:
        self.began.set()
        self.asked_to_quit = self.rest(30)
        return "stopped"


def test_the_apps_end_winds_down_running_workers_and_one_whose_view_is_gone_ends_quietly(qtbot):
    import shiboken6

    from app.workers import wind_down

    worker = Waiting()
    worker.start()
    assert worker.began.wait(5)
    shiboken6.delete(worker.signals)  # the view that listened has gone, as when the app's window closed first
    assert wind_down(10)  # asked to quit, and waited for
    assert worker.asked_to_quit and not worker.running  # its work ended because it was asked, not after 30 s
    gone = Exploding()
    shiboken6.delete(gone.signals)
    gone.run()  # synchronously: nobody to tell of the error, and no exception escapes the pool's thread
    assert not gone.running


class UnreadableRequirements(Check):
    """A plugin whose ``requires`` raises when read: the runner itself fails before any check runs."""

    id = "system.unreadable"
    title = "Unreadable test check"
    category = "system"

    @property
    def requires(self) -> frozenset[str]:  # type: ignore[override]
        raise RuntimeError("requirements could not be read")

    def run(self, context: CheckContext) -> CheckResult:
        return self.result(Status.PASS, "never reached")


def test_a_run_whose_worker_fails_ends_as_results_and_the_controller_is_idle(qtbot, controllers):
    from tests.test_window import as_plugin

    session = session_for("--camera", "none", "--mic", "none", "--network", "none", "--only", "system.power")
    session.checks.append(as_plugin(UnreadableRequirements()))
    controller = controllers(session)
    with qtbot.waitSignal(controller.run_finished, timeout=TIMEOUT_MS) as blocker:
        controller.start()
    report = blocker.args[0]
    assert not controller.running and controller.phase is Phase.IDLE
    assert [r.id for r in report.results] == ["system.power", "system.unreadable"]
    assert all(r.status is Status.ERROR and "requirements could not be read" in r.details["error"]
               and "stopped unexpectedly" in r.summary for r in report.results)


@pytest.mark.parametrize("when", [Phase.RECORDING, Phase.CHECKING])
def test_a_cancelled_run_ends_every_check_as_not_checked_and_keeps_the_take(qtbot, controllers, when):
    """Stopped during the guided take or during the checks: the run still ends (once), each of its checks "not
    checked", and what was recorded can still be heard back."""
    from tests.test_window import SlowCheck, as_plugin

    session = session_for("--camera", "none", "--mic", str(DEMO / "speech.wav"), "--network", "none",
                          "--only", "mic.device,mic.level")
    session.checks.append(as_plugin(SlowCheck()))
    controller = controllers(session)
    takes, ended = [], []
    controller.take_done.connect(lambda take, problem: takes.append(take))
    controller.run_finished.connect(ended.append)
    if when is Phase.RECORDING:
        controller.take_progress.connect(lambda _s: controller.cancel() if not controller.cancelled else None)
    else:
        controller.check_progress.connect(lambda check_id, _f, _m: controller.cancel()
                                          if check_id == SlowCheck.id and not controller.cancelled else None)
    with qtbot.waitSignal(controller.run_finished, timeout=TIMEOUT_MS) as blocker:
        controller.start()
    qtbot.wait(200)  # nothing more comes after the run's end
    report = blocker.args[0]
    assert ended == [report] and not controller.running
    assert [r.id for r in report.results] == ["mic.device", "mic.level", SlowCheck.id]
    slow = {r.id: r for r in report.results}[SlowCheck.id]
    assert slow.status is Status.SKIP and slow.summary != ""
    if when is Phase.RECORDING:  # the checks on the take never ran
        assert all(r.status is Status.SKIP for r in report.results)
    assert len(takes) == 1 and takes[0] is not None and len(takes[0].samples)  # heard back all the same


def test_the_echo_test_s_result_takes_its_place_in_the_report_and_is_offered_only_between_runs(qtbot, controllers):
    from app.mic_panel import MicPanel

    controller = controllers(session_for("--camera", "none", "--mic", str(DEMO / "speech.wav"), "--network", "none",
                                         "--only", "mic.device,mic.echo"))
    panel = MicPanel(controller.session.config.mic)
    qtbot.addWidget(panel)
    panel.attach(controller)
    with qtbot.waitSignal(controller.run_finished, timeout=TIMEOUT_MS):
        controller.start()
        assert not panel.echo.isEnabled()  # the take and the checks hold the microphone
    assert panel.echo.isEnabled()
    before = {r.id: r for r in controller.report.results}["mic.echo"]
    assert before.status is Status.SKIP  # a run never plays a sound unasked
    heard = CheckResult("mic.echo", before.title, before.category, Status.WARN, "An echo comes back.",
                        value=12.0, unit="dB")
    with qtbot.waitSignal(controller.run_finished, timeout=TIMEOUT_MS) as blocker:
        panel.echo.result_ready.emit(heard)
    shown = {r.id: r for r in blocker.args[0].results}
    assert shown["mic.echo"] is heard and shown["mic.device"].status is Status.PASS
    assert blocker.args[0].improvements == [heard]
