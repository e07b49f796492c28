"""The whole app's processor use with the live preview, and the time to the first window, on a real X server
(run: ``.venv/bin/python -m tests.bench.window``; not a test; needs Xvfb, openbox and xdotool).

The window shows the demo video at 1280×720 (``tests/support/window_states.py first-start``); over 10 s, after 2 s to
settle, it measures the processor time of the whole process (every thread: painting, conversion, scaling, the
camera feed, the coach) per second of wall time, and shows it by thread. The time to the first window is from
starting the process until the window is on the X server (found by ``xdotool``), median of the rounds.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tests.support.xserver import x_server

ROUNDS = 3
ROOT = Path(__file__).resolve().parents[2]


def one_round(env: dict[str, str]) -> tuple[dict, float]:
    started = time.monotonic()
    child = subprocess.Popen([sys.executable, "-m", "tests.support.window_states", "first-start", "--measure-s", "10"],
                             env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    shown_s = float("nan")
    while child.poll() is None:
        found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "Interview Ready"], env=env,
                               capture_output=True, text=True)
        if found.stdout.strip():
            shown_s = time.monotonic() - started
            break
        time.sleep(0.05)
    out, _ = child.communicate(timeout=120)
    return json.loads(out.strip().splitlines()[-1]), shown_s


def main() -> None:
    with x_server() as env:
        rounds = [one_round(env) for _ in range(ROUNDS)]
    cpu = statistics.median(r["cpu_core_fraction"] for r, _ in rounds)
    fps = statistics.median(r["preview_frames"] for r, _ in rounds) / 12.0
    print(f"whole app, live preview of the demo video: {100 * cpu:.0f} % of one core "
          f"(median of {ROUNDS}; about {fps:.0f} pictures a second shown)")
    threads = sorted({name for r, _ in rounds for name in r["cpu_by_thread"]})
    for name in threads:
        share = statistics.median(r["cpu_by_thread"].get(name, 0.0) for r, _ in rounds)
        print(f"  {name}: {100 * share:.0f} %")
    print(f"time to the first window: {statistics.median(s for _, s in rounds):.2f} s from starting the process "
          f"({statistics.median(r['first_window_s'] for r, _ in rounds):.2f} s of it in the app's own start)")


if __name__ == "__main__":
    main()
