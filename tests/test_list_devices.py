"""``interview-ready list-devices``: the cameras, microphones and speakers, with or without any."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli
from tests.pulse import PulseUnavailable, start_pulse


def test_with_no_devices_the_lists_are_empty_and_the_exit_is_0(tmp_path):
    # No sound server to reach and no cameras: an empty home, no PulseAudio socket.
    env = {"HOME": str(tmp_path), "PULSE_SERVER": f"unix:{tmp_path}/none", "XDG_RUNTIME_DIR": str(tmp_path)}
    done = run_cli("list-devices", "--json", env=env)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert set(found) == {"cameras", "microphones", "speakers"}
    assert all(isinstance(v, list) for v in found.values())
    text = run_cli("list-devices", env=env)
    assert text.returncode == 0 and "Cameras:" in text.stdout and "Microphones:" in text.stdout


@pytest.mark.slow
def test_a_pulseaudio_source_and_sink_are_listed_with_index_and_name():
    try:
        pulse = start_pulse()
    except PulseUnavailable as error:
        pytest.skip(str(error))
    try:
        done = run_cli("list-devices", "--json", env=pulse.env)
    finally:
        pulse.close()
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["microphones"] and found["speakers"]
    for device in found["microphones"] + found["speakers"]:
        assert isinstance(device["index"], int) and isinstance(device["name"], str) and device["name"]
    assert any("pulse" in d["name"].lower() or "default" in d["name"].lower() for d in found["microphones"])
