"""The speed as the network interfaces see it, for the plot of a transfer whose backend tells its speed only at the
end (speedtest-cli).

The operating system's byte counters of every interface but loopback are read every ``interval`` seconds while the
transfer runs (psutil: Linux, macOS, Windows); the rate over the last ``window`` seconds is one sample. The counters
include packet headers and whatever else the computer sends or receives at the time, so the plot shows how the
transfer went, and the check's value stays the backend's own measurement. Nothing is sent: this only reads counters.
"""

from __future__ import annotations

import threading
import time
from collections import deque

import psutil


def _is_loopback(name: str) -> bool:
    return name == "lo" or name.startswith("lo0") or "loopback" in name.lower()


def interface_bytes(direction: str) -> int | None:
    """Bytes received (``download``) or sent (``upload``) so far by all interfaces but loopback; None if unknown."""
    try:
        counters = psutil.net_io_counters(pernic=True)
    except (OSError, RuntimeError):
        return None
    if not counters:
        return None
    return sum(c.bytes_recv if direction == "download" else c.bytes_sent
               for name, c in counters.items() if not _is_loopback(name))


class RateSampler:
    """Samples the interfaces' rate in one direction on a thread of its own, from :meth:`start` to :meth:`stop`.

    ``samples`` are (seconds since start, Mbit/s), a sample every ``interval`` once ``window`` seconds are counted.
    """

    def __init__(self, direction: str, interval: float = 0.1, window: float = 0.5) -> None:
        self.direction, self.interval, self.window = direction, interval, window
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"{direction} rate", daemon=True)

    def start(self) -> RateSampler:
        self._thread.start()
        return self

    def stop(self) -> list[tuple[float, float]]:
        self._stop.set()
        self._thread.join(1.0)
        return list(self.samples)

    def _run(self) -> None:
        start = time.monotonic()
        first = interface_bytes(self.direction)
        if first is None:
            return
        recent: deque[tuple[float, int]] = deque([(0.0, first)])
        while not self._stop.wait(self.interval):
            now, moved = time.monotonic() - start, interface_bytes(self.direction)
            if moved is None:
                return
            recent.append((now, moved))
            while len(recent) > 2 and now - recent[1][0] >= self.window:
                recent.popleft()
            then, before = recent[0]
            if now - then >= self.window * 0.99:
                self.samples.append((round(now, 3), max(0, moved - before) * 8 / (now - then) / 1e6))
