"""A noise-gated microphone through a real PulseAudio server: real recorded speech through a sox gate, played into
the null sink whose monitor the checks record live (tests/support/pulse.py), so the live take, the device check and the
dropout check (only a live take is judged for dropouts) meet the gate's silences as they come from a microphone.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from checks.text.wording import say
from tests.conftest import run_cli
from tests.support import sounds
from tests.support.pulse import RATE, module_server

pytestmark = pytest.mark.slow

QUIET_S = 8.0  # the device check's first half second and the start of the take fall in it, however late it starts


pulse = pytest.fixture(scope="module", name="pulse")(module_server)


@pytest.mark.parametrize("gate", list(sounds.GATES))
def test_a_gated_microphone_through_pulseaudio_works_and_its_silences_are_not_dropouts(pulse, gate, tmp_path):
    reason = sounds.real_speech_missing()
    if reason:
        pytest.fail(reason)
    _, voice = sounds.real_voices(RATE)[0]
    take, _, _ = sounds.guided(-26.0, "pink", -55.0, quiet_s=QUIET_S, rate=RATE, speech=voice)
    gated = sounds.sox_gate(np.tile(take, 2), gate, tmp_path, RATE)
    assert not np.any(gated[: round(QUIET_S * RATE)])  # the gate sends exact silence while the candidate is quiet
    path = sounds.write(tmp_path / "gated.wav", np.column_stack([gated, gated]), RATE)
    with pulse.playing(path):
        done = run_cli("check", "--camera", "none", "--network", "none", "--only", "mic.*", "--json",
                       env=pulse.env, timeout=60)
    assert "Traceback" not in done.stderr, done.stderr
    results = {r["id"]: r for r in json.loads(done.stdout)["checks"]}
    device = results["mic.device"]
    assert device["status"] == "pass", device
    assert device["details"]["source"] == "device"
    assert device["summary"].endswith(say("mic.device.gated.summary")), device
    for result in results.values():
        assert "muted" not in result["summary"], result
    dropouts = results["mic.dropouts"]  # the gate shutting between sentences is not the sound cutting out
    assert (dropouts["status"], dropouts["value"], dropouts["details"]["noise_gate"]) == ("pass", 0, True), dropouts
    assert results["mic.level"]["status"] == "pass", results["mic.level"]
    assert results["mic.level"]["value"] == pytest.approx(-26.0, abs=2.0)
    if gate == "tight":
        assert results["mic.noise"]["summary"] == say("mic.noise.gated.summary")
        assert results["mic.snr"]["status"] == "skip"
    elif results["mic.noise"]["value"] is not None:  # the gentle gate stays open between words: the room is heard
        assert results["mic.noise"]["value"] == pytest.approx(-55.0, abs=1.5)  # there when the take holds enough
    else:
        assert results["mic.noise"]["summary"] == say("mic.noise.gated.summary")
    assert done.returncode == 0 if gate == "tight" else done.returncode in (0, 1)
