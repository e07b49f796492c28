"""The step cards: one status per step, the one thing to fix, and a root cause counted and shown once."""

from __future__ import annotations

import dataclasses
import re

import cv2
import pytest

from checks.api import CheckResult, Lost, Status
from checks.report.model import build_report
from checks.report.steps import STEPS, headline, is_consequence, summarise
from checks.text.wording import say, say_all
from tests.support import scenes


def result(check_id: str, status: Status, summary: str = "", advice: tuple[str, ...] = (), **details: str):
    category = check_id.split(".")[0]
    return CheckResult(id=check_id, title=check_id, category=category, status=status, summary=summary or check_id,
                       advice=list(advice), details=dict(details))


NO_CAMERA = [
    result("camera.device", Status.FAIL, "No camera found.", ("Plug in your camera, or use your phone.",),
           reason="camera.none_found"),  # as a device check names its source's problem
    *(result(f"camera.{name}", Status.SKIP, because="camera.device")
      for name in ("exposure", "backlight", "framing", "sharpness", "clutter", "resolution")),
]


def test_every_category_belongs_to_one_step():
    from checks.api import CATEGORIES

    steps = [step for step, categories in STEPS for c in CATEGORIES if c in categories]
    assert len(steps) == len(CATEGORIES)


def test_no_camera_is_said_once_not_seven_times():
    report = build_report(NO_CAMERA)
    summary = summarise("picture", NO_CAMERA, report)
    assert summary.status == "fail"
    assert summary.headline == say("sources.camera.none_found.headline") == "No camera found"
    assert summary.fix == "Plug in your camera, or use your phone."  # no "Then 6 more": they are its consequences
    assert [r.id for r in summary.problems] == ["camera.device"]
    assert all(is_consequence(r) for r in NO_CAMERA[1:]) and not is_consequence(NO_CAMERA[0])


def test_a_fault_during_the_run_heads_its_step_once_before_the_findings():
    """The connection dropped during the download (the runner's one problem for it, its checks after it "not
    checked"): the card says what happened, first, before a finding of the same status, and counts it once."""
    from checks.engine.runner import lost_result
    from tests.support.checkkit import Simple, loaded

    dropped = lost_result(loaded(Simple("network.download")), Lost("network", "connection", during="testing"), 1.5)
    results = [result("network.connectivity", Status.PASS),
               result("network.platform", Status.FAIL, "Zoom cannot be reached.", ("Use another network.",)),
               dataclasses.replace(dropped, category="network"),
               *(result(f"network.{name}", Status.SKIP, because="network.download") for name in ("upload", "jitter"))]
    summary = summarise("connection", results, build_report(results))
    assert summary.headline == say("lost.connection.headline") == "Your connection dropped during the speed test"
    assert summary.fix == f"{say_all('lost.connection.advice')[-1]} {say('steps.more', n=1)}"
    assert [r.id for r in summary.problems] == ["network.download", "network.platform"]


def test_the_most_important_problem_comes_first_and_the_others_are_counted():
    results = [result("network.download", Status.WARN, "Downloads are slow.", ("Move closer to the router.",)),
               result("network.connectivity", Status.FAIL, "No internet.", ("Nothing works.", "Connect to Wi-Fi.")),
               result("system.power", Status.PASS)]
    summary = summarise("connection", results, build_report(results))
    assert summary.status == "fail" and summary.headline == say("network.connectivity.headline_fail")
    assert summary.fix == f"Connect to Wi-Fi. {say('steps.more', n=1)}"  # the fix, not the consequence before it


def test_only_warnings_need_attention_and_all_passed_is_good():
    warned = [result("mic.noise", Status.WARN, "It is noisy.", ("Close the window.",)),
              result("mic.level", Status.PASS)]
    assert summarise("sound", warned, build_report(warned)).status == "warn"
    good = [result("mic.level", Status.PASS), result("mic.noise", Status.PASS)]
    summary = summarise("sound", good, build_report(good))
    assert (summary.status, summary.headline, summary.fix) == ("pass", say("steps.sound.good"), "")


def test_running_waiting_and_not_checked():
    assert summarise("picture", [], running=["camera.device"], expected=["camera.device"]).status == "running"
    assert summarise("picture", [], expected=["camera.device"]).status == "waiting"
    skipped = [result("camera.device", Status.SKIP)]
    assert summarise("picture", skipped, build_report(skipped)).status == "skip"
    partly = [result("system.power", Status.PASS), result("network.download", Status.SKIP),
              result("network.upload", Status.PASS)]
    summary = summarise("connection", partly, build_report(partly))
    # never "ready" for it all: what was not checked is named
    assert summary.status == "pass" and summary.headline == say("steps.partly", what="network.download")
    # the computer passed but the internet was not checked at all: never "Passed"
    offline = [result("system.power", Status.PASS), result("network.download", Status.SKIP),
               result("network.upload", Status.SKIP)]
    summary = summarise("connection", offline, build_report(offline))
    assert summary.status == "skip" and summary.headline == say("steps.partly", what=say("category.network"))


def test_a_card_shows_status_in_words_and_icon_with_accessible_name_and_description(qtbot):
    from app.step_cards import StepCard

    card = StepCard("picture")
    qtbot.addWidget(card)
    card.show_summary(summarise("picture", NO_CAMERA, build_report(NO_CAMERA)))
    assert card.status.text() == say("status.fail")
    assert card.icon.pixmap() is not None and not card.icon.pixmap().isNull()
    assert card.accessibleName() == say("steps.card_name", title=say("steps.picture.title"), status=say("status.fail"))
    assert "No camera found" in card.accessibleDescription()
    shown = " ".join(label.text() for label in card.labels())
    assert shown.count("camera.") == 0 and "No camera found" in shown  # no check ids, one cause
    with qtbot.waitSignal(card.details_toggled) as blocker:
        card.details_button.click()
    assert blocker.args == ["picture", True]


def test_the_plan_b_card_and_interview_mode_show_the_reports_plan_b_through_one_widget(qtbot, tmp_path):
    """Before the interview every channel is a line as the report names it; during it the first is the thing to
    do now. Both come from the same widget, so what one shows the other never words differently."""
    from PySide6.QtCore import Qt

    from app.guardian import GuardianWindow, plan_b
    from app.plan_b import PlanBView
    from app.step_cards import PlanBCard
    from checks.config.profile import parse_profile
    from checks.report.model import channel_text

    profile = parse_profile('[[backup_channels]]\nkind = "dial_in"\nvalue = "+44 20 7946 0000,,123456#"\n'
                            '[[backup_channels]]\nkind = "chat"\nvalue = "<b>Acme</b> chat"\n')
    report = build_report([], profile)
    card = PlanBCard(offer_interview_mode=False)
    qtbot.addWidget(card)
    card.show_plan(report.backup_channels, list(report.checklist))
    shown = [label.text() for label in card.labels() if not label.isHidden()]
    assert shown[1:3] == ["\n".join(f"• {channel_text(c)}" for c in report.backup_channels),
                          "\n".join(f"• {line}" for line in report.checklist)]
    assert "<b>Acme</b> chat" in card.accessibleDescription()  # shown as written, never as markup
    card.show_plan([], ["Only this."])  # a report without channels: no empty line for them
    assert card.plan.others.isHidden() and card.plan.reminders.text() == "• Only this."
    window = GuardianWindow(*plan_b(profile), settings=tmp_path / "g.json")
    qtbot.addWidget(window)
    assert isinstance(window.card, PlanBView) and isinstance(card.plan, PlanBView)
    assert window.action.text() == "Call the dial-in: +44 20 7946 0000, PIN 123456"
    assert "<b>Acme</b> chat" in window.card.others.text()
    assert window.card.others.textFormat() == card.plan.others.textFormat() == Qt.TextFormat.PlainText


# -- headlines in plain words ------------------------------------------------------------------------------------


def _builtin_checks():
    from checks.engine.discovery import discover

    found = [c for c in discover() if c.plugin.builtin]
    assert len(found) >= 30 and all(c.check is not None for c in found), [c.error for c in found if c.error]
    return [c.check for c in found]


def _plain(sentence: str) -> bool:
    """Short, in words: no figures, units, symbols or check names (those stay in the details)."""
    return (0 < len(sentence) <= 60 and not re.search(r"[0-9%{}()<>/=_]|dB|fps|UDP|jitter|latency", sentence)
            and not sentence.endswith("."))


def test_every_builtin_check_that_can_warn_or_fail_has_a_plain_headline_for_it():
    missing, jargon = [], []
    for check in _builtin_checks():
        assert check.verdicts, f"{check.id} declares no verdicts"
        assert check.verdicts <= {Status.WARN, Status.FAIL}, check.id
        for status in sorted(check.verdicts, key=lambda s: s.value):
            key = f"{check.id}.headline_{status.value}"
            try:
                sentence = say(key)
            except KeyError:
                missing.append(key)
                continue
            if not _plain(sentence):
                jargon.append((key, sentence))
    assert not missing, f"add these to assets/locale/english.toml: {missing}"
    assert not jargon


def test_every_device_problem_has_its_own_plain_headline():
    from checks.text.catalogs import english_tree

    sources = english_tree()["sources"]
    tables = [(f"sources.{device}.{name}", table) for device, problems in sources.items()
              for name, table in problems.items() if isinstance(table, dict) and "summary" in table]
    assert len(tables) >= 20
    assert not [key for key, table in tables if "headline" not in table]
    assert all(_plain(table["headline"]) for _, table in tables)


def test_a_check_without_a_headline_is_headlined_by_its_summary():
    third_party = result("system.printer", Status.WARN, "The printer is out of paper.", ("Add paper.",))
    assert headline(third_party) == "The printer is out of paper."
    summary = summarise("connection", [third_party], build_report([third_party]))
    assert (summary.headline, summary.fix) == ("The printer is out of paper.", "Add paper.")
    # an error of the runner (a check that crashed) says what happened in its own words
    crashed = result("camera.clutter", Status.ERROR, "The check stopped with an error.")
    assert headline(crashed) == "The check stopped with an error."


def _camera_results(tmp_path, frame):
    from checks.engine.discovery import discover
    from checks.engine.runner import RunConfig, Runner
    from checks.sources.camera import CameraSpec
    from checks.sources.mic import MicSpec

    path = tmp_path / "room.png"
    cv2.imwrite(str(path), frame)
    config = RunConfig(camera=CameraSpec.parse(str(path)), mic=MicSpec("none"), screen="none")
    return Runner(discover("camera.*"), config).run()


def test_a_busy_background_is_said_as_a_person_would_and_the_figures_stay_in_the_details(tmp_path):
    results = _camera_results(tmp_path, scenes.place(scenes.heap(1280, 720)).frame)
    clutter = next(r for r in results if r.id == "camera.clutter")
    assert clutter.status is Status.WARN
    assert headline(clutter) == say("camera.clutter.headline_warn") == "Your background looks busy"
    summary = summarise("picture", results, build_report(results))
    assert [r.id for r in summary.problems] == ["camera.clutter"], [(r.id, r.status) for r in results]
    assert summary.status == "warn" and summary.headline == "Your background looks busy"
    assert clutter.summary not in (summary.headline, summary.fix)
    assert summary.fix == clutter.advice[-1]  # the details list it, with its own summary


@pytest.mark.parametrize(("frame", "cause"), [
    (lambda: scenes.wall(1280, 720), "camera.framing.headline_fail"),  # nobody in the picture
    (lambda: scenes.wall(1280, 720) * 0, "camera.resolution.black.headline"),
])
def test_the_most_important_cause_gets_its_own_headline(tmp_path, frame, cause):
    results = _camera_results(tmp_path, frame())
    summary = summarise("picture", results, build_report(results))
    assert summary.status == "fail" and summary.headline == say(cause)


def test_a_check_not_asked_for_is_not_counted_as_left_out():
    from checks.api import NOT_ASKED

    results = [result("mic.level", Status.PASS), result("mic.noise", Status.PASS),
               result("mic.echo", Status.SKIP, reason=NOT_ASKED)]
    summary = summarise("sound", results, build_report(results))
    assert (summary.status, summary.headline) == ("pass", say("steps.sound.good"))
    left_out = [*results[:2], result("mic.dropouts", Status.SKIP, reason="file")]
    assert summarise("sound", left_out, build_report(left_out)).headline == say("steps.partly", what="mic.dropouts")


def test_a_missing_camera_file_is_told_by_its_own_headline(tmp_path):
    from checks.engine.discovery import discover
    from checks.engine.runner import RunConfig, Runner
    from checks.sources.camera import CameraSpec
    from checks.sources.mic import MicSpec

    config = RunConfig(camera=CameraSpec.parse(str(tmp_path / "no-such-camera.avi")), mic=MicSpec("none"),
                       screen="none")
    results = Runner(discover("camera.*"), config).run()
    summary = summarise("picture", results, build_report(results))
    assert summary.status == "fail" and [r.id for r in summary.problems] == ["camera.device"]
    assert summary.headline == say("sources.camera.no_file.headline") == "The picture file was not found"
