"""Microphones that silence the room, and rooms where other people talk: real recorded speech through real gates.

A noise gate or noise suppression (Krisp, NVIDIA Broadcast, a headset's own) sends exact digital silence while the
candidate is quiet. sox's ``compand`` makes such gates (tests/support/sounds.py ``GATES``); the takes go through the
command line as files. Other people talking are real recordings of other voices, mixed quieter by sox.
"""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from checks.analysis.audio import FRAME_S, analyse, band_powers, frames
from checks.builtin.mic import noise_gate
from checks.engine.thresholds import Thresholds
from checks.text.wording import say
from tests.conftest import run_cli
from tests.support import sounds
from tests.support.sounds import RATE, guided, rms_dbfs

pytestmark = pytest.mark.slow

ROOM_DBFS = -55.0  # under both gates' thresholds: the gate shuts it out while the candidate is quiet
VOICE_DBFS = -26.0


@pytest.fixture(scope="module")
def real_voices():
    reason = sounds.real_speech_missing()
    if reason:
        pytest.fail(reason)  # a missing test dependency, not a reason to skip
    return sounds.real_voices()


def _gated_take(voice: np.ndarray | None, gate: str, folder: Path) -> tuple[np.ndarray, float | None]:
    """A guided take (3 s of the room, then the voice) through ``gate``: (samples, the voice's true level)."""
    mix, clean, _ = guided(None if voice is None else VOICE_DBFS, "pink", ROOM_DBFS, speech=voice)
    truth = None if voice is None else sounds.clean_active_level(clean)
    return sounds.sox_gate(mix, gate, folder), truth


def _check(path: Path, *only: str) -> tuple[subprocess.CompletedProcess[str], dict[str, dict]]:
    done = run_cli("check", "--camera", "none", "--mic", str(path), "--network", "none", "--only",
                   ",".join(only) or "mic.*", "--json", timeout=90)
    assert "Traceback" not in done.stderr, done.stderr
    return done, {r["id"]: r for r in json.loads(done.stdout)["checks"]}


# -- a gate is not a muted microphone ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gated_reports(real_voices, tmp_path_factory):
    """{(voice, gate): (true level, {check id: result})} for every real voice through both gates, as files."""
    folder = tmp_path_factory.mktemp("gated")
    made = {}
    for name, voice in real_voices:
        for gate in sounds.GATES:
            samples, truth = _gated_take(voice, gate, folder)
            path = sounds.write(folder / f"{name.replace(':', '-').replace(' ', '_')}-{gate}.wav", samples)
            made[name, gate] = (path, truth)
    with ThreadPoolExecutor(max_workers=4) as pool:
        runs = list(pool.map(lambda item: _check(item[0]), made.values()))
    return {key: (truth, results) for (key, (_, truth)), (_, results) in zip(made.items(), runs, strict=True)}


def test_the_gates_send_exact_silence_while_the_candidate_is_quiet(real_voices, tmp_path):
    for gate in sounds.GATES:
        samples, _ = _gated_take(real_voices[0][1], gate, tmp_path)
        assert not np.any(samples[: 3 * RATE]), gate  # the quiet part: digital silence, as a muted microphone's
        assert rms_dbfs(samples[3 * RATE :]) > -40.0, gate  # the voice comes through


def test_a_gated_microphone_works_and_is_never_called_muted(gated_reports):
    muted = say("mic.device.silent.summary", name="")
    for (name, gate), (truth, results) in gated_reports.items():
        device = results["mic.device"]
        assert device["status"] == "pass", (name, gate, device)
        assert device["summary"].endswith(say("mic.device.gated.summary")), (name, gate, device)
        assert device["details"]["noise_gate"] is True
        for result in results.values():
            assert muted.split(":")[0].strip() not in result["summary"], (name, gate, result)
            assert "muted" not in result["summary"], (name, gate, result)
        # what can be measured is: the voice's level and its distortion
        assert results["mic.level"]["status"] == "pass", (name, gate)
        assert results["mic.level"]["value"] == pytest.approx(truth, abs=1.0), (name, gate)
        assert results["mic.clipping"]["status"] == "pass", (name, gate)


def test_behind_a_tight_gate_the_room_is_said_to_be_silenced(gated_reports):
    for (name, gate), (_, results) in gated_reports.items():
        if gate != "tight":
            continue
        noise, snr = results["mic.noise"], results["mic.snr"]
        assert (noise["status"], noise["summary"], noise["value"]) == (
            "pass", say("mic.noise.gated.summary"), None), name
        assert noise["details"]["noise_gate"] is True
        assert (snr["status"], snr["summary"]) == ("skip", say("mic.snr.gated.summary")), name
        assert snr["details"]["rule"] == "gated" and snr["details"]["noise_gate"] is True, name


def test_behind_a_gate_that_stays_open_between_words_the_room_is_measured_there(gated_reports):
    for (name, gate), (truth, results) in gated_reports.items():
        if gate != "gentle":
            continue
        assert results["mic.noise"]["value"] == pytest.approx(ROOM_DBFS, abs=1.0), name
        assert results["mic.noise"]["details"]["noise_gate"] is True
        assert results["mic.snr"]["value"] == pytest.approx(truth - ROOM_DBFS, abs=2.0), name


def test_silent_in_both_parts_is_still_muted(real_voices, tmp_path):
    """The room alone through the gate (the voice never came): silence throughout, so muted."""
    samples, _ = _gated_take(None, "gentle", tmp_path)
    assert not np.any(samples)
    done, results = _check(sounds.write(tmp_path / "nothing.wav", samples))
    device = results["mic.device"]
    assert device["status"] == "fail"
    assert device["summary"] == say("mic.device.silent.summary", name="nothing.wav")
    assert "noise_gate" not in device["details"]
    assert {r["status"] for i, r in results.items() if i != "mic.device"} == {"skip"}
    assert done.returncode == 1


def test_a_gate_is_told_by_the_share_of_silence_in_the_quiet_time(real_voices, tmp_path):
    limits = Thresholds().for_check("mic.device")
    for name, voice in real_voices:
        plain, _, _ = guided(VOICE_DBFS, "pink", ROOM_DBFS, speech=voice)
        for gate in sounds.GATES:
            samples, _ = _gated_take(voice, gate, tmp_path)
            for quiet in ((0.0, 3.0), None):
                found = analyse(samples, RATE, quiet=quiet)
                assert noise_gate(found, limits), (name, gate, quiet, found.quiet_silent)
        assert not noise_gate(analyse(plain, RATE, quiet=(0.0, 3.0)), limits), name
        assert not noise_gate(analyse(plain, RATE), limits), name


def test_behind_a_gate_only_the_sound_breaking_off_speech_is_a_dropout(real_voices, tmp_path):
    for name, voice in real_voices:
        for gate in sounds.GATES:
            samples, _ = _gated_take(voice, gate, tmp_path)
            found = analyse(samples, RATE)
            assert found.speech_dropouts.count == 0, (name, gate)  # the gate shutting between words is no dropout
            # the sound cut for 0.2 s while the voice is at its full level, not on a frame's edge
            levels = 10 * np.log10(band_powers(frames(samples, RATE), RATE) + 1e-30)
            loud = levels >= np.percentile(levels, 95) - 6.0
            span = round(0.2 / FRAME_S)
            first = int(np.flatnonzero(loud[: -span - 1] & loud[span + 1 :])[0])
            size = round(FRAME_S * RATE)
            broken = samples.copy()
            broken[(first + 1) * size - 77 : (first + 1 + span) * size + 77] = 0.0
            found = analyse(broken, RATE)
            assert found.speech_dropouts.count == 1, (name, gate)
            assert found.speech_dropouts.longest_s == pytest.approx(0.2, abs=0.04), (name, gate)


# -- other people talking are the room's noise ---------------------------------------------------------------------


@pytest.mark.parametrize("talkers", [1, 2, 3])
@pytest.mark.parametrize("crowd_dbfs", [-40.0, -46.0])
def test_people_talking_in_the_background_are_measured_as_noise(real_voices, tmp_path, talkers, crowd_dbfs):
    """The candidate over a café: other real voices, 14 to 20 dB quieter than the candidate's, are the room.

    In a guided take the quiet part holds them alone, and is measured within 2 dB. Without a quiet part (a file)
    they are told from the candidate by level alone: 20 dB under the candidate the room is found within 3 dB (it
    was 20 to 30 dB too quiet when every voice was taken for the candidate's); 14 dB under, their loudest words
    come within :data:`~checks.analysis.audio.TALKER_DB` of the candidate's and no level tells them apart. The
    voice's level is asserted where it stands 20 dB over the talk: babble is not steady, so under the voice its
    power is not its mean.
    """
    for i, (name, voice) in enumerate(real_voices):
        others = [v for j, (_, v) in enumerate(real_voices) if j != i][i % 3 : i % 3 + talkers]
        mix, clean, room = guided(VOICE_DBFS, "pink", -70.0, speech=voice)
        background = room + sounds.crowd(others, len(mix) / RATE, crowd_dbfs, tmp_path, seed=i)
        truth, speech = rms_dbfs(background), sounds.clean_active_level(clean)
        for quiet, tolerance in (((0.0, 3.0), 2.0), (None, 3.0)):
            if quiet is None and crowd_dbfs > -46.0:
                continue
            found = analyse(clean + background, RATE, quiet=quiet)
            assert found.noise_dbfs == pytest.approx(truth, abs=tolerance), (name, quiet)
            assert found.noise_from == ("quiet" if quiet else "pauses"), (name, quiet)
            if crowd_dbfs <= -46.0:
                assert found.speech_dbfs == pytest.approx(speech, abs=2.0), (name, quiet)


def test_a_cafe_is_a_noisy_room_on_the_command_line(real_voices, tmp_path):
    (_, voice), others = real_voices[0], [v for _, v in real_voices[1:3]]
    mix, clean, room = guided(VOICE_DBFS, "pink", -70.0, speech=voice)
    background = room + sounds.crowd(others, len(mix) / RATE, -40.0, tmp_path)
    _, results = _check(sounds.write(tmp_path / "cafe.wav", clean + background), "mic.noise", "mic.snr")
    assert results["mic.noise"]["status"] == "fail"  # -40 dBFS of talk: it competes with the voice
    assert results["mic.noise"]["value"] == pytest.approx(rms_dbfs(background), abs=2.0)
    assert results["mic.snr"]["status"] in ("warn", "fail")


# -- channels are counted --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("channels", "english", "german", "spanish", "french"), [
    (1, "mono", "mono", "mono", "mono"), (2, "stereo", "stereo", "estéreo", "stéréo"),
    (6, "6 channels", "6 Kanäle", "6 canales", "6 canaux"),
])
def test_a_files_channels_are_named_in_every_language(tmp_path, channels, english, german, spanish, french):
    mix, _, _ = guided(-24.0, "white", -60.0)
    path = sounds.write(tmp_path / f"{channels}.wav", np.tile(mix[:, None], (1, channels)))
    for code, words in (("en", english), ("de", german), ("es", spanish), ("fr", french)):
        done = run_cli("--lang", code, "check", "--camera", "none", "--mic", str(path), "--network", "none",
                       "--only", "mic.device", "--json", timeout=60)
        (result,) = json.loads(done.stdout)["checks"]
        assert result["status"] == "pass" and f"kHz, {words})" in result["summary"], (code, result)


def test_the_windows_guided_take_through_a_gate_works_and_counts_only_the_word_broken_off(real_voices, tmp_path):
    """The window's path: its guided take (live, its quiet part marked) handed to the runner as the microphone."""
    from checks.api import Status
    from checks.config.servers import NetworkSettings
    from checks.engine.discovery import discover
    from checks.engine.runner import RunConfig, Runner
    from checks.sources.camera import CameraSpec
    from checks.sources.recording import RecordedMic, Recording, guided_take

    samples, truth = _gated_take(real_voices[0][1], "tight", tmp_path)
    levels = 10 * np.log10(band_powers(frames(samples, RATE), RATE) + 1e-30)
    loud = np.flatnonzero(levels >= np.percentile(levels, 95) - 6.0)
    size = round(FRAME_S * RATE)
    broken = samples.copy()
    broken[(loud[0] + 1) * size - 77 : (loud[0] + 4) * size] = 0.0  # 60 ms cut out of a loud word
    take = guided_take(Recording(broken[:, None].astype(np.float32), RATE, "Headset with noise cancelling", False))
    config = RunConfig(camera=CameraSpec.parse("none"), network=NetworkSettings("none"),
                       opened={"mic": RecordedMic(take)})
    results = {r.id: r for r in Runner(discover("mic.device,mic.dropouts,mic.level,mic.noise"), config).run()}
    assert results["mic.device"].status is Status.PASS
    assert results["mic.device"].summary.endswith(say("mic.device.gated.summary"))
    dropouts = results["mic.dropouts"]
    assert (dropouts.status, dropouts.value, dropouts.details["noise_gate"]) == (Status.WARN, 1, True)
    assert dropouts.details["longest_s"] == pytest.approx(0.06, abs=0.021)
    assert analyse(samples, RATE).dropouts.count > 1  # the gate shut between words: each would have been a dropout
    assert results["mic.level"].value == pytest.approx(truth, abs=1.0)
    assert results["mic.noise"].summary == say("mic.noise.gated.summary")
