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


_PICK_MIC = """\
import json, sys
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication
from app.cli import make_parser
from app.session import resolve
from app.window import MainWindow

app = QApplication(sys.argv[:1])
session = resolve(make_parser().parse_args(["--camera", "none", "--mic", "auto", "--network", "none",
                                            "--only", "mic.device"]))
window = MainWindow(session)
window.show()

def wait(signal, ms=30000):
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(ms, loop.quit)
    loop.exec()

pickers = window.pickers
pickers.refresh()
wait(pickers.listed)
offered = [pickers.mic.itemData(i) for i in range(pickers.mic.count())]
chosen = next(name for name in offered if name != "auto")
pickers.choose(pickers.mic, chosen)
wait(window.run_finished)
result = {r.id: r for r in window.report.results}["mic.device"]
print(json.dumps({"offered": offered, "chosen": chosen, "spec": window.session.config.mic.name,
                  "status": result.status.value, "summary": result.summary}))
window.close()
"""


@pytest.mark.slow
def test_choosing_a_pulseaudio_microphone_in_the_window_checks_the_sound_with_it(tmp_path):
    import subprocess
    import sys

    from tests.conftest import DEMO, ROOT

    try:
        pulse = start_pulse()
    except PulseUnavailable as error:
        pytest.skip(str(error))
    try:
        env = {**pulse.env, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config")}
        import numpy as np
        import soundfile

        speech, rate = soundfile.read(DEMO / "speech.wav")
        long = tmp_path / "speaking.wav"  # a minute of it: longer than the start and the take, however slow
        soundfile.write(long, np.concatenate([speech] * 6), rate)
        with pulse.playing(long):  # someone speaking into the null sink, heard on its monitor
            done = subprocess.run([sys.executable, "-c", _PICK_MIC], env=env, cwd=ROOT, capture_output=True,
                                  text=True, timeout=120)
    finally:
        pulse.close()
    assert done.returncode == 0, done.stderr[-2000:]
    shown = json.loads(done.stdout.strip().splitlines()[-1])
    assert shown["offered"][0] == "auto" and len(shown["offered"]) > 1  # the default, then the system's names
    assert shown["spec"] == shown["chosen"]
    assert shown["status"] == "pass", shown["summary"]
    assert json.loads((tmp_path / "config" / "interview-ready" / "devices.json").read_text())["mic"] == shown["chosen"]
