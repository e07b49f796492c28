"""Responsiveness (RPM, draft-ietf-ippm-responsiveness) from probe timings: the draft's trimmed means and bands, on
hand-made cases and on timings recorded in the network lab (tests/test_network_delay.py's 30 ms cable with a home
router queueing 400 ms or 5 ms of a 20 Mbit/s download filled by a loss-based sender)."""

from __future__ import annotations

import pytest

from checks.analysis.responsiveness import band, loaded_delay_ms, responsiveness, trimmed_mean


def _s(ms: list[float]) -> list[float]:
    return [m / 1000 for m in ms]


# every 10th STUN round trip on the loaded path (self probes), and every foreign probe's TCP and HTTP timings (ms)
DEEP_SELF = _s([
    436.7, 380.5, 374.1, 436.1, 435.7, 435.6, 435.9, 426.2, 413.1, 369.2, 304.2, 276.9, 276.1, 277.6, 279.6,
    286.3, 287.0, 294.3, 309.4, 308.3, 334.9, 372.8, 385.9, 437.4, 434.5, 428.4, 339.0, 278.9, 292.2, 296.1,
    295.5, 297.8, 299.7, 299.9, 302.2, 304.0, 247.2
])
DEEP_TCP = _s([
    436.7, 435.3, 406.0, 275.3, 278.8, 293.4, 334.6, 435.0, 293.0, 297.2, 301.6
])
DEEP_HTTP = _s([
    400.8, 456.9, 274.9, 281.8, 286.3, 309.1, 385.7, 294.9, 295.6, 299.9, 305.4
])
SHALLOW_SELF = _s([
    40.8, 30.7, 32.9, 39.6, 30.5, 30.5, 35.6, 30.4, 30.4, 33.6, 40.2, 35.9, 40.8, 30.5, 39.7, 30.4
])
SHALLOW_TCP = _s([
    40.6, 30.5, 33.1, 39.2, 30.5, 31.6, 35.9, 30.4, 30.3, 35.2, 38.6, 32.5, 40.2, 30.5, 41.5, 30.3
])
SHALLOW_HTTP = _s([
    30.9, 31.8, 37.7, 41.3, 32.3, 32.0, 39.0, 31.2, 36.9, 36.5, 39.7, 37.1, 32.9, 30.6, 40.6, 31.0
])


@pytest.mark.parametrize(("rpm", "name"), [(0.5, "poor"), (299.9, "poor"), (300, "fair"), (999.9, "fair"),
                                           (1000, "good"), (5999.9, "good"), (6000, "excellent"), (60000, "excellent")])
def test_the_drafts_bands(rpm, name):
    assert band(rpm) == name


def test_the_trimmed_mean_leaves_out_what_is_above_the_95th_percentile():
    assert trimmed_mean([float(i) for i in range(1, 21)]) == pytest.approx(10.0)  # 20 is left out: 19 kept
    assert trimmed_mean([0.03] * 19 + [3.0]) == pytest.approx(0.03)  # one stalled probe does not decide
    assert trimmed_mean([0.04]) == pytest.approx(0.04)  # one value is kept, whatever the share
    assert trimmed_mean([0.01, 0.02], keep=0.5) == pytest.approx(0.01)


def test_foreign_and_self_weigh_half_each_and_the_foreign_kinds_are_averaged():
    # foreign: mean(TM(tcp) 100 ms, TM(http) 300 ms) = 200 ms (no TLS on a plain-HTTP server); self 100 ms
    found = responsiveness({"tcp": [0.1], "http": [0.3]}, [0.1])
    assert found.foreign_ms == pytest.approx(200) and found.self_ms == pytest.approx(100)
    assert found.rpm == pytest.approx(60000 / 150) and found.band == "fair"
    with_tls = responsiveness({"tcp": [0.1], "tls": [0.2], "http": [0.3]}, [0.1])
    assert with_tls.foreign_ms == pytest.approx(200) and with_tls.rpm == pytest.approx(400)
    assert responsiveness({}, [0.05]).rpm == pytest.approx(1200)  # one kind of probe alone decides
    assert responsiveness({"tcp": [0.02], "http": []}, []).rpm == pytest.approx(3000)


def test_recorded_timings_from_a_deep_and_a_shallow_queue():
    deep = responsiveness({"tcp": DEEP_TCP, "http": DEEP_HTTP}, DEEP_SELF)
    shallow = responsiveness({"tcp": SHALLOW_TCP, "http": SHALLOW_HTTP}, SHALLOW_SELF)
    # the 400 ms queue, mostly full: a third of a second per round trip, under 300 RPM
    assert deep.band == "poor" and 150 < deep.rpm < 250 and 250 < deep.self_ms < 400
    # the 5 ms queue: the cable's 30 ms and a few; well inside "good"
    assert shallow.band == "good" and 1500 < shallow.rpm < 2000 and 30 < shallow.self_ms < 36
    assert (deep.foreign_n, deep.self_n) == (len(DEEP_TCP), len(DEEP_SELF))


@pytest.mark.parametrize(("foreign", "self_probes"), [({}, []), ({"tcp": []}, []), ({"udp": [0.1]}, [0.1]),
                                                      ({"tcp": [-0.1]}, []), ({}, [float("nan")]), ({}, [0.0])])
def test_nothing_to_go_on_is_an_error_not_a_figure(foreign, self_probes):
    with pytest.raises(ValueError):
        responsiveness(foreign, self_probes)


def test_the_delay_under_load_is_the_trimmed_mean_of_the_answered_probes_not_their_median():
    # a transfer that stopped early in TCP's sawtooth: 40 probes while the queue had drained (1 ms), 35 while it was
    # full (80 ms), one lost; the median sits in the drained heap, the mean sees the queue a call meets
    rtts = [0.001] * 40 + [None] + [0.080] * 35
    kept = [1.0] * 40 + [80.0] * 32  # the 72 up to the 95th percentile of the 75 answered
    assert loaded_delay_ms(rtts) == pytest.approx(sum(kept) / len(kept))  # 36.1 ms, where the median says 1 ms
    answered = [rtt for rtt in rtts if rtt is not None]
    assert loaded_delay_ms(rtts) == pytest.approx(responsiveness({}, answered).self_ms)  # the RPM's self figure
    with pytest.raises(ValueError):
        loaded_delay_ms([None, None])
