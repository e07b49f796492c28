"""Benchmark (not a test): what interview mode costs while it watches. The processor time of ``interview-ready guard``
and of the guardian window (offscreen, its watcher inside), and the traffic on the client's link, both measured in
the network lab against coturn over ``SECONDS`` (default 60) after start-up.

Run as root: ``.venv/bin/python tests/bench_guard.py [SECONDS]``. All watchers are on (connection, interface,
battery, processor).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.netlab import ROOT, Lab, sh, unavailable

TICK = os.sysconf("SC_CLK_TCK")
WINDOW = textwrap.dedent("""\
    import resource, sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from app.guardian import start_interview_mode
    host, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    window = start_interview_mode(None, None, [(host, port)])
    def cpu():
        use = resource.getrusage(resource.RUSAGE_SELF)
        return use.ru_utime + use.ru_stime
    mark = {}
    def begin():
        mark["cpu"] = cpu()
        print("begin", flush=True)
    def end():
        print("cpu", cpu() - mark["cpu"], flush=True)
        window.worker.cancel()
        window.worker = None
        app.quit()
    QTimer.singleShot(3000, begin)
    QTimer.singleShot(int(3000 + seconds * 1000), end)
    app.exec()
    """)


def process_cpu(pid: int) -> float:
    """A process's user + system time in seconds, from ``/proc``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def link_bytes(lab: Lab) -> tuple[int, int, int, int]:
    """(bytes sent, received, packets sent, received) on the client's end of the link."""
    base = f"/sys/class/net/{lab.veth_c}/statistics"
    values = sh("cat", f"{base}/tx_bytes", f"{base}/rx_bytes", f"{base}/tx_packets", f"{base}/rx_packets",
                ns=lab.client).split()
    tx, rx, txp, rxp = (int(v) for v in values)
    return tx, rx, txp, rxp


def kbit(octets: int, seconds: float) -> float:
    return octets * 8 / seconds / 1000


def bench_command(lab: Lab, seconds: float) -> tuple[float, tuple[int, int, int, int]]:
    process = subprocess.Popen(["ip", "netns", "exec", lab.client, sys.executable, "-m", "app", "guard", "--stun",
                                lab.stun, "--jsonl"], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert process.stdout is not None
        process.stdout.readline()  # started
        time.sleep(2)  # settled
        cpu0, link0 = process_cpu(process.pid), link_bytes(lab)
        time.sleep(seconds)
        cpu1, link1 = process_cpu(process.pid), link_bytes(lab)
    finally:
        process.send_signal(2)
        process.wait(10)
    return cpu1 - cpu0, tuple(b - a for a, b in zip(link0, link1, strict=True))  # type: ignore[return-value]


def bench_window(lab: Lab, seconds: float) -> float:
    host, port = lab.stun.rsplit(":", 1)
    process = subprocess.Popen(["ip", "netns", "exec", lab.client, sys.executable, "-c", WINDOW, host, port,
                                str(seconds)], stdout=subprocess.PIPE, text=True, cwd=ROOT,
                               env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    out, _ = process.communicate(timeout=seconds + 60)
    return float(next(line.split()[1] for line in out.splitlines() if line.startswith("cpu ")))


def main() -> int:
    why = unavailable()
    if why:
        print(f"cannot run the benchmark: {why}")
        return 1
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    lab = Lab()
    try:
        lab.open()
        lab.stun = lab.stun_server()
        command_cpu, (tx, rx, txp, rxp) = bench_command(lab, seconds)
        window_cpu = bench_window(lab, seconds)
    finally:
        lab.close()
    print(f"over {seconds:.0f} s, {txp / seconds:.1f} probes/s sent, {rxp / seconds:.1f} answers/s")
    print("| what | processor (% of one core) |")
    print("|---|---|")
    print(f"| `guard --jsonl` | {100 * command_cpu / seconds:.2f} |")
    print(f"| the guardian window (offscreen) | {100 * window_cpu / seconds:.2f} |")
    print()
    print("| traffic | sent | received | both |")
    print("|---|---|---|---|")
    print(f"| on the wire (Ethernet frames, kbit/s) | {kbit(tx, seconds):.2f} | {kbit(rx, seconds):.2f} "
          f"| {kbit(tx + rx, seconds):.2f} |")
    ip_tx, ip_rx = tx - 14 * txp, rx - 14 * rxp
    print(f"| IP packets (kbit/s) | {kbit(ip_tx, seconds):.2f} | {kbit(ip_rx, seconds):.2f} "
          f"| {kbit(ip_tx + ip_rx, seconds):.2f} |")
    print(f"| bytes per probe / answer (IP) | {ip_tx / max(1, txp):.0f} | {ip_rx / max(1, rxp):.0f} | |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
