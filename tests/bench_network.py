"""Benchmark (not a test): our throughput and loss figures against LibreSpeed's real PHP backend (from
``../shared/librespeed``, served by ``php -S``) with coturn as the STUN server, beside speedtest-cli's own against
the stand-in that speaks speedtest.net's protocol, on links shaped to 2/1, 10/4 (with 3 % of the STUN packets
dropped) and 40/10 Mbit/s between two network namespaces, with the time each took.

Run as root: ``.venv/bin/python tests/bench_network.py``. The stand-in (tests/netservers.py) speaks speedtest.net's
protocol behind a proxy, with speedtest.net's usual 10-second test length.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.netlab import SERVER_IP, Lab, librespeed_unavailable, make_certificates, unavailable

LINKS = ((2, 1, 0), (10, 4, 3), (40, 10, 0))
"""(download, upload Mbit/s, % of STUN packets dropped)."""
PORT, PHP_PORT = 8080, 8085


def main() -> int:
    why = unavailable() or librespeed_unavailable()
    if why:
        print(f"cannot run the benchmark: {why}")
        return 1
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        ca, leaf, key = make_certificates(Path(folder))
        lab = Lab()
        try:
            lab.open()
            lab.http_server(PORT, "--cert", str(leaf), "--key", str(key), "--speedtest-length", "10")
            php = lab.librespeed_server(PHP_PORT, Path(folder))
            stun = lab.stun_server()
            proxy = f"http://{SERVER_IP}:{PORT}"
            env = {"http_proxy": proxy, "https_proxy": proxy, "SSL_CERT_FILE": str(ca)}
            for down, up, drop in LINKS:
                lab.shape(down, up)
                lab.udp_filter(drop)
                checks, ours_s = lab.check("--network", "librespeed", "--server", php, "--stun", stun,
                                           "--only", "network.download,network.upload,network.loss")
                arrived, dropped = lab.udp_counts()
                lab.udp_filter(None)
                started = time.monotonic()
                done = lab.run(lab.client, sys.executable, "-m", "speedtest", "--secure", "--json", env=env,
                               timeout=120)
                theirs_s = time.monotonic() - started
                theirs = json.loads(done.stdout) if done.returncode == 0 else {}
                rows.append((down, up, checks["network.download"]["value"], checks["network.upload"]["value"],
                             checks["network.loss"]["value"], 100 * dropped / max(1, arrived), ours_s,
                             theirs.get("download", 0) / 1e6, theirs.get("upload", 0) / 1e6, theirs_s))
        finally:
            lab.close()
    print("| link down / up (Mbit/s) | ours: down / up (Mbit/s) | ours: % of the link | loss: ours / dropped (%) "
          "| ours: time (s) | speedtest-cli: down / up (Mbit/s) | speedtest-cli: time (s) |")
    print("|---|---|---|---|---|---|---|")
    for down, up, d, u, loss, truth, ours_s, t_down, t_up, theirs_s in rows:
        print(f"| {down} / {up} | {d:.2f} / {u:.2f} | {100 * d / down:.0f} / {100 * u / up:.0f} "
              f"| {loss:.1f} / {truth:.1f} | {ours_s:.1f} | {t_down:.2f} / {t_up:.2f} | {theirs_s:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
