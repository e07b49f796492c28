"""How speed-test answers are read, on the shapes real servers send: PHP's built-in server (LibreSpeed's
``empty.php``: an empty 200 with PHP's default ``text/html``, ``Connection: close``), the Go backend (an empty
200 with ``Content-Length: 0`` and no type), nginx (an empty keep-alive 200), a chunked empty answer; and what a
captive portal sends (a login page, a redirect elsewhere). Each answer is sent byte for byte by a local server,
and read by the same code the checks use."""

from __future__ import annotations

import dataclasses
import socket
import socketserver
import threading
import time

import pytest

from checks.netprobe import transfer
from checks.netprobe.common import Budget, ProbeError, judge_answer, looks_like_page

SUCCESS = {
    "php": b"HTTP/1.1 200 OK\r\nHost: x\r\nConnection: close\r\nX-Powered-By: PHP/8.2\r\n"
           b"Cache-Control: no-store, no-cache\r\nConnection: keep-alive\r\n"
           b"Content-type: text/html; charset=UTF-8\r\n\r\n",
    "go": b"HTTP/1.1 200 OK\r\nDate: Tue, 01 Dec 2026 19:00:00 GMT\r\nContent-Length: 0\r\n\r\n",
    "nginx": b"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: application/octet-stream\r\nContent-Length: 0\r\n"
             b"Connection: keep-alive\r\n\r\n",
    "chunked": b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "close": b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n",
}
LOGIN = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body><form>Accept</form></body></html>"
FAILURE = {
    "login page": (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s"
                   % (len(LOGIN), LOGIN), "captive"),
    "login page without a type": (b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + LOGIN, "captive"),
    "redirect elsewhere": (b"HTTP/1.1 302 Found\r\nLocation: http://portal.example/login\r\nContent-Length: 0\r\n\r\n",
                           "captive"),
    "redirect to itself": (b"HTTP/1.1 302 Found\r\nLocation: /backend/empty.php\r\nContent-Length: 0\r\n\r\n",
                           "http_status"),
    "refused": (b"HTTP/1.1 403 Forbidden\r\nContent-Type: text/html\r\nContent-Length: 9\r\n\r\nForbidden",
                "http_status"),
}


class _Canned(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.request.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), 0)
        while len(body) < length:
            chunk = self.request.recv(65536)
            if not chunk:
                break
            body += chunk
        self.request.sendall(self.server.answer)  # type: ignore[attr-defined]
        time.sleep(0.05)
        self.request.shutdown(socket.SHUT_WR)


@pytest.fixture
def serve():
    servers = []

    def start(answer: bytes) -> str:
        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Canned)
        server.daemon_threads = True
        server.answer = answer  # type: ignore[attr-defined]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def budget() -> Budget:
    return Budget(time.monotonic() + 5, threading.Event())


@pytest.mark.parametrize("shape", SUCCESS)
def test_an_upload_answered_with_nothing_is_success_whatever_its_type(serve, shape):
    server = serve(SUCCESS[shape])
    assert transfer.preflight(transfer.backend_url(server, "empty.php"), budget(), "POST", b"0" * 1024) == b""


@pytest.mark.parametrize("shape", FAILURE)
def test_what_a_portal_or_a_refusing_server_answers_is_named(serve, shape):
    answer, kind = FAILURE[shape]
    server = serve(answer)
    with pytest.raises(ProbeError) as raised:
        transfer.preflight(transfer.backend_url(server, "empty.php"), budget(), "POST", b"0" * 1024)
    assert raised.value.kind == kind


def test_a_page_is_html_with_content_never_an_empty_body():
    assert not looks_like_page("text/html; charset=UTF-8", b"")
    assert not looks_like_page("text/html", b"  \r\n")
    assert not looks_like_page("application/octet-stream", b"<\x8f\x01random")
    assert not looks_like_page("application/json", b'{"processedString":"10.0.0.2"}')
    assert looks_like_page(None, b"\xef\xbb\xbf<!doctype html><p>Login")
    assert looks_like_page("text/html", b"<form action=/login>")
    assert judge_answer(200, "speed.example", None, "text/html", b"") is None
    assert judge_answer(301, "speed.example", "https://speed.example/", None, b"").kind == "http_status"
    assert judge_answer(307, "speed.example", "http://wifi.hotel.example/", None, b"").kind == "captive"


def test_librespeed_and_cloudflare_urls():
    ls = transfer.Backend("librespeed", "https://speed.acme.example/speed")
    assert ls.download_url == "https://speed.acme.example/speed/backend/garbage.php?ckSize=100"
    assert ls.upload_url == "https://speed.acme.example/speed/backend/empty.php"
    assert ls.probe_url == "https://speed.acme.example/speed/backend/getIP.php"
    assert ls.expected(b'{"processedString":"1.2.3.4","rawIspInfo":""}') and not ls.expected(LOGIN)
    cf = transfer.Backend("cloudflare", transfer.CLOUDFLARE)
    assert cf.download_url == "https://speed.cloudflare.com/__down?bytes=100000000"
    assert cf.upload_url == "https://speed.cloudflare.com/__up"
    assert cf.probe_url == "https://speed.cloudflare.com/__down?bytes=64"
    assert cf.expected(bytes(64)) and not cf.expected(b"") and cf.proxied and not ls.proxied
    with pytest.raises(ValueError):
        transfer.Backend("ookla", "https://x.example/")


def test_fewer_streams_on_a_slow_line():
    rule = transfer.StopRule(streams=4, stream_mbps=2.0)
    assert [rule.streams_for(mbps) for mbps in (0.3, 1.0, 2.5, 3.9, 7.0, 40.0)] == [1, 1, 2, 2, 4, 4]
    assert transfer.StopRule(streams=4, stream_mbps=0).streams_for(1.0) == 4


def test_a_slow_line_is_judged_over_longer_windows():
    rule = transfer.StopRule()  # windows of 0.5 s holding 1 Mbit at the least
    assert rule.for_rate(40.0) == rule and rule.for_rate(2.0) == rule
    slow = rule.for_rate(0.5)  # 2 s windows: TCP's cycles over a short queue last about a second there
    assert slow.window_s == pytest.approx(2.0) and slow.max_s == pytest.approx(8 + 3 * 1.5)
    assert transfer.StopRule(window_mbit=0).for_rate(0.5) == transfer.StopRule(window_mbit=0)
    assert rule.for_rate(0.001).window_s == 2.0 and rule.for_rate(0).window_s == 0.5  # a trickle, nothing: bounded


def test_the_stop_rule_stretches_for_a_long_round_trip():
    rule = transfer.StopRule()  # a 0.25 s ramp-up, 0.5 s windows, 3 of them, 8 s at most
    assert rule.for_round_trip(0.0002) == rule and rule.for_round_trip(0.06) == rule  # 4 round trips fit in 0.25 s
    assert rule.for_round_trip(0.1).ramp_s == pytest.approx(0.4) and rule.for_round_trip(0.1).window_s == 0.5
    satellite = rule.for_round_trip(0.6)  # slow start needs 4 round trips; a window holds one
    assert (satellite.ramp_s, satellite.window_s) == pytest.approx((2.4, 0.6))
    assert satellite.max_s == pytest.approx(8 + 2.15 + 3 * 0.1) and satellite.long
    wider = dataclasses.replace(rule, ramp_rtts=8, window_rtts=2).for_round_trip(0.6)  # as a profile may set it
    assert (wider.ramp_s, wider.window_s) == pytest.approx((4.8, 1.2))
    assert (satellite.min_s, satellite.windows, satellite.tolerance) == (rule.min_s, rule.windows, rule.tolerance)


def test_the_kernel_counts_what_was_sent_and_what_was_acknowledged():
    """The counts an upload's ramp-up waits on (bytes sent once, bytes acknowledged), read from a real connection:
    what the other side has not yet made room for stays in the sender's buffer and is not sent; once it has read
    everything, everything written was sent once and acknowledged."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sender = socket.create_connection(listener.getsockname())
        receiver, _ = listener.accept()
        with sender, receiver:
            if transfer.sent_once(sender) is None:
                pytest.skip("this kernel does not count the bytes sent and acknowledged")
            sender.setblocking(False)
            written = 0
            with pytest.raises(BlockingIOError):  # the receiver reads nothing: both buffers fill up
                while True:
                    written += sender.send(b"x" * 65536)
            # the kernel counts the connection's SYN as one byte acknowledged
            assert 0 < transfer.acked(sender) - 1 <= transfer.sent_once(sender) < written
            received = 0
            while received < written:
                received += len(receiver.recv(1 << 20))
            end = time.monotonic() + 5
            while transfer.acked(sender) <= written and time.monotonic() < end:  # the last acknowledgement
                time.sleep(0.01)
            assert transfer.sent_once(sender) == transfer.acked(sender) - 1 == written
