"""Face detection behind a small interface, so that the detector can be swapped.

The detector that is always available is OpenCV's Haar cascade (its files ship in opencv-python-headless 4.x),
run on a frame scaled down to a working width and with a minimum face size, which makes it several times faster
than at full resolution without missing the faces a webcam sees.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np


@dataclass(frozen=True)
class Box:
    """A rectangle in normalised frame coordinates (0..1 of width and height)."""

    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    @property
    def area(self) -> float:
        return self.w * self.h

    def pixels(self, width: int, height: int) -> tuple[int, int, int, int]:
        """The box in pixels of a ``width`` × ``height`` image, clipped to it: (x0, y0, x1, y1)."""
        x0 = min(max(0, round(self.x * width)), width)
        y0 = min(max(0, round(self.y * height)), height)
        x1 = min(max(x0, round((self.x + self.w) * width)), width)
        y1 = min(max(y0, round((self.y + self.h) * height)), height)
        return x0, y0, x1, y1

    def to_dict(self) -> dict[str, float]:
        return {"face_x": round(self.x, 3), "face_y": round(self.y, 3), "face_w": round(self.w, 3),
                "face_h": round(self.h, 3)}


class FaceDetector(Protocol):
    """Finds faces in a grey frame; returns boxes in normalised coordinates, largest first."""

    name: str

    def detect(self, gray: np.ndarray) -> list[Box]: ...


CASCADE = "haarcascade_frontalface_alt2.xml"
"""The one Haar cascade the app uses (the bundle ships only this one of OpenCV's files)."""


class HaarFaceDetector:
    """OpenCV's frontal-face Haar cascade on down-scaled frames. Safe to share between threads.

    ``passes`` are (working width, smallest face as a share of the width), tried in order until one finds a
    face: a quick coarse pass finds the usual webcam face; a finer pass finds a face far from the camera.
    """

    name = "haar"

    def __init__(self, passes: tuple[tuple[int, float], ...] = ((320, 0.1), (640, 0.035)), min_neighbors: int = 5,
                 cascade: str = CASCADE, scale_factor: float = 1.2) -> None:
        path = Path(cv2.data.haarcascades) / cascade
        self._cascade = cv2.CascadeClassifier(str(path))
        if self._cascade.empty():
            raise RuntimeError(f"the face model {path} could not be loaded")
        self.passes = passes
        self.min_neighbors = min_neighbors
        self.scale_factor = scale_factor  # each search size this much larger than the last (1.1: finer, slower)
        self._lock = threading.Lock()

    def detect(self, gray: np.ndarray) -> list[Box]:
        for work_width, min_face_share in self.passes:
            boxes = self._detect(gray, work_width, min_face_share)
            if boxes:
                return boxes
        return []

    def _detect(self, gray: np.ndarray, work_width: int, min_face_share: float) -> list[Box]:
        scale = min(1.0, work_width / gray.shape[1])
        small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
        small = cv2.equalizeHist(small)  # faces in dim or bright pictures are still found
        side = max(20, round(min_face_share * small.shape[1]))
        with self._lock:
            found = self._cascade.detectMultiScale(small, scaleFactor=self.scale_factor,
                                               minNeighbors=self.min_neighbors, minSize=(side, side))
        sw, sh = small.shape[1], small.shape[0]
        boxes = [Box(x / sw, y / sh, w / sw, h / sh) for (x, y, w, h) in np.asarray(found).reshape(-1, 4)]
        return sorted(boxes, key=lambda b: b.area, reverse=True)


_default: FaceDetector | None = None
_default_lock = threading.Lock()


def default_detector() -> FaceDetector:
    """The detector the checks and the preview use (made once, on first use)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = HaarFaceDetector()
        return _default
