"""The level meter widget, offscreen: levels from real blocks, peak hold, clip indicator, the timer, the queue."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from PySide6.QtGui import QColor

from app.handoff import Handoff
from app.level_meter import LevelMeter, as_block
from checks.analysis.audio import FLOOR_DBFS
from checks.text.wording import say
from tests.support.sounds import tone

HOLD_S = 1.0


class Clock:
    """Time that moves only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def meter(qtbot, clock):
    widget = LevelMeter(hold_s=HOLD_S, clip_hold_s=HOLD_S, clock=clock)
    qtbot.addWidget(widget)
    widget.resize(400, 30)
    widget.show()
    yield widget
    widget.stop()


def test_starts_silent_with_a_name_and_a_text_value(meter):
    assert meter.accessibleName() == say("level_meter.name")
    assert meter.text() == say("level_meter.silent")
    assert meter.accessibleDescription() == meter.text()
    assert meter.level_dbfs == FLOOR_DBFS


def test_shows_the_level_of_what_was_fed_as_text(meter):
    meter.feed.push(tone(1000.0, -20.0, 0.05).astype(np.float32))
    meter.feed.push(tone(1000.0, -20.0, 0.05)[:, None])  # (frames, channels) blocks as well
    meter.update_from_feed()
    assert meter.level_dbfs == pytest.approx(-20.0, abs=0.1)
    assert meter.peak_dbfs == pytest.approx(-17.0, abs=0.1)
    assert meter.text() == say("level_meter.words.good")  # −20 dBFS: in words, no figure in dBFS
    assert meter.accessibleDescription() == meter.text()
    assert not meter.clipping


@pytest.mark.parametrize(("dbfs", "word"), [(-50, "very_quiet"), (-40, "quiet"), (-25, "good"), (-6, "loud")])
def test_the_level_is_said_in_plain_words_by_the_level_checks_limits(meter, dbfs, word):
    meter.feed.push(tone(1000.0, dbfs, 0.05).astype(np.float32))
    meter.update_from_feed()
    assert meter.text() == say(f"level_meter.words.{word}")
    assert "dB" not in meter.text() and meter.accessibleDescription() == meter.text()


def test_peak_is_held_then_falls(meter, clock):
    meter.feed.push(tone(1000.0, -6.0, 0.02))
    meter.update_from_feed()
    loud_peak = meter.peak_dbfs
    meter.feed.push(tone(1000.0, -40.0, 0.02))
    meter.update_from_feed()
    assert meter.level_dbfs == pytest.approx(-40.0, abs=0.1)
    assert meter.peak_dbfs == loud_peak  # held
    clock.advance(HOLD_S * 0.9)
    meter.feed.push(tone(1000.0, -40.0, 0.02))
    meter.update_from_feed()
    assert meter.peak_dbfs == loud_peak  # still held just before hold_s
    clock.advance(HOLD_S * 0.2)
    meter.feed.push(tone(1000.0, -40.0, 0.02))
    meter.update_from_feed()
    assert meter.peak_dbfs == pytest.approx(-37.0, abs=0.1)  # released after hold_s


def test_clip_indicator_latches_then_clears(meter, qtbot, clock):
    clipped = np.clip(tone(1000.0, 0.0, 0.02) * 2, -1.0, 1.0)
    with qtbot.waitSignal(meter.levelChanged, timeout=1000) as signal:
        meter.feed.push(clipped)
        meter.update_from_feed()
    assert signal.args[2] is True
    assert meter.clipping
    assert say("level_meter.clip") in meter.text()
    meter.feed.push(tone(1000.0, -30.0, 0.02))
    meter.update_from_feed()
    assert meter.clipping  # still shown: a clip is easy to miss
    clock.advance(HOLD_S + 0.01)
    meter.feed.push(tone(1000.0, -30.0, 0.02))
    meter.update_from_feed()
    assert not meter.clipping
    assert say("level_meter.clip") not in meter.text()


def test_the_timer_drains_blocks_pushed_from_another_thread(meter, qtbot):
    stop = threading.Event()
    block = tone(440.0, -25.0, 0.01).astype(np.float32)

    def audio_thread():  # like a sound card: a 10 ms block every 10 ms
        while not stop.is_set():
            meter.feed.push(block)
            time.sleep(0.01)

    thread = threading.Thread(target=audio_thread, daemon=True)
    meter.start()
    assert meter.running
    thread.start()
    try:
        qtbot.waitUntil(lambda: meter.updates >= 10 and meter.level_dbfs > -30, timeout=5000)
    finally:
        stop.set()
        thread.join(2)
    meter.stop()
    assert not meter.running
    assert meter.level_dbfs == pytest.approx(-25.0, abs=0.5)
    assert meter.feed.dropped == 0
    assert meter.feed.pushed >= 10


def test_the_queue_is_bounded_and_counts_what_it_drops():
    feed = Handoff(capacity=4, copy=as_block)
    for i in range(10):
        feed.push(np.full(10, i / 10))
    assert feed.pushed == 10
    assert feed.dropped == 6
    drained = feed.drain()
    assert [float(b[0]) for b in drained] == pytest.approx([0.0, 0.1, 0.2, 0.3])
    assert feed.drain() == []


def test_pushed_blocks_are_copies(meter):
    block = tone(1000.0, -20.0, 0.02)
    meter.feed.push(block)
    block[:] = 0.0  # the audio library reuses its buffer
    meter.update_from_feed()
    assert meter.level_dbfs == pytest.approx(-20.0, abs=0.1)


def test_reset_returns_to_silence(meter):
    meter.feed.push(tone(1000.0, -10.0, 0.02))
    meter.update_from_feed()
    meter.feed.push(tone(1000.0, -10.0, 0.02))
    meter.reset()
    assert meter.level_dbfs == FLOOR_DBFS
    assert meter.text() == say("level_meter.silent")
    assert meter.feed.drain() == []


def test_the_bar_is_drawn_to_the_level(meter):
    meter.feed.push(tone(1000.0, -30.0, 0.05))  # half way on a −60..0 dBFS scale
    meter.update_from_feed()
    image = meter.grab().toImage()
    y = image.height() // 2
    assert image.pixelColor(5, y) == QColor("#1b7f3b")  # the filled part
    filled = [x for x in range(image.width()) if image.pixelColor(x, y) == QColor("#1b7f3b")]
    empty = [x for x in range(image.width()) if image.pixelColor(x, y) == QColor("#eeeeee")]
    assert filled and empty
    assert max(filled) < min(empty)
    assert len(filled) / (len(filled) + len(empty)) == pytest.approx(0.5, abs=0.05)
