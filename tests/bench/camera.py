"""Camera analysis speed on 1280×720 frames (run: ``.venv/bin/python -m tests.bench.camera``; not a test).

Prints the median wall time and processor time per frame of: the whole analysis as the checks run it (every
camera check's measurement, side light, colour and clutter included), face detection alone (the preview's quick
pass and the checks' two-pass detector), the per-frame work of a capture (the small copies for movement and
repeats, and the comparison), the preview's display work, and full-resolution Haar ``detectMultiScale`` as the
baseline. Then the processor share the live preview needs for 30 pictures and 5 verdicts a second.
"""

from __future__ import annotations

import statistics
import time
from itertools import pairwise
from pathlib import Path

import cv2
import numpy as np

from checks.analysis.camera import analyse_frame, change_sample, frame_change, motion, motion_frame, working_grey
from checks.analysis.faces import HaarFaceDetector
from checks.builtin.camera import LiveMotion
from checks.engine.thresholds import Thresholds
from tests.support import scenes

W, H = 1280, 720
ROUNDS = 15


def frames() -> list[np.ndarray]:
    return [scenes.noisy(f, seed=i) for i, f in enumerate([
        scenes.place(scenes.wall(W, H)).frame,
        scenes.place(scenes.shelves(W, H)).frame,
        scenes.place(scenes.window(W, H), person_gain=0.5).frame,
        scenes.place(scenes.wall(W, H), face_cx=0.3).frame,
        scenes.place(scenes.heap(W, H)).frame,
        scenes.orange_lamp(scenes.place(scenes.tidy_shelf(W, H), shadow=0.6).frame),
    ])]


def measure(fn, inputs) -> tuple[float, float]:
    """Median wall ms and median processor ms per call."""
    walls, cpus = [], []
    for _ in range(ROUNDS):
        for x in inputs:
            w0, c0 = time.perf_counter(), time.process_time()
            fn(x)
            walls.append(time.perf_counter() - w0)
            cpus.append(time.process_time() - c0)
    return 1000 * statistics.median(walls), 1000 * statistics.median(cpus)


def display(frame: np.ndarray) -> None:
    """What the preview does per shown picture: scale to the view, mirror, wrap for Qt."""
    small = cv2.resize(frame, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    np.ascontiguousarray(small[:, ::-1])


def capture_work(pair: tuple[np.ndarray, np.ndarray]) -> None:
    """What a capture does per frame besides reading it: the small copies, the repeat and movement comparisons."""
    before, after = pair
    frame_change(change_sample(before), change_sample(after))
    motion((motion_frame(before), motion_frame(after)), None, 20, 0.5)


def main() -> None:
    inputs = frames()
    greys = [working_grey(f) for f in inputs]
    full_greys = [cv2.cvtColor(f, cv2.COLOR_BGR2GRAY) for f in inputs]
    quick = HaarFaceDetector(passes=((320, 0.08),))
    checks_detector = HaarFaceDetector()
    live, thresholds = LiveMotion(), Thresholds()
    analysed = {id(f): analyse_frame(f, quick) for f in inputs}
    baseline = cv2.CascadeClassifier(str(Path(cv2.data.haarcascades) / "haarcascade_frontalface_default.xml"))

    rows = [
        ("whole analysis, as the checks run it", measure(lambda f: analyse_frame(f, checks_detector), inputs)),
        ("whole analysis, as the preview runs it", measure(lambda f: analyse_frame(f, quick), inputs)),
        ("face detection alone (preview, 320 px)", measure(quick.detect, greys)),
        ("face detection alone (checks, two passes)", measure(checks_detector.detect, greys)),
        ("capture work per pair of frames (repeats, movement)", measure(capture_work, list(pairwise(inputs)))),
        ("preview movement per verdict (last 10 frames)",
         measure(lambda f: live.update(f, analysed[id(f)], thresholds), inputs)),
        ("preview display work per picture", measure(display, inputs)),
        ("baseline: full-resolution Haar detectMultiScale",
         measure(lambda g: baseline.detectMultiScale(g, scaleFactor=1.1, minNeighbors=5), full_greys)),
    ]
    print(f"1280×720 frames, {len(inputs)} scenes × {ROUNDS} rounds, OpenCV {cv2.__version__}, "
          f"{cv2.getNumThreads()} OpenCV threads")
    print(f"{'what':50s} {'wall ms':>8s} {'cpu ms':>8s}")
    for name, (wall, cpu) in rows:
        print(f"{name:50s} {wall:8.1f} {cpu:8.1f}")
    row = dict(rows)
    base = rows[-1][1][0]
    print(f"face detection speed-up over the baseline: {base / rows[2][1][0]:.1f}× (preview), "
          f"{base / rows[3][1][0]:.1f}× (checks)")
    print(f"whole analysis as the checks run it: {rows[0][1][0]:.1f} ms a frame (goal: under 20 ms)")
    preview_cpu = (5 * (row["whole analysis, as the preview runs it"][1]
                        + row["preview movement per verdict (last 10 frames)"][1])
                   + 30 * row["preview display work per picture"][1])  # ms of processor time per second
    print(f"live preview, 30 pictures and 5 verdicts a second: {preview_cpu / 10:.0f}% of one core "
          f"(goal: under 33%)")


if __name__ == "__main__":
    main()
