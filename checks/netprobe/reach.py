"""Is the internet there: DNS, an HTTP(S) answer of the expected kind (not a captive portal's login page),
and TCP reachability of a meeting platform's endpoints (from ``assets/platforms.toml``)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from checks.netprobe.common import (
    Budget,
    ProbeError,
    classify,
    endpoint,
    judge_answer,
    looks_like_page,
    resolve,
    tcp_connect,
)
from checks.text.resources import load_toml_asset


@dataclass(frozen=True)
class Answer:
    url: str
    proxy: str
    """The environment proxy the request went through ("" for none)."""
    status: int
    seconds: float
    contacted: tuple[str, ...]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> None:
        raise judge_answer(code, urlsplit(req.full_url).hostname or "", newurl, None, b"") or ProbeError(
            "http_status", status=code)


def environment_proxy(url: str) -> str:
    """The proxy the environment sets for ``url`` ("" for none)."""
    parts = urlsplit(url)
    if urllib.request.proxy_bypass(parts.hostname or ""):
        return ""
    return urllib.request.getproxies().get(parts.scheme, "")


def fetch(url: str, budget: Budget, expect: Callable[[bytes], bool]) -> Answer:
    """GET ``url`` as a browser would (through the environment's proxy, if any), without following redirects.

    A redirect to another host, or an HTML page where ``expect`` wanted something else, is a captive portal (a
    login page); :class:`ProbeError` names every other failure (a redirect to the same host is the server's).
    """
    parts = urlsplit(url)
    proxy = environment_proxy(url)
    via = urlsplit(proxy) if proxy else parts
    port = via.port or (443 if via.scheme == "https" else 80)
    contacted = (endpoint(via.hostname or "", port),)
    resolve(via.hostname or "", port, budget)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({parts.scheme: proxy} if proxy else {}),
                                         _NoRedirect())
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            with opener.open(url, timeout=budget.timeout(4.0)) as response:
                box["status"] = response.status
                box["type"] = response.headers.get("Content-Type", "")
                box["body"] = response.read(64 * 1024)
        except BaseException as error:
            box["error"] = error

    started = time.monotonic()
    thread = threading.Thread(target=target, name=f"fetch {url}", daemon=True)
    thread.start()
    while thread.is_alive() and not budget.done:
        thread.join(0.05)
    if thread.is_alive():
        budget.check()
    error = box.get("error")
    if isinstance(error, urllib.error.HTTPError):
        raise ProbeError("http_status", status=error.code)
    if isinstance(error, urllib.error.URLError):
        reason = error.reason if isinstance(error.reason, BaseException) else OSError(str(error.reason))
        failure = classify(reason)
        if proxy and failure.kind in ("refused", "timeout", "unreachable", "failed"):
            raise ProbeError("proxy", proxy=proxy)
        raise failure
    if error is not None:
        failure = classify(error)
        if proxy and failure.kind in ("refused", "timeout", "unreachable", "failed"):
            raise ProbeError("proxy", proxy=proxy)
        raise failure
    body = box["body"]
    if not expect(body):
        raise ProbeError("captive", location="") if looks_like_page(box["type"], body) else ProbeError("bad_answer")
    return Answer(url, proxy, box["status"], time.monotonic() - started, contacted)


@dataclass(frozen=True)
class Platform:
    key: str
    name: str
    down_mbps: float
    up_mbps: float
    bandwidth_source: str
    tcp: tuple[tuple[str, int], ...]
    udp_stun: tuple[tuple[str, int], ...]


def _host_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host.strip("[]"), int(port)


def platform(key: str, overrides: dict[str, Any] | None = None) -> Platform:
    """A platform from ``assets/platforms.toml``; ``overrides`` (a profile's) may replace any field.

    ValueError names the known platforms when ``key`` is not one."""
    table = load_toml_asset("platforms.toml")
    if key not in table:
        raise ValueError(f"unknown platform {key!r}; known: {', '.join(sorted(table))}")
    data = {**table[key], **(overrides or {})}
    return Platform(key, data["name"], float(data["down_mbps"]), float(data["up_mbps"]), data["bandwidth_source"],
                    tuple(_host_port(t) for t in data["tcp"]), tuple(_host_port(t) for t in data["udp_stun"]))


def tcp_reachable(targets: Sequence[tuple[str, int]], budget: Budget,
                  cap: float = 3.0) -> list[tuple[str, float | None, str]]:
    """Connect to every target at once: (endpoint, connect seconds or None, failure kind or "")."""
    results: list[tuple[str, float | None, str]] = [(endpoint(h, p), None, "timeout") for h, p in targets]

    def attempt(i: int, host: str, port: int) -> None:
        try:
            sock, took = tcp_connect(host, port, budget, cap)
            sock.close()
            results[i] = (endpoint(host, port), took, "")
        except ProbeError as error:
            results[i] = (endpoint(host, port), None, error.kind)

    threads = [threading.Thread(target=attempt, args=(i, h, p), daemon=True) for i, (h, p) in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive() and not budget.done:
            thread.join(0.05)
    return list(results)


def has_route(host: str, port: int, budget: Budget) -> bool:
    """Whether this computer still has a way to ``host``: its name can be looked up and a route leads to its address
    (a pulled cable, a lost Wi-Fi or an interface gone down leaves none). Sends nothing: a UDP socket is only
    connected, which asks the routing table."""
    try:
        infos = resolve(host, port, budget, socket.SOCK_DGRAM)
    except ProbeError as error:
        if error.kind == "cancelled":
            raise
        return False
    for family, kind, proto, _, address in infos:
        with contextlib.closing(socket.socket(family, kind, proto)) as sock:
            try:
                sock.connect(address)
            except OSError:
                continue
            return True
    return False
