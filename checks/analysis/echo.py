"""Echo: how much of a test sound played through the speakers comes back into the microphone, how late, and how
long the room keeps ringing.

The test sound is a logarithmic sine sweep (:func:`log_sweep`). :func:`impulse_response` deconvolves the
recording by the sweep (a regularised spectral division, so frequencies the sweep does not hold are not
amplified into noise); :func:`measure_echo` reads from that impulse response

* the **return loss**: how many dB quieter the returned sweep is than the played one (the part of the recording
  the impulse response explains, so background noise does not count as echo);
* the **delay**: where the strongest return is (the direct path from speaker to microphone);
* the **decay**: Schroeder's backward-integrated energy decay, whose slope between −5 and −25 dB (T20, or
  −5 to −15 dB, T10, when the noise allows no more) gives an estimate of RT60, the time a sound takes to fade by
  60 dB; and the direct-to-reverberant ratio (the first few milliseconds against the rest).

Arrays in, a dataclass out; no I/O. The recording must be aligned with the sweep: its sample 0 is the moment the
sweep's sample 0 left the speakers (the source that plays and records does the alignment), so a delay is the
path from speaker to microphone only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

DIRECT_S = 0.005
"""The direct path: the strongest return and this long after it (the rest is the room)."""
ENVELOPE_S = 0.01
"""The energy envelope is measured in blocks this long."""


@dataclass(frozen=True)
class EchoMeasurement:
    """What came back of a played sweep.

    ``returned`` is False when no return stands out of the noise (headphones, a headset, a muted microphone);
    then the return loss is a lower bound and delay and decay are None.
    """

    returned: bool
    return_loss_db: float
    """dB of the played sweep's energy that came back (higher: less echo); with no return, at least this much."""
    peak_to_noise_db: float
    """How far the impulse response's peak stands above its noise floor."""
    delay_ms: float | None
    """The direct path's delay, from the sweep leaving the speakers to it reaching the microphone."""
    rt60_s: float | None
    """The estimated reverberation time (None where the decay could not be measured over 10 dB)."""
    rt60_method: str
    """"T20", "T10", or "" when there is no estimate."""
    decay_range_db: float
    """How far the decay could be followed before it met the noise floor."""
    direct_to_reverberant_db: float | None
    """Energy of the direct path against the energy after it (higher: a drier room)."""
    response: np.ndarray
    """The impulse response from just before the direct path on (``tail_s``), normalised to its peak."""
    response_start_ms: float
    """Where :attr:`response` starts, in the recording's time (1 ms before the direct path)."""
    samplerate: int


def _validate(name: str, samples: np.ndarray, samplerate: int, *, min_seconds: float) -> np.ndarray:
    if not isinstance(samplerate, (int, np.integer)) or samplerate <= 0:
        raise ValueError(f"the sample rate must be a positive whole number, not {samplerate!r}")
    data = np.asarray(samples)
    if data.dtype.kind not in "fiu":
        raise ValueError(f"the {name} must be numbers, not {data.dtype}")
    if data.ndim == 2:
        data = data.astype(np.float64).mean(axis=1)
    elif data.ndim != 1:
        raise ValueError(f"the {name} must be 1-D or (frames, channels), not {data.ndim}-D")
    data = data.astype(np.float64)
    if not np.isfinite(data).all():
        raise ValueError(f"the {name} holds NaN or infinite values")
    if len(data) < min_seconds * samplerate:
        raise ValueError(f"the {name} is {len(data) / samplerate:.3g} s long; at least {min_seconds:g} s is needed")
    return data


def log_sweep(seconds: float, samplerate: int, *, low_hz: float = 100.0, high_hz: float = 8000.0,
              level_dbfs: float = -15.0, fade_s: float = 0.02) -> np.ndarray:
    """A logarithmic (exponential) sine sweep from ``low_hz`` to ``high_hz`` at ``level_dbfs`` peak, float32.

    ``high_hz`` is lowered to 45 % of the sample rate when the rate allows no more (a hands-free headset's
    8 or 16 kHz). The ends are faded over ``fade_s`` so the sweep starts and stops without a click.
    """
    if not isinstance(samplerate, (int, np.integer)) or samplerate <= 0:
        raise ValueError(f"the sample rate must be a positive whole number, not {samplerate!r}")
    if not seconds > 0 or not low_hz > 0:
        raise ValueError("a sweep needs a positive length and a positive lowest frequency")
    high = min(high_hz, 0.45 * samplerate)
    if not high > low_hz:
        raise ValueError(f"a sweep needs its highest frequency ({high:g} Hz) above its lowest ({low_hz:g} Hz)")
    t = np.arange(round(seconds * samplerate)) / samplerate
    rate = math.log(high / low_hz)
    phase = 2 * math.pi * low_hz * seconds / rate * (np.exp(t * rate / seconds) - 1.0)
    fade = np.clip(np.minimum(t, seconds - t) / fade_s, 0.0, 1.0) if fade_s > 0 else np.ones_like(t)
    return (10 ** (level_dbfs / 20) * np.sin(phase) * np.sin(0.5 * math.pi * fade) ** 2).astype(np.float32)


def impulse_response(played: np.ndarray, recorded: np.ndarray, samplerate: int, *,
                     regularisation_db: float = -40.0, lead_s: float = 0.0) -> np.ndarray:
    """The impulse response from ``played`` to ``recorded``: ``lead_s`` before lag zero, then as long as the
    recording (sample ``round(lead_s * samplerate)`` is lag zero).

    A spectral division regularised ``regularisation_db`` below the sweep's strongest frequency, so that
    frequencies the sweep does not hold come out as nothing rather than as amplified noise.
    """
    sweep = _validate("played sound", played, samplerate, min_seconds=0.05)
    take = _validate("recording", recorded, samplerate, min_seconds=len(sweep) / samplerate)
    n = 1 << math.ceil(math.log2(len(sweep) + len(take)))
    s = np.fft.rfft(sweep, n)
    power = np.abs(s) ** 2
    if not power.max() > 0:
        raise ValueError("the played sound is silent")
    h = np.fft.irfft(np.fft.rfft(take, n) * np.conj(s) / (power + power.max() * 10 ** (regularisation_db / 10)), n)
    lead = round(lead_s * samplerate)
    return np.concatenate([h[n - lead :], h[: len(take)]]) if lead > 0 else h[: len(take)]


def _noise_rms(values: np.ndarray) -> float:
    """A robust RMS of noise: from the median absolute value, which a few echoes or distortion peaks do not move."""
    return float(np.median(np.abs(values)) / 0.6745) if len(values) else 0.0


def _edc_db(energy: np.ndarray) -> np.ndarray:
    """Schroeder's backward integral of ``energy``, in dB relative to its start."""
    edc = np.cumsum(energy[::-1])[::-1]
    with np.errstate(divide="ignore"):
        return 10 * np.log10(np.maximum(edc, 1e-300) / edc[0])


def decay_time(response: np.ndarray, samplerate: int, noise_rms: float) -> tuple[float | None, str, float]:
    """RT60 from ``response`` (starting at the direct path), its method ("T20", "T10" or ""), and the decay range.

    The energy is followed until its envelope meets the noise floor (3 dB above it), the noise power is taken off,
    and a straight line is fitted to the backward integral between −5 dB and −25 dB (T20) or −15 dB (T10).
    """
    energy = np.asarray(response, dtype=np.float64) ** 2
    block = max(1, round(ENVELOPE_S * samplerate))
    blocks = len(energy) // block
    if blocks < 3 or not energy.max() > 0:
        return None, "", 0.0
    envelope = energy[: blocks * block].reshape(blocks, block).mean(axis=1)
    noise_power = noise_rms**2
    top = envelope.max()
    floor = max(noise_power, top * 1e-12)
    below = np.nonzero(envelope[1:] < 2.0 * floor)[0]
    end_block = int(below[0]) + 1 if len(below) else blocks
    decay_range = 10 * math.log10(top / max(envelope[min(end_block, blocks - 1)], floor))
    kept = np.maximum(energy[: end_block * block] - noise_power, 0.0)
    if not kept.sum() > 0:
        return None, "", decay_range
    edc = _edc_db(kept)
    for method, bottom, needed in (("T20", -25.0, 35.0), ("T10", -15.0, 25.0)):
        if decay_range < needed:
            continue
        inside = np.nonzero((edc <= -5.0) & (edc >= bottom))[0]
        if len(inside) < 2:
            continue
        t = inside / samplerate
        slope = np.polyfit(t, edc[inside], 1)[0]
        if slope < 0:
            return float(-60.0 / slope), method, decay_range
    return None, "", decay_range


def measure_echo(played: np.ndarray, recorded: np.ndarray, samplerate: int, *, detect_db: float = 20.0,
                 tail_s: float = 0.5, lead_s: float = 0.05) -> EchoMeasurement:
    """What came back of ``played`` in ``recorded`` (aligned: sample 0 is when the sweep left the speakers).

    A return counts when the impulse response's peak stands ``detect_db`` above its noise floor. The impulse
    response is read from its peak for ``tail_s`` seconds (the room's decay). A return is also looked for up to
    ``lead_s`` before lag zero (a host whose timing is a little off makes a direct path seem early); such a delay
    is reported as it is, negative.
    """
    if not detect_db > 0 or not tail_s > 0 or not lead_s >= 0:
        raise ValueError("detect_db and tail_s must be positive, lead_s not negative")
    sweep = _validate("played sound", played, samplerate, min_seconds=0.05)
    lead = round(lead_s * samplerate)
    h = impulse_response(sweep, recorded, samplerate, lead_s=lead / samplerate)
    sweep_energy = float(np.sum(sweep**2))
    # The noise floor: the last part of the impulse response, past any echo (a recording holds the sweep and a
    # tail; what the deconvolution finds after the tail is noise). With a short tail, the whole response's median.
    late = h[len(h) - len(h) // 4:] if len(h) > 2 * len(sweep) else h
    noise = _noise_rms(late)
    magnitude = np.abs(h)
    peak = int(np.argmax(magnitude))
    peak_value = float(magnitude[peak])
    if peak_value == 0.0:
        return EchoMeasurement(False, math.inf, 0.0, None, None, "", 0.0, None, np.zeros(0), 0.0, samplerate)
    peak_to_noise = 20 * math.log10(peak_value / noise) if noise > 0 else math.inf
    tail = round(tail_s * samplerate)
    start = max(0, peak - round(0.001 * samplerate))  # the direct path's band-limited onset starts a little early
    window = np.zeros_like(h)
    window[start : peak + tail] = h[start : peak + tail]
    n = 1 << math.ceil(math.log2(len(h) + len(sweep)))
    explained = np.fft.irfft(np.fft.rfft(window, n) * np.fft.rfft(sweep, n), n)
    returned_energy = float(np.sum(explained**2))
    return_loss = 10 * math.log10(sweep_energy / returned_energy) if returned_energy > 0 else math.inf
    if peak_to_noise < detect_db:
        # Nothing stands out: the return is at most what the noise floor allows.
        bound = 10 * math.log10(sweep_energy / max(noise**2 * sweep_energy * 10 ** (detect_db / 10), 1e-300))
        return EchoMeasurement(False, max(return_loss, bound), peak_to_noise, None, None, "", 0.0, None,
                               np.zeros(0), 0.0, samplerate)
    if 0 < peak < len(h) - 1:  # a parabola through the peak and its neighbours: the delay between samples
        a, b, c = magnitude[peak - 1], magnitude[peak], magnitude[peak + 1]
        shift = 0.5 * (a - c) / (a - 2 * b + c) if (a - 2 * b + c) != 0 else 0.0
    else:
        shift = 0.0
    response = h[start : peak + tail]
    rt60, method, decay_range = decay_time(h[peak : peak + tail], samplerate, noise)
    direct_end = peak + max(1, round(DIRECT_S * samplerate))
    direct = float(np.sum(h[start:direct_end] ** 2))
    rest = float(np.sum(np.maximum(h[direct_end : peak + tail] ** 2 - noise**2, 0.0)))
    drr = 10 * math.log10(direct / rest) if rest > 0 and direct > 0 else None
    return EchoMeasurement(True, return_loss, peak_to_noise, 1000.0 * (peak - lead + shift) / samplerate, rt60, method,
                           decay_range, drr, response / peak_value, 1000.0 * (start - lead) / samplerate, samplerate)
