"""Benchmark (not a test): our throughput figures beside speedtest-cli's own, against the same emulated server,
on a link shaped to 2, 10 and 40 Mbit/s between two network namespaces, with the time each took.

Run as root: ``.venv/bin/python tests/bench_network.py``. The server (tests/netservers.py) speaks LibreSpeed's
protocol and speedtest.net's (behind a proxy, with speedtest.net's usual 10-second test length).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.netlab import SERVER_IP, Lab, make_certificates, unavailable

RATES = (2, 10, 40)
PORT = 8080


def main() -> int:
    why = unavailable()
    if why:
        print(f"cannot run the benchmark: {why}")
        return 1
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        ca, leaf, key = make_certificates(Path(folder))
        lab = Lab()
        try:
            lab.open()
            url = lab.http_server(PORT, "--cert", str(leaf), "--key", str(key), "--speedtest-length", "10")
            proxy = f"http://{SERVER_IP}:{PORT}"
            env = {"http_proxy": proxy, "https_proxy": proxy, "SSL_CERT_FILE": str(ca)}
            for mbit in RATES:
                lab.shape(mbit)
                checks, ours_s = lab.check("--network", "librespeed", "--server", url,
                                           "--only", "network.download,network.upload")
                started = time.monotonic()
                done = lab.run(lab.client, sys.executable, "-m", "speedtest", "--secure", "--json", env=env,
                               timeout=120)
                theirs_s = time.monotonic() - started
                theirs = json.loads(done.stdout) if done.returncode == 0 else {}
                rows.append((mbit, checks["network.download"]["value"], checks["network.upload"]["value"], ours_s,
                             theirs.get("download", 0) / 1e6, theirs.get("upload", 0) / 1e6, theirs_s))
        finally:
            lab.close()
    print("| link (Mbit/s) | ours: down / up (Mbit/s) | ours: time (s) | speedtest-cli: down / up (Mbit/s) "
          "| speedtest-cli: time (s) |")
    print("|---|---|---|---|---|")
    for mbit, down, up, ours_s, t_down, t_up, theirs_s in rows:
        print(f"| {mbit} | {down:.2f} / {up:.2f} | {ours_s:.1f} | {t_down:.2f} / {t_up:.2f} | {theirs_s:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
