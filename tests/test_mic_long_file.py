"""A long recording given with ``--mic``: memory stays bounded, and the report says only its start was analysed.

A 2-hour 48 kHz stereo WAV (1.4 GB: its start made by sox, the rest digital silence) goes through a real
``interview-ready check``; the peak resident memory of that process is read from the kernel
(``getrusage(RUSAGE_CHILDREN)`` in a small parent that runs only it).
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import soundfile

from checks.sources.mic import MAX_FILE_SAMPLES
from checks.text.figures import figure
from checks.text.wording import say
from tests.conftest import ROOT
from tests.support.sounds import rms_dbfs

pytestmark = pytest.mark.slow

HOURS = 2
RATE = 48000
START_S = 2 * 60  # the fan: more than the minute the checks analyse (MAX_FILE_SAMPLES)
PEAK_LIMIT_MB = 300

# Runs the check as its only child and prints the child's report and its peak memory (ru_maxrss is in KiB on Linux).
_PARENT = textwrap.dedent("""\
    import json, resource, subprocess, sys
    done = subprocess.run([sys.executable, "-m", "app", *sys.argv[1:]], capture_output=True, text=True, timeout=300)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"peak_kib": peak, "code": done.returncode, "stdout": done.stdout, "stderr": done.stderr}))
""")


@pytest.fixture(scope="module")
def two_hours(tmp_path_factory) -> Path:
    """Two hours of a room, 48 kHz stereo, 16-bit, as a long call recording would be: the first START_S a steady fan
    (sox), the rest digital silence, left sparse on disk (sox took a minute to make the whole two hours of fan). Read
    past its start, the file would fill the memory all the same, and its silence would change what is measured."""
    folder = tmp_path_factory.mktemp("long")
    fan = folder / "fan.raw"
    subprocess.run(["sox", "-n", "-r", str(RATE), "-c", "2", "-b", "16", "-e", "signed", "-t", "raw", str(fan),
                    "synth", str(START_S), "pinknoise", "vol", "0.05"], check=True, capture_output=True, timeout=120)
    size = HOURS * 3600 * RATE * 2 * 2
    path = folder / "two-hours.wav"
    with path.open("wb") as wav:  # a canonical PCM header: RIFF, fmt (1 = PCM, 2 channels, 16-bit), data
        wav.write(struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + size, b"WAVE", b"fmt ", 16, 1, 2, RATE, RATE * 4,
                              4, 16, b"data", size))
        wav.write(fan.read_bytes())
        wav.truncate(44 + size)
    fan.unlink()
    assert soundfile.info(path).duration == HOURS * 3600
    return path


def test_a_two_hour_file_is_checked_in_bounded_memory_and_says_only_its_start_was_used(two_hours):
    done = subprocess.run([sys.executable, "-c", _PARENT, "check", "--camera", "none", "--network", "none", "--mic",
                           str(two_hours), "--only", "mic.*", "--json"], capture_output=True, text=True, cwd=ROOT,
                          timeout=400)
    assert done.returncode == 0, done.stderr
    run = json.loads(done.stdout)
    assert "Traceback" not in run["stderr"], run["stderr"]
    results = {r["id"]: r for r in json.loads(run["stdout"])["checks"]}
    assert run["peak_kib"] / 1024 < PEAK_LIMIT_MB, f"peak {run['peak_kib'] / 1024:.0f} MB"
    device = results["mic.device"]
    assert device["status"] == "pass", device
    analysed = MAX_FILE_SAMPLES // 2 / RATE
    assert analysed < START_S and device["details"]["file_s"] == HOURS * 3600
    assert device["details"]["analysed_s"] == pytest.approx(analysed, abs=0.1)
    assert device["summary"].endswith(say("mic.device.part.summary", minutes=f"{HOURS * 60}",
                                          seconds=figure(device["details"]["analysed_s"], "s")))  # as stored
    for check_id in ("mic.noise", "mic.level", "mic.clipping"):  # measured on that start, and saying so
        assert results[check_id]["status"] != "error", results[check_id]
        assert results[check_id]["details"]["file_s"] == HOURS * 3600
        assert results[check_id]["details"]["recording_s"] == pytest.approx(analysed, abs=0.1)
    start, _ = soundfile.read(two_hours, frames=10 * RATE, dtype="float64")
    assert results["mic.noise"]["value"] == pytest.approx(rms_dbfs(start), abs=1.0)  # the fan, as sox made it
