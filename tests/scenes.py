"""Webcam-like frames with known truth, composited from a real photograph that ships with scikit-image.

The person is NASA's portrait of astronaut Eileen Collins (``skimage.data.astronaut()``, public domain), cut out
once with OpenCV's GrabCut and placed into rooms drawn here: a plain wall, a cluttered shelf, a bright window.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import skimage.data

FACE = (177, 66, 95, 95)  # where the face is in the 512×512 portrait (x, y, w, h), as the detector finds it


@cache
def _cutout() -> tuple[np.ndarray, np.ndarray]:
    """The portrait (BGR) and a soft mask of the person in it."""
    photo = cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR)
    mask = np.zeros(photo.shape[:2], np.uint8)
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(1)
    cv2.grabCut(photo, mask, (20, 10, 350, 502), bgd, fgd, 5, cv2.GC_INIT_WITH_RECT)
    person = np.where((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD), 1.0, 0.0).astype(np.float32)
    person[380:, 280:] = 0.0  # the helmet on the table is not part of the person
    cv2.ellipse(person, (224, 195), (34, 50), 0, 0, 360, 1.0, -1)  # GrabCut leaves the dark neck out
    for row in np.nonzero(person.any(axis=1))[0]:
        cols = np.nonzero(person[row])[0]
        person[row, cols[0]:cols[-1] + 1] = 1.0
    person = cv2.GaussianBlur(person, (5, 5), 0)
    return photo, person


def wall(width: int, height: int, shade: int = 165) -> np.ndarray:
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
    room = np.empty((height, width, 3), np.float32)
    room[:] = (shade + 15 * (1 - y)) * np.array([0.93, 0.98, 1.0], np.float32)
    return room.astype(np.uint8)


def bookshelf(room: np.ndarray, x: int, y: int, w: int, h: int, rng: np.random.Generator) -> None:
    """Draw a bookshelf full of books into ``room``."""
    cv2.rectangle(room, (x, y), (x + w, y + h), (60, 80, 110), -1)
    shelf_h = max(40, h // 5)
    for top in range(y, y + h - shelf_h + 1, shelf_h):
        cv2.line(room, (x, top + shelf_h - 6), (x + w, top + shelf_h - 6), (40, 55, 80), 6)
        bx = x + 8
        while bx < x + w - 24:
            bw = int(rng.integers(8, 22))
            colour = tuple(int(c) for c in rng.integers(40, 210, 3))
            book_top = top + int(rng.integers(8, shelf_h // 3))
            cv2.rectangle(room, (bx, book_top), (bx + bw, top + shelf_h - 8), colour, -1)
            bx += bw + 2


def shelves(width: int, height: int, seed: int = 3) -> np.ndarray:
    """A room full of things: bookshelves across the wall, posters, a plant."""
    rng = np.random.default_rng(seed)
    room = wall(width, height)
    shelf_w = width // 5
    for i in range(5):
        bookshelf(room, i * shelf_w + 4, height // 10, shelf_w - 8, int(height * 0.8), rng)
    return room


def window(width: int, height: int) -> np.ndarray:
    """A wall with a large bright window behind the person."""
    room = wall(width, height, shade=120)
    cv2.rectangle(room, (width // 6, height // 12), (5 * width // 6, 3 * height // 4), (252, 252, 252), -1)
    return room


@dataclass(frozen=True)
class Scene:
    frame: np.ndarray
    face: tuple[float, float, float, float] | None  # the true face box, normalised (x, y, w, h)


def place(room: np.ndarray, face_w: float = 0.15, face_cx: float = 0.5, face_top: float = 0.28,
          flip: bool = False, person_gain: float = 1.0) -> Scene:
    """Put the person into ``room`` with the face ``face_w`` of the width wide, centred at ``face_cx``,
    its top at ``face_top`` of the height; ``person_gain`` below 1 darkens only the person (lit from behind)."""
    photo, mask = _cutout()
    photo = lit(photo, person_gain)
    if flip:
        photo, mask = photo[:, ::-1], mask[:, ::-1]
    height, width = room.shape[:2]
    fx, fy, fw, fh = FACE
    if flip:
        fx = photo.shape[1] - fx - fw
    scale = face_w * width / fw
    person = cv2.resize(photo, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    alpha = cv2.resize(mask, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)[..., None]
    left = round(face_cx * width - (fx + fw / 2) * scale)
    top = round(face_top * height - fy * scale)
    out = room.astype(np.float32)
    y0, x0 = max(0, top), max(0, left)
    y1, x1 = min(height, top + person.shape[0]), min(width, left + person.shape[1])
    if y1 > y0 and x1 > x0:
        p = person[y0 - top:y1 - top, x0 - left:x1 - left].astype(np.float32)
        a = alpha[y0 - top:y1 - top, x0 - left:x1 - left]
        out[y0:y1, x0:x1] = a * p + (1 - a) * out[y0:y1, x0:x1]
    face = ((left + fx * scale) / width, (top + fy * scale) / height, fw * scale / width, fh * scale / height)
    return Scene(np.clip(out, 0, 255).astype(np.uint8), face)


def lit(frame: np.ndarray, gain: float, offset: float = 0.0) -> np.ndarray:
    """The frame with its exposure changed (gain < 1 darker, > 1 brighter, clipping at white)."""
    return np.clip(frame.astype(np.float32) * gain + offset, 0, 255).astype(np.uint8)


def noisy(frame: np.ndarray, sigma: float = 3.0, seed: int = 0) -> np.ndarray:
    """Sensor noise, as a webcam adds."""
    rng = np.random.default_rng(seed)
    return np.clip(frame + rng.normal(0, sigma, frame.shape), 0, 255).astype(np.uint8)


def pet(room: np.ndarray) -> np.ndarray:
    """A cat (skimage's Chelsea) in front of the camera, and no person."""
    cat = cv2.cvtColor(skimage.data.chelsea(), cv2.COLOR_RGB2BGR)
    height, width = room.shape[:2]
    cat = cv2.resize(cat, (width // 2, int(width / 2 * cat.shape[0] / cat.shape[1])))
    out = room.copy()
    top = height - cat.shape[0]
    out[max(0, top):, width // 4:width // 4 + cat.shape[1]] = cat[max(0, -top):]
    return out


def plain_video(path: Path, size: tuple[int, int] = (320, 240), frames: int = 30) -> Path:
    """A short, slowly brightening grey video (MJPG in AVI): a second "camera" to switch to."""
    width, height = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (width, height))
    for i in range(frames):
        writer.write(np.full((height, width, 3), 90 + i, np.uint8))
    writer.release()
    return path
