"""The networkQuality backend's reading of a server's configuration, its failures named as every backend's are,
and how it is chosen (``--network nq --server URL``, a profile's ``nq_server``, the public servers in ``auto``).
Answers are sent byte for byte by a local server (tests/test_net_answers.py); the transfers themselves run against
nginx in the network lab (tests/test_nq_live.py)."""

from __future__ import annotations

import json
import socket
import threading

import pytest

from app.cli import make_parser
from app.session import resolve
from checks.builtin.network import _backends, _nq_configs
from checks.config.servers import NetworkSettings
from checks.netprobe import nq
from checks.netprobe.common import ProbeError
from tests import test_net_answers

serve = test_net_answers.serve
budget = test_net_answers.budget
DRAFT = {"small_download_url": "https://nq.example/small", "large_download_url": "https://nq.example/large",
         "upload_url": "https://nq.example/upload"}
OLDER = {"small_https_download_url": "https://old.example/small", "large_https_download_url": "https://old.example/large",
         "https_upload_url": "https://old.example/slurp"}


def body(urls: object, version: int = 1) -> bytes:
    return json.dumps({"version": version, "urls": urls}).encode()


def answer(status: str, content: bytes, kind: str = "application/json") -> bytes:
    return (f"HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {len(content)}\r\n"
            "Connection: close\r\n\r\n").encode() + content


def test_the_configuration_is_at_the_well_known_path_unless_a_url_names_it():
    assert nq.config_url("https://nq.example") == "https://nq.example/.well-known/nq"
    assert nq.config_url("https://nq.example:8443/") == "https://nq.example:8443/.well-known/nq"
    assert nq.config_url("https://mensura.cdn-apple.com/api/v1/gm/config") == nq.APPLE


def test_the_drafts_names_and_apples_older_ones_are_read():
    config = nq.parse_config(body(DRAFT), "https://nq.example/.well-known/nq")
    assert (config.small, config.large, config.upload) == tuple(DRAFT.values())
    older = nq.parse_config(body(OLDER), "https://old.example/config")
    assert (older.small, older.large, older.upload) == tuple(OLDER.values())
    both = nq.parse_config(body({**OLDER, **DRAFT}), "https://nq.example/config")  # as Apple's server sends it
    assert both.upload == DRAFT["upload_url"]


@pytest.mark.parametrize(("content", "problem"), [
    (b"<html>sign in</html>", "not JSON"),
    (b"\xff\xfe", "not JSON"),
    (b"[1, 2]", "no 'urls' object"),
    (body("https://nq.example/"), "no 'urls' object"),
    (body({k: v for k, v in DRAFT.items() if k != "upload_url"}), "no upload_url"),
    (body({**DRAFT, "large_download_url": ""}), "no large_download_url"),
    (body({**DRAFT, "small_download_url": 7}), "no small_download_url"),
    (body({**DRAFT, "upload_url": "http://nq.example/upload"}), "upload_url is not an https URL"),
    (body({**DRAFT, "upload_url": "https://nq.example:port/upload"}), "upload_url is not a URL"),
    (body({**DRAFT, "large_download_url": "https://169.254.169.254/latest"}),
     "large_download_url names a link_local address"),
    (body({**DRAFT, "upload_url": "https://127.0.0.1:6379/"}), "upload_url names a loopback address"),
])
def test_a_configuration_that_cannot_be_used_says_why_in_the_details(content, problem):
    with pytest.raises(ProbeError) as raised:
        nq.parse_config(content, "https://nq.example/.well-known/nq")
    assert raised.value.kind == "bad_config"
    assert raised.value.fields["error"].startswith(problem), raised.value.fields


def test_a_server_on_this_computer_may_name_this_computer():
    local = {k: v.replace("nq.example", "127.0.0.1:8443") for k, v in DRAFT.items()}
    assert nq.parse_config(body(local), "https://127.0.0.1:8443/.well-known/nq").upload == local["upload_url"]


@pytest.mark.parametrize(("reply", "kind"), [
    (answer("404 Not Found", b"<html><body>404 Not Found</body></html>", "text/html"), "no_config"),
    (answer("410 Gone", b""), "no_config"),
    (answer("500 Internal Server Error", b"oops", "text/plain"), "http_status"),
    (answer("200 OK", b"<!DOCTYPE html><html><form>Sign in</form></html>", "text/html"), "captive"),
    (answer("302 Found", b"", "text/plain").replace(b"Content-Type", b"Location: http://portal.example/\r\nX"),
     "captive"),
    (answer("200 OK", body({"small_download_url": "https://nq.example/small"})), "bad_config"),
    (b"SSH-2.0-OpenSSH_9.2\r\n", "bad_answer"),
])
def test_what_a_server_answers_instead_of_a_configuration_is_named(serve, reply, kind):
    with pytest.raises(ProbeError) as raised:
        nq.fetch_config(nq.config_url(serve(reply)), budget())
    assert raised.value.kind == kind, raised.value.fields


def test_a_configuration_is_read_over_plain_http_too(serve):
    config, answered = nq.fetch_config(nq.config_url(serve(answer("200 OK", body(DRAFT)))), budget())
    assert config.large == DRAFT["large_download_url"] and answered.status == 200 and not answered.proxy


def test_connection_failures_are_named_as_for_every_backend(serve):
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(ProbeError) as raised:
        nq.fetch_config(f"https://127.0.0.1:{port}/.well-known/nq", budget())
    assert raised.value.kind == "refused"
    with socket.create_server(("127.0.0.1", 0)) as plain:  # a server without TLS: it answers the hello in text
        def reply() -> None:
            conn, _ = plain.accept()
            with conn:
                conn.recv(4096)
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        threading.Thread(target=reply, daemon=True).start()
        with pytest.raises(ProbeError) as raised:
            nq.fetch_config(f"https://127.0.0.1:{plain.getsockname()[1]}/.well-known/nq", budget())
    assert raised.value.kind == "tls" and "SSL" in raised.value.fields["error"]
    with pytest.raises(ProbeError) as raised:
        nq.fetch_config("https://no-such-server.invalid/.well-known/nq", budget())
    assert raised.value.kind in ("no_such_name", "dns")


def test_the_first_usable_configuration_is_used_and_the_first_failure_told(serve):
    missing = nq.config_url(serve(answer("404 Not Found", b"")))
    good = nq.config_url(serve(answer("200 OK", body(DRAFT))))
    config, answered = nq.first_config((missing, good), budget(), public=False)
    assert config.url == good and answered.url == good and answered.status == 200
    with pytest.raises(ProbeError) as raised:
        nq.first_config((missing, nq.config_url(serve(answer("200 OK", b"{}")))), budget(), public=False)
    assert raised.value.kind == "no_config" and raised.value.fields["status"] == 404


def settings(*argv: str, profile: str | None = None, tmp_path=None) -> NetworkSettings:
    if profile is not None:
        path = tmp_path / "profile.toml"
        path.write_text(profile)
        argv = (*argv, "--profile", str(path))
    session = resolve(make_parser().parse_args(["check", "--camera", "none", "--mic", "none", *argv]))
    assert session.config.network is not None
    return session.config.network


def test_the_backend_is_chosen_like_the_others(tmp_path):
    named = settings("--network", "nq", "--server", "https://nq.example:8443/")
    assert (named.backend, named.nq_server, named.server) == ("nq", "https://nq.example:8443/", None)
    assert _backends(named) == ["nq"] and _nq_configs(named) == ("https://nq.example:8443/.well-known/nq",)
    public = settings("--network", "nq")
    assert _backends(public) == ["nq"] and _nq_configs(public) == (nq.APPLE, nq.CLOUDFLARE)
    # auto: the named servers first, then the public ones; Apple's and Cloudflare's networkQuality servers only
    # when the profile names none
    assert _backends(settings()) == ["cloudflare", "nq", "speedtest"]
    assert _backends(settings("--server", "https://speed.acme.example/")) == [
        "librespeed", "cloudflare", "nq", "speedtest"]
    both = settings(profile='librespeed_server = "https://speed.acme.example/"\n'
                            'nq_server = "https://nq.acme.example/"\n', tmp_path=tmp_path)
    assert (both.server, both.nq_server) == ("https://speed.acme.example/", "https://nq.acme.example/")
    assert _backends(both) == ["librespeed", "nq", "cloudflare", "speedtest"]
    assert _nq_configs(both) == ("https://nq.acme.example/.well-known/nq",)
    # --server with --network nq replaces the profile's networkQuality server, not its LibreSpeed one
    mine = settings("--network", "nq", "--server", "https://mine.example/",
                    profile='librespeed_server = "https://speed.acme.example/"\nnq_server = "https://nq.acme.example/"\n',
                    tmp_path=tmp_path)
    assert (mine.server, mine.nq_server) == ("https://speed.acme.example/", "https://mine.example/")


def test_a_kiosks_librespeed_server_is_not_taken_for_a_networkquality_one(tmp_path):
    from app.cli import apply_kiosk_config

    kiosk = tmp_path / "kiosk.toml"
    kiosk.write_text('librespeed_server = "http://speed.centre.example/"\n')
    for network, server in (("nq", None), (None, "http://speed.centre.example/")):
        args = make_parser().parse_args(["--kiosk-config", str(kiosk), *(["--network", network] if network else [])])
        apply_kiosk_config(args)
        assert args.server == server
