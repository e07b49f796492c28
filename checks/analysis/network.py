"""Network figures from raw measurements: throughput, round-trip statistics, and the verdicts on them.

All functions are pure: samples in, a number or a frozen dataclass out. Throughput samples are
``(seconds since the transfer started, bytes moved so far)`` pairs, in time order. Round-trip samples
are one entry per probe sent, in send order: the round-trip time in seconds, or ``None`` when the probe
was never answered.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from checks.api import Status

Sample = tuple[float, int]


def _validate_samples(samples: Sequence[Sample]) -> None:
    last_t, last_b = -math.inf, -1
    for t, b in samples:
        if not (math.isfinite(t) and t >= 0) or b < 0:
            raise ValueError(f"a throughput sample must be (seconds >= 0, bytes >= 0), not {(t, b)!r}")
        if t < last_t or b < last_b:
            raise ValueError("throughput samples must be in time order with a growing byte count")
        last_t, last_b = t, b


def sample_at(samples: Sequence[Sample], t: float) -> Sample:
    """The first sample taken at or after ``t`` (the last sample if none)."""
    for sample in samples:
        if sample[0] >= t:
            return sample
    return samples[-1]


@dataclass(frozen=True)
class Throughput:
    """A throughput estimate and what it rests on."""

    mbps: float
    """Megabits per second (10^6 bits) after the ramp-up."""
    bytes: int
    """Bytes moved in the whole transfer, ramp-up included."""
    seconds: float
    """The whole transfer's duration, ramp-up included."""
    measured_s: float
    """The part of the transfer the estimate is taken from (after the ramp-up)."""
    stable: bool
    """Whether the stop rule found the rate steady (False: stopped by the time limit)."""


def throughput(samples: Sequence[Sample], ramp_s: float) -> float:
    """Mbit/s between the first sample at or after ``ramp_s`` (the TCP ramp-up is discarded) and the last.

    Raises ValueError when there is less than a measurable stretch after the ramp-up.
    """
    _validate_samples(samples)
    if ramp_s < 0:
        raise ValueError(f"ramp_s must be >= 0, not {ramp_s}")
    if len(samples) < 2:
        raise ValueError("a throughput estimate needs at least two samples")
    t0, b0 = sample_at(samples, ramp_s)
    t1, b1 = samples[-1]
    if t1 <= t0:
        raise ValueError(f"no samples after the {ramp_s:g} s ramp-up")
    return (b1 - b0) * 8 / (t1 - t0) / 1e6


def _windows(samples: Sequence[Sample], ramp_s: float, window_s: float) -> list[tuple[Sample, Sample]]:
    """The consecutive whole windows of ``window_s`` after the ramp-up, oldest first: (first, last sample) each."""
    _validate_samples(samples)
    if window_s <= 0:
        raise ValueError(f"window_s must be > 0, not {window_s}")
    if not samples:
        return []
    windows = []
    edge = sample_at(samples, ramp_s)
    while True:
        end = sample_at(samples, edge[0] + window_s)
        if end[0] < edge[0] + window_s or end[0] <= edge[0]:
            return windows
        windows.append((edge, end))
        edge = end


def window_rates(samples: Sequence[Sample], ramp_s: float, window_s: float) -> list[float]:
    """Mbit/s in consecutive whole windows of ``window_s`` after the ramp-up, oldest first."""
    return [(end[1] - edge[1]) * 8 / (end[0] - edge[0]) / 1e6 for edge, end in _windows(samples, ramp_s, window_s)]


def steady_from(samples: Sequence[Sample], ramp_s: float, window_s: float, windows: int) -> float:
    """Where the last ``windows`` windows after the ramp-up begin (seconds; ``ramp_s`` when there are fewer): once
    the stop rule found them steady, the figure is taken from there. A ramp-up that lasted longer than ``ramp_s`` (a
    slow start over a longer round trip than the rule knew) then lowers no figure; a transfer that was steady from
    the start is measured from its start."""
    found = _windows(samples, ramp_s, window_s)
    return found[-windows][0][0] if windows >= 1 and len(found) >= windows else ramp_s


def is_stable(samples: Sequence[Sample], ramp_s: float, window_s: float, windows: int, tolerance: float) -> bool:
    """The stop rule: the last ``windows`` window rates all lie within ``tolerance`` (a fraction) of their mean.

    A transfer that moved nothing after the ramp-up is not stable (it may have stalled).
    """
    if windows < 2 or not 0 < tolerance < 1:
        raise ValueError("the stop rule needs windows >= 2 and 0 < tolerance < 1")
    rates = window_rates(samples, ramp_s, window_s)[-windows:]
    if len(rates) < windows:
        return False
    mean = sum(rates) / len(rates)
    return mean > 0 and all(abs(r - mean) <= tolerance * mean for r in rates)


def filled(samples: Sequence[Sample], start: float, span: float, growth: float, rounds: int) -> float | None:
    """Where the line was found full: the start of the first of ``rounds`` consecutive round trips (``span`` seconds
    each, from ``start``) whose rate grew by less than ``growth`` times the best before them, as BBR's start-up
    judges it (three round trips under 25 %); None while the rate still grows. TCP's slow start doubles its rate
    once a round trip until the line is full; comparing with the best round trip before, not only the last, keeps
    the bursts of an ACK-clocked slow start from looking like a plateau."""
    _validate_samples(samples)
    if span <= 0 or rounds < 1:
        raise ValueError("rounds need span > 0 and rounds >= 1")
    best, plateau, count = 0.0, None, 0
    edge = sample_at(samples, start) if samples else None
    while edge is not None:
        end = sample_at(samples, edge[0] + span)
        if end[0] < edge[0] + span or end[0] <= edge[0]:
            return None
        rate = (end[1] - edge[1]) / (end[0] - edge[0])
        if rate >= growth * best:
            best, plateau, count = rate, None, 0
        else:
            plateau = edge[0] if plateau is None else plateau
            count += 1
            if count >= rounds:
                return plateau
        edge = end
    return None


def straying(samples: Sequence[Sample], ramp_s: float) -> float | None:
    """How far the bytes moved after the ramp-up stray from the straight line between that stretch's ends: the most,
    as a fraction of the bytes moved in it (None: nothing moved). The rate over the stretch is off by about as much,
    so a rate that swings (one TCP stream's cycles through a short queue) is known once the stretch is long enough
    for its swings to be small beside it, sooner than three windows happen to agree."""
    _validate_samples(samples)
    if not samples:
        return None
    t0, b0 = sample_at(samples, ramp_s)
    t1, b1 = samples[-1]
    if t1 <= t0 or b1 <= b0:
        return None
    rate = (b1 - b0) / (t1 - t0)
    return max(abs(b - b0 - rate * (t - t0)) for t, b in samples if t >= t0) / (b1 - b0)


def summarize_throughput(samples: Sequence[Sample], ramp_s: float, stable: bool) -> Throughput:
    """The :class:`Throughput` of a finished transfer (see :func:`throughput`)."""
    mbps = throughput(samples, ramp_s)
    t0 = sample_at(samples, ramp_s)[0]
    return Throughput(mbps=mbps, bytes=samples[-1][1], seconds=samples[-1][0],
                      measured_s=samples[-1][0] - t0, stable=stable)


@dataclass(frozen=True)
class RttStats:
    """Round-trip statistics of a probe stream."""

    sent: int
    received: int
    loss_percent: float
    median_ms: float | None
    """None when nothing was answered."""
    jitter_ms: float | None
    """Mean absolute difference between consecutive answered round trips (None below two answers)."""
    min_ms: float | None
    p95_ms: float | None


def rtt_stats(rtts: Sequence[float | None], lag: int = 1) -> RttStats:
    """Median, jitter and loss of a probe stream.

    Jitter is the mean absolute difference between the round-trip times of consecutive answered probes,
    |RTT(i) - RTT(i-1)|. RFC 3550's interarrival jitter is a running average (gain 1/16) of the same
    differences, so both estimate the same quantity; the plain mean does not depend on a warm-up.
    With ``lag`` > 1 the stream is ``lag`` interleaved ones, and jitter is taken within each (probes ``lag``
    apart): probes sent twice as often, for the loss figure's sake, are still judged 20 ms apart as a call's
    packets are (on a line that keeps packets in order, closer ones differ less).
    Loss is the share of probes never answered.
    """
    if not rtts:
        raise ValueError("no probes were sent")
    answered = []
    for rtt in rtts:
        if rtt is None:
            continue
        if not (math.isfinite(rtt) and rtt >= 0):
            raise ValueError(f"a round-trip time must be a finite number of seconds >= 0, not {rtt!r}")
        answered.append(rtt * 1000)
    sent, received = len(rtts), len(answered)
    loss = 100.0 * (sent - received) / sent
    if not answered:
        return RttStats(sent, 0, loss, None, None, None, None)
    if lag < 1:
        raise ValueError(f"lag must be >= 1, not {lag}")
    diffs = [abs(b - a) for k in range(lag)
             for a, b in itertools.pairwise(r * 1000 for r in rtts[k::lag] if r is not None)]
    ordered = sorted(answered)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    return RttStats(sent, received, loss, statistics.median(answered),
                    sum(diffs) / len(diffs) if diffs else None, ordered[0], p95)


def grade_upper(value: float, warn: float, fail: float) -> Status:
    """For figures where lower is better (latency, jitter, loss): above ``fail`` fails, above ``warn`` warns."""
    if not warn <= fail:
        raise ValueError(f"the warning limit {warn} must not be above the failure limit {fail}")
    if not math.isfinite(value):
        raise ValueError(f"cannot grade {value!r}")
    if value > fail:
        return Status.FAIL
    if value > warn:
        return Status.WARN
    return Status.PASS


def grade_throughput(mbps: float, need_mbps: float, headroom: float) -> Status:
    """Below the platform's need fails; below the need times ``headroom`` (>= 1) warns."""
    if need_mbps <= 0 or headroom < 1:
        raise ValueError("the need must be > 0 Mbit/s and the headroom >= 1")
    if not math.isfinite(mbps) or mbps < 0:
        raise ValueError(f"cannot grade {mbps!r} Mbit/s")
    if mbps < need_mbps:
        return Status.FAIL
    if mbps < need_mbps * headroom:
        return Status.WARN
    return Status.PASS
