"""Recordings with known truth for the microphone tests and the benchmark: tones, coloured noise, hum, speech.

Levels are RMS in dBFS (``20·log10(rms)``), as in checks/analysis/audio.py. Speech is rendered by espeak-ng
(Debian package) once per process and cached in memory.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile

RATE = 48_000
SENTENCE = ("Hello, I am ready for my interview. Thank you for taking the time to speak with me today. "
            "I have worked on many projects in a small team.")


def rms_dbfs(x: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(np.square(x, dtype=np.float64)))))


def at_dbfs(x: np.ndarray, level: float) -> np.ndarray:
    """``x`` scaled so that its RMS is ``level`` dBFS."""
    return x * 10 ** ((level - rms_dbfs(x)) / 20)


def tone(hz: float, level: float, seconds: float, rate: int = RATE) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return at_dbfs(np.sin(2 * np.pi * hz * t), level)


def noise(colour: str, level: float, seconds: float, rate: int = RATE, seed: int = 1) -> np.ndarray:
    """White, pink (−3 dB/octave) or brown (−6 dB/octave) noise, shaped in the frequency domain, at ``level``."""
    n = round(seconds * rate)
    rng = np.random.default_rng(seed)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / rate)
    f = np.maximum(freqs, 20.0)
    shape = {"white": np.ones_like(f), "pink": 1 / np.sqrt(f), "brown": 1 / f}[colour]
    shape[0] = 0.0
    return at_dbfs(np.fft.irfft(spectrum * shape, n), level)


def hum(base_hz: float, level: float, seconds: float, rate: int = RATE) -> np.ndarray:
    """Mains hum: ``base_hz`` and its odd harmonics, falling off, at ``level``."""
    t = np.arange(round(seconds * rate)) / rate
    wave = sum(np.sin(2 * np.pi * k * base_hz * t + k) / k for k in (1, 2, 3, 5, 7))
    return at_dbfs(wave, level)


@functools.lru_cache(maxsize=4)
def _espeak(rate: int) -> np.ndarray:
    if shutil.which("espeak-ng") is None:
        raise RuntimeError("espeak-ng is not installed (apt-get install espeak-ng)")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "voice.wav"
        subprocess.run(["espeak-ng", "-v", "en", "-s", "150", "-w", str(path), SENTENCE], check=True,
                       capture_output=True, timeout=60)
        voice, voice_rate = soundfile.read(path, dtype="float64")
    t = np.arange(int(len(voice) * rate / voice_rate)) * voice_rate / rate
    voice = np.interp(t, np.arange(len(voice)), voice)
    # air carries no DC: the synthesiser's slow offset (below 50 Hz) is not part of a voice a microphone hears
    spectrum = np.fft.rfft(voice)
    spectrum[np.fft.rfftfreq(len(voice), 1 / rate) < 50] = 0
    return np.fft.irfft(spectrum, len(voice))


def voice(rate: int = RATE) -> np.ndarray:
    """A spoken sentence (about 9 s), clean, peak-normalised to 0.5."""
    v = _espeak(rate).copy()
    return v * (0.5 / np.max(np.abs(v)))


def guided(speech_level: float | None, noise_colour: str | None, noise_level: float, *, quiet_s: float = 3.0,
           rate: int = RATE, seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A guided recording: ``quiet_s`` of room, then the sentence, then half a second of room.

    Returns (mix, clean voice part, background part), each as long as the recording. ``speech_level`` is the
    voice's RMS over the sentence, or None for no voice.
    """
    v = voice(rate)
    spoken = np.zeros(round(quiet_s * rate) + len(v) + rate // 2)
    if speech_level is not None:
        spoken[round(quiet_s * rate) : round(quiet_s * rate) + len(v)] = at_dbfs(v, speech_level)
    if noise_colour is None:
        background = np.zeros_like(spoken)
    elif noise_colour.startswith("hum"):
        background = hum(float(noise_colour[3:]), noise_level, len(spoken) / rate, rate)
    else:
        background = noise(noise_colour, noise_level, len(spoken) / rate, rate, seed)
    return spoken + background, spoken, background


def clean_active_level(clean: np.ndarray, rate: int = RATE) -> float:
    """The true active speech level of a clean voice (P.56 on the voice alone, no background)."""
    from checks.analysis.audio import active_level, frames

    powers = np.mean(frames(clean, rate) ** 2, axis=1)
    level = active_level(powers, 0.0)
    assert level is not None
    return level


def write(path: Path, samples: np.ndarray, rate: int = RATE, subtype: str = "PCM_16") -> Path:
    soundfile.write(path, samples, rate, subtype=subtype)
    return path
