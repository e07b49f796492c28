"""Playing a test sound through the speakers while the opened microphone records, with both on one clock.

The microphone is the run's opened :class:`~checks.sources.mic.LiveMic` (one opened source per device): its
audio callback hands each block and its PortAudio timing to a tap while the test plays. The speakers are a
sounddevice output stream opened for the test only, at the microphone's sample rate, whose callback copies the
next part of the sound. From the two streams' timing (the time the first sound sample reaches the speakers, the
time each recorded block left the microphone's converter) the recording is cut so that its sample 0 is the moment
the sound started playing: a delay measured in it is the path from speakers to microphone, not the buffering.

Nothing is saved: the recording stays in memory and is returned to the caller.

:func:`handsfree_profiles` reads ``pactl list cards`` (PulseAudio, or PipeWire's PulseAudio server) for a
Bluetooth headset in its hands-free (telephone-quality) profile.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from checks.sources import SourceError
from checks.sources.mic import LiveMic, MicSource, _sounddevice

START_TIMEOUT_S = 3.0
"""A stream that delivers nothing for this long is given up on."""


@dataclass(frozen=True)
class EchoRecording:
    """What the microphone heard while the test sound played, aligned: sample 0 is when the sound started."""

    samples: np.ndarray
    samplerate: int
    speakers: str
    """The output device's name."""
    timing: str
    """"stream" when both streams' own timing aligned the recording, "estimated" when a host gave none."""


def _output_device(sd: Any, device: int | str | None) -> tuple[int, dict[str, Any]]:
    devices = list(sd.query_devices())
    outputs = [i for i, d in enumerate(devices) if d.get("max_output_channels", 0) > 0]
    if isinstance(device, int):
        if device not in outputs:
            raise SourceError("speakers.none_found")
        return device, devices[device]
    if isinstance(device, str):
        matches = [i for i in outputs if device.lower() in devices[i]["name"].lower()]
        if not matches:
            raise SourceError("speakers.none_found")
        return matches[0], devices[matches[0]]
    pair = sd.default.device
    default = pair[1] if hasattr(pair, "__getitem__") else pair
    if isinstance(default, int) and default in outputs:
        return default, devices[default]
    if not outputs:
        raise SourceError("speakers.none_found")
    return outputs[0], devices[outputs[0]]


def play_and_record(mic: MicSource, sound: np.ndarray, *, tail_s: float = 0.8, device: int | str | None = None,
                    cancel: threading.Event | None = None) -> EchoRecording:
    """Play ``sound`` (1-D float32 at the microphone's rate) on ``device`` (None: the default output) while ``mic``
    records it and ``tail_s`` after it; the aligned recording.

    Raises :class:`SourceError` when the speakers cannot be opened or the microphone sends nothing; returns early
    (with what it has) when ``cancel`` is set.
    """
    if not isinstance(mic, LiveMic):
        raise ValueError("only a live microphone can hear the speakers")
    sd = _sounddevice()
    rate = mic.samplerate
    data = np.asarray(sound, dtype=np.float32).reshape(-1)
    blocks: list[tuple[float, np.ndarray]] = []
    lock = threading.Lock()

    def tap(indata: np.ndarray, time_info: Any) -> None:
        adc = float(getattr(time_info, "inputBufferAdcTime", 0.0) or 0.0)
        with lock:
            blocks.append((adc, indata.copy()))

    try:
        index, info = _output_device(sd, device)
    except sd.PortAudioError as error:
        raise SourceError("speakers.cannot_open", name=str(device or "default"), error=error) from None
    name = f"{info['name']} (speakers {index})"
    channels = max(1, min(2, int(info["max_output_channels"])))
    cursor = 0
    first_dac: list[float] = []
    done = threading.Event()

    def play(outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        nonlocal cursor
        if not first_dac:
            first_dac.append(float(getattr(time_info, "outputBufferDacTime", 0.0) or 0.0))
        chunk = data[cursor : cursor + frames]
        outdata[:] = 0
        outdata[: len(chunk)] = chunk[:, None]
        cursor += frames
        if len(chunk) < frames:
            raise sd.CallbackStop

    mic.tap = tap
    stream: Any = None
    try:
        _wait(lambda: len(blocks) > 0, START_TIMEOUT_S, cancel, SourceError("mic.no_data", name=mic.name))
        try:
            stream = sd.OutputStream(samplerate=rate, channels=channels, dtype="float32", device=index,
                                     callback=play, finished_callback=done.set)
            stream.start()
        except Exception as error:  # PortAudioError, or ValueError for a rate the device refuses
            raise SourceError("speakers.cannot_open", name=name, error=error) from None
        _wait(done.is_set, len(data) / rate + START_TIMEOUT_S, cancel, SourceError("speakers.no_sound", name=name))
        _wait(lambda: False, tail_s, cancel, None)
    finally:
        mic.tap = None
        if stream is not None:
            try:
                stream.abort()  # not stop(): it would wait for the buffered sound to play out
                stream.close()
            except Exception:  # an output that vanished while playing is already gone
                pass
    with lock:
        taken = list(blocks)
    if not taken:
        raise SourceError("mic.no_data", name=mic.name)
    recorded = np.concatenate([b for _, b in taken])
    timing = "stream" if first_dac and first_dac[0] > 0 and taken[0][0] > 0 else "estimated"
    if timing == "stream":
        start = sample_at(first_dac[0], taken, rate)
    else:  # no timing from the host: assume both started at once, less the output's reported buffering
        start = -round(float(stream.latency if stream is not None else 0.0) * rate)
    if start >= 0:
        aligned = recorded[start:]
    else:
        aligned = np.concatenate([np.zeros((-start, recorded.shape[1]), np.float32), recorded])
    return EchoRecording(aligned, rate, name, timing)


def sample_at(when: float, blocks: list[tuple[float, np.ndarray]], rate: int) -> int:
    """Where the host's time ``when`` falls in the recording the ``blocks`` make one after the other, each with the
    time the host gave its first sample. Those times are rough, block by block: through PulseAudio one block in a
    few came 2 to 9 ms early (the next on time again), on a busy machine more often. So the recording's start is
    the median over the blocks within a second of ``when`` of each block's time less its place in the recording,
    which one early block does not move; the first block's time alone made an echo 100 ms away read 8 to 10 ms
    early."""
    starts, near, offset = [], [], 0
    for taken_at, block in blocks:
        start = taken_at - offset / rate
        starts.append(start)
        if abs(taken_at - when) <= 1.0:
            near.append(start)
        offset += len(block)
    return round((when - float(np.median(near or starts))) * rate)


def _wait(condition: Any, seconds: float, cancel: threading.Event | None, error: SourceError | None) -> None:
    """Wait until ``condition()`` (or for ``seconds`` when it never holds and ``error`` is None); a cancel ends it."""
    end = time.monotonic() + seconds
    while not condition():
        if cancel is not None and cancel.is_set():
            return
        if time.monotonic() >= end:
            if error is not None:
                raise error
            return
        time.sleep(0.01)


HANDSFREE = re.compile(r"(headset[_-]head[_-]unit|handsfree|hands[_-]free|[_-]hsp|[_-]hfp)", re.IGNORECASE)


def handsfree_profiles(cards: str) -> list[tuple[str, str]]:
    """From ``pactl list cards`` text, each Bluetooth card whose active profile is hands-free: (name, profile)."""
    found = []
    for block in re.split(r"\n(?=Card #)", cards):
        name = re.search(r"^\s*Name:\s*(\S+)", block, re.MULTILINE)
        description = re.search(r"^\s*device\.description\s*=\s*\"([^\"]*)\"", block, re.MULTILINE)
        active = re.search(r"^\s*Active Profile:\s*(\S+)", block, re.MULTILINE)
        if name and active and "bluez" in name.group(1) and HANDSFREE.search(active.group(1)):
            found.append((description.group(1) if description else name.group(1), active.group(1)))
    return found


def active_handsfree(timeout: float = 3.0) -> list[tuple[str, str]]:
    """The Bluetooth headsets in hands-free mode, where ``pactl`` can tell (elsewhere: none)."""
    if shutil.which("pactl") is None:
        return []
    try:
        done = subprocess.run(["pactl", "list", "cards"], capture_output=True, text=True, timeout=timeout,
                              check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    return handsfree_profiles(done.stdout) if done.returncode == 0 else []
