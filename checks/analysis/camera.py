"""What the interviewer will see: pure functions on one camera frame (ndarray in, dataclass out, no I/O).

Everything is measured on a copy scaled to a fixed working width, so values are comparable across cameras:
a 4K and a 640×480 picture of the same scene give the same brightness, clutter and framing figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from checks.analysis.faces import Box, FaceDetector

WORK_WIDTH = 640
GUIDE_X = 0.5
"""The framing guides, as shares of the picture: the middle, and the line a third from the top where the eyes
look best. The live preview and the report's snapshot both draw these."""
GUIDE_EYES_Y = 1 / 3
SNAPSHOT_WIDTH = 480
FACE_PATCH = 112  # the face is scaled to this many pixels square before its sharpness is measured
MIN_SIDE = 16


def as_bgr(frame: np.ndarray) -> np.ndarray:
    """A frame as 8-bit BGR: accepts grey, BGR, BGRA; uint8, uint16 or float (0..1). ValueError says what is wrong."""
    if not isinstance(frame, np.ndarray):
        raise ValueError(f"a frame must be an image array, not {type(frame).__name__}")
    if frame.ndim == 3 and frame.shape[2] == 1:
        frame = frame[:, :, 0]
    if frame.ndim not in (2, 3) or (frame.ndim == 3 and frame.shape[2] not in (3, 4)):
        raise ValueError(f"a frame must be grey, BGR or BGRA, not of shape {frame.shape}")
    if min(frame.shape[:2]) < MIN_SIDE:
        raise ValueError(f"a frame of {frame.shape[1]}×{frame.shape[0]} pixels is too small to judge")
    if frame.dtype == np.uint16:
        frame = (frame >> 8).astype(np.uint8)
    elif np.issubdtype(frame.dtype, np.floating):
        finite = np.nan_to_num(frame, nan=0.0, posinf=1.0, neginf=0.0)
        top = 1.0 if float(finite.max(initial=0.0)) <= 1.0 else 255.0
        frame = np.clip(finite * (255.0 / top), 0, 255).astype(np.uint8)
    elif frame.dtype != np.uint8:
        raise ValueError(f"a frame must hold 8-bit, 16-bit or floating-point pixels, not {frame.dtype}")
    if frame.ndim == 2:
        return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    if frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2BGR)
    return frame


def working_grey(bgr: np.ndarray) -> np.ndarray:
    """The frame in grey at the working width (never enlarged)."""
    grey = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    scale = min(1.0, WORK_WIDTH / grey.shape[1])
    return cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else grey


def person_box(face: Box | None) -> Box:
    """Where the person is, estimated from the face: head, hair and shoulders down to the bottom of the frame.

    Without a face, the middle of the frame stands in for the person.
    """
    if face is None:
        return Box(0.3, 0.1, 0.4, 0.9)
    x0 = max(0.0, face.x - 1.0 * face.w)
    x1 = min(1.0, face.x + 2.0 * face.w)
    y0 = max(0.0, face.y - 0.45 * face.h)
    return Box(x0, y0, x1 - x0, 1.0 - y0)


def _inner(face: Box) -> Box:
    """The skin of the face: the detector's box without its edges (hair, ears, background)."""
    return Box(face.x + 0.2 * face.w, face.y + 0.2 * face.h, 0.6 * face.w, 0.7 * face.h)


def _region(grey: np.ndarray, box: Box) -> np.ndarray:
    x0, y0, x1, y1 = box.pixels(grey.shape[1], grey.shape[0])
    return grey[y0:y1, x0:x1]


def _outside(grey: np.ndarray, box: Box) -> np.ndarray:
    mask = np.ones(grey.shape, bool)
    x0, y0, x1, y1 = box.pixels(grey.shape[1], grey.shape[0])
    mask[y0:y1, x0:x1] = False
    return mask


@dataclass(frozen=True)
class Exposure:
    """Brightness of the face (or of the middle of the picture when no face is found), on 0–255."""

    face_luma: float
    clipped_share: float  # share of face pixels at 250 or more: detail lost to overexposure
    contrast: float  # spread of the whole picture: 95th minus 5th percentile of brightness
    on_face: bool


def exposure(grey: np.ndarray, face: Box | None) -> Exposure:
    region = _region(grey, _inner(face) if face is not None else Box(0.35, 0.25, 0.3, 0.4))
    if region.size == 0:
        region = grey
    p5, p95 = np.percentile(grey, [5, 95])
    return Exposure(float(region.mean()), float(np.mean(region >= 250)), float(p95 - p5), face is not None)


@dataclass(frozen=True)
class Backlight:
    """The background compared with the face: a window behind the candidate makes the face a silhouette."""

    face_luma: float
    background_luma: float  # the bright part of the background (its 90th percentile): a window, a lamp
    bright_share: float  # share of the background at 240 or more (sky, a lamp, a window)

    @property
    def difference(self) -> float:
        return self.background_luma - self.face_luma


def backlight(grey: np.ndarray, face: Box | None) -> Backlight:
    region = _region(grey, _inner(face) if face is not None else Box(0.35, 0.25, 0.3, 0.4))
    background = grey[_outside(grey, person_box(face))]
    if background.size == 0:
        background = grey.ravel()
    face_luma = float(region.mean()) if region.size else float(grey.mean())
    return Backlight(face_luma, float(np.percentile(background, 90)), float(np.mean(background >= 240)))


@dataclass(frozen=True)
class Framing:
    """Where the face sits in the picture."""

    faces: int
    offset_x: float  # face centre minus picture centre, as a share of the width (negative: left of centre)
    head_top: float  # where the top of the head is, as a share of the height (negative: cut off)
    face_height: float  # face height as a share of the picture height (distance to the camera)
    eye_line: float  # where the eyes are, as a share of the height from the top
    box: Box | None


def framing(faces: Sequence[Box]) -> Framing:
    if not faces:
        return Framing(0, 0.0, 0.0, 0.0, 0.0, None)
    face = faces[0]
    return Framing(
        faces=len(faces),
        offset_x=face.cx - 0.5,
        head_top=face.y - 0.3 * face.h,  # the detector's box starts at the eyebrows; hair is above
        face_height=face.h,
        eye_line=face.y + 0.4 * face.h,
        box=face,
    )


def sharpness(bgr: np.ndarray, face: Box | None) -> float:
    """Focus on the face: the energy of fine detail relative to the patch's own contrast.

    The face is scaled to a fixed patch first, so the figure does not depend on the camera's resolution or on
    how bright the picture is. Higher is sharper; blur lowers it.
    """
    grey = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    patch = _region(grey, face if face is not None else Box(0.3, 0.2, 0.4, 0.5))
    if patch.size == 0 or min(patch.shape) < 4:
        return 0.0
    patch = cv2.resize(patch, (FACE_PATCH, FACE_PATCH), interpolation=cv2.INTER_AREA).astype(np.float32)
    detail = cv2.Laplacian(patch, cv2.CV_32F, ksize=3)
    return float(100.0 * detail.var() / (patch.var() + 100.0))


def clutter(grey: np.ndarray, face: Box | None) -> float:
    """How busy the background is: the share (%) of background pixels on an edge, outside the person."""
    blurred = cv2.GaussianBlur(grey, (3, 3), 0)
    edges = cv2.Canny(blurred, 60, 150)
    mask = _outside(grey, person_box(face))
    if not mask.any():
        return 0.0
    return float(100.0 * np.count_nonzero(edges[mask]) / np.count_nonzero(mask))


@dataclass(frozen=True)
class FrameAnalysis:
    """Everything the camera checks judge, measured on one frame."""

    width: int
    height: int
    faces: tuple[Box, ...]
    exposure: Exposure
    backlight: Backlight
    framing: Framing
    sharpness: float
    clutter: float

    @property
    def face(self) -> Box | None:
        return self.faces[0] if self.faces else None


def analyse_frame(frame: np.ndarray, detector: FaceDetector) -> FrameAnalysis:
    """Measure one frame. ``frame`` may be grey, BGR or BGRA, of any size from 16 pixels up."""
    bgr = as_bgr(frame)
    grey = working_grey(bgr)
    faces = tuple(detector.detect(grey))
    face = faces[0] if faces else None
    return FrameAnalysis(
        width=bgr.shape[1],
        height=bgr.shape[0],
        faces=faces,
        exposure=exposure(grey, face),
        backlight=backlight(grey, face),
        framing=framing(faces),
        sharpness=sharpness(bgr, face),
        clutter=clutter(grey, face),
    )


@dataclass(frozen=True)
class Delivery:
    """What the camera delivered over a few seconds."""

    frames: int
    fps: float
    black_share: float
    frozen_share: float


def delivery(means: Sequence[float], changes: Sequence[float], seconds: float, black_luma: float,
             frozen_change: float) -> Delivery:
    """Judge a capture from each frame's mean brightness and its mean absolute change from the previous frame."""
    n = len(means)
    if n == 0:
        return Delivery(0, 0.0, 0.0, 0.0)
    black = sum(1 for m in means if m < black_luma) / n
    frozen = sum(1 for c in changes if c < frozen_change) / max(1, len(changes)) if changes else 0.0
    return Delivery(n, n / seconds if seconds > 0 else 0.0, black, frozen)


def snapshot(frame: np.ndarray, face: Box | None, width: int = SNAPSHOT_WIDTH) -> np.ndarray:
    """A small copy of ``frame`` as the interviewer sees it (not mirrored), with the framing guides dashed in white
    over a dark edge (visible on any picture) and ``face`` boxed. Never enlarged."""
    bgr = as_bgr(frame)
    scale = min(1.0, width / bgr.shape[1])
    picture = cv2.resize(bgr, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else bgr.copy()
    h, w = picture.shape[:2]
    x, y = round(GUIDE_X * w), round(GUIDE_EYES_Y * h)
    for start, end in (((x, 0), (x, h - 1)), ((0, y), (w - 1, y))):
        _dashed(picture, start, end, (40, 40, 40), 3)
        _dashed(picture, start, end, (255, 255, 255), 1)
    if face is not None:
        top_left = (round(face.x * w), round(face.y * h))
        bottom_right = (round((face.x + face.w) * w), round((face.y + face.h) * h))
        cv2.rectangle(picture, top_left, bottom_right, (40, 40, 40), 4)
        cv2.rectangle(picture, top_left, bottom_right, (0, 220, 120), 2)
    return picture


def _dashed(image: np.ndarray, start: tuple[int, int], end: tuple[int, int], colour: tuple[int, int, int],
            thickness: int, dash: int = 8) -> None:
    length = max(abs(end[0] - start[0]), abs(end[1] - start[1]))
    for at in range(0, length, 2 * dash):
        a, b = at / length, min(1.0, (at + dash) / length)
        cv2.line(image, (round(start[0] + a * (end[0] - start[0])), round(start[1] + a * (end[1] - start[1]))),
                 (round(start[0] + b * (end[0] - start[0])), round(start[1] + b * (end[1] - start[1]))),
                 colour, thickness)
