"""The live microphone path through a real PulseAudio server: sounddevice -> ALSA pulse plugin -> null sink monitor.

A private server (tests/support/pulse.py) has a null sink ``ir_test`` whose monitor is the default source; ``paplay``
plays a tone into the sink and the code under test records it. PortAudio enumerates devices once, when it
initialises, so the code under test runs in subprocesses started with the server's environment. Onset timing
through the null sink is not reliable (its first block can come up to 2 s late), so these tests assert levels,
never timing.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile

from checks.text.figures import figure
from checks.text.wording import say, say_n
from tests.conftest import ROOT, run_cli
from tests.support.pulse import RATE, PulseServer, PulseUnavailable, start_pulse
from tests.support.shown import assert_told_once_in_window_and_pdf, results_from_json

pytestmark = pytest.mark.slow

TONE_HZ = 440.0
TONE_DBFS = -20.0  # RMS level of the tone
SUBPROCESS_S = 25  # every subprocess is bounded; a hang fails the test instead of stalling the run

# Waits (bounded) until the microphone delivers sound, so the reads after it hold only the tone.
_PRELUDE = """\
import json, subprocess, sys, time
import numpy as np
from checks.sources import SourceError
from checks.sources.mic import MicSpec, open_mic

def wait_for_sound(mic, timeout=10.0):
    end = time.monotonic() + timeout
    while np.abs(mic.read(0.1)).max(initial=0.0) < 0.01:
        if time.monotonic() > end:
            raise SystemExit(f"no sound from {mic.name} within {timeout} s")

def dbfs(samples):
    return float(20 * np.log10(np.sqrt(np.mean(np.square(samples, dtype=np.float64))) + 1e-12))
"""


def _python(pulse: PulseServer, body: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``body`` (after the prelude) in a fresh interpreter that talks to ``pulse``."""
    code = _PRELUDE + textwrap.dedent(body)
    return subprocess.run([sys.executable, "-c", code, *args], env=pulse.env, cwd=ROOT, capture_output=True,
                          text=True, timeout=SUBPROCESS_S)


def _last_json(done: subprocess.CompletedProcess[str]) -> dict:
    assert done.returncode == 0, f"exit {done.returncode}\nstdout: {done.stdout}\nstderr: {done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _mic_check(pulse: PulseServer, *args: str) -> tuple[subprocess.CompletedProcess[str], dict]:
    """``check --only mic.device --json`` with the camera and network off; the process and the mic.device result."""
    done = run_cli("check", "--camera", "none", "--network", "none", "--only", "mic.device", "--json", *args,
                   env=pulse.env, timeout=SUBPROCESS_S)
    assert "Traceback" not in done.stderr, done.stderr
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"no JSON report (exit {done.returncode})\nstdout: {done.stdout}\nstderr: {done.stderr}")
    [result] = report["checks"]
    assert result["id"] == "mic.device"
    return done, result


def _dbfs(samples: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))))


def _peak_hz(samples: np.ndarray, rate: int) -> float:
    mono = samples.mean(axis=1) if samples.ndim == 2 else samples
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(len(mono))))
    return float(np.fft.rfftfreq(len(mono), 1 / rate)[np.argmax(spectrum)])


def _start_or_skip() -> PulseServer:
    try:
        return start_pulse()
    except PulseUnavailable as error:
        print(f"PulseAudio could not start: {error}")
        pytest.skip(f"PulseAudio could not start: {error}")


@pytest.fixture(scope="module")
def pulse():
    server = _start_or_skip()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def devices(pulse):
    """The input devices PortAudio sees through the test server, and which one is the default."""
    done = _python(pulse, """\
        import sounddevice as sd
        devices = sd.query_devices()
        inputs = [[i, d["name"]] for i, d in enumerate(devices) if d["max_input_channels"] > 0]
        print(json.dumps({"inputs": inputs, "default": sd.default.device[0]}))
    """)
    found = _last_json(done)
    names = [name for _, name in found["inputs"]]
    if "default" not in names:  # a missing test dependency, not a reason to skip
        pytest.fail(f"PortAudio does not see the PulseAudio test server (inputs: {names}); "
                    "is libasound2-plugins installed?")
    return found


@pytest.fixture(scope="module")
def tone(tmp_path_factory) -> Path:
    """20 s of a steady 440 Hz tone at -20 dBFS RMS, stereo 16-bit at the sink's rate (no resampling)."""
    seconds = 20
    t = np.arange(seconds * RATE) / RATE
    wave = 10 ** (TONE_DBFS / 20) * np.sqrt(2) * np.sin(2 * np.pi * TONE_HZ * t)
    path = tmp_path_factory.mktemp("tone") / "tone.wav"
    soundfile.write(path, np.column_stack([wave, wave]), RATE, subtype="PCM_16")
    written, _ = soundfile.read(path, dtype="float64")
    assert _dbfs(written) == pytest.approx(TONE_DBFS, abs=0.05)
    return path


@pytest.fixture
def silent(pulse):
    """Nothing plays into the sink."""
    pulse.wait_for("sink-inputs", 0)
    return pulse


# -- 1. auto opens the default input and records what plays ---------------------------------------------------


def test_auto_records_the_tone_at_its_level_from_the_default_input(pulse, devices, tone, tmp_path):
    out = tmp_path / "samples.npy"
    with pulse.playing(tone):
        done = _python(pulse, """\
            import sounddevice as sd
            mic = open_mic(MicSpec.parse("auto"))
            try:
                wait_for_sound(mic)
                samples = mic.read(1.0)
            finally:
                mic.close()
            np.save(sys.argv[1], samples)
            print(json.dumps({"name": mic.name, "samplerate": mic.samplerate, "channels": mic.channels}))
        """, str(out))
    info = _last_json(done)
    default_name = dict(devices["inputs"])[devices["default"]]
    assert default_name == "default"
    # auto is the system's default input (the sound server's default source), not merely the first device listed
    assert info["name"] == f"default (microphone {devices['default']})"
    assert info["samplerate"] == RATE
    assert info["channels"] == 2

    samples = np.load(out)
    assert samples.dtype == np.float32
    assert samples.shape == (RATE, 2)  # exactly 1 s
    assert np.isfinite(samples).all()
    assert _dbfs(samples) == pytest.approx(TONE_DBFS, abs=1.0)
    for window in np.array_split(samples, 10):  # steady throughout, not loud in one part and silent in another
        assert _dbfs(window) == pytest.approx(TONE_DBFS, abs=1.0)
    assert _peak_hz(samples, RATE) == pytest.approx(TONE_HZ, abs=2)


# -- 2. mic.device through the command line ----------------------------------------------------------------------


def test_mic_device_passes_while_sound_plays(pulse, tone):
    with pulse.playing(tone):
        done, result = _mic_check(pulse)
    assert result["status"] == "pass", result
    assert done.returncode == 0
    details = result["details"]
    assert details["name"].startswith("default (microphone ")
    assert details["name"] in result["summary"]
    assert details["source"] == "device"
    assert isinstance(details["samplerate"], int)
    assert details["samplerate"] == RATE
    assert details["channels"] == 2
    assert result["summary"].startswith(f"{details['name']} works")


def test_idle_null_sink_monitor_delivers_exact_digital_silence(silent):
    done = _python(silent, """\
        mic = open_mic(MicSpec.parse("auto"))
        try:
            samples = mic.read(1.0)
        finally:
            mic.close()
        print(json.dumps({"frames": len(samples), "rate": mic.samplerate, "nonzero": int(np.count_nonzero(samples)),
                          "finite": bool(np.isfinite(samples).all())}))
    """)
    found = _last_json(done)
    assert found == {"frames": RATE, "rate": RATE, "nonzero": 0, "finite": True}


def test_mic_device_fails_on_pure_digital_silence(silent):
    done, result = _mic_check(silent)
    assert result["status"] == "fail", result
    assert done.returncode == 1
    name = result["details"]["name"]
    assert name.startswith("default (microphone ")
    assert result["summary"] == say("mic.device.silent.summary", name=name)
    assert "sends only silence" in result["summary"]
    assert result["advice"]
    assert isinstance(result["details"]["samplerate"], int)


# -- 3. choosing the microphone with --mic --------------------------------------------------------------------------


def test_mic_by_part_of_its_name(pulse, tone):
    with pulse.playing(tone):
        done, result = _mic_check(pulse, "--mic", "PULS")  # matching ignores case
    assert result["status"] == "pass", result
    assert done.returncode == 0
    assert result["details"]["name"].startswith("pulse (microphone ")


def test_mic_by_a_number_that_does_not_exist_lists_the_microphones(pulse, devices):
    done, result = _mic_check(pulse, "--mic", "99")
    assert result["status"] == "fail", result
    assert done.returncode == 1
    assert result["details"] == {"rule": "mic.no_such_index", "reason": "mic.no_such_index"}
    listed = ", ".join(f"{i}: {name}" for i, name in devices["inputs"])
    assert result["summary"] == say("sources.mic.no_such_index.summary", index=99, available=listed)
    assert "0: pulse" in result["summary"] and "default" in result["summary"]


def test_mic_by_a_name_that_does_not_exist_lists_the_microphones(pulse, devices):
    done, result = _mic_check(pulse, "--mic", "nosuchmic")
    assert result["status"] == "fail", result
    assert done.returncode == 1
    assert result["details"] == {"rule": "mic.no_such_name", "reason": "mic.no_such_name"}
    listed = ", ".join(name for _, name in devices["inputs"])
    assert result["summary"] == say("sources.mic.no_such_name.summary", name="nosuchmic", available=listed)


# -- 4. close() releases the stream ------------------------------------------------------------------------------------


def test_close_releases_the_stream_and_the_mic_opens_again(pulse, tone):
    with pulse.playing(tone):
        done = _python(pulse, """\
            def streams(expected, timeout=5.0):
                # the recording streams the server has (it learns of a close asynchronously)
                end = time.monotonic() + timeout
                while True:
                    out = subprocess.run(["pactl", "list", "short", "source-outputs"], capture_output=True,
                                         text=True, check=True, timeout=10).stdout
                    count = len(out.splitlines())
                    if count == expected or time.monotonic() > end:
                        return count
                    time.sleep(0.05)

            counts, levels = [], []
            for _ in range(3):
                mic = open_mic(MicSpec.parse("auto"))
                counts.append(streams(1))
                wait_for_sound(mic)
                levels.append(dbfs(mic.read(0.5)))
                mic.close()
                mic.close()  # closing twice is harmless
                counts.append(streams(0))
            print(json.dumps({"counts": counts, "levels": levels}))
        """)
    found = _last_json(done)
    assert found["counts"] == [1, 0, 1, 0, 1, 0]
    assert found["levels"] == pytest.approx([TONE_DBFS] * 3, abs=1.0)


# -- 5. the sound server goes away while recording ------------------------------------------------------------------


@pytest.fixture
def doomed_pulse():
    """A second server of its own, for a test that kills it."""
    server = _start_or_skip()
    try:
        yield server
    finally:
        server.close()


def _wait_until(condition, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"{what} did not happen within {timeout} s")
        time.sleep(0.05)


def _stop_server_while(process: subprocess.Popen, pulse, sig: int, ready, what: str, after_s: float = 0.3) -> int:
    """Wait until ``ready()``, stop the sound server with ``sig`` ``after_s`` later while ``process`` reads, return
    its exit code."""
    try:
        _wait_until(lambda: ready() or process.poll() is not None, 15, what)
        time.sleep(after_s)
        pulse.stop(sig)
        return process.wait(SUBPROCESS_S)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_server_stopping_while_reading_raises_a_source_error(doomed_pulse, tone, tmp_path):
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    code = _PRELUDE + textwrap.dedent("""\
        mic = open_mic(MicSpec.parse("auto"))
        wait_for_sound(mic)  # sound flows
        print("reading", flush=True)
        started = time.monotonic()
        try:
            mic.read(5.0)
            outcome = {"error": None}
        except SourceError as error:
            outcome = {"error": error.key, "summary": error.summary}
        outcome["read_s"] = time.monotonic() - started
        outcome["name"] = mic.name
        mic.close()
        outcome["closed"] = True
        print(json.dumps(outcome), flush=True)
    """)
    with doomed_pulse.playing(tone), out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen([sys.executable, "-c", code], env=doomed_pulse.env, cwd=ROOT,
                                   stdout=stdout, stderr=stderr, text=True)
        returncode = _stop_server_while(process, doomed_pulse, signal.SIGTERM, lambda: "reading" in out.read_text(),
                                        "reading")
    stderr_text = err.read_text()
    assert returncode == 0, f"exit {returncode}\nstdout: {out.read_text()}\nstderr: {stderr_text}"
    assert "Traceback" not in stderr_text, stderr_text
    outcome = json.loads(out.read_text().strip().splitlines()[-1])
    assert outcome["error"] == "mic.no_data"
    assert outcome["summary"] == say("sources.mic.no_data.summary", name=outcome["name"])
    assert outcome["read_s"] < 5.0 + 2.0 + 3.0  # gave up soon after the data stopped: no hang
    assert outcome["closed"] is True  # and closing the dead stream returned


def test_server_killed_during_mic_device_gives_a_failing_result(doomed_pulse, tone, tmp_path):
    profile = tmp_path / "long.toml"
    profile.write_text('organisation = "Test"\n[thresholds."mic.device"]\nsample_s = 5\n')
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    command = [sys.executable, "-m", "app", "check", "--camera", "none", "--network", "none", "--only", "mic.device",
               "--profile", str(profile), "--json"]
    with doomed_pulse.playing(tone), out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(command, env=doomed_pulse.env, cwd=ROOT, stdout=stdout, stderr=stderr)
        # once the recording stream exists (the check is reading its 5 s), the server dies as if it crashed
        returncode = _stop_server_while(process, doomed_pulse, signal.SIGKILL,
                                        lambda: doomed_pulse.count("source-outputs") == 1, "the microphone opening")
    stderr_text = err.read_text()
    assert "Traceback" not in stderr_text, stderr_text
    report = json.loads(out.read_text())
    [result] = report["checks"]
    assert result["status"] == "fail", result
    assert result["details"] == {"rule": "mic.no_data", "reason": "mic.no_data"}
    assert result["summary"].endswith("opened but sends no sound data.")
    assert returncode == 1
    assert result["duration_s"] < 5.0 + 2.0 + 3.0


# -- 6. the sound checks through the real device path -----------------------------------------------------------------


@pytest.fixture(scope="module")
def bursts(tmp_path_factory) -> Path:
    """30 s of a room at -60 dBFS (white noise) with 0.6 s bursts of a 1 kHz tone every 1.5 s: any 8 s of it
    holds the same mix of quiet and sound, so a recording that starts anywhere has the file's levels."""
    seconds, period, burst = 30, 1.5, 0.6
    room = noise_at(-60.0, seconds)
    t = np.arange(seconds * RATE) / RATE
    on = (t % period) < burst
    wave = room + on * 10 ** (-24.0 / 20) * np.sqrt(2) * np.sin(2 * np.pi * 1000.0 * t)
    path = tmp_path_factory.mktemp("bursts") / "bursts.wav"
    soundfile.write(path, np.column_stack([wave, wave]), RATE, subtype="PCM_16")
    return path


def noise_at(level: float, seconds: float) -> np.ndarray:
    rng = np.random.default_rng(3)
    x = rng.standard_normal(round(seconds * RATE))
    return x * 10 ** (level / 20) / np.sqrt(np.mean(x**2))


def test_sound_checks_measure_through_pulseaudio_what_the_file_holds(pulse, bursts):
    from checks.analysis.audio import analyse

    samples, rate = soundfile.read(bursts, dtype="float32", always_2d=True)
    truth = analyse(samples, rate)
    assert truth.noise_dbfs == pytest.approx(-60.0, abs=0.5)
    assert truth.speech_dbfs is not None
    with pulse.playing(bursts):
        done = run_cli("check", "--camera", "none", "--network", "none", "--only", "mic.*", "--json",
                       env=pulse.env, timeout=SUBPROCESS_S)
    assert "Traceback" not in done.stderr, done.stderr
    results = {r["id"]: r for r in json.loads(done.stdout)["checks"]}
    assert {i: r["status"] for i, r in results.items()} == {
        "mic.device": "pass", "mic.clipping": "pass", "mic.level": "pass", "mic.noise": "pass", "mic.snr": "pass",
        "mic.dropouts": "pass", "mic.echo": "skip"}  # the echo test plays a sound: only with --echo
    assert results["mic.noise"]["value"] == pytest.approx(truth.noise_dbfs, abs=1.0)
    assert results["mic.level"]["value"] == pytest.approx(truth.speech_dbfs, abs=1.5)
    assert results["mic.snr"]["value"] == pytest.approx(truth.snr_db, abs=2.0)
    assert results["mic.noise"]["details"]["recording_s"] == pytest.approx(8.0, abs=0.01)
    assert results["mic.noise"]["details"]["samplerate"] == RATE
    assert results["mic.clipping"]["details"]["peak_dbfs"] == pytest.approx(-24.0 + 3.0, abs=1.5)
    # one recording for the four checks: the first records, the others reuse it
    recorders = [i for i in ("mic.clipping", "mic.level", "mic.noise", "mic.snr") if results[i]["duration_s"] > 4]
    assert recorders == ["mic.clipping"], {i: r["duration_s"] for i, r in results.items()}


@pytest.fixture(scope="module")
def broken_up(tmp_path_factory) -> Path:
    """30 s of a room at -50 dBFS in which the sound cuts out (exact digital zeros) for 0.2 s every 2 s: any 8 s of
    it holds three or four whole dropouts."""
    seconds, period, gap = 30, 2.0, 0.2
    t = np.arange(seconds * RATE) / RATE
    wave = noise_at(-50.0, seconds) * ((t % period) >= gap)
    path = tmp_path_factory.mktemp("dropouts") / "broken_up.wav"
    soundfile.write(path, np.column_stack([wave, wave]), RATE, subtype="PCM_16")
    return path


def test_the_sound_cutting_out_is_found_through_pulseaudio(pulse, broken_up, bursts):
    for played, expected in ((broken_up, "fail"), (bursts, "pass")):
        with pulse.playing(played):
            done = run_cli("check", "--camera", "none", "--network", "none", "--only", "mic.dropouts", "--json",
                           env=pulse.env, timeout=SUBPROCESS_S)
        assert "Traceback" not in done.stderr, done.stderr
        (result,) = json.loads(done.stdout)["checks"]
        assert result["status"] == expected, result
        if expected == "fail":
            assert result["value"] in (3, 4) and result["details"]["longest_s"] == pytest.approx(0.2, abs=0.03)
            assert result["summary"] == say_n("mic.dropouts.some.summary", result["value"],
                                              seconds=figure(result["details"]["total_s"], "s"),
                                              longest=figure(result["details"]["longest_s"], "s"))
        else:
            assert result["value"] == 0


@pytest.mark.parametrize("after_s", [0.3, 5.0])
def test_the_sound_server_killed_while_recording_is_one_problem(qtbot, doomed_pulse, bursts, tmp_path, after_s):
    """PulseAudio killed 0.3 s into the recording: one problem saying the microphone stopped sending sound, the other
    sound checks not checked because of it (they were three problems). Killed 5 s in: the good seconds are still
    analysed (background and voice over it judged on them), and the loss is told once: in the command line's text
    and JSON, and from the same run's results in the window and the PDF."""
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    report_path = tmp_path / "report.json"
    command = [sys.executable, "-m", "app", "check", "--camera", "none", "--network", "none", "--only",
               "mic.clipping,mic.noise,mic.snr", "--report", str(report_path)]
    with doomed_pulse.playing(bursts), out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(command, env={**doomed_pulse.env, "NO_COLOR": "1"}, cwd=ROOT, stdout=stdout,
                                   stderr=stderr)
        returncode = _stop_server_while(process, doomed_pulse, signal.SIGKILL,
                                        lambda: doomed_pulse.count("source-outputs") == 1, "the recording starting",
                                        after_s)
    stderr_text = err.read_text()
    assert "Traceback" not in stderr_text, stderr_text
    report = json.loads(report_path.read_text())
    results = {r["id"]: r for r in report["checks"]}
    assert list(results) == ["mic.clipping", "mic.noise", "mic.snr"]
    lost = results["mic.clipping"]  # the first to meet it (recorded once: the others do not record again)
    assert lost["status"] == "fail" and lost["details"]["reason"] == "lost.mic"
    assert lost["details"]["source"] == "mic.no_data"
    recorded = lost["details"]["recording_s"]
    # up to the kill (the null sink's first block may come up to 2 s late: enough is left to judge after 5 s)
    assert recorded < 0.5 if after_s < 1 else 2.0 < recorded <= after_s + 0.5
    assert lost["summary"].startswith("The microphone stopped sending sound after ")
    told = re.search(r"\((\d+\.\d) s were recorded\)", lost["summary"])  # to a tenth (3.55 s, stored, is told 3.6)
    assert (told is not None and abs(float(told.group(1)) - recorded) <= 0.05 + 1e-9) or recorded < 0.1, lost["summary"]
    assert lost["details"]["after_s"] <= after_s + 0.5  # when it stopped, not when that was found (3 s later)
    assert [c["id"] for c in report["causes"] if c["status"] == "fail"] == ["mic.clipping"]
    assert report["headline"] == "Not ready: 1 problem"
    if after_s < 1:
        for check_id in ("mic.noise", "mic.snr"):
            assert results[check_id]["status"] == "skip"
            assert results[check_id]["details"] == {"because": "mic.clipping"}
    else:
        assert lost["value"] is not None and lost["advice"][0].startswith("Measured before that: ")
        noise, snr = results["mic.noise"], results["mic.snr"]
        assert noise["status"] == "pass" and noise["value"] == pytest.approx(-60.0, abs=1.5)
        assert snr["status"] == "pass" and noise["details"]["recording_s"] == recorded
    assert "The microphone stopped sending sound after " in out.read_text()
    assert out.read_text().rstrip().endswith("Not ready: 1 problem")
    assert returncode == 1
    assert sum(r["duration_s"] for r in results.values()) < 8.0 + 2.0 + 3.0
    assert_told_once_in_window_and_pdf(qtbot, tmp_path, results_from_json(report), "mic.clipping",
                                       say("lost.mic.headline"))


def test_cancel_while_the_sound_checks_record_ends_at_once(pulse, bursts):
    with pulse.playing(bursts):
        done = _python(pulse, """\
            import threading
            from checks.engine.discovery import discover
            from checks.engine.runner import RunConfig, Runner

            runner = Runner(discover("mic.*"), RunConfig(mic=MicSpec.parse("auto")))
            threading.Timer(2.0, runner.cancel).start()
            started = time.monotonic()
            results = runner.run()
            print(json.dumps({"took": time.monotonic() - started,
                              "statuses": {r.id: r.status.value for r in results}}))
        """)
    found = _last_json(done)
    statuses = found["statuses"]
    assert statuses.pop("mic.device") in ("pass", "skip")  # it may have finished its half second before the cancel
    assert statuses == dict.fromkeys(["mic.clipping", "mic.dropouts", "mic.echo", "mic.level", "mic.noise",
                                          "mic.snr"], "skip")
    assert found["took"] < 2.0 + 3.0  # not the 8 s the recording would have taken


# -- 5. the window's view of a live take ---------------------------------------------------------------------------

_WINDOW_TAKE = """\
import json
from PySide6.QtWidgets import QApplication
from app.cli import make_parser
from app.session import resolve
from app.window import MainWindow

app = QApplication([])
window = MainWindow(resolve(make_parser().parse_args(
    ["--camera", "none", "--mic", "auto", "--network", "none", "--only", "mic.level"])))
window.show()
seen = []

def during_take(elapsed):
    seen.append([window.progress.value() / window.progress.maximum(), window.progress_text.text(),
                 window.mic_panel.meter.text()])

window.controller.take_progress.connect(during_take)  # after the window's own slot, connected first
window.run_finished.connect(lambda _report: app.quit())
window.start()
app.exec()
meter = window.mic_panel.meter
print(json.dumps({"seen": seen, "after": meter.text(), "running": meter.running,
                  "bar": window.progress.value() == window.progress.maximum()}))
window.close()
"""


def test_the_window_moves_its_bar_with_the_take_says_the_level_in_words_then_silence(pulse, tone):
    from checks.text.wording import say

    with pulse.playing(tone):
        done = subprocess.run([sys.executable, "-c", _WINDOW_TAKE], env={**pulse.env, "QT_QPA_PLATFORM": "offscreen"},
                              cwd=ROOT, capture_output=True, text=True, timeout=90)
    found = _last_json(done)
    fractions = [fraction for fraction, _, _ in found["seen"]]
    assert len(fractions) >= 5 and fractions == sorted(fractions) and fractions[-1] >= 0.5  # it moved on, never back
    assert all(text.startswith(say("ui.take_progress", seconds=0).split(":")[0]) for _, text, _ in found["seen"])
    words = {word for _, _, word in found["seen"]}
    assert say("level_meter.words.good") in words and not any("dB" in w for w in words)  # −20 dBFS in words
    assert found["after"] == say("level_meter.silent") and not found["running"]  # reset, not frozen
    assert found["bar"]  # then the checks were counted to the end
