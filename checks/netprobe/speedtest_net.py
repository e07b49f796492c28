"""Throughput measured by speedtest.net through ``speedtest-cli``, bounded by the budget.

speedtest-cli is used over HTTPS (``secure=True``: speedtest.net refuses plain HTTP with 403). It honours
the ``http_proxy`` / ``https_proxy`` environment like any urllib client. Its own latency figure only picks
the server; latency, jitter and loss come from :mod:`checks.netprobe.stun`.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from checks.engine.deadlines import bounded_call
from checks.netprobe.common import Budget, ProbeError


def import_speedtest() -> Any:
    """The ``speedtest`` module, imported safely in a windowed app.

    Without a console ``sys.stdout`` and ``sys.stderr`` are None, and importing speedtest-cli crashes
    (speedtest-cli issue #562); they stand in as the null device while it is imported.
    """
    if "speedtest" in sys.modules:
        return sys.modules["speedtest"]
    saved = sys.stdout, sys.stderr
    null = None
    try:
        if sys.stdout is None or sys.stderr is None:
            null = open(os.devnull, "w")  # noqa: SIM115 - closed below, after the import
            sys.stdout = sys.stdout or null
            sys.stderr = sys.stderr or null
        import speedtest
        return speedtest
    finally:
        sys.stdout, sys.stderr = saved
        if null is not None:
            null.close()


def _bounded(budget: Budget, stop: threading.Event, work: Callable[[], Any]) -> Any:
    """Run ``work`` in a thread; when the budget ends, set ``stop`` and give it a moment, then give up."""
    outcome = bounded_call(work, name="speedtest", stop_when=lambda: budget.done, on_stop=stop.set, grace_s=0.5)
    if not outcome.ended:
        budget.check()
        raise ProbeError("timeout")
    if outcome.error is not None:
        raise _as_probe_error(outcome.error)
    return outcome.value


def _as_probe_error(error: BaseException) -> ProbeError:
    if isinstance(error, ProbeError):
        return error
    text = f"{type(error).__name__}: {error}"
    status = re.search(r"HTTP Error (\d{3})", text)
    if status:
        return ProbeError("http_status", status=int(status.group(1)))
    if "timed out" in text.lower():
        return ProbeError("timeout")
    if any(t in text for t in ("name resolution", "Name or service not known", "getaddrinfo", "nodename")):
        return ProbeError("dns", error=text)
    if "Tunnel connection failed" in text or "proxy" in text.lower():
        return ProbeError("proxy", error=text)
    return ProbeError("failed", error=text)


@dataclass(frozen=True)
class SpeedtestServer:
    name: str
    sponsor: str
    host: str
    latency_ms: float

    def __str__(self) -> str:
        return f"{self.sponsor} ({self.name}, {self.host})"


class SpeedtestSession:
    """One speedtest.net session: configuration, server list and best server fetched once, then transfers."""

    def __init__(self, budget: Budget, timeout: float = 3.0) -> None:
        speedtest = import_speedtest()
        self._stop = threading.Event()

        def open_session() -> Any:
            client = speedtest.Speedtest(secure=True, timeout=timeout, shutdown_event=self._stop)
            client.get_servers()
            client.get_best_server()
            return client

        self._client = _bounded(budget, self._stop, open_session)
        best = self._client.best
        self.server = SpeedtestServer(str(best.get("name", "")), str(best.get("sponsor", "")),
                                      str(best.get("host", "")), float(best.get("latency", 0.0)))

    def measure(self, direction: str, budget: Budget,
                progress: Callable[[float], None] = lambda f: None) -> tuple[float, int, float]:
        """Mbit/s, bytes and seconds of one direction, as speedtest-cli measures them."""
        client = self._client
        self._stop = threading.Event()
        client._shutdown_event = self._stop  # a fresh stop switch for this transfer
        length = max(1.0, budget.left() - 1.5)
        client.config["length"][direction] = min(client.config["length"][direction], length)

        def callback(i: int, total: int, start: bool = False, end: bool = False) -> None:
            if end and total:
                progress((i + 1) / total)

        started = time.monotonic()
        if direction == "download":
            bits = _bounded(budget, self._stop, lambda: client.download(callback=callback))
            moved = client.results.bytes_received
        else:
            bits = _bounded(budget, self._stop, lambda: client.upload(callback=callback, pre_allocate=False))
            moved = client.results.bytes_sent
        if self._stop.is_set():
            budget.check()
        return bits / 1e6, int(moved), time.monotonic() - started
