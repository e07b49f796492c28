"""Makes the demo media: ``camera.mp4`` (a drawn room with a person) and ``speech.wav``.

Run ``.venv/bin/python assets/demo/generate.py``; it needs ``espeak-ng`` (Debian package) for the voice.
The files are committed, so the app never needs this script at run time.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import cv2
import numpy as np
import soundfile

HERE = Path(__file__).resolve().parent
WIDTH, HEIGHT, FPS, SECONDS = 1280, 720, 15, 2
RATE = 48_000
SENTENCE = "Hello, I am ready for my interview. Thank you for taking the time to speak with me today."


def _room(rng: np.random.Generator) -> np.ndarray:
    y = np.linspace(0, 1, HEIGHT, dtype=np.float32)[:, None]
    wall = np.empty((HEIGHT, WIDTH, 3), np.float32)
    wall[:] = (150 + 30 * (1 - y))[..., None] * np.array([0.92, 0.97, 1.0], np.float32)  # BGR, warm wall
    img = wall.astype(np.uint8)
    cv2.rectangle(img, (60, 120), (300, 620), (60, 80, 110), -1)  # a bookshelf
    for shelf in range(5):
        top = 140 + shelf * 96
        cv2.line(img, (60, top + 80), (300, top + 80), (40, 55, 80), 6)
        x = 70
        while x < 285:
            w = int(rng.integers(10, 24))
            colour = tuple(int(c) for c in rng.integers(40, 200, 3))
            cv2.rectangle(img, (x, top + int(rng.integers(15, 35))), (x + w, top + 76), colour, -1)
            x += w + 2
    cv2.rectangle(img, (1000, 200), (1180, 420), (80, 140, 90), -1)  # a picture on the wall
    return img


def _person(img: np.ndarray) -> None:
    cx, cy = WIDTH // 2, 330
    cv2.ellipse(img, (cx, HEIGHT + 60), (300, 260), 0, 180, 360, (90, 60, 40), -1)  # shoulders, dark top
    cv2.rectangle(img, (cx - 45, cy + 90), (cx + 45, cy + 190), (120, 150, 200), -1)  # neck
    cv2.ellipse(img, (cx, cy), (105, 135), 0, 0, 360, (125, 160, 215), -1)  # face
    cv2.ellipse(img, (cx, cy - 70), (112, 80), 0, 180, 360, (30, 40, 60), -1)  # hair
    for dx in (-40, 40):
        cv2.ellipse(img, (cx + dx, cy - 10), (16, 9), 0, 0, 360, (250, 250, 250), -1)
        cv2.circle(img, (cx + dx, cy - 10), 7, (50, 40, 30), -1)
    cv2.ellipse(img, (cx, cy + 60), (36, 14), 0, 0, 180, (80, 80, 170), 4)  # smile


def make_video(path: Path) -> None:
    rng = np.random.default_rng(7)
    base = _room(rng)
    _person(base)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), FPS, (WIDTH, HEIGHT))
    for _ in range(FPS * SECONDS):
        noise = rng.normal(0, 2.0, base.shape).astype(np.float32)  # sensor noise: frames are never identical
        writer.write(np.clip(base + noise, 0, 255).astype(np.uint8))
    writer.release()


def make_speech(path: Path) -> None:
    rng = np.random.default_rng(11)
    with tempfile.TemporaryDirectory() as tmp:
        voice_file = Path(tmp) / "voice.wav"
        subprocess.run(["espeak-ng", "-v", "en", "-s", "150", "-w", str(voice_file), SENTENCE], check=True)
        voice, rate = soundfile.read(voice_file, dtype="float32")
    # resample to the file rate by linear interpolation (enough for a demo voice)
    t = np.arange(int(len(voice) * RATE / rate)) * rate / RATE
    voice = np.interp(t, np.arange(len(voice)), voice).astype(np.float32)
    voice *= 10 ** (-18 / 20) / max(1e-9, float(np.sqrt(np.mean(voice[np.abs(voice) > 0.01] ** 2))))
    quiet = np.zeros(3 * RATE, np.float32)  # "stay quiet for 3 seconds"
    audio = np.concatenate([quiet, voice, np.zeros(RATE // 2, np.float32)])
    audio += rng.normal(0, 10 ** (-62 / 20), len(audio)).astype(np.float32)  # a quiet room
    soundfile.write(path, np.clip(audio, -1, 1), RATE, subtype="PCM_16")


if __name__ == "__main__":
    make_video(HERE / "camera.mp4")
    make_speech(HERE / "speech.wav")
    print("wrote", HERE / "camera.mp4", "and", HERE / "speech.wav")
