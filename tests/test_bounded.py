"""The bounded call, the atomic write and the remembered device choice."""

from __future__ import annotations

import threading
import time

from checks.engine.deadlines import Outcome, bounded_call
from checks.storage.files import replacing, write_atomically
from checks.storage.settings import DeviceChoice, load_choice, save_choice


def test_a_call_that_returns_or_raises_in_time():
    assert bounded_call(lambda: 42, name="quick", timeout_s=5).kind == "returned"
    outcome = bounded_call(lambda: 1 / 0, name="raising", timeout_s=5)
    assert outcome.kind == "raised" and isinstance(outcome.error, ZeroDivisionError)


def test_a_hanging_call_is_left_behind_after_its_time():
    release = threading.Event()
    started = time.monotonic()
    outcome = bounded_call(lambda: release.wait(30), name="hanging", timeout_s=0.3)
    assert outcome.kind == "no_answer" and not outcome.ended and outcome.stopped
    assert 0.3 <= time.monotonic() - started < 2
    release.set()


def test_a_stopped_call_is_asked_to_stop_and_given_its_grace():
    stop = threading.Event()
    ticks: list[float] = []
    outcome = bounded_call(lambda: stop.wait(30) and None, name="polite", stop_when=lambda: len(ticks) >= 3,
                           on_stop=stop.set, grace_s=2, tick=ticks.append)
    assert outcome.ended and outcome.stopped and outcome.kind == "no_answer"  # it ended only because it was told
    assert ticks == sorted(ticks) and len(ticks) == 3


def test_classification_is_plain_data():
    assert Outcome(ended=True, value=0).kind == "returned"
    assert Outcome(ended=True, stopped=True, value="late but there").kind == "returned"
    assert Outcome(ended=False).kind == "no_answer"


def test_atomic_write_keeps_the_old_file_whole_when_writing_fails(tmp_path):
    path = tmp_path / "report.json"
    write_atomically(path, '{"old": true}')
    try:
        with replacing(path) as tmp:
            tmp.write_text("half")
            raise OSError("disk full")
    except OSError:
        pass
    assert path.read_text() == '{"old": true}' and sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_the_device_choice_is_remembered_in_a_small_file(tmp_path):
    assert load_choice(tmp_path) == DeviceChoice()
    path = save_choice(DeviceChoice(camera="1", mic="USB headset"), tmp_path)
    assert load_choice(tmp_path) == DeviceChoice(camera="1", mic="USB headset")
    assert path.stat().st_size < 200 and [p.name for p in tmp_path.iterdir()] == [path.name]
    path.write_text("not json")
    assert load_choice(tmp_path) == DeviceChoice()
