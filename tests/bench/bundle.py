"""Benchmark (not a test): the app ./build made beside the installed one in .venv: time from start to the first
window on the screen (the "Getting ready" card) and to the main window (median of 5 warm starts, after one that is
not counted), memory with the main window shown and at the peak of a whole demo run, and the bundle's size, unzipped
and zipped.

Run after ./build, with an X display: ``DISPLAY=:72 .venv/bin/python -m tests.bench.bundle`` (needs xdotool and zip).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from checks.text.wording import say

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "dist" / "interview-ready"
PROGRAMS = {"bundle": BUNDLE / "interview-ready", "venv": ROOT / ".venv" / "bin" / "interview-ready"}
RUNS = 5


def _env() -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root"), "DISPLAY": os.environ["DISPLAY"]}


POLL_S = 0.02  # how often the screen is asked (xdotool's own --sync asks only every 0.5 s: too coarse to time by)


def _shown(pid: int, *name: str) -> None:
    """Wait until a window of ``pid`` (whose title matches ``name``, if given) is on the screen."""
    until = time.monotonic() + 60
    search = ["xdotool", "search", "--all", "--onlyvisible", "--pid", str(pid), *(("--name", *name) if name else ())]
    while subprocess.run(search, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
        if time.monotonic() > until:
            raise TimeoutError(f"no window of process {pid} after 60 s")
        time.sleep(POLL_S)


def start_to_window(program: Path) -> tuple[float, float, float]:
    """Seconds from starting ``program --demo`` until its first window and its main window (the title says demo)
    are mapped, and its memory (RSS, MB) then."""
    start = time.perf_counter()
    app = subprocess.Popen([str(program), "--demo"], env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _shown(app.pid)
        first = time.perf_counter() - start
        _shown(app.pid, say("ui.demo_suffix"))
        seconds = time.perf_counter() - start
        process = psutil.Process(app.pid)
        rss = sum(p.memory_info().rss for p in [process, *process.children(recursive=True)])
    finally:
        app.terminate()
        app.wait(30)
    return first, seconds, rss / 1e6


def peak_memory(program: Path) -> float:
    """The peak RSS (MB) of a whole demo run in the window, to the saved picture."""
    with tempfile.TemporaryDirectory() as folder:
        app = subprocess.Popen([str(program), "--demo", "--screenshot", str(Path(folder) / "out.png")], env=_env(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(app.pid, 0)
        app.returncode = os.waitstatus_to_exitcode(status)
    if app.returncode != 0:
        raise RuntimeError(f"{program} --demo --screenshot exited with {app.returncode}")
    return usage.ru_maxrss * 1024 / 1e6


def sizes() -> tuple[float, float]:
    unzipped = sum(p.stat().st_size for p in BUNDLE.rglob("*") if p.is_file() and not p.is_symlink())
    with tempfile.TemporaryDirectory() as folder:
        archive = Path(folder) / "interview-ready.zip"
        subprocess.run(["zip", "-qry", str(archive), BUNDLE.name], cwd=BUNDLE.parent, check=True)
        zipped = archive.stat().st_size
    return unzipped / 1e6, zipped / 1e6


def main() -> int:
    missing = [name for name in ("xdotool", "zip") if shutil.which(name) is None]
    if missing or "DISPLAY" not in os.environ or not PROGRAMS["bundle"].is_file():
        print("cannot run the benchmark: needs ./build first, an X DISPLAY, xdotool and zip"
              + (f" (missing: {', '.join(missing)})" if missing else ""))
        return 1
    unzipped, zipped = sizes()
    print(f"bundle size: {unzipped:.0f} MB unzipped, {zipped:.0f} MB zipped")
    print(f"{'':8} {'first window (median of 5)':>27} {'range':>14} {'main window':>12} {'range':>14} "
          f"{'RSS at window':>14} {'peak RSS':>9}")
    for name, program in PROGRAMS.items():
        start_to_window(program)  # warm-up: caches filled, not counted
        runs = [start_to_window(program) for _ in range(RUNS)]
        firsts, times = [r[0] for r in runs], [r[1] for r in runs]
        rss = statistics.median(r[2] for r in runs)
        peak = peak_memory(program)
        print(f"{name:8} {statistics.median(firsts):>25.2f} s {min(firsts):>6.2f}–{max(firsts):.2f} s "
              f"{statistics.median(times):>10.2f} s {min(times):>6.2f}–{max(times):.2f} s "
              f"{rss:>11.0f} MB {peak:>6.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
