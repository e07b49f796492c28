"""The one thing the app keeps unasked: which camera, microphone and speakers the candidate chose, and the language
(a small file in the user's configuration folder). Never frames, sound or results; never in kiosk mode."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from checks.storage.files import write_atomically

FILE_NAME = "devices.json"


def config_dir() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("interview-ready", appauthor=False))


@dataclass(frozen=True)
class DeviceChoice:
    """What was chosen, as the command line would say it (``--camera 1``, ``--mic "USB headset"``, ``--lang de``)."""

    camera: str | None = None
    mic: str | None = None
    speaker: str | None = None
    language: str | None = None


def load_choice(folder: Path | None = None) -> DeviceChoice:
    """The remembered choice; nothing (not an error) when there is none or the file is unreadable."""
    path = (folder or config_dir()) / FILE_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return DeviceChoice()
    if not isinstance(data, dict):
        return DeviceChoice()
    known = {f.name for f in fields(DeviceChoice)}
    return DeviceChoice(**{k: v for k, v in data.items() if k in known and isinstance(v, str)})


def save_choice(choice: DeviceChoice, folder: Path | None = None) -> Path:
    folder = folder or config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FILE_NAME
    write_atomically(path, json.dumps(asdict(choice), indent=1) + "\n")
    return path
