"""``mic.noise``, ``mic.level``, ``mic.snr``, ``mic.clipping``, ``mic.dropouts``: what the interviewer will hear.

The four checks share one recording per run (``context.memo("mic.recording")``): a file source is analysed
whole; a microphone is recorded for ``record_s`` seconds by whichever of them runs first. The analysis itself
(checks/analysis/audio.py) is also computed once. Decisions are small pure functions of the measured values.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from typing import Any

from checks.analysis.audio import (
    MIN_BACKGROUND_S,
    MIN_SECONDS,
    AudioAnalysis,
    AudioInputError,
    Clipping,
    analyse,
    channel_name,
    clipping,
)
from checks.api import Check, CheckContext, CheckResult, Finding, Guide, Lost, Series, Status
from checks.sources.recording import Recording, record
from checks.text.figures import figure
from checks.text.untrusted import clean_error
from checks.text.wording import say

LAST_SOUND = "mic.last_sound"
"""In the sound checks' shared space: the ``time.monotonic()`` when the recording's last block of sound came (when it
began, before the first)."""


def _recording(context: CheckContext) -> Recording:
    """This run's recording (made by the first check that asks); a microphone that stopped sending leaves what came
    before it (:attr:`Recording.stopped`)."""

    def make() -> Recording:
        mic = context.mic
        assert mic is not None
        seconds = float(context.thresholds["record_s"])
        message = say("mic.recording.file") if mic.is_file else say("mic.recording.live", seconds=f"{seconds:g}")
        context.progress(0.0, message)

        def arrived(fraction: float) -> None:  # after each block: when sound last came, to tell when it stopped
            context.shared[LAST_SOUND] = time.monotonic()
            context.progress(fraction, message)

        context.shared[LAST_SOUND] = time.monotonic()
        made = record(mic, seconds, cancel=context.cancel_event, keep_partial=True, progress=arrived)
        context.raise_if_cancelled()  # a cut-short recording is not kept for the other checks
        return made

    return context.memo("mic.recording", make)


def _analysis(context: CheckContext) -> AudioAnalysis | AudioInputError:
    recording = _recording(context)

    def make() -> AudioAnalysis | AudioInputError:
        try:
            found = analyse(recording.samples, recording.samplerate, quiet=recording.quiet)
            return dataclasses.replace(found, file_s=recording.file_s)
        except AudioInputError as error:
            return error

    return context.memo("mic.analysis", make)


def _cut_short(context: CheckContext, recording: Recording, judged: CheckResult | None = None) -> Lost:
    """One problem for all the sound checks: the microphone stopped sending during the recording, or the recording
    holds too little to judge. With ``judged`` (what came before the stop is enough to analyse) the loss is told once
    and the other checks are still judged on it; without, they are not checked because of it."""
    seconds = recording.seconds
    fields: dict[str, Any] = {"recorded": f"{seconds:.1f}" if seconds >= 0.1 or not seconds else f"{seconds:.5f}"}
    details: dict[str, Any] = {"recording_s": round(seconds, 2)}
    if recording.stopped is None:
        return Lost("mic", "mic_too_short", need=f"{MIN_SECONDS:g}", details=details, **fields)
    return Lost("mic", "mic", spoils=judged is None, measured=judged, at=context.shared.get(LAST_SOUND),
                details={**details, "source": recording.stopped.key}, **fields)


def _details(analysis: AudioAnalysis) -> dict[str, Any]:
    details: dict[str, Any] = {
        "recording_s": analysis.seconds,
        "samplerate": analysis.samplerate,
        "speech_s": analysis.speech_s,
        "background_s": analysis.noise_s,
        "background_from": analysis.noise_from,
    }
    if analysis.file_s is not None:  # a long file: only its start was analysed
        details["file_s"] = analysis.file_s
    if analysis.dead:
        details["used_channel"] = ", ".join(channel_name(c) for c in analysis.used)
        details["silent_channel"] = ", ".join(channel_name(c) for c in analysis.dead)
    if analysis.dc_offset >= 0.001:
        details["dc_offset"] = round(analysis.dc_offset, 4)
    if analysis.damaged:
        details["damaged_samples"] = analysis.damaged
    if analysis.gaps_s:
        details["dropouts_s"] = analysis.gaps_s
    return details


def noise_gate(analysis: AudioAnalysis, limits: Mapping[str, Any]) -> bool:
    """Whether the microphone silences the room between words (a noise gate, or noise suppression such as Krisp or
    a headset's): speech was found, and at least ``gate_silent_percent`` of the quiet time is exact digital
    silence. Such a microphone works: the interviewer hears the voice and nothing of the room."""
    return analysis.speech_dbfs is not None and 100.0 * analysis.quiet_silent >= float(limits["gate_silent_percent"])


def _room_heard(analysis: AudioAnalysis) -> bool:
    """Whether the room could be measured behind a noise gate: in pauses while the gate stayed open, long enough."""
    return analysis.noise_from != "quietest" and analysis.noise_s >= MIN_BACKGROUND_S - 1e-9


class _MicSoundCheck(Check):
    """A check on the shared recording's analysis; recording failures become results here."""

    category = "mic"
    requires = frozenset({"mic"})

    def run(self, context: CheckContext) -> CheckResult:
        analysis = _analysis(context)
        recording = _recording(context)
        if isinstance(analysis, AudioInputError):
            if recording.stopped is not None or analysis.reason in ("empty", "too_short"):
                raise _cut_short(context, recording)  # nothing any sound check can judge: one problem
            if analysis.reason == "silent":
                return self.worded(Finding(Status.SKIP, "silent"), under="mic.recording", details={"reason": "silent"})
            return self.worded(Finding(Status.FAIL, "unusable"), under="mic.recording",
                               details={"reason": analysis.reason, "error": clean_error(analysis)})
        judged = self.judge(analysis, context)
        if recording.stopped is not None:  # judged on the good seconds before the microphone went away
            raise _cut_short(context, recording, judged)
        return judged

    def judge(self, analysis: AudioAnalysis, context: CheckContext) -> CheckResult:
        raise NotImplementedError


# -- background noise ---------------------------------------------------------------------------------------------


def _at_or_above(value: float, warn: Any, fail: Any) -> Status:
    """FAIL at or above ``fail``, WARN at or above ``warn``, else PASS."""
    if value >= float(fail):
        return Status.FAIL
    return Status.WARN if value >= float(warn) else Status.PASS


def noise_verdict(noise_dbfs: float, kind: str, limits: Mapping[str, Any]) -> Finding:
    """The status and wording key for the background's level and its kind of noise (``hum``, ``rumble``, else a
    steady rushing, ``broadband``): a quiet room is ``quiet`` whatever its kind."""
    status = _at_or_above(noise_dbfs, limits["warn_dbfs"], limits["fail_dbfs"])
    if status is Status.PASS:
        return Finding(status, "quiet")
    return Finding(status, kind if kind in ("hum", "rumble") else "broadband")


class MicNoise(_MicSoundCheck):
    id = "mic.noise"
    verdicts = frozenset({Status.WARN, Status.FAIL})

    def judge(self, analysis: AudioAnalysis, context: CheckContext) -> CheckResult:
        gated = noise_gate(analysis, context.thresholds)
        if gated and not _room_heard(analysis):  # the room is silenced wherever the candidate is quiet
            return self.worded(Finding(Status.PASS, "gated"), details={**_details(analysis), "noise_gate": True})
        finding = noise_verdict(analysis.noise_dbfs, analysis.noise.kind, context.thresholds)
        details = {**_details(analysis), "kind": analysis.noise.kind,
                   "hum_share": round(analysis.noise.hum_share, 3)}
        if gated:  # measured in the pauses between words, while the gate stayed open
            details["noise_gate"] = True
        if analysis.noise.hum_hz is not None:
            details["hum_hz"] = analysis.noise.hum_hz
        hz = f"{analysis.noise.hum_hz:g}" if analysis.noise.hum_hz else ""
        return self.worded(finding, summary_fields={"level": figure(analysis.noise_dbfs, "dBFS"), "hz": hz},
                           value=analysis.noise_dbfs, unit="dBFS", details=details)


# -- speech level -------------------------------------------------------------------------------------------------


def level_verdict(speech_dbfs: float | None, limits: Mapping[str, Any]) -> Finding:
    """The status and wording key for an active speech level (None: no speech found)."""
    if speech_dbfs is None:
        return Finding(Status.FAIL, "none")
    if speech_dbfs < float(limits["fail_quiet_dbfs"]):
        return Finding(Status.FAIL, "quiet")
    if speech_dbfs < float(limits["warn_quiet_dbfs"]):
        return Finding(Status.WARN, "quiet")
    if speech_dbfs > float(limits["warn_loud_dbfs"]):
        return Finding(Status.WARN, "loud")
    return Finding(Status.PASS, "good")


class MicLevel(_MicSoundCheck):
    id = "mic.level"
    verdicts = frozenset({Status.WARN, Status.FAIL})

    def judge(self, analysis: AudioAnalysis, context: CheckContext) -> CheckResult:
        finding = level_verdict(analysis.speech_dbfs, context.thresholds)
        level = analysis.speech_dbfs
        limits = context.thresholds
        trace = Series(say("plot.sound"), "s", "dBFS", analysis.trace, (
            Guide(float(limits["warn_quiet_dbfs"]), say("plot.too_quiet")),
            Guide(float(limits["warn_loud_dbfs"]), say("plot.too_loud"))))
        return self.worded(finding, summary_fields={"level": figure(level or 0.0, "dBFS")}, value=level, unit="dBFS",
                           details=_details(analysis), series=[trace] if analysis.trace else [])


# -- voice over background ------------------------------------------------------------------------------------------


def snr_verdict(snr_db: float, limits: Mapping[str, Any]) -> Finding:
    if snr_db < float(limits["fail_db"]):
        return Finding(Status.FAIL, "bad")
    if snr_db < float(limits["warn_db"]):
        return Finding(Status.WARN, "low")
    return Finding(Status.PASS, "good")


class MicSnr(_MicSoundCheck):
    id = "mic.snr"
    verdicts = frozenset({Status.WARN, Status.FAIL})

    def judge(self, analysis: AudioAnalysis, context: CheckContext) -> CheckResult:
        details = _details(analysis)
        if analysis.snr_db is None:
            return self.worded(Finding(Status.SKIP, "no_speech"), details=details)
        if noise_gate(analysis, context.thresholds) and not _room_heard(analysis):
            return self.worded(Finding(Status.SKIP, "gated"), details={**details, "noise_gate": True})
        finding = snr_verdict(analysis.snr_db, context.thresholds)
        details.update(speech_dbfs=analysis.speech_dbfs or 0.0, noise_dbfs=analysis.noise_dbfs)
        return self.worded(finding, summary_fields={"snr": figure(analysis.snr_db, "dB")}, value=analysis.snr_db,
                           unit="dB", details=details)


# -- clipping -------------------------------------------------------------------------------------------------------


def clipping_verdict(found: Clipping, limits: Mapping[str, Any]) -> Finding:
    """The status and wording key for the share of the sound that hits the top of the range."""
    status = _at_or_above(100.0 * found.share, limits["warn_percent"], limits["fail_percent"])
    return Finding(status, "clean" if status is Status.PASS else "clipped")


class MicClipping(_MicSoundCheck):
    id = "mic.clipping"
    verdicts = frozenset({Status.WARN, Status.FAIL})

    def judge(self, analysis: AudioAnalysis, context: CheckContext) -> CheckResult:
        recording = _recording(context)
        assert isinstance(recording, Recording)  # the analysis exists, so the recording does
        limits = context.thresholds
        found = clipping(recording.samples, level=float(limits["level"]), min_run=int(limits["min_run"]))
        finding = clipping_verdict(found, limits)
        percent = 100.0 * found.share
        details = {**_details(analysis), "runs": found.runs, "longest_run": found.longest,
                   "peak_dbfs": found.peak_dbfs}
        fields = {"peak": figure(found.peak_dbfs, "dBFS"), "percent": figure(percent, "%"), "runs": found.runs}
        return self.worded(finding, summary_fields=fields, value=percent, unit="%", details=details)


# -- dropouts -------------------------------------------------------------------------------------------------------


class MicDropouts(_MicSoundCheck):
    """The sound cutting out mid-recording: a Bluetooth headset losing its link, a busy USB port, a driver."""

    id = "mic.dropouts"
    verdicts = frozenset({Status.WARN, Status.FAIL})

    def judge(self, analysis: AudioAnalysis, context: CheckContext) -> CheckResult:
        recording = _recording(context)
        assert isinstance(recording, Recording)
        if recording.is_file:  # a file's digital silence may be edited in: only a live take is judged
            return self.worded(Finding(Status.SKIP, "file"), details=_details(analysis))
        limits = context.thresholds
        gated = noise_gate(analysis, limits)
        found = analysis.speech_dropouts if gated else analysis.dropouts  # a gate's silences are not the sound lost
        status = _at_or_above(found.count, limits["warn_count"], limits["fail_count"])
        details = {**_details(analysis), "longest_s": found.longest_s, "total_s": found.total_s}
        if gated:
            details["noise_gate"] = True
        finding = Finding(Status.PASS, "none") if status is Status.PASS else Finding(
            status, "some", {"n": found.count, "seconds": figure(found.total_s, "s"),
                             "longest": figure(found.longest_s, "s")})
        return self.worded(finding, value=found.count, unit=say("mic.dropouts.unit"), details=details)
