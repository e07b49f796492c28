"""Network settings for a run: which throughput backend, which test server, which STUN servers."""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from checks.text.wording import say

BACKENDS = ("auto", "librespeed", "cloudflare", "nq", "speedtest", "none")
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*\.?$")


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return bool(_HOSTNAME.match(host))


REFUSED_KINDS = ("loopback", "link_local", "multicast", "unspecified")
"""Addresses a profile may not name: this computer itself, the devices on its own cable or Wi-Fi (169.254/16,
fe80::/10: routers' admin pages, a cloud's metadata service), groups, and "no address". A server a profile names is
a stranger's choice; ``--server`` and ``--stun`` on the command line are the user's own and may name any."""
_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")


def address_kind(host: str) -> str | None:
    """``loopback``, ``link_local``, ``multicast``, ``unspecified``, ``private`` (not on the public internet: a
    company's or career centre's own network) or ``public`` for an IP address; None for a name."""
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if address.is_unspecified or (isinstance(address, ipaddress.IPv4Address) and address in _THIS_NETWORK):
        return "unspecified"
    for kind in ("loopback", "link_local", "multicast"):
        if getattr(address, f"is_{kind}"):
            return kind
    return "public" if address.is_global else "private"


def addresses_of(hosts: Iterable[str], timeout: float = 2.0) -> dict[str, list[str]]:
    """The addresses each name resolves to, looked up all at once within ``timeout`` seconds; a name that does not
    resolve in time (or at all) has none. IP addresses are their own."""
    found: dict[str, list[str]] = {}
    threads = []

    def look_up(name: str) -> None:
        try:
            infos = socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return
        found[name] = list(dict.fromkeys(str(info[4][0]) for info in infos))

    for host in dict.fromkeys(hosts):
        if address_kind(host) is not None:
            found[host] = [host]
        else:
            threads.append(threading.Thread(target=look_up, args=(host,), name="profile name", daemon=True))
            threads[-1].start()
    end = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, end - time.monotonic()))
    return {host: list(found.get(host, [])) for host in dict.fromkeys(hosts)}


def parse_server_url(text: str) -> str:
    """A LibreSpeed server root (``http(s)://host[:port]/path``); ValueError naming the problem."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https"):
        raise ValueError(say("cli.errors.server_scheme", text=text))
    try:
        port = parts.port
    except ValueError:
        raise ValueError(say("cli.errors.server_port", text=text)) from None
    if not parts.hostname or not _valid_host(parts.hostname) or parts.username or parts.password:
        raise ValueError(say("cli.errors.server_host", text=text))
    if port == 0:
        raise ValueError(say("cli.errors.server_port", text=text))
    return text.strip()


@dataclass(frozen=True)
class StunServer:
    host: str
    port: int = 3478

    @classmethod
    def parse(cls, text: str) -> StunServer:
        """``host``, ``host:port`` or ``[v6]:port``; ValueError naming the problem."""
        text = text.strip()
        match = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\](?::(\d+))?|([^:\[\]]+)(?::(\d+))?", text)
        if not match:
            raise ValueError(say("cli.errors.stun_form", text=text))
        host = match.group(1) or match.group(3)
        port_text = match.group(2) or match.group(4)
        port = int(port_text) if port_text else 3478
        if not _valid_host(host) or (match.group(1) and ":" not in host):
            raise ValueError(say("cli.errors.stun_host", text=text))
        if not 1 <= port <= 65535:
            raise ValueError(say("cli.errors.stun_port", text=text))
        return cls(host, port)

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


@dataclass(frozen=True)
class NetworkSettings:
    backend: str = "auto"
    server: str | None = None
    stun: tuple[StunServer, ...] = field(default_factory=tuple)
    server_source: str = "cli"
    """Who named the server: ``cli`` (``--server``), ``profile`` or ``kiosk`` (the kiosk's settings); a message
    about a server that does not exist says where to correct it."""
    nq_server: str | None = None
    """A networkQuality server (its root, or its configuration's URL): ``--network nq --server URL``, or a
    profile's ``nq_server``."""

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(say("cli.errors.network_backend", backends=", ".join(BACKENDS), backend=self.backend))
