"""Network settings for a run: which throughput backend, which test server, which STUN servers."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from checks.wording import say

BACKENDS = ("auto", "librespeed", "cloudflare", "speedtest", "none")
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*\.?$")


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return bool(_HOSTNAME.match(host))


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

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(say("cli.errors.network_backend", backends=", ".join(BACKENDS), backend=self.backend))
