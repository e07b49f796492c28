"""The report model: required vs info, the order of fixes, the countdown, history and the share texts."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, unquote, urlsplit

import jsonschema
import pytest

from checks.api import CheckResult, Status
from checks.config.profile import parse_profile
from checks.engine.thresholds import Thresholds
from checks.report.export import mailto_url, summary_text
from checks.report.model import Report, build_report, countdown, describe_changes
from checks.storage.history import entry, open_history
from checks.text.wording import say
from tests.conftest import ROOT

SCHEMA = json.loads((ROOT / "assets" / "report.schema.json").read_text())
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=timezone.utc)


def result(check_id: str, status: str, value: float | None = None, unit: str = "") -> CheckResult:
    category = check_id.split(".")[0]
    return CheckResult(check_id, check_id.title(), category, Status(status), f"{check_id} is {status}.",
                       ("What it means.", "What to do."), value, unit)


def test_checks_that_are_not_required_are_info_and_never_turn_the_verdict_red():
    results = [result("camera.device", "pass"), result("camera.exposure", "fail"), result("system.cpu", "error"),
               result("mic.noise", "warn")]
    everything = Report(tuple(results))
    assert everything.overall == "not_ready" and len(everything.problems) == 2
    profile = parse_profile('organisation = "Acme"\nrequired = ["camera.device", "mic.*"]\n')
    report = build_report(results, profile)
    assert report.overall == "warnings" and report.headline() == "Ready, with 1 thing to improve"
    assert [r.id for r in report.problems] == [] and [r.id for r in report.improvements] == ["mic.noise"]
    assert report.is_info(results[1]) and report.status_label(results[1]) == "For information"
    assert report.status_key(results[2]) == "info" and report.status_key(results[3]) == "warn"
    data = report.to_dict()
    jsonschema.validate(data, SCHEMA)
    assert {c["id"]: c["required"] for c in data["checks"]} == {
        "camera.device": True, "camera.exposure": False, "system.cpu": False, "mic.noise": True}
    text = report.render_text()
    assert "[i] Camera.Exposure" in text and "Acme does not require this check" in text
    assert "[✗]" not in text


def test_a_required_failure_still_makes_it_not_ready():
    profile = parse_profile('required = ["camera.*"]\n')
    report = build_report([result("camera.device", "fail"), result("system.cpu", "fail")], profile)
    assert report.overall == "not_ready" and report.headline() == "Not ready: 1 problem"


def test_a_required_check_that_did_not_run_is_never_the_plain_ready():
    profile = parse_profile('required = ["camera.*", "network.*"]\n')
    off = CheckResult("network.download", "Download", "network", Status.SKIP, "Not checked: the network is off.")
    results = [result("camera.device", "pass"), result("camera.framing", "pass"), off]
    report = build_report(results, profile)
    assert report.overall == "ready" and report.not_checked() == ["network.download"]
    assert report.headline() == "Ready — but not checked: your connection"
    assert report.to_dict()["not_checked"] == ["network.download"]
    assert report.render_text().endswith("Ready — but not checked: your connection")
    with_warning = build_report([*results, result("camera.clutter", "warn")], profile)
    assert with_warning.headline() == "Ready, with 1 thing to improve — but not checked: your connection"
    # a check left unjudged by another's failure is that failure's problem, not "not checked"
    because = CheckResult("network.download", "Download", "network", Status.SKIP, "Not checked.",
                          details={"because": "network.connectivity"})
    failed = build_report([result("network.connectivity", "fail"), because], profile)
    assert failed.not_checked() == ["camera.*"] and failed.headline() == "Not ready: 1 problem"
    assert build_report(results).not_checked() == []  # without a profile's list, nothing is required by name


@pytest.mark.parametrize(("delta", "expected"), [
    (timedelta(days=2, hours=3, minutes=10), "in 2 days 3 hours"),
    (timedelta(hours=1, minutes=1), "in 1 hour 1 minute"),
    (timedelta(minutes=45, seconds=30), "in 45 minutes"),
    (timedelta(seconds=20), "starting now"),
    (-timedelta(minutes=10), "started 10 minutes ago"),
])
def test_countdown(delta, expected):
    assert countdown(NOW + delta, NOW) == expected


def test_the_interview_is_shown_in_local_time_with_a_countdown():
    from checks.report.export import interview_lines

    profile = parse_profile('interview_at = 2026-11-22T09:00:00-05:00\nplatform = "meet"\n'
                            'meeting_link = "https://meet.example.com/abc"\n', now=NOW)
    report = build_report([], profile)
    lines = {line["kind"]: line for line in interview_lines(report, NOW)}
    starts = datetime(2026, 11, 22, 14, 0, tzinfo=timezone.utc).astimezone()
    assert f"{starts:%H:%M}" in lines["starts"]["text"] and "in 1 day 2 hours" in lines["starts"]["text"]
    assert lines["platform"]["text"] == "Meeting app: Google Meet"
    assert lines["meeting_link"]["link"] == "https://meet.example.com/abc"


def test_limits_name_the_thresholds_in_force():
    profile = parse_profile('[thresholds."network.latency"]\nwarn_ms = 150\n')
    report = build_report([result("network.latency", "pass", 40.0, "ms"), result("network.jitter", "skip")],
                          profile, Thresholds(profile.threshold_overrides()))
    assert report.limits["network.latency"] == "Limit: needs attention at 150 ms, a problem at 250 ms"
    assert "network.jitter" not in report.limits  # nothing measured: no limit shown


def test_limits_bounding_a_value_from_both_sides_say_which_side():
    report = build_report([result("mic.level", "pass", -20.0, "dBFS")], None, Thresholds())
    assert report.limits["mic.level"] == ("Limit: needs attention below −35 dBFS, needs attention above −10 dBFS, "
                                          "a problem below −45 dBFS")


def test_history_is_opt_in_keeps_numbers_only_and_says_what_changed(tmp_path):
    assert open_history(opt_in=False, folder=tmp_path) is None
    assert open_history(opt_in=True, allowed=False, folder=tmp_path) is None  # kiosk mode
    history = open_history(opt_in=True, folder=tmp_path)
    assert history.last() is None and not list(tmp_path.iterdir())  # nothing written before a report is added
    first = Report((result("network.upload", "fail", 2.1, "Mbps"), result("camera.device", "fail")))
    history.add(first)
    second = build_report([result("network.upload", "pass", 8.4, "Mbps"), result("camera.device", "pass")],
                          previous=history.last())
    assert list(second.changes) == [  # a built-in check by its own title, whatever the result was called
        say("report.change_value", title=say("network.upload.title"), old="2.1", new="8.4 Mbps"),
        say("report.change_status", title=say("camera.device.title"), old=say("status.fail"), new=say("status.pass"))]
    stored = json.loads(history.path.read_text())
    assert stored == [entry(first)] and set(stored[0]["checks"]["network.upload"]) == {"title", "status", "value",
                                                                                         "unit"}
    for _ in range(15):
        history.add(second)
    assert len(history.entries()) == 10
    history.path.write_text("{ damaged")
    assert history.entries() == []
    history.clear()
    assert not history.path.exists()
    assert describe_changes({"checks": {}}, second) == []


def test_summary_and_mail_draft_carry_the_verdict_and_never_send(tmp_path):
    profile = parse_profile('organisation = "Acme"\nrole = "Analyst"\nreport_to = "jobs@acme.example"\n')
    report = build_report([result("mic.noise", "fail", -38.0, "dBFS"), result("camera.device", "pass")], profile)
    summary = summary_text(report)
    assert summary.splitlines()[0] == "Interview Ready: Not ready: 1 problem"
    assert "Fix first: Mic.Noise" in summary and "(−38 dBFS)" in summary
    url = mailto_url(report, [tmp_path / "r.pdf"])
    parts = urlsplit(url)
    assert parts.scheme == "mailto" and unquote(parts.path) == "jobs@acme.example"
    query = parse_qs(parts.query)
    assert query["subject"] == ["Interview readiness report (Analyst): Not ready: 1 problem"]
    assert summary in query["body"][0] and str(tmp_path / "r.pdf") in query["body"][0]
    assert mailto_url(build_report([], parse_profile('organisation = "Acme"\n'))) is None


def not_checked(check_id: str, because: str) -> CheckResult:
    category = check_id.split(".")[0]
    return CheckResult(check_id, check_id.title(), category, Status.SKIP, "Not checked.", (), None, "",
                       {"because": because})


def test_one_cause_is_one_problem_in_the_headline_the_fixes_json_text_and_html():
    from checks.report.export import render_html

    results = [result("camera.device", "fail"), not_checked("camera.exposure", "camera.device"),
               result("mic.device", "fail"), not_checked("mic.noise", "mic.device"),
               result("network.connectivity", "fail"), result("network.link", "pass"),
               *(not_checked(f"network.{c}", "network.connectivity") for c in ("download", "upload", "latency")),
               result("system.cpu", "warn")]
    report = Report(tuple(results))
    assert report.headline() == "Not ready: 3 problems"
    causes = report.causes()
    assert [(c.result.id, [d.id for d in c.dependents]) for c in causes] == [
        ("mic.device", ["mic.noise"]), ("network.connectivity", ["network.download", "network.upload",
                                                                 "network.latency"]),
        ("camera.device", ["camera.exposure"]), ("system.cpu", [])]
    assert [r.id for r in report.fixes()] == [c.result.id for c in causes]
    data = report.to_dict()
    jsonschema.validate(data, SCHEMA)
    assert data["causes"][1] == {"id": "network.connectivity", "status": "fail",
                                 "dependents": ["network.download", "network.upload", "network.latency"]}
    assert data["headline"] == "Not ready: 3 problems"
    text = report.render_text()
    assert "Not checked until this is fixed: Network.Download, Network.Upload, Network.Latency." in text
    assert text.count("Not checked until this is fixed") == 3
    html = render_html(report, now=NOW)
    assert "Not checked until this is fixed: Network.Download, Network.Upload, Network.Latency." in html
    assert "Not checked until this is fixed: Network.Download" in summary_text(report, NOW)


def test_a_cause_counts_when_a_check_that_depends_on_it_is_required():
    profile = parse_profile('organisation = "Acme"\nrequired = ["network.download"]\n')
    results = [result("network.connectivity", "fail"), not_checked("network.download", "network.connectivity")]
    report = build_report(results, profile)
    assert report.overall == "not_ready" and report.headline() == "Not ready: 1 problem"
    assert [c.result.id for c in report.causes()] == ["network.connectivity"]
