"""Foreign probes (draft-ietf-ippm-responsiveness): while a transfer loads the line, a new connection to the same
server, timed step by step: the TCP handshake, the TLS handshake (https only) and a small GET on it, to its first
byte. The queue the transfer fills delays each step as it would delay a call's packets."""

from __future__ import annotations

import contextlib
import os
import ssl
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from checks.netprobe.common import Budget, ProbeError, tcp_connect


def foreign_probe(url: str, budget: Budget, cap: float = 3.0) -> dict[str, float]:
    """One probe: {"tcp": s, "tls": s (https only), "http": s}; :class:`ProbeError` when a step fails."""
    parts = urlsplit(url)
    https = parts.scheme == "https"
    host = parts.hostname or ""
    sock, tcp_s = tcp_connect(host, parts.port or (443 if https else 80), budget, cap=cap)
    timings = {"tcp": tcp_s}
    try:
        if https:
            started = time.perf_counter()
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
            timings["tls"] = time.perf_counter() - started
        path = (parts.path or "/") + "?" + "&".join(filter(None, (parts.query, f"r={os.urandom(4).hex()}")))
        request = (f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nCache-Control: no-cache\r\n"
                   "Connection: close\r\n\r\n").encode()
        started = time.perf_counter()
        sock.sendall(request)
        if not sock.recv(1):
            raise ProbeError("failed", error="the server closed")
        timings["http"] = time.perf_counter() - started
        return timings
    except OSError as error:
        raise ProbeError("failed", error=type(error).__name__) from None
    finally:
        with contextlib.suppress(OSError):
            sock.close()


def foreign_probes(url: str, budget: Budget, stop: threading.Event, spacing: float,
                   on_probe: Callable[[float, dict[str, float]], None]) -> None:
    """Foreign probes started every ``spacing`` s until ``stop``, each on its own thread, as the draft sends them: a
    probe does not wait for the one before, so a deep queue (each probe taking a second) still gives as many in a
    short transfer. Each answered one is given to ``on_probe`` with when it was started (``time.perf_counter()``); a
    failed one is left out (the transfer's own errors tell what is wrong with the server)."""

    def one(started: float) -> None:
        with contextlib.suppress(ProbeError):
            on_probe(started, foreign_probe(url, budget))

    while not stop.is_set() and not budget.done:
        started = time.monotonic()
        threading.Thread(target=one, args=(time.perf_counter(),), name="foreign probe", daemon=True).start()
        stop.wait(max(0.0, spacing - (time.monotonic() - started)))
