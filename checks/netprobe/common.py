"""What every probe shares: a time budget that honours cancel, and failures named by kind."""

from __future__ import annotations

import errno
import http.client
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from checks.text.untrusted import clean, clean_error

T = TypeVar("T")


@dataclass(frozen=True)
class Budget:
    """A deadline (``time.monotonic()``) and a cancel event; every blocking call asks it how long it may wait."""

    deadline: float
    cancel: threading.Event

    def left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    @property
    def done(self) -> bool:
        return self.cancel.is_set() or time.monotonic() >= self.deadline

    def timeout(self, cap: float) -> float:
        """A socket timeout: at most ``cap``, never past the deadline (and never zero, which means non-blocking)."""
        return max(0.05, min(cap, self.left()))

    def within(self, seconds: float) -> Budget:
        """A shorter budget inside this one."""
        return Budget(min(self.deadline, time.monotonic() + seconds), self.cancel)

    def check(self) -> None:
        """Raise :class:`ProbeError` ``cancelled`` or ``timeout`` when the budget is spent."""
        if self.cancel.is_set():
            raise ProbeError("cancelled")
        if time.monotonic() >= self.deadline:
            raise ProbeError("timeout")


class ProbeError(Exception):
    """A probe failed; ``kind`` names how (a wording key), ``fields`` fill the sentence."""

    KINDS = ("dns", "no_such_name", "refused", "unreachable", "bad_address", "timeout", "tls", "http_status",
             "captive", "stalled", "bad_answer", "cancelled", "proxy", "failed", "no_config", "bad_config")

    def __init__(self, kind: str, **fields: Any) -> None:
        if kind not in self.KINDS:
            raise ValueError(f"unknown probe failure {kind!r}")
        self.kind = kind
        self.fields = {k: clean(v) if isinstance(v, str) else v for k, v in fields.items()}  # a server's words
        super().__init__(kind + (f" {self.fields}" if fields else ""))


NO_SUCH_NAME = {getattr(socket, name) for name in ("EAI_NONAME", "EAI_NODATA") if hasattr(socket, name)}
"""What ``getaddrinfo`` says when the resolver answered that the name does not exist (NXDOMAIN, or no address
for it): a mistyped server, not the network; a resolver that does not answer says ``EAI_AGAIN`` instead."""


def classify(error: BaseException, host: str = "") -> ProbeError:
    """A socket-level exception as a :class:`ProbeError` (``host``: the name that was being reached, if known).
    The exception's text (which may quote a server's answer) is only ever a cleaned ``error`` field."""
    if isinstance(error, ProbeError):
        return error
    if isinstance(error, socket.gaierror):
        if error.errno in NO_SUCH_NAME:
            return ProbeError("no_such_name", host=host, error=clean_error(error))
        return ProbeError("dns", error=clean_error(error))
    if isinstance(error, ConnectionRefusedError):
        return ProbeError("refused")
    if isinstance(error, (TimeoutError, socket.timeout)):
        return ProbeError("timeout")
    if isinstance(error, ssl.SSLError):
        return ProbeError("tls", error=clean_error(error))
    if isinstance(error, http.client.HTTPException):  # not HTTP at all (BadStatusLine, a header line too long, …)
        return ProbeError("bad_answer", error=clean_error(error))
    if isinstance(error, OSError) and error.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL):
        return ProbeError("unreachable")
    if isinstance(error, OSError) and error.errno == errno.EINVAL:  # an address no socket here can reach, such as
        return ProbeError("bad_address", error=clean_error(error))  # a link-local one without its interface
    return ProbeError("failed", error=clean_error(error))


def bounded(call: Callable[[], T], budget: Budget, name: str) -> T:
    """``call()`` run in a thread and waited for only while the budget lasts (a blocking call that neither cancel
    nor the deadline can interrupt): its value, or the exception it raised; :class:`ProbeError` ``cancelled`` or
    ``timeout`` when the budget ends first."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = call()
        except BaseException as error:
            box["error"] = error

    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    while thread.is_alive() and not budget.done:
        thread.join(0.05)
    if "error" in box:
        raise box["error"]
    if "value" in box:
        return box["value"]
    budget.check()
    raise ProbeError("timeout")  # pragma: no cover - the loop ends only on the budget or a result


def resolve(host: str, port: int, budget: Budget, kind: int = socket.SOCK_STREAM) -> list[tuple[Any, ...]]:
    """``getaddrinfo`` bounded by the budget (the resolver itself has no timeout, so it runs in a thread)."""
    try:
        return bounded(lambda: socket.getaddrinfo(host, port, type=kind), budget, f"resolve {host}")
    except ProbeError:
        raise
    except BaseException as error:
        raise classify(error, host) from None


def tcp_connect(host: str, port: int, budget: Budget, cap: float = 3.0) -> tuple[socket.socket, float]:
    """A connected TCP socket and the connect time in seconds; :class:`ProbeError` on failure."""
    infos = resolve(host, port, budget)
    last: BaseException | None = None
    for family, kind, proto, _, address in infos:
        budget.check()
        sock = socket.socket(family, kind, proto)
        sock.settimeout(budget.timeout(cap))
        started = time.perf_counter()
        try:
            sock.connect(address)
            return sock, time.perf_counter() - started
        except OSError as error:
            sock.close()
            last = error
    raise classify(last) if last else ProbeError("dns", error="no address")


REDIRECTS = (301, 302, 303, 307, 308)


def looks_like_page(content_type: str | None, head: bytes) -> bool:
    """An HTML page with content (a login form, an error page), where data was expected.

    An empty body is never a page, whatever its ``Content-Type``: PHP answers an upload to LibreSpeed's
    ``empty.php`` with nothing and its default ``text/html``; nginx and the Go backend answer with nothing too.
    """
    start = head[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not start:
        return False
    if start.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return True
    return "html" in (content_type or "").lower() and start.startswith(b"<")


def judge_answer(status: int, host: str, location: str | None, content_type: str | None,
                 head: bytes) -> ProbeError | None:
    """What is wrong with an HTTP answer to a speed-test request (None: nothing).

    A redirect to another host, or an HTML page with content, is a captive portal; a redirect to the same host
    (a loop, or http to https) and any other status but 200 are the server's error.
    """
    if status in REDIRECTS:
        target = urlsplit(location or "")
        if target.hostname and target.hostname.lower() != host.lower():
            return ProbeError("captive", location=location or "")
        return ProbeError("http_status", status=status)
    if status != 200:
        return ProbeError("http_status", status=status)
    if looks_like_page(content_type, head):
        return ProbeError("captive", location="")
    return None


def endpoint(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
