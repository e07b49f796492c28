"""Responsiveness under working conditions, in round trips per minute (RPM), as draft-ietf-ippm-responsiveness
defines it, so a candidate or a recruiter's IT can compare our figure with Apple's ``networkQuality`` and Cloudflare's
``mach``.

The draft takes two kinds of probe while the line is loaded: *foreign* probes on new connections (the TCP handshake,
the TLS handshake, and a small HTTP GET on that connection, each timed on its own) and *self* probes on the loaded
connections themselves. Each kind is summed up by a trimmed mean (the values above the 95th percentile left out: one
stalled probe must not decide), and

    RPM = 60000 / (1/2 · mean(TM(tcp_f), TM(tls_f), TM(http_f)) + 1/2 · TM(self))      (milliseconds)

The delay checks under load judge the self probes' trimmed mean too (:func:`loaded_delay_ms`): one figure for the
delay a loaded line adds, whether told in milliseconds or in RPM.

Pure: timings in seconds in, a frozen dataclass (or milliseconds) out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

BANDS = ((300.0, "poor"), (1000.0, "fair"), (6000.0, "good"))
"""The draft's bands: below 300 RPM poor, 300 to 1000 fair, 1000 to 6000 good; above, excellent."""
TOP = "excellent"
KEEP = 0.95
"""The trimmed mean keeps the values up to the 95th percentile."""
FOREIGN_KINDS = ("tcp", "tls", "http")


def trimmed_mean(values: Sequence[float], keep: float = KEEP) -> float:
    """The mean of the smallest ``keep`` share of ``values`` (at least one value). ValueError when empty or not
    finite."""
    if not values:
        raise ValueError("a trimmed mean needs at least one value")
    if not 0 < keep <= 1:
        raise ValueError(f"keep must be in (0, 1], not {keep}")
    if not all(math.isfinite(v) and v >= 0 for v in values):
        raise ValueError("timings must be finite numbers of seconds >= 0")
    kept = sorted(values)[:max(1, math.ceil(keep * len(values)))]
    return sum(kept) / len(kept)


def loaded_delay_ms(rtts: Sequence[float | None]) -> float:
    """The delay under load, in ms: the trimmed mean of the answered probes' round trips (None: lost), the same
    figure as the RPM's self probes. ValueError when none was answered. Not their median: over a transfer of a few
    seconds the round trips follow a sawtooth or two (TCP fills the queue, a drop drains it), and their median swings
    with where the transfer stopped in it; the mean is the wait a call's packets meet on average, and the trimming
    leaves out what is above the 95th percentile (see docs/checks.md for the lab's figures)."""
    return trimmed_mean([rtt for rtt in rtts if rtt is not None]) * 1000


def band(rpm: float) -> str:
    """The draft's name for ``rpm``: poor, fair, good or excellent."""
    return next((name for limit, name in BANDS if rpm < limit), TOP)


@dataclass(frozen=True)
class Responsiveness:
    rpm: float
    band: str
    foreign_ms: float | None
    """The mean of the foreign probes' trimmed means (None: no foreign probe)."""
    self_ms: float | None
    """The trimmed mean of the self probes (None: no self probe)."""
    foreign_n: int
    self_n: int


def responsiveness(foreign: Mapping[str, Sequence[float]], self_probes: Sequence[float]) -> Responsiveness:
    """RPM from foreign probe timings by kind (``tcp``, ``tls``, ``http``; a kind without timings, such as TLS on a
    plain-HTTP server, is left out of the mean) and self probe round trips, all in seconds. With only one kind of
    probe, that kind alone decides. ValueError when there is no timing at all (or only zeros), or an unknown kind."""
    unknown = set(foreign) - set(FOREIGN_KINDS)
    if unknown:
        raise ValueError(f"unknown foreign probe kinds {sorted(unknown)}")
    means = [trimmed_mean(timings) for timings in foreign.values() if timings]
    foreign_s = sum(means) / len(means) if means else None
    self_s = trimmed_mean(self_probes) if self_probes else None
    parts = [part for part in (foreign_s, self_s) if part is not None]
    if not parts:
        raise ValueError("responsiveness needs at least one probe")
    seconds = sum(parts) / len(parts)
    if seconds <= 0:
        raise ValueError("responsiveness needs round trips longer than zero")
    rpm = 60.0 / seconds
    return Responsiveness(rpm, band(rpm), None if foreign_s is None else foreign_s * 1000,
                          None if self_s is None else self_s * 1000,
                          max((len(t) for t in foreign.values()), default=0), len(self_probes))
