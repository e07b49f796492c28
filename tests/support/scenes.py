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
          flip: bool = False, person_gain: float = 1.0, shadow: float = 1.0, skin: float = 1.0) -> Scene:
    """Put the person into ``room`` with the face ``face_w`` of the width wide, centred at ``face_cx``,
    its top at ``face_top`` of the height; ``person_gain`` below 1 darkens only the person (lit from behind);
    ``shadow`` below 1 darkens the person's left side (the picture's right) to that share, in a soft edge down the
    nose, as light from a window on their right does; ``skin`` below 1 gives darker skin."""
    photo, mask = _cutout()
    if skin != 1.0:
        photo = darker_skin(photo, skin)
    photo = lit(photo, person_gain)
    if shadow != 1.0:
        fx, _, fw, _ = FACE
        x = np.arange(photo.shape[1], dtype=np.float32)
        lit_share = 1 / (1 + np.exp((x - (fx + fw / 2)) / (0.06 * fw)))  # 1 on the picture's left, 0 on the right
        gain = shadow + (1 - shadow) * lit_share
        photo = np.clip(photo * gain[None, :, None], 0, 255).astype(np.uint8)
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

# -- the staged scene: order and mess --------------------------------------------------------------------------


def framed_picture(room: np.ndarray, x: int, y: int, w: int) -> None:
    """A real photograph (skimage's rocket) in a dark frame, hung straight."""
    photo = cv2.cvtColor(skimage.data.rocket(), cv2.COLOR_RGB2BGR)
    h = round(w * photo.shape[0] / photo.shape[1])
    border = max(4, w // 20)
    cv2.rectangle(room, (x - border, y - border), (x + w + border, y + h + border), (30, 35, 45), -1)
    room[y:y + h, x:x + w] = cv2.resize(photo, (w, h), interpolation=cv2.INTER_AREA)


def tidy_shelf(width: int, height: int, seed: int = 5) -> np.ndarray:
    """The staged scene the advice recommends: a bookshelf to one side and a framed picture, all hung straight."""
    room = wall(width, height)
    bookshelf(room, width // 32, height // 6, width // 5, int(height * 0.72), np.random.default_rng(seed))
    framed_picture(room, int(width * 0.78), height // 4, width // 7)
    return room


def _things(seed: int) -> list[np.ndarray]:
    """What piles up on a desk, as BGR patches: sheets of paper (skimage's scanned page and text), a cup of coffee
    (skimage's photograph), a photo, boxes and a book in strong colours."""
    rng = np.random.default_rng(seed)
    page = cv2.cvtColor(skimage.data.page(), cv2.COLOR_GRAY2BGR)
    text = cv2.cvtColor(skimage.data.text(), cv2.COLOR_GRAY2BGR)
    coffee = cv2.cvtColor(skimage.data.coffee(), cv2.COLOR_RGB2BGR)[20:380, 60:540]
    photo = cv2.cvtColor(skimage.data.chelsea(), cv2.COLOR_RGB2BGR)
    patches = [page, text[:, :300], page[:, ::-1], coffee, photo]
    for _ in range(5):
        box = np.empty((int(rng.integers(60, 140)), int(rng.integers(90, 220)), 3), np.uint8)
        box[:] = [int(c) for c in rng.integers(0, 256, 3)]
        cv2.rectangle(box, (0, 0), (box.shape[1] - 1, box.shape[0] - 1), (30, 30, 30), 3)
        patches.append(box)
    return patches


def _paste_rotated(room: np.ndarray, patch: np.ndarray, cx: int, cy: int, angle: float) -> None:
    h, w = patch.shape[:2]
    side = int(np.ceil(np.hypot(h, w)))
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    m[:, 2] += (side - w) / 2, (side - h) / 2
    turned = cv2.warpAffine(patch, m, (side, side), flags=cv2.INTER_LINEAR)
    alpha = cv2.warpAffine(np.ones((h, w), np.float32), m, (side, side), flags=cv2.INTER_LINEAR)[..., None]
    x0, y0 = cx - side // 2, cy - side // 2
    rx0, ry0 = max(0, x0), max(0, y0)
    rx1, ry1 = min(room.shape[1], x0 + side), min(room.shape[0], y0 + side)
    if rx1 <= rx0 or ry1 <= ry0:
        return
    sub = (slice(ry0 - y0, ry1 - y0), slice(rx0 - x0, rx1 - x0))
    area = room[ry0:ry1, rx0:rx1].astype(np.float32)
    room[ry0:ry1, rx0:rx1] = (alpha[sub] * turned[sub] + (1 - alpha[sub]) * area).astype(np.uint8)


def scattered(width: int, height: int, angles: np.ndarray | float, seed: int = 2, scale: float = 1.0) -> np.ndarray:
    """The same things at the same places on both sides of the room, each turned by its angle (degrees): all 0
    lines them up; random angles make a heap. ``scale`` sizes the things to the frame (1 for 1280 wide)."""
    rng = np.random.default_rng(seed)
    room = wall(width, height)
    things = _things(seed)
    angles = np.broadcast_to(np.asarray(angles, float), (len(things),))
    for i, (thing, angle) in enumerate(zip(things, angles, strict=True)):
        left = i % 2 == 0
        cx = int(width * (rng.uniform(0.04, 0.24) if left else rng.uniform(0.76, 0.96)))
        cy = int(height * rng.uniform(0.2, 0.9))
        size = scale * width / 1280 * rng.uniform(0.45, 0.7)
        _paste_rotated(room, cv2.resize(thing, None, fx=size, fy=size, interpolation=cv2.INTER_AREA), cx, cy,
                       float(angle))
    return room


def heap(width: int, height: int, seed: int = 2) -> np.ndarray:
    """Dishes, a cup, papers and boxes piled up behind the person, at every angle."""
    rng = np.random.default_rng(seed + 100)
    return scattered(width, height, rng.uniform(-90, 90, len(_things(seed))), seed)


# -- light and colour ---------------------------------------------------------------------------------------


def tinted(frame: np.ndarray, blue: float, green: float, red: float) -> np.ndarray:
    """The frame under coloured light: each channel scaled (an orange bulb: blue and green down)."""
    return np.clip(frame.astype(np.float32) * np.array([blue, green, red], np.float32), 0, 255).astype(np.uint8)


def orange_lamp(frame: np.ndarray) -> np.ndarray:
    """A warm bulb with the camera's white balance left on daylight."""
    return tinted(frame, 0.62, 0.86, 1.08)


def screen_glow(frame: np.ndarray) -> np.ndarray:
    """The blue glow of a screen lighting a dim room."""
    return tinted(frame, 1.3, 1.0, 0.72)


def darker_skin(photo: np.ndarray, lightness: float, warmth: float = 6.0) -> np.ndarray:
    """The portrait with darker skin: its skin pixels (found by their colour in YCrCb) lower in CIELAB lightness by
    ``lightness`` (0.55: a deep brown) and a little warmer (``warmth`` added to b*), the rest of the picture kept."""
    ycrcb = cv2.cvtColor(photo, cv2.COLOR_BGR2YCrCb)
    skin = cv2.inRange(ycrcb, (40, 135, 80), (255, 180, 130)).astype(np.float32) / 255
    skin = cv2.GaussianBlur(skin, (7, 7), 0)[..., None]
    lab = cv2.cvtColor(photo, cv2.COLOR_BGR2LAB).astype(np.float32)
    dark = lab.copy()
    dark[..., 0] *= lightness
    dark[..., 2] += warmth
    out = cv2.cvtColor(np.clip(dark, 0, 255).astype(np.uint8), cv2.COLOR_LAB2BGR).astype(np.float32)
    return (skin * out + (1 - skin) * photo.astype(np.float32)).astype(np.uint8)


# -- videos ---------------------------------------------------------------------------------------------------

FPS = 25


def write_video(path, frames, fps: int = FPS, fourcc: str = "mp4v") -> None:
    """Write ``frames`` (BGR, all one size) as a video file: MPEG-4 (``mp4v``), or ``MJPG`` as webcams send it."""
    frames = list(frames)
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, (width, height))
    for frame in frames:
        writer.write(frame)
    writer.release()


def sitting_still(room: np.ndarray, n: int, noise: float = 0.6, seed: int = 1) -> list[np.ndarray]:
    """A person sitting still in front of ``room``, filmed by a camera with little sensor noise (``noise`` grey
    levels; webcams with temporal noise reduction reach well under 1): only breathing moves them, by under a
    pixel."""
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(n):
        breath = np.sin(2 * np.pi * i / (3.5 * FPS))  # a breath every 3.5 seconds
        frame = place(room, face_top=0.28 + 0.0008 * breath, face_cx=0.5 + 0.0003 * breath).frame
        frames.append(np.clip(frame + rng.normal(0, noise, frame.shape), 0, 255).astype(np.uint8))
    return frames


def frozen(room: np.ndarray, n: int) -> list[np.ndarray]:
    """A camera that repeats one picture."""
    frame = noisy(place(room).frame)
    return [frame] * n


def _passer_by(height: int) -> tuple[np.ndarray, np.ndarray]:
    """Someone seen from behind, out of focus (the portrait's outline, in dark hair and a blue jumper), ``height``
    pixels tall: a picture and its mask."""
    _, mask = _cutout()
    scale = height / mask.shape[0]
    mask = cv2.resize(mask, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    body = np.empty((*mask.shape, 3), np.uint8)
    body[:] = (120, 70, 40)  # a blue jumper
    body[: round(0.45 * mask.shape[0])] = (35, 45, 60)  # dark hair from behind
    body = cv2.GaussianBlur(body, (0, 0), 3)
    return body, cv2.GaussianBlur(mask, (0, 0), 3)[..., None]


def walking_behind(room: np.ndarray, n: int, seed: int = 4) -> list[np.ndarray]:
    """The candidate in front of ``room`` while someone walks across the room behind them, left to right, in
    ``n`` frames."""
    rng = np.random.default_rng(seed)
    height, width = room.shape[:2]
    body, alpha = _passer_by(int(height * 0.8))
    frames = []
    for i in range(n):
        behind = room.astype(np.float32)
        left = round(-body.shape[1] + (width + body.shape[1]) * i / max(1, n - 1))
        top = height - body.shape[0]
        x0, x1 = max(0, left), min(width, left + body.shape[1])
        if x1 > x0:
            a = alpha[:, x0 - left:x1 - left]
            behind[top:, x0:x1] = a * body[:, x0 - left:x1 - left] + (1 - a) * behind[top:, x0:x1]
        frame = place(behind.astype(np.uint8)).frame
        frames.append(np.clip(frame + rng.normal(0, 2.5, frame.shape), 0, 255).astype(np.uint8))
    return frames
