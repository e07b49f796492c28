"""Interview mode's optional microphone watcher through a real PulseAudio server: the real ``guard --jsonl
--mic-level`` hears the monitor of a null sink (tests/support/pulse.py) while real recorded speech plays into it, then
nothing, then speech again; the connection it watches meanwhile is a real coturn on this machine's loopback."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from checks.guard.watchers import guard_limits
from checks.text.wording import say
from tests.conftest import ROOT
from tests.support.guardkit import GuardCommand, local_stun
from tests.support.pulse import RATE, SINK, PulseServer, module_server
from tests.support.sounds import real_speech_missing, real_voices, write

pytestmark = pytest.mark.slow

LIMITS = guard_limits()


pulse = pytest.fixture(scope="module", name="pulse")(module_server)


@pytest.fixture(scope="module")
def stun(tmp_path_factory):
    """coturn answering STUN on a free loopback port."""
    if shutil.which("turnserver") is None:
        pytest.skip("coturn is not installed (apt-get install coturn)")
    with local_stun(tmp_path_factory.mktemp("turn")) as address:
        yield address


@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> Path:
    """A minute of real recorded speech (Debian's prompts, never more than half a second without sound), at the
    sink's rate: longer than any spell of speaking in these tests."""
    missing = real_speech_missing()
    if missing:
        pytest.skip(missing)
    voices = [samples for _, samples in real_voices(RATE)]
    joined = np.concatenate(voices * 4)[: 60 * RATE]
    return write(tmp_path_factory.mktemp("speech") / "speech.wav", np.column_stack([joined, joined]), RATE)


@contextlib.contextmanager
def speaking(pulse: PulseServer, wav: Path) -> Iterator[None]:
    """Speech into the sink (heard on its monitor, the default microphone) until the block ends."""
    player = subprocess.Popen(["paplay", f"--device={SINK}", str(wav)], env=pulse.env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        pulse.wait_for("sink-inputs", 1)
        yield
    finally:
        player.terminate()
        player.wait(10)
        pulse.wait_for("sink-inputs", 0)


def command(pulse: PulseServer, stun: str, *extra: str) -> GuardCommand:
    """``guard --jsonl`` with the server's environment (PortAudio finds the microphone when it starts)."""
    return GuardCommand([sys.executable, "-m", "app", "guard", "--stun", stun, "--jsonl", "--no-cpu", "--no-power",
                         *extra], {**pulse.env, "PYTHONPATH": str(ROOT)})


def test_sound_then_silence_then_sound_again(pulse, stun, speech):
    silent_s = LIMITS["mic_silent_s"]
    with speaking(pulse, speech):
        guard = command(pulse, stun, "--mic-level")
        try:
            guard.until("good", within=15)
            assert guard.during(3) == []  # sound keeps arriving: nothing to say
            pulse.wait_for("source-outputs", 1)  # the watcher listens
            # and hears the speech: its next line (one every report_every_s) says sound came within the last look
            guard.until("good", within=LIMITS["report_every_s"] + 2, where=lambda line: line["mic_quiet_s"] < 2)
        except BaseException:
            guard.stop()
            raise
    try:
        took = guard.until("trouble", within=silent_s + 5)  # the speech stopped as the block ended
        # not before the threshold (the last second's level may still hold sound)
        assert took >= silent_s - 1.5 and guard.seen[-1][1]["reason"] == "mic_silent", guard.seen
        with speaking(pulse, speech):
            back = guard.until("good", within=LIMITS["good_after_s"] + 4)
        assert back >= LIMITS["good_after_s"] - 1
        assert guard.states() == ["good", "trouble", "good"], guard.seen  # no flicker (a failure says every reason)
    finally:
        code, err = guard.stop()
    assert code == 0 and err == ""
    pulse.wait_for("source-outputs", 0)  # the stream is closed with the command


def test_a_microphone_that_cannot_be_opened_is_said_once_and_the_rest_goes_on(pulse, stun):
    guard = command(pulse, stun, "--mic-level", "no such microphone")
    try:
        guard.until("good", within=15)
        guard.during(LIMITS["mic_every_s"] * 3)
    finally:
        code, err = guard.stop()
    assert code == 0
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"interview-ready: {say('guard.mic_unavailable', error='x')[:30]}")
    assert "no such microphone" in lines[0]  # the reason, from the microphone source's own sentence
    assert guard.states() == ["good"]
    assert pulse.count("source-outputs") == 0
