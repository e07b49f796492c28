"""The network checks on real servers: a rate-shaped link between two network namespaces, LibreSpeed's real PHP
backend served by ``php -S`` (from ``../shared/librespeed``), coturn as the STUN server, and a stand-in
(tests/support/netservers.py) for what a real server cannot be made to do and for the public services (Cloudflare's
speed test and speedtest.net behind a proxy). Each case runs the real command line in the client namespace."""

from __future__ import annotations

import json
import statistics
import sys
import textwrap

import pytest

from checks.analysis.responsiveness import trimmed_mean
from checks.api import MAX_POINTS
from checks.engine.thresholds import Thresholds
from tests.support.netlab import SERVER_IP, Lab, librespeed_unavailable, make_certificates, sh, skip_module_without_lab

pytestmark = pytest.mark.slow

skip_module_without_lab()

REAL = librespeed_unavailable()
if REAL:
    print(f"tests against the real LibreSpeed server skipped: {REAL}")
NETWORK = Thresholds().for_check("network")  # the transfers' ramp-up and windows
FAULTS = ("html", "one_byte", "redirect_loop", "gzip", "trickle")
PORTS = {"ok": 8080, "403": 8081, "500": 8082, "captive": 8083, "stall": 8084, "php": 8085, "no_cloudflare": 8086,
         **{fault: 8090 + i for i, fault in enumerate(FAULTS)}}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    folder = tmp_path_factory.mktemp("netlab")
    ca, leaf, key = make_certificates(folder)
    lab = Lab()
    try:
        lab.open()
        tls = ("--cert", str(leaf), "--key", str(key))
        lab.urls = {
            "ok": lab.http_server(PORTS["ok"], *tls),
            "403": lab.http_server(PORTS["403"], "--status", "403"),
            "500": lab.http_server(PORTS["500"], "--status", "500"),
            "captive": lab.http_server(PORTS["captive"], "--captive"),
            "stall": lab.http_server(PORTS["stall"], "--stall-after", "300000"),
            "no_cloudflare": lab.http_server(PORTS["no_cloudflare"], *tls, "--cloudflare-status", "403"),
            **{fault: lab.http_server(PORTS[fault], "--fault", fault) for fault in FAULTS},
        }
        if REAL is None:
            lab.urls["php"] = lab.librespeed_server(PORTS["php"], tmp_path_factory.mktemp("librespeed"))
        lab.stun = lab.stun_server()
        lab.ca = ca
        profile = folder / "lab.toml"
        profile.write_text(textwrap.dedent(f"""\
            organisation = "Network lab"
            [thresholds."network.platform"]
            tcp = ["{SERVER_IP}:{PORTS['ok']}"]
            """))
        lab.profile = profile
        yield lab
    finally:
        lab.close()


@pytest.fixture
def link(lab):
    """The lab with an unshaped link and no UDP filter before and after each test."""
    lab.shape(None)
    lab.udp_filter(None)
    yield lab
    lab.shape(None)
    lab.udp_filter(None)


@pytest.fixture
def real(link):
    """The lab with LibreSpeed's real PHP backend (skipped, saying why, where it cannot be served)."""
    if REAL:
        pytest.skip(REAL)
    return link


def speedtest_env(lab, port: str = "ok") -> dict[str, str]:
    """speedtest.net's and Cloudflare's servers as the stand-in on ``port`` plays them, through a proxy."""
    proxy = f"http://{SERVER_IP}:{PORTS[port]}"
    return {"http_proxy": proxy, "https_proxy": proxy, "SSL_CERT_FILE": str(lab.ca)}


TOLD = 0.1
"""A speed is told, and stored, to a tenth of a Mbit/s (:func:`checks.text.figures.stored`)."""


@pytest.mark.parametrize(("down", "up", "drop"), [(2, 1, 0), (10, 4, 3), (40, 10, 0)])
def test_throughput_against_the_real_server_and_loss_beside_it(real, down, up, drop):
    """Download and upload within ±10 % of 95 % of the shaped rate (what is left after TCP/IP headers and the
    shaper), or ±0.15 Mbit/s where that is more (the 1 Mbit/s upload: the probes sent beside it take a larger share
    of so slow a link; it read 0.90 to 0.93 in 20 lab runs), against the PHP backend, with the loss check and STUN
    requests dropped beside them; then the loss check again alone, within 1.5 points of what the server's filter
    dropped of its requests (counted apart: beside a transfer the delay probes' requests are dropped too, and the
    same drops, split at random between the two streams, once left the loss check's probes 0.5 % where 2.3 % of all
    requests were dropped)."""
    real.shape(down, up)
    real.udp_filter(drop)
    checks, took = real.check("--network", "librespeed", "--server", real.urls["php"], "--stun", real.stun,
                              "--only", "network.download,network.upload,network.loss")
    for check_id, mbit in (("network.download", down), ("network.upload", up)):
        found = checks[check_id]
        assert found["unit"] == "Mbit/s" and found["status"] != "error", found["summary"]
        # the figure as told, to a tenth: the measured one lay within half a tenth of it (a 2 Mbit/s download
        # measured 1.728, 9 % under 1.9, is told 1.7); to the hundredth: 1.1 - 0.95 is 0.15000000000000013 in binary
        assert round(abs(found["value"] - 0.95 * mbit), 2) <= max(0.10 * 0.95 * mbit, 0.15) + TOLD / 2, \
            (check_id, found["value"], found["details"])
        assert found["details"]["backend"] == "librespeed"
        assert found["details"]["bytes"] > 0 and NETWORK["ramp_s"] + NETWORK["min_s"] <= found["details"]["seconds"] < 9
        assert found["details"]["contacted"] == f"{SERVER_IP}:{PORTS['php']}"
        (series,) = found["series"]  # the speed as the transfer went, for the report's plot
        times = [t for t, _ in series["points"]]
        # each point is the rate over the window before it: those after the ramp-up's end plus a window span what
        # the figure measured (the transfer may stop 1.5 s after its ramp-up)
        rates = [r for t, r in series["points"] if t >= NETWORK["ramp_s"] + NETWORK["window_s"]]
        assert times == sorted(times) and times[-1] <= found["details"]["seconds"] + 0.5
        assert len(series["points"]) >= 20
        assert abs(statistics.median(rates) - 0.95 * mbit) <= 0.15 * mbit, (check_id, series["points"])
        need = found["details"]["need_mbps"]
        assert [g["value"] for g in series["guides"]] == [need, 2 * need]  # the platform's need; twice it
    assert took < 30
    real.udp_filter(drop)  # counted afresh
    checks, _ = real.check("--network", "librespeed", "--server", real.urls["php"], "--stun", real.stun,
                           "--only", "network.loss")
    arrived, dropped = real.udp_counts()
    loss = checks["network.loss"]
    assert abs(loss["value"] - 100 * dropped / arrived) <= 1.5, (loss["value"], dropped, arrived)
    assert f"of {loss['details']['sent']}" in loss["summary"]


def test_whole_network_phase_on_a_good_link(real):
    link = real
    link.shape(10, queue_ms=85)
    link.udp_filter(0)
    checks, took = link.check("--server", link.urls["php"], "--stun", link.stun, "--only", "network.*",
                              "--profile", str(link.profile))
    statuses = {k: v["status"] for k, v in checks.items()}
    # the shaper's queue fills while uploading: the delay under load grows, as on a real line, up to what tbf holds
    # (10 Mbit/s × 85 ms + a 16 KiB burst: 98 ms). A queue that deep is bufferbloat whatever the moment of TCP's
    # sawtooth the probes meet (with 60 ms, a queue half drained after a loss read just under the 30 ms line);
    # it stays under the 100 ms of a problem.
    statuses.pop("network.upload_delay")
    assert 30 < checks["network.upload_delay"]["value"] < 100
    statuses.pop("network.download_delay")  # and the same while downloading
    assert 30 < checks["network.download_delay"]["value"] < 100
    assert statuses == dict.fromkeys(statuses, "pass"), {k: v["summary"] for k, v in checks.items()}
    assert len(checks) == 11
    assert link.report["headline"] == "Ready, with 2 things to improve"  # the delay while downloading and uploading
    assert sorted(c["id"] for c in link.report["causes"]) == ["network.download_delay", "network.upload_delay"]
    assert checks["network.download"]["details"]["fallbacks"] == "none"
    arrived, dropped = link.udp_counts()
    assert dropped == 0 and arrived >= 200
    loss = checks["network.loss"]
    assert loss["value"] == 0.0 and loss["details"]["sent"] == 200
    latency = checks["network.latency"]
    assert latency["details"]["transport"] == "udp" and 0 < latency["value"] < 20
    (trips,) = latency["series"]  # every answered probe's round trip, 10 ms apart, for the plot
    assert len(trips["points"]) == 200 and trips["y_unit"] == "ms"
    assert trips["points"][1][0] - trips["points"][0][0] == pytest.approx(0.01)
    assert statistics.median(ms for _, ms in trips["points"]) == pytest.approx(latency["value"], abs=0.5)
    assert [g["value"] for g in trips["guides"]] == [100, 250]
    assert checks["network.jitter"]["value"] >= 0
    assert checks["network.udp"]["details"]["server"] == link.stun
    assert checks["network.platform"]["details"]["contacted"] == f"{SERVER_IP}:{PORTS['ok']}"
    assert took < 40


def test_blocked_udp_falls_back_to_tcp_and_says_so(link):
    link.udp_filter(100)
    checks, took = link.check("--server", link.urls["ok"], "--stun", link.stun,
                              "--only", "network.udp,network.latency,network.loss")
    assert checks["network.udp"]["status"] == "warn"
    assert "TCP" in " ".join(checks["network.udp"]["advice"])
    latency = checks["network.latency"]
    assert latency["details"]["transport"] == "tcp" and "TCP" in latency["summary"]
    assert latency["value"] is not None
    assert checks["network.loss"]["status"] == "skip"
    assert took < 25


def test_offline_is_one_problem_not_one_per_network_check(link):
    checks, took = link.check("--server", link.urls["ok"], "--stun", link.stun, "--only", "network.*",
                              ns=link.offline)
    connectivity = checks["network.connectivity"]
    assert connectivity["status"] == "fail" and "could not be reached" in connectivity["summary"]
    assert connectivity["details"]["tried"].startswith("10.200.5.1: unreachable; speed.cloudflare.com:")
    assert connectivity["advice"]
    problems = [k for k, c in checks.items() if c["status"] in ("fail", "error")]
    assert problems == ["network.connectivity"], {k: c["summary"] for k, c in checks.items()}
    for check_id in ("network.download", "network.upload", "network.latency", "network.jitter", "network.loss",
                     "network.udp", "network.platform", "network.upload_delay", "network.download_delay"):
        skipped = checks[check_id]
        assert skipped["status"] == "skip" and skipped["details"] == {"because": "network.connectivity"}
        assert "“Internet connection”" in skipped["summary"]
    assert checks["network.link"]["status"] == "skip" and "because" not in checks["network.link"]["details"]
    assert link.report["headline"] == "Not ready: 1 problem"
    assert link.report["causes"][0]["id"] == "network.connectivity"
    assert len(link.report["causes"][0]["dependents"]) == 9
    assert took < 20


def test_dns_failure_is_named(link):
    checks, took = link.check("--network", "librespeed", "--server", "http://speed.lab.invalid:8080/",
                              "--only", "network.connectivity,network.download")
    assert checks["network.connectivity"]["status"] == "fail"
    assert "DNS" in checks["network.connectivity"]["summary"]
    assert checks["network.download"]["details"] == {"because": "network.connectivity"}
    checks, _ = link.check("--network", "librespeed", "--server", "http://speed.lab.invalid:8080/",
                           "--only", "network.download")
    assert checks["network.download"]["details"]["failure"] == "dns"  # on its own, it says why itself
    assert took < 20


def test_captive_portal_is_named(link):
    checks, _ = link.check("--network", "librespeed", "--server", link.urls["captive"],
                           "--only", "network.connectivity,network.download")
    assert checks["network.connectivity"]["status"] == "fail"
    assert "captive portal" in checks["network.connectivity"]["summary"]
    assert checks["network.download"]["status"] == "skip"
    checks, _ = link.check("--network", "librespeed", "--server", link.urls["captive"],
                           "--only", "network.download,network.upload")
    assert "sign-in page" in checks["network.download"]["summary"]
    assert "sign-in page" in checks["network.upload"]["summary"]  # a login page, not an upload's empty answer


@pytest.mark.parametrize("status", ["403", "500"])
def test_server_errors_fall_back_and_are_reported(link, status):
    checks, took = link.check("--server", link.urls[status], "--only", "network.connectivity,network.download")
    assert checks["network.connectivity"]["status"] == "warn"
    assert f"HTTP {status}" in checks["network.connectivity"]["summary"]
    download = checks["network.download"]
    # auto: the LibreSpeed server answered with an error, then Cloudflare, the public networkQuality servers and
    # speedtest.net (not reachable from the lab without the proxy) were tried
    assert download["status"] == "error"
    assert download["details"]["tried"] == "librespeed: http_status; cloudflare: dns; nq: dns; speedtest: dns"
    # one request to the server asked for; the public ones the connection check could not reach moments before are
    # not asked again (that took 2 s more in the lab, and up to their time limits where a name server does not answer)
    assert download["duration_s"] < 1.0, download["duration_s"]
    assert took < 30


def test_server_that_stalls_mid_transfer(link):
    checks, took = link.check("--network", "librespeed", "--server", link.urls["stall"], "--only", "network.download")
    download = checks["network.download"]
    assert download["status"] == "error" and download["details"]["failure"] == "stalled"
    assert "stopped moving" in download["summary"]
    assert download["duration_s"] < 16
    assert took < 25


def test_dead_proxy_in_the_environment(real):
    link = real
    env = {"http_proxy": f"http://{SERVER_IP}:9", "https_proxy": f"http://{SERVER_IP}:9"}
    link.shape(10)
    checks, _ = link.check("--network", "librespeed", "--server", link.urls["php"],
                           "--only", "network.connectivity,network.download", env=env)
    assert checks["network.connectivity"]["status"] == "fail"
    assert f"{SERVER_IP}:9" in checks["network.connectivity"]["summary"]
    assert checks["network.connectivity"]["details"]["proxy"] == f"http://{SERVER_IP}:9"
    # the speed test goes straight to the server: the figure is the link's, not the proxy's (so it is measured,
    # not left unchecked: the proxy is not the cause of anything else)
    assert abs(checks["network.download"]["value"] - 9.5) <= 1.0


def test_speedtest_backend_against_the_emulated_server(link):
    link.shape(10)
    checks, _ = link.check("--network", "speedtest", "--only", "network.connectivity,network.download,network.upload",
                           env=speedtest_env(link))
    assert checks["network.connectivity"]["status"] == "pass"
    for check_id in ("network.download", "network.upload"):
        found = checks[check_id]
        assert found["status"] == "pass", found["summary"]
        assert found["details"]["backend"] == "speedtest"
        assert "Interview Ready test server" in found["details"]["server"]
        assert 5 < found["value"] < 12, found["value"]
        # speedtest-cli tells no rate while it runs: the plot is the interface's counted rate during the transfer
        (series,) = found["series"]
        rates = [r for t, r in series["points"] if t > 1.0]
        assert len(rates) >= 10 and 0.7 * found["value"] < statistics.median(rates) < 1.3 * found["value"]
        assert max(rates) < 12  # the shaper's 10 Mbit/s (plus headers): a real rate, not the loopback's


def test_cloudflare_backend_measures_the_lab_link(link):
    link.shape(10, 4)
    checks, _ = link.check("--network", "cloudflare", "--only", "network.connectivity,network.download,network.upload",
                           env=speedtest_env(link))
    assert checks["network.connectivity"]["status"] == "pass"
    assert checks["network.connectivity"]["details"]["answered"].startswith("https://speed.cloudflare.com/__down")
    for check_id, mbit in (("network.download", 10), ("network.upload", 4)):
        found = checks[check_id]
        assert found["details"]["backend"] == "cloudflare", found["summary"]
        assert found["details"]["server"] == "https://speed.cloudflare.com/"
        assert found["details"]["contacted"] == f"speed.cloudflare.com:443 via {SERVER_IP}:{PORTS['ok']}"
        assert abs(found["value"] - 0.95 * mbit) <= 0.10 * 0.95 * mbit, (check_id, found["value"])
        assert len(found["series"][0]["points"]) >= 20


def test_auto_falls_back_from_a_refusing_server_to_cloudflare(link):
    env = {**speedtest_env(link), "no_proxy": SERVER_IP}  # the recruiter's server straight, the public ones proxied
    checks, _ = link.check("--server", link.urls["403"], "--only", "network.connectivity,network.download", env=env)
    download = checks["network.download"]
    assert download["status"] == "pass" and download["details"]["backend"] == "cloudflare"
    assert download["details"]["fallbacks"] == "librespeed: http_status"
    connectivity = checks["network.connectivity"]  # the internet works; the recruiter's server does not
    assert connectivity["status"] == "warn" and "speed.cloudflare.com answered" in connectivity["summary"]


def test_auto_falls_through_cloudflare_to_speedtest(link):
    checks, _ = link.check("--server", link.urls["403"], "--only", "network.download",
                           env=speedtest_env(link, "no_cloudflare"))
    download = checks["network.download"]
    assert download["status"] == "pass" and download["details"]["backend"] == "speedtest"
    # the proxy takes Apple's networkQuality server to the stand-in, whose certificate is not Apple's
    assert download["details"]["fallbacks"] == "librespeed: http_status; cloudflare: http_status; nq: tls"


@pytest.mark.parametrize("fault", FAULTS)
def test_a_server_answering_the_wrong_thing_ends_with_a_named_result(link, fault, tmp_path):
    profile = tmp_path / "short.toml"
    profile.write_text('[thresholds."network.download"]\nmax_s = 4.0\nmin_s = 2.0\n')
    checks, took = link.check("--network", "librespeed", "--server", link.urls[fault], "--profile", str(profile),
                              "--only", "network.download,system.power")
    download = checks["network.download"]
    assert "traceback" not in download["details"] and download["summary"]
    expected = {"html": ("error", "sign-in page"), "redirect_loop": ("error", "HTTP 302"),
                "one_byte": ("fail", "only"), "trickle": ("fail", "only"), "gzip": ("pass", "plenty")}[fault]
    assert (download["status"], expected[1] in download["summary"]) == (expected[0], True), download["summary"]
    assert checks["system.power"]["status"] in ("pass", "skip", "warn")  # the other checks are intact
    assert download["duration_s"] < 16 and took < 20


CANCEL = """
import json, threading, time
from checks.engine.discovery import discover
from checks.config.servers import NetworkSettings, StunServer
from checks.engine.runner import RunConfig, Runner
runner = Runner(discover("network.*"), RunConfig(network=NetworkSettings("librespeed", "{url}",
                (StunServer.parse("{stun}"),))))
threading.Timer({after}, runner.cancel).start()
started = time.monotonic()
results = runner.run()
print(json.dumps({{"took": time.monotonic() - started, "statuses": [r.status.value for r in results]}}))
"""


def test_cancel_ends_the_network_phase_at_once(link):
    link.shape(2)
    code = CANCEL.format(url=link.urls["ok"], stun=link.stun, after=2.0)
    done = link.run(link.client, sys.executable, "-c", code, timeout=60)
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout)
    assert outcome["took"] < 4.5
    assert outcome["statuses"].count("skip") >= 6



def test_the_whole_network_phase_is_bounded(real, tmp_path):
    link = real
    link.shape(2)
    profile = tmp_path / "short.toml"
    profile.write_text('[thresholds."network.connectivity"]\nphase_s = 2\n')
    checks, took = link.check("--network", "librespeed", "--server", link.urls["php"], "--profile", str(profile),
                              "--only", "network.connectivity,network.download,network.upload")
    assert checks["network.connectivity"]["status"] == "pass"
    # the 2 s budget stops the transfer (it needs 2 s and more at the least); closing its streams took up to 0.53 s
    # in the CI runs: within a second
    assert checks["network.download"]["duration_s"] < 3.0
    assert checks["network.upload"]["status"] == "error"
    assert "time limit of 2 seconds" in checks["network.upload"]["summary"]
    assert took < 12


@pytest.mark.parametrize("mbit", [None, 2])
def test_delay_under_load_stays_within_what_the_shaper_can_queue(real, mbit):
    link = real
    link.shape(mbit)
    checks, _ = link.check("--server", link.urls["php"], "--stun", link.stun,
                           "--only", "network.upload,network.upload_delay")
    delay = checks["network.upload_delay"]
    assert delay["details"]["idle_ms"] < 5 and delay["details"]["loaded_received"] > 50  # 50 a second, 1.5 s at least
    if mbit is None:
        assert delay["status"] == "pass" and delay["value"] < 10
    else:
        # tbf holds at most rate × 60 ms + its 16 KiB burst: 124 ms at 2 Mbit/s; a full queue shows as delay
        assert 30 < delay["value"] < 130, delay["details"]
        assert delay["status"] in ("warn", "fail") and "while uploading" in delay["summary"]
    (trips,) = delay["series"]  # the round trips while uploading (averaged down to 240 points), against idle
    loaded = [ms for _, ms in trips["points"]]
    assert len(loaded) == min(delay["details"]["loaded_received"], MAX_POINTS)
    assert trimmed_mean(loaded) == pytest.approx(delay["details"]["loaded_ms"], rel=0.1, abs=1.0)
    assert trips["guides"][0]["value"] == pytest.approx(delay["details"]["idle_ms"], abs=0.01)


def test_connection_type_wired_then_through_a_vpn(link):
    checks, _ = link.check("--only", "network.link")
    found = checks["network.link"]
    assert found["status"] == "pass"
    assert found["details"] == {"rule": "wired", "interface": link.veth_c, "kind": "wired"}
    sh("ip", "tuntap", "add", "dev", "tun5", "mode", "tun", ns=link.client)
    try:
        sh("ip", "link", "set", "tun5", "up", ns=link.client)
        sh("ip", "route", "replace", "default", "dev", "tun5", ns=link.client)
        checks, _ = link.check("--only", "network.link")
        found = checks["network.link"]
        assert found["status"] == "warn" and found["details"]["kind"] == "vpn" and "VPN" in found["summary"]
    finally:
        sh("ip", "link", "del", "tun5", ns=link.client, check=False)
        sh("ip", "route", "replace", "default", "via", SERVER_IP, ns=link.client)
