"""``interview-ready list-devices``: the cameras, microphones and speakers, with or without any."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli
from tests.support.pulse import PulseUnavailable, start_pulse


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


_PICK_PRELUDE = """\
import json, sys
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication
from app.cli import make_parser
from app.session import resolve

app = QApplication(sys.argv[:1])
session = resolve(make_parser().parse_args(["--camera", "none", "--mic", "auto", "--network", "none",
                                            "--only", "mic.device"]))

def wait(signal, ms=30000):
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(ms, loop.quit)
    loop.exec()

def chosen_of(pickers):
    offered = [pickers.mic.itemData(i) for i in range(pickers.mic.count())]
    return offered, next(name for name in offered if name != "auto")

def shown(report, spec, **more):
    result = {r.id: r for r in report.results}["mic.device"]
    print(json.dumps({"offered": offered, "chosen": chosen, "spec": spec.name, "status": result.status.value,
                      "summary": result.summary, **more}))
"""

_PICK_MIC = {
    "window": _PICK_PRELUDE + """\
from app.window import MainWindow
window = MainWindow(session)
window.show()
pickers = window.pickers
pickers.refresh()
wait(pickers.listed)
offered, chosen = chosen_of(pickers)
pickers.choose(pickers.mic, chosen)
wait(window.run_finished)
shown(window.report, window.session.config.mic)
window.close()
""",
    # the kiosk's start screen: chosen for one student, then the wipe goes back to the default and keeps nothing
    "kiosk": _PICK_PRELUDE + """\
from app.kiosk import KioskWindow
from checks.config.kiosk import KioskConfig
kiosk = KioskWindow(session, KioskConfig(), fullscreen=False)
kiosk.show()
pickers = kiosk.pickers
wait(pickers.listed)
offered, chosen = chosen_of(pickers)
pickers.choose(pickers.mic, chosen)
kiosk.begin()
controller = kiosk.controller
wait(controller.run_finished)
report, spec = controller.report, controller.session.config.mic
kiosk.reset()
shown(report, spec, after_wipe=pickers.mic.currentData(), next_student=kiosk.student_session().config.mic.text)
kiosk.leave()
""",
}


@pytest.mark.slow
@pytest.mark.parametrize("view", ["window", "kiosk"])
def test_choosing_a_pulseaudio_microphone_checks_the_sound_with_it(tmp_path, view):
    import subprocess
    import sys

    from tests.conftest import DEMO, ROOT

    try:
        pulse = start_pulse()
    except PulseUnavailable as error:
        pytest.skip(str(error))
    try:
        env = {**pulse.env, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config"),
               "XDG_STATE_HOME": str(tmp_path / "state")}
        import numpy as np
        import soundfile

        speech, rate = soundfile.read(DEMO / "speech.wav")
        long = tmp_path / "speaking.wav"  # a minute of it: longer than the start and the take, however slow
        soundfile.write(long, np.concatenate([speech] * 6), rate)
        with pulse.playing(long):  # someone speaking into the null sink, heard on its monitor
            done = subprocess.run([sys.executable, "-c", _PICK_MIC[view]], env=env, cwd=ROOT, capture_output=True,
                                  text=True, timeout=120)
    finally:
        pulse.close()
    assert done.returncode == 0, done.stderr[-2000:]
    shown = json.loads(done.stdout.strip().splitlines()[-1])
    assert shown["offered"][0] == "auto" and len(shown["offered"]) > 1  # the default, then the system's names
    assert shown["spec"] == shown["chosen"]
    assert shown["status"] == "pass", shown["summary"]
    remembered = tmp_path / "config" / "interview-ready" / "devices.json"
    if view == "window":
        assert json.loads(remembered.read_text())["mic"] == shown["chosen"]
    else:  # nothing of a student is kept: the next one starts from the kiosk's own devices
        assert not remembered.exists()
        assert shown["after_wipe"] == shown["next_student"] == "auto"
