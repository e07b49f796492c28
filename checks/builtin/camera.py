"""The camera checks: what the interviewer will see. Decisions are pure functions of a frame analysis.

All camera checks share one capture of a couple of seconds (``context.memo``): the frame rate, repeated frames and
movement behind the person are measured over all of it, the picture is judged on its last frame, when the camera's
automatic exposure has settled.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from checks.analysis.camera import (
    Delivery,
    FrameAnalysis,
    Motion,
    analyse_frame,
    change_sample,
    delivery,
    frame_change,
    motion,
    motion_frame,
    snapshot,
)
from checks.analysis.faces import default_detector
from checks.api import Check, CheckContext, CheckResult, Finding, Lost, Picture, Status
from checks.engine.thresholds import Thresholds
from checks.report.harm import most_harmful
from checks.sources import SourceError
from checks.sources.camera import CameraSource
from checks.text.figures import figure, figure_value
from checks.text.untrusted import clean_error
from checks.text.wording import say

CAPTURE_SECONDS = 2.0  # how long a live camera is watched
FILE_FRAMES = 30  # how many frames of a video file stand for those seconds


@dataclass(frozen=True)
class Capture:
    """A couple of seconds of camera output: per-frame statistics and the last frame's analysis."""

    means: tuple[float, ...]  # each frame's mean brightness
    changes: tuple[float, ...]  # each frame's mean absolute change from the one before
    seconds: float
    analysis: FrameAnalysis
    still: bool  # a picture file: no frame rate to measure
    frame: np.ndarray | None = None
    """The judged frame, kept (in memory) only when the user opted in to a snapshot in the report."""
    small: tuple[np.ndarray, ...] = ()
    """Each frame as a small grey copy (:func:`motion_frame`), in memory only, to see movement behind the person."""

    def delivery(self, limits: Mapping[str, Any]) -> Delivery:
        return delivery(self.means, self.changes, self.seconds, limits["black_luma"], limits["frozen_change"])

    def motion(self, limits: Mapping[str, Any]) -> Motion:
        return motion(self.small, self.analysis.face, limits["level"], limits["min_area_percent"])


def capture(context: CheckContext) -> Capture:
    """Watch the camera (once per run: the camera checks share the result)."""

    def take() -> Capture:
        camera: CameraSource = context.camera  # type: ignore[assignment]
        still = camera.is_still
        means: list[float] = []
        changes: list[float] = []
        small: list[np.ndarray] = []
        previous: np.ndarray | None = None
        frame = camera.read()
        started = time.monotonic()
        limit = 1 if still else (FILE_FRAMES if camera.is_file else 10_000)
        while True:
            context.raise_if_cancelled()
            small.append(motion_frame(frame))
            means.append(float(small[-1].mean()))
            sample = change_sample(frame)
            if previous is not None:
                changes.append(frame_change(previous, sample))
            previous = sample
            elapsed = time.monotonic() - started
            context.progress(min(1.0, len(means) / limit if camera.is_file else elapsed / CAPTURE_SECONDS),
                             say("camera.capture.progress"))
            if len(means) >= limit or (not camera.is_file and elapsed >= CAPTURE_SECONDS):
                break
            frame = camera.read()
        seconds = len(means) / camera.fps if camera.is_file and camera.fps > 0 else time.monotonic() - started
        kept = frame.copy() if context.picture_allowed else None
        return Capture(tuple(means), tuple(changes), seconds, analyse_frame(frame, default_detector()), still, kept,
                       tuple(small))

    return context.memo("camera.capture", take)


# -- decisions (pure) ----------------------------------------------------------------------------------


def judge_resolution(width: int, height: int, result: Delivery, still: bool, limits: Mapping[str, Any]) -> Finding:
    fields = {"width": width, "height": height, "fps": figure(result.fps, "fps")}
    if result.black_share > limits["black_share"]:
        return Finding(Status.FAIL, "black", fields)
    if not still and result.frames > 2 and result.frozen_share > limits["frozen_share"]:
        return Finding(Status.FAIL, "frozen", fields)
    if width * height <= limits["fail_width"] * limits["fail_height"]:
        return Finding(Status.FAIL, "tiny", fields)
    if not still and result.fps < limits["fail_fps"]:
        return Finding(Status.FAIL, "very_slow", fields)
    if width * height < limits["warn_width"] * limits["warn_height"]:
        return Finding(Status.WARN, "low", fields)
    if not still and result.fps < limits["warn_fps"]:
        return Finding(Status.WARN, "slow", fields)
    return Finding(Status.PASS, "still_ok" if still else "ok", fields)


def judge_exposure(a: FrameAnalysis, limits: Mapping[str, Any]) -> Finding:
    e = a.exposure
    fields = {"luma": figure(e.face_luma, ""),
              "where": say("camera.where.face" if e.on_face else "camera.where.centre")}
    if e.face_luma < limits["fail_dark"]:
        return Finding(Status.FAIL, "too_dark", fields)
    if e.clipped_share > limits["fail_clipped_share"]:
        return Finding(Status.FAIL, "overexposed", fields)
    if e.face_luma < limits["warn_dark"]:
        return Finding(Status.WARN, "dark", fields)
    if e.clipped_share > limits["warn_clipped_share"] or e.face_luma > limits["warn_bright"]:
        return Finding(Status.WARN, "bright", fields)
    if e.contrast < limits["warn_contrast"]:
        return Finding(Status.WARN, "flat", fields)
    return Finding(Status.PASS, "ok", fields)


def judge_backlight(a: FrameAnalysis, limits: Mapping[str, Any]) -> Finding:
    b = a.backlight
    fields = {"face": round(b.face_luma), "background": round(b.background_luma)}
    if b.difference >= limits["fail_difference"]:
        return Finding(Status.FAIL, "silhouette", fields)
    if b.difference >= limits["warn_difference"] or (
            b.bright_share >= limits["warn_bright_share"] and b.difference >= limits["window_difference"]):
        return Finding(Status.WARN, "window", fields)
    return Finding(Status.PASS, "ok", fields)


def judge_framing(a: FrameAnalysis, limits: Mapping[str, Any]) -> Finding:
    """The most important framing rule that fails (one at a time, as the live hint shows it)."""
    f = a.framing
    if f.faces == 0:
        return Finding(Status.FAIL, "no_face")
    if f.faces > 1:
        return Finding(Status.WARN, "several", {"n": f.faces})
    if f.face_height > limits["too_close_height"]:
        return Finding(Status.WARN, "too_close")
    if f.face_height < limits["too_far_height"]:
        return Finding(Status.WARN, "too_far")
    if f.head_top < limits["min_head_top"]:
        return Finding(Status.WARN, "head_cut")
    if f.eye_line > limits["max_eye_line"]:
        return Finding(Status.WARN, "too_low")
    if f.offset_x < -limits["max_offset"]:
        return Finding(Status.WARN, "move_left")
    if f.offset_x > limits["max_offset"]:
        return Finding(Status.WARN, "move_right")
    return Finding(Status.PASS, "ok")


def judge_sharpness(a: FrameAnalysis, limits: Mapping[str, Any]) -> Finding:
    fields = {"score": figure(a.sharpness, "")}
    if a.sharpness < limits["fail_score"]:
        return Finding(Status.FAIL, "blurred", fields)
    if a.sharpness < limits["warn_score"]:
        return Finding(Status.WARN, "soft", fields)
    return Finding(Status.PASS, "ok", fields)


def judge_clutter(a: FrameAnalysis, limits: Mapping[str, Any]) -> Finding:
    c = a.clutter
    fields = {"score": figure(c.score, ""), "percent": round(c.edges, 1), "disorder": round(c.disorder, 2)}
    if c.score >= limits["warn_score"]:
        return Finding(Status.WARN, "busy", fields)
    return Finding(Status.PASS, "ok", fields)


def judge_side_light(a: FrameAnalysis, limits: Mapping[str, Any]) -> Finding:
    s = a.side_light
    if not s.on_face:
        return Finding(Status.SKIP, "no_face")
    fields = {"percent": figure(100 * s.ratio, "%"), "side": say(f"camera.side.{s.dark_side}")}
    if s.ratio < limits["warn_ratio"]:
        return Finding(Status.WARN, "one_side", fields)
    return Finding(Status.PASS, "ok", fields)


def judge_colour(a: FrameAnalysis, limits: Mapping[str, Any]) -> Finding:
    c = a.colour
    fields = {"cast": figure(c.cast, ""), "tint": say(f"camera.tint.{c.tint}")}
    if c.cast >= limits["warn_cast"]:
        return Finding(Status.WARN, "cast", fields)
    return Finding(Status.PASS, "ok", fields)


def judge_motion(m: Motion, still: bool, limits: Mapping[str, Any]) -> Finding:
    fields = {"percent": figure(100 * m.moving_share, "%"), "area": round(m.largest, 1)}
    if still or m.pairs < limits["min_pairs"]:
        return Finding(Status.SKIP, "still", fields)
    if m.moving_share >= limits["warn_share"]:
        return Finding(Status.WARN, "moving", fields)
    return Finding(Status.PASS, "ok", fields)


LIVE_JUDGES = (("camera.framing", judge_framing), ("camera.exposure", judge_exposure),
               ("camera.backlight", judge_backlight), ("camera.side_light", judge_side_light),
               ("camera.colour", judge_colour), ("camera.sharpness", judge_sharpness),
               ("camera.motion", None), ("camera.clutter", judge_clutter))
"""The camera checks the live preview judges on every analysed frame (movement behind you on the last few analysed
frames, the rest on one)."""


def live_hint(a: FrameAnalysis, thresholds: Thresholds, moving: Motion | None = None) -> tuple[str, Finding]:
    """The one thing to say about a live frame: of the camera checks that need attention, the most harmful finding
    (:mod:`checks.report.harm`, the order of fixes the report and the step card use, so the coach and the card agree).

    ``moving`` is the movement over the last few analysed frames (none: not judged).
    """
    found: list[tuple[str, Finding]] = []
    for check_id, judge in LIVE_JUDGES:
        limits = thresholds.for_check(check_id)
        if judge is None:
            if moving is None:
                continue
            found.append((check_id, judge_motion(moving, False, limits)))
        else:
            found.append((check_id, judge(a, limits)))
    first = most_harmful([(check_id, finding.key, finding.status) for check_id, finding in found])
    return found[first] if first is not None else ("camera.framing", Finding(Status.PASS, "ok"))


class LiveMotion:
    """Movement behind the person in the live preview: over the last few analysed frames (frames in memory only)."""

    def __init__(self, frames: int = 10) -> None:
        self.recent: deque[np.ndarray] = deque(maxlen=frames)

    def update(self, frame: np.ndarray, analysis: FrameAnalysis, thresholds: Thresholds) -> Motion:
        """Add the newest analysed frame and measure the movement over the recent ones."""
        self.recent.append(motion_frame(frame))
        limits = thresholds.for_check("camera.motion")
        return motion(tuple(self.recent), analysis.face, limits["level"], limits["min_area_percent"])


def hint_text(check_id: str, finding: Finding) -> str:
    """The short line the preview shows for a finding."""
    try:
        return say(f"{check_id}.{finding.key}.hint", **finding.fields)
    except KeyError:
        return say(f"{check_id}.{finding.key}.summary", **finding.fields)


# -- the checks ----------------------------------------------------------------------------------------


class _CameraCheck(Check):
    category = "camera"
    requires = frozenset({"camera"})

    def run(self, context: CheckContext) -> CheckResult:
        try:
            shot = capture(context)
        except SourceError as error:  # the camera stopped sending pictures after it had worked: one problem
            raise Lost("camera", "camera", details={"source": error.key}) from None
        except ValueError as error:  # a picture the analysis cannot judge (too small, a strange format)
            return self.worded(Finding(Status.FAIL, "bad_frame"), under="camera",
                               details={"reason": "camera.bad_frame", "error": clean_error(error)})
        finding, value, unit = self.judge(shot, context.thresholds)
        details: dict[str, Any] = {k: v for k, v in finding.fields.items() if isinstance(v, (int, float))}
        details.update({k: n for k, v in finding.fields.items() if (n := figure_value(v)) is not None})
        face = shot.analysis.face
        if face is not None:
            details.update(face.to_dict())
        details["faces"] = len(shot.analysis.faces)
        return self.worded(finding, value=value, unit=unit, details=details, picture=self.picture(shot, context))

    def picture(self, shot: Capture, context: CheckContext) -> Picture | None:
        """The snapshot this check shows (only :class:`Framing` shows one, and only with the user's opt-in)."""
        return None

    def judge(self, shot: Capture, limits: Mapping[str, Any]) -> tuple[Finding, float | None, str]:
        raise NotImplementedError


class Resolution(_CameraCheck):
    order = 10
    id = "camera.resolution"
    verdicts = frozenset({Status.WARN, Status.FAIL})

    def judge(self, shot, limits):
        a, delivered = shot.analysis, shot.delivery(limits)
        finding = judge_resolution(a.width, a.height, delivered, shot.still, limits)
        return finding, (None if shot.still else delivered.fps), ("" if shot.still else "fps")


class Exposure(_CameraCheck):
    order = 30
    id = "camera.exposure"
    verdicts = frozenset({Status.WARN, Status.FAIL})

    def judge(self, shot, limits):
        return judge_exposure(shot.analysis, limits), shot.analysis.exposure.face_luma, say("camera.exposure.unit")


class Backlight(_CameraCheck):
    order = 40
    id = "camera.backlight"
    verdicts = frozenset({Status.WARN, Status.FAIL})

    def judge(self, shot, limits):
        return judge_backlight(shot.analysis, limits), None, ""


class Framing(_CameraCheck):
    order = 20
    id = "camera.framing"
    verdicts = frozenset({Status.WARN, Status.FAIL})

    def judge(self, shot, limits):
        return judge_framing(shot.analysis, limits), None, ""

    def picture(self, shot: Capture, context: CheckContext) -> Picture | None:
        if shot.frame is None or not context.picture_allowed:
            return None
        image = snapshot(shot.frame, shot.analysis.face)
        ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])
        if not ok:
            return None
        face = say("picture.face_found") if shot.analysis.face is not None else say("picture.no_face")
        height, width = image.shape[:2]
        return Picture(jpeg.tobytes(), width, height,
                       say("picture.description", width=width, height=height, face=face))


class _FrameCheck(_CameraCheck):
    """A camera check judged on the last frame alone: its decision, and the figure it shows with its unit."""

    decide: Callable[[FrameAnalysis, Mapping[str, Any]], Finding]
    measure: Callable[[FrameAnalysis], float | None]
    unit = ""
    """A symbol ("%"); else the figure's unit is worded (``<id>.unit``: "sharpness points"), never a bare number."""

    def judge(self, shot, limits):
        value = type(self).measure(shot.analysis)
        unit = self.unit or say(f"{self.id}.unit")
        return type(self).decide(shot.analysis, limits), value, (unit if value is not None else "")


class Sharpness(_FrameCheck):
    order = 50
    id = "camera.sharpness"
    verdicts = frozenset({Status.WARN, Status.FAIL})
    decide = staticmethod(judge_sharpness)
    measure = staticmethod(lambda a: a.sharpness)


class Clutter(_FrameCheck):
    order = 60
    id = "camera.clutter"
    verdicts = frozenset({Status.WARN})
    decide = staticmethod(judge_clutter)
    measure = staticmethod(lambda a: a.clutter.score)


class SideLight(_FrameCheck):
    order = 45
    id = "camera.side_light"
    verdicts = frozenset({Status.WARN})
    decide = staticmethod(judge_side_light)
    measure = staticmethod(lambda a: 100 * a.side_light.ratio if a.side_light.on_face else None)
    unit = "%"


class ColourCast(_FrameCheck):
    order = 47
    id = "camera.colour"
    verdicts = frozenset({Status.WARN})
    decide = staticmethod(judge_colour)
    measure = staticmethod(lambda a: a.colour.cast)


class Movement(_CameraCheck):
    order = 65
    id = "camera.motion"
    verdicts = frozenset({Status.WARN})

    def judge(self, shot, limits):
        moving = shot.motion(limits)
        finding = judge_motion(moving, shot.still, limits)
        return finding, (None if finding.status is Status.SKIP else 100 * moving.moving_share), (
            "" if finding.status is Status.SKIP else "%")
