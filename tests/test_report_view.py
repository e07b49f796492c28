"""The readiness report widget, offscreen: verdict, fixes, info rows, tick boxes, links, countdown."""

from __future__ import annotations

from datetime import timedelta, timezone

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QGroupBox, QLabel

from app.report_view import ReportView
from checks.api import CheckResult, Status
from checks.config.profile import TEMPLATE, parse_profile
from checks.engine.thresholds import Thresholds
from checks.report.model import build_report

START = parse_profile(TEMPLATE).interview_at.astimezone(timezone.utc)  # the template's interview


def _result(check_id, title, status, summary, advice=(), value=None, unit=""):
    return CheckResult(check_id, title, check_id.split(".")[0], Status(status), summary, advice, value, unit)


RESULTS = [
    _result("camera.device", "Camera", "pass", "The camera works (1280×720)."),
    _result("camera.exposure", "Light on your face", "warn", "Your face is dim.", ("It looks grey.", "Add a lamp.")),
    _result("mic.device", "Microphone", "pass", "The headset works."),
    _result("mic.noise", "Background noise", "fail", "The room is noisy (-38 dBFS).",
            ("The interviewer will not hear you well.", "Close the window and turn off the fan."), -38.0, "dBFS"),
    _result("mic.level", "Speech level", "warn", "You sound quiet.", ("Move closer.",), -37.0, "dBFS"),
    _result("network.upload", "Upload speed", "pass", "Upload 8.4 Mbps.", (), 8.4, "Mbps"),
]


def _texts(view) -> list[str]:
    return [label.text() for label in view.findChildren(QLabel)]


def _view(qtbot, now):
    clock = {"now": now}
    view = ReportView(now=lambda: clock["now"], countdown_every_ms=50)
    qtbot.addWidget(view)
    profile = parse_profile(TEMPLATE.replace("<script>", "").replace(  # a recruiter who requires only some checks
        '# required = ["camera.*", "mic.*", "network.*"]', 'required = ["camera.device", "mic.*", "network.*"]'))
    previous = {"checks": {"network.upload": {"status": "pass", "value": 2.1, "unit": "Mbps"}}}
    report = build_report(RESULTS, profile, Thresholds(profile.threshold_overrides()), previous)
    view.resize(1200, 800)
    view.set_report(report)
    view.show()
    qtbot.waitExposed(view)
    return view, report, clock


def test_the_view_shows_the_verdict_the_fix_first_and_info_rows(qtbot):
    view, report, _ = _view(qtbot, START - timedelta(days=1, hours=2))
    assert view.banner.text() == "Not ready: 1 problem" == report.headline()
    assert view.fix_first.text().startswith("Fix this first: Background noise. The room is noisy")
    assert view.fix_first.text().endswith("Close the window and turn off the fan.")
    texts = _texts(view)
    assert "Light on your face: For information" in texts  # not required by the profile
    assert "1. Background noise: Problem — −38 dBFS" in texts and "2. Speech level: Needs attention — −37 dBFS" in texts
    assert "Upload speed: 2.1 → 8.4 Mbps" in texts
    assert any(t.startswith("Limit: needs attention at −55 dBFS") for t in texts)
    titles = [box.accessibleName() for box in view.findChildren(QGroupBox)]
    for title in ("Camera", "Microphone", "Network", "Your interview", "If the technology fails: your plan B",
                  "Before the interview", "What to fix, most important first"):
        assert title in titles
    view.grab().save("/tmp/report_view.png")


def test_backup_channels_and_checklist_are_tick_boxes_with_names(qtbot):
    view, report, _ = _view(qtbot, START)
    boxes = view.findChildren(QCheckBox)
    assert len(boxes) == len(report.backup_channels) + len(report.reminders) + len(report.checklist)
    names = [b.accessibleName() for b in boxes]
    assert "Tick when done: Recruiter's phone: +44 20 7946 0001" in names
    assert all(name.startswith("Tick when done: ") for name in names)
    box = boxes[0]
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Space)
    assert box.isChecked() and view.ticked()[box.accessibleName()] is True
    label = next(w for w in view.findChildren(QLabel) if getattr(w, "box", None) is boxes[1])
    qtbot.mouseClick(label, Qt.MouseButton.LeftButton)  # the text ticks the box too
    assert boxes[1].isChecked()


def test_links_are_shown_in_full_and_only_requested(qtbot):
    view, _, _ = _view(qtbot, START)
    links = [w for w in view.findChildren(QLabel) if w.textFormat() == Qt.TextFormat.RichText]
    assert any("https://teams.microsoft.com/l/meetup-join/123" in w.text() for w in links)
    assert not any(w.openExternalLinks() for w in links)
    with qtbot.waitSignal(view.link_requested) as signal:
        next(w for w in links if "teams.microsoft.com" in w.text()).linkActivated.emit("ignored")
    assert signal.args == ["https://teams.microsoft.com/l/meetup-join/123"]


def test_the_countdown_moves_on(qtbot):
    view, _, clock = _view(qtbot, START - timedelta(hours=3))
    assert view.countdown_label.text().endswith("in 3 hours")
    clock["now"] = START - timedelta(minutes=20)
    qtbot.waitUntil(lambda: view.countdown_label.text().endswith("in 20 minutes"), timeout=5000)  # by itself


def test_profile_text_is_never_markup_in_the_view(qtbot):
    view = ReportView()
    qtbot.addWidget(view)
    profile = parse_profile('organisation = "<b>Evil</b>"\nrole = "<img src=x>"\n'
                            'meeting_link = "https://example.org/a?b=1&c=2"\n')
    view.set_report(build_report(RESULTS[:1], profile))
    plain = [w for w in view.findChildren(QLabel) if w.textFormat() == Qt.TextFormat.PlainText]
    assert "Interview with <b>Evil</b>" in [w.text() for w in plain]
    rich = [w.text() for w in view.findChildren(QLabel) if w.textFormat() == Qt.TextFormat.RichText]
    assert rich and all("<b>" not in t and "<img" not in t for t in rich)
    assert any("&amp;c=2" in t for t in rich)
    view.clear()
    assert view.report() is None and view.tick_boxes == []
    qtbot.waitUntil(lambda: not view.findChildren(QCheckBox))


def test_send_to_recruiter_saves_pdf_and_json_and_only_builds_a_draft(qtbot, tmp_path):
    from urllib.parse import parse_qs, urlsplit

    from PySide6.QtGui import QGuiApplication

    from app.export import copy_summary, send_to_recruiter

    profile = parse_profile(TEMPLATE)
    report = build_report(RESULTS, profile)
    sent = send_to_recruiter(report, tmp_path)
    assert sent.pdf.read_bytes().startswith(b"%PDF") and sent.json.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["interview-ready-report.json", "interview-ready-report.pdf"]
    query = parse_qs(urlsplit(sent.mailto).query)
    assert urlsplit(sent.mailto).path == "jobs@acme.example"
    assert str(sent.pdf) in query["body"][0] and "Not ready: 1 problem" in query["subject"][0]
    text = copy_summary(report)
    assert QGuiApplication.clipboard().text() == text and text.startswith("Interview Ready: Not ready: 1 problem")


def test_only_one_local_toml_file_is_taken_from_a_drop(tmp_path):
    from PySide6.QtCore import QMimeData, QUrl

    from app.report_view import dropped_profile

    def mime(*urls):
        data = QMimeData()
        data.setUrls([QUrl(u) if "://" in u else QUrl.fromLocalFile(u) for u in urls])
        return data

    assert dropped_profile(mime(str(tmp_path / "acme.toml"))) == tmp_path / "acme.toml"
    assert dropped_profile(mime(str(tmp_path / "acme.exe"))) is None
    assert dropped_profile(mime("https://example.org/acme.toml")) is None
    assert dropped_profile(mime(str(tmp_path / "a.toml"), str(tmp_path / "b.toml"))) is None
    assert dropped_profile(QMimeData()) is None


def test_links_other_than_web_mail_and_phone_are_never_opened(qtbot):
    from app.report_view import confirm_and_open

    for url in ("javascript:alert(1)", "file:///etc/passwd", "data:text/html,x"):
        assert confirm_and_open(None, url) is False  # refused before any question is asked
