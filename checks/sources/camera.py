"""The camera source: OpenCV ``VideoCapture`` on a device index or a video file, or a still image."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import numpy as np

from checks.sources import SourceError, SourceSpec

os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")  # no V4L2 warnings on stderr when probing cameras

import cv2

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff")
VIDEO_EXTENSIONS = (".mp4", ".avi", ".mkv", ".mov", ".webm", ".m4v", ".mjpg", ".mjpeg")


class CameraSpec(SourceSpec):
    """What ``--camera`` asked for: ``auto``, a device number, a picture or video file, or ``none``."""

    extensions = IMAGE_EXTENSIONS + VIDEO_EXTENSIONS
    option = "--camera"


class CameraSource:
    """An opened camera, video or image. ``read()`` is safe to call from several checks' threads."""

    def __init__(self, name: str, *, capture: cv2.VideoCapture | None = None,
                 still: np.ndarray | None = None, is_file: bool = False) -> None:
        self.name = name
        self.is_file = is_file
        self._capture = capture
        self._still = still
        self._lock = threading.Lock()
        first = self.read()
        self.height, self.width = first.shape[:2]
        self.fps = float(capture.get(cv2.CAP_PROP_FPS)) if capture is not None else 0.0

    def read(self) -> np.ndarray:
        """The next frame (BGR, uint8). A video file starts again at its end."""
        with self._lock:
            if self._still is not None:
                return self._still.copy()
            if self._capture is None:
                raise SourceError("camera.closed", name=self.name)
            ok, frame = self._capture.read()
            if not ok and self.is_file:
                self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
                ok, frame = self._capture.read()
            if not ok or frame is None:
                raise SourceError("camera.no_picture", name=self.name)
            return frame

    @property
    def is_still(self) -> bool:
        """A picture file: the same frame every time, no frame rate."""
        return self._still is not None

    def close(self) -> None:
        with self._lock:
            if self._capture is not None:
                self._capture.release()
                self._capture = None
            self._still = None

    @property
    def closed(self) -> bool:
        return self._capture is None and self._still is None


def _linux_camera_indices() -> list[int]:
    return sorted(int(p.name[5:]) for p in Path("/dev").glob("video*") if p.name[5:].isdigit())


def _device_name(index: int) -> str:
    sysfs = Path(f"/sys/class/video4linux/video{index}/name")
    try:
        return f"{sysfs.read_text().strip()} (camera {index})"
    except OSError:
        return f"Camera {index}"


def _open_device(index: int, warmup_s: float) -> CameraSource:
    capture = cv2.VideoCapture(index)
    if not capture.isOpened():
        capture.release()
        raise SourceError("camera.cannot_open", name=_device_name(index))
    # A camera needs a moment after opening; one that never sends a frame is held by another app.
    until = time.monotonic() + warmup_s
    while True:
        ok, _ = capture.read()
        if ok:
            break
        if time.monotonic() > until:
            capture.release()
            raise SourceError("camera.no_picture", name=_device_name(index))
        time.sleep(0.05)
    return CameraSource(_device_name(index), capture=capture)


def reads_every_video() -> bool:
    """Whether this OpenCV reads the common video formats (through FFmpeg). The app bundle's OpenCV has no FFmpeg:
    it reads video only as Motion JPEG (AVI), which OpenCV decodes itself."""
    return bool(cv2.videoio_registry.hasBackend(cv2.CAP_FFMPEG))


def _open_file(path: Path) -> CameraSource:
    if not path.is_file():
        raise SourceError("camera.no_file", path=path)
    if path.suffix.lower() in IMAGE_EXTENSIONS:
        still = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if still is None:
            raise SourceError("camera.bad_file", path=path)
        return CameraSource(path.name, still=still, is_file=True)
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        capture.release()
        if not reads_every_video():
            raise SourceError("camera.video_format", path=path)
        raise SourceError("camera.bad_file", path=path)
    try:
        return CameraSource(path.name, capture=capture, is_file=True)
    except SourceError:
        capture.release()
        raise SourceError("camera.bad_file", path=path) from None


def open_camera(spec: CameraSpec, warmup_s: float = 3.0) -> CameraSource:
    """Open what ``spec`` names, or raise :class:`SourceError` saying why not."""
    if spec.kind == "file":
        assert spec.path is not None
        return _open_file(spec.path)
    if spec.kind == "index":
        assert spec.index is not None
        return _open_device(spec.index, warmup_s)
    if spec.kind == "auto":
        candidates = _linux_camera_indices() if sys.platform.startswith("linux") else [0]
        if not candidates:
            raise SourceError("camera.none_found")
        first_error: SourceError | None = None
        for index in candidates:  # some /dev/video nodes are metadata nodes that never open
            try:
                return _open_device(index, warmup_s)
            except SourceError as error:
                first_error = first_error or error
        assert first_error is not None
        raise first_error
    raise ValueError(f"camera spec {spec.kind!r} opens nothing")


class FrameFeed:
    """One reader of a camera in its own thread, shared by any number of consumers.

    The live preview and the camera checks each get every new frame (or the newest one, if they are slower)
    without reading the camera themselves, so the frame rate each measures is the camera's own. A video file
    is played at its own pace.
    """

    def __init__(self, source: CameraSource) -> None:
        self.source = source
        self._cond = threading.Condition()
        self._frame: np.ndarray | None = None
        self._seq = 0
        self._error: SourceError | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._pump, name="camera feed", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        if self.source.is_still:  # a picture never changes: publish it once
            frame = self.source.read()
            with self._cond:
                self._frame, self._seq = frame, 1
                self._cond.notify_all()
            return
        pace = 1.0 / (self.source.fps if self.source.fps > 0 else 10.0) if self.source.is_file else 0.0
        next_at = time.monotonic()
        while not self._stop.is_set():
            try:
                frame = self.source.read()
            except SourceError as error:
                with self._cond:
                    self._error = error
                    self._cond.notify_all()
                return
            with self._cond:
                self._frame, self._seq = frame, self._seq + 1
                self._cond.notify_all()
            if pace:
                next_at += pace
                self._stop.wait(max(0.0, next_at - time.monotonic()))

    def latest(self) -> tuple[int, np.ndarray | None]:
        """The newest frame and its number (0 and None before the first one)."""
        with self._cond:
            return self._seq, self._frame

    def wait_newer(self, seq: int, timeout: float) -> tuple[int, np.ndarray]:
        """The first frame newer than number ``seq``; SourceError when none comes in ``timeout`` seconds."""
        with self._cond:
            self._cond.wait_for(lambda: self._seq > seq or self._error is not None or self._stop.is_set(), timeout)
            if self._seq > seq and self._frame is not None:
                return self._seq, self._frame
            raise self._error or SourceError("camera.no_picture", name=self.source.name)

    def reader(self) -> FeedReader:
        return FeedReader(self)

    def close(self) -> None:
        """Stop reading and release the camera."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        self._thread.join(2.0)
        self.source.close()


class FeedReader:
    """A :class:`CameraSource`-like view of a :class:`FrameFeed` for one consumer (the camera checks)."""

    def __init__(self, feed: FrameFeed, timeout: float = 3.0) -> None:
        self.feed = feed
        self.timeout = timeout
        self._seen = 0
        source = feed.source
        self.name, self.is_file, self.is_still, self.fps = source.name, source.is_file, source.is_still, source.fps
        self.width, self.height = source.width, source.height

    def read(self) -> np.ndarray:
        if self.is_still:  # a picture: always the same frame
            return self.feed.source.read()
        self._seen, frame = self.feed.wait_newer(self._seen, self.timeout)
        return frame

    def close(self) -> None:
        """The feed's owner releases the camera, not a reader."""
