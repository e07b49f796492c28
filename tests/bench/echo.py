"""Benchmark of the echo analysis. Run: ``.venv/bin/python -m tests.bench.echo``.

The measurement of one echo test as ``mic.echo`` runs it: a 1.5 s sweep and its 2.3 s recording at 48 kHz
(a room with a direct path and a 0.5 s reverberant tail, and background noise): deconvolution, return loss,
delay and decay. Goal: under 0.5 s, so the result follows the end of the sound (2.3 s of playing and listening) at once.
(Not a test: pytest does not collect it; the figure goes into the README.)
"""

from __future__ import annotations

import time

import numpy as np

from checks.analysis.echo import measure_echo
from tests.test_echo_analysis import heard, room

RATE = 48_000


def bench_measure(repeats: int = 20) -> float:
    played, recorded = heard(room(-12.0, 30.0, 0.5, rate=RATE), rate=RATE)
    measure_echo(played, recorded, RATE, tail_s=0.8)  # warm up
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        measure_echo(played, recorded, RATE, tail_s=0.8)
        times.append(time.perf_counter() - started)
    median = float(np.median(times))
    print(f"echo measurement of a {len(recorded) / RATE:.1f} s recording: median {median * 1000:.1f} ms "
          f"(best {min(times) * 1000:.1f} ms)")
    return median


if __name__ == "__main__":
    bench_measure()
