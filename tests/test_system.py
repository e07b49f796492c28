"""system.power and system.cpu: the decisions on known inputs, and the real checks on this machine."""

from __future__ import annotations

import subprocess
import sys

import pytest

from checks.api import Status
from checks.builtin.system import assess_battery, assess_cpu
from checks.engine.discovery import discover
from checks.engine.runner import Runner
from checks.engine.thresholds import Thresholds

POWER = Thresholds().for_check("system.power")
CPU = Thresholds().for_check("system.cpu")


@pytest.mark.parametrize(("percent", "plugged", "seconds", "status", "key"), [
    (None, None, None, Status.PASS, "no_battery"),
    (5, True, None, Status.PASS, "charging"),
    (90, False, 5 * 3600, Status.PASS, "on_battery"),
    (90, False, None, Status.PASS, "on_battery"),
    (90, False, 30 * 60, Status.WARN, "low"),  # plenty of percent, but little time left
    (30, False, 3 * 3600, Status.WARN, "low"),
    (14, False, 3 * 3600, Status.FAIL, "critical"),
    (50, False, -1, Status.PASS, "on_battery"),  # psutil's "unknown"
])
def test_battery_decisions(percent, plugged, seconds, status, key):
    finding = assess_battery(percent, plugged, seconds, POWER)
    assert (finding.status, finding.key) == (status, key)


def test_lower_battery_is_never_better():
    rank = {Status.PASS: 0, Status.WARN: 1, Status.FAIL: 2}
    levels = [rank[assess_battery(p, False, None, POWER).status] for p in range(100, -1, -1)]
    assert levels == sorted(levels)


def test_cpu_decisions():
    assert assess_cpu([10, 20, 15, 12], [], CPU).status is Status.PASS
    assert assess_cpu([100, 99, 12, 100], [], CPU).status is Status.WARN  # one dip does not end sustained load
    busy = assess_cpu([95, 97, 99, 96], [("encoder", 60.0), ("browser", 30.0), ("idle", 1.0)], CPU)
    assert busy.status is Status.WARN and busy.key == "busy_named"
    assert busy.fields["apps"] == "encoder (60%), browser (30%)"
    assert assess_cpu([95, 97, 99, 96], [("many small", 5.0)], CPU).key == "busy"
    assert assess_cpu([], [], CPU).status is Status.PASS


def test_a_short_burst_is_not_sustained_load():
    assert assess_cpu([100, 100, 5, 5, 5, 5, 5, 5], [], CPU).status is Status.PASS


def test_power_check_runs_on_this_machine():
    [result] = Runner(discover("system.power")).run()
    assert result.status in (Status.PASS, Status.WARN, Status.FAIL)
    assert result.summary and result.title == "Power"


@pytest.mark.slow
@pytest.mark.machine  # every core busy for 8 s; and beside the rest of the suite its apps get under 10 % each
def test_cpu_check_warns_under_real_load_and_names_the_app():
    spin = "import time\nend = time.time() + 8\nwhile time.time() < end: pass\n"
    hogs = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(4)]
    try:
        [result] = Runner(discover("system.cpu")).run()
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    assert result.status is Status.WARN, result.summary
    assert result.value > CPU["warn_percent"]
    assert "python" in result.summary.lower() and result.advice
