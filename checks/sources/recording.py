"""One recording from the opened microphone, shared by the microphone checks and the window's guided recording.

For a file source the recording is the whole file; for a microphone it is the next few seconds, block by block,
with progress, so a level meter can be fed while it records. The recording stays in memory.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from checks.sources import SourceError
from checks.sources.mic import FileMic, MicSource
from checks.text.wording import say

GUIDED_QUIET_S = 3.0
"""The guided recording: first this long quiet (the background), …"""
GUIDED_TOTAL_S = 10.0
"""… then a sentence read aloud, until this long in all."""


def guided_prompt(elapsed_s: float, quiet_s: float = GUIDED_QUIET_S) -> str:
    """What the window asks for after ``elapsed_s`` of a guided recording: stay quiet, then read aloud.

    The take then carries when it asked for quiet (:attr:`Recording.quiet`), and the background is measured
    there; speech is found by the analysis itself, whenever it happens.
    """
    if elapsed_s < quiet_s:
        return say("mic.guide.quiet", seconds=max(1, int(quiet_s - elapsed_s + 0.999)))
    return say("mic.guide.speak")


@dataclass(frozen=True)
class Recording:
    """Samples as float32 (frames, channels), with where they came from."""

    samples: np.ndarray
    samplerate: int
    name: str
    is_file: bool
    quiet: tuple[float, float] | None = None
    """When the candidate was asked to stay quiet (start and end, seconds into the take), for a guided take."""
    file_s: float | None = None
    """How long the whole file is, when the recording is only its start (a long file: see FileMic)."""
    stopped: SourceError | None = None
    """Why the take ended before its time (the microphone stopped sending), when it was kept all the same."""

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.samplerate


def record(mic: MicSource, seconds: float, *, cancel: threading.Event | None = None,
           progress: Callable[[float], None] | None = None,
           on_block: Callable[[np.ndarray], None] | None = None, keep_partial: bool = False) -> Recording:
    """Record ``seconds`` from ``mic`` (a file: all of it), calling ``progress(0..1)`` and ``on_block(block)``.

    Stops early, returning what it has, when ``cancel`` is set. A microphone that stops sending raises
    :class:`checks.sources.SourceError` (``mic.no_data``); with ``keep_partial`` the take is what came before,
    marked :attr:`Recording.stopped` (the good seconds are still worth analysing).
    """
    if isinstance(mic, FileMic):
        samples = mic.data  # not copied: a long file's start is large, and closing the file does not change it
        if on_block is not None:
            on_block(samples)
        if progress is not None:
            progress(1.0)
        quiet = mic.quiet if isinstance(mic, RecordedMic) else None
        # a RecordedMic's take was live: it keeps its quiet part
        return Recording(samples, mic.samplerate, mic.name, mic.is_file, quiet, mic.file_s)
    want = max(1, round(seconds * mic.samplerate))
    blocks: list[np.ndarray] = []
    have = 0
    stopped: SourceError | None = None
    try:
        for block in mic.blocks(seconds, cancel):
            blocks.append(block)
            have += len(block)
            if on_block is not None:
                on_block(block)
            if progress is not None:
                progress(min(1.0, have / want))
    except SourceError as error:
        if not keep_partial:
            raise
        stopped = error
    samples = np.concatenate(blocks) if blocks else np.zeros((0, mic.channels), np.float32)
    return Recording(samples, mic.samplerate, mic.name, mic.is_file, stopped=stopped)


def guided_take(take: Recording, quiet_s: float = GUIDED_QUIET_S) -> Recording:
    """``take``, recorded live while :func:`guided_prompt` asked for quiet for its first ``quiet_s``, marked so.

    A file's take is the whole file, whatever the prompts said meanwhile: it is left unmarked.
    """
    if take.is_file:
        return take
    return dataclasses.replace(take, quiet=(0.0, min(quiet_s, take.seconds)))


class RecordedMic(FileMic):
    """A recording made earlier (e.g. the window's guided recording) as a source the checks can analyse."""

    def __init__(self, recording: Recording) -> None:  # no file to open: the samples are in memory
        self.samplerate = recording.samplerate
        data = np.asarray(recording.samples, dtype=np.float32)
        self.data = data[:, None] if data.ndim == 1 else data
        self.name = recording.name
        self.is_file = recording.is_file
        self.quiet = recording.quiet
        self.channels = int(self.data.shape[1])
        self._cursor = 0
        self._lock = threading.Lock()
