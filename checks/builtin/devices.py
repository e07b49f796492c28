"""``camera.device`` and ``mic.device``: the device opens, delivers data, and is named."""

from __future__ import annotations

from typing import Any

import numpy as np

from checks.analysis.audio import AudioAnalysis, channel_name, dead_channels
from checks.api import Check, CheckContext, CheckResult, Finding, Status
from checks.builtin.mic import _analysis, _recording, noise_gate
from checks.sources import SourceError
from checks.sources.camera import CameraSource
from checks.sources.mic import FileMic, MicSource
from checks.text.figures import figure
from checks.text.wording import say


class _DeviceCheck(Check):
    """A device check: reports why its device could not be opened, else inspects the opened source."""

    reports_source_errors = True
    order = 0
    device: str

    def run(self, context: CheckContext) -> CheckResult:
        error = context.source_errors.get(self.device)
        try:
            if error is None:
                return self.inspect(context, getattr(context, self.device))
        except SourceError as lost:  # the device went away while it was being read
            error = lost
        return self.worded(Finding(Status.FAIL, error.key, error.fields), under="sources",
                           details={"reason": error.key})

    def inspect(self, context: CheckContext, source: Any) -> CheckResult:
        raise NotImplementedError


class CameraDevice(_DeviceCheck):
    id = "camera.device"
    verdicts = frozenset({Status.FAIL})
    category = "camera"
    requires = frozenset({"camera"})
    device = "camera"
    root_cause_of = "camera"  # without a working camera, nothing of the picture can be judged

    def inspect(self, context: CheckContext, camera: CameraSource) -> CheckResult:
        frames = int(context.thresholds["sample_frames"])
        for i in range(frames):
            context.raise_if_cancelled()
            frame = camera.read()
            context.progress((i + 1) / frames, say("camera.device.progress"))
        height, width = frame.shape[:2]
        source = "file" if camera.is_file else "device"
        return self.worded(Finding(Status.PASS, "works", {"name": camera.name, "width": width, "height": height}),
                           details={"name": camera.name, "source": source, "width": width, "height": height})


class MicDevice(_DeviceCheck):
    id = "mic.device"
    verdicts = frozenset({Status.WARN, Status.FAIL})
    category = "mic"
    requires = frozenset({"mic"})
    device = "mic"
    root_cause_of = "mic"

    def inspect(self, context: CheckContext, mic: MicSource) -> CheckResult:
        limits = context.thresholds
        context.progress(0.0, say("mic.device.progress"))
        block = mic.read(float(limits["sample_s"]), context.cancel_event)
        context.raise_if_cancelled()
        details = {"name": mic.name, "source": "file" if mic.is_file else "device",
                   "samplerate": mic.samplerate, "channels": mic.channels}
        finite = block[np.isfinite(block)]
        damaged = block.size - finite.size
        if damaged:
            details["damaged_samples"] = damaged
        silent = finite.size == 0 or not np.any(finite)
        gated = False
        if silent and not damaged:  # silent so far: a noise gate silences the room until the candidate speaks
            analysis = _analysis(context)  # the take the sound checks share: quiet first, then a sentence
            if isinstance(analysis, AudioAnalysis):
                block = _recording(context).samples
                silent, gated = False, noise_gate(analysis, limits)
                details["noise_gate"] = gated
        if damaged and (silent or 100 * damaged / block.size >= float(limits["damaged_percent"])):
            return self.worded(Finding(Status.FAIL if silent else Status.WARN, "damaged",
                                       {"name": mic.name, "percent": f"{100 * damaged / block.size:.2g}"}),
                               details=details)
        if silent:
            return self.worded(Finding(Status.FAIL, "silent", {"name": mic.name}), details=details)
        if not mic.is_file and mic.samplerate <= int(limits["low_samplerate_hz"]):
            return self.worded(Finding(Status.WARN, "low_rate", {"name": mic.name, "rate": mic.samplerate}),
                               value=mic.samplerate, unit="Hz", details=details)
        khz = f"{mic.samplerate / 1000:g}"
        dead = dead_channels(block.reshape(len(block), -1))
        if dead and mic.channels == 2:
            live = channel_name(1 - dead[0])
            details["used_channel"] = live
            works = Finding(Status.PASS, "one_channel", {"name": mic.name, "khz": khz,
                                                         "live": say(f"mic.channel.{live}")})
        else:
            works = Finding(Status.PASS, "works", {"name": mic.name, "khz": khz,
                                                   "layout": channel_layout(mic.channels)})
        also = [Finding(Status.PASS, "gated")] if gated else []
        if isinstance(mic, FileMic) and mic.file_s is not None:  # a long file: the checks use only its start
            analysed = len(mic.data) / mic.samplerate
            details.update(file_s=mic.file_s, analysed_s=analysed)
            also.append(Finding(Status.PASS, "part", {"seconds": figure(analysed, "s"),
                                                      "minutes": f"{mic.file_s / 60:.0f}"}))
        return self.worded(works, also=also, details=details)


def channel_layout(channels: int) -> str:
    """How many channels, in words: mono, stereo, or "6 channels"."""
    if channels == 1:
        return say("mic.device.mono")
    return say("mic.device.stereo") if channels == 2 else say("mic.device.channels", n=channels)
