"""The window's echo test (app/echo_test.py): the button, and a real test through PulseAudio, offscreen.

The live test runs in a subprocess started with the test server's environment (PortAudio lists devices once, when
it initialises). The server's speakers (null sink ``ir_test``) are looped into a second null sink whose monitor is
the microphone, 12 dB quieter, so the panel's test finds a strong echo.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from app.echo_test import EchoTestPanel, echo_runner
from checks.sources.mic import MicSpec
from checks.text.wording import say
from tests.conftest import ROOT
from tests.support.pulse import PulseUnavailable, add_room, loopback, start_pulse

_PANEL = """\
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from app.echo_test import EchoTestPanel

app = QApplication([])
panel = EchoTestPanel()
panel.show()
seen = {"messages": [], "enabled_while_running": None}
panel.test.progress.connect(lambda m: seen["messages"].append(m))

def done(result):
    seen.update(status=result.status.value, summary=result.summary, series=len(result.series),
                details=dict(result.details), message=panel.message.text(), enabled=panel.button.isEnabled())
    app.quit()

panel.result_ready.connect(done)
QTimer.singleShot(0, panel.button.click)
QTimer.singleShot(50, lambda: seen.update(enabled_while_running=panel.button.isEnabled()))
QTimer.singleShot(20000, app.quit)
app.exec()
print(json.dumps(seen))
"""


def test_the_panel_offers_the_test_and_explains_it(qtbot):
    panel = EchoTestPanel()
    qtbot.addWidget(panel)
    assert panel.button.isEnabled() and panel.button.text() == say("echo_test.button")
    assert panel.button.accessibleName() == say("echo_test.button").replace("&", "")
    assert panel.message.text() == say("echo_test.hint")
    assert not panel.test.running
    panel.set_mic(MicSpec.parse("3"))
    assert panel.test.mic == MicSpec("index", index=3)


def test_the_runner_runs_the_echo_check_alone_and_asks_it_to_play():
    runner = echo_runner(MicSpec("none"), {"mic.echo": {"warn_rt60_s": 0.9}})
    assert [c.id for c in runner.checks] == ["mic.echo"]
    limits = runner.config.thresholds.for_check("mic.echo")
    assert limits["play"] is True and limits["warn_rt60_s"] == 0.9


@pytest.mark.slow
def test_pressing_the_button_runs_the_test_through_pulseaudio_and_shows_the_echo():
    try:
        pulse = start_pulse()
    except PulseUnavailable as error:
        pytest.skip(f"PulseAudio could not start: {error}")
    try:
        add_room(pulse)
        for _take in range(2):  # PulseAudio's loopback now and then starts late under load: the sweep then does
            # not come back at all (found ~0 ms late, 30 dB and more down); one more take, on a settled loopback
            with loopback(pulse, 40, -12.0):
                env = {**pulse.env, "QT_QPA_PLATFORM": "offscreen"}
                done = subprocess.run([sys.executable, "-c", textwrap.dedent(_PANEL)], env=env, cwd=ROOT,
                                      capture_output=True, text=True, timeout=30)
            if done.returncode != 0 or not done.stdout.strip():
                break
            seen = json.loads(done.stdout.strip().splitlines()[-1])
            if (seen.get("details") or {}).get("return_loss_db", 99) < 25:
                break
    finally:
        pulse.close()
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["status"] == "warn", seen
    assert seen["enabled_while_running"] is False and seen["enabled"] is True
    assert say("mic.echo.progress") in seen["messages"]
    assert seen["details"]["return_loss_db"] == pytest.approx(12, abs=3)
    assert seen["series"] == 1
    assert seen["message"].startswith(seen["summary"])
    assert "use headphones, or turn the speakers down" in seen["message"].lower()
