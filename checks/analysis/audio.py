"""What the interviewer will hear: pure functions on a block of samples (ndarray in, dataclass out, no I/O).

Levels are RMS in dBFS, ``20·log10(rms)``, so a full-scale square wave is 0 dBFS and a full-scale sine −3 dBFS.
The recording is cut into 20 ms frames and an adaptive energy detector separates speech from the rest by itself,
so any recording works, including a file given with ``--mic``; a guided take also says when the candidate was
asked to stay quiet, and the room is then measured there (:func:`background_frames`).

The detector looks at the speech band (100 Hz–4 kHz) of each frame, so low rumble and mains hum do not pass for
speech. Its reference is the quiet part of the recording (the 10th percentile of frame levels, or the room's
level by minimum statistics when speech fills more than nine tenths of the recording); a frame is speech when it
stands out of that by a margin that grows with how much the background itself fluctuates. Frames next to speech
(a hangover) count neither as speech nor as background, so breaths and word endings do not raise the noise
floor. The DC offset removed is that of the quietest frames, so a voice clipping on one side does not shift the
room. The speech level is the active speech level of ITU-T P.56 (the energy of the voice over the time it is
active, activity being within 15.9 dB of that level), computed on frames with the background's power
subtracted, so it stays put when the room gets noisier; the SNR is that level over the same noise floor.

The candidate is the nearest, loudest voice: other people talking, well under it (:data:`TALKER_DB`), are the
room's noise. A microphone with a noise gate or noise suppression sends exact digital silence while the candidate
is quiet: how much of the quiet time is such silence (:func:`quiet_silence`) tells it from a muted one, and
behind it only silences that break off the voice (:func:`breaks_off_voice`) are dropouts.

A speech/non-speech classifier without any dependency was chosen over WebRTC's VAD: WebRTC's needs 16-bit PCM
at 8, 16, 32 or 48 kHz (44.1 kHz files would need resampling), calls steady fan noise speech at its less
aggressive settings, and gives labels, whereas the checks need levels; the tests show this detector's levels
on recordings with known truth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FLOOR_DBFS = -120.0
"""The lowest level reported: digital silence is shown as this rather than minus infinity."""
FRAME_S = 0.02
TRACE_S = 0.1
TRACE_FLOOR_DBFS = -90.0
SPEECH_BAND_HZ = (100.0, 4000.0)
P56_MARGIN_DB = 15.9
MIN_SECONDS = 0.5
MIN_BACKGROUND_S = 0.5
"""Background frames away from speech needed before the pauses of a recording are trusted as the room."""
MIN_QUIET_S = 1.0
"""How much of the guided quiet part, free of speech, is needed to measure the room there."""
QUIET_EDGE_S = 0.3
"""Left out at both ends of the quiet part: the click that started it, a voice that starts a moment early."""
TALKER_DB = 12.0
"""Speech this far under the candidate's own (the 95th percentile of the speech frames' levels) is someone else:
the candidate is the nearest, loudest voice, and people talking in a café or the next room reach the microphone
much quieter. Their voices are the room's noise, not the candidate's speech."""
TALKER_S = 0.3
"""… unless it lies within this of the candidate's voice: the soft ends of the candidate's own words."""
TALKER_MIN_S = 0.25
"""… and only when it lasts this long: a shorter sound far under the voice is a breath or a click (neither)."""
CHUNK_SAMPLES = 1 << 18
"""Spectra are taken this many samples at a time: a long recording's would otherwise fill the memory."""
MAX_KIND_S = 30.0
"""What kind the background is, is told from at most this much of it."""
EARLY_VOICE_DB = 6.0
"""In the guided take's quiet part, only speech this close to the candidate's loud frames (their 95th percentile) is
the candidate starting early; quieter voices there are other people, part of the room."""
EARLY_HANGOVER_S = 0.3
"""… and the frames this close to it, the soft start and end of those words."""
HUM_BASES_HZ = (50.0, 60.0)
HUM_HARMONICS = 8
CHANNEL_NAMES = ("left", "right")


class AudioInputError(ValueError):
    """Samples that cannot be analysed; ``reason`` is a short key (``empty``, ``too_short``, ``silent``, …)."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


def dbfs(power: float) -> float:
    """A mean-square power as dBFS, never below :data:`FLOOR_DBFS`."""
    return max(FLOOR_DBFS, 10.0 * float(np.log10(power))) if power > 0 else FLOOR_DBFS


def channel_name(index: int) -> str:
    return CHANNEL_NAMES[index] if index < len(CHANNEL_NAMES) else f"channel {index + 1}"


# -- input --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """A recording made ready for analysis: one channel, no DC offset, no NaN or infinity."""

    mono: np.ndarray
    """float64 samples of the channel(s) used, mixed to mono, DC offset removed."""
    samplerate: int
    channels: int
    used: tuple[int, ...]
    """The channels that carry sound (mixed when more than one)."""
    dead: tuple[int, ...]
    """Channels that are silent while another carries sound."""
    dc_offset: float
    """The largest DC offset removed, as a fraction of full scale."""
    damaged: int
    """How many samples were NaN or infinite (replaced by silence)."""
    zero: np.ndarray
    """Per sample: exact digital zero in every used channel as recorded (a dropout, or a damaged sample)."""

    @property
    def seconds(self) -> float:
        return len(self.mono) / self.samplerate


def _checked(samples: np.ndarray) -> np.ndarray:
    """``samples`` as (frames, channels), as they are (not converted): 1-D or 2-D floating or integer PCM."""
    if not isinstance(samples, np.ndarray):
        raise AudioInputError("not_audio", f"samples must be an array, not {type(samples).__name__}")
    if samples.ndim == 1:
        samples = samples[:, None]
    if samples.ndim != 2:
        raise AudioInputError("not_audio", f"samples must be (frames,) or (frames, channels), not {samples.shape}")
    if samples.shape[1] == 0 or samples.shape[1] > 32:
        raise AudioInputError("not_audio", f"{samples.shape[1]} channels is not a recording")
    if not np.issubdtype(samples.dtype, np.integer) and not np.issubdtype(samples.dtype, np.floating):
        raise AudioInputError("not_audio", f"samples must be numbers, not {samples.dtype}")
    return samples


def _as_float(samples: np.ndarray) -> np.ndarray:
    """Checked samples (any shape) as float64, full scale 1.0 (a copy)."""
    if np.issubdtype(samples.dtype, np.integer):
        return samples.astype(np.float64) / (float(np.iinfo(samples.dtype).max) + 1.0)
    return samples.astype(np.float64)


def as_frames_by_channels(samples: np.ndarray) -> np.ndarray:
    """Samples as float64 (frames, channels). Accepts 1-D or 2-D floating or integer PCM arrays."""
    return _as_float(_checked(samples))


def _channel(data: np.ndarray, c: int) -> np.ndarray:
    """Channel ``c`` of checked samples as float64, NaN and infinity as silence: one channel at a time, so a long
    recording is never copied whole."""
    column = _as_float(data[:, c])
    column[~np.isfinite(column)] = 0.0
    return column


def dead_channels(data: np.ndarray, dead_dbfs: float = -100.0, gap_db: float = 40.0) -> tuple[int, ...]:
    """Channels of ``data`` (frames × channels) that are silent while another one carries sound.

    A channel is dead when its RMS (after removing its DC offset) is below ``dead_dbfs`` or more than ``gap_db``
    below the loudest channel. Returns () for mono, or when every channel is silent (that is "no signal").
    """
    if data.ndim != 2 or data.shape[1] < 2 or len(data) == 0:
        return ()
    levels = [dbfs(float(np.var(_channel(data, c)))) for c in range(data.shape[1])]
    loudest = max(levels)
    if loudest <= dead_dbfs:
        return ()
    return tuple(c for c, level in enumerate(levels) if level <= dead_dbfs or level < loudest - gap_db)


def dc_offsets(data: np.ndarray, samplerate: int, frame_s: float = FRAME_S, quietest: float = 10.0) -> np.ndarray:
    """The DC offset of each channel of ``data`` (frames × channels): the mean of its quietest 20 ms frames.

    Not the mean of everything: a loud voice that clips on one side has a mean far from zero although the
    microphone's offset is not, and taking that away would raise every quiet frame to it. Not the median either:
    a hum's waveform is lopsided. The frames with at most twice the power (about the mean) of the quietest
    ``quietest`` percent hold the room and the offset, whatever share of the recording the voice takes.
    """
    size = max(1, round(frame_s * samplerate))
    count = len(data) // size
    if count < 2:
        return data.mean(axis=0)
    framed = data[: count * size].reshape(count, size, data.shape[1])
    means = framed.mean(axis=1)
    spread = np.einsum("fsc,fsc->fc", framed, framed) / size - np.square(means)  # each frame's variance
    quiet = spread <= 2.0 * np.percentile(spread, quietest, axis=0)
    return np.array([means[quiet[:, c], c].mean() for c in range(data.shape[1])])


def prepare(samples: np.ndarray, samplerate: int, *, min_seconds: float = MIN_SECONDS) -> Prepared:
    """Validate ``samples`` and make them ready for analysis.

    NaN and infinite samples become silence (and are counted); a dead channel of a stereo recording is left
    out (and named in ``dead``); the DC offset is removed. :class:`AudioInputError` (a ValueError) when there is
    nothing to analyse: no samples, fewer than ``min_seconds``, or digital silence throughout.
    """
    if not isinstance(samplerate, (int, np.integer)) or samplerate < 1000:
        raise AudioInputError("bad_rate", f"a sample rate of {samplerate!r} Hz is not usable")
    data = _checked(samples)
    if len(data) == 0:
        raise AudioInputError("empty", "the recording holds no samples")
    seconds = len(data) / samplerate
    if seconds < min_seconds:
        raise AudioInputError("too_short", f"the recording is {seconds:.2f} s long, shorter than {min_seconds} s")
    damaged = 0 if np.issubdtype(data.dtype, np.integer) else int(np.count_nonzero(~np.isfinite(data)))
    if not any(np.any(_channel(data, c)) for c in range(data.shape[1])):
        raise AudioInputError("silent", "the recording is digital silence throughout")
    dead = dead_channels(data)
    used = tuple(c for c in range(data.shape[1]) if c not in dead)
    mono = np.zeros(len(data))
    zero = np.ones(len(data), bool)
    offsets = []
    for c in used:  # one channel at a time: a long recording is never copied whole
        column = _channel(data, c)
        zero &= column == 0
        offsets.append(float(dc_offsets(column[:, None], int(samplerate))[0]))
        column -= offsets[-1]
        mono += column
    mono /= len(used)
    return Prepared(mono=mono, samplerate=int(samplerate), channels=int(data.shape[1]), used=used, dead=dead,
                    dc_offset=float(np.max(np.abs(offsets))), damaged=damaged, zero=zero)


# -- speech and background ----------------------------------------------------------------------------------------


def frames(x: np.ndarray, samplerate: int, frame_s: float = FRAME_S) -> np.ndarray:
    """``x`` cut into whole frames of ``frame_s`` (frames × samples); the last partial frame is dropped."""
    size = max(1, round(frame_s * samplerate))
    count = len(x) // size
    return x[: count * size].reshape(count, size)


def band_powers(framed: np.ndarray, samplerate: int, band: tuple[float, float] = SPEECH_BAND_HZ) -> np.ndarray:
    """Mean-square power of each frame within ``band`` (Hz), from a Hann-windowed spectrum."""
    size = framed.shape[1]
    window = np.hanning(size)
    freqs = np.fft.rfftfreq(size, 1.0 / samplerate)
    inside = (freqs >= band[0]) & (freqs <= min(band[1], samplerate / 2))
    out = np.empty(len(framed))
    step = max(1, CHUNK_SAMPLES // size)
    for at in range(0, len(framed), step):  # in chunks: the spectra of a long recording would fill the memory
        spectrum = np.abs(np.fft.rfft(framed[at : at + step] * window, axis=1)) ** 2
        out[at : at + step] = spectrum[:, inside].sum(axis=1)
    # Parseval with the window's energy, so a band holding all the power gives the frame's mean square
    return 2.0 * out / (size * float(np.sum(window**2)))


def _dilate(mask: np.ndarray, before: int, after: int) -> np.ndarray:
    """``mask`` (…, frames) widened by ``before`` frames before and ``after`` frames after each true frame."""
    if before == 0 and after == 0:
        return mask
    n = mask.shape[-1]
    padded = np.concatenate([np.zeros((*mask.shape[:-1], after), bool), mask,
                             np.zeros((*mask.shape[:-1], before), bool)], axis=-1)
    sums = np.concatenate([np.zeros((*mask.shape[:-1], 1), np.int32), np.cumsum(padded, axis=-1, dtype=np.int32)],
                          axis=-1)
    width = before + after + 1
    return (sums[..., width : width + n] - sums[..., :n]) > 0


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Starts and lengths of the runs of true values in a 1-D boolean array."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    return starts, ends - starts


@dataclass(frozen=True)
class Activity:
    """Which 20 ms frames are speech, which are background, and which are gaps of digital zeros."""

    speech: np.ndarray
    noise: np.ndarray
    gaps: np.ndarray
    frame_s: float

    @property
    def speech_s(self) -> float:
        return float(self.speech.sum()) * self.frame_s

    @property
    def noise_s(self) -> float:
        return float(self.noise.sum()) * self.frame_s


def floor_reference(levels: np.ndarray, frame_s: float = FRAME_S, *, smooth_s: float = 0.1,
                    percentile: float = 2.0) -> float:
    """The quietest the recording gets (dB), by minimum statistics: frame ``levels`` (dB, only usable frames)
    averaged in power over ``smooth_s``, and the ``percentile``-th percentile of that.

    A minimum, not a share of the frames: speech may fill nearly all of a recording and a low percentile of the
    frames would then be speech; the pauses between words still reach down to the room. Smoothing first, and a
    low percentile rather than the very lowest, keep one unusually still moment from setting it.
    """
    power = 10.0 ** (np.asarray(levels, dtype=np.float64) / 10.0)
    width = min(len(power), max(1, round(smooth_s / frame_s)))
    sums = np.concatenate([[0.0], np.cumsum(power)])
    smoothed = (sums[width:] - sums[:-width]) / width
    return float(10.0 * np.log10(max(float(np.percentile(smoothed, percentile)), 1e-30)))


def classify(band: np.ndarray, frame_s: float = FRAME_S, *, min_margin_db: float = 6.0,
             max_margin_db: float = 12.0, spread_factor: float = 4.0, hangover_s: float = 0.2,
             min_run_s: float = 0.06, talker_db: float | None = TALKER_DB, talker_s: float = TALKER_S) -> Activity:
    """Speech and background frames from each frame's speech-band power (``band``), by an adaptive threshold.

    The reference is the 10th percentile of the frame levels or, when speech fills more of the recording than
    that, the room's level by minimum statistics (:func:`floor_reference`), whichever is lower; the margin is
    ``spread_factor`` times the spread of the levels outside speech (between their 5th and 25th percentiles),
    kept within [min_margin_db, max_margin_db]. Speech runs shorter than ``min_run_s`` are clicks: neither speech
    nor background. Speech more than ``talker_db`` under the candidate's voice (the 95th percentile of the speech
    frames) and more than ``talker_s`` from any frame of it is other people talking (see :data:`TALKER_DB`): it is
    background. Background is every frame at least ``hangover_s`` away from speech or a click. Frames of digital
    zeros are gaps and count as neither.
    """
    band = np.asarray(band, dtype=np.float64)
    gaps = band <= 0
    usable = ~gaps
    speech = np.zeros(band.shape, bool)
    if usable.sum() < 2:
        return Activity(speech, usable.copy(), gaps, frame_s)
    levels = np.full(band.shape, -np.inf)
    levels[usable] = 10.0 * np.log10(band[usable])
    reference = min(float(np.percentile(levels[usable], 10)), floor_reference(levels[usable], frame_s))
    quiet = usable & (levels <= reference + max_margin_db)
    for _ in range(2):
        p5, p25 = np.percentile(levels[quiet], [5, 25])
        spread = max(0.0, (p25 - p5) / 0.97)  # a normal distribution's 5th to 25th percentile span is 0.97 σ
        margin = min(max_margin_db, max(min_margin_db, spread_factor * spread))
        speech = usable & (levels > reference + margin)
        quiet = usable & ~speech
    starts, lengths = _runs(speech)
    min_run = max(1, round(min_run_s / frame_s))
    clicks = np.zeros(band.shape, bool)
    for start, length in zip(starts, lengths, strict=True):
        if length < min_run:
            speech[start : start + length] = False
            clicks[start : start + length] = True
    if talker_db is not None and speech.any():
        reach = max(0, round(talker_s / frame_s))
        voice = _dilate(speech & (levels >= float(np.percentile(levels[speech], 95)) - talker_db), reach, reach)
        others = speech & ~voice
        speech &= ~others
        starts, lengths = _runs(others)
        for start, length in zip(starts, lengths, strict=True):
            if length * frame_s < TALKER_MIN_S - 1e-9:  # a breath or a click, not someone talking
                clicks[start : start + length] = True
    hang = max(0, round(hangover_s / frame_s))
    near = _dilate(speech | clicks, hang, hang)
    return Activity(speech, usable & ~near, gaps, frame_s)


def active_level(powers: np.ndarray, noise_power: float, frame_s: float = FRAME_S, *,
                 hangover_s: float = 0.2, margin_db: float = P56_MARGIN_DB, step_db: float = 0.25) -> float | None:
    """The active speech level (dBFS) of ITU-T P.56, on frame powers with the background's power subtracted.

    The voice's energy is the frames' energy less the background's; for each threshold c (from the loudest frame
    down) the active time is the frames whose voice power reaches c, plus a hangover; the active level is the
    energy over the active time, at the threshold where it lies ``margin_db`` above c. None when there is no
    voice energy.
    """
    powers = np.asarray(powers, dtype=np.float64)
    usable = powers > 0
    voice = np.maximum(powers[usable] - noise_power, 0.0)
    energy = float(np.sum(powers[usable] - noise_power))
    if energy <= 0 or not np.any(voice > 0):
        return None
    top = 10.0 * np.log10(voice.max()) - step_db / 2
    lowest = max(FLOOR_DBFS, 10.0 * np.log10(noise_power) - 20.0) if noise_power > 0 else FLOOR_DBFS
    lowest = max(lowest, top - 60.0)  # the level lies well within 60 dB of the loudest frame
    thresholds = np.arange(top, lowest - step_db, -step_db)
    if len(thresholds) == 0:
        return None
    active = voice[None, :] >= 10.0 ** (thresholds[:, None] / 10.0)
    hang = max(0, round(hangover_s / frame_s))
    counts = _dilate(active, 0, hang).sum(axis=1)
    levels = 10.0 * np.log10(energy / counts)
    excess = levels - thresholds
    below = np.flatnonzero(excess >= margin_db)
    if len(below) == 0:
        return float(levels[-1])
    i = int(below[0])
    if i == 0:
        return float(levels[0])
    # interpolate between the last threshold under the margin and the first one over it
    a, b = excess[i - 1], excess[i]
    t = (margin_db - a) / (b - a) if b != a else 1.0
    return float(levels[i - 1] + t * (levels[i] - levels[i - 1]))


# -- what kind of noise -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoiseKind:
    """What the background sounds like: ``hum`` (mains, at ``hum_hz``), ``rumble``, ``broadband`` or ``none``."""

    kind: str
    hum_hz: float | None
    hum_share: float
    """Share of the background's power in the mains frequency and its harmonics."""
    low_share: float
    """Share of the background's power below 200 Hz."""


def noise_kind(x: np.ndarray, samplerate: int, *, hum_share: float = 0.5, low_share: float = 0.7) -> NoiseKind:
    """Name the background in ``x`` (background samples only): mains hum, low rumble, or broadband (fan, air).

    Hum: at least ``hum_share`` of the power lies within a few hertz of 50 or 60 Hz and their first harmonics.
    Rumble: at least ``low_share`` below 200 Hz. Otherwise broadband.
    """
    size = 1 << int(np.ceil(np.log2(max(16, samplerate // 4))))  # about 4 Hz resolution
    if len(x) < size:
        size = 1 << int(np.floor(np.log2(max(16, len(x)))))
    count = len(x) // size
    if count == 0:
        return NoiseKind("none", None, 0.0, 0.0)
    window = np.hanning(size)
    segments = x[: count * size].reshape(count, size)
    step = max(1, CHUNK_SAMPLES // size)
    psd = sum(np.sum(np.abs(np.fft.rfft(segments[at : at + step] * window, axis=1)) ** 2, axis=0)
              for at in range(0, count, step)) / count
    freqs = np.fft.rfftfreq(size, 1.0 / samplerate)
    psd[freqs < 20] = 0.0  # below hearing: neither hum nor noise
    total = float(psd.sum())
    if total <= 0:
        return NoiseKind("none", None, 0.0, 0.0)
    tolerance = max(3.0, 2.5 * samplerate / size)
    best_hz, best = None, 0.0
    for base in HUM_BASES_HZ:
        near = np.zeros(len(freqs), bool)
        for k in range(1, HUM_HARMONICS + 1):
            near |= np.abs(freqs - k * base) <= tolerance
        share = float(psd[near].sum()) / total
        if share > best:
            best_hz, best = base, share
    low = float(psd[freqs < 200].sum()) / total
    if best >= hum_share:
        return NoiseKind("hum", best_hz, best, low)
    if low >= low_share:
        return NoiseKind("rumble", None, best, low)
    return NoiseKind("broadband", None, best, low)


# -- clipping -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clipping:
    """Samples at or near full scale, in runs (flat tops): the input gain is too high."""

    share: float
    """Share of samples in runs of at least ``min_run`` samples at or near full scale."""
    runs: int
    longest: int
    """The longest run, in samples."""
    peak_dbfs: float


def clipping(raw: np.ndarray, *, level: float = 0.99, min_run: int = 3) -> Clipping:
    """Clipping in ``raw`` (frames × channels or 1-D, float, full scale 1.0, as recorded: DC offset included).

    A run is ``min_run`` or more consecutive samples of one channel whose magnitude is at least ``level``.
    """
    data = np.asarray(raw)
    if data.ndim == 1:
        data = data[:, None]
    if data.size == 0:
        raise AudioInputError("empty", "the recording holds no samples")
    peak = 0.0
    clipped = runs = longest = 0
    for c in range(data.shape[1]):  # a channel at a time: a long recording is not copied whole
        magnitude = np.abs(_channel(data, c))
        peak = max(peak, float(magnitude.max()))
        near = magnitude >= level
        if not near.any():
            continue
        _, lengths = _runs(near)
        long = lengths[lengths >= min_run]
        clipped += int(long.sum())
        runs += len(long)
        longest = max(longest, int(long.max(initial=0)))
    return Clipping(share=clipped / data.size, runs=runs, longest=longest,
                    peak_dbfs=20.0 * float(np.log10(peak)) if peak > 0 else FLOOR_DBFS)


# -- the whole recording ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dropouts:
    """Where the sound cut out: runs of exact digital zeros with sound on both sides."""

    count: int
    total_s: float
    longest_s: float


def dropouts(gaps: np.ndarray, frame_s: float = FRAME_S, keep: np.ndarray | None = None) -> Dropouts:
    """The dropouts in a recording from its frames of digital zeros (``gaps``). Zeros at the very start or end are
    not counted: a stream starting late or a file padded with silence is not a sound cutting out.

    ``keep``: which of the runs of gaps, in order, count (see :func:`breaks_off_voice`).
    """
    starts, lengths = _runs(np.asarray(gaps, bool))
    inside = (starts > 0) & (starts + lengths < len(gaps))
    if keep is not None:
        inside &= np.asarray(keep, bool)
    lengths = lengths[inside]
    return Dropouts(len(lengths), float(lengths.sum()) * frame_s, float(lengths.max(initial=0)) * frame_s)


@dataclass(frozen=True)
class AudioAnalysis:
    """Everything the microphone checks need from one recording."""

    seconds: float
    samplerate: int
    channels: int
    used: tuple[int, ...]
    dead: tuple[int, ...]
    dc_offset: float
    damaged: int
    noise_dbfs: float
    """The background's level: RMS of the frames that measure the room (see :func:`background_frames`)."""
    speech_dbfs: float | None
    """The active speech level (P.56), background subtracted; None when no speech was found."""
    snr_db: float | None
    speech_s: float
    noise_s: float
    gaps_s: float
    """Time in frames of exact digital zeros (dropouts) inside the recording."""
    noise: NoiseKind
    dropouts: Dropouts = Dropouts(0, 0.0, 0.0)
    trace: tuple[tuple[float, float], ...] = ()
    """The level over the recording for a plot: (seconds, dBFS) every :data:`TRACE_S` (see :func:`level_trace`)."""
    noise_from: str = "pauses"
    """Where the background was measured: ``quiet`` (the guided take's quiet part), ``pauses`` or ``quietest``."""
    quiet_silent: float = 0.0
    """The share of the time the candidate was quiet that is exact digital silence (see :func:`quiet_silence`): near
    1 for a microphone with a noise gate or noise suppression, which silences the room between words."""
    speech_dropouts: Dropouts = Dropouts(0, 0.0, 0.0)
    """The dropouts that break off speech (see :func:`dropouts`): the ones that count behind a noise gate."""
    file_s: float | None = None
    """How long the whole file is, when only its start was analysed (set by the caller, who read the file)."""


def _quiet_span(quiet: tuple[float, float], count: int, frame_s: float) -> tuple[int, int]:
    """The first and past-the-last frame of the quiet part (start and end in seconds), less its edges."""
    return (max(0, int(np.ceil((quiet[0] + QUIET_EDGE_S) / frame_s))),
            min(count, int(np.floor((quiet[1] - QUIET_EDGE_S) / frame_s))))


def background_frames(band: np.ndarray, activity: Activity, quiet: tuple[float, float] | None = None,
                      frame_s: float = FRAME_S) -> tuple[np.ndarray, str]:
    """Which frames measure the room, and from where: ``"quiet"`` (the part the candidate was asked to stay quiet
    in), ``"pauses"`` (the pauses of the whole recording) or ``"quietest"`` (its quietest frames, a last resort).

    The quiet part (``quiet``: start and end in seconds) is used when it is known and, less its first and last
    :data:`QUIET_EDGE_S` and the candidate's own voice if it came early (:data:`EARLY_VOICE_DB`) and what is next to
    it, at least :data:`MIN_QUIET_S` of it is left: other people talking there are part of the room.
    Otherwise the background is the frames away from speech (``activity.noise``) when there are at least
    :data:`MIN_BACKGROUND_S` of them; a recording that is speech almost throughout is searched again with a
    tight margin (3 dB over the room's minimum) and a hangover of one frame, so only the pauses between words,
    at the room's own level, count.
    """
    count = len(band)
    if quiet is not None:
        start, end = _quiet_span(quiet, count, frame_s)
        inside = np.zeros(count, bool)
        inside[start:max(start, end)] = True
        chosen = inside & activity.noise
        if activity.speech.any():
            # the candidate was asked to be quiet: what is heard there is the room, people talking included, but for
            # the candidate's own voice if it came early, as loud as it is later
            loud = band >= float(np.percentile(band[activity.speech], 95)) * 10.0 ** (-EARLY_VOICE_DB / 10.0)
            hang = max(0, round(EARLY_HANGOVER_S / frame_s))
            chosen = inside & ~activity.gaps & ~_dilate(loud & activity.speech, hang, hang)
        if chosen.sum() * frame_s >= MIN_QUIET_S - 1e-9:
            return chosen, "quiet"
    if activity.noise.sum() * frame_s >= MIN_BACKGROUND_S - 1e-9:
        return activity.noise, "pauses"
    tight = classify(band, frame_s, min_margin_db=3.0, max_margin_db=3.0, hangover_s=frame_s)
    if tight.noise.sum() >= 3:
        return tight.noise, "pauses"
    usable = band > 0
    return usable & (band <= np.percentile(band[usable], 10)), "quietest"


def quiet_silence(activity: Activity, quiet: tuple[float, float] | None = None, frame_s: float = FRAME_S) -> float:
    """The share of the quiet time that is exact digital silence (0 when there is too little quiet time to tell).

    The quiet time is the guided take's quiet part less its edges (:data:`QUIET_EDGE_S`) when it is known and at
    least :data:`MIN_QUIET_S` long, else every frame away from speech: the background frames and the gaps.
    """
    if quiet is not None:
        start, end = _quiet_span(quiet, len(activity.gaps), frame_s)
        if (end - start) * frame_s >= MIN_QUIET_S - 1e-9:
            return float(activity.gaps[start:end].mean())
    silent = float(activity.gaps.sum())
    still = silent + float(activity.noise.sum())
    return silent / still if still * frame_s >= MIN_QUIET_S - 1e-9 else 0.0


def breaks_off_voice(prepared: Prepared, band: np.ndarray, activity: Activity, frame_s: float = FRAME_S,
                     below_db: float = TALKER_DB) -> np.ndarray:
    """For each run of gaps (frames of digital zeros), in order: whether the voice is heard at its full level
    (within ``below_db`` of its loud frames, their 95th percentile) in the frame of samples right before the zeros
    begin and right after they end: a word broken off, not a noise gate at work.

    A gate closes once the voice has faded under its threshold and opens as it starts again, so its silences lie
    between words; a sound cutting out breaks off a word. The edges are found sample by sample, since a dropout
    seldom starts on a frame's edge.
    """
    starts, lengths = _runs(activity.gaps)
    if not activity.speech.any():
        return np.zeros(len(starts), bool)
    voice = float(np.percentile(band[activity.speech], 95)) * 10.0 ** (-below_db / 10.0)
    size = max(1, round(frame_s * prepared.samplerate))
    zero, mono = prepared.zero, prepared.mono
    found = []
    for start, length in zip(starts, lengths, strict=True):
        begin, end = start * size, (start + length) * size
        while begin > 0 and zero[begin - 1]:
            begin -= 1
        while end < len(zero) and zero[end]:
            end += 1
        if begin < size or end + size > len(mono):
            found.append(False)
            continue
        edges = band_powers(np.stack([mono[begin - size : begin], mono[end : end + size]]), prepared.samplerate)
        found.append(bool(np.all(edges >= voice)))
    return np.array(found, bool)


def _first_frames(framed: np.ndarray, chosen: np.ndarray, seconds: float, frame_s: float = FRAME_S) -> np.ndarray:
    """The samples of the ``chosen`` frames, one after another, up to ``seconds`` of them (a bounded copy)."""
    picked = np.flatnonzero(chosen)[: max(1, round(seconds / frame_s))]
    return framed[picked].ravel()


def analyse(samples: np.ndarray, samplerate: int, *, min_speech_s: float = 0.5,
            quiet: tuple[float, float] | None = None) -> AudioAnalysis:
    """Noise floor, speech level, SNR and the kind of background of one recording (any length from 0.5 s).

    ``quiet``: when the candidate was asked to stay quiet (start and end, seconds from the start of the
    recording), if the recording was guided; the background is then measured there (see
    :func:`background_frames`). :class:`AudioInputError` (a ValueError) when the samples cannot be analysed
    (see :func:`prepare`).
    """
    prepared = prepare(samples, samplerate)
    rate = prepared.samplerate
    framed = frames(prepared.mono, rate)
    gap = frames(prepared.zero, rate).all(axis=1)
    if gap.all():
        raise AudioInputError("silent", "the recording is digital silence throughout")
    powers = np.where(gap, 0.0, np.einsum("fs,fs->f", framed, framed) / framed.shape[1])
    band = np.where(gap, 0.0, band_powers(framed, rate))
    activity = classify(band, FRAME_S)
    background, source = background_frames(band, activity, quiet, FRAME_S)
    noise_power = float(np.mean(powers[background])) if background.any() else 0.0
    speech_dbfs = None
    if activity.speech_s >= min_speech_s:
        speech_dbfs = active_level(powers, noise_power, FRAME_S)
    noise_dbfs = dbfs(noise_power)
    snr = None if speech_dbfs is None else speech_dbfs - noise_dbfs
    kind = noise_kind(_first_frames(framed, background, MAX_KIND_S), rate) if background.any() else \
        NoiseKind("none", None, 0.0, 0.0)
    return AudioAnalysis(
        seconds=prepared.seconds, samplerate=rate, channels=prepared.channels, used=prepared.used,
        dead=prepared.dead, dc_offset=prepared.dc_offset, damaged=prepared.damaged, noise_dbfs=noise_dbfs,
        speech_dbfs=speech_dbfs, snr_db=snr, speech_s=activity.speech_s, noise_s=float(background.sum()) * FRAME_S,
        gaps_s=float(activity.gaps.sum()) * FRAME_S, noise=kind, dropouts=dropouts(activity.gaps, FRAME_S),
        trace=level_trace(powers, FRAME_S), noise_from=source, quiet_silent=quiet_silence(activity, quiet, FRAME_S),
        speech_dropouts=dropouts(activity.gaps, FRAME_S, keep=breaks_off_voice(prepared, band, activity)),
    )


def level_trace(powers: np.ndarray, frame_s: float = FRAME_S, step_s: float = TRACE_S,
                floor_dbfs: float = TRACE_FLOOR_DBFS) -> tuple[tuple[float, float], ...]:
    """The RMS level of each ``step_s`` of a recording, from its frame powers: (time of the step's middle, dBFS).

    Levels below ``floor_dbfs`` (digital silence, a dropout) are shown at the floor, so one silent moment does not
    squash the rest of the plot.
    """
    per = max(1, round(step_s / frame_s))
    steps = len(powers) // per
    if steps == 0:
        return ()
    means = np.asarray(powers[:steps * per], dtype=np.float64).reshape(steps, per).mean(axis=1)
    return tuple((round((i + 0.5) * per * frame_s, 3), round(max(floor_dbfs, dbfs(float(p))), 2))
                 for i, p in enumerate(means))


def block_levels(block: np.ndarray) -> tuple[float, float]:
    """RMS and peak of one block of samples, in dBFS (for a level meter); NaN and infinity count as silence."""
    data = np.asarray(block, dtype=np.float64)
    if data.size == 0:
        return FLOOR_DBFS, FLOOR_DBFS
    data = np.where(np.isfinite(data), data, 0.0)
    peak = float(np.max(np.abs(data)))
    return dbfs(float(np.mean(np.square(data)))), (20.0 * float(np.log10(peak)) if peak > 0 else FLOOR_DBFS)
