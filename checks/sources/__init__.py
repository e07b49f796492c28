"""Device sources: one opened camera and one opened microphone per run, shared by the checks.

A source that cannot be opened raises :class:`SourceError`, whose sentences are shown as the
failing ``camera.device`` / ``mic.device`` result instead of an exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from checks.text.wording import say, say_all


class SourceError(Exception):
    """A device or file that could not be opened or read, with the sentences to show for it."""

    def __init__(self, key: str, **fields: object) -> None:
        self.key, self.fields = key, fields
        self.summary = say(f"sources.{key}.summary", **fields)
        self.advice = say_all(f"sources.{key}.advice", **fields)
        super().__init__(self.summary)


def looks_like_path(text: str, extensions: tuple[str, ...]) -> bool:
    """Whether a source argument names a file rather than a device."""
    return "/" in text or "\\" in text or text.lower().endswith(extensions)


@dataclass(frozen=True)
class SourceSpec:
    """What ``--camera`` / ``--mic`` asked for: ``auto``, a device number, a device name, a file, or ``none``."""

    kind: str  # "auto" | "index" | "name" | "file" | "none"
    index: int | None = None
    name: str = ""
    path: Path | None = None

    extensions: ClassVar[tuple[str, ...]] = ()
    """File name endings that make an argument a file even when it does not exist (so the error names it)."""
    option: ClassVar[str] = ""

    @property
    def text(self) -> str:
        """The spec as the command line says it (what :meth:`parse` reads back)."""
        if self.kind == "index":
            return str(self.index)
        if self.kind == "file":
            return str(self.path)
        return self.name if self.kind == "name" else self.kind

    @classmethod
    def parse(cls, text: str) -> SourceSpec:
        text = text.strip()
        if text.lower() in ("", "none", "off"):
            return cls("none")
        if text.lower() == "auto":
            return cls("auto")
        if text.isdigit():
            return cls("index", index=int(text))
        if looks_like_path(text, cls.extensions) or Path(text).is_file():
            return cls("file", path=Path(text).expanduser())
        return cls.parse_name(text)

    @classmethod
    def parse_name(cls, text: str) -> SourceSpec:
        """A word that is neither a number nor a file; only devices that have names accept one."""
        raise ValueError(f"{cls.option} takes auto, none, a device number or a file, not {text!r}")

    def __str__(self) -> str:
        return {"index": str(self.index), "name": self.name, "file": str(self.path)}.get(self.kind, self.kind)
