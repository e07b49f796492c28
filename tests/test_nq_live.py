"""The networkQuality backend against a real networkQuality server: nginx set up as Apple's ``network-quality/server``
sets it up (HTTP/2 with TLS, a certificate made here, the configuration at ``/.well-known/nq``), in the network lab
(tests/support/netlab.py) with the link rate-shaped by ``tc tbf``. Each case runs the real command line in the client
namespace."""

from __future__ import annotations

import re
import shutil

import pytest

from checks.text.wording import say
from tests.support.netlab import SERVER_IP, Lab, make_certificates, skip_module_without_lab

pytestmark = pytest.mark.slow

skip_module_without_lab()
if shutil.which("nginx") is None:
    print("networkQuality lab tests skipped: nginx is not installed (.ci/setup.sh test installs nginx-light)")
    pytest.skip("nginx is not installed", allow_module_level=True)

PORTS = {"good": 8443, "old": 8444, "malformed": 8445, None: 8446, "no_upload": 8447}
ONLY = "network.connectivity,network.download,network.upload,network.latency"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nqlab")
    ca, leaf, key = make_certificates(folder)
    with Lab() as lab:
        lab.nq_folders = {config: tmp_path_factory.mktemp(f"nginx{port}") for config, port in PORTS.items()}
        lab.nq = {config: lab.nq_server(PORTS[config], folder, leaf, key, config)
                  for config, folder in lab.nq_folders.items()}
        lab.env = {"SSL_CERT_FILE": str(ca)}
        yield lab


@pytest.fixture
def link(lab):
    """The lab, its link unshaped again after each test."""
    yield lab
    lab.shape(None)


def protocols(lab: Lab, config: str) -> dict[str, set[str]]:
    """The protocols the nginx serving ``config`` logged, by method and path."""
    log = lab.nq_folders[config] / "access.log"
    found: dict[str, set[str]] = {}
    for line in log.read_text().splitlines():
        match = re.match(r'"(\S+) (/[^ ?]*)\S* \S+" (\d+) \d+ (\S+)', line)
        if match:
            found.setdefault(f"{match.group(1)} {match.group(2)}", set()).add(match.group(4))
    return found


@pytest.mark.parametrize(("down", "up", "config"), [(10, 4, "good"), (20, 5, "old"), (40, 10, "good")])
def test_throughput_and_latency_through_a_networkquality_server(link, down, up, config):
    """Download and upload within ±10 % of 95 % of the shaped rate (what is left after TCP/IP headers and the
    shaper), as for the LibreSpeed backend, over HTTP/2; the latency measured against the same server (the lab has
    no STUN server, so its TCP connect times)."""
    link.shape(down, up)
    server = link.nq[config]
    checks, took = link.check("--network", "nq", "--server", server, "--only", ONLY, env=link.env)
    assert checks["network.connectivity"]["status"] == "pass", checks["network.connectivity"]["summary"]
    assert checks["network.connectivity"]["details"]["answered"] == f"{server}.well-known/nq"
    for check_id, mbit in (("network.download", down), ("network.upload", up)):
        found = checks[check_id]
        assert found["unit"] == "Mbit/s" and found["status"] != "error", found["summary"]
        # within 10 %, and the half of the stored figure's last digit it was rounded by (4.16 is stored as 4.2)
        assert abs(found["value"] - 0.95 * mbit) <= 0.10 * 0.95 * mbit + 0.05, (check_id, found["value"],
                                                                               found["details"])
        assert found["details"]["backend"] == "nq"
        assert found["details"]["server"] == f"{server}.well-known/nq"
        assert found["details"]["contacted"] == f"{SERVER_IP}:{PORTS[config]}"
        assert found["details"]["bytes"] > 0 and 1.0 + 3.0 <= found["details"]["seconds"] < 9  # nq_ramp_s + nq_min_s
        assert len(found["series"][0]["points"]) >= 20
    latency = checks["network.latency"]
    assert latency["status"] != "error" and latency["unit"] == "ms", latency["summary"]
    assert latency["details"]["transport"] == "tcp"
    assert f"{SERVER_IP}:{PORTS[config]}" in latency["details"]["contacted"]
    assert 0 < latency["value"] < 50
    seen = protocols(link, config)
    assert seen["GET /.well-known/nq"] >= {"HTTP/2.0"}
    assert seen["GET /files/large"] == {"HTTP/2.0"} and seen["POST /slurp"] == {"HTTP/2.0"}
    assert took < 40


@pytest.mark.parametrize(("config", "kind", "words"), [
    (None, "no_config", "offers no networkQuality test (its configuration answered HTTP 404)"),
    ("malformed", "bad_config", "networkQuality configuration cannot be used"),
])
def test_a_server_without_a_usable_configuration_is_one_named_cause(link, config, kind, words):
    checks, took = link.check("--network", "nq", "--server", link.nq[config], "--only", ONLY, env=link.env)
    connectivity = checks["network.connectivity"]  # the server answered: the internet works, this server does not
    assert connectivity["status"] == "warn" and words in connectivity["summary"], connectivity["summary"]
    assert connectivity["details"]["failure"] == kind
    for check_id in ("network.download", "network.upload"):  # told once: not measured because of it (the runner's)
        assert checks[check_id]["status"] == "skip" and checks[check_id]["details"] == {"because": connectivity["id"]}
        assert checks[check_id]["summary"] == say("runner.because.summary", cause=connectivity["title"])
    [cause] = [c for c in link.report["causes"] if c["id"] == connectivity["id"]]
    assert cause["dependents"] == ["network.download", "network.upload"]
    assert checks["network.latency"]["status"] == "pass"  # the server itself answers: its delay is still known
    assert took < 30
    # the speed checks alone say it themselves
    checks, _ = link.check("--network", "nq", "--server", link.nq[config], "--only", "network.download",
                           env=link.env)
    download = checks["network.download"]
    assert download["status"] == "error" and words in download["summary"], download["summary"]
    assert download["details"]["failure"] == kind and download["details"]["tried"] == f"nq: {kind}"
    if kind == "bad_config":
        assert download["details"]["error"] == "no upload_url"


def test_an_upload_url_the_server_does_not_have_is_the_servers_error(link):
    checks, _ = link.check("--network", "nq", "--server", link.nq["no_upload"], "--only",
                           "network.connectivity,network.download,network.upload", env=link.env)
    assert checks["network.connectivity"]["status"] == "pass" and checks["network.download"]["status"] == "pass"
    upload = checks["network.upload"]
    assert upload["status"] == "error" and upload["details"]["failure"] == "http_status", upload["details"]
    assert "the server answered with an error (HTTP 404)" in upload["summary"]
