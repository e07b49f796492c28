"""The one order of fixes (``assets/harm.toml``): the most harmful finding first, everywhere it is asked."""

from __future__ import annotations

from importlib import metadata

import pytest

from checks.api import ENTRY_POINT_GROUP, LOST, RULE, CheckResult, Status
from checks.report.harm import HARM_FILE, fix_order, harm, most_harmful
from checks.report.model import Report
from checks.text.resources import load_toml_asset
from checks.text.wording import has_wording


def finding(check_id: str, status: str, rule: str | None = None) -> CheckResult:
    return CheckResult(check_id, check_id, check_id.split(".")[0], Status(status), f"{check_id} {rule}",
                       ("What to do.",), details={RULE: rule} if rule else {})


PAIRS = [  # (fixed first, fixed after): each a check id, its status and the rule it found
    (("network.connectivity", "fail", "offline"), ("camera.framing", "fail", "no_face")),
    (("mic.device", "fail", None), ("camera.device", "fail", None)),
    (("camera.device", "fail", None), ("network.latency", "fail", "very_high")),
    (("camera.framing", "warn", "several"), ("camera.resolution", "warn", "low")),
    (("camera.framing", "warn", "several"), ("camera.sharpness", "warn", "soft")),
    (("camera.framing", "warn", "head_cut"), ("camera.backlight", "warn", "window")),
    (("camera.backlight", "warn", "window"), ("camera.clutter", "warn", "busy")),
    (("camera.exposure", "warn", "dark"), ("mic.echo", "warn", "strong")),
    (("camera.backlight", "warn", "window"), ("mic.level", "warn", "loud")),
    (("mic.noise", "warn", "broadband"), ("camera.clutter", "warn", "busy")),
    (("camera.clutter", "warn", "busy"), ("camera.sharpness", "warn", "soft")),
    (("camera.sharpness", "warn", "soft"), ("camera.colour", "warn", "cast")),
    (("network.download", "fail", "slow"), ("mic.noise", "fail", "broadband")),
    (("mic.level", "fail", "quiet"), ("network.jitter", "fail", "high")),
    (("camera.resolution", "fail", "black"), ("camera.framing", "fail", "no_face")),
    (("screen.notifications", "warn", "on_gnome"), ("camera.clutter", "warn", "busy")),
    (("network.link", "warn", "weak_wifi"), ("camera.sharpness", "warn", "soft")),
    # a problem (a failure, or a check that could not complete) before anything that only needs attention
    (("camera.sharpness", "fail", "blurred"), ("camera.framing", "warn", "several")),
    (("network.upload", "error", None), ("camera.framing", "warn", "several")),
    (("camera.colour", "warn", "cast"), ("camera.motion", "skip", "still")),
]


@pytest.mark.parametrize(("first", "second"), PAIRS, ids=[f"{a[0]}.{a[2]}>{b[0]}.{b[2]}" for a, b in PAIRS])
def test_the_more_harmful_finding_is_fixed_first(first, second):
    a, b = finding(*first), finding(*second)
    assert fix_order([b, a]) == [a, b] and fix_order([a, b]) == [a, b]
    if b.status is not Status.SKIP:  # the report's first fix and its causes follow the same order
        report = Report((b, a))
        assert report.fix_first is a and [c.result for c in report.causes()] == [a, b]
        assert report.to_dict()["fix_first"] == a.id
    live = [(b.id, second[2] or "", b.status), (a.id, first[2] or "", a.status)]
    assert most_harmful(live) == 1  # the live coach speaks of the same one


def test_equal_harm_keeps_the_order_the_checks_were_reported_in():
    one, two = finding("system.cpu", "warn", "busy"), finding("camera.colour", "warn", "cast")
    assert harm("system.cpu", "busy") == harm("camera.colour", "cast")
    assert fix_order([one, two]) == [one, two] and fix_order([two, one]) == [two, one]


def test_nothing_to_say_when_nothing_needs_doing():
    assert most_harmful([("camera.framing", "ok", Status.PASS), ("camera.motion", "still", Status.SKIP)]) is None
    assert Report((finding("mic.level", "pass", "good"),)).fix_first is None


def test_every_entry_of_the_table_names_a_real_check_and_rule():
    """A mistyped entry would silently fall back to its category: each names a check, and a rule its wording has."""
    ids = {e.name for e in metadata.entry_points(group=ENTRY_POINT_GROUP)}
    table = load_toml_asset(HARM_FILE)
    assert set(table["category"]) <= {i.split(".")[0] for i in ids}
    for key in table["check"]:
        check_id = next((i for i in ids if key == i or key.startswith(f"{i}.")), None)
        assert check_id is not None, key
        if key != check_id:
            assert has_wording(f"{key}.summary"), key


def test_a_third_party_check_is_placed_by_its_category():
    assert harm("mic.plugin_thing") == load_toml_asset(HARM_FILE)["category"]["mic"]
    assert harm("other.plugin_thing", category="vendor") == load_toml_asset(HARM_FILE)["default"]["harm"]


def test_a_device_lost_during_the_run_weighs_as_one_missing_from_the_start():
    """The connection dropping during the jitter probes is met by whichever check came first: it is fixed before
    a face out of the picture, as "no connection" is."""
    dropped = CheckResult("network.jitter", "Jitter", "network", Status.FAIL, "Your connection dropped.",
                          details={LOST: "network", "reason": "lost.connection"})
    no_face = finding("camera.framing", "fail", "no_face")
    assert fix_order([no_face, dropped]) == [dropped, no_face]
    camera_gone = CheckResult("camera.clutter", "Clutter", "camera", Status.FAIL, "The camera stopped.",
                              details={LOST: "camera"})
    assert fix_order([finding("mic.noise", "fail", "broadband"), camera_gone])[0] is camera_gone
