"""``mic.echo``: will the interviewer hear themselves? A short sweep through the speakers, listened for.

It plays a sound, so it runs only when asked (the ``play`` setting: ``check --echo``, the window's "Test for echo");
otherwise it is skipped. It runs after the other microphone checks (their recording must not hold the sweep).
The measurement is checks/analysis/echo.py; playing while recording is checks/sources/echo.py.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from checks.analysis.echo import EchoMeasurement, log_sweep, measure_echo
from checks.api import NOT_ASKED, Check, CheckContext, CheckResult, Finding, Series, Status
from checks.engine.thresholds import Thresholds
from checks.sources import SourceError
from checks.sources.echo import active_handsfree, play_and_record
from checks.text.figures import figure
from checks.text.untrusted import clean_error
from checks.text.wording import say

PLOT_STEP_S = 0.002
"""The impulse response is plotted as its energy in blocks this long, in dB below its peak."""
PLOT_FLOOR_DB = -80.0


def asked(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Threshold overrides (a profile's, or none) with the echo test asked for: it may play its sound."""
    out = dict(overrides or {})
    out["mic.echo"] = {**out.get("mic.echo", {}), "play": True}
    return out


def echo_verdict(found: EchoMeasurement, limits: Mapping[str, Any]) -> tuple[Status, list[str]]:
    """PASS, or WARN with the findings' wording keys: "strong" (a loud return), "room" (a long decay)."""
    if not found.returned:
        return Status.PASS, []
    keys = []
    if found.return_loss_db < float(limits["warn_return_loss_db"]):
        keys.append("strong")
    if found.rt60_s is not None and found.rt60_s >= float(limits["warn_rt60_s"]):
        keys.append("room")
    return (Status.WARN if keys else Status.PASS), keys


def response_series(found: EchoMeasurement) -> Series:
    """The impulse response as a plot: its energy in 2 ms blocks, dB below the peak, against milliseconds."""
    rate = found.samplerate
    block = max(1, round(PLOT_STEP_S * rate))
    blocks = len(found.response) // block
    energy = np.square(found.response[: blocks * block], dtype=np.float64).reshape(blocks, block).mean(axis=1)
    top = float(energy.max()) if blocks else 0.0
    start_ms = found.response_start_ms
    points = []
    for i, e in enumerate(energy):
        level = 10 * math.log10(e / top) if e > 0 and top > 0 else PLOT_FLOOR_DB
        points.append((start_ms + 1000.0 * i * block / rate, max(PLOT_FLOOR_DB, level)))
    return Series(say("plot.impulse"), "ms", "dB", tuple(points))


def handsfree_advice(samplerate: int, headsets: list[tuple[str, str]]) -> list[str]:
    """Advice naming a Bluetooth headset in hands-free mode: by its profile where the OS tells, else by the rate."""
    if headsets:
        return [say("mic.echo.handsfree", name=name, profile=profile) for name, profile in headsets]
    limit = int(Thresholds().for_check("mic.device")["low_samplerate_hz"])
    return [say("mic.echo.low_rate", rate=samplerate)] if samplerate <= limit else []


class MicEcho(Check):
    id = "mic.echo"
    verdicts = frozenset({Status.WARN, Status.FAIL})
    category = "mic"
    requires = frozenset({"mic"})
    order = 900  # after the checks that share the recording

    def run(self, context: CheckContext) -> CheckResult:
        limits = context.thresholds
        if not limits.get("play", False):
            return self.worded(Finding(Status.SKIP, NOT_ASKED), details={"reason": NOT_ASKED})
        mic = context.mic
        assert mic is not None
        if mic.is_file:
            return self.worded(Finding(Status.SKIP, "file"), details={"reason": "file"})
        rate = mic.samplerate
        try:
            sweep = log_sweep(float(limits["sweep_s"]), rate, level_dbfs=float(limits["sweep_dbfs"]))
        except ValueError as error:
            return self.worded(Finding(Status.SKIP, "rate", {"rate": rate}), details={"reason": "rate",
                                                                                "error": clean_error(error)})
        context.progress(0.1, say("mic.echo.progress"))
        try:
            heard = play_and_record(mic, sweep, tail_s=float(limits["tail_s"]), cancel=context.cancel_event)
        except SourceError as error:
            context.raise_if_cancelled()  # a sound cut short by a cancel is no failure
            return self.worded(Finding(Status.FAIL, error.key, error.fields), under="sources",
                               details={"reason": error.key})
        context.raise_if_cancelled()
        context.progress(0.9, say("mic.echo.progress"))
        try:
            found = measure_echo(sweep, heard.samples, rate, detect_db=float(limits["detect_db"]),
                                 tail_s=float(limits["tail_s"]))
        except ValueError as error:
            return self.worded(Finding(Status.FAIL, "unusable"), details={"reason": "unusable",
                                                                          "error": clean_error(error)})
        status, keys = echo_verdict(found, limits)
        extra = handsfree_advice(rate, active_handsfree())
        details: dict[str, Any] = {"speakers": heard.speakers, "samplerate": rate, "timing": heard.timing,
                                   "returned": found.returned,
                                   "peak_to_noise_db": min(found.peak_to_noise_db, 200.0)}
        if extra:
            details["handsfree"] = True
        if not found.returned:
            loss = found.return_loss_db
            if math.isfinite(loss):
                details["return_loss_at_least_db"] = loss
            return self.worded(Finding(Status.PASS, "none"), more_advice=extra, details=details)
        assert found.delay_ms is not None
        details.update(return_loss_db=found.return_loss_db, delay_ms=found.delay_ms,
                       decay_range_db=found.decay_range_db)
        if found.rt60_s is not None:
            details.update(rt60_s=found.rt60_s, rt60_method=found.rt60_method)
        if found.direct_to_reverberant_db is not None:
            details["direct_to_reverberant_db"] = found.direct_to_reverberant_db
        # the delay stays in the details: the speakers' and microphone's own timing, which places it, can be off by
        # tens of milliseconds on a busy sound server, and how much comes back is what the candidate needs to know
        fields = {"loss": figure(found.return_loss_db, "dB"), "rt60": figure(found.rt60_s or 0.0, "s")}
        first, *also = [Finding(status, key, fields) for key in keys or ["faint"]]
        return self.worded(first, also=also, more_advice=extra, value=found.return_loss_db, unit="dB",
                           details=details, series=[response_series(found)])
