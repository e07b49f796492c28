"""Benchmark (not a test): what interview mode costs while it watches, and how soon it notices loss. The processor
time of ``interview-ready guard`` and of the guardian window (offscreen, its watcher inside), and the traffic on the
client's link both ways, measured in the network lab against coturn: at the fast rate (the first seconds) and, once
calm, at the slow rate over ``SECONDS`` (default 60). Then, without the lab, the command with the microphone watcher on,
hearing real speech through a private PulseAudio server; and the seconds from 20 % loss starting to *trouble*,
from either rate, over 200 random loss patterns fed to the guard as the watch loop feeds it.

Run as root: ``.venv/bin/python -m tests.bench.guard [SECONDS]``. The connection, interface and battery watchers
are on; the processor watcher is off, because on a busy shared test machine it rightly finds the processor
overloaded, which is trouble, and the rate stays fast while anything is wrong (its own cost is a load figure every
2 s, and a look at every process only while the load is high). The states seen while measuring are printed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

from checks.guard.judgement import Guard
from checks.guard.watchers import guard_limits
from tests.support.guardkit import default_signals, drive_adaptive, local_stun
from tests.support.netlab import ROOT, Lab, sh, unavailable

LIMITS = guard_limits()
CALM = float(LIMITS["calm_s"])

TICK = os.sysconf("SC_CLK_TCK")
WINDOW = textwrap.dedent("""\
    import resource, sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from app.guardian import GuardianWindow
    from checks.guard.watchers import Watch, guard_limits
    host, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    window = GuardianWindow()
    window.watch(Watch([(host, port)], guard_limits(), cpu=False))
    window.show()
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
    settle = int(float(sys.argv[4]) * 1000)
    QTimer.singleShot(settle, begin)
    QTimer.singleShot(int(settle + seconds * 1000), end)
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


Counts = tuple[int, int, int, int]
SEEN: list[dict] = []
"""The command's JSON lines while it was measured."""


def bench_command(lab: Lab, seconds: float) -> tuple[tuple[float, Counts], tuple[float, Counts]]:
    """(processor seconds, link counts) at the fast rate (10 s from start-up) and at the slow rate (``seconds``
    once calm)."""
    process = subprocess.Popen(["ip", "netns", "exec", lab.client, sys.executable, "-m", "app", "guard", "--stun",
                                lab.stun, "--jsonl", "--no-cpu"], stdout=subprocess.PIPE, text=True, cwd=ROOT,
                               preexec_fn=default_signals)
    try:
        assert process.stdout is not None
        process.stdout.readline()  # started
        threading.Thread(target=lambda: [SEEN.append(json.loads(line)) for line in process.stdout], daemon=True).start()
        started = time.monotonic()
        time.sleep(2)  # settled
        marks = [(process_cpu(process.pid), link_bytes(lab))]
        time.sleep(10)
        marks.append((process_cpu(process.pid), link_bytes(lab)))
        time.sleep(max(0.0, started + CALM + 2 - time.monotonic()))  # calm: the slow rate
        marks.append((process_cpu(process.pid), link_bytes(lab)))
        time.sleep(seconds)
        marks.append((process_cpu(process.pid), link_bytes(lab)))
    finally:
        process.send_signal(2)
        process.wait(10)

    def between(a: int, b: int) -> tuple[float, Counts]:
        return marks[b][0] - marks[a][0], tuple(y - x for x, y in zip(marks[a][1], marks[b][1], strict=True))

    return between(0, 1), between(2, 3)  # type: ignore[return-value]


def bench_window(lab: Lab, seconds: float) -> float:
    host, port = lab.stun.rsplit(":", 1)
    process = subprocess.Popen(["ip", "netns", "exec", lab.client, sys.executable, "-c", WINDOW, host, port,
                                str(seconds), str(CALM + 3)], stdout=subprocess.PIPE, text=True, cwd=ROOT,
                               env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    out, _ = process.communicate(timeout=CALM + seconds + 60)
    return float(next(line.split()[1] for line in out.splitlines() if line.startswith("cpu ")))


def detection(runs: int = 200) -> dict[str, list[float]]:
    """Seconds from 20 % loss starting to *trouble*, from the slow rate and from the fast one (sorted)."""
    out = {}
    for name, before in (("slow", CALM + 5.3), ("fast", 10.3)):
        took = []
        for seed in range(runs):
            guard = Guard(LIMITS)
            drive_adaptive(guard, 0, before, seed=seed + 1000)
            seen, _ = drive_adaptive(guard, before, before + 60, loss=0.2, seed=seed)
            took.append(next(t for t, state, _ in seen if state == "trouble") - before)
        out[name] = sorted(took)
    return out


def bench_mic(seconds: float) -> float | str:
    """Processor seconds of ``guard --jsonl --mic-level`` over ``seconds`` once calm, hearing real speech through a
    private PulseAudio server (coturn on loopback for the connection); or why it could not run."""
    import numpy as np

    from tests.support.pulse import RATE, SINK, PulseUnavailable, start_pulse
    from tests.support.sounds import real_speech_missing, real_voices, write

    if real_speech_missing():
        return str(real_speech_missing())
    try:
        pulse = start_pulse()
    except PulseUnavailable as error:
        return str(error)
    folder = Path(tempfile.mkdtemp(prefix="ir-bench-mic-"))
    try:
        voices = np.concatenate([v for _, v in real_voices(RATE)] * 12)[: int((CALM + seconds + 10) * RATE)]
        speech = write(folder / "speech.wav", np.column_stack([voices, voices]), RATE)
        player = subprocess.Popen(["paplay", f"--device={SINK}", str(speech)], env=pulse.env)
        with local_stun(folder) as stun:
            process = subprocess.Popen([sys.executable, "-m", "app", "guard", "--stun", stun, "--jsonl", "--no-cpu",
                                        "--mic-level"], stdout=subprocess.DEVNULL, cwd=ROOT,
                                       env={**pulse.env, "PYTHONPATH": str(ROOT)}, preexec_fn=default_signals)
            try:
                time.sleep(CALM + 3)
                before = process_cpu(process.pid)
                time.sleep(seconds)
                used = process_cpu(process.pid) - before
            finally:
                process.send_signal(2)
                process.wait(10)
                player.terminate()
                player.wait(10)
        return used
    finally:
        pulse.close()
        shutil.rmtree(folder, ignore_errors=True)


def traffic_rows(label: str, seconds: float, counts: Counts) -> list[str]:
    tx, rx, txp, rxp = counts
    ip_tx, ip_rx = tx - 14 * txp, rx - 14 * rxp
    return [f"| {label}: IP packets | {txp / seconds:.1f} | {kbit(ip_tx, seconds):.2f} | {kbit(ip_rx, seconds):.2f} "
            f"| {kbit(ip_tx + ip_rx, seconds):.2f} |",
            f"| {label}: on the wire (Ethernet frames) | | {kbit(tx, seconds):.2f} | {kbit(rx, seconds):.2f} "
            f"| {kbit(tx + rx, seconds):.2f} |"]


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
        (fast_cpu, fast), (slow_cpu, slow) = bench_command(lab, seconds)
        window_cpu = bench_window(lab, seconds)
    finally:
        lab.close()
    print(f"slow rate over {seconds:.0f} s once calm; fast rate over the first 10 s")
    print("states seen:", sorted({(r["state"], r["reason"]) for r in SEEN}))
    print("| what | processor (% of one core) |")
    print("|---|---|")
    print(f"| `guard --jsonl`, slow rate | {100 * slow_cpu / seconds:.2f} |")
    print(f"| `guard --jsonl`, fast rate | {100 * fast_cpu / 10:.2f} |")
    print(f"| the guardian window (offscreen), slow rate | {100 * window_cpu / seconds:.2f} |")
    mic = bench_mic(seconds)
    if isinstance(mic, str):
        print(f"(the microphone watcher could not be measured: {mic})")
    else:
        print(f"| `guard --jsonl --mic-level` hearing speech, slow rate | {100 * mic / seconds:.2f} |")
    print()
    print("| traffic (kbit/s) | probes/s | sent | received | both |")
    print("|---|---|---|---|---|")
    print("\n".join(traffic_rows("slow rate", seconds, slow) + traffic_rows("fast rate", 10, fast)))
    tx, rx, txp, rxp = slow
    print(f"bytes per probe / answer (IP): {(tx - 14 * txp) / max(1, txp):.0f} / {(rx - 14 * rxp) / max(1, rxp):.0f}")
    print()
    print("| 20 % loss starting at | median | 90 % within | 99 % within | slowest | within 10 s |")
    print("|---|---|---|---|---|---|")
    for name, took in detection().items():
        n = len(took)
        print(f"| the {name} rate | {took[n // 2]:.1f} s | {took[int(n * 0.9) - 1]:.1f} s | "
              f"{took[int(n * 0.99) - 1]:.1f} s | {took[-1]:.1f} s | {100 * sum(t < 10 for t in took) / n:.0f} % |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
