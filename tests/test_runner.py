"""The runner: one source per device, concurrent groups, deadlines, cancel, progress, failures as results."""

from __future__ import annotations

import dataclasses
import math
import threading
import time

import pytest

from checks.api import CheckContext, CheckResult, Lost, Picture, Series, Status, Unjudged
from checks.config.servers import NetworkSettings
from checks.engine.discovery import discover
from checks.engine.runner import RunConfig, RunListener, Runner
from checks.engine.thresholds import Thresholds
from checks.report.model import Report
from checks.sources.camera import CameraSpec
from checks.sources.mic import MicSpec
from checks.text.figures import figure
from checks.text.wording import say, say_all, say_n
from tests.conftest import DEMO
from tests.support.checkkit import Garbage, Hangs, Raises, Simple, loaded

FILES = RunConfig(camera=CameraSpec.parse(str(DEMO / "camera.avi")), mic=MicSpec.parse(str(DEMO / "speech.wav")),
                  network=NetworkSettings("none"))


class Recorder(RunListener):
    def __init__(self) -> None:
        self.events: list[tuple] = []
        self.lock = threading.Lock()

    def check_started(self, check_id):
        with self.lock:
            self.events.append(("started", check_id))

    def check_progress(self, check_id, fraction, message):
        with self.lock:
            self.events.append(("progress", check_id, fraction, message))

    def check_finished(self, result, done, total):
        with self.lock:
            self.events.append(("finished", result.id, done, total))


def test_checks_sharing_a_device_get_one_opened_source():
    a = Simple("cam.a", requires=frozenset({"camera"}))
    b = Simple("cam.b", requires=frozenset({"camera"}))
    m = Simple("mic.x", requires=frozenset({"mic"}))
    results = Runner([loaded(a), loaded(b), loaded(m)], FILES).run()
    assert [r.status for r in results] == [Status.PASS] * 3
    assert a.contexts[0].camera is b.contexts[0].camera is not None
    assert a.contexts[0].shared is b.contexts[0].shared  # one scratch space per device group
    assert m.contexts[0].mic is not None and m.contexts[0].camera is None
    assert a.contexts[0].camera.closed  # released when the group is done


def test_independent_groups_run_concurrently():
    # Each waits for the other to have started: run one after another, the first would time out.
    a = Simple("sys.a", requires=frozenset({"camera"}))
    b = Simple("sys.b", requires=frozenset({"mic"}))

    class WaitFor(Simple):
        def __init__(self, check_id, other, requires):
            super().__init__(check_id, requires=requires, deadline_s=10)
            self.other = other

        def run(self, context):
            self.started.set()
            ok = self.other.started.wait(5)
            return self.result(Status.PASS if ok else Status.FAIL, "met" if ok else "alone")

    a = WaitFor("sys.a", None, frozenset({"camera"}))
    b = WaitFor("sys.b", a, frozenset({"mic"}))
    a.other = b
    results = Runner([loaded(a), loaded(b)], FILES).run()
    assert [r.summary for r in results] == ["met", "met"]


def test_checks_needing_a_device_that_is_off_are_skipped():
    config = RunConfig(camera=CameraSpec("none"), mic=MicSpec("none"))
    checks = [c for c in discover() if c.id in ("camera.device", "mic.device")]
    results = Runner(checks, config).run()
    assert [(r.status, r.summary) for r in results] == [
        (Status.SKIP, "Camera checks are turned off."), (Status.SKIP, "Microphone checks are turned off.")]


def test_a_device_that_fails_to_open_fails_its_device_check_and_skips_the_others(tmp_path):
    missing = tmp_path / "nope.mp4"
    config = dataclasses.replace(FILES, camera=CameraSpec.parse(str(missing)))
    other = Simple("camera.other", requires=frozenset({"camera"}))
    checks = [c for c in discover() if c.id == "camera.device"] + [loaded(other)]
    device, skipped = Runner(checks, config).run()
    assert device.status is Status.FAIL and str(missing) in device.summary
    assert device.details["reason"] == "camera.no_file"
    # one cause, one problem: the other camera check is "not checked", naming the camera check as the cause
    assert skipped.status is Status.SKIP and skipped.details == {"because": "camera.device"}
    assert skipped.summary == "Not checked, because of the problem with “Camera” (fix that first)."
    assert other.contexts == []  # never called
    report = Report((device, skipped))
    assert report.headline() == "Not ready: 1 problem"
    assert [(c.result.id, [d.id for d in c.dependents]) for c in report.causes()] == [
        ("camera.device", ["camera.other"])]


def test_without_its_device_check_a_check_is_skipped_as_before(tmp_path):
    config = dataclasses.replace(FILES, camera=CameraSpec.parse(str(tmp_path / "nope.mp4")))
    other = Simple("camera.other", requires=frozenset({"camera"}))
    (skipped,) = Runner([loaded(other)], config).run()
    assert skipped.status is Status.SKIP and "camera is not available" in skipped.summary
    assert "because" not in skipped.details


def test_a_root_cause_check_that_fails_leaves_the_rest_of_its_device_not_checked():
    class Root(Simple):
        root_cause_of = "network"

    class Alone(Simple):
        independent = True

    root = Root("net.root", requires=frozenset({"network"}), status=Status.FAIL)
    after = Simple("net.after", requires=frozenset({"network"}))
    alone = Alone("net.alone", requires=frozenset({"network"}))
    elsewhere = Simple("sys.other")
    results = Runner([loaded(c) for c in (root, after, alone, elsewhere)]).run()
    by_id = {r.id: r for r in results}
    assert by_id["net.after"].status is Status.SKIP and by_id["net.after"].details["because"] == "net.root"
    assert after.contexts == [] and len(alone.contexts) == 1 and len(elsewhere.contexts) == 1
    assert by_id["net.alone"].status is Status.PASS and by_id["sys.other"].status is Status.PASS


def test_a_root_cause_check_that_passes_or_warns_gates_nothing():
    class Root(Simple):
        root_cause_of = "network"

    for status in (Status.PASS, Status.WARN, Status.ERROR):
        after = Simple("net.after", requires=frozenset({"network"}))
        results = Runner([loaded(Root("net.root", requires=frozenset({"network"}), status=status)),
                          loaded(after)]).run()
        assert results[1].status is Status.PASS and len(after.contexts) == 1


class Feeds(Simple):
    """Reads a feed shared by its device's checks (a memo) that breaks while the run goes on: the feed's fault."""

    def __init__(self, check_id: str, fault: Lost | None, value: float | None = None) -> None:
        super().__init__(check_id, requires=frozenset({"network"}))
        self.fault, self.value = fault, value

    def run(self, context: CheckContext):
        self.contexts.append(context)

        def feed() -> str:
            if self.fault is not None and self.fault.spoils:
                raise self.fault
            return "what came before the fault"

        context.memo("feed", feed)
        judged = self.result(Status.WARN, f"{self.id} judged what came before.", ("Do that.",), value=self.value)
        if self.fault is not None:
            self.fault.measured = judged if self.value is not None else None
            raise self.fault
        return judged


def test_a_fault_during_the_run_is_one_problem_and_spoils_the_later_checks():
    """The feed breaks under the second check: it is the one problem, worded from ``lost.<key>`` and saying when; the
    later check is "not checked" because of it, as for a cause found before the run; one that needs nothing of the
    feed is still judged, and so is what ran before. What the check had plotted until then is kept."""
    class Alone(Simple):
        independent = True

    plotted = Series("Download", "s", "Mbit/s", ((0.0, 8.0), (0.5, 9.5)))
    fault = Lost("network", "connection", during="testing", series=[plotted])
    before = Simple("net.before", requires=frozenset({"network"}), sleep_s=0.3)
    hit, after = Feeds("net.hit", fault), Feeds("net.after", fault)
    alone = Alone("net.alone", requires=frozenset({"network"}))
    results = Runner([loaded(c) for c in (before, hit, after, alone)]).run()
    by_id = {r.id: r for r in results}
    assert by_id["net.before"].status is Status.PASS and by_id["net.alone"].status is Status.PASS
    problem = by_id["net.hit"]
    assert problem.status is Status.FAIL
    seconds = problem.details["after_s"]
    assert 0.3 <= seconds < 2.0  # from the network's first check
    assert problem.summary == say("lost.connection.summary", seconds=figure(seconds, "s"), during="testing")
    assert problem.advice == say_all("lost.connection.advice")
    assert problem.details == {"reason": "lost.connection", "lost": "network", "after_s": seconds}
    assert problem.series == (plotted,) and problem.value is None
    assert by_id["net.after"].status is Status.SKIP and by_id["net.after"].details == {"because": "net.hit"}
    assert after.contexts == []
    report = Report(tuple(results))
    assert [(c.result.id, [d.id for d in c.dependents]) for c in report.causes()] == [("net.hit", ["net.after"])]
    assert report.headline() == say_n("verdict.problems", 1)


def test_a_fault_that_leaves_enough_to_judge_is_told_once_and_the_rest_is_judged():
    """The feed broke, but what came before it is enough: the first check to meet it tells the fault once, keeping
    its own figure and finding; the later checks give their own results; one with nothing of its own is not
    checked because of the first."""
    fault = Lost("network", "server_error", status=Status.ERROR, spoils=False, host="speed.example", reason="why",
                 during="testing", fix="Ask whoever runs it.")
    first, second, empty = Feeds("net.first", fault, 1.5), Feeds("net.second", fault, 2.5), Feeds("net.empty", fault)
    results = Runner([loaded(c) for c in (first, second, empty)]).run()
    told, judged, skipped = results
    assert told.status is Status.ERROR and told.value == 1.5
    assert told.summary == say("lost.server_error.summary", seconds="0.0", host="speed.example", reason="why",
                               during="testing")
    assert told.advice == (say("lost.measured", summary="net.first judged what came before."),
                           *say_all("lost.server_error.advice", fix="Ask whoever runs it."))
    assert (judged.status, judged.value, judged.summary) == (Status.WARN, 2.5, "net.second judged what came before.")
    assert skipped.status is Status.SKIP and skipped.details == {"because": "net.first"}
    assert [c.result.id for c in Report(tuple(results)).causes() if c.result.status.is_problem] == ["net.first"]


class Spoiled(Simple):
    """Finds that what an earlier check found leaves it nothing to judge (the only server is the one it found
    unusable)."""

    def __init__(self, check_id: str, cause: str) -> None:
        super().__init__(check_id, requires=frozenset({"network"}))
        self.cause = cause

    def run(self, context: CheckContext):
        raise Unjudged(self.cause)


def test_a_check_an_earlier_finding_leaves_unjudged_is_not_checked_because_of_it_as_a_dependent_is():
    """The first check only warned (it gates nothing), but what it found leaves the next one nothing to judge: that
    check raises ``Unjudged`` naming it, and the runner words it as every dependent, counted under the one cause.
    Naming a check that has no result is the raising check's own error."""
    cause = Simple("net.cause", Status.WARN, requires=frozenset({"network"}))
    results = Runner([loaded(c) for c in (cause, Spoiled("net.speed", "net.cause"), Spoiled("net.odd", "net.nil"))]
                     ).run()
    warned, spoiled, odd = results
    assert spoiled.status is Status.SKIP and spoiled.details == {"because": "net.cause"}
    assert spoiled.summary == say("runner.because.summary", cause=warned.title)
    assert odd.status is Status.ERROR and "because" not in odd.details
    assert [r.id for r in Report(tuple(results)).dependents(warned)] == ["net.speed"]


def test_a_fault_without_wording_is_that_checks_error_alone():
    """A third-party check raising ``Lost`` for a fault the wording does not know: its own error, the rest run."""
    broken = Feeds("net.broken", Lost("network", "no_such_fault"))
    after = Simple("net.after", requires=frozenset({"network"}))
    results = Runner([loaded(broken), loaded(after)]).run()
    assert results[0].status is Status.ERROR and "lost" not in results[0].details
    assert results[1].status is Status.PASS


def test_a_check_past_its_deadline_is_an_error_and_the_others_finish():
    hang = Hangs("sys.hang", sleep_s=30, deadline_s=0.5)
    fine = Simple("sys.fine")
    started = time.monotonic()
    results = Runner([loaded(hang), loaded(fine)]).run()
    assert time.monotonic() - started < 10
    assert results[0].status is Status.ERROR and "did not finish within 0.5 seconds" in results[0].summary
    assert "test-checks[sys.hang]" in results[0].summary
    assert results[1].status is Status.PASS


def test_a_cooperative_check_sees_cancel_at_its_deadline():
    slow = Simple("sys.slow", sleep_s=30, deadline_s=0.3)
    [result] = Runner([loaded(slow)]).run()
    assert result.status is Status.ERROR and "0.3 seconds" in result.summary
    assert slow.contexts[0].cancelled


def test_the_deadline_comes_from_the_thresholds_file_first():
    thresholds = Thresholds({"sys.slow": {"deadline_s": 0.2}})
    slow = Simple("sys.slow", sleep_s=30, deadline_s=60)
    [result] = Runner([loaded(slow)], RunConfig(thresholds=thresholds)).run()
    assert "0.2 seconds" in result.summary
    assert Thresholds().deadline("unknown.check", None) == Thresholds().runner("deadline_s")


def test_a_raising_check_is_an_error_row_naming_it():
    results = Runner([loaded(Raises("sys.boom"), "acme-checks"), loaded(Simple("sys.ok"))]).run()
    boom = results[0]
    assert boom.status is Status.ERROR
    assert "acme-checks[sys.boom]" in boom.summary and "ZeroDivisionError" in boom.details["error"]
    assert "divided by zero" in boom.details["traceback"]
    assert results[1].status is Status.PASS


@pytest.mark.parametrize("value", [
    None, "pass", 42,
    CheckResult("other.id", "x", "system", Status.PASS, "wrong id"),
    CheckResult("sys.garbage", "x", "system", Status.PASS, "nan value", value=math.nan),
    CheckResult("sys.garbage", "x", "system", Status.PASS, "text value", value="12"),  # type: ignore[arg-type]
    CheckResult("sys.garbage", "x", "system", Status.PASS, "bad series", series=[[(0, 1)]]),  # type: ignore[list-item]
    CheckResult("sys.garbage", "x", "system", Status.PASS, "bad picture", picture=b"\xff\xd8"),  # type: ignore
])
def test_a_check_returning_garbage_is_an_error_row(value):
    [result] = Runner([loaded(Garbage("sys.garbage", value))]).run()
    assert result.status is Status.ERROR and "not a result" in result.summary


def test_cancel_stops_running_checks_and_skips_the_rest():
    first = Simple("cam.first", sleep_s=30, requires=frozenset({"camera"}))
    second = Simple("cam.second", requires=frozenset({"camera"}))
    runner = Runner([loaded(first), loaded(second)], FILES)
    box = {}
    thread = threading.Thread(target=lambda: box.setdefault("results", runner.run()))
    thread.start()
    assert first.started.wait(10)
    runner.cancel()
    thread.join(10)
    assert not thread.is_alive()
    assert [r.status for r in box["results"]] == [Status.SKIP, Status.SKIP]
    assert all("Cancelled" in r.summary for r in box["results"])
    assert second.contexts == []


def test_progress_and_completion_are_reported():
    class Steps(Simple):
        def run(self, context: CheckContext):
            for i in range(3):
                context.progress((i + 1) / 3, f"step {i + 1}")
            context.progress(7, "clamped")
            return self.result(Status.PASS, "done")

    recorder = Recorder()
    Runner([loaded(Steps("sys.steps")), loaded(Simple("sys.other"))], listener=recorder).run()
    steps = [e for e in recorder.events if e[0] == "progress" and e[1] == "sys.steps"]
    assert [e[2:] for e in steps] == [(1 / 3, "step 1"), (2 / 3, "step 2"), (1.0, "step 3"), (1.0, "clamped")]
    finished = [e for e in recorder.events if e[0] == "finished"]
    assert sorted(e[2] for e in finished) == [1, 2] and all(e[3] == 2 for e in finished)
    assert recorder.events.index(("started", "sys.steps")) < recorder.events.index(steps[0])


def test_a_slow_check_is_announced_as_still_working():
    recorder = Recorder()
    thresholds = Thresholds({"runner": {"slow_notice_s": 0.2}})
    Runner([loaded(Simple("sys.slow", sleep_s=0.6))], RunConfig(thresholds=thresholds), recorder).run()
    assert ("progress", "sys.slow", -1.0, "Still working…") in recorder.events


def test_memo_computes_once_per_group():
    calls = []

    class Shares(Simple):
        def run(self, context):
            value = context.memo("recording", lambda: calls.append(1) or len(calls))
            return self.result(Status.PASS, f"got {value}")

    checks = [loaded(Shares(f"mic.s{i}", requires=frozenset({"mic"}))) for i in range(3)]
    results = Runner(checks, FILES).run()
    assert [r.summary for r in results] == ["got 1"] * 3 and calls == [1]


def test_each_run_of_the_builtin_checks_on_files_passes():
    results = Runner(discover(), dataclasses.replace(FILES)).run()
    by_id = {r.id: r for r in results}
    assert by_id["camera.device"].status is Status.PASS
    assert "1280×720" in by_id["camera.device"].summary
    assert by_id["mic.device"].status is Status.PASS and by_id["mic.device"].details["samplerate"] == 48000


def _jpeg() -> bytes:
    import cv2
    import numpy as np

    return cv2.imencode(".jpg", np.full((32, 48, 3), 128, np.uint8))[1].tobytes()


@pytest.mark.parametrize("opted_in", [False, True])
def test_a_picture_reaches_the_report_only_when_the_user_opted_in(opted_in):
    """A third-party check that makes a picture anyway: the runner drops it without the user's opt-in."""
    picture = Picture(_jpeg(), 48, 32, "a grey picture")
    check = Garbage("sys.picture", CheckResult("sys.picture", "Picture", "system", Status.PASS, "took a picture",
                                               picture=picture))
    [result] = Runner([loaded(check)], RunConfig(picture=opted_in)).run()
    assert result.status is Status.PASS
    assert result.picture == (picture if opted_in else None)


def test_a_picture_is_a_jpeg_of_bounded_size():
    with pytest.raises(ValueError, match="JPEG"):
        Picture(b"\x89PNG....", 1, 1, "png")
    with pytest.raises(ValueError, match="at most"):
        Picture(b"\xff\xd8" + bytes(600 * 1024), 1, 1, "huge")
    with pytest.raises(ValueError, match="pixels"):
        Picture(_jpeg(), 0, 32, "no width")
