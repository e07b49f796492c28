"""A stream of STUN binding requests (RFC 5389) like a voice call's packets, and a TCP fallback.

The codec is the binding request and the parts of its answer we read (the message header and the
XOR-MAPPED-ADDRESS / MAPPED-ADDRESS attributes): a few dozen lines, tested against a real server (coturn).
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import struct
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from checks.netprobe.common import Budget, ProbeError, classify, endpoint, resolve, tcp_connect

MAGIC_COOKIE = 0x2112A442
BINDING_REQUEST = 0x0001
BINDING_SUCCESS = 0x0101
ATTR_MAPPED_ADDRESS = 0x0001
ATTR_XOR_MAPPED_ADDRESS = 0x0020


def binding_request(transaction_id: bytes) -> bytes:
    """A binding request without attributes (20 bytes)."""
    if len(transaction_id) != 12:
        raise ValueError("a STUN transaction id is 12 bytes")
    return struct.pack("!HHI12s", BINDING_REQUEST, 0, MAGIC_COOKIE, transaction_id)


@dataclass(frozen=True)
class BindingResponse:
    transaction_id: bytes
    mapped: str | None
    """The public address the server saw (``host:port``), if it said."""


def parse_binding_response(data: bytes) -> BindingResponse | None:
    """The binding success response in ``data``, or None when it is not one."""
    if len(data) < 20:
        return None
    kind, length, cookie, transaction_id = struct.unpack("!HHI12s", data[:20])
    if kind != BINDING_SUCCESS or cookie != MAGIC_COOKIE or len(data) < 20 + length:
        return None
    mapped = None
    body = data[20:20 + length]
    while len(body) >= 4:
        attr, size = struct.unpack("!HH", body[:4])
        value = body[4:4 + size]
        if attr in (ATTR_XOR_MAPPED_ADDRESS, ATTR_MAPPED_ADDRESS) and len(value) >= 8:
            family, port = struct.unpack("!xBH", value[:4])
            raw = value[4:8] if family == 1 else value[4:20]
            if attr == ATTR_XOR_MAPPED_ADDRESS:
                port ^= MAGIC_COOKIE >> 16
                mask = struct.pack("!I", MAGIC_COOKIE) + transaction_id
                raw = bytes(a ^ b for a, b in zip(raw, mask, strict=False))
            host = socket.inet_ntop(socket.AF_INET if family == 1 else socket.AF_INET6, raw)
            mapped = endpoint(host, port)
            if attr == ATTR_XOR_MAPPED_ADDRESS:
                break
        body = body[4 + (size + 3) // 4 * 4:]
    return BindingResponse(transaction_id, mapped)


@dataclass(frozen=True)
class ProbeRun:
    """A probe stream's outcome: one round trip (seconds) or None (lost) per probe, in send order."""

    transport: str
    """``udp`` (STUN), ``tcp`` (connect times: UDP got no answer) or ``none`` (nothing answered)."""
    rtts: tuple[float | None, ...]
    server: str | None
    """The endpoint that answered."""
    contacted: tuple[str, ...]
    """Every endpoint a packet or connection was sent to."""
    mapped: str | None = None
    udp_error: str = ""
    """Why UDP was given up (empty when UDP answered)."""
    not_stun: tuple[str, ...] = ()
    """The servers that answered over UDP with something that is not a STUN answer to our requests (garbage, or
    another transaction's id): they are broken or not STUN servers, and UDP itself got through."""


def _open_udp(host: str, port: int, budget: Budget) -> socket.socket:
    family, kind, proto, _, address = resolve(host, port, budget, socket.SOCK_DGRAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setblocking(False)
    try:
        sock.connect(address)  # only this server's answers are received
    except OSError as error:
        sock.close()
        raise classify(error) from None
    return sock


def _receive(sock: socket.socket, wait: float, pending: dict[bytes, float], rtts: dict[bytes, float],
             strays: list[int] | None = None) -> str | None:
    """Read answers for up to ``wait`` seconds; record round trips. Returns the mapped address seen, if any.
    Datagrams that answer none of our requests are counted in ``strays[0]``, when given."""
    mapped = None
    end = time.perf_counter() + max(0.0, wait)
    while True:
        left = end - time.perf_counter()
        readable, _, _ = select.select([sock], [], [], max(0.0, left))
        if not readable:
            return mapped
        try:
            data = sock.recv(2048)
        except OSError:  # ICMP unreachable reported on a connected UDP socket
            continue
        arrived = time.perf_counter()
        answer = parse_binding_response(data)
        if answer and answer.transaction_id in pending and answer.transaction_id not in rtts:
            rtts[answer.transaction_id] = arrived - pending[answer.transaction_id]
            mapped = answer.mapped or mapped
        elif strays is not None and (answer is None or answer.transaction_id not in pending):
            strays[0] += 1
        if left <= 0:
            return mapped


def _settle(sock: socket.socket, budget: Budget, pending: dict[bytes, float], rtts: dict[bytes, float],
            answer_wait: float, late_rtts: float) -> str | None:
    """After the last request, wait for the answers still due: until every probe is answered, or the last one has
    waited ``answer_wait`` s or ``late_rtts`` times the slowest round trip answered, whichever is longer. So a probe
    counts as lost only when its answer cannot come any more: on a satellite's 600 ms the answers to the last
    requests are still on their way when a fixed half second has passed. Returns the mapped address seen, if any."""
    mapped = None
    last = max(pending.values(), default=time.perf_counter())
    while len(rtts) < len(pending) and not budget.cancel.is_set():
        due = last + max(answer_wait, late_rtts * max(rtts.values(), default=0.0))
        wait = min(due - time.perf_counter(), budget.left())
        if wait <= 0:
            break
        mapped = _receive(sock, min(wait, 0.05), pending, rtts) or mapped
    return mapped


def udp_stream(host: str, port: int, budget: Budget, interval: float, duration: float, answer_wait: float,
               progress: Callable[[float], None] = lambda f: None, *, late_rtts: float = 2.0,
               stop: threading.Event | None = None,
               sent: Callable[[], None] = lambda: None) -> tuple[list[float | None], str | None]:
    """Binding requests every ``interval`` s for ``duration`` s (or until ``stop`` is set); ``sent`` is called once
    the last has gone; then the answers still due (:func:`_settle`)."""
    sock = _open_udp(host, port, budget)
    try:
        pending: dict[bytes, float] = {}
        order: list[bytes] = []
        rtts: dict[bytes, float] = {}
        mapped = None
        start = time.perf_counter()
        count = max(1, round(duration / interval))
        for i in range(count):
            if budget.done or (stop is not None and stop.is_set()):
                break
            transaction_id = os.urandom(12)
            pending[transaction_id] = time.perf_counter()
            order.append(transaction_id)
            with contextlib.suppress(OSError):  # no route or ICMP refusal: the probe is lost
                sock.send(binding_request(transaction_id))
            mapped = _receive(sock, start + (i + 1) * interval - time.perf_counter(), pending, rtts) or mapped
            progress((i + 1) / count)
        sent()
        mapped = _settle(sock, budget, pending, rtts, answer_wait, late_rtts) or mapped
        return [rtts.get(t) for t in order], mapped
    finally:
        sock.close()


Opened = tuple[tuple[str, int], socket.socket, dict[bytes, float], dict[bytes, float], list[int]]
"""A STUN server asked: (host, port), its socket, the requests sent, the round trips answered, and how many
datagrams it sent that answer none of them (``[n]``)."""


def _first_answer(opened: Sequence[Opened], wait: float) -> tuple[str, int] | None:
    """Read answers on every socket for up to ``wait`` s; the first server (in the given order) that has answered."""
    end = time.perf_counter() + max(0.0, wait)
    while True:
        answered = next((server for server, _, _, rtts, _ in opened if rtts), None)
        left = end - time.perf_counter()
        if answered is not None or left <= 0 or not opened:
            return answered
        readable, _, _ = select.select([sock for _, sock, _, _, _ in opened], [], [], left)
        for _, sock, pending, rtts, strays in opened:
            if sock in readable:
                _receive(sock, 0.0, pending, rtts, strays)


def _strays(opened: Sequence[Opened]) -> list[str]:
    """The servers asked that sent something other than an answer to our requests."""
    return [endpoint(*server) for server, _, _, _, strays in opened if strays[0]]


def first_answering(servers: Sequence[tuple[str, int]], budget: Budget, tries: int = 3, spacing: float = 0.25,
                    wait: float = 3.0) -> tuple[tuple[str, int] | None, list[str], str, list[str]]:
    """The first STUN server that answers a binding request, the endpoints tried, the last error, and the servers
    that answered with something else (``not_stun``: not our binding's answer).

    The servers are asked one after another (``tries`` requests ``spacing`` s apart each), and an answer from any
    server asked so far counts whenever it comes: until ``wait`` s after the first request, UDP is not given up. An
    800 ms round trip answers after all three requests have gone, and is still UDP that works."""
    contacted, error = [], "no answer"
    opened: list[Opened] = []
    started = time.perf_counter()
    try:
        for host, port in servers:
            if budget.done:
                break
            contacted.append(endpoint(host, port))
            try:
                sock = _open_udp(host, port, budget)
            except ProbeError as failure:
                error = failure.kind
                continue
            pending: dict[bytes, float] = {}
            opened.append(((host, port), sock, pending, {}, [0]))
            for _ in range(tries):
                if budget.done:
                    break
                transaction_id = os.urandom(12)
                pending[transaction_id] = time.perf_counter()
                try:
                    sock.send(binding_request(transaction_id))
                except OSError as failure:
                    error = classify(failure).kind
                chosen = _first_answer(opened, min(spacing, budget.left()))
                if chosen is not None:
                    return chosen, contacted, "", _strays(opened)
        chosen = _first_answer(opened, min(started + wait - time.perf_counter(), budget.left()))
        if chosen is not None:
            return chosen, contacted, "", _strays(opened)
        not_stun = _strays(opened)
        return None, contacted, "not_stun" if not_stun else error, not_stun
    finally:
        for _, sock, _, _, _ in opened:
            sock.close()


def tcp_connect_times(targets: Sequence[tuple[str, int]], budget: Budget, count: int,
                      spacing: float) -> tuple[list[float | None], str | None, list[str]]:
    """Round trips taken from TCP connect times to the first target that accepts (or refuses: a refusal also
    takes one round trip); None for attempts that time out."""
    contacted: list[str] = []
    for host, port in targets:
        if budget.done:
            break
        contacted.append(endpoint(host, port))
        rtts: list[float | None] = []
        for _ in range(count):
            if budget.done:
                break
            started = time.perf_counter()
            try:
                sock, took = tcp_connect(host, port, budget, cap=3.0)  # a slow link's SYN is answered late
                sock.close()
                rtts.append(took)
            except ProbeError as failure:
                if failure.kind == "refused":
                    rtts.append(time.perf_counter() - started)
                elif failure.kind in ("dns", "unreachable", "cancelled"):
                    break
                else:
                    rtts.append(None)
            budget.cancel.wait(spacing)
        if any(r is not None for r in rtts):
            return rtts, endpoint(host, port), contacted
    return [], None, contacted


def probe(servers: Sequence[tuple[str, int]], tcp_targets: Sequence[tuple[str, int]], budget: Budget, *,
          interval: float = 0.02, duration: float = 4.0, answer_wait: float = 0.5, late_rtts: float = 2.0,
          first_answer_s: float = 3.0, tcp_count: int = 10, tcp_spacing: float = 0.1,
          progress: Callable[[float], None] = lambda f: None,
          sent: Callable[[tuple[str, int]], None] = lambda server: None) -> ProbeRun:
    """STUN over UDP to the first answering server; TCP connect times when no server answers over UDP. ``sent``
    is called with the server once the last request over UDP has gone (its answers are still to come)."""
    chosen, contacted, error, not_stun = first_answering(servers, budget, wait=first_answer_s)
    if chosen is not None:
        rtts, mapped = udp_stream(chosen[0], chosen[1], budget, interval, duration, answer_wait, progress,
                                  late_rtts=late_rtts, sent=lambda: sent(chosen))
        return ProbeRun("udp", tuple(rtts), endpoint(*chosen), tuple(contacted), mapped)
    rtts, server, tcp_contacted = tcp_connect_times(tcp_targets, budget, tcp_count, tcp_spacing)
    all_contacted = tuple(dict.fromkeys([*contacted, *(f"tcp {c}" for c in tcp_contacted)]))
    return ProbeRun("tcp" if server else "none", tuple(rtts), server, all_contacted, None, error or "no answer",
                    tuple(not_stun))


class BindingStream:
    """Binding requests sent one at a time to one server for as long as needed (interview mode's slow stream);
    answers are matched as they come. Times are ``time.perf_counter()`` seconds."""

    def __init__(self, host: str, port: int, budget: Budget) -> None:
        self.server = endpoint(host, port)
        self._sock = _open_udp(host, port, budget)
        self._pending: dict[bytes, float] = {}
        self._rtts: dict[bytes, float] = {}
        self.sent = 0

    def send(self) -> None:
        """Send one request (a failure to send, such as no route, makes it a lost probe)."""
        transaction_id = os.urandom(12)
        self._pending[transaction_id] = time.perf_counter()
        self.sent += 1
        with contextlib.suppress(OSError):
            self._sock.send(binding_request(transaction_id))

    def receive(self, wait: float) -> None:
        """Wait up to ``wait`` seconds for answers."""
        _receive(self._sock, wait, self._pending, self._rtts)

    def finished(self, answer_timeout: float) -> list[tuple[float, float | None]]:
        """The probes settled since the last call, in send order: (sent at, round trip) for each answered one,
        (sent at, None) for each unanswered after ``answer_timeout`` seconds."""
        now = time.perf_counter()
        out: list[tuple[float, float | None]] = []
        for transaction_id, sent in list(self._pending.items()):
            rtt = self._rtts.pop(transaction_id, None)
            if rtt is not None or now - sent >= answer_timeout:
                out.append((sent, rtt))
                del self._pending[transaction_id]
        return out

    def waiting(self) -> list[float]:
        """The send times of the probes still unanswered (and not yet given up)."""
        return [sent for transaction_id, sent in self._pending.items() if transaction_id not in self._rtts]

    def close(self) -> None:
        self._sock.close()
