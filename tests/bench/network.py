"""Benchmark (not a test): the whole network phase against speedtest-cli on the same shaped lab links, with the time
each took and how close each came to the shaped rate.

The links are 40/10, 10/2 (with 3 % of the STUN packets dropped, to read the loss against what was really dropped)
and 2/1 Mbit/s between two network namespaces (``tc tbf``), and 2/1 Mbit/s over the delay cable
(``../shared/netlab/delaywire.py``) with an 800 ms round trip, a rural mobile or satellite line. On each:

- **ours**: ``interview-ready check --only network.*`` (connectivity, download, upload, the idle probe stream for
  latency, jitter, loss and UDP, the delay under load both ways, the platform's reach, the link) against
  LibreSpeed's real PHP backend and coturn; its wall time (the command, start-up included) and the phase's (the
  network checks' own times added up);
- **before**, with ``--before DIR``: the same command from another checkout (e.g. ``git worktree add /tmp/before
  <commit>``), the code before a change, on the same links in the same run;
- **speedtest-cli** (``speedtest --secure --json``): speedtest.net's own client. It speaks speedtest.net's legacy
  HTTP protocol (a configuration and a server list from www.speedtest.net, then ``latency.txt``, ``randomNxN.jpg``
  and ``upload.php`` on the chosen server). Ookla's own server (OoklaServer) is closed and cannot be run in the lab,
  and speedtest.net cannot be reached from it, so the stand-in of tests/support/netservers.py plays both, as any web
  server with those files does for this protocol: www.speedtest.net behind a proxy, with a test certificate the client
  trusts, and the server itself, with the test length speedtest.net's configuration gives (10 s each way).

Run as root: ``.venv/bin/python -m tests.bench.network [--rounds N] [--before DIR]``; prints a Markdown table (the
median time of the rounds, and the figures of every round).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.netlab import SERVER_IP, DelayLab, Lab, librespeed_unavailable, make_certificates, unavailable

LINKS = ((40, 10, 0, 0), (10, 2, 3, 0), (2, 1, 0, 0), (2, 1, 0, 800))
"""(download, upload Mbit/s, % of STUN packets dropped, round trip ms: 0 is the plain lab link's 0.2 ms)."""
PORT, PHP_PORT = 8080, 8085


@dataclass
class Row:
    """One link's figures, a list per tool (one entry per round)."""

    link: tuple[int, int, int, int]
    times: dict[str, list[float]] = field(default_factory=dict)
    figures: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    loss: list[tuple[float, float]] = field(default_factory=list)
    """(ours, what was dropped) in % per round."""
    phase: list[float] = field(default_factory=list)

    def add(self, tool: str, seconds: float, down: float, up: float) -> None:
        self.times.setdefault(tool, []).append(seconds)
        self.figures.setdefault(tool, []).append((down, up))


def ours(lab: Lab, php: str, stun: str, profile: Path, folder: str | None) -> tuple[dict[str, dict], float]:
    """``check --only network.*`` in the client namespace, from this checkout or from ``folder``."""
    args = ("--server", php, "--stun", stun, "--only", "network.*", "--profile", str(profile))
    if folder is None:
        return lab.check(*args, timeout=150)
    started = time.monotonic()
    done = lab.run(lab.client, "env", "-C", folder, sys.executable, "-m", "app", "check", "--camera", "none",
                   "--mic", "none", *args, "--json", timeout=150)
    took = time.monotonic() - started
    return {c["id"]: c for c in json.loads(done.stdout)["checks"]}, took


def speedtest_cli(lab: Lab, ca: Path) -> tuple[float, float, float]:
    """speedtest-cli against the stand-in: (seconds, download, upload Mbit/s; 0 when it failed)."""
    proxy = f"http://{SERVER_IP}:{PORT}"
    started = time.monotonic()
    done = lab.run(lab.client, sys.executable, "-m", "speedtest", "--secure", "--json",
                   env={"http_proxy": proxy, "https_proxy": proxy, "SSL_CERT_FILE": str(ca)}, timeout=180)
    took = time.monotonic() - started
    found = json.loads(done.stdout) if done.returncode == 0 else {}
    return took, found.get("download", 0) / 1e6, found.get("upload", 0) / 1e6


def measure_link(link: tuple[int, int, int, int], rounds: int, before: str | None) -> Row:
    down, up, drop, rtt = link
    row = Row(link)
    with tempfile.TemporaryDirectory() as folder:
        ca, leaf, key = make_certificates(Path(folder))
        lab = DelayLab(rtt) if rtt else Lab()
        try:
            lab.open()
            lab.http_server(PORT, "--cert", str(leaf), "--key", str(key), "--speedtest-length", "10")
            php = lab.librespeed_server(PHP_PORT, Path(folder))
            stun = lab.stun_server()
            profile = Path(folder) / "lab.toml"  # the meeting platform's servers are the lab's
            profile.write_text(textwrap.dedent(f"""\
                organisation = "Network lab"
                [thresholds."network.platform"]
                tcp = ["{SERVER_IP}:{PHP_PORT}"]
                """))
            lab.shape(down, up)
            for _ in range(rounds):
                lab.udp_filter(drop)
                checks, took = ours(lab, php, stun, profile, None)
                arrived, dropped = lab.udp_counts()
                row.add("ours", took, checks["network.download"]["value"] or 0, checks["network.upload"]["value"] or 0)
                row.phase.append(sum(c["duration_s"] or 0 for c in checks.values()))
                row.loss.append((checks["network.loss"]["value"] or 0, 100 * dropped / max(1, arrived)))
                if before:
                    lab.udp_filter(drop)
                    checks, took = ours(lab, php, stun, profile, before)
                    row.add("before", took, checks["network.download"]["value"] or 0,
                            checks["network.upload"]["value"] or 0)
                lab.udp_filter(None)
                row.add("speedtest-cli", *speedtest_cli(lab, ca))
        finally:
            lab.close()
    return row


def percent(figures: list[tuple[float, float]], link: tuple[int, int, int, int]) -> str:
    """Each round's download / upload as a share (%) of the shaped rate."""
    return ", ".join(f"{100 * d / link[0]:.0f} / {100 * u / link[1]:.0f}" for d, u in figures)


def table(rows: list[Row], before: bool) -> str:
    tools = ["ours", *(["before"] if before else []), "speedtest-cli"]
    head = ["link (Mbit/s, round trip)", "ours: phase (s)", *(f"{t}: time (s)" for t in tools),
            *(f"{t}: % of the link, down / up" for t in tools), "loss: ours / dropped (%)", "speedtest-cli ÷ ours"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        down, up, drop, rtt = row.link
        name = f"{down} / {up}, {rtt or 0.2:g} ms" + (f", {drop} % of STUN dropped" if drop else "")
        median = {tool: statistics.median(row.times[tool]) for tool in tools}
        cells = [name, f"{statistics.median(row.phase):.1f}", *(f"{median[t]:.1f}" for t in tools),
                 *(percent(row.figures[t], row.link) for t in tools),
                 ", ".join(f"{o:.1f} / {d:.1f}" for o, d in row.loss),
                 f"{median['speedtest-cli'] / median['ours']:.1f}×"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1, help="runs of each tool on each link (the median time)")
    parser.add_argument("--before", help="another checkout whose network phase to time beside this one's")
    parser.add_argument("--links", help="only these links, by their place in the list (e.g. 0,3)")
    args = parser.parse_args()
    why = unavailable() or librespeed_unavailable()
    if why:
        print(f"cannot run the benchmark: {why}")
        return 1
    chosen = [LINKS[int(i)] for i in args.links.split(",")] if args.links else list(LINKS)
    rows = []
    for link in chosen:
        rows.append(measure_link(link, args.rounds, args.before))
        print(table(rows[-1:], bool(args.before)).splitlines()[-1], file=sys.stderr, flush=True)
    print(table(rows, bool(args.before)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
