"""The step cards: one status per step, the one thing to fix, and a root cause counted and shown once."""

from __future__ import annotations

from checks.api import CheckResult, Status
from checks.report import build_report
from checks.steps import STEPS, is_consequence, summarise
from checks.wording import say


def result(check_id: str, status: Status, summary: str = "", advice: tuple[str, ...] = (), **details: str):
    category = check_id.split(".")[0]
    return CheckResult(id=check_id, title=check_id, category=category, status=status, summary=summary or check_id,
                       advice=list(advice), details=dict(details))


NO_CAMERA = [
    result("camera.device", Status.FAIL, "No camera found.", ("Plug in your camera, or use your phone.",)),
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
    assert summary.headline == "No camera found."
    assert summary.fix == "Plug in your camera, or use your phone."  # no "Then 6 more": they are its consequences
    assert [r.id for r in summary.problems] == ["camera.device"]
    assert all(is_consequence(r) for r in NO_CAMERA[1:]) and not is_consequence(NO_CAMERA[0])


def test_the_most_important_problem_comes_first_and_the_others_are_counted():
    results = [result("network.download", Status.WARN, "Downloads are slow.", ("Move closer to the router.",)),
               result("network.connectivity", Status.FAIL, "No internet.", ("Connect to Wi-Fi.",)),
               result("system.power", Status.PASS)]
    summary = summarise("connection", results, build_report(results))
    assert summary.status == "fail" and summary.headline == "No internet."
    assert summary.fix == f"Connect to Wi-Fi. {say('steps.more', n=1)}"


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
    assert summary.status == "pass" and summary.headline == say("steps.partly", n=1)  # never "ready" for it all
    # the computer passed but the internet was not checked at all: never "Passed"
    offline = [result("system.power", Status.PASS), result("network.download", Status.SKIP),
               result("network.upload", Status.SKIP)]
    summary = summarise("connection", offline, build_report(offline))
    assert summary.status == "skip" and summary.headline == say("steps.partly", n=2)


def test_a_card_shows_status_in_words_and_icon_with_accessible_name_and_description(qtbot):
    from app.step_cards import StepCard

    card = StepCard("picture")
    qtbot.addWidget(card)
    card.show_summary(summarise("picture", NO_CAMERA, build_report(NO_CAMERA)))
    assert card.status.text() == say("status.fail")
    assert card.icon.pixmap() is not None and not card.icon.pixmap().isNull()
    assert card.accessibleName() == say("steps.card_name", title=say("steps.picture.title"), status=say("status.fail"))
    assert "No camera found." in card.accessibleDescription()
    shown = " ".join(label.text() for label in card.labels())
    assert shown.count("camera.") == 0 and "No camera found." in shown  # no check ids, one cause
    with qtbot.waitSignal(card.details_toggled) as blocker:
        card.details_button.click()
    assert blocker.args == ["picture", True]
