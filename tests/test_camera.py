"""Camera checks on webcam-like frames with known truth (a real portrait composited into drawn rooms)."""

from __future__ import annotations

import base64
import json
import os
import threading

import cv2
import numpy as np
import pytest

from checks.analysis.camera import (
    analyse_frame,
    as_bgr,
    change_sample,
    clutter,
    frame_change,
    motion,
    motion_frame,
    sharpness,
    working_grey,
)
from checks.analysis.faces import default_detector
from checks.api import Status
from checks.builtin.camera import (
    judge_backlight,
    judge_clutter,
    judge_colour,
    judge_exposure,
    judge_framing,
    judge_motion,
    judge_resolution,
    judge_sharpness,
    judge_side_light,
)
from checks.config.servers import NetworkSettings
from checks.engine.discovery import discover
from checks.engine.runner import RunConfig, RunListener, Runner
from checks.engine.thresholds import Thresholds
from checks.report.model import Report
from checks.sources.camera import CameraSpec
from checks.sources.mic import MicSpec
from checks.text.figures import figure
from checks.text.wording import say
from tests.conftest import DEMO, run_cli
from tests.support import scenes
from tests.support.shown import assert_told_once_in_window_and_pdf

W, H = 1280, 720
LIMITS = {name: Thresholds().for_check(f"camera.{name}")
          for name in ("exposure", "backlight", "framing", "sharpness", "clutter", "side_light", "colour")}
JUDGES = {"exposure": judge_exposure, "backlight": judge_backlight, "framing": judge_framing,
          "sharpness": judge_sharpness, "clutter": judge_clutter, "side_light": judge_side_light,
          "colour": judge_colour}


def good() -> np.ndarray:
    return scenes.place(scenes.wall(W, H)).frame


# Each scene, and what every camera check must say about it (check -> (status, rule)).
PASS = (Status.PASS, "ok")
ALL_PASS = dict.fromkeys(JUDGES, PASS)
SKIN_PASS = dict.fromkeys(("colour", "side_light", "framing", "sharpness", "clutter"), PASS)
CASES = {
    "well set up": (good, ALL_PASS),
    "too dark": (lambda: scenes.lit(good(), 0.22), {"exposure": (Status.FAIL, "too_dark"), "framing": PASS}),
    "dim": (lambda: scenes.lit(good(), 0.45), {"exposure": (Status.WARN, "dark"), "framing": PASS}),
    "overexposed": (lambda: scenes.lit(good(), 2.2), {"exposure": (Status.FAIL, "overexposed")}),
    "window behind": (lambda: scenes.place(scenes.window(W, H)).frame,
                      {"backlight": (Status.WARN, "window"), "exposure": PASS, "framing": PASS}),
    "silhouette": (lambda: scenes.place(scenes.window(W, H), person_gain=0.45).frame,
                   {"backlight": (Status.FAIL, "silhouette"), "exposure": (Status.WARN, "dark")}),
    "off to the left": (lambda: scenes.place(scenes.wall(W, H), face_cx=0.25).frame,
                        {"framing": (Status.WARN, "move_left")}),
    "off to the right": (lambda: scenes.place(scenes.wall(W, H), face_cx=0.75).frame,
                         {"framing": (Status.WARN, "move_right")}),
    "too close": (lambda: scenes.place(scenes.wall(W, H), face_w=0.3, face_top=0.12).frame,
                  {"framing": (Status.WARN, "too_close")}),
    "too far": (lambda: scenes.place(scenes.wall(W, H), face_w=0.06, face_top=0.35).frame,
                {"framing": (Status.WARN, "too_far")}),
    "head cut off": (lambda: scenes.place(scenes.wall(W, H), face_top=0.02).frame,
                     {"framing": (Status.WARN, "head_cut")}),
    "sunk to the bottom": (lambda: scenes.place(scenes.wall(W, H), face_top=0.6).frame,
                           {"framing": (Status.WARN, "too_low")}),
    "slightly blurred": (lambda: cv2.GaussianBlur(good(), (0, 0), 2.5), {"sharpness": (Status.WARN, "soft")}),
    "out of focus": (lambda: cv2.GaussianBlur(good(), (0, 0), 4), {"sharpness": (Status.FAIL, "blurred")}),
    "a wall of bookshelves": (lambda: scenes.place(scenes.shelves(W, H)).frame,
                              {"clutter": PASS, "framing": PASS, "exposure": PASS}),
    "a tidy shelf and a framed picture": (lambda: scenes.place(scenes.tidy_shelf(W, H)).frame, ALL_PASS),
    "a messy heap": (lambda: scenes.place(scenes.heap(W, H)).frame,
                     {"clutter": (Status.WARN, "busy"), "framing": PASS, "exposure": PASS, "colour": PASS}),
    "another messy heap": (lambda: scenes.place(scenes.heap(W, H, seed=7)).frame, {"clutter": (Status.WARN, "busy")}),
    "light from one side": (lambda: scenes.place(scenes.wall(W, H), shadow=0.55).frame,
                            {"side_light": (Status.WARN, "one_side"), "framing": PASS, "colour": PASS}),
    "a little light from one side": (lambda: scenes.place(scenes.wall(W, H), shadow=0.85).frame,
                                     {"side_light": PASS, "framing": PASS}),
    "an orange lamp": (lambda: scenes.orange_lamp(good()), {"colour": (Status.WARN, "cast"), "framing": PASS,
                                                            "side_light": PASS, "exposure": PASS}),
    "a blue screen glow": (lambda: scenes.screen_glow(good()), {"colour": (Status.WARN, "cast"), "framing": PASS}),
    # darker skin is no colour cast (exposure and backlight compare the face's brightness with fixed levels and
    # with the wall, so they are left out here)
    "light brown skin": (lambda: scenes.place(scenes.wall(W, H), skin=0.7).frame, ALL_PASS),
    "brown skin": (lambda: scenes.place(scenes.wall(W, H), skin=0.55).frame, SKIN_PASS),
    "dark brown skin": (lambda: scenes.place(scenes.wall(W, H), skin=0.4).frame, SKIN_PASS),
    "very dark skin": (lambda: scenes.place(scenes.wall(W, H), skin=0.28).frame, SKIN_PASS),
    "very dark skin under an orange lamp": (lambda: scenes.orange_lamp(scenes.place(scenes.wall(W, H),
                                                                                    skin=0.28).frame),
                                            {"colour": (Status.WARN, "cast"), "framing": PASS}),
    "very dark skin by a tidy shelf": (lambda: scenes.place(scenes.tidy_shelf(W, H), skin=0.28).frame,
                                       {"colour": PASS, "clutter": PASS, "framing": PASS}),
    "two people": (lambda: scenes.place(scenes.place(scenes.wall(W, H), face_cx=0.3).frame, face_cx=0.72,
                                        flip=True).frame, {"framing": (Status.WARN, "several")}),
    "empty room": (lambda: scenes.wall(W, H), {"framing": (Status.FAIL, "no_face")}),
    "an empty room with shelves": (lambda: scenes.shelves(W, H), {"framing": (Status.FAIL, "no_face"),
                                                                  "side_light": (Status.SKIP, "no_face")}),
    "a pet": (lambda: scenes.pet(scenes.wall(W, H)), {"framing": (Status.FAIL, "no_face")}),
    "small camera": (lambda: cv2.resize(good(), (640, 360), interpolation=cv2.INTER_AREA), ALL_PASS),
    "4K camera": (lambda: cv2.resize(good(), (3840, 2160)), ALL_PASS),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_scene_gets_the_right_verdicts(name):
    make, expected = CASES[name]
    analysis = analyse_frame(scenes.noisy(make()), default_detector())
    got = {check: JUDGES[check](analysis, LIMITS[check]) for check in expected}
    assert {c: (f.status, f.key) for c, f in got.items()} == expected


def test_the_face_box_matches_the_truth():
    scene = scenes.place(scenes.wall(W, H), face_cx=0.4, face_top=0.3)
    analysis = analyse_frame(scenes.noisy(scene.frame), default_detector())
    x, y, w, h = scene.face
    face = analysis.face
    assert face is not None
    assert abs(face.cx - (x + w / 2)) < 0.02 and abs(face.cy - (y + h / 2)) < 0.03
    assert face.w == pytest.approx(w, rel=0.2)


def test_darker_means_lower_exposure():
    frame = good()
    values = [analyse_frame(scenes.lit(frame, g), default_detector()).exposure.face_luma
              for g in (1.3, 1.0, 0.8, 0.6, 0.4, 0.25)]
    assert values == sorted(values, reverse=True)


def test_more_blur_means_lower_sharpness_at_every_size():
    for size in ((640, 360), (1280, 720), (1920, 1080)):
        frame = cv2.resize(good(), size, interpolation=cv2.INTER_AREA)
        face = analyse_frame(frame, default_detector()).face
        scores = [sharpness(cv2.GaussianBlur(frame, (0, 0), s * size[0] / 1280) if s else frame, face)
                  for s in (0, 1, 2, 3, 5)]
        assert scores == sorted(scores, reverse=True), (size, scores)


def test_sharpness_does_not_depend_on_the_resolution():
    scores = []
    for size in ((640, 360), (1280, 720), (1920, 1080)):
        frame = cv2.resize(good(), size, interpolation=cv2.INTER_AREA)
        scores.append(analyse_frame(frame, default_detector()).sharpness)
    assert max(scores) / min(scores) < 1.6, scores


def test_more_things_behind_means_more_edges_but_order_is_calm():
    plain, shelf, heap = (analyse_frame(scenes.place(room).frame, default_detector()).clutter
                          for room in (scenes.wall(W, H), scenes.tidy_shelf(W, H), scenes.heap(W, H)))
    assert plain.edges < shelf.edges and plain.score < shelf.score < heap.score
    assert shelf.disorder < 0.4 < 0.8 < heap.disorder  # books and frames line up; a heap has every angle


@pytest.mark.parametrize("seed", range(4))
def test_turning_the_same_things_to_random_angles_raises_clutter_and_aligning_lowers_it(seed):
    rng = np.random.default_rng(seed)
    angles = rng.uniform(-90, 90, 10)
    half = angles.copy()
    half[::2] = 0  # every other thing put straight
    scores = [clutter(working_grey(scenes.noisy(scenes.scattered(W, H, a, seed=seed), seed=seed)), None).score
              for a in (angles, half, 0.0)]
    assert scores[0] > scores[1] > scores[2], scores


def test_clutter_is_the_same_for_the_same_room_at_any_resolution():
    room = scenes.place(scenes.heap(W, H)).frame
    scores = [analyse_frame(cv2.resize(room, size, interpolation=cv2.INTER_AREA), default_detector()).clutter.score
              for size in ((960, 540), (1280, 720), (1920, 1080))]
    assert max(scores) / min(scores) < 1.3, scores


def test_a_deeper_shadow_on_one_side_lowers_the_side_light_ratio():
    ratios = []
    for shadow in (1.0, 0.9, 0.8, 0.7, 0.6):
        a = analyse_frame(scenes.place(scenes.wall(W, H), shadow=shadow).frame, default_detector())
        ratios.append(a.side_light.ratio)
        assert a.side_light.dark_side == "left" or shadow == 1.0  # the picture's right: the person's left cheek
    assert ratios == sorted(ratios, reverse=True), ratios
    mirrored = analyse_frame(scenes.place(scenes.wall(W, H), shadow=0.6).frame[:, ::-1], default_detector())
    assert mirrored.side_light.dark_side == "right"


def test_a_stronger_tint_means_a_stronger_cast_and_its_name():
    frame = good()
    casts = [analyse_frame(scenes.tinted(frame, 1 - k, 1 - k / 3, 1 + k / 10), default_detector()).colour.cast
             for k in (0.0, 0.1, 0.2, 0.3, 0.4)]
    assert casts == sorted(casts), casts
    assert analyse_frame(scenes.orange_lamp(frame), default_detector()).colour.tint == "orange"
    assert analyse_frame(scenes.screen_glow(frame), default_detector()).colour.tint == "blue"
    assert analyse_frame(scenes.tinted(frame, 0.8, 1.1, 0.8), default_detector()).colour.tint == "green"


@pytest.mark.parametrize("room", ["wall", "tidy_shelf", "window"])
def test_darker_skin_is_not_a_colour_cast(room):
    """The cast is judged on the background and the picture's grey balance, so skin of any tone leaves it alone."""
    make = getattr(scenes, room)
    casts = {skin: analyse_frame(scenes.noisy(scenes.place(make(W, H), skin=skin).frame), default_detector()).colour
             for skin in (1.0, 0.7, 0.55, 0.4, 0.28)}
    light = casts[1.0].cast
    for skin, measured in casts.items():
        assert abs(measured.cast - light) < 1.5, (skin, measured)
        assert judge_colour_of(measured) is Status.PASS


def test_only_the_skin_tinted_is_not_a_colour_cast():
    photo = scenes.place(scenes.wall(W, H)).frame
    person = scenes.place(np.zeros((H, W, 3), np.uint8)).frame.any(axis=2)
    warm = photo.copy()
    warm[person] = scenes.orange_lamp(photo)[person]  # a warm lamp on the face only, the room neutral
    assert judge_colour_of(analyse_frame(warm, default_detector()).colour) is Status.PASS


def judge_colour_of(measured) -> Status:
    from dataclasses import replace

    analysis = replace(analyse_frame(good(), default_detector()), colour=measured)
    return judge_colour(analysis, LIMITS["colour"]).status


@pytest.mark.parametrize(("frame", "shape"), [
    (np.full((480, 640), 128, np.uint8), (480, 640, 3)),
    (np.full((480, 640, 4), 128, np.uint8), (480, 640, 3)),
    (np.full((480, 640, 1), 128, np.uint8), (480, 640, 3)),
    (np.full((480, 640, 3), 40000, np.uint16), (480, 640, 3)),
    (np.full((480, 640, 3), 0.5, np.float32), (480, 640, 3)),
])
def test_frames_of_any_common_format_are_accepted(frame, shape):
    bgr = as_bgr(frame)
    assert bgr.shape == shape and bgr.dtype == np.uint8 and 120 <= bgr.mean() <= 160


@pytest.mark.parametrize(("frame", "message"), [
    (np.zeros((1, 1, 3), np.uint8), "too small"),
    (np.zeros((480, 640, 2), np.uint8), "grey, BGR or BGRA"),
    (np.zeros((480, 640, 3), np.int64), "8-bit"),
    ("not a frame", "image array"),
])
def test_frames_that_cannot_be_judged_say_why(frame, message):
    with pytest.raises(ValueError, match=message):
        analyse_frame(frame, default_detector())


def test_an_all_black_and_an_all_white_picture():
    black = analyse_frame(np.zeros((720, 1280, 3), np.uint8), default_detector())
    white = analyse_frame(np.full((720, 1280, 3), 255, np.uint8), default_detector())
    assert judge_exposure(black, LIMITS["exposure"]).key == "too_dark"
    assert judge_exposure(white, LIMITS["exposure"]).key == "overexposed"
    assert judge_framing(black, LIMITS["framing"]).key == "no_face"


def _check(tmp_path, frame, name="frame.png", *extra):
    path = tmp_path / name
    cv2.imwrite(str(path), frame)
    done = run_cli("check", "--camera", str(path), "--mic", "none", "--network", "none", "--only", "camera.*",
                   "--json", *extra)
    assert "Traceback" not in done.stderr, done.stderr
    return done, {c["id"]: c for c in json.loads(done.stdout)["checks"]}


def test_cli_on_a_well_set_up_frame(tmp_path):
    done, checks = _check(tmp_path, scenes.noisy(good()), "good.jpg")
    assert done.returncode == 0
    assert {i: c["status"] for i, c in checks.items()} == dict.fromkeys(
        ["camera.device", "camera.resolution", "camera.framing", "camera.exposure", "camera.backlight",
         "camera.side_light", "camera.colour", "camera.sharpness", "camera.clutter"], "pass") | {
        "camera.motion": "skip"}  # a single picture shows no movement
    assert checks["camera.motion"]["summary"] == say("camera.motion.still.summary")
    face = checks["camera.framing"]["details"]
    assert 0.4 < face["face_x"] + face["face_w"] / 2 < 0.6 and face["faces"] == 1


def test_cli_on_a_backlit_candidate(tmp_path):
    frame = scenes.noisy(scenes.place(scenes.window(W, H), person_gain=0.45).frame)
    done, checks = _check(tmp_path, frame)
    assert done.returncode == 1
    assert checks["camera.backlight"]["status"] == "fail"
    assert checks["camera.backlight"]["advice"][-1].startswith("Turn to face the window")


def test_cli_on_a_tiny_black_picture(tmp_path):
    done, checks = _check(tmp_path, np.zeros((8, 8, 3), np.uint8))
    assert done.returncode == 1
    assert checks["camera.exposure"]["status"] == "fail"
    exposure = checks["camera.exposure"]  # said in the language in use; the analysis's own words stay in the details
    assert exposure["summary"] == say("camera.bad_frame.summary") and exposure["details"]["rule"] == "bad_frame"
    assert "8×8 pixels is too small to judge" in exposure["details"]["error"]


def test_cli_on_a_low_resolution_grey_picture(tmp_path):
    grey = cv2.cvtColor(cv2.resize(good(), (320, 180), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2GRAY)
    _, checks = _check(tmp_path, grey)
    assert checks["camera.resolution"]["status"] == "fail"
    assert checks["camera.resolution"]["details"]["rule"] == "tiny"


def test_cli_on_the_demo_video_measures_its_frame_rate():
    done = run_cli("check", "--demo", "--mic", "none", "--only", "camera.*", "--json")
    checks = {c["id"]: c for c in json.loads(done.stdout)["checks"]}
    assert checks["camera.resolution"]["value"] == pytest.approx(25, abs=0.5)
    assert checks["camera.resolution"]["status"] == "pass"


def test_cli_on_a_truncated_video(tmp_path):
    data = (DEMO / "camera.avi").read_bytes()
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(data[: len(data) // 3])
    done = run_cli("check", "--camera", str(broken), "--mic", "none", "--network", "none", "--only", "camera.*",
                   "--json")
    assert "Traceback" not in done.stderr
    checks = json.loads(done.stdout)["checks"]
    assert all(c["status"] in ("pass", "warn", "fail", "skip") for c in checks), checks
    assert all(c["summary"] for c in checks)


def test_a_frozen_camera_is_named(tmp_path):
    path = tmp_path / "frozen.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 25, (W, H))
    frame = good()
    for _ in range(40):
        writer.write(frame)
    writer.release()
    done = run_cli("check", "--camera", str(path), "--mic", "none", "--network", "none", "--only",
                   "camera.resolution", "--json")
    [result] = json.loads(done.stdout)["checks"]
    assert (result["status"], result["details"]["rule"]) == ("fail", "frozen")


# -- the opt-in snapshot --------------------------------------------------------------------------------


def _green_box(picture: np.ndarray) -> tuple[float, float, float, float]:
    """Where the snapshot's face box is drawn (its green outline), as shares of the picture (x, y, w, h)."""
    b, g, r = (picture[..., i].astype(int) for i in range(3))
    ys, xs = np.nonzero((g > 180) & (b < 60) & (r > 80) & (r < 170))
    h, w = picture.shape[:2]
    return xs.min() / w, ys.min() / h, (xs.max() - xs.min()) / w, (ys.max() - ys.min()) / h


def test_the_snapshot_shows_the_guides_and_boxes_the_face_where_it_is():
    from checks.analysis.camera import GUIDE_EYES_Y, GUIDE_X, snapshot

    scene = scenes.place(scenes.wall(W, H), face_cx=0.35, face_top=0.3)
    analysis = analyse_frame(scene.frame, default_detector())
    picture = snapshot(scene.frame, analysis.face)
    assert picture.shape == (270, 480, 3)  # small, the same proportions
    x, y, w, h = _green_box(picture)
    face = analysis.face
    assert (x, y, w, h) == pytest.approx((face.x, face.y, face.w, face.h), abs=0.01)
    assert x + w / 2 < 0.5  # not mirrored: the face stays left of the middle, where the camera saw it
    column, row = picture[:, round(GUIDE_X * 480)], picture[round(GUIDE_EYES_Y * 270)]
    for line in (column, row):  # dashed white guides over a dark edge
        white = np.all(line >= 250, axis=1).mean()
        assert 0.3 < white < 0.7
    assert np.array_equal(snapshot(scene.frame[:90, :160], None).shape, (90, 160, 3))  # never enlarged


def test_no_snapshot_unless_asked_for_and_then_only_on_framing(tmp_path):
    frame = scenes.noisy(good())
    _, without = _check(tmp_path, frame)
    assert not any("picture" in c for c in without.values())
    report_file = tmp_path / "with.json"
    done, with_snapshot = _check(tmp_path, frame, "snap.png", "--snapshot", "--report", str(report_file))
    assert [i for i, c in with_snapshot.items() if "picture" in c] == ["camera.framing"]
    picture = with_snapshot["camera.framing"]["picture"]
    image = cv2.imdecode(np.frombuffer(base64.b64decode(picture["base64"]), np.uint8),
                         cv2.IMREAD_COLOR)
    assert image.shape == (picture["height"], picture["width"], 3) == (270, 480, 3)
    assert picture["media_type"] == "image/jpeg" and "framing guides" in picture["description"]
    assert json.loads(report_file.read_text())["checks"] == json.loads(done.stdout)["checks"]


# -- picture size, frame rate, frozen pictures -------------------------------------------------------------------


def _delivered(fps: float = 30, frozen: float = 0.0, black: float = 0.0):
    from checks.analysis.camera import Delivery

    return Delivery(60, fps, black, frozen)


@pytest.mark.parametrize(("size", "fps", "expected"), [
    ((1920, 1080), 30, (Status.PASS, "ok")),
    ((1280, 720), 30, (Status.PASS, "ok")),
    ((1280, 720), 20, (Status.WARN, "slow")),
    ((1280, 720), 9, (Status.FAIL, "very_slow")),
    ((640, 480), 30, (Status.WARN, "low")),
    ((640, 360), 30, (Status.WARN, "low")),  # "360p", what many laptop cameras send by default
    ((480, 270), 30, (Status.FAIL, "tiny")),
    ((320, 240), 30, (Status.FAIL, "tiny")),
])
def test_resolution_rules(size, fps, expected):
    finding = judge_resolution(*size, _delivered(fps), False, Thresholds().for_check("camera.resolution"))
    assert (finding.status, finding.key) == expected


def test_only_a_mostly_repeating_capture_is_frozen():
    limits = Thresholds().for_check("camera.resolution")
    assert judge_resolution(1280, 720, _delivered(frozen=0.95), False, limits).key == "frozen"
    assert judge_resolution(1280, 720, _delivered(frozen=0.6), False, limits).key == "frozen"
    assert judge_resolution(1280, 720, _delivered(frozen=0.3), False, limits).key == "ok"  # a camera that stutters
    assert judge_resolution(1280, 720, _delivered(frozen=1.0), True, limits).key == "still_ok"  # a picture file


def test_faint_sensor_noise_is_change_and_a_repeated_picture_is_not():
    frame = good()
    still = [change_sample(scenes.noisy(frame, sigma=0.4, seed=i)) for i in range(3)]
    assert frame_change(still[0], still[1]) >= 0.2 > Thresholds().for_check("camera.resolution")["frozen_change"]
    assert frame_change(change_sample(frame), change_sample(frame.copy())) == 0.0
    assert frame_change(change_sample(frame), change_sample(frame[:360])) == 255.0  # the size changed


# -- movement behind the person ----------------------------------------------------------------------------------

MOTION = Thresholds().for_check("camera.motion")


def _moving(frames):
    face = analyse_frame(frames[-1], default_detector()).face
    return motion([motion_frame(f) for f in frames], face, MOTION["level"], MOTION["min_area_percent"])


def test_someone_walking_behind_is_movement_and_more_of_it_is_more():
    room = scenes.wall(W, H)
    walk = scenes.walking_behind(room, 30)
    crossing = _moving(walk)
    assert judge_motion(crossing, False, MOTION).status is Status.WARN
    assert 0.5 < crossing.moving_share <= 1.0 and crossing.largest > 5
    briefly = _moving(walk[:4] + [walk[3]] * 26)  # they come into view for a moment, then stand still
    assert briefly.moving_share < crossing.moving_share


@pytest.mark.parametrize("what", ["noise", "exposure", "breathing"])
def test_what_is_not_movement_behind_you(what):
    room = scenes.tidy_shelf(W, H)
    if what == "noise":
        frames = [scenes.noisy(scenes.place(room).frame, sigma=4, seed=i) for i in range(12)]
    elif what == "exposure":  # the camera brightening the picture as it adjusts
        frames = [scenes.lit(scenes.place(room).frame, 0.8 + 0.03 * i) for i in range(12)]
    else:  # the candidate sways and breathes: movement inside their own area
        frames = [scenes.place(room, face_cx=0.5 + 0.01 * np.sin(i), face_top=0.28 + 0.004 * np.cos(i)).frame
                  for i in range(12)]
    moving = _moving(frames)
    assert judge_motion(moving, False, MOTION).status is Status.PASS, moving


def test_movement_is_not_judged_on_a_single_picture():
    frame = good()
    assert judge_motion(_moving([frame]), True, MOTION).status is Status.SKIP
    assert judge_motion(_moving([frame, frame]), False, MOTION).status is Status.SKIP  # too few frames to tell


# -- videos, through the command line ----------------------------------------------------------------------------


def _run_video(path):
    done = run_cli("check", "--camera", str(path), "--mic", "none", "--network", "none", "--only", "camera.*",
                   "--json")
    assert "Traceback" not in done.stderr, done.stderr
    return {c["id"]: (c["status"], c["details"].get("rule")) for c in json.loads(done.stdout)["checks"]}


VIDEOS = {
    # name: (frames, codec, what the checks must say)
    "a still room from a low-noise camera (MJPEG, as webcams send it)": (
        lambda: scenes.sitting_still(scenes.wall(W, H), 30), "MJPG",
        {"camera.resolution": ("pass", "ok"), "camera.motion": ("pass", "ok"), "camera.framing": ("pass", "ok")}),
    "a still room from a low-noise camera (MPEG-4 file)": (
        lambda: scenes.sitting_still(scenes.wall(W, H), 30), "mp4v",
        {"camera.resolution": ("pass", "ok"), "camera.motion": ("pass", "ok")}),
    "a frozen camera (MPEG-4 file)": (
        lambda: scenes.frozen(scenes.wall(W, H), 30), "mp4v", {"camera.resolution": ("fail", "frozen")}),
    "someone walking behind": (
        lambda: scenes.walking_behind(scenes.wall(W, H), 30), "mp4v",
        {"camera.motion": ("warn", "moving"), "camera.framing": ("pass", "ok"), "camera.resolution": ("pass", "ok")}),
    "a 360p camera": (
        lambda: [cv2.resize(f, (640, 360), interpolation=cv2.INTER_AREA)
                 for f in scenes.sitting_still(scenes.tidy_shelf(W, H), 30, noise=2.5)], "mp4v",
        {"camera.resolution": ("warn", "low"), "camera.motion": ("pass", "ok"), "camera.clutter": ("pass", "ok"),
         "camera.framing": ("pass", "ok"), "camera.exposure": ("pass", "ok")}),
}


@pytest.mark.parametrize("name", list(VIDEOS))
def test_each_video_gets_the_right_verdicts(tmp_path, name):
    make, codec, expected = VIDEOS[name]
    path = tmp_path / ("clip.avi" if codec == "MJPG" else "clip.mp4")
    scenes.write_video(path, make(), fourcc=codec)
    got = _run_video(path)
    assert {check: got[check] for check in expected} == expected


class TruncatesWhileRead(RunListener):
    """Truncates the video file from another thread as soon as a picture check starts reading it (the camera check
    has read its first frames: the camera works)."""

    def __init__(self, path) -> None:
        self.path = path
        self.cut = threading.Event()

    def check_progress(self, check_id, fraction, message):
        if check_id != "camera.device" and not self.cut.is_set():
            cutter = threading.Thread(target=lambda: os.truncate(self.path, 0), name="truncate")
            cutter.start()
            cutter.join()
            self.cut.set()


def test_a_video_truncated_while_read_is_one_problem(qtbot, tmp_path):
    """A real video file cut to nothing while the picture checks read it: the camera check had passed; the first
    picture check says the camera stopped sending pictures (and after how long), the others are not checked because
    of it, in the report model and in its text and JSON, in the window and in the PDF (they were nine problems, "sends
    no picture")."""
    path = tmp_path / "camera.avi"
    scenes.write_video(path, scenes.sitting_still(scenes.wall(W, H), 120), fourcc="MJPG")  # 4.8 s: read 30 frames
    listener = TruncatesWhileRead(path)
    checks = discover("camera.*")
    results = Runner(checks, RunConfig(camera=CameraSpec.parse(str(path)), mic=MicSpec("none"),
                                       network=NetworkSettings("none")), listener).run()
    assert listener.cut.is_set() and path.stat().st_size == 0
    by_id = {r.id: r for r in results}
    assert by_id["camera.device"].status is Status.PASS
    (stopped,) = [r for r in results if r.status.is_problem]
    assert stopped.status is Status.FAIL and stopped.details["reason"] == "lost.camera"
    assert stopped.details["lost"] == "camera" and stopped.details["source"] == "camera.no_picture"
    seconds = stopped.details["after_s"]
    assert stopped.summary == say("lost.camera.summary", seconds=figure(seconds, "s"))  # the figure stored
    others = [r for r in results if r.id not in ("camera.device", stopped.id)]
    assert len(others) == len(checks) - 2 >= 8
    assert all(r.status is Status.SKIP and r.details == {"because": stopped.id} for r in others)
    report = Report(tuple(results))
    assert [(c.result.id, len(c.dependents)) for c in report.causes()] == [(stopped.id, len(others))]
    text = report.render_text()
    assert f"[✗] {stopped.title}: The camera stopped sending pictures after " in text
    assert text.rstrip().endswith("Not ready: 1 problem") and text.count("[✗]") == 1
    data = json.loads(report.to_json())
    assert data["headline"] == "Not ready: 1 problem" and data["fix_first"] == stopped.id
    assert_told_once_in_window_and_pdf(qtbot, tmp_path, results, stopped.id, say("lost.camera.headline"))
