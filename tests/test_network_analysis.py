"""Network figures on data with known truth, the STUN codec, the platform data, and speedtest-cli in a windowed app."""

from __future__ import annotations

import json
import socket
import struct
import subprocess
import sys

import pytest

from checks.analysis.network import (
    filled,
    grade_throughput,
    grade_upper,
    is_stable,
    rtt_stats,
    steady_from,
    straying,
    summarize_throughput,
    throughput,
    window_rates,
)
from checks.api import Status
from checks.builtin.network import assess_connectivity, assess_link, assess_platform
from checks.netprobe import link
from checks.netprobe.common import ProbeError
from checks.netprobe.reach import platform
from checks.netprobe.stun import MAGIC_COOKIE, binding_request, parse_binding_response
from checks.text.resources import load_toml_asset
from checks.text.wording import say
from tests.conftest import ROOT


def steady(mbps: float, seconds: float, step: float = 0.05, burst_bytes: int = 0, ramp_s: float = 0.0):
    """Samples of a transfer at ``mbps``, with ``burst_bytes`` arriving at once during the first ``ramp_s``."""
    samples, total, t = [(0.0, 0)], 0.0, 0.0
    while t < seconds - 1e-9:
        t += step
        total += mbps * 1e6 / 8 * step + (burst_bytes * step / ramp_s if t <= ramp_s else 0)
        samples.append((round(t, 6), int(total)))
    return samples


def test_throughput_discards_the_ramp_up():
    samples = steady(10, 5, burst_bytes=2_000_000, ramp_s=1.0)
    assert throughput(samples, ramp_s=0.0) > 12  # the burst inflates a naive figure
    assert throughput(samples, ramp_s=1.0) == pytest.approx(10, rel=0.01)
    result = summarize_throughput(samples, 1.0, stable=True)
    assert result.bytes == samples[-1][1] and result.seconds == pytest.approx(5.0)
    assert result.measured_s == pytest.approx(4.0, abs=0.06)


def test_window_rates_and_stop_rule():
    samples = steady(8, 4.0)
    rates = window_rates(samples, 1.0, 1.0)
    assert len(rates) == 3 and all(r == pytest.approx(8, rel=0.02) for r in rates)
    assert is_stable(samples, 1.0, 1.0, 3, 0.05)
    rising = [(t, int(b * (1 + t / 2))) for t, b in samples]  # the rate keeps climbing: not stable
    assert not is_stable(rising, 1.0, 1.0, 3, 0.05)
    stalled = [*samples, *((4.0 + i * 0.1, samples[-1][1]) for i in range(1, 31))]
    assert not is_stable(stalled, 1.0, 1.0, 3, 0.05)
    assert not is_stable(samples[:30], 1.0, 1.0, 3, 0.05)  # too short to judge


def test_a_swinging_rate_is_known_once_its_swings_are_small_beside_the_stretch():
    """One stream through a short queue: 1 Mbit/s with a 0.2 s stall every second (0.8 Mbit/s on average). Its
    half-second windows never agree within 8 %, but the bytes stray less and less from a straight line."""
    samples = [(0.0, 0)]
    for i in range(1, 161):  # 8 s, sampled every 50 ms
        t = i * 0.05
        samples.append((t, samples[-1][1] + (0 if t % 1.0 > 0.8 else 6250)))
    assert not is_stable(samples, 0.25, 0.5, 3, 0.08)
    early = straying(samples[:40], 0.25)  # 1.75 s after the ramp-up
    late = straying(samples, 0.25)
    assert early is not None and late is not None and late < early / 2.5 and late < 0.05
    assert throughput(samples, 0.25) == pytest.approx(0.8, rel=0.03)
    assert straying(steady(8, 4.0), 1.0) == pytest.approx(0.0, abs=0.01)  # a steady rate: a straight line
    rising = [(t, int(b * (1 + t / 2))) for t, b in steady(8, 4.0)]
    assert straying(rising, 1.0) > 0.05  # a climbing rate is far from one
    assert straying([(0.0, 0), (1.0, 0), (2.0, 0)], 0.5) is None  # nothing moved


def total_at(samples, t: float) -> int:
    return next(b for s, b in samples if s >= t)


def test_a_long_round_trips_ramp_up_lasts_while_the_rate_grows():
    """Slow start over 800 ms: nothing for the two round trips of the connection and the request, then the rate
    doubles once a round trip from 0.25 Mbit/s until the line's 2 Mbit/s (from 4.0 s on)."""
    samples, total = [(0.0, 0)], 0.0
    for i in range(1, 201):  # 10 s, sampled every 50 ms
        t = i * 0.05
        total += (min(2.0, 0.25 * 2 ** ((t - 1.6) // 0.8)) if t > 1.6 else 0.0) * 1e6 / 8 * 0.05
        samples.append((round(t, 6), int(total)))
    first = next(t for t, b in samples if b > 0)
    # the round that first reached 2 Mbit/s grew; the two after it did not: the figure's rounds begin after 4.0 s
    assert filled(samples, first, 0.8, 1.25, 2) == pytest.approx(first + 3.2, abs=0.06)
    assert filled(samples[:round(5.6 / 0.05)], first, 0.8, 1.25, 2) is None  # one round without growth: not yet
    # a round of slow start whose burst came early (a bigger round, then a smaller one) does not end it
    ahead = [(t, max(b, min(b + 60_000, total_at(samples, 4.0))) if 3.2 <= t < 4.0 else b) for t, b in samples]
    assert filled(ahead, first, 0.8, 1.25, 2) >= 4.0
    assert filled(steady(8, 4.0), 0.0, 0.5, 1.25, 2) == pytest.approx(0.5)  # full from the start
    with pytest.raises(ValueError):
        filled(samples, 0.0, 0.0, 1.25, 2)


def test_the_figure_of_a_steady_transfer_is_its_steady_stretch():
    """A slow start that outlasted the ramp-up the rule allowed: 2 Mbit/s for 1 s, then 8 Mbit/s; once three windows
    are steady the figure is taken from where they begin, not lowered by the slow second."""
    slow, fast = steady(2, 1.0), steady(8, 2.0)
    samples = [*slow, *((1.0 + t, slow[-1][1] + b) for t, b in fast[1:])]
    start = steady_from(samples, 0.25, 0.5, 3)
    assert start == pytest.approx(1.25) and is_stable(samples, 0.25, 0.5, 3, 0.05)
    assert throughput(samples, start) == pytest.approx(8, rel=0.01)
    assert throughput(samples, 0.25) < 7.5  # the whole time after the ramp-up reads low
    assert steady_from(samples[:20], 0.25, 0.5, 3) == 0.25  # fewer windows than the rule's: from the ramp-up


@pytest.mark.parametrize("bad", [[(0.0, 0), (1.0, 10), (0.5, 20)], [(0.0, 10), (1.0, 5)], [(-1.0, 0), (1.0, 5)]])
def test_throughput_rejects_bad_samples(bad):
    with pytest.raises(ValueError):
        throughput(bad, 0.0)


def test_throughput_needs_time_after_the_ramp():
    with pytest.raises(ValueError, match="ramp-up"):
        throughput([(0.0, 0), (0.5, 100)], ramp_s=1.0)


def test_rtt_stats_known_values():
    stats = rtt_stats([0.010, 0.012, None, 0.011, 0.015])
    assert stats.sent == 5 and stats.received == 4
    assert stats.loss_percent == pytest.approx(20.0)
    assert stats.median_ms == pytest.approx(11.5)
    assert stats.jitter_ms == pytest.approx((2 + 1 + 4) / 3)  # |12-10|, |11-12|, |15-11|
    assert stats.min_ms == pytest.approx(10.0) and stats.p95_ms == pytest.approx(15.0)


def test_jitter_of_interleaved_streams_is_taken_within_each():
    # probes every 10 ms judged 20 ms apart: the evens 10, 11, 15 and the odds 12, 13 (the lost one skipped)
    stats = rtt_stats([0.010, 0.012, 0.011, None, 0.015, 0.013], lag=2)
    assert stats.jitter_ms == pytest.approx((1 + 4 + 1) / 3)  # |11-10|, |15-11|, |13-12|
    assert stats.sent == 6 and stats.received == 5 and stats.median_ms == pytest.approx(12.0)
    assert rtt_stats([0.010, None], lag=2).jitter_ms is None  # no pair within a stream
    with pytest.raises(ValueError):
        rtt_stats([0.01], lag=0)


def test_rtt_stats_when_nothing_answers_or_input_is_bad():
    stats = rtt_stats([None, None])
    assert stats.loss_percent == 100.0 and stats.median_ms is None and stats.jitter_ms is None
    assert rtt_stats([0.02]).jitter_ms is None
    with pytest.raises(ValueError):
        rtt_stats([])
    with pytest.raises(ValueError):
        rtt_stats([0.01, float("nan")])


def test_grades_at_their_boundaries():
    assert grade_upper(100, 100, 250) is Status.PASS
    assert grade_upper(100.1, 100, 250) is Status.WARN
    assert grade_upper(251, 100, 250) is Status.FAIL
    assert grade_throughput(1.19, 1.2, 2.0) is Status.FAIL
    assert grade_throughput(2.3, 1.2, 2.0) is Status.WARN
    assert grade_throughput(2.4, 1.2, 2.0) is Status.PASS
    with pytest.raises(ValueError):
        grade_upper(1, 5, 3)
    with pytest.raises(ValueError):
        grade_throughput(1, 0, 2)


def test_connectivity_and_platform_verdicts():
    assert assess_connectivity(None, "h", 12.0).status is Status.PASS
    assert assess_connectivity(ProbeError("dns"), "h", None).key == "dns"
    assert assess_connectivity(ProbeError("captive", location="x"), "h", None).key == "captive"
    assert assess_connectivity(ProbeError("http_status", status=500), "h", None).status is Status.WARN
    assert assess_connectivity(ProbeError("unreachable"), "h", None).key == "offline"
    ok, bad = ("a:443", 0.01, ""), ("b:443", None, "timeout")
    assert assess_platform("Zoom", [ok], "udp").status is Status.PASS
    assert assess_platform("Zoom", [ok], "tcp").key == "tcp_only"
    assert assess_platform("Zoom", [ok, bad], "udp").key == "partly"
    assert assess_platform("Zoom", [bad], "udp").status is Status.FAIL


def test_stun_request_and_response_codec():
    tid = bytes(range(12))
    request = binding_request(tid)
    assert len(request) == 20 and struct.unpack("!HHI", request[:8]) == (0x0001, 0, MAGIC_COOKIE)
    # a success response carrying XOR-MAPPED-ADDRESS 192.0.2.7:5000, built by hand as RFC 5389 §15.2 describes
    port = 5000 ^ (MAGIC_COOKIE >> 16)
    address = bytes(a ^ b for a, b in zip(socket.inet_aton("192.0.2.7"), struct.pack("!I", MAGIC_COOKIE), strict=True))
    attribute = struct.pack("!HHxBH", 0x0020, 8, 1, port) + address
    response = struct.pack("!HHI12s", 0x0101, len(attribute), MAGIC_COOKIE, tid) + attribute
    parsed = parse_binding_response(response)
    assert parsed is not None and parsed.transaction_id == tid and parsed.mapped == "192.0.2.7:5000"
    assert parse_binding_response(request) is None  # a request is not an answer
    assert parse_binding_response(b"\x01\x01junk") is None
    assert parse_binding_response(response[:-4]) is None  # truncated
    with pytest.raises(ValueError):
        binding_request(b"short")


def test_every_platform_has_its_published_needs_and_source():
    table = load_toml_asset("platforms.toml")
    assert set(table) == {"zoom", "teams", "meet", "webex"}
    for key in table:
        found = platform(key)
        assert found.down_mbps > 0 and found.up_mbps > 0
        assert "https://" in found.bandwidth_source
        assert found.tcp and all(port == 443 for _, port in found.tcp)
        assert found.udp_stun
    assert platform("zoom", {"tcp": ["10.200.5.1:8080"]}).tcp == (("10.200.5.1", 8080),)
    with pytest.raises(ValueError, match="known: meet, teams, webex, zoom"):
        platform("skype")


def test_network_thresholds_cover_every_check():
    table = load_toml_asset("thresholds.toml")
    for check_id in ("connectivity", "download", "upload", "latency", "jitter", "loss", "udp", "platform"):
        assert f"network.{check_id}" in table
    assert table["network"]["phase_s"] == 40 and table["network"]["platform"] == "zoom"


def test_speedtest_imports_in_a_windowed_app_without_stdout(tmp_path):
    code = ("import sys\nsys.stdout = None\nsys.stderr = None\n"
            "from checks.netprobe.speedtest_net import import_speedtest\n"
            "module = import_speedtest()\n"
            "assert sys.stdout is None and sys.stderr is None\n"
            "open(sys.argv[1], 'w').write(module.__version__)\n")
    out = tmp_path / "speedtest-import.txt"
    done = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True, text=True, cwd=ROOT,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert out.read_text().startswith("2.")
    # and the unguarded import does crash there (upstream issue #562), so the guard is what makes it work
    crash = subprocess.run([sys.executable, "-c", "import sys\nsys.stdout = None\nimport speedtest"],
                           capture_output=True, text=True, timeout=60)
    assert crash.returncode != 0


def test_librespeed_without_a_server_says_what_is_missing(cli):
    done = cli("check", "--camera", "none", "--mic", "none", "--network", "librespeed",
               "--only", "network.connectivity,network.download", "--json")
    checks = {c["id"]: c for c in json.loads(done.stdout)["checks"]}
    for check_id in ("network.connectivity", "network.download"):
        assert checks[check_id]["status"] == "error"
        assert checks[check_id]["summary"] == say("network.no_server.summary")
        assert checks[check_id]["duration_s"] < 1


def test_a_measurement_the_network_phase_cuts_short_says_the_phase_ended_it(cli, tmp_path):
    """A server that takes the connection and never answers (its listening socket never accepts: the kernel does),
    asked within a 2 s network phase: the upload runs out of time when the phase ends, and says so; the server's
    silence did not end it, the phase did."""
    profile = tmp_path / "short.toml"
    profile.write_text('[thresholds."network.upload"]\nphase_s = 2\n')  # the phase is the first network check's
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        done = cli("check", "--camera", "none", "--mic", "none", "--network", "librespeed", "--server",
                   f"http://127.0.0.1:{silent.getsockname()[1]}/", "--profile", str(profile),
                   "--only", "network.upload", "--json")
    (upload,) = json.loads(done.stdout)["checks"]
    assert upload["status"] == "error" and upload["details"]["failure"] == "timeout", upload
    assert upload["summary"] == say("network.phase_over.summary", seconds="2"), upload
    assert 1.5 < upload["duration_s"] < 3


def test_an_unknown_platform_in_a_profile_is_told(cli, tmp_path):
    profile = tmp_path / "p.toml"
    profile.write_text('[thresholds."network.platform"]\nplatform = "skype"\n')
    done = cli("check", "--camera", "none", "--mic", "none", "--network", "librespeed", "--server",
               "http://127.0.0.1:9/", "--profile", str(profile), "--only", "network.platform", "--json")
    assert done.returncode == 2 and done.stdout == ""
    assert f'{profile}, line 2: thresholds."network.platform".platform: must be one of zoom, teams, meet, webex' \
        in done.stderr


ROUTES = """Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT
eth0\t0000A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0
wlan0\t00000000\t0100A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0
eth0\t00000000\t0100A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0
"""
WIRELESS = """Inter-| sta-|   Quality        |   Discarded packets               | Missed | WE
 face | tus | link level noise |  nwid  crypt   frag  retry   misc | beacon | 22
 wlan0: 0000   21.  -89.  -256        0      0      0      0     12        0
"""


def test_link_type_from_proc_and_sys(tmp_path):
    assert link.default_route_interface(ROUTES) == "eth0"  # the lower metric of two default routes
    assert link.default_route_interface(ROUTES.replace("\t00000000\t0100A8C0", "\t0000A8C0\t0100A8C0")) is None
    assert link.wifi_signal(WIRELESS, "wlan0") == pytest.approx(30.0)
    assert link.wifi_signal(WIRELESS, "wlan1") is None
    for name, files in {"wlan0": {"wireless/x": ""}, "eth0": {"type": "1"}, "wg0": {"type": "65534"},
                        "tap3": {"type": "1"}, "enp1s0": {"type": "1", "tun_flags": "0x1002"}}.items():
        for rel, text in files.items():
            (tmp_path / name / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name / rel).write_text(text)
    kinds = {n: link.classify(n, tmp_path) for n in ("wlan0", "eth0", "wg0", "tap3", "enp1s0")}
    assert kinds == {"wlan0": "wifi", "eth0": "wired", "wg0": "vpn", "tap3": "vpn", "enp1s0": "vpn"}
    (tmp_path / "route").write_text(ROUTES.replace("eth0\t00000000", "wlan0\t00000000"))
    (tmp_path / "wireless").write_text(WIRELESS)
    found = link.current_link(tmp_path, tmp_path)
    assert (found.interface, found.kind, round(found.signal_percent or 0)) == ("wlan0", "wifi", 30)
    assert link.current_link(tmp_path / "absent", tmp_path).kind == "unknown"
    assert assess_link(found, 40).key == "weak_wifi"
    assert assess_link(link.Link("eth0", "wired"), 40).status is Status.PASS
    assert assess_link(link.Link("wg0", "vpn"), 40).status is Status.WARN
