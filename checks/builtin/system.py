"""``system.power`` (battery) and ``system.cpu`` (sustained load), with their decisions as pure functions."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from typing import Any

import psutil

from checks.api import Check, CheckContext, CheckResult, Finding, Status
from checks.text.figures import figure
from checks.text.wording import say


def assess_battery(percent: float | None, plugged: bool | None, seconds_left: float | None,
                   limits: Mapping[str, Any]) -> Finding:
    """Whether the battery lasts through an interview. ``percent`` None means there is no battery."""
    if percent is None:
        return Finding(Status.PASS, "no_battery")
    fields = {"percent": figure(percent, "%")}
    if plugged:
        return Finding(Status.PASS, "charging", fields)
    minutes = None if seconds_left is None or seconds_left < 0 else seconds_left / 60
    fields["minutes"] = round(minutes) if minutes is not None else "?"
    if percent < limits["fail_percent"]:
        return Finding(Status.FAIL, "critical", fields)
    if percent < limits["warn_percent"] or (minutes is not None and minutes < limits["min_minutes_left"]):
        return Finding(Status.WARN, "low", fields)
    return Finding(Status.PASS, "on_battery", fields)


def assess_cpu(samples: list[float], busiest: list[tuple[str, float]], limits: Mapping[str, Any]) -> Finding:
    """Whether the processor is busy for the whole sampling window (a short burst is fine)."""
    average = sum(samples) / len(samples) if samples else 0.0
    busy = sorted(samples)[len(samples) // 4] if samples else 0.0  # busy for three quarters of the window
    fields: dict[str, Any] = {"percent": figure(average, "%")}
    if busy < limits["warn_percent"]:
        return Finding(Status.PASS, "ok", fields)
    names = [f"{name} ({share:.0f}%)" for name, share in busiest if share >= limits["name_process_percent"]]
    if names:
        fields["apps"] = ", ".join(names)
        return Finding(Status.WARN, "busy_named", fields)
    return Finding(Status.WARN, "busy", fields)


def watch_processes() -> list[psutil.Process]:
    """Every other process, with its processor-time measurement started (read it with :func:`busiest_processes`)."""
    me = os.getpid()
    processes = []
    for proc in psutil.process_iter(["name"]):
        if proc.pid == me:
            continue
        try:
            proc.cpu_percent(None)  # the first call starts the process's measurement
            processes.append(proc)
        except psutil.Error:
            pass
    return processes


def busiest_processes(processes: list[psutil.Process]) -> list[tuple[str, float]]:
    """(name, share of the whole processor in %) since :func:`watch_processes`, busiest first."""
    cores = psutil.cpu_count() or 1
    busiest: list[tuple[str, float]] = []
    for proc in processes:
        with contextlib.suppress(psutil.Error):  # the process has ended
            busiest.append((proc.info["name"] or str(proc.pid), proc.cpu_percent(None) / cores))
    busiest.sort(key=lambda item: item[1], reverse=True)
    return busiest


class Power(Check):
    id = "system.power"
    verdicts = frozenset({Status.WARN, Status.FAIL})
    category = "system"

    def run(self, context: CheckContext) -> CheckResult:
        battery = psutil.sensors_battery() if hasattr(psutil, "sensors_battery") else None
        if battery is None:
            finding = assess_battery(None, None, None, context.thresholds)
        else:
            left = battery.secsleft if isinstance(battery.secsleft, (int, float)) else None
            finding = assess_battery(battery.percent, battery.power_plugged, left, context.thresholds)
        return self.worded(finding, value=None if battery is None else battery.percent,
                           unit="%" if battery is not None else "", details=finding.fields)


class Cpu(Check):
    id = "system.cpu"
    verdicts = frozenset({Status.WARN})
    category = "system"

    def run(self, context: CheckContext) -> CheckResult:
        limits = context.thresholds
        window = float(limits["sample_s"])
        step = float(limits["step_s"])
        processes = watch_processes()
        psutil.cpu_percent(None)
        samples: list[float] = []
        steps = max(1, round(window / step))
        for i in range(steps):
            context.sleep(step)
            samples.append(psutil.cpu_percent(None))
            context.progress((i + 1) / steps, say("system.cpu.progress"))
        cores = psutil.cpu_count() or 1
        busiest = busiest_processes(processes)
        finding = assess_cpu(samples, busiest[:3], limits)
        return self.worded(finding, value=sum(samples) / len(samples) if samples else 0.0, unit="%",
                           details={"cores": cores, "samples": len(samples),
                                    "busiest": ", ".join(n for n, _ in busiest[:3])})
