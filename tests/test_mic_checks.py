"""The microphone checks through the command line, on recordings with known truth and on bad files.

``interview-ready check --camera none --mic FILE --network none --only 'mic.*' --json`` runs in a subprocess for
each file (the runs go in parallel); the verdicts, values and sentences of the report are checked against how
each file was made.
"""

from __future__ import annotations

import json
import math
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import soundfile

from checks.analysis.audio import Clipping
from checks.api import Finding, Status
from checks.builtin.mic import clipping_verdict, level_verdict, noise_verdict, snr_verdict
from checks.engine.thresholds import Thresholds
from checks.text.figures import figure
from checks.text.wording import say, say_all
from tests.conftest import run_cli
from tests.support import sounds
from tests.support.sounds import RATE, guided, noise, rms_dbfs

pytestmark = pytest.mark.slow

MIC_IDS = ["mic.clipping", "mic.device", "mic.dropouts", "mic.echo", "mic.level", "mic.noise", "mic.snr"]


def _float_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> Path:
    soundfile.write(path, samples.astype(np.float32), rate, subtype="FLOAT")
    return path


def _make(folder: Path) -> dict[str, tuple[Path, dict]]:
    """Every file of the set, with its truth: {name: (path, {"noise": dBFS, "speech": dBFS})}."""
    made: dict[str, tuple[Path, dict]] = {}

    def speech_file(name: str, speech: float | None, colour: str | None, level: float, *, rate: int = RATE,
                    transform=None, subtype: str = "PCM_16") -> None:
        mix, clean, background = guided(speech, colour, level, rate=rate)
        truth = {"noise": rms_dbfs(background) if colour else None,
                 "speech": sounds.clean_active_level(clean, rate) if speech is not None else None}
        data = transform(mix) if transform else mix
        path = folder / f"{name}.wav"
        if subtype == "FLOAT":
            _float_wav(path, data, rate)
        else:
            sounds.write(path, data, rate, subtype)
        made[name] = (path, truth)

    speech_file("good", -22.0, "white", -65.0)
    speech_file("fan", -22.0, "pink", -44.0)
    speech_file("loud_room", -22.0, "white", -33.0)
    speech_file("hum", -22.0, "hum50", -47.0)
    speech_file("quiet_voice", -40.0, "white", -80.0)
    speech_file("whisper", -52.0, "white", -90.0)
    speech_file("clipped", -22.0, "white", -65.0, transform=lambda x: np.clip(x * 8.0, -1.0, 1.0))
    speech_file("eight_khz", -22.0, "white", -60.0, rate=8000)
    speech_file("dead_right", -22.0, "white", -60.0, transform=lambda x: np.column_stack([x, np.zeros_like(x)]))
    speech_file("dc_offset", -22.0, "white", -60.0, transform=lambda x: x + 0.25)

    def with_nan(x: np.ndarray) -> np.ndarray:
        x = x.copy()
        x[RATE // 5 : RATE // 5 + 2400] = np.nan  # 50 ms, early: inside what mic.device reads
        x[6 * RATE : 6 * RATE + 10] = np.inf
        return x

    speech_file("nan_inf", -22.0, "white", -60.0, transform=with_nan, subtype="FLOAT")
    made["room_only"] = (sounds.write(folder / "room_only.wav", noise("white", -60.0, 6.0)), {"noise": -60.0})
    made["silence"] = (sounds.write(folder / "silence.wav", np.zeros(3 * RATE)), {})
    made["all_nan"] = (_float_wav(folder / "all_nan.wav", np.full(RATE, np.nan)), {})
    made["short"] = (sounds.write(folder / "short.wav", noise("white", -40.0, 0.2)), {})
    made["one_sample"] = (_float_wav(folder / "one_sample.wav", np.array([0.25])), {})
    made["empty"] = (sounds.write(folder / "empty.wav", np.zeros(0)), {})
    (folder / "text.wav").write_text("this is not a recording\n" * 100)
    made["text"] = (folder / "text.wav", {})
    good = (folder / "good.wav").read_bytes()
    (folder / "truncated.wav").write_bytes(good[:30])  # the header cut off in the middle
    made["truncated"] = (folder / "truncated.wav", {})
    return made


def _check(path: Path) -> tuple[subprocess.CompletedProcess[str], dict]:
    done = run_cli("check", "--camera", "none", "--mic", str(path), "--network", "none", "--only", "mic.*", "--json",
                   timeout=60)
    return done, json.loads(done.stdout) if done.stdout.strip().startswith("{") else {}


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, tuple[dict, dict[str, dict], int]]:
    """{name: (truth, {check id: result}, exit code)} for every file, from the command line run in parallel."""
    made = _make(tmp_path_factory.mktemp("mic"))
    with ThreadPoolExecutor(max_workers=6) as pool:
        runs = dict(zip(made, pool.map(lambda item: _check(item[0]), made.values()), strict=True))
    out = {}
    for name, (done, report) in runs.items():
        assert "Traceback" not in done.stderr, f"{name}: {done.stderr}"
        assert report, f"{name}: no JSON report (exit {done.returncode})\n{done.stdout}\n{done.stderr}"
        results = {r["id"]: r for r in report["checks"]}
        assert sorted(results) == MIC_IDS, name
        for result in results.values():
            assert result["summary"], (name, result)
            if result["status"] in ("warn", "fail"):
                assert result["advice"], (name, result)
            if result["status"] == "skip":  # "not checked" is worded as every finding is, or names its cause
                assert result["details"].get("rule") or result["details"].get("because"), (name, result)
            assert result["value"] is None or math.isfinite(result["value"])
        out[name] = (made[name][1], results, done.returncode)
        CAUSES[name] = report["causes"]
        PATHS[name] = made[name][0]
    return out


CAUSES: dict[str, list[dict]] = {}
"""The report's causes for each file (filled by :func:`reports`)."""
PATHS: dict[str, Path] = {}
"""Each file (filled by :func:`reports`)."""


def _statuses(results: dict[str, dict]) -> dict[str, str]:
    return {check_id: r["status"] for check_id, r in results.items()}


def test_good_recording_passes_everything(reports):
    truth, results, code = reports["good"]
    assert _statuses(results) == {**dict.fromkeys(MIC_IDS, "pass"), "mic.dropouts": "skip",  # a file: not judged
                                  "mic.echo": "skip"}  # the echo test plays a sound: only when asked
    assert results["mic.dropouts"]["summary"] == say("mic.dropouts.file.summary")
    assert code == 0
    assert results["mic.noise"]["value"] == pytest.approx(truth["noise"], abs=1.0)
    assert results["mic.noise"]["unit"] == "dBFS"
    assert results["mic.level"]["value"] == pytest.approx(truth["speech"], abs=1.0)
    assert results["mic.snr"]["value"] == pytest.approx(truth["speech"] - truth["noise"], abs=2.0)
    assert results["mic.snr"]["unit"] == "dB"
    assert results["mic.clipping"]["value"] == 0.0
    for check_id, key in (("mic.level", "good"), ("mic.noise", "quiet")):  # the sentence names the figure stored
        found = results[check_id]
        assert found["summary"] == say(f"{check_id}.{key}.summary", level=figure(found["value"], "dBFS"))


@pytest.mark.parametrize(("name", "noise_status", "snr_status", "kind"), [
    ("fan", "warn", "warn", "broadband"),
    ("loud_room", "fail", "fail", "broadband"),
    ("hum", "warn", "pass", "hum"),
])
def test_noisy_rooms(reports, name, noise_status, snr_status, kind):
    truth, results, code = reports[name]
    noise_result, snr_result = results["mic.noise"], results["mic.snr"]
    assert noise_result["status"] == noise_status
    assert snr_result["status"] == snr_status
    assert noise_result["value"] == pytest.approx(truth["noise"], abs=1.0)
    assert snr_result["value"] == pytest.approx(truth["speech"] - truth["noise"], abs=2.0)
    assert noise_result["details"]["kind"] == kind
    assert results["mic.level"]["status"] == "pass"
    assert code == (1 if "fail" in (noise_status, snr_status) else 0)
    if kind == "hum":
        assert noise_result["details"]["hum_hz"] == 50.0
        assert "hum at 50 Hz" in noise_result["summary"]
    else:
        assert "fan" in noise_result["summary"]


@pytest.mark.parametrize(("name", "status"), [("quiet_voice", "warn"), ("whisper", "fail")])
def test_quiet_voices(reports, name, status):
    truth, results, _ = reports[name]
    level = results["mic.level"]
    assert level["status"] == status
    assert level["value"] == pytest.approx(truth["speech"], abs=1.0)
    assert level["summary"].startswith("Your voice is quiet")
    assert any("closer" in line for line in level["advice"])


def test_clipped_speech_fails_clipping(reports):
    _, results, code = reports["clipped"]
    clip = results["mic.clipping"]
    assert clip["status"] == "fail"
    assert clip["value"] > 0.1
    assert clip["details"]["runs"] > 10
    assert clip["details"]["peak_dbfs"] == pytest.approx(0.0, abs=0.01)
    assert "Lower the input volume" in " ".join(clip["advice"])
    assert code == 1


def test_room_without_speech(reports):
    truth, results, code = reports["room_only"]
    assert results["mic.level"]["status"] == "fail"
    assert results["mic.level"]["summary"] == say("mic.level.none.summary")
    assert results["mic.level"]["value"] is None
    assert results["mic.snr"]["status"] == "skip"
    assert results["mic.snr"]["summary"] == say("mic.snr.no_speech.summary")
    assert results["mic.snr"]["details"]["rule"] == "no_speech"
    assert results["mic.noise"]["value"] == pytest.approx(truth["noise"], abs=1.0)
    assert results["mic.noise"]["status"] == "pass"  # −60 dBFS: a quiet room
    assert code == 1


@pytest.mark.parametrize("name", ["eight_khz", "dc_offset", "dead_right", "nan_inf"])
def test_awkward_but_usable_files_give_true_values(reports, name):
    truth, results, _ = reports[name]
    assert results["mic.noise"]["value"] == pytest.approx(truth["noise"], abs=1.0)
    assert results["mic.snr"]["value"] == pytest.approx(truth["speech"] - truth["noise"], abs=2.0)
    assert results["mic.level"]["status"] == "pass"
    assert results["mic.clipping"]["status"] == "pass"  # a DC offset is not clipping
    device = results["mic.device"]
    if name == "eight_khz":
        assert device["status"] == "pass"  # a file's rate says nothing about the microphone
        assert "8 kHz" in device["summary"]
        assert results["mic.noise"]["details"]["samplerate"] == 8000
    if name == "dc_offset":
        assert results["mic.noise"]["details"]["dc_offset"] == pytest.approx(0.25, abs=0.001)
    if name == "dead_right":
        assert device["status"] == "pass"
        assert "only the left channel carries sound" in device["summary"]
        assert results["mic.level"]["details"]["silent_channel"] == "right"
    if name == "nan_inf":
        assert results["mic.noise"]["details"]["damaged_samples"] == 2410
        assert results["mic.noise"]["details"]["dropouts_s"] == pytest.approx(0.05, abs=0.021)


def test_damaged_file_beginning_warns_in_mic_device(reports):
    _, results, _ = reports["nan_inf"]
    device = results["mic.device"]
    assert device["status"] == "warn"  # 50 ms of NaN in the first half second the device check reads
    assert "not numbers" in device["summary"]


def test_silence_fails_the_device_and_skips_the_rest(reports):
    _, results, code = reports["silence"]
    assert results["mic.device"]["status"] == "fail"
    assert "sends only silence" in results["mic.device"]["summary"]
    for check_id in ("mic.noise", "mic.level", "mic.snr", "mic.clipping"):
        assert results[check_id]["status"] == "skip"  # not judged: the silent microphone is the one problem
        assert results[check_id]["details"] == {"because": "mic.device"}
        assert results[check_id]["summary"] == say("runner.because.summary", cause="Microphone")
    assert code == 1


def test_all_nan_file_is_damaged(reports):
    _, results, _ = reports["all_nan"]
    assert results["mic.device"]["status"] == "fail"
    assert "not numbers" in results["mic.device"]["summary"]
    assert results["mic.noise"]["status"] == "skip" and results["mic.noise"]["details"]["because"] == "mic.device"


@pytest.mark.parametrize(("name", "recorded"), [("short", "0.2"), ("one_sample", "0.00002")])
def test_a_recording_too_short_to_judge_is_one_problem(reports, name, recorded):
    """A recording too short for any sound check: the first sound check says so, once; the rest are not checked
    because of it (a 1-sample file was five problems)."""
    _, results, code = reports[name]
    assert results["mic.device"]["status"] == "pass"  # it does send sound
    problems = [r for r in results.values() if r["status"] in ("fail", "error")]
    assert len(problems) == 1, [(r["id"], r["summary"]) for r in problems]
    (first,) = problems
    assert first["summary"] == say("lost.mic_too_short.summary", recorded=recorded, need="0.5")
    assert first["advice"] == list(say_all("lost.mic_too_short.advice"))
    assert first["details"]["reason"] == "lost.mic_too_short" and first["details"]["lost"] == "mic"
    for check_id in ("mic.noise", "mic.level", "mic.snr", "mic.clipping", "mic.dropouts"):
        if check_id != first["id"]:
            assert results[check_id]["status"] == "skip"
            assert results[check_id]["details"] == {"because": first["id"]}
    assert [c["id"] for c in CAUSES[name]] == [first["id"]]
    assert code == 1
    if name == "one_sample":  # the text the command line prints says it once too
        text = run_cli("check", "--camera", "none", "--mic", str(PATHS[name]), "--network", "none", "--only",
                       "mic.*").stdout
        assert text.count("[✗]") == 1 and f"[✗] {first['title']}: {first['summary']}" in text
        assert text.rstrip().endswith("Not ready: 1 problem")


@pytest.mark.parametrize(("name", "reason"), [("empty", "mic.empty_file"), ("text", "mic.bad_file"),
                                               ("truncated", "mic.bad_file")])
def test_unreadable_files_fail_the_device_and_skip_the_rest(reports, name, reason):
    _, results, code = reports[name]
    assert results["mic.device"]["status"] == "fail"
    assert results["mic.device"]["details"] == {"rule": reason, "reason": reason}
    for check_id in ("mic.noise", "mic.level", "mic.snr", "mic.clipping"):
        assert results[check_id]["status"] == "skip"  # one cause, one problem: the microphone
        assert results[check_id]["summary"] == say("runner.because.summary", cause="Microphone")
        assert results[check_id]["details"] == {"because": "mic.device"}
    assert code == 1


# -- the decisions, at their thresholds --------------------------------------------------------------------------------


def test_verdicts_at_the_thresholds():
    limits = Thresholds()
    noise_limits = limits.for_check("mic.noise")
    assert noise_verdict(noise_limits["warn_dbfs"] - 0.1, "hum", noise_limits) == Finding(Status.PASS, "quiet")
    assert noise_verdict(noise_limits["warn_dbfs"], "hum", noise_limits) == Finding(Status.WARN, "hum")
    assert noise_verdict(noise_limits["fail_dbfs"], "rumble", noise_limits) == Finding(Status.FAIL, "rumble")
    assert noise_verdict(noise_limits["warn_dbfs"], "steady", noise_limits) == Finding(Status.WARN, "broadband")
    snr_limits = limits.for_check("mic.snr")
    assert snr_verdict(snr_limits["warn_db"], snr_limits).status is Status.PASS
    assert snr_verdict(snr_limits["warn_db"] - 0.1, snr_limits).status is Status.WARN
    assert snr_verdict(snr_limits["fail_db"] - 0.1, snr_limits).status is Status.FAIL
    level_limits = limits.for_check("mic.level")
    assert level_verdict(None, level_limits) == Finding(Status.FAIL, "none")
    assert level_verdict(-25.0, level_limits) == Finding(Status.PASS, "good")
    assert level_verdict(level_limits["warn_loud_dbfs"] + 1, level_limits) == Finding(Status.WARN, "loud")
    assert level_verdict(level_limits["fail_quiet_dbfs"] - 1, level_limits) == Finding(Status.FAIL, "quiet")
    clip_limits = limits.for_check("mic.clipping")
    assert clipping_verdict(Clipping(0.0, 0, 0, -3.0), clip_limits) == Finding(Status.PASS, "clean")
    assert clipping_verdict(Clipping(clip_limits["warn_percent"] / 100, 5, 3, 0.0), clip_limits) == Finding(
        Status.WARN, "clipped")
    assert clipping_verdict(Clipping(clip_limits["fail_percent"] / 100, 50, 9, 0.0), clip_limits) == Finding(
        Status.FAIL, "clipped")


def test_profile_thresholds_change_the_verdict(tmp_path):
    mix, _, _ = guided(-22.0, "pink", -50.0)
    path = sounds.write(tmp_path / "room.wav", mix)
    profile = tmp_path / "strict.toml"
    profile.write_text('organisation = "Test"\n[thresholds."mic.noise"]\nwarn_dbfs = -70\nfail_dbfs = -52\n')
    done = run_cli("check", "--camera", "none", "--mic", str(path), "--network", "none", "--only", "mic.noise",
                   "--profile", str(profile), "--json", timeout=60)
    [result] = json.loads(done.stdout)["checks"]
    assert result["status"] == "fail"
    assert result["value"] == pytest.approx(-50.0, abs=1.0)


# -- the shared recording --------------------------------------------------------------------------------------------


def test_record_takes_a_whole_file_and_reports_it(tmp_path):
    from checks.sources.mic import FileMic
    from checks.sources.recording import record

    mix = guided(-22.0, "white", -60.0)[0]
    mic = FileMic(sounds.write(tmp_path / "speech.wav", mix))
    mic.read(0.5)  # the device check has read from it already
    progress, blocks = [], []
    made = record(mic, 2.0, progress=progress.append, on_block=blocks.append)
    assert made.is_file
    assert made.samplerate == RATE
    assert made.seconds == pytest.approx(len(mix) / RATE)
    assert progress == [1.0]
    assert len(blocks) == 1 and blocks[0].shape == made.samples.shape
    assert rms_dbfs(made.samples) == pytest.approx(rms_dbfs(mix), abs=0.01)


def test_a_recording_made_earlier_can_be_analysed_as_a_source():
    from checks.analysis.audio import analyse
    from checks.sources.recording import RecordedMic, Recording, record

    mix, clean, background = guided(-22.0, "pink", -50.0)
    earlier = Recording(mix.astype(np.float32), RATE, "Guided recording", is_file=False)
    mic = RecordedMic(earlier)
    assert (mic.name, mic.samplerate, mic.channels, mic.is_file) == ("Guided recording", RATE, 1, False)
    again = record(mic, 8.0)
    assert again.samples.shape == (len(mix), 1)
    found = analyse(again.samples, again.samplerate)
    assert found.noise_dbfs == pytest.approx(rms_dbfs(background), abs=1.0)
    assert found.snr_db == pytest.approx(sounds.clean_active_level(clean) - rms_dbfs(background), abs=2.0)


def test_guided_prompt_asks_for_quiet_then_for_speech():
    from checks.sources.recording import GUIDED_QUIET_S, guided_prompt

    assert guided_prompt(0.0) == say("mic.guide.quiet", seconds=3)
    assert guided_prompt(GUIDED_QUIET_S - 0.5) == say("mic.guide.quiet", seconds=1)
    assert guided_prompt(GUIDED_QUIET_S) == say("mic.guide.speak")


def test_the_speech_level_carries_the_sound_level_trace_of_the_recording(reports):
    truth, results, _ = reports["good"]
    level = results["mic.level"]
    (trace,) = level["series"]
    assert (trace["x_unit"], trace["y_unit"], trace["label"]) == ("s", "dBFS", say("plot.sound"))
    limits = Thresholds().for_check("mic.level")
    assert trace["guides"] == [{"value": limits["warn_quiet_dbfs"], "label": say("plot.too_quiet")},
                               {"value": limits["warn_loud_dbfs"], "label": say("plot.too_loud")}]
    times = [t for t, _ in trace["points"]]
    levels = np.array([v for _, v in trace["points"]])
    assert np.diff(times) == pytest.approx(0.1, abs=1e-6)  # every 0.1 s, over the whole recording
    # the middle of the last whole 0.1 s: within 0.15 s of the end
    assert times[-1] == pytest.approx(level["details"]["recording_s"], abs=0.15)
    quiet = levels[np.array(times) < 2.9]  # the first 3 s are the room alone (white noise at -65 dBFS)
    assert quiet == pytest.approx(truth["noise"], abs=1.0)
    assert levels.max() > truth["speech"]  # the loudest 0.1 s of speech is above its average level
    assert "series" in results["mic.noise"] and results["mic.noise"]["series"] == []


def test_a_live_take_that_cut_out_fails_and_a_file_is_not_judged():
    """The window's path: its guided take (a live recording) handed to the runner as the microphone."""
    from checks.config.servers import NetworkSettings
    from checks.engine.discovery import discover
    from checks.engine.runner import RunConfig, Runner
    from checks.sources.camera import CameraSpec
    from checks.sources.recording import RecordedMic, Recording

    mix, _, _ = guided(-22.0, "white", -60.0)
    for start in (4.0, 5.0, 6.0):  # three 80 ms dropouts while speaking
        mix[round(start * RATE): round((start + 0.08) * RATE)] = 0.0
    results = {}
    for is_file in (False, True):
        take = Recording(mix[:, None].astype(np.float32), RATE, "USB Headset", is_file)
        config = RunConfig(camera=CameraSpec.parse("none"), network=NetworkSettings("none"),
                           opened={"mic": RecordedMic(take)})
        (results[is_file],) = Runner(discover("mic.dropouts"), config).run()
    live = results[False]
    assert live.status is Status.FAIL and live.value == 3 and live.unit == say("mic.dropouts.unit")
    assert live.details["longest_s"] == pytest.approx(0.08, abs=0.021)
    assert live.advice == say_all("mic.dropouts.some.advice")
    assert results[True].status is Status.SKIP


def test_the_guided_take_s_quiet_part_is_where_the_checks_measure_the_room():
    """The window's path for a loud, close talker: clipping speech over a quiet room, the background measured in
    the part the candidate was asked to stay quiet in; a file's take is not marked (its start may be anything)."""
    from checks.config.servers import NetworkSettings
    from checks.engine.discovery import discover
    from checks.engine.runner import RunConfig, Runner
    from checks.sources.camera import CameraSpec
    from checks.sources.recording import RecordedMic, Recording, guided_take, record

    mix, clean, background = guided(-5.0, "white", -66.0)
    mix = np.clip(mix, -1.0, 1.0)
    take = guided_take(Recording(mix[:, None].astype(np.float32), RATE, "USB Headset", is_file=False))
    assert take.quiet == (0.0, 3.0)
    assert guided_take(Recording(take.samples, RATE, "speech.wav", is_file=True)).quiet is None
    assert record(RecordedMic(take), 8.0).quiet == (0.0, 3.0)
    config = RunConfig(camera=CameraSpec.parse("none"), network=NetworkSettings("none"),
                       opened={"mic": RecordedMic(take)})
    results = {r.id: r for r in Runner(discover("mic.noise,mic.snr"), config).run()}
    noise_result, snr = results["mic.noise"], results["mic.snr"]
    assert noise_result.status is Status.PASS and noise_result.value == pytest.approx(rms_dbfs(background), abs=1.0)
    assert noise_result.details["background_from"] == "quiet"
    true_snr = sounds.clean_active_level(np.clip(clean, -1.0, 1.0)) - rms_dbfs(background)
    assert snr.status is Status.PASS and snr.value == pytest.approx(true_snr, abs=2.0)
    assert snr.details["noise_dbfs"] == noise_result.value  # the SNR is over the same floor
