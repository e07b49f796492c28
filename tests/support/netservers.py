"""Test servers for the network checks, run in a network namespace: ``python tests/support/netservers.py --port 8080``.

The throughput tests run against LibreSpeed's real PHP backend (``Lab.librespeed_server``); this stand-in is for
what a real server cannot be made to do (stall, refuse, answer a sign-in page or garbage) and for the public
services that cannot be reached from the lab. One HTTP server speaks three protocols:

- Cloudflare's speed test, as seen through a proxy like speedtest.net's below: ``/__down?bytes=N`` (N random
  bytes), ``/__up`` (reads and drops a POST body; answers an empty 200 as Cloudflare does);
- LibreSpeed's: ``/backend/garbage.php?ckSize=N`` (N MiB of random bytes), ``/backend/empty.php`` (reads and
  drops an upload), ``/backend/getIP.php`` (the client's address);
- speedtest.net's, as seen through a proxy (``http_proxy`` / ``https_proxy`` pointing here): ``CONNECT`` is answered
  by TLS with a certificate for www.speedtest.net (``--cert``/``--key``, signed by a test CA the client trusts),
  then ``/speedtest-config.php``, ``/speedtest-servers-static.php``; and ``/speedtest/latency.txt``,
  ``/speedtest/randomNxN.jpg``, ``/speedtest/upload.php`` on this server.

Misbehaviour on demand: ``--status 403`` answers every request with that status, ``--captive`` answers every
request with a sign-in page, ``--stall-after BYTES`` stops sending downloads after that many bytes per request,
``--cloudflare-status 403`` refuses only Cloudflare's paths, ``--fault KIND`` answers downloads wrongly: ``html`` (a
small HTML page), ``one_byte`` (a 1-byte body), ``redirect_loop`` (a redirect to itself), ``gzip`` (gzip-compressed
garbage), ``trickle`` (a slow-loris trickle, a byte every 0.4 s).
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

RANDOM = os.urandom(1024 * 1024)
CHUNK = 64 * 1024

CONFIG = """<?xml version="1.0" encoding="UTF-8"?>
<settings>
<client ip="{ip}" lat="52.52" lon="13.40" isp="Test Network" isprating="3.0" rating="0" ispdlavg="0" ispulavg="0"
 loggedin="0" country="DE"/>
<server-config threadcount="2" ignoreids="" notonmap="" forcepingid="" preferredserverid=""/>
<download testlength="{length}" initialtest="250K" mintestsize="250K" threadsperurl="2"/>
<upload testlength="{length}" ratio="3" initialtest="0" mintestsize="32K" threads="2" maxchunksize="512K"
 maxchunkcount="40" threadsperurl="4"/>
</settings>
"""

SERVERS = """<?xml version="1.0" encoding="UTF-8"?>
<settings><servers>
<server url="http://{host}/speedtest/upload.php" lat="52.50" lon="13.40" name="Testville" country="Testland"
 cc="TL" sponsor="Interview Ready test server" id="4242" host="{host}"/>
</servers></settings>
"""

LOGIN = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body><form>Accept the terms</form></body></html>"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    # -- helpers -----------------------------------------------------------------------------------------

    def reply(self, status: int, body: bytes = b"", content_type: str = "text/plain", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def drain(self) -> int:
        left = int(self.headers.get("Content-Length") or 0)
        total = 0
        while left > 0:
            data = self.rfile.read(min(CHUNK, left))
            if not data:
                break
            left -= len(data)
            total += len(data)
        return total

    def stream(self, size: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        sent = 0
        stall = self.server.stall_after
        while sent < size:
            if stall is not None and sent >= stall:
                self.wfile.flush()
                time.sleep(60)  # the client must give up by itself
                return
            n = min(CHUNK, size - sent)
            offset = sent % (len(RANDOM) - CHUNK)
            self.wfile.write(RANDOM[offset:offset + n])
            sent += n

    def misbehave(self) -> bool:
        if self.server.status:
            self.drain()
            self.reply(self.server.status, b"error", "text/plain")
            return True
        if self.server.captive:
            self.drain()
            self.reply(200, LOGIN, "text/html; charset=utf-8")
            return True
        return False

    # -- methods -----------------------------------------------------------------------------------------

    def do_CONNECT(self) -> None:
        if self.server.tls is None:
            self.reply(502, b"no TLS here")
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        tls = self.server.tls.wrap_socket(self.connection, server_side=True)
        self.connection = tls
        self.rfile = tls.makefile("rb")
        self.wfile = tls.makefile("wb")
        self.close_connection = False

    def fault(self, kind: str) -> None:
        if kind == "html":
            self.reply(200, b"<!DOCTYPE html><html><body><p>Welcome</p></body></html>", "text/html")
        elif kind == "one_byte":
            self.reply(200, b"x", "application/octet-stream")
        elif kind == "redirect_loop":
            self.reply(302, b"", Location=self.path)
        elif kind == "gzip":
            self.reply(200, gzip.compress(RANDOM[:256 * 1024]), "application/octet-stream", Content_Encoding="gzip")
        elif kind == "trickle":
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.4)

    def do_GET(self) -> None:
        if self.misbehave():
            return
        parts = urlsplit(self.path)  # absolute form (through the proxy) or a plain path
        path, query = parts.path, parse_qs(parts.query)
        if self.server.fault and path in ("/backend/garbage.php", "/__down"):
            self.fault(self.server.fault)
        elif path == "/__down":
            if self.server.cloudflare_status:
                self.reply(self.server.cloudflare_status, b"error code: 1020", "text/plain")
            else:
                self.stream(int(query.get("bytes", ["0"])[0]))
        elif path == "/backend/garbage.php":
            self.stream(int(query.get("ckSize", ["4"])[0]) * 1024 * 1024)
        elif path == "/backend/getIP.php":
            self.reply(200, self.client_address[0].encode())
        elif path == "/speedtest-config.php":
            body = CONFIG.format(ip=self.client_address[0], length=self.server.speedtest_length)
            self.reply(200, body.encode(), "text/xml")
        elif path.startswith("/speedtest-servers"):
            self.reply(200, SERVERS.format(host=self.server.public).encode(), "text/xml")
        elif path == "/speedtest/latency.txt":
            self.reply(200, b"test=test\n")
        elif match := re.fullmatch(r"/speedtest/random(\d+)x\d+\.jpg", path):
            side = int(match.group(1))
            self.stream(side * side * 2)
        else:
            self.reply(404, b"not found")

    def do_POST(self) -> None:
        if self.misbehave():
            return
        path = urlsplit(self.path).path
        if path == "/__up":
            self.drain()
            if self.server.cloudflare_status:
                self.reply(self.server.cloudflare_status, b"error code: 1020", "text/plain")
            else:
                self.reply(200, b"", "text/html; charset=UTF-8")  # empty, with a page's type, like PHP
        elif path in ("/backend/empty.php", "/speedtest/upload.php"):
            size = self.drain()
            self.reply(200, f"size={size}".encode() if path.startswith("/speedtest") else b"")
        else:
            self.drain()
            self.reply(404, b"not found")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], public: str, status: int, captive: bool,
                 stall_after: int | None, tls: ssl.SSLContext | None, speedtest_length: int,
                 cloudflare_status: int = 0, fault: str = "") -> None:
        super().__init__(address, Handler)
        self.public = public
        self.status = status
        self.captive = captive
        self.stall_after = stall_after
        self.tls = tls
        self.speedtest_length = speedtest_length
        self.cloudflare_status = cloudflare_status
        self.fault = fault


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--public", help="host:port clients use (for the speedtest server list)")
    parser.add_argument("--status", type=int, default=0)
    parser.add_argument("--captive", action="store_true")
    parser.add_argument("--stall-after", type=int)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--speedtest-length", type=int, default=4)
    parser.add_argument("--cloudflare-status", type=int, default=0)
    parser.add_argument("--fault", choices=("html", "one_byte", "redirect_loop", "gzip", "trickle"), default="")
    args = parser.parse_args()
    tls = None
    if args.cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.cert, args.key)
    server = Server((args.host, args.port), args.public or f"{args.host}:{args.port}", args.status, args.captive,
                    args.stall_after, tls, args.speedtest_length, args.cloudflare_status, args.fault)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
