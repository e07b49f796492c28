"""Recordings with known truth for the microphone tests and the benchmark: tones, coloured noise, hum, speech.

Levels are RMS in dBFS (``20·log10(rms)``), as in checks/analysis/audio.py. Speech is rendered by espeak-ng
(Debian package) once per process and cached in memory; real recorded human speech comes from two Debian
packages: ``asterisk-core-sounds-en-wav`` (a speaker's recorded telephone prompts, 8 kHz) and ``alsa-utils``
(a speaker naming the loudspeaker channels, 48 kHz). A recording's own pauses carry the room it was made in;
they are gated to silence, so the only background in a mix is the one added, whose level is known.
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
    return _noise(colour, round(seconds * rate), rate, seed) * 10 ** (level / 20)


@functools.lru_cache(maxsize=32)
def _noise(colour: str, n: int, rate: int, seed: int) -> np.ndarray:
    """Noise of ``n`` samples at 0 dBFS RMS (made once: the tests ask for the same noise at many levels)."""
    rng = np.random.default_rng(seed)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / rate)
    f = np.maximum(freqs, 20.0)
    shape = {"white": np.ones_like(f), "pink": 1 / np.sqrt(f), "brown": 1 / f}[colour]
    shape[0] = 0.0
    made = at_dbfs(np.fft.irfft(spectrum * shape, n), 0.0)
    made.flags.writeable = False
    return made


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


ASTERISK_DIRS = (Path("/usr/share/asterisk/sounds/en"), Path("/usr/share/asterisk/sounds/en_US_f_Allison"))
"""Where ``asterisk-core-sounds-en-wav`` puts its prompts (``en`` is a link to the speaker's folder once set up)."""
ASTERISK_PROMPTS = ("vm-options", "dir-intro", "conf-usermenu", "vm-msginstruct", "demo-congrats", "privacy-prompt",
                    "vm-instructions", "queue-periodic-announce")
ALSA_DIR = Path("/usr/share/sounds/alsa")
ALSA_VOICES = ("Front_Center", "Front_Left", "Front_Right", "Rear_Center", "Rear_Left", "Rear_Right", "Side_Left",
               "Side_Right")
REAL_SPEECH_S = 7.0
"""How much of each real voice a take uses: the sentence part of a guided recording."""


def _asterisk_dir() -> Path | None:
    return next((d for d in ASTERISK_DIRS if all((d / f"{p}.wav").is_file() for p in ASTERISK_PROMPTS)), None)


def real_speech_missing() -> str | None:
    """Why the real recorded speech is not available here (None when it is)."""
    missing = []
    if _asterisk_dir() is None:
        missing.append("asterisk-core-sounds-en-wav (its prompts in /usr/share/asterisk/sounds/en)")
    if not all((ALSA_DIR / f"{v}.wav").is_file() for v in ALSA_VOICES):
        missing.append("alsa-utils (its voice samples in /usr/share/sounds/alsa)")
    if not missing:
        return None
    return "real recorded speech is missing: install " + " and ".join(missing)


def _resample(x: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Band-limited resampling in the frequency domain (the clips are short)."""
    if from_rate == to_rate:
        return x
    n = round(len(x) * to_rate / from_rate)
    return np.fft.irfft(np.fft.rfft(x), n) * (n / len(x))


def gate(x: np.ndarray, rate: int, *, below_db: float = 40.0, frame_s: float = 0.01, hold_s: float = 0.05
         ) -> np.ndarray:
    """``x`` with its pauses made silent: 10 ms frames more than ``below_db`` under the loud frames (their 95th
    percentile) and more than ``hold_s`` from a louder one become zeros, with 5 ms fades.

    What is left is the voice; the room of the original recording no longer adds to the background of a mix.
    """
    size = max(1, round(frame_s * rate))
    count = len(x) // size
    x = x[: count * size]
    levels = 10 * np.log10(np.mean(x.reshape(count, size) ** 2, axis=1) + 1e-20)
    open_ = levels > np.percentile(levels, 95) - below_db
    hold = round(hold_s / frame_s)
    open_ = np.convolve(open_.astype(float), np.ones(2 * hold + 1), "same") > 0
    envelope = np.repeat(open_.astype(float), size)
    fade = max(1, round(0.005 * rate))
    envelope = np.convolve(envelope, np.ones(fade) / fade, "same")
    return x * envelope


@functools.lru_cache(maxsize=4)
def _real_voices(rate: int) -> tuple[tuple[str, np.ndarray], ...]:
    reason = real_speech_missing()
    if reason is not None:
        raise RuntimeError(reason)
    found: list[tuple[str, np.ndarray]] = []
    folder = _asterisk_dir()
    assert folder is not None
    for prompt in ASTERISK_PROMPTS:
        data, file_rate = soundfile.read(folder / f"{prompt}.wav", dtype="float64")
        data = data[: round(REAL_SPEECH_S * file_rate)]
        found.append((f"asterisk:{prompt}", data, file_rate))
    pause = np.zeros(round(0.3 * 48000))
    names = []
    for name in ALSA_VOICES:
        data, file_rate = soundfile.read(ALSA_DIR / f"{name}.wav", dtype="float64")
        names.extend([data if data.ndim == 1 else data.mean(axis=1), pause])
    spoken = np.concatenate(names)
    found.append(("alsa:channel names", spoken[: round(REAL_SPEECH_S * file_rate)], file_rate))
    voices = []
    for name, data, file_rate in found:
        resampled = _resample(data, file_rate, rate)
        spectrum = np.fft.rfft(resampled)  # no DC or rumble below 50 Hz: air does not carry it to a microphone
        spectrum[np.fft.rfftfreq(len(resampled), 1 / rate) < 50] = 0
        clean = gate(np.fft.irfft(spectrum, len(resampled)), rate)
        voices.append((name, clean * (0.5 / np.max(np.abs(clean)))))
    return tuple(voices)


def real_voices(rate: int = RATE) -> tuple[tuple[str, np.ndarray], ...]:
    """Real recorded voices (about 7 s each), clean (pauses gated), peak-normalised to 0.5: (name, samples).

    RuntimeError, saying which package to install, when they are not there (see :func:`real_speech_missing`).
    """
    return tuple((name, v.copy()) for name, v in _real_voices(rate))


def guided(speech_level: float | None, noise_colour: str | None, noise_level: float, *, quiet_s: float = 3.0,
           rate: int = RATE, seed: int = 1, speech: np.ndarray | None = None
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A guided recording: ``quiet_s`` of room, then the sentence, then half a second of room.

    Returns (mix, clean voice part, background part), each as long as the recording. ``speech_level`` is the
    voice's RMS over the sentence, or None for no voice; ``speech`` is the voice to use (the espeak-ng sentence
    unless given, e.g. one of :func:`real_voices`).
    """
    v = voice(rate) if speech is None else speech
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


GATES = {
    # sox's own noise-gate example: opens fast, closes 0.2 s after the voice falls under -50 dBFS
    "gentle": ["compand", ".1,.2", "-inf,-50.1,-inf,-50,-50", "0", "-90", ".1"],
    # a tight gate, as noise suppression acts: under -40 dBFS it shuts within 50 ms, between words too
    "tight": ["compand", ".005,.05", "-inf,-40.1,-inf,-40,-40", "0", "-90", ".02"],
}
"""Noise gates made by sox's ``compand``: under its threshold the output is exact digital silence, as a gate's or a
noise suppressor's is (sox runs with -D, so no dither fills that silence)."""


def sox_gate(samples: np.ndarray, gate: str, folder: Path, rate: int = RATE) -> np.ndarray:
    """``samples`` through one of :data:`GATES` (sox, 16-bit as a microphone would deliver it)."""
    source, gated = folder / f"before-{gate}.wav", folder / f"after-{gate}.wav"
    write(source, samples, rate)
    subprocess.run(["sox", "-D", str(source), str(gated), *GATES[gate]], check=True, capture_output=True, timeout=60)
    out, _ = soundfile.read(gated, dtype="float64")
    return out


def crowd(voices: list[np.ndarray], seconds: float, level: float, folder: Path, rate: int = RATE,
          seed: int = 2) -> np.ndarray:
    """Other people talking: ``voices`` (real recordings), each looped from its own starting point over ``seconds``,
    mixed by sox at slightly different volumes, the whole at ``level`` dBFS RMS."""
    rng = np.random.default_rng(seed)
    n = round(seconds * rate)
    paths = []
    for i, v in enumerate(voices):
        v = v[np.flatnonzero(v)[0]:]  # from its first sound, so each talker is talking from the start
        looped = np.tile(v, n // len(v) + 2)
        start = int(rng.integers(0, len(v)))
        paths.append(write(folder / f"talker-{i}.wav", looped[start : start + n] * 0.5, rate, "FLOAT"))
    mixed = folder / "crowd.wav"
    volumes = [f"{0.6 + 0.4 * rng.random():.3f}" for _ in paths]
    inputs = [a for v, p in zip(volumes, paths, strict=True) for a in ("-v", v, str(p))]
    subprocess.run(["sox", "-D", *(["-m"] if len(paths) > 1 else []), *inputs, "-b", "32", "-e", "floating-point",
                    str(mixed)], check=True, capture_output=True, timeout=60)
    out, _ = soundfile.read(mixed, dtype="float64")
    return at_dbfs(out[:n], level)
