"""Playing sound back: the speaker test sound, and the player through a real PulseAudio server.

The player runs in a subprocess started with the test server's environment (PortAudio lists devices once, when
it initialises); it plays into the null sink while the app's own capture code records the sink's monitor, so
the test hears what was played. Levels and channels are asserted, not timing.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.playback import PlaybackPanel, Player, speaker_test_sound
from checks.text.wording import say
from tests.conftest import ROOT
from tests.support.pulse import RATE, PulseUnavailable, start_pulse


def _tone_power(x: np.ndarray, rate: int, hz: float) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / rate)
    return float(spectrum[np.abs(freqs - hz) < 5].sum())


def test_speaker_test_sound_plays_left_then_right_then_both():
    samples, rate = speaker_test_sound(RATE)
    assert rate == RATE
    assert samples.dtype == np.float32
    assert samples.shape[1] == 2
    assert 1.0 < len(samples) / rate < 3.0
    assert float(np.abs(samples).max()) == pytest.approx(10 ** (-12 / 20), rel=0.01)
    left, right = samples[:, 0], samples[:, 1]
    assert _tone_power(left, rate, 660) > 1000 * _tone_power(right, rate, 660)
    assert _tone_power(right, rate, 880) > 1000 * _tone_power(left, rate, 880)
    assert _tone_power(left, rate, 990) == pytest.approx(_tone_power(right, rate, 990), rel=1e-3)
    assert samples[0].tolist() == [0.0, 0.0]  # soft edges: no click


def test_nothing_to_play_is_a_message_not_an_error(qtbot):
    player = Player()
    with qtbot.waitSignal(player.failed, timeout=1000) as signal:
        assert player.play(np.zeros((0, 1)), RATE) is False
    assert signal.args == [say("playback.nothing")]
    assert not player.playing
    player.stop()  # harmless


def test_panel_enables_hear_yourself_only_with_a_recording(qtbot):
    panel = PlaybackPanel()
    qtbot.addWidget(panel)
    assert not panel.hear_button.isEnabled()
    assert panel.speakers_button.isEnabled()
    assert panel.hear_button.accessibleName() == say("playback.hear_yourself").replace("&", "")
    assert panel.speakers_button.accessibleName() == say("playback.test_speakers").replace("&", "")
    panel.set_recording(np.zeros((0, 1), np.float32), RATE)
    assert not panel.hear_button.isEnabled()
    panel.set_recording(speaker_test_sound(RATE)[0], RATE)
    assert panel.hear_button.isEnabled()
    panel.set_recording(None)
    assert not panel.hear_button.isEnabled()


def test_panel_plays_the_test_sound_or_says_why_it_cannot(qtbot):
    """On a machine with an output the button turns into Stop; without one, the reason is shown as text."""
    panel = PlaybackPanel()
    qtbot.addWidget(panel)
    failures = []
    panel.player.failed.connect(failures.append)
    qtbot.mouseClick(panel.speakers_button, Qt.MouseButton.LeftButton)
    if failures:
        assert panel.message.text() == failures[0]
        assert failures[0].startswith(say("playback.cannot_play", error="").split("(")[0])
        assert panel.speakers_button.text() == say("playback.test_speakers")
    else:
        assert panel.player.playing
        assert panel.speakers_button.text() == say("playback.stop")
        assert panel.message.text() == say("playback.speakers_hint")
        with qtbot.waitSignal(panel.player.finished, timeout=2000):
            qtbot.mouseClick(panel.speakers_button, Qt.MouseButton.LeftButton)  # Stop
        assert not panel.player.playing
        assert panel.speakers_button.text() == say("playback.test_speakers")
        assert panel.message.text() == ""  # "you should hear three notes" went with the notes


_PLAY_AND_RECORD = """\
import json, threading
import numpy as np
from PySide6.QtCore import QCoreApplication, QTimer
from app.playback import PlaybackPanel, Player, speaker_test_sound
from checks.sources.recording import record
from checks.sources.mic import MicSpec, open_mic

app = QCoreApplication([])
mic = open_mic(MicSpec.parse("auto"))
events, recorded = [], []
player = Player()
player.started.connect(lambda: events.append("started"))
player.finished.connect(lambda: (events.append("finished"), QTimer.singleShot(500, app.quit)))
player.failed.connect(lambda message: (events.append("failed: " + message), app.quit()))
thread = threading.Thread(target=lambda: recorded.append(record(mic, 5.0).samples))
thread.start()
samples, rate = speaker_test_sound(mic.samplerate)
QTimer.singleShot(200, lambda: player.play(samples, rate))
QTimer.singleShot(15000, app.quit)
app.exec()
thread.join(10)
mic.close()
np.save(__import__("sys").argv[1], recorded[0])
print(json.dumps({"events": events, "rate": mic.samplerate}))
"""


@pytest.mark.slow
def test_player_plays_through_pulseaudio_what_a_microphone_then_hears(tmp_path):
    try:
        pulse = start_pulse()
    except PulseUnavailable as error:
        print(f"PulseAudio could not start: {error}")
        pytest.skip(f"PulseAudio could not start: {error}")
    out = tmp_path / "heard.npy"
    try:
        done = subprocess.run([sys.executable, "-c", textwrap.dedent(_PLAY_AND_RECORD), str(out)], env=pulse.env,
                              cwd=ROOT, capture_output=True, text=True, timeout=40)
        playing_after = pulse.count("sink-inputs")
    finally:
        pulse.close()
    assert done.returncode == 0, f"stdout: {done.stdout}\nstderr: {done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["events"] == ["started", "finished"]
    assert playing_after == 0  # the output stream was closed
    heard = np.load(out)
    rate = found["rate"]
    assert float(np.abs(heard).max()) == pytest.approx(10 ** (-12 / 20), rel=0.12)  # within 1 dB
    left, right = heard[:, 0], heard[:, 1]
    assert _tone_power(left, rate, 660) > 100 * _tone_power(right, rate, 660)
    assert _tone_power(right, rate, 880) > 100 * _tone_power(left, rate, 880)
