"""Throughput against a networkQuality server, over HTTP/2 with TLS (httpx with h2).

A networkQuality server (draft-ietf-ippm-responsiveness; Apple's ``networkQuality``, Cloudflare's ``mach``)
publishes a JSON configuration, usually at ``/.well-known/nq``, naming three URLs: ``small_download_url`` (one
byte), ``large_download_url`` (a body larger than any test reads) and ``upload_url`` (takes a POST of any size and
drops it). Apple's older servers name them ``small_https_download_url``, ``large_https_download_url`` and
``https_upload_url``; both spellings are read, the draft's first.

The transfer itself is the one every backend shares (:func:`checks.netprobe.transfer.follow`): parallel streams,
each its own connection, the ramp-up discarded, stopped when steady. A configured server is reached straight; the
public ones (Apple's, Cloudflare's) through the environment's proxy when one is set, as a browser would.
"""

from __future__ import annotations

import json
import os
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from checks.config.servers import REFUSED_KINDS, address_kind
from checks.netprobe import transfer
from checks.netprobe.common import Budget, ProbeError, bounded, classify, endpoint, judge_answer
from checks.netprobe.reach import Answer, environment_proxy
from checks.netprobe.transfer import CHUNK, SEND_BUFFER, UPLOAD_REQUEST_BYTES, StopRule, Transfer, _Engine, stream_index
from checks.text.untrusted import clean, clean_error

APPLE = "https://mensura.cdn-apple.com/api/v1/gm/config"
CLOUDFLARE = "https://aim.cloudflare.com/responsiveness/api/v1/config"
PUBLIC = (APPLE, CLOUDFLARE)
"""The public networkQuality servers, tried in this order when no server is named."""
WELL_KNOWN = "/.well-known/nq"
CONFIG_BYTES = 64 * 1024
"""A configuration is a few hundred bytes; more is not read."""
KEYS = {"small": ("small_download_url", "small_https_download_url"),
        "large": ("large_download_url", "large_https_download_url"),
        "upload": ("upload_url", "https_upload_url")}
"""Each URL's name in the draft, then in Apple's older configurations."""


def config_url(server: str) -> str:
    """The configuration's URL for ``server``: a server root (``https://host[:port]/``) publishes it at
    ``/.well-known/nq``; a URL with a path is the configuration's own (as ``networkQuality -C`` takes it)."""
    parts = urlsplit(server.strip())
    if parts.path in ("", "/") and not parts.query:
        return urljoin(server.strip(), WELL_KNOWN)
    return server.strip()


@dataclass(frozen=True)
class Config:
    """A server's configuration: where it was read, and its three URLs."""

    url: str
    small: str
    large: str
    upload: str


def parse_config(body: bytes, url: str) -> Config:
    """The configuration in ``body`` (read from ``url``); :class:`ProbeError` ``bad_config`` saying what is wrong
    (in the details only) when it is not JSON, lacks a URL, or names one that is not ``https``.

    A URL may not name this computer, a link-local or a multicast address unless the configuration's own server
    is such an address: a stranger's configuration must not point the test at a router's admin page."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ProbeError("bad_config", error=f"not JSON: {clean_error(error)}") from None
    urls = data.get("urls") if isinstance(data, dict) else None
    if not isinstance(urls, dict):
        raise ProbeError("bad_config", error="no 'urls' object")
    own_kind = address_kind(urlsplit(url).hostname or "")
    found: dict[str, str] = {}
    for what, names in KEYS.items():
        value = next((urls[name] for name in names if isinstance(urls.get(name), str) and urls[name].strip()), None)
        if value is None:
            raise ProbeError("bad_config", error=f"no {names[0]}")
        try:
            parts = urlsplit(value.strip())
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError:
            raise ProbeError("bad_config", error=f"{names[0]} is not a URL: {clean(value, 200)}") from None
        if parts.scheme != "https" or not parts.hostname:
            raise ProbeError("bad_config", error=f"{names[0]} is not an https URL: {clean(value, 200)}")
        kind = address_kind(parts.hostname)
        if kind in REFUSED_KINDS and kind != own_kind:
            raise ProbeError("bad_config", error=f"{names[0]} names a {kind} address: {clean(value, 200)}")
        found[what] = value.strip()
    return Config(url, found["small"], found["large"], found["upload"])


def failure(error: BaseException, host: str = "", proxy: str = "") -> ProbeError:
    """An httpx exception as a :class:`ProbeError`: the socket or TLS error behind it, classified as for every
    other backend; a timeout; an answer that breaks HTTP/2 is ``bad_answer``."""
    if isinstance(error, ProbeError):
        return error
    cause: BaseException | None = error
    while cause is not None:  # httpx wraps httpcore's exception, which wraps the socket's
        if isinstance(cause, (OSError, ssl.SSLError)) and not isinstance(cause, httpx.HTTPError):
            found = classify(cause, host)
            if proxy and found.kind in ("refused", "timeout", "unreachable"):
                return ProbeError("proxy", proxy=proxy)
            return found
        cause = cause.__cause__ or cause.__context__
    if isinstance(error, httpx.ProxyError):
        return ProbeError("proxy", proxy=proxy)
    if isinstance(error, httpx.TimeoutException):
        return ProbeError("timeout")
    if isinstance(error, (httpx.RemoteProtocolError, httpx.LocalProtocolError, httpx.DecodingError)):
        return ProbeError("bad_answer", error=clean_error(error))
    return ProbeError("failed", error=clean_error(error))


def client(timeout: float, proxy: str = "", send_buffer: int | None = None) -> httpx.Client:
    """One HTTP/2 connection's client: the system's certificates (``SSL_CERT_FILE`` is honoured, as everywhere in
    the app), no redirects, no proxy but the one given, a small send buffer for an upload (a large one overfills
    a slow line's queue: :data:`checks.netprobe.transfer.SEND_BUFFER`)."""
    options = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
    if send_buffer:
        options.append((socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer))
    transport = httpx.HTTPTransport(http2=True, verify=ssl.create_default_context(), proxy=proxy or None,
                                    socket_options=options, retries=0)
    return httpx.Client(transport=transport, timeout=timeout, follow_redirects=False, trust_env=False,
                        headers={"Accept-Encoding": "identity", "Cache-Control": "no-cache"})


def _check(response: httpx.Response, host: str, head: bytes = b"") -> None:
    problem = judge_answer(response.status_code, host, response.headers.get("Location"),
                           response.headers.get("Content-Type"), head)
    if problem is not None:
        raise problem


def _proxy(url: str, public: bool) -> str:
    return environment_proxy(url) if public else ""


def fetch_config(url: str, budget: Budget, public: bool = False) -> tuple[Config, Answer]:
    """Read and check the configuration at ``url``. Not found there (404, 410) is ``no_config``; any other
    failure is named as for every backend."""
    proxy = _proxy(url, public)
    parts = urlsplit(url)
    via = urlsplit(proxy) if proxy else parts
    contacted = (endpoint(via.hostname or "", via.port or (443 if via.scheme == "https" else 80)),)

    def get() -> tuple[int, httpx.Headers, bytes]:
        with client(budget.timeout(4.0), proxy) as http, http.stream("GET", url) as response:
            body = b""
            for chunk in response.iter_raw(CHUNK):
                body += chunk
                if len(body) >= CONFIG_BYTES:
                    break
            return response.status_code, response.headers, body

    started = time.monotonic()
    try:
        status, headers, body = bounded(get, budget, f"nq config {parts.hostname}")
    except (httpx.HTTPError, OSError) as error:
        raise failure(error, parts.hostname or "", proxy) from None
    if status in (404, 410):
        raise ProbeError("no_config", status=status)
    problem = judge_answer(status, parts.hostname or "", headers.get("Location"), headers.get("Content-Type"), body)
    if problem is not None:
        raise problem
    config = parse_config(body, url)
    return config, Answer(url, proxy, status, time.monotonic() - started, contacted)


def first_config(urls: tuple[str, ...], budget: Budget, public: bool) -> tuple[Config, Answer]:
    """The first of ``urls`` whose configuration can be read, and how it answered; the first one's failure when
    none can."""
    first: ProbeError | None = None
    for i, url in enumerate(urls):
        try:
            return fetch_config(url, budget.within(max(1.5, budget.left() / (len(urls) - i))), public)
        except ProbeError as error:
            if error.kind == "cancelled" or budget.cancel.is_set():
                raise
            first = first or error
    raise first or ProbeError("failed", error="no configuration URL")


def preflight(config: Config, direction: str, budget: Budget, proxy: str = "") -> None:
    """One small request before the streams start (the one-byte download, or a 1 KiB upload), so that a server
    that refuses is told as its answer says (an HTTP/2 stream it resets mid-body would say less)."""
    url = config.small if direction == "download" else config.upload
    host = urlsplit(url).hostname or ""

    def ask() -> None:
        with client(budget.timeout(3.0), proxy) as http:
            response = (http.get(url) if direction == "download" else
                        http.post(url, content=b"0" * 1024, headers={"Content-Type": "application/octet-stream"}))
            _check(response, host, response.content[:64 * 1024])

    try:
        bounded(ask, budget, f"nq preflight {host}")
    except (httpx.HTTPError, OSError) as error:
        raise failure(error, host, proxy) from None


def _download_work(engine: _Engine, url: str, host: str) -> Callable[[], None]:
    def work() -> None:
        index = stream_index() or 0
        try:
            with client(engine.op_timeout, engine.proxy) as http, http.stream(
                    "GET", url, params={"r": os.urandom(4).hex()}) as response:
                first = True
                for data in response.iter_raw(CHUNK):
                    if first:
                        _check(response, host, data)
                        first = False
                    engine.add(len(data))
                    if engine.stop.is_set() or index >= engine.wanted:
                        return
                if first:  # an empty body: nothing to measure
                    _check(response, host)
                    raise ProbeError("bad_answer", error="the large download was empty")
        except httpx.HTTPError as error:
            if engine.stop.is_set() or index >= engine.wanted:
                return
            raise failure(error, host, engine.proxy) from None
    return work


def _upload_work(engine: _Engine, url: str, host: str, payload: bytes) -> Callable[[], None]:
    view = memoryview(payload)

    def body(index: int) -> Iterator[bytes]:
        sent = 0
        while sent < UPLOAD_REQUEST_BYTES and not engine.stop.is_set() and index < engine.wanted:
            offset = sent % (len(payload) - CHUNK)
            chunk = bytes(view[offset:offset + CHUNK])
            yield chunk
            sent += len(chunk)
            engine.add(len(chunk))  # counted where the kernel cannot count acknowledged bytes

    def work() -> None:
        index = stream_index() or 0
        opened: list[Any] = [None]
        sockets: list[socket.socket] = []

        def trace(event: str, info: dict[str, Any]) -> None:
            # httpx's documented ``trace`` extension tells each step of opening the connection (to the server, or
            # to the proxy that tunnels to it; TLS replaces the socket with its own), then the request on it: that
            # socket's acknowledged bytes are what this stream moved
            if event.endswith(("connect_tcp.complete", "start_tls.complete")):
                opened.append(info["return_value"].get_extra_info("socket"))
            elif event.endswith("send_request_headers.started") and isinstance(opened[-1], socket.socket):
                sockets.append(opened[-1])
                engine.sends_on(index, opened[-1])

        try:
            with client(engine.op_timeout, engine.proxy, SEND_BUFFER) as http:
                response = http.post(url, content=body(index), params={"r": os.urandom(4).hex()},
                                     headers={"Content-Type": "application/octet-stream"},
                                     extensions={"trace": trace})
                with engine.lock:  # the server has read it all: all is acknowledged, and it may close the socket
                    for sock in sockets:
                        engine.acked_now(sock)
                _check(response, host, response.content[:64 * 1024])
        except httpx.HTTPError as error:
            if engine.stop.is_set() or index >= engine.wanted:
                return
            raise failure(error, host, engine.proxy) from None
        finally:
            with engine.lock:
                for sock in sockets:
                    engine.sent(sock)
    return work


def measure(direction: str, urls: tuple[str, ...], budget: Budget, rule: StopRule, public: bool = False,
            on_sample: Callable[[float, float], None] = lambda t, mbps: None) -> tuple[Transfer, Config]:
    """Download or upload against the first of the networkQuality configurations ``urls`` that can be read
    (``public``: they are public servers, reached through the environment's proxy); :class:`ProbeError` on
    failure."""
    if direction not in ("download", "upload"):
        raise ValueError(f"direction must be download or upload, not {direction!r}")
    config, _ = first_config(urls, budget, public)
    url = config.large if direction == "download" else config.upload
    proxy = _proxy(url, public)
    preflight(config, direction, budget, proxy)
    parts = urlsplit(url)
    host = parts.hostname or ""
    where = endpoint(host, parts.port or 443)
    if proxy:
        via = urlsplit(proxy)
        where = f"{where} via {endpoint(via.hostname or '', via.port or 80)}"
    engine = _Engine(budget, rule.streams, proxy)
    engine.op_timeout = rule.stall_s + 1.0  # a stall is told by the loop that follows the transfer
    payload = os.urandom(1024 * 1024) if direction == "upload" else b""
    engine.run_streams(_download_work(engine, url, host) if direction == "download"
                       else _upload_work(engine, url, host, payload))
    return transfer.followed(direction, url, engine, budget, rule, (where,), 0.0, on_sample), config
