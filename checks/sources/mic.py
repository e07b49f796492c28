"""The microphone source: a sounddevice input stream, or an audio file (WAV, FLAC, OGG)."""

from __future__ import annotations

import math
import queue
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from checks.sources import SourceError, SourceSpec

AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".oga", ".aiff", ".aif", ".au", ".mp3")
MAX_FILE_SECONDS = 120  # longer files are read only this far: a check never needs more
MAX_FILE_SAMPLES = 6_000_000
"""… and only this many samples in all (frames × channels): a long file at a high rate with many channels keeps
the memory the analysis needs within bounds (about a minute of 48 kHz stereo)."""
QUEUE_BLOCKS = 400  # about 10 s of 25 ms blocks; the callback drops the oldest past that


class MicSpec(SourceSpec):
    """What ``--mic`` asked for: ``auto``, a device number, part of a device name, an audio file, or ``none``."""

    extensions = AUDIO_EXTENSIONS
    option = "--mic"

    @classmethod
    def parse_name(cls, text: str) -> MicSpec:
        return cls("name", name=text)


class MicSource:
    """An opened microphone or audio file. ``read`` gives float32 samples shaped (frames, channels)."""

    name: str
    samplerate: int
    channels: int
    is_file: bool
    file_s: float | None = None
    """How long the whole file is, when only its start was read (None: a microphone, or a file read whole)."""

    def read(self, seconds: float, cancel: threading.Event | None = None) -> np.ndarray:
        raise NotImplementedError

    def blocks(self, seconds: float, cancel: threading.Event | None = None) -> Iterator[np.ndarray]:
        """The next ``seconds`` of sound as blocks, as they arrive (a recording without gaps between blocks)."""
        yield self.read(seconds, cancel)

    def close(self) -> None:
        raise NotImplementedError


class FileMic(MicSource):
    """An audio file, read into memory on open (a long one only its start: :data:`MAX_FILE_SECONDS`,
    :data:`MAX_FILE_SAMPLES`); ``read`` walks through it and starts over at the end."""

    is_file = True

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise SourceError("mic.no_file", path=path)
        import soundfile

        try:
            with soundfile.SoundFile(str(path)) as f:
                self.samplerate = int(f.samplerate)
                most = min(MAX_FILE_SECONDS * f.samplerate, MAX_FILE_SAMPLES // max(1, f.channels))
                self.data = f.read(frames=most, dtype="float32", always_2d=True)
                if f.frames > len(self.data):
                    self.file_s = f.frames / f.samplerate
        except (soundfile.LibsndfileError, RuntimeError, ValueError, TypeError) as error:
            raise SourceError("mic.bad_file", path=path, error=error) from None
        if self.data.size == 0:
            raise SourceError("mic.empty_file", path=path)
        self.name = path.name
        self.channels = int(self.data.shape[1])
        self._cursor = 0
        self._lock = threading.Lock()

    def read(self, seconds: float, cancel: threading.Event | None = None) -> np.ndarray:
        want = max(1, round(seconds * self.samplerate))
        with self._lock:
            if self._cursor >= len(self.data):
                self._cursor = 0
            chunk = self.data[self._cursor : self._cursor + want]
            self._cursor += len(chunk)
            return chunk.copy()

    def close(self) -> None:
        self.data = np.zeros((0, self.channels), dtype=np.float32)


def _sounddevice() -> Any:
    try:
        import sounddevice
    except OSError:  # the PortAudio library is missing
        raise SourceError("mic.no_portaudio") from None
    return sounddevice


class LiveMic(MicSource):
    """A microphone. The stream runs from open to close; its callback only copies blocks into a bounded queue."""

    is_file = False

    def __init__(self, sd: Any, device: int, info: dict[str, Any]) -> None:
        self.name = f"{info['name']} (microphone {device})"
        self.samplerate = int(info["default_samplerate"])
        self.channels = max(1, min(2, int(info["max_input_channels"])))
        self.dropped_blocks = 0
        self.tap: Callable[[np.ndarray, Any], None] | None = None
        """Called from the audio callback with each block and its timing (PortAudio's ``time_info``) while set:
        for a measurement that needs to know when each block was recorded (checks/sources/echo.py)."""
        self._queue: queue.Queue[np.ndarray] = queue.Queue(maxsize=QUEUE_BLOCKS)
        try:
            self._stream = sd.InputStream(device=device, channels=self.channels, samplerate=self.samplerate,
                                          dtype="float32", callback=self._callback)
            self._stream.start()
        except Exception as error:  # PortAudioError, or ValueError for settings the device refuses
            raise SourceError("mic.cannot_open", name=self.name, error=error) from None

    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        tap = self.tap
        if tap is not None:
            tap(indata, time_info)
        try:
            self._queue.put_nowait(indata.copy())
        except queue.Full:
            self.dropped_blocks += 1
            try:
                self._queue.get_nowait()
                self._queue.put_nowait(indata.copy())
            except (queue.Empty, queue.Full):
                pass

    def read(self, seconds: float, cancel: threading.Event | None = None) -> np.ndarray:
        """Record the next ``seconds`` (what arrived before the call is dropped)."""
        blocks = list(self.blocks(seconds, cancel))
        if not blocks:
            return np.zeros((0, self.channels), dtype=np.float32)
        return np.concatenate(blocks)

    def blocks(self, seconds: float, cancel: threading.Event | None = None) -> Iterator[np.ndarray]:
        """Yield the next ``seconds`` block by block as they arrive (what arrived before the call is dropped)."""
        while not self._queue.empty():
            self._queue.get_nowait()
        want = max(1, round(seconds * self.samplerate))
        have = 0
        give_up = time.monotonic() + seconds + 3.0  # a stream may take a couple of seconds to start
        while have < want:
            if cancel is not None and cancel.is_set():
                break
            try:
                block = self._queue.get(timeout=0.1)
            except queue.Empty:
                if time.monotonic() > give_up:
                    raise SourceError("mic.no_data", name=self.name) from None
                continue
            block = block[: want - have]
            have += len(block)
            yield block

    def close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.stop()
            stream.close()


def _find_device(sd: Any, spec: MicSpec) -> int:
    devices = list(sd.query_devices())
    inputs = [i for i, d in enumerate(devices) if d.get("max_input_channels", 0) > 0]
    if spec.kind == "index":
        if spec.index not in inputs:
            raise SourceError("mic.no_such_index", index=spec.index,
                              available=", ".join(f"{i}: {devices[i]['name']}" for i in inputs) or "none")
        assert spec.index is not None
        return spec.index
    if spec.kind == "name":
        matches = [i for i in inputs if spec.name.lower() in devices[i]["name"].lower()]
        if not matches:
            raise SourceError("mic.no_such_name", name=spec.name,
                              available=", ".join(devices[i]["name"] for i in inputs) or "none")
        return matches[0]
    pair = sd.default.device  # sounddevice's _InputOutputPair: indexable, but not a list or tuple
    default = pair[0] if hasattr(pair, "__getitem__") else pair
    if isinstance(default, int) and default in inputs:
        return default
    if not inputs:
        raise SourceError("mic.none_found")
    return inputs[0]


def open_mic(spec: MicSpec) -> MicSource:
    """Open what ``spec`` names, or raise :class:`SourceError` saying why not."""
    if spec.kind == "file":
        assert spec.path is not None
        return FileMic(spec.path)
    if spec.kind == "none":
        raise ValueError("mic spec 'none' opens nothing")
    sd = _sounddevice()
    try:
        device = _find_device(sd, spec)
        info = sd.query_devices(device)
    except sd.PortAudioError as error:
        raise SourceError("mic.cannot_open", name=str(spec), error=error) from None
    return LiveMic(sd, device, info)


class MicLevel:
    """Only whether sound still arrives (interview mode's optional watcher): an input stream on the chosen
    microphone whose callback keeps the loudest block's mean square since the last look and drops the block there.
    Nothing is recorded or kept; :meth:`level` is the one figure that leaves it."""

    def __init__(self, spec: MicSpec) -> None:
        if spec.kind in ("file", "none"):
            raise ValueError("the level watcher listens to a microphone, not a file")
        sd = _sounddevice()
        self._lock = threading.Lock()
        self._loudest: float | None = None
        self._stream = None
        self.name = str(spec)
        try:
            device = _find_device(sd, spec)
            info = sd.query_devices(device)
            self.name = f"{info['name']} (microphone {device})"
            rate = int(info["default_samplerate"])
            self._stream = sd.InputStream(device=device, channels=max(1, min(2, int(info["max_input_channels"]))),
                                          samplerate=rate, blocksize=rate // 10, dtype="float32",
                                          callback=self._callback)
            self._stream.start()
        except SourceError:
            raise
        except Exception as error:  # PortAudioError: busy, not shareable, refused settings
            raise SourceError("mic.cannot_open", name=self.name, error=error) from None

    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        power = float(np.mean(np.square(indata, dtype=np.float32)))
        with self._lock:
            self._loudest = power if self._loudest is None else max(self._loudest, power)

    def level(self) -> float | None:
        """The loudest block's level in dBFS since the last call (-inf: digital silence); None: no sound arrived."""
        with self._lock:
            power, self._loudest = self._loudest, None
        if power is None:
            return None
        return 10 * math.log10(power) if power > 0 else -math.inf

    def close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.stop()
            stream.close()
