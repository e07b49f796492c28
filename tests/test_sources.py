"""Camera and microphone sources on real files: pictures, videos, recordings, and broken ones."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import soundfile

from checks.sources import SourceError
from checks.sources.camera import CameraSpec, open_camera
from checks.sources.mic import MicSpec, open_mic
from tests.conftest import DEMO


@pytest.mark.parametrize(("text", "expected"), [
    ("auto", CameraSpec("auto")), ("none", CameraSpec("none")), ("2", CameraSpec("index", index=2)),
    ("me.png", CameraSpec("file", path=Path("me.png"))), ("dir/clip", CameraSpec("file", path=Path("dir/clip"))),
])
def test_camera_spec(text, expected):
    assert CameraSpec.parse(text) == expected


def test_camera_spec_rejects_words():
    with pytest.raises(ValueError, match="--camera takes"):
        CameraSpec.parse("frontcam")


@pytest.mark.parametrize(("text", "kind"), [
    ("auto", "auto"), ("none", "none"), ("3", "index"), ("USB Headset", "name"), ("talk.wav", "file"),
    ("rec/take", "file"),
])
def test_mic_spec(text, kind):
    assert MicSpec.parse(text).kind == kind


def test_a_picture_file_repeats_its_frame(tmp_path):
    picture = np.full((480, 640, 3), 90, np.uint8)
    cv2.circle(picture, (320, 240), 80, (10, 200, 30), -1)
    path = tmp_path / "me.png"
    cv2.imwrite(str(path), picture)
    camera = open_camera(CameraSpec.parse(str(path)))
    assert (camera.width, camera.height, camera.is_file, camera.name) == (640, 480, True, "me.png")
    assert np.array_equal(camera.read(), picture) and np.array_equal(camera.read(), picture)
    camera.close()
    assert camera.closed
    with pytest.raises(SourceError):
        camera.read()


def test_a_video_file_loops_at_its_end(tmp_path):
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (320, 240))
    for shade in (0, 120, 240):
        writer.write(np.full((240, 320, 3), shade, np.uint8))
    writer.release()
    camera = open_camera(CameraSpec.parse(str(path)))
    means = [round(float(camera.read().mean()) / 10) * 10 for _ in range(6)]
    # the first frame was read on open; then the clip goes on and starts over at its end
    assert means[:2] == [120, 240] and means[2] == 0
    assert camera.fps == pytest.approx(10)


def test_the_demo_video_opens():
    camera = open_camera(CameraSpec.parse(str(DEMO / "camera.avi")))
    assert (camera.width, camera.height) == (1280, 720)


@pytest.mark.parametrize(("name", "content", "key"), [
    ("missing.png", None, "camera.no_file"),
    ("broken.png", b"\x89PNG not really", "camera.bad_file"),
    ("notes.mp4", b"just some text, not a video", "camera.bad_file"),
    ("empty.jpg", b"", "camera.bad_file"),
])
def test_a_bad_camera_file_says_so_with_its_path(tmp_path, name, content, key):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SourceError) as caught:
        open_camera(CameraSpec.parse(str(path)))
    assert caught.value.key == key and str(path) in caught.value.summary and caught.value.advice


def test_a_camera_index_that_does_not_exist_fails_clearly():
    with pytest.raises(SourceError) as caught:
        open_camera(CameraSpec.parse("57"))
    assert caught.value.key == "camera.cannot_open" and "57" in caught.value.summary


def _tone(rate: int, seconds: float, dbfs: float, channels: int = 1) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    tone = (10 ** (dbfs / 20) * np.sqrt(2) * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    return np.repeat(tone[:, None], channels, axis=1)


@pytest.mark.parametrize(("suffix", "subtype"), [(".wav", "PCM_16"), (".wav", "FLOAT"), (".flac", "PCM_24")])
def test_an_audio_file_reads_in_chunks_and_starts_over(tmp_path, suffix, subtype):
    path = tmp_path / f"tone{suffix}"
    soundfile.write(path, _tone(16000, 1.0, -20, channels=2), 16000, subtype=subtype)
    mic = open_mic(MicSpec.parse(str(path)))
    assert (mic.samplerate, mic.channels, mic.is_file) == (16000, 2, True)
    first = mic.read(0.75)
    rest = mic.read(0.75)
    again = mic.read(0.25)
    assert first.shape == (12000, 2) and rest.shape == (4000, 2) and again.shape == (4000, 2)
    assert first.dtype == np.float32
    level = 20 * np.log10(np.sqrt(np.mean(first[:, 0] ** 2)))
    assert level == pytest.approx(-20, abs=0.1)


@pytest.mark.parametrize(("name", "content", "key"), [
    ("missing.wav", None, "mic.no_file"),
    ("noise.wav", b"RIFF\x00\x00garbage that is not a wave file", "mic.bad_file"),
    ("empty.wav", b"", "mic.bad_file"),
    ("photo.wav", (DEMO / "camera.avi").read_bytes()[:4096], "mic.bad_file"),
])
def test_a_bad_audio_file_says_so_with_its_path(tmp_path, name, content, key):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SourceError) as caught:
        open_mic(MicSpec.parse(str(path)))
    assert caught.value.key == key and str(path) in caught.value.summary


def test_a_wav_with_no_samples_is_empty(tmp_path):
    path = tmp_path / "silent.wav"
    soundfile.write(path, np.zeros((0, 1), np.float32), 16000)
    with pytest.raises(SourceError) as caught:
        open_mic(MicSpec.parse(str(path)))
    assert caught.value.key == "mic.empty_file"
