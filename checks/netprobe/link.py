"""How this computer reaches the internet: the interface of the default route, wired or Wi-Fi (with its signal),
and whether a VPN carries the traffic. Read from ``/proc`` and ``/sys`` on Linux; elsewhere it is not known."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

VPN_NAME = re.compile(r"^(tun|tap|wg|ppp|utun|ipsec|vpn|nordlynx|tailscale|zt)\w*", re.IGNORECASE)
ARPHRD_NONE = 65534
"""The link type of tun and WireGuard interfaces (no hardware address)."""


@dataclass(frozen=True)
class Link:
    interface: str | None
    """The interface of the default route (None: no default route, or not known on this system)."""
    kind: str
    """``wired``, ``wifi``, ``vpn`` or ``unknown``."""
    signal_percent: float | None = None


def default_route_interface(route_table: str) -> str | None:
    """The interface of the default route in ``/proc/net/route``'s text (the lowest metric wins)."""
    best: tuple[int, str] | None = None
    for line in route_table.splitlines()[1:]:
        fields = line.split()  # Iface Destination Gateway Flags RefCnt Use Metric Mask ...
        if len(fields) < 8 or fields[1] != "00000000" or fields[7] != "00000000":
            continue
        try:
            up = int(fields[3], 16) & 1
            metric = int(fields[6])
        except ValueError:
            continue
        if up and (best is None or metric < best[0]):
            best = (metric, fields[0])
    return best[1] if best else None


def wifi_signal(proc_wireless: str, interface: str) -> float | None:
    """The link quality of ``interface`` in ``/proc/net/wireless``'s text, as a percentage of 70 (the usual scale)."""
    for line in proc_wireless.splitlines()[2:]:
        name, _, rest = line.partition(":")
        if name.strip() == interface:
            fields = rest.split()
            if len(fields) >= 2:
                try:
                    return max(0.0, min(100.0, float(fields[1].rstrip(".")) / 70 * 100))
                except ValueError:
                    return None
    return None


def classify(interface: str, sys_net: Path) -> str:
    """``wifi``, ``vpn`` or ``wired`` for an interface, from its ``/sys/class/net`` entry."""
    folder = sys_net / interface
    if (folder / "wireless").exists() or (folder / "phy80211").exists():
        return "wifi"
    try:
        link_type = int((folder / "type").read_text().strip())
    except (OSError, ValueError):
        link_type = None
    if VPN_NAME.match(interface) or (folder / "tun_flags").exists() or link_type == ARPHRD_NONE:
        return "vpn"
    return "wired"


def current_link(proc_net: Path = Path("/proc/net"), sys_net: Path = Path("/sys/class/net")) -> Link:
    """The link in use now (``unknown`` where ``/proc/net/route`` does not exist, as on Windows and macOS)."""
    try:
        interface = default_route_interface((proc_net / "route").read_text())
    except OSError:
        return Link(None, "unknown")
    if interface is None:
        return Link(None, "unknown")
    kind = classify(interface, sys_net)
    signal = None
    if kind == "wifi":
        try:
            signal = wifi_signal((proc_net / "wireless").read_text(), interface)
        except OSError:
            signal = None
    return Link(interface, kind, signal)
