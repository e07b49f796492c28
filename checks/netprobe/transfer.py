"""Throughput with parallel HTTP streams, the ramp-up discarded, stopped when steady, against two kinds of server.

- **LibreSpeed** (a server root, e.g. a recruiter's own): ``backend/garbage.php`` (download: ``?ckSize=N`` sends
  N MiB of random data), ``backend/empty.php`` (upload: reads and drops the body) and ``backend/getIP.php`` (the
  client's address). The connections go straight to the server (an environment proxy is not used: it would
  measure the proxy).
- **Cloudflare's speed test** (``https://speed.cloudflare.com/``): ``__down?bytes=N`` sends N bytes, ``__up``
  takes a POST body. It is a public service, so like any browser it is reached through the environment's
  proxy when one is set (an HTTPS ``CONNECT`` tunnel).

Every read and write is bounded by a short timeout and the budget.
"""

from __future__ import annotations

import contextlib
import dataclasses
import http.client
import math
import os
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

try:  # counting only acknowledged upload bytes needs TIOCOUTQ (Linux)
    import fcntl
    import termios
except ImportError:  # pragma: no cover - Windows
    fcntl = termios = None  # type: ignore[assignment]

from checks.analysis.network import (
    Sample,
    Throughput,
    filled,
    is_stable,
    sample_at,
    steady_from,
    straying,
    summarize_throughput,
    window_rates,
)
from checks.netprobe.common import Budget, ProbeError, classify, endpoint, judge_answer, looks_like_page, tcp_connect
from checks.netprobe.reach import environment_proxy

CHUNK = 64 * 1024
UPLOAD_REQUEST_BYTES = 8 * 1024 * 1024
SEND_BUFFER = 64 * 1024
"""Upload sockets start with a small send buffer; bytes still in it (not acknowledged) are not counted as moved. On a
long round trip it caps the rate (a satellite's 600 ms at 20 Mbit/s holds 1.5 MB in flight, and 64 KiB a stream
would allow 7 Mbit/s for four), so it doubles whenever the rate comes near what it allows (:meth:`_Engine.grow`);
a large buffer from the start overfills a slow line's queue on slow start's first round trips, and its losses cost
the rest of the transfer (a 1 Mbit/s upload over 800 ms read 0.2)."""


@dataclass(frozen=True)
class StopRule:
    """When a transfer stops (see :func:`checks.analysis.network.is_stable`)."""

    ramp_s: float = 0.25
    window_s: float = 0.5
    windows: int = 3
    tolerance: float = 0.08
    straying: float = 0.0
    """Or stop once the bytes moved since the ramp-up keep within this fraction of a straight line (see
    :func:`checks.analysis.network.straying`; 0: never), and read the rate over all of that stretch."""
    min_s: float = 1.5
    """Measure at least this long after the ramp-up."""
    max_s: float = 8.0
    stall_s: float = 2.5
    """No byte moved for this long: the server stalled."""
    ramp_rtts: float = 4.0
    """The ramp-up lasts at least this many round trips: TCP's slow start doubles its window once per round trip,
    so on a long one (a satellite's 600 ms) it needs seconds, not one, to fill the line; it goes on until the
    rate stops growing (``growth``)."""
    growth: float = 1.25
    full_rounds: int = 3
    """On a long round trip the ramp-up lasts until ``full_rounds`` round trips in a row grew by less than ``growth``
    times the best before (slow start has filled the line; see :func:`checks.analysis.network.filled`),
    ``ramp_rtts`` at the least (the connection and the request take two round trips, slow start as many as the
    line needs); then as many windows as those rounds (of a round trip each on a satellite's) agreeing are the
    figure."""
    window_rtts: float = 1.0
    """A window lasts at least this many round trips (once the line is full, an ACK-clocked stream is steady over
    one)."""
    streams: int = 4
    stream_mbps: float = 1.0
    """After the ramp-up, one stream per this many Mbit/s measured (at most ``streams``): on a slow line more
    streams only overfill its queue, and the losses make the figure low and unsteady."""

    window_mbit: float = 1.0
    """A window holds at least this many megabits at the rate measured after the ramp-up (1 s at 1 Mbit/s): a slow
    line's rate swings with each of TCP's cycles over its short queue, and a shorter window would see the swing, not
    the rate."""

    drain_max_s: float = 2.0
    """After the streams a slow line does not need are ended, the ramp-up lasts until what they had sent has
    crossed the line (:meth:`_Engine.crossed`), this long at the most."""

    long: bool = False
    """A long round trip (the ramp-up scaled for it): all streams are kept. The rate known half-way through the
    ramp-up is slow start's, far below the line's, and a stream's share, once taken, grows back only slowly."""

    def streams_for(self, mbps: float) -> int:
        return max(1, min(self.streams, math.ceil(mbps / self.stream_mbps))) if self.stream_mbps > 0 else self.streams

    def for_rate(self, mbps: float) -> StopRule:
        """This rule at ``mbps``: windows long enough to hold ``window_mbit`` each (four times ``window_s`` at the most:
        a server that trickles is told by the time limit, not waited for), the time limit longer by as much."""
        needed = self.window_mbit / mbps if mbps > 0 and self.window_mbit > 0 else 0.0
        window_s = min(max(self.window_s, needed), 4 * self.window_s)
        longer = self.windows * (window_s - self.window_s)
        return dataclasses.replace(self, window_s=window_s, max_s=self.max_s + longer)

    def for_round_trip(self, rtt: float) -> StopRule:
        """This rule on a link with a round trip of ``rtt`` seconds: the ramp-up at least ``ramp_rtts`` round trips,
        the windows at least ``window_rtts``, and the time limit longer by as much."""
        ramp_s = max(self.ramp_s, self.ramp_rtts * rtt)
        window_s = max(self.window_s, self.window_rtts * rtt)
        extra = ramp_s - self.ramp_s + self.windows * (window_s - self.window_s)
        return dataclasses.replace(self, ramp_s=ramp_s, window_s=window_s, max_s=self.max_s + extra,
                                   long=ramp_s > self.ramp_s)


@dataclass(frozen=True)
class Transfer:
    direction: str
    url: str
    result: Throughput
    streams: int
    contacted: tuple[str, ...]
    rtt: float = 0.0
    """The round trip (seconds) the request before the transfer took, which the stop rule was scaled for."""
    started: float = 0.0
    """When the streams started (``time.perf_counter()``)."""
    ramp_s: float = 0.0
    """The ramp-up that was discarded (seconds from the start)."""


def _max_send_buffer() -> int:
    """The most a socket's send buffer may be set to (Linux ``net.core.wmem_max``; 4 MiB where unknown)."""
    try:
        return int(Path("/proc/sys/net/core/wmem_max").read_text())
    except (OSError, ValueError):
        return 4 * 1024 * 1024


MAX_SEND_BUFFER = _max_send_buffer()


def unsent(sock: socket.socket | None) -> int:
    """Bytes written to ``sock`` that the other side has not acknowledged yet (Linux; 0 where unknown)."""
    if sock is None or fcntl is None:
        return 0
    try:
        return struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0"))[0]
    except (OSError, ValueError, AttributeError):
        return 0


TCPI_BYTES_ACKED = 120
"""Where Linux's ``struct tcp_info`` holds ``tcpi_bytes_acked`` (a 64-bit count, since Linux 4.1)."""
TCPI_BYTES_SENT = 200
"""Where it holds ``tcpi_bytes_sent`` and, after it, ``tcpi_bytes_retrans`` (64-bit counts, since Linux 4.19)."""


def _tcp_counts(sock: socket.socket, offset: int, count: int) -> tuple[int, ...] | None:
    """``count`` 64-bit counters at ``offset`` of the kernel's ``struct tcp_info`` for ``sock``, read at once
    (Linux; None where the kernel does not tell them)."""
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
    except (OSError, AttributeError, ValueError):
        return None
    return struct.unpack_from(f"{count}Q", info, offset) if len(info) >= offset + 8 * count else None


def acked(sock: socket.socket) -> int | None:
    """Bytes of ``sock``'s stream the other side has acknowledged, as the kernel counts them (Linux, which counts
    the connection's SYN as one; None where unknown). One counter read at once: bytes written minus bytes unsent,
    read apart, can be caught between a write and its count, and a window that begins there reads high by a whole
    chunk."""
    counts = _tcp_counts(sock, TCPI_BYTES_ACKED, 1)
    return counts[0] if counts else None


def sent_once(sock: socket.socket) -> int | None:
    """Bytes of ``sock``'s stream sent so far, each counted once (retransmissions left out), as the kernel counts
    them: once as many are acknowledged (:func:`acked`), everything sent until now has crossed the line (Linux; None
    where unknown)."""
    counts = _tcp_counts(sock, TCPI_BYTES_SENT, 2)
    return counts[0] - counts[1] if counts else None


def backend_url(server: str, name: str) -> str:
    root = server if server.endswith("/") else server + "/"
    return urljoin(root, f"backend/{name}")


CLOUDFLARE = "https://speed.cloudflare.com/"
CLOUDFLARE_DOWN_BYTES = 100_000_000
"""A download request's size; more requests follow on each stream until the transfer stops."""
PROBE_BYTES = 64


@dataclass(frozen=True)
class Backend:
    """A speed-test server and its protocol (``librespeed`` or ``cloudflare``)."""

    protocol: str
    root: str

    def __post_init__(self) -> None:
        if self.protocol not in ("librespeed", "cloudflare"):
            raise ValueError(f"unknown speed-test protocol {self.protocol!r}")

    def url(self, name: str) -> str:
        root = self.root if self.root.endswith("/") else self.root + "/"
        return urljoin(root, name)

    @property
    def download_url(self) -> str:
        if self.protocol == "librespeed":
            return backend_url(self.root, "garbage.php?ckSize=100")
        return self.url(f"__down?bytes={CLOUDFLARE_DOWN_BYTES}")

    @property
    def upload_url(self) -> str:
        return backend_url(self.root, "empty.php") if self.protocol == "librespeed" else self.url("__up")

    @property
    def probe_url(self) -> str:
        """A small request that tells whether the server answers as it should (connectivity, before a transfer)."""
        if self.protocol == "librespeed":
            return backend_url(self.root, "getIP.php")
        return self.url(f"__down?bytes={PROBE_BYTES}")

    def expected(self, body: bytes) -> bool:
        """Whether ``body`` is what :attr:`probe_url` should answer."""
        if self.protocol == "librespeed":  # the address, as text or LibreSpeed's JSON; not a page
            return bool(body.strip()) and not looks_like_page(None, body)
        return len(body) == PROBE_BYTES

    @property
    def proxied(self) -> bool:
        """Reached through the environment's proxy (a public service), or straight (the configured server)."""
        return self.protocol == "cloudflare"


def _with_query(path: str, extra: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}{extra}"


def _connection(url: str, timeout: float, proxy: str = "") -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if proxy and parts.scheme == "https":  # a CONNECT tunnel through the proxy, TLS to the server inside it
        via = urlsplit(proxy)
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            via.hostname or "", via.port or 80, timeout=timeout, context=ssl.create_default_context())
        conn.set_tunnel(parts.hostname or "", port)
        return conn, path
    if proxy:  # a plain-HTTP proxy takes the whole URL
        via = urlsplit(proxy)
        return http.client.HTTPConnection(via.hostname or "", via.port or 80, timeout=timeout), url
    if parts.scheme == "https":
        return http.client.HTTPSConnection(parts.hostname or "", port, timeout=timeout,
                                           context=ssl.create_default_context()), path
    return http.client.HTTPConnection(parts.hostname or "", port, timeout=timeout), path


def _check_answer(response: http.client.HTTPResponse, host: str, head: bytes = b"") -> None:
    problem = judge_answer(response.status, host, response.getheader("Location"),
                           response.getheader("Content-Type"), head)
    if problem is not None:
        raise problem


class _Engine:
    """Runs stream threads that add to one byte counter until told to stop."""

    def __init__(self, budget: Budget, streams: int, proxy: str = "") -> None:
        self.budget = budget
        self.proxy = proxy
        self.streams = streams
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.total = 0
        self.errors: list[ProbeError] = []
        self.connections: list[http.client.HTTPConnection] = []
        self.threads: list[threading.Thread] = []
        self.sending: set[socket.socket] = set()
        self.acked_done = 0
        """Acknowledged bytes of the upload sockets that have ended."""
        self.acked_seen: dict[socket.socket, int] = {}
        """Each upload socket's acknowledged bytes when last read (a socket closed under its response cannot tell)."""
        self.by_ack: bool | None = None
        """Whether the kernel counts acknowledged bytes (decided by the first upload socket; None before one)."""
        self.op_timeout = 3.0
        self.wanted = streams
        self.send_buffer = SEND_BUFFER
        self.current: dict[int, socket.socket] = {}
        """Each stream's open connection's socket."""
        self.behind: dict[socket.socket, int] = {}
        """After :meth:`reduce`, each upload socket kept: the bytes it had sent by then (see :meth:`crossed`)."""

    def moved(self) -> int:
        """Bytes moved so far: downloaded, or uploaded and acknowledged."""
        with self.lock:
            if self.by_ack:  # an upload: the kernel's count of acknowledged bytes
                return self.acked_done + sum(self.acked_now(sock) for sock in self.sending)
            return self.total - sum(unsent(sock) for sock in self.sending)

    def acked_now(self, sock: socket.socket) -> int:
        """``sock``'s acknowledged bytes, or the count last read when it can no longer tell (called with the lock)."""
        count = acked(sock)
        if count is not None:
            self.acked_seen[sock] = count
        return self.acked_seen.get(sock, 0)

    def sends(self, sock: socket.socket) -> None:
        """``sock`` starts an upload: counted from now on (called with the lock)."""
        if self.by_ack is None:
            self.by_ack = acked(sock) is not None
        self.sending.add(sock)

    def sent(self, sock: socket.socket) -> None:
        """``sock``'s upload has ended: what it moved is kept, what never reached the server does not count (called
        with the lock)."""
        if sock in self.sending:
            self.total -= unsent(sock)
            self.acked_done += self.acked_now(sock)
            self.acked_seen.pop(sock, None)
            self.sending.discard(sock)

    def sends_on(self, index: int | None, sock: socket.socket) -> None:
        """Stream ``index``'s upload runs on ``sock`` (its own connection, or the one an HTTP library opened for
        it): the send buffer as large as the engine's, its acknowledged bytes counted, shut down when the stream
        is no longer wanted."""
        with self.lock:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.send_buffer)
            self.sends(sock)
            if index is not None:
                self.current[index] = sock

    def add(self, n: int) -> None:
        with self.lock:
            self.total += n

    def open(self, url: str) -> tuple[http.client.HTTPConnection, str]:
        conn, path = _connection(url, self.budget.timeout(self.op_timeout), self.proxy)
        conn.connect()
        with self.lock:
            self.connections.append(conn)
            index = stream_index()
            if index is not None and conn.sock is not None:
                self.current[index] = conn.sock
        return conn, path

    def reduce(self, wanted: int) -> None:
        """Keep only the first ``wanted`` streams running (the others' connections are shut down)."""
        with self.lock:
            self.wanted = wanted
            ending = [sock for i, sock in self.current.items() if i >= wanted]
            if self.by_ack and ending:
                kept = (sock for i, sock in self.current.items() if i < wanted and sock in self.sending)
                self.behind = {sock: sent for sock in kept if (sent := sent_once(sock)) is not None}
        for sock in ending:
            _end(sock, reset=True)

    def crossed(self) -> bool:
        """Whether what the streams ended by :meth:`reduce` had sent has crossed the line (an upload; a download's,
        and an upload where the kernel cannot tell, are taken as crossed). A reset drops what a socket has not sent,
        but what it had sent is queued at the line's bottleneck (a slow line's router holds a second's worth) and
        takes its time there, uncounted, from the streams kept; they queued their bytes in the same line, so once
        the kept ones have had everything they had sent by then acknowledged, the ended ones' bytes are through
        too."""
        with self.lock:
            self.behind = {sock: sent for sock, sent in self.behind.items()
                           if sock in self.sending and self.acked_now(sock) < sent}
            return not self.behind

    def buffer_bound(self, rate: float, rtt: float) -> bool:
        """Whether an upload at ``rate`` bytes/s is near what its send buffers allow over ``rtt`` s (the kernel
        doubles what is asked) with the streams running, and they can still grow."""
        with self.lock:
            if self.send_buffer >= MAX_SEND_BUFFER:
                return False
            allowed = 2 * self.send_buffer * min(self.wanted, self.streams) / max(rtt, 1e-3)
        return rate >= 0.5 * allowed  # in practice a buffer allows about 0.8 of that (its overhead)

    def grow(self) -> None:
        """Double the upload sockets' send buffer, for those sending and those to come."""
        with self.lock:
            self.send_buffer *= 2
            for sock in self.sending:
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.send_buffer)

    def run_streams(self, work: Callable[[], None]) -> None:
        def target(index: int) -> None:
            while not self.stop.is_set() and index < self.wanted:
                try:
                    work()
                except ProbeError as error:
                    if index >= self.wanted:
                        return
                    self.errors.append(error)
                    if error.kind in ("http_status", "captive", "dns", "refused", "unreachable", "bad_answer"):
                        return
                except (OSError, http.client.HTTPException, ValueError, AttributeError) as error:
                    if self.stop.is_set() or index >= self.wanted:  # shut down under a read: the end, not a failure
                        return
                    failure = classify(error)
                    self.errors.append(failure)
                    if failure.kind in ("dns", "no_such_name", "refused", "unreachable", "bad_address", "tls",
                                        "bad_answer"):
                        return
                    self.stop.wait(0.05)

        for i in range(self.streams):
            thread = threading.Thread(target=target, args=(i,), name=f"stream {i}", daemon=True)
            thread.stream_index = i  # type: ignore[attr-defined]
            self.threads.append(thread)
            thread.start()

    def alive(self) -> bool:
        return any(t.is_alive() for t in self.threads)

    def close(self) -> None:
        self.stop.set()
        with self.lock:
            sockets = [conn.sock for conn in self.connections] + list(self.current.values())
            upload = self.by_ack is not None
        for sock in sockets:  # wakes the stream blocked on it; the stream closes its own connection
            _end(sock, reset=upload)  # an upload's unsent bytes would go on filling the line after it
        for thread in self.threads:
            thread.join(0.5)


def stream_index() -> int | None:
    """The running stream's number (:meth:`_Engine.run_streams`), None outside a stream."""
    return getattr(threading.current_thread(), "stream_index", None)


def _end(sock: socket.socket | None, reset: bool) -> None:
    """Shut ``sock`` down; with ``reset`` it closes with a reset: what it still holds is dropped, not sent (an
    upload's send buffer, up to megabytes, would take seconds to drain on a slow line, and the delay measured after
    it would be its)."""
    if sock is None:
        return
    with contextlib.suppress(OSError):
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)


def _download_work(engine: _Engine, url: str, host: str) -> Callable[[], None]:
    def work() -> None:
        conn, path = engine.open(url)
        try:
            conn.request("GET", _with_query(path, f"r={os.urandom(4).hex()}"),
                         headers={"Accept-Encoding": "identity", "Cache-Control": "no-cache"})
            with contextlib.closing(conn.getresponse()) as response:
                first = True
                while not engine.stop.is_set():
                    data = response.read1(CHUNK)
                    if first:
                        _check_answer(response, host, data)
                        first = False
                    if not data:
                        return
                    engine.add(len(data))
        finally:
            conn.close()
    return work


def _upload_work(engine: _Engine, url: str, host: str, payload: bytes) -> Callable[[], None]:
    def work() -> None:
        conn, path = engine.open(url)
        try:
            sock = conn.sock
            assert sock is not None
            engine.sends_on(stream_index(), sock)
            conn.putrequest("POST", _with_query(path, f"r={os.urandom(4).hex()}"), skip_accept_encoding=True)
            conn.putheader("Content-Type", "application/octet-stream")
            conn.putheader("Content-Length", str(UPLOAD_REQUEST_BYTES))
            conn.endheaders()
            sent = 0
            view = memoryview(payload)
            while sent < UPLOAD_REQUEST_BYTES and not engine.stop.is_set():
                offset = sent % (len(payload) - CHUNK)
                n = sock.send(view[offset:offset + min(CHUNK, UPLOAD_REQUEST_BYTES - sent)])
                sent += n
                engine.add(n)
            if not engine.stop.is_set():  # an empty answer is success, whatever its Content-Type
                with contextlib.closing(conn.getresponse()) as response:
                    with engine.lock:  # the server has read it all: all is acknowledged, and it may close the socket
                        engine.acked_now(sock)
                    _check_answer(response, host, response.read(64 * 1024))
        finally:
            with engine.lock:
                engine.sent(sock)
            conn.close()
    return work


def preflight(url: str, budget: Budget, method: str = "GET", body: bytes | None = None, proxy: str = "") -> bytes:
    """One small request; its body. Raises :class:`ProbeError` for errors, HTTP errors and captive portals."""
    try:
        conn, path = _connection(url, budget.timeout(3.0), proxy)
        try:
            headers = {"Cache-Control": "no-cache"}
            if body is not None:
                headers["Content-Type"] = "application/octet-stream"
            conn.request(method, path, body=body, headers=headers)
            with contextlib.closing(conn.getresponse()) as response:  # it may own the socket (Connection: close)
                data = response.read(64 * 1024)
                _check_answer(response, urlsplit(url).hostname or "", data)
            return data
        finally:
            conn.close()
    except (OSError, http.client.HTTPException) as error:
        budget.check()
        failure = classify(error, urlsplit(proxy or url).hostname or "")
        if proxy and failure.kind in ("refused", "timeout", "unreachable"):
            raise ProbeError("proxy", proxy=proxy) from None
        raise failure from None


def round_trip(url: str, budget: Budget) -> float:
    """The round trip to ``url``'s host in seconds, from a TCP connect (0 when it fails: the transfer tells why)."""
    parts = urlsplit(url)
    try:
        sock, took = tcp_connect(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80),
                                 budget, cap=3.0)
    except ProbeError:
        return 0.0
    sock.close()
    return took


def proxy_for(backend: Backend) -> str:
    """The environment's proxy for ``backend`` ("" when it is reached straight)."""
    return environment_proxy(backend.download_url) if backend.proxied else ""


def _backend(server: str | Backend) -> Backend:
    return server if isinstance(server, Backend) else Backend("librespeed", server)


def _url(direction: str, backend: Backend) -> str:
    if direction not in ("download", "upload"):
        raise ValueError(f"direction must be download or upload, not {direction!r}")
    return backend.download_url if direction == "download" else backend.upload_url


def ready(direction: str, server: str | Backend, budget: Budget, asked: bool = False) -> float:
    """Whether ``server`` answers a small request of ``direction``'s kind as it should (:class:`ProbeError` if not),
    and the round trip to it in seconds, timed beside that request (0 when the connect failed). ``asked``: the
    download's small request (:attr:`Backend.probe_url`) has just been answered, only the round trip is timed.
    Done before a transfer, or earlier while the line is idle (each takes two round trips: 1.6 s at 800 ms)."""
    backend = _backend(server)
    proxy = proxy_for(backend)
    url = _url(direction, backend)
    timed: list[float] = []  # the round trip is timed beside the small request (a round trip less on a long one)
    timing = threading.Thread(target=lambda: timed.append(round_trip(proxy or url, budget)), name="round trip",
                              daemon=True)
    timing.start()
    if direction == "upload":
        preflight(url, budget, "POST", b"0" * 1024, proxy=proxy)
    elif not asked:
        preflight(backend.probe_url, budget, proxy=proxy)
    timing.join(budget.left())
    return timed[0] if timed else 0.0


def measure(direction: str, server: str | Backend, budget: Budget, rule: StopRule,
            on_sample: Callable[[float, float], None] = lambda t, mbps: None, rtt: float | None = None) -> Transfer:
    """Download or upload against ``server`` (a :class:`Backend`, or a LibreSpeed server root), after :func:`ready`
    unless its round trip ``rtt`` is given (it was done earlier); :class:`ProbeError` on failure."""
    backend = _backend(server)
    proxy = proxy_for(backend)
    url = _url(direction, backend)
    if rtt is None:
        rtt = ready(direction, backend, budget)
    rule = rule.for_round_trip(rtt)
    parts = urlsplit(url)
    where = endpoint(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
    if proxy:
        via = urlsplit(proxy)
        where = f"{where} via {endpoint(via.hostname or '', via.port or 80)}"
    engine = _Engine(budget, rule.streams, proxy)
    engine.op_timeout = rule.stall_s + 1.0  # a stall is told by the loop below; the streams just wait
    payload = os.urandom(1024 * 1024) if direction == "upload" else b""
    host = parts.hostname or ""
    engine.run_streams(_download_work(engine, url, host) if direction == "download"
                       else _upload_work(engine, url, host, payload))
    return followed(direction, url, engine, budget, rule, (where,), rtt, on_sample)


def followed(direction: str, url: str, engine: Any, budget: Budget, rule: StopRule, contacted: tuple[str, ...],
             rtt: float, on_sample: Callable[[float, float], None] = lambda t, mbps: None) -> Transfer:
    """The transfer of the running ``engine`` (every backend's streams, whatever their protocol), sampled by
    :func:`follow` with the stop rule scaled for the round trip ``rtt``."""
    result, started, ramp_s = follow(engine, budget, rule, on_sample, direction=direction, rtt=rtt)
    return Transfer(direction, url, result, rule.streams, contacted, rtt, started, ramp_s)


def follow(engine: Any, budget: Budget, rule: StopRule,
           on_sample: Callable[[float, float], None] = lambda t, mbps: None, *, direction: str = "download",
           rtt: float = 0.0) -> tuple[Throughput, float, float]:
    """Sample the running ``engine``'s bytes until the rate is steady, the time is up or it fails (every backend's
    streams, whatever their protocol); the engine is closed when this returns. Returns the throughput, when the
    streams started (``time.perf_counter()``) and the ramp-up discarded (seconds; an upload whose socket buffers
    held it back ramps up longer). :class:`ProbeError` on failure."""
    samples: list[Sample] = [(0.0, 0)]
    start = time.perf_counter()
    last_moved = start
    next_look = 0.0
    stable = False
    matched = sized = straight = False
    crossed = True  # what the streams ended by the reduce had sent has crossed the line
    reduced_at = 0.0
    full = not rule.long  # a long round trip's line is full once the rate stops growing
    first: float | None = None
    try:
        while True:
            budget.cancel.wait(0.05)
            now = time.perf_counter()
            total = max(samples[-1][1], engine.moved())
            if total > samples[-1][1]:
                last_moved = now
            samples.append((now - start, total))
            recent = window_rates(samples[-12:], 0.0, 0.5)
            if recent:
                on_sample(now - start, recent[-1])
            if budget.cancel.is_set():
                raise ProbeError("cancelled")
            if not engine.alive():
                raise engine.errors[0] if engine.errors else ProbeError("failed", error="the server closed")
            if now - last_moved > rule.stall_s:
                raise ProbeError("stalled", seconds=round(now - last_moved, 1), moved=total)
            elapsed = now - start
            span = max(0.25, rtt)  # the rate over the last round trip, once a round trip
            if direction == "upload" and isinstance(engine, _Engine) and elapsed >= next_look:
                next_look = elapsed + span
                then = sample_at(samples, elapsed - span)
                if engine.buffer_bound((total - then[1]) / max(elapsed - then[0], 1e-3), rtt):
                    engine.grow()  # the rate was the buffer's: the ramp-up goes on for two more round trips
                    longer = max(0.0, elapsed + 2 * span - rule.ramp_s)
                    rule = dataclasses.replace(rule, ramp_s=rule.ramp_s + longer, max_s=rule.max_s + longer)
            if not full and total > 0:
                first = first if first is not None else elapsed  # the first byte: slow start's rounds begin
                plateau = filled(samples, first, rtt, rule.growth, rule.full_rounds)
                if plateau is not None:  # the ramp-up ends where the rounds that no longer grew began
                    full = True
                    longer = max(0.0, plateau - rule.ramp_s)
                    rule = dataclasses.replace(rule, ramp_s=rule.ramp_s + longer, max_s=rule.max_s + longer,
                                               windows=rule.full_rounds)
            if not matched and elapsed >= rule.ramp_s / 2 and not rule.long:  # as many streams as the rate needs
                matched = True
                engine.reduce(rule.streams_for(total * 8 / 1e6 / elapsed))
                crossed, reduced_at = False, elapsed
            if not crossed:  # the ramp-up lasts until the ended streams' bytes have left the line to the kept ones
                crossed = engine.crossed() or elapsed - reduced_at >= rule.drain_max_s
                if crossed and elapsed > rule.ramp_s:
                    rule = dataclasses.replace(rule, ramp_s=elapsed, max_s=rule.max_s + elapsed - rule.ramp_s)
            if not sized and full and crossed and elapsed >= rule.ramp_s:
                # the windows sized for the rate the ramp-up reached (a long round trip's: the full rounds', its
                # connection took two without a byte)
                sized = True
                since = sample_at(samples, rule.ramp_s) if rule.long else (0.0, 0)
                rule = rule.for_rate((total - since[1]) * 8 / 1e6 / max(elapsed - since[0], 1e-3))
            if full and crossed and elapsed >= rule.ramp_s + rule.min_s and is_stable(
                    samples, rule.ramp_s, rule.window_s, rule.windows, rule.tolerance):
                stable = True
                break
            if not rule.long and crossed and elapsed >= rule.ramp_s + rule.min_s and (
                    straying(samples, rule.ramp_s) or 1.0) <= rule.straying:  # a long one's windows are in round trips
                stable = straight = True
                break
            if elapsed >= rule.max_s or budget.done:
                break
    finally:
        engine.close()
    if samples[-1][0] <= rule.ramp_s + rule.window_s:
        raise ProbeError("timeout")
    # steady: the figure is the steady stretch's (the stop rule's windows), else (straight, or the time was up)
    # all after the ramp-up
    measured_from = steady_from(samples, rule.ramp_s, rule.window_s, rule.windows) if stable and not straight \
        else rule.ramp_s
    return summarize_throughput(samples, measured_from, stable), start, rule.ramp_s
