"""What the interviewer will see: pure functions on one camera frame (ndarray in, dataclass out, no I/O).

Everything is measured on a copy scaled to a fixed working width, so values are comparable across cameras:
a 4K and a 640×480 picture of the same scene give the same brightness, clutter and framing figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import cv2
import numpy as np

from checks.analysis.faces import Box, FaceDetector

WORK_WIDTH = 640
GUIDE_X = 0.5
"""The framing guides, as shares of the picture: the middle, and the line a third from the top where the eyes
look best. The live preview and the report's snapshot both draw these."""
GUIDE_EYES_Y = 1 / 3
SNAPSHOT_WIDTH = 480
COLOUR_WIDTH = 160  # colours are judged on a copy this wide: colour casts and variety are broad, not fine detail
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


def _histogram(grey: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """How many pixels (under ``mask``) have each grey level 0–255."""
    return cv2.calcHist([grey], [0], None if mask is None else mask.astype(np.uint8), [256], [0, 256]).ravel()


def _percentile(histogram: np.ndarray, q: float) -> float:
    """The grey level below which ``q`` % of the counted pixels lie."""
    cumulative = np.cumsum(histogram)
    return float(np.searchsorted(cumulative, q / 100 * cumulative[-1])) if cumulative[-1] else 0.0


def exposure(grey: np.ndarray, face: Box | None) -> Exposure:
    region = _region(grey, _inner(face) if face is not None else Box(0.35, 0.25, 0.3, 0.4))
    if region.size == 0:
        region = grey
    whole = _histogram(grey)
    contrast = _percentile(whole, 95) - _percentile(whole, 5)
    return Exposure(float(region.mean()), float(np.mean(region >= 250)), contrast, face is not None)


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
    mask = _outside(grey, person_box(face))
    background = _histogram(grey, mask if mask.any() else None)
    face_luma = float(region.mean()) if region.size else float(grey.mean())
    return Backlight(face_luma, _percentile(background, 90), float(background[240:].sum() / background.sum()))


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
    patch = _region(bgr, face if face is not None else Box(0.3, 0.2, 0.4, 0.5))
    if patch.size == 0 or min(patch.shape[:2]) < 4:
        return 0.0
    patch = cv2.cvtColor(patch, cv2.COLOR_BGR2GRAY)
    patch = cv2.resize(patch, (FACE_PATCH, FACE_PATCH), interpolation=cv2.INTER_AREA).astype(np.float32)
    detail = cv2.Laplacian(patch, cv2.CV_32F, ksize=3)
    return float(100.0 * detail.var() / (patch.var() + 100.0))


@dataclass(frozen=True)
class Clutter:
    """How busy, and how disordered, the background outside the person is.

    Order is not mess: a shelf of books has many edges, but they run in two directions (along the shelf and up the
    spines); a heap of dishes and papers has edges at every angle. So the edge share counts only as far as the
    edges are disordered (the disorder weighs twice: the few slanted corners of an ordered shelf count for little,
    edges at every angle fully), and more when the colours are many and strong.
    """

    edges: float  # share (%) of background pixels on an edge
    disorder: float  # 0: every edge along one pair of perpendicular directions; 1: edges at every angle alike
    colours: float  # 0: no strong colours; 1: strong colours of every hue, in large amounts

    @property
    def score(self) -> float:
        """The edge share (%) weighted by disorder and colour: what the eye reads as mess."""
        return self.edges * self.disorder**2 * (1.0 + self.colours)


ORIENTATION_BINS = 36  # edge directions, 5° each, folded onto a quarter turn (a shelf's two directions are one)
ALIGNED_BINS = 3  # the dominant direction and its two neighbours (±7.5°) count as aligned
HUE_BINS = 12
STRONG_SATURATION, STRONG_VALUE = 90, 50  # a strong colour in OpenCV's HSV (0–255 saturation and value) …
FULL_COLOUR_SHARE = 0.4  # … and covering this share of the background counts fully


def _orientation_disorder(gx: np.ndarray, gy: np.ndarray) -> float:
    """0 when all edge strength lies along one direction and the one perpendicular to it; 1 for every angle alike."""
    weight = np.hypot(gx, gy)
    total = float(weight.sum())
    if total <= 0:
        return 0.0
    angle = np.arctan2(gy, gx) % (np.pi / 2)  # a quarter turn: horizontal and vertical edges fall together
    bins = np.minimum((angle * (ORIENTATION_BINS / (np.pi / 2))).astype(np.intp), ORIENTATION_BINS - 1)
    histogram = np.bincount(bins, weights=weight, minlength=ORIENTATION_BINS)
    window = np.convolve(np.concatenate([histogram[-1:], histogram, histogram[:1]]), np.ones(ALIGNED_BINS), "valid")
    aligned = float(window.max()) / total
    uniform = ALIGNED_BINS / ORIENTATION_BINS
    return float(np.clip((1.0 - aligned) / (1.0 - uniform), 0.0, 1.0))


def _colour_variety(hsv: np.ndarray, mask: np.ndarray) -> float:
    """0 without strong colours; towards 1 when many hues, strongly saturated, cover much of the background."""
    h, s, v = hsv[..., 0][mask], hsv[..., 1][mask], hsv[..., 2][mask]
    strong = (s >= STRONG_SATURATION) & (v >= STRONG_VALUE)
    share = float(strong.mean()) if strong.size else 0.0
    if share == 0.0:
        return 0.0
    counts = np.bincount((h[strong].astype(np.intp) * HUE_BINS) // 180, minlength=HUE_BINS).astype(np.float64)
    p = counts[counts > 0] / counts.sum()
    entropy = max(0.0, float(-(p * np.log(p)).sum() / np.log(HUE_BINS)))
    return entropy * min(1.0, share / FULL_COLOUR_SHARE)


def clutter(grey: np.ndarray, face: Box | None, hsv: np.ndarray | None = None) -> Clutter:
    """How busy and disordered the background is, outside the person (head and shoulders estimated from the face).

    ``grey`` is the frame in grey at the working width; ``hsv``, the frame in HSV at any smaller size, adds the
    colour variety (without it, colours count as none).
    """
    blurred = cv2.GaussianBlur(grey, (3, 3), 0)
    dx, dy = cv2.Sobel(blurred, cv2.CV_16S, 1, 0), cv2.Sobel(blurred, cv2.CV_16S, 0, 1)
    edges = cv2.Canny(dx, dy, 60, 150)  # the same edges as Canny on the picture, from gradients used again below
    mask = _outside(grey, person_box(face))
    if not mask.any():
        return Clutter(0.0, 0.0, 0.0)
    on_edge = cv2.bitwise_and(edges, mask.view(np.uint8))
    points = cv2.findNonZero(on_edge)  # (x, y) of each background edge pixel; None when there is none
    share = 100.0 * (0 if points is None else len(points)) / np.count_nonzero(mask)
    disorder = 0.0
    if points is not None:
        xs, ys = points[:, 0, 0], points[:, 0, 1]
        disorder = _orientation_disorder(dx[ys, xs].astype(np.float32), dy[ys, xs].astype(np.float32))
    colours = 0.0
    if hsv is not None:
        small_mask = _outside(hsv[..., 0], person_box(face))
        colours = _colour_variety(hsv, small_mask) if small_mask.any() else 0.0
    return Clutter(float(share), disorder, colours)


@dataclass(frozen=True)
class SideLight:
    """The two halves of the face compared: light from one side leaves one half in shadow.

    ``left`` and ``right`` are as the camera sees them (the picture is not mirrored): the picture's left half is the
    person's right cheek.
    """

    left: float  # brightness (0–255) of the left half of the face in the picture
    right: float
    on_face: bool

    @property
    def ratio(self) -> float:
        """The darker half's brightness as a share of the brighter half's (1: even; 0.5: half as bright)."""
        bright = max(self.left, self.right)
        return 1.0 if bright <= 0 else min(self.left, self.right) / bright

    @property
    def dark_side(self) -> str:
        """Which of the person's own cheeks is the darker: "right" when the picture's left half is darker."""
        return "right" if self.left < self.right else "left"


def side_light(grey: np.ndarray, face: Box | None) -> SideLight:
    """Compare the brightness of the face's two halves (medians of the cheeks, leaving out the nose between them)."""
    if face is None:
        return SideLight(0.0, 0.0, False)
    top, height = face.y + 0.3 * face.h, 0.55 * face.h
    left = _region(grey, Box(face.x + 0.15 * face.w, top, 0.3 * face.w, height))
    right = _region(grey, Box(face.x + 0.55 * face.w, top, 0.3 * face.w, height))
    if left.size == 0 or right.size == 0:
        return SideLight(0.0, 0.0, False)
    return SideLight(float(np.median(left)), float(np.median(right)), True)


@dataclass(frozen=True)
class Colour:
    """The colour balance of the picture, in CIELAB chroma (a*: green−/red+, b*: blue−/yellow+).

    A light that is not white (an orange bulb, the blue glow of a screen) tints everything: the wall behind the
    person and the picture as a whole. The person's skin is not judged on its own: darker skin is not a cast.
    """

    background: tuple[float, float]  # median (a*, b*) of the background, outside the person
    frame: tuple[float, float]  # the grey balance of the whole picture: mean (a*, b*) of every pixel

    @property
    def cast(self) -> float:
        """How strong a common tint of background and picture is (Lab units): the smaller of the two chromas, when
        they point the same way, else 0."""
        (ba, bb), (fa, fb) = self.background, self.frame
        bc, fc = float(np.hypot(ba, bb)), float(np.hypot(fa, fb))
        if bc == 0 or fc == 0 or (ba * fa + bb * fb) / (bc * fc) < 0.8:
            return 0.0
        return min(bc, fc)

    @property
    def tint(self) -> str:
        """The tint's name: orange, blue, green or pink (from the hue of the background's chroma)."""
        a, b = self.background
        hue = float(np.degrees(np.arctan2(b, a))) % 360
        if 20 <= hue < 110:
            return "orange"
        if 110 <= hue < 200:
            return "green"
        if 200 <= hue < 300:
            return "blue"
        return "pink"


def colour(lab: np.ndarray, face: Box | None) -> Colour:
    """The background's and the whole picture's colour balance from the frame in OpenCV's 8-bit Lab (any size)."""
    a = lab[..., 1].astype(np.float32) - 128.0
    b = lab[..., 2].astype(np.float32) - 128.0
    mask = _outside(lab[..., 0], person_box(face))
    if not mask.any():
        mask = np.ones(mask.shape, bool)
    return Colour((float(np.median(a[mask])), float(np.median(b[mask]))), (float(a.mean()), float(b.mean())))


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
    clutter: Clutter
    side_light: SideLight
    colour: Colour

    @property
    def face(self) -> Box | None:
        return self.faces[0] if self.faces else None


def analyse_frame(frame: np.ndarray, detector: FaceDetector) -> FrameAnalysis:
    """Measure one frame. ``frame`` may be grey, BGR or BGRA, of any size from 16 pixels up."""
    bgr = as_bgr(frame)
    scale = min(1.0, WORK_WIDTH / bgr.shape[1])
    work = cv2.resize(bgr, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else bgr
    grey = cv2.cvtColor(work, cv2.COLOR_BGR2GRAY)
    faces = tuple(detector.detect(grey))
    face = faces[0] if faces else None
    small = cv2.resize(work, (COLOUR_WIDTH, max(1, round(COLOUR_WIDTH * work.shape[0] / work.shape[1]))),
                       interpolation=cv2.INTER_AREA)
    return FrameAnalysis(
        width=bgr.shape[1],
        height=bgr.shape[0],
        faces=faces,
        exposure=exposure(grey, face),
        backlight=backlight(grey, face),
        framing=framing(faces),
        sharpness=sharpness(bgr, face),
        clutter=clutter(grey, face, cv2.cvtColor(small, cv2.COLOR_BGR2HSV)),
        side_light=side_light(grey, face),
        colour=colour(cv2.cvtColor(small, cv2.COLOR_BGR2LAB), face),
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


MOTION_SIZE = (160, 90)
"""Movement and repeats are judged on copies this small: a person walking past is large, sensor noise is not."""


def motion_frame(frame: np.ndarray) -> np.ndarray:
    """The small grey copy of a frame (any format :func:`as_bgr` accepts) that :func:`motion` compares."""
    return cv2.cvtColor(cv2.resize(as_bgr(frame), MOTION_SIZE, interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2GRAY)


def change_sample(frame: np.ndarray) -> np.ndarray:
    """Every 8th pixel of a frame, not averaged, for :func:`frame_change`: a camera's faint sensor noise survives
    in it, so only a repeated picture shows (almost) no change."""
    return np.ascontiguousarray(as_bgr(frame)[::8, ::8]).astype(np.int16)


def frame_change(before: np.ndarray, after: np.ndarray) -> float:
    """The mean absolute change (grey levels) between two :func:`change_sample` copies: whether the camera sends
    new pictures at all. Samples of different sizes (the camera changed its resolution) count as fully changed."""
    if before.shape != after.shape:
        return 255.0
    return float(np.abs(after - before).mean())


@dataclass(frozen=True)
class Motion:
    """Movement behind the person over a capture."""

    pairs: int  # frame pairs compared
    moving_share: float  # share of the pairs in which something moved in the background
    largest: float  # the largest moving area in one pair, as a share (%) of the background


def motion(frames: Sequence[np.ndarray], face: Box | None, level: float, min_area: float) -> Motion:
    """Whether something moves behind the person, from consecutive :func:`motion_frame` copies.

    A pixel moves when it changes by ``level`` grey levels or more beyond the change of the whole picture (so the
    camera adjusting its exposure is not movement); a pair moves when at least ``min_area`` % of the background,
    outside the person and a margin around them (people sway), moves in it.
    """
    if len(frames) < 2:
        return Motion(0, 0.0, 0.0)
    person = person_box(face)
    margin = Box(max(0.0, person.x - 0.06), max(0.0, person.y - 0.06), person.w + 0.12, person.h + 0.06)
    mask = _outside(frames[0], margin)
    background = max(1, int(np.count_nonzero(mask)))
    kernel = np.ones((3, 3), np.uint8)
    moved, largest = 0, 0.0
    for before, after in pairwise(frames):
        difference = after.astype(np.int16) - before.astype(np.int16)
        difference -= int(np.median(difference))
        moving = ((np.abs(difference) >= level) & mask).astype(np.uint8)
        moving = cv2.morphologyEx(moving, cv2.MORPH_OPEN, kernel)  # lone specks (noise, codec blocks) are not movement
        area = 100.0 * np.count_nonzero(moving) / background
        largest = max(largest, area)
        moved += area >= min_area
    pairs = len(frames) - 1
    return Motion(pairs, moved / pairs, largest)


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
