"""Makes the demo media: ``camera.avi`` (a person in a room; Motion JPEG, as webcams send it, which OpenCV reads
with its own decoder, so the app bundle needs no FFmpeg) and ``speech.wav``.

Run ``.venv/bin/python assets/demo/generate.py`` from the repository; it needs the test extras (scikit-image) and
``espeak-ng`` (Debian package) for the voice.
The files are committed, so the app never needs this script at run time.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np
import soundfile

HERE = Path(__file__).resolve().parent
WIDTH, HEIGHT, FPS, SECONDS = 1280, 720, 25, 1  # a one-second loop (4 MB)
QUALITY = 50  # JPEG quality of each frame (OpenCV's own encoder)
RATE = 48_000
SENTENCE = "Hello, I am ready for my interview. Thank you for taking the time to speak with me today."


def make_video(path: Path) -> None:
    """The candidate (a public-domain portrait, see tests/support/scenes.py) in a room with a bookshelf, swaying a
    little."""
    sys.path.insert(0, str(HERE.parents[1]))
    from tests.support import scenes

    rng = np.random.default_rng(7)
    room = scenes.wall(WIDTH, HEIGHT)
    scenes.bookshelf(room, 40, 120, 240, 520, np.random.default_rng(5))
    cv2.rectangle(room, (1000, 200), (1180, 420), (80, 140, 90), -1)  # a picture on the wall
    writer = cv2.VideoWriter(str(path), cv2.CAP_OPENCV_MJPEG, cv2.VideoWriter_fourcc(*"MJPG"), FPS, (WIDTH, HEIGHT))
    writer.set(cv2.VIDEOWRITER_PROP_QUALITY, QUALITY)
    for i in range(FPS * SECONDS):
        sway = 0.012 * np.sin(2 * np.pi * i / (FPS * SECONDS))
        frame = scenes.place(room, face_w=0.13, face_cx=0.5 + sway, face_top=0.24).frame
        writer.write(np.clip(frame + rng.normal(0, 2.5, frame.shape), 0, 255).astype(np.uint8))
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
    make_video(HERE / "camera.avi")
    make_speech(HERE / "speech.wav")
    print("wrote", HERE / "camera.avi", "and", HERE / "speech.wav")
