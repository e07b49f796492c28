"""Faults that start while the network checks run, made for real: the lab's link cut (``ip link set … down``) during
the download, the upload and the delay probes, and LibreSpeed's real PHP backend serving errors (a copy of its folder
without ``garbage.php``: 404; with a PHP error: 500). Each ends as one problem that says what happened, in the text
the command line prints, in its JSON report and in the report model's causes; what it spoiled is "not checked"
because of it; and, from the same run's results, in the window (its check page and report tab) and the PDF it
exports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from checks.text.figures import figure
from checks.text.wording import say
from tests.support.netlab import ROOT, SERVER_IP, Lab, librespeed_unavailable, sh, skip_module_without_lab
from tests.support.shown import assert_told_once_in_window_and_pdf, results_from_json

pytestmark = pytest.mark.slow

skip_module_without_lab()
REAL = librespeed_unavailable()
if REAL:
    pytest.skip(REAL, allow_module_level=True)

PORTS = {"php": 8185, "404": 8186, "500": 8187, "refuses 403": 8188, "fails 500": 8189}
NETWORK_IDS = ("network.download", "network.upload", "network.latency", "network.jitter", "network.loss",
               "network.udp", "network.platform", "network.upload_delay", "network.download_delay")
PHP_ERROR = "<?php\nthis is not PHP;\n"
"""A file of the backend replaced by a syntax error: PHP answers it with HTTP 500."""
EVERYTHING = "<?php\n// every request, whatever its path or method, is answered so\nhttp_response_code({status});\n" \
             "header('Content-Type: text/plain');\necho 'No.';\nreturn true;\n"
"""PHP's server's router answering every request with ``status`` itself: a server whose access rules refuse this
computer (403), or that fails everywhere (500)."""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    lab = Lab()
    try:
        lab.open()
        folders = {name: tmp_path_factory.mktemp(f"librespeed{name}") for name in PORTS}
        lab.urls = {name: lab.librespeed_server(port, folders[name], EVERYTHING.format(status=name.split()[-1])
                                                if " " in name else None) for name, port in PORTS.items()}
        (folders["404"] / "backend" / "garbage.php").unlink()  # the download's file is missing
        for name in ("garbage.php", "empty.php"):  # the download's and the upload's files stop with a PHP error
            (folders["500"] / "backend" / name).write_text(PHP_ERROR)
        lab.stun = lab.stun_server()
        yield lab
    finally:
        lab.close()


@pytest.fixture
def link(lab):
    """The lab at 10 Mbit/s, its link up again after each test (a cut link also loses the default route)."""
    lab.shape(10)
    lab.udp_filter(0)
    yield lab
    sh("ip", "link", "set", lab.veth_c, "up", ns=lab.client)
    sh("ip", "route", "replace", "default", "via", SERVER_IP, ns=lab.client)
    lab.shape(None)
    lab.udp_filter(None)


def server_bytes(lab: Lab, direction: str) -> int:
    """Bytes the server's end of the link has sent (``tx``: downloads) or received (``rx``: uploads)."""
    (info,) = json.loads(sh("ip", "-j", "-s", "link", "show", "dev", lab.veth_s, ns=lab.server))
    return int(info["stats64"][direction]["bytes"])


def start_check(lab: Lab, args: tuple[str, ...], report: Path) -> subprocess.Popen:
    """``interview-ready check`` with only ``args``' devices, in the client namespace, saving its report (JSON, HTML
    or PDF by ``report``'s suffix); its text on stdout."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    return subprocess.Popen(
        ["ip", "netns", "exec", lab.client, sys.executable, "-m", "app", "check", "--camera", "none", "--mic", "none",
         "--screen", "none", *args, "--report", str(report)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env={**env, "NO_COLOR": "1"})


def check_with_fault(lab: Lab, tmp_path: Path, args: tuple[str, ...], fault: Callable[[], bool] | None = None,
                     ) -> tuple[str, dict, dict[str, dict]]:
    """Run ``interview-ready check`` in the client namespace, printing its text and saving its JSON report; while it
    runs, cut the link as soon as ``fault()`` says the moment has come. The text, the report and its checks."""
    saved = tmp_path / "report.json"
    process = start_check(lab, args, saved)
    cut = fault is None
    try:
        end = time.monotonic() + 60
        while not cut and process.poll() is None and time.monotonic() < end:
            if fault():
                sh("ip", "link", "set", lab.veth_c, "down", ns=lab.client)
                cut = True
            time.sleep(0.05)
        text, errors = process.communicate(timeout=90)
    finally:
        if process.poll() is None:
            process.kill()
    assert cut, "the check ended before the fault could be made"
    assert "Traceback" not in errors, errors
    report = json.loads(saved.read_text())
    return text, report, {c["id"]: c for c in report["checks"]}


def grows_by(lab: Lab, direction: str, n: int) -> Callable[[], bool]:
    """True once the server has moved ``n`` more bytes in ``direction`` than when this was made."""
    start = server_bytes(lab, direction)
    return lambda: server_bytes(lab, direction) - start >= n


def assert_one_cause(report: dict, checks: dict[str, dict], cause: str, dependents: list[str]) -> None:
    problems = [c["id"] for c in checks.values() if c["status"] in ("fail", "error")]
    assert problems == [cause], {k: c["summary"] for k, c in checks.items()}
    assert report["headline"] == "Not ready: 1 problem"
    (told,) = [c for c in report["causes"] if c["status"] in ("fail", "error")]
    assert (told["id"], sorted(told["dependents"])) == (cause, sorted(dependents))
    for check_id in dependents:
        assert checks[check_id]["status"] == "skip" and checks[check_id]["details"] == {"because": cause}


@pytest.mark.parametrize(("during", "direction", "cause"), [("download", "tx", "network.download"),
                                                             ("upload", "rx", "network.upload")])
def test_the_link_cut_during_a_transfer_is_one_problem(qtbot, link, tmp_path, during, direction, cause):
    """1.5 MB into the transfer (about 1.2 s at 10 Mbit/s) the link goes down: the connection check had passed; the
    transfer says the connection dropped during the speed test, keeps the speed it plotted until then, and the
    checks after it are not checked because of it (the connection type, which contacts nothing, still is); the same
    in the window and the PDF."""
    only = "network.*" if during == "download" else "network.connectivity,network.upload,network.upload_delay"
    text, report, checks = check_with_fault(link, tmp_path, ("--network", "librespeed", "--server", link.urls["php"],
                                                             "--stun", link.stun, "--only", only),
                                            grows_by(link, direction, 1_500_000))
    assert checks["network.connectivity"]["status"] == "pass"
    dropped = checks[cause]
    assert dropped["status"] == "fail"
    assert dropped["details"]["reason"] == "lost.connection" and dropped["details"]["lost"] == "network"
    assert dropped["summary"].startswith("Your connection dropped during the speed test, ")
    assert f"while the {during} speed was measured" in dropped["summary"]
    assert "firewall" not in " ".join(dropped["advice"]) and "Wi‑Fi" in dropped["advice"][-1]
    (series,) = dropped["series"]  # the speed until the link went down
    assert series["points"] and max(rate for _, rate in series["points"]) > 5
    # when it happened: after the 1.5 MB (1.2 s at 10 Mbit/s), well before the transfer, waiting for data, gave up
    # (``seconds`` are counted from the first network check)
    took = checks["network.connectivity"]["duration_s"] + dropped["duration_s"]
    assert 1.0 < dropped["details"]["after_s"] < took - 1.5, (dropped["details"], took)
    assert_one_cause(report, checks, cause, [i for i in NETWORK_IDS if i in checks and i != cause])
    assert f"[✗] {dropped['title']}: Your connection dropped during the speed test" in text
    assert text.rstrip().endswith("Not ready: 1 problem")
    assert "Not checked until this is fixed: " in text
    assert_told_once_in_window_and_pdf(qtbot, tmp_path, results_from_json(report), cause,
                                       say("lost.connection.headline"))


def test_the_link_cut_during_the_delay_probes_is_one_problem(qtbot, link, tmp_path):
    """A third into the 2 s probe stream (70 STUN requests answered) the link goes down: the first probe check says
    the connection dropped while the delay was measured; jitter, loss and UDP are not checked because of it (they
    were four problems: a 70 % loss, UDP blocked, …); the same in the window and the PDF."""
    probes = ("network.latency", "network.jitter", "network.loss", "network.udp")

    def answered() -> bool:
        return link.udp_counts()[0] >= 70

    text, report, checks = check_with_fault(link, tmp_path, ("--network", "librespeed", "--server", link.urls["php"],
                                                             "--stun", link.stun, "--only",
                                                             "network.connectivity," + ",".join(probes)), answered)
    (cause,) = [c for c in checks.values() if c["status"] == "fail"]
    assert cause["id"] in probes and cause["details"]["reason"] == "lost.connection"
    assert "while the delay was measured" in cause["summary"]
    assert_one_cause(report, checks, cause["id"], [i for i in probes if i != cause["id"]])
    assert "Your connection dropped during the speed test" in text
    assert_told_once_in_window_and_pdf(qtbot, tmp_path, results_from_json(report), cause["id"],
                                       say("lost.connection.headline"))


@pytest.mark.parametrize(("server", "answer"), [("404", "HTTP 404"), ("500", "HTTP 500")])
def test_a_speed_test_server_answering_errors_is_one_problem(qtbot, link, tmp_path, server, answer):
    """The real backend without its download file (404), or with a PHP error in the download's and the upload's files
    (500): the connection works, the server is at fault, and it is told once. Where the upload still works (404) it
    is measured; where it meets the same errors (500) it is not checked because of the download. The same in the
    window and the PDF."""
    text, report, checks = check_with_fault(link, tmp_path, (
        "--network", "librespeed", "--server", link.urls[server], "--only",
        "network.connectivity,network.download,network.upload"))
    assert checks["network.connectivity"]["status"] == "pass"
    download = checks["network.download"]
    assert download["status"] == "error" and download["details"]["reason"] == "lost.server_error"
    assert download["summary"].startswith(f"The speed-test server {SERVER_IP} failed while the download speed was")
    assert answer in download["summary"] and "not at fault" in download["advice"][0]
    if server == "404":
        upload = checks["network.upload"]
        assert upload["status"] == "pass" and upload["value"] > 5
        shown = figure(upload["value"], "Mbit/s")  # the speed as stored, in the sentence and the text
        assert f"is {shown} Mbit/s" in upload["summary"] and f"({shown} Mbit/s): " in text
        assert [c["id"] for c in report["causes"]] == ["network.download"]
    else:
        assert_one_cause(report, checks, "network.download", ["network.upload"])
    assert "Not ready: 1 problem" in text and text.count("[✗]") == 1
    assert_told_once_in_window_and_pdf(qtbot, tmp_path, results_from_json(report), "network.download",
                                       say("lost.server_error.headline"))


@pytest.mark.parametrize("server", ["refuses 403", "fails 500"])
def test_a_profile_s_speed_test_server_answering_every_request_with_an_error_is_one_problem(qtbot, link, tmp_path,
                                                                                           server):
    """The recruiter's profile names a LibreSpeed server whose every answer is HTTP 403 (it refuses this computer) or
    500 (it fails), and no public speed test can be reached instead (the lab has no internet): the whole network
    test ends as one problem, the download's, saying in plain words that the server refuses (or fails) and that the
    candidate's connection is not at fault, with the fix: the profile's server address, the recruiter. At most one
    attention (the connection check naming the same server); the upload meets the same server and is not checked
    because of it; the delay, jitter, loss, UDP and the meeting service (the profile's, in the lab) are judged."""
    status = server.split()[-1]
    profile = tmp_path / "acme.toml"
    profile.write_text(f'organisation = "Acme"\nlibrespeed_server = "{link.urls[server]}"\nstun = ["{link.stun}"]\n'
                       f'[thresholds."network.platform"]\ntcp = ["{SERVER_IP}:{PORTS[server]}"]\n')
    text, report, checks = check_with_fault(link, tmp_path, ("--profile", str(profile), "--only", "network.*"))
    problems = [c["id"] for c in checks.values() if c["status"] in ("fail", "error")]
    attentions = [c["id"] for c in checks.values() if c["status"] == "warn"]
    assert problems == ["network.download"], {k: c["summary"] for k, c in checks.items()}
    assert attentions in ([], ["network.connectivity"]), {k: c["summary"] for k, c in checks.items()}
    download = checks["network.download"]
    assert download["details"]["tried"] == "librespeed: http_status; cloudflare: dns; nq: dns; speedtest: dns"
    if status == "403":
        assert download["details"]["reason"] == "lost.server_refused"
        assert download["summary"].startswith(f"The speed-test server {SERVER_IP} refused the speed test (HTTP 403)")
        assert download["advice"][0].startswith("Your own connection is not at fault: that server does not let")
    else:
        assert download["details"]["reason"] == "lost.server_error"
        assert download["summary"].startswith(f"The speed-test server {SERVER_IP} failed while the download speed")
        assert "(HTTP 500)" in download["summary"] and "not at fault" in download["advice"][0]
    fix = ("Check the speed-test server’s address in the profile; if it is right, ask the recruiter who sent the "
           "profile for one that works.")
    assert download["advice"][-1] == fix and "--server" not in " ".join(download["advice"])
    if attentions:
        assert f"{SERVER_IP}" in checks["network.connectivity"]["summary"] and f"HTTP {status}" in checks[
            "network.connectivity"]["summary"]
        assert checks["network.connectivity"]["advice"][-1] == fix
    assert_one_cause(report, checks, "network.download", ["network.upload"])
    assert [c["id"] for c in report["causes"]] == ["network.download", *attentions]
    assert f"[✗] {download['title']}: {download['summary']}" in text and text.count("[✗]") == 1
    assert text.count("[!]") == len(attentions) and text.rstrip().endswith("Not ready: 1 problem")
    for check_id in ("network.latency", "network.jitter", "network.loss"):  # each figure as stored, in the sentence
        found = checks[check_id]
        shown = figure(found["value"], found["unit"])
        assert shown in found["summary"] and f"({shown} {found['unit']}): " in text, found
    # the same in the window and in the PDF a candidate sends, the fix as its last line
    assert_told_once_in_window_and_pdf(qtbot, tmp_path, results_from_json(report), "network.download",
                                       say(f"lost.server_{'refused' if status == '403' else 'error'}.headline"),
                                       attentions=len(attentions))
