"""The live preview: one shared camera feed, smoothed hints, the window's camera panel, and release on close."""

from __future__ import annotations

import threading
import time

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible

from app.cli import make_parser
from app.session import resolve
from app.window import MainWindow
from checks.analysis.camera import analyse_frame
from checks.analysis.faces import default_detector
from checks.analysis.smoothing import Steady
from checks.api import Status
from checks.builtin.camera import LiveMotion, hint_text, live_hint
from checks.engine.discovery import find_plugins, load
from checks.engine.runner import RunConfig, Runner
from checks.engine.thresholds import Thresholds
from checks.report.model import build_report
from checks.report.steps import headline, summarise
from checks.sources import SourceError
from checks.sources.camera import CameraSpec, FrameFeed, open_camera
from checks.text.wording import say
from tests.support import scenes


def test_steady_ignores_a_single_odd_verdict():
    steady: Steady[str] = Steady(window=5, needed=3)
    shown = [steady.update(v) for v in ["ok", "ok", "left", "ok", "left", "left", "left", "ok", "left"]]
    assert shown == ["ok", "ok", "ok", "ok", "ok", "left", "left", "left", "left"]
    with pytest.raises(ValueError):
        Steady(window=2, needed=3)


@pytest.mark.parametrize(("make", "check", "key"), [
    (lambda: scenes.place(scenes.wall(1280, 720), face_cx=0.25).frame, "camera.framing", "move_left"),
    (lambda: scenes.lit(scenes.place(scenes.wall(1280, 720)).frame, 0.22), "camera.exposure", "too_dark"),
    (lambda: scenes.place(scenes.window(1280, 720), person_gain=0.45).frame, "camera.backlight", "silhouette"),
    (lambda: scenes.wall(1280, 720), "camera.framing", "no_face"),
    (lambda: scenes.place(scenes.wall(1280, 720)).frame, "camera.framing", "ok"),
    (lambda: scenes.place(scenes.wall(1280, 720), shadow=0.55).frame, "camera.side_light", "one_side"),
    (lambda: scenes.orange_lamp(scenes.place(scenes.wall(1280, 720)).frame), "camera.colour", "cast"),
    (lambda: scenes.place(scenes.heap(1280, 720)).frame, "camera.clutter", "busy"),
    (lambda: scenes.place(scenes.tidy_shelf(1280, 720)).frame, "camera.framing", "ok"),
])
def test_the_live_hint_is_the_first_thing_to_fix(make, check, key):
    check_id, finding = live_hint(analyse_frame(make(), default_detector()), Thresholds())
    assert (check_id, finding.key) == (check, key)
    assert hint_text(check_id, finding)


def _window_over(room: np.ndarray) -> np.ndarray:
    """A bright window in the top corner of a cluttered room."""
    room = room.copy()
    cv2.rectangle(room, (0, 0), (room.shape[1] // 3, room.shape[0] // 2), (252, 252, 252), -1)
    return room


COACHED = {  # real photographs composed into rooms: what the coach and the card must both put first
    "two people": lambda: scenes.place(scenes.place(scenes.wall(1280, 720), face_cx=0.3).frame, face_cx=0.72,
                                       flip=True).frame,
    "clutter with light behind": lambda: scenes.place(_window_over(scenes.heap(1280, 720)), person_gain=0.6).frame,
    "a heap behind": lambda: scenes.place(scenes.heap(1280, 720)).frame,
    "a blurred frame": lambda: cv2.GaussianBlur(scenes.place(scenes.wall(1280, 720)).frame, (0, 0), 6),
}


@pytest.mark.parametrize("scene", list(COACHED))
def test_the_coach_and_the_card_after_a_run_say_the_same_thing(tmp_path, scene):
    """The live hint on a frame and the picture card after a run of the camera checks on the same frame name the
    same finding first (one order of fixes, :mod:`checks.report.harm`)."""
    frame = scenes.noisy(COACHED[scene]())
    coached_id, coached = live_hint(analyse_frame(frame, default_detector()), Thresholds())
    assert coached.status in (Status.WARN, Status.FAIL), scene  # each scene has something to coach
    path = tmp_path / "frame.png"
    cv2.imwrite(str(path), frame)
    wanted = [p for p in find_plugins() if p.name.startswith("camera.")]
    results = Runner([load(p) for p in wanted], RunConfig(camera=CameraSpec("file", path=path))).run()
    card = summarise("picture", results, build_report(results))
    first = card.problems[0]
    assert (first.id, first.details.get("rule")) == (coached_id, coached.key), scene
    assert card.headline == headline(first)


def test_the_live_hint_names_movement_behind_over_the_last_frames():
    live = LiveMotion()
    thresholds = Thresholds()
    shown = []
    for frame in scenes.walking_behind(scenes.wall(1280, 720), 12):
        analysis = analyse_frame(frame, default_detector())
        shown.append(live_hint(analysis, thresholds, live.update(frame, analysis, thresholds))[0])
    assert shown[:4] == ["camera.framing"] * 4  # too few frames yet to tell
    assert shown[-1] == "camera.motion"
    assert hint_text("camera.motion", live_hint(analysis, thresholds, live.update(frame, analysis, thresholds))[1]) \
        == say("camera.motion.moving.hint")
    still = LiveMotion()
    frame = scenes.place(scenes.wall(1280, 720)).frame
    analysis = analyse_frame(frame, default_detector())
    for i in range(12):
        moving = still.update(scenes.noisy(frame, seed=i), analysis, thresholds)
    assert live_hint(analysis, thresholds, moving)[0] == "camera.framing"


def test_hints_are_short_and_every_camera_finding_has_text():
    assert hint_text("camera.framing", live_hint(analyse_frame(scenes.wall(640, 360), default_detector()),
                                                 Thresholds())[1]) == say("camera.framing.no_face.hint")
    assert say("camera.framing.move_left.hint") == "Move a little to your left"
    for key in ("camera.side_light.one_side", "camera.colour.cast", "camera.motion.moving", "camera.clutter.busy",
                "camera.resolution.low"):
        hint = say(f"{key}.hint", tint=say("camera.tint.orange"))
        assert 10 < len(hint) <= 60 and "{" not in hint, hint


def _video(path, frames: int = 30, fps: int = 25) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (320, 240))
    for i in range(frames):
        writer.write(np.full((240, 320, 3), i * 8 % 256, np.uint8))
    writer.release()


def test_a_feed_gives_every_reader_new_frames_in_order_at_the_file_pace(tmp_path):
    """Two readers of one feed each get new frames, never one twice, in the file's order, played at its pace. (Each
    gets every frame only while it keeps up: on a busy machine a reader that was not run for a frame's 40 ms gets the
    newest one, as the next test shows.)"""
    path = tmp_path / "clip.avi"
    _video(path)
    feed = FrameFeed(open_camera(CameraSpec.parse(str(path))))
    try:
        readers = [feed.reader(), feed.reader()]
        seen: list[list[float]] = [[], []]

        def consume(i: int) -> None:
            for _ in range(10):
                seen[i].append(float(readers[i].read().mean()))

        started = time.monotonic()
        threads = [threading.Thread(target=consume, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        elapsed = time.monotonic() - started
        for frames in seen:  # the clip's frames grow brighter one by one
            assert len(frames) == 10 and frames == sorted(set(frames)), seen
        assert elapsed > 8 / 25  # played at the file's 25 frames a second, not as fast as it decodes
    finally:
        feed.close()
    assert feed.source.closed


def test_a_reader_slower_than_the_camera_gets_the_newest_frame(tmp_path):
    path = tmp_path / "clip.avi"
    _video(path)
    feed = FrameFeed(open_camera(CameraSpec.parse(str(path))))
    try:
        reader = feed.reader()
        first = float(reader.read().mean())
        number = feed.latest()[0]
        end = time.monotonic() + 5
        while feed.latest()[0] < number + 3 and time.monotonic() < end:  # the reader is busy for three frames
            time.sleep(0.01)
        newest = float(feed.latest()[1].mean())
        assert float(reader.read().mean()) >= newest > first  # the newest (or a newer one), not the next one
    finally:
        feed.close()


def test_a_feed_reports_a_camera_that_stops(tmp_path):
    path = tmp_path / "clip.avi"
    _video(path, frames=5)
    source = open_camera(CameraSpec.parse(str(path)))
    feed = FrameFeed(source)
    reader = feed.reader()
    reader.read()
    feed.close()  # the camera goes away
    from checks.sources import SourceError

    with pytest.raises(SourceError):
        for _ in range(50):
            reader.read()


@pytest.fixture
def demo_window(qtbot):
    session = resolve(make_parser().parse_args(["--demo"]))
    window = MainWindow(session, demo=True)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()


def test_the_window_previews_the_camera_and_coaches(qtbot, demo_window):
    window = demo_window
    window.open_camera()
    qtbot.waitUntil(lambda: window.camera_feed is not None, timeout=10_000)
    panel = window.camera_panel
    qtbot.waitUntil(lambda: panel.view.image is not None and panel.view.face is not None, timeout=10_000)
    qtbot.waitUntil(lambda: panel.hint.text() != say("ui.camera_starting"), timeout=10_000)
    assert panel.hint.text() == say("camera.framing.ok.hint")  # the tidy bookshelf behind is calm
    assert panel.view.accessibleName() and panel.hint.accessibleDescription()
    assert QAccessible.queryAccessibleInterface(panel.hint).text(QAccessible.Text.Name) == panel.hint.text()
    face = panel.view.face
    assert 0.35 < 1 - face.cx < 0.65  # mirrored, still in the middle


def test_the_checks_share_the_preview_camera_and_close_releases_it(qtbot, demo_window):
    window = demo_window
    window.open_camera()
    qtbot.waitUntil(lambda: window.camera_feed is not None, timeout=10_000)
    feed = window.camera_feed
    with qtbot.waitSignal(window.run_finished, timeout=90_000) as blocker:
        window.start()
    results = {r.id: r for r in blocker.args[0].results}
    assert results["camera.device"].status is Status.PASS
    assert results["camera.resolution"].value == pytest.approx(25, abs=3)  # the feed's pace, not halved
    window.close()
    assert window.camera_feed is None and feed.source.closed
    with pytest.raises(SourceError):  # the feed has stopped: no newer picture comes, and nobody waits for one
        feed.wait_newer(feed.latest()[0], timeout=5.0)
    assert window.camera_panel.coach is None


def test_a_camera_that_cannot_open_shows_why_in_the_preview(qtbot, tmp_path):
    session = resolve(make_parser().parse_args(["--camera", str(tmp_path / "none.png"), "--mic", "none",
                                                "--network", "none", "--only", "camera.*"]))
    window = MainWindow(session)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.controller.camera_problem, timeout=10_000):
        window.open_camera()
    assert window.camera_feed is None
    assert str(tmp_path / "none.png") in window.camera_panel.hint.text()  # why: said once, under the preview
    assert window.camera_panel.view.message == say("ui.camera_no_picture")
    window.close()


def test_no_preview_when_the_camera_is_off(qtbot):
    session = resolve(make_parser().parse_args(["--camera", "none", "--mic", "none", "--network", "none"]))
    window = MainWindow(session)
    qtbot.addWidget(window)
    assert window.camera_panel is None
    window.open_camera()
    assert window.camera_feed is None
    window.close()



def test_the_camera_can_be_turned_off_and_on(qtbot, demo_window):
    window = demo_window
    window.open_camera()
    qtbot.waitUntil(lambda: window.camera_feed is not None, timeout=10_000)
    feed = window.camera_feed
    panel = window.camera_panel
    assert panel.toggle.text() == say("ui.camera_turn_off")
    qtbot.mouseClick(panel.toggle, Qt.MouseButton.LeftButton)
    assert window.camera_feed is None and feed.source.closed
    assert panel.hint.text() == say("ui.camera_is_off") and panel.toggle.text() == say("ui.camera_turn_on")
    qtbot.mouseClick(panel.toggle, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.camera_feed is not None, timeout=10_000)
    qtbot.waitUntil(lambda: panel.view.image is not None, timeout=10_000)
