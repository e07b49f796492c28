"""A long recording given with ``--mic``: memory stays bounded, and the report says only its start was analysed.

A 2-hour 48 kHz stereo WAV (1.4 GB, made by sox) goes through a real ``interview-ready check``; the peak resident
memory of that process is read from the kernel (``getrusage(RUSAGE_CHILDREN)`` in a small parent that runs only it).
"""

from __future__ import annotations

import json
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
    """Two hours of a room with a steady fan, 48 kHz stereo, 16-bit: as a long call recording would be."""
    path = tmp_path_factory.mktemp("long") / "two-hours.wav"
    subprocess.run(["sox", "-n", "-r", "48000", "-c", "2", "-b", "16", str(path), "synth", str(HOURS * 3600),
                    "pinknoise", "vol", "0.05"], check=True, capture_output=True, timeout=600)
    assert path.stat().st_size > HOURS * 3600 * 48000 * 2 * 2
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
    analysed = MAX_FILE_SAMPLES // 2 / 48000
    assert device["details"]["file_s"] == HOURS * 3600
    assert device["details"]["analysed_s"] == pytest.approx(analysed, abs=0.1)
    assert device["summary"].endswith(say("mic.device.part.summary", minutes=f"{HOURS * 60}",
                                          seconds=figure(device["details"]["analysed_s"], "s")))  # as stored
    for check_id in ("mic.noise", "mic.level", "mic.clipping"):  # measured on that start, and saying so
        assert results[check_id]["status"] != "error", results[check_id]
        assert results[check_id]["details"]["file_s"] == HOURS * 3600
        assert results[check_id]["details"]["recording_s"] == pytest.approx(analysed, abs=0.1)
    start, _ = soundfile.read(two_hours, frames=10 * 48000, dtype="float64")
    assert results["mic.noise"]["value"] == pytest.approx(rms_dbfs(start), abs=1.0)  # the fan, as sox made it
