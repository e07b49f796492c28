"""Device sources: one opened camera and one opened microphone per run, shared by the checks.

A source that cannot be opened raises :class:`SourceError`, whose sentences are shown as the
failing ``camera.device`` / ``mic.device`` result instead of an exception.
"""

from __future__ import annotations

from checks.wording import say, say_all


class SourceError(Exception):
    """A device or file that could not be opened or read, with the sentences to show for it."""

    def __init__(self, key: str, **fields: object) -> None:
        self.key = key
        self.summary = say(f"sources.{key}.summary", **fields)
        self.advice = say_all(f"sources.{key}.advice", **fields)
        super().__init__(self.summary)


def looks_like_path(text: str, extensions: tuple[str, ...]) -> bool:
    """Whether a source argument names a file rather than a device."""
    return "/" in text or "\\" in text or text.lower().endswith(extensions)
