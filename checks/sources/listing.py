"""The cameras, microphones and speakers this computer has, by the names the system gives them (no Qt).

Cameras: the V4L2 names on Linux; elsewhere OpenCV's backends (DirectShow, AVFoundation) give no names, so
the cameras that open are "Camera 0", "Camera 1". Microphones and speakers: sounddevice's list. A computer
without any (or without PortAudio) has empty lists; listing never fails.
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

MAX_PROBED_CAMERAS = 4


@dataclass(frozen=True)
class Device:
    index: int
    name: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _v4l2_cameras(root: Path = Path("/sys/class/video4linux")) -> list[Device]:
    found = []
    for node in sorted(root.glob("video*"), key=lambda p: int(p.name[5:]) if p.name[5:].isdigit() else 0):
        if not node.name[5:].isdigit():
            continue
        index_file = node / "index"  # a camera has several nodes; index 0 is the one that gives pictures
        with contextlib.suppress(OSError, ValueError):
            if index_file.exists() and int(index_file.read_text().strip()) != 0:
                continue
        try:
            name = (node / "name").read_text().strip()
        except OSError:
            name = ""
        index = int(node.name[5:])
        found.append(Device(index, name or f"Camera {index}"))
    return found


def _probed_cameras() -> list[Device]:
    import cv2

    found = []
    for index in range(MAX_PROBED_CAMERAS):
        capture = cv2.VideoCapture(index)
        try:
            if capture.isOpened():
                found.append(Device(index, f"Camera {index}"))
        finally:
            capture.release()
    return found


def list_cameras() -> list[Device]:
    if sys.platform.startswith("linux"):
        return _v4l2_cameras()
    try:
        return _probed_cameras()
    except Exception:  # a backend that fails to probe: no cameras to offer
        return []


def _sound_devices(direction: str) -> list[Device]:
    try:
        import sounddevice as sd

        devices = list(sd.query_devices())
    except Exception:  # no PortAudio, or no sound system at all
        return []
    key = "max_input_channels" if direction == "input" else "max_output_channels"
    return [Device(i, str(d.get("name", f"Device {i}"))) for i, d in enumerate(devices) if d.get(key, 0) > 0]


def list_microphones() -> list[Device]:
    return _sound_devices("input")


def list_speakers() -> list[Device]:
    return _sound_devices("output")


def all_devices() -> dict[str, list[dict[str, Any]]]:
    """``{"cameras": [...], "microphones": [...], "speakers": [...]}``, each ``{"index": 0, "name": "..."}``."""
    return {"cameras": [d.to_dict() for d in list_cameras()],
            "microphones": [d.to_dict() for d in list_microphones()],
            "speakers": [d.to_dict() for d in list_speakers()]}
