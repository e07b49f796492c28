"""Shared test set-up: Qt offscreen, the repo's paths, and helpers to run the command line."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "assets" / "demo"


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``interview-ready ARGS`` in a subprocess, as a user would."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout, cwd=ROOT)


@pytest.fixture
def cli():
    return run_cli


def pytest_addoption(parser):
    parser.addoption("--bundle", metavar="DIR", default=None,
                     help="run the smoke tests marked 'bundle' on the app ./build made in DIR (dist/interview-ready)")


# Files whose tests time real sound, transfers through the shaped lab link or the interview guardian's probes: a
# busy process beside them would shift what they measure. Each file times either an echo through a PulseAudio server
# of its own ("echo"), other sound through one ("sound"), transfers in the network lab's namespaces ("lab") or the
# guardian's probes there ("guardian"). ./test runs the echo tests first, alone (beside other work a loopback's
# echo came back 6 dB fainter or 20 ms late, and beside the lab's start a direct path once read a 6 s decay); then
# the lab's and the guardian's tests in two lanes in real time (once collected), which keeps the rest of the suite from
# slowing what they time, the guardian's lane above the lab's: it needs little of the processor, but on time; and
# the other sound tests in real time below the lab, beside the rest.
# Two transfer tests at once, each in its own namespaces, still moved each other (a cable's round trip read 3 to 4 %
# long): on two cores, one's transfer at 40 Mbit/s leaves the other too little.
REALTIME = {"test_echo_live.py": "echo", "test_echo_test_panel.py": "echo", "test_guard_mic.py": "sound",
            "test_mic_live.py": "sound", "test_mic_gate_live.py": "sound", "test_playback.py": "sound",
            "test_list_devices.py": "sound", "test_guard_live.py": "guardian", "test_network_live.py": "lab",
            "test_network_faults.py": "lab", "test_nq_live.py": "lab", "test_network_delay.py": "lab"}


def pytest_collection_finish(session):
    """A lane of ./test runs its tests in real time (round robin at the priority in ``IR_TEST_REALTIME``), once they
    are collected: collecting imports every test module, seconds of processor that, in real time in three lanes at
    once, kept the rest of the suite from the processor for seconds (measured).
    The tests' processes and servers inherit it. Where it is not allowed (not root), the lane runs as it is."""
    priority = os.environ.get("IR_TEST_REALTIME")
    if priority and hasattr(os, "sched_setscheduler"):
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, os.SCHED_RR, os.sched_param(int(priority)))


def pytest_configure(config):
    config.addinivalue_line("markers", "bundle: a smoke test of the built app; runs only with --bundle DIR")
    config.addinivalue_line("markers", "echo: a realtime test of an echo through a PulseAudio server of its own")
    config.addinivalue_line("markers", "sound: a realtime test through a PulseAudio server of its own")
    config.addinivalue_line("markers", "lab: a realtime test of transfers in the network lab's namespaces")
    config.addinivalue_line("markers", "guardian: a realtime test of the guardian's probes in the network lab")
    config.addinivalue_line("markers", "machine: changes what every check on the machine sees (processes named like "
                            "chat apps, a busy app): ./test runs these alone, after the others")


@pytest.hookimpl(tryfirst=True)  # before -m selects by these marks
def pytest_collection_modifyitems(config, items):
    """Tests in the REALTIME files are marked ``realtime`` and ``echo``, ``sound``, ``lab`` or
    ``guardian``; tests that start
    processes named like chat apps (``fake_apps``), ``machine``. Without --bundle, the
    smoke tests of the built app are left out (./build has not run)."""
    for item in items:
        if "fake_apps" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.machine)
        if item.path.name in REALTIME:
            item.add_marker(pytest.mark.realtime)
            item.add_marker(getattr(pytest.mark, REALTIME[item.path.name]))
    if config.getoption("--bundle"):
        return
    left_out = [item for item in items if item.get_closest_marker("bundle")]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not item.get_closest_marker("bundle")]
