"""Recruiter profiles (TOML). For now: read and validated as TOML; threshold overrides are applied."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checks.resources import tomllib

MAX_PROFILE_BYTES = 256 * 1024


class ProfileError(ValueError):
    """A profile that cannot be used, with a message naming the file, line or field."""


@dataclass(frozen=True)
class Profile:
    path: Path
    name: str
    thresholds: dict[str, Any] = field(default_factory=dict)


def load_profile(path: Path) -> Profile:
    """Read a profile; :class:`ProfileError` says what is wrong and where."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ProfileError(f"{path}: cannot be read ({error.strerror or error})") from None
    if len(raw) > MAX_PROFILE_BYTES:
        raise ProfileError(f"{path}: is larger than {MAX_PROFILE_BYTES // 1024} KiB; a profile is a short text file")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ProfileError(f"{path}: is not a UTF-8 text file") from None
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(f"{path}: {error}") from None
    name = data.get("organisation", path.stem)
    if not isinstance(name, str):
        raise ProfileError(f"{path}: 'organisation' must be text")
    thresholds = data.get("thresholds", {})
    if not isinstance(thresholds, dict) or not all(isinstance(v, dict) for v in thresholds.values()):
        raise ProfileError(f"{path}: 'thresholds' must hold a table per check id, e.g. [thresholds.\"system.cpu\"]")
    return Profile(path=path, name=name, thresholds=thresholds)
